package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// GEMM micro-kernels: the register-blocked inner loop of package kernels'
// BLIS driver (kernels/gemm.go, gemmKernel). One routine per dtype with a
// 6-row tile of two YMM columns: 6×16 for float32, 6×8 for float64, the
// BLIS Haswell/Zen shapes. Twelve accumulators, two B vectors and two
// broadcast registers use all sixteen YMM registers.
//
// main calls genGemm after the elementwise routines.

// gemmMR is the tile height (rows of C, elements of a packed A column).
const gemmMR = 6

// gemmUnroll is the k unroll of the main loop.
const gemmUnroll = 4

// gemmRoutines are the kernel names genGemm emits (F32 and F64 each); they
// have entries in docs and sigs (for the stubs) but, unlike routines, no
// entry in gen.
var gemmRoutines = []string{"GemmMicro", "GemmMicroRows", "DotRows"}

func init() {
	docs["GemmMicro"] = "the mr×nr tile at c (mr = 6, nr = 16 for float32 and 8 for float64, " +
		"rows ldc elements apart) becomes beta·C + A·B, then + bias[j] in column j when " +
		"len(bias) > 0, then x < 0 → +0 when relu (NaN and -0 pass through). " +
		"a is a packed A panel, a[p*mr+i], b a packed B panel, b[p*nr+j], p < k. " +
		"beta = 0 (either sign) does not read C (NaN there does not survive); otherwise " +
		"each element is beta·c + acc with one rounding (FMA). Requires k >= 1, " +
		"len(a) >= k*mr, len(b) >= k*nr, len(c) >= (mr-1)*ldc+nr, len(bias) = 0 or >= nr; " +
		"nothing outside those elements (of c: the nr columns of each of its mr rows) is read or written."
	sigs["GemmMicro"] = "func(k int, a, b, c []T, ldc int, beta T, bias []T, relu bool)"
	docs["GemmMicroRows"] = "GemmMicro with A read in place instead of packed: row i of the " +
		"6-row A tile is a[i*lda : i*lda+k] (so A·B uses A as stored, without alpha); " +
		"everything else as GemmMicro. Requires len(a) >= 5*lda+k. It saves the packing " +
		"pass when each A tile is used for few B panels."
	sigs["GemmMicroRows"] = "func(k int, a []T, lda int, b, c []T, ldc int, beta T, bias []T, relu bool)"
}

// genGemm emits GemmMicroF32AVX2, GemmMicroF64AVX2, GemmMicroRowsF32AVX2
// and GemmMicroRowsF64AVX2.
func genGemm() {
	for _, rows := range []bool{false, true} {
		for _, t := range []*dtype{f32, f64} {
			gemmMicro(t, rows)
		}
	}
	for _, t := range []*dtype{f32, f64} {
		dotRows(t, false)
	}
}

