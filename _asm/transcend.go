package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Exp, Log, Tanh and Sigmoid: branch-free polynomial approximations on
// whole YMM registers, with the special values blended in. The bodies are
// shared with Softmax and LogSoftmax.

// prefetchDist is how far ahead the transcendental loops prefetch: 32
// cache lines, measured best at n = 1M (exp 0.38 to 0.33 ns/elem).
const prefetchDist = 2048

func init() {
	unary := func(op string, body func(t *dtype, x Op) VecVirtual, method func(t *dtype) []string, setup func(t *dtype)) {
		gen[op] = func(t *dtype) {
			mapKernel(mapSpec{op: op, t: t, first: "dst", ins: []string{"x"}, out: "dst", nt: true, unroll: 2, prefetch: prefetchDist,
				setup:  func() { setup(t) },
				method: append(method(t), measured(op, t)...),
				body:   func(in []Op) VecVirtual { return body(t, in[0]) }})
		}
	}
	unary("Exp", func(t *dtype, x Op) VecVirtual { return expBody(t, x, anySign) }, func(t *dtype) []string {
		return expMethod(t)
	}, func(t *dtype) { hoistExp(t, anySign) })
	unary("Log", logBody, func(t *dtype) []string {
		if t.single() {
			return []string{
				"Method: subnormal x scaled by 2^23; x = 2^k * m with m in [sqrt(1/2), sqrt 2) by",
				"integer arithmetic on the bits; f = m-1; Cephes logf polynomial",
				"f - f²/2 + f³P(f) + k*ln2 (ln2 split in two); specials blended:",
				"+Inf and NaN give x, ±0 gives -Inf, x < 0 gives NaN.",
			}
		}
		return []string{
			"Method: subnormal x scaled by 2^54; x = 2^k * (1+f) with 1+f in [sqrt(1/2), sqrt 2)",
			"by integer arithmetic on the bits; fdlibm/Go math.Log: s = f/(2+f),",
			"R(s²) with Lg1..Lg7, k*ln2 split in two; specials blended:",
			"+Inf and NaN give x, ±0 gives -Inf, x < 0 gives NaN.",
		}
	}, func(*dtype) {})
	unary("Tanh", tanhBody, func(t *dtype) []string {
		small := "the Cephes tanhf odd polynomial"
		if !t.single() {
			small = "the Cephes (and Go math.Tanh) rational function"
		}
		return []string{
			"Method: on a = |x|: a < 0.625 uses " + small + ";",
			"otherwise 1 - 2/(exp(2a)+1) with the Exp code inline; then the sign",
			"of x is OR-ed back (so tanh(-0) = -0, NaN stays NaN).",
		}
	}, func(*dtype) {})
	unary("Sigmoid", sigmoidBody, func(t *dtype) []string {
		return []string{
			"Method: e = exp(-|x|) with the Exp code inline; dst = (x < 0 ? e : 1)/(1+e),",
			"choosing by the sign bit of x (VBLENDV), so neither tail loses precision.",
		}
	}, func(t *dtype) { hoistExp(t, nonPos) })
}

// measured states the accuracy found by exhaustive (float32: all 2^32
// inputs against the float64 function rounded to float32) and sampled
// (float64: 6.8 million inputs, random bit patterns, subnormals and dense
// windows around every threshold, against Go's pure-Go math code) sweeps.
func measured(op string, t *dtype) []string {
	ulps := map[string][2]int{"Exp": {1, 1}, "Log": {1, 1}, "Tanh": {1, 2}, "Sigmoid": {2, 2}}[op]
	if t.single() {
		return []string{fmt.Sprintf("Measured: at most %d ulp from the float64 function rounded to float32, over every float32 input.", ulps[0])}
	}
	lines := []string{fmt.Sprintf("Measured: at most %d ulp from Go's pure-Go math over 6.8 million sampled inputs.", ulps[1])}
	switch op {
	case "Exp":
		lines = append(lines, "(Go's amd64 assembly math.Exp returns +Inf for x in (709.436, 709.7827]; this routine returns the finite result.)")
	case "Log":
		lines = append(lines, "(Go's amd64 assembly math.Log is wrong for subnormal x; this routine is not.)")
	}
	return lines
}

