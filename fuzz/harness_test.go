package fuzz

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
	"github.com/simdtorch/simdtorch/kernels"
)

type Float = testutil.Float

// seedLengths are the lane and unroll edges of the AVX2 (8/4 lanes, 4x
// unrolled) and NEON (4/2 lanes, 4x unrolled) loops.
var seedLengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200}

// seed adds one corpus entry per edge length: parts slices of n values
// each (random, with specials), an offset and a scalar.
func seed[T Float](f *testing.F, parts int) {
	for _, n := range seedLengths {
		r := rand.New(rand.NewPCG(uint64(n), uint64(parts)))
		vals := testutil.Values[T](r, n*parts, true)
		s := testutil.Values[T](r, 1, false)[0]
		f.Add(testutil.ToBytes(vals), uint8(n%8), testutil.Bits(s))
	}
}

// split decodes data into parts slices of equal length.
func split[T Float](data []byte, parts int) [][]T {
	vals := testutil.FromBytes[T](data)
	n := len(vals) / parts
	out := make([][]T, parts)
	for i := range out {
		out[i] = vals[i*n : (i+1)*n : (i+1)*n]
	}
	return out
}

// onPath runs fn with the named kernel path active.
func onPath(t *testing.T, path string, fn func()) {
	prev, err := kernels.SetPath(path)
	if err != nil {
		t.Fatal(err)
	}
	defer kernels.SetPath(prev)
	fn()
}

// asmPaths are the paths compared with generic (none under purego).
func asmPaths() []string {
	ps := kernels.Paths()
	return ps[:len(ps)-1]
}

// guarded copies vals into guarded slices, each at its own misalignment.
func guarded[T Float](vals [][]T, off uint8) ([]*testutil.Guarded[T], [][]T) {
	gs := make([]*testutil.Guarded[T], len(vals))
	ss := make([][]T, len(vals))
	for i, v := range vals {
		gs[i] = testutil.NewGuarded(fmt.Sprint("arg", i), len(v), (int(off)+3*i)%8, v...)
		ss[i] = gs[i].S
	}
	return gs, ss
}

func checkGuards[T Float](t *testing.T, path string, gs []*testutil.Guarded[T]) {
	t.Helper()
	for _, g := range gs {
		if err := g.Check(); err != nil {
			t.Fatalf("path %s: out-of-bounds write: %v", path, err)
		}
	}
}

type mode int

const (
	exact mode = iota
	fused      // Axpy
	ulp4       // transcendentals
)

// fuzzElem fuzzes an elementwise kernel: args[0] is dst (its initial
// values are data too: Axpy's y, Scale's x), args[1:] the inputs.
func fuzzElem[T Float](f *testing.F, nIn int, m mode, run func(dst []T, in [][]T, s T)) {
	seed[T](f, nIn+1)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, sbits uint64) {
		args := split[T](data, nIn+1)
		s := testutil.FromBits[T](sbits)
		result := func(path string) []T {
			gs, ss := guarded(args, off)
			onPath(t, path, func() { run(ss[0], ss[1:], s) })
			checkGuards(t, path, gs)
			return ss[0]
		}
		want := result("generic")
		for _, p := range asmPaths() {
			got := result(p)
			for i := range want {
				var bad bool
				switch m {
				case exact:
					bad = !testutil.SameBits(got[i], want[i])
				case fused:
					bad = testutil.FMAMismatch(got[i], want[i], s, args[1][i], args[0][i])
				case ulp4:
					bad = testutil.UlpDist(got[i], want[i]) > 4
				}
				if bad {
					in := make([]T, len(args))
					for k := range args {
						in[k] = args[k][i]
					}
					t.Fatalf("path %s, n=%d, element %d: args %v, s=%v: got %v, generic %v", p, len(want), i, in, s, got[i], want[i])
				}
			}
		}
	})
}

// fuzzReduce fuzzes a sum-like kernel within its error bound.
func fuzzReduce[T Float](f *testing.F, nIn int, run func(in [][]T) T, term func(in [][]T, i int) float64) {
	seed[T](f, nIn)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, _ uint64) {
		args := split[T](data, nIn)
		result := func(path string) T {
			gs, ss := guarded(args, off)
			var v T
			onPath(t, path, func() { v = run(ss) })
			checkGuards(t, path, gs)
			return v
		}
		want := result("generic")
		terms := make([]float64, len(args[0]))
		for i := range terms {
			terms[i] = term(args, i)
		}
		b := testutil.BoundOf[T](terms)
		for _, p := range asmPaths() {
			if got := result(p); testutil.ReductionMismatch(got, want, b) {
				t.Fatalf("path %s, n=%d: got %v, generic %v (Σ|terms| %g)", p, len(terms), got, want, b.AbsSum)
			}
		}
	})
}

func fuzzMaxIdx[T Float](f *testing.F) {
	seed[T](f, 1)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, _ uint64) {
		args := split[T](data, 1)
		if len(args[0]) == 0 {
			return
		}
		result := func(path string) (T, int) {
			gs, ss := guarded(args, off)
			var v T
			var i int
			onPath(t, path, func() { v, i = kernels.MaxIdx(ss[0]) })
			checkGuards(t, path, gs)
			return v, i
		}
		wv, wi := result("generic")
		for _, p := range asmPaths() {
			if gv, gi := result(p); gi != wi || !testutil.SameBits(gv, wv) {
				t.Fatalf("path %s, n=%d: got (%v, %d), generic (%v, %d)", p, len(args[0]), gv, gi, wv, wi)
			}
		}
	})
}

func fuzzSoftmax[T Float](f *testing.F, log bool) {
	seed[T](f, 1)
	f.Fuzz(func(t *testing.T, data []byte, off uint8, _ uint64) {
		x := split[T](data, 1)[0]
		n := len(x)
		result := func(path string) []T {
			gs, ss := guarded([][]T{make([]T, n), x}, off)
			onPath(t, path, func() {
				if log {
					kernels.LogSoftmax(ss[0], ss[1])
				} else {
					kernels.Softmax(ss[0], ss[1])
				}
			})
			checkGuards(t, path, gs)
			return ss[0]
		}
		want := result("generic")
		var m T
		if n > 0 {
			m, _ = kernels.MaxIdx(x)
		}
		for _, p := range asmPaths() {
			got := result(p)
			for i := range want {
				var bad bool
				if log {
					bad = testutil.LogSoftmaxMismatch(got[i], want[i], x[i]-m, n)
				} else {
					bad = testutil.SoftmaxMismatch(got[i], want[i], n)
				}
				if bad {
					t.Fatalf("path %s, n=%d, element %d (x=%v, max %v): got %v, generic %v", p, n, i, x[i], m, got[i], want[i])
				}
			}
		}
	})
}
