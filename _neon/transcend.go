package main

import "math"

// Exp, Log, Tanh and Sigmoid: branch-free polynomial approximations on
// whole vectors with the special values selected in at the end. The
// bodies are shared with Softmax and LogSoftmax.

// expConsts are the constants of the exp body.
type expConsts struct {
	lo, hi, one, two, bias V // splats (two: float64 only)
	log2e, c1, c2          Lane
	p                      []Lane
}

func newExpConsts(p *pool) *expConsts {
	t := p.t
	c := &expConsts{}
	if t.single() {
		// Cephes expf: ln2 = C1 + C2 with C1 exact in 9 bits.
		c.lo, c.hi = p.splatF(-110), p.splatF(89)
		c.one = p.splatF(1)
		c.bias = p.splat(127)
		c.log2e = p.laneF(math.Log2E)
		c.c1 = p.laneF(0.693359375)
		c.c2 = p.laneF(-2.12194440e-4)
		for _, v := range []float64{1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3,
			4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1} {
			c.p = append(c.p, p.laneF(v))
		}
		return c
	}
	// fdlibm / Go math.Exp: ln2 = Ln2Hi + Ln2Lo, Remez P1..P5.
	c.lo, c.hi = p.splatF(-746), p.splatF(710)
	c.one, c.two = p.splatF(1), p.splatF(2)
	c.bias = p.splat(1023)
	c.log2e = p.laneF(math.Log2E)
	c.c1 = p.laneF(6.93147180369123816490e-01)
	c.c2 = p.laneF(1.90821492927058770002e-10)
	for _, v := range []float64{1.66666666666666657415e-01, -2.77777777770155933842e-03,
		6.61375632143793436117e-05, -1.65339022054652515390e-06, 4.13813679705723846039e-08} {
		c.p = append(c.p, p.laneF(v))
	}
	return c
}

// expTemps is the scratch registers expBody needs.
func expTemps(t *dtype) int {
	if t.single() {
		return 5
	}
	return 6
}

// expBody sets x = exp(x) using tmp[0:6].
//
// float32: x clamped to [-110, 89] (FMAX/FMIN keep NaN); n = nearest
// integer to x*log2(e); r = x - n*C1 - n*C2; Cephes polynomial
// 1 + r + r²P(r); times 2^(n>>1) and 2^(n-(n>>1)) built in the exponent
// field, so that only the last product rounds (into the subnormals or to
// +Inf). float64: x clamped to [-746, 710]; hi = x - k*Ln2Hi, lo = k*Ln2Lo,
// r = hi - lo, c = r - r²P(r²), y = 1 - ((lo - r*c/(2-c)) - hi) as in Go's
// math.Exp, then the same two-step scaling.
func expBody(g *gen, t *dtype, c *expConsts, x V, tmp []V) {
	g.f3(t, "FMAX", x, x, c.lo)
	g.f3(t, "FMIN", x, x, c.hi)
	if t.single() {
		n, f, z, a, b := tmp[0], tmp[1], tmp[2], tmp[3], tmp[4]
		g.fe(t, "FMUL", n, x, c.log2e)
		g.f2(t, "FCVTNS", n, n)
		g.f2(t, "SCVTF", f, n)
		g.fe(t, "FMLS", x, f, c.c1)
		g.fe(t, "FMLS", x, f, c.c2) // x = r
		g.f3(t, "FMUL", z, x, x)
		// Horner: a = p0*r + p1, then b = a*r + p2, ...
		g.dup(t, a, c.p[1])
		g.fe(t, "FMLA", a, x, c.p[0])
		for k := 2; k < len(c.p); k++ {
			g.dup(t, b, c.p[k])
			g.fmla(t, b, a, x)
			a, b = b, a
		}
		g.f3(t, "FADD", f, x, c.one)
		g.fmla(t, f, a, z) // y = 1 + r + r²P(r)
		scale2(g, t, c, x, f, n, z)
		return
	}
	k, r, lo, tt, a, b := tmp[0], tmp[1], tmp[2], tmp[3], tmp[4], tmp[5]
	g.fe(t, "FMUL", k, x, c.log2e)
	g.f2(t, "FCVTNS", k, k)
	g.f2(t, "SCVTF", r, k)
	g.fe(t, "FMLS", x, r, c.c1) // x = hi (exact)
	g.fe(t, "FMUL", lo, r, c.c2)
	g.f3(t, "FSUB", r, x, lo)
	g.f3(t, "FMUL", tt, r, r)
	g.dup(t, a, c.p[3])
	g.fe(t, "FMLA", a, tt, c.p[4])
	for i := 2; i >= 0; i-- {
		g.dup(t, b, c.p[i])
		g.fmla(t, b, a, tt)
		a, b = b, a
	}
	g.mov(b, r)
	g.fmls(t, b, a, tt)          // c = r - t*P
	g.f3(t, "FMUL", a, r, b)     // r*c
	g.f3(t, "FSUB", b, c.two, b) // 2-c
	g.f3(t, "FDIV", a, a, b)
	g.f3(t, "FSUB", a, lo, a)
	g.f3(t, "FSUB", a, a, x)
	g.f3(t, "FSUB", a, c.one, a) // y
	scale2(g, t, c, x, a, k, tt)
}

