package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/attr"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// DotRows, the m = 1 GEMV with B transposed (nn.Linear's x·Wᵀ at batch
// 1): one dot product per row of B, several rows per pass over x, on YMM
// (AVX2, four rows) or ZMM (AVX-512, eight rows) registers. Both follow
// the order of the Go twin kernels.dotRowsGeneric with one register's
// lanes: per row, two accumulators (even and odd vector columns of x,
// then one more column into the first, then the len(x) mod lanes tail
// into the second, its other lanes unchanged), their sum, then the lanes
// halved down to one.

// dotRowsRows is the rows per pass: AVX2 has sixteen YMM registers (two
// accumulators per row, x in two more, the tail's mask and scratch); AVX-512
// has 32 ZMM.
var dotRowsRows = map[bool]int{false: 4, true: 8}

func init() {
	sigs["DotRows"] = "func(x, b []T, ldb int, y []T)"
	contract := "y[j] = x·b[j*ldb : j*ldb+len(x)] for j < len(y): one dot product per row of b, " +
		"each in its own order (kernels.dotRowsGeneric with %s-wide accumulators is the Go twin: " +
		"two accumulators of fused steps, then a fixed lane-halving sum). len(x) = 0 gives zeros. " +
		"Requires len(b) >= (len(y)-1)*ldb+len(x) when len(y) > 0."
	docs["DotRows"] = fmt.Sprintf(contract, "YMM")
	docs512["DotRows"] = fmt.Sprintf(contract, "ZMM")
}

