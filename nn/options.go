package nn

import (
	"strings"

	"github.com/simdtorch/simdtorch/tensor"
)

// Option configures a constructor, an init function, a walk or a load,
// where PyTorch's default is not Go's zero value:
//
//	nn.NewLinear(784, 10, nn.NoBias())
//	nn.KaimingNormal(l.Weight, nn.FanOut(), nn.Nonlinearity("relu"))
//	nn.NamedParameters(m, nn.NonRecursive())
//
// Each function documents the options it takes; passing one that does not
// apply (NoBias to NewEmbedding, say) panics, because it is a mistake that
// would otherwise go unnoticed.
type Option struct {
	name string
	fn   func(*config)
}

// config collects every option's value; each function reads its own.
type config struct {
	noBias         bool
	dtype          tensor.DType
	gen            *tensor.Generator
	slope          float64
	approximate    string
	startDim       int
	endDim         int
	paddingIdx     *int
	eps            float64
	noAffine       bool
	momentum       float64
	alpha          float64
	beta           float64
	threshold      float64
	cumulative     bool
	noRunningStats bool
	nonPersistent  bool
	gain           float64
	a              float64
	fanOut         bool
	nonlinearity   string
	groups         int
	nonRecursive   bool
	nonStrict      bool
	keepGrad       bool
	kernelSize     []int
	stride         []int
	padding        []int
	dilation       []int
	paddingStr     string
	ceilMode       bool
	excludePad     bool
	rnn            *rnnConfig // the recurrent layers' options (rnn.go)
}

func defaultConfig() config {
	return config{
		dtype:        tensor.Float32,
		slope:        0.01,
		approximate:  "none",
		startDim:     1,
		endDim:       -1,
		eps:          1e-5,
		momentum:     0.1,
		alpha:        1,
		beta:         1,
		threshold:    20,
		gain:         1,
		nonlinearity: "leaky_relu",
		groups:       1,
	}
}

// applyOptions applies opts to the default configuration after checking
// that each one is among those op accepts.
func applyOptions(op string, opts []Option, allowed ...string) config {
	c := defaultConfig()
	for _, o := range opts {
		if o.fn == nil {
			panic(misuse(op, "zero Option"))
		}
		ok := false
		for _, a := range allowed {
			if a == o.name {
				ok = true
				break
			}
		}
		if !ok {
			panic(misuse(op, "option "+o.name+" does not apply (it takes "+strings.Join(allowed, ", ")+")"))
		}
		o.fn(&c)
	}
	return c
}

// NoBias leaves out the bias (bias=False). For NewLinear and NewConv2d.
func NoBias() Option { return Option{"NoBias", func(c *config) { c.noBias = true }} }

// WithDType makes a layer's parameters of the dtype (dtype=...; Float32
// by default). For NewLinear, NewEmbedding, NewLayerNorm.
func WithDType(d tensor.DType) Option {
	return Option{"WithDType", func(c *config) { c.dtype = d }}
}

// WithGenerator draws random numbers from g instead of tensor's seeded
// default generator (generator=...). For layer constructors (their
// initialisation), Dropout (its masks) and the init functions.
func WithGenerator(g *tensor.Generator) Option {
	return Option{"WithGenerator", func(c *config) { c.gen = g }}
}

// NegativeSlope sets LeakyReLU's slope for negative inputs (default 0.01).
func NegativeSlope(s float64) Option {
	return Option{"NegativeSlope", func(c *config) { c.slope = s }}
}

// Approximate chooses GELU's form: "none" (the exact erf form, the
// default) or "tanh".
func Approximate(s string) Option {
	return Option{"Approximate", func(c *config) { c.approximate = s }}
}

// StartDim sets Flatten's first flattened dimension (default 1).
func StartDim(d int) Option { return Option{"StartDim", func(c *config) { c.startDim = d }} }

// EndDim sets Flatten's last flattened dimension (default -1).
func EndDim(d int) Option { return Option{"EndDim", func(c *config) { c.endDim = d }} }

// PaddingIdx makes row i of an Embedding the padding entry: zero at
// creation and never updated by gradients (negative counts from the end).
func PaddingIdx(i int) Option {
	return Option{"PaddingIdx", func(c *config) { c.paddingIdx = &i }}
}

// Eps sets the value added to the variance for numerical stability in
// LayerNorm and BatchNorm1d (default 1e-5).
func Eps(e float64) Option { return Option{"Eps", func(c *config) { c.eps = e }} }

// NoAffine leaves out the learnable weight and bias of LayerNorm
// (elementwise_affine=False) and BatchNorm1d (affine=False).
func NoAffine() Option { return Option{"NoAffine", func(c *config) { c.noAffine = true }} }

// Momentum sets BatchNorm1d's factor for the running statistics (default
// 0.1).
func Momentum(m float64) Option { return Option{"Momentum", func(c *config) { c.momentum = m }} }

// Alpha sets ELU's scale for negative inputs (default 1).
func Alpha(a float64) Option { return Option{"Alpha", func(c *config) { c.alpha = a }} }

// Beta sets Softplus's beta (default 1).
func Beta(b float64) Option { return Option{"Beta", func(c *config) { c.beta = b }} }

// Threshold sets the beta·x above which Softplus is linear (default 20).
func Threshold(t float64) Option { return Option{"Threshold", func(c *config) { c.threshold = t }} }

