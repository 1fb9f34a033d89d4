package grad

import (
	"math"

	"github.com/simdtorch/simdtorch/tensor"
)

// Reductions take tensor's options: tensor.Dim(d), tensor.Dims{...},
// tensor.KeepDim and, for Var and Std, tensor.Correction(c).

// Sum returns the sum over the dimensions given by opts (all by default).
func (v *Variable) Sum(opts ...tensor.ReduceOption) *Variable {
	out := v.value.Sum(opts...)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	if len(opts) == 0 {
		return record("SumBackward0", out, v, func(g *tensor.Tensor) { give(v, filled(x, g.Item())) })
	}
	c := reduceCfg("Sum", x, opts)
	return record("SumBackward1", out, v, func(g *tensor.Tensor) { pass(v, c.expand(g, x)) })
}

// Mean returns the mean over the dimensions given by opts.
func (v *Variable) Mean(opts ...tensor.ReduceOption) *Variable {
	out := v.value.Mean(opts...)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	c := reduceCfg("Mean", x, opts)
	name := "MeanBackward1"
	if len(opts) == 0 {
		name = "MeanBackward0"
	}
	return record(name, out, v, func(g *tensor.Tensor) {
		if len(opts) == 0 {
			give(v, filled(x, g.Item()/float64(c.n)))
			return
		}
		give(v, c.expand(g.DivScalar(float64(c.n)), x))
	})
}

// Prod returns the product over the dimensions given by opts. Its
// gradient is the product of the other elements, computed without
// dividing, so zeros are handled (one zero: only it gets a gradient).
func (v *Variable) Prod(opts ...tensor.ReduceOption) *Variable {
	out := v.value.Prod(opts...)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	c := reduceCfg("Prod", x, opts)
	name := "ProdBackward1"
	if len(opts) == 0 {
		name = "ProdBackward0"
	}
	return record(name, out, v, func(g *tensor.Tensor) {
		rows, back := toRows(x, c.dims)
		k, r := rows.Size(0), rows.Size(1)
		xs := rows.Float64s()
		others := make([]float64, len(xs))
		for i := range k {
			row, o := xs[i*r:(i+1)*r], others[i*r:(i+1)*r]
			p := 1.0
			for j := range row { // prefix products
				o[j] = p
				p *= row[j]
			}
			p = 1
			for j := r - 1; j >= 0; j-- { // times suffix products
				o[j] *= p
				p *= row[j]
			}
		}
		ot := back(tensor.New(others, k, r).To(x.DType()))
		give(v, ot.MulInPlace(c.expand(g, x)))
	})
}

// toRows copies x with the dims moved last and flattened: a [K, R] matrix
// whose rows are the reduced slices. back turns such a matrix into x's
// layout again.
func toRows(x *tensor.Tensor, dims []int) (*tensor.Tensor, func(*tensor.Tensor) *tensor.Tensor) {
	n := x.Dim()
	red := make([]bool, n)
	for _, d := range dims {
		red[d] = true
	}
	perm := make([]int, 0, n)
	k, r := 1, 1
	for i := range n {
		if !red[i] {
			perm = append(perm, i)
			k *= x.Size(i)
		}
	}
	for i := range n {
		if red[i] {
			perm = append(perm, i)
			r *= x.Size(i)
		}
	}
	p := x.Permute(perm...)
	pshape := p.Shape()
	rows := p.Reshape(k, r)
	inv := make([]int, n)
	for i, d := range perm {
		inv[d] = i
	}
	return rows, func(m *tensor.Tensor) *tensor.Tensor {
		return m.Reshape(pshape...).Permute(inv...).Contiguous()
	}
}

// Var returns the variance over the dimensions given by opts, divided by
// N - correction (unbiased by default).
func (v *Variable) Var(opts ...tensor.ReduceOption) *Variable {
	out := v.value.Var(opts...)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	c := reduceCfg("Var", x, opts)
	return record("VarBackward0", out, v, func(g *tensor.Tensor) {
		dev := x.Sub(x.Mean(tensor.Dims(c.dims), tensor.KeepDim))
		s := 2 / math.Max(float64(c.n)-c.corr, 0)
		give(v, dev.MulScalarInPlace(s).MulInPlace(c.expand(g, x)))
	})
}

// Std returns the standard deviation over the dimensions given by opts;
// where it is 0 the gradient is 0.
func (v *Variable) Std(opts ...tensor.ReduceOption) *Variable {
	out := v.value.Std(opts...)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	c := reduceCfg("Std", x, opts)
	return record("StdBackward0", out, v, func(g *tensor.Tensor) {
		dev := x.Sub(x.Mean(tensor.Dims(c.dims), tensor.KeepDim))
		s := 1 / math.Max(float64(c.n)-c.corr, 0)
		// g / std, 0 where std is 0
		gs := tensor.Where(out.EqScalar(0), scalar(g.DType(), 0), g.Div(out))
		give(v, dev.MulScalarInPlace(s).MulInPlace(c.expand(gs, x)))
	})
}

// Max returns the largest element over the dimensions given by opts
// (torch.amax, or torch.max without a dim); the gradient is shared evenly
// between tied maxima. MaxDim gives it to one index instead.
func (v *Variable) Max(opts ...tensor.ReduceOption) *Variable {
	return v.extreme("Max", v.value.Max(opts...), opts)
}

// Min returns the smallest element over the dimensions given by opts
// (torch.amin); ties share the gradient evenly.
func (v *Variable) Min(opts ...tensor.ReduceOption) *Variable {
	return v.extreme("Min", v.value.Min(opts...), opts)
}