// scale2 sets x = y * 2^n, n an integer in lanes, as y*2^(n>>1)*2^(n-(n>>1));
// n and s are clobbered.
func scale2(g *gen, t *dtype, c *expConsts, x, y, n, s V) {
	mant := uint32(23)
	if !t.single() {
		mant = 52
	}
	g.sh(t, "SSHR", s, n, 1)
	g.i3(t, "SUB", n, n, s)
	g.i3(t, "ADD", s, s, c.bias)
	g.sh(t, "SHL", s, s, mant)
	g.i3(t, "ADD", n, n, c.bias)
	g.sh(t, "SHL", n, n, mant)
	g.f3(t, "FMUL", y, y, s)
	g.f3(t, "FMUL", x, y, n)
}

// logConsts are the constants of the log body.
type logConsts struct {
	minNorm, adj, offs, bias, one, two, inf, negInf V // splats (two: float64 only)
	scale, half, ln2hi, ln2lo                       Lane
	p                                               []Lane
}

func newLogConsts(p *pool) *logConsts {
	t := p.t
	c := &logConsts{}
	if t.single() {
		c.minNorm = p.splatF(0x1p-126)
		c.adj = p.splatF(23)
		c.offs = p.splat(0x3f800000 - 0x3f3504f3) // 1 - sqrt(1/2) in the bits
		c.bias = p.splat(127)
		c.one = p.splatF(1)
		c.inf, c.negInf = p.splatF(math.Inf(1)), p.splatF(math.Inf(-1))
		c.scale = p.laneF(0x1p23)
		c.half = p.laneF(0.5)
		c.ln2hi = p.laneF(0.693359375)
		c.ln2lo = p.laneF(-2.12194440e-4)
		for _, v := range []float64{7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
			-1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1,
			-2.4999993993e-1, 3.3333331174e-1} {
			c.p = append(c.p, p.laneF(v))
		}
		return c
	}
	c.minNorm = p.splatF(0x1p-1022)
	c.adj = p.splatF(54)
	c.offs = p.splat(0x3ff0000000000000 - 0x3fe6a09e667f3bcd)
	c.bias = p.splat(1023)
	c.one, c.two = p.splatF(1), p.splatF(2)
	c.inf, c.negInf = p.splatF(math.Inf(1)), p.splatF(math.Inf(-1))
	c.scale = p.laneF(0x1p54)
	c.half = p.laneF(0.5)
	c.ln2hi = p.laneF(6.93147180369123816490e-01)
	c.ln2lo = p.laneF(1.90821492927058770002e-10)
	for _, v := range []float64{6.666666666666735130e-01, 3.999999999940941908e-01,
		2.857142874366239149e-01, 2.222219843214978396e-01, 1.818357216161805012e-01,
		1.531383769920937332e-01, 1.479819860511658591e-01} {
		c.p = append(c.p, p.laneF(v)) // L1..L7
	}
	return c
}

