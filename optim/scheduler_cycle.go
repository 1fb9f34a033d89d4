package optim

import (
	"fmt"
	"math"

	"github.com/simdtorch/simdtorch/nn"
)

// CosineAnnealingWarmRestarts anneals each group's learning rate from its
// initial value to EtaMin along half a cosine over T_i epochs, then jumps
// back to the initial value (a warm restart) and starts again over a
// period T_mult times longer (torch.optim.lr_scheduler.
// CosineAnnealingWarmRestarts, SGDR):
//
//	lr = eta_min + (initial_lr - eta_min)·(1 + cos(π·T_cur/T_i))/2
//
// Step advances one epoch; StepTo sets a fractional epoch, for stepping
// once per batch as PyTorch's step(epoch + i/iters).
type CosineAnnealingWarmRestarts struct {
	lrSched
	t0, tMult, tI int
	tCur          float64
	etaMin        float64
}

// NewCosineAnnealingWarmRestarts returns a CosineAnnealingWarmRestarts
// over opt with a first period of t0 epochs. Options: TMult (default 1),
// EtaMin (default 0), LastEpoch (default -1). A t0 < 1 or a TMult < 1
// panics.
func NewCosineAnnealingWarmRestarts(opt Optimizer, t0 int, opts ...Option) *CosineAnnealingWarmRestarts {
	const op = "NewCosineAnnealingWarmRestarts"
	c := applyOptions(op, config{tMult: 1, lastEpoch: -1}, opts, "TMult", "EtaMin", "LastEpoch")
	if t0 < 1 {
		panic(misuse(op, fmt.Sprintf("Expected positive integer T_0, but got %d", t0)))
	}
	if c.tMult < 1 {
		panic(misuse(op, fmt.Sprintf("Expected integer T_mult >= 1, but got %d", c.tMult)))
	}
	s := &CosineAnnealingWarmRestarts{t0: t0, tMult: c.tMult, tI: t0, tCur: float64(c.lastEpoch), etaMin: c.etaMin}
	s.setup(op, "CosineAnnealingWarmRestarts", opt, c.lastEpoch, s.lr, s.settings)
	s.Step()
	return s
}

func (s *CosineAnnealingWarmRestarts) lr() []float64 {
	lrs := make([]float64, len(s.baseLRs))
	for i, b := range s.baseLRs {
		lrs[i] = s.etaMin + (b-s.etaMin)*(1+math.Cos(math.Pi*s.tCur/float64(s.tI)))/2
	}
	return lrs
}

// Step advances one epoch (step()): T_cur goes up by one, and a restart
// comes when it reaches T_i.
func (s *CosineAnnealingWarmRestarts) Step() {
	if s.lastEpoch < 0 {
		s.StepTo(0)
		return
	}
	s.tCur++
	if s.tCur >= float64(s.tI) {
		s.tCur -= float64(s.tI)
		s.tI = int(min(float64(s.tI)*float64(s.tMult), maxPeriod))
	}
	s.set(s.lastEpoch + 1)
}

// maxPeriod bounds T_i (2^53 epochs, the largest whole number a state
// dict holds exactly): T_i = T_0·T_mult^n stops growing there instead of
// overflowing, which changes nothing a run could reach.
const maxPeriod = 1 << 53

// StepTo sets the schedule to epoch, which may be fractional
// (step(epoch)): T_cur and T_i are computed from it, and last_epoch is
// its floor. A negative or non-finite epoch panics.
func (s *CosineAnnealingWarmRestarts) StepTo(epoch float64) {
	if !(epoch >= 0) || math.IsInf(epoch, 1) {
		panic(misuse("CosineAnnealingWarmRestarts.StepTo", fmt.Sprintf("Expected non-negative epoch, but got %v", epoch)))
	}
	t0 := float64(s.t0)
	switch {
	case epoch < t0:
		s.tI, s.tCur = s.t0, epoch
	case s.tMult == 1:
		s.tCur = math.Mod(epoch, t0)
	default:
		m := float64(s.tMult)
		n := int(math.Log(epoch/t0*(m-1)+1) / math.Log(m))
		s.tCur = epoch - t0*(math.Pow(m, float64(n))-1)/(m-1)
		s.tI = int(min(t0*math.Pow(m, float64(n)), maxPeriod))
	}
	s.set(int(math.Floor(epoch)))
}

// set makes epoch the last one and sets the groups' rates. Unlike the
// other schedules it does not count _step_count, as PyTorch's step
// override does not.
func (s *CosineAnnealingWarmRestarts) set(epoch int) {
	s.lastEpoch = epoch
	lrs := s.lr()
	for i, g := range s.opt.ParamGroups() {
		g.LR = lrs[i]
	}
	s.lastLR = lrs
}

