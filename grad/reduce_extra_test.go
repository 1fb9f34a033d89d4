package grad_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// TestLogSumExp: the value is tensor.LogSumExp's, the gradient passes the
// finite-difference check (the softmax), and rows of -Inf or with huge
// entries give finite gradients where PyTorch gives them.
func TestLogSumExp(t *testing.T) {
	for _, keep := range []bool{false, true} {
		for _, dim := range []int{0, 1, -1} {
			check(t, "LogSumExp", func(xs []*grad.Variable) *grad.Variable {
				return xs[0].LogSumExp(dim, keep)
			}, tensor.Randn(3, 4).To(tensor.Float64))
		}
	}
	x := grad.Param(tensor.New([]float64{1000, 1000, math.Inf(-1)}, 1, 3))
	y := x.LogSumExp(1, false)
	assert.InDelta(t, 1000+math.Log(2), y.Item(), 1e-9)
	y.Sum().Backward()
	assert.InDeltaSlice(t, []float64{0.5, 0.5, 0}, x.Grad().Float64s(), 1e-12)
	assert.Equal(t, x.Value().LogSumExp(1, true).Float64s(), x.LogSumExp(1, true).Value().Float64s())
	e := grad.Param(tensor.Zeros(2, 0))
	l := e.LogSumExp(1, false)
	assert.Equal(t, []float64{math.Inf(-1), math.Inf(-1)}, l.Value().Float64s())
	l.BackwardGrad(tensor.Ones(2))
	assert.Equal(t, []int{2, 0}, e.Grad().Shape())
	nog := grad.NoGrad(tensor.Ones(2, 2)).LogSumExp(0, false)
	assert.True(t, nog.IsNoGrad())
}

// TestSortTopKCumSumGrad: values are the tensor ops', gradients pass the
// finite-difference check (Sort and TopK send the gradient back to the
// chosen positions; CumSum's is a reversed running sum).
func TestSortTopKCumSumGrad(t *testing.T) {
	x := tensor.Randn(3, 5).To(tensor.Float64)
	r := grad.New(tensor.Randn(3, 5).To(tensor.Float64))
	for dim := range 2 {
		check(t, "Sort", func(xs []*grad.Variable) *grad.Variable {
			v, _ := xs[0].Sort(dim, dim == 1)
			return v.Mul(r).Sum()
		}, x)
		check(t, "TopK", func(xs []*grad.Variable) *grad.Variable {
			v, _ := xs[0].TopK(2, dim, dim == 0)
			return v.Square().Sum()
		}, x)
		check(t, "CumSum", func(xs []*grad.Variable) *grad.Variable {
			return xs[0].CumSum(dim).Square().Sum()
		}, x)
	}
	v, idx := grad.New(x).TopK(2, 1, true)
	want, wantIdx := x.TopK(2, 1, true)
	assert.Equal(t, want.Float64s(), v.Value().Float64s())
	assert.Equal(t, wantIdx.Float64s(), idx.Float64s())
	assert.Equal(t, x.CumSum(0).Float64s(), grad.New(x).CumSum(0).Value().Float64s())
}
