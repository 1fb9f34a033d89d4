package tensor_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/tensor"
)

// gnums converts golden numbers (see num) to float64s.
func gnums(v []num) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

type extraInput struct {
	Shape []int
	Data  []num
}

type extraOp struct {
	Op, Input, Name string
	Dim, K          int
	Keepdim         bool
	Descending      bool
	Largest         bool
	Shape           []int
	Out, Idx, A, B  []num
	Rtol, Atol      float64
	Labels          []int
	NumClasses      int             `json:"num_classes"`
	RawOut          json.RawMessage `json:"out"`
}

// sameValues: equal shapes and values within tol relative (NaN matches NaN,
// infinities match exactly).
func sameValues(t *testing.T, what string, want []float64, shape []int, got *tensor.Tensor, tol float64) {
	t.Helper()
	require.Equal(t, shape, got.Shape(), "%s: shape", what)
	g := got.Float64s()
	for i, w := range want {
		switch {
		case math.IsNaN(w):
			require.True(t, math.IsNaN(g[i]), "%s[%d] = %v, want NaN", what, i, g[i])
		case math.IsInf(w, 0):
			require.Equal(t, w, g[i], "%s[%d]", what, i)
		default:
			require.InDelta(t, w, g[i], tol*math.Max(1, math.Abs(w)), "%s[%d]", what, i)
		}
	}
}

// TestExtraGolden: LogSumExp, CumSum, Sort, TopK, IsNaN/IsInf/IsFinite,
// AllClose and OneHot against torch 1.13 (testdata/extra_golden.json from
// gen_extra.py), with NaN and ±Inf among the inputs; float32 and, for the
// float computations, float64 inputs.
func TestExtraGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/extra_golden.json")
	require.NoError(t, err)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &raw))
	inputs := map[string]*tensor.Tensor{}
	for _, name := range []string{"x", "special", "big"} {
		var in extraInput
		require.NoError(t, json.Unmarshal(raw[name], &in))
		inputs[name] = tensor.New(gnums(in.Data), in.Shape...).To(tensor.Float32)
	}
	var ops []json.RawMessage
	require.NoError(t, json.Unmarshal(raw["cases"], &ops))
	require.Len(t, ops, 53)
	for _, rawOp := range ops {
		var c extraOp
		require.NoError(t, json.Unmarshal(rawOp, &c))
		if c.Op != "allclose" {
			var out []num
			require.NoError(t, json.Unmarshal(c.RawOut, &out))
			c.Out = out
		}
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
			x := inputs[c.Input]
			if x != nil {
				x = x.To(dt)
			}
			tol := 1e-6
			switch c.Op {
			case "logsumexp":
				sameValues(t, c.Op, gnums(c.Out), c.Shape, x.LogSumExp(c.Dim, c.Keepdim), tol)
			case "cumsum":
				sameValues(t, c.Op, gnums(c.Out), c.Shape, x.CumSum(c.Dim), tol)
			case "sort":
				v, i := x.Sort(c.Dim, c.Descending)
				sameValues(t, c.Op, gnums(c.Out), c.Shape, v, 0)
				sameValues(t, c.Op+" indices", gnums(c.Idx), c.Shape, i, 0)
				assert.Equal(t, dt, v.DType())
			case "topk":
				v, i := x.TopK(c.K, c.Dim, c.Largest)
				sameValues(t, c.Op, gnums(c.Out), c.Shape, v, 0)
				sameValues(t, c.Op+" indices", gnums(c.Idx), c.Shape, i, 0)
			case "isnan":
				sameValues(t, c.Op, gnums(c.Out), c.Shape, x.IsNaN(), 0)
			case "isinf":
				sameValues(t, c.Op, gnums(c.Out), c.Shape, x.IsInf(), 0)
			case "isfinite":
				sameValues(t, c.Op, gnums(c.Out), c.Shape, x.IsFinite(), 0)
			case "allclose":
				var want bool
				require.NoError(t, json.Unmarshal(c.RawOut, &want))
				a := tensor.New(gnums(c.A), len(c.A)).To(tensor.Float32).To(dt)
				bb := tensor.New(gnums(c.B), len(c.B)).To(tensor.Float32).To(dt)
				assert.Equal(t, want, a.AllClose(bb, c.Rtol, c.Atol), "allclose %s", c.Name)
			case "one_hot":
				sameValues(t, c.Op, gnums(c.Out), c.Shape, tensor.OneHot(c.Labels, c.NumClasses), 0)
			default:
				t.Fatalf("unknown op %q", c.Op)
			}
		}
	}
}

// TestExtraEdges: Equal's shapes and NaN, TopK's k checks, OneHot's range
// check, 0-d inputs.
func TestExtraEdges(t *testing.T) {
	a := tensor.New([]float32{1, 2, 3}, 3)
	assert.True(t, a.Equal(a.To(tensor.Float64)))
	assert.False(t, a.Equal(a.Reshape(3, 1)))
	assert.False(t, tensor.New([]float32{float32(math.NaN())}, 1).Equal(tensor.New([]float32{float32(math.NaN())}, 1)))
	assert.True(t, a.AllClose(a.AddScalar(1e-7), 1e-5, 1e-8))
	assert.PanicsWithError(t, "tensor: TopK: selected index k out of range: k = 4, dimension size 3", func() { a.TopK(4, 0, true) })
	assert.PanicsWithError(t, "tensor: OneHot: class values must be in [0, num_classes = 3), got 3", func() { tensor.OneHot([]int{0, 3}, 3) })
	v, i := a.TopK(0, 0, true)
	assert.Equal(t, []int{0}, v.Shape())
	assert.Equal(t, []int{0}, i.Shape())
	e := tensor.Zeros(2, 0)
	assert.Equal(t, []float64{math.Inf(-1), math.Inf(-1)}, e.LogSumExp(1, false).Float64s())
	assert.Equal(t, []int{2, 1}, e.LogSumExp(-1, true).Shape())
	assert.Equal(t, []int{0}, tensor.Zeros(0, 3).LogSumExp(1, false).Shape())
	s := tensor.Scalar(float32(2.5))
	assert.Equal(t, 2.5, s.CumSum(0).Item())
	assert.Equal(t, 2.5, s.LogSumExp(0, false).Item())
}
