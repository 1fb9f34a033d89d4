package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

// rmspropRef is torch.optim.RMSprop's update written element by element
// from PyTorch's ops as its CPU kernels compute them without FMA:
// add(other, alpha) is self + alpha*other, addcmul(t1, t2, value) is
// self + (value*t1)*t2, addcdiv(t1, t2, value) is self + (value*t1)/t2,
// every Python scalar rounded to T.
func rmspropRef[T Float](p, g, sa, ga, b T, h RMSpropParams) (T, T, T, T) {
	if h.WeightDecay != 0 {
		g = g + T(T(h.WeightDecay)*p) // grad.add(param, alpha=wd)
	}
	sa = T(sa*T(h.Alpha)) + T(T(T(1-h.Alpha)*g)*g) // mul_(alpha).addcmul_(grad, grad, value=1-alpha)
	var avg T
	if h.Centered {
		ga = T(ga*T(h.Alpha)) + T(T(1-h.Alpha)*g)                    // mul_(alpha).add_(grad, alpha=1-alpha)
		avg = T(math.Sqrt(float64(sa+T(T(T(-1)*ga)*ga)))) + T(h.Eps) // addcmul(ga, ga, value=-1).sqrt_().add_(eps)
	} else {
		avg = T(math.Sqrt(float64(sa))) + T(h.Eps)
	}
	if h.Momentum > 0 {
		b = T(b*T(h.Momentum)) + T(T(T(1)*g)/avg) // buf.mul_(momentum).addcdiv_(grad, avg)
		p = p + T(T(-h.LR)*b)                     // param.add_(buf, alpha=-lr)
	} else {
		p = p + T(T(T(-h.LR)*g)/avg) // param.addcdiv_(grad, avg, value=-lr)
	}
	return p, sa, ga, b
}

// adagradRef is torch.optim.Adagrad's dense update written the same way.
func adagradRef[T Float](p, g, s T, h AdagradParams) (T, T) {
	clr := h.LR / (1 + float64(h.Step-1)*h.LRDecay)
	if h.WeightDecay != 0 {
		g = g + T(T(h.WeightDecay)*p)
	}
	s = s + T(T(T(1)*g)*g) // state_sum.addcmul_(grad, grad, value=1)
	std := T(math.Sqrt(float64(s))) + T(h.Eps)
	return p + T(T(T(-clr)*g)/std), s // param.addcdiv_(grad, std, value=-clr)
}

var rmspropCases = []RMSpropParams{
	{LR: 1e-2, Alpha: 0.99, Eps: 1e-8},
	{LR: 1e-2, Alpha: 0.9, Eps: 1e-6, WeightDecay: 0.1},
	{LR: 1e-3, Alpha: 0.99, Eps: 1e-8, Centered: true},
	{LR: 1e-3, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9},
	{LR: 3e-3, Alpha: 0.8, Eps: 1e-8, WeightDecay: 0.01, Momentum: 0.5, Centered: true},
}

var adagradCases = []AdagradParams{
	{LR: 1e-2, Eps: 1e-10, Step: 1},
	{LR: 1e-1, LRDecay: 0.01, Eps: 1e-10, Step: 7},
	{LR: 1e-2, LRDecay: 1e-3, WeightDecay: 0.1, Eps: 1e-6, Step: 100},
}

func testRMSpropStep[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	abs := func(vals []T) []T {
		for i, v := range vals {
			vals[i] = T(math.Abs(float64(v)))
		}
		return vals
	}
	for _, h := range rmspropCases {
		for n := 0; n <= 130; n++ {
			off := n % 8
			p0 := testutil.Values[T](r, n, false)
			g0 := testutil.Values[T](r, n, n%7 == 0)
			s0 := abs(testutil.Values[T](r, n, false))
			a0 := testutil.Values[T](r, n, false)
			b0 := testutil.Values[T](r, n, false)
			p := testutil.NewGuarded("param", n, off, p0...)
			g := testutil.NewGuarded("grad", n, (off+1)%8, g0...)
			s := testutil.NewGuarded("squareAvg", n, (off+2)%8, s0...)
			a := testutil.NewGuarded("gradAvg", n, (off+3)%8, a0...)
			b := testutil.NewGuarded("momentumBuf", n, (off+4)%8, b0...)
			RMSpropStep(p.S, g.S, s.S, a.S, b.S, h)
			for i := range n {
				wp, ws, wa, wb := rmspropRef(p0[i], g0[i], s0[i], a0[i], b0[i], h)
				if !h.Centered {
					wa = a0[i]
				}
				if h.Momentum <= 0 {
					wb = b0[i]
				}
				if exactMismatch(p.S[i], wp) || exactMismatch(s.S[i], ws) || exactMismatch(a.S[i], wa) || exactMismatch(b.S[i], wb) {
					t.Fatalf("%+v n=%d i=%d: got %v %v %v %v, want %v %v %v %v", h, n, i, p.S[i], s.S[i], a.S[i], b.S[i], wp, ws, wa, wb)
				}
			}
			checkGuards(t, p, g, s, a, b)
		}
	}
}

