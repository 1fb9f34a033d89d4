package main

import (
	"math"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// AVX-512 versions of Softmax and LogSoftmax (routines ...F32AVX512,
// ...F64AVX512): the three passes of softmax.go on ZMM registers, with the
// AVX-512 exp body of transcend512.go (newZexp, its constants hoisted) in
// pass 2 and logBody512 for log(sum). Tails are one masked load (zeroing)
// and, where dst is written, one masked store under a K mask from
// maskTab16, so nothing outside the slices is read or written; the max
// and the sum take the tail's selected lanes only (merge-masked VMAXPS and
// VADDPS), which replaces the AVX2 routine's -Inf blend and AND.

func init() {
	gen512["Softmax"] = func(t *dtype) { softmax512(t, false) }
	gen512["LogSoftmax"] = func(t *dtype) { softmax512(t, true) }
}

func softmax512(t *dtype, logOut bool) {
	op := "Softmax"
	method := []string{
		"Method: pass 1, m = max(x) in four ZMM accumulators (the tail's lanes by a",
		"merge-masked VMAX, so unselected lanes take no part); pass 2, e = exp(x-m)",
		"(the AVX-512 Exp code inline, constants in registers) stored to dst and",
		"summed in two ZMM accumulators (the tail by a merge-masked VADD); pass 3,",
		"dst /= sum (a true division). A NaN in x makes the sum NaN and so every",
		"output; +Inf (or all -Inf) gives x-m = NaN likewise.",
	}
	if logOut {
		op = "LogSoftmax"
		method = []string{
			"Method: pass 1, m = max(x) in four ZMM accumulators (the tail's lanes by a",
			"merge-masked VMAX); pass 2, s = sum of exp(x-m) (the AVX-512 Exp code",
			"inline, constants in registers; the tail by a merge-masked VADD);",
			"lse = log(s) (the AVX-512 Log code inline); pass 3, dst = (x - m) - lse.",
			"NaN or +Inf in x gives NaN outputs, as the generic code.",
		}
	}
	routineISA(op, "AVX512", docs[op], t, method...)
	clear(zhoisted)
	c := newCursor(t, "x", "x", "dst")
	at := func(name string, k int) Mem {
		return Mem{Base: c.base[name], Index: c.i, Scale: uint8(t.size), Disp: 64 * k}
	}
	load := func(name string, k int) VecVirtual {
		r := asm.ZMM()
		t.movu(at(name, k), r)
		return r
	}
	// tail emits, at label, the elements after the last whole ZMM: none
	// (go to next), or f with the mask of the n-i first lanes and those
	// lanes of slice name loaded (the others zero).
	tail := func(label, next, name string, f func(k, v Op)) {
		asm.Label(label)
		r := asm.GP64()
		asm.MOVQ(c.n, r)
		asm.SUBQ(c.i, r)
		asm.JZ(LabelRef(next))
		tab, k, v := asm.GP64(), asm.K(), asm.ZMM()
		asm.LEAQ(maskTab16(), tab)
		asm.KMOVW(Mem{Base: tab, Index: r, Scale: 2}, k)
		pick(t, asm.VMOVUPS_Z, asm.VMOVUPD_Z)(at(name, 0), k, v)
		f(k, v)
	}

	// Pass 1: the maximum.
	var acc [4]VecVirtual
	for k := range acc {
		acc[k] = zcopy(t, t.cmem(math.Inf(-1)))
	}
	c.blocks("max", "max1", 4, func(k int) { t.max(at("x", k), acc[k], acc[k]) })
	c.blocks("max1", "maxtail", 1, func(int) { t.max(at("x", 0), acc[0], acc[0]) })
	tail("maxtail", "maxred", "x", func(k, v Op) {
		pick(t, asm.VMAXPS, asm.VMAXPD)(v, acc[1], k, acc[1]) // selected lanes only
	})
	asm.Label("maxred")
	t.max(acc[1], acc[0], acc[0])
	t.max(acc[3], acc[2], acc[2])
	t.max(acc[2], acc[0], acc[0])
	mx := asm.ZMM()
	t.broadcast(hmax(t, zhalves(t, acc[0], t.max)), mx)

	// Pass 2: e = exp(x - m), stored (Softmax) and summed. The exp
	// constants are hoisted here, after pass 1 has freed its registers.
	z := newZexp(t, nonPos)
	z.hoist()
	sum := [2]VecVirtual{asm.ZMM(), asm.ZMM()}
	for _, s := range sum {
		asm.VPXORD(s, s, s)
	}
	expOf := func(x VecVirtual) VecVirtual {
		zSUB.do(t, mx, x, x) // x - m <= 0, or NaN
		return z.body(x)
	}
	asm.XORQ(c.i, c.i)
	c.blocks("exp", "exp1", 2, func(k int) {
		asm.PREFETCHT0(at("x", k).Offset(prefetchDist))
		asm.PREFETCHT0(at("dst", k).Offset(prefetchDist))
		e := expOf(load("x", k))
		if !logOut {
			t.movu(e, at("dst", k))
		}
		zADD.do(t, e, sum[k], sum[k])
	})
	c.blocks("exp1", "exptail", 1, func(int) {
		e := expOf(load("x", 0))
		if !logOut {
			t.movu(e, at("dst", 0))
		}
		zADD.do(t, e, sum[0], sum[0])
	})
	tail("exptail", "sum", "x", func(k, v Op) {
		e := expOf(v.(VecVirtual))
		if !logOut {
			pick(t, asm.VMOVUPS, asm.VMOVUPD)(e, k, at("dst", 0))
		}
		zADD.do(t, e, sum[1], k, sum[1]) // unselected lanes add nothing
	})
	asm.Label("sum")
	zADD.do(t, sum[1], sum[0], sum[0])
	s := asm.ZMM()
	t.broadcast(hsum(t, zhalves(t, sum[0], t.add)), s)

	// Pass 3.
	asm.XORQ(c.i, c.i)
	var out func(x VecVirtual) VecVirtual
	src := "dst"
	if logOut {
		src = "x"
		lse := logBody512(t, s)
		out = func(x VecVirtual) VecVirtual {
			zSUB.do(t, mx, x, x)
			zSUB.do(t, lse, x, x)
			return x
		}
	} else {
		out = func(x VecVirtual) VecVirtual {
			zDIV.do(t, s, x, x)
			return x
		}
	}
	c.blocks("out", "out1", 4, func(k int) { t.movu(out(load(src, k)), at("dst", k)) })
	c.blocks("out1", "outtail", 1, func(int) { t.movu(out(load(src, 0)), at("dst", 0)) })
	tail("outtail", "done", src, func(k, v Op) {
		pick(t, asm.VMOVUPS, asm.VMOVUPD)(out(v.(VecVirtual)), k, at("dst", 0))
	})
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

// zhalves combines the two 256-bit halves of the ZMM v with op (t.max,
// t.add) and returns the YMM result, for hmax and hsum.
func zhalves(t *dtype, v VecVirtual, op func(a, b, d Op)) VecVirtual {
	h := asm.YMM()
	asm.VEXTRACTF64X4(U8(1), v, h)
	op(v.AsY(), h, h)
	return h
}
