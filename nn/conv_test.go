package nn_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// size is a golden size as PyTorch was given it: an int or an [h, w] list.
type size []int

func (s *size) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*s = size{n}
		return nil
	}
	var l []int
	err := json.Unmarshal(b, &l)
	*s = l
	return err
}

type convCase struct {
	Name, Kind, DType, Repr     string
	XShape                      []int `json:"x_shape"`
	WShape                      []int `json:"w_shape"`
	OutShape                    []int `json:"out_shape"`
	X, W, B, Out, G, Dx, Dw, Db []float64
	Kernel, Stride, Padding     size
	Dilation                    size
	OutputSize                  size `json:"output_size"`
	Groups                      int
	CeilMode                    bool `json:"ceil_mode"`
	CountIncludePad             bool `json:"count_include_pad"`
}

type convGolden struct {
	Torch string
	Cases []convCase
	CNN   struct {
		X, Y []float64
		Repr string
		Keys []string
	}
}

// module builds the nn layer of a golden case, with the sizes given as
// PyTorch was given them.
func (c *convCase) module() nn.Model {
	switch c.Kind {
	case "conv":
		opts := []nn.Option{nn.KernelSize(c.WShape[2], c.WShape[3]), nn.Stride(c.Stride...),
			nn.Padding(c.Padding...), nn.Dilation(c.Dilation...), nn.Groups(c.Groups)}
		if c.B == nil {
			opts = append(opts, nn.NoBias())
		}
		if c.DType == "float64" {
			opts = append(opts, nn.WithDType(tensor.Float64))
		}
		return nn.NewConv2d(c.WShape[1]*c.Groups, c.WShape[0], 1, opts...)
	case "max":
		opts := []nn.Option{nn.KernelSize(c.Kernel...), nn.Stride(c.Stride...), nn.Padding(c.Padding...), nn.Dilation(c.Dilation...)}
		if c.CeilMode {
			opts = append(opts, nn.CeilMode())
		}
		return nn.NewMaxPool2d(0, opts...)
	case "avg":
		opts := []nn.Option{nn.KernelSize(c.Kernel...), nn.Stride(c.Stride...), nn.Padding(c.Padding...)}
		if c.CeilMode {
			opts = append(opts, nn.CeilMode())
		}
		if !c.CountIncludePad {
			opts = append(opts, nn.ExcludePad())
		}
		return nn.NewAvgPool2d(0, opts...)
	case "adaptive":
		return nn.NewAdaptiveAvgPool2d(c.OutputSize...)
	}
	panic("unknown kind " + c.Kind)
}

// TestConvPoolGolden: nn.Conv2d, MaxPool2d, AvgPool2d and
// AdaptiveAvgPool2d against torch 1.13 (testdata/gen_conv.py): outputs
// and the gradients of sum(out·g) with respect to the input, weight and
// bias, over stride, padding, dilation, groups (depthwise too),
// rectangular kernels, unbatched inputs, ceil_mode (with a dropped last
// window), count_include_pad=False, adaptive sizes that do not divide,
// float32 and float64; and each layer's repr.
func TestConvPoolGolden(t *testing.T) {
	var g convGolden
	readJSON(t, "conv_golden.json", &g)
	require.NotEmpty(t, g.Cases)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			dt, tol, gtol := tensor.Float32, 2e-6, 2e-5
			if c.DType == "float64" {
				dt, tol, gtol = tensor.Float64, 1e-13, 1e-12
			}
			m := c.module()
			assert.Equal(t, c.Repr, nn.Format(m))
			x := grad.Param(tensor.New(c.X, c.XShape...).To(dt))
			if conv, ok := m.(*nn.Conv2d); ok {
				conv.Weight.Value().CopyFrom(tensor.New(c.W, c.WShape...))
				if c.B != nil {
					conv.Bias.Value().CopyFrom(tensor.New(c.B, len(c.B)))
				}
			}
			out := m.(interface {
				Forward(*grad.Variable) *grad.Variable
			}).Forward(x)
			require.Equal(t, c.OutShape, out.Shape())
			require.Equal(t, dt, out.DType())
			assertClose(t, c.Out, out.Value(), tol, "out")
			out.Mul(grad.New(tensor.New(c.G, c.OutShape...).To(dt))).Sum().Backward()
			assertClose(t, c.Dx, x.Grad(), gtol, "dx")
			if conv, ok := m.(*nn.Conv2d); ok {
				assertClose(t, c.Dw, conv.Weight.Grad(), gtol, "dweight")
				if c.B != nil {
					assertClose(t, c.Db, conv.Bias.Grad(), gtol, "dbias")
				}
			}
		})
	}
}

// TestConvCNNSafetensors: a state dict torch saved for
// Conv2d-ReLU-MaxPool2d-Conv2d(groups=2)-ReLU-AvgPool2d-Flatten-Linear
// loads into the same model built here (same keys, same repr), which
// then gives torch's output.
func TestConvCNNSafetensors(t *testing.T) {
	var g convGolden
	readJSON(t, "conv_golden.json", &g)
	model := nn.NewSequential(
		nn.NewConv2d(1, 4, 3, nn.Padding(1)),
		nn.NewReLU(),
		nn.NewMaxPool2d(2),
		nn.NewConv2d(4, 6, 3, nn.Padding(1), nn.Groups(2)),
		nn.NewReLU(),
		nn.NewAvgPool2d(2),
		nn.NewFlatten(),
		nn.NewLinear(6*2*2, 3),
	)
	assert.Equal(t, g.CNN.Repr, model.String())
	assert.Equal(t, g.CNN.Keys, nn.StateDict(model).Keys())
	sd, err := nn.LoadSafetensors("testdata/conv_ref.safetensors")
	require.NoError(t, err)
	_, err = nn.LoadStateDict(model, sd)
	require.NoError(t, err)
	y := model.Forward(grad.NoGrad(tensor.New(g.CNN.X, 2, 1, 8, 8).To(tensor.Float32)))
	require.Equal(t, []int{2, 3}, y.Shape())
	assertClose(t, g.CNN.Y, y.Value(), 1e-5, "cnn out")
}

