package main

import "fmt"

// Softmax and LogSoftmax: three passes over one row with the exp (and log)
// bodies inline.

func init() {
	kernels["Softmax"] = kernel{args: "dst, x []T", size: 48, gen: func(g *gen, t *dtype) string {
		p := newPool(t)
		ec := newExpConsts(p)
		m, acc0, acc1 := p.reg(), p.reg(), p.reg()
		g.load(p, "exp"+t.Name+"Consts", "R9")
		maxPass(g, t, m)
		// Pass 2: dst = exp(x - m), summed in acc0, acc1, then F(acc0).
		g.op("MOVD", "dst_base+0(FP)", "R0")
		g.op("MOVD", "x_base+24(FP)", "R1")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		g.zero(acc0)
		g.zero(acc1)
		g.stream(expSumStream(g, t, ec, m, []V{acc0, acc1}, "R0"))
		// Pass 3: dst /= sum.
		s := V(15)
		g.dup(t, s, Lane{acc0, 0})
		g.op("MOVD", "dst_base+0(FP)", "R0")
		g.op("MOVD", "R0", "R2")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		g.stream(stream{t: t, lp: "p3", n: "R3", ptrs: []string{"R2"}, out: "R0", U: 4,
			body: func(b block) { g.f3(t, "FDIV", b.in[0], b.in[0], s) }})
		g.op("RET")
		return fmt.Sprintf("R0 dst, R1 and R4 x, R2 dst (loads), R3 and R5 counts, R9 constants; "+
			"pass 1: V0-V3 maxima, V4-V7 x; pass 2: V0-V1 x, V2-V%d scratch, %s constants, "+
			"V%d max, V%d-V%d sums; pass 3: V0-V3 dst, V15 sum.",
			2+2*expTemps(t)-1, p.noteConsts(), m, acc0, acc1)
	}}

	kernels["LogSoftmax"] = kernel{args: "dst, x []T", size: 48, gen: func(g *gen, t *dtype) string {
		p := newPool(t)
		ec := newExpConsts(p)
		m, acc0, acc1 := p.reg(), p.reg(), p.reg()
		g.load(p, "exp"+t.Name+"Consts", "R9")
		maxPass(g, t, m)
		// Pass 2: sum of exp(x - m).
		g.op("MOVD", "x_base+24(FP)", "R1")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		g.zero(acc0)
		g.zero(acc1)
		g.stream(expSumStream(g, t, ec, m, []V{acc0, acc1}, ""))
		// lse = log(sum), with the log constants in place of exp's.
		lse, mm := V(14), V(15)
		g.mov(mm, m)
		g.op(t.Fmov, t.freg(acc0), "F0")
		lp := newPool(t)
		lc := newLogConsts(lp)
		g.load(lp, "log"+t.Name+"Consts", "R9")
		var tmp []V
		for k := range logTemps(t) {
			tmp = append(tmp, V(1+k))
		}
		logBody(g, t, lc, 0, tmp)
		g.dup(t, lse, Lane{0, 0})
		// Pass 3: dst = (x - m) - lse.
		g.op("MOVD", "dst_base+0(FP)", "R0")
		g.op("MOVD", "x_base+24(FP)", "R1")
		g.op("MOVD", "dst_len+8(FP)", "R3")
		g.stream(stream{t: t, lp: "p3", n: "R3", ptrs: []string{"R1"}, out: "R0", U: 4,
			body: func(b block) {
				g.f3(t, "FSUB", b.in[0], b.in[0], mm)
				g.f3(t, "FSUB", b.in[0], b.in[0], lse)
			}})
		g.op("RET")
		return fmt.Sprintf("R0 dst, R1 and R4 x, R3 and R5 counts, R9 constants; "+
			"pass 1: V0-V3 maxima, V4-V7 x; pass 2: V0-V1 x, V2-V%d scratch, %s exp constants, "+
			"V%d max, V%d-V%d sums; log: V0 sum, V1-V%d scratch, %s; "+
			"pass 3: V0-V3 x, V14 log(sum), V15 max.",
			2+2*expTemps(t)-1, p.noteConsts(), m, acc0, acc1, logTemps(t), lp.note())
	}}
}

