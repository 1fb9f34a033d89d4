package optim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// ConstantLR multiplies each group's learning rate by Factor until epoch
// TotalIters, then restores it (torch.optim.lr_scheduler.ConstantLR).
type ConstantLR struct {
	lrSched
	factor     float64
	totalIters int
}

// NewConstantLR returns a ConstantLR over opt. Options: Factor (default
// 1/3), TotalIters (default 5), LastEpoch (default -1). A Factor outside
// (0, 1] panics (PyTorch takes 0, then multiplies by 1/0), as does a
// negative TotalIters.
func NewConstantLR(opt Optimizer, opts ...Option) *ConstantLR {
	const op = "NewConstantLR"
	c := applyOptions(op, config{factor: 1.0 / 3, totalIters: 5, lastEpoch: -1}, opts, "Factor", "TotalIters", "LastEpoch")
	s := &ConstantLR{factor: c.factor, totalIters: c.totalIters}
	panicInvalid(op, s.settings())
	s.init(op, "ConstantLR", opt, c.lastEpoch, s.lr, s.settings)
	s.zero = func() []float64 {
		done := 0.0 // PyTorch's (last_epoch >= total_iters) at epoch 0
		if s.totalIters <= 0 {
			done = 1
		}
		return scaled(slices.Clone(s.baseLRs), s.factor+done*(1-s.factor))
	}
	return s
}

func (s *ConstantLR) lr() []float64 {
	lrs := s.groupLRs()
	switch s.lastEpoch {
	case 0:
		return scaled(lrs, s.factor)
	case s.totalIters:
		return scaled(lrs, 1/s.factor)
	}
	return lrs
}

func (s *ConstantLR) settings() []schedSetting {
	total := float64(s.totalIters)
	return []schedSetting{
		{name: "factor", p: &s.factor, invalid: func(v float64) string {
			if !(v > 0 && v <= 1) {
				return fmt.Sprintf("factor %v is not in (0, 1]", v)
			}
			return ""
		}},
		{name: "total_iters", p: &total, integer: &s.totalIters, invalid: atLeast(0)},
	}
}

// PolynomialLR decays each group's learning rate to 0 over TotalIters
// epochs as (1 - epoch/TotalIters)^Power (torch.optim.lr_scheduler.
// PolynomialLR, its chainable form).
type PolynomialLR struct {
	lrSched
	totalIters int
	power      float64
}

// NewPolynomialLR returns a PolynomialLR over opt. Options: TotalIters
// (default 5), Power (default 1), LastEpoch (default -1). A TotalIters <
// 1 or a non-finite Power panics.
func NewPolynomialLR(opt Optimizer, opts ...Option) *PolynomialLR {
	const op = "NewPolynomialLR"
	c := applyOptions(op, config{totalIters: 5, power: 1, lastEpoch: -1}, opts, "TotalIters", "Power", "LastEpoch")
	s := &PolynomialLR{totalIters: c.totalIters, power: c.power}
	panicInvalid(op, s.settings())
	s.init(op, "PolynomialLR", opt, c.lastEpoch, s.lr, s.settings)
	s.zero = s.bases
	return s
}

func (s *PolynomialLR) lr() []float64 {
	lrs := s.groupLRs()
	if s.lastEpoch == 0 || s.lastEpoch > s.totalIters {
		return lrs
	}
	e, t := float64(s.lastEpoch), float64(s.totalIters)
	return scaled(lrs, math.Pow((1.0-e/t)/(1.0-(e-1)/t), s.power))
}

func (s *PolynomialLR) settings() []schedSetting {
	total := float64(s.totalIters)
	return []schedSetting{
		{name: "total_iters", p: &total, integer: &s.totalIters, invalid: atLeast(1)},
		{name: "power", p: &s.power, invalid: finiteSetting},
	}
}

// panicInvalid panics with the first setting its check refuses.
func panicInvalid(op string, settings []schedSetting) {
	for _, st := range settings {
		if msg := st.invalid(*st.p); msg != "" {
			panic(misuse(op, st.name+": "+msg))
		}
	}
}

