package grad_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

func TestGradCheckMatMul(t *testing.T) {
	mm := func(x []*V) *V { return x[0].MatMul(x[1]) }
	check(t, "dot", mm, randn(3), randn(3))
	check(t, "mv", mm, randn(2, 3), randn(3))
	check(t, "vm", mm, randn(3), randn(3, 2))
	check(t, "mm", mm, randn(2, 3), randn(3, 4))
	check(t, "mm transposed", func(x []*V) *V { return x[0].T().MatMul(x[1].T()) }, randn(3, 2), randn(4, 3))
	check(t, "bmm", mm, randn(2, 2, 3), randn(2, 3, 2))
	check(t, "batched @ matrix", mm, randn(2, 2, 3), randn(3, 2))
	check(t, "matrix @ batched", mm, randn(2, 3), randn(2, 3, 2))
	check(t, "broadcast batch", mm, randn(2, 1, 2, 3), randn(3, 3, 2))
	check(t, "batched @ vector", mm, randn(2, 2, 3), randn(3))
	check(t, "vector @ batched", mm, randn(3), randn(2, 3, 2))
	check(t, "addmm", func(x []*V) *V { return grad.AddMM(x[0], x[1], x[2]) }, randn(4), randn(2, 3), randn(3, 4))
	check(t, "addmm alpha beta", func(x []*V) *V {
		return grad.AddMM(x[0], x[1], x[2], grad.Alpha(0.5), grad.Beta(2))
	}, randn(2, 1), randn(2, 3), randn(3, 4))
	check(t, "linear", func(x []*V) *V { return grad.Linear(x[0], x[1], x[2]) }, randn(2, 3), randn(4, 3), randn(4))
	check(t, "linear 3-D", func(x []*V) *V { return grad.Linear(x[0], x[1], x[2]) }, randn(2, 2, 3), randn(4, 3), randn(4))
	check(t, "linear no bias", func(x []*V) *V { return grad.Linear(x[0], x[1], nil) }, randn(2, 3), randn(4, 3))
	check(t, "linear 1-D", func(x []*V) *V { return grad.Linear(x[0], x[1], x[2]) }, randn(3), randn(4, 3), randn(4))
}

// TestLinearReLU: the fused pair gives the values of Linear then ReLU, in
// no-grad mode without a second tensor, and with gradients the same graph
// and gradients as the two calls.
func TestLinearReLU(t *testing.T) {
	check(t, "linear relu", func(x []*V) *V { return grad.LinearReLU(x[0], x[1], x[2]) }, randAway(2, 3), randn(4, 3), randn(4))
	check(t, "linear relu no bias", func(x []*V) *V { return grad.LinearReLU(x[0], x[1], nil) }, randAway(3), randn(4, 3))

	x, w, b := randn(5, 3), randn(4, 3), randn(4)
	want := grad.Linear(grad.New(x), grad.New(w), grad.New(b)).ReLU().Value()
	for _, v := range []*V{
		grad.LinearReLU(grad.NoGrad(x), grad.New(w), grad.New(b)),
		grad.LinearReLU(grad.New(x), grad.New(w), grad.New(b)),
	} {
		require.Equal(t, tensor.Data[float64](want), tensor.Data[float64](v.Value()))
		require.Equal(t, "", v.GradFn())
	}

	wv, bv := grad.Param(w), grad.Param(b)
	got := grad.LinearReLU(grad.New(x), wv, bv)
	require.Equal(t, "ReluBackward0", got.GradFn())
	got.Sum().Backward()
	gw, gb := wv.Grad(), bv.Grad()
	wv2, bv2 := grad.Param(w), grad.Param(b)
	grad.Linear(grad.New(x), wv2, bv2).ReLU().Sum().Backward()
	require.Equal(t, tensor.Data[float64](wv2.Grad()), tensor.Data[float64](gw))
	require.Equal(t, tensor.Data[float64](bv2.Grad()), tensor.Data[float64](gb))
}

// TestLinearReLUShapeError: the fused no-grad path reports Linear's shape
// error, as the recorded path does.
func TestLinearReLUShapeError(t *testing.T) {
	for _, x := range []*V{grad.NoGrad(randn(2, 3)), grad.Param(randn(2, 3))} {
		func() {
			defer func() {
				e, ok := recover().(*tensor.ShapeError)
				require.True(t, ok, "panic value %T", e)
				require.Equal(t, "Linear", e.Op)
				require.Contains(t, e.Error(), "input's last dimension must match the weight's second")
			}()
			grad.LinearReLU(x, grad.New(randn(4, 5)), nil)
		}()
	}
}
