// Package gonum compares simdtorch's GEMM with gonum's pure-Go Sgemm/Dgemm
// in one run. It is a nested module so that the library's go.mod does not
// need gonum:
//
//	cd bench/gonum && go test -run '^$' -bench . -count 5 | benchstat -col /impl -
package gonum

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/simdtorch/simdtorch/kernels"
)

func randSlice(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
	return s
}

// BenchmarkSgemm/n=N/threads=T/impl=<simdtorch|gonum>: C = A·B, square.
// gonum's Sgemm splits across GOMAXPROCS itself, so threads sets
// GOMAXPROCS as well as kernels.SetThreads.
func BenchmarkSgemm(b *testing.B) {
	for _, n := range []int{256, 1024} {
		a, bm, c := randSlice(n*n, 1), randSlice(n*n, 2), make([]float32, n*n)
		for _, threads := range []int{1, 2} {
			for _, impl := range []string{"simdtorch", "gonum"} {
				b.Run(fmt.Sprintf("n=%d/threads=%d/impl=%s", n, threads, impl), func(b *testing.B) {
					prev := kernels.SetThreads(threads)
					defer kernels.SetThreads(prev)
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
					var impls gonum.Implementation
					for b.Loop() {
						if impl == "gonum" {
							impls.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a, n, bm, n, 0, c, n)
						} else {
							kernels.Gemm(kernels.NoTrans, kernels.NoTrans, n, n, n, 1, a, n, bm, n, 0, c, n)
						}
					}
					b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
