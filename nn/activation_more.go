package nn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// Hardtanh clamps to [MinVal, MaxVal] (torch.nn.Hardtanh).
type Hardtanh struct {
	Module
	MinVal, MaxVal float64
}

// NewHardtanh returns a Hardtanh over [minVal, maxVal] (PyTorch's
// defaults are -1 and 1). minVal > maxVal panics.
func NewHardtanh(minVal, maxVal float64) *Hardtanh {
	if !(minVal <= maxVal) {
		panic(misuse("NewHardtanh", "max_val must be greater than or equal to min_val"))
	}
	return &Hardtanh{MinVal: minVal, MaxVal: maxVal}
}

// Forward applies Hardtanh.
func (h *Hardtanh) Forward(x *grad.Variable) *grad.Variable { return x.Hardtanh(h.MinVal, h.MaxVal) }

// ExtraRepr is "min_val=-1.0, max_val=1.0".
func (h *Hardtanh) ExtraRepr() string {
	return "min_val=" + pyFloat(h.MinVal) + ", max_val=" + pyFloat(h.MaxVal)
}
func (h *Hardtanh) String() string { return Format(h) }

// ReLU6 applies min(max(x, 0), 6) (torch.nn.ReLU6).
type ReLU6 struct{ Module }

// NewReLU6 returns a ReLU6.
func NewReLU6() *ReLU6 { return &ReLU6{} }

// Forward applies ReLU6.
func (r *ReLU6) Forward(x *grad.Variable) *grad.Variable { return x.ReLU6() }
func (r *ReLU6) String() string                          { return Format(r) }

// Hardsigmoid applies relu6(x + 3)/6 (torch.nn.Hardsigmoid).
type Hardsigmoid struct{ Module }

// NewHardsigmoid returns a Hardsigmoid.
func NewHardsigmoid() *Hardsigmoid { return &Hardsigmoid{} }

// Forward applies Hardsigmoid.
func (h *Hardsigmoid) Forward(x *grad.Variable) *grad.Variable { return x.Hardsigmoid() }
func (h *Hardsigmoid) String() string                          { return Format(h) }

// Hardswish applies x·relu6(x + 3)/6 (torch.nn.Hardswish).
type Hardswish struct{ Module }

// NewHardswish returns a Hardswish.
func NewHardswish() *Hardswish { return &Hardswish{} }

// Forward applies Hardswish.
func (h *Hardswish) Forward(x *grad.Variable) *grad.Variable { return x.Hardswish() }
func (h *Hardswish) String() string                          { return Format(h) }

// Mish applies x·tanh(softplus(x)) (torch.nn.Mish).
type Mish struct{ Module }

// NewMish returns a Mish.
func NewMish() *Mish { return &Mish{} }

// Forward applies Mish.
func (m *Mish) Forward(x *grad.Variable) *grad.Variable { return x.Mish() }
func (m *Mish) String() string                          { return Format(m) }

// LogSigmoid applies log(sigmoid(x)) (torch.nn.LogSigmoid).
type LogSigmoid struct{ Module }

// NewLogSigmoid returns a LogSigmoid.
func NewLogSigmoid() *LogSigmoid { return &LogSigmoid{} }

// Forward applies LogSigmoid.
func (l *LogSigmoid) Forward(x *grad.Variable) *grad.Variable { return x.LogSigmoid() }
func (l *LogSigmoid) String() string                          { return Format(l) }

// Softsign applies x/(1 + |x|) (torch.nn.Softsign).
type Softsign struct{ Module }

// NewSoftsign returns a Softsign.
func NewSoftsign() *Softsign { return &Softsign{} }

// Forward applies Softsign.
func (s *Softsign) Forward(x *grad.Variable) *grad.Variable { return x.Softsign() }
func (s *Softsign) String() string                          { return Format(s) }

// Tanhshrink applies x - tanh(x) (torch.nn.Tanhshrink).
type Tanhshrink struct{ Module }

// NewTanhshrink returns a Tanhshrink.
func NewTanhshrink() *Tanhshrink { return &Tanhshrink{} }

// Forward applies Tanhshrink.
func (t *Tanhshrink) Forward(x *grad.Variable) *grad.Variable { return x.Tanhshrink() }
func (t *Tanhshrink) String() string                          { return Format(t) }

// PReLU applies max(0, x) + a·min(0, x) with a learned slope a, one for
// all channels or one per channel (torch.nn.PReLU). Weight is the slopes'
// parameter ("weight" in the state dict).
type PReLU struct {
	Module
	Weight *Parameter
}

// NewPReLU returns a PReLU with numParameters slopes (1, or the number of
// channels: dimension 1 of the input) all set to init (PyTorch's defaults
// are 1 and 0.25). Options: WithDType. numParameters < 1 panics.
func NewPReLU(numParameters int, init float64, opts ...Option) *PReLU {
	c := applyOptions("NewPReLU", opts, "WithDType")
	if numParameters < 1 {
		panic(misuse("NewPReLU", "num_parameters "+strconv.Itoa(numParameters)+" < 1"))
	}
	return &PReLU{Weight: NewParameter(c.dtype.Full(init, numParameters))}
}

// Forward applies grad.PReLU with the module's slopes.
func (p *PReLU) Forward(x *grad.Variable) *grad.Variable { return grad.PReLU(x, p.Weight) }

