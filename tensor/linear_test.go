package tensor_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/tensor"
)

// TestLinear: tensor.Linear against AddMM with the transposed weight (the
// same GEMM call, so the same bits) for every rank of x, with and without
// bias, through the direct call and through the general path (a
// non-contiguous x or weight), and for empty and mixed-dtype operands.
func TestLinear(t *testing.T) {
	g := tensor.NewGenerator(11)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for _, s := range [][2]int{{1, 1}, {3, 5}, {784, 256}, {17, 9}, {0, 4}, {4, 0}} {
			in, out := s[0], s[1]
			w := dt.Randn(g, out, in)
			b := dt.Randn(g, out)
			for _, xshape := range [][]int{{in}, {1, in}, {7, in}, {2, 3, in}, {0, in}} {
				x := dt.Randn(g, xshape...)
				rows := x.Numel() / max(in, 1)
				if in == 0 {
					rows = 1
					for _, d := range xshape[:len(xshape)-1] {
						rows *= d
					}
				}
				x2 := x.Reshape(rows, in)
				wantShape := append(append([]int{}, xshape[:len(xshape)-1]...), out)
				for _, bias := range []*tensor.Tensor{b, nil} {
					var want *tensor.Tensor
					if bias != nil {
						want = tensor.AddMM(bias, x2, w.T())
					} else {
						want = x2.MatMul(w.T())
					}
					got := tensor.Linear(x, w, bias)
					require.Equal(t, wantShape, got.Shape(), "%v x%v w%v", dt, xshape, w.Shape())
					require.Equal(t, dt, got.DType())
					assert.Equal(t, want.Float64s(), got.Float64s(), "%v x%v w%v bias %v", dt, xshape, w.Shape(), bias != nil)
				}
			}
			// General path: a transposed x and a weight stored as [in, out].
			if in > 1 && out > 1 {
				xt := dt.Randn(g, in, 6).T()
				wt := w.T().Contiguous().T()
				want := tensor.AddMM(b, xt, w.T())
				assert.InDeltaSlice(t, want.Float64s(), tensor.Linear(xt, wt, b).Float64s(), 1e-4, "%v general path", dt)
				x3 := dt.Randn(g, 2, in, 3).Transpose(1, 2) // [2, 3, in], not contiguous
				got3 := tensor.Linear(x3, w, b)
				require.Equal(t, []int{2, 3, out}, got3.Shape())
				assert.InDeltaSlice(t, tensor.AddMM(b, x3.Reshape(6, in), w.T()).Float64s(), got3.Float64s(), 1e-4, "%v 3-D general path", dt)
			}
		}
	}
	// Mixed dtypes compute in Float64.
	x := tensor.Float32.Randn(g, 2, 3)
	w := tensor.Float64.Randn(g, 4, 3)
	got := tensor.Linear(x, w, nil)
	require.Equal(t, tensor.Float64, got.DType())
	assert.InDeltaSlice(t, x.To(tensor.Float64).MatMul(w.T()).Float64s(), got.Float64s(), 1e-12)

	wantPanic[*tensor.ShapeError](t, func() {
		tensor.Linear(tensor.Zeros(2, 3), tensor.Zeros(4, 5), nil)
	}, "Linear: mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)")
	wantPanic[*tensor.ShapeError](t, func() {
		tensor.Linear(tensor.Zeros(2, 3, 3), tensor.Zeros(4, 5), nil)
	}, "Linear: mat1 and mat2 shapes cannot be multiplied (6x3 and 5x4)")
	wantPanic[*tensor.ShapeError](t, func() {
		tensor.Linear(tensor.Zeros(2, 3), tensor.Zeros(4, 3), tensor.Zeros(3))
	}, "bias must be 1-D with the weight's first dimension (4)")
	wantPanic[*tensor.ShapeError](t, func() {
		tensor.Linear(tensor.Zeros(2, 3), tensor.Zeros(3), nil)
	}, "weight 2")
}
