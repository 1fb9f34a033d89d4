package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

// sgdRef is torch.optim.SGD's update written element by element, the
// scalars rounded to T as PyTorch rounds Python floats.
func sgdRef[T Float](p, g, b T, h SGDParams) (T, T) {
	d := g
	if h.WeightDecay != 0 {
		d = d + T(T(h.WeightDecay)*p)
	}
	if h.Momentum != 0 {
		if h.Init {
			b = d
		} else {
			b = T(b*T(h.Momentum)) + T(T(1-h.Dampening)*d)
		}
		if h.Nesterov {
			d = d + T(T(h.Momentum)*b)
		} else {
			d = b
		}
	}
	return p + T(T(-h.LR)*d), b
}

func adamRef[T Float](p, g, m, v, mx T, h AdamParams) (T, T, T, T) {
	bc1 := 1 - math.Pow(h.Beta1, float64(h.Step))
	bc2 := 1 - math.Pow(h.Beta2, float64(h.Step))
	if h.Decoupled {
		p = T(p * T(1-h.LR*h.WeightDecay))
	} else if h.WeightDecay != 0 {
		g = g + T(T(h.WeightDecay)*p)
	}
	m = T(m*T(h.Beta1)) + T(T(1-h.Beta1)*g)
	v = T(v*T(h.Beta2)) + T(T(T(1-h.Beta2)*g)*g)
	vv := v
	if h.AMSGrad {
		if math.IsNaN(float64(v)) || math.IsNaN(float64(mx)) {
			mx = T(math.NaN())
		} else {
			mx = max(mx, v)
		}
		vv = mx
	}
	denom := T(T(T(math.Sqrt(float64(vv)))/T(math.Sqrt(bc2)))) + T(h.Eps)
	return p + T(T(-(h.LR/bc1))*m)/denom, m, v, mx
}

var sgdCases = []SGDParams{
	{LR: 0.1},
	{LR: 0.1, WeightDecay: 0.01},
	{LR: 0.05, Momentum: 0.9, Init: true},
	{LR: 0.05, Momentum: 0.9, Dampening: 0.1},
	{LR: 0.05, Momentum: 0.9, Nesterov: true, WeightDecay: 1e-3},
	{LR: 0.05, Momentum: 0.9, Nesterov: true, Init: true},
}

var adamCases = []AdamParams{
	{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1},
	{LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.1, Step: 3},
	{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: true, Step: 7},
	{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true, Step: 2},
	{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true, AMSGrad: true, Step: 100},
}

func testSGDStep[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, h := range sgdCases {
		for n := 0; n <= 130; n++ {
			off := n % 8
			p0 := testutil.Values[T](r, n, false)
			g0 := testutil.Values[T](r, n, n%5 == 0)
			b0 := testutil.Values[T](r, n, false)
			p := testutil.NewGuarded("param", n, off, p0...)
			g := testutil.NewGuarded("grad", n, (off+3)%8, g0...)
			b := testutil.NewGuarded("buf", n, (off+5)%8, b0...)
			SGDStep(p.S, g.S, b.S, h)
			for i := range n {
				wp, wb := sgdRef(p0[i], g0[i], b0[i], h)
				if h.Momentum == 0 {
					wb = b0[i]
				}
				if exactMismatch(p.S[i], wp) || exactMismatch(b.S[i], wb) {
					t.Fatalf("%+v n=%d i=%d: p=%v b=%v, want p=%v b=%v (p0=%v g=%v b0=%v)", h, n, i, p.S[i], b.S[i], wp, wb, p0[i], g0[i], b0[i])
				}
			}
			checkGuards(t, p, g, b)
		}
	}
}