// scaled returns lrs, each multiplied by f, in place.
func scaled(lrs []float64, f float64) []float64 {
	for i := range lrs {
		lrs[i] *= f
	}
	return lrs
}

// restartable is a schedule of this package that SequentialLR and
// ChainedScheduler can drive: its lrSched, and restart, PyTorch's
// step(0) (last_epoch back to 0 and the rates of epoch 0).
type restartable interface {
	Scheduler
	sched() *lrSched
	restart()
}

func (s *lrSched) sched() *lrSched { return s }

// bases is the rates at epoch 0 of a schedule whose closed form there
// is base_lr.
func (s *lrSched) bases() []float64 { return slices.Clone(s.baseLRs) }

// restart sets last_epoch to 0 and each group's rate to the schedule's
// rate at epoch 0 (PyTorch's step(0): the closed form where the kind has
// one, zero, else get_lr at epoch 0).
func (s *lrSched) restart() {
	s.stepCount++
	s.lastEpoch = 0
	var lrs []float64
	if s.zero != nil {
		lrs = s.zero()
	} else {
		lrs = s.getLR()
	}
	for i, g := range s.opt.ParamGroups() {
		g.LR = lrs[i]
	}
	s.lastLR = lrs
}

func (s *CosineAnnealingWarmRestarts) restart() { s.StepTo(0) }

// SequentialLR runs one schedule after another
// (torch.optim.lr_scheduler.SequentialLR): schedules[0] until epoch
// milestones[0], when schedules[1] restarts from its epoch 0, and so on;
// a LinearLR warm-up followed by a CosineAnnealingLR, say.
type SequentialLR struct {
	opt        Optimizer
	scheds     []restartable
	milestones []int
	lastEpoch  int
	lastLR     []float64
}

// NewSequentialLR returns a SequentialLR over opt running schedules, which
// must be this package's schedules over opt, switching at milestones (one
// fewer than schedules, in increasing order). As PyTorch's constructor,
// it sets every group's rate back to its initial rate and the schedules'
// epochs back by one, then makes the first schedule's initial step again.
// Options: LastEpoch (default -1). Anything else panics, with PyTorch's
// message where it has one.
func NewSequentialLR(opt Optimizer, schedules []Scheduler, milestones []int, opts ...Option) *SequentialLR {
	const op = "NewSequentialLR"
	c := applyOptions(op, config{lastEpoch: -1}, opts, "LastEpoch")
	scheds := ownSchedules(op, "Sequential Schedulers", opt, schedules)
	if len(milestones) != len(scheds)-1 {
		panic(misuse(op, fmt.Sprintf("Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers %d and the number of milestones to be equal to %d", len(scheds), len(milestones))))
	}
	if !slices.IsSorted(milestones) || (len(milestones) > 0 && milestones[0] < 0) {
		panic(misuse(op, fmt.Sprintf("milestones %v are not increasing epochs >= 0", milestones)))
	}
	s := &SequentialLR{opt: opt, scheds: scheds, milestones: slices.Clone(milestones), lastEpoch: c.lastEpoch + 1}
	for _, g := range opt.ParamGroups() {
		g.LR = g.InitialLR
	}
	for _, sc := range scheds {
		sc.sched().lastEpoch--
	}
	scheds[0].sched().stepCount = 0
	scheds[0].Step()
	s.lastLR = scheds[0].LastLR()
	return s
}

// ownSchedules checks that every schedule is one of this package's over
// opt, and that there is at least one.
func ownSchedules(op, who string, opt Optimizer, schedules []Scheduler) []restartable {
	if len(schedules) == 0 {
		panic(misuse(op, "no schedules"))
	}
	var out []restartable
	for i, sc := range schedules {
		r, ok := sc.(restartable)
		if !ok {
			panic(misuse(op, fmt.Sprintf("schedule %d (%T) is not one of package optim's", i, sc)))
		}
		if r.sched().opt != opt {
			panic(misuse(op, fmt.Sprintf("%s expects all schedulers to belong to the same optimizer, but got schedulers at index %d to be different than the optimizer passed in.", who, i)))
		}
		out = append(out, r)
	}
	return out
}

