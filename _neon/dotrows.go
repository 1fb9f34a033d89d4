package main

import "fmt"

// DotRows: y[j] = x·b[j*ldb : j*ldb+len(x)] (the contract is in
// kernels_arm64.go; the Go twin is kernels.dotRowsGeneric with
// L = 4 float32 or 2 float64 lanes, one 128-bit register).
//
// Rows are taken 8 at a time, then 4 once, then one at a time. A pass of
// R rows keeps two accumulators per row, acc0 (V0-V7) and acc1
// (V8-V15), and walks x and the R rows together with post-incremented
// pointers: per 2L-element block x in V16-V17, each row's two vectors
// in a pair of V18-V31 (rows 6 and 7 reuse the pairs of rows 0 and 1)
// and two FMLAs; then one L-element block into acc0 (when len(x) & L);
// then the last t = len(x) mod L elements into lanes 0..t-1 of acc1: x
// and the rows' elements loaded lane by lane (V16, V18-V25; one code
// path per t), FMLA into a copy of acc1 (V26-V31), BIT of the copy's
// selected lanes (mask V17, loaded from dotRowsMask) into acc1, so the
// other lanes keep their bits as in the twin. Each row then sums
// acc0+acc1, for float32 adds the high half onto the low half (DUP of
// lane D[1], FADD: lanes 0+2 and 1+3), and FADDP of lanes 0 and 1: the
// twin's order of lane halving.
func init() {
	kernels["DotRows"] = kernel{args: "x, b []T, ldb int, y []T", size: 80, gen: genDotRows}
}

// dotRowsRowPtr are the row pointers of a pass.
var dotRowsRowPtr = []string{"R12", "R13", "R14", "R15", "R19", "R20", "R21", "R22"}

func genDotRows(g *gen, t *dtype) string {
	L := t.L()
	log2 := map[int]int{1: 0, 2: 1, 4: 2, 8: 3}
	mask := dotRowsMaskSym(g)
	g.op("MOVD", "x_base+0(FP)", "R0")
	g.op("MOVD", "x_len+8(FP)", "R1")
	g.op("MOVD", "b_base+24(FP)", "R2")
	g.op("MOVD", "ldb+48(FP)", "R3")
	g.op("MOVD", "y_base+56(FP)", "R4")
	g.op("MOVD", "y_len+64(FP)", "R5")
	g.op("CBZ", "R5", "done")
	g.op("LSL", fmt.Sprintf("$%d", t.Shift), "R3") // row stride in bytes
	g.comment("R8: 2L-element blocks; R10: t = len(x) mod L; R9: the mask of lanes 0..t-1.")
	g.op("LSR", fmt.Sprintf("$%d", log2[2*L]), "R1", "R8")
	g.op("AND", fmt.Sprintf("$%d", L-1), "R1", "R10")
	g.op("MOVD", fmt.Sprintf("$%s+16(SB)", mask), "R9")
	g.op("SUB", fmt.Sprintf("R10<<%d", t.Shift), "R9")

	g.label("rows8")
	g.op("CMP", "$8", "R5")
	g.op("BLT", "rows4")
	dotRowsPass(g, t, 8, "r8")
	g.op("B", "rows8")
	g.label("rows4")
	g.op("CMP", "$4", "R5")
	g.op("BLT", "rows1")
	dotRowsPass(g, t, 4, "r4")
	g.label("rows1")
	g.op("CBZ", "R5", "done")
	dotRowsPass(g, t, 1, "r1")
	g.op("B", "rows1")
	g.label("done")
	g.op("RET")
	if t.single() {
		return "R0 x, R1 len(x), R2 the pass's first row, R3 ldb in bytes, R4 y, R5 rows left, " +
			"R6 x cursor, R7 block count, R8 len(x)/8, R9 mask address, R10 len(x) mod 4, " +
			"R12-R15 and R19-R22 row cursors; V0-V7 acc0 and V8-V15 acc1 (row r in V(r), V(8+r)), " +
			"V16-V17 x, V18-V31 rows; tail: V16 x, V17 mask, V18-V25 rows, V26-V31 copies of acc1; " +
			"reduction: acc1 registers as scratch."
	}
	return "as DotRowsF32NEON (R8 len(x)/4, R10 len(x) mod 2)."
}

// dotRowsMaskSym returns the mask table: 16 bytes of ones, then 16 of
// zeros; the 16 bytes at offset 16-t·size select lanes 0..t-1.
func dotRowsMaskSym(g *gen) string {
	const key = "dotRowsMask"
	if sym, ok := g.syms[key]; ok {
		return sym
	}
	sym := "·dotRowsMask<>"
	g.syms[key] = sym
	fmt.Fprintf(&g.data, "DATA %s+0(SB)/8, $0xffffffffffffffff\n", sym)
	fmt.Fprintf(&g.data, "DATA %s+8(SB)/8, $0xffffffffffffffff\n", sym)
	fmt.Fprintf(&g.data, "DATA %s+16(SB)/8, $0x0000000000000000\n", sym)
	fmt.Fprintf(&g.data, "DATA %s+24(SB)/8, $0x0000000000000000\n", sym)
	fmt.Fprintf(&g.data, "GLOBL %s(SB), RODATA|NOPTR, $32\n\n", sym)
	return sym
}

