package grad_test

import (
	"math"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

var reductions = []grad.Reduction{grad.ReduceMean, grad.ReduceSum, grad.ReduceNone}

func TestGradCheckLoss(t *testing.T) {
	tgt := tensor.New([]float64{2, 0, 1, 2}, 4)
	w := tensor.New([]float64{0.5, 2, 1}, 3)
	for _, r := range reductions {
		n := r.String()
		check(t, "MSE "+n, func(x []*V) *V { return grad.MSELoss(x[0], x[1], r) }, randn(2, 3), randn(2, 3))
		check(t, "L1 "+n, func(x []*V) *V { return grad.L1Loss(x[0], x[1], r) }, randAway(2, 3), tensor.Float64.Zeros(2, 3))
		check(t, "CE "+n, func(x []*V) *V { return grad.CrossEntropy(x[0], tgt, r) }, randn(4, 3))
		check(t, "CE weighted ignore smooth "+n, func(x []*V) *V {
			return grad.CrossEntropy(x[0], tensor.New([]float64{2, -100, 1, 0}, 4), r, grad.Weight(w), grad.LabelSmoothing(0.2))
		}, randn(4, 3))
		check(t, "CE ignore 1 "+n, func(x []*V) *V {
			return grad.CrossEntropyInts(x[0], []int{2, 1, 1, 0}, r, grad.IgnoreIndex(1))
		}, randn(4, 3))
		check(t, "CE 4-D "+n, func(x []*V) *V {
			return grad.CrossEntropyInts(x[0], []int{0, 2, 1, 1, 2, 0, 0, 1}, r, grad.LabelSmoothing(0.1))
		}, randn(2, 3, 2, 2))
		check(t, "NLL "+n, func(x []*V) *V { return grad.NLLLoss(x[0].LogSoftmax(1), tgt, r, grad.Weight(w)) }, randn(4, 3))
		check(t, "BCE "+n, func(x []*V) *V { return grad.BCEWithLogits(x[0], x[1], r) }, randn(2, 3), tensor.Float64.Rand(gen, 2, 3))
		check(t, "BCE pos_weight weight "+n, func(x []*V) *V {
			return grad.BCEWithLogits(x[0], x[1], r, grad.PosWeight(tensor.New([]float64{1, 3, 0.5}, 3)), grad.Weight(tensor.New([]float64{2, 1}, 2, 1)))
		}, randn(2, 3), tensor.Float64.Rand(gen, 2, 3))
	}
	check(t, "CE unbatched", func(x []*V) *V { return grad.CrossEntropyInts(x[0], []int{1}) }, randn(3))
}

func TestLossStable(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		logits := grad.Param(tensor.New([]float64{100, -100, 0, -100, 100, 0}, 2, 3).To(dt))
		l := grad.CrossEntropyInts(logits, []int{1, 0})
		l.Backward()
		if v := l.Item(); math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v-200) > 1e-3 {
			t.Errorf("%v CE(±100) = %v, want 200", dt, v)
		}
		finite(t, "CE grad", logits.Grad())
		x := grad.Param(tensor.New([]float64{100, -100, 100, -100}, 4).To(dt))
		y := grad.New(tensor.New([]float64{0, 1, 1, 0}, 4).To(dt))
		b := grad.BCEWithLogits(x, y, grad.ReduceSum, grad.PosWeight(tensor.New([]float64{2}, 1).To(dt)))
		b.Backward()
		if v := b.Item(); math.Abs(v-300) > 1e-3 {
			t.Errorf("%v BCE(±100) = %v, want 300", dt, v)
		}
		finite(t, "BCE grad", x.Grad())
	}
}

func finite(t *testing.T, what string, g *tensor.Tensor) {
	t.Helper()
	for _, v := range g.Float64s() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s not finite: %v", what, g)
		}
	}
}
