package optim_test

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// schedRun is an SGD over two groups (lr 0.1 and 0.5) with a schedule.
func schedRun(kind string) (*optim.SGD, optim.Scheduler) {
	opt, _ := optim.NewSGD(slices.Values([]*nn.Parameter{nn.NewParameter(tensor.Zeros(1))}), optim.LR(0.1))
	_ = opt.AddParamGroup(slices.Values([]*nn.Parameter{nn.NewParameter(tensor.Zeros(1))}), optim.LR(0.5))
	switch kind {
	case "StepLR":
		return opt, optim.NewStepLR(opt, 3, optim.Gamma(0.5))
	case "ExponentialLR":
		return opt, optim.NewExponentialLR(opt, 0.8)
	case "MultiStepLR":
		return opt, optim.NewMultiStepLR(opt, []int{7, 2, 7}, optim.Gamma(0.5))
	case "LinearLR":
		return opt, optim.NewLinearLR(opt, optim.StartFactor(0.2), optim.TotalIters(8))
	case "LambdaLR":
		return opt, optim.NewLambdaLR(opt, func(e int) float64 { return 1 / float64(e+1) })
	}
	return opt, optim.NewCosineAnnealingLR(opt, 4, optim.EtaMin(0.01))
}

var schedKinds = []string{"StepLR", "CosineAnnealingLR", "ExponentialLR", "MultiStepLR", "LinearLR", "LambdaLR"}

func groupLRs(opt optim.Optimizer) []float64 {
	var lrs []float64
	for _, g := range opt.ParamGroups() {
		lrs = append(lrs, g.LR)
	}
	return lrs
}

// TestSchedulerResume: stopping after a few epochs, saving the optimizer
// and the schedule to safetensors, and loading both into fresh ones gives
// the rates of the run that never stopped, epoch by epoch.
func TestSchedulerResume(t *testing.T) {
	for _, kind := range schedKinds {
		t.Run(kind, func(t *testing.T) {
			refOpt, refSched := schedRun(kind)
			var want [][]float64
			for range 12 {
				refOpt.Step()
				refSched.Step()
				want = append(want, groupLRs(refOpt))
			}

			opt, sched := schedRun(kind)
			for range 5 {
				opt.Step()
				sched.Step()
			}
			save := func(sd *nn.TensorDict) *nn.TensorDict {
				var buf bytes.Buffer
				require.NoError(t, nn.WriteSafetensors(&buf, sd))
				back, err := nn.ReadSafetensors(buf.Bytes())
				require.NoError(t, err)
				return back
			}
			optState, schedState := save(opt.StateDict()), save(sched.StateDict())
			assert.Equal(t, kind, schedState.Metadata["scheduler"])

			opt2, sched2 := schedRun(kind) // fresh: last_epoch 0, the initial rates
			require.NoError(t, opt2.LoadStateDict(optState))
			require.NoError(t, sched2.LoadStateDict(schedState))
			assert.Equal(t, 5, sched2.LastEpoch())
			assert.Equal(t, sched.LastLR(), sched2.LastLR())
			for e := 5; e < 12; e++ {
				opt2.Step()
				sched2.Step()
				got := groupLRs(opt2)
				for g := range got {
					assert.InDelta(t, want[e][g], got[g], 1e-15, "epoch %d group %d", e+1, g)
				}
			}
		})
	}
}

