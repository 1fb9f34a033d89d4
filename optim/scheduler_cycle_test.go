package optim_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// goldenSched is testdata/golden_sched.json (gen_sched.py): per step, each
// group's lr and momentum (SGD's momentum, Adam's beta1) after the
// schedule's step, with the argument each step was given.
type goldenSched struct {
	Cases []struct {
		Name  string
		Opt   string
		Arg   []*float64 // nil: Step(); else StepTo(epoch) or Step(metric); null is NaN
		Steps []struct {
			LR  []float64
			Mom []float64
		}
	}
}

// twoGroups is gen_sched.py's optimizer: groups at lr 0.1 and 0.5, SGD
// with momentum 0.9 or Adam.
func twoGroups(t *testing.T, kind string) optim.Optimizer {
	p0 := slices.Values([]*nn.Parameter{nn.NewParameter(tensor.Zeros(1))})
	p1 := slices.Values([]*nn.Parameter{nn.NewParameter(tensor.Zeros(1))})
	if kind == "sgd" {
		opt, err := optim.NewSGD(p0, optim.LR(0.1), optim.Momentum(0.9))
		require.NoError(t, err)
		require.NoError(t, opt.AddParamGroup(p1, optim.LR(0.5)))
		return opt
	}
	opt, err := optim.NewAdam(p0, optim.LR(0.1))
	require.NoError(t, err)
	require.NoError(t, opt.AddParamGroup(p1, optim.LR(0.5)))
	return opt
}

func momentum(opt optim.Optimizer, g int) float64 {
	if _, ok := opt.(*optim.Adam); ok {
		return opt.ParamGroups()[g].Beta1
	}
	return opt.ParamGroups()[g].Momentum
}

func TestGoldenCycleSchedules(t *testing.T) {
	data, err := os.ReadFile("testdata/golden_sched.json")
	require.NoError(t, err)
	var gs goldenSched
	require.NoError(t, json.Unmarshal(data, &gs))
	require.NotEmpty(t, gs.Cases)
	for _, c := range gs.Cases {
		t.Run(c.Name, func(t *testing.T) {
			opt := twoGroups(t, c.Opt)
			var step func(i int)
			switch c.Name {
			case "warm_restarts":
				s := optim.NewCosineAnnealingWarmRestarts(opt, 3)
				step = func(int) { s.Step() }
			case "warm_restarts_mult":
				s := optim.NewCosineAnnealingWarmRestarts(opt, 2, optim.TMult(2), optim.EtaMin(0.01))
				step = func(int) { s.Step() }
			case "warm_restarts_frac":
				s := optim.NewCosineAnnealingWarmRestarts(opt, 2, optim.TMult(3), optim.EtaMin(0.001))
				step = func(i int) { s.StepTo(*c.Arg[i]) }
			case "onecycle":
				s := optim.NewOneCycleLR(opt, 1.0, 20)
				step = func(int) { s.Step() }
			case "onecycle_adam_linear":
				s := optim.NewOneCycleLR(opt, 0, 13, optim.MaxLRs(0.3, 0.6), optim.PctStart(0.4),
					optim.AnnealStrategy("linear"), optim.DivFactor(10), optim.FinalDivFactor(100))
				step = func(int) { s.Step() }
			case "onecycle_three_phase":
				s := optim.NewOneCycleLR(opt, 0.8, 17, optim.ThreePhase(), optim.BaseMomentum(0.8), optim.MaxMomentum(0.9))
				step = func(int) { s.Step() }
			case "onecycle_no_momentum":
				s := optim.NewOneCycleLR(opt, 0.5, 7, optim.CycleMomentum(false))
				step = func(int) { s.Step() }
			case "plateau":
				s := optim.NewReduceLROnPlateau(opt, optim.Patience(2), optim.Factor(0.5))
				step = func(i int) { s.Step(metric(c.Arg[i])) }
			case "plateau_max_abs_cooldown":
				s := optim.NewReduceLROnPlateau(opt, optim.Mode("max"), optim.ThresholdMode("abs"), optim.Threshold(0.05),
					optim.Patience(1), optim.Cooldown(2), optim.Factor(0.1), optim.MinLR(0, 0.004))
				step = func(i int) { s.Step(metric(c.Arg[i])) }
			case "constant":
				s := optim.NewConstantLR(opt, optim.Factor(0.5), optim.TotalIters(3))
				step = func(int) { s.Step() }
			case "polynomial":
				s := optim.NewPolynomialLR(opt, optim.TotalIters(6), optim.Power(2))
				step = func(int) { s.Step() }
			case "seq_warmup_cosine":
				s := optim.NewSequentialLR(opt, []optim.Scheduler{
					optim.NewLinearLR(opt, optim.StartFactor(0.1), optim.TotalIters(3)),
					optim.NewCosineAnnealingLR(opt, 5)}, []int{3})
				step = func(int) { s.Step() }
			case "seq_three":
				s := optim.NewSequentialLR(opt, []optim.Scheduler{
					optim.NewConstantLR(opt, optim.Factor(0.5), optim.TotalIters(2)),
					optim.NewExponentialLR(opt, 0.9),
					optim.NewStepLR(opt, 2, optim.Gamma(0.5))}, []int{2, 5})
				step = func(int) { s.Step() }
			case "seq_lambda_multistep":
				s := optim.NewSequentialLR(opt, []optim.Scheduler{
					optim.NewLambdaLR(opt, func(e int) float64 { return 1 / float64(e+1) }),
					optim.NewMultiStepLR(opt, []int{0, 2}, optim.Gamma(0.5))}, []int{3})
				step = func(int) { s.Step() }
			case "seq_warm_restarts":
				s := optim.NewSequentialLR(opt, []optim.Scheduler{
					optim.NewLinearLR(opt, optim.StartFactor(0.5), optim.TotalIters(2)),
					optim.NewCosineAnnealingWarmRestarts(opt, 2)}, []int{2})
				step = func(int) { s.Step() }
			case "chained_constant_exp":
				s := optim.NewChainedScheduler([]optim.Scheduler{
					optim.NewConstantLR(opt, optim.Factor(0.1), optim.TotalIters(2)),
					optim.NewExponentialLR(opt, 0.9)})
				step = func(int) { s.Step() }
			default:
				t.Fatalf("no schedule for golden case %q", c.Name)
			}
			for i, want := range c.Steps {
				if i > 0 {
					opt.Step()
					step(i - 1)
				}
				for g := range want.LR {
					got := opt.ParamGroups()[g].LR
					if math.Abs(got-want.LR[g]) > 1e-15+1e-13*math.Abs(want.LR[g]) {
						t.Fatalf("step %d group %d: lr %.17g, want %.17g", i, g, got, want.LR[g])
					}
					if m := momentum(opt, g); math.Abs(m-want.Mom[g]) > 1e-15+1e-13*math.Abs(want.Mom[g]) {
						t.Fatalf("step %d group %d: momentum %.17g, want %.17g", i, g, m, want.Mom[g])
					}
				}
			}
		})
	}
}

