package kernels

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

// forEachPath runs fn once per kernel path this CPU can run (generic and
// the assembly one), with that path active, restoring the previous one.
func forEachPath(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	for _, p := range Paths() {
		t.Run("path="+p, func(t *testing.T) {
			prev, err := SetPath(p)
			require.NoError(t, err)
			t.Cleanup(func() { _, _ = SetPath(prev) })
			fn(t)
		})
	}
}

// setThreads sets the thread count for the rest of the test.
func setThreads(t *testing.T, n int) {
	prev := SetThreads(n)
	t.Cleanup(func() { SetThreads(prev) })
}

// Comparators. Each returns "" when got is acceptable for want.

func exactMismatch[T Float](got, want T) bool { return !testutil.SameBits(got, want) }

// ulpMismatch: within maxUlp ordered-bit steps; NaN only with NaN.
func ulpMismatch[T Float](got, want T, maxUlp int64) bool {
	return testutil.UlpDist(got, want) > maxUlp
}

// fmaMismatch compares y + alpha*x computed fused (got) with the unfused
// generic (want): they may differ by the rounding of the product, and
// anything goes once the product overflows in one form but not the other.
func fmaMismatch[T Float](got, want T, alpha, x, y0 T) bool {
	p := float64(alpha) * float64(x)
	if math.IsInf(p, 0) || math.Abs(p) > testutil.MaxFinite[T]() {
		return false
	}
	if got != got || want != want || math.IsInf(float64(got), 0) || math.IsInf(float64(want), 0) {
		return !testutil.SameBits(got, want)
	}
	eps := testutil.Eps[T]()
	tol := 2*eps*(math.Abs(p)+math.Abs(float64(y0))) + float64(tinyOf[T]())
	return math.Abs(float64(got)-float64(want)) > tol
}

func tinyOf[T Float]() T { return testutil.FromBits[T](1) }

// sumBound describes the terms of a reduction for its error bound.
type sumBound struct {
	absSum           float64 // Σ|term| over finite terms
	nan, pinf, ninf  bool
	overflowPossible bool
	n                int
}

func boundOf[T Float](terms []float64) sumBound {
	b := sumBound{n: len(terms)}
	for _, v := range terms {
		switch {
		case v != v:
			b.nan = true
		case math.IsInf(v, 1):
			b.pinf = true
		case math.IsInf(v, -1):
			b.ninf = true
		default:
			b.absSum += math.Abs(v)
		}
	}
	b.overflowPossible = math.IsInf(b.absSum, 0) || b.absSum > testutil.MaxFinite[T]()/2
	return b
}

// reductionMismatch checks a sum-like result against a sequential one.
func reductionMismatch[T Float](got, want T, b sumBound) bool {
	switch {
	case b.overflowPossible:
		return false // the order decides where partial sums overflow
	case b.nan || (b.pinf && b.ninf):
		return !(got != got && want != want)
	case b.pinf:
		return !math.IsInf(float64(got), 1) || !math.IsInf(float64(want), 1)
	case b.ninf:
		return !math.IsInf(float64(got), -1) || !math.IsInf(float64(want), -1)
	}
	eps := testutil.Eps[T]()
	tol := 2*float64(b.n+1)*eps*b.absSum + float64(b.n+1)*float64(tinyOf[T]())
	return math.Abs(float64(got)-float64(want)) > tol
}

func isFloat32[T Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

func dtypeName[T Float]() string {
	if isFloat32[T]() {
		return "f32"
	}
	return "f64"
}
