package tensor

import (
	"math"

	"github.com/simdtorch/simdtorch/kernels"
)

// ReduceOption configures a reduction: which dimensions (Dim, Dims),
// whether to keep them (KeepDim), and Var/Std's Correction.
type ReduceOption interface{ applyReduce(*reduceCfg) }

type reduceCfg struct {
	dims    []int
	anyDims bool
	keep    bool
	corr    float64
}

// Dim reduces over one dimension (negative counts from the end). Several
// Dim options add up.
type Dim int

func (d Dim) applyReduce(c *reduceCfg) { c.dims = append(c.dims, int(d)); c.anyDims = true }

// Dims reduces over several dimensions.
type Dims []int

func (d Dims) applyReduce(c *reduceCfg) { c.dims = append(c.dims, d...); c.anyDims = true }

type keepDim struct{}

func (keepDim) applyReduce(c *reduceCfg) { c.keep = true }

// KeepDim keeps reduced dimensions with size 1 (keepdim=True).
var KeepDim ReduceOption = keepDim{}

// Correction is the difference between the element count and the divisor
// of Var and Std: 1 (the default) is the unbiased estimate, 0 the biased
// one (unbiased=False).
type Correction float64

func (k Correction) applyReduce(c *reduceCfg) { c.corr = float64(k) }

func reduceConfig(opts []ReduceOption) reduceCfg {
	var dimBuf [4]int
	c := reduceCfg{dims: dimBuf[:0], corr: 1}
	for _, o := range opts {
		o.applyReduce(&c)
	}
	return c
}

type rkind uint8

const (
	rSum rkind = iota
	rMean
	rProd
	rMax
	rMin
	rVar
	rStd
	rNorm1
	rNorm2
	rNormInf
	rArgMax
	rArgMin
)

var rNames = [...]string{"Sum", "Mean", "Prod", "Max", "Min", "Var", "Std", "Norm", "Norm", "Norm", "ArgMax", "ArgMin"}

// reduction describes t's dimensions split into kept and reduced ones.
type reduction struct {
	kshape, kstrides []int // kept dimensions of the source, in order
	rshape, rstrides []int // reduced dimensions of the source, in order
	outShape         []int
	K, R             int
	src              *Tensor
}

func plan(op string, t *Tensor, c *reduceCfg) reduction {
	n := len(t.shape())
	red := make([]bool, max(n, 1))
	if !c.anyDims {
		for i := range red {
			red[i] = true
		}
	}
	for _, d := range c.dims {
		d = normDim(op, d, n)
		red[d] = true
	}
	var p reduction
	p.src = t
	p.K, p.R = 1, 1
	for i := range n {
		if red[i] {
			p.rshape = append(p.rshape, t.shape()[i])
			p.rstrides = append(p.rstrides, t.strides()[i])
			p.R *= t.shape()[i]
			if c.keep {
				p.outShape = append(p.outShape, 1)
			}
		} else {
			p.kshape = append(p.kshape, t.shape()[i])
			p.kstrides = append(p.kstrides, t.strides()[i])
			p.K *= t.shape()[i]
			p.outShape = append(p.outShape, t.shape()[i])
		}
	}
	if p.outShape == nil {
		p.outShape = []int{}
	}
	return p
}

// rowStride collapses the reduced dimensions into one run: its stride, or
// false when they do not form one.
func (p *reduction) rowStride() (int, bool) {
	var it iter
	it.init(p.rshape, 1, [maxOps]int{}, [maxOps][]int{p.rstrides})
	switch it.nd {
	case 0:
		return 1, true
	case 1:
		return it.st[0][0], true
	}
	return 0, false
}

// keptOffsets calls fn(i, off) for every combination i of the kept
// dimensions in row-major order, off being its storage offset in src.
func (p *reduction) keptOffsets(fn func(i, off int)) {
	var it iter
	it.init(p.kshape, 1, [maxOps]int{p.src.off}, [maxOps][]int{p.kstrides})
	i := 0
	it.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		o := off[0]
		for range n {
			fn(i, o)
			i++
			o += inc[0]
		}
	})
}

