package bench

import (
	"fmt"
	"testing"

	"github.com/simdtorch/simdtorch/kernels"
)

// BenchmarkTranspose runs kernels.TransposeCopy of an n×n matrix (bytes
// counted: n² elements read and n² written) on every path, single-threaded,
// against Go's copy of the same bytes (impl=copy) in the same run; run it
// with BenchmarkCopy (-bench 'Transpose|Copy') for the out-of-cache
// yardstick. n = 1024 and 4096 have rows a multiple of 4 KiB apart, which
// alias in L1 (package tensor goes through a padded buffer there; the
// kernel alone walks 32×32 tiles); n = 1000 does not.
func BenchmarkTranspose(b *testing.B) {
	for _, n := range []int{64, 256, 1000, 1024, 4096} {
		b.Run(fmt.Sprintf("dtype=f32/n=%d", n), func(b *testing.B) { benchTranspose[float32](b, n, 4) })
	}
	for _, n := range []int{64, 256, 1000, 1024, 4096} {
		b.Run(fmt.Sprintf("dtype=f64/n=%d", n), func(b *testing.B) { benchTranspose[float64](b, n, 8) })
	}
}

func benchTranspose[T kernels.Float](b *testing.B, n, size int) {
	bf := buffers[T](n * n)
	src, dst := bf[0], bf[2]
	b.Run("impl=copy", func(b *testing.B) {
		b.SetBytes(int64(2 * size * n * n))
		for b.Loop() {
			copy(dst, src)
		}
	})
	forImpls(b, func(b *testing.B) {
		b.SetBytes(int64(2 * size * n * n))
		for b.Loop() {
			kernels.TransposeCopy(dst, n, src, n, n, n)
		}
	})
}
