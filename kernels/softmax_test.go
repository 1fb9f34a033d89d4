package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

func testSoftmax[T Float](t *testing.T, log bool) {
	r := rand.New(rand.NewPCG(9, 9))
	run, ref := Softmax[T], softmaxGeneric[T]
	if log {
		run, ref = LogSoftmax[T], logSoftmaxGeneric[T]
	}
	for _, n := range testLengths()[1:] {
		for trial := range 5 {
			x := testutil.Values[T](r, n, false)
			switch trial {
			case 1: // logits with a large spread
				for i := range x {
					x[i] *= 30
				}
			case 2: // one huge logit: others underflow to 0
				x[r.IntN(n)] = 1e4
			case 3: // a NaN
				x[r.IntN(n)] = T(math.NaN())
			case 4: // -Inf entries are fine (probability 0), +Inf gives NaN
				x[r.IntN(n)] = T(math.Inf(-1))
				if n > 3 {
					x[r.IntN(n)] = T(math.Inf(1))
				}
			}
			xg := testutil.NewGuarded("x", n, n%8, x...)
			dst := testutil.NewGuarded("dst", n, (n+3)%8, testutil.Values[T](r, n, true)...)
			want := make([]T, n)
			ref(want, slices.Clone(x))
			run(dst.S, xg.S)
			for _, g := range []*testutil.Guarded[T]{xg, dst} {
				if err := g.Check(); err != nil {
					t.Fatalf("n=%d: %v", n, err)
				}
			}
			m, _ := maxIdxGeneric(x)
			for i := range want {
				var bad bool
				if log {
					bad = testutil.LogSoftmaxMismatch(dst.S[i], want[i], x[i]-m, n)
				} else {
					bad = testutil.SoftmaxMismatch(dst.S[i], want[i], n)
				}
				if bad {
					t.Fatalf("log=%v n=%d trial=%d element %d (x=%v): got %v, want %v", log, n, trial, i, x[i], dst.S[i], want[i])
				}
			}
			// In place gives the same result.
			inplace := slices.Clone(x)
			run(inplace, inplace)
			for i := range inplace {
				if !testutil.SameBits(inplace[i], dst.S[i]) {
					t.Fatalf("log=%v n=%d in place element %d: %v vs %v", log, n, i, inplace[i], dst.S[i])
				}
			}
		}
	}
}

func TestSoftmax(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, log := range []bool{false, true} {
			t.Run(fmt.Sprintf("log=%v/f32", log), func(t *testing.T) { testSoftmax[float32](t, log) })
			t.Run(fmt.Sprintf("log=%v/f64", log), func(t *testing.T) { testSoftmax[float64](t, log) })
		}
	})
}

// TestSoftmaxProperties: rows sum to 1, log-softmax exponentiates to
// softmax, shifting the logits changes nothing.
func TestSoftmaxProperties(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(4, 4))
		for _, n := range []int{1, 3, 8, 10, 33, 1000} {
			x := testutil.Values[float64](r, n, false)
			p := make([]float64, n)
			lp := make([]float64, n)
			Softmax(p, x)
			LogSoftmax(lp, x)
			if s := sumGeneric(p); math.Abs(s-1) > 1e-12*float64(n) {
				t.Errorf("n=%d: softmax sums to %v", n, s)
			}
			shifted := slices.Clone(x)
			AddScalar(shifted, shifted, 1000)
			q := make([]float64, n)
			Softmax(q, shifted)
			for i := range p {
				if math.Abs(math.Exp(lp[i])-p[i]) > 1e-12 || math.Abs(q[i]-p[i]) > 1e-9 {
					t.Fatalf("n=%d i=%d: softmax %v, exp(logsoftmax) %v, shifted %v", n, i, p[i], math.Exp(lp[i]), q[i])
				}
			}
		}
		Softmax([]float32{}, []float32{}) // empty rows are a no-op
	})
}
