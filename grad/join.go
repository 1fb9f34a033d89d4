package grad

import (
	"github.com/simdtorch/simdtorch/tensor"
)

// Cat concatenates operands along dim (torch.cat); each gets its part of
// the gradient. vs may be a []*Variable, a slice of a type embedding
// *Variable ([]*nn.Parameter), or a []Operand mixing them.
func Cat[T Operand](vs []T, dim int) *Variable { return cat(variables(vs), dim) }

// Stack joins operands of one shape along a new dimension dim
// (torch.stack); vs is as for Cat.
func Stack[T Operand](vs []T, dim int) *Variable { return stack(variables(vs), dim) }

// variables returns the Variables of operands in a new slice.
func variables[T Operand](vs []T) []*Variable {
	xs := make([]*Variable, len(vs))
	for i, v := range vs {
		xs[i] = varOf(v)
	}
	return xs
}

// cat is Cat on xs, which it keeps.
func cat(xs []*Variable, dim int) *Variable {
	ts := make([]*tensor.Tensor, len(xs))
	track, noGrad := false, false
	for i, v := range xs {
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

// stack is Stack on xs, which it keeps.
func stack(xs []*Variable, dim int) *Variable {
	ts := make([]*tensor.Tensor, len(xs))
	track, noGrad := false, false
	for i, v := range xs {
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
