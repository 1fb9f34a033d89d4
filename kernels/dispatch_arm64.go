//go:build gc && !purego

package kernels

import (
	"slices"

	"golang.org/x/sys/cpu"

	st "github.com/simdtorch/simdtorch"
)

// registerArch puts the neon path first when the CPU can run it (cpu.ARM64.HasASIMD).
func registerArch() {
	unsupported["avx2"] = "avx2 is for amd64; this is arm64"
	if !(cpu.ARM64.HasASIMD) {
		unsupported["neon"] = "the CPU lacks ASIMD"
		return
	}
	registry = slices.Insert(registry, 0, &impl{name: "neon", f32: neonOps32(), f64: neonOps64()})
}

func neonOps32() *ops[float32] {
	return &ops[float32]{
		add:               st.AddF32NEON,
		sub:               st.SubF32NEON,
		mul:               st.MulF32NEON,
		div:               st.DivF32NEON,
		addScalar:         st.AddScalarF32NEON,
		subScalar:         st.SubScalarF32NEON,
		mulScalar:         st.MulScalarF32NEON,
		divScalar:         st.DivScalarF32NEON,
		axpy:              st.AxpyF32NEON,
		scale:             st.ScaleF32NEON,
		fill:              st.FillF32NEON,
		relu:              st.ReluF32NEON,
		reluBackward:      st.ReluBackwardF32NEON,
		leakyRelu:         st.LeakyReluF32NEON,
		leakyReluBackward: st.LeakyReluBackwardF32NEON,
		exp:               st.ExpF32NEON,
		log:               st.LogF32NEON,
		tanh:              st.TanhF32NEON,
		sigmoid:           st.SigmoidF32NEON,
		sum:               st.SumF32NEON,
		dot:               st.DotF32NEON,
		sumSq:             st.SumSqF32NEON,
		maxIdx:            st.MaxIdxF32NEON,
		softmax:           st.SoftmaxF32NEON,
		logSoftmax:        st.LogSoftmaxF32NEON,
	}
}

func neonOps64() *ops[float64] {
	return &ops[float64]{
		add:               st.AddF64NEON,
		sub:               st.SubF64NEON,
		mul:               st.MulF64NEON,
		div:               st.DivF64NEON,
		addScalar:         st.AddScalarF64NEON,
		subScalar:         st.SubScalarF64NEON,
		mulScalar:         st.MulScalarF64NEON,
		divScalar:         st.DivScalarF64NEON,
		axpy:              st.AxpyF64NEON,
		scale:             st.ScaleF64NEON,
		fill:              st.FillF64NEON,
		relu:              st.ReluF64NEON,
		reluBackward:      st.ReluBackwardF64NEON,
		leakyRelu:         st.LeakyReluF64NEON,
		leakyReluBackward: st.LeakyReluBackwardF64NEON,
		exp:               st.ExpF64NEON,
		log:               st.LogF64NEON,
		tanh:              st.TanhF64NEON,
		sigmoid:           st.SigmoidF64NEON,
		sum:               st.SumF64NEON,
		dot:               st.DotF64NEON,
		sumSq:             st.SumSqF64NEON,
		maxIdx:            st.MaxIdxF64NEON,
		softmax:           st.SoftmaxF64NEON,
		logSoftmax:        st.LogSoftmaxF64NEON,
	}
}