func logTemps(t *dtype) int {
	if t.single() {
		return 7
	}
	return 8
}

// logBody sets x = log(x) using tmp.
//
// Subnormal x is first scaled by 2^23 (2^54) and the exponent corrected;
// then, on the bits, k = exponent of x*sqrt(2) and m = x/2^k in
// [sqrt(1/2), sqrt 2). float32: Cephes logf, f = m-1,
// f - f²/2 + f³P(f) + k*ln2 with ln2 in two parts. float64: Go's math.Log
// (fdlibm): s = f/(2+f), R from Lg1..Lg7,
// k*Ln2Hi - ((f²/2 - (s*(f²/2+R) + k*Ln2Lo)) - f). Then x < 0 gives NaN,
// ±0 gives -Inf, +Inf and NaN give x.
func logBody(g *gen, t *dtype, c *logConsts, x V, tmp []V) {
	mant := uint32(23)
	if !t.single() {
		mant = 52
	}
	xs, m, k, f, kf := tmp[0], tmp[1], tmp[2], tmp[3], tmp[4]
	g.f3(t, "FCMGT", m, c.minNorm, x) // x < smallest normal
	g.fe(t, "FMUL", xs, x, c.scale)
	g.l3("BIF", xs, x, m) // xs = scaled where m, else x
	g.l3("AND", m, m, c.adj)
	g.i3(t, "ADD", k, xs, c.offs)
	g.sh(t, "SSHR", k, k, mant)
	g.i3(t, "SUB", k, k, c.bias) // k
	g.sh(t, "SHL", f, k, mant)
	g.i3(t, "SUB", xs, xs, f) // m in [sqrt(1/2), sqrt 2)
	g.f2(t, "SCVTF", kf, k)
	g.f3(t, "FSUB", kf, kf, m) // k, corrected for the scaling
	g.f3(t, "FSUB", f, xs, c.one)
	var y V
	if t.single() {
		z, a, b := tmp[5], k, tmp[6]
		g.f3(t, "FMUL", z, f, f)
		g.dup(t, a, c.p[1])
		g.fe(t, "FMLA", a, f, c.p[0])
		for i := 2; i < len(c.p); i++ {
			g.dup(t, b, c.p[i])
			g.fmla(t, b, a, f)
			a, b = b, a
		}
		g.f3(t, "FMUL", a, a, f)
		g.f3(t, "FMUL", a, a, z) // f³P(f)
		g.fe(t, "FMLA", a, kf, c.ln2lo)
		g.fe(t, "FMLS", a, z, c.half)
		g.f3(t, "FADD", a, f, a)
		g.fe(t, "FMLA", a, kf, c.ln2hi)
		y = a
	} else {
		s, s2, s4, a, b, cc := xs, m, k, tmp[5], tmp[6], tmp[7]
		g.f3(t, "FADD", s, f, c.two)
		g.f3(t, "FDIV", s, f, s) // s = f/(2+f)
		g.f3(t, "FMUL", s2, s, s)
		g.f3(t, "FMUL", s4, s2, s2)
		L := c.p // L[0] is Lg1
		g.dup(t, a, L[4])
		g.fe(t, "FMLA", a, s4, L[6]) // Lg5 + s4*Lg7
		g.dup(t, b, L[2])
		g.fmla(t, b, a, s4)
		g.dup(t, a, L[0])
		g.fmla(t, a, b, s4)
		g.f3(t, "FMUL", a, a, s2) // t1
		g.dup(t, b, L[3])
		g.fe(t, "FMLA", b, s4, L[5]) // Lg4 + s4*Lg6
		g.dup(t, cc, L[1])
		g.fmla(t, cc, b, s4)
		g.f3(t, "FMUL", cc, cc, s4) // t2
		g.f3(t, "FADD", a, a, cc)   // R
		h := s2
		g.f3(t, "FMUL", h, f, f)
		g.fe(t, "FMUL", h, h, c.half) // hfsq
		g.f3(t, "FADD", cc, h, a)     // hfsq + R
		g.fe(t, "FMUL", b, kf, c.ln2lo)
		g.fmla(t, b, s, cc) // s*(hfsq+R) + k*Ln2Lo
		g.f3(t, "FSUB", h, h, b)
		g.f3(t, "FSUB", h, h, f)
		g.fe(t, "FMUL", b, kf, c.ln2hi)
		g.f3(t, "FSUB", b, b, h)
		y = b
	}
	g.f2(t, "FCMLT0", m, x)
	g.l3("ORR", y, y, m) // x < 0: NaN (all ones)
	g.f2(t, "FCMEQ0", m, x)
	g.l3("BIT", y, c.negInf, m) // ±0: -Inf
	g.f3(t, "FCMGT", m, c.inf, x)
	g.l3("BIT", x, y, m) // +Inf and NaN stay x
}