// dotRowsPass emits one pass over R rows (labels prefixed by pfx): the
// rows' results go to y, R2 moves R rows on and R5 counts them off.
func dotRowsPass(g *gen, t *dtype, R int, pfx string) {
	L := t.L()
	acc0 := func(r int) V { return V(r) }
	acc1 := func(r int) V { return V(8 + r) }
	ptr := dotRowsRowPtr[:R]
	g.comment("%d-row pass: row cursors, x cursor, zero accumulators, block count.", R)
	g.op("MOVD", "R2", ptr[0])
	for r := 1; r < R; r++ {
		g.op("ADD", "R3", ptr[r-1], ptr[r])
	}
	g.op("MOVD", "R0", "R6")
	for r := range R {
		g.zero(acc0(r))
		g.zero(acc1(r))
	}
	g.op("MOVD", "R8", "R7")
	g.op("CBZ", "R7", pfx+"one")

	// 2L-element blocks: x in V16-V17, row r's pair in V18+2(r%7)...
	// at most 7 pairs (V18-V31); rows 7.. reuse pairs once their FMLAs
	// are issued. Loads are issued ahead of the FMLAs.
	g.label(pfx + "loop")
	g.op("VLD1.P", "32(R6)", t.vlist(16, 2))
	const pairs = 7
	pair := func(r int) V { return V(18 + 2*(r%pairs)) }
	fmlas := func(r int) {
		g.fmla(t, acc0(r), pair(r), 16)
		g.fmla(t, acc1(r), pair(r)+1, 17)
	}
	for r := range min(R, pairs) {
		g.op("VLD1.P", "32("+ptr[r]+")", t.vlist(pair(r), 2))
	}
	for r := range R {
		fmlas(r)
		if r+pairs < R {
			g.op("VLD1.P", "32("+ptr[r+pairs]+")", t.vlist(pair(r+pairs), 2))
		}
	}
	g.op("SUBS", "$1", "R7", "R7")
	g.op("BNE", pfx+"loop")

	g.label(pfx + "one")
	g.comment("One more L-element block into acc0 when len(x) & L.")
	g.op("TBZ", fmt.Sprintf("$%d", map[int]int{2: 1, 4: 2}[L]), "R1", pfx+"tail")
	g.op("VLD1.P", "16(R6)", t.vlist(16, 1))
	for r := range R {
		g.op("VLD1.P", "16("+ptr[r]+")", t.vlist(V(18+r), 1))
	}
	for r := range R {
		g.fmla(t, acc0(r), V(18+r), 16)
	}

	g.label(pfx + "tail")
	g.comment("The last len(x) mod L elements into lanes 0..t-1 of acc1 (masked: the other lanes keep their bits).")
	g.op("CBZ", "R10", pfx+"sum")
	g.op("VLD1", "(R9)", "[V17.B16]")
	lane := func(v V, e int) string { return fmt.Sprintf("V%d.%s[%d]", v, t.Sfx, e) }
	tailT := func(tc int) {
		for e := range tc {
			g.op("VLD1.P", fmt.Sprintf("%d(R6)", t.Size), lane(16, e))
		}
		for r := range R {
			for e := range tc {
				g.op("VLD1.P", fmt.Sprintf("%d(%s)", t.Size, ptr[r]), lane(V(18+r), e))
			}
		}
		for r := range R {
			tmp := V(26 + r%6)
			g.mov(tmp, acc1(r))
			g.fmla(t, tmp, V(18+r), 16)
			g.l3("BIT", acc1(r), tmp, 17)
		}
	}
	if L == 2 {
		tailT(1)
	} else {
		g.op("CMP", "$2", "R10")
		g.op("BLT", pfx+"t1")
		g.op("BEQ", pfx+"t2")
		tailT(3)
		g.op("B", pfx+"sum")
		g.label(pfx + "t2")
		tailT(2)
		g.op("B", pfx+"sum")
		g.label(pfx + "t1")
		tailT(1)
	}

	g.label(pfx + "sum")
	g.comment("acc0+acc1, lanes halved (f32: 0+2 and 1+3, then 0+1), stored to y.")
	for r := range R {
		g.f3(t, "FADD", acc0(r), acc0(r), acc1(r))
	}
	if t.single() {
		for r := range R {
			g.w(DupElem(D2, acc1(r), Lane{acc0(r), 1}))
		}
		for r := range R {
			g.f3(t, "FADD", acc0(r), acc0(r), acc1(r))
		}
	}
	for r := range R {
		g.w(Reduce("FADDP", t.A, acc0(r), acc0(r)))
	}
	for r := range R {
		g.op(t.Fmov+".P", t.freg(acc0(r)), fmt.Sprintf("%d(R4)", t.Size))
	}
	if R == 1 {
		g.op("ADD", "R3", "R2")
	} else {
		g.op("ADD", fmt.Sprintf("R3<<%d", map[int]int{4: 2, 8: 3}[R]), "R2")
	}
	g.op("SUB", fmt.Sprintf("$%d", R), "R5")
}
