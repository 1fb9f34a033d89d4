package grad_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// TestGradMatchesBackward: grad.Grad gives, for leaves and a non-leaf,
// what Backward accumulates on a fresh copy of the graph, and leaves every
// Grad untouched (a kept gradient, a leaf not asked for, a RetainGrad
// non-leaf), including Linear's direct write into a kept weight gradient.
func TestGradMatchesBackward(t *testing.T) {
	tensor.Seed(9)
	xv, wv, bv := tensor.Randn(4, 3), tensor.Randn(2, 3), tensor.Randn(2)
	build := func() (x, w, b, h, loss *grad.Variable) {
		x, w, b = grad.Param(xv.Clone()), grad.Param(wv.Clone()), grad.Param(bv.Clone())
		h = grad.Linear(x, w, b)
		loss = h.Tanh().Square().Sum()
		return
	}
	x, w, _, h, loss := build()
	h.RetainGrad()
	loss.Backward()
	wantX, wantW, wantH := x.Grad(), w.Grad(), h.Grad()

	x2, w2, b2, h2, loss2 := build()
	w2.SetGrad(tensor.Full(7, 2, 3)) // a kept gradient Linear could write into
	w2.ZeroGradInPlace()
	h2.RetainGrad()
	got := grad.Grad(loss2, []*grad.Variable{x2, w2, h2, x2})
	require.Len(t, got, 4)
	assert.InDeltaSlice(t, wantX.Float64s(), got[0].Float64s(), 1e-6)
	assert.InDeltaSlice(t, wantW.Float64s(), got[1].Float64s(), 1e-6)
	assert.InDeltaSlice(t, wantH.Float64s(), got[2].Float64s(), 1e-6)
	assert.Equal(t, got[0].Float64s(), got[3].Float64s(), "an input asked for twice")
	assert.Nil(t, x2.Grad(), "an input's Grad is not touched")
	assert.Nil(t, b2.Grad(), "a leaf not asked for keeps its Grad")
	assert.Nil(t, h2.Grad(), "a RetainGrad non-leaf keeps its Grad")
	assert.Equal(t, make([]float64, 6), w2.Grad().Float64s(), "the kept (zeroed) weight gradient is untouched")

	// After the pass nothing stays redirected: Backward works as before.
	_, _, _, _, loss3 := build()
	loss3.Backward()
}

// TestGradOutputAndUnused: GradOutput gives the upstream gradient of a
// non-scalar output; an input the output does not use gets nil; the graph
// is released unless RetainGraph.
func TestGradOutputAndUnused(t *testing.T) {
	x := grad.Param(tensor.New([]float64{1, 2, 3}, 3))
	unused := grad.Param(tensor.Ones(2))
	y := x.Square()
	g := grad.Grad(y, []*grad.Variable{x, unused}, grad.GradOutput(tensor.New([]float64{1, 0, -1}, 3)), grad.RetainGraph)
	assert.Equal(t, []float64{2, 0, -6}, g[0].Float64s())
	assert.Nil(t, g[1])
	assert.Panics(t, func() { grad.Grad(y, []*grad.Variable{x}) }, "a 3-element output needs GradOutput")
	g = grad.Grad(y.Sum(), []*grad.Variable{x})
	assert.Equal(t, []float64{2, 4, 6}, g[0].Float64s())
	assert.Panics(t, func() { grad.Grad(y.Sum(), []*grad.Variable{x}) }, "released graph")
	assert.Panics(t, func() { grad.Grad(grad.New(tensor.Ones(1)), []*grad.Variable{x}) }, "no grad_fn")
}
