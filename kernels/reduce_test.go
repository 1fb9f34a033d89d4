package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

type reduceCase[T Float] struct {
	name  string
	nIn   int
	run   func(in [][]T) T
	ref   func(in [][]T) T
	terms func(in [][]T) []float64 // the summed terms, for the error bound
}

func reduceCases[T Float]() []reduceCase[T] {
	return []reduceCase[T]{
		{name: "Sum", nIn: 1,
			run: func(in [][]T) T { return Sum(in[0]) },
			ref: func(in [][]T) T { return sumGeneric(in[0]) },
			terms: func(in [][]T) []float64 {
				out := make([]float64, len(in[0]))
				for i, v := range in[0] {
					out[i] = float64(v)
				}
				return out
			}},
		{name: "Dot", nIn: 2,
			run: func(in [][]T) T { return Dot(in[0], in[1]) },
			ref: func(in [][]T) T { return dotGeneric(in[0], in[1]) },
			terms: func(in [][]T) []float64 {
				out := make([]float64, len(in[0]))
				for i, v := range in[0] {
					out[i] = float64(v) * float64(in[1][i])
				}
				return out
			}},
		{name: "SumSq", nIn: 1,
			run: func(in [][]T) T { return SumSq(in[0]) },
			ref: func(in [][]T) T { return sumSqGeneric(in[0]) },
			terms: func(in [][]T) []float64 {
				out := make([]float64, len(in[0]))
				for i, v := range in[0] {
					out[i] = float64(v) * float64(v)
				}
				return out
			}},
	}
}

func checkReduce[T Float](t *testing.T, c reduceCase[T], in []*testutil.Guarded[T]) {
	t.Helper()
	inS := make([][]T, len(in))
	for i, g := range in {
		inS[i] = g.S
	}
	inCopy := cloneAll(inS)
	got := c.run(inS)
	want := c.ref(inCopy)
	for _, g := range in {
		if err := g.Check(); err != nil {
			t.Fatalf("%s n=%d: %v", c.name, len(inS[0]), err)
		}
	}
	b := testutil.BoundOf[T](c.terms(inCopy))
	if testutil.ReductionMismatch(got, want, b) {
		t.Fatalf("%s n=%d: got %v, want %v (Σ|terms| = %g, nan=%v +inf=%v -inf=%v)\ninputs %v",
			c.name, len(inS[0]), got, want, b.AbsSum, b.NaN, b.PInf, b.NInf, inCopy)
	}
}

func testReduce[T Float](t *testing.T, special bool) {
	for _, c := range reduceCases[T]() {
		t.Run(fmt.Sprintf("%s/%s/special=%v", c.name, dtypeName[T](), special), func(t *testing.T) {
			r := rand.New(rand.NewPCG(11, uint64(len(c.name))))
			for _, n := range append(testLengths(), 3*grainCheap+5) {
				for _, off := range []int{n % 8, (5*n + 3) % 8} {
					in := make([]*testutil.Guarded[T], c.nIn)
					for i := range in {
						in[i] = testutil.NewGuarded("x", n, (off+i)%8, testutil.Values[T](r, n, special)...)
					}
					checkReduce(t, c, in)
				}
			}
		})
	}
}

func TestReduce(t *testing.T) {
	lowerGrains(t)
	forEachPath(t, func(t *testing.T) {
		for _, special := range []bool{false, true} {
			testReduce[float32](t, special)
			testReduce[float64](t, special)
		}
	})
}

// TestReduceExactCases pins results that no reordering may change.
func TestReduceExactCases(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, n := range []int{1, 7, 8, 9, 31, 32, 33, 100, 1000} {
			ones := make([]float32, n)
			for i := range ones {
				ones[i] = 1
			}
			if got := Sum(ones); got != float32(n) {
				t.Errorf("Sum of %d ones = %v", n, got)
			}
			if got := Dot(ones, ones); got != float32(n) {
				t.Errorf("Dot of %d ones = %v", n, got)
			}
			ones[n/2] = float32(math.Inf(-1))
			if got := Sum(ones); !math.IsInf(float64(got), -1) {
				t.Errorf("Sum with -Inf at %d of %d = %v", n/2, n, got)
			}
			ones[n-1] = float32(math.NaN())
			if got := SumSq(ones); got == got {
				t.Errorf("SumSq with NaN = %v", got)
			}
		}
		if Sum([]float64{}) != 0 || Dot([]float32{}, []float32{}) != 0 || SumSq([]float64(nil)) != 0 {
			t.Error("empty reductions must be 0")
		}
	})
}

