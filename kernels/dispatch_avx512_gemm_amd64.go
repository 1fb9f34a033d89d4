//go:build gc && !purego

package kernels

// avx512Gemm32 and avx512Gemm64 put the AVX-512 GEMM micro-kernels into
// the avx512 path.
func avx512Gemm32(o *ops[float32]) {}

func avx512Gemm64(o *ops[float64]) {}
