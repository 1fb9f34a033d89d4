package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Transposing copy on the avx512 path: blocks of one cache line square
// (16×16 float32, 8×8 float64: B rows of 64 bytes) transposed in ZMM
// registers, so each block reads B source row segments of 64 bytes and
// writes B destination row segments of 64 bytes: whole lines when both
// are 64-byte aligned, and then no line is touched twice and the blocks
// need nothing to stay in L1 between them. Package kernels
// (transposeKernel.lines) chooses the walk over blocks and transposes the
// edges with the AVX2 blocks and in Go.
//
// main calls genTranspose512 after genTranspose.

// transposePrefetch is how many strips ahead (B source rows each) the
// 512-bit transposes prefetch the block below the current one: the block
// after next in a band. Same-run BenchmarkTransposeContiguous (Copy into an
// existing tensor, 8 alternating runs, median GB/s), 1 strip ahead against
// 2: n = 1024 18.1 → 21.4, n = 4096 11.3 (6.7–19.7) → 14.1 (12.2–20.5;
// the low ends with copy itself at ~13, the high ones at ~19), 256, 1000,
// 2048 and the 3-D permutes unchanged within noise; 4 ahead lost at 256,
// 1024 and 2048. Must be a power of two.
const transposePrefetch = 2

var docTranspose512 = "dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols (a copy: exact). " +
	"Requires rows and cols positive multiples of the block edge (16 for float32, 8 for float64), " +
	"len(src) >= (rows-1)*lds+cols, len(dst) >= (cols-1)*ldd+rows; nothing outside those " +
	"two matrices (the ld padding included) is read or written (the prefetches stay in src's matrix)."

// genTranspose512 emits TransposeF32AVX512 and TransposeF64AVX512.
func genTranspose512() {
	for _, t := range []*dtype{f32, f64} {
		transpose512(t)
	}
}

