package optim

import (
	"fmt"
	"math"
	"slices"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
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
	// StateDict returns the schedule's state (state_dict): its settings,
	// base_lrs, last_epoch, _step_count and _last_lr, with
	// Metadata["scheduler"] naming the kind, for nn.SaveSafetensors.
	StateDict() *nn.TensorDict
	// LoadStateDict restores a StateDict of a scheduler of the same kind
	// over an optimizer with as many groups (load_state_dict). The group
	// rates are not touched: they come back with the optimizer's own
	// state dict, as in PyTorch. A state dict with a missing or
	// unexpected key, a value of the wrong shape, or a value the
	// constructor would refuse gives a *LoadError and changes nothing.
	LoadStateDict(sd *nn.TensorDict) error
}

// lrSched is the _LRScheduler machinery: base rates, last_epoch and the
// initial step made by the constructor.
type lrSched struct {
	opt       Optimizer
	kind      string // "StepLR", "CosineAnnealingLR"
	baseLRs   []float64
	lastEpoch int
	stepCount int
	lastLR    []float64
	getLR     func() []float64
	settings  func() []schedSetting // the kind's own settings, for the state dict
	// zero, when not nil, is the closed form of the rates at epoch 0
	// (PyTorch's _get_closed_form_lr, used by step(0): SequentialLR's
	// restart); without it a restart takes getLR at epoch 0.
	zero func() []float64
}

// schedSetting is one setting of a schedule in its state dict: a float64
// (a whole number when integer) and the check its constructor makes.
type schedSetting struct {
	name    string
	p       *float64
	integer *int                   // the setting itself when it is an int (p is then a copy)
	boolean *bool                  // the setting itself when it is a bool, saved as 0 or 1 (p is then a copy)
	list    *[]int                 // instead of p: a list of epochs (whole numbers >= 0), any length
	groups  *[]float64             // instead of p: one value per group, each checked by invalid
	invalid func(v float64) string // p's check, or each group value's (unused for a list)
}

func (s *lrSched) init(op, kind string, opt Optimizer, lastEpoch int, getLR func() []float64, settings func() []schedSetting) {
	s.setup(op, kind, opt, lastEpoch, getLR, settings)
	s.Step()
}

// setup is init without the initial step, for a schedule whose Step is
// its own (CosineAnnealingWarmRestarts).
func (s *lrSched) setup(op, kind string, opt Optimizer, lastEpoch int, getLR func() []float64, settings func() []schedSetting) {
	s.opt, s.kind, s.lastEpoch, s.getLR, s.settings = opt, kind, lastEpoch, getLR, settings
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

// StateDict returns the schedule's state; see Scheduler.
func (s *lrSched) StateDict() *nn.TensorDict {
	sd := nn.NewTensorDict()
	sd.Metadata = map[string]string{"scheduler": s.kind}
	for _, st := range s.settings() {
		if st.list != nil {
			v := make([]float64, len(*st.list))
			for i, e := range *st.list {
				v[i] = float64(e)
			}
			sd.Set(st.name, tensor.New(v, len(v)))
			continue
		}
		if st.groups != nil {
			sd.Set(st.name, tensor.New(slices.Clone(*st.groups), len(*st.groups)))
			continue
		}
		sd.Set(st.name, tensor.Scalar(*st.p))
	}
	sd.Set("base_lrs", tensor.New(slices.Clone(s.baseLRs), len(s.baseLRs)))
	sd.Set("last_epoch", tensor.Scalar(float64(s.lastEpoch)))
	sd.Set("_step_count", tensor.Scalar(float64(s.stepCount)))
	sd.Set("_last_lr", tensor.New(slices.Clone(s.lastLR), len(s.lastLR)))
	return sd
}

// LoadStateDict restores a StateDict; see Scheduler.
func (s *lrSched) LoadStateDict(sd *nn.TensorDict) error {
	l := newStateLoader(sd, "scheduler", s.kind)
	groups := len(s.opt.ParamGroups())
	settings := s.settings()
	vals := make([]float64, len(settings))
	lists := make([][]int, len(settings))
	perGroup := make([][]float64, len(settings))
	for i, st := range settings {
		if st.list != nil {
			lists[i] = l.epochs(st.name)
			continue
		}
		if st.groups != nil {
			if t := l.get(st.name, groups); t != nil {
				perGroup[i] = t.Float64s()
				for g, v := range perGroup[i] {
					if msg := st.invalid(v); msg != "" {
						l.bad("%s[%d]: %s", st.name, g, msg)
					}
				}
			}
			continue
		}
		if t := l.get(st.name); t != nil {
			v := t.Item()
			vals[i] = v
			if msg := st.invalid(v); msg != "" {
				l.bad("%s: %s", st.name, msg)
			} else if st.integer != nil {
				l.whole(st.name, v, 0)
			}
		}
	}
	var baseLRs, lastLR []float64
	if t := l.get("base_lrs", groups); t != nil {
		baseLRs = t.Float64s()
	}
	if t := l.get("_last_lr", groups); t != nil {
		lastLR = t.Float64s()
	}
	for i, lr := range baseLRs {
		if !(lr >= 0) {
			l.bad("base_lrs[%d] = %v, want a learning rate >= 0", i, lr)
		}
	}
	var lastEpoch, stepCount float64
	if t := l.get("last_epoch"); t != nil && l.whole("last_epoch", t.Item(), -1) {
		lastEpoch = t.Item()
	}
	if t := l.get("_step_count"); t != nil && l.whole("_step_count", t.Item(), 0) {
		stepCount = t.Item()
	}
	if err := l.err(); err != nil {
		return err
	}
	for i, st := range settings {
		switch {
		case st.list != nil:
			slices.Sort(lists[i])
			*st.list = lists[i]
		case st.groups != nil:
			*st.groups = perGroup[i]
		case st.integer != nil:
			*st.integer = int(vals[i])
		case st.boolean != nil:
			*st.boolean = vals[i] == 1
		default:
			*st.p = vals[i]
		}
	}
	s.baseLRs, s.lastLR = baseLRs, lastLR
	s.lastEpoch, s.stepCount = int(lastEpoch), int(stepCount)
	return nil
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
	s.init("NewStepLR", "StepLR", opt, c.lastEpoch, s.lr, s.settings)
	s.zero = s.bases
	return s
}

func (s *StepLR) settings() []schedSetting {
	size := float64(s.stepSize)
	return []schedSetting{
		{name: "step_size", p: &size, integer: &s.stepSize, invalid: atLeast(1)},
		{name: "gamma", p: &s.gamma, invalid: finiteSetting},
	}
}

// atLeast is the check of a setting that must be >= lo.
func atLeast(lo float64) func(v float64) string {
	return func(v float64) string {
		if !(v >= lo) {
			return fmt.Sprintf("%v < %v", v, lo)
		}
		return ""
	}
}

// finiteSetting: NaN and ±Inf are refused.
func finiteSetting(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%v is not a finite number", v)
	}
	return ""
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
	s.init("NewCosineAnnealingLR", "CosineAnnealingLR", opt, c.lastEpoch, s.lr, s.settings)
	s.zero = func() []float64 {
		lrs := s.bases()
		for i, b := range lrs {
			lrs[i] = s.etaMin + (b-s.etaMin)*(1+math.Cos(0))/2
		}
		return lrs
	}
	return s
}

