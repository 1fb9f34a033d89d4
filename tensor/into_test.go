package tensor_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/tensor"
)

func TestAddMMInPlace(t *testing.T) {
	g := tensor.NewGenerator(3)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for _, s := range [][3]int{{1, 1, 1}, {3, 1, 5}, {7, 9, 5}, {1, 784, 256}, {64, 3, 10}, {4, 0, 3}} {
			m, k, n := s[0], s[1], s[2]
			a := dt.Randn(g, k, m).T() // a transposed view, as Linear's backward passes
			b := dt.Randn(g, k, n)
			c := dt.Randn(g, m, n)
			for _, beta := range []float64{0, 1, 0.5} {
				want := tensor.AddMM(c, a, b, tensor.Beta(beta), tensor.Alpha(2))
				got := c.Clone()
				if beta == 0 {
					got.Fill(math.NaN()) // ignored with beta 0
				}
				r := got.AddMMInPlace(a, b, tensor.Beta(beta), tensor.Alpha(2))
				require.Same(t, got, r)
				assert.InDeltaSlice(t, want.Float64s(), got.Float64s(), 1e-4, "%v %v beta %v", dt, s, beta)
			}
		}
	}
	// A non-contiguous destination is written through.
	base := tensor.Zeros(3, 2)
	base.T().AddMMInPlace(tensor.Ones(2, 4), tensor.Ones(4, 3))
	assert.Equal(t, []float64{4, 4, 4, 4, 4, 4}, base.Float64s())

	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { tensor.Zeros(2, 3).AddMMInPlace(tensor.Zeros(2, 4), tensor.Zeros(5, 3)) }, "(2x4 and 5x3)"},
		{func() { tensor.Zeros(2, 2).AddMMInPlace(tensor.Zeros(2, 4), tensor.Zeros(4, 3)) }, "[2 2] and [2 3]"},
		{func() { tensor.Zeros(2, 3).AddMMInPlace(tensor.Zeros(2, 4).To(tensor.Float64), tensor.Zeros(4, 3)) }, "dtype"},
		{func() { tensor.Zeros(2, 3).AddMMInPlace(tensor.Zeros(4), tensor.Zeros(4, 3)) }, "matrices"},
	} {
		v := panicValue(c.f)
		require.NotNil(t, v)
		assert.Contains(t, panicMsg(v), c.want)
	}
}

func panicMsg(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	s, _ := v.(string)
	return s
}

func TestCopyFrom(t *testing.T) {
	dst := tensor.Zeros(2, 3)
	r := dst.CopyFrom(tensor.New([]float64{1, 2, 3}, 3)) // broadcast, float64 → float32
	require.Same(t, dst, r)
	assert.Equal(t, []float64{1, 2, 3, 1, 2, 3}, dst.Float64s())
	src := tensor.Arange(0, 6, 1).Reshape(3, 2)
	dst.CopyFrom(src.T()) // transposed source
	assert.Equal(t, []float64{0, 2, 4, 1, 3, 5}, dst.Float64s())
	v := panicValue(func() { dst.CopyFrom(tensor.Zeros(4)) })
	require.NotNil(t, v)
	assert.True(t, strings.Contains(panicMsg(v), "CopyFrom"), panicMsg(v))
}
