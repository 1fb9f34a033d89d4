package optim

import (
	"fmt"
	"iter"

	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// RMSprop is the RMSprop optimizer (torch.optim.RMSprop), with weight
// decay, momentum and the centered variant. Each parameter's update is one
// fused pass (kernels.RMSpropStep). Its state per parameter is step,
// square_avg, and momentum_buffer (with momentum) and grad_avg (centered),
// made at the parameter's first step.
type RMSprop struct{ base }

var rmspropOptions = []string{"LR", "Alpha", "Eps", "WeightDecay", "Momentum", "Centered"}

// NewRMSprop returns an RMSprop optimizer over params as its first group.
// Options (PyTorch's defaults): LR (1e-2), Alpha (0.99), Eps (1e-8),
// WeightDecay (0), Momentum (0), Centered. An empty params gives
// ErrEmptyParams; a negative or NaN setting panics, with PyTorch's
// message.
func NewRMSprop(params iter.Seq[*nn.Parameter], opts ...Option) (*RMSprop, error) {
	o := &RMSprop{base{
		kind:     "RMSprop",
		allowed:  rmspropOptions,
		stateKey: []string{"square_avg", "momentum_buffer", "grad_avg"},
		hasStep:  true,
		invalid: func(g *ParamGroup) string {
			switch {
			case invalidCommon(g) != "":
				return invalidCommon(g)
			case !(g.Eps >= 0):
				return fmt.Sprintf("Invalid epsilon value: %v", g.Eps)
			case !(g.Momentum >= 0):
				return fmt.Sprintf("Invalid momentum value: %v", g.Momentum)
			case !(g.Alpha >= 0):
				return fmt.Sprintf("Invalid alpha value: %v", g.Alpha)
			}
			return ""
		},
	}}
	def := config{group: ParamGroup{LR: 1e-2, Alpha: 0.99, Eps: 1e-8}}
	if err := o.start("NewRMSprop", def, opts, params); err != nil {
		return nil, err
	}
	return o, nil
}

// AddParamGroup adds a group of parameters (add_param_group): opts
// override the constructor's settings for this group only. It returns
// ErrEmptyParams for an empty list and ErrDuplicateParams for a
// parameter already in a group.
func (o *RMSprop) AddParamGroup(params iter.Seq[*nn.Parameter], opts ...Option) error {
	return o.add("RMSprop.AddParamGroup", params, opts)
}

// Step updates every parameter with a gradient. A buffer that a changed
// setting needs (momentum turned on, centered set) starts at zero, where
// PyTorch 1.13 fails with a KeyError.
func (o *RMSprop) Step() {
	for _, g := range o.groups {
		h := kernels.RMSpropParams{LR: g.LR, Alpha: g.Alpha, Eps: g.Eps, WeightDecay: g.WeightDecay,
			Momentum: g.Momentum, Centered: g.Centered}
		for _, p := range g.Params {
			v, gr, ok := operands("RMSprop.Step", p)
			if !ok {
				continue
			}
			s, _ := o.stateFor(p, 1)
			if g.Momentum > 0 && s.bufs[1] == nil {
				s.bufs[1] = v.DType().Zeros(v.Shape()...)
			}
			if g.Centered && s.bufs[2] == nil {
				s.bufs[2] = v.DType().Zeros(v.Shape()...)
			}
			s.step++
			switch v.DType() {
			case tensor.Float32:
				kernels.RMSpropStep(data32(v), data32(gr), data32(s.bufs[0]), data32(s.bufs[2]), data32(s.bufs[1]), h)
			case tensor.Float64:
				kernels.RMSpropStep(data64(v), data64(gr), data64(s.bufs[0]), data64(s.bufs[2]), data64(s.bufs[1]), h)
			}
		}
	}
}
