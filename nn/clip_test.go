package nn_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// clipCase is one case of testdata/clip_golden.json (gen_clip.py).
type clipCase struct {
	Name     string
	Fn       string
	Max      float64
	NormType any `json:"norm_type"` // a number or "inf"
	Shapes   [][]int
	DTypes   []string
	Grads    [][]float64
	Total    float64
	After    [][]float64
}

func clipParams(t *testing.T, c clipCase) []*nn.Parameter {
	t.Helper()
	var ps []*nn.Parameter
	for i, shape := range c.Shapes {
		dt := tensor.Float32
		if c.DTypes[i] == "float64" {
			dt = tensor.Float64
		}
		p := nn.NewParameter(dt.Zeros(shape...))
		if c.Grads[i] != nil {
			p.SetGrad(tensor.New(slices.Clone(c.Grads[i]), shape...).To(dt))
		}
		ps = append(ps, p)
	}
	return ps
}

// TestClipGradGolden: ClipGradNorm's returned norm and clipped gradients
// and ClipGradValue's gradients match torch.nn.utils.clip_grad_norm_ and
// clip_grad_value_ (2, 1, ∞ and fractional norms, float32 and float64, a
// parameter without a gradient, a max above the norm).
func TestClipGradGolden(t *testing.T) {
	var g struct{ Cases []clipCase }
	readJSON(t, "clip_golden.json", &g)
	require.NotEmpty(t, g.Cases)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			ps := clipParams(t, c)
			if c.Fn == "value" {
				nn.ClipGradValue(slices.Values(ps), c.Max)
			} else {
				norm := math.Inf(1)
				if f, ok := c.NormType.(float64); ok {
					norm = f
				}
				total := nn.ClipGradNorm(slices.Values(ps), c.Max, norm)
				assert.InEpsilon(t, c.Total, total, 1e-6, "total norm")
			}
			for i, p := range ps {
				if c.After[i] == nil {
					assert.Nil(t, p.Grad(), "param %d has no gradient", i)
					continue
				}
				got := p.Grad().Float64s()
				require.Len(t, got, len(c.After[i]))
				for j, w := range c.After[i] {
					assert.InDelta(t, w, got[j], 2e-7*math.Max(1, math.Abs(w)), "param %d [%d]", i, j)
				}
			}
		})
	}
}

// TestClipGradNormEdges: no gradients gives 0; a non-finite gradient is
// not an error but gives an infinite or NaN total and scales the
// gradients as PyTorch does (by 0 for an infinite total, by NaN for NaN);
// a norm type <= 0 panics.
func TestClipGradNormEdges(t *testing.T) {
	p := nn.NewParameter(tensor.Zeros(3))
	assert.Equal(t, 0.0, nn.ClipGradNorm(slices.Values([]*nn.Parameter{p}), 1, 2))

	p.SetGrad(tensor.New([]float32{1, float32(math.Inf(1)), 2}, 3))
	total := nn.ClipGradNorm(slices.Values([]*nn.Parameter{p}), 1, 2)
	assert.True(t, math.IsInf(total, 1))
	g := p.Grad().Float64s()
	assert.Equal(t, 0.0, g[0])
	assert.True(t, math.IsNaN(g[1]), "inf·0")
	assert.Equal(t, 0.0, g[2])

	p.SetGrad(tensor.New([]float32{1, float32(math.NaN()), 2}, 3))
	total = nn.ClipGradNorm(slices.Values([]*nn.Parameter{p}), 1, math.Inf(1))
	assert.True(t, math.IsNaN(total))
	assert.True(t, math.IsNaN(p.Grad().Float64s()[0]))

	assert.PanicsWithError(t, "nn: ClipGradNorm: norm type 0 is not > 0", func() {
		nn.ClipGradNorm(slices.Values([]*nn.Parameter{p}), 1, 0)
	})
}
