package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestDotRowsKernel: a path's dotRows kernel gives its Go twin's bits
// (float64; float32 within a few ulps of the row's scale, the twin's
// double-rounded FMA) and writes nothing outside y, for row counts around
// its eight-row passes and lengths around its vector widths and tails.
func TestDotRowsKernel(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testDotRowsKernel[float32])
		t.Run("f64", testDotRowsKernel[float64])
	})
}

func testDotRowsKernel[T Float](t *testing.T) {
	o := opsFor[T]()
	if o.gemm.dotRows == nil {
		t.Skip("no dotRows kernel on this path")
	}
	r := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{1, 2, 7, 8, 9, 15, 16, 17, 25} {
		for _, k := range []int{0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 784} {
			ldb := k + n%3
			b := testutil.NewGuarded("b", (n-1)*ldb+k, n%8, testutil.Values[T](r, (n-1)*ldb+k, false)...)
			x := testutil.NewGuarded("x", k, k%8, testutil.Values[T](r, k, false)...)
			want := make([]T, n)
			dotRowsGeneric(o.gemm.dotLanes, x.S, b.S, ldb, want)
			y := testutil.NewGuarded("y", n, (n+k)%8, testutil.Values[T](r, n, false)...)
			o.gemm.dotRows(x.S, b.S, ldb, y.S)
			for _, g := range []*testutil.Guarded[T]{b, x, y} {
				require.NoError(t, g.Check(), "n=%d k=%d", n, k)
			}
			for j := range n {
				if testutil.SameBits(y.S[j], want[j]) {
					continue
				}
				var scale float64
				for p := range k {
					scale += math.Abs(float64(x.S[p]) * float64(b.S[j*ldb+p]))
				}
				if _, f32 := any(y.S[j]).(float32); !f32 || math.Abs(float64(y.S[j])-float64(want[j])) > 4*testutil.Eps[T]()*scale {
					t.Fatalf("n=%d k=%d: y[%d] = %v, twin gives %v", n, k, j, y.S[j], want[j])
				}
			}
		}
	}
}

// TestDotRows: the exported entry on every path against float64 dots,
// special values propagated as by Dot, and its panics.
func TestDotRows(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testDotRows[float32])
		t.Run("f64", testDotRows[float64])
	})
}

func testDotRows[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	for _, n := range []int{0, 1, 3, 8, 10, 129} {
		for _, k := range []int{0, 1, 9, 40, 256} {
			ldb := k + 5
			b := testutil.Values[T](r, max(0, (n-1)*ldb+k), false)
			x := testutil.Values[T](r, k, false)
			y := testutil.Values[T](r, n, false)
			DotRows(y, x, b, ldb)
			for j := range n {
				var s, scale float64
				for p := range k {
					s += float64(x[p]) * float64(b[j*ldb+p])
					scale += math.Abs(float64(x[p]) * float64(b[j*ldb+p]))
				}
				require.InDelta(t, s, float64(y[j]), float64(k+1)*testutil.Eps[T]()*scale, "n=%d k=%d j=%d", n, k, j)
			}
		}
	}
	// NaN and Inf in a row reach that row's result only.
	x := []T{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}
	b := make([]T, 3*len(x))
	for i := range b {
		b[i] = 1
	}
	b[len(x)+16] = T(math.NaN())
	b[2*len(x)+3] = T(math.Inf(-1))
	y := make([]T, 3)
	DotRows(y, x, b, len(x))
	require.Equal(t, T(153), y[0])
	require.True(t, math.IsNaN(float64(y[1])), "NaN row gives %v", y[1])
	require.True(t, math.IsInf(float64(y[2]), -1), "-Inf row gives %v", y[2])

	require.PanicsWithError(t, (&LengthError{Kernel: "DotRows", Name1: "b", Len1: 5, Name2: "(len(y)-1)*ldb+len(x)", Len2: 6}).Error(),
		func() { DotRows(make([]T, 2), make([]T, 3), make([]T, 5), 3) })
	require.PanicsWithValue(t, fmt.Sprintf("kernels: DotRows: bad row stride ldb=%d for rows of %d elements", 2, 3),
		func() { DotRows(make([]T, 2), make([]T, 3), make([]T, 9), 2) })
	DotRows(nil, make([]T, 3), nil, 0) // no rows: nothing read
}
