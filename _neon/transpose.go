package main

import "fmt"

// Transposing copy: whole blocks of L×L elements (4×4 float32, 2×2
// float64, L the lane count) transposed in registers with TRN1/TRN2.
// Package kernels (transposeKernel.run) passes the largest multiple-of-L part
// of each tile and transposes the edges in Go.

func init() {
	kernels["Transpose"] = kernel{args: "dst []T, ldd int, src []T, lds int, rows, cols int", size: 80, gen: genTranspose}
}

// genTranspose walks the source in strips of L rows (four row pointers,
// post-incremented by one vector per block) and writes each block as L
// destination rows, L*ldd bytes further per block.
//
// float32: t0 = TRN1.4S(r0, r1) = [r0[0] r1[0] r0[2] r1[2]], t1 = TRN2.4S(r0, r1),
// t2, t3 likewise from r2, r3; then TRN1.2D(t0, t2) is column 0, TRN1.2D(t1, t3)
// column 1, TRN2.2D(t0, t2) column 2, TRN2.2D(t1, t3) column 3.
// float64: TRN1.2D(r0, r1) and TRN2.2D(r0, r1) are columns 0 and 1.
func genTranspose(g *gen, t *dtype) string {
	L := t.L()
	g.op("MOVD", "dst_base+0(FP)", "R0")
	g.op("MOVD", "ldd+24(FP)", "R1")
	g.op("MOVD", "src_base+32(FP)", "R2")
	g.op("MOVD", "lds+56(FP)", "R3")
	g.op("MOVD", "rows+64(FP)", "R4")
	g.op("MOVD", "cols+72(FP)", "R5")
	g.comment("Strides and the row length in bytes; R9: L destination rows.")
	sh := fmt.Sprintf("$%d", t.Shift)
	g.op("LSL", sh, "R1")
	g.op("LSL", sh, "R3")
	g.op("LSL", sh, "R5")
	g.op("LSL", fmt.Sprintf("$%d", map[int]int{4: 2, 2: 1}[L]), "R1", "R9")
	g.label("strip")
	rowRegs := []string{"R6", "R10", "R11", "R12"}[:L]
	dstRegs := []string{"R8", "R13", "R14", "R15"}[:L]
	g.op("MOVD", "R2", "R6")
	for k := 1; k < L; k++ {
		g.op("ADD", "R3", rowRegs[k-1], rowRegs[k])
	}
	g.op("ADD", "R5", "R2", "R7")
	g.op("MOVD", "R0", "R8")
	g.label("block")
	for k := 0; k < L; k++ {
		g.op("VLD1.P", "16("+rowRegs[k]+")", fmt.Sprintf("[%s]", t.vreg(V(k))))
	}
	var out []V
	if t.single() {
		g.w(I3("TRN1", S4, 4, 0, 1))
		g.w(I3("TRN2", S4, 5, 0, 1))
		g.w(I3("TRN1", S4, 6, 2, 3))
		g.w(I3("TRN2", S4, 7, 2, 3))
		g.w(I3("TRN1", D2, 0, 4, 6))
		g.w(I3("TRN1", D2, 1, 5, 7))
		g.w(I3("TRN2", D2, 2, 4, 6))
		g.w(I3("TRN2", D2, 3, 5, 7))
		out = []V{0, 1, 2, 3}
	} else {
		g.w(I3("TRN1", D2, 2, 0, 1))
		g.w(I3("TRN2", D2, 3, 0, 1))
		out = []V{2, 3}
	}
	for k := 1; k < L; k++ {
		g.op("ADD", "R1", dstRegs[k-1], dstRegs[k])
	}
	for k, v := range out {
		g.op("VST1", fmt.Sprintf("[%s]", t.vreg(v)), "("+dstRegs[k]+")")
	}
	g.op("ADD", "R9", "R8")
	g.op("CMP", "R7", "R6")
	g.op("BLO", "block")
	g.comment("Next strip: L source rows down, L destination columns right.")
	g.op(fmt.Sprintf("SUBS\t$%d, R4, R4", L))
	g.op("BEQ", "done")
	g.op("ADD", fmt.Sprintf("R3<<%d", map[int]int{4: 2, 2: 1}[L]), "R2")
	g.op("ADD", "$16", "R0")
	g.op("B", "strip")
	g.label("done")
	g.op("RET")
	if t.single() {
		return "R0 dst, R1 ldd (bytes), R2 src, R3 lds (bytes), R4 rows left, R5 row bytes, R6 and R10-R12 the strip's source rows, R7 strip end, R8 and R13-R15 the block's destination rows, R9 4·ldd bytes; V0-V3 source rows and results, V4-V7 TRN1/TRN2 pairs."
	}
	return "R0 dst, R1 ldd (bytes), R2 src, R3 lds (bytes), R4 rows left, R5 row bytes, R6 and R10 the strip's source rows, R7 strip end, R8 and R13 the block's destination rows, R9 2·ldd bytes; V0-V1 source rows, V2-V3 results."
}