func (s *CosineAnnealingWarmRestarts) settings() []schedSetting {
	t0, tMult, tI := float64(s.t0), float64(s.tMult), float64(s.tI)
	return []schedSetting{
		{name: "T_0", p: &t0, integer: &s.t0, invalid: atLeast(1)},
		{name: "T_mult", p: &tMult, integer: &s.tMult, invalid: atLeast(1)},
		{name: "eta_min", p: &s.etaMin, invalid: finiteSetting},
		{name: "T_i", p: &tI, integer: &s.tI, invalid: atLeast(1)},
		{name: "T_cur", p: &s.tCur, invalid: func(v float64) string {
			if msg := finiteSetting(v); msg != "" {
				return msg
			}
			return atLeast(0)(v)
		}},
	}
}

// OneCycleLR runs the 1cycle policy over a fixed number of steps, one per
// batch (torch.optim.lr_scheduler.OneCycleLR): each group's rate rises
// from max_lr/DivFactor to max_lr over the first PctStart of the steps,
// then falls to initial_lr/FinalDivFactor, by half cosines (or straight
// lines with AnnealStrategy("linear")); with ThreePhase it first comes
// back to the initial rate symmetrically, then falls. Unless
// CycleMomentum(false), the momentum (SGD's momentum, Adam's and AdamW's
// beta1; RMSprop's momentum) moves the other way, between MaxMomentum and BaseMomentum.
//
// PyTorch keeps initial_lr, max_lr, min_lr, max_momentum and
// base_momentum in the parameter groups; here the schedule keeps them,
// and saves them in its own state dict (each group's InitialLR is still
// set, as the other schedules use it).
type OneCycleLR struct {
	lrSched
	totalSteps          int
	pctStart            float64
	linear, threePhase  bool
	cycleMomentum, beta bool
	canCycle            bool // the optimizer has a momentum (SGD) or a beta1 (Adam, AdamW)
	maxLRs, minLRs      []float64
	maxMoms, baseMoms   []float64
}

// NewOneCycleLR returns a OneCycleLR over opt peaking at maxLR for every
// group, for totalSteps steps (PyTorch's total_steps, or epochs ×
// steps_per_epoch). Options: MaxLRs (one peak per group instead), PctStart
// (default 0.3), AnnealStrategy (default "cos"), CycleMomentum (default
// true), BaseMomentum (0.85), MaxMomentum (0.95), DivFactor (25),
// FinalDivFactor (1e4), ThreePhase, LastEpoch (default -1). Like
// PyTorch's constructor it sets every group's rate to max_lr/DivFactor
// and, when cycling, its momentum to MaxMomentum.
//
// It panics, with PyTorch's messages, for totalSteps < 1, a PctStart
// outside [0, 1], an unknown strategy, a MaxLRs of the wrong length, or
// cycling the momentum of an optimizer that has none; Step panics when
// called more than totalSteps times after construction.
func NewOneCycleLR(opt Optimizer, maxLR float64, totalSteps int, opts ...Option) *OneCycleLR {
	const op = "NewOneCycleLR"
	c := applyOptions(op, config{pctStart: 0.3, anneal: "cos", baseMomentum: 0.85, maxMomentum: 0.95,
		divFactor: 25, finalDiv: 1e4, lastEpoch: -1}, opts,
		"MaxLRs", "PctStart", "AnnealStrategy", "CycleMomentum", "BaseMomentum", "MaxMomentum",
		"DivFactor", "FinalDivFactor", "ThreePhase", "LastEpoch")
	if totalSteps < 1 {
		panic(misuse(op, fmt.Sprintf("Expected positive integer total_steps, but got %d", totalSteps)))
	}
	if !(c.pctStart >= 0 && c.pctStart <= 1) {
		panic(misuse(op, fmt.Sprintf("Expected float between 0 and 1 pct_start, but got %v", c.pctStart)))
	}
	if c.anneal != "cos" && c.anneal != "linear" {
		panic(misuse(op, fmt.Sprintf("anneal_strategy must by one of 'cos' or 'linear', instead got %s", c.anneal)))
	}
	groups := opt.ParamGroups()
	s := &OneCycleLR{totalSteps: totalSteps, pctStart: c.pctStart, linear: c.anneal == "linear",
		threePhase: c.threePhase, cycleMomentum: !c.noCycleMomentum}
	s.maxLRs = perGroupValues(op, "max_lr", len(groups), maxLR, c.maxLRs)
	for i, g := range groups {
		initial := s.maxLRs[i] / c.divFactor
		if c.lastEpoch == -1 {
			g.InitialLR = initial
		}
		s.minLRs = append(s.minLRs, initial/c.finalDiv)
	}
	switch opt.(type) {
	case *SGD, *RMSprop:
		s.canCycle = true
	case *Adam:
		s.canCycle, s.beta = true, true
	}
	if s.cycleMomentum && !s.canCycle {
		panic(misuse(op, "optimizer must support momentum with `cycle_momentum` option enabled"))
	}
	for _, g := range groups {
		s.maxMoms = append(s.maxMoms, c.maxMomentum)
		s.baseMoms = append(s.baseMoms, c.baseMomentum)
		if s.cycleMomentum && c.lastEpoch == -1 {
			s.setMomentum(g, c.maxMomentum)
		}
	}
	s.init(op, "OneCycleLR", opt, c.lastEpoch, s.lr, s.settings)
	return s
}

