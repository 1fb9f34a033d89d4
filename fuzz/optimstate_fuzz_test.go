package fuzz

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// FuzzOptimizerLoadState feeds arbitrary safetensors files to each
// optimizer's LoadStateDict, as a resumed training run reads a checkpoint
// from disk. A file is either refused with an error that leaves the
// optimizer as it was, or loaded into a state the optimizer can step from
// (no panic, hyperparameters its constructor would accept) and that saves
// and loads again.
func FuzzOptimizerLoadState(f *testing.F) {
	for _, kind := range optimKinds {
		params := optimParams()
		opt := kind.make(params)
		for range 2 {
			setOptimGrads(params)
			opt.Step()
		}
		var buf bytes.Buffer
		if err := nn.WriteSafetensors(&buf, opt.StateDict()); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := nn.ReadSafetensors(data)
		if err != nil {
			return
		}
		for _, kind := range optimKinds {
			checkOptimLoad(t, kind, sd)
		}
	})
}

// FuzzOptimizerLoadValues sets one value of a valid checkpoint of one
// optimizer kind (a hyperparameter, a step count, a parameter index or a
// state element, chosen by key) to an arbitrary float64 and loads it as
// FuzzOptimizerLoadState does: byte mutations of a whole file rarely keep
// it parseable and change only a number. One kind per input keeps each
// run short; the seeds cover every kind.
func FuzzOptimizerLoadValues(f *testing.F) {
	for _, v := range []float64{-1, 0, 0.5, 1, 2.5, 1 << 60, math.NaN(), math.Inf(-1)} {
		for kind := range uint8(len(optimKinds)) {
			for key := range uint8(12) {
				f.Add(kind, key, v)
			}
		}
	}
	seeds := make([]*nn.TensorDict, len(optimKinds))
	for i, kind := range optimKinds {
		params := optimParams()
		opt := kind.make(params)
		setOptimGrads(params)
		opt.Step()
		seeds[i] = opt.StateDict()
	}
	f.Fuzz(func(t *testing.T, which, key uint8, v float64) {
		i := int(which) % len(optimKinds)
		keys := seeds[i].Keys()
		k := keys[int(key)%len(keys)]
		src, _ := seeds[i].Get(k)
		changed := src.Clone().To(tensor.Float64)
		changed.Reshape(-1).Set(v, 0)
		sd := nn.NewTensorDict()
		sd.Metadata = seeds[i].Metadata
		for name, tv := range seeds[i].All() {
			if name == k {
				tv = changed.To(tv.DType())
			}
			sd.Set(name, tv)
		}
		checkOptimLoad(t, optimKinds[i], sd)
	})
}

// checkOptimLoad loads sd into a fresh optimizer of this kind: refused
// with nothing changed, or loaded into settings the constructor accepts,
// a state that steps, and a state dict that loads again.
func checkOptimLoad(t *testing.T, kind optimKind, sd *nn.TensorDict) {
	t.Helper()
	params := optimParams()
	opt := kind.make(params)
	before := saveState(t, opt)
	if err := opt.LoadStateDict(sd); err != nil {
		if !bytes.Equal(saveState(t, opt), before) {
			t.Fatalf("%s: a refused state dict changed the optimizer (%v)", kind.name, err)
		}
		return
	}
	for _, g := range opt.ParamGroups() {
		if msg := kind.invalid(g); msg != "" {
			t.Fatalf("%s: loaded a group the constructor refuses: %s", kind.name, msg)
		}
	}
	setOptimGrads(params)
	opt.Step()
	again := kind.make(optimParams())
	saved, err := nn.ReadSafetensors(saveState(t, opt))
	if err != nil {
		t.Fatal(err)
	}
	if err := again.LoadStateDict(saved); err != nil {
		t.Fatalf("%s: a loaded and stepped state does not load again: %v", kind.name, err)
	}
}

type optimKind struct {
	name    string
	make    func([]*nn.Parameter) optim.Optimizer
	invalid func(*optim.ParamGroup) string
}

