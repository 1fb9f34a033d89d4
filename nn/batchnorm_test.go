package nn_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

type bnStep struct {
	X, G, Out, Dx, Dweight, Dbias []float64
	RunningMean                   []float64 `json:"running_mean"`
	RunningVar                    []float64 `json:"running_var"`
	NumBatchesTracked             float64   `json:"num_batches_tracked"`
}

type bnCase struct {
	Name         string
	Kind         string // BatchNorm1d, BatchNorm2d or GroupNorm
	Groups       int
	Shape        []int
	DType        string
	Momentum     *float64
	Eps          float64
	Affine       bool
	Track        bool
	Repr         string
	Keys         []string
	Weight, Bias []float64
	Steps        []bnStep
	EvalX        []float64 `json:"eval_x"`
	EvalOut      []float64 `json:"eval_out"`
}

func assertClose(t *testing.T, want []float64, got *tensor.Tensor, tol float64, what string) {
	t.Helper()
	require.NotNil(t, got, what)
	g := got.Float64s()
	require.Len(t, g, len(want), what)
	for i, w := range want {
		if math.Abs(g[i]-w) > tol*math.Max(1, math.Abs(w)) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, g[i], w)
		}
	}
}

// bnModule is what the golden test needs of BatchNorm1d, BatchNorm2d and
// GroupNorm.
type bnModule interface {
	nn.Layer
	String() string
}

// TestBatchNorm1dGolden: outputs, gradients, running statistics (three
// training steps) and the eval-mode output match torch.nn.BatchNorm1d for
// 2-D and 3-D inputs, momentum 0.1, 0.3 and None, no affine, no running
// statistics and float64; the repr and state-dict keys match too. The
// same for BatchNorm2d and GroupNorm (3-D, 4-D and 2-D inputs, one group,
// one channel per group).
func TestBatchNorm1dGolden(t *testing.T) {
	var g struct{ Cases []bnCase }
	readJSON(t, "batchnorm_golden.json", &g)
	require.NotEmpty(t, g.Cases)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			dt, tol := tensor.Float32, 2e-5
			opts := []nn.Option{nn.Eps(c.Eps)}
			if c.DType == "float64" {
				dt, tol = tensor.Float64, 1e-12
				opts = append(opts, nn.WithDType(dt))
			}
			if c.Momentum == nil {
				opts = append(opts, nn.CumulativeAverage())
			} else {
				opts = append(opts, nn.Momentum(*c.Momentum))
			}
			if !c.Affine {
				opts = append(opts, nn.NoAffine())
			}
			if !c.Track {
				opts = append(opts, nn.NoRunningStats())
			}
			var bn bnModule
			var weight, bias *nn.Parameter
			var runMean, runVar, count *nn.Buffer
			switch c.Kind {
			case "BatchNorm1d":
				b := nn.NewBatchNorm1d(c.Shape[1], opts...)
				bn, weight, bias, runMean, runVar, count = b, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked
			case "BatchNorm2d":
				b := nn.NewBatchNorm2d(c.Shape[1], opts...)
				bn, weight, bias, runMean, runVar, count = b, b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked
			case "GroupNorm":
				gopts := []nn.Option{nn.Eps(c.Eps)}
				if dt == tensor.Float64 {
					gopts = append(gopts, nn.WithDType(dt))
				}
				if !c.Affine {
					gopts = append(gopts, nn.NoAffine())
				}
				b := nn.NewGroupNorm(c.Groups, c.Shape[1], gopts...)
				bn, weight, bias = b, b.Weight, b.Bias
			default:
				t.Fatalf("kind %q", c.Kind)
			}
			assert.Equal(t, c.Repr, bn.String())
			assert.Equal(t, c.Keys, append([]string{}, nn.StateDict(bn).Keys()...))
			if c.Affine {
				weight.Value().CopyFrom(tensor.New(c.Weight, len(c.Weight)))
				bias.Value().CopyFrom(tensor.New(c.Bias, len(c.Bias)))
			}
			for s, st := range c.Steps {
				x := grad.Param(tensor.New(st.X, c.Shape...).To(dt))
				out := bn.Forward(x)
				assert.Equal(t, dt, out.Value().DType())
				assertClose(t, st.Out, out.Value(), tol, "out")
				if s == 0 {
					out.Mul(grad.New(tensor.New(st.G, c.Shape...).To(dt))).Sum().Backward()
					assertClose(t, st.Dx, x.Grad(), tol*10, "dx")
					if c.Affine {
						assertClose(t, st.Dweight, weight.Grad(), tol*10, "dweight")
						assertClose(t, st.Dbias, bias.Grad(), tol*10, "dbias")
					}
				}
				if c.Track {
					assertClose(t, st.RunningMean, runMean.Tensor, tol, "running_mean")
					assertClose(t, st.RunningVar, runVar.Tensor, tol, "running_var")
					assert.Equal(t, st.NumBatchesTracked, count.Item())
				}
			}
			nn.Eval(bn)
			out := bn.Forward(grad.NoGrad(tensor.New(c.EvalX, c.Shape...).To(dt)))
			assertClose(t, c.EvalOut, out.Value(), tol, "eval out")
		})
	}
}