func testAdamStep[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, h := range adamCases {
		for n := 0; n <= 130; n++ {
			off := n % 8
			p0 := testutil.Values[T](r, n, false)
			g0 := testutil.Values[T](r, n, n%7 == 0)
			m0 := testutil.Values[T](r, n, false)
			v0 := make([]T, n)
			x0 := make([]T, n)
			for i := range v0 {
				v0[i] = T(math.Abs(float64(testutil.Values[T](r, 1, false)[0])))
				x0[i] = T(math.Abs(float64(testutil.Values[T](r, 1, false)[0])))
			}
			p := testutil.NewGuarded("param", n, off, p0...)
			g := testutil.NewGuarded("grad", n, (off+1)%8, g0...)
			m := testutil.NewGuarded("expAvg", n, (off+2)%8, m0...)
			v := testutil.NewGuarded("expAvgSq", n, (off+3)%8, v0...)
			x := testutil.NewGuarded("maxExpAvgSq", n, (off+4)%8, x0...)
			AdamStep(p.S, g.S, m.S, v.S, x.S, h)
			for i := range n {
				wp, wm, wv, wx := adamRef(p0[i], g0[i], m0[i], v0[i], x0[i], h)
				if !h.AMSGrad {
					wx = x0[i]
				}
				if exactMismatch(p.S[i], wp) || exactMismatch(m.S[i], wm) || exactMismatch(v.S[i], wv) || (exactMismatch(x.S[i], wx) && !(wx != wx && x.S[i] != x.S[i])) {
					t.Fatalf("%+v n=%d i=%d: got %v %v %v %v, want %v %v %v %v", h, n, i, p.S[i], m.S[i], v.S[i], x.S[i], wp, wm, wv, wx)
				}
			}
			checkGuards(t, p, g, m, v, x)
		}
	}
}

func TestSGDStep(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testSGDStep[float32])
		t.Run("f64", testSGDStep[float64])
	})
}

func TestAdamStep(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testAdamStep[float32])
		t.Run("f64", testAdamStep[float64])
	})
}

// TestOptimStepThreads checks that splitting a long slice across
// goroutines gives the same bits as one pass.
func TestOptimStepThreads(t *testing.T) {
	n := 1<<18 + 77
	r := rand.New(rand.NewPCG(5, 6))
	p0 := testutil.Values[float32](r, n, false)
	g0 := testutil.Values[float32](r, n, false)
	run := func(threads int) ([]float32, []float32, []float32, []float32) {
		setThreads(t, threads)
		p := append([]float32(nil), p0...)
		m := make([]float32, n)
		v := make([]float32, n)
		x := make([]float32, n)
		b := make([]float32, n)
		for s := int64(1); s <= 3; s++ {
			AdamStep(p, g0, m, v, x, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: true, Step: s})
			SGDStep(p, g0, b, SGDParams{LR: 0.1, Momentum: 0.9, Nesterov: true, Init: s == 1})
		}
		return p, m, v, b
	}
	p1, m1, v1, b1 := run(1)
	p3, m3, v3, b3 := run(3)
	for i := range n {
		if p1[i] != p3[i] || m1[i] != m3[i] || v1[i] != v3[i] || b1[i] != b3[i] {
			t.Fatalf("i=%d: threads=1 and threads=3 differ", i)
		}
	}
}

func TestOptimStepLengths(t *testing.T) {
	cases := map[string]func(){
		"SGD grad": func() { SGDStep(make([]float32, 3), make([]float32, 2), nil, SGDParams{LR: 1}) },
		"SGD buf":  func() { SGDStep(make([]float32, 3), make([]float32, 3), nil, SGDParams{LR: 1, Momentum: 0.9}) },
		"Adam m": func() {
			AdamStep(make([]float64, 3), make([]float64, 3), nil, make([]float64, 3), nil, AdamParams{Step: 1})
		},
		"Adam max": func() {
			AdamStep(make([]float64, 3), make([]float64, 3), make([]float64, 3), make([]float64, 3), nil, AdamParams{AMSGrad: true, Step: 1})
		},
		"Adam grad": func() {
			AdamStep(make([]float64, 3), make([]float64, 4), make([]float64, 3), make([]float64, 3), nil, AdamParams{Step: 1})
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				e, ok := recover().(*LengthError)
				if !ok {
					t.Fatalf("want *LengthError panic, got %v", e)
				}
				t.Log(e)
			}()
			f()
		})
	}
	// Momentum 0 ignores buf, as documented.
	SGDStep(make([]float32, 3), make([]float32, 3), nil, SGDParams{LR: 1})
	AdamStep(make([]float32, 3), make([]float32, 3), make([]float32, 3), make([]float32, 3), nil, AdamParams{Step: 1})
}

