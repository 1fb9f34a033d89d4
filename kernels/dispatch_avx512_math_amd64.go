//go:build gc && !purego

package kernels

// avx512Math32 and avx512Math64 put the AVX-512 transcendentals into the
// avx512 path.
func avx512Math32(o *ops[float32]) {}

func avx512Math64(o *ops[float64]) {}