func testAdagradStep[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, h := range adagradCases {
		for n := 0; n <= 130; n++ {
			off := n % 8
			p0 := testutil.Values[T](r, n, false)
			g0 := testutil.Values[T](r, n, n%5 == 0)
			s0 := testutil.Values[T](r, n, false)
			for i, v := range s0 {
				s0[i] = T(math.Abs(float64(v)))
			}
			p := testutil.NewGuarded("param", n, off, p0...)
			g := testutil.NewGuarded("grad", n, (off+3)%8, g0...)
			s := testutil.NewGuarded("stateSum", n, (off+5)%8, s0...)
			AdagradStep(p.S, g.S, s.S, h)
			for i := range n {
				wp, ws := adagradRef(p0[i], g0[i], s0[i], h)
				if exactMismatch(p.S[i], wp) || exactMismatch(s.S[i], ws) {
					t.Fatalf("%+v n=%d i=%d: p=%v s=%v, want p=%v s=%v (p0=%v g=%v s0=%v)", h, n, i, p.S[i], s.S[i], wp, ws, p0[i], g0[i], s0[i])
				}
			}
			checkGuards(t, p, g, s)
		}
	}
}

func TestRMSpropStep(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testRMSpropStep[float32])
		t.Run("f64", testRMSpropStep[float64])
	})
}

func TestAdagradStep(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testAdagradStep[float32])
		t.Run("f64", testAdagradStep[float64])
	})
}

// allRMSpropCases covers every variant the assembly has a loop for (weight
// decay, centered, momentum), with scalars that round to 0 in float32 only
// (a weight decay of 1e-50 is no weight decay there; a momentum of 1e-50
// is momentum with mom = 0), a momentum that is not > 0, and alpha = 1
// (1-alpha = 0).
func allRMSpropCases() []RMSpropParams {
	var cs []RMSpropParams
	for _, wd := range []float64{0, 0.01, 1e-50} {
		for _, centered := range []bool{false, true} {
			for _, mom := range []float64{0, 0.9, 1e-50, -0.5} {
				cs = append(cs,
					RMSpropParams{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, WeightDecay: wd, Momentum: mom, Centered: centered},
					RMSpropParams{LR: 0.3, Alpha: 0.5, Eps: 1e-3, WeightDecay: wd, Momentum: mom, Centered: centered})
			}
			cs = append(cs, RMSpropParams{LR: 1e-2, Alpha: 1, Eps: 1e-8, WeightDecay: wd, Momentum: 0.9, Centered: centered})
		}
	}
	return cs
}

// allAdagradCases covers both variants (weight decay or not) at a few
// step counts and learning-rate decays.
func allAdagradCases() []AdagradParams {
	var cs []AdagradParams
	for _, wd := range []float64{0, 0.1, 1e-50} {
		cs = append(cs,
			AdagradParams{LR: 1e-2, Eps: 1e-10, WeightDecay: wd, Step: 1},
			AdagradParams{LR: 0.5, LRDecay: 0.1, Eps: 1e-6, WeightDecay: wd, Step: 13})
	}
	return cs
}

func rmspropGenericH[T Float](param, grad, squareAvg, gradAvg, momentumBuf []T, h RMSpropParams) {
	k, flags := rmspropArgs[T](h)
	rmspropGeneric(param, grad, squareAvg, gradAvg, momentumBuf, k, flags)
}

