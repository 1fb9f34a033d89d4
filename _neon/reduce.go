package main

import "fmt"

// Sum, Dot, SumSq and MaxIdx.

func init() {
	type redDef struct {
		name, args string
		size       int
		two        bool // Dot: a second input
		ret        string
	}
	for _, d := range []redDef{
		{"Sum", "x []T", 28, false, "ret+24(FP)"},
		{"Dot", "x, y []T", 52, true, "ret+48(FP)"},
		{"SumSq", "x []T", 28, false, "ret+24(FP)"},
	} {
		kernels[d.name] = kernel{args: d.args, size: d.size, gen: func(g *gen, t *dtype) string {
			g.op("MOVD", "x_base+0(FP)", "R0")
			g.op("MOVD", "x_len+8(FP)", "R3")
			if d.two {
				g.op("MOVD", "y_base+24(FP)", "R1")
			}
			sumLoops(g, t, d.name, "R3")
			g.op(t.Fmov, "F0", d.ret)
			g.op("RET")
			if d.two {
				return "R0 x, R1 y, R3 count; V0-V7 accumulators, V8-V15 x, V16-V23 y."
			}
			return "R0 x, R3 count; V0-V7 accumulators, V8-V15 x."
		}}
	}
}

// sumLoops leaves in F0 the sum over n (register) elements at R0 (and R1
// for Dot) of x, x*y or x*x: eight accumulators (32 float32 or 16 float64
// per iteration), a one-vector loop into V0, the tree V0+V1, V2+V3, …,
// pairwise across lanes, then a scalar tail. Products are rounded before
// they are added (not fused), as in the generic code, so a product that
// overflows gives ±Inf (and Inf - Inf gives NaN) exactly as there.
func sumLoops(g *gen, t *dtype, kind, n string) {
	L := t.L()
	for v := V(0); v < 8; v++ {
		g.zero(v)
	}
	acc := func(a, x, y V) {
		switch kind {
		case "Sum":
			g.f3(t, "FADD", a, a, x)
		case "Dot":
			g.f3(t, "FMUL", x, x, y)
			g.f3(t, "FADD", a, a, x)
		case "SumSq":
			g.f3(t, "FMUL", x, x, x)
			g.f3(t, "FADD", a, a, x)
		}
	}
	step := 8 * L
	g.op("CMP", fmt.Sprintf("$%d", step), n)
	g.op("BLT", "one")
	g.label("loop")
	g.op("VLD1.P", "64(R0)", t.vlist(8, 4))
	g.op("VLD1.P", "64(R0)", t.vlist(12, 4))
	if kind == "Dot" {
		g.op("VLD1.P", "64(R1)", t.vlist(16, 4))
		g.op("VLD1.P", "64(R1)", t.vlist(20, 4))
	}
	for j := V(0); j < 8; j++ {
		acc(j, 8+j, 16+j)
	}
	g.op("SUB", fmt.Sprintf("$%d", step), n)
	g.op("CMP", fmt.Sprintf("$%d", step), n)
	g.op("BGE", "loop")
	g.label("one")
	g.op("CMP", fmt.Sprintf("$%d", L), n)
	g.op("BLT", "reduce")
	g.label("loop1")
	g.op("VLD1.P", "16(R0)", t.vlist(8, 1))
	if kind == "Dot" {
		g.op("VLD1.P", "16(R1)", t.vlist(16, 1))
	}
	acc(0, 8, 16)
	g.op("SUB", fmt.Sprintf("$%d", L), n)
	g.op("CMP", fmt.Sprintf("$%d", L), n)
	g.op("BGE", "loop1")
	g.label("reduce")
	for _, p := range [][3]V{{0, 0, 1}, {2, 2, 3}, {4, 4, 5}, {6, 6, 7}, {0, 0, 2}, {4, 4, 6}, {0, 0, 4}} {
		g.f3(t, "FADD", p[0], p[1], p[2])
	}
	if t.single() {
		g.f3(t, "FADDP", 0, 0, 0)
	}
	g.w(Reduce("FADDP", t.A, 0, 0))
	g.op("CBZ", n, "done")
	g.label("tail")
	g.op(t.Fmov+".P", fmt.Sprintf("%d(R0)", t.Size), "F8")
	s := t.Sfx
	switch kind {
	case "Sum":
		g.op("FADD"+s, "F8", "F0")
	case "Dot":
		g.op(t.Fmov+".P", fmt.Sprintf("%d(R1)", t.Size), "F16")
		g.op("FMUL"+s, "F16", "F8")
		g.op("FADD"+s, "F8", "F0")
	case "SumSq":
		g.op("FMUL"+s, "F8", "F8")
		g.op("FADD"+s, "F8", "F0")
	}
	g.op("SUBS", "$1", n, n)
	g.op("BNE", "tail")
	g.label("done")
}

