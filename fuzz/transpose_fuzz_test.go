package fuzz

import (
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/simdtorch/simdtorch/internal/testutil"
	"github.com/simdtorch/simdtorch/kernels"
)

// FuzzTransposeF32 and FuzzTransposeF64 run TransposeCopy with rows and
// cols up to 70 (so that 32×32 tiles, 16×16, 8×8 and 4×4 blocks and their
// edges all occur), leading dimensions past the widths and misaligned guarded
// slices, on every assembly path against generic: the result must match
// bit for bit (NaN payloads included, it is a copy), and neither the
// guards nor the padding between destination rows may change. Source
// values come from the fuzzer's bytes, repeated to fill the matrix.
func FuzzTransposeF32(f *testing.F) { fuzzTranspose[float32](f) }
func FuzzTransposeF64(f *testing.F) { fuzzTranspose[float64](f) }

func fuzzTranspose[T Float](f *testing.F) {
	for i, s := range [][4]uint8{{0, 0, 0, 0}, {1, 1, 0, 0}, {8, 8, 0, 0}, {4, 4, 1, 2}, {9, 17, 3, 5}, {33, 40, 0, 7}, {64, 64, 0, 0}, {70, 65, 6, 1}, {16, 3, 9, 0}} {
		r := rand.New(rand.NewPCG(uint64(i), 7))
		f.Add(s[0], s[1], s[2], s[3], uint8(i), testutil.ToBytes(testutil.Values[T](r, 40, true)))
	}
	f.Fuzz(func(t *testing.T, rows8, cols8, padS, padD, off uint8, data []byte) {
		rows, cols := int(rows8)%71, int(cols8)%71
		lds, ldd := cols+int(padS)%9, rows+int(padD)%9
		ns, nd := 0, 0
		if rows > 0 && cols > 0 {
			ns, nd = (rows-1)*lds+cols, (cols-1)*ldd+rows
		}
		vals := testutil.FromBytes[T](data)
		if len(vals) == 0 {
			vals = []T{1}
		}
		src := make([]T, ns)
		for i := range src {
			src[i] = vals[i%len(vals)]
		}
		result := func(path string) []T {
			gs, ss := guarded([][]T{make([]T, nd), src}, off)
			for i := range ss[0] {
				ss[0][i] = T(-7) // the padding must keep it
			}
			onPath(t, path, func() { kernels.TransposeCopy(ss[0], ldd, ss[1], lds, rows, cols) })
			checkGuards(t, path, gs)
			return ss[0]
		}
		want := result("generic")
		for p, v := range want { // generic against the definition
			j, i := p/ldd, p%ldd
			w := T(-7)
			if i < rows {
				w = src[i*lds+j]
			}
			if testutil.Bits(v) != testutil.Bits(w) {
				t.Fatalf("generic, %d×%d lds=%d ldd=%d: dst[%d] = %v, want %v", rows, cols, lds, ldd, p, v, w)
			}
		}
		for _, path := range asmPaths() {
			got := result(path)
			for p := range want {
				if testutil.Bits(got[p]) != testutil.Bits(want[p]) {
					t.Fatalf("path %s, %d×%d lds=%d ldd=%d: dst[%d] = %v, generic %v", path, rows, cols, lds, ldd, p, got[p], want[p])
				}
			}
		}
	})
}

// FuzzTransposeLinesF32 and FuzzTransposeLinesF64 run TransposeCopy and
// TransposeCopyFresh on matrices large enough for the avx512 line walk
// (rows and cols from one line of elements up, rows up to 615: the walk's
// panels of 256 source rows and their remainder), with leading dimensions
// that are often whole lines (the panel walk) and often not (the strips),
// at every element offset within a line, on every assembly path against
// generic: bit for bit, guards and destination padding untouched.
func FuzzTransposeLinesF32(f *testing.F) { fuzzTransposeLines[float32](f) }
func FuzzTransposeLinesF64(f *testing.F) { fuzzTransposeLines[float64](f) }

func fuzzTransposeLines[T Float](f *testing.F) {
	for i, s := range [][6]uint16{{0, 0, 0, 0, 0, 0}, {240, 16, 0, 0, 0, 0}, {241, 17, 1, 3, 1, 5}, {500, 48, 4, 0, 0, 0},
		{599, 79, 2, 6, 15, 9}, {256, 32, 0, 4, 3, 0}, {17, 1, 5, 7, 7, 1}} {
		r := rand.New(rand.NewPCG(uint64(i), 11))
		f.Add(s[0], uint8(s[1]), uint8(s[2]), uint8(s[3]), uint8(s[4]), uint8(s[5]), testutil.ToBytes(testutil.Values[T](r, 40, true)))
	}
	f.Fuzz(func(t *testing.T, rows16 uint16, cols8, padS, padD, offS, offD uint8, data []byte) {
		var z T
		L := 64 / int(unsafe.Sizeof(z))
		rows, cols := L+int(rows16)%600, L+int(cols8)%80
		// pad%4: 0 rounds n up to whole lines, 1 adds a line to that,
		// otherwise n plus 0..8 elements.
		ld := func(n int, pad uint8) int {
			switch pad % 4 {
			case 0:
				return (n + L - 1) / L * L
			case 1:
				return (n+L-1)/L*L + L
			}
			return n + int(pad/4)%9
		}
		lds, ldd := ld(cols, padS), ld(rows, padD)
		ns, nd := (rows-1)*lds+cols, (cols-1)*ldd+rows
		vals := testutil.FromBytes[T](data)
		if len(vals) == 0 {
			vals = []T{1}
		}
		result := func(path string, fresh bool) []T {
			src := testutil.NewGuarded("src", ns, int(offS)%(2*L), vals...)
			dst := testutil.NewGuarded("dst", nd, int(offD)%(2*L), T(-7)) // the padding must keep -7
			onPath(t, path, func() {
				if fresh {
					kernels.TransposeCopyFresh(dst.S, ldd, src.S, lds, rows, cols)
				} else {
					kernels.TransposeCopy(dst.S, ldd, src.S, lds, rows, cols)
				}
			})
			checkGuards(t, path, []*testutil.Guarded[T]{src, dst})
			return dst.S
		}
		want := result("generic", false)
		for p, v := range want { // generic against the definition
			j, i := p/ldd, p%ldd
			w := T(-7)
			if i < rows {
				w = vals[(i*lds+j)%len(vals)]
			}
			if testutil.Bits(v) != testutil.Bits(w) {
				t.Fatalf("generic, %d×%d lds=%d ldd=%d: dst[%d] = %v, want %v", rows, cols, lds, ldd, p, v, w)
			}
		}
		for _, path := range asmPaths() {
			for _, fresh := range []bool{false, true} {
				got := result(path, fresh)
				for p := range want {
					if testutil.Bits(got[p]) != testutil.Bits(want[p]) {
						t.Fatalf("path %s (fresh %v), %d×%d lds=%d ldd=%d offsets %d, %d: dst[%d] = %v, generic %v",
							path, fresh, rows, cols, lds, ldd, int(offS)%(2*L), int(offD)%(2*L), p, got[p], want[p])
					}
				}
			}
		}
	})
}
