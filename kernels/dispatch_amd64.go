//go:build gc && !purego

package kernels

import (
	"fmt"
	"slices"

	"golang.org/x/sys/cpu"

	st "github.com/simdtorch/simdtorch"
)

// registerArch puts the avx2 path first when the CPU can run it
// (cpu.X86.HasAVX2 && cpu.X86.HasFMA), and the avx512 path before it when
// the CPU also has AVX-512 (F, DQ, BW, VL).
func registerArch() {
	unsupported["neon"] = "neon is for arm64; this is amd64"
	if !(cpu.X86.HasAVX2 && cpu.X86.HasFMA) {
		unsupported["avx2"] = fmt.Sprintf("the CPU lacks AVX2+FMA (HasAVX2=%v, HasFMA=%v)", cpu.X86.HasAVX2, cpu.X86.HasFMA)
		unsupported["avx512"] = unsupported["avx2"]
		return
	}
	registry = slices.Insert(registry, 0, &impl{name: "avx2", f32: avx2Ops32(), f64: avx2Ops64()})
	if !hasAVX512() {
		unsupported["avx512"] = fmt.Sprintf("the CPU lacks AVX-512 F+DQ+BW+VL (HasAVX512F=%v, DQ=%v, BW=%v, VL=%v)",
			cpu.X86.HasAVX512F, cpu.X86.HasAVX512DQ, cpu.X86.HasAVX512BW, cpu.X86.HasAVX512VL)
		return
	}
	registry = slices.Insert(registry, 0, &impl{name: "avx512", f32: avx512Ops32(), f64: avx512Ops64()})
}

func avx2Ops32() *ops[float32] {
	return &ops[float32]{
		add:               st.AddF32AVX2,
		sub:               st.SubF32AVX2,
		mul:               st.MulF32AVX2,
		div:               st.DivF32AVX2,
		addScalar:         st.AddScalarF32AVX2,
		subScalar:         st.SubScalarF32AVX2,
		mulScalar:         st.MulScalarF32AVX2,
		divScalar:         st.DivScalarF32AVX2,
		axpy:              st.AxpyF32AVX2,
		scale:             st.ScaleF32AVX2,
		fill:              st.FillF32AVX2,
		relu:              st.ReluF32AVX2,
		reluBackward:      st.ReluBackwardF32AVX2,
		leakyRelu:         st.LeakyReluF32AVX2,
		leakyReluBackward: st.LeakyReluBackwardF32AVX2,
		exp:               st.ExpF32AVX2,
		log:               st.LogF32AVX2,
		tanh:              st.TanhF32AVX2,
		sigmoid:           st.SigmoidF32AVX2,
		sum:               st.SumF32AVX2,
		dot:               st.DotF32AVX2,
		sumSq:             st.SumSqF32AVX2,
		maxIdx:            st.MaxIdxF32AVX2,
		softmax:           st.SoftmaxF32AVX2,
		logSoftmax:        st.LogSoftmaxF32AVX2,
		gemm: gemmKernel[float32]{mr: 6, nr: 16, mc: 144, kc: 256, nc: 4080, micro: st.GemmMicroF32AVX2, microRows: st.GemmMicroRowsF32AVX2,
			dotRows: st.DotRowsF32AVX2, dotLanes: 8},
		sgd:       st.SGDStepF32AVX2,
		adam:      st.AdamStepF32AVX2,
		rmsprop:   st.RMSpropStepF32AVX2,
		adagrad:   st.AdagradStepF32AVX2,
		transpose: transposeKernel[float32]{block: 8, f: st.TransposeF32AVX2},
	}
}

func avx2Ops64() *ops[float64] {
	return &ops[float64]{
		add:               st.AddF64AVX2,
		sub:               st.SubF64AVX2,
		mul:               st.MulF64AVX2,
		div:               st.DivF64AVX2,
		addScalar:         st.AddScalarF64AVX2,
		subScalar:         st.SubScalarF64AVX2,
		mulScalar:         st.MulScalarF64AVX2,
		divScalar:         st.DivScalarF64AVX2,
		axpy:              st.AxpyF64AVX2,
		scale:             st.ScaleF64AVX2,
		fill:              st.FillF64AVX2,
		relu:              st.ReluF64AVX2,
		reluBackward:      st.ReluBackwardF64AVX2,
		leakyRelu:         st.LeakyReluF64AVX2,
		leakyReluBackward: st.LeakyReluBackwardF64AVX2,
		exp:               st.ExpF64AVX2,
		log:               st.LogF64AVX2,
		tanh:              st.TanhF64AVX2,
		sigmoid:           st.SigmoidF64AVX2,
		sum:               st.SumF64AVX2,
		dot:               st.DotF64AVX2,
		sumSq:             st.SumSqF64AVX2,
		maxIdx:            st.MaxIdxF64AVX2,
		softmax:           st.SoftmaxF64AVX2,
		logSoftmax:        st.LogSoftmaxF64AVX2,
		gemm: gemmKernel[float64]{mr: 6, nr: 8, mc: 72, kc: 256, nc: 4080, micro: st.GemmMicroF64AVX2, microRows: st.GemmMicroRowsF64AVX2,
			dotRows: st.DotRowsF64AVX2, dotLanes: 4},
		sgd:       st.SGDStepF64AVX2,
		adam:      st.AdamStepF64AVX2,
		rmsprop:   st.RMSpropStepF64AVX2,
		adagrad:   st.AdagradStepF64AVX2,
		transpose: transposeKernel[float64]{block: 4, f: st.TransposeF64AVX2},
	}
}
