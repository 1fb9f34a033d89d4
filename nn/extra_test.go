package nn_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

type extraCase struct {
	Name, Repr              string
	X, T, G, Out, Dx, Dt, W []float64
	Weight                  []float64
}

// TestExtraGolden: SiLU, ELU, Softplus, HuberLoss, SmoothL1Loss and
// BCELoss against torch 1.13 (testdata/extra_golden.json from
// gen_extra.py): values, input gradients (and the target's where PyTorch
// gives one), reprs; the inputs include the kinks (x = 0, |d| = delta),
// Softplus's threshold and saturated probabilities.
func TestExtraGolden(t *testing.T) {
	var g struct {
		Shape       []int
		Activations []extraCase
		Losses      []extraCase
	}
	readJSON(t, "extra_golden.json", &g)
	acts := map[string]nn.Layer{
		"silu": nn.NewSiLU(), "elu": nn.NewELU(), "elu_0.5": nn.NewELU(nn.Alpha(0.5)),
		"softplus": nn.NewSoftplus(), "softplus_b2_t5": nn.NewSoftplus(nn.Beta(2), nn.Threshold(5)),
	}
	for _, c := range g.Activations {
		t.Run(c.Name, func(t *testing.T) {
			m, ok := acts[c.Name]
			require.True(t, ok, "no module for %s", c.Name)
			assert.Equal(t, c.Repr, m.(interface{ String() string }).String())
			x := grad.Param(tensor.New(c.X, g.Shape...).To(tensor.Float32))
			out := m.Forward(x)
			assertClose(t, c.Out, out.Value(), 2e-6, "out")
			out.Mul(grad.New(tensor.New(c.G, g.Shape...).To(tensor.Float32))).Sum().Backward()
			assertClose(t, c.Dx, x.Grad(), 2e-6, "dx")
		})
	}
	type loss interface {
		Forward(input, target grad.Operand) *grad.Variable
		String() string
	}
	for _, c := range g.Losses {
		t.Run(c.Name, func(t *testing.T) {
			var w *tensor.Tensor
			if c.Weight != nil {
				w = tensor.New(c.Weight, len(c.Weight)).To(tensor.Float32)
			}
			l := map[string]loss{
				"huber": nn.NewHuberLoss(1), "huber_d0.5_sum": nn.NewHuberLoss(0.5, grad.ReduceSum),
				"huber_none": nn.NewHuberLoss(2, grad.ReduceNone), "smoothl1": nn.NewSmoothL1Loss(1),
				"smoothl1_b0.5_sum": nn.NewSmoothL1Loss(0.5, grad.ReduceSum), "smoothl1_b0": nn.NewSmoothL1Loss(0),
				"bce": nn.NewBCELoss(), "bce_weight_sum": nn.NewBCELoss(grad.Weight(w), grad.ReduceSum),
				"bce_none": nn.NewBCELoss(grad.ReduceNone),
			}[c.Name]
			require.NotNil(t, l, "no loss for %s", c.Name)
			assert.Equal(t, c.Repr, l.String())
			x := grad.Param(tensor.New(c.X, g.Shape...).To(tensor.Float32))
			tg := grad.New(tensor.New(c.T, g.Shape...).To(tensor.Float32))
			if c.Dt != nil {
				tg = grad.Param(tg.Value())
			}
			out := l.Forward(x, tg)
			assertClose(t, c.Out, out.Value(), 2e-6, "out")
			gs := []int{}
			if len(c.G) > 1 {
				gs = g.Shape
			}
			var up *tensor.Tensor
			if len(gs) == 0 {
				up = tensor.Scalar(float32(c.G[0]))
			} else {
				up = tensor.New(c.G, gs...).To(tensor.Float32)
			}
			out.Mul(grad.New(up)).Sum().Backward()
			assertClose(t, c.Dx, x.Grad(), 2e-6, "dx")
			if c.Dt != nil {
				assertClose(t, c.Dt, tg.Grad(), 2e-6, "dt")
			}
		})
	}
}

// TestExtraLossErrors: PyTorch's refusals.
func TestExtraLossErrors(t *testing.T) {
	x := grad.New(tensor.New([]float32{0.2, 1.5}, 2))
	y := grad.New(tensor.New([]float32{0, 1}, 2))
	assert.PanicsWithError(t, "grad: BCELoss: all elements of input should be between 0 and 1", func() { grad.BCELoss(x, y) })
	assert.Panics(t, func() { grad.BCELoss(x, grad.New(tensor.Zeros(3))) })
	assert.PanicsWithError(t, "grad: HuberLoss: huber_loss does not support non-positive values for delta, got 0", func() { grad.HuberLoss(x, y, 0) })
	assert.PanicsWithError(t, "grad: SmoothL1Loss: smooth_l1_loss does not support negative values for beta, got -1", func() { grad.SmoothL1Loss(x, y, -1) })
}