// Step advances one epoch: the schedule whose milestone this is restarts
// from its epoch 0; otherwise the current one steps.
func (s *SequentialLR) Step() {
	s.lastEpoch++
	i := s.bisectRight()
	sc := s.scheds[i]
	if i > 0 && s.milestones[i-1] == s.lastEpoch {
		sc.restart()
	} else {
		sc.Step()
	}
	s.lastLR = sc.LastLR()
}

// bisectRight is Python's bisect_right(milestones, last_epoch).
func (s *SequentialLR) bisectRight() int {
	n := 0
	for _, m := range s.milestones {
		if m <= s.lastEpoch {
			n++
		}
	}
	return n
}

// LastEpoch returns last_epoch.
func (s *SequentialLR) LastEpoch() int { return s.lastEpoch }

// LastLR returns the rates set by the last Step (a copy).
func (s *SequentialLR) LastLR() []float64 { return slices.Clone(s.lastLR) }

// StateDict returns the state (state_dict): milestones, last_epoch,
// _last_lr, and each schedule's state under "_schedulers.<i>.", its kind
// in Metadata["_schedulers.<i>"].
func (s *SequentialLR) StateDict() *nn.TensorDict {
	sd := nestedStateDict("SequentialLR", s.scheds)
	ms := make([]float64, len(s.milestones))
	for i, m := range s.milestones {
		ms[i] = float64(m)
	}
	sd.Set("_milestones", tensor.New(ms, len(ms)))
	sd.Set("last_epoch", tensor.Scalar(float64(s.lastEpoch)))
	sd.Set("_last_lr", tensor.New(slices.Clone(s.lastLR), len(s.lastLR)))
	return sd
}

// LoadStateDict restores a StateDict of a SequentialLR with schedules of
// the same kinds over an optimizer with as many groups; an error (a
// *LoadError) changes nothing, in it or in its schedules.
func (s *SequentialLR) LoadStateDict(sd *nn.TensorDict) error {
	l := newStateLoader(sd, "scheduler", "SequentialLR")
	groups := len(s.opt.ParamGroups())
	ms := l.epochs("_milestones")
	if ms != nil && len(ms) != len(s.scheds)-1 {
		l.bad("_milestones: %d of them for %d schedules", len(ms), len(s.scheds))
	} else if ms != nil && !slices.IsSorted(ms) {
		l.bad("_milestones %v are not in increasing order", ms)
	}
	var lastEpoch float64
	if t := l.get("last_epoch"); t != nil && l.whole("last_epoch", t.Item(), 0) {
		lastEpoch = t.Item()
	}
	var lastLR []float64
	if t := l.get("_last_lr", groups); t != nil {
		lastLR = t.Float64s()
	}
	if err := loadNested(l, sd, s.scheds); err != nil {
		return err
	}
	s.milestones, s.lastEpoch, s.lastLR = ms, int(lastEpoch), lastLR
	return nil
}

// ChainedScheduler steps several schedules together, each Step stepping
// every one in order, so their chainable rules compose
// (torch.optim.lr_scheduler.ChainedScheduler).
type ChainedScheduler struct {
	opt    Optimizer
	scheds []restartable
	lastLR []float64
}

// NewChainedScheduler returns a ChainedScheduler over schedules, which
// must be this package's schedules over one optimizer.
func NewChainedScheduler(schedules []Scheduler) *ChainedScheduler {
	const op = "NewChainedScheduler"
	if len(schedules) == 0 {
		panic(misuse(op, "no schedules"))
	}
	first, ok := schedules[0].(restartable)
	if !ok {
		panic(misuse(op, fmt.Sprintf("schedule 0 (%T) is not one of package optim's", schedules[0])))
	}
	opt := first.sched().opt
	s := &ChainedScheduler{opt: opt, scheds: ownSchedules(op, "ChainedScheduler", opt, schedules)}
	s.lastLR = s.groupLRs()
	return s
}

