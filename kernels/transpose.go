package kernels

import (
	"fmt"
	"unsafe"
)

// transposeTile is the edge of the square tiles TransposeCopy walks the
// matrix in (elements) on paths without a line kernel (transposeKernel.line)
// and by TransposeCopyFresh: a float32 tile reads and writes 32 rows of 128
// bytes, which stay in L1 while the tile is done, unless the rows are a
// multiple of 4 KiB apart (see package tensor's transposing copy for that
// case, which goes through a buffer with a padded pitch).
const transposeTile = 32

// TransposeCopy sets dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols:
// the rows×cols matrix at src (rows lds elements apart) is written
// transposed, as a cols×rows matrix, at dst (rows ldd elements apart).
// Exact (a copy; NaN payloads included). Elements of dst outside the
// cols×rows matrix (the ldd-rows padding) are neither read nor written,
// nor are elements of src outside its matrix.
//
// It requires rows, cols >= 0, lds >= 0 and ldd >= rows (so that no two
// elements of the result share a place), len(src) >= (rows-1)*lds+cols and
// len(dst) >= (cols-1)*ldd+rows when rows and cols are positive, and
// panics otherwise (a *LengthError for the lengths). dst and src must not
// overlap. It runs on the calling goroutine. On the avx512 path the
// matrix is transposed in blocks of one cache line square (16×16 float32,
// 8×8 float64) in ZMM registers, in panels of 256 source rows or in
// strips of one block's rows (TransposeCopyFresh does not, see there); on
// the other paths it is walked in 32×32 tiles, and the assembly transposes
// 8×8 float32 or 4×4 float64 blocks (AVX2), 4×4 or 2×2 (NEON) in
// registers. The edges that do not fill a block go through the smaller
// blocks, then element by element.
func TransposeCopy[T Float](dst []T, ldd int, src []T, lds int, rows, cols int) {
	transposeCopy("TransposeCopy", true, dst, ldd, src, lds, rows, cols)
}

// TransposeCopyFresh is TransposeCopy for a destination that has just been
// allocated and not yet written, whose pages the first writes fault in
// (package tensor's Contiguous, Clone and To). Same result, requirements
// and panics (which name TransposeCopyFresh); the difference is the walk:
// on the avx512 path it does not use the line walk but the 32×32 tiles of
// the other paths, with the AVX2 blocks. Measured on the project's Xeon
// (docs/benchmarks.md), the line walk ran a 1000×1000 float32 transpose
// into an existing matrix 1.16× as fast as the tiles, but into fresh
// memory at 0.65× (6.6 against 10.1 GB/s). On the other paths it is
// TransposeCopy.
func TransposeCopyFresh[T Float](dst []T, ldd int, src []T, lds int, rows, cols int) {
	transposeCopy("TransposeCopyFresh", false, dst, ldd, src, lds, rows, cols)
}

// transposeCopy is TransposeCopy (byLines) and TransposeCopyFresh (not):
// byLines lets the avx512 path take the line walk.
func transposeCopy[T Float](name string, byLines bool, dst []T, ldd int, src []T, lds int, rows, cols int) {
	if rows < 0 || cols < 0 || lds < 0 || ldd < rows {
		panic(fmt.Sprintf("kernels: %s: bad shape rows=%d cols=%d lds=%d ldd=%d (need rows, cols, lds >= 0 and ldd >= rows)",
			name, rows, cols, lds, ldd))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*lds + cols; len(src) < need {
		panic(&LengthError{Kernel: name, Name1: "src", Len1: len(src), Name2: "(rows-1)*lds+cols", Len2: need})
	}
	if need := (cols-1)*ldd + rows; len(dst) < need {
		panic(&LengthError{Kernel: name, Name1: "dst", Len1: len(dst), Name2: "(cols-1)*ldd+rows", Len2: need})
	}
	k := opsFor[T]().transpose
	if byLines && k.line != nil && rows >= lineEdge[T]() && cols >= lineEdge[T]() {
		k.lines(dst, ldd, src, lds, rows, cols)
		return
	}
	if rows <= transposeTile && cols <= transposeTile {
		k.run(dst, ldd, src, lds, rows, cols)
		return
	}
	// Tiles in destination order: each band of destination rows is
	// written left to right while its lines are in cache.
	for j := 0; j < cols; j += transposeTile {
		w := min(transposeTile, cols-j)
		for i := 0; i < rows; i += transposeTile {
			h := min(transposeTile, rows-i)
			k.run(dst[j*ldd+i:], ldd, src[i*lds+j:], lds, h, w)
		}
	}
}

// TransposeByLines reports whether TransposeCopy of T on the chosen path
// transposes blocks of one cache line square in registers and does its
// own blocking for the caches (the avx512 path): callers then pass it
// whole matrices rather than tiles of their own.
func TransposeByLines[T Float]() bool { return opsFor[T]().transpose.line != nil }

// transposeGeneric is the Go twin of the transposing copy (any rows and
// cols; lengths checked by TransposeCopy). It walks four source rows at a
// time, so that each step writes a run of four destination elements.
func transposeGeneric[T Float](dst []T, ldd int, src []T, lds int, rows, cols int) {
	i := 0
	for ; i+4 <= rows; i += 4 {
		s0 := src[i*lds : i*lds+cols]
		s1 := src[(i+1)*lds : (i+1)*lds+cols]
		s2 := src[(i+2)*lds : (i+2)*lds+cols]
		s3 := src[(i+3)*lds : (i+3)*lds+cols]
		s1, s2, s3 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)]
		p := i
		for j := range s0 {
			d := (*[4]T)(dst[p : p+4])
			d[0], d[1], d[2], d[3] = s0[j], s1[j], s2[j], s3[j]
			p += ldd
		}
	}
	for ; i < rows; i++ {
		p := i
		for _, v := range src[i*lds : i*lds+cols] {
			dst[p] = v
			p += ldd
		}
	}
}

