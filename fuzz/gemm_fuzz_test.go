package fuzz

import (
	"math"
	"slices"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
	"github.com/simdtorch/simdtorch/kernels"
)

// FuzzGemmF32 and FuzzGemmF64 run Gemm with m, n, k ≤ 70, every transpose
// combination, leading dimensions past the row length, and alpha/beta from
// raw bits, on every path, against a float64 triple loop. Matrix entries
// come from raw bits too, folded into [-10, 10] when not finite or huge, so
// subnormals, ±0 and exact zeros occur; the padding between rows of C
// must come back untouched. NaN/Inf propagation has its own unit tests.
func FuzzGemmF32(f *testing.F) { fuzzGemm[float32](f) }
func FuzzGemmF64(f *testing.F) { fuzzGemm[float64](f) }

func fuzzGemm[T Float](f *testing.F) {
	for i, s := range [][3]uint8{{1, 1, 1}, {6, 16, 4}, {7, 17, 5}, {13, 33, 70}, {70, 70, 70}, {1, 64, 40}, {40, 1, 64}, {5, 9, 257 % 71}} {
		f.Add(s[0], s[1], s[2], uint8(i), uint64(testutil.Bits(T(1.5))), uint64(testutil.Bits(T(i%3)*0.5)), make([]byte, 64*i))
	}
	f.Fuzz(func(t *testing.T, m8, n8, k8, flags uint8, abits, bbits uint64, data []byte) {
		m, n, k := int(m8)%71, int(n8)%71, int(k8)%71
		tA, tB := kernels.Transpose(flags&1 != 0), kernels.Transpose(flags&2 != 0)
		pad := int(flags>>2) % 4
		alpha, beta := tame(testutil.FromBits[T](abits)), tame(testutil.FromBits[T](bbits))
		ar, ac := m, k
		if tA {
			ar, ac = k, m
		}
		br, bc := k, n
		if tB {
			br, bc = n, k
		}
		lda, ldb, ldc := max(1, ac)+pad, max(1, bc)+pad, max(1, n)+pad
		vals := testutil.FromBytes[T](data)
		next := func(i int) T {
			if len(vals) == 0 {
				return T(i%7) - 3
			}
			return tame(vals[i%len(vals)])
		}
		fill := func(rows, cols, ld, seed int) []T {
			s := make([]T, max(0, (rows-1)*ld+cols))
			for i := range s {
				s[i] = next(i + seed)
			}
			return s
		}
		a, b, c0 := fill(ar, ac, lda, 0), fill(br, bc, ldb, 7919), fill(m, n, ldc, 104729)
		eps := testutil.Eps[T]()
		for _, path := range kernels.Paths() {
			c := slices.Clone(c0)
			onPath(t, path, func() { kernels.Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) })
			for i := range c {
				r, col := i/ldc, i%ldc
				if col >= n || r >= m {
					if !testutil.SameBits(c[i], c0[i]) {
						t.Fatalf("path %s: padding C[%d,%d] written", path, r, col)
					}
					continue
				}
				var s, sa, sxy float64
				for p := range k {
					x := float64(elem(a, lda, bool(tA), r, p))
					y := float64(elem(b, ldb, bool(tB), p, col))
					s += x * y
					sa += math.Abs(x * y)
					sxy += 1 + math.Abs(x) + math.Abs(y)
				}
				want := float64(alpha) * s
				scale := math.Abs(float64(alpha)) * sa
				if beta != 0 {
					want += float64(beta) * float64(c0[i])
					scale += math.Abs(float64(beta) * float64(c0[i]))
				}
				// Relative rounding, plus absolute error near the subnormals:
				// each rounding there is off by up to tiny/2, and the rounding
				// of alpha·a (folded into packed A) is scaled by |b|.
				tiny := float64(testutil.Tiny[T]())
				tol := float64(k+4)*eps*(scale+math.Abs(want)) + tiny*(float64(k+4)+sxy*(1+math.Abs(float64(alpha))))
				if got := float64(c[i]); math.Abs(got-want) > tol {
					t.Fatalf("path %s: %v%v m=%d n=%d k=%d alpha=%v beta=%v: C[%d,%d] = %v, want %v (tol %g)",
						path, tA, tB, m, n, k, alpha, beta, r, col, got, want, tol)
				}
			}
		}
	})
}

// tame folds non-finite and huge values into [-10, 10].
func tame[T Float](v T) T {
	if v != v || math.Abs(float64(v)) > 1e4 {
		return T(math.Mod(math.Abs(float64(testutil.Bits(v)%2001)), 2001)/100 - 10)
	}
	return v
}

func elem[T Float](s []T, ld int, trans bool, r, c int) T {
	if trans {
		return s[c*ld+r]
	}
	return s[r*ld+c]
}

// FuzzDotRowsF32 and FuzzDotRowsF64 run kernels.DotRows (y = B·x, the
// batch-1 nn.Linear product) with up to 40 rows of up to 300 elements and
// a row stride past the row length, on every path, against float64 dot
// products; entries come from raw bits as in FuzzGemm. The padding between
// rows is never read into a result, and y gets exactly its rows.
func FuzzDotRowsF32(f *testing.F) { fuzzDotRows[float32](f) }
func FuzzDotRowsF64(f *testing.F) { fuzzDotRows[float64](f) }

func fuzzDotRows[T Float](f *testing.F) {
	for i, s := range [][2]uint16{{1, 1}, {8, 16}, {9, 17}, {10, 128}, {25, 300}, {17, 33}, {3, 0}, {40, 63}} {
		f.Add(uint8(s[0]), s[1], uint8(i), make([]byte, 48*i))
	}
	f.Fuzz(func(t *testing.T, n8 uint8, k16 uint16, pad8 uint8, data []byte) {
		n, k, pad := int(n8)%41, int(k16)%301, int(pad8)%5
		ldb := k + pad
		vals := testutil.FromBytes[T](data)
		next := func(i int) T {
			if len(vals) == 0 {
				return T(i%7) - 3
			}
			return tame(vals[i%len(vals)])
		}
		b := make([]T, max(0, (n-1)*ldb+k))
		for i := range b {
			if i%ldb >= k {
				b[i] = T(math.NaN()) // padding: must not reach a result
				continue
			}
			b[i] = next(i)
		}
		x := make([]T, k)
		for i := range x {
			x[i] = next(i + 7919)
		}
		eps := testutil.Eps[T]()
		tiny := float64(testutil.Tiny[T]())
		for _, path := range kernels.Paths() {
			y := make([]T, n+1)
			y[n] = 42
			onPath(t, path, func() { kernels.DotRows(y[:n], x, b, ldb) })
			if y[n] != 42 {
				t.Fatalf("path %s: y[%d] past the rows written", path, n)
			}
			for j := range n {
				var s, sa float64
				for p := range k {
					v := float64(x[p]) * float64(b[j*ldb+p])
					s += v
					sa += math.Abs(v)
				}
				tol := float64(k+2)*eps*sa + tiny*float64(k+2)
				if got := float64(y[j]); math.IsNaN(got) || math.Abs(got-s) > tol {
					t.Fatalf("path %s: n=%d k=%d ldb=%d: y[%d] = %v, want %v (tol %g)", path, n, k, ldb, j, got, s, tol)
				}
			}
		}
	})
}