func reduce(kind rkind, t *Tensor, opts []ReduceOption) *Tensor {
	if len(opts) == 0 && t.contig && t.numel > 0 && (kind == rSum || kind == rMean || kind == rMax) {
		// The whole of a contiguous tensor: one kernel call.
		out := empty(t.dtype, nil)
		if t.dtype == Float32 {
			out.f32()[0] = reduceAll(kind, Data[float32](t))
		} else {
			out.f64()[0] = reduceAll(kind, Data[float64](t))
		}
		return out
	}
	c := reduceConfig(opts)
	v, _ := reduceWith(kind, t, &c)
	return v
}

func reduceWith(kind rkind, t *Tensor, c *reduceCfg) (vals, idx *Tensor) {
	op := rNames[kind]
	p := plan(op, t, c)
	if p.R == 0 && p.K > 0 && (kind == rMax || kind == rMin || kind == rArgMax || kind == rArgMin) {
		panic(&Error{Op: op, Msg: "expected reduction dim to have non-zero size (shape " + fmtShape(t.shape()) + "); the " + op + " of no elements is undefined"})
	}
	vals = empty(t.dtype, p.outShape)
	if kind == rArgMax || kind == rArgMin {
		idx = empty(Float64, p.outShape)
	}
	if t.dtype == Float32 {
		reduceT[float32](kind, &p, c.corr, vals, idx)
	} else {
		reduceT[float64](kind, &p, c.corr, vals, idx)
	}
	if kind == rArgMax || kind == rArgMin {
		return idx, vals
	}
	return vals, idx
}

func reduceT[T kernels.Float](kind rkind, p *reduction, corr float64, vals, idx *Tensor) {
	out := storage[T](vals)
	var ix []float64
	if idx != nil {
		ix = idx.f64()
	}
	if p.K == 0 {
		return
	}
	if p.R == 0 {
		var v T
		switch kind {
		case rProd:
			v = 1
		case rMean, rVar, rStd:
			v = T(math.NaN())
		}
		kernels.Fill(out, v)
		return
	}
	rs, ok := p.rowStride()
	if ok && rs != 1 && (kind == rSum || kind == rMean) && p.K >= 16 {
		sumAccumulate[T](p, out)
		if kind == rMean {
			kernels.DivScalar(out, out, T(p.R))
		}
		return
	}
	if !ok {
		// Reduced dimensions scattered in memory: copy them into rows.
		sh := append(append([]int{}, p.kshape...), p.rshape...)
		st := append(append([]int{}, p.kstrides...), p.rstrides...)
		c := p.src.view(sh, st, p.src.off).Clone()
		nk := len(p.kshape)
		p.src = c
		p.kstrides = c.strides()[:nk]
		p.rstrides = c.strides()[nk:]
		rs = 1
	}
	src := storage[T](p.src)
	var buf []T
	if rs != 1 || kind == rMin || kind == rArgMin || kind == rVar || kind == rStd {
		buf = make([]T, p.R)
	}
	R := p.R
	p.keptOffsets(func(i, off int) {
		var row []T
		if rs == 1 {
			row = src[off : off+R]
		} else {
			row = gather(buf, src, off, R, rs)
		}
		switch kind {
		case rSum:
			out[i] = kernels.Sum(row)
		case rMean:
			out[i] = kernels.Sum(row) / T(R)
		case rProd:
			v := T(1)
			for _, x := range row {
				v *= x
			}
			out[i] = v
		case rMax, rArgMax:
			v, j := kernels.MaxIdx(row)
			out[i] = v
			if ix != nil {
				ix[i] = float64(j)
			}
		case rMin, rArgMin:
			neg := buf[:R]
			kernels.MulScalar(neg, row, -1)
			v, j := kernels.MaxIdx(neg)
			out[i] = -v
			if ix != nil {
				ix[i] = float64(j)
			}
		case rVar, rStd:
			m := kernels.Sum(row) / T(R)
			dev := buf[:R]
			kernels.SubScalar(dev, row, m)
			v := kernels.SumSq(dev) / T(max(float64(R)-corr, 0))
			if kind == rStd {
				v = T(math.Sqrt(float64(v)))
			}
			out[i] = v
		case rNorm1:
			var s T
			for _, x := range row {
				s += T(math.Abs(float64(x)))
			}
			out[i] = s
		case rNorm2:
			out[i] = T(math.Sqrt(float64(kernels.SumSq(row))))
		case rNormInf:
			var m T
			for _, x := range row {
				a := T(math.Abs(float64(x)))
				if a > m || a != a {
					m = a
					if a != a {
						break
					}
				}
			}
			out[i] = m
		}
	})
}