func (s *CosineAnnealingLR) settings() []schedSetting {
	tMax := float64(s.tMax)
	return []schedSetting{
		{name: "T_max", p: &tMax, integer: &s.tMax, invalid: atLeast(1)},
		{name: "eta_min", p: &s.etaMin, invalid: finiteSetting},
	}
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

// ExponentialLR multiplies each group's learning rate by gamma every epoch
// (torch.optim.lr_scheduler.ExponentialLR).
type ExponentialLR struct {
	lrSched
	gamma float64
}

// NewExponentialLR returns an ExponentialLR over opt. Options: LastEpoch
// (default -1).
func NewExponentialLR(opt Optimizer, gamma float64, opts ...Option) *ExponentialLR {
	c := applyOptions("NewExponentialLR", config{lastEpoch: -1}, opts, "LastEpoch")
	s := &ExponentialLR{gamma: gamma}
	s.init("NewExponentialLR", "ExponentialLR", opt, c.lastEpoch, s.lr, s.settings)
	s.zero = s.bases
	return s
}

func (s *ExponentialLR) lr() []float64 {
	lrs := s.groupLRs()
	if s.lastEpoch == 0 {
		return lrs
	}
	for i := range lrs {
		lrs[i] *= s.gamma
	}
	return lrs
}

func (s *ExponentialLR) settings() []schedSetting {
	return []schedSetting{{name: "gamma", p: &s.gamma, invalid: finiteSetting}}
}

// MultiStepLR multiplies each group's learning rate by gamma when the
// epoch count reaches a milestone (by gamma^k for a milestone listed k
// times; torch.optim.lr_scheduler.MultiStepLR).
type MultiStepLR struct {
	lrSched
	milestones []int // sorted, repeats kept
	gamma      float64
}

// NewMultiStepLR returns a MultiStepLR over opt with the given milestone
// epochs (any order). Options: Gamma (default 0.1), LastEpoch (default
// -1). A negative milestone panics.
func NewMultiStepLR(opt Optimizer, milestones []int, opts ...Option) *MultiStepLR {
	c := applyOptions("NewMultiStepLR", config{gamma: 0.1, lastEpoch: -1}, opts, "Gamma", "LastEpoch")
	ms := slices.Clone(milestones)
	slices.Sort(ms)
	if len(ms) > 0 && ms[0] < 0 {
		panic(misuse("NewMultiStepLR", fmt.Sprintf("milestone %d < 0", ms[0])))
	}
	s := &MultiStepLR{milestones: ms, gamma: c.gamma}
	s.init("NewMultiStepLR", "MultiStepLR", opt, c.lastEpoch, s.lr, s.settings)
	s.zero = func() []float64 { // base·gamma^(milestones at 0)
		k := 0
		for _, m := range s.milestones {
			if m <= 0 {
				k++
			}
		}
		return scaled(s.bases(), math.Pow(s.gamma, float64(k)))
	}
	return s
}

func (s *MultiStepLR) lr() []float64 {
	lrs := s.groupLRs()
	k := 0
	for _, m := range s.milestones {
		if m == s.lastEpoch {
			k++
		}
	}
	if k == 0 {
		return lrs
	}
	f := math.Pow(s.gamma, float64(k))
	for i := range lrs {
		lrs[i] *= f
	}
	return lrs
}

func (s *MultiStepLR) settings() []schedSetting {
	return []schedSetting{
		{name: "milestones", list: &s.milestones},
		{name: "gamma", p: &s.gamma, invalid: finiteSetting},
	}
}

// LinearLR scales each group's learning rate by a factor that goes
// linearly from StartFactor at epoch 0 to EndFactor at epoch TotalIters
// and stays there (torch.optim.lr_scheduler.LinearLR): a warm-up.
type LinearLR struct {
	lrSched
	startFactor, endFactor float64
	totalIters             int
}

// NewLinearLR returns a LinearLR over opt. Options: StartFactor (default
// 1/3), EndFactor (default 1), TotalIters (default 5), LastEpoch (default
// -1). Factors outside [0, 1], a StartFactor of 0 (PyTorch 1.13 takes it
// and then divides by zero; later versions refuse it, as here) and a
// negative TotalIters panic.
func NewLinearLR(opt Optimizer, opts ...Option) *LinearLR {
	c := applyOptions("NewLinearLR", config{startFactor: 1.0 / 3, endFactor: 1, totalIters: 5, lastEpoch: -1},
		opts, "StartFactor", "EndFactor", "TotalIters", "LastEpoch")
	s := &LinearLR{startFactor: c.startFactor, endFactor: c.endFactor, totalIters: c.totalIters}
	for _, st := range s.settings() {
		if msg := st.invalid(*st.p); msg != "" {
			panic(misuse("NewLinearLR", st.name+": "+msg))
		}
	}
	s.init("NewLinearLR", "LinearLR", opt, c.lastEpoch, s.lr, s.settings)
	s.zero = func() []float64 { return scaled(s.bases(), s.startFactor) }
	return s
}

func (s *LinearLR) lr() []float64 {
	lrs := s.groupLRs()
	e, t, a, b := float64(s.lastEpoch), float64(s.totalIters), s.startFactor, s.endFactor
	switch {
	case s.lastEpoch == 0:
		for i := range lrs {
			lrs[i] *= a
		}
	case s.lastEpoch <= s.totalIters:
		for i := range lrs {
			lrs[i] *= 1 + (b-a)/(t*a+(e-1)*(b-a))
		}
	}
	return lrs
}

func (s *LinearLR) settings() []schedSetting {
	total := float64(s.totalIters)
	return []schedSetting{
		{name: "start_factor", p: &s.startFactor, invalid: func(v float64) string {
			if !(v > 0 && v <= 1) {
				return fmt.Sprintf("factor %v is not in (0, 1]", v)
			}
			return ""
		}},
		{name: "end_factor", p: &s.endFactor, invalid: func(v float64) string {
			if !(v >= 0 && v <= 1) {
				return fmt.Sprintf("factor %v is not in [0, 1]", v)
			}
			return ""
		}},
		{name: "total_iters", p: &total, integer: &s.totalIters, invalid: atLeast(0)},
	}
}

// LambdaLR sets each group's learning rate to its initial rate times
// lambda(epoch) (torch.optim.lr_scheduler.LambdaLR with one function for
// every group). Its state dict holds no function, as PyTorch's holds none
// for a plain function: rebuild the schedule with the same lambda and
// load the state into it.
type LambdaLR struct {
	lrSched
	lambda func(epoch int) float64
}

// NewLambdaLR returns a LambdaLR over opt. Options: LastEpoch (default
// -1). A nil lambda panics.
func NewLambdaLR(opt Optimizer, lambda func(epoch int) float64, opts ...Option) *LambdaLR {
	c := applyOptions("NewLambdaLR", config{lastEpoch: -1}, opts, "LastEpoch")
	if lambda == nil {
		panic(misuse("NewLambdaLR", "nil lambda"))
	}
	s := &LambdaLR{lambda: lambda}
	s.init("NewLambdaLR", "LambdaLR", opt, c.lastEpoch, s.lr, func() []schedSetting { return nil })
	return s
}

func (s *LambdaLR) lr() []float64 {
	lrs := make([]float64, len(s.baseLRs))
	for i, b := range s.baseLRs {
		lrs[i] = b * s.lambda(s.lastEpoch)
	}
	return lrs
}
