package fuzz

import (
	"testing"

	"github.com/simdtorch/simdtorch/kernels"
)

// One target per kernel and dtype. Each is a thin adapter onto the shared
// harness in harness_test.go.

func FuzzAddF32(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float32, in [][]float32, _ float32) { kernels.Add(d, in[0], in[1]) })
}

func FuzzSubF32(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float32, in [][]float32, _ float32) { kernels.Sub(d, in[0], in[1]) })
}

func FuzzMulF32(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float32, in [][]float32, _ float32) { kernels.Mul(d, in[0], in[1]) })
}

func FuzzDivF32(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float32, in [][]float32, _ float32) { kernels.Div(d, in[0], in[1]) })
}

func FuzzReluBackwardF32(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float32, in [][]float32, _ float32) { kernels.ReluBackward(d, in[0], in[1]) })
}

func FuzzAddScalarF32(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float32, in [][]float32, s float32) { kernels.AddScalar(d, in[0], s) })
}

func FuzzSubScalarF32(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float32, in [][]float32, s float32) { kernels.SubScalar(d, in[0], s) })
}

func FuzzMulScalarF32(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float32, in [][]float32, s float32) { kernels.MulScalar(d, in[0], s) })
}

func FuzzDivScalarF32(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float32, in [][]float32, s float32) { kernels.DivScalar(d, in[0], s) })
}

func FuzzLeakyReluF32(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float32, in [][]float32, s float32) { kernels.LeakyRelu(d, in[0], s) })
}

func FuzzLeakyReluBackwardF32(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float32, in [][]float32, s float32) { kernels.LeakyReluBackward(d, in[0], in[1], s) })
}

func FuzzAxpyF32(f *testing.F) {
	fuzzElem(f, 1, fused, func(y []float32, in [][]float32, a float32) { kernels.Axpy(a, in[0], y) })
}

func FuzzScaleF32(f *testing.F) {
	fuzzElem(f, 0, exact, func(x []float32, _ [][]float32, a float32) { kernels.Scale(a, x) })
}

func FuzzFillF32(f *testing.F) {
	fuzzElem(f, 0, exact, func(d []float32, _ [][]float32, v float32) { kernels.Fill(d, v) })
}

func FuzzReluF32(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float32, in [][]float32, _ float32) { kernels.Relu(d, in[0]) })
}

func FuzzExpF32(f *testing.F) {
	fuzzElem(f, 1, ulp4, func(d []float32, in [][]float32, _ float32) { kernels.Exp(d, in[0]) })
}

func FuzzLogF32(f *testing.F) {
	fuzzElem(f, 1, ulp4, func(d []float32, in [][]float32, _ float32) { kernels.Log(d, in[0]) })
}

func FuzzTanhF32(f *testing.F) {
	fuzzElem(f, 1, ulp4, func(d []float32, in [][]float32, _ float32) { kernels.Tanh(d, in[0]) })
}

func FuzzSigmoidF32(f *testing.F) {
	fuzzElem(f, 1, ulp4, func(d []float32, in [][]float32, _ float32) { kernels.Sigmoid(d, in[0]) })
}

func FuzzSumF32(f *testing.F) {
	fuzzReduce(f, 1, func(in [][]float32) float32 { return kernels.Sum(in[0]) },
		func(in [][]float32, i int) float64 { return float64(in[0][i]) })
}

func FuzzDotF32(f *testing.F) {
	fuzzReduce(f, 2, func(in [][]float32) float32 { return kernels.Dot(in[0], in[1]) },
		func(in [][]float32, i int) float64 { return float64(in[0][i]) * float64(in[1][i]) })
}

func FuzzSumSqF32(f *testing.F) {
	fuzzReduce(f, 1, func(in [][]float32) float32 { return kernels.SumSq(in[0]) },
		func(in [][]float32, i int) float64 { return float64(in[0][i]) * float64(in[0][i]) })
}

func FuzzMaxIdxF32(f *testing.F) { fuzzMaxIdx[float32](f) }

func FuzzSoftmaxF32(f *testing.F) { fuzzSoftmax[float32](f, false) }

func FuzzLogSoftmaxF32(f *testing.F) { fuzzSoftmax[float32](f, true) }

