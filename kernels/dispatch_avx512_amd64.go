//go:build gc && !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	st "github.com/simdtorch/simdtorch"
)

// The avx512 path is the avx2 path with the kernels that gain from 16-lane
// vectors (GEMM micro-kernels, the transcendentals) replaced by AVX-512
// versions; every other entry is the AVX2 routine. It needs AVX-512 F, DQ,
// BW and VL (x/sys/cpu also checks that the OS saves the ZMM and mask
// registers). See docs/decisions.md.
func hasAVX512() bool {
	return cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL
}

func avx512Ops32() *ops[float32] {
	o := avx2Ops32()
	avx512Gemm32(o)
	avx512Math32(o)
	o.transpose.line = st.TransposeF32AVX512
	return o
}

func avx512Ops64() *ops[float64] {
	o := avx2Ops64()
	avx512Gemm64(o)
	avx512Math64(o)
	o.transpose.line = st.TransposeF64AVX512
	return o
}