// maxPass leaves max(x) in every lane of m, NaN if any element is NaN
// (FMAX propagates it): four vector accumulators from -Inf, then the
// scalar tail. Uses R4, R5, R7, V0-V7.
func maxPass(g *gen, t *dtype, m V) {
	L := t.L()
	g.op("MOVD", "x_base+24(FP)", "R4")
	g.op("MOVD", "x_len+32(FP)", "R5")
	if t.single() {
		g.op("MOVW", "$0xff800000", "R7")
	} else {
		g.op("MOVD", "$0xfff0000000000000", "R7")
	}
	g.op("VDUP", "R7", t.vreg(0)) // -Inf
	for v := V(1); v < 4; v++ {
		g.mov(v, 0)
	}
	step := 4 * L
	g.op("CMP", fmt.Sprintf("$%d", step), "R5")
	g.op("BLT", "p1one")
	g.label("p1loop")
	g.op("VLD1.P", "64(R4)", t.vlist(4, 4))
	for j := V(0); j < 4; j++ {
		g.f3(t, "FMAX", j, j, 4+j)
	}
	g.op("SUB", fmt.Sprintf("$%d", step), "R5")
	g.op("CMP", fmt.Sprintf("$%d", step), "R5")
	g.op("BGE", "p1loop")
	g.label("p1one")
	g.op("CMP", fmt.Sprintf("$%d", L), "R5")
	g.op("BLT", "p1reduce")
	g.label("p1loop1")
	g.op("VLD1.P", "16(R4)", t.vlist(4, 1))
	g.f3(t, "FMAX", 0, 0, 4)
	g.op("SUB", fmt.Sprintf("$%d", L), "R5")
	g.op("CMP", fmt.Sprintf("$%d", L), "R5")
	g.op("BGE", "p1loop1")
	g.label("p1reduce")
	g.f3(t, "FMAX", 0, 0, 1)
	g.f3(t, "FMAX", 2, 2, 3)
	g.f3(t, "FMAX", 0, 0, 2)
	if t.single() {
		g.w(Reduce("FMAXV", t.A, 0, 0))
	} else {
		g.w(Reduce("FMAXP", t.A, 0, 0))
	}
	g.op("CBZ", "R5", "p1done")
	g.label("p1tail")
	g.op(t.Fmov+".P", fmt.Sprintf("%d(R4)", t.Size), "F4")
	g.op("FMAX"+t.Sfx, "F4", "F0", "F0")
	g.op("SUBS", "$1", "R5", "R5")
	g.op("BNE", "p1tail")
	g.label("p1done")
	g.dup(t, m, Lane{0, 0})
}

// expSumStream is pass 2: x - m through the exp body, stored through out
// (unless ""), and summed: vector blocks into acc[j], reduced into lane 0
// of acc[0] after the vector loops, the scalar tail added to that.
func expSumStream(g *gen, t *dtype, c *expConsts, m V, acc []V, out string) stream {
	s := stream{t: t, lp: "p2", n: "R3", ptrs: []string{"R1"}, out: out, U: 2, ntemp: expTemps(t)}
	s.body = func(b block) {
		x := b.in[0]
		g.f3(t, "FSUB", x, x, m)
		expBody(g, t, c, x, b.tmp)
		if b.tail {
			g.op("FADD"+t.Sfx, t.freg(x), t.freg(acc[0]))
		} else {
			g.f3(t, "FADD", acc[b.j], acc[b.j], x)
		}
	}
	s.afterVec = func() {
		g.f3(t, "FADD", acc[0], acc[0], acc[1])
		if t.single() {
			g.f3(t, "FADDP", acc[0], acc[0], acc[0])
		}
		g.w(Reduce("FADDP", t.A, acc[0], acc[0]))
	}
	return s
}
