package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Fused optimizer steps (kernels.SGDStep, kernels.AdamStep,
// kernels.RMSpropStep, kernels.AdagradStep): one pass over
// the parameter and its state, bit-identical to the generic loops in
// kernels/optim.go. Every product and sum is its own VMULP/VADDP (no FMA),
// the square root and divisions are VSQRTP/VDIVP (correctly rounded), in
// the generic loop's order. The scalars come rounded to T in k, the
// variant in flags (one of the values kernels' sgdArgs/adamArgs/
// rmspropArgs/adagradArgs return);
// each variant is a separate loop nest chosen once per call.
//
// main calls genOptim after the GEMM routines.

// optimRoutines are the kernel names genOptim emits (F32 and F64 each);
// like gemmRoutines they have docs and sigs entries but no gen entry.
var optimRoutines = []string{"SGDStep", "AdamStep", "RMSpropStep", "AdagradStep"}

// Flag bits and k indexes, as in kernels/optim.go and kernels/optim_rms.go
// (kernels.TestOptimABI checks that they agree).
const (
	sgdMomentum = 1 << iota
	sgdWD
	sgdInit
	sgdNesterov
	sgdFlush
)

const (
	sgdKWD = iota
	sgdKNegLR
	sgdKMom
	sgdKDamp
)

const (
	adamWD = 1 << iota
	adamDecoupled
	adamAMSGrad
	adamFlush
)

const (
	adamKB1 = iota
	adamKOmB1
	adamKB2
	adamKOmB2
	adamKBC2Sqrt
	adamKEps
	adamKNegStepSize
	adamKWD
)

const (
	rmsWD = 1 << iota
	rmsCentered
	rmsMomentum
	rmsFlush
)

const (
	rmsKAlpha = iota
	rmsKOmAlpha
	rmsKEps
	rmsKNegLR
	rmsKWD
	rmsKMom
)

const (
	adagradWD = 1 << iota
	adagradFlush
)

const (
	adagradKEps = iota
	adagradKNegCLR
	adagradKWD
)

func init() {
	docs["SGDStep"] = "one torch.optim.SGD step in place, as kernels' sgdGeneric: " +
		"k = [wd, -lr, momentum, 1-dampening] (kernels' sgdArgs: rounded to T), flags = kernels' sgdArgs bits " +
		"(1 momentum, 2 weight decay, 4 init, 8 nesterov; init and nesterov only with momentum; 16 flush). " +
		"d = grad + wd*param (with weight decay); with momentum buf = init ? d : buf*momentum + " +
		"(1-dampening)*d and d = nesterov ? d + momentum*buf : buf; param += (-lr)*d. " +
		"With flush, buf (as soon as it is computed, before d reads it) and the new param are " +
		"flushed: 0 < |x| < smallest normal gives a zero of x's sign. " +
		"Each product and sum rounded on its own (no FMA): bit-identical to the generic loop. " +
		"buf is neither read nor written without momentum (it may be empty); otherwise len(buf) >= n."
	sigs["SGDStep"] = "func(param, grad, buf []T, k [4]T, flags int)"
	docs["AdamStep"] = "one torch.optim.Adam/AdamW step in place, as kernels' adamGeneric: " +
		"k = [beta1, 1-beta1, beta2, 1-beta2, sqrt(bc2), eps, -lr/bc1, wd or decay] (kernels' adamArgs: rounded to T), " +
		"flags = kernels' adamArgs bits (1 L2 weight decay, 2 decoupled, 4 amsgrad, 8 flush). " +
		"p = param*decay (decoupled) or g = grad + wd*param (L2); m = expAvg*beta1 + (1-beta1)*g; " +
		"v = expAvgSq*beta2 + ((1-beta2)*g)*g; amsgrad: maxExpAvgSq = (v > max or v is NaN) ? v : max, " +
		"used for v; param = p + ((-lr/bc1)*m) / (sqrt(v)/sqrt(bc2) + eps). With flush, m, v, the " +
		"new max and the new param are flushed as soon as they are computed (0 < |x| < smallest " +
		"normal gives a zero of x's sign) and used flushed. Each operation rounded " +
		"on its own (no FMA; VSQRTP and VDIVP): bit-identical to the generic loop. maxExpAvgSq is " +
		"neither read nor written without amsgrad (it may be empty)."
	sigs["AdamStep"] = "func(param, grad, expAvg, expAvgSq, maxExpAvgSq []T, k [8]T, flags int)"
	docs["RMSpropStep"] = "one torch.optim.RMSprop step in place, as kernels' rmspropGeneric: " +
		"k = [alpha, 1-alpha, eps, -lr, wd, momentum] (kernels' rmspropArgs: rounded to T), " +
		"flags = kernels' rmspropArgs bits (1 weight decay, 2 centered, 4 momentum, 8 flush). " +
		"g = grad + wd*param (with weight decay); sa = squareAvg*alpha + ((1-alpha)*g)*g; " +
		"centered: ga = gradAvg*alpha + (1-alpha)*g, avg = sqrt(sa - ga*ga) + eps, else avg = sqrt(sa) + eps; " +
		"momentum: buf = momentumBuf*momentum + g/avg, param += (-lr)*buf, else param += ((-lr)*g)/avg. " +
		"With flush, sa, ga, buf and the new param are flushed as soon as they are computed " +
		"(0 < |x| < smallest normal gives a zero of x's sign) and used flushed. Each operation rounded " +
		"on its own (no FMA; VSQRTP and VDIVP): bit-identical to the generic loop. gradAvg is neither " +
		"read nor written without centered, momentumBuf without momentum (either may then be empty)."
	sigs["RMSpropStep"] = "func(param, grad, squareAvg, gradAvg, momentumBuf []T, k [6]T, flags int)"
	docs["AdagradStep"] = "one torch.optim.Adagrad step (dense gradient) in place, as kernels' adagradGeneric: " +
		"k = [eps, -clr, wd] (kernels' adagradArgs: rounded to T), flags = kernels' adagradArgs bits " +
		"(1 weight decay, 2 flush). g = grad + wd*param (with weight decay); s = stateSum + g*g; " +
		"param += ((-clr)*g)/(sqrt(s) + eps). With flush, s and the new param are flushed as soon as " +
		"they are computed (0 < |x| < smallest normal gives a zero of x's sign) and used flushed. " +
		"Each operation rounded on its own (no FMA; VSQRTP and VDIVP): bit-identical to the generic loop."
	sigs["AdagradStep"] = "func(param, grad, stateSum []T, k [3]T, flags int)"
}

// genOptim emits SGDStep, AdamStep, RMSpropStep and AdagradStep for
// float32, then for float64 (AVX2).
func genOptim() {
	for _, t := range []*dtype{f32, f64} {
		sgdStep(t)
		adamStep(t)
		rmspropStep(t)
		adagradStep(t)
	}
}

func (t *dtype) sqrt(s, d Op) { pick(t, asm.VSQRTPS, asm.VSQRTPD)(s, d) }

// optimIO gives a variant's body its operands: ld returns slice name's
// current block (a memory operand in the full-vector loops, a masked load
// in the tail; call it once per name), st stores a register there.
type optimIO struct {
	ld func(name string) Op
	st func(r VecVirtual, name string)
}

// optimVariant emits one variant's loop nest at label lp: u YMM blocks per
// iteration, then one at a time, then a masked tail; it leaves to "done".
// setup runs first (it loads the variant's constants).
func optimVariant(c *cursor, lp string, u int, setup func(), body func(io optimIO)) {
	t := c.t
	asm.Label(lp)
	setup()
	full := func(k int) {
		body(optimIO{
			ld: func(name string) Op { return c.at(name, k) },
			st: func(r VecVirtual, name string) { t.movu(r, c.at(name, k)) },
		})
	}
	if u > 1 {
		c.blocks(lp+"loop", lp+"loop1", u, full)
	}
	c.blocks(lp+"loop1", lp+"tail", 1, full)
	asm.Label(lp + "tail")
	r := asm.GP64()
	asm.MOVQ(c.n, r)
	asm.SUBQ(c.i, r)
	asm.JZ(LabelRef("done"))
	m := c.mask(r)
	body(optimIO{
		ld: func(name string) Op { return c.maskedLoad(name, m) },
		st: func(r VecVirtual, name string) { t.maskmov(r, m, c.at(name, 0)) },
	})
	asm.JMP(LabelRef("done"))
}

// dispatchFlags jumps to the label of the variant whose flags value equals
// the flags argument; the last variant is the fall-through.
func dispatchFlags(values []int, label func(v int) string) {
	flags := asm.Load(asm.Param("flags"), asm.GP64())
	for _, v := range values[:len(values)-1] {
		asm.CMPQ(flags, U8(v))
		asm.JEQ(LabelRef(label(v)))
	}
	asm.JMP(LabelRef(label(values[len(values)-1])))
}

// flusher clears the magnitude of subnormal lanes (kernels' flushSubnormal):
// |x| = x AND absMask; the lanes where |x| < smallest normal (ordered, so
// false for NaN) keep their magnitude in a second AND; XOR with x leaves
// the sign there and x elsewhere. Exact: ±0 maps to itself, NaN, ±Inf and
// normal values pass. tiny and abs are registers or RODATA tables.
type flusher struct {
	t         *dtype
	tiny, abs Op
}

func newFlusher(t *dtype, hoist bool) *flusher {
	f := &flusher{t: t, tiny: t.cmem(pick(t, 0x1p-126, 0x1p-1022)), abs: t.absMask()}
	if hoist {
		f.tiny, f.abs = t.reg(f.tiny), t.reg(f.abs)
	}
	return f
}

// flush returns x flushed in a new register (x is unchanged).
func (f *flusher) flush(x VecVirtual) VecVirtual {
	t := f.t
	a, m, out := asm.YMM(), asm.YMM(), asm.YMM()
	t.and(f.abs, x, a)            // |x|
	t.cmp(cmpLT_OQ, f.tiny, a, m) // |x| < smallest normal
	t.and(m, a, a)                // the magnitude to clear
	t.xor(a, x, out)              // x with it cleared
	return out
}

// constant broadcasts k[i] (an argument) into a YMM register.
func constant(t *dtype, i int) VecVirtual {
	b, err := asm.Param("k").Index(i).Resolve()
	if err != nil {
		panic(err)
	}
	r := asm.YMM()
	t.broadcast(b.Addr, r)
	return r
}

func sgdStep(t *dtype) {
	routine("SGDStep", t,
		"Method: one loop nest per flags value (two YMM per iteration, then one,",
		"then a masked tail); the broadcast constants of the variant in registers.")
	c := newCursor(t, "param", "param", "grad", "buf")
	var values []int
	for _, mom := range []int{0, sgdMomentum} {
		for _, wd := range []int{0, sgdWD} {
			for _, init := range []int{0, sgdInit} {
				for _, nest := range []int{0, sgdNesterov} {
					for _, fl := range []int{0, sgdFlush} {
						if mom == 0 && init|nest != 0 {
							continue
						}
						values = append(values, mom|wd|init|nest|fl)
					}
				}
			}
		}
	}
	label := func(v int) string { return fmt.Sprintf("v%d", v) }
	dispatchFlags(values, label)
	for _, v := range values {
		var wd, negLR, mom, damp VecVirtual
		var fl *flusher
		optimVariant(c, label(v), 2, func() {
			Comment(sgdVariantName(v))
			if v&sgdFlush != 0 {
				fl = newFlusher(t, true)
			}
			negLR = constant(t, sgdKNegLR)
			if v&sgdWD != 0 {
				wd = constant(t, sgdKWD)
			}
			if v&sgdMomentum != 0 {
				mom = constant(t, sgdKMom)
				if v&sgdInit == 0 {
					damp = constant(t, sgdKDamp)
				}
			}
		}, func(io optimIO) {
			p := t.reg(io.ld("param"))
			d := t.reg(io.ld("grad"))
			tmp := asm.YMM()
			if v&sgdWD != 0 {
				t.mul(p, wd, tmp) // wd*p
				t.add(tmp, d, d)  // d + wd*p
			}
			if v&sgdMomentum != 0 {
				var b VecVirtual
				if v&sgdInit != 0 {
					b = d
				} else {
					b = asm.YMM()
					t.mul(io.ld("buf"), mom, b) // buf*mom
					t.mul(d, damp, tmp)         // damp*d
					t.add(tmp, b, b)            // buf*mom + damp*d
				}
				if fl != nil {
					b = fl.flush(b) // a new register: with init, d stays
				}
				io.st(b, "buf")
				if v&sgdNesterov != 0 {
					t.mul(b, mom, tmp) // mom*b
					t.add(tmp, d, d)   // d + mom*b
				} else {
					d = b
				}
			}
			t.mul(d, negLR, tmp) // (-lr)*d
			t.add(tmp, p, p)     // p + (-lr)*d
			if fl != nil {
				p = fl.flush(p)
			}
			io.st(p, "param")
		})
	}
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

func sgdVariantName(v int) string {
	s := "Variant: momentum 0"
	if v&sgdMomentum != 0 {
		s = "Variant: momentum"
		if v&sgdInit != 0 {
			s += ", init"
		}
		if v&sgdNesterov != 0 {
			s += ", nesterov"
		}
	}
	if v&sgdWD != 0 {
		s += ", weight decay"
	}
	if v&sgdFlush != 0 {
		s += ", flush subnormals"
	}
	return s + "."
}

func adamStep(t *dtype) {
	routine("AdamStep", t,
		"Method: one loop nest per flags value (one YMM per iteration, then a",
		"masked tail; the VSQRTP and two VDIVP per vector bound the loop); the",
		"broadcast constants of the variant in registers. The AMSGrad maximum is",
		"VMAXP(v, max) (v > max ? v : max) then VBLENDVP of v where v is NaN.")
	c := newCursor(t, "param", "param", "grad", "expAvg", "expAvgSq", "maxExpAvgSq")
	var values []int
	for _, ams := range []int{0, adamAMSGrad} {
		for _, wd := range []int{0, adamWD, adamDecoupled} {
			for _, fl := range []int{0, adamFlush} {
				values = append(values, wd|ams|fl)
			}
		}
	}
	label := func(v int) string { return fmt.Sprintf("v%d", v) }
	dispatchFlags(values, label)
	for _, v := range values {
		var b1, omb1, b2, omb2, bc2Sqrt, eps, negStep, wd VecVirtual
		var fl *flusher
		optimVariant(c, label(v), 1, func() {
			Comment(adamVariantName(v))
			if v&adamFlush != 0 {
				fl = newFlusher(t, false) // memory operands: the registers are taken
			}
			b1, omb1 = constant(t, adamKB1), constant(t, adamKOmB1)
			b2, omb2 = constant(t, adamKB2), constant(t, adamKOmB2)
			bc2Sqrt, eps = constant(t, adamKBC2Sqrt), constant(t, adamKEps)
			negStep = constant(t, adamKNegStepSize)
			if v&(adamWD|adamDecoupled) != 0 {
				wd = constant(t, adamKWD)
			}
		}, func(io optimIO) {
			p := t.reg(io.ld("param"))
			g := t.reg(io.ld("grad"))
			tmp := asm.YMM()
			switch {
			case v&adamDecoupled != 0:
				t.mul(wd, p, p) // p*decay
			case v&adamWD != 0:
				t.mul(p, wd, tmp) // wd*p
				t.add(tmp, g, g)  // g + wd*p
			}
			m := asm.YMM()
			t.mul(io.ld("expAvg"), b1, m) // expAvg*b1
			t.mul(g, omb1, tmp)           // omb1*g
			t.add(tmp, m, m)              // expAvg*b1 + omb1*g
			if fl != nil {
				m = fl.flush(m)
			}
			io.st(m, "expAvg")
			vv := asm.YMM()
			t.mul(io.ld("expAvgSq"), b2, vv) // expAvgSq*b2
			t.mul(g, omb2, tmp)              // omb2*g
			t.mul(g, tmp, tmp)               // (omb2*g)*g
			t.add(tmp, vv, vv)               // expAvgSq*b2 + (omb2*g)*g
			if fl != nil {
				vv = fl.flush(vv)
			}
			io.st(vv, "expAvgSq")
			if v&adamAMSGrad != 0 {
				mx, nan := asm.YMM(), asm.YMM()
				t.max(io.ld("maxExpAvgSq"), vv, mx) // v > max ? v : max
				t.cmp(cmpUNORD, vv, vv, nan)        // v is NaN
				t.blend(nan, vv, mx, mx)            // NaN v wins
				if fl != nil {
					mx = fl.flush(mx)
				}
				io.st(mx, "maxExpAvgSq")
				vv = mx
			}
			den := asm.YMM()
			t.sqrt(vv, den)          // sqrt(v)
			t.div(bc2Sqrt, den, den) // sqrt(v)/bc2Sqrt
			t.add(eps, den, den)     // + eps
			t.mul(m, negStep, tmp)   // (-stepSize)*m
			t.div(den, tmp, tmp)     // ((-stepSize)*m)/denom
			t.add(tmp, p, p)         // p + ...
			if fl != nil {
				p = fl.flush(p)
			}
			io.st(p, "param")
		})
	}
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

func adamVariantName(v int) string {
	s := "Variant: no weight decay"
	switch {
	case v&adamDecoupled != 0:
		s = "Variant: decoupled weight decay (AdamW)"
	case v&adamWD != 0:
		s = "Variant: L2 weight decay"
	}
	if v&adamAMSGrad != 0 {
		s += ", amsgrad"
	}
	if v&adamFlush != 0 {
		s += ", flush subnormals"
	}
	return s + "."
}

func rmspropStep(t *dtype) {
	routine("RMSpropStep", t,
		"Method: one loop nest per flags value (one YMM per iteration, then a",
		"masked tail; the VSQRTP and VDIVP per vector bound the loop); the",
		"broadcast constants of the variant, and with flush the two flush",
		"masks, in registers.")
	c := newCursor(t, "param", "param", "grad", "squareAvg", "gradAvg", "momentumBuf")
	var values []int
	for _, mom := range []int{0, rmsMomentum} {
		for _, cen := range []int{0, rmsCentered} {
			for _, wd := range []int{0, rmsWD} {
				for _, fl := range []int{0, rmsFlush} {
					values = append(values, wd|cen|mom|fl)
				}
			}
		}
	}
	label := func(v int) string { return fmt.Sprintf("v%d", v) }
	dispatchFlags(values, label)
	for _, v := range values {
		var alpha, omAlpha, eps, negLR, wd, mom VecVirtual
		var fl *flusher
		optimVariant(c, label(v), 1, func() {
			Comment(rmspropVariantName(v))
			if v&rmsFlush != 0 {
				fl = newFlusher(t, true)
			}
			alpha, omAlpha = constant(t, rmsKAlpha), constant(t, rmsKOmAlpha)
			eps, negLR = constant(t, rmsKEps), constant(t, rmsKNegLR)
			if v&rmsWD != 0 {
				wd = constant(t, rmsKWD)
			}
			if v&rmsMomentum != 0 {
				mom = constant(t, rmsKMom)
			}
		}, func(io optimIO) {
			p := t.reg(io.ld("param"))
			g := t.reg(io.ld("grad"))
			tmp := asm.YMM()
			if v&rmsWD != 0 {
				t.mul(p, wd, tmp) // wd*p
				t.add(tmp, g, g)  // g + wd*p
			}
			sa := asm.YMM()
			t.mul(io.ld("squareAvg"), alpha, sa) // squareAvg*alpha
			t.mul(g, omAlpha, tmp)               // (1-alpha)*g
			t.mul(g, tmp, tmp)                   // ((1-alpha)*g)*g
			t.add(tmp, sa, sa)                   // squareAvg*alpha + ((1-alpha)*g)*g
			if fl != nil {
				sa = fl.flush(sa)
			}
			io.st(sa, "squareAvg")
			avg := asm.YMM()
			if v&rmsCentered != 0 {
				ga := asm.YMM()
				t.mul(io.ld("gradAvg"), alpha, ga) // gradAvg*alpha
				t.mul(g, omAlpha, tmp)             // (1-alpha)*g
				t.add(tmp, ga, ga)                 // gradAvg*alpha + (1-alpha)*g
				if fl != nil {
					ga = fl.flush(ga)
				}
				io.st(ga, "gradAvg")
				t.mul(ga, ga, tmp)  // ga*ga
				t.sub(tmp, sa, avg) // sa - ga*ga
				t.sqrt(avg, avg)    // sqrt(sa - ga*ga)
			} else {
				t.sqrt(sa, avg) // sqrt(sa)
			}
			t.add(eps, avg, avg) // + eps
			if v&rmsMomentum != 0 {
				b := asm.YMM()
				t.mul(io.ld("momentumBuf"), mom, b) // momentumBuf*momentum
				t.div(avg, g, tmp)                  // g/avg
				t.add(tmp, b, b)                    // momentumBuf*momentum + g/avg
				if fl != nil {
					b = fl.flush(b)
				}
				io.st(b, "momentumBuf")
				t.mul(b, negLR, tmp) // (-lr)*buf
			} else {
				t.mul(g, negLR, tmp) // (-lr)*g
				t.div(avg, tmp, tmp) // ((-lr)*g)/avg
			}
			t.add(tmp, p, p) // p + ...
			if fl != nil {
				p = fl.flush(p)
			}
			io.st(p, "param")
		})
	}
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

func rmspropVariantName(v int) string {
	s := "Variant: plain"
	if v&rmsCentered != 0 {
		s = "Variant: centered"
	}
	if v&rmsMomentum != 0 {
		s += ", momentum"
	}
	if v&rmsWD != 0 {
		s += ", weight decay"
	}
	if v&rmsFlush != 0 {
		s += ", flush subnormals"
	}
	return s + "."
}

func adagradStep(t *dtype) {
	routine("AdagradStep", t,
		"Method: one loop nest per flags value (two YMM per iteration, then one,",
		"then a masked tail; the VSQRTP and VDIVP per vector bound the loop);",
		"the broadcast constants of the variant, and with flush the two flush",
		"masks, in registers.")
	c := newCursor(t, "param", "param", "grad", "stateSum")
	var values []int
	for _, wd := range []int{0, adagradWD} {
		for _, fl := range []int{0, adagradFlush} {
			values = append(values, wd|fl)
		}
	}
	label := func(v int) string { return fmt.Sprintf("v%d", v) }
	dispatchFlags(values, label)
	for _, v := range values {
		var eps, negCLR, wd VecVirtual
		var fl *flusher
		optimVariant(c, label(v), 2, func() {
			Comment(adagradVariantName(v))
			if v&adagradFlush != 0 {
				fl = newFlusher(t, true)
			}
			eps, negCLR = constant(t, adagradKEps), constant(t, adagradKNegCLR)
			if v&adagradWD != 0 {
				wd = constant(t, adagradKWD)
			}
		}, func(io optimIO) {
			p := t.reg(io.ld("param"))
			g := t.reg(io.ld("grad"))
			tmp := asm.YMM()
			if v&adagradWD != 0 {
				t.mul(p, wd, tmp) // wd*p
				t.add(tmp, g, g)  // g + wd*p
			}
			s := asm.YMM()
			t.mul(g, g, tmp)                 // g*g
			t.add(io.ld("stateSum"), tmp, s) // stateSum + g*g
			if fl != nil {
				s = fl.flush(s)
			}
			io.st(s, "stateSum")
			std := asm.YMM()
			t.sqrt(s, std)        // sqrt(s)
			t.add(eps, std, std)  // + eps
			t.mul(g, negCLR, tmp) // (-clr)*g
			t.div(std, tmp, tmp)  // ((-clr)*g)/std
			t.add(tmp, p, p)      // p + ...
			if fl != nil {
				p = fl.flush(p)
			}
			io.st(p, "param")
		})
	}
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

func adagradVariantName(v int) string {
	s := "Variant: no weight decay"
	if v&adagradWD != 0 {
		s = "Variant: weight decay"
	}
	if v&adagradFlush != 0 {
		s += ", flush subnormals"
	}
	return s + "."
}