func testMaxIdx[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, n := range append(testLengths()[1:], 3*grainCheap+9) {
		for trial := range 4 {
			vals := testutil.Values[T](r, n, trial == 3)
			switch trial {
			case 1: // many ties: small integers
				for i := range vals {
					vals[i] = T(r.IntN(5))
				}
			case 2: // a NaN somewhere (or two), after the max
				vals[r.IntN(n)] = T(math.NaN())
				vals[r.IntN(n)] = T(math.NaN())
			}
			g := testutil.NewGuarded("x", n, (n+trial)%8, vals...)
			got, gi := MaxIdx(g.S)
			want, wi := maxIdxGeneric(slices.Clone(vals))
			if err := g.Check(); err != nil {
				t.Fatal(err)
			}
			if gi != wi || !testutil.SameBits(got, want) {
				t.Fatalf("MaxIdx n=%d trial=%d: got (%v, %d), want (%v, %d)", n, trial, got, gi, want, wi)
			}
		}
	}
	// Fixed cases: first index on ties, NaN wins, -Inf only, ±0 tie.
	inf := T(math.Inf(1))
	nan := T(math.NaN())
	negz := T(math.Copysign(0, -1))
	for _, tc := range []struct {
		x   []T
		idx int
	}{
		{[]T{1, 3, 3, 2}, 1},
		{[]T{-inf, -inf}, 0},
		{[]T{1, inf, nan, inf}, 2},
		{[]T{nan, 5}, 0},
		{[]T{negz, 0}, 0},
		{append(make([]T, 40), 1, 1), 40},
		{append(append(make([]T, 37), nan), make([]T, 40)...), 37},
	} {
		if _, i := MaxIdx(tc.x); i != tc.idx {
			t.Errorf("MaxIdx(%v) index = %d, want %d", tc.x, i, tc.idx)
		}
	}
}

func TestMaxIdx(t *testing.T) {
	lowerGrains(t)
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testMaxIdx[float32])
		t.Run("f64", testMaxIdx[float64])
	})
}

func TestMaxIdxEmptyPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "MaxIdx") {
			t.Fatalf("MaxIdx(empty) panic = %v", r)
		}
	}()
	MaxIdx([]float32{})
}

func TestReduceThreadsDeterministic(t *testing.T) {
	lowerGrains(t)
	forEachPath(t, func(t *testing.T) {
		x := testutil.Values[float32](rand.New(rand.NewPCG(1, 2)), 5*grainCheap, false)
		setThreads(t, 3)
		a, b := Sum(x), Sum(x)
		if a != b {
			t.Fatalf("Sum differs between two calls with the same threads: %v vs %v", a, b)
		}
	})
}

// TestMaxIdxChunked shrinks the per-call limit so the piecewise path that
// guards the float32 assembly's int32 index lanes runs on small inputs.
func TestMaxIdxChunked(t *testing.T) {
	lowerGrains(t)
	prev := maxIdxChunk
	maxIdxChunk = 100
	t.Cleanup(func() { maxIdxChunk = prev })
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(8, 8))
		for _, threads := range []int{1, 2, 3} {
			setThreads(t, threads)
			for _, n := range []int{101, 250, 999, 3*grainCheap + 1} {
				for trial := range 3 {
					x := testutil.Values[float32](r, n, false)
					if trial == 1 {
						x[r.IntN(n)] = float32(math.NaN())
					}
					if trial == 2 {
						for i := range x {
							x[i] = float32(r.IntN(3))
						}
					}
					gv, gi := MaxIdx(x)
					wv, wi := maxIdxGeneric(x)
					if gi != wi || !testutil.SameBits(gv, wv) {
						t.Fatalf("threads=%d n=%d trial=%d: got (%v,%d) want (%v,%d)", threads, n, trial, gv, gi, wv, wi)
					}
				}
			}
		}
	})
}
