package optim

import (
	"fmt"
	"math"
	"slices"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// ReduceLROnPlateau lowers the learning rates when a metric has stopped
// improving (torch.optim.lr_scheduler.ReduceLROnPlateau): after more than
// Patience epochs in a row without an improvement, each group's rate is
// multiplied by Factor (but not below its MinLR, and not when the change
// would be at most Eps), and Cooldown epochs follow in which bad epochs
// are not counted.
//
// It is not a Scheduler: its Step takes the metric, as PyTorch's
// step(metrics) does.
type ReduceLROnPlateau struct {
	opt                 Optimizer
	max, abs            bool // mode "max", threshold_mode "abs"
	factor, threshold   float64
	patience, cooldown  int
	minLRs              []float64
	eps                 float64
	best                float64
	numBad, cooldownCnt int
	lastEpoch           int
	lastLR              []float64
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau over opt. Options:
// Mode (default "min"), Factor (0.1), Patience (10), Threshold (1e-4),
// ThresholdMode ("rel"), Cooldown (0), MinLR (0, or one per group), Eps
// (1e-8). A Factor that is not < 1 (NaN included), an unknown mode or a MinLR list of the wrong
// length panics, with PyTorch's message.
func NewReduceLROnPlateau(opt Optimizer, opts ...Option) *ReduceLROnPlateau {
	const op = "NewReduceLROnPlateau"
	c := applyOptions(op, config{mode: "min", factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: "rel",
		group: ParamGroup{Eps: 1e-8}}, opts,
		"Mode", "Factor", "Patience", "Threshold", "ThresholdMode", "Cooldown", "MinLR", "Eps")
	if !(c.factor < 1) {
		panic(misuse(op, "Factor should be < 1.0."))
	}
	groups := opt.ParamGroups()
	s := &ReduceLROnPlateau{opt: opt, factor: c.factor, patience: c.patience, threshold: c.threshold,
		cooldown: c.cooldown, eps: c.group.Eps}
	if len(c.minLRs) == 1 {
		s.minLRs = perGroupValues(op, "min_lr", len(groups), c.minLRs[0], nil)
	} else if c.minLRs != nil && len(c.minLRs) != len(groups) {
		panic(misuse(op, fmt.Sprintf("expected %d min_lrs, got %d", len(groups), len(c.minLRs))))
	} else {
		s.minLRs = perGroupValues(op, "min_lr", len(groups), 0, c.minLRs)
	}
	switch c.mode {
	case "min":
	case "max":
		s.max = true
	default:
		panic(misuse(op, "mode "+c.mode+" is unknown!"))
	}
	switch c.thresholdMode {
	case "rel":
	case "abs":
		s.abs = true
	default:
		panic(misuse(op, "threshold mode "+c.thresholdMode+" is unknown!"))
	}
	for _, st := range s.settings() {
		if msg := st.check(); msg != "" {
			panic(misuse(op, st.name+": "+msg))
		}
	}
	s.best = s.worse()
	for _, g := range groups {
		s.lastLR = append(s.lastLR, g.LR)
	}
	return s
}

// worse is the starting best: +Inf when minimising, -Inf when maximising.
func (s *ReduceLROnPlateau) worse() float64 {
	if s.max {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

// better reports whether a improves on the best so far by the threshold.
func (s *ReduceLROnPlateau) better(a float64) bool {
	switch {
	case !s.max && !s.abs:
		return a < s.best*(1-s.threshold)
	case !s.max:
		return a < s.best-s.threshold
	case !s.abs:
		return a > s.best*(s.threshold+1)
	}
	return a > s.best+s.threshold
}

// Step records the metric of the epoch just finished (step(metrics)) and
// lowers the rates when it is time. A NaN metric counts as a bad epoch, as
// in PyTorch.
func (s *ReduceLROnPlateau) Step(metric float64) {
	s.lastEpoch++
	if s.better(metric) {
		s.best, s.numBad = metric, 0
	} else {
		s.numBad++
	}
	if s.cooldownCnt > 0 {
		s.cooldownCnt--
		s.numBad = 0
	}
	groups := s.opt.ParamGroups()
	if s.numBad > s.patience {
		for i, g := range groups {
			if lr := max(g.LR*s.factor, s.minLRs[i]); g.LR-lr > s.eps {
				g.LR = lr
			}
		}
		s.cooldownCnt, s.numBad = s.cooldown, 0
	}
	s.lastLR = s.lastLR[:0]
	for _, g := range groups {
		s.lastLR = append(s.lastLR, g.LR)
	}
}

// LastEpoch returns the number of Step calls (last_epoch).
func (s *ReduceLROnPlateau) LastEpoch() int { return s.lastEpoch }

// LastLR returns the rates after the last Step (a copy); before the first,
// the groups' rates at construction.
func (s *ReduceLROnPlateau) LastLR() []float64 { return slices.Clone(s.lastLR) }

// Best returns the best metric so far (+Inf, or -Inf in "max" mode, before
// any).
func (s *ReduceLROnPlateau) Best() float64 { return s.best }

// plateauSetting is one number of the state dict with its check.
type plateauSetting struct {
	name    string
	p       *float64
	integer *int
	invalid func(v float64) string
}

func (st plateauSetting) check() string { return st.invalid(*st.p) }

func (s *ReduceLROnPlateau) settings() []plateauSetting {
	f := func(n int) *float64 { v := float64(n); return &v }
	return []plateauSetting{
		{"factor", &s.factor, nil, func(v float64) string {
			if !(v < 1) {
				return fmt.Sprintf("%v, want a factor < 1", v)
			}
			return ""
		}},
		{"patience", f(s.patience), &s.patience, atLeast(0)},
		{"threshold", &s.threshold, nil, finiteSetting},
		{"cooldown", f(s.cooldown), &s.cooldown, atLeast(0)},
		{"eps", &s.eps, nil, finiteSetting},
		{"cooldown_counter", f(s.cooldownCnt), &s.cooldownCnt, atLeast(0)},
		{"num_bad_epochs", f(s.numBad), &s.numBad, atLeast(0)},
		{"last_epoch", f(s.lastEpoch), &s.lastEpoch, atLeast(0)},
		{"best", &s.best, nil, func(v float64) string {
			if math.IsNaN(v) {
				return "NaN"
			}
			return ""
		}},
	}
}

// StateDict returns the schedule's state (state_dict): its settings,
// best, num_bad_epochs, cooldown_counter, last_epoch, min_lrs and
// _last_lr, with Metadata naming the kind, the mode and the threshold
// mode, for nn.SaveSafetensors.
func (s *ReduceLROnPlateau) StateDict() *nn.TensorDict {
	sd := nn.NewTensorDict()
	mode, tmode := "min", "rel"
	if s.max {
		mode = "max"
	}
	if s.abs {
		tmode = "abs"
	}
	sd.Metadata = map[string]string{"scheduler": "ReduceLROnPlateau", "mode": mode, "threshold_mode": tmode}
	for _, st := range s.settings() {
		sd.Set(st.name, tensor.Scalar(*st.p))
	}
	sd.Set("min_lrs", tensor.New(slices.Clone(s.minLRs), len(s.minLRs)))
	sd.Set("_last_lr", tensor.New(slices.Clone(s.lastLR), len(s.lastLR)))
	return sd
}

// LoadStateDict restores a StateDict of a ReduceLROnPlateau over an
// optimizer with as many groups (load_state_dict); the group rates come
// back with the optimizer's own state dict. A missing or unexpected key, a
// value of the wrong shape, an unknown mode, or a value the constructor
// would refuse gives a *LoadError and changes nothing.
func (s *ReduceLROnPlateau) LoadStateDict(sd *nn.TensorDict) error {
	l := newStateLoader(sd, "scheduler", "ReduceLROnPlateau")
	groups := len(s.opt.ParamGroups())
	mode, tmode := sd.Metadata["mode"], sd.Metadata["threshold_mode"]
	if mode != "min" && mode != "max" {
		l.bad("mode %q is unknown", mode)
	}
	if tmode != "rel" && tmode != "abs" {
		l.bad("threshold mode %q is unknown", tmode)
	}
	settings := s.settings()
	vals := make([]float64, len(settings))
	for i, st := range settings {
		if t := l.get(st.name); t != nil {
			vals[i] = t.Item()
			if msg := st.invalid(vals[i]); msg != "" {
				l.bad("%s: %s", st.name, msg)
			} else if st.integer != nil {
				l.whole(st.name, vals[i], 0)
			}
		}
	}
	var minLRs, lastLR []float64
	if t := l.get("min_lrs", groups); t != nil {
		minLRs = t.Float64s()
		for i, v := range minLRs {
			if !(v >= 0) || math.IsInf(v, 1) {
				l.bad("min_lrs[%d] = %v, want a finite learning rate >= 0", i, v)
			}
		}
	}
	if t := l.get("_last_lr", groups); t != nil {
		lastLR = t.Float64s()
	}
	if err := l.err(); err != nil {
		return err
	}
	for i, st := range settings {
		if st.integer != nil {
			*st.integer = int(vals[i])
		} else {
			*st.p = vals[i]
		}
	}
	s.max, s.abs = mode == "max", tmode == "abs"
	s.minLRs, s.lastLR = minLRs, lastLR
	return nil
}