func expMethod(t *dtype) []string {
	if t.single() {
		return []string{
			"Method: x clamped to [-110, 89] (VMINPS/VMAXPS with x as the NaN-passing",
			"operand); n = round(x*log2 e) by the 1.5*2^23 magic add; r = x - n*ln2",
			"with ln2 split in two (FMA); 1 + r + r²P(r), P a degree-4 Remez fit; then",
			"scaled by 2^(e>>1) * 2^(e-e>>1) with e = n+254, two exact power-of-two",
			"factors so subnormal results are rounded once.",
		}
	}
	return []string{
		"Method: x clamped to [-746, 710] (VMINPD/VMAXPD with x as the NaN-passing",
		"operand); n = round(x*log2 e) by the 1.5*2^52 magic add; r = x - n*ln2",
		"with ln2 split in two (FMA); Taylor polynomial of degree 13 (Horner,",
		"FMA); then scaled by 2^(e>>1) * 2^(e-e>>1) with e = n+2046, two exact",
		"power-of-two factors so subnormal results are rounded once.",
	}
}

// horner returns p(r) = ((c[0]*r + c[1])*r + ...)*r + c[len-1].
func horner(t *dtype, r Op, c ...float64) VecVirtual {
	p := asm.YMM()
	t.movu(t.c(c[0]), p)
	for _, v := range c[1:] {
		t.fmadd213(t.c(v), r, p) // p = r*p + v
	}
	return p
}

// expRange says what the caller knows of the sign of exp's argument, which
// lets the body skip a clamp and scale by 2^n more cheaply.
type expRange int

const (
	anySign expRange = iota // Exp
	nonPos                  // Sigmoid (-|x|), Softmax (x - max)
	nonNeg                  // Tanh (2|x|)
)

// expConsts are the constants of expBody for one dtype and argument range.
type expConsts struct {
	hi, lo, magic, ln2hi, ln2lo float64
	shift                       uint8
	poly                        []float64 // Horner coefficients, highest degree first
}

func expConstsFor(t *dtype, rng expRange) expConsts {
	var c expConsts
	var magic0 float64
	var bias int
	if t.single() {
		c.hi, c.lo = 89, -110
		magic0, c.shift, bias = 0x1.8p23, 23, 127
		c.ln2hi, c.ln2lo = 0.693359375, -2.12194440e-4
		// 1 + r + r²P(r) in Horner form 1 + r(1 + rP(r)), P of degree 4
		// fitted by Remez for the least relative error on |r| <= ln2/2
		// (0.07 ulp; Cephes expf needs degree 5 for the same).
		c.poly = []float64{1.3893402861e-03, 8.3702626732e-03, 4.1667090158e-02,
			1.6666506067e-01, 4.9999998131e-01, 1, 1}
	} else {
		c.hi, c.lo = 710, -746
		magic0, c.shift, bias = 0x1.8p52, 52, 1023
		c.ln2hi, c.ln2lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
		// Taylor series to degree 13: truncation below 0.05 ulp on |r| <= ln2/2.
		c.poly = make([]float64, 14)
		f := 1.0
		for k := 0; k <= 13; k++ {
			if k > 0 {
				f *= float64(k)
			}
			c.poly[13-k] = 1 / f
		}
	}
	// s = x*log2(e) + magic, rounded to an integer: s - magic = n, and the
	// low bits of s hold k = n + (magic - 1.5*2^shift), the integer used for
	// the scaling at the end.
	var k int
	switch rng {
	case anySign:
		k = 2 * bias // split in two factors, each a normal power of two
	case nonPos:
		k = bias + 64 // one factor 2^(n+64), then 2^-64
	case nonNeg:
		k = bias - 64 // one factor 2^(n-64), then 2^64
	}
	c.magic = magic0 + float64(k)
	return c
}

// hoistExp loads the float32 constants of expBody (clamp bounds, range
// reduction, polynomial: 12 registers) into registers, for a kernel's
// setup; the body needs 3 more and a masked tail 1.
func hoistExp(t *dtype, rng expRange) {
	if !t.single() {
		return // 14 Taylor coefficients do not fit beside the body
	}
	c := expConstsFor(t, rng)
	t.hoist(append([]float64{c.hi, c.lo, math.Log2E, c.magic, c.ln2hi, c.ln2lo}, c.poly...)...)
}

