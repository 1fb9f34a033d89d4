package grad_test

import (
	"testing"

	"github.com/simdtorch/simdtorch/grad"
)

func TestGradCheckMatMul(t *testing.T) {
	mm := func(x []*V) *V { return x[0].MatMul(x[1]) }
	check(t, "dot", mm, randn(3), randn(3))
	check(t, "mv", mm, randn(2, 3), randn(3))
	check(t, "vm", mm, randn(3), randn(3, 2))
	check(t, "mm", mm, randn(2, 3), randn(3, 4))
	check(t, "mm transposed", func(x []*V) *V { return x[0].T().MatMul(x[1].T()) }, randn(3, 2), randn(4, 3))
	check(t, "bmm", mm, randn(2, 2, 3), randn(2, 3, 2))
	check(t, "batched @ matrix", mm, randn(2, 2, 3), randn(3, 2))
	check(t, "matrix @ batched", mm, randn(2, 3), randn(2, 3, 2))
	check(t, "broadcast batch", mm, randn(2, 1, 2, 3), randn(3, 3, 2))
	check(t, "batched @ vector", mm, randn(2, 2, 3), randn(3))
	check(t, "vector @ batched", mm, randn(3), randn(2, 3, 2))
	check(t, "addmm", func(x []*V) *V { return grad.AddMM(x[0], x[1], x[2]) }, randn(4), randn(2, 3), randn(3, 4))
	check(t, "addmm alpha beta", func(x []*V) *V {
		return grad.AddMM(x[0], x[1], x[2], grad.Alpha(0.5), grad.Beta(2))
	}, randn(2, 1), randn(2, 3), randn(3, 4))
	check(t, "linear", func(x []*V) *V { return grad.Linear(x[0], x[1], x[2]) }, randn(2, 3), randn(4, 3), randn(4))
	check(t, "linear 3-D", func(x []*V) *V { return grad.Linear(x[0], x[1], x[2]) }, randn(2, 2, 3), randn(4, 3), randn(4))
	check(t, "linear no bias", func(x []*V) *V { return grad.Linear(x[0], x[1], nil) }, randn(2, 3), randn(4, 3))
	check(t, "linear 1-D", func(x []*V) *V { return grad.Linear(x[0], x[1], x[2]) }, randn(3), randn(4, 3), randn(4))
}
