package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Reductions: Sum, Dot, SumSq with four YMM accumulators, and MaxIdx.

func init() {
	gen["Sum"] = func(t *dtype) {
		sumKernel(t, "Sum", []string{"x"}, func(acc VecVirtual, in []Op) { t.add(in[0], acc, acc) })
	}
	gen["Dot"] = func(t *dtype) {
		sumKernel(t, "Dot", []string{"x", "y"}, func(acc VecVirtual, in []Op) {
			p := asm.YMM()
			t.mul(in[1], t.reg(in[0]), p)
			t.add(p, acc, acc)
		})
	}
	gen["SumSq"] = func(t *dtype) {
		sumKernel(t, "SumSq", []string{"x"}, func(acc VecVirtual, in []Op) {
			x, p := t.reg(in[0]), asm.YMM()
			t.mul(x, x, p)
			t.add(p, acc, acc)
		})
	}
	gen["MaxIdx"] = maxIdx
}

// sumKernel emits "acc += body(ins...)" over the slices with four
// accumulators (4 YMM per iteration), a one-YMM loop and a masked tail
// whose unselected lanes load as zero and so add nothing, then the
// horizontal sum of the accumulators, returned as result 0.
func sumKernel(t *dtype, op string, ins []string, body func(acc VecVirtual, in []Op)) {
	routine(op, t,
		"Method: four YMM accumulators (4 YMM per iteration), a one-YMM loop, a",
		"masked tail, then a horizontal sum. Products are rounded before they are",
		"added (not fused), as in the generic code, so a product that overflows",
		"gives ±Inf (and Inf - Inf gives NaN) exactly as there.")
	c := newCursor(t, ins[0], ins...)
	var acc [4]VecVirtual
	for k := range acc {
		acc[k] = zero()
	}
	at := func(k int) []Op {
		in := make([]Op, len(ins))
		for j, name := range ins {
			in[j] = c.at(name, k)
		}
		return in
	}
	c.blocks("loop", "loop1", 4, func(k int) { body(acc[k], at(k)) })
	c.blocks("loop1", "tail", 1, func(int) { body(acc[0], at(0)) })
	asm.Label("tail")
	r := asm.GP64()
	asm.MOVQ(c.n, r)
	asm.SUBQ(c.i, r)
	asm.JZ(LabelRef("reduce"))
	m := c.mask(r)
	in := make([]Op, len(ins))
	for j, name := range ins {
		in[j] = c.maskedLoad(name, m)
	}
	body(acc[1], in)
	asm.Label("reduce")
	t.add(acc[1], acc[0], acc[0])
	t.add(acc[3], acc[2], acc[2])
	t.add(acc[2], acc[0], acc[0])
	s := hsum(t, acc[0])
	asm.VZEROUPPER()
	storeResult(t, s, 0)
	asm.RET()
}

// hsum adds the lanes of v and returns an XMM holding the sum in its low
// element.
func hsum(t *dtype, v VecVirtual) VecVirtual {
	x, h := asm.XMM(), asm.XMM()
	asm.VEXTRACTF128(U8(1), v, h)
	t.add(h, v.AsX(), x)
	if t.single() {
		asm.VMOVHLPS(x, x, h)
		asm.VADDPS(h, x, x)
		asm.VMOVSHDUP(x, h)
		asm.VADDSS(h, x, x)
	} else {
		asm.VUNPCKHPD(x, x, h)
		asm.VADDSD(h, x, x)
	}
	return x
}

// hmax is hsum with VMAXPS: the largest lane of v (NaN handling as MAXPS).
func hmax(t *dtype, v VecVirtual) VecVirtual {
	x, h := asm.XMM(), asm.XMM()
	asm.VEXTRACTF128(U8(1), v, h)
	t.max(h, v.AsX(), x)
	if t.single() {
		asm.VMOVHLPS(x, x, h)
		asm.VMAXPS(h, x, x)
		asm.VMOVSHDUP(x, h)
		asm.VMAXSS(h, x, x)
	} else {
		asm.VUNPCKHPD(x, x, h)
		asm.VMAXSD(h, x, x)
	}
	return x
}

// storeResult writes the low element of x to result i.
func storeResult(t *dtype, x VecVirtual, i int) {
	b, err := asm.ReturnIndex(i).Resolve()
	if err != nil {
		panic(err)
	}
	t.movs(x, b.Addr)
}

