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

func BenchmarkAdamStep(b *testing.B) {
	for _, n := range []int{1 << 12, 1 << 20} {
		b.Run(fmt.Sprintf("dtype=f32/n=%d", n), func(b *testing.B) {
			p := make([]float32, n)
			g := make([]float32, n)
			m := make([]float32, n)
			v := make([]float32, n)
			for i := range g {
				g[i] = float32(i%13) - 6
			}
			b.SetBytes(int64(n) * 4 * 7) // reads p g m v, writes p m v
			var s int64
			for b.Loop() {
				s++
				AdamStep(p, g, m, v, nil, AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: s})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
		})
	}
}

func BenchmarkSGDStep(b *testing.B) {
	n := 1 << 20
	b.Run(fmt.Sprintf("dtype=f32/n=%d", n), func(b *testing.B) {
		p := make([]float32, n)
		g := make([]float32, n)
		buf := make([]float32, n)
		b.SetBytes(int64(n) * 4 * 5)
		for b.Loop() {
			SGDStep(p, g, buf, SGDParams{LR: 0.1, Momentum: 0.9})
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
	})
}