// allSGDCases covers every variant the assembly has a loop for (momentum 0
// or not, weight decay 0 or not, init, nesterov), with dampening, and
// scalars that round to 0 in float32 only (a weight decay of 1e-50 is no
// weight decay there; a momentum of 1e-50 is momentum with mom = 0).
func allSGDCases() []SGDParams {
	var cs []SGDParams
	for _, wd := range []float64{0, 0.01, 1e-50} {
		cs = append(cs, SGDParams{LR: 0.1, WeightDecay: wd})
		for _, mom := range []float64{0.9, 1e-50} {
			for _, init := range []bool{false, true} {
				for _, nest := range []bool{false, true} {
					for _, damp := range []float64{0, 0.1} {
						cs = append(cs, SGDParams{LR: 0.05, Momentum: mom, Dampening: damp, WeightDecay: wd, Init: init, Nesterov: nest})
					}
				}
			}
		}
	}
	return cs
}

// allAdamCases covers every Adam variant (no, L2 or decoupled weight
// decay, with and without AMSGrad) at a few step counts.
func allAdamCases() []AdamParams {
	var cs []AdamParams
	for _, ams := range []bool{false, true} {
		for _, wd := range []float64{0, 0.1, 1e-50} {
			for _, dec := range []bool{false, true} {
				cs = append(cs,
					AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd, Decoupled: dec, AMSGrad: ams, Step: 1},
					AdamParams{LR: 3e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: wd, Decoupled: dec, AMSGrad: ams, Step: 13})
			}
		}
	}
	return cs
}

// optimLengths are 0..70 (every tail of every unroll on both
// architectures) and a few longer ones.
func optimLengths() []int {
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return append(ns, 127, 128, 129, 1000, 4099)
}

// guardedCopies copies each of vals into a guarded slice at its own
// misalignment.
func guardedCopies[T Float](off int, vals ...[]T) ([]*testutil.Guarded[T], [][]T) {
	gs := make([]*testutil.Guarded[T], len(vals))
	ss := make([][]T, len(vals))
	for i, v := range vals {
		gs[i] = testutil.NewGuarded(fmt.Sprint("arg", i), len(v), (off+3*i)%8, v...)
		ss[i] = gs[i].S
	}
	return gs, ss
}

// sameOutputs reports the first element where got and want differ in bits
// (any NaN equals any NaN), or "" if none does, after checking the guards.
func sameOutputs[T Float](names []string, gs []*testutil.Guarded[T], got, want [][]T) string {
	for _, g := range gs {
		if err := g.Check(); err != nil {
			return err.Error()
		}
	}
	for k := range got {
		for i := range got[k] {
			if exactMismatch(got[k][i], want[k][i]) {
				return fmt.Sprintf("%s[%d] = %v, generic %v", names[k], i, got[k][i], want[k][i])
			}
		}
	}
	return ""
}

// sgdGenericH and adamGenericH run the generic loops with the arguments
// SGDStep and AdamStep derive from h.
func sgdGenericH[T Float](param, grad, buf []T, h SGDParams) {
	k, flags := sgdArgs[T](h)
	sgdGeneric(param, grad, buf, k, flags)
}

func adamGenericH[T Float](param, grad, expAvg, expAvgSq, maxExpAvgSq []T, h AdamParams) {
	k, flags := adamArgs[T](h)
	adamGeneric(param, grad, expAvg, expAvgSq, maxExpAvgSq, k, flags)
}

// optimValues are testutil.Values with specials (NaN, ±Inf, ±0,
// subnormals, huge) at one element in four rather than one in sixteen, so
// that every vector position of short slices meets them.
func optimValues[T Float](r *rand.Rand, n int) []T {
	vals := testutil.Values[T](r, n, true)
	sp := testutil.Specials[T]()
	for i := range vals {
		if r.IntN(4) == 0 {
			vals[i] = sp[r.IntN(len(sp))]
		}
	}
	return vals
}

// smallestNormal is the smallest positive normal number of T.
func smallestNormal[T Float]() T {
	if isFloat32[T]() {
		return T(float32(0x1p-126))
	}
	return T(0x1p-1022)
}

