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

	// CosineAnnealingWarmRestarts.
	tMult int
	// ReduceLROnPlateau.
	mode, thresholdMode string
	factor, threshold   float64
	power               float64 // PolynomialLR
	patience, cooldown  int
	minLRs              []float64
	// OneCycleLR.
	maxLRs                        []float64
	pctStart, divFactor, finalDiv float64
	anneal                        string
	noCycleMomentum, threePhase   bool
	baseMomentum, maxMomentum     float64
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

// Alpha sets RMSprop's smoothing constant (default 0.99).
func Alpha(a float64) Option { return Option{"Alpha", func(c *config) { c.group.Alpha = a }} }

// Centered makes RMSprop normalise by the gradient's estimated variance
// instead of its second moment (centered=True).
func Centered() Option { return Option{"Centered", func(c *config) { c.group.Centered = true }} }

// LRDecay sets Adagrad's learning-rate decay (default 0): the rate at step
// t is lr/(1+(t-1)·lr_decay).
func LRDecay(d float64) Option { return Option{"LRDecay", func(c *config) { c.group.LRDecay = d }} }

// InitialAccumulatorValue sets the value Adagrad's sum of squared
// gradients starts from (default 0).
func InitialAccumulatorValue(v float64) Option {
	return Option{"InitialAccumulatorValue", func(c *config) { c.group.InitialAccumulatorValue = v }}
}

// Gamma sets StepLR's and MultiStepLR's decay factor (default 0.1).
func Gamma(g float64) Option { return Option{"Gamma", func(c *config) { c.gamma = g }} }

// StartFactor sets LinearLR's factor for the first epoch (default 1/3).
func StartFactor(f float64) Option {
	return Option{"StartFactor", func(c *config) { c.startFactor = f }}
}

// EndFactor sets LinearLR's factor from TotalIters on (default 1).
func EndFactor(f float64) Option { return Option{"EndFactor", func(c *config) { c.endFactor = f }} }

// TotalIters sets the number of epochs LinearLR takes from StartFactor to
// EndFactor, ConstantLR keeps its Factor, and PolynomialLR takes to reach
// 0 (default 5 for each).
func TotalIters(n int) Option { return Option{"TotalIters", func(c *config) { c.totalIters = n }} }

// EtaMin sets CosineAnnealingLR's minimum learning rate (default 0).
func EtaMin(e float64) Option { return Option{"EtaMin", func(c *config) { c.etaMin = e }} }

// TMult sets CosineAnnealingWarmRestarts' factor by which each restart
// lengthens the period (T_mult, default 1).
func TMult(n int) Option { return Option{"TMult", func(c *config) { c.tMult = n }} }

// Mode sets whether ReduceLROnPlateau's metric should go down ("min", the
// default: a loss) or up ("max": an accuracy).
func Mode(m string) Option { return Option{"Mode", func(c *config) { c.mode = m }} }

// Factor sets ReduceLROnPlateau's rate multiplier on a plateau (default
// 0.1; must be < 1), or ConstantLR's multiplier until TotalIters
// (default 1/3).
func Factor(f float64) Option { return Option{"Factor", func(c *config) { c.factor = f }} }

// Patience sets how many epochs without improvement ReduceLROnPlateau
// waits before it lowers the rates (default 10).
func Patience(n int) Option { return Option{"Patience", func(c *config) { c.patience = n }} }

// Threshold sets the smallest change ReduceLROnPlateau counts as an
// improvement (default 1e-4), relative or absolute by ThresholdMode.
func Threshold(t float64) Option { return Option{"Threshold", func(c *config) { c.threshold = t }} }

// ThresholdMode sets how ReduceLROnPlateau applies Threshold: "rel" (the
// default: best·(1∓threshold)) or "abs" (best∓threshold).
func ThresholdMode(m string) Option {
	return Option{"ThresholdMode", func(c *config) { c.thresholdMode = m }}
}

// Power sets PolynomialLR's exponent (default 1: a straight line to 0).
func Power(p float64) Option { return Option{"Power", func(c *config) { c.power = p }} }

// Cooldown sets how many epochs ReduceLROnPlateau waits after lowering
// the rates before it counts bad epochs again (default 0).
func Cooldown(n int) Option { return Option{"Cooldown", func(c *config) { c.cooldown = n }} }

// MinLR sets ReduceLROnPlateau's lower bound on the rates (min_lr,
// default 0): one value for every group, or one per group.
func MinLR(lrs ...float64) Option {
	return Option{"MinLR", func(c *config) { c.minLRs = append([]float64(nil), lrs...) }}
}

// MaxLRs gives OneCycleLR one peak rate per parameter group, instead of
// the one its constructor takes for every group (max_lr as a list).
func MaxLRs(lrs ...float64) Option {
	return Option{"MaxLRs", func(c *config) { c.maxLRs = append([]float64(nil), lrs...) }}
}

// PctStart sets the fraction of OneCycleLR's steps spent raising the rate
// (default 0.3).
func PctStart(p float64) Option { return Option{"PctStart", func(c *config) { c.pctStart = p }} }

// AnnealStrategy sets how OneCycleLR moves between rates: "cos" (the
// default) or "linear".
func AnnealStrategy(s string) Option {
	return Option{"AnnealStrategy", func(c *config) { c.anneal = s }}
}

// CycleMomentum sets whether OneCycleLR cycles the momentum (SGD's
// momentum, Adam's beta1) inversely to the rate (default true).
func CycleMomentum(on bool) Option {
	return Option{"CycleMomentum", func(c *config) { c.noCycleMomentum = !on }}
}

// BaseMomentum sets OneCycleLR's lowest momentum, at the peak rate
// (default 0.85).
func BaseMomentum(m float64) Option {
	return Option{"BaseMomentum", func(c *config) { c.baseMomentum = m }}
}

// MaxMomentum sets OneCycleLR's highest momentum, at the start and the
// end (default 0.95).
func MaxMomentum(m float64) Option {
	return Option{"MaxMomentum", func(c *config) { c.maxMomentum = m }}
}

// DivFactor sets OneCycleLR's initial rate as max_lr/DivFactor (default
// 25).
func DivFactor(d float64) Option { return Option{"DivFactor", func(c *config) { c.divFactor = d }} }

// FinalDivFactor sets OneCycleLR's final rate as initial_lr/FinalDivFactor
// (default 1e4).
func FinalDivFactor(d float64) Option {
	return Option{"FinalDivFactor", func(c *config) { c.finalDiv = d }}
}

// ThreePhase makes OneCycleLR come back down to the initial rate
// symmetrically before annealing to the final one (three_phase=True).
func ThreePhase() Option { return Option{"ThreePhase", func(c *config) { c.threePhase = true }} }

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