func metric(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}

// TestOneCycleTooManySteps: PyTorch raises once last_epoch passes
// total_steps; here Step panics with its message.
func TestOneCycleTooManySteps(t *testing.T) {
	opt := twoGroups(t, "sgd")
	s := optim.NewOneCycleLR(opt, 0.5, 4)
	for range 4 {
		s.Step()
	}
	assert.PanicsWithError(t, "optim: OneCycleLR.Step: Tried to step 6 times. The specified number of total steps is 4", s.Step)
}

func TestCycleScheduleRefusals(t *testing.T) {
	sgd := twoGroups(t, "sgd")
	cases := map[string]func(){
		"T_0":        func() { optim.NewCosineAnnealingWarmRestarts(sgd, 0) },
		"T_mult":     func() { optim.NewCosineAnnealingWarmRestarts(sgd, 2, optim.TMult(0)) },
		"total":      func() { optim.NewOneCycleLR(sgd, 0.1, 0) },
		"pct":        func() { optim.NewOneCycleLR(sgd, 0.1, 10, optim.PctStart(1.5)) },
		"anneal":     func() { optim.NewOneCycleLR(sgd, 0.1, 10, optim.AnnealStrategy("step")) },
		"max_lrs":    func() { optim.NewOneCycleLR(sgd, 0.1, 10, optim.MaxLRs(0.1)) },
		"factor":     func() { optim.NewReduceLROnPlateau(sgd, optim.Factor(1)) },
		"mode":       func() { optim.NewReduceLROnPlateau(sgd, optim.Mode("up")) },
		"tmode":      func() { optim.NewReduceLROnPlateau(sgd, optim.ThresholdMode("pct")) },
		"min_lrs":    func() { optim.NewReduceLROnPlateau(sgd, optim.MinLR(0, 0, 0)) },
		"patience":   func() { optim.NewReduceLROnPlateau(sgd, optim.Patience(-1)) },
		"frac epoch": func() { optim.NewCosineAnnealingWarmRestarts(sgd, 2).StepTo(-0.5) },
		"option":     func() { optim.NewReduceLROnPlateau(sgd, optim.Gamma(0.5)) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) { requireMisuse(t, f) })
	}
	// An optimizer without momentum cannot cycle it: only SGD and Adam
	// (and AdamW) have one here.
	assert.NotPanics(t, func() { optim.NewOneCycleLR(twoGroups(t, "adam"), 0.1, 10) })
}