// sumAccumulate sums over reduced dimensions that are not innermost by
// adding whole slices of the kept dimensions into out, so each add is a
// kernel call over (mostly) contiguous memory.
func sumAccumulate[T kernels.Float](p *reduction, out []T) {
	acc := &Tensor{}
	setStorage(acc, out)
	acc.setContiguousLayout(p.kshape)
	part := p.src.view(p.kshape, p.kstrides, 0)
	var it iter
	it.init(p.rshape, 1, [maxOps]int{p.src.off}, [maxOps][]int{p.rstrides})
	it.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		o := off[0]
		for range n {
			part.off = o
			binaryT[T](opAdd, acc, acc, part)
			o += inc[0]
		}
	})
}

// Sum returns the sum over the dimensions given by opts (all by default):
// x.Sum() is a 0-d tensor, x.Sum(tensor.Dim(1), tensor.KeepDim) keeps the
// summed dimension with size 1. The sum of no elements is 0.
func (t *Tensor) Sum(opts ...ReduceOption) *Tensor { return reduce(rSum, t, opts) }

// Mean returns the mean over the dimensions given by opts (NaN for none).
func (t *Tensor) Mean(opts ...ReduceOption) *Tensor { return reduce(rMean, t, opts) }

// Prod returns the product over the dimensions given by opts (1 for none).
func (t *Tensor) Prod(opts ...ReduceOption) *Tensor { return reduce(rProd, t, opts) }

// Var returns the variance over the dimensions given by opts, divided by
// N - correction: unbiased (correction 1) unless Correction(0) is given.
func (t *Tensor) Var(opts ...ReduceOption) *Tensor { return reduce(rVar, t, opts) }

// Std returns the standard deviation, the square root of Var.
func (t *Tensor) Std(opts ...ReduceOption) *Tensor { return reduce(rStd, t, opts) }

// Max returns the largest element over the dimensions given by opts (all
// by default; torch.amax); NaN wins. Use MaxDim for the indices too.
func (t *Tensor) Max(opts ...ReduceOption) *Tensor { return reduce(rMax, t, opts) }

// Min returns the smallest element over the dimensions given by opts; NaN
// wins.
func (t *Tensor) Min(opts ...ReduceOption) *Tensor { return reduce(rMin, t, opts) }

// MaxDim returns the largest elements along dim and their indices (the
// first on ties or NaN), as torch.max(x, dim, keepdim). The indices are a
// Float64 tensor of whole numbers.
func (t *Tensor) MaxDim(dim int, keepdim bool) (values, indices *Tensor) {
	c := reduceCfg{dims: []int{dim}, anyDims: true, keep: keepdim}
	idx, v := reduceWith(rArgMax, t, &c)
	return v, idx
}

// MinDim returns the smallest elements along dim and their indices, as
// torch.min(x, dim, keepdim).
func (t *Tensor) MinDim(dim int, keepdim bool) (values, indices *Tensor) {
	c := reduceCfg{dims: []int{dim}, anyDims: true, keep: keepdim}
	idx, v := reduceWith(rArgMin, t, &c)
	return v, idx
}

// ArgMax returns the index of the largest element (first on ties; a NaN
// counts as largest) as a Float64 tensor: over the flattened tensor by
// default, along one dimension with Dim(d) (and KeepDim).
func (t *Tensor) ArgMax(opts ...ReduceOption) *Tensor { return argReduce(rArgMax, t, opts) }