// tanhConsts adds the constants of the tanh body to those of exp.
type tanhConsts struct {
	e            *expConsts
	thresh, sign V
	two, one, q0 V
	p, q         []Lane
	rational     bool
}

func newTanhConsts(p *pool) *tanhConsts {
	t := p.t
	c := &tanhConsts{e: newExpConsts(p)}
	c.one = c.e.one
	c.two = p.splatF(2)
	c.thresh = p.splatF(0.625)
	c.sign = p.splat(signBit(t))
	if t.single() {
		for _, v := range []float64{-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2,
			1.33314422036e-1, -3.33332819422e-1} {
			c.p = append(c.p, p.laneF(v))
		}
		return c
	}
	c.rational = true
	for _, v := range []float64{-9.64399179425052238628e-1, -9.92877231001918586564e1,
		-1.61468768441708447952e3} {
		c.p = append(c.p, p.laneF(v))
	}
	c.q0 = p.splatF(1.12811678491632931402e2)
	for _, v := range []float64{2.23548839060100448583e3, 4.84406305325125486048e3} {
		c.q = append(c.q, p.laneF(v))
	}
	return c
}

func signBit(t *dtype) uint64 {
	if t.single() {
		return 1 << 31
	}
	return 1 << 63
}

func tanhTemps(t *dtype) int { return 2 + expTemps(t) }

// tanhBody sets x = tanh(x) using tmp: on a = |x|, a < 0.625 uses the
// Cephes odd polynomial (float32) or rational function (float64, as Go's
// math.Tanh), otherwise 1 - 2/(exp(2a)+1) with the exp body inline; then
// the sign bit of x is put back (tanh(-0) = -0, NaN stays NaN, ±Inf
// gives ±1).
func tanhBody(g *gen, t *dtype, c *tanhConsts, x V, tmp []V) {
	a, e, et := tmp[0], tmp[1], tmp[2:]
	g.f2(t, "FABS", a, x)
	g.f3(t, "FADD", e, a, a)
	expBody(g, t, c.e, e, et)
	g.f3(t, "FADD", e, e, c.one)
	g.f3(t, "FDIV", e, c.two, e)
	g.f3(t, "FSUB", e, c.one, e) // 1 - 2/(exp(2a)+1)
	z, p, q, s := et[0], et[1], et[2], et[3]
	g.f3(t, "FMUL", z, x, x)
	if !c.rational {
		g.dup(t, p, c.p[1])
		g.fe(t, "FMLA", p, z, c.p[0])
		for i := 2; i < len(c.p); i++ {
			g.dup(t, q, c.p[i])
			g.fmla(t, q, p, z)
			p, q = q, p
		}
		g.f3(t, "FMUL", p, p, z)
	} else {
		g.dup(t, p, c.p[1])
		g.fe(t, "FMLA", p, z, c.p[0])
		g.dup(t, q, c.p[2])
		g.fmla(t, q, p, z) // numerator
		g.f3(t, "FADD", p, z, c.q0)
		g.dup(t, s, c.q[0])
		g.fmla(t, s, p, z)
		g.dup(t, p, c.q[1])
		g.fmla(t, p, s, z) // denominator
		g.f3(t, "FDIV", p, q, p)
		g.f3(t, "FMUL", p, p, z)
	}
	g.mov(s, x)
	g.fmla(t, s, p, x) // x + x*z*P
	g.f3(t, "FCMGT", q, c.thresh, a)
	g.l3("BIT", e, s, q)      // a < 0.625: the polynomial
	g.l3("BIF", x, e, c.sign) // sign of x, the rest from e
}

