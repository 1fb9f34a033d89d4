package grad_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// linearLoss is a Linear layer used twice (weight sharing) plus a
// MatMul of the same weight: every path that reaches a leaf's gradient.
func linearLoss(x, w, b *grad.Variable) *grad.Variable {
	h := grad.Linear(x, w, b).Tanh()
	return grad.Linear(h, w, b).Sum().Add(x.MatMul(w.T()).Mul(h).Sum())
}

func TestZeroGradInPlace(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		tensor.Seed(1)
		x := grad.New(tensor.Randn(5, 4).To(dt))
		w := grad.Param(tensor.Randn(4, 4).To(dt))
		b := grad.Param(tensor.Randn(4).To(dt))

		// Reference: fresh gradients of one pass.
		linearLoss(x, w, b).Backward()
		wantW, wantB := w.Grad().Clone(), b.Grad().Clone()

		// In place: the same tensors, zeros until a pass, then one pass's
		// gradient however stale the old values were.
		gw, gb := w.Grad(), b.Grad()
		gw.Fill(math.NaN()) // stale values must not leak into the next pass
		w.ZeroGradInPlace()
		b.ZeroGradInPlace()
		require.Same(t, gw, w.Grad(), "ZeroGradInPlace keeps the tensor")
		assert.Equal(t, make([]float64, 16), gw.Float64s(), "Grad after ZeroGradInPlace reads zeros")
		w.ZeroGradInPlace()
		linearLoss(x, w, b).Backward()
		require.Same(t, gw, w.Grad())
		require.Same(t, gb, b.Grad())
		assert.Equal(t, wantW.Float64s(), w.Grad().Float64s(), "%v weight after in-place zero", dt)
		assert.Equal(t, wantB.Float64s(), b.Grad().Float64s(), "%v bias after in-place zero", dt)

		// Without zeroing, a second pass accumulates into the same tensors.
		linearLoss(x, w, b).Backward()
		require.Same(t, gw, w.Grad())
		two := wantW.MulScalar(2).Float64s()
		got := w.Grad().Float64s()
		for i := range two {
			assert.InDelta(t, two[i], got[i], 1e-5*math.Max(1, math.Abs(two[i])), "accumulated weight grad %d", i)
		}
		assert.InDeltaSlice(t, wantB.MulScalar(2).Float64s(), b.Grad().Float64s(), 1e-5)

		// ZeroGrad still drops the gradient.
		w.ZeroGrad()
		assert.Nil(t, w.Grad())
		w.ZeroGradInPlace() // nothing to zero: stays nil
		assert.Nil(t, w.Grad())
	}
}

func TestZeroGradInPlaceUnreached(t *testing.T) {
	a := grad.Param(tensor.New([]float32{1, 2}, 2))
	c := grad.Param(tensor.New([]float32{3, 4}, 2))
	a.Mul(c).Sum().Backward()
	a.ZeroGradInPlace()
	c.ZeroGradInPlace()
	c.Sum().Backward() // a is not reached: its gradient reads zeros
	assert.Equal(t, []float64{0, 0}, a.Grad().Float64s())
	assert.Equal(t, []float64{1, 1}, c.Grad().Float64s())
	// SetGrad replaces a stale gradient outright.
	c.ZeroGradInPlace()
	c.SetGrad(tensor.New([]float32{7, 8}, 2))
	assert.Equal(t, []float64{7, 8}, c.Grad().Float64s())
}

// A stale kept gradient must read as zeros whichever way the pass reaches
// it: here Linear's bias gradient comes from an empty batch and its
// upstream gradient is a non-contiguous view.
func TestZeroGradInPlaceOtherPaths(t *testing.T) {
	w := grad.Param(tensor.Ones(2, 3))
	b := grad.Param(tensor.Ones(2))
	grad.Linear(grad.New(tensor.Ones(4, 3)), w, b).Sum().Backward()
	b.Grad().Fill(7) // stale values
	w.Grad().Fill(7)
	w.ZeroGradInPlace()
	b.ZeroGradInPlace()
	grad.Linear(grad.New(tensor.Ones(0, 3)), w, b).Sum().Backward() // no rows
	assert.Equal(t, []float64{0, 0}, b.Grad().Float64s())
	assert.Equal(t, make([]float64, 6), w.Grad().Float64s())

	b.Grad().Fill(7)
	b.ZeroGradInPlace()
	w.ZeroGradInPlace()
	// The output used through a transpose: Linear's upstream gradient is
	// a non-contiguous view.
	out := grad.Linear(grad.New(tensor.Ones(4, 3)), w, b)
	out.T().Mul(grad.New(tensor.Arange(0, 8, 1).Reshape(2, 4))).Sum().Backward()
	assert.Equal(t, []float64{6, 22}, b.Grad().Float64s())
}
