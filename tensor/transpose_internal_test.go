package tensor

import (
	"fmt"
	"testing"

	"github.com/simdtorch/simdtorch/kernels"
)

// permutations returns every ordering of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// forIndex calls fn with every index of shape in row-major order.
func forIndex(shape []int, fn func(idx []int)) {
	for _, s := range shape {
		if s == 0 {
			return
		}
	}
	idx := make([]int, len(shape))
	for {
		fn(idx)
		d := len(shape) - 1
		for ; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// elements returns t's elements in row-major order, read one at a time
// from the storage with t's strides: the reference the blocked copies are
// checked against.
func elements(t *Tensor) []float64 {
	out := make([]float64, 0, t.numel)
	st := t.strides()
	forIndex(t.shape(), func(idx []int) {
		p := t.off
		for d, i := range idx {
			p += i * st[d]
		}
		if t.dtype == Float64 {
			out = append(out, t.f64()[p])
		} else {
			out = append(out, float64(t.f32()[p]))
		}
	})
	return out
}

// checkSame compares got with want element by element.
func checkSame(t *testing.T, name string, got, want *Tensor) {
	t.Helper()
	if !sameShape(got.shape(), want.shape()) {
		t.Fatalf("%s: shape %v, want %v", name, got.shape(), want.shape())
	}
	g, w := elements(got), elements(want)
	for i := range w {
		if g[i] != w[i] {
			t.Fatalf("%s: element %d (row-major) = %v, want %v", name, i, g[i], w[i])
		}
	}
}

// transposeSources returns, for a base shape, views of fresh tensors of
// the dtype whose elements are distinct: the contiguous tensor and views
// that are not (an offset narrow, a stepped slice).
func transposeSources(dtype DType, shape []int) map[string]*Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	base := dtype.Arange(0, float64(n), 1).Reshape(shape...)
	out := map[string]*Tensor{"contiguous": base}
	// The same shape inside a bigger tensor: dimension 0 one longer (an
	// offset), the last dimension twice as long with step 2.
	big := append([]int{}, shape...)
	big[0]++
	big[len(big)-1] *= 2
	m := 1
	for _, s := range big {
		m *= s
	}
	b := dtype.Arange(0, float64(m), 1).Reshape(big...)
	out["narrow+step"] = b.Narrow(0, 1, shape[0]).Slice(len(shape)-1, 1, 2*shape[len(shape)-1], 2)
	// Rows one longer than the shape: with an odd last dimension, the row
	// stride is even, so the pair path runs with an odd column left over.
	wide := append([]int{}, shape...)
	wide[len(wide)-1]++
	out["narrow last"] = dtype.Arange(0, float64(n/shape[len(shape)-1]*wide[len(wide)-1]), 1).Reshape(wide...).Narrow(len(shape)-1, 0, shape[len(shape)-1])
	// An odd offset, so that the float32 pair path cannot be used.
	c := dtype.Arange(0, float64(n+1), 1).Narrow(0, 1, n).View(shape...)
	out["odd offset"] = c
	return out
}

// TestTransposeCopy copies every permutation of 2-D, 3-D and 4-D tensors
// (odd sizes, non-contiguous sources, both dtypes and the conversions
// between them) through Contiguous, Clone, To and Copy into a permuted
// destination, on every path of the blocked copy, and compares each
// element with the source.
func TestTransposeCopy(t *testing.T) {
	shapes := [][]int{
		{8, 8}, {9, 17}, {10, 17}, {33, 40}, {64, 64}, {3, 50}, {50, 9}, {128, 96}, {300, 270},
		{3, 17, 33}, {16, 9, 10}, {8, 1, 12}, {2, 260, 33},
		{2, 3, 17, 19}, {5, 8, 9, 12},
	}
	if testing.Short() {
		shapes = [][]int{{10, 17}, {128, 96}, {3, 17, 33}, {2, 3, 17, 19}}
	}
	// Every shape and source on the default path; the forced paths (whose
	// code the default path shares but reaches only for some strides) on
	// fewer, to keep -race runs short.
	paths := []struct {
		name                             string
		buffered, direct, noPairs, split bool
		noKernel                         bool // the Go strips instead of kernels.TransposeCopy
		maxDims                          int
		big                              bool // also shapes with more than one 256×256 tile
	}{
		{name: "default", maxDims: 4, big: true},
		{name: "buffered", buffered: true, maxDims: 3, big: true},
		{name: "direct", direct: true, maxDims: 3, big: true},
		{name: "go", noKernel: true, maxDims: 3, big: true},
		{name: "buffered-go", buffered: true, noKernel: true, maxDims: 2, big: true},
		{name: "scalar", noPairs: true, noKernel: true, maxDims: 3},
		{name: "buffered-scalar", buffered: true, noPairs: true, noKernel: true, maxDims: 2},
		{name: "direct-scalar", direct: true, noPairs: true, noKernel: true, maxDims: 2},
		{name: "split", split: true, maxDims: 2},
		{name: "split-buffered", split: true, buffered: true, maxDims: 2, big: true},
		{name: "split-direct", split: true, direct: true, maxDims: 2},
	}
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			forceBuffered, forceDirect, noPairs, noKernel = path.buffered, path.direct, path.noPairs, path.noKernel
			t.Cleanup(func() { forceBuffered, forceDirect, noPairs, noKernel = false, false, false, false })
			if path.split {
				prevGrain := transposeGrain
				transposeGrain = 64
				prev := kernels.SetThreads(3)
				t.Cleanup(func() { transposeGrain = prevGrain; kernels.SetThreads(prev) })
			}
			for _, shape := range shapes {
				if len(shape) > path.maxDims || !path.big && (shape[len(shape)-1] > 256 || shape[len(shape)-2] > 256) {
					continue
				}
				for _, dtype := range []DType{Float32, Float64} {
					for srcName, src := range transposeSources(dtype, shape) {
						if path.name != "default" && (srcName == "odd offset" || srcName == "narrow+step" && path.buffered) {
							continue
						}
						for _, perm := range permutations(len(shape)) {
							x := src.Permute(perm...)
							name := fmt.Sprintf("%v %v %s permute%v", dtype, shape, srcName, perm)
							checkSame(t, name+" Contiguous", x.Contiguous(), x)
							other := Float64
							if dtype == Float64 {
								other = Float32
							}
							checkSame(t, name+" To", x.To(other), x)
							// A destination laid out along other dimensions:
							// a permuted view of a contiguous tensor.
							inv := make([]int, len(perm))
							for i, p := range perm {
								inv[p] = i
							}
							dshape := make([]int, len(shape))
							for i, p := range inv {
								dshape[i] = x.shape()[p]
							}
							dst := dtype.Zeros(dshape...).Permute(perm...)
							checkSame(t, name+" Copy into permuted", dst.Copy(x), x)
						}
					}
				}
			}
		})
	}
}

