package nn_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// TestTo: nn.To converts parameters (values and gradients, same Parameter
// objects) and buffers, keeps NumBatchesTracked Float64, and the model
// computes the same function in the new dtype; GradCheck then runs on it
// (what model.double() is for).
func TestTo(t *testing.T) {
	tensor.Seed(3)
	net := nn.NewSequential(nn.NewLinear(3, 4), nn.NewBatchNorm1d(4), nn.NewReLU(), nn.NewLinear(4, 2))
	x := tensor.Randn(5, 3)
	nn.Eval(net)
	before := net.Forward(grad.New(x)).Value().Float64s()
	lin := net.At(0).(*nn.Linear)
	w := lin.Weight
	w.SetGrad(tensor.Ones(4, 3))

	nn.To(net, tensor.Float64)
	assert.Same(t, w, lin.Weight)
	for name, p := range nn.NamedParameters(net) {
		assert.Equal(t, tensor.Float64, p.Value().DType(), name)
	}
	assert.Equal(t, tensor.Float64, w.Grad().DType())
	bn := net.At(1).(*nn.BatchNorm1d)
	assert.Equal(t, tensor.Float64, bn.RunningMean.DType())
	after := net.Forward(grad.New(x.To(tensor.Float64)))
	assert.Equal(t, tensor.Float64, after.Value().DType())
	assert.InDeltaSlice(t, before, after.Value().Float64s(), 1e-6)

	nn.Train(net)
	err := grad.GradCheck(func(xs []*grad.Variable) *grad.Variable { return net.Forward(xs[0]).Square().Sum() },
		[]*tensor.Tensor{tensor.Randn(6, 3).To(tensor.Float64)})
	require.NoError(t, err)

	nn.To(net, tensor.Float32)
	assert.Equal(t, tensor.Float32, w.Value().DType())
	assert.Equal(t, tensor.Float64, bn.NumBatchesTracked.DType(), "a count keeps Float64")
}

// TestSetData: a leaf's data can be replaced (param.data = t); a
// gradient of another shape is dropped; a non-leaf refuses.
func TestSetData(t *testing.T) {
	p := nn.NewParameter(tensor.Zeros(2))
	p.SetGrad(tensor.Ones(2))
	p.SetData(tensor.Ones(3))
	assert.Nil(t, p.Grad())
	assert.Equal(t, []int{3}, p.Value().Shape())
	y := p.MulScalar(2)
	assert.PanicsWithError(t, "grad: SetData: the data of a non-leaf Variable cannot be replaced", func() { y.SetData(tensor.Ones(3)) })
}