func (s *ChainedScheduler) groupLRs() []float64 {
	var lrs []float64
	for _, g := range s.opt.ParamGroups() {
		lrs = append(lrs, g.LR)
	}
	return lrs
}

// Step steps every schedule, in order.
func (s *ChainedScheduler) Step() {
	for _, sc := range s.scheds {
		sc.Step()
	}
	s.lastLR = s.groupLRs()
}

// LastEpoch returns the first schedule's last_epoch (PyTorch's
// ChainedScheduler has none of its own).
func (s *ChainedScheduler) LastEpoch() int { return s.scheds[0].LastEpoch() }

// LastLR returns the groups' rates after the last Step (a copy).
func (s *ChainedScheduler) LastLR() []float64 { return slices.Clone(s.lastLR) }

// StateDict returns _last_lr and each schedule's state under
// "_schedulers.<i>.", its kind in Metadata["_schedulers.<i>"].
func (s *ChainedScheduler) StateDict() *nn.TensorDict {
	sd := nestedStateDict("ChainedScheduler", s.scheds)
	sd.Set("_last_lr", tensor.New(slices.Clone(s.lastLR), len(s.lastLR)))
	return sd
}

// LoadStateDict restores a StateDict of a ChainedScheduler with schedules
// of the same kinds; an error (a *LoadError) changes nothing.
func (s *ChainedScheduler) LoadStateDict(sd *nn.TensorDict) error {
	l := newStateLoader(sd, "scheduler", "ChainedScheduler")
	var lastLR []float64
	if t := l.get("_last_lr", len(s.opt.ParamGroups())); t != nil {
		lastLR = t.Float64s()
	}
	if err := loadNested(l, sd, s.scheds); err != nil {
		return err
	}
	s.lastLR = lastLR
	return nil
}

// nestedStateDict is a state dict of kind holding each schedule's state
// dict under "_schedulers.<i>.".
func nestedStateDict(kind string, scheds []restartable) *nn.TensorDict {
	sd := nn.NewTensorDict()
	sd.Metadata = map[string]string{"scheduler": kind}
	for i, sc := range scheds {
		pre := "_schedulers." + strconv.Itoa(i)
		sub := sc.StateDict()
		sd.Metadata[pre] = sub.Metadata["scheduler"]
		for k, t := range sub.All() {
			sd.Set(pre+"."+k, t)
		}
	}
	return sd
}

// loadNested loads each schedule's part of sd (the keys under
// "_schedulers.<i>.", marked read in l), after l's own checks: all or
// nothing, the schedules loaded first put back on any error.
func loadNested(l *stateLoader, sd *nn.TensorDict, scheds []restartable) error {
	subs := make([]*nn.TensorDict, len(scheds))
	for i := range scheds {
		pre := "_schedulers." + strconv.Itoa(i)
		subs[i] = nn.NewTensorDict()
		subs[i].Metadata = map[string]string{"scheduler": sd.Metadata[pre]}
		for k, t := range sd.All() {
			if rest, ok := strings.CutPrefix(k, pre+"."); ok {
				subs[i].Set(rest, t)
				l.used[k] = true
			}
		}
	}
	if err := l.err(); err != nil {
		return err
	}
	saved := make([]*nn.TensorDict, len(scheds))
	for i, sc := range scheds {
		saved[i] = sc.StateDict()
		if err := sc.LoadStateDict(subs[i]); err != nil {
			for j := range i {
				if e := scheds[j].LoadStateDict(saved[j]); e != nil {
					panic("optim: putting back a schedule's own state failed: " + e.Error())
				}
			}
			le := &LoadError{Optimizer: l.kind}
			le.Problems = append(le.Problems, fmt.Sprintf("_schedulers.%d: %v", i, err))
			return le
		}
	}
	return nil
}
