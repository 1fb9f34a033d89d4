package main

import (
	"fmt"
	"math"

	"github.com/mmcloughlin/avo/attr"

	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// AVX-512 versions of Exp, Log, Tanh and Sigmoid (routines ...F32AVX512,
// ...F64AVX512): the AVX2 methods of transcend.go on 16 (float32) or 8
// (float64) lanes per ZMM register, with the AVX-512 instructions that
// shorten them:
//
//   - VRANGEPS/PD clamps |x| and sets the sign in one instruction (NaN
//     passes), where AVX2 needs VMINPS, VMAXPS and a mask;
//   - VSCALEFPS/PD multiplies by 2^n in one instruction and rounds a
//     subnormal result once, overflowing to +Inf and underflowing to 0, so
//     the AVX2 two-factor scaling and its exponent arithmetic go;
//   - VGETMANTPS/PD and VGETEXPPS/PD split x into mantissa and exponent,
//     subnormals included, and VFIXUPIMMPS/PD sets log's special values
//     (±0, x < 0, +Inf, NaN) from a table in one instruction;
//   - mask registers select lanes (VBLENDMPS) and make the tail one masked
//     load and one masked store (which do not fault on the lanes they skip).
//
// Every constant is broadcast into a register before the loops (32 ZMM
// registers hold them all); a constant that does not fit would be used as
// an embedded-broadcast memory operand ({1to16}).
//
// main calls genTranscend512 after the AVX2 routines; it also emits the
// AVX-512 Softmax and LogSoftmax of softmax512.go, which inline the exp
// and log bodies below.

// routines512 are the kernel names generated for AVX-512, each for float32
// then float64, by the function registered in gen512; their doc and
// signature are the AVX2 routine's (docs, sigs).
var routines512 = []string{"Exp", "Log", "Tanh", "Sigmoid", "Softmax", "LogSoftmax"}

var gen512 = map[string]func(t *dtype){}

// f32z and f64z are the dtypes with ZMM lane counts, for the cursor's
// block arithmetic.
var (
	f32z = &dtype{name: "F32", gotyp: "float32", size: 4, lanes: 16, shift: 2}
	f64z = &dtype{name: "F64", gotyp: "float64", size: 8, lanes: 8, shift: 3}
)

func genTranscend512() {
	for _, t := range []*dtype{f32z, f64z} {
		for _, name := range routines512 {
			gen512[name](t)
		}
	}
}

// zhoisted holds the constants of the current AVX-512 routine that were
// broadcast into ZMM registers before its loops, by key; zmapKernel
// empties it.
var zhoisted = map[string]VecVirtual{}

// zc is the constant v: its register when hoisted, otherwise a RODATA
// table whose first element the _BCST forms broadcast.
func zc(t *dtype, v float64) Op {
	if r, ok := zhoisted[t.ckey(v)]; ok {
		return r
	}
	return t.cmem(v)
}

// zbits is the integer bit pattern b (lane width of t), as zc.
func zbits(t *dtype, b uint64) Op {
	if r, ok := zhoisted[zbitsKey(t, b)]; ok {
		return r
	}
	return t.bits(b)
}

func zbitsKey(t *dtype, b uint64) string { return fmt.Sprintf("bits%d_%x", t.size, b) }

// zhoist broadcasts the constants vs into registers (once each).
func zhoist(t *dtype, vs ...float64) {
	for _, v := range vs {
		if _, ok := zhoisted[t.ckey(v)]; ok {
			continue
		}
		r := asm.ZMM()
		pick(t, asm.VBROADCASTSS, asm.VBROADCASTSD)(t.cmem(v), r)
		zhoisted[t.ckey(v)] = r
	}
}

// zhoistBits broadcasts the integer bit patterns bs into registers.
func zhoistBits(t *dtype, bs ...uint64) {
	for _, b := range bs {
		if _, ok := zhoisted[zbitsKey(t, b)]; ok {
			continue
		}
		r := asm.ZMM()
		pick(t, asm.VPBROADCASTD, asm.VPBROADCASTQ)(t.bits(b), r)
		zhoisted[zbitsKey(t, b)] = r
	}
}

// zform is one instruction in its PS and PD forms, each plain and with an
// embedded broadcast memory operand.
type zform struct{ ps, pd, psb, pdb func(...Op) }

// do emits the instruction for t, in its broadcast form when an operand is
// memory (a constant table from zc; inputs are always loaded first).
func (f zform) do(t *dtype, args ...Op) {
	bcst := false
	for _, a := range args {
		if _, ok := a.(Mem); ok {
			bcst = true
		}
	}
	switch {
	case t.single() && bcst:
		f.psb(args...)
	case t.single():
		f.ps(args...)
	case bcst:
		f.pdb(args...)
	default:
		f.pd(args...)
	}
}

var (
	zADD       = zform{asm.VADDPS, asm.VADDPD, asm.VADDPS_BCST, asm.VADDPD_BCST}
	zSUB       = zform{asm.VSUBPS, asm.VSUBPD, asm.VSUBPS_BCST, asm.VSUBPD_BCST}
	zMUL       = zform{asm.VMULPS, asm.VMULPD, asm.VMULPS_BCST, asm.VMULPD_BCST}
	zDIV       = zform{asm.VDIVPS, asm.VDIVPD, asm.VDIVPS_BCST, asm.VDIVPD_BCST}
	zFMADD213  = zform{asm.VFMADD213PS, asm.VFMADD213PD, asm.VFMADD213PS_BCST, asm.VFMADD213PD_BCST}
	zFMADD231  = zform{asm.VFMADD231PS, asm.VFMADD231PD, asm.VFMADD231PS_BCST, asm.VFMADD231PD_BCST}
	zFNMADD231 = zform{asm.VFNMADD231PS, asm.VFNMADD231PD, asm.VFNMADD231PS_BCST, asm.VFNMADD231PD_BCST}
	zFMSUB231  = zform{asm.VFMSUB231PS, asm.VFMSUB231PD, asm.VFMSUB231PS_BCST, asm.VFMSUB231PD_BCST}
	zRANGE     = zform{asm.VRANGEPS, asm.VRANGEPD, asm.VRANGEPS_BCST, asm.VRANGEPD_BCST}
	zSCALEF    = zform{asm.VSCALEFPS, asm.VSCALEFPD, asm.VSCALEFPS_BCST, asm.VSCALEFPD_BCST}
	zCMP       = zform{asm.VCMPPS, asm.VCMPPD, asm.VCMPPS_BCST, asm.VCMPPD_BCST}
	zBLENDM    = zform{asm.VBLENDMPS, asm.VBLENDMPD, asm.VBLENDMPS_BCST, asm.VBLENDMPD_BCST}
	zPOR       = zform{asm.VPORD, asm.VPORQ, asm.VPORD_BCST, asm.VPORQ_BCST}
	zPANDN     = zform{asm.VPANDND, asm.VPANDNQ, asm.VPANDND_BCST, asm.VPANDNQ_BCST} // Go order (b, a, d): d = ^a & b
	zTERNLOG   = zform{asm.VPTERNLOGD, asm.VPTERNLOGQ, asm.VPTERNLOGD_BCST, asm.VPTERNLOGQ_BCST}
	zFIXUPIMM  = zform{asm.VFIXUPIMMPS, asm.VFIXUPIMMPD, asm.VFIXUPIMMPS_BCST, asm.VFIXUPIMMPD_BCST}
	zGETMANT   = zform{asm.VGETMANTPS, asm.VGETMANTPD, asm.VGETMANTPS_BCST, asm.VGETMANTPD_BCST}
	zGETEXP    = zform{asm.VGETEXPPS, asm.VGETEXPPD, asm.VGETEXPPS_BCST, asm.VGETEXPPD_BCST}
)

// VRANGEPS/PD imm8: bits 1:0 pick the comparison, bits 3:2 the sign of
// the result. The sign "of src1" is that of the register operand, x here.
const (
	cmpGE_OQ      = 0x1D // VCMPPS/PD predicate a >= b, ordered
	rangeMinAbs   = 0b10
	rangeSignSrc1 = 0b00 << 2
)

// VPTERNLOG imm8 truth table: bit (A<<2 | B<<1 | C) of the imm8 is the
// result for those bits of A (the destination), B and C (the register
// and memory-capable sources, in Intel order).
const (
	ternlogAorBandC = 0xF8 // A | (B & C)
)

// zcopy returns a new register holding op (a register or a constant).
func zcopy(t *dtype, op Op) VecVirtual {
	r := asm.ZMM()
	if _, ok := op.(Mem); ok {
		pick(t, asm.VBROADCASTSS, asm.VBROADCASTSD)(op, r)
		return r
	}
	pick(t, asm.VMOVAPS, asm.VMOVAPD)(op, r)
	return r
}

// zhorner returns p(r) = ((c[0]*r + c[1])*r + ...)*r + c[len-1].
func zhorner(t *dtype, r Op, c ...float64) VecVirtual {
	p := zcopy(t, zc(t, c[0]))
	for _, v := range c[1:] {
		zFMADD213.do(t, zc(t, v), r, p) // p = r*p + v
	}
	return p
}

// zexp holds what the AVX-512 exp body needs for one argument range.
type zexp struct {
	t   *dtype
	rng expRange
	// rlim bounds |r| (VRANGE), which only matters when r is not the
	// reduced argument: for ±Inf (r is NaN) and for |x| so large that
	// n*ln2 is inexact. p(r) then stays positive and finite, and VSCALEF
	// by n (huge or infinite) gives +Inf or 0, as exp does.
	rlim                       float64
	magic, log2e, ln2hi, ln2lo float64
	poly                       []float64
}

// newZexp returns the exp body's constants for t and rng; hoist loads them.
func newZexp(t *dtype, rng expRange) *zexp {
	c := expConstsFor(t, rng)
	z := &zexp{t: t, rng: rng, rlim: 0.5, log2e: math.Log2E, ln2hi: c.ln2hi, ln2lo: c.ln2lo}
	z.magic = pick(t, 0x1.8p23, 0x1.8p52)
	z.poly = append([]float64{}, c.poly...)
	if rng == nonNeg {
		// exp(2a) for tanh, on a = |x|: n = round(a * 2log2e), r/2 = a -
		// n*ln2/2 (the halves are exact), and the polynomial in r/2 has
		// coefficients c_k*2^k (exact too), so every rounding is that of
		// the same computation on 2a.
		z.rlim /= 2
		z.log2e *= 2
		z.ln2hi /= 2
		z.ln2lo /= 2
		deg := len(z.poly) - 1
		for i := range z.poly {
			z.poly[i] = math.Ldexp(z.poly[i], deg-i)
		}
	}
	return z
}

func (z *zexp) hoist() { z.hoistPoly(len(z.poly)) }

// hoistPoly hoists the scalars and the first k polynomial coefficients;
// the others stay embedded-broadcast memory operands.
func (z *zexp) hoistPoly(k int) {
	zhoist(z.t, append([]float64{z.rlim, z.magic, z.log2e, z.ln2hi, z.ln2lo}, z.poly[:k]...)...)
}

// body returns exp(x) (exp(2x) for nonNeg); x is not modified.
func (z *zexp) body(x VecVirtual) VecVirtual {
	t := z.t
	s, n := zcopy(t, zc(t, z.magic)), asm.ZMM()
	zFMADD231.do(t, zc(t, z.log2e), x, s) // s = x*log2e + magic: n in the low bits
	zSUB.do(t, zc(t, z.magic), s, n)      // n = round(x*log2e); ±Inf for ±Inf, NaN for NaN
	r := zcopy(t, x)
	zFNMADD231.do(t, zc(t, z.ln2hi), n, r) // r = x - n*ln2hi (exact)
	zFNMADD231.do(t, zc(t, z.ln2lo), n, r) // r -= n*ln2lo
	zRANGE.do(t, U8(rangeMinAbs|rangeSignSrc1), zc(t, z.rlim), r, r)
	p := zhorner(t, r, z.poly...)
	zSCALEF.do(t, n, p, p) // p * 2^n, rounded once
	return p
}

func expMethod512(t *dtype) []string {
	poly := "1 + r + r²P(r), P the AVX2 routine's degree-4 Remez fit"
	if !t.single() {
		poly = "the Taylor polynomial of degree 13"
	}
	return []string{
		"Method: n = round(x*log2 e) by the magic add, with no clamp; r = x - n*ln2",
		"with ln2 split in two (FMA); r limited to ±0.5 (VRANGE; it only acts",
		"where the result is +Inf or 0 anyway: x = ±Inf, or n*ln2 inexact); " + poly,
		"(Horner, FMA); then VSCALEF by n: one rounding, +Inf on overflow,",
		"subnormals and 0 below, NaN for NaN x.",
	}
}

func init() {
	unary := func(op string, setup func(t *dtype) func(x VecVirtual) VecVirtual, method func(t *dtype) []string) {
		gen512[op] = func(t *dtype) {
			var body func(x VecVirtual) VecVirtual
			zmapKernel(zmapSpec{op: op, t: t, unroll: 2, prefetch: prefetchDist,
				method: append(method(t), measured512(op, t)...),
				setup:  func() { body = setup(t) },
				body:   func(x VecVirtual) VecVirtual { return body(x) }})
		}
	}
	signBit := func(t *dtype) uint64 { return pick[uint64](t, 1<<31, 1<<63) }

	unary("Exp", func(t *dtype) func(x VecVirtual) VecVirtual {
		z := newZexp(t, anySign)
		z.hoist()
		return z.body
	}, expMethod512)

	unary("Log", func(t *dtype) func(x VecVirtual) VecVirtual {
		if t.single() {
			zhoist(t, logPolyF32...)
			zhoist(t, -2.12194440e-4, -0.5, 0.693359375)
		} else {
			zhoist(t, logLg...)
			zhoist(t, 2, 1.90821492927058770002e-10, 6.93147180369123816490e-01)
		}
		zhoist(t, 0.5, 1, pick(t, float64(math.Float32frombits(0x3fb504f3)), math.Float64frombits(0x3ff6a09e<<32)))
		zhoistBits(t, logFixup)
		return func(x VecVirtual) VecVirtual { return logBody512(t, x) }
	}, func(t *dtype) []string {
		method := "Cephes logf polynomial f - f²/2 + f³P(f) + e*ln2 (ln2 split in two)"
		if !t.single() {
			method = "fdlibm/Go math.Log: s = f/(2+f), R(s²) with Lg1..Lg7, e*ln2 split in two"
		}
		return []string{
			"Method: x = 2^e * m by VGETEXP and VGETMANT (m in [1, 2), subnormals",
			"included); where m >= sqrt 2, m/2 and e+1 (masked), so m is in",
			"[sqrt(1/2), sqrt 2); f = m - 1; " + method + ";",
			"specials set by VFIXUPIMM from the class of x: +Inf and NaN give x,",
			"±0 gives -Inf, x < 0 gives NaN, 1 gives +0.",
		}
	})

	unary("Sigmoid", func(t *dtype) func(x VecVirtual) VecVirtual {
		z := newZexp(t, nonPos)
		z.hoist()
		zhoist(t, 1)
		zhoistBits(t, signBit(t))
		return func(x VecVirtual) VecVirtual {
			na := asm.ZMM()
			zPOR.do(t, zbits(t, signBit(t)), x, na) // -|x|
			e := z.body(na)                         // exp(-|x|)
			d, num := asm.ZMM(), asm.ZMM()
			zADD.do(t, zc(t, 1), e, d)
			neg := asm.K()
			pick(t, asm.VPMOVD2M, asm.VPMOVQ2M)(x, neg) // sign bits of x
			zBLENDM.do(t, e, zc(t, 1), neg, num)        // x < 0 ? e : 1
			zDIV.do(t, d, num, num)
			return num
		}
	}, func(t *dtype) []string {
		return []string{
			"Method: e = exp(-|x|) with the Exp code inline; dst = (x < 0 ? e : 1)/(1+e),",
			"choosing by the sign bit of x (VPMOV" + pick(t, "D", "Q") + "2M, VBLENDM), so neither tail",
			"loses precision; the division is VDIV.",
		}
	})

	unary("Tanh", func(t *dtype) func(x VecVirtual) VecVirtual {
		z := newZexp(t, nonNeg)
		if t.single() {
			z.hoist()
		} else {
			z.hoistPoly(8) // 14 Taylor coefficients and the rest do not all fit
		}
		var smallPoly []float64
		if t.single() {
			smallPoly = []float64{-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2,
				1.33314422036e-1, -3.33332819422e-1}
			zhoist(t, smallPoly...)
		} else {
			// Not hoisted: with exp's 19 constants they would not fit.
			smallPoly = []float64{-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3,
				1, 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3}
		}
		zhoist(t, 1, 0.625)
		if t.single() {
			zhoist(t, 2)
		}
		zhoistBits(t, signBit(t))
		return func(x VecVirtual) VecVirtual {
			a := asm.ZMM()
			zPANDN.do(t, x, zbits(t, signBit(t)), a) // |x|
			e := z.body(a)                           // exp(2a)
			zADD.do(t, zc(t, 1), e, e)               // exp(2a)+1
			s := asm.ZMM()
			zMUL.do(t, a, a, s) // s = a²
			var res VecVirtual
			if t.single() {
				small := asm.K()
				zCMP.do(t, U8(cmpLT_OQ), zc(t, 0.625), a, small) // a < 0.625 (not NaN)
				q := zcopy(t, zc(t, 2))
				zDIV.do(t, e, q, q) // 2/(exp(2a)+1)
				res = zcopy(t, zc(t, 1))
				zSUB.do(t, q, res, res) // 1 - 2/(exp(2a)+1)
				sm := zhorner(t, s, smallPoly...)
				zMUL.do(t, s, sm, sm)
				zFMADD213.do(t, a, a, sm) // a*(s*P(s)) + a
				zBLENDM.do(t, sm, res, small, res)
			} else {
				// One division for both branches: dst = base + num/den with
				// (a, a*s*P(s), Q(s)) for small a, (1, -2, exp(2a)+1)
				// otherwise; the same roundings as two divisions.
				p := zhorner(t, s, smallPoly[:3]...)
				qq := zhorner(t, s, smallPoly[3:]...)
				large := asm.K()
				zCMP.do(t, U8(cmpNLT_UQ), zc(t, 0.625), a, large) // not a < 0.625 (or NaN)
				num, base := asm.ZMM(), asm.ZMM()
				zMUL.do(t, a, s, num)
				zMUL.do(t, p, num, num)
				zBLENDM.do(t, zc(t, -2), num, large, num)
				zBLENDM.do(t, e, qq, large, e)
				zBLENDM.do(t, zc(t, 1), a, large, base)
				zDIV.do(t, e, num, num)
				res = base
				zADD.do(t, num, res, res)
			}
			zTERNLOG.do(t, U8(ternlogAorBandC), zbits(t, signBit(t)), x, res) // | sign of x
			return res
		}
	}, func(t *dtype) []string {
		small := "the Cephes tanhf odd polynomial"
		if !t.single() {
			small = "the Cephes (and Go math.Tanh) rational function"
		}
		return []string{
			"Method: on a = |x|: a < 0.625 uses " + small + ";",
			"otherwise 1 - 2/(exp(2a)+1) with the Exp code inline (on a, its",
			"constants scaled by powers of two); the sign of x is OR-ed back",
			"(VPTERNLOG), so tanh(-0) = -0 and NaN stays NaN.",
		}
	})
}

// logFixup is log's VFIXUPIMM table: 4 bits per class of x (QNaN, SNaN,
// ±0, +1, -Inf, +Inf, x < 0, x > 0), each naming the result: x itself
// (NaN), QNaN(x), -Inf, +0, QNaN, +Inf, QNaN, and the computed value.
const logFixup = 0x03538421

func logBody512(t *dtype, x VecVirtual) VecVirtual {
	// x = 2^e * m with m in [1, 2) (VGETMANT, VGETEXP: subnormals
	// included), then m in [sqrt(1/2), sqrt 2) by halving m and adding 1
	// to e where m >= sqrt 2, as the AVX2 routine's bit arithmetic does.
	thr := pick(t, float64(math.Float32frombits(0x3fb504f3)), math.Float64frombits(0x3ff6a09e<<32))
	m, e, f := asm.ZMM(), asm.ZMM(), asm.ZMM()
	zGETMANT.do(t, U8(0), x, m) // interval [1, 2), sign of x
	zGETEXP.do(t, x, e)
	big := asm.K()
	zCMP.do(t, U8(cmpGE_OQ), zc(t, thr), m, big)
	zMUL.do(t, zc(t, 0.5), m, big, m)
	zADD.do(t, zc(t, 1), e, big, e)
	zSUB.do(t, zc(t, 1), m, f) // f = m - 1, exact

	y := asm.ZMM()
	if t.single() {
		// Cephes logf, as the AVX2 routine.
		z := asm.ZMM()
		zMUL.do(t, f, f, z)
		p := zhorner(t, f, logPolyF32...)
		zMUL.do(t, f, p, p)
		zMUL.do(t, z, p, p)                          // f³P(f)
		zFMADD231.do(t, zc(t, -2.12194440e-4), e, p) // + e*ln2lo
		zFMADD231.do(t, zc(t, -0.5), z, p)           // - f²/2
		zADD.do(t, f, p, y)
		zFMADD231.do(t, zc(t, 0.693359375), e, y) // + e*ln2hi
	} else {
		// fdlibm, as Go's math.Log and the AVX2 routine:
		// e*Ln2Hi - ((hfsq - (s*(hfsq+R) + e*Ln2Lo)) - f).
		s, z, w, hfsq := asm.ZMM(), asm.ZMM(), asm.ZMM(), asm.ZMM()
		zADD.do(t, zc(t, 2), f, s)
		zDIV.do(t, s, f, s) // s = f/(2+f)
		zMUL.do(t, s, s, z)
		zMUL.do(t, z, z, w)
		t1 := zhorner(t, w, logLg[5], logLg[3], logLg[1])
		zMUL.do(t, w, t1, t1)
		t2 := zhorner(t, w, logLg[6], logLg[4], logLg[2], logLg[0])
		zMUL.do(t, z, t2, t2)
		zADD.do(t, t2, t1, t1) // R
		zMUL.do(t, zc(t, 0.5), f, hfsq)
		zMUL.do(t, f, hfsq, hfsq)
		zADD.do(t, hfsq, t1, t1)
		zMUL.do(t, s, t1, t1)
		zFMADD231.do(t, zc(t, 1.90821492927058770002e-10), e, t1) // s*(hfsq+R) + e*Ln2Lo
		zSUB.do(t, t1, hfsq, hfsq)
		zSUB.do(t, f, hfsq, y)
		zFMSUB231.do(t, zc(t, 6.93147180369123816490e-01), e, y) // e*Ln2Hi - y
	}
	zFIXUPIMM.do(t, U8(0), zbits(t, logFixup), x, y)
	return y
}

// logPolyF32 is Cephes logf's polynomial, highest degree first.
var logPolyF32 = []float64{7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
	-1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
	2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1}

// logLg are fdlibm's Lg1..Lg7.
var logLg = []float64{6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
	2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01}

// measured512 states the accuracy found by TestTranscendentalSweep on the
// avx512 path: float32 over all 2^32 inputs (-sweep.full) against the
// float64 function rounded to float32, float64 over its 1.6 million
// sampled inputs (random bit patterns, ordinary values, windows around the
// thresholds) against the generic twin.
func measured512(op string, t *dtype) []string {
	ulps := map[string][2]int{"Exp": {1, 2}, "Log": {1, 1}, "Tanh": {1, 2}, "Sigmoid": {2, 2}}[op]
	if t.single() {
		return []string{fmt.Sprintf("Measured: at most %d ulp from the float64 function rounded to float32, over every float32 input.", ulps[0])}
	}
	return []string{fmt.Sprintf("Measured: at most %d ulp from the generic twin over 1.6 million sampled inputs.", ulps[1])}
}

// zmapSpec is an elementwise AVX-512 kernel dst[i] = body(x[i]).
type zmapSpec struct {
	op       string
	t        *dtype // f32z or f64z
	method   []string
	unroll   int                           // ZMM blocks per iteration of the main loop
	prefetch int                           // bytes ahead to prefetch in the unrolled loops (0: none)
	setup    func()                        // runs once before the loops: constants
	body     func(x VecVirtual) VecVirtual // one ZMM of results; may overwrite x
}

// zmapKernel emits a unary elementwise kernel on ZMM registers, shaped as
// mapKernel: for outputs of ntBytes or more that do not alias x, a masked
// head that aligns dst to 64 bytes, the unrolled loop with VMOVNTPS/PD
// (one cache line per store) and SFENCE; then the unrolled loop, a
// one-ZMM loop and a masked tail (load with zeroing, store under the mask:
// no access outside the slices).
func zmapKernel(s zmapSpec) {
	t := s.t
	routineISA(s.op, "AVX512", docs[s.op], t, s.method...)
	clear(zhoisted)
	c := newCursor(t, "dst", "x", "dst")
	if s.setup != nil {
		s.setup()
	}
	at := func(name string, k int) Mem {
		return Mem{Base: c.base[name], Index: c.i, Scale: uint8(t.size), Disp: 64 * k}
	}
	step := func(store func(r, m Op), pfx, pfdst bool) func(k int) {
		return func(k int) {
			if s.prefetch > 0 && pfx {
				asm.PREFETCHT0(at("x", k).Offset(s.prefetch))
			}
			if s.prefetch > 0 && pfdst {
				asm.PREFETCHT0(at("dst", k).Offset(s.prefetch))
			}
			x := asm.ZMM()
			t.movu(at("x", k), x)
			store(s.body(x), at("dst", k))
		}
	}
	masked := func(cnt GPVirtual) {
		tab, k := asm.GP64(), asm.K()
		asm.LEAQ(maskTab16(), tab)
		asm.KMOVW(Mem{Base: tab, Index: cnt, Scale: 2}, k)
		x := asm.ZMM()
		pick(t, asm.VMOVUPS_Z, asm.VMOVUPD_Z)(at("x", 0), k, x)
		pick(t, asm.VMOVUPS, asm.VMOVUPD)(s.body(x), k, at("dst", 0))
	}

	dst := c.base["dst"]
	ntEntry(c, dst, []string{"x"}, 64, "ntloop", masked)
	c.blocks("ntloop", "ntdone", s.unroll, step(t.movnt, true, false))
	asm.Label("ntdone")
	asm.SFENCE()
	c.blocks("loop", "loop1", s.unroll, step(t.movu, true, true))
	c.blocks("loop1", "tail", 1, step(t.movu, false, false))
	asm.Label("tail")
	r := asm.GP64()
	asm.MOVQ(c.n, r)
	asm.SUBQ(c.i, r)
	asm.JZ(LabelRef("done"))
	masked(r)
	asm.Label("done")
	asm.VZEROUPPER()
	asm.RET()
}

// maskTab16 holds the 16-bit masks (1<<k)-1 for k = 0..15: the one at
// maskTab16+2k selects the first k lanes.
func maskTab16() Mem {
	if m, ok := consts["masktab16"]; ok {
		return m
	}
	m := asm.StaticGlobal("masktab16")
	asm.DataAttributes(attr.RODATA | attr.NOPTR)
	for k := 0; k < 16; k++ {
		asm.AddDatum(2*k, U16(uint16(1<<k-1)))
	}
	consts["masktab16"] = m
	return m
}