// subnormalValues are optimValues where most elements are subnormal
// (random magnitudes and signs), close to the smallest normal number
// (within a factor of 8 either way, so that products by momentum, betas and
// learning rates cross it), or ±0: what the flush-to-zero mode acts on.
func subnormalValues[T Float](r *rand.Rand, n int) []T {
	vals := optimValues[T](r, n)
	tiny := float64(smallestNormal[T]())
	mant := uint64(1)<<23 - 1
	if !isFloat32[T]() {
		mant = uint64(1)<<52 - 1
	}
	for i := range vals {
		sign := T(1)
		if r.IntN(2) == 0 {
			sign = -1
		}
		switch r.IntN(8) {
		case 0, 1, 2: // subnormal: any nonzero mantissa, exponent field 0
			vals[i] = sign * testutil.FromBits[T](1+r.Uint64N(mant))
		case 3: // the smallest subnormal or the largest
			vals[i] = sign * testutil.FromBits[T]([]uint64{1, mant}[r.IntN(2)])
		case 4, 5: // normal or subnormal near the boundary
			vals[i] = sign * T(tiny*math.Exp2(r.Float64()*6-3))
		case 6:
			vals[i] = sign * 0
		}
	}
	return vals
}

// setFlushDenormal sets the flush-to-zero mode for the rest of the test.
func setFlushDenormal(t *testing.T, on bool) {
	prev := SetFlushDenormal(on)
	t.Cleanup(func() { SetFlushDenormal(prev) })
}

// flushModes runs fn with the flush-to-zero mode off, then on, each with
// optimValues and with subnormalValues as inputs. The generic path (which
// compares generic with itself through the public entry) runs only the
// first, and with -short the mode off on subnormalValues is left out
// (optimValues have subnormals too).
func flushModes[T Float](t *testing.T, fn func(t *testing.T, vals func(*rand.Rand, int) []T)) {
	for _, on := range []bool{false, true} {
		for _, v := range []struct {
			name string
			f    func(*rand.Rand, int) []T
		}{{"specials", optimValues[T]}, {"subnormals", subnormalValues[T]}} {
			first := !on && v.name == "specials"
			if !first && (Path() == "generic" || !on && testing.Short()) {
				continue
			}
			t.Run(fmt.Sprintf("flush=%v/%s", on, v.name), func(t *testing.T) {
				setFlushDenormal(t, on)
				fn(t, v.f)
			})
		}
	}
}

// testSGDMatchesGeneric compares the active path with sgdGeneric for
// identical bits over every variant, with NaN, ±Inf, ±0, subnormals and
// arbitrary bit patterns among the inputs (the state included), in both
// flush modes.
func testSGDMatchesGeneric[T Float](t *testing.T) {
	flushModes(t, testSGDMatchesGenericOn[T])
}

func testSGDMatchesGenericOn[T Float](t *testing.T, vals func(*rand.Rand, int) []T) {
	r := rand.New(rand.NewPCG(7, 8))
	names := []string{"param", "grad", "buf"}
	for _, h := range allSGDCases() {
		for _, n := range optimLengths() {
			in := [][]T{vals(r, n), vals(r, n), vals(r, n)}
			_, want := guardedCopies(0, in...)
			sgdGenericH(want[0], want[1], want[2], h)
			gs, got := guardedCopies(n, in...)
			SGDStep(got[0], got[1], got[2], h)
			if msg := sameOutputs(names, gs, got, want); msg != "" {
				t.Fatalf("%+v n=%d: %s", h, n, msg)
			}
			if h.Momentum == 0 { // buf untouched: nil works too
				SGDStep(got[0], got[1], nil, h)
			}
		}
	}
}

// testAdamMatchesGeneric is testSGDMatchesGeneric for AdamStep.
func testAdamMatchesGeneric[T Float](t *testing.T) {
	flushModes(t, testAdamMatchesGenericOn[T])
}

func testAdamMatchesGenericOn[T Float](t *testing.T, vals func(*rand.Rand, int) []T) {
	r := rand.New(rand.NewPCG(9, 10))
	names := []string{"param", "grad", "expAvg", "expAvgSq", "maxExpAvgSq"}
	for _, h := range allAdamCases() {
		for _, n := range optimLengths() {
			in := make([][]T, 5)
			for k := range in {
				in[k] = vals(r, n)
			}
			// Mostly non-negative second moments, as in training.
			for _, k := range []int{3, 4} {
				for i, v := range in[k] {
					if i%4 != 0 {
						in[k][i] = T(math.Abs(float64(v)))
					}
				}
			}
			_, want := guardedCopies(0, in...)
			adamGenericH(want[0], want[1], want[2], want[3], want[4], h)
			gs, got := guardedCopies(n, in...)
			AdamStep(got[0], got[1], got[2], got[3], got[4], h)
			if msg := sameOutputs(names, gs, got, want); msg != "" {
				t.Fatalf("%+v n=%d: %s", h, n, msg)
			}
			if !h.AMSGrad { // maxExpAvgSq untouched: nil works too
				AdamStep(got[0], got[1], got[2], got[3], nil, h)
			}
		}
	}
}

