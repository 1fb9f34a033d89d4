package main

// Elementwise arithmetic, Axpy, Scale, Fill and the ReLU family: four
// vectors per main iteration (16 float32 or 8 float64).

func init() {
	binary := func(name, op string) {
		kernels[name] = kernel{args: "dst, a, b []T", size: 72, gen: func(g *gen, t *dtype) string {
			g.op("MOVD", "dst_base+0(FP)", "R0")
			g.op("MOVD", "dst_len+8(FP)", "R3")
			g.op("MOVD", "a_base+24(FP)", "R1")
			g.op("MOVD", "b_base+48(FP)", "R2")
			g.stream(stream{t: t, n: "R3", ptrs: []string{"R1", "R2"}, out: "R0", U: 4,
				body: func(b block) { g.f3(t, op, b.in[0], b.in[0], b.in[1]) }})
			g.op("RET")
			return "R0 dst, R1 a, R2 b, R3 count; V0-V3 a, V4-V7 b."
		}}
	}
	binary("Add", "FADD")
	binary("Sub", "FSUB")
	binary("Mul", "FMUL")
	binary("Div", "FDIV")

	withScalar := func(name, op string) {
		kernels[name] = kernel{args: "dst, a []T, s T", size: 52, gen: func(g *gen, t *dtype) string {
			g.op("MOVD", "dst_base+0(FP)", "R0")
			g.op("MOVD", "dst_len+8(FP)", "R3")
			g.op("MOVD", "a_base+24(FP)", "R1")
			s := broadcast(g, t, "s+48(FP)", 16)
			g.stream(stream{t: t, n: "R3", ptrs: []string{"R1"}, out: "R0", U: 4,
				body: func(b block) { g.f3(t, op, b.in[0], b.in[0], s) }})
			g.op("RET")
			return "R0 dst, R1 a, R3 count; V0-V3 a, V16 s in every lane."
		}}
	}
	withScalar("AddScalar", "FADD")
	withScalar("SubScalar", "FSUB")
	withScalar("MulScalar", "FMUL")
	withScalar("DivScalar", "FDIV")

	kernels["Axpy"] = kernel{args: "alpha T, x, y []T", size: 56, gen: func(g *gen, t *dtype) string {
		alpha := broadcast(g, t, "alpha+0(FP)", 16)
		g.op("MOVD", "x_base+8(FP)", "R1")
		g.op("MOVD", "x_len+16(FP)", "R3")
		g.op("MOVD", "y_base+32(FP)", "R2")
		g.op("MOVD", "R2", "R0")
		g.stream(stream{t: t, n: "R3", ptrs: []string{"R2", "R1"}, out: "R0", U: 4,
			body: func(b block) { g.fmla(t, b.in[0], b.in[1], alpha) }})
		g.op("RET")
		return "R1 x, R2 y (loads), R0 y (stores), R3 count; V0-V3 y, V4-V7 x, V16 alpha in every lane."
	}}

	kernels["Scale"] = kernel{args: "alpha T, x []T", size: 32, gen: func(g *gen, t *dtype) string {
		alpha := broadcast(g, t, "alpha+0(FP)", 16)
		g.op("MOVD", "x_base+8(FP)", "R1")
		g.op("MOVD", "x_len+16(FP)", "R3")
		g.op("MOVD", "R1", "R0")
		g.stream(stream{t: t, n: "R3", ptrs: []string{"R1"}, out: "R0", U: 4,
			body: func(b block) { g.f3(t, "FMUL", b.in[0], b.in[0], alpha) }})
		g.op("RET")
		return "R1 x (loads), R0 x (stores), R3 count; V0-V3 x, V16 alpha in every lane."
	}}

	kernels["Fill"] = kernel{args: "dst []T, v T", size: 28, gen: func(g *gen, t *dtype) string {
		g.op("MOVD", "dst_base+0(FP)", "R0")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		v := broadcast(g, t, "v+24(FP)", 0)
		for k := V(1); k < 4; k++ {
			g.mov(k, v)
		}
		g.stream(stream{t: t, n: "R3", out: "R0", U: 4})
		g.op("RET")
		return "R0 dst, R3 count; V0-V3 v in every lane."
	}}

	kernels["Relu"] = kernel{args: "dst, x []T", size: 48, gen: func(g *gen, t *dtype) string {
		g.op("MOVD", "dst_base+0(FP)", "R0")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		g.op("MOVD", "x_base+24(FP)", "R1")
		g.stream(stream{t: t, n: "R3", ptrs: []string{"R1"}, out: "R0", U: 4, ntemp: 1,
			body: func(b block) {
				x, m := b.in[0], b.tmp[0]
				g.f2(t, "FCMLT0", m, x) // x < 0: false for NaN and -0
				g.l3("BIC", x, x, m)
			}})
		g.op("RET")
		return "R0 dst, R1 x, R3 count; V0-V3 x, V4-V7 masks x < 0."
	}}

	kernels["ReluBackward"] = kernel{args: "dst, grad, x []T", size: 72, gen: func(g *gen, t *dtype) string {
		g.op("MOVD", "dst_base+0(FP)", "R0")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		g.op("MOVD", "grad_base+24(FP)", "R1")
		g.op("MOVD", "x_base+48(FP)", "R2")
		g.stream(stream{t: t, n: "R3", ptrs: []string{"R1", "R2"}, out: "R0", U: 4, ntemp: 1,
			body: func(b block) {
				gr, x, m := b.in[0], b.in[1], b.tmp[0]
				g.f2(t, "FCMLE0", m, x)
				g.l3("BIC", gr, gr, m)
			}})
		g.op("RET")
		return "R0 dst, R1 grad, R2 x, R3 count; V0-V3 grad, V4-V7 x, V8-V11 masks x <= 0."
	}}

	kernels["LeakyRelu"] = kernel{args: "dst, x []T, slope T", size: 52, gen: func(g *gen, t *dtype) string {
		g.op("MOVD", "dst_base+0(FP)", "R0")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		g.op("MOVD", "x_base+24(FP)", "R1")
		s := broadcast(g, t, "slope+48(FP)", 16)
		g.stream(stream{t: t, n: "R3", ptrs: []string{"R1"}, out: "R0", U: 4, ntemp: 2,
			body: func(b block) {
				x, m, p := b.in[0], b.tmp[0], b.tmp[1]
				g.f2(t, "FCMGT0", m, x)
				g.f3(t, "FMUL", p, x, s)
				g.l3("BIF", x, p, m) // where not x > 0: x*slope
			}})
		g.op("RET")
		return "R0 dst, R1 x, R3 count; V0-V3 x, V4-V11 masks x > 0 and products, V16 slope in every lane."
	}}

	kernels["LeakyReluBackward"] = kernel{args: "dst, grad, x []T, slope T", size: 76, gen: func(g *gen, t *dtype) string {
		g.op("MOVD", "dst_base+0(FP)", "R0")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		g.op("MOVD", "grad_base+24(FP)", "R1")
		g.op("MOVD", "x_base+48(FP)", "R2")
		s := broadcast(g, t, "slope+72(FP)", 16)
		g.stream(stream{t: t, n: "R3", ptrs: []string{"R1", "R2"}, out: "R0", U: 4, ntemp: 2,
			body: func(b block) {
				gr, x, m, p := b.in[0], b.in[1], b.tmp[0], b.tmp[1]
				g.f2(t, "FCMGT0", m, x)
				g.f3(t, "FMUL", p, gr, s)
				g.l3("BIF", gr, p, m)
			}})
		g.op("RET")
		return "R0 dst, R1 grad, R2 x, R3 count; V0-V3 grad, V4-V7 x, V8-V15 masks x > 0 and products, V16 slope in every lane."
	}}
}

// broadcast loads a T argument into every lane of register v.
func broadcast(g *gen, t *dtype, arg string, v V) V {
	g.op(t.Fmov, arg, t.freg(v))
	g.dup(t, v, Lane{v, 0})
	return v
}
