package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
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
			for _, gs := range []interface{ Check() error }{p, g, b} {
				if err := gs.Check(); err != nil {
					t.Fatal(err)
				}
			}
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
			for _, gs := range []interface{ Check() error }{p, g, m, v, x} {
				if err := gs.Check(); err != nil {
					t.Fatal(err)
				}
			}
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

// testSGDMatchesGeneric compares the active path with sgdGeneric for
// identical bits over every variant, with NaN, ±Inf, ±0, subnormals and
// arbitrary bit patterns among the inputs (the state included).
func testSGDMatchesGeneric[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	names := []string{"param", "grad", "buf"}
	for _, h := range allSGDCases() {
		for _, n := range optimLengths() {
			in := [][]T{optimValues[T](r, n), optimValues[T](r, n), optimValues[T](r, n)}
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
	r := rand.New(rand.NewPCG(9, 10))
	names := []string{"param", "grad", "expAvg", "expAvgSq", "maxExpAvgSq"}
	for _, h := range allAdamCases() {
		for _, n := range optimLengths() {
			in := make([][]T, 5)
			for k := range in {
				in[k] = optimValues[T](r, n)
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
