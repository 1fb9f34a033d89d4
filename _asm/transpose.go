package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Transposing copy: whole blocks of B×B elements (B = lanes: 8×8 float32,
// 4×4 float64) transposed in YMM registers. Package kernels
// (transposeKernel.run) passes the largest multiple-of-B part of each tile and
// transposes the edges in Go.
//
// main calls genTranspose after the other routines.

// transposeRoutines are the kernel names genTranspose emits (F32 and F64
// each); they have entries in docs and sigs but not in gen.
var transposeRoutines = []string{"Transpose"}

func init() {
	docs["Transpose"] = "dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols (a copy: exact). " +
		"Requires rows and cols positive multiples of the block edge (8 for float32, 4 for float64), " +
		"len(src) >= (rows-1)*lds+cols, len(dst) >= (cols-1)*ldd+rows; nothing outside those " +
		"two matrices (the ld padding included) is read or written."
	sigs["Transpose"] = "func(dst []T, ldd int, src []T, lds int, rows, cols int)"
}

// genTranspose emits TransposeF32AVX2 and TransposeF64AVX2.
func genTranspose() {
	for _, t := range []*dtype{f32, f64} {
		transposeKernel(t)
	}
}

// transposeKernel walks the source in strips of B rows; for each B×B block
// of a strip it loads the rows as 128-bit halves so that the lane crossing
// happens at load time: register k (k < B/2) holds the first half-row of
// source row k in its low lane and that of row k+B/2 in its high lane,
// register k+B/2 the second halves. In-lane shuffles then transpose the
// two lanes' sub-blocks at once (float32: VUNPCKLPS/VUNPCKHPS, then
// VSHUFPS, 4×4 per lane; float64: VUNPCKLPD/VUNPCKHPD, 2×2 per lane), and
// each result register is a whole destination row of B elements.
func transposeKernel(t *dtype) {
	B := t.lanes
	half := B / 2
	if t.single() {
		routine("Transpose", t,
			"Method: per 8×8 block, 8 VMOVUPS X + 8 VINSERTF128 loads (rows k and k+4 in",
			"the two lanes), 8 VUNPCKLPS/VUNPCKHPS and 8 VSHUFPS, 8 VMOVUPS Y stores.")
	} else {
		routine("Transpose", t,
			"Method: per 4×4 block, 4 VMOVUPD X + 4 VINSERTF128 loads (rows k and k+2 in",
			"the two lanes), 4 VUNPCKLPD/VUNPCKHPD, 4 VMOVUPD Y stores.")
	}
	a := transposeArgs(t)
	dst, ldd, src, lds, rows, cols, lds3, ldd3 := a.dst, a.ldd, a.src, a.lds, a.rows, a.cols, a.lds3, a.ldd3
	dstep := asm.GP64() // B destination rows, in bytes
	asm.MOVQ(ldd, dstep)
	asm.SHLQ(U8(pick(t, 3, 2)), dstep)

	// Row pointers of a strip: the source's rows 0 and half (s, sh), the
	// destination's rows 0 and half of the current block (d, dh).
	s, sh, d, dh, end := asm.GP64(), asm.GP64(), asm.GP64(), asm.GP64(), asm.GP64()

	srow := func(base GPVirtual, k int) Mem { // source row k (k < half) from base
		switch k {
		case 0:
			return Mem{Base: base}
		case 1:
			return Mem{Base: base, Index: lds, Scale: 1}
		case 2:
			return Mem{Base: base, Index: lds, Scale: 2}
		case 3:
			return Mem{Base: base, Index: lds3, Scale: 1}
		}
		panic("srow")
	}
	drow := func(base GPVirtual, k int) Mem {
		switch k {
		case 0:
			return Mem{Base: base}
		case 1:
			return Mem{Base: base, Index: ldd, Scale: 1}
		case 2:
			return Mem{Base: base, Index: ldd, Scale: 2}
		case 3:
			return Mem{Base: base, Index: ldd3, Scale: 1}
		}
		panic("drow")
	}

	asm.Label("strip")
	Comment(fmt.Sprintf("One strip: %d source rows, every block of it.", B))
	asm.MOVQ(src, s)
	asm.LEAQ(Mem{Base: src, Index: lds, Scale: uint8(half)}, sh)
	asm.MOVQ(dst, d)
	asm.LEAQ(Mem{Base: dst, Index: ldd, Scale: uint8(half)}, dh)
	asm.LEAQ(Mem{Base: src, Index: cols, Scale: 1}, end)

	asm.Label("block")
	r := make([]VecVirtual, B)
	hb := 16 // bytes of a half-row
	for k := 0; k < half; k++ {
		for h := 0; h < 2; h++ { // first or second half-row
			v := asm.YMM()
			t.movu(srow(s, k).Offset(h*hb), v.AsX())
			asm.VINSERTF128(U8(1), srow(sh, k).Offset(h*hb), v, v)
			r[k+h*half] = v
		}
	}
	// store writes the half-block of destination rows g*half.. (from d
	// or dh).
	store := func(g int, o []VecVirtual) {
		base := d
		if g == 1 {
			base = dh
		}
		for k, v := range o {
			t.movu(v, drow(base, k))
		}
	}
	if t.single() {
		// Lanes hold 4×4 sub-blocks: rows r[0..3] (first halves) and
		// r[4..7] (second halves) each transpose to destination rows
		// 0..3 and 4..7.
		for g := 0; g < 2; g++ {
			a := r[4*g : 4*g+4]
			t0, t1, t2, t3 := asm.YMM(), asm.YMM(), asm.YMM(), asm.YMM()
			asm.VUNPCKLPS(a[1], a[0], t0)
			asm.VUNPCKHPS(a[1], a[0], t1)
			asm.VUNPCKLPS(a[3], a[2], t2)
			asm.VUNPCKHPS(a[3], a[2], t3)
			o := [4]VecVirtual{asm.YMM(), asm.YMM(), asm.YMM(), asm.YMM()}
			asm.VSHUFPS(U8(0x44), t2, t0, o[0])
			asm.VSHUFPS(U8(0xEE), t2, t0, o[1])
			asm.VSHUFPS(U8(0x44), t3, t1, o[2])
			asm.VSHUFPS(U8(0xEE), t3, t1, o[3])
			store(g, o[:])
		}
	} else {
		for g := 0; g < 2; g++ {
			a := r[2*g : 2*g+2]
			o0, o1 := asm.YMM(), asm.YMM()
			asm.VUNPCKLPD(a[1], a[0], o0)
			asm.VUNPCKHPD(a[1], a[0], o1)
			store(g, []VecVirtual{o0, o1})
		}
	}
	asm.ADDQ(U8(2*hb), s)
	asm.ADDQ(U8(2*hb), sh)
	asm.ADDQ(dstep, d)
	asm.ADDQ(dstep, dh)
	asm.CMPQ(s, end)
	asm.JB(LabelRef("block"))

	Comment("Next strip: B source rows down, B destination columns right.")
	asm.SUBQ(U8(B), rows)
	asm.JZ(LabelRef("done"))
	asm.LEAQ(Mem{Base: src, Index: lds, Scale: uint8(half)}, src)
	asm.LEAQ(Mem{Base: src, Index: lds, Scale: uint8(half)}, src)
	asm.ADDQ(U8(2*hb), dst)
	asm.JMP(LabelRef("strip"))

	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

// transposeRegs are a Transpose routine's arguments: strides and cols in
// bytes, lds3 and ldd3 three rows of each side.
type transposeRegs struct{ dst, ldd, src, lds, rows, cols, lds3, ldd3 GPVirtual }

// transposeArgs loads the arguments of the AVX2 and AVX-512 Transpose
// routines.
func transposeArgs(t *dtype) transposeRegs {
	var a transposeRegs
	a.dst = asm.Load(asm.Param("dst").Base(), asm.GP64()).(GPVirtual)
	a.ldd = asm.Load(asm.Param("ldd"), asm.GP64()).(GPVirtual)
	a.src = asm.Load(asm.Param("src").Base(), asm.GP64()).(GPVirtual)
	a.lds = asm.Load(asm.Param("lds"), asm.GP64()).(GPVirtual)
	a.rows = asm.Load(asm.Param("rows"), asm.GP64()).(GPVirtual)
	a.cols = asm.Load(asm.Param("cols"), asm.GP64()).(GPVirtual)
	Comment("Strides and the row length in bytes; ld3 = 3 rows.")
	asm.SHLQ(U8(t.shift), a.ldd)
	asm.SHLQ(U8(t.shift), a.lds)
	asm.SHLQ(U8(t.shift), a.cols)
	a.lds3, a.ldd3 = asm.GP64(), asm.GP64()
	asm.LEAQ(Mem{Base: a.lds, Index: a.lds, Scale: 2}, a.lds3)
	asm.LEAQ(Mem{Base: a.ldd, Index: a.ldd, Scale: 2}, a.ldd3)
	return a
}
