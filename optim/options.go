package optim

import (
	"strings"
)

// Option sets a hyperparameter of an optimizer, a parameter group or a
// scheduler where PyTorch's default is not Go's zero value:
//
//	optim.NewAdam(ps, optim.LR(1e-3), optim.Betas(0.9, 0.99))
//	opt.AddParamGroup(head, optim.LR(1e-2))
//	optim.NewStepLR(opt, 30, optim.Gamma(0.5))
//
// Each constructor documents the options it takes; passing one that does
// not apply (Nesterov to NewAdam, say) panics with an *Error.
type Option struct {
	name string
	fn   func(*config)
}

type config struct {
	group       ParamGroup
	gamma       float64
	lastEpoch   int
	etaMin      float64
	startFactor float64
	endFactor   float64
	totalIters  int
	keepGrad    bool
}

// LR sets the learning rate (lr).
func LR(lr float64) Option { return Option{"LR", func(c *config) { c.group.LR = lr }} }

// Momentum sets SGD's momentum factor (default 0).
func Momentum(m float64) Option { return Option{"Momentum", func(c *config) { c.group.Momentum = m }} }

// Dampening sets SGD's dampening for momentum (default 0).
func Dampening(d float64) Option {
	return Option{"Dampening", func(c *config) { c.group.Dampening = d }}
}

// Nesterov enables Nesterov momentum (nesterov=True); it needs a positive
// momentum and zero dampening.
func Nesterov() Option { return Option{"Nesterov", func(c *config) { c.group.Nesterov = true }} }

// WeightDecay sets the weight decay: an L2 penalty for SGD and Adam
// (default 0), decoupled for AdamW (default 0.01).
func WeightDecay(wd float64) Option {
	return Option{"WeightDecay", func(c *config) { c.group.WeightDecay = wd }}
}

// Betas sets Adam's coefficients for the running averages of the gradient
// and its square (default 0.9, 0.999).
func Betas(beta1, beta2 float64) Option {
	return Option{"Betas", func(c *config) { c.group.Beta1, c.group.Beta2 = beta1, beta2 }}
}

// Eps sets Adam's term added to the denominator (default 1e-8).
func Eps(eps float64) Option { return Option{"Eps", func(c *config) { c.group.Eps = eps }} }

// AMSGrad enables the AMSGrad variant (amsgrad=True).
func AMSGrad() Option { return Option{"AMSGrad", func(c *config) { c.group.AMSGrad = true }} }

// Gamma sets StepLR's and MultiStepLR's decay factor (default 0.1).
func Gamma(g float64) Option { return Option{"Gamma", func(c *config) { c.gamma = g }} }

// StartFactor sets LinearLR's factor for the first epoch (default 1/3).
func StartFactor(f float64) Option {
	return Option{"StartFactor", func(c *config) { c.startFactor = f }}
}

// EndFactor sets LinearLR's factor from TotalIters on (default 1).
func EndFactor(f float64) Option { return Option{"EndFactor", func(c *config) { c.endFactor = f }} }

// TotalIters sets the number of epochs LinearLR takes from StartFactor to
// EndFactor (default 5).
func TotalIters(n int) Option { return Option{"TotalIters", func(c *config) { c.totalIters = n }} }

// EtaMin sets CosineAnnealingLR's minimum learning rate (default 0).
func EtaMin(e float64) Option { return Option{"EtaMin", func(c *config) { c.etaMin = e }} }

// LastEpoch sets a scheduler's last_epoch (default -1, a fresh start).
// Resuming with n >= 0 needs each group's InitialLR, which the first
// scheduler on the optimizer set (and the optimizer's state dict keeps).
func LastEpoch(n int) Option { return Option{"LastEpoch", func(c *config) { c.lastEpoch = n }} }

// applyOptions applies opts to c after checking each is allowed for op.
func applyOptions(op string, c config, opts []Option, allowed ...string) config {
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

// SetToNone chooses how ZeroGrad clears gradients, as zero_grad's
// set_to_none: true (the default, PyTorch's since 2.0) drops them;
// false zeroes them in place and keeps their tensors (PyTorch 1.13's
// default), so the backward passes write into the same memory and a
// training loop allocates no gradients after its first step. Parameters
// then always have a gradient, zeros when a pass did not reach them, and
// Step updates them as PyTorch does. For ZeroGrad.
func SetToNone(b bool) Option { return Option{"SetToNone", func(c *config) { c.keepGrad = !b }} }