func (v *Variable) extreme(op string, out *tensor.Tensor, opts []tensor.ReduceOption) *Variable {
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	c := reduceCfg(op, x, opts)
	name := "A" + lower(op) + "Backward0"
	if len(opts) == 0 {
		name = op + "Backward1"
	}
	return record(name, out, v, func(g *tensor.Tensor) {
		mask := x.Eq(c.unreduce(out))
		count := mask.Sum(tensor.Dims(c.dims), tensor.KeepDim)
		give(v, mask.MulInPlace(c.unreduce(g).Div(count)))
	})
}

func lower(s string) string { return string(s[0]+'a'-'A') + s[1:] }

// MaxDim returns the largest elements along dim and their indices (the
// first on ties) as a Float64 tensor of whole numbers (torch.max(x, dim,
// keepdim)); the gradient goes to those indices only.
func (v *Variable) MaxDim(dim int, keepdim bool) (values *Variable, indices *tensor.Tensor) {
	vals, idx := v.value.MaxDim(dim, keepdim)
	return v.selected("MaxBackward0", vals, idx, dim, keepdim), idx
}

// MinDim returns the smallest elements along dim and their indices (the
// first on ties), as torch.min(x, dim, keepdim).
func (v *Variable) MinDim(dim int, keepdim bool) (values *Variable, indices *tensor.Tensor) {
	vals, idx := v.value.MinDim(dim, keepdim)
	return v.selected("MinBackward0", vals, idx, dim, keepdim), idx
}

func (v *Variable) selected(name string, vals, idx *tensor.Tensor, dim int, keepdim bool) *Variable {
	if !tracks(v) {
		return plain(vals, v.noGrad)
	}
	x := v.value
	d := normDim(name, dim, x.Dim())
	return record(name, vals, v, func(g *tensor.Tensor) {
		if d < 0 {
			give(v, g.Clone())
			return
		}
		ix, gg := idx, g
		if !keepdim {
			ix, gg = ix.Unsqueeze(d), gg.Unsqueeze(d)
		}
		give(v, scatterAdd(x, d, ix.Float64s(), ix.Shape(), gg))
	})
}

// Norm returns the p-norm over the dimensions given by opts: p = 1, 2 or
// math.Inf(1). The 2-norm of a zero vector has gradient 0 (a subgradient),
// as in PyTorch; the inf-norm shares the gradient between tied maxima.
func (v *Variable) Norm(p float64, opts ...tensor.ReduceOption) *Variable {
	out := v.value.Norm(p, opts...)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	c := reduceCfg("Norm", x, opts)
	name := "NormBackward1"
	if len(opts) == 0 {
		name = "NormBackward0"
	}
	return record(name, out, v, func(g *tensor.Tensor) {
		ge := c.unreduce(g)
		switch {
		case p == 1:
			give(v, x.Sign().MulInPlace(ge))
		case p == 2:
			// x·g/norm, 0 where the norm is 0
			n := c.unreduce(out)
			s := tensor.Where(n.EqScalar(0), scalar(g.DType(), 0), ge.Div(n))
			give(v, x.Mul(s))
		default:
			a := x.Abs()
			mask := a.Eq(c.unreduce(out))
			count := mask.Sum(tensor.Dims(c.dims), tensor.KeepDim)
			give(v, x.Sign().MulInPlace(mask).MulInPlace(ge.Div(count)))
		}
	})
}

// LogSumExp returns log(Σ exp(v)) along dim (torch.logsumexp), stably
// (tensor.LogSumExp); its gradient is g·exp(v - result), the softmax
// along dim, as PyTorch's.
func (v *Variable) LogSumExp(dim int, keepdim bool) *Variable {
	out := v.value.LogSumExp(dim, keepdim)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("LogsumexpBackward0", out, v, func(g *tensor.Tensor) {
		lse := out
		if n := v.value.Dim(); !keepdim && n > 0 {
			d := dim
			if d < 0 {
				d += n
			}
			lse, g = out.Unsqueeze(d), g.Unsqueeze(d)
		}
		give(v, v.value.Sub(lse).ExpInPlace().MulInPlace(g))
	})
}

// Sort returns v sorted along dim and the original indices
// (tensor.Sort: stable, NaN last ascending); the gradient goes back to
// the positions the values came from.
func (v *Variable) Sort(dim int, descending bool) (values *Variable, indices *tensor.Tensor) {
	_, idx := v.value.Sort(dim, descending)
	if v.value.Dim() == 0 {
		return v.Clone(), idx
	}
	return v.Gather(dim, idx), idx
}

// TopK returns the k largest (smallest with largest false) elements along
// dim, sorted, and their indices (tensor.TopK); the gradient goes back to
// the selected positions, zero elsewhere.
func (v *Variable) TopK(k, dim int, largest bool) (values *Variable, indices *tensor.Tensor) {
	_, idx := v.value.TopK(k, dim, largest)
	if v.value.Dim() == 0 {
		return v.Clone(), idx
	}
	return v.Gather(dim, idx), idx
}

// CumSum returns the running sums along dim (tensor.CumSum); the gradient
// of element i is the sum of the upstream gradients from i on.
func (v *Variable) CumSum(dim int) *Variable {
	out := v.value.CumSum(dim)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("CumsumBackward0", out, v, func(g *tensor.Tensor) {
		if g.Dim() == 0 {
			pass(v, g)
			return
		}
		// Σ_{j>=i} g[j] = total - cumsum(g)[i] + g[i], as running sums of
		// the reversed gradient would give (up to rounding).
		total := g.Sum(tensor.Dim(dim), tensor.KeepDim)
		give(v, total.Sub(g.CumSum(dim)).AddInPlace(g))
	})
}
