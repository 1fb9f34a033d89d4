package tensor

import (
	"sync"

	"github.com/simdtorch/simdtorch/kernels"
)

// maxOps is the most operands (destination included) one iteration walks.
const maxOps = 4

// maxIterDims is the most dimensions an iteration handles after
// collapsing, PyTorch's limit too.
const maxIterDims = 25

// iter walks a shape shared by up to maxOps operands, each with its own
// strides and offset. Dimensions of size 1 are dropped and neighbouring
// dimensions that are contiguous for every operand are merged, so a
// contiguous or row-broadcast operand yields long inner runs, which the ops
// hand to the kernels. It lives on the stack: no allocation.
type iter struct {
	nops  int
	nd    int
	size  [maxIterDims]int         // collapsed, outermost first
	st    [maxOps][maxIterDims]int // collapsed strides per operand
	off   [maxOps]int
	empty bool
}

// init prepares the walk over shape; strides[k] (len(shape) long) and
// offs[k] describe operand k.
func (it *iter) init(shape []int, nops int, offs [maxOps]int, strides [maxOps][]int) {
	it.nops = nops
	it.off = offs
	it.nd = 0
	// Collapse from the innermost dimension outwards, building the result
	// reversed, then reverse it.
	for d := len(shape) - 1; d >= 0; d-- {
		s := shape[d]
		if s == 0 {
			it.empty = true
		}
		if s == 1 {
			continue
		}
		if m := it.nd; m > 0 {
			merge := true
			for k := range nops {
				if strides[k][d] != it.st[k][m-1]*it.size[m-1] {
					merge = false
					break
				}
			}
			if merge {
				it.size[m-1] *= s
				continue
			}
		}
		if it.nd == maxIterDims {
			panic(&Error{Op: "iterate", Msg: "tensors with more than " + itoa(maxIterDims) + " dimensions that cannot be merged are not supported (shape " + fmtShape(shape) + ")"})
		}
		it.size[it.nd] = s
		for k := range nops {
			it.st[k][it.nd] = strides[k][d]
		}
		it.nd++
	}
	reverse(it.size[:it.nd])
	for k := range nops {
		reverse(it.st[k][:it.nd])
	}
}

