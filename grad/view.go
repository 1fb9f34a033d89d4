package grad

import (
	"github.com/simdtorch/simdtorch/tensor"
)

// Views share v's value; their gradients flow back into v's shape, so a
// flat parameter sliced and reshaped into several weights gets the sum of
// their gradients in the right places.

// Reshape returns v with the shape (one entry may be -1): a view when
// possible (torch's reshape).
func (v *Variable) Reshape(shape ...int) *Variable {
	return v.reshaped("ViewBackward0", v.value.Reshape(shape...))
}

// View is Reshape that panics when the shape needs a copy (torch's view).
func (v *Variable) View(shape ...int) *Variable {
	return v.reshaped("ViewBackward0", v.value.View(shape...))
}

// Flatten merges dimensions start..end (inclusive) into one.
func (v *Variable) Flatten(start, end int) *Variable {
	return v.reshaped("ViewBackward0", v.value.Flatten(start, end))
}

// Squeeze removes dimensions of size 1 (all, or those of dims).
func (v *Variable) Squeeze(dims ...int) *Variable {
	return v.reshaped("SqueezeBackward0", v.value.Squeeze(dims...))
}

// Unsqueeze inserts a dimension of size 1 at dim.
func (v *Variable) Unsqueeze(dim int) *Variable {
	return v.reshaped("UnsqueezeBackward0", v.value.Unsqueeze(dim))
}

// Contiguous returns v if its value is contiguous, otherwise a contiguous
// copy that keeps the history.
func (v *Variable) Contiguous() *Variable {
	if v.value.IsContiguous() {
		return v
	}
	return v.reshaped("CloneBackward0", v.value.Contiguous())
}

// reshaped records a result with v's elements in the same order and
// another shape: the gradient is reshaped back.
func (v *Variable) reshaped(name string, out *tensor.Tensor) *Variable {
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	return record(name, out, v, func(g *tensor.Tensor) {
		if sameShape(g, x) {
			pass(v, g)
			return
		}
		pass(v, g.Reshape(x.Shape()...))
	})
}

// Transpose swaps dimensions d0 and d1 (a view).
func (v *Variable) Transpose(d0, d1 int) *Variable {
	out := v.value.Transpose(d0, d1)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("TransposeBackward0", out, v, func(g *tensor.Tensor) { pass(v, g.Transpose(d0, d1)) })
}

// T transposes a 2-D Variable (0-D and 1-D are returned as they are).
func (v *Variable) T() *Variable {
	if v.Dim() < 2 {
		return v
	}
	out := v.value.T()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("TBackward0", out, v, func(g *tensor.Tensor) { pass(v, g.T()) })
}

// Permute reorders the dimensions: dimension i of the result is dimension
// dims[i] of v.
func (v *Variable) Permute(dims ...int) *Variable {
	out := v.value.Permute(dims...)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	n := len(dims)
	inv := make([]int, n)
	for i, d := range dims {
		if d < 0 {
			d += n
		}
		inv[d] = i
	}
	return record("PermuteBackward0", out, v, func(g *tensor.Tensor) { pass(v, g.Permute(inv...)) })
}

// Expand broadcasts v to the shape (-1 keeps a dimension); the gradient is
// summed over the repeated elements.
func (v *Variable) Expand(shape ...int) *Variable {
	out := v.value.Expand(shape...)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("ExpandBackward0", out, v, func(g *tensor.Tensor) { accTo(v, g, false) })
}

// ExpandAs is v.Expand(o's shape).
func (v *Variable) ExpandAs(o Operand) *Variable { return v.Expand(varOf(o).Shape()...) }

// Narrow returns elements start..start+length-1 along dim (a view).
func (v *Variable) Narrow(dim, start, length int) *Variable {
	return v.part("SliceBackward0", v.value.Narrow(dim, start, length), func(z *tensor.Tensor) *tensor.Tensor {
		return z.Narrow(dim, start, length)
	})
}

// Slice returns elements start, start+step, ... before end along dim, as
// Python's v[..., start:end:step] (a view).
func (v *Variable) Slice(dim, start, end, step int) *Variable {
	return v.part("SliceBackward0", v.value.Slice(dim, start, end, step), func(z *tensor.Tensor) *tensor.Tensor {
		return z.Slice(dim, start, end, step)
	})
}

// Select returns index i along dim with that dimension removed (a view,
// v[..., i, ...]).
func (v *Variable) Select(dim, i int) *Variable {
	return v.part("SelectBackward0", v.value.Select(dim, i), func(z *tensor.Tensor) *tensor.Tensor {
		return z.Select(dim, i)
	})
}

// Index selects one element along each of the leading dimensions:
// v.Index(i, j) is v[i][j] (a view); negative indices count from the end.
func (v *Variable) Index(idx ...int) *Variable {
	if len(idx) > v.Dim() {
		panic(misuse("Index", "too many indices for a Variable of shape "+fmtShape(v.Shape())))
	}
	out := v.value
	for _, i := range idx {
		out = out.Select(0, i)
	}
	return v.part("SelectBackward0", out, func(z *tensor.Tensor) *tensor.Tensor {
		for _, i := range idx {
			z = z.Select(0, i)
		}
		return z
	})
}

// part records a view of part of v: the gradient is written into the same
// part of zeros of v's shape.
func (v *Variable) part(name string, out *tensor.Tensor, sel func(*tensor.Tensor) *tensor.Tensor) *Variable {
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	return record(name, out, v, func(g *tensor.Tensor) {
		z := zerosLike(x)
		sel(z).Copy(g)
		give(v, z)
	})
}
