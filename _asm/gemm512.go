package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// AVX-512 GEMM micro-kernels for package kernels' avx512 path: the same
// contract as the AVX2 ones (gemm.go), on a taller and wider tile: mr rows
// of two ZMM columns, 14×32 for float32 and 14×16 for float64 (the BLIS
// skx shapes, transposed to row-major C). 28 accumulators, two B vectors
// and two broadcast registers use all 32 ZMM registers.
//
// Four routines per dtype:
//   - GemmMicro, GemmMicroRows: a full tile, A packed or read in place
//     (the AVX2 signatures, so the driver calls them the same way);
//   - GemmMicroEdge: the rows×cols corner of a tile (A packed), written
//     straight into C with masked loads and stores: no scratch tile and no
//     merge pass, and the k loop only computes as many rows (rounded up to
//     even) and ZMM columns as the corner needs;
//   - GemmMicroRowsEdge: GemmMicroRows for the first cols columns (all mr
//     rows of A read in place), the narrow-n case (n = 10) of the driver.
//
// Every variant computes each element of C with the same FMA chain (k
// steps in order from zero, then beta·c fused, then + bias, then ReLU), so
// an element gets the same bits whichever routine the driver picks for
// its tile.
//
// main calls genGemm512 after genGemm.

// gemm512MR is the tile height per dtype.
var gemm512MR = map[string]int{"F32": 14, "F64": 14}

// gemm512Routines are the kernel names genGemm512 emits (F32 and F64 each).
// GemmMicro and GemmMicroRows share their signatures with the AVX2
// routines (sigs); docs512 holds the AVX-512 contracts.
var gemm512Routines = []string{"GemmMicro", "GemmMicroRows", "GemmMicroEdge", "GemmMicroRowsEdge"}

// docs512 holds the contract of each AVX-512 GEMM routine.
var docs512 = map[string]string{
	"GemmMicro": "the mr×nr tile at c (mr = 14; nr = 32 for float32, 16 for float64; " +
		"rows ldc elements apart) becomes beta·C + A·B, then + bias[j] in column j when " +
		"len(bias) > 0, then x < 0 → +0 when relu (NaN and -0 pass through). " +
		"a is a packed A panel, a[p*mr+i], b a packed B panel, b[p*nr+j], p < k. " +
		"beta = 0 (either sign) does not read C (NaN there does not survive); otherwise " +
		"each element is beta·c + acc with one rounding (FMA). Requires k >= 1, " +
		"len(a) >= k*mr, len(b) >= k*nr, len(c) >= (mr-1)*ldc+nr, len(bias) = 0 or >= nr; " +
		"nothing outside those elements (of c: the nr columns of each of its mr rows) is read or written.",
	"GemmMicroRows": "GemmMicro with A read in place instead of packed: row i of the " +
		"14-row A tile is a[i*lda : i*lda+k] (so A·B uses A as stored, without alpha); " +
		"everything else as GemmMicro. Requires len(a) >= 13*lda+k.",
	"GemmMicroEdge": "GemmMicro on the rows×cols corner of the tile only (1 <= rows <= mr, " +
		"1 <= cols <= nr): reads and writes C[i][j] for i < rows, j < cols and nothing else of c " +
		"(masked loads and stores), reads bias[0:cols] when len(bias) > 0. Each element gets " +
		"the bits GemmMicro gives it. a and b are whole packed panels as for GemmMicro. " +
		"Requires len(c) >= (rows-1)*ldc+cols, len(bias) = 0 or >= cols.",
	"GemmMicroRowsEdge": "GemmMicroRows on the first cols columns of the tile only " +
		"(1 <= cols <= nr, all mr rows): reads and writes C[i][j] for j < cols and nothing else of c, " +
		"reads bias[0:cols] when len(bias) > 0. Each element gets the bits GemmMicro gives it. " +
		"Requires len(a) >= 13*lda+k, len(c) >= 13*ldc+cols, len(bias) = 0 or >= cols.",
}

func init() {
	sigs["GemmMicroEdge"] = "func(k int, a, b, c []T, ldc int, beta T, bias []T, relu bool, rows, cols int)"
	sigs["GemmMicroRowsEdge"] = "func(k int, a []T, lda int, b, c []T, ldc int, beta T, bias []T, relu bool, cols int)"
}

// genGemm512 emits the AVX-512 GEMM routines, float32 then float64 for
// each name in gemm512Routines.
func genGemm512() {
	for _, name := range gemm512Routines {
		for _, t := range []*dtype{f32, f64} {
			gemm512(t, name)
		}
	}
}

