package grad

import (
	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/tensor"
)

// MatMul returns the matrix product of v and o with torch.matmul's rules
// (1-D operands as vectors, batch dimensions broadcast); see
// tensor.Tensor.MatMul. Gradients are summed over broadcast batch
// dimensions.
func (v *Variable) MatMul(o Operand) *Variable { return v.matMul(varOf(o)) }

func (v *Variable) matMul(o *Variable) *Variable {
	out := v.value.MatMul(o.value)
	if !tracks2(v, o) {
		return plain(out, v.noGrad || o.noGrad)
	}
	a, b := v.value, o.value
	name := "MmBackward0"
	switch {
	case a.Dim() == 1 && b.Dim() == 1:
		name = "DotBackward0"
	case a.Dim() == 2 && b.Dim() == 1:
		name = "MvBackward0"
	case a.Dim() > 2 || b.Dim() > 2:
		name = "BmmBackward0"
	}
	return record2(name, out, v, o, func(g *tensor.Tensor) {
		ga, gb := matmulBackward(g, a, b, v.requiresGrad, o.requiresGrad)
		if ga != nil {
			give(v, ga)
		}
		if gb != nil {
			give(o, gb)
		}
	})
}

// matmulBackward returns the gradients of a.MatMul(b) for the upstream g,
// each of its operand's shape (nil when not wanted).
func matmulBackward(g, a, b *tensor.Tensor, wantA, wantB bool) (ga, gb *tensor.Tensor) {
	da, db := a.Dim(), b.Dim()
	// Make both operands (and g) at least matrices.
	a2, b2, g2 := a, b, g
	if da == 1 {
		a2 = a.Unsqueeze(0)
		pos := g2.Dim()
		if db >= 2 {
			pos--
		}
		g2 = g2.Unsqueeze(pos)
	}
	if db == 1 {
		b2 = b.Unsqueeze(1)
		g2 = g2.Unsqueeze(g2.Dim())
	}
	if wantA {
		r := g2.MatMul(b2.Transpose(-1, -2))
		r, _ = sumTo(r, a2)
		ga = r.Reshape(a.Shape()...)
	}
	if wantB {
		var r *tensor.Tensor
		if b2.Dim() == 2 && a2.Dim() > 2 {
			// One matrix for the whole batch: fold the batch into the rows.
			k, n := b2.Size(0), b2.Size(1)
			r = a2.Reshape(-1, k).T().MatMul(g2.Reshape(-1, n))
		} else {
			r = a2.Transpose(-1, -2).MatMul(g2)
			r, _ = sumTo(r, b2)
		}
		gb = r.Reshape(b.Shape()...)
	}
	return ga, gb
}

// MMOption sets AddMM's scalars.
type MMOption func(*mmCfg)

type mmCfg struct{ alpha, beta float64 }

// Alpha scales the matrix product in AddMM (default 1).
func Alpha(v float64) MMOption { return func(c *mmCfg) { c.alpha = v } }

// Beta scales the added input in AddMM (default 1).
func Beta(v float64) MMOption { return func(c *mmCfg) { c.beta = v } }

// AddMM returns beta·input + alpha·(mat1 @ mat2) (torch.addmm), input
// broadcast to the product's shape. A 1-D bias with beta 1 runs in the
// GEMM's epilogue.
func AddMM(input, mat1, mat2 Operand, opts ...MMOption) *Variable {
	return addMM(varOf(input), varOf(mat1), varOf(mat2), opts)
}

func addMM(input, mat1, mat2 *Variable, opts []MMOption) *Variable {
	c := mmCfg{alpha: 1, beta: 1}
	for _, o := range opts {
		o(&c)
	}
	out := tensor.AddMM(input.value, mat1.value, mat2.value, tensor.Alpha(c.alpha), tensor.Beta(c.beta))
	noGrad := input.noGrad || mat1.noGrad || mat2.noGrad
	if noGrad || !(input.requiresGrad || mat1.requiresGrad || mat2.requiresGrad) {
		return plain(out, noGrad)
	}
	in, a, b := input.value, mat1.value, mat2.value
	xs := []*Variable{input, mat1, mat2}
	return recordN("AddmmBackward0", out, xs, func(g *tensor.Tensor) {
		if input.requiresGrad {
			if c.beta == 1 {
				accTo(input, g, false)
			} else {
				accTo(input, g.MulScalar(c.beta), true)
			}
			_ = in
		}
		ga, gb := matmulBackward(g, a, b, mat1.requiresGrad, mat2.requiresGrad)
		if ga != nil {
			if c.alpha != 1 {
				ga.MulScalarInPlace(c.alpha)
			}
			give(mat1, ga)
		}
		if gb != nil {
			if c.alpha != 1 {
				gb.MulScalarInPlace(c.alpha)
			}
			give(mat2, gb)
		}
	})
}

// Linear returns x @ wᵀ + b (torch.nn.functional.linear): x is [..., in],
// w is [out, in] and b is [out] or nil. It is one op (one graph node,
// named "AddmmBackward0" as PyTorch's for a 2-D x): the bias is fused into
// the GEMM's epilogue and w is used transposed without a copy, forward and
// backward. Higher-dimensional x is folded into rows.
//
// Pass nil for no bias: an untyped nil, a nil *Variable and a nil
// *nn.Parameter all mean none (see Operand).
func Linear(x, w, b Operand) *Variable { return linear(varOf(x), varOf(w), optVarOf(b)) }

