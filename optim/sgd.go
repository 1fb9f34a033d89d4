package optim

import (
	"fmt"
	"iter"
	"math"

	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and weight decay (torch.optim.SGD), the update of each
// parameter one fused pass (kernels.SGDStep).
type SGD struct{ base }

var sgdOptions = []string{"LR", "Momentum", "Dampening", "Nesterov", "WeightDecay"}

// NewSGD returns an SGD optimizer over params (nn.Parameters(model), or
// slices.Values of a list) as its first group. Options: LR (default
// 0.001, as in PyTorch 2; 1.13 requires it), Momentum, Dampening, Nesterov,
// WeightDecay. An empty params gives ErrEmptyParams; an invalid setting
// (negative LR, Nesterov without momentum or with dampening) panics.
func NewSGD(params iter.Seq[*nn.Parameter], opts ...Option) (*SGD, error) {
	o := &SGD{base{
		kind:     "SGD",
		allowed:  sgdOptions,
		stateKey: []string{"momentum_buffer"},
		invalid: func(g *ParamGroup) string {
			switch {
			case invalidCommon(g) != "":
				return invalidCommon(g)
			case !(g.Momentum >= 0):
				return fmt.Sprintf("Invalid momentum value: %v", g.Momentum)
			case math.IsNaN(g.Dampening):
				return fmt.Sprintf("Invalid dampening value: %v", g.Dampening)
			case g.Nesterov && (g.Momentum <= 0 || g.Dampening != 0):
				return "Nesterov momentum requires a momentum and zero dampening"
			}
			return ""
		},
	}}
	if err := o.start("NewSGD", config{group: ParamGroup{LR: 1e-3}}, opts, params); err != nil {
		return nil, err
	}
	return o, nil
}

// AddParamGroup adds a group of parameters (add_param_group): opts
// override the settings given to NewSGD for this group only. It returns
// ErrEmptyParams for an empty list and ErrDuplicateParams for a
// parameter already in a group.
func (o *SGD) AddParamGroup(params iter.Seq[*nn.Parameter], opts ...Option) error {
	return o.add("SGD.AddParamGroup", params, opts)
}

// Step updates every parameter with a gradient.
func (o *SGD) Step() {
	for _, g := range o.groups {
		h := kernels.SGDParams{LR: g.LR, Momentum: g.Momentum, Dampening: g.Dampening,
			WeightDecay: g.WeightDecay, Nesterov: g.Nesterov}
		for _, p := range g.Params {
			v, gr, ok := operands("SGD.Step", p)
			if !ok {
				continue
			}
			var buf *tensor.Tensor
			h.Init = false
			if g.Momentum != 0 {
				s, fresh := o.stateFor(p, 1)
				if fresh {
					h.Init = true
				}
				buf = s.bufs[0]
			}
			switch v.DType() {
			case tensor.Float32:
				kernels.SGDStep(data32(v), data32(gr), data32(buf), h)
			case tensor.Float64:
				kernels.SGDStep(data64(v), data64(gr), data64(buf), h)
			}
		}
	}
}