// optimKinds: the optimizers the state fuzz target loads into, each with
// the validity rules of its constructor (a message, or "" when valid).
var optimKinds = []optimKind{
	{"SGD", func(ps []*nn.Parameter) optim.Optimizer {
		o, _ := optim.NewSGD(slices.Values(ps), optim.LR(0.1), optim.Momentum(0.9), optim.Nesterov())
		return o
	}, func(g *optim.ParamGroup) string {
		switch {
		case !(g.LR >= 0) || !(g.WeightDecay >= 0) || !(g.Momentum >= 0) || g.Dampening != g.Dampening:
			return "negative or NaN setting"
		case g.Nesterov && (g.Momentum <= 0 || g.Dampening != 0):
			return "Nesterov without momentum or with dampening"
		}
		return ""
	}},
	{"Adam", func(ps []*nn.Parameter) optim.Optimizer {
		o, _ := optim.NewAdam(slices.Values(ps), optim.AMSGrad())
		return o
	}, adamInvalid},
	{"AdamW", func(ps []*nn.Parameter) optim.Optimizer {
		o, _ := optim.NewAdamW(slices.Values(ps))
		return o
	}, adamInvalid},
	{"RMSprop", func(ps []*nn.Parameter) optim.Optimizer {
		o, _ := optim.NewRMSprop(slices.Values(ps), optim.Momentum(0.5), optim.Centered())
		return o
	}, func(g *optim.ParamGroup) string {
		if !(g.LR >= 0) || !(g.WeightDecay >= 0) || !(g.Eps >= 0) || !(g.Momentum >= 0) || !(g.Alpha >= 0) {
			return "negative or NaN setting"
		}
		return ""
	}},
	{"Adagrad", func(ps []*nn.Parameter) optim.Optimizer {
		o, _ := optim.NewAdagrad(slices.Values(ps), optim.LRDecay(0.01), optim.InitialAccumulatorValue(0.1))
		return o
	}, func(g *optim.ParamGroup) string {
		if !(g.LR >= 0) || !(g.WeightDecay >= 0) || !(g.Eps >= 0) || !(g.LRDecay >= 0) || !(g.InitialAccumulatorValue >= 0) {
			return "negative or NaN setting"
		}
		return ""
	}},
}

func adamInvalid(g *optim.ParamGroup) string {
	if !(g.LR >= 0) || !(g.WeightDecay >= 0) || !(g.Eps >= 0) || !(g.Beta1 >= 0 && g.Beta1 < 1) || !(g.Beta2 >= 0 && g.Beta2 < 1) {
		return "setting out of range"
	}
	return ""
}

// optimParams: a float32 matrix and a float64 vector.
func optimParams() []*nn.Parameter {
	return []*nn.Parameter{
		nn.NewParameter(tensor.New([]float32{1, -2, 3, -4, 5, -6}, 2, 3)),
		nn.NewParameter(tensor.New([]float64{0.5, -0.25, 2, 8}, 4)),
	}
}

func setOptimGrads(ps []*nn.Parameter) {
	for _, p := range ps {
		p.SetGrad(p.Value().MulScalar(0.1))
	}
}