// TestSchedulerLoadRefuses: a state dict of the other kind, for another
// number of groups, or with values the constructor would refuse is
// refused and changes nothing.
func TestSchedulerLoadRefuses(t *testing.T) {
	_, step := schedRun("StepLR")
	_, cos := schedRun("CosineAnnealingLR")
	_, multi := schedRun("MultiStepLR")
	_, lin := schedRun("LinearLR")
	edit := func(sd *nn.TensorDict, key string, v *tensor.Tensor) *nn.TensorDict {
		out := nn.NewTensorDict()
		out.Metadata = sd.Metadata
		for k, t := range sd.All() {
			out.Set(k, t)
		}
		if v == nil {
			out.Delete(key)
		} else {
			out.Set(key, v)
		}
		return out
	}
	cases := []struct {
		name  string
		sched optim.Scheduler
		sd    *nn.TensorDict
		want  string
	}{
		{"kind", step, cos.StateDict(), `state dict is for scheduler "CosineAnnealingLR", not "StepLR"`},
		{"step_size 0", step, edit(step.StateDict(), "step_size", tensor.Scalar(0.0)), "step_size: 0 < 1"},
		{"step_size 2.5", step, edit(step.StateDict(), "step_size", tensor.Scalar(2.5)), "step_size = 2.5"},
		{"gamma NaN", step, edit(step.StateDict(), "gamma", tensor.Scalar(math.NaN())), "gamma: NaN is not a finite number"},
		{"T_max -1", cos, edit(cos.StateDict(), "T_max", tensor.Scalar(-1.0)), "T_max: -1 < 1"},
		{"last_epoch -2", cos, edit(cos.StateDict(), "last_epoch", tensor.Scalar(-2.0)), "last_epoch = -2, want a whole number >= -1"},
		{"groups", cos, edit(cos.StateDict(), "base_lrs", tensor.New([]float64{0.1}, 1)), `size mismatch for "base_lrs": shape [1] in the state dict, [2] in the scheduler`},
		{"base lr", cos, edit(cos.StateDict(), "base_lrs", tensor.New([]float64{0.1, -1}, 2)), "base_lrs[1] = -1"},
		{"missing", step, edit(step.StateDict(), "_step_count", nil), `missing key "_step_count"`},
		{"unexpected", step, edit(step.StateDict(), "verbose", tensor.Scalar(0.0)), `unexpected key "verbose"`},
		{"milestone -1", multi, edit(multi.StateDict(), "milestones", tensor.New([]float64{2, -1}, 2)), "milestones = -1, want a whole number >= 0"},
		{"milestone 2.5", multi, edit(multi.StateDict(), "milestones", tensor.New([]float64{2.5}, 1)), "milestones = 2.5"},
		{"milestones scalar", multi, edit(multi.StateDict(), "milestones", tensor.Scalar(3.0)), `size mismatch for "milestones"`},
		{"start_factor 0", lin, edit(lin.StateDict(), "start_factor", tensor.Scalar(0.0)), "start_factor: factor 0 is not in (0, 1]"},
		{"end_factor 2", lin, edit(lin.StateDict(), "end_factor", tensor.Scalar(2.0)), "end_factor: factor 2 is not in [0, 1]"},
		{"total_iters -1", lin, edit(lin.StateDict(), "total_iters", tensor.Scalar(-1.0)), "total_iters: -1 < 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := c.sched.StateDict()
			err := c.sched.LoadStateDict(c.sd)
			var le *optim.LoadError
			require.ErrorAs(t, err, &le)
			assert.Contains(t, err.Error(), c.want)
			after := c.sched.StateDict()
			for k, v := range before.All() {
				w, _ := after.Get(k)
				assert.Equal(t, v.Float64s(), w.Float64s(), "%s changed", k)
			}
		})
	}
}

// TestSchedulerConstructorsRefuse: settings PyTorch refuses (or, for a
// zero LinearLR start factor, later versions refuse) panic with an *Error.
func TestSchedulerConstructorsRefuse(t *testing.T) {
	opt, _ := schedRun("StepLR")
	for _, c := range []struct {
		fn   func()
		want string
	}{
		{func() { optim.NewLinearLR(opt, optim.StartFactor(0)) }, "optim: NewLinearLR: start_factor: factor 0 is not in (0, 1]"},
		{func() { optim.NewLinearLR(opt, optim.StartFactor(1.5)) }, "optim: NewLinearLR: start_factor: factor 1.5 is not in (0, 1]"},
		{func() { optim.NewLinearLR(opt, optim.EndFactor(-0.1)) }, "optim: NewLinearLR: end_factor: factor -0.1 is not in [0, 1]"},
		{func() { optim.NewLinearLR(opt, optim.TotalIters(-1)) }, "optim: NewLinearLR: total_iters: -1 < 0"},
		{func() { optim.NewMultiStepLR(opt, []int{3, -2}) }, "optim: NewMultiStepLR: milestone -2 < 0"},
		{func() { optim.NewLambdaLR(opt, nil) }, "optim: NewLambdaLR: nil lambda"},
		{func() { optim.NewExponentialLR(opt, 0.9, optim.Gamma(0.5)) }, "optim: NewExponentialLR: option Gamma does not apply (it takes LastEpoch)"},
	} {
		assert.PanicsWithError(t, c.want, c.fn)
	}
}
