package grad_test

import (
	"math"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

func TestGradCheckReduce(t *testing.T) {
	x := randn(2, 3, 4)
	check(t, "Sum", func(v []*V) *V { return v[0].Sum() }, x)
	check(t, "Sum dim", func(v []*V) *V { return v[0].Sum(tensor.Dim(1)) }, x)
	check(t, "Sum dims keep", func(v []*V) *V { return v[0].Sum(tensor.Dims{0, 2}, tensor.KeepDim) }, x)
	check(t, "Mean", func(v []*V) *V { return v[0].Mean() }, x)
	check(t, "Mean dim", func(v []*V) *V { return v[0].Mean(tensor.Dim(-1)) }, x)
	check(t, "Prod", func(v []*V) *V { return v[0].Prod() }, randn(5))
	check(t, "Prod dim", func(v []*V) *V { return v[0].Prod(tensor.Dim(1)) }, randn(3, 4))
	check(t, "Prod one zero", func(v []*V) *V { return v[0].Prod(tensor.Dim(1)) }, tensor.New([]float64{1, 0, 3, 0, 0, 2, 4, 5, 6}, 3, 3))
	check(t, "Var", func(v []*V) *V { return v[0].Var() }, randn(5))
	check(t, "Var dim biased", func(v []*V) *V { return v[0].Var(tensor.Dim(1), tensor.Correction(0)) }, randn(3, 4))
	check(t, "Std", func(v []*V) *V { return v[0].Std(tensor.Dim(0), tensor.KeepDim) }, randn(3, 4))
	check(t, "Max", func(v []*V) *V { return v[0].Max() }, randn(6))
	check(t, "Max dim", func(v []*V) *V { return v[0].Max(tensor.Dim(1)) }, randn(3, 4))
	check(t, "Min dims", func(v []*V) *V { return v[0].Min(tensor.Dims{0, 1}) }, randn(3, 4))
	check(t, "MaxDim", func(v []*V) *V { m, _ := v[0].MaxDim(1, false); return m }, randn(3, 4))
	check(t, "MinDim keep", func(v []*V) *V { m, _ := v[0].MinDim(0, true); return m }, randn(3, 4))
	check(t, "Norm 2", func(v []*V) *V { return v[0].Norm(2) }, randn(5))
	check(t, "Norm 2 dim", func(v []*V) *V { return v[0].Norm(2, tensor.Dim(1)) }, randn(3, 4))
	check(t, "Norm 1", func(v []*V) *V { return v[0].Norm(1, tensor.Dim(0)) }, randAway(3, 4))
	check(t, "Norm inf", func(v []*V) *V { return v[0].Norm(math.Inf(1), tensor.Dim(1)) }, randn(3, 4))
}

func TestReduceSpecialGrads(t *testing.T) {
	// Ties: MaxDim gives the gradient to the first index, Max shares it.
	x := grad.Param(tensor.New([]float64{1, 3, 3, 2}, 1, 4))
	m, idx := x.MaxDim(1, false)
	m.Sum().Backward()
	near(t, "MaxDim ties", x.Grad().Float64s(), []float64{0, 1, 0, 0}, 0)
	near(t, "MaxDim index", idx.Float64s(), []float64{1}, 0)
	x.ZeroGrad()
	x.Max().Backward()
	near(t, "Max ties", x.Grad().Float64s(), []float64{0, 0.5, 0.5, 0}, 0)
	x.ZeroGrad()
	mn, _ := x.MinDim(1, true)
	mn.Sum().Backward()
	near(t, "MinDim", x.Grad().Float64s(), []float64{1, 0, 0, 0}, 0)

	// Prod with zeros: one zero gets the product of the others; two zeros
	// give zeros everywhere.
	p := grad.Param(tensor.New([]float64{2, 0, 3, 0, 0, 5}, 2, 3))
	p.Prod(tensor.Dim(1)).Sum().Backward()
	near(t, "Prod zeros", p.Grad().Float64s(), []float64{0, 6, 0, 0, 0, 0}, 0)

	// The 2-norm of a zero vector has gradient 0.
	z := grad.Param(tensor.Float64.Zeros(3))
	z.Norm(2).Backward()
	near(t, "Norm zero", z.Grad().Float64s(), []float64{0, 0, 0}, 0)

	// Std of a constant row: gradient 0, not NaN.
	c := grad.Param(tensor.New([]float64{1, 1, 1}, 3))
	c.Std().Backward()
	near(t, "Std constant", c.Grad().Float64s(), []float64{0, 0, 0}, 0)
}
