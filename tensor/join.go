package tensor

import (
	"math"

	"github.com/simdtorch/simdtorch/kernels"
)

// Cat concatenates tensors along dim (torch.cat). All must have the same
// shape except along dim; as in PyTorch, 1-D tensors of size 0 are skipped.
// Mixed dtypes give Float64.
func Cat(ts []*Tensor, dim int) *Tensor {
	const op = "Cat"
	if len(ts) == 0 {
		panic(&Error{Op: op, Msg: "expected a non-empty list of tensors"})
	}
	var ref *Tensor
	dtype := ts[0].dtype
	for _, t := range ts {
		if t.dtype != dtype {
			dtype = Float64
		}
		if ref == nil && !(len(t.shape()) == 1 && t.shape()[0] == 0) {
			ref = t
		}
	}
	if ref == nil {
		return empty(dtype, []int{0})
	}
	d := normDim(op, dim, len(ref.shape()))
	if len(ref.shape()) == 0 {
		panic(&Error{Op: op, Msg: "zero-dimensional tensor cannot be concatenated"})
	}
	total := 0
	for i, t := range ts {
		if len(t.shape()) == 1 && t.shape()[0] == 0 {
			continue
		}
		if len(t.shape()) != len(ref.shape()) {
			panic(shapeErr(op, ref.shape(), t.shape(), "tensors must have same number of dimensions: got "+itoa(len(ref.shape()))+" and "+itoa(len(t.shape()))))
		}
		for j := range t.shape() {
			if j != d && t.shape()[j] != ref.shape()[j] {
				panic(shapeErr(op, ref.shape(), t.shape(), "sizes of tensors must match except in dimension "+itoa(d)+"; expected size "+itoa(ref.shape()[j])+" but got size "+itoa(t.shape()[j])+" for tensor number "+itoa(i)+" in the list"))
			}
		}
		total += t.shape()[d]
	}
	shape := append([]int{}, ref.shape()...)
	shape[d] = total
	out := empty(dtype, shape)
	pos := 0
	for _, t := range ts {
		if len(t.shape()) == 1 && t.shape()[0] == 0 {
			continue
		}
		copyIntoNew(out.Narrow(d, pos, t.shape()[d]), t)
		pos += t.shape()[d]
	}
	return out
}

// Stack joins tensors of one shape along a new dimension dim
// (torch.stack).
func Stack(ts []*Tensor, dim int) *Tensor {
	const op = "Stack"
	if len(ts) == 0 {
		panic(&Error{Op: op, Msg: "expected a non-empty list of tensors"})
	}
	d := normDim(op, dim, len(ts[0].shape())+1)
	us := make([]*Tensor, len(ts))
	for i, t := range ts {
		if !sameShape(t.shape(), ts[0].shape()) {
			panic(shapeErr(op, ts[0].shape(), t.shape(), "stack expects each tensor to be equal size, but got "+fmtShape(ts[0].shape())+" at entry 0 and "+fmtShape(t.shape())+" at entry "+itoa(i)))
		}
		us[i] = t.Unsqueeze(d)
	}
	if ts[0].numel == 0 || len(ts[0].shape()) == 1 && ts[0].shape()[0] == 0 {
		shape := append([]int{}, ts[0].shape()...)
		shape = append(shape[:d], append([]int{len(ts)}, shape[d:]...)...)
		dtype := ts[0].dtype
		for _, t := range ts {
			if t.dtype != dtype {
				dtype = Float64
			}
		}
		return empty(dtype, shape)
	}
	return Cat(us, d)
}

// Split splits t into views of size elements along dim; the last may be
// smaller (torch.split with an int).
func (t *Tensor) Split(size, dim int) []*Tensor {
	d := normDim("Split", dim, len(t.shape()))
	if len(t.shape()) == 0 {
		panic(&Error{Op: "Split", Msg: "split expects at least a 1-dimensional tensor"})
	}
	if size <= 0 && !(size == 0 && t.shape()[d] == 0) {
		panic(&Error{Op: "Split", Msg: "split_size can only be 0 if dimension size is 0, but got split size " + itoa(size) + " for dimension " + itoa(d) + " of size " + itoa(t.shape()[d])})
	}
	n := t.shape()[d]
	if n == 0 {
		return []*Tensor{t.Narrow(d, 0, 0)}
	}
	var out []*Tensor
	for lo := 0; lo < n; lo += size {
		out = append(out, t.Narrow(d, lo, min(size, n-lo)))
	}
	return out
}

