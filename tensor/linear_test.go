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

// TestIndexSelectInto: the result of IndexSelectInts written into dst, on
// the row-copy path (dim 0, contiguous, no allocation) and the general one,
// negative indices included; bad shapes, dtypes and indices panic.
func TestIndexSelectInto(t *testing.T) {
	g := tensor.NewGenerator(5)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		x := dt.Randn(g, 6, 4, 3)
		for dim := range 3 {
			idx := []int{2, 0, -1, 2}
			shape := x.Shape()
			shape[dim] = len(idx)
			dst := dt.Zeros(shape...)
			require.Same(t, dst, tensor.IndexSelectInto(dst, x, dim, idx))
			assert.Equal(t, x.IndexSelectInts(dim, idx).Float64s(), dst.Float64s(), "%v dim %d", dt, dim)
			assert.Equal(t, []int{2, 0, -1, 2}, idx, "index slice left as given")
		}
		// A non-contiguous destination is written through.
		base := dt.Zeros(6, 2)
		tensor.IndexSelectInto(base.T(), x.Select(2, 0).T(), 0, []int{1, 3})
		assert.Equal(t, x.Select(2, 0).T().IndexSelectInts(0, []int{1, 3}).T().Float64s(), base.Float64s())
	}
	x := tensor.Rand(100, 8)
	dst := tensor.Zeros(10, 8)
	idx := g.Perm(100)[:10]
	if a := testing.AllocsPerRun(10, func() { tensor.IndexSelectInto(dst, x, 0, idx) }); a != 0 {
		t.Errorf("IndexSelectInto of rows allocates %v times", a)
	}
	wantPanic[*tensor.ShapeError](t, func() { tensor.IndexSelectInto(tensor.Zeros(3, 8), x, 0, idx) }, "IndexSelectInto", "[3 8]", "[10 8]")
	wantPanic[*tensor.IndexError](t, func() { tensor.IndexSelectInto(tensor.Zeros(1, 8), x, 0, []int{100}) })
	wantPanic[*tensor.Error](t, func() { tensor.IndexSelectInto(tensor.Float64.Zeros(10, 8), x, 0, idx) }, "dtype")
}

// TestPerm: Generator.Perm is a permutation, and the one RandPerm gives
// from the same state.
func TestPerm(t *testing.T) {
	a, b := tensor.NewGenerator(9), tensor.NewGenerator(9)
	p := a.Perm(50)
	want := b.RandPerm(50).Float64s()
	seen := make([]bool, 50)
	for i, v := range p {
		require.Equal(t, want[i], float64(v))
		require.False(t, seen[v])
		seen[v] = true
	}
	require.Empty(t, a.Perm(0))
	wantPanic[*tensor.Error](t, func() { a.Perm(-1) })
}

// TestLinearReLU: the fused epilogue gives the bits of Linear then ReLU,
// on the direct call and the general path, with and without bias.
func TestLinearReLU(t *testing.T) {
	g := tensor.NewGenerator(12)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for _, s := range [][3]int{{1, 784, 256}, {5, 17, 9}, {64, 33, 10}, {3, 0, 4}} {
			m, in, out := s[0], s[1], s[2]
			x, w, b := dt.Randn(g, m, in), dt.Randn(g, out, in), dt.Randn(g, out)
			for _, bias := range []*tensor.Tensor{b, nil} {
				want := tensor.Linear(x, w, bias).ReLU()
				got := tensor.LinearReLU(x, w, bias)
				assert.Equal(t, want.Float64s(), got.Float64s(), "%v %v bias %v", dt, s, bias != nil)
			}
			if in > 1 {
				xt := dt.Randn(g, in, m).T() // general path
				assert.Equal(t, tensor.Linear(xt, w, b).ReLU().Float64s(), tensor.LinearReLU(xt, w, b).Float64s())
			}
		}
	}
	wantPanic[*tensor.ShapeError](t, func() { tensor.LinearReLU(tensor.Zeros(2, 3), tensor.Zeros(4, 5), nil) }, "LinearReLU: mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)")
}

