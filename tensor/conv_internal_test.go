package tensor

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestConv2dChunks: with an im2col budget of a few samples, the batch runs
// in chunks (the last one short) and gives the bits of one chunk.
func TestConv2dChunks(t *testing.T) {
	g := NewGenerator(5)
	x, w, b := Float64.Randn(g, 7, 4, 6, 5), Float64.Randn(g, 6, 2, 3, 3), Float64.Randn(g, 6)
	gy := Float64.Randn(g, 7, 6, 3, 1)
	s, p, d := [2]int{2, 1}, [2]int{1, 0}, [2]int{1, 2}
	want := Conv2d(x, w, b, s, p, d, 2)
	wx, ww, wb := Conv2dBackward(gy, x, w, s, p, d, 2, [3]bool{true, true, true})
	defer func(v int) { colBudget = v }(colBudget)
	for _, budget := range []int{1, 4 * 9 * 3 * 3, 4 * 9 * 3 * 2} { // 1 sample, 3 (7 = 3+3+1), 2 (2+2+2+1)
		colBudget = budget
		assert.Equal(t, want.Float64s(), Conv2d(x, w, b, s, p, d, 2).Float64s(), "budget %d", budget)
		gx, gw, gb := Conv2dBackward(gy, x, w, s, p, d, 2, [3]bool{true, true, true})
		assert.Equal(t, wx.Float64s(), gx.Float64s())
		assert.InDeltaSlice(t, ww.Float64s(), gw.Float64s(), 1e-12) // summed in another order
		assert.Equal(t, wb.Float64s(), gb.Float64s())
	}
}
