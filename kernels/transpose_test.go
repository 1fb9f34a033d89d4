package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

// transposeCase runs TransposeCopy and TransposeCopyFresh on guarded
// slices (src filled with random values and specials, dst with a marker
// that the padding between its rows must keep) and checks every element of
// dst bit for bit, NaN payloads included.
func transposeCase[T Float](t *testing.T, r *rand.Rand, rows, cols, lds, ldd, off int) {
	t.Helper()
	ns, nd := 0, 0
	if rows > 0 && cols > 0 {
		ns, nd = (rows-1)*lds+cols, (cols-1)*ldd+rows
	}
	sv := testutil.Values[T](r, ns, true)
	src := testutil.NewGuarded("src", ns, off, sv...)
	const marker = 12345
	for _, f := range transposeFuncs[T]() {
		dst := testutil.NewGuarded("dst", nd, (off+3)%8, T(marker))
		f.fn(dst.S, ldd, src.S, lds, rows, cols)
		require.NoError(t, src.Check())
		require.NoError(t, dst.Check())
		for p, v := range dst.S {
			j, i := p/ldd, p%ldd
			want := T(marker)
			if i < rows {
				want = src.S[i*lds+j]
			}
			if testutil.Bits(v) != testutil.Bits(want) {
				t.Fatalf("%s rows=%d cols=%d lds=%d ldd=%d: dst[%d] (row %d, column %d) = %v, want %v",
					f.name, rows, cols, lds, ldd, p, j, i, v, want)
			}
		}
		for i, v := range sv {
			if testutil.Bits(src.S[i]) != testutil.Bits(v) {
				t.Fatalf("%s: src[%d] changed", f.name, i)
			}
		}
	}
}

// transposeFuncs are the two entries of the transposing copy: the line
// walk (TransposeCopy, on the avx512 path) and the tiles (TransposeCopyFresh).
func transposeFuncs[T Float]() []struct {
	name string
	fn   func(dst []T, ldd int, src []T, lds int, rows, cols int)
} {
	return []struct {
		name string
		fn   func(dst []T, ldd int, src []T, lds int, rows, cols int)
	}{{"TransposeCopy", TransposeCopy[T]}, {"TransposeCopyFresh", TransposeCopyFresh[T]}}
}

func testTransposeSmall[T Float](t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for rows := 0; rows <= 40; rows++ {
			for cols := 0; cols <= 40; cols++ {
				for _, pad := range [][2]int{{0, 0}, {3, 5}, {8, 1}} {
					transposeCase[T](t, r, rows, cols, cols+pad[0], rows+pad[1], (rows+cols)%8)
				}
			}
		}
	})
}

func TestTransposeCopySmall(t *testing.T) {
	t.Run("f32", testTransposeSmall[float32])
	t.Run("f64", testTransposeSmall[float64])
}

// Larger than one 32×32 tile, with strides that alias in L1 (1024) and
// leading dimensions far beyond the width.
func testTransposeTiles[T Float](t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, c := range [][4]int{
			{64, 64, 64, 64}, {100, 70, 1024, 128}, {33, 97, 100, 40}, {129, 8, 8, 1024}, {8, 129, 256, 8}, {1, 200, 200, 1}, {200, 1, 1, 200},
		} {
			transposeCase[T](t, r, c[0], c[1], c[2], c[3], 1)
		}
	})
}

func TestTransposeCopyTiles(t *testing.T) {
	t.Run("f32", testTransposeTiles[float32])
	t.Run("f64", testTransposeTiles[float64])
}

// lds = 0 reads one source row for every row: allowed (a broadcast).
func TestTransposeCopyZeroStride(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		transposeCase[float32](t, r, 16, 24, 0, 16, 0)
		transposeCase[float64](t, r, 16, 24, 0, 20, 0)
	})
}

func TestTransposeCopyPanics(t *testing.T) {
	s := make([]float32, 100)
	for _, c := range []struct {
		name                         string
		nd, ldd, ns, lds, rows, cols int
		length                       bool
	}{
		{"short src", 100, 10, 20, 10, 3, 10, true}, // needs 30
		{"short dst", 29, 10, 100, 10, 10, 3, true}, // needs 30
		{"ldd < rows", 100, 4, 100, 10, 5, 5, false},
		{"negative rows", 100, 4, 100, 10, -1, 5, false},
		{"negative lds", 100, 4, 100, -1, 2, 5, false},
	} {
		for _, f := range transposeFuncs[float32]() {
			t.Run(c.name+"/"+f.name, func(t *testing.T) {
				defer func() {
					v := recover()
					require.NotNil(t, v)
					require.Contains(t, fmt.Sprint(v), f.name)
					if c.length {
						_, ok := v.(*LengthError)
						require.True(t, ok, fmt.Sprint(v))
					}
				}()
				f.fn(s[:c.nd], c.ldd, s[:c.ns], c.lds, c.rows, c.cols)
			})
		}
	}
	// Empty matrices need no storage at all.
	for _, f := range transposeFuncs[float64]() {
		f.fn(nil, 0, nil, 0, 0, 5)
		f.fn(nil, 3, nil, 0, 3, 0)
	}
}

// The line walk (avx512 path) cuts destination rows at line boundaries and
// picks the panel walk when both sides are line-aligned: run it at every
// element offset within a line of both slices, with panels (over 256 rows)
// and edges on every side.
func testTransposeLines[T Float](t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		L := lineEdge[T]()
		for _, c := range [][4]int{{300, 40, 48, 320}, {33, 50, 64, 48}, {16, 16, 16, 16}, {17, 31, 32, 32}} {
			rows, cols, lds, ldd := c[0], c[1], c[2], c[3]
			ns, nd := (rows-1)*lds+cols, (cols-1)*ldd+rows
			for _, off := range []int{0, 1, L - 1, L + 3} {
				for _, f := range transposeFuncs[T]() {
					sb, db := make([]T, ns+2*L), make([]T, nd+2*L)
					for i := range sb {
						sb[i] = T(i)
					}
					src, dst := sb[off:off+ns], db[(off*3)%L:(off*3)%L+nd]
					want := make([]T, nd)
					transposeGeneric(want, ldd, src, lds, rows, cols)
					f.fn(dst, ldd, src, lds, rows, cols)
					for p := range want {
						if testutil.Bits(dst[p]) != testutil.Bits(want[p]) { // the padding stays 0
							t.Fatalf("%s %v off=%d: dst[%d] = %v, want %v", f.name, c, off, p, dst[p], want[p])
						}
					}
					for i, v := range db {
						if (i < (off*3)%L || i >= (off*3)%L+nd) && v != 0 {
							t.Fatalf("%s %v off=%d: written outside dst at %d", f.name, c, off, i)
						}
					}
				}
			}
		}
	})
}

func TestTransposeCopyLines(t *testing.T) {
	t.Run("f32", testTransposeLines[float32])
	t.Run("f64", testTransposeLines[float64])
}