func init() {
	kernels["MaxIdx"] = kernel{args: "x []T) (max T, idx int", size: 40, gen: maxIdx}
}

// maxIdx: four sets of per-lane running maxima M0-M3 (V0-V3) with the
// index of the block each was taken from, I0-I3 (V4-V7; int32 lanes for
// float32, int64 for float64), and the current block index per set,
// C0-C3 (V8-V11). A lane takes x when !(M >= x) && M == M, that is
// x > M or x is NaN while M is not, so each lane keeps its first maximum
// and its first NaN. The reduction takes m = max over all lanes (FMAX
// propagates NaN), the candidate lanes (M == m, or M is NaN), and the
// smallest index among them (unsigned min of index|^candidate); the
// value returned is x[idx] itself (so -0 against +0 ties keep the first).
// The elements after the last whole vector are then compared one by one.
func maxIdx(g *gen, t *dtype) string {
	L := t.L()
	p := newPool(t)
	set := V(4 * L) // elements per main iteration
	for j := range 4 {
		p.splat(uint64(L + L*j)) // C_j at the start: after the first vector
	}
	step := p.splat(uint64(set))
	one := p.splat(uint64(L))
	var offs []Lane
	for i := range L {
		offs = append(offs, p.lane(uint64(i)))
	}
	laneOff := offs[0].Reg // lanes 0..L-1 in order: one register
	if offs[L-1].Reg != laneOff || offs[L-1].Idx != L-1 {
		panic("maxIdx: lane offsets not in one register")
	}
	g.op("MOVD", "x_base+0(FP)", "R0")
	g.op("MOVD", "x_len+8(FP)", "R3")
	g.op("MOVD", "R0", "R6")
	g.op("CMP", fmt.Sprintf("$%d", L), "R3")
	g.op("BLT", "scalar")
	g.load(p, "maxIdx"+t.Name+"Consts", "R9")
	// C0-C3 are the first four constants (V16-V19); copy to V8-V11 as
	// they change.
	for j := V(0); j < 4; j++ {
		g.mov(8+j, 16+j)
	}
	g.op("VLD1.P", fmt.Sprintf("%d(R0)", 16), t.vlist(0, 1))
	for j := V(1); j < 4; j++ {
		g.mov(j, 0)
	}
	for j := V(4); j < 8; j++ {
		g.zero(j)
	}
	g.op("SUB", fmt.Sprintf("$%d", L), "R3")
	// update: M, I, C of one set with x in X, scratch T1, T2
	update := func(m, i, c, x, t1, t2 V) {
		g.f3(t, "FCMGE", t1, m, x)
		g.f3(t, "FCMEQ", t2, m, m)
		g.l3("BIC", t2, t2, t1) // take
		g.l3("BIT", m, x, t2)
		g.l3("BIT", i, c, t2)
	}
	g.op("CMP", fmt.Sprintf("$%d", set), "R3")
	g.op("BLT", "one")
	g.label("loop")
	g.op("VLD1.P", "64(R0)", t.vlist(12, 4))
	g.interleave(4, func(j int) {
		jj := V(j)
		update(jj, 4+jj, 8+jj, 12+jj, 22+2*jj, 23+2*jj)
		g.i3(t, "ADD", 8+jj, 8+jj, step)
	})
	g.op("SUB", fmt.Sprintf("$%d", set), "R3")
	g.op("CMP", fmt.Sprintf("$%d", set), "R3")
	g.op("BGE", "loop")
	g.label("one")
	g.op("CMP", fmt.Sprintf("$%d", L), "R3")
	g.op("BLT", "reduce")
	g.label("loop1")
	g.op("VLD1.P", "16(R0)", t.vlist(12, 1))
	update(0, 4, 8, 12, 22, 23)
	g.i3(t, "ADD", 8, 8, one)
	g.op("SUB", fmt.Sprintf("$%d", L), "R3")
	g.op("CMP", fmt.Sprintf("$%d", L), "R3")
	g.op("BGE", "loop1")
	g.label("reduce")
	g.f3(t, "FMAX", 22, 0, 1)
	g.f3(t, "FMAX", 23, 2, 3)
	g.f3(t, "FMAX", 22, 22, 23)
	if t.single() {
		g.w(Reduce("FMAXV", t.A, 23, 22))
	} else {
		g.w(Reduce("FMAXP", t.A, 23, 22))
	}
	g.dup(t, 22, Lane{23, 0}) // m in every lane
	for j := V(0); j < 4; j++ {
		g.f3(t, "FCMEQ", 24, j, 22)
		g.f3(t, "FCMEQ", 25, j, j)
		g.l3("ORN", 24, 24, 25) // candidate: M == m or M is NaN
		g.i3(t, "ADD", 4+j, 4+j, laneOff)
		g.l3("ORN", 4+j, 4+j, 24) // index, or all ones
	}
	if !t.single() {
		// The indices are below 2^31: keep the low halves as four int32.
		g.i3(f32, "UZP1", 4, 4, 5)
		g.i3(f32, "UZP1", 6, 6, 7)
	} else {
		g.i3(f32, "UMIN", 4, 4, 5)
		g.i3(f32, "UMIN", 6, 6, 7)
	}
	g.i3(f32, "UMIN", 4, 4, 6)
	g.w(Reduce("UMINV", S4, 4, 4))
	g.op("VMOV", "V4.S[0]", "R5")
	g.op(t.Fmov, fmt.Sprintf("(R6)(R5<<%d)", t.Shift), "F0")
	g.op("B", "tail")
	g.label("scalar")
	g.op(t.Fmov+".P", fmt.Sprintf("%d(R0)", t.Size), "F0")
	g.op("MOVD", "ZR", "R5")
	g.op("SUB", "$1", "R3")
	g.label("tail")
	g.op("MOVD", "x_len+8(FP)", "R4")
	g.op("SUB", "R3", "R4") // index of the next element
	g.op("FCMP"+t.Sfx, "F0", "F0")
	g.op("BVS", "done") // the maximum is NaN: final
	g.op("CBZ", "R3", "done")
	g.label("loopt")
	g.op(t.Fmov+".P", fmt.Sprintf("%d(R0)", t.Size), "F1")
	g.opc("flags: max vs x", "FCMP"+t.Sfx, "F1", "F0")
	g.op("BGE", "next") // max >= x: keep
	g.op(t.Fmov, "F1", "F0")
	g.op("MOVD", "R4", "R5")
	g.op("FCMP"+t.Sfx, "F1", "F1")
	g.op("BVS", "done") // took a NaN: final
	g.label("next")
	g.op("ADD", "$1", "R4")
	g.op("SUBS", "$1", "R3", "R3")
	g.op("BNE", "loopt")
	g.label("done")
	g.op(t.Fmov, "F0", "max+24(FP)")
	g.op("MOVD", "R5", "idx+32(FP)")
	g.op("RET")
	return "R0 x, R3 count, R4 and R5 indices, R6 base, R9 constants; V0-V3 maxima, V4-V7 indices, V8-V11 block indices, V12-V15 x, V22-V29 masks, " + p.note() + "."
}