// transposeKernel is a path's transposing copy: f transposes whole
// block×block blocks only (rows and cols positive multiples of block;
// block 1: any size). run gives f the largest such part of a tile and the
// generic twin the columns and rows left over.
//
// line, where a path has it, transposes blocks of one cache line square
// (lineEdge: 16×16 float32, 8×8 float64), reading and writing 64-byte row
// segments; TransposeCopy then walks the matrix with lines instead of in
// tiles.
type transposeKernel[T Float] struct {
	block int
	f     func(dst []T, ldd int, src []T, lds int, rows, cols int)
	line  func(dst []T, ldd int, src []T, lds int, rows, cols int)
}

// lineEdge is the edge of a block of one cache line square: 64 bytes of T.
func lineEdge[T Float]() int {
	var z T
	return 64 / int(unsafe.Sizeof(z))
}

// linePanel is the height (source rows) of the panels lines walks when
// every row segment of a block is a whole line: 256 rows of a 1024-wide
// float32 matrix are 1 MiB, half of the L2 of the project's Xeon.
const linePanel = 256

// lines is TransposeCopy with k.line (rows, cols >= lineEdge).
//
// Destination rows are cut at the first element that starts a 64-byte line
// (when every row starts at the same offset in its line: ldd*size a
// multiple of 64), so that each block writes whole lines; the rows before
// that cut, and the rows and columns left over at the ends, go through run.
// When the source rows are line-aligned too, the blocks are walked in
// panels of linePanel source rows, each panel in bands of lineEdge
// columns from top to bottom (each band writes lineEdge destination rows
// front to back; the kernel prefetches the block after next in the band, whose
// rows are on other pages). Otherwise a block's row segments straddle
// lines on one side, and the walk is in strips of lineEdge source rows,
// left to right, so that the other half of every line read is used by the
// next block while it is still in L1.
// Measured on the project's Xeon: docs/benchmarks.md.
func (k transposeKernel[T]) lines(dst []T, ldd int, src []T, lds int, rows, cols int) {
	L := lineEdge[T]()
	size := 64 / L
	i0 := 0
	if ldd*size%64 == 0 {
		i0 = int(-uintptr(unsafe.Pointer(unsafe.SliceData(dst)))%64) / size
		if i0 > 0 {
			k.run(dst, ldd, src, lds, min(i0, rows), cols)
		}
	}
	R := (rows - i0) / L * L
	if R <= 0 {
		if i0 < rows {
			k.run(dst[i0:], ldd, src[i0*lds:], lds, rows-i0, cols)
		}
		return
	}
	C := cols / L * L
	srcLines := lds*size%64 == 0 && uintptr(unsafe.Pointer(&src[i0*lds]))%64 == 0
	if ldd*size%64 == 0 && srcLines {
		for i := i0; i < i0+R; i += linePanel {
			h := min(linePanel, i0+R-i)
			for j := 0; j < C; j += L {
				k.line(dst[j*ldd+i:], ldd, src[i*lds+j:], lds, h, L)
			}
		}
	} else {
		for i := i0; i < i0+R; i += L {
			k.line(dst[i:], ldd, src[i*lds:], lds, L, C)
		}
	}
	if i0+R < rows {
		k.run(dst[i0+R:], ldd, src[(i0+R)*lds:], lds, rows-i0-R, C)
	}
	if C < cols {
		k.run(dst[C*ldd+i0:], ldd, src[i0*lds+C:], lds, rows-i0, cols-C)
	}
}

func (k transposeKernel[T]) run(dst []T, ldd int, src []T, lds int, rows, cols int) {
	b := k.block
	r, c := rows/b*b, cols/b*b
	if r > 0 && c > 0 {
		k.f(dst, ldd, src, lds, r, c)
	}
	if c < cols { // source columns c.. (all rows): destination rows c..
		transposeGeneric(dst[c*ldd:], ldd, src[c:], lds, rows, cols-c)
	}
	if r < rows && c > 0 { // source rows r.., columns ..c: destination columns r..
		transposeGeneric(dst[r:], ldd, src[r*lds:], lds, rows-r, c)
	}
}
