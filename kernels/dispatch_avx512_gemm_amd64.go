//go:build gc && !purego

package kernels

import st "github.com/simdtorch/simdtorch"

// avx512Gemm32 and avx512Gemm64 put the AVX-512 GEMM micro-kernels into
// the avx512 path: 14×32 (float32) and 14×16 (float64) register tiles of
// two ZMM columns, with masked edge kernels that write partial tiles
// straight into C. The blocking is measured on this project's machine
// (Sapphire-Rapids-class Xeon, 48 KiB L1d, 2 MiB L2); see
// docs/decisions.md and docs/benchmarks.md.
func avx512Gemm32(o *ops[float32]) {
	o.gemm = gemmKernel[float32]{
		mr: 14, nr: 32, mc: 14 * 6, kc: 512, nc: 1024, directPanels: 1 << 20, parallelFlops: 40 << 20,
		micro:     st.GemmMicroF32AVX512,
		microRows: st.GemmMicroRowsF32AVX512,
		microEdge: st.GemmMicroEdgeF32AVX512,
		axpyRows:  st.AxpyRowsF32AVX512,
		dotRows:   st.DotRowsF32AVX512,
		dotLanes:  16,
	}
}

func avx512Gemm64(o *ops[float64]) {
	o.gemm = gemmKernel[float64]{
		mr: 14, nr: 16, mc: 14 * 6, kc: 512, nc: 512, directPanels: 1 << 20, parallelFlops: 20 << 20,
		micro:     st.GemmMicroF64AVX512,
		microRows: st.GemmMicroRowsF64AVX512,
		microEdge: st.GemmMicroEdgeF64AVX512,
		axpyRows:  st.AxpyRowsF64AVX512,
		dotRows:   st.DotRowsF64AVX512,
		dotLanes:  8,
	}
}