// dotRows emits DotRowsF32AVX2/F64AVX2, or with zmm DotRowsF32AVX512/F64AVX512.
func dotRows(t *dtype, zmmRegs bool) {
	R := dotRowsRows[zmmRegs]
	vb := 32 // bytes per vector
	vec := func(i int) VecPhysical { return []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}[i] }
	isa, doc, kind := "AVX2", docs["DotRows"], "Y"
	tailDoc := "the masked tail (VMASKMOV loads, mask Y10, scratch Y11, the product blended into the selected lanes)"
	if zmmRegs {
		vb, vec, isa, doc, kind = 64, zmm, "AVX512", docs512["DotRows"], "Z"
		tailDoc = "the masked tail (K1; merge masking keeps the other lanes, the row past the end is not read)"
	}
	lanes := vb / t.size
	routineISA("DotRows", isa, doc, t,
		fmt.Sprintf("Method: %d rows of b at a time, accumulators %s0..%s%d (even vector columns of x) and", R, kind, kind, R-1),
		fmt.Sprintf("%s%d..%s%d (odd columns and the tail), x in %s%d/%s%d and the rows as FMA memory", kind, R, kind, 2*R-1, kind, 2*R, kind, 2*R+1),
		"operands; then a single-vector step, "+tailDoc+", and per row",
		"the two accumulators added and halved down to one lane: in a full pass the rows' halvings",
		"run side by side on shuffled registers (the same sums) and one store writes the pass's results;",
		"leftover rows one at a time.")
	xp := asm.Load(asm.Param("x").Base(), asm.GP64())
	kb := asm.Load(asm.Param("x").Len(), asm.GP64())
	bp := asm.Load(asm.Param("b").Base(), asm.GP64()).(GPVirtual)
	ldb := asm.Load(asm.Param("ldb"), asm.GP64()).(GPVirtual)
	asm.SHLQ(U8(t.shift), ldb)
	yp := asm.Load(asm.Param("y").Base(), asm.GP64())
	n := asm.Load(asm.Param("y").Len(), asm.GP64()).(GPVirtual)
	asm.TESTQ(n, n)
	asm.JZ(LabelRef("done"))

	// Tail: the first len(x) mod lanes lanes; kb: bytes of x.
	tailN := asm.GP64()
	asm.MOVQ(kb, tailN)
	asm.ANDQ(U8(lanes-1), tailN)
	if zmmRegs {
		m := asm.GP64()
		asm.MOVQ(I32(-1), m)
		asm.BZHIQ(tailN, m, m)
		asm.KMOVW(m.As32(), K1)
	} else { // from the mask table, all-ones lanes first
		idx, tab := asm.GP64(), asm.GP64()
		asm.MOVQ(U32(lanes), idx)
		asm.SUBQ(tailN, idx)
		asm.LEAQ(maskTab(), tab)
		asm.VMOVDQU(Mem{Base: tab, Index: idx, Scale: uint8(t.size)}, Y10)
	}
	asm.SHLQ(U8(t.shift), kb)

	x0, x1 := vec(2*R), vec(2*R+1)
	pass := func(rows int, pfx string) {
		ra := newRowAddr(bp, ldb, rows)
		acc0 := func(r int) VecPhysical { return vec(r) }
		acc1 := func(r int) VecPhysical { return vec(R + r) }
		for r := range rows {
			for _, a := range []VecPhysical{acc0(r), acc1(r)} {
				if zmmRegs {
					asm.VPXORD(a, a, a)
				} else {
					asm.VXORPS(a, a, a)
				}
			}
		}
		i := asm.GP64() // byte offset into x and the rows
		asm.XORQ(i, i)
		end := asm.GP64()
		xAt := func(disp int) Mem { return Mem{Base: xp, Index: i, Scale: 1, Disp: disp} }
		asm.Label(pfx + "loop2")
		asm.LEAQ(Mem{Base: i, Disp: 2 * vb}, end)
		asm.CMPQ(end, kb)
		asm.JA(LabelRef(pfx + "one"))
		t.movu(xAt(0), x0)
		t.movu(xAt(vb), x1)
		for r := range rows {
			t.fmadd231(ra.at(r, 0), x0, acc0(r))
			t.fmadd231(ra.at(r, vb), x1, acc1(r))
		}
		asm.MOVQ(end, i)
		ra.advance(2 * vb)
		asm.JMP(LabelRef(pfx + "loop2"))
		asm.Label(pfx + "one") // at most one vector column is left
		asm.LEAQ(Mem{Base: i, Disp: vb}, end)
		asm.CMPQ(end, kb)
		asm.JA(LabelRef(pfx + "tail"))
		t.movu(xAt(0), x0)
		for r := range rows {
			t.fmadd231(ra.at(r, 0), x0, acc0(r))
		}
		asm.MOVQ(end, i)
		ra.advance(vb)
		asm.Label(pfx + "tail")
		asm.TESTQ(tailN, tailN)
		asm.JZ(LabelRef(pfx + "sum"))
		if zmmRegs {
			pick(t, asm.VMOVUPS_Z, asm.VMOVUPD_Z)(xAt(0), K1, x0)
			for r := range rows {
				pick(t, asm.VFMADD231PS, asm.VFMADD231PD)(ra.at(r, 0), x0, K1, acc1(r))
			}
		} else {
			t.maskmov(xAt(0), Y10, x0)
			for r := range rows {
				t.maskmov(ra.at(r, 0), Y10, Y11)
				t.fmadd213(acc1(r), x0, Y11) // Y11 = x·row + acc1
				t.blend(Y10, Y11, acc1(r), acc1(r))
			}
		}
		asm.Label(pfx + "sum")
		if rows == R {
			sumRowsT(t, zmmRegs, R, acc0, acc1, Mem{Base: yp})
			nextRows(ra, i, bp, ldb, rows)
			asm.ADDQ(U8(rows*t.size), yp)
			asm.SUBQ(U8(rows), n)
			return
		}
		for r := range rows {
			s, h := acc0(r), acc1(r)
			t.add(h, s, s)
			if zmmRegs {
				asm.VEXTRACTF64X4(U8(1), s, h.AsY())
				t.add(h.AsY(), s.AsY(), s.AsY())
			}
			asm.VEXTRACTF128(U8(1), s.AsY(), h.AsX())
			t.add(h.AsX(), s.AsX(), s.AsX())
			if t.single() {
				asm.VMOVHLPS(s.AsX(), s.AsX(), h.AsX())
				asm.VADDPS(h.AsX(), s.AsX(), s.AsX())
				asm.VMOVSHDUP(s.AsX(), h.AsX())
				asm.VADDSS(h.AsX(), s.AsX(), s.AsX())
			} else {
				asm.VUNPCKHPD(s.AsX(), s.AsX(), h.AsX())
				asm.VADDSD(h.AsX(), s.AsX(), s.AsX())
			}
			t.movs(s.AsX(), Mem{Base: yp, Disp: r * t.size})
		}
		nextRows(ra, i, bp, ldb, rows)
		asm.ADDQ(U8(rows*t.size), yp)
		asm.SUBQ(U8(rows), n)
	}
	rowPasses(n, R, pass)
}

// nextRows rewinds the row bases of ra from byte column i to column 0 and
// moves the first one (bp) rows rows down, for the next pass.
func nextRows(ra *rowAddr, i, bp, ldb GPVirtual, rows int) {
	for g := range ra.base {
		asm.SUBQ(i, ra.base[g])
	}
	for range rows {
		asm.ADDQ(ldb, bp)
	}
}

