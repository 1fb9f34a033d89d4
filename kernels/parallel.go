package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Work below these element counts runs on the calling goroutine; a call
// splits into pieces of at least this many elements. Measured with
// BenchmarkGrain (kernels/grain_test.go) on this project's 2-vCPU machine:
// handing half of an add or exp to a second goroutine costs 20-50% up to
// 256K float32 elements (the second core starts with the data cold in its
// cache, and waking it costs microseconds) and starts to pay at 1M (add
// 1.1×, exp 1.05× there; GEMM, with far more work per byte, scales 1.9×).
// Variables so that tests can exercise the split on small inputs.
var (
	grainCheap  = 1 << 19 // add, mul, axpy, relu, fill, sum, dot, ...
	grainCostly = 1 << 19 // exp, log, tanh, sigmoid
)

var threadSetting atomic.Int32 // 0: follow GOMAXPROCS

// SetThreads sets how many goroutines a large kernel call may split its
// work across, and returns the previous setting: the count last set, or 0
// while the default was in effect. n <= 0 restores the default, which
// follows runtime.GOMAXPROCS (Threads reports the count in effect). So
//
//	defer kernels.SetThreads(kernels.SetThreads(1))
//
// restores exactly what was there, the default included. It is safe to
// call at any time.
func SetThreads(n int) (prev int) {
	n = max(n, 0)
	return int(threadSetting.Swap(int32(min(n, 1<<20))))
}

// Threads reports the thread count kernels use: the SetThreads value, or
// runtime.GOMAXPROCS(0) by default.
func Threads() int {
	if n := threadSetting.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// chunks says how many pieces to split n elements into, at least grain each.
func chunks(n, grain int) int {
	if n < 2*grain {
		return 1
	}
	return min(Threads(), n/grain)
}

// parallel runs fn over at most k contiguous pieces of [0, n), each but the
// last a multiple of 64 elements (so pieces start cache-line aligned
// relative to the slice), the first piece on the calling goroutine. Pieces
// that would start past n are not run.
func parallel(n, k int, fn func(part, lo, hi int)) { parallelAligned(n, k, 64, fn) }

// parallelAligned is parallel with pieces a multiple of align (a power of
// two) long; align 1 splits counts of work units evenly.
func parallelAligned(n, k, align int, fn func(part, lo, hi int)) {
	step := ((n+k-1)/k + align - 1) &^ (align - 1)
	var wg sync.WaitGroup
	for p := 1; p < k; p++ {
		lo := p * step
		if lo >= n {
			break
		}
		hi := min(lo+step, n)
		wg.Go(func() { fn(p, lo, hi) })
	}
	fn(0, 0, min(step, n))
	wg.Wait()
}