func FuzzAddF64(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float64, in [][]float64, _ float64) { kernels.Add(d, in[0], in[1]) })
}

func FuzzSubF64(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float64, in [][]float64, _ float64) { kernels.Sub(d, in[0], in[1]) })
}

func FuzzMulF64(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float64, in [][]float64, _ float64) { kernels.Mul(d, in[0], in[1]) })
}

func FuzzDivF64(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float64, in [][]float64, _ float64) { kernels.Div(d, in[0], in[1]) })
}

func FuzzReluBackwardF64(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float64, in [][]float64, _ float64) { kernels.ReluBackward(d, in[0], in[1]) })
}

func FuzzAddScalarF64(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float64, in [][]float64, s float64) { kernels.AddScalar(d, in[0], s) })
}

func FuzzSubScalarF64(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float64, in [][]float64, s float64) { kernels.SubScalar(d, in[0], s) })
}

func FuzzMulScalarF64(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float64, in [][]float64, s float64) { kernels.MulScalar(d, in[0], s) })
}

func FuzzDivScalarF64(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float64, in [][]float64, s float64) { kernels.DivScalar(d, in[0], s) })
}

func FuzzLeakyReluF64(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float64, in [][]float64, s float64) { kernels.LeakyRelu(d, in[0], s) })
}

func FuzzLeakyReluBackwardF64(f *testing.F) {
	fuzzElem(f, 2, exact, func(d []float64, in [][]float64, s float64) { kernels.LeakyReluBackward(d, in[0], in[1], s) })
}

func FuzzAxpyF64(f *testing.F) {
	fuzzElem(f, 1, fused, func(y []float64, in [][]float64, a float64) { kernels.Axpy(a, in[0], y) })
}

func FuzzScaleF64(f *testing.F) {
	fuzzElem(f, 0, exact, func(x []float64, _ [][]float64, a float64) { kernels.Scale(a, x) })
}

func FuzzFillF64(f *testing.F) {
	fuzzElem(f, 0, exact, func(d []float64, _ [][]float64, v float64) { kernels.Fill(d, v) })
}

func FuzzReluF64(f *testing.F) {
	fuzzElem(f, 1, exact, func(d []float64, in [][]float64, _ float64) { kernels.Relu(d, in[0]) })
}

func FuzzExpF64(f *testing.F) {
	fuzzElem(f, 1, ulp4, func(d []float64, in [][]float64, _ float64) { kernels.Exp(d, in[0]) })
}

func FuzzLogF64(f *testing.F) {
	fuzzElem(f, 1, ulp4, func(d []float64, in [][]float64, _ float64) { kernels.Log(d, in[0]) })
}

func FuzzTanhF64(f *testing.F) {
	fuzzElem(f, 1, ulp4, func(d []float64, in [][]float64, _ float64) { kernels.Tanh(d, in[0]) })
}

func FuzzSigmoidF64(f *testing.F) {
	fuzzElem(f, 1, ulp4, func(d []float64, in [][]float64, _ float64) { kernels.Sigmoid(d, in[0]) })
}

func FuzzSumF64(f *testing.F) {
	fuzzReduce(f, 1, func(in [][]float64) float64 { return kernels.Sum(in[0]) },
		func(in [][]float64, i int) float64 { return float64(in[0][i]) })
}

func FuzzDotF64(f *testing.F) {
	fuzzReduce(f, 2, func(in [][]float64) float64 { return kernels.Dot(in[0], in[1]) },
		func(in [][]float64, i int) float64 { return float64(in[0][i]) * float64(in[1][i]) })
}

func FuzzSumSqF64(f *testing.F) {
	fuzzReduce(f, 1, func(in [][]float64) float64 { return kernels.SumSq(in[0]) },
		func(in [][]float64, i int) float64 { return float64(in[0][i]) * float64(in[0][i]) })
}

func FuzzMaxIdxF64(f *testing.F) { fuzzMaxIdx[float64](f) }

func FuzzSoftmaxF64(f *testing.F) { fuzzSoftmax[float64](f, false) }

func FuzzLogSoftmaxF64(f *testing.F) { fuzzSoftmax[float64](f, true) }