// TestTransposeCopyBroadcast copies a source broadcast along the
// destination's unit-stride dimension (stride 0 there) through the
// blocked path.
func TestTransposeCopyBroadcast(t *testing.T) {
	col := Arange(0, 40, 1).Reshape(40, 1).T() // [1, 40], stride 1 along dim 1
	src := col.Expand(30, 40).T()              // [40, 30]: stride 1 along dim 0, 0 along dim 1
	checkSame(t, "expanded", src.Contiguous(), src)
	dst := Zeros(30, 40).T()
	checkSame(t, "expanded into transposed", dst.Copy(src), src)
}

// TestTransposeCopyAllocs checks that Copy of a transpose into an existing
// tensor allocates nothing (the buffered path reuses a pooled buffer).
func TestTransposeCopyAllocs(t *testing.T) {
	for _, sh := range [][2]int{{100, 60}, {300, 200}} {
		x := Rand(sh[0], sh[1]).T()
		dst := Zeros(sh[1], sh[0])
		if n := testing.AllocsPerRun(20, func() { dst.Copy(x) }); n != 0 {
			t.Errorf("Copy of a %v transpose: %v allocations, want 0", sh, n)
		}
	}
}

// TestTransposeFreshAndExisting copies transposed and permuted tensors
// into results it allocates (Contiguous, Clone, To, Cat: copyIntoNew, the
// tiles) and into existing tensors (CopyFrom: the line walk on the avx512
// path), on the assembly paths, and checks both against the source
// element by element; odd sizes and sizes whose rows alias in L1, aligned
// and misaligned destinations. Where the line walk exists it also checks
// which copies take it: never the fresh ones.
func TestTransposeFreshAndExisting(t *testing.T) {
	small := []int{1, 7, 17, 33, 129}
	var shapes [][]int
	for _, a := range small {
		for _, b := range append(small, 1000, 1024, 1031) {
			shapes = append(shapes, []int{a, b}, []int{b, a})
		}
	}
	shapes = append(shapes, []int{1024, 1024}, []int{1000, 1031},
		[]int{3, 17, 33}, []int{2, 130, 257}, []int{5, 128, 144}, []int{2, 1024, 160})
	paths := kernels.Paths()
	paths = paths[:max(len(paths)-1, 1)] // generic: TestTransposeCopy
	if testing.Short() {
		paths = paths[:1]
	}
	lines := 0
	linesHook = func() { lines++ }
	t.Cleanup(func() { linesHook = nil })
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			prev, err := kernels.SetPath(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { kernels.SetPath(prev) })
			for _, dtype := range []DType{Float32, Float64} {
				byLines := dtype == Float32 && kernels.TransposeByLines[float32]() || dtype == Float64 && kernels.TransposeByLines[float64]()
				other := Float64
				if dtype == Float64 {
					other = Float32
				}
				for _, shape := range shapes {
					for _, perm := range permutations(len(shape)) {
						if len(shape) == 2 && perm[0] == 0 {
							continue // not a transpose
						}
						x := transposeSources(dtype, shape)["contiguous"].Permute(perm...)
						name := fmt.Sprintf("%v %v permute%v", dtype, shape, perm)
						ref := elements(x)
						lines = 0
						checkRef(t, name+" Contiguous", x.Contiguous(), ref)
						checkRef(t, name+" Clone", x.Clone(), ref)
						checkRef(t, name+" Cat", Cat([]*Tensor{x, x}, 0).Narrow(0, x.shape()[0], x.shape()[0]), ref)
						checkRef(t, name+" To", x.To(other), ref)
						if lines != 0 {
							t.Fatalf("%s: %d blocks of fresh results took the line walk", name, lines)
						}
						// Existing destinations: a contiguous tensor, and one
						// whose rows are one element longer and start one
						// element in (no row on a line boundary).
						dshape := x.Shape()
						wide := append([]int{}, dshape...)
						wide[len(wide)-1]++
						checkRef(t, name+" CopyFrom", dtype.Zeros(dshape...).CopyFrom(x), ref)
						checkRef(t, name+" CopyFrom misaligned", dtype.Zeros(wide...).Narrow(len(wide)-1, 1, dshape[len(dshape)-1]).CopyFrom(x), ref)
						if byLines && len(shape) == 2 && x.numel >= 128*128 && x.shape()[1] >= minLineRows && lines == 0 {
							t.Fatalf("%s: no block of the copies into existing tensors took the line walk", name)
						}
					}
				}
			}
		})
	}
}

// checkRef compares got's elements (row-major) with ref, reading a
// contiguous got's storage directly.
func checkRef(t *testing.T, name string, got *Tensor, ref []float64) {
	t.Helper()
	var g []float64
	switch {
	case got.contig && got.dtype == Float32:
		g = make([]float64, got.numel)
		for i, v := range got.f32()[got.off : got.off+got.numel] {
			g[i] = float64(v)
		}
	case got.contig:
		g = got.f64()[got.off : got.off+got.numel]
	default:
		g = elements(got)
	}
	if len(g) != len(ref) {
		t.Fatalf("%s: %d elements, want %d", name, len(g), len(ref))
	}
	for i := range ref {
		if g[i] != ref[i] {
			t.Fatalf("%s: element %d (row-major) = %v, want %v", name, i, g[i], ref[i])
		}
	}
}