// TestCycleScheduleResume: stopping, saving the optimizer and the
// schedule to safetensors and loading both into fresh ones continues with
// the rates and momenta of the run that never stopped.
func TestCycleScheduleResume(t *testing.T) {
	type sched interface {
		StateDict() *nn.TensorDict
		LoadStateDict(*nn.TensorDict) error
	}
	kinds := map[string]func(opt optim.Optimizer) (sched, func(i int)){
		"warm": func(opt optim.Optimizer) (sched, func(int)) {
			s := optim.NewCosineAnnealingWarmRestarts(opt, 2, optim.TMult(2), optim.EtaMin(0.01))
			return s, func(i int) {
				if i%4 == 3 {
					s.StepTo(float64(i) + 0.5)
				} else {
					s.Step()
				}
			}
		},
		"onecycle": func(opt optim.Optimizer) (sched, func(int)) {
			s := optim.NewOneCycleLR(opt, 0.9, 12, optim.ThreePhase())
			return s, func(int) { s.Step() }
		},
		"sequential": func(opt optim.Optimizer) (sched, func(int)) {
			s := optim.NewSequentialLR(opt, []optim.Scheduler{
				optim.NewLinearLR(opt, optim.StartFactor(0.2), optim.TotalIters(3)),
				optim.NewOneCycleLR(opt, 0.7, 4),
				optim.NewCosineAnnealingWarmRestarts(opt, 2, optim.TMult(2))}, []int{3, 7})
			return s, func(int) { s.Step() }
		},
		"chained": func(opt optim.Optimizer) (sched, func(int)) {
			s := optim.NewChainedScheduler([]optim.Scheduler{
				optim.NewConstantLR(opt, optim.TotalIters(4)),
				optim.NewPolynomialLR(opt, optim.TotalIters(10), optim.Power(0.5))})
			return s, func(int) { s.Step() }
		},
		"plateau": func(opt optim.Optimizer) (sched, func(int)) {
			s := optim.NewReduceLROnPlateau(opt, optim.Patience(1), optim.Cooldown(1), optim.Mode("max"))
			return s, func(i int) { s.Step(float64(i % 4)) }
		},
	}
	for name, mk := range kinds {
		for _, kind := range []string{"sgd", "adam"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				ref := twoGroups(t, kind)
				_, refStep := mk(ref)
				var want [][2]float64
				for i := range 12 {
					ref.Step()
					refStep(i)
					want = append(want, [2]float64{ref.ParamGroups()[1].LR, momentum(ref, 1)})
				}
				opt := twoGroups(t, kind)
				s, step := mk(opt)
				for i := range 5 {
					opt.Step()
					step(i)
				}
				var ob, sb bytes.Buffer
				require.NoError(t, nn.WriteSafetensors(&ob, opt.StateDict()))
				require.NoError(t, nn.WriteSafetensors(&sb, s.StateDict()))

				opt2 := twoGroups(t, kind)
				s2, step2 := mk(opt2)
				osd, err := nn.ReadSafetensors(ob.Bytes())
				require.NoError(t, err)
				ssd, err := nn.ReadSafetensors(sb.Bytes())
				require.NoError(t, err)
				require.NoError(t, opt2.LoadStateDict(osd))
				require.NoError(t, s2.LoadStateDict(ssd))
				for i := 5; i < 12; i++ {
					opt2.Step()
					step2(i)
					got := [2]float64{opt2.ParamGroups()[1].LR, momentum(opt2, 1)}
					assert.InDelta(t, want[i][0], got[0], 1e-15, "step %d lr", i)
					assert.InDelta(t, want[i][1], got[1], 1e-15, "step %d momentum", i)
				}
			})
		}
	}
}

