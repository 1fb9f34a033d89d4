package main

import (
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Elementwise arithmetic, Fill and the ReLU family: exact operations, one
// or two instructions per YMM, memory-bound for all but small n.

func init() {
	// dst = a op b; op(b, a, d) computes d = a op b.
	binary := map[string]func(t *dtype) func(b, a, d Op){
		"Add": func(t *dtype) func(b, a, d Op) { return t.add },
		"Sub": func(t *dtype) func(b, a, d Op) { return t.sub },
		"Mul": func(t *dtype) func(b, a, d Op) { return t.mul },
		"Div": func(t *dtype) func(b, a, d Op) { return t.div },
	}
	for name, op := range binary {
		gen[name] = func(t *dtype) {
			f := op(t)
			mapKernel(mapSpec{op: name, t: t, first: "dst", ins: []string{"a", "b"}, out: "dst", nt: true,
				body: func(in []Op) VecVirtual {
					a, d := t.reg(in[0]), asm.YMM()
					f(in[1], a, d)
					return d
				}})
		}
		gen[name+"Scalar"] = func(t *dtype) {
			f := op(t)
			var s VecVirtual
			mapKernel(mapSpec{op: name + "Scalar", t: t, first: "dst", ins: []string{"a"}, out: "dst", nt: true,
				setup: func() { s = broadcastParam(t, "s") },
				body: func(in []Op) VecVirtual {
					a, d := t.reg(in[0]), asm.YMM()
					f(s, a, d)
					return d
				}})
		}
	}

	gen["Axpy"] = func(t *dtype) {
		var alpha VecVirtual
		mapKernel(mapSpec{op: "Axpy", t: t, first: "x", ins: []string{"x", "y"}, out: "y",
			setup: func() { alpha = broadcastParam(t, "alpha") },
			body: func(in []Op) VecVirtual {
				y := t.reg(in[1])
				t.fmadd231(in[0], alpha, y) // y = alpha*x + y, one rounding
				return y
			}})
	}
	gen["Scale"] = func(t *dtype) {
		var alpha VecVirtual
		mapKernel(mapSpec{op: "Scale", t: t, first: "x", ins: []string{"x"}, out: "x",
			setup: func() { alpha = broadcastParam(t, "alpha") },
			body: func(in []Op) VecVirtual {
				d := asm.YMM()
				t.mul(in[0], alpha, d)
				return d
			}})
	}
	gen["Fill"] = func(t *dtype) {
		var v VecVirtual
		mapKernel(mapSpec{op: "Fill", t: t, first: "dst", out: "dst", nt: true,
			setup: func() { v = broadcastParam(t, "v") },
			body:  func([]Op) VecVirtual { return v }})
	}

	// Relu keeps x unless x < 0: the mask "not (0 > x)" holds for x >= 0,
	// -0 and NaN (unordered).
	gen["Relu"] = func(t *dtype) {
		var z VecVirtual
		mapKernel(mapSpec{op: "Relu", t: t, first: "dst", ins: []string{"x"}, out: "dst", nt: true,
			method: []string{"Method: mask = VCMPPS NGT_UQ (not 0 > x: x >= 0, -0 or NaN), dst = x AND mask."},
			setup:  func() { z = zero() },
			body: func(in []Op) VecVirtual {
				m, d := asm.YMM(), asm.YMM()
				t.cmp(cmpNGT_UQ, in[0], z, m)
				t.and(in[0], m, d)
				return d
			}})
	}
	gen["ReluBackward"] = func(t *dtype) {
		var z VecVirtual
		mapKernel(mapSpec{op: "ReluBackward", t: t, first: "dst", ins: []string{"grad", "x"}, out: "dst", nt: true,
			method: []string{"Method: mask = VCMPPS NGE_UQ (not 0 >= x), dst = grad AND mask."},
			setup:  func() { z = zero() },
			body: func(in []Op) VecVirtual {
				m, d := asm.YMM(), asm.YMM()
				t.cmp(cmpNGE_UQ, in[1], z, m)
				t.and(in[0], m, d)
				return d
			}})
	}
	gen["LeakyRelu"] = func(t *dtype) {
		var z, slope VecVirtual
		mapKernel(mapSpec{op: "LeakyRelu", t: t, first: "dst", ins: []string{"x"}, out: "dst", nt: true,
			method: []string{"Method: mask = 0 < x (ordered), dst = mask ? x : x*slope (VBLENDV)."},
			setup:  func() { z, slope = zero(), broadcastParam(t, "slope") },
			body: func(in []Op) VecVirtual {
				m, p := asm.YMM(), asm.YMM()
				t.cmp(cmpLT_OQ, in[0], z, m)
				t.mul(in[0], slope, p)
				t.blend(m, in[0], p, p)
				return p
			}})
	}
	gen["LeakyReluBackward"] = func(t *dtype) {
		var z, slope VecVirtual
		mapKernel(mapSpec{op: "LeakyReluBackward", t: t, first: "dst", ins: []string{"grad", "x"}, out: "dst", nt: true,
			method: []string{"Method: mask = 0 < x (ordered), dst = mask ? grad : grad*slope (VBLENDV)."},
			setup:  func() { z, slope = zero(), broadcastParam(t, "slope") },
			body: func(in []Op) VecVirtual {
				m, p := asm.YMM(), asm.YMM()
				t.cmp(cmpLT_OQ, in[1], z, m)
				t.mul(in[0], slope, p)
				t.blend(m, in[0], p, p)
				return p
			}})
	}
}