func reverse(s []int) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// runs calls fn once per innermost run: off holds each operand's position
// of the run's first element, n its length and inc each operand's stride
// along it.
func (it *iter) runs(fn func(off [maxOps]int, n int, inc [maxOps]int)) {
	if it.empty {
		return
	}
	nd := it.nd
	var inc [maxOps]int
	off := it.off
	if nd == 0 {
		fn(off, 1, inc)
		return
	}
	for k := range it.nops {
		inc[k] = it.st[k][nd-1]
	}
	n := it.size[nd-1]
	if nd == 1 {
		fn(off, n, inc)
		return
	}
	var idx [maxIterDims]int
	for {
		fn(off, n, inc)
		// Advance the outer counter.
		d := nd - 2
		for ; d >= 0; d-- {
			idx[d]++
			for k := range it.nops {
				off[k] += it.st[k][d]
			}
			if idx[d] < it.size[d] {
				break
			}
			for k := range it.nops {
				off[k] -= it.st[k][d] * it.size[d]
			}
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

// broadcastShape returns the shape a and b broadcast to, written into buf
// when it fits; it panics with PyTorch's wording when they do not fit.
func broadcastShape(op string, a, b []int, buf []int) []int {
	n := max(len(a), len(b))
	var out []int
	if n <= cap(buf) {
		out = buf[:n]
	} else {
		out = make([]int, n)
	}
	for i := range n {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db, db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			panic(shapeErr(op, a, b, "the size of tensor a ("+itoa(da)+") must match the size of tensor b ("+itoa(db)+") at non-singleton dimension "+itoa(i)))
		}
	}
	return out
}

// broadcastStrides returns t's strides for viewing it with shape (to which
// it must broadcast), written into buf when it fits: 0 along broadcast
// dimensions.
func broadcastStrides(op string, t *Tensor, shape []int, buf []int) []int {
	return broadcastStridesOf(op, t.shape(), t.strides(), shape, buf)
}

// broadcastStridesOf is broadcastStrides for a layout given as tshape and
// tstrides.
func broadcastStridesOf(op string, tshape, tstrides, shape []int, buf []int) []int {
	n := len(shape)
	var out []int
	if n <= cap(buf) {
		out = buf[:n]
	} else {
		out = make([]int, n)
	}
	lead := n - len(tshape)
	if lead < 0 {
		panic(shapeErr(op, tshape, shape, "the number of sizes provided ("+itoa(n)+") must be greater or equal to the number of dimensions in the tensor ("+itoa(len(tshape))+")"))
	}
	for i := range n {
		if i < lead {
			out[i] = 0
			continue
		}
		s := tshape[i-lead]
		switch {
		case s == shape[i]:
			out[i] = tstrides[i-lead]
			if s == 1 {
				out[i] = 0
			}
		case s == 1:
			out[i] = 0
		default:
			panic(shapeErr(op, tshape, shape, "the expanded size of the tensor ("+itoa(shape[i])+") must match the existing size ("+itoa(s)+") at non-singleton dimension "+itoa(i)))
		}
	}
	return out
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkWritable panics if dst has elements that share memory (a stride of
// 0 over a dimension longer than 1), as PyTorch refuses to write to them.
func checkWritable(op string, dst *Tensor) {
	if dst.contig {
		return
	}
	for i, s := range dst.strides() {
		if s == 0 && dst.shape()[i] > 1 {
			panic(&Error{Op: op, Msg: "unsupported operation: more than one element of the written-to tensor (shape " + fmtShape(dst.shape()) + ", strides " + fmtShape(dst.strides()) + ") refers to a single memory location; call Clone or Contiguous first"})
		}
	}
}

// copyInto copies src, broadcast to dst's shape, into dst, converting the
// dtype if they differ.
func copyInto(dst, src *Tensor) { copyTensor(dst, src, false) }

// copyIntoNew is copyInto for a dst that was just allocated (empty) and
// not yet written: the results of Contiguous, Clone, To, Cat and the like.
// The transposing copy then avoids the avx512 line walk, which is slower
// into memory not yet faulted in (see fresh in transpose.go).
func copyIntoNew(dst, src *Tensor) { copyTensor(dst, src, true) }

// copyTensor is copyInto and copyIntoNew (fresh).
func copyTensor(dst, src *Tensor, fresh bool) {
	var sbuf [8]int
	ss := src.strides()
	if !sameShape(dst.shape(), src.shape()) {
		ss = broadcastStrides("Copy", src, dst.shape(), sbuf[:0])
	}
	switch {
	case dst.dtype == Float32 && src.dtype == Float32:
		copyT[float32, float32](dst, src, ss, fresh)
	case dst.dtype == Float64 && src.dtype == Float64:
		copyT[float64, float64](dst, src, ss, fresh)
	case dst.dtype == Float32:
		copyT[float32, float64](dst, src, ss, fresh)
	default:
		copyT[float64, float32](dst, src, ss, fresh)
	}
}

func copyT[D, S kernels.Float](dst, src *Tensor, sst []int, fresh bool) {
	d := storage[D](dst)
	s := storage[S](src)
	if dst.contig && src.contig && sameShape(dst.shape(), src.shape()) {
		dd := d[dst.off : dst.off+dst.numel]
		sd := s[src.off : src.off+dst.numel]
		if dtypeOf[D]() == dtypeOf[S]() {
			copy(dd, any(sd).([]D))
			return
		}
		for i, v := range sd {
			dd[i] = D(v)
		}
		return
	}
	var it iter
	it.init(dst.shape(), 2, [maxOps]int{dst.off, src.off}, [maxOps][]int{dst.strides(), sst})
	// A transpose or another permutation: the destination and the source
	// have unit stride along different dimensions.
	if p, q, ok := transposeDims(&it); ok {
		blockedCopy(d, s, &it, p, q, fresh)
		return
	}
	it.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		if inc[0] == 1 && inc[1] == 1 && dtypeOf[D]() == dtypeOf[S]() {
			copy(d[off[0]:off[0]+n], any(s[off[1]:off[1]+n]).([]D))
			return
		}
		if inc[1] == 0 {
			v := D(s[off[1]])
			if inc[0] == 1 {
				kernels.Fill(d[off[0]:off[0]+n], v)
				return
			}
		}
		p, q := off[0], off[1]
		for range n {
			d[p] = D(s[q])
			p += inc[0]
			q += inc[1]
		}
	})
}

// Scratch buffers for gathering strided runs before a kernel call.
const scratchLen = 512

var (
	scratch32 = sync.Pool{New: func() any { return new([3][scratchLen]float32) }}
	scratch64 = sync.Pool{New: func() any { return new([3][scratchLen]float64) }}
)

func getScratch[T kernels.Float]() *[3][scratchLen]T {
	if dtypeOf[T]() == Float32 {
		return any(scratch32.Get()).(*[3][scratchLen]T)
	}
	return any(scratch64.Get()).(*[3][scratchLen]T)
}

func putScratch[T kernels.Float](p *[3][scratchLen]T) {
	if dtypeOf[T]() == Float32 {
		scratch32.Put(p)
	} else {
		scratch64.Put(p)
	}
}

// gather copies n elements of s starting at off with stride inc into buf.
func gather[T kernels.Float](buf, s []T, off, n, inc int) []T {
	buf = buf[:n]
	if inc == 0 {
		v := s[off]
		for i := range buf {
			buf[i] = v
		}
		return buf
	}
	for i := range buf {
		buf[i] = s[off]
		off += inc
	}
	return buf
}

// scatter copies buf into s starting at off with stride inc.
func scatter[T kernels.Float](s, buf []T, off, inc int) {
	for _, v := range buf {
		s[off] = v
		off += inc
	}
}
