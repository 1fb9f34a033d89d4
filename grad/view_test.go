package grad_test

import (
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

func TestGradCheckViews(t *testing.T) {
	w := randn(2, 3)
	check(t, "Reshape", func(x []*V) *V { return x[0].Reshape(3, 2).Mul(x[1]) }, randn(2, 3), randn(3, 2))
	check(t, "View", func(x []*V) *V { return x[0].View(6).Mul(x[1]) }, randn(2, 3), randn(6))
	check(t, "Flatten", func(x []*V) *V { return x[0].Flatten(1, 2).Mul(x[1]) }, randn(2, 2, 2), randn(2, 4))
	check(t, "Transpose", func(x []*V) *V { return x[0].Transpose(0, 1).Mul(x[1]) }, w, randn(3, 2))
	check(t, "T", func(x []*V) *V { return x[0].T().Mul(x[1]) }, w, randn(3, 2))
	check(t, "Permute", func(x []*V) *V { return x[0].Permute(2, 0, 1).Mul(x[1]) }, randn(2, 3, 4), randn(4, 2, 3))
	check(t, "Expand", func(x []*V) *V { return x[0].Expand(2, 3, 4).Mul(x[1]) }, randn(3, 1), randn(2, 3, 4))
	check(t, "Narrow", func(x []*V) *V { return x[0].Narrow(1, 1, 2).Mul(x[1]) }, w, randn(2, 2))
	check(t, "Slice step", func(x []*V) *V { return x[0].Slice(1, 0, 3, 2).Mul(x[1]) }, w, randn(2, 2))
	check(t, "Select", func(x []*V) *V { return x[0].Select(1, -1).Mul(x[1]) }, w, randn(2))
	check(t, "Index", func(x []*V) *V { return x[0].Index(1, 2) }, w)
	check(t, "Squeeze/Unsqueeze", func(x []*V) *V { return x[0].Squeeze().Unsqueeze(0).Mul(x[1]) }, randn(2, 1, 3), randn(1, 2, 3))
	check(t, "Contiguous", func(x []*V) *V { return x[0].T().Contiguous().Mul(x[1]) }, w, randn(3, 2))
	check(t, "view chain", func(x []*V) *V {
		return x[0].Reshape(4, 3).T().Slice(1, 1, 4, 1).Reshape(-1).Mul(x[1])
	}, randn(2, 6), randn(9))
}

// A flat parameter sliced and reshaped into two weights trains both, and
// the gradients land in the right places of the flat buffer.
func TestFlatParameterViews(t *testing.T) {
	flat := grad.Param(tensor.Float64.Arange(0, 10, 1))
	w1 := flat.Narrow(0, 0, 6).Reshape(2, 3)
	w2 := flat.Narrow(0, 6, 4).Reshape(2, 2)
	x := grad.New(tensor.New([]float64{1, 2, 3}, 3))
	h := w1.MatMul(x)  // [2]
	y := w2.MatMul(h)  // [2]
	y.Sum().Backward() // dy/dw2[i][j] = h[j]; dy/dw1[k][l] = sum_i w2[i][k] * x[l]
	hv := h.Value().Float64s()
	want := make([]float64, 10)
	w2v := []float64{6, 7, 8, 9}
	for k := range 2 {
		s := w2v[k] + w2v[2+k]
		for l := range 3 {
			want[k*3+l] = s * float64(l+1)
		}
	}
	for i := range 2 {
		for j := range 2 {
			want[6+i*2+j] = hv[j]
		}
	}
	near(t, "flat.grad", flat.Grad().Float64s(), want, 1e-12)

	// And a few SGD steps through the views lower the loss.
	loss := func() *V {
		w1 := flat.Narrow(0, 0, 6).Reshape(2, 3)
		w2 := flat.Narrow(0, 6, 4).Reshape(2, 2)
		return w2.MatMul(w1.MatMul(x)).Pow(2).Sum()
	}
	l0 := loss().Item()
	for range 5 {
		flat.ZeroGrad()
		loss().Backward()
		flat.NoGrad().AddScaledInPlace(-1e-4, flat.Grad())
	}
	if l1 := loss().Item(); !(l1 < l0) {
		t.Fatalf("loss did not fall: %v -> %v", l0, l1)
	}
}
