package tensor

import (
	"slices"
	"unsafe"

	"github.com/simdtorch/simdtorch/kernels"
)

// DType is the element type of a tensor.
type DType uint8

const (
	Float32 DType = iota // the default, as torch.get_default_dtype()
	Float64
)

// String returns "float32" or "float64".
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return "DType(" + itoa(int(d)) + ")"
}

// Size returns the size of one element in bytes.
func (d DType) Size() int {
	if d == Float64 {
		return 8
	}
	return 4
}

func (d DType) check(op string) {
	if d != Float32 && d != Float64 {
		panic(&Error{Op: op, Msg: "unknown dtype " + d.String()})
	}
}

// inlineDims is how many dimensions a tensor keeps without allocating its
// shape and strides separately.
const inlineDims = 4

// Tensor is an n-dimensional strided array of float32 or float64 elements
// (torch.Tensor). The element at index (i0, i1, ...) is
// storage[offset + i0*strides[0] + i1*strides[1] + ...].
//
// Views (View, Transpose, Narrow, Select, Expand, ...) share the storage of
// the tensor they come from: writes through a view are seen by the base.
// Operations such as Add return new tensors with fresh contiguous storage;
// the InPlace methods and the Into functions write into existing tensors.
//
// A Tensor is not safe for concurrent writes; concurrent reads (including
// ops that only read it) are safe.
type Tensor struct {
	// The header is kept small because every op that returns a tensor
	// allocates one (with its data, when that is small; see empty): the
	// storage is a pointer and a length rather than a []float32 and a
	// []float64, and shape and strides live in inl (or ext) rather than
	// behind two slice headers. 112 bytes on 64-bit platforms.
	ptr    unsafe.Pointer // first element of the storage ([]float32 or []float64 by dtype)
	cap    int            // storage length in elements
	off    int
	numel  int
	ext    *int // shape then strides, 2*nd ints, when nd > inlineDims
	nd     uint32
	dtype  DType
	contig bool
	inl    [2 * inlineDims]int // shape in inl[:nd], strides in inl[inlineDims:][:nd], when nd <= inlineDims
}

// shape returns t's shape; it aliases t, so callers must not modify it
// (except the functions that set a layout).
func (t *Tensor) shape() []int {
	n := int(t.nd)
	if n <= inlineDims {
		return t.inl[:n:n]
	}
	return unsafe.Slice(t.ext, 2*n)[:n:n]
}

// strides returns t's strides, aliasing t like shape.
func (t *Tensor) strides() []int {
	n := int(t.nd)
	if n <= inlineDims {
		return t.inl[inlineDims : inlineDims+n : inlineDims+n]
	}
	return unsafe.Slice(t.ext, 2*n)[n:]
}

// sameShape reports whether t and u have the same shape.
func (t *Tensor) sameShape(u *Tensor) bool {
	n := int(t.nd)
	if n != int(u.nd) {
		return false
	}
	if n <= inlineDims {
		for i := range n {
			if t.inl[i] != u.inl[i] {
				return false
			}
		}
		return true
	}
	return sameShape(t.shape(), u.shape())
}

// f32 returns the whole storage of a Float32 tensor (nil for Float64).
func (t *Tensor) f32() []float32 {
	if t.dtype != Float32 {
		return nil
	}
	return unsafe.Slice((*float32)(t.ptr), t.cap)
}

// f64 returns the whole storage of a Float64 tensor (nil for Float32).
func (t *Tensor) f64() []float64 {
	if t.dtype != Float64 {
		return nil
	}
	return unsafe.Slice((*float64)(t.ptr), t.cap)
}

// storage returns the whole storage slice of t as []T. It panics if T is
// not t's element type (reading the storage as the other type would run
// past its end).
func storage[T kernels.Float](t *Tensor) []T {
	if dtypeOf[T]() != t.dtype {
		panic(&Error{Op: "storage", Msg: "tensor has dtype " + t.dtype.String() + ", used as " + dtypeOf[T]().String()})
	}
	return unsafe.Slice((*T)(t.ptr), t.cap)
}

func dtypeOf[T kernels.Float]() DType {
	var z T
	if _, ok := any(z).(float32); ok {
		return Float32
	}
	return Float64
}