// sigmoidConsts adds the sign mask to the exp constants.
type sigmoidConsts struct {
	e    *expConsts
	sign V
}

func newSigmoidConsts(p *pool) *sigmoidConsts {
	return &sigmoidConsts{e: newExpConsts(p), sign: p.splat(signBit(p.t))}
}

func sigmoidTemps(t *dtype) int { return 1 + expTemps(t) }

// sigmoidBody sets x = 1/(1+exp(-x)) using tmp: e = exp(-|x|), then
// (x < 0 ? e : 1)/(1+e), so neither tail loses precision.
func sigmoidBody(g *gen, t *dtype, c *sigmoidConsts, x V, tmp []V) {
	e, et := tmp[0], tmp[1:]
	g.l3("ORR", e, x, c.sign) // -|x|
	expBody(g, t, c.e, e, et)
	d, m := et[0], et[1]
	g.f3(t, "FADD", d, e, c.e.one)
	g.f2(t, "FCMLT0", m, x)
	g.l3("BSL", m, e, c.e.one)
	g.f3(t, "FDIV", x, m, d)
}

func init() {
	type unaryDef struct {
		name  string
		temps func(t *dtype) int
		U     func(t *dtype) int
		setup func(p *pool) func(g *gen, t *dtype, x V, tmp []V)
	}
	defs := []unaryDef{
		{"Exp", expTemps, func(*dtype) int { return 2 },
			func(p *pool) func(*gen, *dtype, V, []V) {
				c := newExpConsts(p)
				return func(g *gen, t *dtype, x V, tmp []V) { expBody(g, t, c, x, tmp) }
			}},
		{"Log", logTemps, func(t *dtype) int {
			if t.single() {
				return 2
			}
			return 1
		},
			func(p *pool) func(*gen, *dtype, V, []V) {
				c := newLogConsts(p)
				return func(g *gen, t *dtype, x V, tmp []V) { logBody(g, t, c, x, tmp) }
			}},
		{"Tanh", tanhTemps, func(t *dtype) int {
			if t.single() {
				return 2
			}
			return 1
		},
			func(p *pool) func(*gen, *dtype, V, []V) {
				c := newTanhConsts(p)
				return func(g *gen, t *dtype, x V, tmp []V) { tanhBody(g, t, c, x, tmp) }
			}},
		{"Sigmoid", sigmoidTemps, func(*dtype) int { return 2 },
			func(p *pool) func(*gen, *dtype, V, []V) {
				c := newSigmoidConsts(p)
				return func(g *gen, t *dtype, x V, tmp []V) { sigmoidBody(g, t, c, x, tmp) }
			}},
	}
	for _, d := range defs {
		kernels[d.name] = kernel{args: "dst, x []T", size: 48, gen: func(g *gen, t *dtype) string {
			p := newPool(t)
			body := d.setup(p)
			g.op("MOVD", "dst_base+0(FP)", "R0")
			g.op("MOVD", "dst_len+8(FP)", "R3")
			g.op("MOVD", "x_base+24(FP)", "R1")
			g.load(p, d.name+t.Name+"Consts", "R9")
			s := stream{t: t, n: "R3", ptrs: []string{"R1"}, out: "R0", U: d.U(t), ntemp: d.temps(t)}
			s.body = func(b block) { body(g, t, b.in[0], b.tmp) }
			g.stream(s)
			g.op("RET")
			return regNote(&s, p)
		}}
	}
}
