package tensor_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/tensor"
)

type convCfg struct {
	n, cin, h, w, cout, kh, kw int
	stride, pad, dil           [2]int
	groups                     int
	bias, unbatched            bool
}

// naiveConv computes Conv2d and its three gradients for the upstream
// gradient gy by the definition, in float64: out[n,o,y,x] = b[o] +
// Σ w[o,c,i,j]·x[n, g·Cg+c, y·sh-ph+i·dh, x·sw-pw+j·dw].
func naiveConv(c convCfg, x, w, b, gy []float64) (out, gx, gw, gb []float64, oh, ow int) {
	oh = (c.h+2*c.pad[0]-c.dil[0]*(c.kh-1)-1)/c.stride[0] + 1
	ow = (c.w+2*c.pad[1]-c.dil[1]*(c.kw-1)-1)/c.stride[1] + 1
	cg, og := c.cin/c.groups, c.cout/c.groups
	out = make([]float64, c.n*c.cout*oh*ow)
	gx, gw, gb = make([]float64, len(x)), make([]float64, len(w)), make([]float64, c.cout)
	for n := range c.n {
		for o := range c.cout {
			g := o / og
			for y := range oh {
				for xx := range ow {
					oi := ((n*c.cout+o)*oh+y)*ow + xx
					s := 0.0
					if b != nil {
						s = b[o]
					}
					gb[o] += gy[oi]
					for ci := range cg {
						for i := range c.kh {
							for j := range c.kw {
								iy, ix := y*c.stride[0]-c.pad[0]+i*c.dil[0], xx*c.stride[1]-c.pad[1]+j*c.dil[1]
								if iy < 0 || iy >= c.h || ix < 0 || ix >= c.w {
									continue
								}
								xi := ((n*c.cin+g*cg+ci)*c.h+iy)*c.w + ix
								wi := ((o*cg+ci)*c.kh+i)*c.kw + j
								s += w[wi] * x[xi]
								gx[xi] += w[wi] * gy[oi]
								gw[wi] += x[xi] * gy[oi]
							}
						}
					}
					out[oi] = s
				}
			}
		}
	}
	return out, gx, gw, gb, oh, ow
}

func closeTo(t *testing.T, what string, want []float64, got *tensor.Tensor, tol float64) {
	t.Helper()
	g := got.Float64s()
	require.Len(t, g, len(want), what)
	for i := range want {
		if math.Abs(g[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, g[i], want[i])
		}
	}
}

var convCfgs = []convCfg{
	{2, 3, 7, 6, 4, 3, 3, [2]int{1, 1}, [2]int{0, 0}, [2]int{1, 1}, 1, true, false},
	{3, 2, 6, 6, 4, 3, 3, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1}, 1, true, false},
	{2, 4, 9, 8, 6, 3, 2, [2]int{2, 1}, [2]int{1, 0}, [2]int{1, 1}, 2, false, false},
	{1, 2, 9, 11, 3, 3, 3, [2]int{1, 3}, [2]int{2, 1}, [2]int{2, 1}, 1, true, false},
	{2, 3, 7, 7, 6, 3, 3, [2]int{2, 2}, [2]int{1, 1}, [2]int{1, 1}, 3, true, false},   // depthwise ×2
	{1, 3, 5, 5, 2, 3, 3, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1}, 1, true, true},    // unbatched
	{2, 4, 5, 3, 3, 1, 1, [2]int{1, 1}, [2]int{0, 0}, [2]int{1, 1}, 1, true, false},   // 1×1: input read in place
	{3, 4, 5, 3, 4, 1, 1, [2]int{2, 1}, [2]int{0, 1}, [2]int{1, 1}, 2, true, false},   // 1×1 strided, padded
	{2, 2, 8, 7, 2, 2, 2, [2]int{3, 3}, [2]int{1, 1}, [2]int{1, 1}, 1, true, false},   // stride > kernel
	{1, 1, 4, 4, 1, 4, 4, [2]int{1, 1}, [2]int{0, 0}, [2]int{1, 1}, 1, false, false},  // kernel = input
	{2, 1, 3, 3, 2, 3, 3, [2]int{1, 1}, [2]int{2, 2}, [2]int{2, 2}, 1, true, false},   // mostly padding
	{0, 2, 5, 5, 3, 3, 3, [2]int{1, 1}, [2]int{0, 0}, [2]int{1, 1}, 1, true, false},   // empty batch
	{4, 8, 16, 16, 8, 3, 3, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1}, 2, true, false}, // large enough for goroutines
}