// TestBatchNorm1dErrors: inputs of the wrong rank or channel count panic
// with a *tensor.ShapeError naming both shapes, as does a training batch
// with one value per channel (accepted in eval mode); BatchNorm2d and
// GroupNorm likewise.
func TestBatchNorm1dErrors(t *testing.T) {
	bn := nn.NewBatchNorm1d(4)
	for _, c := range []struct {
		shape []int
		want  string
	}{
		{[]int{2, 4, 3, 1}, "tensor: BatchNorm1d: expected 2D or 3D input (got 4D input) (shapes [2 4 3 1] and [4])"},
		{[]int{5, 3}, "tensor: BatchNorm1d: the input's dimension 1 must be num_features (shapes [5 3] and [4])"},
		{[]int{1, 4}, "tensor: BatchNorm1d: expected more than 1 value per channel when training (shapes [1 4] and [4])"},
	} {
		assert.PanicsWithError(t, c.want, func() { bn.Forward(grad.New(tensor.Zeros(c.shape...))) })
	}
	assert.Equal(t, 0.0, bn.NumBatchesTracked.Item(), "a refused batch is not counted")
	nn.Eval(bn)
	assert.NotPanics(t, func() { bn.Forward(grad.New(tensor.Zeros(1, 4))) })
	assert.Panics(t, func() { nn.NewBatchNorm1d(0) })

	bn2 := nn.NewBatchNorm2d(3)
	assert.PanicsWithError(t, "tensor: BatchNorm2d: expected 4D input (got 3D input) (shapes [2 3 4] and [3])",
		func() { bn2.Forward(grad.New(tensor.Zeros(2, 3, 4))) })
	assert.PanicsWithError(t, "tensor: BatchNorm2d: the input's dimension 1 must be num_features (shapes [2 4 2 2] and [3])",
		func() { bn2.Forward(grad.New(tensor.Zeros(2, 4, 2, 2))) })
	gn := nn.NewGroupNorm(2, 4)
	assert.PanicsWithError(t, "tensor: GroupNorm: expected input with shape [*, 4, *] (shapes [2 3 5] and [4])",
		func() { gn.Forward(grad.New(tensor.Zeros(2, 3, 5))) })
	assert.PanicsWithError(t, "nn: NewGroupNorm: num_channels must be divisible by num_groups", func() { nn.NewGroupNorm(3, 4) })
}

// TestBatchNorm1dLoadsTorchCheckpoint: the state dict of a trained
// torch.nn.BatchNorm1d saved as safetensors (num_batches_tracked as I64)
// loads strictly into a BatchNorm1d, which then gives torch's eval
// output; saving and loading it again round-trips.
func TestBatchNorm1dLoadsTorchCheckpoint(t *testing.T) {
	var g struct{ Cases []bnCase }
	readJSON(t, "batchnorm_golden.json", &g)
	c := g.Cases[0]
	require.Equal(t, "2d", c.Name)
	last := c.Steps[len(c.Steps)-1]

	sd, err := nn.LoadSafetensors("testdata/batchnorm_ref.safetensors")
	require.NoError(t, err)
	bn := nn.NewBatchNorm1d(c.Shape[1])
	missing, err := nn.LoadStateDict(bn, sd)
	require.NoError(t, err)
	assert.Empty(t, missing.Missing)
	assert.Equal(t, last.NumBatchesTracked, bn.NumBatchesTracked.Item())
	assertClose(t, last.RunningVar, bn.RunningVar.Tensor, 1e-7, "running_var")
	nn.Eval(bn)
	out := bn.Forward(grad.NoGrad(tensor.New(c.EvalX, c.Shape...).To(tensor.Float32)))
	assertClose(t, c.EvalOut, out.Value(), 2e-5, "eval out")

	var buf bytes.Buffer
	require.NoError(t, nn.WriteSafetensors(&buf, nn.StateDict(bn)))
	back, err := nn.ReadSafetensors(buf.Bytes())
	require.NoError(t, err)
	again := nn.NewBatchNorm1d(c.Shape[1])
	_, err = nn.LoadStateDict(again, back)
	require.NoError(t, err)
	assert.Equal(t, bn.RunningMean.Float64s(), again.RunningMean.Float64s())
	assert.Equal(t, 3.0, again.NumBatchesTracked.Item())
}

// TestBatchNorm1dEvalGradient: in eval mode the running statistics are
// constants, but the input and the affine parameters still get
// gradients (fine-tuning through a frozen BatchNorm).
func TestBatchNorm1dEvalGradient(t *testing.T) {
	bn := nn.NewBatchNorm1d(2, nn.WithDType(tensor.Float64))
	bn.RunningVar.CopyFrom(tensor.New([]float64{3, 0.25}, 2))
	bn.Weight.Value().CopyFrom(tensor.New([]float64{2, -1}, 2))
	nn.Eval(bn)
	x := grad.Param(tensor.New([]float64{1, 2, 3, 4}, 2, 2))
	bn.Forward(x).Sum().Backward()
	require.NotNil(t, x.Grad())
	s0, s1 := 2/math.Sqrt(3+1e-5), -1/math.Sqrt(0.25+1e-5)
	assert.InDeltaSlice(t, []float64{s0, s1, s0, s1}, x.Grad().Float64s(), 1e-12)
	require.NotNil(t, bn.Bias.Grad())
	assert.Equal(t, []float64{2, 2}, bn.Bias.Grad().Float64s())
}
