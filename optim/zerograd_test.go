package optim_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// With SetToNone(false) a training loop keeps its gradient tensors and
// follows the same trajectory as with set_to_none=True when every
// parameter gets a gradient each step.
func TestZeroGradSetToNone(t *testing.T) {
	run := func(keep bool) ([]float64, []*tensor.Tensor) {
		tensor.Seed(5)
		net := nn.NewSequential(nn.NewLinear(3, 4), nn.NewReLU(), nn.NewLinear(4, 2))
		o, err := optim.NewAdam(nn.Parameters(net), optim.LR(0.01))
		require.NoError(t, err)
		x := grad.New(tensor.Randn(6, 3))
		y := []int{0, 1, 1, 0, 1, 0}
		var grads []*tensor.Tensor
		for range 5 {
			if keep {
				o.ZeroGrad(optim.SetToNone(false))
			} else {
				o.ZeroGrad()
			}
			grad.CrossEntropyInts(net.Forward(x), y).Backward()
			o.Step()
			for p := range nn.Parameters(net) {
				grads = append(grads, p.Grad())
			}
		}
		var ps []float64
		for p := range nn.Parameters(net) {
			ps = append(ps, p.Value().Float64s()...)
		}
		return ps, grads
	}
	want, fresh := run(false)
	got, kept := run(true)
	assert.Equal(t, want, got, "same trajectory")
	n := len(kept) / 5
	for i := n; i < len(kept); i++ {
		assert.Same(t, kept[i%n], kept[i], "gradient %d reuses its tensor", i)
		assert.NotSame(t, fresh[i%n], fresh[i], "set_to_none makes new tensors")
	}
}

// A parameter no pass reaches has zeros, not nil, after an in-place
// zero_grad, and Step moves it by its momentum as PyTorch does.
func TestZeroGradInPlaceUnusedParam(t *testing.T) {
	w := nn.NewParameter(tensor.New([]float32{1}, 1))
	o, err := optim.NewSGD(slices.Values([]*nn.Parameter{w}), optim.LR(0.1), optim.Momentum(0.5))
	require.NoError(t, err)
	w.Mul(w).Sum().Backward() // grad 2
	o.Step()                  // buf 2, w = 1 - 0.2 = 0.8
	o.ZeroGrad(optim.SetToNone(false))
	o.Step() // grad 0: buf 1, w = 0.8 - 0.1 = 0.7
	assert.Equal(t, []float64{0}, w.Grad().Float64s())
	assert.InDelta(t, 0.7, w.Value().Item(), 1e-6)
	o.ZeroGrad() // dropped: the next Step skips w
	o.Step()
	assert.InDelta(t, 0.7, w.Value().Item(), 1e-6)

	assert.Panics(t, func() { o.ZeroGrad(optim.LR(1)) }, "an option ZeroGrad does not take")
}
