package grad_test

import (
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

type V = grad.Variable

func TestGradCheckArith(t *testing.T) {
	check(t, "Add broadcast", func(x []*V) *V { return x[0].Add(x[1]) }, randn(2, 3), randn(3))
	check(t, "Add broadcast both", func(x []*V) *V { return x[0].Add(x[1]) }, randn(2, 1), randn(1, 3))
	check(t, "Sub", func(x []*V) *V { return x[0].Sub(x[1]) }, randn(2, 3), randn(2, 1))
	check(t, "Mul", func(x []*V) *V { return x[0].Mul(x[1]) }, randn(2, 3), randn(3))
	check(t, "Mul same", func(x []*V) *V { return x[0].Mul(x[0]) }, randn(4))
	check(t, "Div", func(x []*V) *V { return x[0].Div(x[1]) }, randn(2, 3), randPos(2, 1))
	check(t, "Neg", func(x []*V) *V { return x[0].Neg() }, randn(3))
	check(t, "scalars", func(x []*V) *V {
		return x[0].AddScalar(1).SubScalar(2).MulScalar(3).DivScalar(4).RSubScalar(5)
	}, randn(2, 2))
	check(t, "Pow 3", func(x []*V) *V { return x[0].Pow(3) }, randn(4))
	check(t, "Pow 2", func(x []*V) *V { return x[0].Square() }, randn(4))
	check(t, "Pow 1", func(x []*V) *V { return x[0].Pow(1) }, randn(4))
	check(t, "Pow 0", func(x []*V) *V { return x[0].Pow(0) }, randn(4))
	check(t, "Pow -1.5", func(x []*V) *V { return x[0].Pow(-1.5) }, randPos(4))
	check(t, "Sqrt", func(x []*V) *V { return x[0].Sqrt() }, randPos(5))
	check(t, "Exp", func(x []*V) *V { return x[0].Exp() }, randn(5))
	check(t, "Log", func(x []*V) *V { return x[0].Log() }, randPos(5))
	check(t, "Abs", func(x []*V) *V { return x[0].Abs() }, randAway(5))
	check(t, "Maximum", func(x []*V) *V { return x[0].Maximum(x[1]) }, randn(2, 3), randn(3))
	check(t, "Minimum", func(x []*V) *V { return x[0].Minimum(x[1]) }, randn(2, 3), randn(2, 3))
	cond := tensor.New([]float64{1, 0, 1, 0, 0, 1}, 2, 3)
	check(t, "Where", func(x []*V) *V { return grad.Where(cond, x[0], x[1]) }, randn(2, 3), randn(3))
	mask := tensor.New([]float64{1, 0, 0}, 3)
	check(t, "MaskedFill", func(x []*V) *V { return x[0].MaskedFill(mask, -5) }, randn(2, 3))
	m := grad.New(tensor.New([]float64{1, 0, 1}, 3).To(tensor.Float64))
	check(t, "mask multiply", func(x []*V) *V { return x[0].Mul(m) }, randn(2, 3))
	check(t, "Clone", func(x []*V) *V { return x[0].Clone().Mul(x[0]) }, randn(3))
}

func TestAbsAndMaximumTies(t *testing.T) {
	x := grad.Param(tensor.New([]float64{-1, 0, 2}, 3))
	x.Abs().Sum().Backward()
	near(t, "abs'(0)", x.Grad().Float64s(), []float64{-1, 0, 1}, 0)
	a := grad.Param(tensor.New([]float64{1, 2}, 2))
	b := grad.Param(tensor.New([]float64{1, 3}, 2))
	a.Maximum(b).Sum().Backward()
	near(t, "a", a.Grad().Float64s(), []float64{0.5, 0}, 0)
	near(t, "b", b.Grad().Float64s(), []float64{0.5, 1}, 0)
}

func TestMixedDType(t *testing.T) {
	a := grad.Param(tensor.New([]float32{1, 2}, 2))
	b := grad.Param(tensor.New([]float64{3, 4}, 2))
	y := a.Mul(b).Sum()
	if y.DType() != tensor.Float64 {
		t.Fatal("promotion")
	}
	y.Backward()
	if a.Grad().DType() != tensor.Float32 || b.Grad().DType() != tensor.Float64 {
		t.Fatal("grad dtypes must follow the leaves")
	}
	near(t, "a", a.Grad().Float64s(), []float64{3, 4}, 0)
}
