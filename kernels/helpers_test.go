package kernels

import (
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

// lowerGrains makes kernels split across goroutines from a few thousand
// elements for the rest of the test, so the split paths are exercised on
// inputs that stay cheap under emulation and -race.
func lowerGrains(t *testing.T) {
	cheap, costly := grainCheap, grainCostly
	grainCheap, grainCostly = 4096, 1024
	t.Cleanup(func() { grainCheap, grainCostly = cheap, costly })
}

// setThreads sets the thread count for the rest of the test.
func setThreads(t *testing.T, n int) {
	prev := SetThreads(n)
	t.Cleanup(func() { SetThreads(prev) })
}

// Comparators report true when got is not acceptable for want; the longer
// ones live in internal/testutil, shared with the fuzz targets.

func exactMismatch[T Float](got, want T) bool { return !testutil.SameBits(got, want) }

// ulpMismatch: within maxUlp ordered-bit steps; NaN only with NaN.
func ulpMismatch[T Float](got, want T, maxUlp int64) bool {
	return testutil.UlpDist(got, want) > maxUlp
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

// lowerGemmParallel lets the active path's blocked GEMM split across
// goroutines from gemmParallelFlops (a path may set a higher threshold,
// which would leave the threaded code untested on small products), for
// the rest of the test.
func lowerGemmParallel(t *testing.T) {
	g32, g64 := &opsFor[float32]().gemm, &opsFor[float64]().gemm
	p32, p64 := g32.parallelFlops, g64.parallelFlops
	g32.parallelFlops, g64.parallelFlops = 0, 0
	t.Cleanup(func() { g32.parallelFlops, g64.parallelFlops = p32, p64 })
}