// expBody returns exp(x) for every lane of x (memory or register, not
// modified); NaN lanes give NaN.
func expBody(t *dtype, x Op, rng expRange) VecVirtual {
	c := expConstsFor(t, rng)
	shift := c.shift

	// Clamp so that n below fits the exponent arithmetic; MINPS/MAXPS
	// return their second (Intel) source, here x, when x is NaN.
	xc := asm.YMM()
	if rng != nonPos {
		t.movu(t.c(c.hi), xc)
		t.min(x, xc, xc)
		x = xc
	}
	if rng != nonNeg {
		l := asm.YMM()
		t.movu(t.c(c.lo), l)
		t.max(x, l, xc)
	}

	s, n := asm.YMM(), asm.YMM()
	t.movu(t.c(c.magic), s)
	t.fmadd231(t.c(math.Log2E), xc, s)
	t.sub(t.c(c.magic), s, n)
	t.fnmadd231(t.c(c.ln2hi), n, xc) // r = x - n*ln2hi (exact)
	t.fnmadd231(t.c(c.ln2lo), n, xc) // r -= n*ln2lo
	r := xc
	p := horner(t, r, c.poly...)

	a := asm.YMM()
	if rng == anySign {
		// 2^n = 2^(A-bias) * 2^(B-bias) with A = k>>1, B = k - A: the shifts
		// move A and B into the exponent field and drop the magic's bits.
		// Two exact factors, so a subnormal result is rounded once.
		b := asm.YMM()
		t.psrl(1, s, a)
		t.psub(a, s, b)
		t.psll(shift, a, a)
		t.psll(shift, b, b)
		t.mul(a, p, p)
		t.mul(b, p, p)
		return p
	}
	// 2^(n±64) is normal for the n this range allows and so is p*2^(n±64);
	// the shift moves k into the exponent field and drops the magic's bits.
	// The last multiply by 2^∓64 is the only rounding of a subnormal result.
	t.psll(shift, s, a)
	t.mul(a, p, p)
	if rng == nonPos {
		t.mul(t.c(0x1p-64), p, p)
	} else {
		t.mul(t.c(0x1p64), p, p)
	}
	return p
}

// logBody returns log(x) for every lane of x.
func logBody(t *dtype, x Op) VecVirtual {
	xr := t.reg(x)
	var (
		minNormal, scale, scaleExp  float64
		addBits, mantMask, sqrtHalf uint64
		shift                       uint8
		bias                        uint64
	)
	if t.single() {
		minNormal, scale, scaleExp = 0x1p-126, 0x1p23, 23
		addBits, mantMask, sqrtHalf = 0x3f800000-0x3f3504f3, 0x007fffff, 0x3f3504f3
		shift, bias = 23, 127
	} else {
		minNormal, scale, scaleExp = 0x1p-1022, 0x1p54, 54
		addBits, mantMask, sqrtHalf = (0x3ff00000-0x3fe6a09e)<<32, 1<<52-1, 0x3fe6a09e<<32
		shift, bias = 52, 1023
	}

	// Subnormal (and non-positive, blended away below) inputs are scaled
	// into the normal range first.
	m, xs := asm.YMM(), asm.YMM()
	t.cmp(cmpLT_OQ, t.c(minNormal), xr, m)
	t.mul(t.c(scale), xr, xs)
	t.blend(m, xs, xr, xs)

	// Adding 1 - sqrt(1/2) (as bits) carries into the exponent exactly when
	// the mantissa is at least sqrt(1/2): k = exponent field of the sum less
	// the bias, and the mantissa bits plus sqrt(1/2)'s give m in
	// [sqrt(1/2), sqrt 2).
	ix, k, f := asm.YMM(), asm.YMM(), asm.YMM()
	t.padd(t.bits(addBits), xs, ix)
	t.psrl(shift, ix, k)
	if t.single() {
		t.psub(t.bits(bias), k, k)
		asm.VCVTDQ2PS(k, k)
	} else {
		// No VCVTQQ2PD in AVX2: or the small integer into the mantissa of
		// 2^52 and subtract 2^52 + bias.
		t.or(t.bits(math.Float64bits(0x1p52)), k, k)
		t.sub(t.c(0x1p52+float64(bias)), k, k)
	}
	adj := asm.YMM()
	t.and(t.c(scaleExp), m, adj)
	t.sub(adj, k, k)
	t.and(t.bits(mantMask), ix, f)
	t.padd(t.bits(sqrtHalf), f, f)
	t.sub(t.c(1), f, f) // f = m - 1, exact

	y := asm.YMM()
	if t.single() {
		// Cephes logf.
		z := asm.YMM()
		t.mul(f, f, z)
		p := horner(t, f, 7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
			-1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
			2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)
		t.mul(f, p, p)
		t.mul(z, p, p)                        // f³P(f)
		t.fmadd231(t.c(-2.12194440e-4), k, p) // + k*ln2lo
		t.fmadd231(t.c(-0.5), z, p)           // - f²/2
		t.add(f, p, y)
		t.fmadd231(t.c(0.693359375), k, y) // + k*ln2hi
	} else {
		// fdlibm, as Go's math.Log:
		// k*Ln2Hi - ((hfsq - (s*(hfsq+R) + k*Ln2Lo)) - f).
		const (
			lg1 = 6.666666666666735130e-01
			lg2 = 3.999999999940941908e-01
			lg3 = 2.857142874366239149e-01
			lg4 = 2.222219843214978396e-01
			lg5 = 1.818357216161805012e-01
			lg6 = 1.531383769920937332e-01
			lg7 = 1.479819860511658591e-01
		)
		s, z, w, hfsq := asm.YMM(), asm.YMM(), asm.YMM(), asm.YMM()
		t.add(t.c(2), f, s)
		t.div(s, f, s) // s = f/(2+f)
		t.mul(s, s, z)
		t.mul(z, z, w)
		t1 := horner(t, w, lg6, lg4, lg2)
		t.mul(w, t1, t1)
		t2 := horner(t, w, lg7, lg5, lg3, lg1)
		t.mul(z, t2, t2)
		t.add(t2, t1, t1) // R
		t.mul(t.c(0.5), f, hfsq)
		t.mul(f, hfsq, hfsq)
		t.add(hfsq, t1, t1)
		t.mul(s, t1, t1)
		t.fmadd231(t.c(1.90821492927058770002e-10), k, t1) // s*(hfsq+R) + k*Ln2Lo
		t.sub(t1, hfsq, hfsq)
		t.sub(f, hfsq, y)
		t.fmsub231(t.c(6.93147180369123816490e-01), k, y) // k*Ln2Hi - y
	}

	// Specials: +Inf and NaN give x; x == ±0 gives -Inf; x < 0 gives NaN.
	sp, le, eq, sv := asm.YMM(), asm.YMM(), asm.YMM(), asm.YMM()
	t.cmp(cmpNLT_UQ, t.c(math.Inf(1)), xr, sp) // not(x < +Inf)
	t.blend(sp, xr, y, y)
	t.cmp(cmpLE_OQ, t.c(0), xr, le)
	t.cmp(cmpEQ_OQ, t.c(0), xr, eq)
	t.movu(t.c(math.NaN()), sv)
	t.blend(eq, t.c(math.Inf(-1)), sv, sv)
	t.blend(le, sv, y, y)
	return y
}

