package optim

import (
	"fmt"
	"iter"
	"math"
	"strconv"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// Optimizer updates parameters from their gradients (torch.optim.Optimizer).
type Optimizer interface {
	// Step updates every parameter that has a gradient; parameters whose
	// Grad is nil are skipped, as in PyTorch.
	Step()
	// ZeroGrad drops every parameter's gradient (zero_grad with
	// set_to_none=True), or with SetToNone(false) zeroes it in place.
	ZeroGrad(opts ...Option)
	// ParamGroups returns the groups (shared, not copied): changing a
	// group's LR or other field takes effect at the next Step, which is
	// how schedulers work.
	ParamGroups() []*ParamGroup
	// StateDict returns the optimizer's state and hyperparameters.
	StateDict() *nn.TensorDict
	// LoadStateDict restores a StateDict of an optimizer of the same kind
	// over parameters of the same shapes, grouped the same way.
	LoadStateDict(sd *nn.TensorDict) error
}

// ParamGroup is a list of parameters with their own hyperparameters (an
// entry of PyTorch's param_groups). Each optimizer reads the fields it
// documents; the others stay zero.
type ParamGroup struct {
	Params []*nn.Parameter

	LR          float64
	WeightDecay float64

	// SGD.
	Momentum  float64
	Dampening float64
	Nesterov  bool

	// Adam and AdamW (Eps also RMSprop's and Adagrad's).
	Beta1, Beta2 float64
	Eps          float64
	AMSGrad      bool

	// RMSprop (with Momentum, Eps).
	Alpha    float64
	Centered bool

	// Adagrad (with Eps).
	LRDecay                 float64
	InitialAccumulatorValue float64

	// InitialLR is the learning rate a scheduler started from
	// (initial_lr), set by the first scheduler made for the optimizer;
	// 0 until then.
	InitialLR float64
}

// paramState is the per-parameter state: SGD uses bufs[0] (the momentum
// buffer), Adam exp_avg, exp_avg_sq and max_exp_avg_sq.
type paramState struct {
	step int64
	bufs [3]*tensor.Tensor
}

// base holds what every optimizer shares: groups, defaults and state.
type base struct {
	kind     string   // "SGD", "Adam", "AdamW"
	allowed  []string // option names of the constructor
	stateKey []string // names of bufs in the state dict
	hasStep  bool
	defaults config
	groups   []*ParamGroup
	state    map[*nn.Parameter]*paramState
	// invalid says what is wrong with a group's settings ("" when
	// nothing): the constructors panic with it, LoadStateDict reports it.
	invalid func(g *ParamGroup) string
}

// start sets the defaults from def and opts (checked against allowed)
// and adds params as the first group: the shared part of every
// constructor.
func (b *base) start(op string, def config, opts []Option, params iter.Seq[*nn.Parameter]) error {
	b.state = map[*nn.Parameter]*paramState{}
	b.defaults = applyOptions(op, def, opts, b.allowed...)
	return b.add(op, params, nil)
}

// add validates and appends a group built from params and opts.
func (b *base) add(op string, params iter.Seq[*nn.Parameter], opts []Option) error {
	c := applyOptions(op, b.defaults, opts, b.allowed...)
	g := c.group
	g.Params = nil
	g.InitialLR = 0
	if msg := b.invalid(&g); msg != "" {
		panic(misuse(op, msg))
	}
	seen := map[*nn.Parameter]bool{}
	for _, og := range b.groups {
		for _, p := range og.Params {
			seen[p] = true
		}
	}
	if params != nil {
		for p := range params {
			if p == nil || p.Variable == nil {
				panic(misuse(op, "nil parameter"))
			}
			if seen[p] {
				return ErrDuplicateParams
			}
			seen[p] = true
			g.Params = append(g.Params, p)
		}
	}
	if len(g.Params) == 0 {
		return ErrEmptyParams
	}
	b.groups = append(b.groups, &g)
	return nil
}

// invalidCommon checks the settings every optimizer has (PyTorch's
// messages).
func invalidCommon(g *ParamGroup) string {
	if g.LR < 0 || math.IsNaN(g.LR) {
		return fmt.Sprintf("Invalid learning rate: %v", g.LR)
	}
	if g.WeightDecay < 0 || math.IsNaN(g.WeightDecay) {
		return fmt.Sprintf("Invalid weight_decay value: %v", g.WeightDecay)
	}
	return ""
}

// needs reports whether a parameter's state must hold buffer j under
// group g's settings, for an optimizer that counts steps.
func (b *base) needs(g *ParamGroup, j int) bool {
	switch b.kind {
	case "RMSprop":
		return j == 0 || (j == 1 && g.Momentum > 0) || (j == 2 && g.Centered)
	case "Adagrad":
		return j == 0
	}
	return j < 2 || g.AMSGrad // Adam, AdamW
}

// ParamGroups returns the parameter groups (shared).
func (b *base) ParamGroups() []*ParamGroup { return b.groups }

// ZeroGrad drops the gradient of every parameter.
func (b *base) ZeroGrad(opts ...Option) {
	c := applyOptions("ZeroGrad", config{}, opts, "SetToNone")
	for _, g := range b.groups {
		for _, p := range g.Params {
			if c.keepGrad {
				p.ZeroGradInPlace()
			} else {
				p.ZeroGrad()
			}
		}
	}
}

// stateFor returns p's state, creating it with n zeroed buffers of p's
// dtype and shape; fresh reports whether it was just made.
func (b *base) stateFor(p *nn.Parameter, n int) (s *paramState, fresh bool) {
	s = b.state[p]
	if s != nil {
		return s, false
	}
	s = &paramState{}
	v := p.Value()
	for i := range n {
		s.bufs[i] = v.DType().Zeros(v.Shape()...)
	}
	b.state[p] = s
	return s, true
}

// operands returns the parameter's value and gradient as contiguous
// tensors of the same dtype, or ok false when it has no gradient.
func operands(op string, p *nn.Parameter) (v, g *tensor.Tensor, ok bool) {
	g = p.Grad()
	if g == nil {
		return nil, nil, false
	}
	v = p.Value()
	if !v.IsContiguous() {
		panic(misuse(op, "parameter of shape "+fmt.Sprint(v.Shape())+" is not contiguous"))
	}
	if g.DType() != v.DType() {
		panic(misuse(op, "gradient dtype "+g.DType().String()+" differs from parameter dtype "+v.DType().String()))
	}
	if !g.IsContiguous() {
		g = g.Contiguous()
	}
	return v, g, true
}

func data32(t *tensor.Tensor) []float32 {
	if t == nil {
		return nil
	}
	return tensor.Data[float32](t)
}

func data64(t *tensor.Tensor) []float64 {
	if t == nil {
		return nil
	}
	return tensor.Data[float64](t)
}

// hyper lists a group's hyperparameters by state-dict name.
func (b *base) hyper(g *ParamGroup) []struct {
	name string
	p    *float64
} {
	type h = struct {
		name string
		p    *float64
	}
	hs := []h{{"lr", &g.LR}, {"weight_decay", &g.WeightDecay}, {"initial_lr", &g.InitialLR}}
	switch b.kind {
	case "SGD":
		hs = append(hs, h{"momentum", &g.Momentum}, h{"dampening", &g.Dampening})
	case "RMSprop":
		hs = append(hs, h{"alpha", &g.Alpha}, h{"eps", &g.Eps}, h{"momentum", &g.Momentum})
	case "Adagrad":
		hs = append(hs, h{"lr_decay", &g.LRDecay}, h{"eps", &g.Eps}, h{"initial_accumulator_value", &g.InitialAccumulatorValue})
	default:
		hs = append(hs, h{"beta1", &g.Beta1}, h{"beta2", &g.Beta2}, h{"eps", &g.Eps})
	}
	return hs
}

func (b *base) flags(g *ParamGroup) []struct {
	name string
	p    *bool
} {
	type h = struct {
		name string
		p    *bool
	}
	switch b.kind {
	case "SGD":
		return []h{{"nesterov", &g.Nesterov}}
	case "RMSprop":
		return []h{{"centered", &g.Centered}}
	case "Adagrad":
		return nil
	}
	return []h{{"amsgrad", &g.AMSGrad}}
}

// StateDict returns the state as a TensorDict that nn.SaveSafetensors can
// write. Parameters are numbered across groups in order, as PyTorch
// numbers them; keys:
//
//	state.<i>.step, state.<i>.exp_avg, ...      (per parameter with state)
//	param_groups.<g>.params                     (the indices, float64)
//	param_groups.<g>.lr, .weight_decay, ...     (float64 scalars)
//
// Metadata["optimizer"] names the optimizer kind. The tensors are copies.
func (b *base) StateDict() *nn.TensorDict {
	sd := nn.NewTensorDict()
	sd.Metadata = map[string]string{"optimizer": b.kind}
	idx := 0
	for _, g := range b.groups {
		for _, p := range g.Params {
			if s := b.state[p]; s != nil {
				pre := "state." + strconv.Itoa(idx) + "."
				if b.hasStep {
					sd.Set(pre+"step", tensor.Scalar(float64(s.step)))
				}
				for i, name := range b.stateKey {
					if s.bufs[i] != nil {
						sd.Set(pre+name, s.bufs[i].Clone())
					}
				}
			}
			idx++
		}
	}
	idx = 0
	for gi, g := range b.groups {
		pre := "param_groups." + strconv.Itoa(gi) + "."
		ids := make([]float64, len(g.Params))
		for i := range ids {
			ids[i] = float64(idx)
			idx++
		}
		sd.Set(pre+"params", tensor.New(ids, len(ids)))
		for _, h := range b.hyper(g) {
			sd.Set(pre+h.name, tensor.Scalar(*h.p))
		}
		for _, f := range b.flags(g) {
			v := 0.0
			if *f.p {
				v = 1
			}
			sd.Set(pre+f.name, tensor.Scalar(v))
		}
	}
	return sd
}

// LoadStateDict restores a StateDict. The optimizer must be of the same
// kind with groups of the same sizes over parameters of the same shapes;
// otherwise a *LoadError lists every problem and nothing is changed.
// Hyperparameters are restored from the state dict (as PyTorch does);
// state tensors are copied and converted to each parameter's dtype.
func (b *base) LoadStateDict(sd *nn.TensorDict) error {
	l := newStateLoader(sd, "optimizer", b.kind)
	// The groups' settings are loaded into copies, checked, and copied
	// back only when nothing is wrong.
	groups := make([]ParamGroup, len(b.groups))
	var params []*nn.Parameter
	for gi, g := range b.groups {
		groups[gi] = *g
		ng := &groups[gi]
		pre := "param_groups." + strconv.Itoa(gi) + "."
		if t := l.get(pre+"params", len(g.Params)); t != nil {
			for i, v := range t.Float64s() {
				if v != float64(len(params)+i) {
					l.bad("%sparams: parameter %d has index %v, want %d", pre, i, v, len(params)+i)
					break
				}
			}
		}
		for _, h := range b.hyper(ng) {
			if t := l.get(pre + h.name); t != nil {
				*h.p = t.Item()
			}
		}
		for _, f := range b.flags(ng) {
			if t := l.get(pre + f.name); t != nil {
				*f.p = t.Item() != 0
			}
		}
		if msg := b.invalid(ng); msg != "" {
			l.bad("param_groups.%d: %s", gi, msg)
		}
		params = append(params, g.Params...)
	}
	newState := map[*nn.Parameter]*paramState{}
	pi := 0
	for gi := range groups {
		for _, p := range groups[gi].Params {
			pre := "state." + strconv.Itoa(pi) + "."
			pi++
			var s paramState
			have := false
			if b.hasStep && l.has(pre+"step") {
				if t := l.get(pre + "step"); t != nil {
					// A count of steps taken.
					if v := t.Item(); l.whole(pre+"step", v, 0) {
						s.step = int64(v)
					}
					have = true
				}
			}
			for j, name := range b.stateKey {
				if !l.has(pre + name) {
					continue
				}
				if t := l.get(pre+name, p.Value().Shape()...); t != nil {
					s.bufs[j] = t.To(p.Value().DType()).Clone()
					have = true
				}
			}
			if have {
				if b.hasStep {
					// The state of an optimizer that counts steps is all
					// or nothing, for the settings being loaded (Adam's
					// max_exp_avg_sq with AMSGrad, RMSprop's
					// momentum_buffer and grad_avg with momentum and
					// centered).
					for j, name := range b.stateKey {
						if !l.has(pre+name) && b.needs(&groups[gi], j) {
							l.bad("missing key %q", pre+name)
						}
					}
				}
				newState[p] = &s
			}
		}
	}
	if err := l.err(); err != nil {
		return err
	}
	for gi, g := range b.groups {
		*g = groups[gi]
	}
	b.state = newState
	return nil
}