func TestSGDStepMatchesGeneric(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testSGDMatchesGeneric[float32])
		t.Run("f64", testSGDMatchesGeneric[float64])
	})
}

func TestAdamStepMatchesGeneric(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testAdamMatchesGeneric[float32])
		t.Run("f64", testAdamMatchesGeneric[float64])
	})
}

// TestAdamAMSGradMax pins the maximum's rule on every path: v > max or v
// NaN takes v, so a NaN already in maxExpAvgSq stays, and a +0 v does not
// replace a -0 maximum (torch.maximum would; the generic loop is the
// contract). grad is 0 so that v = expAvgSq*beta2 exactly (+0 for ±0;
// beta2 = 1.5 makes -0 reachable: (-0.5*0)*0 = -0).
func TestAdamAMSGradMax(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testAdamAMSGradMax[float32])
		t.Run("f64", testAdamAMSGradMax[float64])
	})
}

func testAdamAMSGradMax[T Float](t *testing.T) {
	nan, inf := T(math.NaN()), T(math.Inf(1))
	negZero := T(math.Copysign(0, -1))
	sq := []T{0, negZero, 1, 2, nan, inf}
	mx := []T{0, negZero, 1, 0.5, nan, inf, -1}
	var v0, x0 []T
	for _, a := range sq {
		for _, b := range mx {
			v0, x0 = append(v0, a), append(x0, b)
		}
	}
	names := []string{"param", "grad", "expAvg", "expAvgSq", "maxExpAvgSq"}
	// Every pair at every position of the first 16 (main loop, one-vector
	// loop and tail of every path), by rotating the table.
	for _, beta2 := range []float64{0.999, 1.5} {
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: beta2, Eps: 1e-8, AMSGrad: true, Step: 1}
		for rot := range v0 {
			for n := 1; n <= 16; n++ {
				v, x := make([]T, n), make([]T, n)
				for i := range n {
					v[i], x[i] = v0[(rot+i)%len(v0)], x0[(rot+i)%len(x0)]
				}
				in := [][]T{make([]T, n), make([]T, n), make([]T, n), v, x}
				_, want := guardedCopies(0, in...)
				adamGenericH(want[0], want[1], want[2], want[3], want[4], h)
				gs, got := guardedCopies(rot, in...)
				AdamStep(got[0], got[1], got[2], got[3], got[4], h)
				if msg := sameOutputs(names, gs, got, want); msg != "" {
					t.Fatalf("beta2=%v n=%d rot=%d: %s", beta2, n, rot, msg)
				}
				for i := range n {
					v, m0, m := want[3][i], x[i], got[4][i]
					wantMax := m0
					if v > m0 || v != v {
						wantMax = v
					}
					if exactMismatch(m, wantMax) {
						t.Fatalf("beta2=%v: v=%v max=%v: new max %v, want %v", beta2, v, m0, m, wantMax)
					}
				}
			}
		}
	}
}

// TestOptimStepSplitMatchesGeneric runs the goroutine split (pieces
// starting at multiples of 64 elements) on the active path against one
// generic pass.
func TestOptimStepSplitMatchesGeneric(t *testing.T) {
	lowerGrains(t)
	setThreads(t, 3)
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		n := 20000 + 13
		in := make([][]float64, 5)
		for k := range in {
			in[k] = testutil.Values[float64](r, n, true)
		}
		h := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, AMSGrad: true, Step: 4}
		_, want := guardedCopies(0, in...)
		adamGenericH(want[0], want[1], want[2], want[3], want[4], h)
		gs, got := guardedCopies(1, in...)
		AdamStep(got[0], got[1], got[2], got[3], got[4], h)
		if msg := sameOutputs([]string{"param", "grad", "expAvg", "expAvgSq", "maxExpAvgSq"}, gs, got, want); msg != "" {
			t.Fatal("Adam:", msg)
		}
		hs := SGDParams{LR: 0.1, Momentum: 0.9, Dampening: 0.1, Nesterov: true, WeightDecay: 0.01}
		_, want = guardedCopies(0, in[:3]...)
		sgdGenericH(want[0], want[1], want[2], hs)
		gs, got = guardedCopies(1, in[:3]...)
		SGDStep(got[0], got[1], got[2], hs)
		if msg := sameOutputs([]string{"param", "grad", "buf"}, gs, got, want); msg != "" {
			t.Fatal("SGD:", msg)
		}
	})
}

