package nn_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

func TestZeroGradSetToNone(t *testing.T) {
	net := nn.NewSequential(nn.NewLinear(2, 3), nn.NewReLU(), nn.NewLinear(3, 1))
	x := grad.New(tensor.Ones(4, 2))
	net.Forward(x).Sum().Backward()
	before := map[string]*tensor.Tensor{}
	for name, p := range nn.NamedParameters(net) {
		require.NotNil(t, p.Grad(), name)
		before[name] = p.Grad()
	}
	nn.ZeroGrad(net, nn.SetToNone(false))
	for name, p := range nn.NamedParameters(net) {
		require.Same(t, before[name], p.Grad(), name)
		assert.Equal(t, make([]float64, p.Value().Numel()), p.Grad().Float64s(), name)
	}
	nn.ZeroGrad(net)
	for name, p := range nn.NamedParameters(net) {
		assert.Nil(t, p.Grad(), name)
	}
	assert.Panics(t, func() { nn.ZeroGrad(net, nn.NoBias()) })
}
