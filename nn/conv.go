package nn

import (
	"math"
	"strconv"

	"github.com/simdtorch/simdtorch/grad"
)

// Conv2d applies a 2-D convolution over an input of shape [N, C_in, H, W]
// or [C_in, H, W] (torch.nn.Conv2d; see tensor.Conv2d for the output size
// and errors). Weight is [out_channels, in_channels/groups, kH, kW] and
// Bias [out_channels] (nil with NoBias). Padding is with zeros only
// (padding_mode='zeros'); PaddingString is "same" or "valid" when the
// layer was made with PaddingSame or PaddingValid, and "" otherwise.
type Conv2d struct {
	Module
	InChannels    int
	OutChannels   int
	KernelSize    [2]int
	Stride        [2]int
	Padding       [2]int
	Dilation      [2]int
	PaddingString string
	Groups        int
	Weight        *Parameter
	Bias          *Parameter
}

// NewConv2d returns a Conv2d with a kernel×kernel window, initialised as
// PyTorch's: the weight from kaiming_uniform with a = √5, which is
// U(-1/√fan_in, 1/√fan_in) with fan_in = in/groups·kH·kW, and the bias
// from the same range. Sizes are options of one int (square) or two
// (height, width):
//
//	nn.NewConv2d(1, 8, 3, nn.Padding(1))                       // Conv2d(1, 8, 3, padding=1)
//	nn.NewConv2d(4, 8, 3, nn.KernelSize(3, 5), nn.Stride(2, 1)) // kernel_size=(3, 5), stride=(2, 1)
//
// Options: KernelSize, Stride, Padding, PaddingSame, PaddingValid,
// Dilation, Groups, NoBias, WithDType, WithGenerator. It panics with
// PyTorch's messages when in or out is not divisible by groups, groups is
// not positive, or PaddingSame is asked of a strided convolution.
func NewConv2d(in, out, kernel int, opts ...Option) *Conv2d {
	const op = "NewConv2d"
	c := applyOptions(op, opts, "KernelSize", "Stride", "Padding", "PaddingSame", "PaddingValid", "Dilation", "Groups", "NoBias", "WithDType", "WithGenerator")
	l := &Conv2d{InChannels: in, OutChannels: out, Groups: c.groups, PaddingString: c.paddingStr}
	l.KernelSize, _ = pair2(op, "kernel_size", c.kernelSize, [2]int{kernel, kernel})
	l.Stride, _ = pair2(op, "stride", c.stride, [2]int{1, 1})
	l.Padding, _ = pair2(op, "padding", c.padding, [2]int{})
	l.Dilation, _ = pair2(op, "dilation", c.dilation, [2]int{1, 1})
	switch {
	case in < 0 || out < 0 || l.KernelSize[0] <= 0 || l.KernelSize[1] <= 0:
		panic(misuse(op, "invalid size in_channels="+strconv.Itoa(in)+", out_channels="+strconv.Itoa(out)+", kernel_size="+pyPair(l.KernelSize)))
	case c.groups <= 0:
		panic(misuse(op, "groups must be a positive integer"))
	case in%c.groups != 0:
		panic(misuse(op, "in_channels must be divisible by groups"))
	case out%c.groups != 0:
		panic(misuse(op, "out_channels must be divisible by groups"))
	case c.paddingStr != "" && c.padding != nil:
		panic(misuse(op, "Padding and PaddingSame or PaddingValid are exclusive"))
	case c.paddingStr == "same" && l.Stride != [2]int{1, 1}:
		panic(misuse(op, "padding='same' is not supported for strided convolutions"))
	}
	if c.paddingStr == "same" {
		for i := range 2 {
			l.Padding[i] = l.Dilation[i] * (l.KernelSize[i] - 1) / 2
		}
	}
	l.Weight = NewParameter(c.dtype.Empty(out, in/c.groups, l.KernelSize[0], l.KernelSize[1]))
	if !c.noBias {
		l.Bias = NewParameter(c.dtype.Empty(out))
	}
	l.ResetParameters(WithGenerator(c.gen))
	return l
}

// ResetParameters draws the weight and bias again with PyTorch's default
// initialisation (reset_parameters). Options: WithGenerator.
func (l *Conv2d) ResetParameters(opts ...Option) {
	c := applyOptions("Conv2d.ResetParameters", opts, "WithGenerator")
	KaimingUniform(l.Weight, A(math.Sqrt(5)), WithGenerator(c.gen))
	if l.Bias != nil {
		fanIn := l.Weight.Size(1) * l.KernelSize[0] * l.KernelSize[1]
		bound := 0.0
		if fanIn > 0 {
			bound = 1 / math.Sqrt(float64(fanIn))
		}
		Uniform(l.Bias, -bound, bound, WithGenerator(c.gen))
	}
}