// TestOptimStepNoAlloc: a step allocates nothing (the assembly's constant
// slice stays on the stack).
func TestOptimStepNoAlloc(t *testing.T) {
	n := 100
	p, g, b := make([]float32, n), make([]float32, n), make([]float32, n)
	m, v, x := make([]float32, n), make([]float32, n), make([]float32, n)
	forEachPath(t, func(t *testing.T) {
		a := testing.AllocsPerRun(10, func() {
			SGDStep(p, g, b, SGDParams{LR: 0.1, Momentum: 0.9})
			AdamStep(p, g, m, v, x, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: true, Step: 1})
		})
		if a != 0 {
			t.Errorf("%v allocations per step", a)
		}
	})
}

// TestSetFlushDenormal: off by default, and the setter returns the
// previous setting.
func TestSetFlushDenormal(t *testing.T) {
	if FlushDenormal() {
		t.Fatal("flush-to-zero is on by default")
	}
	setFlushDenormal(t, false)
	if prev := SetFlushDenormal(true); prev || !FlushDenormal() {
		t.Fatalf("SetFlushDenormal(true) returned %v, FlushDenormal() %v", prev, FlushDenormal())
	}
	if prev := SetFlushDenormal(false); !prev || FlushDenormal() {
		t.Fatalf("SetFlushDenormal(false) returned %v, FlushDenormal() %v", prev, FlushDenormal())
	}
}

// flushCases are stored values that the steps below pass through exactly:
// subnormals (which the mode flushes), the smallest normal and its
// neighbours, and values that it must leave alone.
func flushCases[T Float]() []T {
	tiny := smallestNormal[T]()
	below := testutil.FromBits[T](testutil.Bits(tiny) - 1) // the largest subnormal
	above := testutil.FromBits[T](testutil.Bits(tiny) + 1)
	sub := testutil.FromBits[T](1) // the smallest subnormal
	var vals []T
	for _, x := range []T{sub, below, tiny / 3, 1e-41, tiny, above, 2 * tiny, 1, 3.5e30,
		T(math.Inf(1)), T(math.Copysign(0, 1))} {
		vals = append(vals, x, -x)
	}
	return append(vals, T(math.NaN()), -T(math.NaN()))
}

// wantFlushed is what the mode must store for x: a zero with x's sign bit
// when x is subnormal (exponent field 0, mantissa not), otherwise x.
func wantFlushed[T Float](x T) T {
	b := testutil.Bits(x)
	bits := uint64(32)
	if !isFloat32[T]() {
		bits = 64
	}
	sign := uint64(1) << (bits - 1)
	mag := b &^ sign
	if mag != 0 && T(math.Abs(float64(x))) < smallestNormal[T]() {
		return testutil.FromBits[T](b & sign)
	}
	return x
}

func isSubnormal[T Float](x T) bool {
	return x != 0 && T(math.Abs(float64(x))) < smallestNormal[T]()
}

// TestFlushDenormal checks the mode's effect on every path, with steps
// whose stored values are exactly the inputs: with the mode off every
// subnormal is stored as it is; with it on, as a zero of its sign, and
// the smallest normal, larger values, ±Inf, NaN and ±0 as they are. Each
// value visits every position of slices up to 3*len(cases)+5 elements.
// SGD, Adam, RMSprop (plain, centered, momentum) and Adagrad.
func TestFlushDenormal(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testFlushDenormal[float32])
		t.Run("f64", testFlushDenormal[float64])
	})
}

