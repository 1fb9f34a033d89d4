package optim_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

type goldenCase struct {
	Name     string           `json:"name"`
	Kind     string           `json:"kind"`
	Defaults map[string]any   `json:"defaults"`
	Groups   []map[string]any `json:"groups"`
	DType    string           `json:"dtype"`
	Shapes   [][]int          `json:"shapes"`
	Init     [][]float64      `json:"init"`
	Grads    [][][]float64    `json:"grads"`
	NilGrad  []int            `json:"nil_grad"`
	Params   [][][]float64    `json:"params"`
}

type golden struct {
	Optimizers []goldenCase `json:"optimizers"`
	Schedulers []struct {
		Name string      `json:"name"`
		LRs  [][]float64 `json:"lrs"`
	} `json:"schedulers"`
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// kwargs turns PyTorch keyword arguments into Options.
func kwargs(t *testing.T, kw map[string]any) []optim.Option {
	var opts []optim.Option
	for k, v := range kw {
		switch k {
		case "lr":
			opts = append(opts, optim.LR(v.(float64)))
		case "momentum":
			opts = append(opts, optim.Momentum(v.(float64)))
		case "dampening":
			opts = append(opts, optim.Dampening(v.(float64)))
		case "weight_decay":
			opts = append(opts, optim.WeightDecay(v.(float64)))
		case "eps":
			opts = append(opts, optim.Eps(v.(float64)))
		case "nesterov":
			if v.(bool) {
				opts = append(opts, optim.Nesterov())
			}
		case "amsgrad":
			if v.(bool) {
				opts = append(opts, optim.AMSGrad())
			}
		case "alpha":
			opts = append(opts, optim.Alpha(v.(float64)))
		case "centered":
			if v.(bool) {
				opts = append(opts, optim.Centered())
			}
		case "lr_decay":
			opts = append(opts, optim.LRDecay(v.(float64)))
		case "initial_accumulator_value":
			opts = append(opts, optim.InitialAccumulatorValue(v.(float64)))
		case "betas":
			b := v.([]any)
			opts = append(opts, optim.Betas(b[0].(float64), b[1].(float64)))
		default:
			t.Fatalf("unknown kwarg %q", k)
		}
	}
	return opts
}

func dtypeOf(s string) tensor.DType {
	if s == "float32" {
		return tensor.Float32
	}
	return tensor.Float64
}

func newTensor(vals []float64, dt tensor.DType, shape []int) *tensor.Tensor {
	return tensor.New(slices.Clone(vals), shape...).To(dt).Clone()
}

// build makes the case's optimizer over params, one group per parameter.
func build(t *testing.T, c goldenCase, params []*nn.Parameter) optim.Optimizer {
	t.Helper()
	def := kwargs(t, c.Defaults)
	var opt optim.Optimizer
	var add func(*nn.Parameter, []optim.Option) error
	var err error
	first := append(slices.Clone(def), kwargs(t, c.Groups[0])...)
	switch c.Kind {
	case "SGD":
		var o *optim.SGD
		o, err = optim.NewSGD(slices.Values(params[:1]), first...)
		opt, add = o, func(p *nn.Parameter, opts []optim.Option) error {
			return o.AddParamGroup(slices.Values([]*nn.Parameter{p}), opts...)
		}
	case "Adam", "AdamW":
		var o *optim.Adam
		if c.Kind == "Adam" {
			o, err = optim.NewAdam(slices.Values(params[:1]), first...)
		} else {
			o, err = optim.NewAdamW(slices.Values(params[:1]), first...)
		}
		opt, add = o, func(p *nn.Parameter, opts []optim.Option) error {
			return o.AddParamGroup(slices.Values([]*nn.Parameter{p}), opts...)
		}
	case "RMSprop":
		var o *optim.RMSprop
		o, err = optim.NewRMSprop(slices.Values(params[:1]), first...)
		opt, add = o, func(p *nn.Parameter, opts []optim.Option) error {
			return o.AddParamGroup(slices.Values([]*nn.Parameter{p}), opts...)
		}
	case "Adagrad":
		var o *optim.Adagrad
		o, err = optim.NewAdagrad(slices.Values(params[:1]), first...)
		opt, add = o, func(p *nn.Parameter, opts []optim.Option) error {
			return o.AddParamGroup(slices.Values([]*nn.Parameter{p}), opts...)
		}
	default:
		t.Fatalf("no optimizer %q", c.Kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(params); i++ {
		if err := add(params[i], kwargs(t, c.Groups[i])); err != nil {
			t.Fatal(err)
		}
	}
	return opt
}

func stepCase(c goldenCase, s int, params []*nn.Parameter, opt optim.Optimizer) {
	dt := dtypeOf(c.DType)
	for i, p := range params {
		if c.NilGrad != nil && c.NilGrad[0] == s && c.NilGrad[1] == i {
			p.ZeroGrad()
		} else {
			p.SetGrad(newTensor(c.Grads[s][i], dt, c.Shapes[i]))
		}
	}
	opt.Step()
}

func checkStep(t *testing.T, c goldenCase, s int, params []*nn.Parameter) {
	t.Helper()
	rtol, atol := 1e-12, 1e-12
	if c.DType == "float32" {
		rtol, atol = 2e-5, 2e-6
	}
	for i, p := range params {
		got := p.Value().Float64s()
		for j, want := range c.Params[s][i] {
			if math.Abs(got[j]-want) > atol+rtol*math.Abs(want) {
				t.Fatalf("step %d param %d (shape %v) [%d]: got %.17g, want %.17g", s+1, i, c.Shapes[i], j, got[j], want)
			}
		}
	}
}

func newParams(c goldenCase) []*nn.Parameter {
	var ps []*nn.Parameter
	for i, v := range c.Init {
		ps = append(ps, nn.NewParameter(newTensor(v, dtypeOf(c.DType), c.Shapes[i])))
	}
	return ps
}

func TestGoldenTrajectories(t *testing.T) {
	for _, c := range loadGolden(t).Optimizers {
		t.Run(c.Name+"/"+c.DType, func(t *testing.T) {
			params := newParams(c)
			opt := build(t, c, params)
			for s := range c.Params {
				stepCase(c, s, params, opt)
				checkStep(t, c, s, params)
			}
		})
	}
}

// TestGoldenResume saves the state after two steps (through the
// safetensors format), loads it into a fresh optimizer over fresh
// parameters, and continues: the trajectory must be PyTorch's.
func TestGoldenResume(t *testing.T) {
	for _, c := range loadGolden(t).Optimizers {
		t.Run(c.Name+"/"+c.DType, func(t *testing.T) {
			params := newParams(c)
			opt := build(t, c, params)
			for s := range 2 {
				stepCase(c, s, params, opt)
			}
			var buf bytes.Buffer
			if err := nn.WriteSafetensors(&buf, opt.StateDict()); err != nil {
				t.Fatal(err)
			}
			sd, err := nn.ReadSafetensors(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			params2 := newParams(c)
			for i := range params2 {
				params2[i] = nn.NewParameter(params[i].Value().Clone())
			}
			// A fresh optimizer with default settings: the hyperparameters
			// come from the state dict.
			c2 := c
			c2.Defaults, c2.Groups = map[string]any{}, make([]map[string]any, len(c.Groups))
			opt2 := build(t, c2, params2)
			if err := opt2.LoadStateDict(sd); err != nil {
				t.Fatal(err)
			}
			for s := 2; s < len(c.Params); s++ {
				stepCase(c, s, params2, opt2)
				checkStep(t, c, s, params2)
			}
		})
	}
}

func TestGoldenSchedulers(t *testing.T) {
	for _, c := range loadGolden(t).Schedulers {
		t.Run(c.Name, func(t *testing.T) {
			p0 := nn.NewParameter(tensor.Zeros(1))
			opt, err := optim.NewSGD(slices.Values([]*nn.Parameter{p0}), optim.LR(0.1))
			if err != nil {
				t.Fatal(err)
			}
			if err := opt.AddParamGroup(slices.Values([]*nn.Parameter{nn.NewParameter(tensor.Zeros(1))}), optim.LR(0.5)); err != nil {
				t.Fatal(err)
			}
			var scheds []optim.Scheduler
			switch c.Name {
			case "steplr":
				scheds = append(scheds, optim.NewStepLR(opt, 3, optim.Gamma(0.5)))
			case "cosine":
				scheds = append(scheds, optim.NewCosineAnnealingLR(opt, 4, optim.EtaMin(0.01)))
			case "chained":
				scheds = append(scheds, optim.NewStepLR(opt, 5, optim.Gamma(0.1)), optim.NewCosineAnnealingLR(opt, 3))
			case "exponential":
				scheds = append(scheds, optim.NewExponentialLR(opt, 0.8))
			case "multistep":
				scheds = append(scheds, optim.NewMultiStepLR(opt, []int{9, 2, 5, 5}, optim.Gamma(0.5)))
			case "linear":
				scheds = append(scheds, optim.NewLinearLR(opt, optim.StartFactor(0.25), optim.EndFactor(0.9), optim.TotalIters(6)))
			case "linear_default":
				scheds = append(scheds, optim.NewLinearLR(opt))
			case "lambda":
				scheds = append(scheds, optim.NewLambdaLR(opt, func(e int) float64 { return math.Pow(0.95, float64(e)) + 0.01*float64(e) }))
			case "warmup_then_exp":
				scheds = append(scheds, optim.NewLinearLR(opt, optim.StartFactor(0.5), optim.TotalIters(3)), optim.NewExponentialLR(opt, 0.9))
			default:
				t.Fatalf("no schedule for golden case %q", c.Name)
			}
			for e, want := range c.LRs {
				if e > 0 {
					opt.Step()
					for _, s := range scheds {
						s.Step()
					}
				}
				for g, w := range want {
					got := opt.ParamGroups()[g].LR
					if math.Abs(got-w) > 1e-15+1e-13*math.Abs(w) {
						t.Fatalf("epoch %d group %d: lr %.17g, want %.17g", e, g, got, w)
					}
				}
			}
			if got := scheds[0].LastEpoch(); got != len(c.LRs)-1 {
				t.Errorf("LastEpoch = %d, want %d", got, len(c.LRs)-1)
			}
		})
	}
}

func TestEmptyParams(t *testing.T) {
	_, err := optim.NewSGD(slices.Values([]*nn.Parameter(nil)))
	if err == nil || err.Error() != "optimizer got an empty parameter list" {
		t.Fatalf("NewSGD: %v", err)
	}
	if _, err := optim.NewAdam(nn.Parameters(nn.NewSequential())); err != optim.ErrEmptyParams {
		t.Fatalf("NewAdam: %v", err)
	}
	p := nn.NewParameter(tensor.Zeros(2))
	o, err := optim.NewAdamW(slices.Values([]*nn.Parameter{p}))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.AddParamGroup(slices.Values([]*nn.Parameter{p})); err != optim.ErrDuplicateParams {
		t.Fatalf("AddParamGroup duplicate: %v", err)
	}
	if got := o.ParamGroups()[0].WeightDecay; got != 0.01 {
		t.Fatalf("AdamW default weight decay %v", got)
	}
}

func TestLoadMismatch(t *testing.T) {
	a := nn.NewParameter(tensor.Zeros(2, 3))
	opt, _ := optim.NewAdam(slices.Values([]*nn.Parameter{a}))
	a.SetGrad(tensor.Ones(2, 3))
	opt.Step()
	sd := opt.StateDict()

	b := nn.NewParameter(tensor.Zeros(3, 2))
	other, _ := optim.NewAdam(slices.Values([]*nn.Parameter{b}))
	before := other.StateDict().Len()
	err := other.LoadStateDict(sd)
	var le *optim.LoadError
	if err == nil || !asLoadError(err, &le) {
		t.Fatalf("want *LoadError, got %v", err)
	}
	t.Log(err)

	sgd, _ := optim.NewSGD(slices.Values([]*nn.Parameter{a}))
	if err := sgd.LoadStateDict(sd); err == nil {
		t.Fatal("SGD loaded an Adam state dict")
	}
	two, _ := optim.NewAdam(slices.Values([]*nn.Parameter{a}))
	_ = two.AddParamGroup(slices.Values([]*nn.Parameter{b}))
	if err := two.LoadStateDict(sd); err == nil {
		t.Fatal("loaded a one-group state dict into two groups")
	}
	// A failed load changes nothing.
	if n := other.StateDict().Len(); n != before {
		t.Fatalf("failed load changed the state: %d keys", n)
	}
}

func asLoadError(err error, le **optim.LoadError) bool {
	e, ok := err.(*optim.LoadError)
	*le = e
	return ok
}