// SplitSizes splits t into views along dim with the given sizes, which
// must add up to the dimension's size (torch.split with a list).
func (t *Tensor) SplitSizes(sizes []int, dim int) []*Tensor {
	d := normDim("SplitSizes", dim, len(t.shape()))
	if len(t.shape()) == 0 {
		panic(&Error{Op: "SplitSizes", Msg: "split expects at least a 1-dimensional tensor"})
	}
	sum := 0
	for _, s := range sizes {
		if s < 0 {
			panic(&Error{Op: "SplitSizes", Msg: "split sizes must be non-negative, got " + fmtShape(sizes)})
		}
		sum += s
	}
	if sum != t.shape()[d] {
		panic(&Error{Op: "SplitSizes", Msg: "split_with_sizes expects split_sizes to sum exactly to " + itoa(t.shape()[d]) + " (input tensor's size at dimension " + itoa(d) + "), but got split_sizes=" + fmtShape(sizes)})
	}
	out := make([]*Tensor, len(sizes))
	lo := 0
	for i, s := range sizes {
		out[i] = t.Narrow(d, lo, s)
		lo += s
	}
	return out
}

// Chunk splits t into at most n views of equal size along dim, the last
// possibly smaller (torch.chunk).
func (t *Tensor) Chunk(n, dim int) []*Tensor {
	if n <= 0 {
		panic(&Error{Op: "Chunk", Msg: "chunk expects `chunks` to be greater than 0, got: " + itoa(n)})
	}
	d := normDim("Chunk", dim, len(t.shape()))
	if len(t.shape()) == 0 {
		panic(&Error{Op: "Chunk", Msg: "chunk expects at least a 1-dimensional tensor"})
	}
	size := (t.shape()[d] + n - 1) / n
	if size == 0 {
		size = 1
		if t.shape()[d] == 0 {
			out := make([]*Tensor, n)
			for i := range out {
				out[i] = t.Narrow(d, 0, 0)
			}
			return out
		}
	}
	return t.Split(size, d)
}

// indices reads an index tensor (any dtype, whole numbers) as ints,
// checking each against [-size, size).
func indices(op string, index *Tensor, dim, size int) []int {
	vals := index.Float64s()
	out := make([]int, len(vals))
	for i, v := range vals {
		if v != math.Trunc(v) || math.IsInf(v, 0) {
			panic(&Error{Op: op, Msg: "index " + fmtFloat(v, 'g', -1) + " is not a whole number"})
		}
		j := int(v)
		if j < -size || j >= size {
			panic(&IndexError{Op: op, Dim: dim, Index: j, Size: size})
		}
		if j < 0 {
			j += size
		}
		out[i] = j
	}
	return out
}

// IndexSelect returns the entries of t at the given indices along dim
// (torch.index_select): index is a 1-D (or 0-D) tensor of whole numbers of
// either dtype; negative indices count from the end. This is the embedding
// lookup: weight.IndexSelect(0, tokens).
func (t *Tensor) IndexSelect(dim int, index *Tensor) *Tensor {
	if len(index.shape()) > 1 {
		panic(&Error{Op: "IndexSelect", Msg: "index_select(): index should be 0-D or 1-D, got shape " + fmtShape(index.shape())})
	}
	d := normDim("IndexSelect", dim, len(t.shape()))
	size := 1
	if len(t.shape()) > 0 {
		size = t.shape()[d]
	}
	return t.indexSelect(d, indices("IndexSelect", index, d, size))
}

// IndexSelectInts is IndexSelect with the indices as a Go slice.
func (t *Tensor) IndexSelectInts(dim int, index []int) *Tensor {
	d := normDim("IndexSelect", dim, len(t.shape()))
	size := 1
	if len(t.shape()) > 0 {
		size = t.shape()[d]
	}
	idx := make([]int, len(index))
	for i, j := range index {
		if j < -size || j >= size {
			panic(&IndexError{Op: "IndexSelect", Dim: d, Index: j, Size: size})
		}
		if j < 0 {
			j += size
		}
		idx[i] = j
	}
	return t.indexSelect(d, idx)
}

// IndexSelectInto writes t.IndexSelectInts(dim, index) into dst, which
// must have that shape and t's dtype, and returns dst (torch.index_select
// with out=): batches gathered by a permutation into one reused tensor,
// Xtr[perm[i:i+bs]] in PyTorch. Rows of a contiguous t along dim 0 into a
// contiguous dst are copied without allocating. dst must not overlap t.
func IndexSelectInto(dst, t *Tensor, dim int, index []int) *Tensor {
	const op = "IndexSelectInto"
	d := normDim(op, dim, len(t.shape()))
	size := 1
	if len(t.shape()) > 0 {
		size = t.shape()[d]
	}
	idx := index
	for i, j := range index {
		if j < -size || j >= size {
			panic(&IndexError{Op: op, Dim: d, Index: j, Size: size})
		}
		if j < 0 {
			if &idx[0] == &index[0] {
				idx = append([]int(nil), index...)
			}
			idx[i] = j + size
		}
	}
	if dst.dtype != t.dtype {
		panic(&Error{Op: op, Msg: "dst has dtype " + dst.dtype.String() + ", input " + t.dtype.String()})
	}
	ok := len(dst.shape()) == max(len(t.shape()), 1)
	if ok && len(t.shape()) == 0 {
		ok = dst.shape()[0] == len(idx)
	}
	for k := 0; ok && k < len(t.shape()); k++ {
		want := t.shape()[k]
		if k == d {
			want = len(idx)
		}
		ok = dst.shape()[k] == want
	}
	if !ok {
		shape := append([]int{}, t.shape()...)
		if len(shape) == 0 {
			shape = []int{0}
		}
		shape[d] = len(idx)
		panic(shapeErr(op, dst.shape(), shape, "dst must have the shape of the result"))
	}
	if d == 0 && t.contig && dst.contig && len(t.shape()) > 0 {
		row := t.numel / max(t.shape()[0], 1)
		if t.dtype == Float32 {
			copyRows(dst.f32()[dst.off:], t.f32()[t.off:], idx, row)
		} else {
			copyRows(dst.f64()[dst.off:], t.f64()[t.off:], idx, row)
		}
		return dst
	}
	copyInto(dst, t.indexSelect(d, idx))
	return dst
}

