package main

import "fmt"

// GEMM micro-kernels: C[8×nr] = beta·C + A·B, then bias and ReLU (the
// contract is in kernels_arm64.go and at gemmKernel in kernels/gemm.go).
//
// Tile: 8 rows × 3 vectors, so 24 accumulators V8-V31 (row i, vector j in
// V8+3i+j): float32 8×12, float64 8×6. One k step loads the 8 values of A
// (V0-V1 for f32, V0-V3 for f64) and 3 vectors of B (the next 3
// registers) with VLD1.P and does 24 FMLAs by element
// (acc[i][j] += B[j] · A[i]), 96 (f32) or 48 (f64) flops per 80 or 112
// bytes loaded; k runs 4 steps per iteration, then one at a time. The
// epilogue works on the registers: beta (0: C not read; 1: FADD; other:
// FMLA by lane 0 of V3), bias (FADD of bias[0:nr] in V0-V2), ReLU (FCMLT
// #0 mask, BIC: NaN and -0 pass), then 8 row stores.
func init() {
	kernels["GemmMicro"] = kernel{
		args: "k int, a, b, c []T, ldc int, beta T, bias []T, relu bool",
		size: 121, // beta's 8 bytes in float64 end where bias starts anyway
		gen:  genGemmMicro,
	}
}

// gemmAcc is the accumulator of row i, vector j.
func gemmAcc(i, j int) V { return V(8 + 3*i + j) }

// gemmCRow is where row i of C is loaded in the epilogue: V0-V2 for even
// rows, V4-V6 for odd ones (V3 holds beta), so a load need not wait for the
// previous row's adds.
func gemmCRow(i int) V {
	if i%2 == 0 {
		return 0
	}
	return 4
}

func gemmStep(g *gen, t *dtype) {
	aRegs := 8 / t.L() // 2 for f32, 4 for f64
	bFirst := V(aRegs)
	g.op("VLD1.P", fmt.Sprintf("%d(R0)", 8*t.Size), t.vlist(0, aRegs))
	g.op("VLD1.P", fmt.Sprintf("%d(R1)", 3*16), t.vlist(bFirst, 3))
	for j := range 3 {
		for i := range 8 {
			g.fe(t, "FMLA", gemmAcc(i, j), bFirst+V(j), Lane{V(i / t.L()), i % t.L()})
		}
	}
}

func genGemmMicro(g *gen, t *dtype) string {
	g.op("MOVD", "k+0(FP)", "R4")
	g.op("MOVD", "a_base+8(FP)", "R0")
	g.op("MOVD", "b_base+32(FP)", "R1")
	g.op("MOVD", "c_base+56(FP)", "R2")
	g.op("MOVD", "ldc+80(FP)", "R3")
	g.op("LSL", fmt.Sprintf("$%d", t.Shift), "R3") // row stride in bytes
	g.comment("Zero the 24 accumulators (0 + (-0) gives +0, as in the generic kernel).")
	for v := V(8); v < 32; v++ {
		g.zero(v)
	}
	g.comment("k = 4·R4 + R5 steps: 4 per iteration of loop4, then one at a time.")
	g.op("AND", "$3", "R4", "R5")
	g.op("LSR", "$2", "R4")
	g.op("CBZ", "R4", "tail")
	g.label("loop4")
	for range 4 {
		gemmStep(g, t)
	}
	g.op("SUBS", "$1", "R4", "R4")
	g.op("BNE", "loop4")
	g.label("tail")
	g.op("CBZ", "R5", "epilogue")
	g.label("loop1")
	gemmStep(g, t)
	g.op("SUBS", "$1", "R5", "R5")
	g.op("BNE", "loop1")

	g.label("epilogue")
	g.comment("C = beta·C + acc: beta = 0 does not read C, beta = 1 adds, otherwise FMLA by beta (lane 0 of V3).")
	g.op(t.Fmov, "beta+88(FP)", "F3")
	g.op("FCMP"+t.Sfx, "$(0.0)", "F3")
	g.op("BEQ", "addbias")
	g.op(t.Fmov, "$(1.0)", "F4")
	g.op("FCMP"+t.Sfx, "F4", "F3")
	g.op("BNE", "betax")
	for _, one := range []bool{true, false} {
		if !one {
			g.label("betax")
		}
		g.op("MOVD", "R2", "R8")
		for i := range 8 {
			cr := gemmCRow(i)
			g.op("VLD1", "(R8)", t.vlist(cr, 3))
			if i < 7 {
				g.op("ADD", "R3", "R8")
			}
			for j := range 3 {
				if one {
					g.f3(t, "FADD", gemmAcc(i, j), gemmAcc(i, j), cr+V(j))
				} else {
					g.fe(t, "FMLA", gemmAcc(i, j), cr+V(j), Lane{3, 0})
				}
			}
		}
		if one {
			g.op("B", "addbias")
		}
	}
	g.label("addbias")
	g.comment("If len(bias) > 0: acc[i][j] += bias[j] (bias[0:nr] in V0-V2).")
	g.op("MOVD", "bias_len+104(FP)", "R6")
	g.op("CBZ", "R6", "dorelu")
	g.op("MOVD", "bias_base+96(FP)", "R5")
	g.op("VLD1", "(R5)", t.vlist(0, 3))
	for i := range 8 {
		for j := range 3 {
			g.f3(t, "FADD", gemmAcc(i, j), gemmAcc(i, j), V(j))
		}
	}
	g.label("dorelu")
	g.comment("If relu: x < 0 becomes +0 (mask by FCMLT #0, then BIC); NaN and -0 pass.")
	g.op("MOVBU", "relu+120(FP)", "R7")
	g.op("CBZ", "R7", "store")
	tmp := V(0)
	for i := range 8 {
		for j := range 3 {
			g.f2(t, "FCMLT0", tmp, gemmAcc(i, j))
			g.l3("BIC", gemmAcc(i, j), gemmAcc(i, j), tmp)
			tmp = (tmp + 1) % 8
		}
	}
	g.label("store")
	for i := range 8 {
		g.op("VST1", t.vlist(gemmAcc(i, 0), 3), "(R2)")
		if i < 7 {
			g.op("ADD", "R3", "R2")
		}
	}
	g.op("RET")
	if t.single() {
		return "R0 a, R1 b, R2 c (stores), R8 c (loads), R3 ldc in bytes, R4 k/4, R5 k%4 then bias, " +
			"R6 len(bias), R7 relu; V8-V31 accumulators (row i, columns 4j..4j+3 in V8+3i+j); " +
			"k loop: V0-V1 A (rows 0-3, 4-7), V2-V4 B, FMLA by element; epilogue: V3 beta (lane 0), " +
			"V4 1.0 for the compare, rows of C in V0-V2 (even) and V4-V6 (odd), bias in V0-V2, " +
			"ReLU masks in V0-V7."
	}
	return "as GemmMicroF32NEON (row i, columns 2j..2j+1 in V8+3i+j); k loop: V0-V3 A (rows 2r, 2r+1), V4-V6 B."
}