// transpose512 walks the source in strips of B rows and each strip in
// blocks of B columns: a block loads B source rows of one ZMM each (Z0..),
// transposes them with 2 (float64) or 4 (float32) rounds of B shuffles and
// stores B destination rows. With each block it prefetches (PREFETCHT0)
// the block transposePrefetch strips below when that strip exists: walked
// one B-column band at a time (cols = B), that is the block after next, on
// B new pages; with the source order (rows = B) there is no such strip and
// the hardware prefetchers follow the B rows.
func transpose512(t *dtype) {
	B := 64 / t.size
	var method []string
	if t.single() {
		method = []string{
			"Method: per 16×16 block, 16 VMOVUPS Z loads, VUNPCKLPS/VUNPCKHPS, VUNPCKLPD/VUNPCKHPD,",
			"then two rounds of VSHUFF32X4 (64 shuffles), 16 Z stores.",
		}
	} else {
		method = []string{
			"Method: per 8×8 block, 8 VMOVUPD Z loads, VUNPCKLPD/VUNPCKHPD, then two rounds of",
			"VSHUFF64X2 (24 shuffles), 8 Z stores.",
		}
	}
	routineISA("Transpose", "AVX512", docTranspose512, t, method...)

	a := transposeArgs(t)
	dst, ldd, src, lds, rows, cols, lds3, ldd3 := a.dst, a.ldd, a.src, a.lds, a.rows, a.cols, a.lds3, a.ldd3

	s, d, end, p := asm.GP64(), asm.GP64(), asm.GP64(), asm.GP64()
	// rowsAt calls f with the address of each of B rows from base (rows ld
	// apart), stepping p four rows at a time.
	rowsAt := func(base Register, ld, ld3 Register, f func(k int, m Mem)) {
		asm.MOVQ(base, p)
		for k := 0; k < B; k++ {
			if k > 0 && k%4 == 0 {
				asm.LEAQ(Mem{Base: p, Index: ld, Scale: 4}, p)
			}
			m := Mem{Base: p}
			switch k % 4 {
			case 1:
				m = Mem{Base: p, Index: ld, Scale: 1}
			case 2:
				m = Mem{Base: p, Index: ld, Scale: 2}
			case 3:
				m = Mem{Base: p, Index: ld3, Scale: 1}
			}
			f(k, m)
		}
	}

	asm.Label("strip")
	Comment(fmt.Sprintf("One strip: %d source rows, every block of it.", B))
	asm.MOVQ(src, s)
	asm.MOVQ(dst, d)
	asm.LEAQ(Mem{Base: src, Index: cols, Scale: 1}, end)
	Comment(fmt.Sprintf("pf: %d strip(s) down when that strip exists, else 0 (the block itself).", transposePrefetch))
	pf, zero := asm.GP64(), asm.GP64()
	asm.XORQ(zero, zero)
	asm.MOVQ(lds, pf)
	asm.SHLQ(U8(shiftOf(B*transposePrefetch)), pf)
	asm.CMPQ(rows, U8(B*transposePrefetch))
	asm.CMOVQLS(zero, pf)
	asm.ADDQ(s, pf)

	asm.Label("block")
	z := func(i int) VecPhysical { return zmm(i) }
	rowsAt(s, lds, lds3, func(k int, m Mem) { t.movu(m, z(k)) })
	rowsAt(pf, lds, lds3, func(_ int, m Mem) { asm.PREFETCHT0(m) })
	asm.ADDQ(U8(64), pf)
	if t.single() {
		// Z0..15 rows; Z16..31: pairs of rows interleaved.
		for k := 0; k < 8; k++ {
			asm.VUNPCKLPS(z(2*k+1), z(2*k), z(16+2*k))
			asm.VUNPCKHPS(z(2*k+1), z(2*k), z(16+2*k+1))
		}
		// Z(4m+c), lane L: rows 4m..4m+3 of column 4L+c.
		for m := 0; m < 4; m++ {
			t0, t1, t2, t3 := z(16+4*m), z(16+4*m+1), z(16+4*m+2), z(16+4*m+3)
			asm.VUNPCKLPD(t2, t0, z(4*m))
			asm.VUNPCKHPD(t2, t0, z(4*m+1))
			asm.VUNPCKLPD(t3, t1, z(4*m+2))
			asm.VUNPCKHPD(t3, t1, z(4*m+3))
		}
		// 4×4 transposes of 128-bit lanes, one per c: row 4L+c of the
		// result is lane L of Z(c), Z(4+c), Z(8+c), Z(12+c).
		for c := 0; c < 4; c++ {
			v := [4]VecPhysical{z(16 + 4*c), z(16 + 4*c + 1), z(16 + 4*c + 2), z(16 + 4*c + 3)}
			asm.VSHUFF32X4(U8(0x88), z(4+c), z(c), v[0])
			asm.VSHUFF32X4(U8(0xDD), z(4+c), z(c), v[1])
			asm.VSHUFF32X4(U8(0x88), z(12+c), z(8+c), v[2])
			asm.VSHUFF32X4(U8(0xDD), z(12+c), z(8+c), v[3])
		}
		for c := 0; c < 4; c++ {
			v := [4]VecPhysical{z(16 + 4*c), z(16 + 4*c + 1), z(16 + 4*c + 2), z(16 + 4*c + 3)}
			asm.VSHUFF32X4(U8(0x88), v[2], v[0], z(c))
			asm.VSHUFF32X4(U8(0x88), v[3], v[1], z(4+c))
			asm.VSHUFF32X4(U8(0xDD), v[2], v[0], z(8+c))
			asm.VSHUFF32X4(U8(0xDD), v[3], v[1], z(12+c))
		}
	} else {
		// Z8..15: Z(8+2k+c), lane L = rows 2k, 2k+1 of column 2L+c.
		for k := 0; k < 4; k++ {
			asm.VUNPCKLPD(z(2*k+1), z(2*k), z(8+2*k))
			asm.VUNPCKHPD(z(2*k+1), z(2*k), z(8+2*k+1))
		}
		// Row 2L+c of the result is lane L of Z(8+c), Z(10+c), Z(12+c),
		// Z(14+c).
		for c := 0; c < 2; c++ {
			v := [4]VecPhysical{z(16 + 4*c), z(16 + 4*c + 1), z(16 + 4*c + 2), z(16 + 4*c + 3)}
			asm.VSHUFF64X2(U8(0x88), z(10+c), z(8+c), v[0])
			asm.VSHUFF64X2(U8(0xDD), z(10+c), z(8+c), v[1])
			asm.VSHUFF64X2(U8(0x88), z(14+c), z(12+c), v[2])
			asm.VSHUFF64X2(U8(0xDD), z(14+c), z(12+c), v[3])
			asm.VSHUFF64X2(U8(0x88), v[2], v[0], z(c))
			asm.VSHUFF64X2(U8(0x88), v[3], v[1], z(2+c))
			asm.VSHUFF64X2(U8(0xDD), v[2], v[0], z(4+c))
			asm.VSHUFF64X2(U8(0xDD), v[3], v[1], z(6+c))
		}
	}
	rowsAt(d, ldd, ldd3, func(k int, m Mem) { t.movu(z(k), m) })
	Comment("Next block: 64 bytes right in the source, B rows down in the destination.")
	asm.LEAQ(Mem{Base: p, Index: ldd, Scale: 4}, d)
	asm.ADDQ(U8(64), s)
	asm.CMPQ(s, end)
	asm.JB(LabelRef("block"))

	Comment("Next strip: B source rows down, B destination columns (64 bytes) right.")
	asm.SUBQ(U8(B), rows)
	asm.JZ(LabelRef("done"))
	for i := 0; i < B/8; i++ {
		asm.LEAQ(Mem{Base: src, Index: lds, Scale: 8}, src)
	}
	asm.ADDQ(U8(64), dst)
	asm.JMP(LabelRef("strip"))

	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

func shiftOf(n int) uint64 {
	s := uint64(0)
	for 1<<s < n {
		s++
	}
	if 1<<s != n {
		panic(fmt.Sprint("shiftOf: not a power of two: ", n))
	}
	return s
}
