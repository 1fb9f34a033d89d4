package optim

import (
	"fmt"
	"iter"

	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// Adam is the Adam optimizer (torch.optim.Adam), with L2 weight decay and
// the AMSGrad variant; AdamW is the same type with decoupled weight decay
// (torch.optim.AdamW). Each parameter's update is one fused pass
// (kernels.AdamStep).
type Adam struct {
	base
	decoupled bool
}

var adamOptions = []string{"LR", "Betas", "Eps", "WeightDecay", "AMSGrad"}

func newAdam(op, kind string, decoupled bool, wd float64, params iter.Seq[*nn.Parameter], opts []Option) (*Adam, error) {
	o := &Adam{base: base{
		kind:     kind,
		allowed:  adamOptions,
		stateKey: []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
		hasStep:  true,
		invalid: func(g *ParamGroup) string {
			switch {
			case invalidCommon(g) != "":
				return invalidCommon(g)
			case !(g.Eps >= 0):
				return fmt.Sprintf("Invalid epsilon value: %v", g.Eps)
			case !(g.Beta1 >= 0 && g.Beta1 < 1):
				return fmt.Sprintf("Invalid beta parameter at index 0: %v", g.Beta1)
			case !(g.Beta2 >= 0 && g.Beta2 < 1):
				return fmt.Sprintf("Invalid beta parameter at index 1: %v", g.Beta2)
			}
			return ""
		},
	}, decoupled: decoupled}
	def := config{group: ParamGroup{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: wd}}
	if err := o.start(op, def, opts, params); err != nil {
		return nil, err
	}
	return o, nil
}

// NewAdam returns an Adam optimizer over params as its first group.
// Options (PyTorch's defaults): LR (1e-3), Betas (0.9, 0.999), Eps
// (1e-8), WeightDecay (0, an L2 term added to the gradient), AMSGrad.
// An empty params gives ErrEmptyParams; an invalid setting panics.
func NewAdam(params iter.Seq[*nn.Parameter], opts ...Option) (*Adam, error) {
	return newAdam("NewAdam", "Adam", false, 0, params, opts)
}

// NewAdamW returns an AdamW optimizer (decoupled weight decay: each step
// first multiplies the parameter by 1 - lr·weight_decay). Options as
// NewAdam, but WeightDecay defaults to 0.01.
func NewAdamW(params iter.Seq[*nn.Parameter], opts ...Option) (*Adam, error) {
	return newAdam("NewAdamW", "AdamW", true, 0.01, params, opts)
}

// AddParamGroup adds a group of parameters (add_param_group): opts
// override the constructor's settings for this group only. It returns
// ErrEmptyParams for an empty list and ErrDuplicateParams for a
// parameter already in a group.
func (o *Adam) AddParamGroup(params iter.Seq[*nn.Parameter], opts ...Option) error {
	return o.add(o.kind+".AddParamGroup", params, opts)
}

// Step updates every parameter with a gradient.
func (o *Adam) Step() {
	op := o.kind + ".Step"
	for _, g := range o.groups {
		h := kernels.AdamParams{LR: g.LR, Beta1: g.Beta1, Beta2: g.Beta2, Eps: g.Eps,
			WeightDecay: g.WeightDecay, Decoupled: o.decoupled, AMSGrad: g.AMSGrad}
		for _, p := range g.Params {
			v, gr, ok := operands(op, p)
			if !ok {
				continue
			}
			s, _ := o.stateFor(p, 2)
			if g.AMSGrad && s.bufs[2] == nil {
				s.bufs[2] = v.DType().Zeros(v.Shape()...)
			}
			s.step++
			h.Step = s.step
			switch v.DType() {
			case tensor.Float32:
				kernels.AdamStep(data32(v), data32(gr), data32(s.bufs[0]), data32(s.bufs[1]), data32(s.bufs[2]), h)
			case tensor.Float64:
				kernels.AdamStep(data64(v), data64(gr), data64(s.bufs[0]), data64(s.bufs[1]), data64(s.bufs[2]), h)
			}
		}
	}
}
