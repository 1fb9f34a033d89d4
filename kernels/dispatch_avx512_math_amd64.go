//go:build gc && !purego

package kernels

import st "github.com/simdtorch/simdtorch"

// avx512Math32 and avx512Math64 put the AVX-512 transcendentals, and
// Softmax and LogSoftmax (which inline the AVX-512 Exp and Log code), into
// the avx512 path (16 float32 or 8 float64 lanes per instruction; the AVX2
// routines have 8 and 4).
func avx512Math32(o *ops[float32]) {
	o.exp = st.ExpF32AVX512
	o.log = st.LogF32AVX512
	o.tanh = st.TanhF32AVX512
	o.sigmoid = st.SigmoidF32AVX512
	o.softmax = st.SoftmaxF32AVX512
	o.logSoftmax = st.LogSoftmaxF32AVX512
}

func avx512Math64(o *ops[float64]) {
	o.exp = st.ExpF64AVX512
	o.log = st.LogF64AVX512
	o.tanh = st.TanhF64AVX512
	o.sigmoid = st.SigmoidF64AVX512
	o.softmax = st.SoftmaxF64AVX512
	o.logSoftmax = st.LogSoftmaxF64AVX512
}