// rowAddr addresses row i of a matrix with rows ld bytes apart from bases
// holding the addresses of rows 0, 5, 10, ...: row 5g+j is
// base[g] + {0, ld, 2·ld, ld3, 4·ld}[j] + off.
type rowAddr struct {
	base    []GPVirtual
	ld, ld3 GPVirtual
}

func newRowAddr(p0, ld GPVirtual, rows int) *rowAddr {
	r := &rowAddr{base: []GPVirtual{p0}, ld: ld, ld3: asm.GP64()}
	asm.LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, r.ld3)
	for g := 1; 5*g < rows; g++ {
		b := asm.GP64()
		asm.LEAQ(Mem{Base: r.base[g-1], Index: ld, Scale: 4}, b)
		asm.ADDQ(ld, b)
		r.base = append(r.base, b)
	}
	return r
}

func (r *rowAddr) at(i, off int) Mem {
	b := r.base[i/5]
	switch i % 5 {
	case 0:
		return Mem{Base: b, Disp: off}
	case 1:
		return Mem{Base: b, Index: r.ld, Scale: 1, Disp: off}
	case 2:
		return Mem{Base: b, Index: r.ld, Scale: 2, Disp: off}
	case 3:
		return Mem{Base: b, Index: r.ld3, Scale: 1, Disp: off}
	default:
		return Mem{Base: b, Index: r.ld, Scale: 4, Disp: off}
	}
}

func (r *rowAddr) advance(bytes int) {
	for _, b := range r.base {
		asm.ADDQ(U32(bytes), b)
	}
}