// ExtraRepr is "num_parameters=1".
func (p *PReLU) ExtraRepr() string {
	return "num_parameters=" + strconv.Itoa(p.Weight.Value().Numel())
}
func (p *PReLU) String() string { return Format(p) }

// KLDivLoss is the Kullback-Leibler divergence loss
// (torch.nn.KLDivLoss): input holds log-probabilities, target
// probabilities (or log-probabilities with grad.LogTarget).
type KLDivLoss struct {
	Module
	opts []grad.LossOption
}

// NewKLDivLoss returns a KLDivLoss with grad's loss options (a Reduction,
// ReduceBatchMean included; LogTarget).
func NewKLDivLoss(opts ...grad.LossOption) *KLDivLoss {
	return &KLDivLoss{opts: slices.Clone(opts)}
}

// Forward returns grad.KLDivLoss(input, target, options...).
func (l *KLDivLoss) Forward(input, target grad.Operand) *grad.Variable {
	return grad.KLDivLoss(input, target, l.opts...)
}
func (l *KLDivLoss) String() string { return Format(l) }

// ParametersToVector returns the parameters flattened and joined into one
// 1-D Variable (torch.nn.utils.parameters_to_vector), differentiable with
// respect to each of them. Parameters of different dtypes join as
// Float64. No parameters gives an empty Float32 vector.
func ParametersToVector(params []*Parameter) *grad.Variable {
	if len(params) == 0 {
		return grad.NoGrad(tensor.Empty(0))
	}
	flat := make([]*grad.Variable, len(params))
	for i, p := range params {
		flat[i] = p.Reshape(-1)
	}
	return grad.Cat(flat, 0)
}

// VectorToParameters copies consecutive pieces of vec into the parameters'
// values, in order (torch.nn.utils.vector_to_parameters, which makes each
// parameter a view of vec instead). vec must be 1-D with exactly as many
// elements as the parameters together; otherwise it panics with both
// sizes and changes nothing.
func VectorToParameters(vec *tensor.Tensor, params []*Parameter) {
	n := 0
	for _, p := range params {
		n += p.Value().Numel()
	}
	if vec.Dim() != 1 || vec.Numel() != n {
		panic(misuse("VectorToParameters", fmt.Sprintf("vector of shape %v for parameters of %d elements", vec.Shape(), n)))
	}
	off := 0
	for _, p := range params {
		k := p.Value().Numel()
		p.Value().CopyFrom(vec.Narrow(0, off, k).Reshape(p.Value().Shape()...))
		off += k
	}
}

// Unflatten splits dimension Dim of its input into Sizes
// (torch.nn.Unflatten): [N, 784] with Dim 1 and Sizes [1, 28, 28] becomes
// [N, 1, 28, 28]. One size may be -1, inferred.
type Unflatten struct {
	Module
	Dim   int
	Sizes []int
}

// NewUnflatten returns an Unflatten of dimension dim (negative counts from
// the end) into sizes. No sizes, a size below -1 or two -1s panic.
func NewUnflatten(dim int, sizes ...int) *Unflatten {
	infer := 0
	for _, s := range sizes {
		if s < -1 {
			panic(misuse("NewUnflatten", fmt.Sprintf("invalid size %d in unflattened_size %v", s, sizes)))
		}
		if s == -1 {
			infer++
		}
	}
	if len(sizes) == 0 || infer > 1 {
		panic(misuse("NewUnflatten", fmt.Sprintf("unflattened_size %v must be non-empty with at most one -1", sizes)))
	}
	return &Unflatten{Dim: dim, Sizes: slices.Clone(sizes)}
}

// Forward reshapes x, splitting dimension Dim. Sizes that do not multiply
// up to that dimension's size panic with both shapes.
func (u *Unflatten) Forward(x *grad.Variable) *grad.Variable {
	xs := x.Shape()
	d := u.Dim
	if d < 0 {
		d += len(xs)
	}
	if d < 0 || d >= len(xs) {
		panic(&tensor.ShapeError{Op: "Unflatten", A: xs, B: u.Sizes, Msg: fmt.Sprintf("dimension %d out of range", u.Dim)})
	}
	sizes := slices.Clone(u.Sizes)
	prod, infer := 1, -1
	for i, s := range sizes {
		if s == -1 {
			infer = i
		} else {
			prod *= s
		}
	}
	if infer >= 0 && prod > 0 && xs[d]%prod == 0 {
		sizes[infer] = xs[d] / prod
		prod = xs[d]
	}
	if prod != xs[d] {
		panic(&tensor.ShapeError{Op: "Unflatten", A: xs, B: u.Sizes,
			Msg: fmt.Sprintf("provided sizes don't multiply up to the size of dim %d (%d) in the input tensor", u.Dim, xs[d])})
	}
	shape := append(append(slices.Clone(xs[:d]), sizes...), xs[d+1:]...)
	return x.Reshape(shape...)
}

// ExtraRepr is "dim=1, unflattened_size=(1, 28, 28)".
func (u *Unflatten) ExtraRepr() string {
	parts := make([]string, len(u.Sizes))
	for i, s := range u.Sizes {
		parts[i] = strconv.Itoa(s)
	}
	size := "(" + strings.Join(parts, ", ")
	if len(parts) == 1 {
		size += ","
	}
	return "dim=" + strconv.Itoa(u.Dim) + ", unflattened_size=" + size + ")"
}
func (u *Unflatten) String() string { return Format(u) }