// Forward returns the convolution of x with the layer's filters plus its
// bias (grad.Conv2d). With PaddingSame and an even total padding
// d·(k-1) in a dimension, that dimension is padded by half on each side;
// with an odd one, by one more on each side and the first output row (or
// column) dropped, which gives PyTorch's result (the extra element on the
// bottom/right) at the cost of one more row of output.
func (l *Conv2d) Forward(x *grad.Variable) *grad.Variable {
	pad := l.Padding
	var odd [2]bool
	if l.PaddingString == "same" {
		for i := range 2 {
			if l.Dilation[i]*(l.KernelSize[i]-1)%2 == 1 {
				pad[i]++
				odd[i] = true
			}
		}
	}
	var y *grad.Variable
	if l.Bias == nil {
		y = grad.Conv2d(x, l.Weight, nil, l.Stride, pad, l.Dilation, l.Groups) // never a typed-nil *Parameter
	} else {
		y = grad.Conv2d(x, l.Weight, l.Bias, l.Stride, pad, l.Dilation, l.Groups)
	}
	for i := range 2 {
		if odd[i] {
			d := y.Dim() - 2 + i
			y = y.Narrow(d, 1, x.Size(d))
		}
	}
	return y
}

// ExtraRepr is PyTorch's: "1, 8, kernel_size=(3, 3), stride=(1, 1),
// padding=(1, 1)", with padding, dilation and groups only when they are
// not the defaults and ", bias=False" without a bias.
func (l *Conv2d) ExtraRepr() string {
	s := strconv.Itoa(l.InChannels) + ", " + strconv.Itoa(l.OutChannels) + ", kernel_size=" + pyPair(l.KernelSize) + ", stride=" + pyPair(l.Stride)
	if l.PaddingString != "" {
		s += ", padding=" + l.PaddingString
	} else if l.Padding != [2]int{} {
		s += ", padding=" + pyPair(l.Padding)
	}
	if l.Dilation != [2]int{1, 1} {
		s += ", dilation=" + pyPair(l.Dilation)
	}
	if l.Groups != 1 {
		s += ", groups=" + strconv.Itoa(l.Groups)
	}
	if l.Bias == nil {
		s += ", bias=False"
	}
	return s
}

func (l *Conv2d) String() string { return Format(l) }

// MaxPool2d takes the maximum over windows of the last two dimensions of
// [N, C, H, W] or [C, H, W] inputs (torch.nn.MaxPool2d; see
// tensor.MaxPool2d). The sizes print as they were given: one int, or an
// (h, w) pair.
type MaxPool2d struct {
	Module
	KernelSize, Stride, Padding, Dilation [2]int
	CeilMode                              bool
	pairs                                 [4]bool // given as (h, w): kernel, stride, padding, dilation
}

// NewMaxPool2d returns a MaxPool2d with a kernel×kernel window and, by
// default, stride kernel, padding 0 and dilation 1. Options: KernelSize,
// Stride, Padding, Dilation, CeilMode.
func NewMaxPool2d(kernel int, opts ...Option) *MaxPool2d {
	const op = "NewMaxPool2d"
	c := applyOptions(op, opts, "KernelSize", "Stride", "Padding", "Dilation", "CeilMode")
	m := &MaxPool2d{CeilMode: c.ceilMode}
	m.KernelSize, m.pairs[0] = pair2(op, "kernel_size", c.kernelSize, [2]int{kernel, kernel})
	m.Stride, m.pairs[1] = pair2(op, "stride", c.stride, m.KernelSize)
	if c.stride == nil {
		m.pairs[1] = m.pairs[0]
	}
	m.Padding, m.pairs[2] = pair2(op, "padding", c.padding, [2]int{})
	m.Dilation, m.pairs[3] = pair2(op, "dilation", c.dilation, [2]int{1, 1})
	return m
}

// Forward returns the pooled x (grad.MaxPool2d).
func (m *MaxPool2d) Forward(x *grad.Variable) *grad.Variable {
	return grad.MaxPool2d(x, m.KernelSize, m.Stride, m.Padding, m.Dilation, m.CeilMode)
}

// ExtraRepr is "kernel_size=2, stride=2, padding=0, dilation=1,
// ceil_mode=False".
func (m *MaxPool2d) ExtraRepr() string {
	return "kernel_size=" + pyIntOrPair(m.KernelSize, m.pairs[0]) + ", stride=" + pyIntOrPair(m.Stride, m.pairs[1]) +
		", padding=" + pyIntOrPair(m.Padding, m.pairs[2]) + ", dilation=" + pyIntOrPair(m.Dilation, m.pairs[3]) +
		", ceil_mode=" + pyBool(m.CeilMode)
}

