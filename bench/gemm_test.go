package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/simdtorch/simdtorch/kernels"
)

// gemmShapes: square sizes and the ML shapes of the issue, as m, k, n
// (M×K times K×N).
var gemmShapes = [][3]int{
	{32, 32, 32}, {64, 64, 64}, {128, 128, 128}, {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024}, {2048, 2048, 2048},
	{64, 784, 256}, {64, 256, 10}, {256, 1024, 1024}, {1, 4096, 4096}, {4096, 4096, 1},
}

func randSlice[T kernels.Float](n int, seed uint64) []T {
	r := rand.New(rand.NewPCG(seed, 7))
	s := make([]T, n)
	for i := range s {
		s[i] = T(r.Float64()*2 - 1)
	}
	return s
}

func benchGemm[T kernels.Float](b *testing.B, m, k, n, threads int) {
	a := randSlice[T](m*k, 1)
	bm := randSlice[T](k*n, 2)
	c := make([]T, m*n)
	prev := kernels.SetThreads(threads)
	defer kernels.SetThreads(prev)
	var z T
	b.SetBytes(int64((m*k + k*n + m*n) * int(unsafe.Sizeof(z))))
	for b.Loop() {
		kernels.Gemm(kernels.NoTrans, kernels.NoTrans, m, n, k, 1, a, k, bm, n, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkGemm: C = A·B (no transposes, beta = 0) on the best path.
func BenchmarkGemm(b *testing.B) {
	for _, dt := range []string{"f32", "f64"} {
		for _, s := range gemmShapes {
			m, k, n := s[0], s[1], s[2]
			if dt == "f64" && m == 2048 {
				continue
			}
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("dtype=%s/m=%d/n=%d/k=%d/threads=%d", dt, m, n, k, threads), func(b *testing.B) {
					if dt == "f32" {
						benchGemm[float32](b, m, k, n, threads)
					} else {
						benchGemm[float64](b, m, k, n, threads)
					}
				})
			}
		}
	}
}
