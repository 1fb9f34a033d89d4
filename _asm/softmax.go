package main

import (
	"math"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Softmax and LogSoftmax: three fused passes over one row.

func init() {
	gen["Softmax"] = func(t *dtype) { softmax(t, false) }
	gen["LogSoftmax"] = func(t *dtype) { softmax(t, true) }
}

func softmax(t *dtype, logOut bool) {
	op := "Softmax"
	method := []string{
		"Method: pass 1, m = max(x) in four YMM accumulators (masked tail lanes set",
		"to -Inf); pass 2, e = exp(x-m) (Exp code inline) stored to dst and summed;",
		"pass 3, dst /= sum (a true division). A NaN in x makes the sum NaN and",
		"so every output; +Inf (or all -Inf) gives x-m = NaN likewise.",
	}
	if logOut {
		op = "LogSoftmax"
		method = []string{
			"Method: pass 1, m = max(x) in four YMM accumulators (masked tail lanes set",
			"to -Inf); pass 2, s = sum of exp(x-m) (Exp code inline); lse = log(s)",
			"(Log code inline); pass 3, dst = (x - m) - lse. NaN or +Inf in x gives",
			"NaN outputs, as the generic code.",
		}
	}
	routine(op, t, method...)
	c := newCursor(t, "x", "x", "dst")
	tail := func(label, next string, f func(m VecVirtual)) {
		asm.Label(label)
		r := asm.GP64()
		asm.MOVQ(c.n, r)
		asm.SUBQ(c.i, r)
		asm.JZ(LabelRef(next))
		f(c.mask(r))
	}

	// Pass 1: the maximum.
	var acc [4]VecVirtual
	for k := range acc {
		acc[k] = asm.YMM()
		t.movu(t.c(math.Inf(-1)), acc[k])
	}
	c.blocks("max", "max1", 4, func(k int) { t.max(c.at("x", k), acc[k], acc[k]) })
	c.blocks("max1", "maxtail", 1, func(int) { t.max(c.at("x", 0), acc[0], acc[0]) })
	tail("maxtail", "maxred", func(m VecVirtual) {
		v, ninf := c.maskedLoad("x", m), asm.YMM()
		t.movu(t.c(math.Inf(-1)), ninf)
		t.blend(m, v, ninf, v)
		t.max(v, acc[1], acc[1])
	})
	asm.Label("maxred")
	t.max(acc[1], acc[0], acc[0])
	t.max(acc[3], acc[2], acc[2])
	t.max(acc[2], acc[0], acc[0])
	mx := asm.YMM()
	t.broadcast(hmax(t, acc[0]), mx)

	// Pass 2: e = exp(x - m), stored (Softmax) and summed.
	sum := [2]VecVirtual{zero(), zero()}
	expAt := func(x VecVirtual, k int, store func(e VecVirtual)) {
		t.sub(mx, x, x)
		e := expBody(t, x, nonPos)
		store(e)
		t.add(e, sum[k], sum[k])
	}
	asm.XORQ(c.i, c.i)
	c.blocks("exp", "exp1", 2, func(k int) {
		c.prefetch(k, prefetchDist, "x", "dst")
		expAt(t.reg(c.at("x", k)), k, func(e VecVirtual) {
			if !logOut {
				t.movu(e, c.at("dst", k))
			}
		})
	})
	c.blocks("exp1", "exptail", 1, func(int) {
		expAt(t.reg(c.at("x", 0)), 0, func(e VecVirtual) {
			if !logOut {
				t.movu(e, c.at("dst", 0))
			}
		})
	})
	tail("exptail", "sum", func(m VecVirtual) {
		expAt(c.maskedLoad("x", m), 1, func(e VecVirtual) {
			t.and(m, e, e) // unselected lanes add nothing
			if !logOut {
				t.maskmov(e, m, c.at("dst", 0))
			}
		})
	})
	asm.Label("sum")
	t.add(sum[1], sum[0], sum[0])
	s := asm.YMM()
	t.broadcast(hsum(t, sum[0]), s)

	// Pass 3.
	asm.XORQ(c.i, c.i)
	var out func(in Op) VecVirtual
	if logOut {
		lse := logBody(t, s)
		out = func(in Op) VecVirtual {
			x := t.reg(in)
			t.sub(mx, x, x)
			t.sub(lse, x, x)
			return x
		}
	} else {
		out = func(in Op) VecVirtual {
			x := t.reg(in)
			t.div(s, x, x)
			return x
		}
	}
	src := "dst"
	if logOut {
		src = "x"
	}
	c.blocks("out", "out1", 4, func(k int) { t.movu(out(c.at(src, k)), c.at("dst", k)) })
	c.blocks("out1", "outtail", 1, func(int) { t.movu(out(c.at(src, 0)), c.at("dst", 0)) })
	tail("outtail", "done", func(m VecVirtual) {
		t.maskmov(out(c.maskedLoad(src, m)), m, c.at("dst", 0))
	})
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}