// ArgMin returns the index of the smallest element, like ArgMax.
func (t *Tensor) ArgMin(opts ...ReduceOption) *Tensor { return argReduce(rArgMin, t, opts) }

func argReduce(kind rkind, t *Tensor, opts []ReduceOption) *Tensor {
	c := reduceConfig(opts)
	if len(c.dims) > 1 {
		panic(&Error{Op: rNames[kind], Msg: "expects at most one dimension, got " + fmtShape(c.dims)})
	}
	if !c.anyDims {
		f := t.Reshape(-1)
		if c.keep {
			idx, _ := reduceWith(kind, f, &c)
			shape := make([]int, len(t.shape()))
			for i := range shape {
				shape[i] = 1
			}
			return idx.Reshape(shape...)
		}
		idx, _ := reduceWith(kind, f, &c)
		return idx
	}
	idx, _ := reduceWith(kind, t, &c)
	return idx
}

// Norm returns the p-norm over the dimensions given by opts (all by
// default): p = 1 (sum of |x|), 2 (Euclidean) or math.Inf(1) (max |x|).
func (t *Tensor) Norm(p float64, opts ...ReduceOption) *Tensor {
	switch {
	case p == 1:
		return reduce(rNorm1, t, opts)
	case p == 2:
		return reduce(rNorm2, t, opts)
	case math.IsInf(p, 1):
		return reduce(rNormInf, t, opts)
	}
	panic(&Error{Op: "Norm", Msg: "p must be 1, 2 or +Inf, got " + fmtFloat(p, 'g', -1)})
}

// Softmax returns exp(t) / sum(exp(t)) along dim, computed stably.
func (t *Tensor) Softmax(dim int) *Tensor { return softmax("Softmax", t, dim, false) }

// LogSoftmax returns log(Softmax(t, dim)), computed stably.
func (t *Tensor) LogSoftmax(dim int) *Tensor { return softmax("LogSoftmax", t, dim, true) }

func softmax(op string, t *Tensor, dim int, log bool) *Tensor {
	c := reduceCfg{dims: []int{dim}, anyDims: true, keep: true}
	p := plan(op, t, &c)
	out := emptyLike(t)
	if t.numel == 0 {
		return out
	}
	if t.dtype == Float32 {
		softmaxT[float32](&p, out, dim, log)
	} else {
		softmaxT[float64](&p, out, dim, log)
	}
	return out
}

func softmaxT[T kernels.Float](p *reduction, out *Tensor, dim int, log bool) {
	d := normDim("Softmax", dim, len(out.shape()))
	src := storage[T](p.src)
	dst := storage[T](out)
	rs, os := 1, 1
	if len(out.shape()) > 0 {
		rs, os = p.rstrides[0], out.strides()[d]
	}
	// Offsets of each row in out, walked alongside the source.
	oks := make([]int, 0, len(out.shape()))
	for i := range out.shape() {
		if i != d {
			oks = append(oks, out.strides()[i])
		}
	}
	R := p.R
	var buf []T
	if rs != 1 || os != 1 {
		buf = make([]T, R)
	}
	var it iter
	it.init(p.kshape, 2, [maxOps]int{p.src.off, 0}, [maxOps][]int{p.kstrides, oks})
	it.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		so, oo := off[0], off[1]
		for range n {
			var row []T
			if rs == 1 {
				row = src[so : so+R]
			} else {
				row = gather(buf, src, so, R, rs)
			}
			var res []T
			if os == 1 {
				res = dst[oo : oo+R]
			} else {
				res = buf[:R]
			}
			if log {
				kernels.LogSoftmax(res, row)
			} else {
				kernels.Softmax(res, row)
			}
			if os != 1 {
				scatter(dst, res, oo, os)
			}
			so += inc[0]
			oo += inc[1]
		}
	})
}

func reduceAll[T kernels.Float](kind rkind, x []T) T {
	switch kind {
	case rMean:
		return kernels.Sum(x) / T(len(x))
	case rMax:
		v, _ := kernels.MaxIdx(x)
		return v
	}
	return kernels.Sum(x)
}