// TestConv2dNaive: Conv2d and Conv2dBackward against the definition for
// stride, padding, dilation, groups, 1×1 kernels, unbatched and empty
// inputs, in float64 (tight) and float32, with one thread and several
// (im2col and col2im split across goroutines).
func TestConv2dNaive(t *testing.T) {
	gen := tensor.NewGenerator(7)
	for _, threads := range []int{1, 4} {
		prev := kernels.SetThreads(threads)
		for ci, c := range convCfgs {
			xshape := []int{c.n, c.cin, c.h, c.w}
			if c.unbatched {
				xshape = xshape[1:]
			}
			x := tensor.Float64.Randn(gen, xshape...)
			w := tensor.Float64.Randn(gen, c.cout, c.cin/c.groups, c.kh, c.kw)
			var b *tensor.Tensor
			var bd []float64
			if c.bias {
				b = tensor.Float64.Randn(gen, c.cout)
				bd = b.Float64s()
			}
			oh := (c.h+2*c.pad[0]-c.dil[0]*(c.kh-1)-1)/c.stride[0] + 1
			ow := (c.w+2*c.pad[1]-c.dil[1]*(c.kw-1)-1)/c.stride[1] + 1
			oshape := []int{c.n, c.cout, oh, ow}
			if c.unbatched {
				oshape = oshape[1:]
			}
			gy := tensor.Float64.Randn(gen, oshape...)
			out, gx, gw, gb, _, _ := naiveConv(c, x.Float64s(), w.Float64s(), bd, gy.Float64s())
			for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
				what := fmt.Sprintf("threads %d case %d %v", threads, ci, dt)
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				var bt *tensor.Tensor
				if b != nil {
					bt = b.To(dt)
				}
				y := tensor.Conv2d(x.To(dt), w.To(dt), bt, c.stride, c.pad, c.dil, c.groups)
				require.Equal(t, oshape, y.Shape(), what)
				require.Equal(t, dt, y.DType(), what)
				closeTo(t, what+" out", out, y, tol)
				dx, dw, db := tensor.Conv2dBackward(gy.To(dt), x.To(dt), w.To(dt), c.stride, c.pad, c.dil, c.groups, [3]bool{true, true, true})
				closeTo(t, what+" dx", gx, dx, tol*10)
				closeTo(t, what+" dw", gw, dw, tol*10)
				closeTo(t, what+" db", gb, db, tol*10)
				require.Equal(t, x.Shape(), dx.Shape())
				require.Equal(t, w.Shape(), dw.Shape())
				ndx, ndw, ndb := tensor.Conv2dBackward(gy.To(dt), x.To(dt), w.To(dt), c.stride, c.pad, c.dil, c.groups, [3]bool{false, true, false})
				assert.Nil(t, ndx)
				assert.Nil(t, ndb)
				assert.Equal(t, dw.Float64s(), ndw.Float64s(), what)
			}
		}
		kernels.SetThreads(prev)
	}
	// A non-contiguous input and mixed dtypes (computed in Float64).
	x := tensor.Float64.Randn(gen, 2, 6, 5, 3).Transpose(2, 3)
	w := tensor.Float32.Randn(gen, 4, 6, 2, 2)
	y := tensor.Conv2d(x, w, nil, [2]int{1, 1}, [2]int{}, [2]int{1, 1}, 1)
	assert.Equal(t, tensor.Float64, y.DType())
	want := tensor.Conv2d(x.Contiguous(), w.To(tensor.Float64), nil, [2]int{1, 1}, [2]int{}, [2]int{1, 1}, 1)
	assert.Equal(t, want.Float64s(), y.Float64s())
}

func convPanic(t *testing.T, f func()) (msg string, val any) {
	t.Helper()
	defer func() {
		val = recover()
		require.NotNil(t, val, "no panic")
		msg = val.(error).Error()
	}()
	f()
	return
}