// tanhBody returns tanh(x) for every lane of x.
func tanhBody(t *dtype, x Op) VecVirtual {
	xr := t.reg(x)
	a := asm.YMM()
	t.and(t.absMask(), xr, a)

	// Large |x|: 1 - 2/(exp(2a)+1).
	a2 := asm.YMM()
	t.add(a, a, a2)
	e := expBody(t, a2, nonNeg)
	t.add(t.c(1), e, e)
	lg, q := asm.YMM(), asm.YMM()
	t.movu(t.c(2), q)
	t.div(e, q, q)
	t.movu(t.c(1), lg)
	t.sub(q, lg, lg)

	// Small |x|: a + a*s*P(s), s = a².
	s := asm.YMM()
	t.mul(a, a, s)
	var sm VecVirtual
	if t.single() {
		sm = horner(t, s, -5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2,
			1.33314422036e-1, -3.33332819422e-1)
		t.mul(s, sm, sm)
		t.fmadd213(a, a, sm) // a*p + a
	} else {
		p := horner(t, s, -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
		qq := horner(t, s, 1, 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)
		sm = asm.YMM()
		t.mul(a, s, sm)
		t.mul(p, sm, sm)
		t.div(qq, sm, sm)
		t.add(a, sm, sm)
	}
	m := asm.YMM()
	t.cmp(cmpLT_OQ, t.c(0.625), a, m)
	t.blend(m, sm, lg, lg)
	t.and(t.signMask(), xr, a)
	t.or(a, lg, lg)
	return lg
}

// sigmoidBody returns 1/(1+exp(-x)) for every lane of x.
func sigmoidBody(t *dtype, x Op) VecVirtual {
	xr := t.reg(x)
	na := asm.YMM()
	t.or(t.signMask(), xr, na) // -|x|
	e := expBody(t, na, nonPos)
	d, num := asm.YMM(), asm.YMM()
	t.add(t.c(1), e, d)
	t.movu(t.c(1), num)
	t.blend(xr, e, num, num) // sign of x ? e : 1
	t.div(d, num, num)
	return num
}
