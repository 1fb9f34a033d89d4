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
// Routines per dtype:
//   - GemmMicro, GemmMicroRows: a full tile, A packed or read in place
//     (the AVX2 signatures, so the driver calls them the same way);
//   - GemmMicroEdge: the rows×cols corner of a tile, A packed or in place
//     (A's row and k strides are arguments), written straight into C with
//     masked loads and stores: no scratch tile and no merge pass, and the
//     k loop computes only the rows and ZMM columns the corner has (one
//     loop per row count and column count), reading only its rows of A;
//   - AxpyRows: the m = 1 GEMV, several rows of B per pass over y;
//   - DotRows: the m = 1 GEMV with B transposed (nn.Linear's x·Wᵀ at
//     batch 1), one dot product per row of B, eight rows per pass over x.
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
var gemm512Routines = []string{"GemmMicro", "GemmMicroRows", "GemmMicroEdge", "AxpyRows", "DotRows"}

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
	"GemmMicroEdge": "GemmMicro on the rows×cols corner of a tile only (1 <= rows <= mr, " +
		"1 <= cols <= nr), A packed or in place: row i of the tile's A at step p is " +
		"a[i*lda + p*astep] (a packed panel: lda = 1, astep = mr; A as stored: lda its row " +
		"stride, astep = 1), and only rows i < rows of it are read. B's row p is b[p*ldb:] " +
		"(packed: ldb = nr; B as stored: its row stride) and only its first cols elements " +
		"are read. Reads and writes C[i][j] " +
		"for i < rows, j < cols and nothing else of c (masked loads and stores), reads " +
		"bias[0:cols] when len(bias) > 0. Each element gets the bits GemmMicro gives it. " +
		"Requires len(a) >= (rows-1)*lda+(k-1)*astep+1, len(b) >= (k-1)*ldb+cols, " +
		"len(c) >= (rows-1)*ldc+cols, len(bias) = 0 or >= cols.",
}

func init() {
	sigs["GemmMicroEdge"] = "func(k int, a []T, lda, astep int, b []T, ldb int, c []T, ldc int, beta T, bias []T, relu bool, rows, cols int)"
}

