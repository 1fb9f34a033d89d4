package tensor

import (
	"cmp"
	"math"
	"slices"
	"strconv"
)

// LogSumExp returns log(Σ exp(t)) along dim (torch.logsumexp), computed
// stably: the largest element along dim is taken out before the
// exponentials (an infinite one is not, so all -Inf gives -Inf and +Inf
// gives +Inf), and keepdim keeps dim with size 1. An empty dim gives
// -Inf, log of an empty sum.
func (t *Tensor) LogSumExp(dim int, keepdim bool) *Tensor {
	dim = normDim("LogSumExp", dim, t.Dim())
	if t.Dim() > 0 && t.Size(dim) == 0 { // an empty sum: log 0
		shape := t.Shape()
		if keepdim {
			shape[dim] = 1
		} else {
			shape = slices.Delete(shape, dim, dim+1)
		}
		return t.dtype.Full(math.Inf(-1), shape...)
	}
	m, _ := t.MaxDim(dim, true)
	m = Where(m.IsFinite(), m, scalarLike(m, 0)) // ±Inf (and NaN) shift by 0
	r := t.Sub(m).ExpInPlace().Sum(Dim(dim), KeepDim).LogInPlace().AddInPlace(m)
	if !keepdim {
		r = r.Squeeze(dim)
	}
	return r
}

// scalarLike is a 0-d tensor of t's dtype holding v.
func scalarLike(t *Tensor, v float64) *Tensor {
	if t.dtype == Float64 {
		return Scalar(v)
	}
	return Scalar(float32(v))
}

// IsNaN returns 1 where t is NaN and 0 elsewhere, in t's dtype
// (torch.isnan; this package has no bool dtype).
func (t *Tensor) IsNaN() *Tensor { return t.Ne(t) }

// IsInf returns 1 where t is ±Inf and 0 elsewhere (torch.isinf).
func (t *Tensor) IsInf() *Tensor { return t.Abs().EqScalar(math.Inf(1)) }

// IsFinite returns 1 where t is neither NaN nor ±Inf (torch.isfinite).
func (t *Tensor) IsFinite() *Tensor { return t.Sub(t).EqScalar(0) }

// AllClose reports whether t == o or |t - o| <= atol + rtol·|o| with a
// finite difference, for every element after broadcasting (torch.allclose
// with equal_nan=False): equal infinities are close, +Inf and -Inf are
// not, NaN is close to nothing.
func (t *Tensor) AllClose(o *Tensor, rtol, atol float64) bool {
	diff := t.Sub(o).AbsInPlace()
	close := diff.Le(o.Abs().MulScalarInPlace(rtol).AddScalarInPlace(atol)).MulInPlace(diff.IsFinite())
	close.MaximumInPlace(t.Eq(o)) // Inf == Inf, where Inf - Inf is NaN
	return close.numel == 0 || close.Min().Item() == 1
}

// Equal reports whether t and o have the same shape and the same values
// (torch.equal; NaN equals nothing). The dtypes may differ.
func (t *Tensor) Equal(o *Tensor) bool {
	if !slices.Equal(t.shape(), o.shape()) {
		return false
	}
	return t.numel == 0 || t.Eq(o).Min().Item() == 1
}

// alongLast applies fn to each row of t taken along dim (as float64s,
// exact for float32), fn writing len(out) values per row, and returns the
// results with dim of size len(out) in place of dim: contiguous, in dtype
// dt.
func (t *Tensor) alongLast(dim, width int, dt DType, fn func(row, out []float64)) *Tensor {
	last := t.Dim() - 1
	moved := t.Transpose(dim, last)
	rows := moved.Float64s()
	n := moved.Size(-1)
	shape := moved.Shape()
	shape[last] = width
	count := 1
	for _, s := range shape[:last] {
		count *= s
	}
	out := make([]float64, count*width)
	for r := range count {
		fn(rows[r*n:(r+1)*n], out[r*width:(r+1)*width])
	}
	return New(out, shape...).To(dt).Transpose(dim, last).Contiguous()
}

// CumSum returns the running sums along dim (torch.cumsum), accumulated
// in float64 and rounded to t's dtype, as PyTorch accumulates on the CPU.
func (t *Tensor) CumSum(dim int) *Tensor {
	if t.Dim() == 0 {
		return t.Clone()
	}
	dim = normDim("CumSum", dim, t.Dim())
	return t.alongLast(dim, t.Size(dim), t.dtype, func(row, out []float64) {
		s := 0.0
		for i, v := range row {
			s += v
			out[i] = s
		}
	})
}

// Sort returns t's elements sorted along dim and their original indices
// (a Float64 tensor of whole numbers), as torch.sort(stable=True): equal
// elements keep their order, and NaN sorts above +Inf (last ascending,
// first descending).
func (t *Tensor) Sort(dim int, descending bool) (values, indices *Tensor) {
	if t.Dim() == 0 {
		return t.Clone(), Scalar(0.0)
	}
	dim = normDim("Sort", dim, t.Dim())
	return t.sorted(dim, t.Size(dim), descending)
}

// TopK returns the k largest elements along dim (the k smallest with
// largest false), sorted, and their indices (torch.topk with sorted=True;
// NaN counts as the largest). A k outside [0, size of dim] panics.
func (t *Tensor) TopK(k, dim int, largest bool) (values, indices *Tensor) {
	if t.Dim() == 0 {
		if k != 0 && k != 1 {
			panic(&Error{Op: "TopK", Msg: "selected index k out of range"})
		}
		return t.Clone(), Scalar(0.0)
	}
	dim = normDim("TopK", dim, t.Dim())
	if k < 0 || k > t.Size(dim) {
		panic(&Error{Op: "TopK", Msg: "selected index k out of range: k = " + strconv.Itoa(k) + ", dimension size " + strconv.Itoa(t.Size(dim))})
	}
	return t.sorted(dim, k, largest)
}

// sorted is Sort keeping the first k of each row: one pass finds the
// indices, Gather takes the values.
func (t *Tensor) sorted(dim, k int, descending bool) (values, indices *Tensor) {
	order := func(a, b float64) int { // NaN above everything
		an, bn := a != a, b != b
		switch {
		case an && bn:
			return 0
		case an:
			return 1
		case bn:
			return -1
		}
		return cmp.Compare(a, b)
	}
	indices = t.alongLast(dim, k, Float64, func(row, out []float64) {
		idx := make([]int, len(row))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			if descending {
				return order(row[b], row[a])
			}
			return order(row[a], row[b])
		})
		for i := range out {
			out[i] = float64(idx[i])
		}
	})
	return t.Gather(dim, indices), indices
}

// OneHot returns a [len(labels), numClasses] Float32 tensor with a 1 at
// each label's column (torch.nn.functional.one_hot, whose result is int64
// there). numClasses < 0 means the largest label + 1. A label outside
// [0, numClasses) panics.
func OneHot(labels []int, numClasses int) *Tensor {
	if numClasses < 0 {
		numClasses = 0
		for _, l := range labels {
			numClasses = max(numClasses, l+1)
		}
	}
	out := Zeros(len(labels), numClasses)
	data := out.f32()
	for i, l := range labels {
		if l < 0 || l >= numClasses {
			panic(&Error{Op: "OneHot", Msg: "class values must be in [0, num_classes = " + strconv.Itoa(numClasses) + "), got " + strconv.Itoa(l)})
		}
		data[i*numClasses+l] = 1
	}
	return out
}