func adagradGenericH[T Float](param, grad, stateSum []T, h AdagradParams) {
	k, flags := adagradArgs[T](h)
	adagradGeneric(param, grad, stateSum, k, flags)
}

// testRMSpropMatchesGeneric compares the active path with rmspropGeneric
// for identical bits over every variant, with NaN, ±Inf, ±0, subnormals
// and arbitrary bit patterns among the inputs (the state included), in
// both flush modes.
func testRMSpropMatchesGeneric[T Float](t *testing.T) {
	flushModes(t, testRMSpropMatchesGenericOn[T])
}

func testRMSpropMatchesGenericOn[T Float](t *testing.T, vals func(*rand.Rand, int) []T) {
	r := rand.New(rand.NewPCG(25, 26))
	names := []string{"param", "grad", "squareAvg", "gradAvg", "momentumBuf"}
	for _, h := range allRMSpropCases() {
		for _, n := range optimLengths() {
			in := make([][]T, 5)
			for k := range in {
				in[k] = vals(r, n)
			}
			// A mostly non-negative squareAvg, as in training.
			for i, v := range in[2] {
				if i%4 != 0 {
					in[2][i] = T(math.Abs(float64(v)))
				}
			}
			_, want := guardedCopies(0, in...)
			rmspropGenericH(want[0], want[1], want[2], want[3], want[4], h)
			gs, got := guardedCopies(n, in...)
			RMSpropStep(got[0], got[1], got[2], got[3], got[4], h)
			if msg := sameOutputs(names, gs, got, want); msg != "" {
				t.Fatalf("%+v n=%d: %s", h, n, msg)
			}
			// gradAvg and momentumBuf untouched when unused: nil works too.
			ga, mb := got[3], got[4]
			if !h.Centered {
				ga = nil
			}
			if h.Momentum <= 0 {
				mb = nil
			}
			RMSpropStep(got[0], got[1], got[2], ga, mb, h)
		}
	}
}

// testAdagradMatchesGeneric is testRMSpropMatchesGeneric for AdagradStep.
func testAdagradMatchesGeneric[T Float](t *testing.T) {
	flushModes(t, testAdagradMatchesGenericOn[T])
}

func testAdagradMatchesGenericOn[T Float](t *testing.T, vals func(*rand.Rand, int) []T) {
	r := rand.New(rand.NewPCG(27, 28))
	names := []string{"param", "grad", "stateSum"}
	for _, h := range allAdagradCases() {
		for _, n := range optimLengths() {
			in := [][]T{vals(r, n), vals(r, n), vals(r, n)}
			for i, v := range in[2] {
				if i%4 != 0 {
					in[2][i] = T(math.Abs(float64(v)))
				}
			}
			_, want := guardedCopies(0, in...)
			adagradGenericH(want[0], want[1], want[2], h)
			gs, got := guardedCopies(n, in...)
			AdagradStep(got[0], got[1], got[2], h)
			if msg := sameOutputs(names, gs, got, want); msg != "" {
				t.Fatalf("%+v n=%d: %s", h, n, msg)
			}
		}
	}
}

func TestRMSpropStepMatchesGeneric(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testRMSpropMatchesGeneric[float32])
		t.Run("f64", testRMSpropMatchesGeneric[float64])
	})
}

func TestAdagradStepMatchesGeneric(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testAdagradMatchesGeneric[float32])
		t.Run("f64", testAdagradMatchesGeneric[float64])
	})
}