func testFlushDenormal[T Float](t *testing.T) {
	cases := flushCases[T]()
	for _, on := range []bool{false, true} {
		setFlushDenormal(t, on)
		check := func(what string, n, i int, x, got T) {
			t.Helper()
			want := x
			if on {
				want = wantFlushed(x)
				if isSubnormal(x) && (got != 0 || math.Signbit(float64(got)) != math.Signbit(float64(x))) {
					t.Fatalf("flush=%v %s n=%d i=%d: %v stored as %v, want a zero of its sign", on, what, n, i, x, got)
				}
			} else if isSubnormal(x) && !testutil.SameBits(got, x) {
				t.Fatalf("flush=%v %s n=%d i=%d: subnormal %v stored as %v", on, what, n, i, x, got)
			}
			if exactMismatch(got, want) {
				t.Fatalf("flush=%v %s n=%d i=%d: %v stored as %v, want %v", on, what, n, i, x, got, want)
			}
		}
		for rot := range 8 {
			for _, n := range []int{1, 7, len(cases), 3*len(cases) + 5} {
				xs := make([]T, n)
				for i := range xs {
					xs[i] = cases[(rot+i)%len(cases)]
				}
				negZero := T(math.Copysign(0, -1))
				zeros := make([]T, n)
				ones := make([]T, n)
				for i := range ones {
					ones[i] = 1
				}
				cp := func(s []T) []T { return append([]T(nil), s...) }

				// param + (-1)*0 = param (-0 + -0 = -0, +0 + -0 = +0).
				p := cp(xs)
				SGDStep(p, zeros, nil, SGDParams{LR: 1})
				for i := range p {
					check("SGD param", n, i, xs[i], p[i])
				}
				// buf = buf*1 + 1*0 = buf (-0 becomes +0: x + 0 below),
				// or with Init buf = grad; with and without Nesterov.
				for _, init := range []bool{false, true} {
					for _, nest := range []bool{false, true} {
						g, b := zeros, cp(xs)
						if init {
							g, b = xs, make([]T, n)
						}
						SGDStep(cp(ones), g, b, SGDParams{LR: 0, Momentum: 1, Init: init, Nesterov: nest})
						for i := range b {
							x := xs[i]
							if !init {
								x += 0
							}
							check(fmt.Sprintf("SGD buf init=%v nesterov=%v", init, nest), n, i, x, b[i])
						}
					}
				}
				// m = m*1 + 0*0, v = v*1 + (0*0)*0, the maximum of v and
				// itself: each its input (+0 for -0, but a -0 maximum stays).
				for _, ams := range []bool{false, true} {
					m, v, mx := cp(xs), cp(xs), cp(xs)
					AdamStep(cp(ones), zeros, m, v, mx, AdamParams{LR: 1e-3, Beta1: 1, Beta2: 1, Eps: 1e-8, AMSGrad: ams, Step: 1})
					for i := range m {
						check("Adam expAvg", n, i, xs[i]+0, m[i])
						check("Adam expAvgSq", n, i, xs[i]+0, v[i])
						if ams {
							want := xs[i]
							if xs[i] == 0 && !math.Signbit(float64(xs[i])) {
								want = 0
							} else if xs[i] == 0 {
								want = negZero
							}
							check("Adam maxExpAvgSq", n, i, want, mx[i])
						}
					}
				}
				// param + (-lr*0)/(sqrt(0)/sqrt(bc2) + eps) = param + -0.
				p = cp(xs)
				AdamStep(p, zeros, make([]T, n), make([]T, n), make([]T, n), AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, AMSGrad: true, Step: 1})
				for i := range p {
					check("Adam param", n, i, xs[i], p[i])
				}
				for _, centered := range []bool{false, true} {
					for _, mom := range []float64{0, 1} {
						desc := fmt.Sprintf("RMSprop centered=%v momentum=%v", centered, mom)
						// alpha = 1 and grad 0: sa = sa*1 + (0*0)*0, ga = ga*1 + 0*0,
						// buf = buf*1 + 0/avg, each its input + 0 (avg is 1 + eps
						// where squareAvg is 1; the slice under test sees
						// anything, NaN included, but only its own value is stored).
						h := RMSpropParams{LR: 1e-2, Alpha: 1, Eps: 1e-8, Momentum: mom, Centered: centered}
						sa := cp(xs)
						RMSpropStep(cp(ones), zeros, sa, make([]T, n), make([]T, n), h)
						for i := range sa {
							check(desc+" squareAvg", n, i, xs[i]+0, sa[i])
						}
						if centered {
							ga := cp(xs)
							RMSpropStep(cp(ones), zeros, cp(ones), ga, make([]T, n), h)
							for i := range ga {
								check(desc+" gradAvg", n, i, xs[i]+0, ga[i])
							}
						}
						if mom > 0 {
							b := cp(xs)
							RMSpropStep(cp(ones), zeros, cp(ones), make([]T, n), b, h)
							for i := range b {
								check(desc+" momentumBuf", n, i, xs[i]+0, b[i])
							}
						}
						// param + ((-lr)*0)/avg or param + (-lr)*(0*1 + 0/avg) = param + -0.
						p := cp(xs)
						RMSpropStep(p, zeros, cp(ones), make([]T, n), make([]T, n), h)
						for i := range p {
							check(desc+" param", n, i, xs[i], p[i])
						}
					}
				}
				// s = s + 0*0 = s + 0; param + ((-clr)*0)/(sqrt(1) + eps) = param + -0.
				s := cp(xs)
				AdagradStep(cp(ones), zeros, s, AdagradParams{LR: 1e-2, Eps: 1e-10, Step: 1})
				for i := range s {
					check("Adagrad stateSum", n, i, xs[i]+0, s[i])
				}
				p = cp(xs)
				AdagradStep(p, zeros, cp(ones), AdagradParams{LR: 1e-2, Eps: 1e-10, Step: 1})
				for i := range p {
					check("Adagrad param", n, i, xs[i], p[i])
				}
			}
		}
	}
}