// TestLinearInto: LinearInto and LinearReLUInto write the bits of Linear
// and LinearReLU into dst, with no allocation on the direct path; a
// destination of another dtype, a non-contiguous one and one that shares
// storage with an operand get the values through a copy; a wrong shape
// panics naming both shapes.
func TestLinearInto(t *testing.T) {
	g := tensor.NewGenerator(13)
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for _, s := range [][3]int{{1, 784, 256}, {5, 17, 9}, {2, 33, 1}, {3, 0, 4}, {0, 5, 3}} {
			m, in, out := s[0], s[1], s[2]
			x, w, b := dt.Randn(g, m, in), dt.Randn(g, out, in), dt.Randn(g, out)
			for _, bias := range []*tensor.Tensor{b, nil} {
				dst := dt.Full(7, m, out)
				require.Same(t, dst, tensor.LinearInto(dst, x, w, bias))
				assert.Equal(t, tensor.Linear(x, w, bias).Float64s(), dst.Float64s(), "%v %v", dt, s)
				require.Same(t, dst, tensor.LinearReLUInto(dst, x, w, bias))
				assert.Equal(t, tensor.LinearReLU(x, w, bias).Float64s(), dst.Float64s(), "%v %v relu", dt, s)
				if m > 0 && out > 1 {
					nc := dt.Zeros(out, m).T() // written through a transposed view
					tensor.LinearReLUInto(nc, x, w, bias)
					assert.Equal(t, tensor.LinearReLU(x, w, bias).Float64s(), nc.Float64s(), "%v %v non-contiguous dst", dt, s)
				}
			}
		}
	}
	// A dst of another dtype gets the converted result.
	x, w, b := tensor.Float32.Randn(g, 4, 6), tensor.Float32.Randn(g, 3, 6), tensor.Float32.Randn(g, 3)
	d64 := tensor.Float64.Zeros(4, 3)
	tensor.LinearInto(d64, x, w, b)
	assert.Equal(t, tensor.Linear(x, w, b).To(tensor.Float64).Float64s(), d64.Float64s())
	// 3-D input, and an input that is dst itself (square weight).
	x3 := tensor.Float32.Randn(g, 2, 5, 6)
	d3 := tensor.Zeros(2, 5, 3)
	tensor.LinearInto(d3, x3, w, b)
	assert.Equal(t, tensor.Linear(x3, w, b).Float64s(), d3.Float64s())
	sq := tensor.Float32.Randn(g, 6, 6)
	xs := tensor.Float32.Randn(g, 4, 6)
	want := tensor.Linear(xs, sq, nil)
	require.Same(t, xs, tensor.LinearInto(xs, xs, sq, nil))
	assert.Equal(t, want.Float64s(), xs.Float64s(), "dst aliasing x")

	dst := tensor.Zeros(1, 256)
	x1, w1, b1 := tensor.Float32.Randn(g, 1, 784), tensor.Float32.Randn(g, 256, 784), tensor.Float32.Randn(g, 256)
	if a := testing.AllocsPerRun(20, func() { tensor.LinearReLUInto(dst, x1, w1, b1) }); a != 0 {
		t.Errorf("LinearReLUInto allocates %v times", a)
	}
	wantPanic[*tensor.ShapeError](t, func() { tensor.LinearInto(tensor.Zeros(4, 2), x, w, b) }, "LinearInto", "[4 2]", "[4 3]")
	wantPanic[*tensor.ShapeError](t, func() { tensor.LinearInto(tensor.Zeros(3), x, w, b) }, "LinearInto", "[3]", "[4 3]")
	wantPanic[*tensor.ShapeError](t, func() { tensor.LinearReLUInto(tensor.Zeros(4, 3), x, tensor.Zeros(3, 5), b) }, "LinearReLUInto: mat1 and mat2 shapes cannot be multiplied (4x6 and 5x3)")
}
