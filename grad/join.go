package grad

import (
	"github.com/simdtorch/simdtorch/tensor"
)

// Cat concatenates Variables along dim (torch.cat); each gets its part of
// the gradient.
func Cat(vs []*Variable, dim int) *Variable {
	ts := make([]*tensor.Tensor, len(vs))
	track, noGrad := false, false
	for i, v := range vs {
		ts[i] = v.value
		track = track || v.requiresGrad
		noGrad = noGrad || v.noGrad
	}
	out := tensor.Cat(ts, dim)
	if noGrad || !track {
		return plain(out, noGrad)
	}
	d := dim
	if d < 0 {
		d += out.Dim()
	}
	xs := append([]*Variable(nil), vs...)
	return recordN("CatBackward0", out, xs, func(g *tensor.Tensor) {
		pos := 0
		for _, v := range xs {
			t := v.value
			if t.Dim() == 1 && t.Size(0) == 0 {
				continue
			}
			n := t.Size(d)
			if v.requiresGrad {
				pass(v, g.Narrow(d, pos, n))
			}
			pos += n
		}
	})
}

// Stack joins Variables of one shape along a new dimension dim
// (torch.stack).
func Stack(vs []*Variable, dim int) *Variable {
	ts := make([]*tensor.Tensor, len(vs))
	track, noGrad := false, false
	for i, v := range vs {
		ts[i] = v.value
		track = track || v.requiresGrad
		noGrad = noGrad || v.noGrad
	}
	out := tensor.Stack(ts, dim)
	if noGrad || !track {
		return plain(out, noGrad)
	}
	d := dim
	if d < 0 {
		d += out.Dim()
	}
	xs := append([]*Variable(nil), vs...)
	return recordN("StackBackward0", out, xs, func(g *tensor.Tensor) {
		for i, v := range xs {
			if v.requiresGrad {
				pass(v, g.Select(d, i))
			}
		}
	})
}

// Split splits v into parts of size elements along dim, the last possibly
// smaller (torch.split); each part is a view whose gradient flows into its
// place in v.
func (v *Variable) Split(size, dim int) []*Variable {
	return v.parts("SplitBackward0", v.value.Split(size, dim), dim)
}

// SplitSizes splits v along dim into parts of the given sizes.
func (v *Variable) SplitSizes(sizes []int, dim int) []*Variable {
	return v.parts("SplitWithSizesBackward0", v.value.SplitSizes(sizes, dim), dim)
}

// Chunk splits v into at most n parts of equal size along dim.
func (v *Variable) Chunk(n, dim int) []*Variable {
	return v.parts("SplitBackward0", v.value.Chunk(n, dim), dim)
}

func (v *Variable) parts(name string, ts []*tensor.Tensor, dim int) []*Variable {
	out := make([]*Variable, len(ts))
	d := dim
	if d < 0 {
		d += v.Dim()
	}
	pos := 0
	for i, t := range ts {
		start, n := pos, t.Size(d)
		out[i] = v.part(name, t, func(z *tensor.Tensor) *tensor.Tensor { return z.Narrow(d, start, n) })
		pos += n
	}
	return out
}
