package grad_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// TestGradCheckConv2d: finite differences (float64) agree with Conv2d's
// input, weight and bias gradients over stride, padding, dilation, groups
// (depthwise too), rectangular kernels, 1×1 kernels, unbatched input and
// odd sizes.
func TestGradCheckConv2d(t *testing.T) {
	one, zero := [2]int{1, 1}, [2]int{}
	for _, c := range []struct {
		name    string
		x, w    []int
		s, p, d [2]int
		groups  int
		bias    bool
	}{
		{"basic", []int{2, 2, 5, 4}, []int{3, 2, 3, 3}, one, zero, one, 1, true},
		{"padding", []int{1, 2, 4, 5}, []int{2, 2, 3, 3}, one, one, one, 1, true},
		{"stride rect", []int{2, 1, 7, 6}, []int{2, 1, 3, 2}, [2]int{2, 3}, [2]int{1, 0}, one, 1, true},
		{"dilation", []int{1, 2, 7, 6}, []int{2, 2, 2, 3}, one, [2]int{1, 2}, [2]int{3, 2}, 1, false},
		{"groups", []int{2, 4, 5, 5}, []int{6, 2, 3, 3}, [2]int{2, 2}, one, one, 2, true},
		{"depthwise", []int{1, 3, 5, 4}, []int{3, 1, 3, 3}, one, one, one, 3, true},
		{"pointwise", []int{2, 3, 3, 2}, []int{2, 3, 1, 1}, one, zero, one, 1, true},
		{"unbatched", []int{2, 5, 5}, []int{2, 2, 3, 3}, [2]int{2, 1}, one, one, 1, true},
	} {
		in := []*tensor.Tensor{randn(c.x...), randn(c.w...)}
		if c.bias {
			in = append(in, randn(c.w[0]))
		}
		check(t, "conv2d "+c.name, func(x []*V) *V {
			var b grad.Operand
			if c.bias {
				b = x[2]
			}
			return grad.Conv2d(x[0], x[1], b, c.s, c.p, c.d, c.groups)
		}, in...)
	}
}

// TestConv2dGradSubset: only the operands that require grad get one, a
// nil *Variable bias is no bias, and no-grad inputs record nothing.
func TestConv2dGradSubset(t *testing.T) {
	x, w := grad.New(randn(1, 2, 4, 4)), grad.Param(randn(3, 2, 3, 3))
	var nb *grad.Variable
	y := grad.Conv2d(x, w, nb, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1}, 1)
	assert.Equal(t, "ConvolutionBackward0", y.GradFn())
	y.Sum().Backward()
	assert.Nil(t, x.Grad())
	require.NotNil(t, w.Grad())
	assert.Equal(t, []int{3, 2, 3, 3}, w.Grad().Shape())
	z := grad.Conv2d(grad.NoGrad(randn(1, 2, 4, 4)), w, nil, [2]int{1, 1}, [2]int{}, [2]int{1, 1}, 1)
	assert.True(t, z.IsLeaf())
}

// TestGradCheckPool: finite differences agree with MaxPool2d (inputs
// without ties), AvgPool2d and AdaptiveAvgPool2d over stride, padding,
// dilation, ceil_mode, count_include_pad and sizes that do not divide.
func TestGradCheckPool(t *testing.T) {
	one, zero := [2]int{1, 1}, [2]int{}
	maxp := func(k, s, p, d [2]int, ceil bool) func(x []*V) *V {
		return func(x []*V) *V { return grad.MaxPool2d(x[0], k, s, p, d, ceil) }
	}
	check(t, "max 2x2", maxp([2]int{2, 2}, zero, zero, one, false), randn(2, 2, 4, 5))
	check(t, "max k3 s2 p1 ceil", maxp([2]int{3, 3}, [2]int{2, 2}, one, one, true), randn(1, 2, 6, 7))
	check(t, "max rect dil", maxp([2]int{2, 3}, [2]int{1, 2}, [2]int{1, 1}, [2]int{2, 1}, true), randn(3, 6, 5))
	avgp := func(k, s, p [2]int, ceil, cip bool) func(x []*V) *V {
		return func(x []*V) *V { return grad.AvgPool2d(x[0], k, s, p, ceil, cip) }
	}
	check(t, "avg 2x2", avgp([2]int{2, 2}, zero, zero, false, true), randn(2, 2, 4, 5))
	check(t, "avg k3 s2 p1 ceil", avgp([2]int{3, 3}, [2]int{2, 2}, one, true, true), randn(1, 2, 6, 7))
	check(t, "avg k3 s2 p1 ceil exclude pad", avgp([2]int{3, 3}, [2]int{2, 2}, one, true, false), randn(1, 2, 6, 7))
	check(t, "avg rect unbatched", avgp([2]int{2, 3}, [2]int{1, 2}, one, false, false), randn(2, 5, 5))
	for _, o := range [][2]int{{3, 2}, {1, 1}, {5, 7}, {4, 3}} {
		check(t, "adaptive", func(x []*V) *V { return grad.AdaptiveAvgPool2d(x[0], o[0], o[1]) }, randn(2, 2, 5, 7))
	}
	check(t, "adaptive unbatched", func(x []*V) *V { return grad.AdaptiveAvgPool2d(x[0], 3, 3) }, randn(2, 7, 4))
}
