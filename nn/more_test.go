package nn_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// TestMoreGolden: Hardtanh, ReLU6, Hardsigmoid, Hardswish, Mish,
// LogSigmoid, Softsign, Tanhshrink, PReLU (one slope and one per channel,
// with the slopes' gradient) and KLDivLoss (every reduction, a log target)
// against torch 1.13 (testdata/more_golden.json from gen_more.py):
// values, gradients and reprs, at the kinks (0, ±1, ±3, 6) too.
func TestMoreGolden(t *testing.T) {
	var g struct {
		Shape       []int
		Activations []struct {
			extraCase
			W, Dw []float64
		}
		Losses []extraCase
	}
	readJSON(t, "more_golden.json", &g)
	require.Len(t, g.Activations, 11)
	prelu4 := nn.NewPReLU(4, 0.1)
	acts := map[string]nn.Layer{
		"hardtanh": nn.NewHardtanh(-1, 1), "hardtanh_-2_3": nn.NewHardtanh(-2, 3), "relu6": nn.NewReLU6(),
		"hardsigmoid": nn.NewHardsigmoid(), "hardswish": nn.NewHardswish(), "mish": nn.NewMish(),
		"logsigmoid": nn.NewLogSigmoid(), "softsign": nn.NewSoftsign(), "tanhshrink": nn.NewTanhshrink(),
		"prelu": nn.NewPReLU(1, 0.25), "prelu_4": prelu4,
	}
	for _, c := range g.Activations {
		t.Run(c.Name, func(t *testing.T) {
			m, ok := acts[c.Name]
			require.True(t, ok, "no module for %s", c.Name)
			assert.Equal(t, c.Repr, m.(interface{ String() string }).String())
			if c.W != nil {
				p := m.(*nn.PReLU)
				p.Weight.Value().CopyFrom(tensor.New(slices.Clone(c.W), len(c.W)))
				p.Weight.ZeroGrad()
			}
			x := grad.Param(tensor.New(c.X, g.Shape...).To(tensor.Float32))
			out := m.Forward(x)
			assertClose(t, c.Out, out.Value(), 2e-6, "out")
			out.Mul(grad.New(tensor.New(c.G, g.Shape...).To(tensor.Float32))).Sum().Backward()
			assertClose(t, c.Dx, x.Grad(), 2e-6, "dx")
			if c.Dw != nil {
				assertClose(t, c.Dw, m.(*nn.PReLU).Weight.Grad(), 2e-5, "dw")
			}
		})
	}
	for _, c := range g.Losses {
		t.Run(c.Name, func(t *testing.T) {
			l := map[string]*nn.KLDivLoss{
				"kldiv": nn.NewKLDivLoss(), "kldiv_batchmean": nn.NewKLDivLoss(grad.ReduceBatchMean),
				"kldiv_sum": nn.NewKLDivLoss(grad.ReduceSum), "kldiv_none": nn.NewKLDivLoss(grad.ReduceNone),
				"kldiv_log_target": nn.NewKLDivLoss(grad.ReduceBatchMean, grad.LogTarget()),
			}[c.Name]
			require.NotNil(t, l, "no loss for %s", c.Name)
			assert.Equal(t, c.Repr, l.String())
			x := grad.Param(tensor.New(c.X, g.Shape...).To(tensor.Float32))
			out := l.Forward(x, grad.New(tensor.New(c.T, g.Shape...).To(tensor.Float32)))
			assertClose(t, c.Out, out.Value(), 2e-6, "out")
			up := tensor.Scalar(float32(c.G[0]))
			if len(c.G) > 1 {
				up = tensor.New(c.G, g.Shape...).To(tensor.Float32)
			}
			out.Mul(grad.New(up)).Sum().Backward()
			assertClose(t, c.Dx, x.Grad(), 2e-6, "dx")
		})
	}
}

// TestMoreGradCheck: the new activations' and KLDivLoss's gradients by
// finite differences in float64, away from the kinks.
func TestMoreGradCheck(t *testing.T) {
	x := tensor.New([]float64{-4.2, -2.5, -0.7, 0.3, 1.6, 2.9, 4.4, 7.1}, 2, 4)
	w := tensor.New([]float64{0.2, -0.1, 0.4, 0.05}, 4)
	fs := map[string]func(vs []*grad.Variable) *grad.Variable{
		"hardtanh":    func(vs []*grad.Variable) *grad.Variable { return vs[0].Hardtanh(-2, 3) },
		"hardswish":   func(vs []*grad.Variable) *grad.Variable { return vs[0].Hardswish() },
		"hardsigmoid": func(vs []*grad.Variable) *grad.Variable { return vs[0].Hardsigmoid() },
		"mish":        func(vs []*grad.Variable) *grad.Variable { return vs[0].Mish() },
		"logsigmoid":  func(vs []*grad.Variable) *grad.Variable { return vs[0].LogSigmoid() },
		"softsign":    func(vs []*grad.Variable) *grad.Variable { return vs[0].Softsign() },
		"tanhshrink":  func(vs []*grad.Variable) *grad.Variable { return vs[0].Tanhshrink() },
		"prelu":       func(vs []*grad.Variable) *grad.Variable { return grad.PReLU(vs[0], vs[1]) },
		"kldiv": func(vs []*grad.Variable) *grad.Variable {
			return grad.KLDivLoss(vs[0].LogSoftmax(1), vs[1].Softmax(0).Reshape(1, 4), grad.ReduceBatchMean)
		},
	}
	for name, f := range fs {
		t.Run(name, func(t *testing.T) {
			err := grad.GradCheck(f, []*tensor.Tensor{x, w})
			require.NoError(t, err)
		})
	}
}