// gemmMicro emits one micro-kernel; rows: A is read in place, six rows lda
// elements apart, instead of from a packed panel.
func gemmMicro(t *dtype, rows bool) {
	name := "GemmMicro"
	aread := "broadcasts from the packed A column"
	if rows {
		name = "GemmMicroRows"
		aread = "broadcasts of A[i][p] from six row pointers"
	}
	nr := 2 * t.lanes
	brow := nr * t.size     // bytes of one packed B row (64)
	acol := gemmMR * t.size // bytes of one packed A column (24 or 48)
	routine(name, t,
		"Method: accumulators Y0..Y11 (row i in Y(2i), Y(2i+1)); per k step two",
		fmt.Sprintf("B loads (Y12, Y13), six %s (%s; Y14, Y15",
			pick(t, "VBROADCASTSS", "VBROADCASTSD"), aread),
		fmt.Sprintf("alternating) and twelve %s; k unrolled by %d with PREFETCHT0",
			pick(t, "VFMADD231PS", "VFMADD231PD"), gemmUnroll),
		"ahead on B (and packed A); the C rows are prefetched before the loop.",
		"Epilogue: VFMADD231 with broadcast beta from C (skipped when beta == 0),",
		"VADD bias, VMAX(0, x) for ReLU.")

	k := asm.Load(asm.Param("k"), asm.GP64())
	ap := asm.Load(asm.Param("a").Base(), asm.GP64())
	bp := asm.Load(asm.Param("b").Base(), asm.GP64())
	// aAt is A[i][p] for the k step at byte offset off (packed: off is
	// p·acol, rows: p·size).
	aAt := func(i, off int) Mem { return Mem{Base: ap, Disp: off + i*t.size} }
	aStep := acol // bytes of A per k step
	var a3 GPVirtual
	if rows {
		lda := asm.Load(asm.Param("lda"), asm.GP64())
		asm.SHLQ(U8(t.shift), lda)
		a3 = asm.GP64()
		asm.LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, a3)
		asm.ADDQ(ap, a3)
		aStep = t.size
		aAt = func(i, off int) Mem {
			base := ap
			if i >= 3 {
				base, i = a3, i-3
			}
			switch i {
			case 0:
				return Mem{Base: base, Disp: off}
			case 1:
				return Mem{Base: base, Index: lda, Scale: 1, Disp: off}
			default:
				return Mem{Base: base, Index: lda, Scale: 2, Disp: off}
			}
		}
	}
	advance := func(steps int) {
		asm.ADDQ(U32(steps*aStep), ap)
		if rows {
			asm.ADDQ(U32(steps*aStep), a3)
		}
		asm.ADDQ(U32(steps*brow), bp)
	}
	c0 := asm.Load(asm.Param("c").Base(), asm.GP64())
	ldc := asm.Load(asm.Param("ldc"), asm.GP64())
	asm.SHLQ(U8(t.shift), ldc) // bytes
	c3 := asm.GP64()           // row 3: c0 + 3·ldc
	asm.LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, c3)
	asm.ADDQ(c0, c3)
	row := func(i, disp int) Mem {
		base := c0
		if i >= 3 {
			base, i = c3, i-3
		}
		switch i {
		case 0:
			return Mem{Base: base, Disp: disp}
		case 1:
			return Mem{Base: base, Index: ldc, Scale: 1, Disp: disp}
		default:
			return Mem{Base: base, Index: ldc, Scale: 2, Disp: disp}
		}
	}

	Comment("Prefetch the C tile (both ends of each row) while A·B accumulates.")
	for i := range gemmMR {
		asm.PREFETCHT0(row(i, 0))
		asm.PREFETCHT0(row(i, brow-1))
	}

	acc := []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}
	for _, r := range acc {
		asm.VXORPS(r, r, r)
	}
	b0, b1 := Y12, Y13
	bc := []VecPhysical{Y14, Y15}

	// step emits one k step reading A at aoff and B at boff bytes.
	step := func(aoff, boff int) {
		t.movu(Mem{Base: bp, Disp: boff}, b0)
		t.movu(Mem{Base: bp, Disp: boff + 32}, b1)
		for i := range gemmMR {
			x := bc[i%2]
			t.broadcast(aAt(i, aoff), x)
			t.fmadd231(b0, x, acc[2*i])
			t.fmadd231(b1, x, acc[2*i+1])
		}
	}

	n4 := asm.GP64()
	asm.MOVQ(k, n4)
	asm.SHRQ(U8(2), n4)
	asm.JZ(LabelRef("tail"))
	asm.Label("loop4")
	for u := range gemmUnroll {
		if u == 0 && !rows {
			asm.PREFETCHT0(Mem{Base: ap, Disp: 8 * acol})
		}
		if u == 2 {
			asm.PREFETCHT0(Mem{Base: bp, Disp: 8 * brow})
		}
		step(u*aStep, u*brow)
	}
	advance(gemmUnroll)
	asm.DECQ(n4)
	asm.JNZ(LabelRef("loop4"))

	asm.Label("tail")
	asm.ANDQ(U8(gemmUnroll-1), k)
	asm.JZ(LabelRef("epilogue"))
	asm.Label("loop1")
	step(0, 0)
	advance(1)
	asm.DECQ(k)
	asm.JNZ(LabelRef("loop1"))

	asm.Label("epilogue")
	Comment("beta == 0 (or -0): C is not read.")
	beta, err := asm.Param("beta").Resolve()
	if err != nil {
		panic(err)
	}
	bits := asm.GP64()
	if t.single() {
		asm.MOVL(beta.Addr, bits.As32())
		asm.SHLL(U8(1), bits.As32()) // drop the sign: ±0 → 0
	} else {
		asm.MOVQ(beta.Addr, bits)
		asm.SHLQ(U8(1), bits)
	}
	asm.JZ(LabelRef("bias"))
	bv := Y12
	t.broadcast(beta.Addr, bv)
	for i := range gemmMR {
		t.fmadd231(row(i, 0), bv, acc[2*i])
		t.fmadd231(row(i, 32), bv, acc[2*i+1])
	}

	asm.Label("bias")
	nb := asm.Load(asm.Param("bias").Len(), asm.GP64())
	asm.TESTQ(nb, nb)
	asm.JZ(LabelRef("relu"))
	bb := asm.Load(asm.Param("bias").Base(), asm.GP64())
	t.movu(Mem{Base: bb}, b0)
	t.movu(Mem{Base: bb, Disp: 32}, b1)
	for i := range gemmMR {
		t.add(b0, acc[2*i], acc[2*i])
		t.add(b1, acc[2*i+1], acc[2*i+1])
	}

	asm.Label("relu")
	relu, err := asm.Param("relu").Resolve()
	if err != nil {
		panic(err)
	}
	asm.CMPB(relu.Addr, U8(0))
	asm.JEQ(LabelRef("store"))
	z := Y14
	asm.VXORPS(z, z, z)
	Comment("max(0, x) returns its second source x when x is NaN or ±0.")
	for _, r := range acc {
		t.max(r, z, r)
	}

	asm.Label("store")
	for i := range gemmMR {
		t.movu(acc[2*i], row(i, 0))
		t.movu(acc[2*i+1], row(i, 32))
	}
	asm.VZEROUPPER()
	asm.RET()
}
