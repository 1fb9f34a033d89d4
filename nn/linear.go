package nn

import (
	"math"
	"strconv"

	"github.com/simdtorch/simdtorch/grad"
)

// Linear applies y = x·Wᵀ + b (torch.nn.Linear). Weight is
// [out_features, in_features] and Bias [out_features] (nil with NoBias).
type Linear struct {
	Module
	InFeatures  int
	OutFeatures int
	Weight      *Parameter
	Bias        *Parameter
}

// NewLinear returns a Linear layer initialised as PyTorch's: the weight
// from kaiming_uniform with a = √5, which is U(-1/√in, 1/√in), and the
// bias from U(-1/√in, 1/√in). Options: NoBias, WithDType, WithGenerator.
func NewLinear(in, out int, opts ...Option) *Linear {
	c := applyOptions("NewLinear", opts, "NoBias", "WithDType", "WithGenerator")
	if in < 0 || out < 0 {
		panic(misuse("NewLinear", "negative size in_features="+strconv.Itoa(in)+", out_features="+strconv.Itoa(out)))
	}
	l := &Linear{InFeatures: in, OutFeatures: out}
	l.Weight = NewParameter(c.dtype.Empty(out, in))
	if !c.noBias {
		l.Bias = NewParameter(c.dtype.Empty(out))
	}
	l.ResetParameters(WithGenerator(c.gen))
	return l
}

// ResetParameters draws the weight and bias again with PyTorch's default
// initialisation (reset_parameters). Options: WithGenerator.
func (l *Linear) ResetParameters(opts ...Option) {
	c := applyOptions("Linear.ResetParameters", opts, "WithGenerator")
	KaimingUniform(l.Weight, A(math.Sqrt(5)), WithGenerator(c.gen))
	if l.Bias != nil {
		bound := 0.0
		if l.InFeatures > 0 {
			bound = 1 / math.Sqrt(float64(l.InFeatures))
		}
		Uniform(l.Bias, -bound, bound, WithGenerator(c.gen))
	}
}

// Forward returns x·Wᵀ + b for x of shape [..., in_features], as one
// fused op (grad.Linear: the bias is added in the GEMM's epilogue).
func (l *Linear) Forward(x *grad.Variable) *grad.Variable {
	if l.Bias == nil {
		return grad.Linear(x, l.Weight, nil) // never a typed-nil *Parameter
	}
	return grad.Linear(x, l.Weight, l.Bias)
}

// forwardReLU is Forward followed by ReLU (see grad.LinearReLU).
func (l *Linear) forwardReLU(x *grad.Variable) *grad.Variable {
	if l.Bias == nil {
		return grad.LinearReLU(x, l.Weight, nil)
	}
	return grad.LinearReLU(x, l.Weight, l.Bias)
}

// ExtraRepr is "in_features=4, out_features=8, bias=True".
func (l *Linear) ExtraRepr() string {
	return "in_features=" + strconv.Itoa(l.InFeatures) + ", out_features=" + strconv.Itoa(l.OutFeatures) + ", bias=" + pyBool(l.Bias != nil)
}

func (l *Linear) String() string { return Format(l) }
