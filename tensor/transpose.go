package tensor

import (
	"sync"
	"unsafe"

	"github.com/simdtorch/simdtorch/kernels"
)

// The cache-blocked transposing copy behind Contiguous, Clone, Copy and
// the dtype conversions when the destination and the source are laid out
// along different dimensions (a transpose or any permutation).
//
// After the walk over the shape is collapsed (iter), the destination has
// unit stride along one dimension p and the source along another, q. The
// copy is then a batch of 2-D blocks, one per index of the other
// dimensions:
//
//	d[do + x*dx + y] = s[so + x + y*sy]   for x < X (along q), y < Y (along p)
//
// Going through either side element by element reads or writes a new cache
// line (and, for large strides, a new page) per element, so the block is
// cut into tiles. Within a tile, strips of 4 or 8 source rows are walked
// together: each step reads one element from each row and writes them as a
// contiguous run of the destination. Float32 tiles with 8-byte alignment
// move pairs of elements through 64-bit words (2×2 transposes in
// registers), which halves the loads and stores.
//
// Two ways to run the tiles, measured on the project's Xeon
// (docs/benchmarks.md):
//
//   - Direct: 32×32 tiles written straight to the destination. A tile's
//     source and destination lines stay in L1 while the strips fill them,
//     unless the rows are a multiple of 512 bytes apart: then they fall
//     into a few of L1's (4 KiB-periodic) sets and evict each other before
//     they are finished (a 1024×1024 float32 transpose ran at a fifth of
//     Go's copy speed this way, against two thirds at 1000×1000).
//   - Buffered, for those strides: a tile of 1 KiB square (256×256
//     float32, 128×128 float64) is transposed into a buffer whose row
//     pitch is not a power of two, then copied out row by row. Both sides
//     of memory are then walked in runs of 1 KiB per row, whole lines at a
//     time (about half of Go's copy speed at 1024×1024).
//
// On paths whose kernels.TransposeCopy transposes by cache lines
// (kernels.TransposeByLines: the avx512 path, 16×16 float32 blocks of 64
// bytes per row in registers), a same-dtype block with at least
// minLineRows rows (Y) skips both: it goes to kernels.TransposeCopy whole
// (one call per goroutine), which does its own blocking. No line is then
// read or written twice when the rows are line-aligned, so the L1 aliasing
// above does not matter.
//
// Except into a fresh destination: the result of Contiguous, Clone, To
// and the other ops that allocate it and copy into it (copyIntoNew; fresh
// = true below), whose pages are not yet faulted in (a large allocation
// gets memory that was returned to the OS or never touched). Into such
// memory the line walk was the slower one on the project's Xeon:
// Contiguous of a 1000×1000 float32 transpose ran at 6.6 GB/s through it
// against 10.1 through the tiles (2048×2048: 9.1 against 10.1), while
// into an existing tensor it runs at 1.16× (1000×1000) to 1.8× (256×256)
// the speed of the tiles (docs/benchmarks.md). So a fresh destination
// takes the tiles, each through kernels.TransposeCopyFresh (the AVX2
// blocks of the tiles' own walk), and an existing one (Copy, CopyFrom,
// the Into forms) the line walk.

// minBlock is the smallest extent along p and q that takes the blocked
// path; thinner copies walk the elements in order (copyT's runs).
const minBlock = 8

// directTile is the tile edge of the direct path (elements); bufPad is
// the extra row pitch of the buffered path's buffer (elements), bufBytes
// its size.
const (
	directTile = 32
	bufPad     = 16
	bufBytes   = 256 * (256 + bufPad) * 4
)

// minLineRows is the smallest Y (destination row length, source row count)
// for which a block goes to kernels.TransposeCopy whole on paths that
// transpose by cache lines. Below it the tiles below are used: a
// [64 128 128] tensor permuted (1,2,0), whose blocks are 64 source rows
// 64 KiB apart, ran at 0.88× of the tiles through the line walk.
const minLineRows = 128

// transposeGrain is the element count from which one block splits its x
// range across goroutines. On the project's 2-vCPU machine (shared with
// other jobs) two goroutines copied a float32 transpose that stays in its
// cache at no more speed than one (1024×1024: 0.87×, 2048×2048: 0.96×),
// and one out of it (4096×4096) at 2.0× (docs/benchmarks.md), so the split
// starts above 1M elements.
var transposeGrain = 1 << 21