// gemm512 emits one AVX-512 micro-kernel.
func gemm512(t *dtype, name string) {
	rows := name == "GemmMicroRows" || name == "GemmMicroRowsEdge"
	edge := name == "GemmMicroEdge" || name == "GemmMicroRowsEdge"
	mr := gemm512MR[t.name]
	lanes := 64 / t.size // per ZMM
	const nz = 2         // ZMM columns of the full tile
	nr := nz * lanes
	brow := nr * t.size // bytes of a packed B row (128)
	acol := mr * t.size // bytes of a packed A column
	aread := "VBROADCASTS from the packed A column"
	if rows {
		aread = "VBROADCASTS of A[i][p] from row pointers lda apart"
	}
	method := []string{
		fmt.Sprintf("Method: accumulators Z0..Z%d (row i in Z(2i), Z(2i+1)); per k step two", 2*mr-1),
		fmt.Sprintf("B loads (Z28, Z29), %d %s (Z30, Z31 alternating) and %d", mr, aread, 2*mr),
		fmt.Sprintf("%s; k unrolled by %d with PREFETCHT0 ahead.", pick(t, "VFMADD231PS", "VFMADD231PD"), gemmUnroll),
	}
	if edge {
		method = append(method,
			fmt.Sprintf("Columns past %d use one ZMM per row: its loop (FMAs with an embedded", lanes),
			"broadcast of A) runs when cols fits one. The k loop computes the first rows of the tile",
			"only (rounded up to even); C and bias go through the masks K1, K2 (first cols lanes).")
	}
	method = append(method,
		"Epilogue: VFMADD231 with broadcast beta from C (skipped when beta == 0),",
		"VADD bias, VMAX(0, x) for ReLU.")
	routineISA(name, "AVX512", docs512[name], t, method...)

	k := asm.Load(asm.Param("k"), asm.GP64())
	ap := asm.Load(asm.Param("a").Base(), asm.GP64()).(GPVirtual)
	bp := asm.Load(asm.Param("b").Base(), asm.GP64())

	aStep := acol
	var ar *rowAddr
	aAt := func(i, off int) Mem { return Mem{Base: ap, Disp: off + i*t.size} }
	if rows {
		lda := asm.Load(asm.Param("lda"), asm.GP64()).(GPVirtual)
		asm.SHLQ(U8(t.shift), lda)
		ar = newRowAddr(ap, lda, mr)
		aStep = t.size
		aAt = ar.at
	}

	var nrows, ncols GPVirtual // edge: the corner to compute
	if edge {
		ncols = asm.Load(asm.Param("cols"), asm.GP64()).(GPVirtual)
		if !rows {
			nrows = asm.Load(asm.Param("rows"), asm.GP64()).(GPVirtual)
		}
	}

	if !edge {
		// The C tile's rows are prefetched while A·B accumulates.
		c0 := asm.Load(asm.Param("c").Base(), asm.GP64()).(GPVirtual)
		ldc := asm.Load(asm.Param("ldc"), asm.GP64()).(GPVirtual)
		asm.SHLQ(U8(t.shift), ldc)
		cr := newRowAddr(c0, ldc, mr)
		Comment("Prefetch the C tile (both ends of each row) while A·B accumulates.")
		for i := range mr {
			asm.PREFETCHT0(cr.at(i, 0))
			asm.PREFETCHT0(cr.at(i, brow-1))
		}
	}

	acc := func(i, z int) VecPhysical { return zmm(2*i + z) }
	bv := []VecPhysical{Z28, Z29}
	bc := []VecPhysical{Z30, Z31}

	// loop emits the k loop for the first R rows and Z ZMM columns, then
	// jumps to the epilogue for Z columns.
	loop := func(R, Z int) {
		pfx := fmt.Sprintf("r%dz%d_", R, Z)
		if !edge {
			pfx = ""
		}
		asm.Label(pfx + "start")
		for i := range R {
			for z := range Z {
				asm.VPXORD(acc(i, z), acc(i, z), acc(i, z))
			}
		}
		step := func(aoff, boff int) {
			for z := range Z {
				t.movu(Mem{Base: bp, Disp: boff + 64*z}, bv[z])
			}
			for i := range R {
				if Z == 1 {
					pick(t, asm.VFMADD231PS_BCST, asm.VFMADD231PD_BCST)(aAt(i, aoff), bv[0], acc(i, 0))
					continue
				}
				x := bc[i%2]
				t.broadcast(aAt(i, aoff), x)
				for z := range Z {
					t.fmadd231(bv[z], x, acc(i, z))
				}
			}
		}
		advance := func(steps int) {
			if rows {
				ar.advance(steps * aStep)
			} else {
				asm.ADDQ(U32(steps*aStep), ap)
			}
			asm.ADDQ(U32(steps*brow), bp)
		}
		n4 := asm.GP64()
		asm.MOVQ(k, n4)
		asm.SHRQ(U8(2), n4)
		asm.JZ(LabelRef(pfx + "tail"))
		asm.Label(pfx + "loop4")
		// Packed A: the lines of the A stream gemmUnroll steps ahead of
		// this iteration's, spread over its steps.
		apf := (gemmUnroll*acol + 63) / 64
		for u := range gemmUnroll {
			if !rows {
				for j := u * apf / gemmUnroll; j < (u+1)*apf/gemmUnroll; j++ {
					asm.PREFETCHT0(Mem{Base: ap, Disp: 2*gemmUnroll*acol + 64*j})
				}
			}
			if u%2 == 0 {
				asm.PREFETCHT0(Mem{Base: bp, Disp: 8*brow + u*brow/2})
			}
			step(u*aStep, u*brow)
		}
		advance(gemmUnroll)
		asm.DECQ(n4)
		asm.JNZ(LabelRef(pfx + "loop4"))

		asm.Label(pfx + "tail")
		asm.ANDQ(U8(gemmUnroll-1), k)
		asm.JZ(LabelRef(fmt.Sprintf("epilogue%d", Z)))
		asm.Label(pfx + "loop1")
		step(0, 0)
		advance(1)
		asm.DECQ(k)
		asm.JNZ(LabelRef(pfx + "loop1"))
		asm.JMP(LabelRef(fmt.Sprintf("epilogue%d", Z)))
	}

	type variant struct{ R, Z int }
	var variants []variant
	if edge {
		Comment("Choose the loop for the corner: ZMM columns, then rows rounded up to even.")
		var rs []int
		if rows {
			rs = []int{mr}
		} else {
			for r := 2; r < mr; r += 2 {
				rs = append(rs, r)
			}
			rs = append(rs, mr)
		}
		for _, Z := range []int{1, 2} {
			if Z == 1 {
				asm.CMPQ(ncols, U32(lanes))
				asm.JA(LabelRef("cols2"))
			} else {
				asm.Label("cols2")
			}
			for _, R := range rs[:len(rs)-1] {
				asm.CMPQ(nrows, U8(R))
				asm.JLE(LabelRef(fmt.Sprintf("r%dz%d_start", R, Z)))
			}
			asm.JMP(LabelRef(fmt.Sprintf("r%dz%d_start", rs[len(rs)-1], Z)))
		}
		for _, Z := range []int{1, 2} {
			for _, R := range rs {
				variants = append(variants, variant{R, Z})
			}
		}
	} else {
		variants = []variant{{mr, nz}}
	}
	for _, v := range variants {
		loop(v.R, v.Z)
	}

	beta, err := asm.Param("beta").Resolve()
	if err != nil {
		panic(err)
	}
	relu, err := asm.Param("relu").Resolve()
	if err != nil {
		panic(err)
	}
	// The epilogue for Z ZMM columns (edge: Z = 1 or 2; full: 2).
	zs := []int{nz}
	if edge {
		zs = []int{1, 2}
	}
	for _, Z := range zs {
		pfx := fmt.Sprintf("e%d_", Z)
		asm.Label(fmt.Sprintf("epilogue%d", Z))
		c0 := asm.Load(asm.Param("c").Base(), asm.GP64()).(GPVirtual)
		ldc := asm.Load(asm.Param("ldc"), asm.GP64()).(GPVirtual)
		asm.SHLQ(U8(t.shift), ldc)
		cr := newRowAddr(c0, ldc, mr)
		var masks []Op // edge: K1 (and K2) select the first cols lanes
		if edge {
			m := asm.GP64()
			asm.MOVQ(I32(-1), m)
			asm.BZHIQ(ncols, m, m)
			asm.KMOVW(m.As32(), K1)
			masks = append(masks, K1)
			if Z == 2 {
				asm.SHRQ(U8(lanes), m)
				asm.KMOVW(m.As32(), K2)
				masks = append(masks, K2)
			}
			if rows {
				nrows = asm.GP64()
				asm.MOVQ(U32(mr), nrows)
			}
		}
		// rowCheck ends a pass over C's rows at row i when the corner has
		// only i rows.
		rowCheck := func(i int, done string) {
			if edge && i > 0 && !rows {
				asm.CMPQ(nrows, U8(i))
				asm.JLE(LabelRef(done))
			}
		}

		Comment("beta == 0 (or -0): C is not read.")
		bits := asm.GP64()
		if t.single() {
			asm.MOVL(beta.Addr, bits.As32())
			asm.SHLL(U8(1), bits.As32()) // drop the sign: ±0 → 0
		} else {
			asm.MOVQ(beta.Addr, bits)
			asm.SHLQ(U8(1), bits)
		}
		asm.JZ(LabelRef(pfx + "bias"))
		bb := bc[0]
		t.broadcast(beta.Addr, bb)
		for i := range mr {
			rowCheck(i, pfx+"bias")
			for z := range Z {
				if edge {
					pick(t, asm.VFMADD231PS, asm.VFMADD231PD)(cr.at(i, 64*z), bb, masks[z], acc(i, z))
				} else {
					t.fmadd231(cr.at(i, 64*z), bb, acc(i, z))
				}
			}
		}

		asm.Label(pfx + "bias")
		nb := asm.Load(asm.Param("bias").Len(), asm.GP64())
		asm.TESTQ(nb, nb)
		asm.JZ(LabelRef(pfx + "relu"))
		biasp := asm.Load(asm.Param("bias").Base(), asm.GP64())
		for z := range Z {
			if edge {
				pick(t, asm.VMOVUPS_Z, asm.VMOVUPD_Z)(Mem{Base: biasp, Disp: 64 * z}, masks[z], bv[z])
			} else {
				t.movu(Mem{Base: biasp, Disp: 64 * z}, bv[z])
			}
		}
		for i := range mr {
			for z := range Z {
				t.add(bv[z], acc(i, z), acc(i, z))
			}
		}

		asm.Label(pfx + "relu")
		asm.CMPB(relu.Addr, U8(0))
		asm.JEQ(LabelRef(pfx + "store"))
		zero := bc[1]
		asm.VPXORD(zero, zero, zero)
		Comment("max(0, x) returns its second source x when x is NaN or ±0.")
		for i := range mr {
			for z := range Z {
				t.max(acc(i, z), zero, acc(i, z))
			}
		}

		asm.Label(pfx + "store")
		for i := range mr {
			rowCheck(i, pfx+"done")
			for z := range Z {
				if edge {
					pick(t, asm.VMOVUPS, asm.VMOVUPD)(acc(i, z), masks[z], cr.at(i, 64*z))
				} else {
					t.movu(acc(i, z), cr.at(i, 64*z))
				}
			}
		}
		asm.Label(pfx + "done")
		asm.VZEROUPPER()
		asm.RET()
	}
}

// zmm returns physical register Zi.
func zmm(i int) VecPhysical {
	return []VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
		Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31}[i]
}
