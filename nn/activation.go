package nn

import (
	"math"
	"strconv"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// ReLU applies max(x, 0) (torch.nn.ReLU).
type ReLU struct{ Module }

// NewReLU returns a ReLU.
func NewReLU() *ReLU { return &ReLU{} }

// Forward returns max(x, 0).
func (*ReLU) Forward(x *grad.Variable) *grad.Variable { return x.ReLU() }
func (r *ReLU) String() string                        { return Format(r) }

// LeakyReLU applies x for x > 0 and NegativeSlope·x otherwise
// (torch.nn.LeakyReLU).
type LeakyReLU struct {
	Module
	NegativeSlope float64
}

// NewLeakyReLU returns a LeakyReLU with slope 0.01. Options:
// NegativeSlope.
func NewLeakyReLU(opts ...Option) *LeakyReLU {
	c := applyOptions("NewLeakyReLU", opts, "NegativeSlope")
	return &LeakyReLU{NegativeSlope: c.slope}
}

// Forward applies the leaky rectifier.
func (l *LeakyReLU) Forward(x *grad.Variable) *grad.Variable { return x.LeakyReLU(l.NegativeSlope) }

// ExtraRepr is "negative_slope=0.01".
func (l *LeakyReLU) ExtraRepr() string { return "negative_slope=" + pyFloat(l.NegativeSlope) }
func (l *LeakyReLU) String() string    { return Format(l) }

// Sigmoid applies 1/(1+e⁻ˣ) (torch.nn.Sigmoid).
type Sigmoid struct{ Module }

// NewSigmoid returns a Sigmoid.
func NewSigmoid() *Sigmoid { return &Sigmoid{} }

// Forward applies the logistic function.
func (*Sigmoid) Forward(x *grad.Variable) *grad.Variable { return x.Sigmoid() }
func (s *Sigmoid) String() string                        { return Format(s) }

// Tanh applies the hyperbolic tangent (torch.nn.Tanh).
type Tanh struct{ Module }

// NewTanh returns a Tanh.
func NewTanh() *Tanh { return &Tanh{} }

// Forward applies tanh.
func (*Tanh) Forward(x *grad.Variable) *grad.Variable { return x.Tanh() }
func (t *Tanh) String() string                        { return Format(t) }

// GELU applies x·Φ(x) (torch.nn.GELU): the exact erf form by default,
// the tanh approximation with Approximate("tanh").
type GELU struct {
	Module
	Approximate string // "none" or "tanh"
}

// NewGELU returns a GELU. Options: Approximate.
func NewGELU(opts ...Option) *GELU {
	c := applyOptions("NewGELU", opts, "Approximate")
	if c.approximate != "none" && c.approximate != "tanh" {
		panic(misuse("NewGELU", "approximate must be \"none\" or \"tanh\", got "+strconv.Quote(c.approximate)))
	}
	return &GELU{Approximate: c.approximate}
}

// Forward applies GELU.
func (g *GELU) Forward(x *grad.Variable) *grad.Variable {
	if g.Approximate != "tanh" {
		return x.GELU()
	}
	// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
	inner := x.Add(x.Pow(3).MulScalar(0.044715)).MulScalar(math.Sqrt(2 / math.Pi))
	return x.Mul(inner.Tanh().AddScalar(1)).MulScalar(0.5)
}

// ExtraRepr is "approximate='none'".
func (g *GELU) ExtraRepr() string { return "approximate='" + g.Approximate + "'" }
func (g *GELU) String() string    { return Format(g) }

// Softmax applies exp(x)/Σexp(x) along Dim (torch.nn.Softmax).
type Softmax struct {
	Module
	Dim int
}

// NewSoftmax returns a Softmax over dim.
func NewSoftmax(dim int) *Softmax { return &Softmax{Dim: dim} }

// Forward applies the softmax along Dim.
func (s *Softmax) Forward(x *grad.Variable) *grad.Variable { return x.Softmax(s.Dim) }

// ExtraRepr is "dim=1".
func (s *Softmax) ExtraRepr() string { return "dim=" + strconv.Itoa(s.Dim) }
func (s *Softmax) String() string    { return Format(s) }

// LogSoftmax applies log(softmax(x)) along Dim, computed stably
// (torch.nn.LogSoftmax).
type LogSoftmax struct {
	Module
	Dim int
}

// NewLogSoftmax returns a LogSoftmax over dim.
func NewLogSoftmax(dim int) *LogSoftmax { return &LogSoftmax{Dim: dim} }

// Forward applies the log-softmax along Dim.
func (s *LogSoftmax) Forward(x *grad.Variable) *grad.Variable { return x.LogSoftmax(s.Dim) }

// ExtraRepr is "dim=1".
func (s *LogSoftmax) ExtraRepr() string { return "dim=" + strconv.Itoa(s.Dim) }
func (s *LogSoftmax) String() string    { return Format(s) }

// Identity returns its input (torch.nn.Identity).
type Identity struct{ Module }

// NewIdentity returns an Identity.
func NewIdentity() *Identity { return &Identity{} }

// Forward returns x.
func (*Identity) Forward(x *grad.Variable) *grad.Variable { return x }
func (i *Identity) String() string                        { return Format(i) }

// Flatten merges dimensions StartDim..EndDim into one (torch.nn.Flatten;
// by default all but the batch dimension).
type Flatten struct {
	Module
	StartDim, EndDim int
}

// NewFlatten returns a Flatten of dimensions 1..-1. Options: StartDim,
// EndDim.
func NewFlatten(opts ...Option) *Flatten {
	c := applyOptions("NewFlatten", opts, "StartDim", "EndDim")
	return &Flatten{StartDim: c.startDim, EndDim: c.endDim}
}

// Forward flattens x.
func (f *Flatten) Forward(x *grad.Variable) *grad.Variable { return x.Flatten(f.StartDim, f.EndDim) }

// ExtraRepr is "start_dim=1, end_dim=-1".
func (f *Flatten) ExtraRepr() string {
	return "start_dim=" + strconv.Itoa(f.StartDim) + ", end_dim=" + strconv.Itoa(f.EndDim)
}
func (f *Flatten) String() string { return Format(f) }

// Dropout zeroes each element with probability P during training and
// scales the others by 1/(1-P) (torch.nn.Dropout); in evaluation mode
// (Eval) it returns its input.
type Dropout struct {
	Module
	P   float64
	gen *tensor.Generator
}

// NewDropout returns a Dropout with probability p (PyTorch's default is
// 0.5). Options: WithGenerator (for the masks; the default generator
// otherwise).
func NewDropout(p float64, opts ...Option) *Dropout {
	c := applyOptions("NewDropout", opts, "WithGenerator")
	if !(p >= 0 && p <= 1) {
		panic(misuse("NewDropout", "dropout probability has to be between 0 and 1, but got "+pyFloat(p)))
	}
	return &Dropout{P: p, gen: c.gen}
}

// Forward drops elements of x in training mode and returns x in
// evaluation mode. The mask is a constant: the gradient is masked and
// scaled the same way.
func (d *Dropout) Forward(x *grad.Variable) *grad.Variable {
	if !d.Training() || d.P == 0 {
		return x
	}
	var mask *tensor.Tensor
	if d.P == 1 {
		mask = x.DType().Zeros(x.Shape()...)
	} else {
		mask = x.DType().Rand(d.gen, x.Shape()...).LtScalar(1 - d.P).MulScalar(1 / (1 - d.P))
	}
	return x.Mul(grad.New(mask))
}

// ExtraRepr is "p=0.5, inplace=False".
func (d *Dropout) ExtraRepr() string { return "p=" + pyFloat(d.P) + ", inplace=False" }
func (d *Dropout) String() string    { return Format(d) }

// SiLU applies x·sigmoid(x) (torch.nn.SiLU).
type SiLU struct{ Module }

// NewSiLU returns a SiLU.
func NewSiLU() *SiLU { return &SiLU{} }

// Forward applies x·sigmoid(x).
func (s *SiLU) Forward(x *grad.Variable) *grad.Variable { return x.SiLU() }
func (s *SiLU) String() string                          { return Format(s) }

// ELU applies x for x > 0 and Alpha·(exp(x) - 1) elsewhere (torch.nn.ELU).
type ELU struct {
	Module
	Alpha float64
}

// NewELU returns an ELU. Options: Alpha (default 1).
func NewELU(opts ...Option) *ELU {
	c := applyOptions("NewELU", opts, "Alpha")
	return &ELU{Alpha: c.alpha}
}

// Forward applies ELU.
func (e *ELU) Forward(x *grad.Variable) *grad.Variable { return x.ELU(e.Alpha) }

// ExtraRepr is "alpha=1.0".
func (e *ELU) ExtraRepr() string { return "alpha=" + pyFloat(e.Alpha) }
func (e *ELU) String() string    { return Format(e) }

// Softplus applies log(1 + exp(Beta·x))/Beta, and x where Beta·x >
// Threshold (torch.nn.Softplus).
type Softplus struct {
	Module
	Beta, Threshold float64
}

// NewSoftplus returns a Softplus. Options: Beta (default 1), Threshold
// (default 20).
func NewSoftplus(opts ...Option) *Softplus {
	c := applyOptions("NewSoftplus", opts, "Beta", "Threshold")
	return &Softplus{Beta: c.beta, Threshold: c.threshold}
}

// Forward applies Softplus.
func (s *Softplus) Forward(x *grad.Variable) *grad.Variable { return x.Softplus(s.Beta, s.Threshold) }

// ExtraRepr is "beta=1, threshold=20" (PyTorch's defaults are ints, so
// whole values print without a fraction).
func (s *Softplus) ExtraRepr() string {
	return "beta=" + strconv.FormatFloat(s.Beta, 'g', -1, 64) + ", threshold=" + strconv.FormatFloat(s.Threshold, 'g', -1, 64)
}
func (s *Softplus) String() string { return Format(s) }