// Test hooks: force the buffered or the direct path, the scalar strips
// instead of the float32 pairs, or the Go strips instead of the kernel;
// linesHook, if set, is called by each linesBlock (which copies took the
// line walk).
var (
	forceBuffered, forceDirect bool
	noPairs                    bool
	noKernel                   bool
	linesHook                  func()
)

// littleEndian reports whether the first float32 of a pair lies in the low
// half of the 64-bit word (the pair path assumes it).
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// transposeDims returns the dimensions of the collapsed walk it (operand 0
// the destination, 1 the source) with unit stride in the destination (p)
// and in the source (q), and whether the blocked copy applies: they
// differ and both are at least minBlock long.
func transposeDims(it *iter) (p, q int, ok bool) {
	if it.empty {
		return 0, 0, false
	}
	p, q = -1, -1
	for k := range it.nd {
		if p < 0 && it.st[0][k] == 1 {
			p = k
		}
		if q < 0 && it.st[1][k] == 1 {
			q = k
		}
	}
	ok = p >= 0 && q >= 0 && p != q && it.size[p] >= minBlock && it.size[q] >= minBlock
	return p, q, ok
}

// blockedCopy copies src into dst (storages d and s) along the walk it,
// whose dimensions p and q come from transposeDims.
func blockedCopy[D, S kernels.Float](d []D, s []S, it *iter, p, q int, fresh bool) {
	X, Y := it.size[q], it.size[p]
	dx, sy := it.st[0][q], it.st[1][p]
	outer := iter{nops: 2, off: it.off}
	for k := range it.nd {
		if k != p && k != q {
			outer.size[outer.nd] = it.size[k]
			outer.st[0][outer.nd] = it.st[0][k]
			outer.st[1][outer.nd] = it.st[1][k]
			outer.nd++
		}
	}
	outer.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		for r := range n {
			transposeBlock(d, off[0]+r*inc[0], dx, s, off[1]+r*inc[1], sy, X, Y, fresh)
		}
	})
}

// transposeBlock sets d[do + x*dx + y] = D(s[so + x + y*sy]) for x < X,
// y < Y, splitting large blocks across goroutines by x. fresh says that d
// was just allocated and not yet written (see above).
func transposeBlock[D, S kernels.Float](d []D, do, dx int, s []S, so, sy, X, Y int, fresh bool) {
	if X <= 0 || Y <= 0 {
		return
	}
	// Every element either path touches lies between these two, so
	// checking them keeps the unchecked (unsafe) pair loads and stores in
	// bounds. Strides and offsets are never negative.
	_ = d[do+(X-1)*dx+Y-1]
	_ = s[so+X-1+(Y-1)*sy]
	if !fresh && !noKernel && !forceBuffered && !forceDirect && dx >= Y && Y >= minLineRows && kernels.TransposeByLines[D]() {
		if s, ok := any(s).([]D); ok {
			linesBlock(d, do, dx, s, so, sy, X, Y)
			return
		}
	}
	tile := directTile
	if forceBuffered || !forceDirect && (aliased[D](dx) || aliased[S](sy)) {
		tile = bufTile[D]()
	}
	threads := 1
	if X*Y >= transposeGrain {
		threads = min(kernels.Threads(), (X+tile-1)/tile)
	}
	if threads <= 1 {
		transposeRange(d, do, dx, s, so, sy, 0, X, Y, tile, fresh)
		return
	}
	transposeSplit(threads, d, do, dx, s, so, sy, X, Y, tile, fresh)
}