// maxIdx emits MaxIdx: four YMM states (running max per lane and the block
// index where it was taken), strict "greater" so each lane keeps its first
// index, and NaN taken once (a lane takes x when not(x <= max) and max is
// not NaN). The 4*lanes candidates go through the stack to a scalar pass
// that keeps the best value and, among equals (or among NaNs), the smallest
// index; the elements after the last full block are scanned by the same
// scalar loop.
func maxIdx(t *dtype) {
	routine("MaxIdx", t,
		"Method: per-lane running max and block index in four YMM states (4 YMM",
		"per iteration); lane update when not(x <= max) and max is ordered;",
		"candidates reduced through the stack by a scalar pass that prefers NaN,",
		"then the larger value, then the smaller index; scalar tail.")
	asm.Attributes(0) // 256-byte frame: let the assembler check the stack
	L := t.lanes
	frame := asm.AllocLocal(2 * 4 * 32) // 4 states: values, then indices
	c := newCursor(t, "x", "x")
	best := asm.XMM()
	bidx := asm.GP64()
	cand := asm.GP64()
	v := asm.XMM()

	asm.CMPQ(c.n, U32(4*L))
	asm.JB(LabelRef("scalar"))

	var mx, ix [4]VecVirtual
	var cur VecVirtual // block index i in every lane
	iota := iotaTab(t)
	for s := range 4 {
		mx[s], ix[s] = asm.YMM(), asm.YMM()
		t.movu(c.at("x", s), mx[s])
		asm.VPXOR(ix[s], ix[s], ix[s]) // block index 0
	}
	asm.MOVQ(U32(4*L), c.i)
	c.blocks("loop", "dump", 4, func(s int) {
		if s == 0 {
			// bi = i in every lane (int32 for float32, int64 for float64)
			bi := asm.YMM()
			asm.VMOVQ(c.i, bi.AsX())
			t.pbroadcast(bi.AsX(), bi)
			cur = bi
		}
		x, take, ord := asm.YMM(), asm.YMM(), asm.YMM()
		t.movu(c.at("x", s), x)
		t.cmp(cmpNLE_UQ, mx[s], x, take) // not(x <= max): x > max or unordered
		t.cmp(cmpORD, mx[s], mx[s], ord) // max is not NaN
		t.and(ord, take, take)
		t.blend(take, x, mx[s], mx[s])
		t.blend(take, cur, ix[s], ix[s])
	})
	asm.Label("dump")
	// Absolute index of a lane: block index + 'lanes*state + lane'.
	for s := range 4 {
		t.movu(mx[s], frame.Offset(32*s))
		t.padd(iota.Offset(32*s), ix[s], ix[s])
		asm.VMOVDQU(ix[s], frame.Offset(128+32*s))
	}
	t.movs(frame, best)
	loadIdx(t, frame.Offset(128), bidx)
	k := asm.GP64()
	asm.MOVQ(U32(1), k)
	asm.Label("cand")
	t.movs(Mem{Base: frame.Base, Disp: frame.Disp, Index: k, Scale: uint8(t.size)}, v)
	loadIdx(t, Mem{Base: frame.Base, Disp: frame.Disp + 128, Index: k, Scale: uint8(t.size)}, cand)
	// Take v if: best is NaN ? (v is NaN and cand < bidx) : (v is NaN or v > best or (v == best and cand < bidx)).
	t.ucomis(best, best)
	asm.JP(LabelRef("candnan"))
	t.ucomis(v, v)
	asm.JP(LabelRef("candtake"))
	t.ucomis(best, v) // flags: v compared with best
	asm.JA(LabelRef("candtake"))
	asm.JNE(LabelRef("candnext"))
	asm.JMP(LabelRef("candidx"))
	asm.Label("candnan")
	t.ucomis(v, v)
	asm.JNP(LabelRef("candnext"))
	asm.Label("candidx")
	asm.CMPQ(cand, bidx)
	asm.JAE(LabelRef("candnext"))
	asm.Label("candtake")
	t.movs(v, best)
	asm.MOVQ(cand, bidx)
	asm.Label("candnext")
	asm.INCQ(k)
	asm.CMPQ(k, U32(4*L))
	asm.JB(LabelRef("cand"))
	asm.JMP(LabelRef("tail"))

	asm.Label("scalar")
	t.movs(Mem{Base: c.base["x"]}, best)
	asm.XORQ(bidx, bidx)
	asm.MOVQ(U32(1), c.i)
	// Scalar tail: indices above every candidate, so only a NaN (while
	// best is not NaN) or a strictly larger value wins.
	asm.Label("tail")
	t.ucomis(best, best)
	asm.JP(LabelRef("done"))
	asm.Label("tailloop")
	asm.CMPQ(c.i, c.n)
	asm.JAE(LabelRef("done"))
	t.movs(Mem{Base: c.base["x"], Index: c.i, Scale: uint8(t.size)}, v)
	t.ucomis(v, v)
	asm.JP(LabelRef("tailnan"))
	t.ucomis(best, v)
	asm.JBE(LabelRef("tailnext"))
	t.movs(v, best)
	asm.MOVQ(c.i, bidx)
	asm.Label("tailnext")
	asm.INCQ(c.i)
	asm.JMP(LabelRef("tailloop"))
	asm.Label("tailnan")
	t.movs(v, best)
	asm.MOVQ(c.i, bidx)
	asm.Label("done")
	asm.VZEROUPPER()
	storeResult(t, best, 0)
	asm.Store(bidx, asm.ReturnIndex(1))
	asm.RET()
}

// loadIdx loads a stored lane index (int32 for float32, int64 for float64).
func loadIdx(t *dtype, m Mem, r GPVirtual) {
	if t.single() {
		asm.MOVL(m, r.As32())
	} else {
		asm.MOVQ(m, r)
	}
}

// iotaTab holds 0, 1, ..., 4*lanes-1 as lane-width integers.
func iotaTab(t *dtype) Mem {
	idx := make([]int, 4*t.lanes)
	for i := range idx {
		idx[i] = i
	}
	return laneTab(t, "iota"+t.name, idx)
}