func saveState(t *testing.T, opt optim.Optimizer) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := nn.WriteSafetensors(&buf, opt.StateDict()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzSchedulerLoadValues sets one value of a schedule's state dict (a
// setting, base_lrs, last_epoch, ...; the schedule chosen by which, the
// value by key) to an arbitrary float64 and loads it into a fresh
// schedule: refused with nothing changed, or loaded into a schedule that
// steps and whose state dict loads again.
func FuzzSchedulerLoadValues(f *testing.F) {
	makers := []func(optim.Optimizer) optim.Scheduler{
		func(o optim.Optimizer) optim.Scheduler { return optim.NewStepLR(o, 3, optim.Gamma(0.5)) },
		func(o optim.Optimizer) optim.Scheduler { return optim.NewCosineAnnealingLR(o, 4, optim.EtaMin(0.01)) },
		func(o optim.Optimizer) optim.Scheduler { return optim.NewExponentialLR(o, 0.9) },
		func(o optim.Optimizer) optim.Scheduler { return optim.NewMultiStepLR(o, []int{1, 3, 3}) },
		func(o optim.Optimizer) optim.Scheduler { return optim.NewLinearLR(o, optim.TotalIters(4)) },
		func(o optim.Optimizer) optim.Scheduler {
			return optim.NewLambdaLR(o, func(e int) float64 { return 1 / (1 + float64(e)) })
		},
		func(o optim.Optimizer) optim.Scheduler {
			return optim.NewCosineAnnealingWarmRestarts(o, 2, optim.TMult(2), optim.EtaMin(0.01))
		},
		func(o optim.Optimizer) optim.Scheduler {
			return oneCycle{optim.NewOneCycleLR(o, 0.5, 6, optim.ThreePhase())}
		},
		func(o optim.Optimizer) optim.Scheduler {
			return plateau{optim.NewReduceLROnPlateau(o, optim.Patience(0), optim.Cooldown(1), optim.MinLR(0.001))}
		},
		func(o optim.Optimizer) optim.Scheduler {
			return optim.NewSequentialLR(o, []optim.Scheduler{
				optim.NewConstantLR(o, optim.TotalIters(2)),
				optim.NewPolynomialLR(o, optim.TotalIters(3), optim.Power(2))}, []int{1})
		},
		func(o optim.Optimizer) optim.Scheduler {
			return optim.NewChainedScheduler([]optim.Scheduler{
				optim.NewLinearLR(o), optim.NewCosineAnnealingWarmRestarts(o, 3)})
		},
	}
	// One schedule per input (which), so each run is short; the seeds
	// cover every schedule.
	for _, v := range []float64{-2, -1, 0, 0.5, 1, 3, 1 << 60, math.NaN(), math.Inf(1)} {
		for which := range uint8(len(makers)) {
			for key := range uint8(9) {
				f.Add(which, key, v)
			}
		}
	}
	newOpt := func() optim.Optimizer { return optimKinds[0].make(optimParams()) }
	f.Fuzz(func(t *testing.T, which, key uint8, v float64) {
		for _, mk := range makers[int(which)%len(makers) : int(which)%len(makers)+1] {
			src := mk(newOpt())
			for range 2 {
				src.Step()
			}
			seed := src.StateDict()
			keys := seed.Keys()
			k := keys[int(key)%len(keys)]
			sd := nn.NewTensorDict()
			sd.Metadata = seed.Metadata
			for name, tv := range seed.All() {
				if name == k {
					tv = tv.Clone()
					tv.Reshape(-1).Set(v, 0)
				}
				sd.Set(name, tv)
			}
			s := mk(newOpt())
			before := s.StateDict()
			if err := s.LoadStateDict(sd); err != nil {
				for name, tv := range before.All() {
					now, _ := s.StateDict().Get(name)
					if !slices.Equal(tv.Float64s(), now.Float64s()) {
						t.Fatalf("a refused state dict changed %s (%v)", name, err)
					}
				}
				continue
			}
			if s.LastEpoch() < -1 {
				t.Fatalf("loaded last_epoch %d", s.LastEpoch())
			}
			s.Step()
			if err := mk(newOpt()).LoadStateDict(s.StateDict()); err != nil {
				t.Fatalf("a loaded and stepped schedule does not load again: %v", err)
			}
		}
	})
}

// plateau steps a ReduceLROnPlateau with a metric that never improves, so
// that each Step can lower the rates.
type plateau struct{ *optim.ReduceLROnPlateau }

func (p plateau) Step() { p.ReduceLROnPlateau.Step(1) }

// oneCycle steps a OneCycleLR, which panics once past its total_steps (as
// PyTorch raises): a schedule loaded at its end must panic so, with the
// package's error type, and is left there.
type oneCycle struct{ *optim.OneCycleLR }

func (o oneCycle) Step() {
	total, _ := o.StateDict().Get("total_steps")
	if float64(o.LastEpoch()) < total.Item() {
		o.OneCycleLR.Step()
		return
	}
	defer func() {
		if _, ok := recover().(*optim.Error); !ok {
			panic("OneCycleLR stepped past total_steps without its *optim.Error panic")
		}
	}()
	o.OneCycleLR.Step()
}