func TestRMSpropAdagradLengths(t *testing.T) {
	s := func(n int) []float32 { return make([]float32, n) }
	cases := map[string]func(){
		"RMSprop grad":        func() { RMSpropStep(s(3), s(2), s(3), nil, nil, RMSpropParams{LR: 1}) },
		"RMSprop squareAvg":   func() { RMSpropStep(s(3), s(3), nil, nil, nil, RMSpropParams{LR: 1}) },
		"RMSprop gradAvg":     func() { RMSpropStep(s(3), s(3), s(3), s(2), nil, RMSpropParams{LR: 1, Centered: true}) },
		"RMSprop momentumBuf": func() { RMSpropStep(s(3), s(3), s(3), nil, nil, RMSpropParams{LR: 1, Momentum: 0.9}) },
		"Adagrad grad":        func() { AdagradStep(s(3), s(4), s(3), AdagradParams{LR: 1, Step: 1}) },
		"Adagrad stateSum":    func() { AdagradStep(s(3), s(3), nil, AdagradParams{LR: 1, Step: 1}) },
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
	// Unused state is not checked: not centered, momentum 0 (or negative).
	RMSpropStep(s(3), s(3), s(3), nil, nil, RMSpropParams{LR: 1})
	RMSpropStep(s(3), s(3), s(3), s(1), s(1), RMSpropParams{LR: 1, Momentum: -1})
}

// TestRMSpropAdagradSplitMatchesGeneric runs the goroutine split (pieces
// starting at multiples of 64 elements) on the active path against one
// generic pass.
func TestRMSpropAdagradSplitMatchesGeneric(t *testing.T) {
	lowerGrains(t)
	setThreads(t, 3)
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(29, 30))
		n := 20000 + 13
		in := make([][]float32, 5)
		for k := range in {
			in[k] = testutil.Values[float32](r, n, true)
		}
		for i, v := range in[2] {
			in[2][i] = float32(math.Abs(float64(v)))
		}
		h := RMSpropParams{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, WeightDecay: 0.01, Momentum: 0.9, Centered: true}
		_, want := guardedCopies(0, in...)
		rmspropGenericH(want[0], want[1], want[2], want[3], want[4], h)
		gs, got := guardedCopies(1, in...)
		RMSpropStep(got[0], got[1], got[2], got[3], got[4], h)
		if msg := sameOutputs([]string{"param", "grad", "squareAvg", "gradAvg", "momentumBuf"}, gs, got, want); msg != "" {
			t.Fatal("RMSprop:", msg)
		}
		ha := AdagradParams{LR: 1e-2, LRDecay: 0.01, WeightDecay: 0.01, Eps: 1e-10, Step: 5}
		_, want = guardedCopies(0, in[:3]...)
		adagradGenericH(want[0], want[1], want[2], ha)
		gs, got = guardedCopies(1, in[:3]...)
		AdagradStep(got[0], got[1], got[2], ha)
		if msg := sameOutputs([]string{"param", "grad", "stateSum"}, gs, got, want); msg != "" {
			t.Fatal("Adagrad:", msg)
		}
	})
}

// TestRMSpropAdagradThreads checks that splitting a long slice across
// goroutines (at the default grain) gives the same bits as one pass.
func TestRMSpropAdagradThreads(t *testing.T) {
	n := 1<<18 + 77
	r := rand.New(rand.NewPCG(31, 32))
	p0 := testutil.Values[float32](r, n, false)
	g0 := testutil.Values[float32](r, n, false)
	run := func(threads int) [][]float32 {
		setThreads(t, threads)
		p, pa := append([]float32(nil), p0...), append([]float32(nil), p0...)
		sa, ga, b, ss := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for s := int64(1); s <= 3; s++ {
			RMSpropStep(p, g0, sa, ga, b, RMSpropParams{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9, Centered: true})
			AdagradStep(pa, g0, ss, AdagradParams{LR: 1e-2, LRDecay: 0.1, Eps: 1e-10, Step: s})
		}
		return [][]float32{p, sa, ga, b, pa, ss}
	}
	one, three := run(1), run(3)
	for k := range one {
		for i := range n {
			if one[k][i] != three[k][i] {
				t.Fatalf("slice %d i=%d: threads=1 and threads=3 differ", k, i)
			}
		}
	}
}

// TestRMSpropAdagradNoAlloc: a step allocates nothing.
func TestRMSpropAdagradNoAlloc(t *testing.T) {
	n := 100
	p, g, sa := make([]float32, n), make([]float32, n), make([]float32, n)
	ga, b, ss := make([]float32, n), make([]float32, n), make([]float32, n)
	forEachPath(t, func(t *testing.T) {
		a := testing.AllocsPerRun(10, func() {
			RMSpropStep(p, g, sa, ga, b, RMSpropParams{LR: 1e-2, Alpha: 0.99, Eps: 1e-8, Momentum: 0.9, Centered: true})
			AdagradStep(p, g, ss, AdagradParams{LR: 1e-2, Eps: 1e-10, Step: 1})
		})
		if a != 0 {
			t.Errorf("%v allocations per step", a)
		}
	})
}