// TestCycleScheduleLoadRefusals: a state dict of another kind, with a bad
// value or a wrong-length group list is refused and changes nothing.
func TestCycleScheduleLoadRefusals(t *testing.T) {
	opt := twoGroups(t, "sgd")
	p := optim.NewReduceLROnPlateau(opt)
	sd := p.StateDict()
	sd.Set("patience", tensor.Scalar(-2.0))
	sd.Metadata["mode"] = "sideways"
	err := p.LoadStateDict(sd)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "patience")
	assert.Contains(t, err.Error(), "sideways")

	o := optim.NewOneCycleLR(opt, 0.4, 10)
	sd = o.StateDict()
	sd.Set("max_lr", tensor.New([]float64{0.1}, 1))
	sd.Set("pct_start", tensor.Scalar(2.0))
	err = o.LoadStateDict(sd)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max_lr")
	assert.Contains(t, err.Error(), "pct_start")
	err = o.LoadStateDict(p.StateDict())
	require.Error(t, err)

	w := optim.NewCosineAnnealingWarmRestarts(opt, 3)
	sd = w.StateDict()
	sd.Set("T_cur", tensor.Scalar(math.Inf(1)))
	require.Error(t, w.LoadStateDict(sd))
	before := w.LastLR()
	w.Step()
	assert.NotEqual(t, before, w.LastLR(), "the refused load left the schedule working")
}

// TestSequentialRefusals: what SequentialLR and ChainedScheduler refuse,
// at construction and in a state dict, which then changes nothing in
// them or in their schedules.
func TestSequentialRefusals(t *testing.T) {
	opt, other := twoGroups(t, "sgd"), twoGroups(t, "sgd")
	cases := map[string]func(){
		"milestones": func() { optim.NewSequentialLR(opt, []optim.Scheduler{optim.NewStepLR(opt, 2)}, []int{3}) },
		"unsorted": func() {
			optim.NewSequentialLR(opt, []optim.Scheduler{optim.NewStepLR(opt, 2), optim.NewStepLR(opt, 2), optim.NewStepLR(opt, 2)}, []int{4, 2})
		},
		"other optimizer": func() { optim.NewSequentialLR(opt, []optim.Scheduler{optim.NewStepLR(other, 2)}, nil) },
		"none":            func() { optim.NewChainedScheduler(nil) },
		"mixed": func() {
			optim.NewChainedScheduler([]optim.Scheduler{optim.NewStepLR(opt, 2), optim.NewStepLR(other, 2)})
		},
		"constant factor": func() { optim.NewConstantLR(opt, optim.Factor(0)) },
		"polynomial":      func() { optim.NewPolynomialLR(opt, optim.TotalIters(0)) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) { requireMisuse(t, f) })
	}

	lin := optim.NewLinearLR(opt, optim.TotalIters(3))
	cos := optim.NewCosineAnnealingLR(opt, 4)
	s := optim.NewSequentialLR(opt, []optim.Scheduler{lin, cos}, []int{2})
	for range 3 {
		s.Step()
	}
	good := s.StateDict()
	before := [3]*nn.TensorDict{s.StateDict(), lin.StateDict(), cos.StateDict()}
	bad := s.StateDict()
	bad.Set("_schedulers.0.last_epoch", tensor.Scalar(5.0)) // loads
	bad.Set("_schedulers.1.T_max", tensor.Scalar(0.0))      // refused
	require.Error(t, s.LoadStateDict(bad))
	for i, sd := range [3]*nn.TensorDict{s.StateDict(), lin.StateDict(), cos.StateDict()} {
		for k, v := range before[i].All() {
			now, _ := sd.Get(k)
			assert.Equal(t, v.Float64s(), now.Float64s(), "state %d key %s changed by a refused load", i, k)
		}
	}
	bad = s.StateDict()
	bad.Metadata["_schedulers.1"] = "StepLR"
	require.Error(t, s.LoadStateDict(bad))
	bad = s.StateDict()
	bad.Set("_schedulers.2.last_epoch", tensor.Scalar(1.0))
	require.Error(t, s.LoadStateDict(bad), "a key for a schedule it does not have")
	require.NoError(t, s.LoadStateDict(good))
}

// requireMisuse fails unless f panics with an *optim.Error.
func requireMisuse(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		require.NotNil(t, r, "no panic")
		_, ok := r.(*optim.Error)
		assert.True(t, ok, "panic value %T %v, want *optim.Error", r, r)
	}()
	f()
}