// linesBlock is transposeBlock through kernels.TransposeCopy on the whole
// block, for paths that transpose by cache lines (kernels.TransposeByLines),
// split by x across goroutines like the tiles.
func linesBlock[T kernels.Float](d []T, do, dx int, s []T, so, sy, X, Y int) {
	if linesHook != nil {
		linesHook()
	}
	threads := 1
	if X*Y >= transposeGrain {
		threads = min(kernels.Threads(), X/64)
	}
	if threads <= 1 {
		kernels.TransposeCopy(d[do:], dx, s[so:], sy, Y, X)
		return
	}
	// Ranges of x in multiples of 64 elements (whole lines of source rows).
	step := ((X+threads-1)/threads + 63) / 64 * 64
	var wg sync.WaitGroup
	for lo := step; lo < X; lo += step {
		wg.Go(func() { kernels.TransposeCopy(d[do+lo*dx:], dx, s[so+lo:], sy, Y, min(step, X-lo)) })
	}
	kernels.TransposeCopy(d[do:], dx, s[so:], sy, Y, min(step, X))
	wg.Wait()
}

// transposeSplit runs transposeRange on threads goroutines, each on a
// range of x in whole tiles.
func transposeSplit[D, S kernels.Float](threads int, d []D, do, dx int, s []S, so, sy, X, Y, tile int, fresh bool) {
	step := ((X+threads-1)/threads + tile - 1) / tile * tile
	var wg sync.WaitGroup
	for lo := step; lo < X; lo += step {
		wg.Go(func() { transposeRange(d, do, dx, s, so, sy, lo, min(lo+step, X), Y, tile, fresh) })
	}
	transposeRange(d, do, dx, s, so, sy, 0, min(step, X), Y, tile, fresh)
	wg.Wait()
}

func sizeOf[T kernels.Float]() int {
	var z T
	return int(unsafe.Sizeof(z))
}

// bufTile is the tile edge of the buffered path: 1 KiB of elements.
func bufTile[T kernels.Float]() int { return 1024 / sizeOf[T]() }

// aliased reports whether rows stride elements of T apart map to few L1
// sets: with a multiple of 512 bytes, at most 8 consecutive rows fall in
// different sets.
func aliased[T kernels.Float](stride int) bool {
	return stride != 0 && stride*sizeOf[T]()%512 == 0
}

// transposeRange is transposeBlock's work for x in [x0, x1), in tiles of
// the given edge: directTile copies tile by tile, bufTile through a buffer.
func transposeRange[D, S kernels.Float](d []D, do, dx int, s []S, so, sy, x0, x1, Y, tile int, fresh bool) {
	if tile == directTile {
		for xt := x0; xt < x1; xt += tile {
			w := min(tile, x1-xt)
			for yt := 0; yt < Y; yt += tile {
				copyTile(d, do+xt*dx+yt, dx, s, so+xt+yt*sy, sy, w, min(tile, Y-yt), fresh)
			}
		}
		return
	}
	b := tileBufs.Get().(*[bufBytes / 8]uint64)
	defer tileBufs.Put(b)
	buf := unsafe.Slice((*D)(unsafe.Pointer(b)), bufBytes/sizeOf[D]())
	pitch := tile + bufPad
	for yt := 0; yt < Y; yt += tile {
		h := min(tile, Y-yt)
		for xt := x0; xt < x1; xt += tile {
			w := min(tile, x1-xt)
			copyTile(buf, 0, pitch, s, so+xt+yt*sy, sy, w, h, fresh)
			for x := range w {
				p := do + (xt+x)*dx + yt
				copy(d[p:p+h], buf[x*pitch:x*pitch+h])
			}
		}
	}
}

// tileBufs holds the buffers of the buffered path, sized for a float32
// tile (a float64 one, half as wide, fits).
var tileBufs = sync.Pool{New: func() any { return new([bufBytes / 8]uint64) }}