// CumulativeAverage makes BatchNorm1d's running statistics a cumulative
// average over the batches seen (momentum=None).
func CumulativeAverage() Option {
	return Option{"CumulativeAverage", func(c *config) { c.cumulative = true }}
}

// NoRunningStats makes BatchNorm1d use the batch's statistics in eval
// mode too and keep no buffers (track_running_stats=False).
func NoRunningStats() Option {
	return Option{"NoRunningStats", func(c *config) { c.noRunningStats = true }}
}

// NonPersistent makes a Buffer that is left out of the state dict
// (persistent=False). For NewBuffer.
func NonPersistent() Option {
	return Option{"NonPersistent", func(c *config) { c.nonPersistent = true }}
}

// Gain scales XavierUniform, XavierNormal and Orthogonal (default 1).
func Gain(g float64) Option { return Option{"Gain", func(c *config) { c.gain = g }} }

// A sets the negative slope of the rectifier that follows the layer, for
// KaimingUniform and KaimingNormal with leaky_relu (default 0).
func A(a float64) Option { return Option{"A", func(c *config) { c.a = a }} }

// FanOut makes KaimingUniform and KaimingNormal preserve the magnitude of
// the gradients in the backward pass (mode='fan_out') instead of that of
// the activations in the forward pass (mode='fan_in', the default).
func FanOut() Option { return Option{"FanOut", func(c *config) { c.fanOut = true }} }

// Nonlinearity names the nonlinearity that follows the layer, for the
// gain of KaimingUniform and KaimingNormal (default "leaky_relu"; any
// name CalculateGain knows), or NewRNN's nonlinearity ("tanh", its
// default, or "relu").
func Nonlinearity(name string) Option {
	return Option{"Nonlinearity", func(c *config) { c.nonlinearity = name }}
}

// Groups sets the number of groups for Dirac and NewConv2d (default 1):
// the input and output channels are split into that many groups, each
// convolved with its own filters (groups=...; groups = in_channels is a
// depthwise convolution).
func Groups(g int) Option { return Option{"Groups", func(c *config) { c.groups = g }} }

// NonRecursive limits Parameters, NamedParameters, Buffers and
// NamedBuffers to the module's own members (recurse=False).
func NonRecursive() Option {
	return Option{"NonRecursive", func(c *config) { c.nonRecursive = true }}
}

// NonStrict makes LoadStateDict load the keys that match and report the
// missing and unexpected ones instead of failing (strict=False). Shape
// mismatches are still errors.
func NonStrict() Option { return Option{"NonStrict", func(c *config) { c.nonStrict = true }} }

// SetToNone chooses how ZeroGrad clears gradients, as zero_grad's
// set_to_none: true (the default, PyTorch's since 2.0) drops them;
// false zeroes them in place and keeps their tensors (PyTorch 1.13's
// default), so later backward passes write into the same memory and a
// training loop allocates no gradients after its first step. For ZeroGrad.
func SetToNone(b bool) Option { return Option{"SetToNone", func(c *config) { c.keepGrad = !b }} }

// The 2-D layers (NewConv2d, NewMaxPool2d, NewAvgPool2d) take their
// sizes as options of one int (square, as PyTorch's stride=2) or two
// (height and width, as PyTorch's stride=(2, 1)); any other count panics.

// KernelSize replaces the square kernel given to NewConv2d, NewMaxPool2d
// or NewAvgPool2d positionally: KernelSize(3, 5) is kernel_size=(3, 5).
func KernelSize(hw ...int) Option { return Option{"KernelSize", func(c *config) { c.kernelSize = hw }} }

// Stride sets the step of a 2-D layer's window: Stride(2) or Stride(2, 1)
// (default 1 for NewConv2d, the kernel size for the pools).
func Stride(hw ...int) Option { return Option{"Stride", func(c *config) { c.stride = hw }} }

// Padding sets the zero padding (for NewConv2d and NewAvgPool2d) or -∞
// padding (for NewMaxPool2d) added on both sides of each spatial
// dimension: Padding(1) or Padding(1, 2) (default 0). NewConv2d also
// takes PaddingSame and PaddingValid.
func Padding(hw ...int) Option { return Option{"Padding", func(c *config) { c.padding = hw }} }

// PaddingSame pads a stride-1 NewConv2d so the output has the input's
// spatial size (padding='same'): d·(k-1) in all per dimension, the odd
// element, if any, on the bottom/right as PyTorch puts it.
func PaddingSame() Option { return Option{"PaddingSame", func(c *config) { c.paddingStr = "same" }} }

// PaddingValid is NewConv2d without padding (padding='valid', the same as
// Padding(0) but printed as PyTorch prints it).
func PaddingValid() Option { return Option{"PaddingValid", func(c *config) { c.paddingStr = "valid" }} }

// Dilation sets the spacing between a window's elements for NewConv2d
// and NewMaxPool2d: Dilation(2) or Dilation(2, 1) (default 1).
func Dilation(hw ...int) Option { return Option{"Dilation", func(c *config) { c.dilation = hw }} }

// CeilMode makes NewMaxPool2d and NewAvgPool2d round the output size up
// (ceil_mode=True): a last, partial window is kept when it starts inside
// the input or the left padding.
func CeilMode() Option { return Option{"CeilMode", func(c *config) { c.ceilMode = true }} }

// ExcludePad makes NewAvgPool2d divide by the number of input elements in
// each window, leaving out the padding (count_include_pad=False).
func ExcludePad() Option { return Option{"ExcludePad", func(c *config) { c.excludePad = true }} }
