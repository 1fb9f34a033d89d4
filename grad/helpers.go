package grad

import (
	"slices"

	"github.com/simdtorch/simdtorch/tensor"
)

// sumTo sums a broadcast gradient back to like's shape (leading
// dimensions, and dimensions where like has size 1). owned reports whether
// the result is a fresh tensor.
func sumTo(g, like *tensor.Tensor) (r *tensor.Tensor, owned bool) {
	if sameShape(g, like) {
		return g, false
	}
	gd, ld := g.Dim(), like.Dim()
	lead := gd - ld
	var buf [8]int
	dims := buf[:0]
	for i := range gd {
		if i < lead || (like.Size(i-lead) == 1 && g.Size(i) != 1) {
			dims = append(dims, i)
		}
	}
	r = g
	if len(dims) > 0 {
		r = g.Sum(tensor.Dims(dims), tensor.KeepDim)
		owned = true
	}
	return r.Reshape(like.Shape()...), owned
}

// accTo accumulates g, summed back to x's shape, into x.
func accTo(x *Variable, g *tensor.Tensor, owned bool) {
	if !x.requiresGrad {
		return
	}
	r, o := sumTo(g, x.value)
	accumulate(x, r, owned || o)
}

// scalar returns a 0-d tensor of the dtype holding v.
func scalar(d tensor.DType, v float64) *tensor.Tensor { return d.Full(v) }

// zerosLike returns a new zero tensor with t's shape and dtype.
func zerosLike(t *tensor.Tensor) *tensor.Tensor { return tensor.ZerosLike(t) }

// rcfg is a reduction's options read back from tensor.ReduceOption values.
type rcfg struct {
	dims []int // normalised, sorted, unique; all dims when none were given
	keep bool
	corr float64
	n    int // number of elements reduced
}

func reduceCfg(op string, x *tensor.Tensor, opts []tensor.ReduceOption) rcfg {
	c := rcfg{corr: 1}
	nd := x.Dim()
	any := false
	for _, o := range opts {
		switch o := o.(type) {
		case tensor.Dim:
			any = true
			if d := normDim(op, int(o), nd); d >= 0 {
				c.dims = append(c.dims, d)
			}
		case tensor.Dims:
			any = true
			for _, d := range o {
				if d := normDim(op, d, nd); d >= 0 {
					c.dims = append(c.dims, d)
				}
			}
		case tensor.Correction:
			c.corr = float64(o)
		default:
			if o == tensor.KeepDim {
				c.keep = true
			} else {
				panic(misuse(op, "unknown reduce option"))
			}
		}
	}
	if !any {
		for i := range nd {
			c.dims = append(c.dims, i)
		}
	}
	slices.Sort(c.dims)
	c.dims = slices.Compact(c.dims)
	c.n = 1
	for _, d := range c.dims {
		c.n *= x.Size(d)
	}
	return c
}

func normDim(op string, d, n int) int {
	m := max(n, 1)
	if d < -m || d >= m {
		panic(&tensor.IndexError{Op: op, Dim: -1, Index: d, Size: m})
	}
	if d < 0 {
		d += m
	}
	if n == 0 {
		return -1 // a 0-d tensor: nothing to reduce
	}
	return d
}

// unreduce gives a reduced tensor (or gradient) its reduced dimensions
// back with size 1, so it broadcasts against the input.
func (c *rcfg) unreduce(g *tensor.Tensor) *tensor.Tensor {
	if c.keep {
		return g
	}
	for _, d := range c.dims {
		if d >= 0 {
			g = g.Unsqueeze(d)
		}
	}
	return g
}

// expand returns the gradient of a reduction's result broadcast to x's
// shape (a view).
func (c *rcfg) expand(g, x *tensor.Tensor) *tensor.Tensor {
	return c.unreduce(g).Expand(x.Shape()...)
}

// fromSlice returns a Float64 tensor of the shape holding d (which may be
// 0-d).
func fromSlice(d []float64, shape []int) *tensor.Tensor {
	return tensor.New(d, len(d)).Reshape(shape...)
}

// filled returns a new tensor of x's shape and dtype with every element v:
// the gradient of a full reduction, materialised so that the ops of the
// backward pass take their contiguous fast paths.
func filled(x *tensor.Tensor, v float64) *tensor.Tensor {
	return tensor.ZerosLike(x).Fill(v)
}