// TestConv2dInit: NewConv2d draws the weight and bias from
// U(-1/√fan_in, 1/√fan_in) with fan_in = in/groups·kH·kW, as PyTorch's
// reset_parameters, with the shapes torch gives them.
func TestConv2dInit(t *testing.T) {
	c := nn.NewConv2d(6, 4, 3, nn.KernelSize(3, 2), nn.Groups(2), nn.WithGenerator(tensor.NewGenerator(1)))
	require.Equal(t, []int{4, 3, 3, 2}, c.Weight.Shape())
	require.Equal(t, []int{4}, c.Bias.Shape())
	bound := 1 / 4.242640687119285 // 1/√18
	for _, p := range []*nn.Parameter{c.Weight, c.Bias} {
		v := p.Value().Float64s()
		lo, hi := v[0], v[0]
		for _, x := range v {
			lo, hi = min(lo, x), max(hi, x)
		}
		assert.GreaterOrEqual(t, lo, -bound)
		assert.LessOrEqual(t, hi, bound)
		assert.Less(t, hi-lo, 2*bound)
		assert.Greater(t, hi-lo, bound/2, "values spread over the range")
	}
	assert.Nil(t, nn.NewConv2d(1, 2, 3, nn.NoBias()).Bias)
	assert.Equal(t, []string{"weight", "bias"}, nn.StateDict(c).Keys())
}

// TestConv2dPaddingSame: padding 'same' keeps the spatial size for odd and
// even kernels (PyTorch puts the odd element on the bottom/right, checked
// against a convolution of the explicitly padded input), and 'valid'
// prints as PyTorch prints it.
func TestConv2dPaddingSame(t *testing.T) {
	gen := tensor.NewGenerator(3)
	for _, k := range [][2]int{{3, 3}, {2, 4}, {4, 3}} {
		c := nn.NewConv2d(2, 3, 0, nn.KernelSize(k[0], k[1]), nn.PaddingSame(), nn.WithDType(tensor.Float64))
		x := tensor.Float64.Randn(gen, 2, 2, 5, 6)
		y := c.Forward(grad.NoGrad(x))
		require.Equal(t, []int{2, 3, 5, 6}, y.Shape(), "kernel %v", k)
		// Reference: pad left/top by total/2 and right/bottom by the rest.
		th, tw := k[0]-1, k[1]-1
		xp := tensor.Float64.Zeros(2, 2, 5+th, 6+tw)
		xp.Narrow(2, th/2, 5).Narrow(3, tw/2, 6).CopyFrom(x)
		want := tensor.Conv2d(xp, c.Weight.Value(), c.Bias.Value(), [2]int{1, 1}, [2]int{}, [2]int{1, 1}, 1)
		assertClose(t, want.Float64s(), y.Value(), 1e-12, "same")
	}
	assert.Equal(t, "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)", nn.NewConv2d(4, 8, 3, nn.PaddingSame()).String())
	assert.Equal(t, "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=valid)", nn.NewConv2d(4, 8, 3, nn.PaddingValid()).String())
	assert.Equal(t, "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), groups=2, bias=False)",
		nn.NewConv2d(4, 8, 3, nn.KernelSize(3, 5), nn.Stride(2), nn.Padding(1, 2), nn.Dilation(2), nn.Groups(2), nn.NoBias()).String())
	assert.Equal(t, "AdaptiveAvgPool2d(output_size=7)", nn.NewAdaptiveAvgPool2d(7).String())
}

// TestConv2dConstructorErrors: PyTorch's ValueErrors, as *nn.Error panics.
func TestConv2dConstructorErrors(t *testing.T) {
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { nn.NewConv2d(4, 8, 3, nn.Stride(2), nn.PaddingSame()) }, "padding='same' is not supported for strided convolutions"},
		{func() { nn.NewConv2d(4, 8, 3, nn.Groups(3)) }, "in_channels must be divisible by groups"},
		{func() { nn.NewConv2d(4, 9, 3, nn.Groups(2)) }, "out_channels must be divisible by groups"},
		{func() { nn.NewConv2d(4, 8, 3, nn.Groups(0)) }, "groups must be a positive integer"},
		{func() { nn.NewConv2d(4, 8, 3, nn.Stride(1, 2, 3)) }, "stride takes one int or two (height, width), got 3"},
		{func() { nn.NewMaxPool2d(2, nn.ExcludePad()) }, "option ExcludePad does not apply"},
	} {
		r := mustPanic(t, c.want, c.f)
		e, ok := r.(*nn.Error)
		require.True(t, ok, "%T %v", r, r)
		assert.True(t, strings.Contains(e.Error(), c.want), "%q does not contain %q", e.Error(), c.want)
	}
}