func TestMoreErrors(t *testing.T) {
	x := grad.New(tensor.Zeros(2, 3, 4))
	assert.PanicsWithError(t, "grad: PReLU: Mismatch of parameter numbers and input channel size. Found parameter numbers = 4 and channel size = 3.", func() {
		grad.PReLU(x, grad.New(tensor.Ones(4)))
	})
	assert.PanicsWithError(t, "grad: KLDivLoss: Reduction(7) is not a valid value for reduction", func() {
		grad.KLDivLoss(x, x, grad.Reduction(7))
	})
	assert.PanicsWithError(t, "grad: Loss: batchmean is not a valid value for reduction", func() {
		grad.MSELoss(x, x, grad.ReduceBatchMean)
	})
	assert.Panics(t, func() { nn.NewHardtanh(1, -1) })
	assert.Panics(t, func() { nn.NewPReLU(0, 0.25) })
	sd := nn.StateDict(nn.NewSequential(nn.NewLinear(2, 3), nn.NewPReLU(3, 0.25)))
	assert.Equal(t, []string{"0.weight", "0.bias", "1.weight"}, sd.Keys(), "PReLU's slopes are its parameter \"weight\"")
}

// TestParametersToVector: parameters_to_vector joins the parameters
// (differentiably) and vector_to_parameters copies a vector back.
func TestParametersToVector(t *testing.T) {
	tensor.Seed(3)
	l := nn.NewLinear(3, 2)
	ps := slices.Collect(nn.Parameters(l))
	v := nn.ParametersToVector(ps)
	require.Equal(t, []int{8}, v.Shape())
	want := append(l.Weight.Value().Float64s(), l.Bias.Value().Float64s()...)
	assert.Equal(t, want, v.Value().Float64s())
	v.Square().Sum().Backward()
	for i, g := range append(l.Weight.Grad().Float64s(), l.Bias.Grad().Float64s()...) {
		assert.InDelta(t, 2*want[i], g, 1e-6, "gradient of |vec|² at %d", i)
	}
	vec := tensor.New([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 8)
	nn.VectorToParameters(vec, ps)
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6}, l.Weight.Value().Float64s())
	assert.Equal(t, []float64{7, 8}, l.Bias.Value().Float64s())
	assert.Panics(t, func() { nn.VectorToParameters(tensor.Zeros(7), ps) })
	assert.Equal(t, []float64{7, 8}, l.Bias.Value().Float64s(), "a refused vector changes nothing")
	assert.Equal(t, 0, nn.ParametersToVector(nil).Value().Numel())
}

// TestUnflatten: nn.Unflatten splits one dimension (torch.nn.Unflatten),
// infers a -1, prints as torch, and refuses sizes that do not multiply up.
func TestUnflatten(t *testing.T) {
	x := grad.New(tensor.Arange(0, 24, 1).Reshape(2, 12))
	u := nn.NewUnflatten(1, 3, 2, 2)
	assert.Equal(t, []int{2, 3, 2, 2}, u.Forward(x).Shape())
	assert.Equal(t, x.Value().Float64s(), u.Forward(x).Value().Float64s())
	assert.Equal(t, []int{2, 4, 3}, nn.NewUnflatten(-1, -1, 3).Forward(x).Shape())
	assert.Equal(t, "Unflatten(dim=1, unflattened_size=(1, 28, 28))", nn.NewUnflatten(1, 1, 28, 28).String())
	assert.Equal(t, "Unflatten(dim=-1, unflattened_size=(4,))", nn.NewUnflatten(-1, 4).String())
	assert.PanicsWithError(t, "tensor: Unflatten: provided sizes don't multiply up to the size of dim 1 (12) in the input tensor (shapes [2 12] and [5 2])",
		func() { nn.NewUnflatten(1, 5, 2).Forward(x) })
	assert.Panics(t, func() { nn.NewUnflatten(1, -1, -1) })
	assert.Panics(t, func() { nn.NewUnflatten(1) })
}

// TestConcurrentInferenceLayers: the stop-13 layers serve concurrent
// no-grad forward passes over one model, race-free (run with -race) and
// with the sequential pass's results: a CNN (Conv2d with pooled im2col
// buffers, BatchNorm2d in eval mode, both poolings, GroupNorm), and an
// LSTM.
func TestConcurrentInferenceLayers(t *testing.T) {
	tensor.Seed(5)
	cnn := nn.NewSequential(
		nn.NewConv2d(2, 4, 3, nn.Padding(1)), nn.NewBatchNorm2d(4), nn.NewReLU(), nn.NewMaxPool2d(2),
		nn.NewConv2d(4, 4, 3, nn.Groups(2)), nn.NewGroupNorm(2, 4), nn.NewAvgPool2d(2), nn.NewFlatten())
	nn.Eval(cnn)
	lstm := nn.NewLSTM(3, 5, nn.NumLayers(2), nn.Bidirectional())
	x := grad.NoGrad(tensor.Randn(3, 2, 10, 10))
	seq := grad.NoGrad(tensor.Randn(7, 2, 3))
	wantC := cnn.Forward(x).Value().Float64s()
	wantL := lstm.Forward(seq).Value().Float64s()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if !slices.Equal(cnn.Forward(x).Value().Float64s(), wantC) {
					t.Error("concurrent CNN results differ")
					return
				}
				if !slices.Equal(lstm.Forward(seq).Value().Float64s(), wantL) {
					t.Error("concurrent LSTM results differ")
					return
				}
			}
		}()
	}
	wg.Wait()
}
