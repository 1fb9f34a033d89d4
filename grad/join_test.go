package grad_test

import (
	"testing"

	"github.com/simdtorch/simdtorch/grad"
)

func TestGradCheckJoin(t *testing.T) {
	check(t, "Cat dim1", func(x []*V) *V { return grad.Cat(x[:2], 1).Mul(x[2]) }, randn(2, 2), randn(2, 3), randn(2, 5))
	check(t, "Cat dim0", func(x []*V) *V { return grad.Cat([]*V{x[0], x[1], x[0]}, -2) }, randn(1, 2), randn(2, 2))
	check(t, "Stack", func(x []*V) *V { return grad.Stack(x[:2], 1).Mul(x[2]) }, randn(2, 3), randn(2, 3), randn(2, 2, 3))
	check(t, "Split", func(x []*V) *V {
		p := x[0].Split(2, 1)
		return p[0].Sum().Mul(p[1].Sum()).Add(p[2].Sum())
	}, randn(2, 5))
	check(t, "SplitSizes", func(x []*V) *V {
		p := x[0].SplitSizes([]int{1, 3}, 0)
		return p[1].Mul(p[0])
	}, randn(4, 2))
	check(t, "Chunk", func(x []*V) *V {
		p := x[0].Chunk(2, -1)
		return p[0].Mul(p[1])
	}, randn(3, 4))
}