// copyTile sets d[dp + x*dx + y] = D(s[sp + x + y*sy]) for x < w, y < h;
// the caller has checked that the extremes are in bounds. With fresh the
// kernel is kernels.TransposeCopyFresh.
func copyTile[D, S kernels.Float](d []D, dp, dx int, s []S, sp, sy, w, h int, fresh bool) {
	if !noKernel && dx >= h && kernels.Path() != "generic" {
		if s, ok := any(s).([]D); ok {
			if fresh {
				kernels.TransposeCopyFresh(d[dp:], dx, s[sp:], sy, h, w)
			} else {
				kernels.TransposeCopy(d[dp:], dx, s[sp:], sy, h, w)
			}
			return
		}
	}
	y := 0
	if !noPairs && littleEndian && dtypeOf[D]() == Float32 && dtypeOf[S]() == Float32 &&
		(dp|dx|sp|sy)&1 == 0 && w >= 2 && h >= 4 {
		dq := unsafe.Pointer(unsafe.SliceData(d))
		sq := unsafe.Pointer(unsafe.SliceData(s))
		if uintptr(dq)&7 == 0 && uintptr(sq)&7 == 0 {
			for ; y+4 <= h; y += 4 {
				pairStrip(unsafe.Add(dq, 4*(dp+y)), uintptr(4*dx), unsafe.Add(sq, 4*(sp+y*sy)), uintptr(4*sy), w/2)
			}
			if w%2 != 0 {
				edgeTile(d, dp+(w-1)*dx, dx, s, sp+w-1, sy, 1, y)
			}
		}
	}
	for ; y+8 <= h; y += 8 {
		strip8(d, dp+y, dx, s, sp+y*sy, sy, w)
	}
	edgeTile(d, dp+y, dx, s, sp+y*sy, sy, w, h-y)
}

// pairStrip transposes 4 rows of float32 pairs: for each of the n pairs
// of source columns it reads a 64-bit word from each of the 4 source rows
// (sy bytes apart) and writes two 4-element runs to consecutive
// destination rows (dx bytes apart), 2×2 blocks at a time; n >= 1.
// Little-endian only: the first float32 of a word is its low half.
func pairStrip(dp unsafe.Pointer, dx uintptr, sp unsafe.Pointer, sy uintptr, n int) {
	const hi = 0xFFFFFFFF00000000
	for {
		a := *(*uint64)(sp)
		b := *(*uint64)(unsafe.Add(sp, sy))
		*(*uint64)(dp) = a&^hi | b<<32
		*(*uint64)(unsafe.Add(dp, dx)) = a>>32 | b&hi
		s2 := unsafe.Add(sp, 2*sy)
		c := *(*uint64)(s2)
		e := *(*uint64)(unsafe.Add(s2, sy))
		*(*uint64)(unsafe.Add(dp, 8)) = c&^hi | e<<32
		*(*uint64)(unsafe.Add(dp, dx+8)) = c>>32 | e&hi
		// Advance only when another step follows, so that no pointer
		// ever points past the storage (checkptr, under -race).
		n--
		if n == 0 {
			return
		}
		sp = unsafe.Add(sp, 8)
		dp = unsafe.Add(dp, 2*dx)
	}
}

// strip8 transposes 8 source rows: for x < w, destination row x gets
// the 8 elements s[sp + x + k*sy], k < 8, at d[dp + x*dx].
func strip8[D, S kernels.Float](d []D, dp, dx int, s []S, sp, sy, w int) {
	s0 := s[sp : sp+w]
	s1 := s[sp+sy : sp+sy+w]
	s2 := s[sp+2*sy : sp+2*sy+w]
	s3 := s[sp+3*sy : sp+3*sy+w]
	s4 := s[sp+4*sy : sp+4*sy+w]
	s5 := s[sp+5*sy : sp+5*sy+w]
	s6 := s[sp+6*sy : sp+6*sy+w]
	s7 := s[sp+7*sy : sp+7*sy+w]
	s1, s2, s3 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)]
	s4, s5, s6, s7 = s4[:len(s0)], s5[:len(s0)], s6[:len(s0)], s7[:len(s0)]
	for x := range s0 {
		r := (*[8]D)(d[dp:])
		r[0] = D(s0[x])
		r[1] = D(s1[x])
		r[2] = D(s2[x])
		r[3] = D(s3[x])
		r[4] = D(s4[x])
		r[5] = D(s5[x])
		r[6] = D(s6[x])
		r[7] = D(s7[x])
		dp += dx
	}
}

// edgeTile is copyTile one element at a time, for the edges.
func edgeTile[D, S kernels.Float](d []D, dp, dx int, s []S, sp, sy, w, h int) {
	if h <= 0 {
		return
	}
	for x := range w {
		row := d[dp+x*dx : dp+x*dx+h]
		p := sp + x
		for y := range row {
			row[y] = D(s[p])
			p += sy
		}
	}
}
