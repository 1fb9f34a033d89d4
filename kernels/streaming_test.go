package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestStreamingStores runs elementwise kernels, single-threaded, on
// outputs just over the size from which the assembly stores with
// non-temporal hints (8 MiB: 2M float32 or 1M float64 elements), with dst
// 64-byte aligned and not (so the masked head that aligns it runs), under
// the guards and comparison of checkOne; the other tests stay below that
// size. One kernel per loop shape (binary, scalar, ReLU, three slices)
// and every transcendental (the AVX-512 ones have their own loop).
func TestStreamingStores(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("large inputs (and the race detector does not see the assembly's accesses)")
	}
	setThreads(t, 1)
	forEachPath(t, func(t *testing.T) {
		if p := Path(); p != "avx2" && p != "avx512" {
			t.Skip("no streaming stores on this path")
		}
		testStreaming[float32](t, 8<<20/4)
		testStreaming[float64](t, 8<<20/8)
	})
}

func testStreaming[T Float](t *testing.T, ntElems int) {
	for _, c := range elemCases[T]() {
		switch c.name {
		case "Add", "MulScalar", "Relu", "LeakyReluBackward", "Exp", "Log", "Tanh", "Sigmoid":
		default:
			continue
		}
		t.Run(fmt.Sprintf("%s/%s", c.name, dtypeName[T]()), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(len(c.name)), 11))
			for _, off := range []int{0, 6} { // Guard = 16 elements: dst+0 is 64-byte aligned
				checkOne(t, c, r, ntElems+r.IntN(40), off, -1)
			}
		})
	}
}