func (t *Tensor) indexSelect(d int, idx []int) *Tensor {
	if len(t.shape()) == 0 {
		out := empty(t.dtype, []int{len(idx)})
		for i := range idx {
			out.Set(t.Item(), i)
		}
		return out
	}
	shape := append([]int{}, t.shape()...)
	shape[d] = len(idx)
	out := empty(t.dtype, shape)
	if d == 0 && t.contig {
		row := t.numel / max(t.shape()[0], 1)
		if t.dtype == Float32 {
			copyRows(out.f32(), t.f32()[t.off:], idx, row)
		} else {
			copyRows(out.f64(), t.f64()[t.off:], idx, row)
		}
		return out
	}
	for i, j := range idx {
		copyIntoNew(out.Select(d, i), t.Select(d, j))
	}
	return out
}

func copyRows[T kernels.Float](dst, src []T, idx []int, row int) {
	for i, j := range idx {
		copy(dst[i*row:(i+1)*row], src[j*row:(j+1)*row])
	}
}

// Gather returns out with out[i][j][k] = t[index[i][j][k]][j][k] for
// dim 0 (and likewise for other dims), as torch.gather: index has t's
// number of dimensions, no dimension larger than t's except dim, and the
// result has index's shape.
func (t *Tensor) Gather(dim int, index *Tensor) *Tensor {
	const op = "Gather"
	n := len(t.shape())
	d := normDim(op, dim, n)
	if len(index.shape()) != n && !(n == 0 && len(index.shape()) <= 1) {
		panic(shapeErr(op, t.shape(), index.shape(), "index tensor must have the same number of dimensions as input tensor"))
	}
	for i := range index.shape() {
		if i != d && index.shape()[i] > t.shape()[i] {
			panic(shapeErr(op, t.shape(), index.shape(), "size does not match at dimension "+itoa(i)+": expected index "+fmtShape(index.shape())+" to be smaller than self "+fmtShape(t.shape())+" apart from dimension "+itoa(d)))
		}
	}
	size := 1
	if n > 0 {
		size = t.shape()[d]
	}
	idx := indices(op, index, d, size)
	out := empty(t.dtype, index.shape())
	if out.numel == 0 {
		return out
	}
	// Walk index's shape with t's strides; the position along dim comes
	// from the index.
	st := append([]int{}, t.strides()...)
	ds := 0
	if n > 0 {
		ds = st[d]
		st[d] = 0
	}
	if n == 0 {
		st = make([]int, len(index.shape()))
	}
	outSt := contiguousStrides(index.shape())
	if t.dtype == Float32 {
		gatherT(out.f32(), t.f32(), idx, index.shape(), outSt, st, t.off, ds)
	} else {
		gatherT(out.f64(), t.f64(), idx, index.shape(), outSt, st, t.off, ds)
	}
	return out
}

func gatherT[T kernels.Float](out, src []T, idx, shape, outSt, st []int, off, ds int) {
	var it iter
	it.init(shape, 2, [maxOps]int{0, off}, [maxOps][]int{outSt, st})
	it.runs(func(o [maxOps]int, n int, inc [maxOps]int) {
		p, q := o[0], o[1]
		for range n {
			out[p] = src[q+idx[p]*ds]
			p += inc[0]
			q += inc[1]
		}
	})
}

// IndexAddInPlace adds src's entries into t at the given indices along dim
// (torch.index_add_): t.Select(dim, index[i]) += src.Select(dim, i).
// Repeated indices accumulate. It returns t.
func (t *Tensor) IndexAddInPlace(dim int, index *Tensor, src *Tensor) *Tensor {
	const op = "IndexAddInPlace"
	d := normDim(op, dim, len(t.shape()))
	if len(t.shape()) == 0 {
		panic(&Error{Op: op, Msg: "index_add_() requires at least a 1-D tensor"})
	}
	idx := indices(op, index, d, t.shape()[d])
	if len(src.shape()) != len(t.shape()) || src.shape()[d] != len(idx) {
		panic(shapeErr(op, t.shape(), src.shape(), "source must have the same dimensions as self, with "+itoa(len(idx))+" entries (one per index) along dimension "+itoa(d)))
	}
	for i, j := range idx {
		t.Select(d, j).AddInPlace(src.Select(d, i))
	}
	return t
}
