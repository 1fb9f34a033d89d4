package grad_test

import (
	"math"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

func TestGradCheckActivation(t *testing.T) {
	check(t, "ReLU", func(x []*V) *V { return x[0].ReLU() }, randAway(2, 4))
	check(t, "LeakyReLU", func(x []*V) *V { return x[0].LeakyReLU(0.1) }, randAway(2, 4))
	check(t, "Sigmoid", func(x []*V) *V { return x[0].Sigmoid() }, randn(5))
	check(t, "Tanh", func(x []*V) *V { return x[0].Tanh() }, randn(5))
	check(t, "GELU", func(x []*V) *V { return x[0].GELU() }, randn(5))
	check(t, "Softmax", func(x []*V) *V { return x[0].Softmax(1) }, randn(2, 4))
	check(t, "Softmax dim0", func(x []*V) *V { return x[0].Softmax(0) }, randn(3, 2))
	check(t, "LogSoftmax", func(x []*V) *V { return x[0].LogSoftmax(-1) }, randn(2, 4))
	check(t, "LogSoftmax dim0", func(x []*V) *V { return x[0].LogSoftmax(0) }, randn(3, 2))
	x := tensor.New([]float64{-2, -0.7, -0.2, 0.3, 0.8, 2}, 6)
	check(t, "Clamp", func(v []*V) *V { return v[0].Clamp(-0.5, 0.5) }, x)
	check(t, "ClampMin", func(v []*V) *V { return v[0].ClampMin(0) }, x)
	check(t, "ClampMax", func(v []*V) *V { return v[0].ClampMax(0) }, x)
}

func TestReluAtZero(t *testing.T) {
	x := grad.Param(tensor.New([]float32{-1, 0, 1}, 3))
	x.ReLU().Sum().Backward()
	near(t, "relu'", x.Grad().Float64s(), []float64{0, 0, 1}, 0)
	x.ZeroGrad()
	x.Clamp(0, 1).Sum().Backward()
	near(t, "clamp' at bounds", x.Grad().Float64s(), []float64{0, 1, 1}, 0)
	_ = math.Inf
}