// TestConv2dErrors: PyTorch's checks and messages, as *ShapeError (shapes
// that do not fit) or *Error (bad arguments).
func TestConv2dErrors(t *testing.T) {
	one, zero := [2]int{1, 1}, [2]int{}
	conv := func(xs, ws []int, b *tensor.Tensor, stride, pad, dil [2]int, groups int) func() {
		return func() { tensor.Conv2d(tensor.Zeros(xs...), tensor.Zeros(ws...), b, stride, pad, dil, groups) }
	}
	for _, c := range []struct {
		f     func()
		want  string
		shape bool
	}{
		{conv([]int{2, 3}, []int{8, 3, 3, 3}, nil, one, zero, one, 1), "tensor: Conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3] (shapes [2 3] and [8 3 3 3])", true},
		{conv([]int{1, 2, 5, 5}, []int{8, 3, 3, 3}, nil, one, zero, one, 1), "Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 2, 5, 5] to have 3 channels, but got 2 channels instead", true},
		{conv([]int{2, 5, 5}, []int{8, 3, 3, 3}, nil, one, zero, one, 1), "expected input[1, 2, 5, 5] to have 3 channels, but got 2 channels instead", true},
		{conv([]int{1, 3, 2, 2}, []int{8, 3, 3, 3}, nil, one, zero, one, 1), "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size", true},
		{conv([]int{1, 3, 4, 4}, []int{8, 3, 3, 3}, nil, one, zero, [2]int{2, 1}, 1), "Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 3).", true},
		{conv([]int{1, 3, 5, 5}, []int{8, 3, 3, 3}, tensor.Zeros(4), one, zero, one, 1), "Given weight of size [8, 3, 3, 3], expected bias to be 1-dimensional with 8 elements, but got bias of size [4] instead", true},
		{conv([]int{1, 4, 5, 5}, []int{3, 2, 3, 3}, nil, one, zero, one, 2), "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [[3, 2, 3, 3]] instead", true},
		{conv([]int{1, 4, 5, 5}, []int{4, 3, 3}, nil, one, zero, one, 1), "weight should be 4-D", true},
		{conv([]int{1, 4, 5, 5}, []int{4, 2, 3, 3}, nil, one, zero, one, 0), "tensor: Conv2d: non-positive groups is not supported", false},
		{conv([]int{1, 4, 5, 5}, []int{4, 4, 3, 3}, nil, [2]int{1, 0}, zero, one, 1), "non-positive stride is not supported", false},
		{conv([]int{1, 4, 5, 5}, []int{4, 4, 3, 3}, nil, one, [2]int{0, -1}, one, 1), "negative padding is not supported", false},
		{conv([]int{1, 4, 5, 5}, []int{4, 4, 3, 3}, nil, one, zero, [2]int{0, 1}, 1), "dilation should be greater than zero, but got [0, 1]", false},
		{func() {
			tensor.Conv2dBackward(tensor.Zeros(1, 4, 3, 4), tensor.Zeros(1, 4, 5, 5), tensor.Zeros(4, 4, 3, 3), one, zero, one, 1, [3]bool{true})
		}, "Conv2dBackward: grad_output of shape [1 4 3 4] does not match the output's shape [1 4 3 3]", true},
	} {
		msg, v := convPanic(t, c.f)
		assert.True(t, strings.Contains(msg, c.want), "%q does not contain %q", msg, c.want)
		if c.shape {
			assert.IsType(t, &tensor.ShapeError{}, v, msg)
		} else {
			assert.IsType(t, &tensor.Error{}, v, msg)
		}
	}
	// Accepted: an empty batch, padding that makes room for the kernel.
	assert.Equal(t, []int{0, 4, 3, 3}, tensor.Conv2d(tensor.Zeros(0, 4, 5, 5), tensor.Zeros(4, 4, 3, 3), nil, one, zero, one, 1).Shape())
	assert.Equal(t, []int{1, 8, 2, 2}, tensor.Conv2d(tensor.Zeros(1, 3, 2, 2), tensor.Zeros(8, 3, 3, 3), nil, one, one, one, 1).Shape())
}

// TestPoolOutputSize: PyTorch's pooling_output_shape, including
// ceil_mode's rule that the last window must start inside the input or
// the left padding.
func TestPoolOutputSize(t *testing.T) {
	for _, c := range []struct {
		size, k, s, p, d int
		ceil             bool
		want             int
	}{
		{7, 3, 2, 1, 1, false, 4}, {7, 3, 2, 1, 1, true, 4}, {8, 3, 2, 1, 1, true, 5}, {8, 3, 2, 1, 1, false, 4},
		{6, 2, 4, 1, 1, true, 2}, // ceil would give 3, but that window starts at 8 ≥ 6+1
		{5, 2, 2, 1, 1, true, 3}, // the 4th window would start at 6 = 5+1: dropped
		{5, 2, 2, 0, 1, true, 3}, {5, 2, 2, 0, 1, false, 2}, {9, 3, 1, 1, 2, true, 7}, {28, 2, 2, 0, 1, false, 14},
	} {
		assert.Equal(t, c.want, tensor.PoolOutputSize(c.size, c.k, c.s, c.p, c.d, c.ceil), "%+v", c)
	}
}