// LinearReLU returns Linear(x, w, b).ReLU(): nn.Linear followed by nn.ReLU,
// which nn.Sequential runs through it. When the result records no
// gradient (no-grad mode, or nothing requires one), it is
// tensor.LinearReLU: the ReLU in the GEMM's epilogue, the same values
// without a second tensor or pass. Otherwise it is the two calls, with the
// same graph (ReluBackward0 over AddmmBackward0). Shape errors are
// Linear's either way.
func LinearReLU(x, w, b Operand) *Variable {
	xv, wv, bv := varOf(x), varOf(w), optVarOf(b)
	checkLinear(xv, wv, bv)
	noGrad := xv.noGrad || wv.noGrad || (bv != nil && bv.noGrad)
	if noGrad || !(xv.requiresGrad || wv.requiresGrad || (bv != nil && bv.requiresGrad)) {
		var bt *tensor.Tensor
		if bv != nil {
			bt = bv.value
		}
		return plain(tensor.LinearReLU(xv.value, wv.value, bt), noGrad)
	}
	return linear(xv, wv, bv).ReLU()
}

// checkLinear panics with Linear's shape errors.
func checkLinear(x, w, b *Variable) {
	const op = "Linear"
	if w.Dim() != 2 || x.Dim() < 1 || x.Size(-1) != w.Size(1) {
		panic(&tensor.ShapeError{Op: op, A: x.Shape(), B: w.Shape(), Msg: "input's last dimension must match the weight's second (weight is [out, in])"})
	}
	if b != nil && (b.Dim() != 1 || b.Size(0) != w.Size(0)) {
		panic(&tensor.ShapeError{Op: op, A: w.Shape(), B: b.Shape(), Msg: "bias must be 1-D with the weight's first dimension"})
	}
}

func linear(x, w, b *Variable) *Variable {
	checkLinear(x, w, b)
	var out *tensor.Tensor
	if b != nil {
		out = tensor.Linear(x.value, w.value, b.value)
	} else {
		out = tensor.Linear(x.value, w.value, nil)
	}
	noGrad := x.noGrad || w.noGrad || (b != nil && b.noGrad)
	if noGrad || !(x.requiresGrad || w.requiresGrad || (b != nil && b.requiresGrad)) {
		return plain(out, noGrad)
	}
	xv := x.value
	if xv.Dim() != 2 {
		xv = xv.Reshape(-1, xv.Size(-1))
	}
	name := "AddmmBackward0"
	if b == nil {
		name = "MmBackward0"
	}
	xs := []*Variable{x, w}
	if b != nil {
		xs = append(xs, b)
	}
	wv := w.value
	return recordN(name, out, xs, func(g *tensor.Tensor) {
		g2 := g
		if g.Dim() != 2 {
			g2 = g.Reshape(-1, g.Size(-1))
		}
		if x.requiresGrad {
			give(x, g2.MatMul(wv).Reshape(x.value.Shape()...))
		}
		if w.requiresGrad {
			// A leaf weight keeping its gradient (ZeroGradInPlace, or a
			// second use) gets gᵀ·x written or added straight into it.
			// (leafGradInto is asked last: it clears the stale mark.)
			if g2.DType() != xv.DType() {
				give(w, g2.T().MatMul(xv))
			} else if dst, beta, ok := leafGradInto(w, g2.DType()); ok {
				dst.AddMMInPlace(g2.T(), xv, tensor.Beta(beta))
			} else {
				give(w, g2.T().MatMul(xv))
			}
		}
		if b != nil && b.requiresGrad {
			if !g2.IsContiguous() || g2.Size(0) == 0 {
				give(b, sumRows(g2))
			} else if dst, beta, ok := leafGradInto(b, g2.DType()); ok {
				sumRowsInto(dst, g2, beta)
			} else {
				give(b, sumRows(g2))
			}
		}
	})
}

// sumRows returns the sum of the rows of a matrix (the bias gradient), as
// one kernel call per row over contiguous memory.
func sumRows(g *tensor.Tensor) *tensor.Tensor {
	if !g.IsContiguous() || g.Size(0) == 0 {
		return g.Sum(tensor.Dim(0))
	}
	rows, n := g.Size(0), g.Size(1)
	out := g.Select(0, 0).Clone()
	if g.DType() == tensor.Float32 {
		addRowsInto(tensor.Data[float32](out), tensor.Data[float32](g), rows, n)
	} else {
		addRowsInto(tensor.Data[float64](out), tensor.Data[float64](g), rows, n)
	}
	return out
}

// sumRowsInto writes (beta 0) or adds (beta 1) the sum of the rows of the
// contiguous matrix g, which has at least one row, into dst.
func sumRowsInto(dst, g *tensor.Tensor, beta float64) {
	rows, n := g.Size(0), g.Size(1)
	if g.DType() == tensor.Float32 {
		d, s := tensor.Data[float32](dst), tensor.Data[float32](g)
		if beta == 0 {
			copy(d, s[:n])
		} else {
			kernels.Add(d, d, s[:n])
		}
		addRowsInto(d, s, rows, n)
	} else {
		d, s := tensor.Data[float64](dst), tensor.Data[float64](g)
		if beta == 0 {
			copy(d, s[:n])
		} else {
			kernels.Add(d, d, s[:n])
		}
		addRowsInto(d, s, rows, n)
	}
}

func addRowsInto[T kernels.Float](dst, src []T, rows, n int) {
	for i := 1; i < rows; i++ {
		kernels.Add(dst, dst, src[i*n:(i+1)*n])
	}
}
