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
	unsupported["avx512"] = "avx512 is for amd64; this is arm64"
	if !(cpu.ARM64.HasASIMD) {
		unsupported["neon"] = "the CPU lacks ASIMD"
		return
	}
	registry = slices.Insert(registry, 0, &impl{name: "neon", f32: neonOps32(), f64: neonOps64()})
}

// GEMM blocking for the NEON micro-kernels, sized for a typical Cortex-A /
// Neoverse core (L1d 64 KiB, 32 KiB on A55/A72; L2 512 KiB-1 MiB; a shared
// L3 or system cache of a few MiB). The tiles use 24 of the 32 vector
// registers as accumulators and 5 (f32) or 7 (f64) for the A and B values
// of one k step:
//   - f32 8×12: per k step 2 A vectors + 3 B vectors feed 24 FMLAs (by
//     element), 96 flops per 80 bytes loaded.
//     kc = 256: the B micro-panel (kc·nr·4 = 12 KiB), reused by every A
//     micro-panel of the block, plus the streaming A micro-panel
//     (kc·mr·4 = 8 KiB) take 20 KiB of L1, under half of a 64 KiB L1 and
//     still fitting a 32 KiB one; the C tile's epilogue is ~1/256 of the
//     work. mc = 160 (a multiple of mr): the packed A block is
//     mc·kc·4 = 160 KiB of L2. nc = 3072 (a multiple of nr): the packed B
//     block is kc·nc·4 = 3 MiB, for L3.
//   - f64 8×6: same registers (3 B vectors of 2 and 8 A values in 4
//     vectors); kc = 192 gives about the L1 footprint of f32 (B 9 KiB, A
//     12 KiB), mc = 128 an A block of 192 KiB and nc = 2040 (a multiple of
//     6) a B block of 3 MiB.

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
		gemm: gemmKernel[float32]{mr: 8, nr: 12, mc: 160, kc: 256, nc: 3072, micro: st.GemmMicroF32NEON,
			dotRows: st.DotRowsF32NEON, dotLanes: 4},
		sgd:       st.SGDStepF32NEON,
		adam:      st.AdamStepF32NEON,
		rmsprop:   st.RMSpropStepF32NEON,
		adagrad:   st.AdagradStepF32NEON,
		transpose: transposeKernel[float32]{block: 4, f: st.TransposeF32NEON},
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
		gemm: gemmKernel[float64]{mr: 8, nr: 6, mc: 128, kc: 192, nc: 2040, micro: st.GemmMicroF64NEON,
			dotRows: st.DotRowsF64NEON, dotLanes: 2},
		sgd:       st.SGDStepF64NEON,
		adam:      st.AdamStepF64NEON,
		rmsprop:   st.RMSpropStepF64NEON,
		adagrad:   st.AdagradStepF64NEON,
		transpose: transposeKernel[float64]{block: 2, f: st.TransposeF64NEON},
	}
}
