package optim

import (
	"fmt"
	"iter"

	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// Adagrad is the Adagrad optimizer (torch.optim.Adagrad, dense gradients),
// with learning-rate decay and weight decay. Each parameter's update is
// one fused pass (kernels.AdagradStep). Its state per parameter is step
// and sum, the running sum of squared gradients, which starts at the
// group's InitialAccumulatorValue when the parameter takes its first step
// (PyTorch makes it in the constructor, so its state dict lists every
// parameter from the start).
type Adagrad struct{ base }

var adagradOptions = []string{"LR", "LRDecay", "WeightDecay", "InitialAccumulatorValue", "Eps"}

// NewAdagrad returns an Adagrad optimizer over params as its first group.
// Options (PyTorch's defaults): LR (1e-2), LRDecay (0), WeightDecay (0),
// InitialAccumulatorValue (0), Eps (1e-10). An empty params gives
// ErrEmptyParams; a negative or NaN setting panics, with PyTorch's
// message.
func NewAdagrad(params iter.Seq[*nn.Parameter], opts ...Option) (*Adagrad, error) {
	o := &Adagrad{base{
		kind:     "Adagrad",
		allowed:  adagradOptions,
		stateKey: []string{"sum"},
		hasStep:  true,
		invalid: func(g *ParamGroup) string {
			switch {
			case invalidCommon(g) != "":
				return invalidCommon(g)
			case !(g.LRDecay >= 0):
				return fmt.Sprintf("Invalid lr_decay value: %v", g.LRDecay)
			case !(g.InitialAccumulatorValue >= 0):
				return fmt.Sprintf("Invalid initial_accumulator_value value: %v", g.InitialAccumulatorValue)
			case !(g.Eps >= 0):
				return fmt.Sprintf("Invalid epsilon value: %v", g.Eps)
			}
			return ""
		},
	}}
	def := config{group: ParamGroup{LR: 1e-2, Eps: 1e-10}}
	if err := o.start("NewAdagrad", def, opts, params); err != nil {
		return nil, err
	}
	return o, nil
}

// AddParamGroup adds a group of parameters (add_param_group): opts
// override the constructor's settings for this group only. It returns
// ErrEmptyParams for an empty list and ErrDuplicateParams for a
// parameter already in a group.
func (o *Adagrad) AddParamGroup(params iter.Seq[*nn.Parameter], opts ...Option) error {
	return o.add("Adagrad.AddParamGroup", params, opts)
}

// Step updates every parameter with a gradient.
func (o *Adagrad) Step() {
	for _, g := range o.groups {
		h := kernels.AdagradParams{LR: g.LR, LRDecay: g.LRDecay, WeightDecay: g.WeightDecay, Eps: g.Eps}
		for _, p := range g.Params {
			v, gr, ok := operands("Adagrad.Step", p)
			if !ok {
				continue
			}
			s, fresh := o.stateFor(p, 1)
			if fresh && g.InitialAccumulatorValue != 0 {
				s.bufs[0].Fill(g.InitialAccumulatorValue)
			}
			s.step++
			h.Step = s.step
			switch v.DType() {
			case tensor.Float32:
				kernels.AdagradStep(data32(v), data32(gr), data32(s.bufs[0]), h)
			case tensor.Float64:
				kernels.AdagradStep(data64(v), data64(gr), data64(s.bufs[0]), h)
			}
		}
	}
}