// setStorage sets t's storage (and dtype) to s.
func setStorage[T kernels.Float](t *Tensor, s []T) {
	t.ptr = unsafe.Pointer(unsafe.SliceData(s))
	t.cap = len(s)
	t.dtype = dtypeOf[T]()
}

// setDims points t's shape and strides at room for n dimensions.
func (t *Tensor) setDims(n int) {
	t.nd = uint32(n)
	t.ext = nil
	if n > inlineDims {
		t.ext = unsafe.SliceData(make([]int, 2*n))
	}
}

// setLayout gives t the shape and strides (copied) and recomputes the
// cached element count and contiguity.
func (t *Tensor) setLayout(shape, strides []int) {
	t.setDims(len(shape))
	sh, st := t.shape(), t.strides()
	copy(sh, shape)
	copy(st, strides)
	t.numel = 1
	for _, s := range shape {
		t.numel *= s
	}
	t.contig = isContiguous(sh, st)
}

// setContiguousLayout gives t the shape with row-major strides.
func (t *Tensor) setContiguousLayout(shape []int) {
	n := len(shape)
	t.setDims(n)
	sh, st := t.shape(), t.strides()
	copy(sh, shape)
	s := 1
	for i := n - 1; i >= 0; i-- {
		st[i] = s
		s *= sh[i]
	}
	t.numel = s
	t.contig = true
}

func isContiguous(shape, strides []int) bool {
	st := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] == 1 {
			continue
		}
		if shape[i] == 0 {
			return true
		}
		if strides[i] != st {
			return false
		}
		st *= shape[i]
	}
	return true
}

// empty returns a new contiguous tensor of the shape with uninitialised
// (zero) storage.
func empty(dtype DType, shape []int) *Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	// Small tensors live in one allocation with their data: that halves
	// the per-op cost of small results. The header is 112 bytes, so the
	// boxes fill Go's 128, 144 and 176-byte size classes.
	var t *Tensor
	var data unsafe.Pointer
	switch b := n * dtype.Size(); {
	case n < 0:
		panic(&Error{Op: "Empty", Msg: "negative dimension in shape " + fmtShape(shape)})
	case len(shape) > inlineDims || b > 64:
		t = &Tensor{}
		if dtype == Float64 {
			data = unsafe.Pointer(unsafe.SliceData(make([]float64, n)))
		} else {
			data = unsafe.Pointer(unsafe.SliceData(make([]float32, n)))
		}
	case b <= 16:
		x := &box[[2]uint64]{}
		t, data = &x.t, unsafe.Pointer(&x.d)
	case b <= 32:
		x := &box[[4]uint64]{}
		t, data = &x.t, unsafe.Pointer(&x.d)
	default:
		x := &box[[8]uint64]{}
		t, data = &x.t, unsafe.Pointer(&x.d)
	}
	t.setContiguousLayout(shape)
	t.ptr, t.cap, t.dtype = data, n, dtype
	return t
}

// box is a tensor header and its data (of type D, an array of words) in
// one allocation.
type box[D any] struct {
	t Tensor
	d D
}

// emptyLike returns a new contiguous tensor with t's dtype and shape.
func emptyLike(t *Tensor) *Tensor { return empty(t.dtype, t.shape()) }

// view returns a tensor sharing t's storage with another layout.
func (t *Tensor) view(shape, strides []int, off int) *Tensor {
	v := &Tensor{ptr: t.ptr, cap: t.cap, dtype: t.dtype, off: off}
	v.setLayout(shape, strides)
	return v
}

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Dim returns the number of dimensions (0 for a scalar).
func (t *Tensor) Dim() int { return len(t.shape()) }

// Shape returns a copy of the shape.
func (t *Tensor) Shape() []int { return slices.Clone(t.shape()) }

// Strides returns a copy of the strides, in elements.
func (t *Tensor) Strides() []int { return slices.Clone(t.strides()) }

// Offset returns the position of the first element in the storage.
func (t *Tensor) Offset() int { return t.off }

// Size returns the size of dimension dim; negative dims count from the end.
func (t *Tensor) Size(dim int) int { return t.shape()[normDim("Size", dim, len(t.shape()))] }