// perGroupValues returns v for each of n groups, or each (of exactly n)
// when given.
func perGroupValues(op, name string, n int, v float64, each []float64) []float64 {
	if each != nil {
		if len(each) != n {
			panic(misuse(op, fmt.Sprintf("expected %d values for %s, got %d", n, name, len(each))))
		}
		return append([]float64(nil), each...)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func (s *OneCycleLR) setMomentum(g *ParamGroup, m float64) {
	if s.beta {
		g.Beta1 = m
	} else {
		g.Momentum = m
	}
}

func (s *OneCycleLR) anneal(start, end, pct float64) float64 {
	if s.linear {
		return (end-start)*pct + start
	}
	return end + (start-end)/2.0*(math.Cos(math.Pi*pct)+1)
}

// Step advances one step (one batch). Past total_steps it panics, with
// PyTorch's message, and changes nothing.
func (s *OneCycleLR) Step() {
	if s.lastEpoch >= s.totalSteps {
		panic(misuse("OneCycleLR.Step", fmt.Sprintf("Tried to step %d times. The specified number of total steps is %d", s.lastEpoch+2, s.totalSteps)))
	}
	s.lrSched.Step()
}

func (s *OneCycleLR) lr() []float64 {
	step := s.lastEpoch
	total := float64(s.totalSteps)
	up := s.pctStart*total - 1
	type phase struct {
		end                          float64
		startLR, endLR, startM, endM func(i int) float64
	}
	initial := func(i int) float64 { return s.baseLRs[i] }
	maxLR := func(i int) float64 { return s.maxLRs[i] }
	minLR := func(i int) float64 { return s.minLRs[i] }
	maxM := func(i int) float64 { return s.maxMoms[i] }
	baseM := func(i int) float64 { return s.baseMoms[i] }
	phases := []phase{
		{up, initial, maxLR, maxM, baseM},
		{total - 1, maxLR, minLR, baseM, maxM},
	}
	if s.threePhase {
		phases = []phase{
			{up, initial, maxLR, maxM, baseM},
			{2*s.pctStart*total - 2, maxLR, initial, baseM, maxM},
			{total - 1, initial, minLR, maxM, maxM},
		}
	}
	groups := s.opt.ParamGroups()
	lrs := make([]float64, len(groups))
	e := float64(step)
	for i, g := range groups {
		start := 0.0
		for k, ph := range phases {
			if e <= ph.end || k == len(phases)-1 {
				pct := (e - start) / (ph.end - start)
				lrs[i] = s.anneal(ph.startLR(i), ph.endLR(i), pct)
				if s.cycleMomentum {
					s.setMomentum(g, s.anneal(ph.startM(i), ph.endM(i), pct))
				}
				break
			}
			start = ph.end
		}
	}
	return lrs
}

// LoadStateDict restores a StateDict; see Scheduler. It also refuses a
// last_epoch past total_steps, which no run reaches (Step panics first).
func (s *OneCycleLR) LoadStateDict(sd *nn.TensorDict) error {
	total, okT := sd.Get("total_steps")
	last, okL := sd.Get("last_epoch")
	if okT && okL && total.Numel() == 1 && last.Numel() == 1 && last.Item() > total.Item() {
		return &LoadError{Optimizer: s.kind, Problems: []string{fmt.Sprintf("last_epoch = %v is past total_steps = %v", last.Item(), total.Item())}}
	}
	if c, ok := sd.Get("cycle_momentum"); ok && c.Numel() == 1 && c.Item() == 1 && !s.canCycle {
		return &LoadError{Optimizer: s.kind, Problems: []string{"cycle_momentum = 1 over an optimizer without momentum"}}
	}
	return s.lrSched.LoadStateDict(sd)
}

func (s *OneCycleLR) settings() []schedSetting {
	total := float64(s.totalSteps)
	flag := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	linear, three, cyc := flag(s.linear), flag(s.threePhase), flag(s.cycleMomentum)
	return []schedSetting{
		{name: "total_steps", p: &total, integer: &s.totalSteps, invalid: atLeast(1)},
		{name: "pct_start", p: &s.pctStart, invalid: func(v float64) string {
			if !(v >= 0 && v <= 1) {
				return fmt.Sprintf("%v is not in [0, 1]", v)
			}
			return ""
		}},
		{name: "anneal_linear", p: &linear, boolean: &s.linear, invalid: isFlag},
		{name: "three_phase", p: &three, boolean: &s.threePhase, invalid: isFlag},
		{name: "cycle_momentum", p: &cyc, boolean: &s.cycleMomentum, invalid: isFlag},
		{name: "max_lr", groups: &s.maxLRs, invalid: atLeast(0)},
		{name: "min_lr", groups: &s.minLRs, invalid: atLeast(0)},
		{name: "max_momentum", groups: &s.maxMoms, invalid: finiteSetting},
		{name: "base_momentum", groups: &s.baseMoms, invalid: finiteSetting},
	}
}

// isFlag is the check of a boolean setting, saved as 0 or 1.
func isFlag(v float64) string {
	if v != 0 && v != 1 {
		return fmt.Sprintf("%v is not 0 or 1", v)
	}
	return ""
}