func (m *MaxPool2d) String() string { return Format(m) }

// AvgPool2d takes the mean over windows of the last two dimensions of
// [N, C, H, W] or [C, H, W] inputs (torch.nn.AvgPool2d; see
// tensor.AvgPool2d). CountIncludePad is PyTorch's count_include_pad (true
// by default).
type AvgPool2d struct {
	Module
	KernelSize, Stride, Padding [2]int
	CeilMode, CountIncludePad   bool
	pairs                       [3]bool
}

// NewAvgPool2d returns an AvgPool2d with a kernel×kernel window and, by
// default, stride kernel and padding 0. Options: KernelSize, Stride,
// Padding, CeilMode, ExcludePad. (divisor_override is not supported.)
func NewAvgPool2d(kernel int, opts ...Option) *AvgPool2d {
	const op = "NewAvgPool2d"
	c := applyOptions(op, opts, "KernelSize", "Stride", "Padding", "CeilMode", "ExcludePad")
	m := &AvgPool2d{CeilMode: c.ceilMode, CountIncludePad: !c.excludePad}
	m.KernelSize, m.pairs[0] = pair2(op, "kernel_size", c.kernelSize, [2]int{kernel, kernel})
	m.Stride, m.pairs[1] = pair2(op, "stride", c.stride, m.KernelSize)
	if c.stride == nil {
		m.pairs[1] = m.pairs[0]
	}
	m.Padding, m.pairs[2] = pair2(op, "padding", c.padding, [2]int{})
	return m
}

// Forward returns the pooled x (grad.AvgPool2d).
func (m *AvgPool2d) Forward(x *grad.Variable) *grad.Variable {
	return grad.AvgPool2d(x, m.KernelSize, m.Stride, m.Padding, m.CeilMode, m.CountIncludePad)
}

// ExtraRepr is "kernel_size=2, stride=2, padding=0" (PyTorch prints
// neither ceil_mode nor count_include_pad).
func (m *AvgPool2d) ExtraRepr() string {
	return "kernel_size=" + pyIntOrPair(m.KernelSize, m.pairs[0]) + ", stride=" + pyIntOrPair(m.Stride, m.pairs[1]) +
		", padding=" + pyIntOrPair(m.Padding, m.pairs[2])
}

func (m *AvgPool2d) String() string { return Format(m) }

// AdaptiveAvgPool2d averages [N, C, H, W] or [C, H, W] inputs down to
// OutputSize (torch.nn.AdaptiveAvgPool2d; see tensor.AdaptiveAvgPool2d).
type AdaptiveAvgPool2d struct {
	Module
	OutputSize [2]int
	pair       bool
}

// NewAdaptiveAvgPool2d returns an AdaptiveAvgPool2d to size×size
// (NewAdaptiveAvgPool2d(7)) or h×w (NewAdaptiveAvgPool2d(3, 4)).
func NewAdaptiveAvgPool2d(size ...int) *AdaptiveAvgPool2d {
	const op = "NewAdaptiveAvgPool2d"
	if len(size) == 0 {
		panic(misuse(op, "output_size needs one or two ints"))
	}
	m := &AdaptiveAvgPool2d{}
	m.OutputSize, m.pair = pair2(op, "output_size", size, [2]int{})
	return m
}

// Forward returns the pooled x (grad.AdaptiveAvgPool2d).
func (m *AdaptiveAvgPool2d) Forward(x *grad.Variable) *grad.Variable {
	return grad.AdaptiveAvgPool2d(x, m.OutputSize[0], m.OutputSize[1])
}

// ExtraRepr is "output_size=7" or "output_size=(3, 4)".
func (m *AdaptiveAvgPool2d) ExtraRepr() string {
	return "output_size=" + pyIntOrPair(m.OutputSize, m.pair)
}

func (m *AdaptiveAvgPool2d) String() string { return Format(m) }

// pair2 reads a size option of one int (square) or two (h, w); nil gives
// def. pair reports whether two were given.
func pair2(op, name string, v []int, def [2]int) (hw [2]int, pair bool) {
	switch len(v) {
	case 0:
		if v == nil {
			return def, false
		}
	case 1:
		return [2]int{v[0], v[0]}, false
	case 2:
		return [2]int{v[0], v[1]}, true
	}
	panic(misuse(op, name+" takes one int or two (height, width), got "+strconv.Itoa(len(v))))
}

// pyPair formats a pair as Python prints a tuple: (3, 3).
func pyPair(p [2]int) string { return "(" + strconv.Itoa(p[0]) + ", " + strconv.Itoa(p[1]) + ")" }

func pyIntOrPair(p [2]int, pair bool) string {
	if pair {
		return pyPair(p)
	}
	return strconv.Itoa(p[0])
}