// genGemm512 emits the AVX-512 GEMM routines, float32 then float64 for
// each name in gemm512Routines.
func genGemm512() {
	for _, name := range gemm512Routines {
		for _, t := range []*dtype{f32, f64} {
			if name == "AxpyRows" {
				axpyRows512(t)
				continue
			}
			if name == "DotRows" {
				dotRows(t, true)
				continue
			}
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

// gemm512 emits one AVX-512 micro-kernel: GemmMicro (A packed),
// GemmMicroRows (A in place) or GemmMicroEdge (either, by lda and astep).
func gemm512(t *dtype, name string) {
	edge := name == "GemmMicroEdge"
	rows := name == "GemmMicroRows"
	mr := gemm512MR[t.name]
	lanes := 64 / t.size // per ZMM
	const nz = 2         // ZMM columns of the full tile
	nr := nz * lanes
	brow := nr * t.size // bytes of a packed B row (128)
	acol := mr * t.size // bytes of a packed A column
	aread := "VBROADCASTS from the packed A column"
	switch {
	case rows:
		aread = "VBROADCASTS of A[i][p] from row pointers lda apart"
	case edge:
		aread = "VBROADCASTS of A[i][p] from row pointers lda apart moving astep per step"
	}
	method := []string{
		fmt.Sprintf("Method: accumulators Z0..Z%d (row i in Z(2i), Z(2i+1)); per k step two", 2*mr-1),
		fmt.Sprintf("B loads (Z28, Z29), %d %s (Z30, Z31 alternating)", mr, aread),
		fmt.Sprintf("and %d %s; k unrolled by %d with PREFETCHT0 ahead.", 2*mr, pick(t, "VFMADD231PS", "VFMADD231PD"), gemmUnroll),
	}
	if edge {
		method = append(method,
			"One loop per row count (1..mr) and ZMM column count: when cols fits one ZMM,",
			"its loop uses FMAs with an embedded broadcast of A. B (rows ldb apart), C and",
			"bias go through the masks K1, K2 (first cols lanes); the epilogue stops at row rows.")
	}
	method = append(method,
		"Epilogue: VFMADD231 with broadcast beta from C (skipped when beta == 0),",
		"VADD bias, VMAX(0, x) for ReLU.")
	routineISA(name, "AVX512", docs512[name], t, method...)

	k := asm.Load(asm.Param("k"), asm.GP64())
	ap := asm.Load(asm.Param("a").Base(), asm.GP64()).(GPVirtual)
	bp := asm.Load(asm.Param("b").Base(), asm.GP64())

	// aAt(i, off) addresses A[i][p] for the step off bytes along A's k
	// direction (packed, rows: compile-time offsets; edge: off = 0 and the
	// row pointers move every step).
	aAt := func(i, off int) Mem { return Mem{Base: ap, Disp: off + i*t.size} }
	aStep := acol // bytes of A per k step when known here
	var ar *rowAddr
	var astep GPVirtual // edge: bytes of A per k step
	if rows || edge {
		lda := asm.Load(asm.Param("lda"), asm.GP64()).(GPVirtual)
		asm.SHLQ(U8(t.shift), lda)
		ar = newRowAddr(ap, lda, mr)
		aStep = t.size
		aAt = ar.at
	}
	var nrows, ncols, ldb GPVirtual // edge: the corner to compute, B's row stride
	if edge {
		astep = asm.Load(asm.Param("astep"), asm.GP64()).(GPVirtual)
		asm.SHLQ(U8(t.shift), astep)
		ldb = asm.Load(asm.Param("ldb"), asm.GP64()).(GPVirtual)
		asm.SHLQ(U8(t.shift), ldb)
		ncols = asm.Load(asm.Param("cols"), asm.GP64()).(GPVirtual)
		nrows = asm.Load(asm.Param("rows"), asm.GP64()).(GPVirtual)
		Comment("K1, K2 select the corner's columns in the first and second ZMM.")
		m := asm.GP64()
		asm.MOVQ(I32(-1), m)
		asm.BZHIQ(ncols, m, m)
		asm.KMOVW(m.As32(), K1)
		asm.SHRQ(U8(lanes), m)
		asm.KMOVW(m.As32(), K2)
	} else {
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
		pfx := ""
		if edge {
			pfx = fmt.Sprintf("r%dz%d_", R, Z)
		}
		asm.Label(pfx + "start")
		for i := range R {
			for z := range Z {
				asm.VPXORD(acc(i, z), acc(i, z), acc(i, z))
			}
		}
		step := func(aoff, boff int) {
			for z := range Z {
				if edge { // B may be read in place: only its cols columns
					pick(t, asm.VMOVUPS_Z, asm.VMOVUPD_Z)(Mem{Base: bp, Disp: 64 * z}, []Op{K1, K2}[z], bv[z])
				} else {
					t.movu(Mem{Base: bp, Disp: boff + 64*z}, bv[z])
				}
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
			if edge { // the row pointers in use and B move one step
				for g := 0; 5*g < R; g++ {
					asm.ADDQ(astep, ar.base[g])
				}
				asm.ADDQ(ldb, bp)
			}
		}
		aoff := func(u int) int {
			if edge {
				return 0
			}
			return u * aStep
		}
		advance := func(steps int) {
			switch {
			case edge:
				return // step moved the pointers
			case rows:
				ar.advance(steps * aStep)
			default:
				asm.ADDQ(U32(steps*aStep), ap)
			}
			asm.ADDQ(U32(steps*brow), bp)
		}
		n4 := asm.GP64()
		asm.MOVQ(k, n4)
		asm.SHRQ(U8(2), n4)
		asm.JZ(LabelRef(pfx + "tail"))
		asm.Label(pfx + "loop4")
		// Packed A: the lines of the A stream 2·gemmUnroll steps ahead,
		// spread over the iteration's steps.
		apf := (gemmUnroll*acol + 63) / 64
		for u := range gemmUnroll {
			if !rows && !edge {
				for j := u * apf / gemmUnroll; j < (u+1)*apf/gemmUnroll; j++ {
					asm.PREFETCHT0(Mem{Base: ap, Disp: 2*gemmUnroll*acol + 64*j})
				}
			}
			if u%2 == 0 && !edge {
				asm.PREFETCHT0(Mem{Base: bp, Disp: 8*brow + u*brow/2})
			}
			step(aoff(u), u*brow)
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
		Comment("Choose the loop for the corner: ZMM columns, then rows.")
		for _, Z := range []int{1, 2} {
			if Z == 1 {
				asm.CMPQ(ncols, U32(lanes))
				asm.JA(LabelRef("cols2"))
			} else {
				asm.Label("cols2")
			}
			for R := 1; R < mr; R++ {
				asm.CMPQ(nrows, U8(R))
				asm.JEQ(LabelRef(fmt.Sprintf("r%dz%d_start", R, Z)))
			}
			asm.JMP(LabelRef(fmt.Sprintf("r%dz%d_start", mr, Z)))
		}
		for _, Z := range []int{1, 2} {
			for R := 1; R <= mr; R++ {
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
		masks := []Op{K1, K2} // edge: the first cols lanes
		// rowCheck ends a pass over C's rows at row i when the corner has
		// only i rows.
		rowCheck := func(i int, done string) {
			if edge && i > 0 {
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

// axpyRowsR is the number of rows of B AxpyRows folds into one pass over y.
const axpyRowsR = 4

func init() {
	docs512["AxpyRows"] = "for p < len(x) in order, y[j] += x[p]*b[p*ldb+j] fused (one rounding " +
		"each), j < len(y): the bits of len(x) Axpy calls, one per row of b. " +
		"Requires len(b) >= (len(x)-1)*ldb+len(y) when len(x) > 0."
	sigs["AxpyRows"] = "func(x, b []T, ldb int, y []T)"
}

// axpyRows512 emits AxpyRowsF32AVX512 or AxpyRowsF64AVX512, the
// matrix-vector product y += xᵀ·B of GEMM's m = 1 case.
func axpyRows512(t *dtype) {
	const R, U = axpyRowsR, 4 // rows per pass, ZMM per column step
	lanes := 64 / t.size
	routineISA("AxpyRows", "AVX512", docs512["AxpyRows"], t,
		fmt.Sprintf("Method: %d rows of b at a time: x[p..p+%d] broadcast (Z16..), then along y", R, R-1),
		fmt.Sprintf("%d ZMM of y (Z0..Z%d) take the %d rows' FMAs in row order between one load", U, U-1, R),
		"and one store; then single ZMMs, then the masked tail (K1); leftover rows one at a time.")
	xp := asm.Load(asm.Param("x").Base(), asm.GP64())
	r := asm.Load(asm.Param("x").Len(), asm.GP64()).(GPVirtual)
	bp := asm.Load(asm.Param("b").Base(), asm.GP64()).(GPVirtual)
	ldb := asm.Load(asm.Param("ldb"), asm.GP64()).(GPVirtual)
	asm.SHLQ(U8(t.shift), ldb)
	yp := asm.Load(asm.Param("y").Base(), asm.GP64())
	n := asm.Load(asm.Param("y").Len(), asm.GP64())
	asm.TESTQ(n, n)
	asm.JZ(LabelRef("done"))

	// Tail mask: the first n mod lanes lanes.
	m := asm.GP64()
	tailN := asm.GP64()
	asm.MOVQ(n, tailN)
	asm.ANDQ(U8(lanes-1), tailN)
	asm.MOVQ(I32(-1), m)
	asm.BZHIQ(tailN, m, m)
	asm.KMOVW(m.As32(), K1)

	// pass emits one pass over y for rows rows of b from bp.
	pass := func(rows int, pfx string) {
		ra := newRowAddr(bp, ldb, rows)
		xs := make([]VecPhysical, rows)
		for p := range rows {
			xs[p] = zmm(16 + p)
			t.broadcast(Mem{Base: xp, Disp: p * t.size}, xs[p])
		}
		i := asm.GP64() // byte offset into y and the rows
		asm.XORQ(i, i)
		end := asm.GP64()
		// The row addresses take base and stride registers, so the row
		// bases move along the columns while y is indexed by i.
		yAt := func(disp int) Mem { return Mem{Base: yp, Index: i, Scale: 1, Disp: disp} }
		step := func(u int, mask Op) {
			acc := zmm(u)
			if mask != nil {
				pick(t, asm.VMOVUPS_Z, asm.VMOVUPD_Z)(yAt(64*u), mask, acc)
			} else {
				t.movu(yAt(64*u), acc)
			}
			for p := range rows {
				if mask != nil {
					pick(t, asm.VFMADD231PS_Z, asm.VFMADD231PD_Z)(ra.at(p, 64*u), xs[p], mask, acc)
				} else {
					t.fmadd231(ra.at(p, 64*u), xs[p], acc)
				}
			}
			if mask != nil {
				pick(t, asm.VMOVUPS, asm.VMOVUPD)(acc, mask, yAt(64*u))
			} else {
				t.movu(acc, yAt(64*u))
			}
		}
		nb := asm.GP64() // bytes of y
		asm.MOVQ(n, nb)
		asm.SHLQ(U8(t.shift), nb)
		asm.Label(pfx + "loopU")
		asm.LEAQ(Mem{Base: i, Disp: 64 * U}, end)
		asm.CMPQ(end, nb)
		asm.JA(LabelRef(pfx + "loop1"))
		for u := range U {
			step(u, nil)
		}
		asm.MOVQ(end, i)
		ra.advance(64 * U)
		asm.JMP(LabelRef(pfx + "loopU"))
		asm.Label(pfx + "loop1")
		asm.LEAQ(Mem{Base: i, Disp: 64}, end)
		asm.CMPQ(end, nb)
		asm.JA(LabelRef(pfx + "tail"))
		step(0, nil)
		asm.MOVQ(end, i)
		ra.advance(64)
		asm.JMP(LabelRef(pfx + "loop1"))
		asm.Label(pfx + "tail")
		asm.TESTQ(tailN, tailN)
		asm.JZ(LabelRef(pfx + "next"))
		step(0, K1)
		asm.Label(pfx + "next")
		nextRows(ra, i, bp, ldb, rows)
		asm.ADDQ(U8(rows*t.size), xp)
		asm.SUBQ(U8(rows), r)
	}
	rowPasses(r, R, pass)
}
