package grad_test

import (
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

func TestGradCheckIndex(t *testing.T) {
	idx := tensor.New([]float64{2, 0, 2, 1}, 4)
	check(t, "IndexSelect dim0 repeated", func(x []*V) *V { return x[0].IndexSelect(0, idx).Mul(x[1]) }, randn(3, 2), randn(4, 2))
	check(t, "IndexSelect dim1", func(x []*V) *V { return x[0].IndexSelect(1, idx).Mul(x[1]) }, randn(2, 3), randn(2, 4))
	check(t, "IndexSelectInts", func(x []*V) *V { return x[0].IndexSelectInts(0, []int{1, -1, 1}) }, randn(3, 2))
	gi := tensor.New([]float64{0, 2, 1, 0, 0, 0}, 2, 3)
	check(t, "Gather dim1", func(x []*V) *V { return x[0].Gather(1, gi).Mul(x[1]) }, randn(2, 4), randn(2, 3))
	gi0 := tensor.New([]float64{1, 0, 1, 1}, 2, 2)
	check(t, "Gather dim0", func(x []*V) *V { return x[0].Gather(0, gi0) }, randn(2, 3))
}

func TestEmbeddingGrad(t *testing.T) {
	emb := grad.Param(tensor.Float64.Zeros(4, 2))
	emb.IndexSelectInts(0, []int{1, 3, 1}).Sum().Backward()
	near(t, "emb.grad", emb.Grad().Float64s(), []float64{0, 0, 2, 2, 0, 0, 1, 1}, 0)
}