// TestPoolErrors: the pools' checks with PyTorch's messages.
func TestPoolErrors(t *testing.T) {
	k3, one, zero := [2]int{3, 3}, [2]int{1, 1}, [2]int{}
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { tensor.MaxPool2d(tensor.Zeros(1, 2, 5, 5), k3, zero, [2]int{2, 2}, one, false) }, "pad should be at most half of kernel size, but got pad=2 and kernel_size=3"},
		{func() { tensor.MaxPool2d(tensor.Zeros(1, 2, 2, 2), k3, zero, zero, one, false) }, "Given input size: (2x2x2). Calculated output size: (2x0x0). Output size is too small"},
		{func() { tensor.MaxPool2d(tensor.Zeros(2, 5), k3, zero, zero, one, false) }, "non-empty 3D or 4D (batch mode) tensor expected for input"},
		{func() { tensor.MaxPool2d(tensor.Zeros(1, 0, 5, 5), k3, zero, zero, one, false) }, "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 0, 5, 5]"},
		{func() { tensor.MaxPool2d(tensor.Zeros(1, 2, 5, 5), k3, [2]int{1, -1}, zero, one, false) }, "stride should be greater than zero"},
		{func() { tensor.MaxPool2d(tensor.Zeros(1, 2, 5, 5), zero, zero, zero, one, false) }, "kernel size should be greater than zero"},
		{func() { tensor.MaxPool2d(tensor.Zeros(1, 2, 5, 5), k3, zero, zero, zero, false) }, "dilation should be greater than zero, but got dilationH: 0 dilationW: 0"},
		{func() { tensor.AvgPool2d(tensor.Zeros(1, 2, 5, 5), k3, zero, [2]int{0, 2}, false, true) }, "pad should be at most half of kernel size, but got pad=2 and kernel_size=3"},
		{func() { tensor.AvgPool2d(tensor.Zeros(1, 2, 2, 2), k3, zero, zero, false, true) }, "Output size is too small"},
		{func() { tensor.AdaptiveAvgPool2d(tensor.Zeros(2, 5), 3, 3) }, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [2, 5]"},
		{func() { tensor.AdaptiveAvgPool2d(tensor.Zeros(1, 2, 0, 5), 3, 3) }, "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [1, 2, 0, 5] with dimension 2 being empty"},
		{func() { tensor.AdaptiveAvgPool2d(tensor.Zeros(1, 2, 5, 5), -1, 3) }, "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {-1, 3}"},
	} {
		msg, _ := convPanic(t, c.f)
		assert.True(t, strings.Contains(msg, c.want), "%q does not contain %q", msg, c.want)
	}
	assert.Equal(t, []int{1, 2, 0, 3}, tensor.AdaptiveAvgPool2d(tensor.Zeros(1, 2, 5, 5), 0, 3).Shape())
	assert.Equal(t, []int{0, 2, 2, 2}, tensor.AvgPool2d(tensor.Zeros(0, 2, 5, 5), [2]int{2, 2}, zero, zero, false, true).Shape())
}

// TestMaxPool2dNaN: a NaN is its window's maximum, and its index is the
// last NaN's (PyTorch's CPU kernel); -∞ windows keep the first index.
func TestMaxPool2dNaN(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(-1)
	x := tensor.New([]float64{
		1, nan, 3, inf,
		nan, 2, inf, inf,
	}, 1, 2, 4)
	out, idx := tensor.MaxPool2d(x, [2]int{2, 2}, [2]int{}, [2]int{}, [2]int{1, 1}, false)
	o := out.Float64s()
	assert.True(t, math.IsNaN(o[0]))
	assert.Equal(t, 3.0, o[1])
	assert.Equal(t, []float64{4, 2}, idx.Float64s())
	out, idx = tensor.MaxPool2d(tensor.Full(math.Inf(-1), 1, 2, 2), [2]int{2, 2}, [2]int{}, [2]int{}, [2]int{1, 1}, false)
	assert.Equal(t, []float64{inf}, out.Float64s())
	assert.Equal(t, []float64{0}, idx.Float64s())
}
