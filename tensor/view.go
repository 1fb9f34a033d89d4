package tensor

import (
	"slices"

	"github.com/simdtorch/simdtorch/kernels"
)

// smallDims holds a shape or strides under construction: on the stack for
// the ranks a tensor header holds inline, so that view ops allocate only
// the new header.
type smallDims [inlineDims]int

// inferShape resolves one -1 entry of shape against numel, panicking with
// PyTorch's message when the shape does not fit. The result is built in
// buf when it fits.
func inferShape(op string, shape []int, numel int, buf []int) []int {
	out := append(buf[:0], shape...)
	infer := -1
	prod := 1
	for i, s := range shape {
		switch {
		case s == -1:
			if infer >= 0 {
				panic(&Error{Op: op, Msg: "only one dimension can be inferred (shape " + fmtShape(shape) + ")"})
			}
			infer = i
		case s < 0:
			panic(&Error{Op: op, Msg: "invalid shape dimension " + itoa(s) + " in " + fmtShape(shape)})
		default:
			prod *= s
		}
	}
	if infer >= 0 {
		if prod == 0 || numel%prod != 0 {
			panic(&Error{Op: op, Msg: "shape " + fmtShape(shape) + " is invalid for input of size " + itoa(numel)})
		}
		out[infer] = numel / prod
	} else if prod != numel {
		panic(&Error{Op: op, Msg: "shape " + fmtShape(shape) + " is invalid for input of size " + itoa(numel)})
	}
	return out
}

func contiguousStrides(shape []int) []int { return contiguousStridesIn(shape, nil) }