// rowPasses emits the row loop of AxpyRows and DotRows: passes of R rows
// while n >= R (each pass counts n down), then of one row, then returns
// (label "done", which the routine's early exit also takes).
func rowPasses(n GPVirtual, R int, pass func(rows int, pfx string)) {
	asm.Label("rowsR")
	asm.CMPQ(n, U8(R))
	asm.JB(LabelRef("rows1"))
	pass(R, "r")
	asm.JMP(LabelRef("rowsR"))
	asm.Label("rows1")
	asm.TESTQ(n, n)
	asm.JZ(LabelRef("done"))
	pass(1, "s")
	asm.JMP(LabelRef("rows1"))
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

// halvePairs32 sets lo, per 128-bit chunk, to the sums of the halves of
// a and b side by side (lanes 0-1 of a + lanes 2-3 of a, the same of b),
// then adds each odd lane into the even one below it: the last two
// halvings of the float32 one-row sum, for two registers at once. hi is
// scratch.
func halvePairs32(a, b, lo, hi VecPhysical) {
	asm.VSHUFPS(U8(0x44), b, a, lo)
	asm.VSHUFPS(U8(0xEE), b, a, hi)
	asm.VADDPS(hi, lo, lo)
	asm.VMOVSHDUP(lo, hi)
	asm.VADDPS(hi, lo, lo)
}

// sumRowsT stores to y the R sums of a full pass: per row, acc0(r) +
// acc1(r) halved down to one lane in the order of the one-row code (upper
// half of the register onto the lower, then again, down to lane 0), but
// with the halvings of several rows in one register: shuffles pair the
// halves of two rows, then of four, and one permute puts the R results in
// row order for a single store. Every sum has the operands it has in the
// one-row code, so the results are the same bits.
func sumRowsT(t *dtype, zmmRegs bool, R int, acc0, acc1 func(int) VecPhysical, y Mem) {
	for r := range R {
		t.add(acc1(r), acc0(r), acc0(r))
	}
	s := acc0
	lo, hi := acc1(0), acc1(1) // the acc1 registers are free now
	if zmmRegs {
		// s_r (16 floats or 8 doubles) → T_p = [t_2p | t_2p+1], t = low half + high half.
		shuf := pick(t, asm.VSHUFF32X4, asm.VSHUFF64X2)
		var T [4]VecPhysical
		for p := range 4 {
			shuf(U8(0x44), s(2*p+1), s(2*p), lo) // low 256 bits of both rows
			shuf(U8(0xEE), s(2*p+1), s(2*p), hi) // high 256 bits
			t.add(hi, lo, s(2*p))
			T[p] = s(2 * p)
		}
		// → U_q = [u_4q .. u_4q+3], u = t's low 128 bits + its high 128.
		var U [2]VecPhysical
		for q := range 2 {
			shuf(U8(0x88), T[2*q+1], T[2*q], lo)
			shuf(U8(0xDD), T[2*q+1], T[2*q], hi)
			t.add(hi, lo, T[2*q])
			U[q] = T[2*q]
		}
		idx := acc1(2)
		if t.single() {
			// v = u[0:2] + u[2:4]: per 128-bit chunk c, [v_c | v_c+4];
			// then w = v[0] + v[1], in lanes 0 and 2 of each chunk.
			halvePairs32(U[0], U[1], lo, hi)
			asm.VMOVDQU32(laneTab(t, "dotrowsperm16", []int{0, 4, 8, 12, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0}), idx)
			asm.VPERMPS(lo, idx, lo)
			asm.VMOVUPS(lo.AsY(), y)
		} else {
			// w = u[0] + u[1]: per chunk c, [w_c, w_c+4].
			asm.VUNPCKLPD(U[1], U[0], lo)
			asm.VUNPCKHPD(U[1], U[0], hi)
			asm.VADDPD(hi, lo, lo)
			asm.VMOVDQU64(laneTab(t, "dotrowsperm8", []int{0, 2, 4, 6, 1, 3, 5, 7}), idx)
			asm.VPERMPD(lo, idx, lo)
			asm.VMOVUPD(lo, y)
		}
		return
	}
	// YMM, four rows: T_a = [t_0 | t_1], T_b = [t_2 | t_3], t = low 128 + high 128.
	var T [2]VecPhysical
	for p := range 2 {
		asm.VPERM2F128(U8(0x20), s(2*p+1), s(2*p), lo)
		asm.VPERM2F128(U8(0x31), s(2*p+1), s(2*p), hi)
		t.add(hi, lo, s(2*p))
		T[p] = s(2 * p)
	}
	if t.single() {
		// u = t[0:2] + t[2:4]: chunk 0 [u_0 | u_2], chunk 1 [u_1 | u_3];
		// then w = u[0] + u[1] in lanes 0, 2, 4, 6: rows 0, 2, 1, 3.
		halvePairs32(T[0], T[1], lo, hi)
		idx := acc1(2)
		asm.VMOVDQU(laneTab(t, "dotrowsperm4", []int{0, 4, 2, 6, 0, 0, 0, 0}), idx)
		asm.VPERMPS(lo, idx, lo)
		asm.VMOVUPS(lo.AsX(), y)
		return
	}
	// w = t[0] + t[1]: lanes hold rows 0, 2, 1, 3.
	asm.VUNPCKLPD(T[1], T[0], lo)
	asm.VUNPCKHPD(T[1], T[0], hi)
	asm.VADDPD(hi, lo, lo)
	asm.VPERMPD(U8(0xD8), lo, lo)
	asm.VMOVUPD(lo, y)
}

// laneTab is a read-only table of lane indexes (a permute's operand), of
// t's lane width, emitted once under name.
func laneTab(t *dtype, name string, idx []int) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := asm.StaticGlobal(name)
	asm.DataAttributes(attr.RODATA | attr.NOPTR)
	for i, v := range idx {
		if t.single() {
			asm.AddDatum(4*i, U32(uint32(v)))
		} else {
			asm.AddDatum(8*i, U64(uint64(v)))
		}
	}
	consts[name] = m
	return m
}