// TestFlushDenormalTraining: the situation the mode exists for. A
// momentum buffer, Adam's moments and RMSprop's averages and momentum
// buffer fed zero gradients decay into
// subnormals and stay there with the mode off (0.9·x rounds back to x
// for small subnormals); with it on they reach zero, the same bits on
// every path.
func TestFlushDenormalTraining(t *testing.T) {
	const steps = 6000 // 1e-36·0.999^6000 < 1e-38
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("flush=%v", on), func(t *testing.T) {
			setFlushDenormal(t, on)
			var ref [][]float32
			forEachPath(t, func(t *testing.T) {
				n := 37
				p, g := make([]float32, n), make([]float32, n)
				b, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
				for i := range n {
					p[i], b[i], m[i], v[i] = 0.5, 1e-30*float32(i+1), -1e-30*float32(i+1), 1e-36*float32(1+i%3)
				}
				pa := append([]float32(nil), p...)
				// RMSprop (momentum, centered) from the same values.
				pr, sa, ga, rb := slices.Clone(p), slices.Clone(v), slices.Clone(m), slices.Clone(b)
				for s := int64(1); s <= steps; s++ {
					SGDStep(p, g, b, SGDParams{LR: 0.01, Momentum: 0.9})
					AdamStep(pa, g, m, v, nil, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: s})
					RMSpropStep(pr, g, sa, ga, rb, RMSpropParams{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9, Centered: true})
				}
				out := [][]float32{p, b, pa, m, v, pr, sa, ga, rb}
				for k, name := range map[int]string{1: "buf", 3: "expAvg", 4: "expAvgSq", 6: "squareAvg", 7: "gradAvg", 8: "momentumBuf"} {
					for i, x := range out[k] {
						if on && x != 0 {
							t.Fatalf("%s[%d] = %v after %d zero-gradient steps, want 0", name, i, x, steps)
						}
						if !on && !isSubnormal(x) {
							t.Fatalf("%s[%d] = %v after %d zero-gradient steps, want a subnormal", name, i, x, steps)
						}
					}
				}
				if ref == nil {
					ref = out
					return
				}
				for k := range out {
					for i := range out[k] {
						if exactMismatch(out[k][i], ref[k][i]) {
							t.Fatalf("slice %d[%d] = %v, path %s gave %v", k, i, out[k][i], Paths()[0], ref[k][i])
						}
					}
				}
			})
		})
	}
}

// checkGuards fails t when a slice's guard values were overwritten.
func checkGuards(t *testing.T, slices ...interface{ Check() error }) {
	t.Helper()
	for _, s := range slices {
		if err := s.Check(); err != nil {
			t.Fatal(err)
		}
	}
}