// Numel returns the number of elements.
func (t *Tensor) Numel() int { return t.numel }

// IsContiguous reports whether the elements lie in row-major order without
// gaps (dimensions of size 1 may have any stride), as torch's is_contiguous.
func (t *Tensor) IsContiguous() bool { return t.contig }

// SharesStorage reports whether t and u are views of the same storage.
func (t *Tensor) SharesStorage(u *Tensor) bool {
	return t.dtype == u.dtype && t.cap > 0 && u.cap > 0 && t.ptr == u.ptr
}

// Data returns the elements of a contiguous tensor as a slice that shares
// its storage (writes to it change the tensor), in row-major order. It is
// the way to hand a tensor to the kernels package. It panics if t is not
// contiguous or T is not t's element type.
func Data[T kernels.Float](t *Tensor) []T {
	if dtypeOf[T]() != t.dtype {
		panic(&Error{Op: "Data", Msg: "tensor has dtype " + t.dtype.String() + ", asked for " + dtypeOf[T]().String()})
	}
	if !t.contig {
		panic(&Error{Op: "Data", Msg: "tensor of shape " + fmtShape(t.shape()) + " with strides " + fmtShape(t.strides()) + " is not contiguous (call Contiguous first)"})
	}
	return storage[T](t)[t.off : t.off+t.numel : t.off+t.numel]
}

// Float32s returns a copy of the elements in row-major order as float32.
func (t *Tensor) Float32s() []float32 {
	c := empty(Float32, t.shape())
	copyIntoNew(c, t)
	return c.f32()
}

// Float64s returns a copy of the elements in row-major order as float64.
func (t *Tensor) Float64s() []float64 {
	c := empty(Float64, t.shape())
	copyIntoNew(c, t)
	return c.f64()
}

// index returns the storage position of the element at idx (checked).
func (t *Tensor) index(op string, idx []int) int {
	if len(idx) != len(t.shape()) {
		panic(&Error{Op: op, Msg: "got " + itoa(len(idx)) + " indices for a tensor of shape " + fmtShape(t.shape())})
	}
	p := t.off
	for d, i := range idx {
		n := t.shape()[d]
		if i < -n || i >= n {
			panic(&IndexError{Op: op, Dim: d, Index: i, Size: n})
		}
		if i < 0 {
			i += n
		}
		p += i * t.strides()[d]
	}
	return p
}

// At returns the element at idx (negative indices count from the end).
func (t *Tensor) At(idx ...int) float64 {
	p := t.index("At", idx)
	if t.dtype == Float64 {
		return t.f64()[p]
	}
	return float64(t.f32()[p])
}

// Set writes v (rounded to t's dtype) at idx. It allocates nothing.
func (t *Tensor) Set(v float64, idx ...int) {
	p := t.index("Set", idx)
	if t.dtype == Float64 {
		t.f64()[p] = v
	} else {
		t.f32()[p] = float32(v)
	}
}

// Item returns the value of a tensor with one element (torch's item()).
func (t *Tensor) Item() float64 {
	if t.numel != 1 {
		panic(&Error{Op: "Item", Msg: "a Tensor with " + itoa(t.numel) + " elements cannot be converted to Scalar (shape " + fmtShape(t.shape()) + ")"})
	}
	if t.dtype == Float64 {
		return t.f64()[t.off]
	}
	return float64(t.f32()[t.off])
}

// Contiguous returns t if it is contiguous, otherwise a contiguous copy.
func (t *Tensor) Contiguous() *Tensor {
	if t.contig {
		return t
	}
	return t.Clone()
}

// Clone returns a contiguous copy of t with its own storage.
func (t *Tensor) Clone() *Tensor {
	c := emptyLike(t)
	copyIntoNew(c, t)
	return c
}

// To returns t converted to dtype: t itself if it already has that dtype,
// otherwise a contiguous copy.
func (t *Tensor) To(dtype DType) *Tensor {
	dtype.check("To")
	if t.dtype == dtype {
		return t
	}
	c := empty(dtype, t.shape())
	copyIntoNew(c, t)
	return c
}
