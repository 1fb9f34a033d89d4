package optim

import (
	"fmt"
	"math"
)

// Scheduler adjusts the learning rates of an optimizer's groups once per
// epoch (torch.optim.lr_scheduler). Call Step after the optimizer's
// epoch of steps. Schedulers are chainable: each computes the next rate
// from the group's current LR, so two schedulers on one optimizer
// compose, as in PyTorch.
type Scheduler interface {
	Step()
	LastEpoch() int    // last_epoch: 0 after construction, +1 per Step
	LastLR() []float64 // get_last_lr: the rates set by the last Step
}

// lrSched is the _LRScheduler machinery: base rates, last_epoch and the
// initial step made by the constructor.
type lrSched struct {
	opt       Optimizer
	baseLRs   []float64
	lastEpoch int
	stepCount int
	lastLR    []float64
	getLR     func() []float64
}

func (s *lrSched) init(op string, opt Optimizer, lastEpoch int, getLR func() []float64) {
	s.opt, s.lastEpoch, s.getLR = opt, lastEpoch, getLR
	for i, g := range opt.ParamGroups() {
		if lastEpoch == -1 {
			if g.InitialLR == 0 {
				g.InitialLR = g.LR
			}
		} else if g.InitialLR == 0 {
			panic(misuse(op, fmt.Sprintf("param 'initial_lr' is not specified in param_groups[%d] when resuming an optimizer", i)))
		}
		s.baseLRs = append(s.baseLRs, g.InitialLR)
	}
	s.Step()
}

// Step advances last_epoch by one and sets each group's LR.
func (s *lrSched) Step() {
	s.stepCount++
	s.lastEpoch++
	lrs := s.getLR()
	for i, g := range s.opt.ParamGroups() {
		g.LR = lrs[i]
	}
	s.lastLR = lrs
}

// LastEpoch returns last_epoch.
func (s *lrSched) LastEpoch() int { return s.lastEpoch }

// LastLR returns the learning rates set by the last Step (a copy).
func (s *lrSched) LastLR() []float64 { return append([]float64(nil), s.lastLR...) }

func (s *lrSched) groupLRs() []float64 {
	var lrs []float64
	for _, g := range s.opt.ParamGroups() {
		lrs = append(lrs, g.LR)
	}
	return lrs
}

// StepLR multiplies each group's learning rate by Gamma every stepSize
// epochs (torch.optim.lr_scheduler.StepLR).
type StepLR struct {
	lrSched
	stepSize int
	gamma    float64
}

// NewStepLR returns a StepLR over opt. Options: Gamma (default 0.1),
// LastEpoch (default -1). Like PyTorch's constructor it makes the initial
// step, to last_epoch 0. A stepSize < 1 panics.
func NewStepLR(opt Optimizer, stepSize int, opts ...Option) *StepLR {
	c := applyOptions("NewStepLR", config{gamma: 0.1, lastEpoch: -1}, opts, "Gamma", "LastEpoch")
	if stepSize < 1 {
		panic(misuse("NewStepLR", fmt.Sprintf("step size %d < 1", stepSize)))
	}
	s := &StepLR{stepSize: stepSize, gamma: c.gamma}
	s.init("NewStepLR", opt, c.lastEpoch, s.lr)
	return s
}

func (s *StepLR) lr() []float64 {
	lrs := s.groupLRs()
	if s.lastEpoch == 0 || s.lastEpoch%s.stepSize != 0 {
		return lrs
	}
	for i := range lrs {
		lrs[i] *= s.gamma
	}
	return lrs
}

// CosineAnnealingLR anneals each group's learning rate from its initial
// value to EtaMin along half a cosine over tMax epochs, and back up over
// the next tMax (torch.optim.lr_scheduler.CosineAnnealingLR, its
// recursive, chainable form).
type CosineAnnealingLR struct {
	lrSched
	tMax   int
	etaMin float64
}

// NewCosineAnnealingLR returns a CosineAnnealingLR over opt. Options:
// EtaMin (default 0), LastEpoch (default -1). A tMax < 1 panics.
func NewCosineAnnealingLR(opt Optimizer, tMax int, opts ...Option) *CosineAnnealingLR {
	c := applyOptions("NewCosineAnnealingLR", config{lastEpoch: -1}, opts, "EtaMin", "LastEpoch")
	if tMax < 1 {
		panic(misuse("NewCosineAnnealingLR", fmt.Sprintf("T_max %d < 1", tMax)))
	}
	s := &CosineAnnealingLR{tMax: tMax, etaMin: c.etaMin}
	s.init("NewCosineAnnealingLR", opt, c.lastEpoch, s.lr)
	return s
}

func (s *CosineAnnealingLR) lr() []float64 {
	lrs := s.groupLRs()
	e, t, m := float64(s.lastEpoch), float64(s.tMax), s.etaMin
	switch {
	case s.lastEpoch == 0:
		return lrs
	case s.stepCount == 1 && s.lastEpoch > 0:
		for i, b := range s.baseLRs {
			lrs[i] = m + (b-m)*(1+math.Cos(e*math.Pi/t))/2
		}
	case pyMod(s.lastEpoch-1-s.tMax, 2*s.tMax) == 0:
		for i, b := range s.baseLRs {
			lrs[i] = lrs[i] + (b-m)*(1-math.Cos(math.Pi/t))/2
		}
	default:
		for i := range lrs {
			lrs[i] = float64((1+math.Cos(math.Pi*e/t))/(1+math.Cos(math.Pi*(e-1)/t))*(lrs[i]-m)) + m
		}
	}
	return lrs
}

// pyMod is Python's %: the result has the sign of n.
func pyMod(a, n int) int {
	r := a % n
	if r != 0 && (r < 0) != (n < 0) {
		r += n
	}
	return r
}
