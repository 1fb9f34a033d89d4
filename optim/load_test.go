package optim_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// TestLoadRefusesBadValues: a state dict (a checkpoint read from disk) with
// a setting the constructor would refuse, or a step count that is not a
// whole number of steps, is refused with a *LoadError naming the key, and
// the optimizer keeps its settings and state.
func TestLoadRefusesBadValues(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		kind, key string
		v         float64
		want      string
	}{
		{"SGD", "param_groups.0.lr", -1, "param_groups.0: Invalid learning rate: -1"},
		{"SGD", "param_groups.0.lr", nan, "Invalid learning rate: NaN"},
		{"SGD", "param_groups.0.weight_decay", -0.5, "Invalid weight_decay value: -0.5"},
		{"SGD", "param_groups.0.momentum", -0.9, "Invalid momentum value: -0.9"},
		{"SGD", "param_groups.0.dampening", nan, "Invalid dampening value: NaN"},
		{"SGD", "param_groups.0.dampening", 0.5, "Nesterov momentum requires a momentum and zero dampening"},
		{"SGD", "param_groups.0.params", 0.5, "param_groups.0.params: parameter 0 has index 0.5, want 0"},
		{"Adam", "param_groups.0.beta1", 1, "Invalid beta parameter at index 0: 1"},
		{"Adam", "param_groups.0.beta2", nan, "Invalid beta parameter at index 1: NaN"},
		{"Adam", "param_groups.0.eps", -1e-8, "Invalid epsilon value: -1e-08"},
		{"Adam", "state.0.step", -3, "state.0.step = -3, want a whole number >= 0"},
		{"Adam", "state.0.step", 2.5, "state.0.step = 2.5"},
		{"AdamW", "state.0.step", math.Inf(1), "state.0.step = +Inf"},
		{"AdamW", "state.0.step", 1 << 60, "want a whole number"},
	}
	for _, c := range cases {
		t.Run(c.kind+"/"+c.key, func(t *testing.T) {
			p := nn.NewParameter(tensor.New([]float64{1, 2, 3}, 3))
			newOpt := func() optim.Optimizer {
				ps := slices.Values([]*nn.Parameter{p})
				switch c.kind {
				case "SGD":
					o, _ := optim.NewSGD(ps, optim.LR(0.1), optim.Momentum(0.9), optim.Nesterov())
					return o
				case "Adam":
					o, _ := optim.NewAdam(ps, optim.LR(0.1))
					return o
				}
				o, _ := optim.NewAdamW(ps, optim.LR(0.1))
				return o
			}
			src := newOpt()
			p.SetGrad(tensor.Ones(3).To(tensor.Float64))
			src.Step()
			sd := src.StateDict()
			require.NoError(t, newOpt().LoadStateDict(sd), "the unchanged state dict loads")
			if c.key == "param_groups.0.params" {
				sd.Set(c.key, tensor.New([]float64{c.v}, 1))
			} else {
				sd.Set(c.key, tensor.Scalar(c.v))
			}

			dst := newOpt()
			before := dst.StateDict()
			err := dst.LoadStateDict(sd)
			var le *optim.LoadError
			require.ErrorAs(t, err, &le)
			assert.True(t, strings.Contains(err.Error(), c.want), "%v\nwant %q in it", err, c.want)
			assert.Equal(t, 0.1, dst.ParamGroups()[0].LR, "the settings are kept")
			assert.Equal(t, before.Keys(), dst.StateDict().Keys(), "the state is kept")
		})
	}
}

// TestLoadAMSGradFromStateDict: an AMSGrad setting loaded from the state
// dict decides whether max_exp_avg_sq must be there, not the setting the
// optimizer was built with.
func TestLoadAMSGradFromStateDict(t *testing.T) {
	p := nn.NewParameter(tensor.New([]float64{1, 2, 3}, 3))
	ams, _ := optim.NewAdam(slices.Values([]*nn.Parameter{p}), optim.AMSGrad())
	p.SetGrad(tensor.Ones(3).To(tensor.Float64))
	ams.Step()
	sd := ams.StateDict()
	plain, _ := optim.NewAdam(slices.Values([]*nn.Parameter{p}))
	require.NoError(t, plain.LoadStateDict(sd))
	assert.True(t, plain.ParamGroups()[0].AMSGrad)

	sd.Delete("state.0.max_exp_avg_sq")
	again, _ := optim.NewAdam(slices.Values([]*nn.Parameter{p}))
	err := again.LoadStateDict(sd)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `missing key "state.0.max_exp_avg_sq"`)
	assert.False(t, again.ParamGroups()[0].AMSGrad)
}

// TestLoadRMSpropAdagradState: RMSprop's momentum_buffer and grad_avg are
// required by the momentum and centered settings being loaded, and
// Adagrad's sum always; a state dict without them is refused.
func TestLoadRMSpropAdagradState(t *testing.T) {
	p := nn.NewParameter(tensor.New([]float64{1, 2, 3}, 3))
	p.SetGrad(tensor.New([]float64{0.5, -1, 2}, 3))
	rms, _ := optim.NewRMSprop(slices.Values([]*nn.Parameter{p}), optim.Momentum(0.9), optim.Centered())
	rms.Step()
	sd := rms.StateDict()
	for _, k := range []string{"state.0.square_avg", "state.0.momentum_buffer", "state.0.grad_avg", "state.0.step"} {
		_, ok := sd.Get(k)
		require.True(t, ok, k)
	}
	plain, _ := optim.NewRMSprop(slices.Values([]*nn.Parameter{p}))
	require.NoError(t, plain.LoadStateDict(sd))
	assert.True(t, plain.ParamGroups()[0].Centered)
	assert.Equal(t, 0.9, plain.ParamGroups()[0].Momentum)
	for _, k := range []string{"state.0.momentum_buffer", "state.0.grad_avg"} {
		cut := rms.StateDict()
		cut.Delete(k)
		err := plain.LoadStateDict(cut)
		require.Error(t, err, k)
		assert.Contains(t, err.Error(), `missing key "`+k+`"`)
	}
	// Without momentum and centering the two buffers are not needed.
	cut := rms.StateDict()
	cut.Delete("state.0.momentum_buffer")
	cut.Delete("state.0.grad_avg")
	cut.Set("param_groups.0.momentum", tensor.Scalar(0.0))
	cut.Set("param_groups.0.centered", tensor.Scalar(0.0))
	require.NoError(t, plain.LoadStateDict(cut))

	ada, _ := optim.NewAdagrad(slices.Values([]*nn.Parameter{p}), optim.InitialAccumulatorValue(0.5))
	ada.Step()
	sum, _ := ada.StateDict().Get("state.0.sum")
	assert.Equal(t, []float64{0.75, 1.5, 4.5}, sum.Float64s(), "sum = initial_accumulator_value + grad²")
	cut = ada.StateDict()
	cut.Delete("state.0.sum")
	err := ada.LoadStateDict(cut)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `missing key "state.0.sum"`)
}