// contiguousStridesIn returns shape's row-major strides, built in buf when
// it fits.
func contiguousStridesIn(shape, buf []int) []int {
	st := append(buf[:0], shape...)
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// viewStrides returns strides that describe t's elements with newShape
// without moving them, as PyTorch's computeStride, or false if none exist.
// The strides are built in buf when they fit.
func viewStrides(t *Tensor, newShape, buf []int) ([]int, bool) {
	if t.contig || t.numel <= 1 {
		return contiguousStridesIn(newShape, buf), true
	}
	old, ost := t.shape(), t.strides()
	st := append(buf[:0], newShape...)
	vd := len(newShape) - 1
	base := ost[len(ost)-1]
	tn, vn := 1, 1
	for td := len(old) - 1; td >= 0; td-- {
		tn *= old[td]
		if td == 0 || (old[td-1] != 1 && ost[td-1] != tn*base) {
			for vd >= 0 && (vn < tn || newShape[vd] == 1) {
				st[vd] = vn * base
				vn *= newShape[vd]
				vd--
			}
			if vn != tn {
				return nil, false
			}
			if td > 0 {
				base = ost[td-1]
				tn, vn = 1, 1
			}
		}
	}
	if vd != -1 {
		return nil, false
	}
	return st, true
}

// TryView returns a view of t with the shape (one entry may be -1, to be
// inferred), sharing its storage, or an error when the elements cannot be
// described with that shape without a copy (use Reshape, which copies
// then). It panics if the shape does not hold t's element count.
func (t *Tensor) TryView(shape ...int) (*Tensor, error) {
	var shb, stb smallDims
	shape = inferShape("View", shape, t.numel, shb[:])
	st, ok := viewStrides(t, shape, stb[:])
	if !ok {
		return nil, &ShapeError{Op: "View", A: t.Shape(), B: slices.Clone(shape), Msg: "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces); use Reshape instead"}
	}
	return t.view(shape, st, t.off), nil
}

// View returns a view of t with the shape (one entry may be -1), sharing
// its storage (torch's view). It panics with a *ShapeError when that needs
// a copy; TryView returns the error instead, Reshape copies.
func (t *Tensor) View(shape ...int) *Tensor {
	v, err := t.TryView(shape...)
	if err != nil {
		panic(err)
	}
	return v
}

// Reshape returns t with the shape (one entry may be -1): a view when one
// exists, otherwise a contiguous copy (torch's reshape).
func (t *Tensor) Reshape(shape ...int) *Tensor {
	var shb, stb smallDims
	shape = inferShape("Reshape", shape, t.numel, shb[:])
	if st, ok := viewStrides(t, shape, stb[:]); ok {
		return t.view(shape, st, t.off)
	}
	c := t.Clone()
	c.setContiguousLayout(shape)
	return c
}

// Flatten returns t with dimensions start..end (inclusive; negative count
// from the end) merged into one, a view when possible (torch.flatten).
// A 0-d tensor becomes 1-D.
func (t *Tensor) Flatten(start, end int) *Tensor {
	n := len(t.shape())
	if n == 0 {
		return t.Reshape(1)
	}
	start = normDim("Flatten", start, n)
	end = normDim("Flatten", end, n)
	if start > end {
		panic(&Error{Op: "Flatten", Msg: "start_dim (" + itoa(start) + ") cannot come after end_dim (" + itoa(end) + ")"})
	}
	shape := make([]int, 0, n-(end-start))
	shape = append(shape, t.shape()[:start]...)
	p := 1
	for _, s := range t.shape()[start : end+1] {
		p *= s
	}
	shape = append(shape, p)
	shape = append(shape, t.shape()[end+1:]...)
	return t.Reshape(shape...)
}

// Ravel returns t as a 1-D tensor, a view when possible.
func (t *Tensor) Ravel() *Tensor { return t.Reshape(-1) }

// Transpose returns a view with dimensions d0 and d1 swapped.
func (t *Tensor) Transpose(d0, d1 int) *Tensor {
	n := len(t.shape())
	d0 = normDim("Transpose", d0, n)
	d1 = normDim("Transpose", d1, n)
	if n == 0 {
		return t.view(nil, nil, t.off)
	}
	var shb, stb smallDims
	sh, st := append(shb[:0], t.shape()...), append(stb[:0], t.strides()...)
	sh[d0], sh[d1] = sh[d1], sh[d0]
	st[d0], st[d1] = st[d1], st[d0]
	return t.view(sh, st, t.off)
}

// T returns the transpose of a 2-D tensor as a view; 0-D and 1-D tensors
// are returned as they are. It panics for more dimensions (use Transpose
// or Permute).
func (t *Tensor) T() *Tensor {
	switch len(t.shape()) {
	case 0, 1:
		return t
	case 2:
		return t.Transpose(0, 1)
	}
	panic(&Error{Op: "T", Msg: "T expects a tensor with <= 2 dimensions, but got shape " + fmtShape(t.shape()) + "; use Transpose or Permute"})
}

// Permute returns a view with the dimensions reordered: dimension i of the
// result is dimension dims[i] of t.
func (t *Tensor) Permute(dims ...int) *Tensor {
	n := len(t.shape())
	if len(dims) != n {
		panic(&Error{Op: "Permute", Msg: "number of dims don't match in permute: tensor has " + itoa(n) + " dims, got " + itoa(len(dims)) + " (shape " + fmtShape(t.shape()) + ")"})
	}
	var shb, stb smallDims
	sh, st := append(shb[:0], t.shape()...), append(stb[:0], t.strides()...)
	var seen uint64
	seenBig := map[int]bool{}
	for i, d := range dims {
		d = normDim("Permute", d, n)
		dup := false
		if d < 64 {
			dup = seen&(1<<d) != 0
			seen |= 1 << d
		} else {
			dup = seenBig[d]
			seenBig[d] = true
		}
		if dup {
			panic(&Error{Op: "Permute", Msg: "repeated dim " + itoa(d) + " in " + fmtShape(dims)})
		}
		sh[i], st[i] = t.shape()[d], t.strides()[d]
	}
	return t.view(sh, st, t.off)
}

// Narrow returns a view of elements start..start+length-1 along dim
// (torch.narrow); a negative start counts from the end.
func (t *Tensor) Narrow(dim, start, length int) *Tensor {
	d := normDim("Narrow", dim, len(t.shape()))
	if len(t.shape()) == 0 {
		panic(&Error{Op: "Narrow", Msg: "narrow() cannot be applied to a 0-dim tensor"})
	}
	size := t.shape()[d]
	if start < -size || start > size {
		panic(&IndexError{Op: "Narrow", Dim: d, Index: start, Size: size})
	}
	if start < 0 {
		start += size
	}
	if length < 0 || start+length > size {
		panic(&Error{Op: "Narrow", Msg: "start (" + itoa(start) + ") + length (" + itoa(length) + ") exceeds dimension size (" + itoa(size) + ") of dimension " + itoa(d)})
	}
	var shb smallDims
	sh := append(shb[:0], t.shape()...)
	sh[d] = length
	return t.view(sh, t.strides(), t.off+start*t.strides()[d])
}

// Slice returns a view of the elements start, start+step, ... before end
// along dim, as Python's t[..., start:end:step]: negative start and end
// count from the end and both are clamped to the dimension. step must be
// positive.
func (t *Tensor) Slice(dim, start, end, step int) *Tensor {
	if len(t.shape()) == 0 {
		panic(&Error{Op: "Slice", Msg: "slice() cannot be applied to a 0-dim tensor"})
	}
	d := normDim("Slice", dim, len(t.shape()))
	if step <= 0 {
		panic(&Error{Op: "Slice", Msg: "slice step must be positive, got " + itoa(step)})
	}
	size := t.shape()[d]
	clamp := func(i int) int {
		if i < 0 {
			i += size
		}
		return min(max(i, 0), size)
	}
	start, end = clamp(start), clamp(end)
	n := 0
	if end > start {
		n = (end - start + step - 1) / step
	}
	var shb, stb smallDims
	sh, st := append(shb[:0], t.shape()...), append(stb[:0], t.strides()...)
	sh[d] = n
	st[d] *= step
	return t.view(sh, st, t.off+start*t.strides()[d])
}

// Select returns a view of index i along dim, with that dimension removed
// (t[..., i, ...]); a negative index counts from the end.
func (t *Tensor) Select(dim, i int) *Tensor {
	if len(t.shape()) == 0 {
		panic(&Error{Op: "Select", Msg: "select() cannot be applied to a 0-dim tensor"})
	}
	d := normDim("Select", dim, len(t.shape()))
	size := t.shape()[d]
	if i < -size || i >= size {
		panic(&IndexError{Op: "Select", Dim: d, Index: i, Size: size})
	}
	if i < 0 {
		i += size
	}
	var shb, stb smallDims
	sh := slices.Delete(append(shb[:0], t.shape()...), d, d+1)
	st := slices.Delete(append(stb[:0], t.strides()...), d, d+1)
	return t.view(sh, st, t.off+i*t.strides()[d])
}

// Expand returns a view of t broadcast to the shape: dimensions of size 1
// repeat with stride 0 and new leading dimensions may be added; -1 keeps a
// dimension's size. Several elements of the result share memory, so write
// to a Clone instead.
func (t *Tensor) Expand(shape ...int) *Tensor {
	n := len(shape)
	lead := n - len(t.shape())
	if lead < 0 {
		panic(shapeErr("Expand", t.shape(), shape, "the number of sizes provided ("+itoa(n)+") must be greater or equal to the number of dimensions in the tensor ("+itoa(len(t.shape()))+")"))
	}
	var shb, stb smallDims
	sh := append(shb[:0], shape...)
	for i := lead; i < n; i++ {
		if sh[i] == -1 {
			sh[i] = t.shape()[i-lead]
		}
	}
	for i := range lead {
		if sh[i] < 0 {
			panic(shapeErr("Expand", t.shape(), shape, "the expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension "+itoa(i)))
		}
	}
	st := broadcastStrides("Expand", t, sh, stb[:0])
	return t.view(sh, st, t.off)
}

// ExpandAs is t.Expand(other's shape).
func (t *Tensor) ExpandAs(other *Tensor) *Tensor { return t.Expand(other.shape()...) }

// BroadcastTo is Expand without -1 entries (torch.broadcast_to).
func (t *Tensor) BroadcastTo(shape ...int) *Tensor { return t.Expand(shape...) }

// Squeeze returns a view without dimensions of size 1: all of them, or
// only those of dims that have size 1.
func (t *Tensor) Squeeze(dims ...int) *Tensor {
	n := len(t.shape())
	var dropb [inlineDims]bool
	drop := append(dropb[:0], make([]bool, n)...)
	if len(dims) == 0 {
		for i, s := range t.shape() {
			drop[i] = s == 1
		}
	} else {
		for _, d := range dims {
			d = normDim("Squeeze", d, n)
			if n > 0 {
				drop[d] = t.shape()[d] == 1
			}
		}
	}
	var shb, stb smallDims
	sh, st := shb[:0], stb[:0]
	for i := range n {
		if !drop[i] {
			sh = append(sh, t.shape()[i])
			st = append(st, t.strides()[i])
		}
	}
	return t.view(sh, st, t.off)
}

// Unsqueeze returns a view with a dimension of size 1 inserted at dim
// (-1 appends one).
func (t *Tensor) Unsqueeze(dim int) *Tensor {
	n := len(t.shape())
	d := normDim("Unsqueeze", dim, n+1)
	st := 1
	if d < n {
		st = t.strides()[d] * t.shape()[d]
	}
	var shb, stb [inlineDims + 1]int
	sh := slices.Insert(append(shb[:0], t.shape()...), d, 1)
	sts := slices.Insert(append(stb[:0], t.strides()...), d, st)
	return t.view(sh, sts, t.off)
}

// Copy copies src (broadcast to t's shape, converted to t's dtype) into t
// and returns t (torch's copy_). It allocates nothing.
func (t *Tensor) Copy(src *Tensor) *Tensor {
	checkWritable("Copy", t)
	copyInto(t, src)
	return t
}

// Fill sets every element of t to v and returns t (torch's fill_).
func (t *Tensor) Fill(v float64) *Tensor {
	checkWritable("Fill", t)
	var it iter
	it.init(t.shape(), 1, [maxOps]int{t.off}, [maxOps][]int{t.strides()})
	it.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		p := off[0]
		if t.dtype == Float64 {
			if inc[0] == 1 {
				kernels.Fill(t.f64()[p:p+n], v)
				return
			}
			for range n {
				t.f64()[p] = v
				p += inc[0]
			}
		} else {
			if inc[0] == 1 {
				kernels.Fill(t.f32()[p:p+n], float32(v))
				return
			}
			for range n {
				t.f32()[p] = float32(v)
				p += inc[0]
			}
		}
	})
	return t
}
