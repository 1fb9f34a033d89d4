package grad

import (
	"github.com/simdtorch/simdtorch/tensor"
)

// Add returns v + o, broadcast (torch.add). Gradients are summed back to
// each operand's shape.
func (v *Variable) Add(o Operand) *Variable { return v.add(varOf(o)) }

func (v *Variable) add(o *Variable) *Variable {
	out := v.value.Add(o.value)
	if !tracks2(v, o) {
		return plain(out, v.noGrad || o.noGrad)
	}
	return record2("AddBackward0", out, v, o, func(g *tensor.Tensor) {
		accTo(v, g, false)
		accTo(o, g, false)
	})
}

// Sub returns v - o, broadcast.
func (v *Variable) Sub(o Operand) *Variable { return v.sub(varOf(o)) }

func (v *Variable) sub(o *Variable) *Variable {
	out := v.value.Sub(o.value)
	if !tracks2(v, o) {
		return plain(out, v.noGrad || o.noGrad)
	}
	return record2("SubBackward0", out, v, o, func(g *tensor.Tensor) {
		accTo(v, g, false)
		if o.requiresGrad {
			accTo(o, g.Neg(), true)
		}
	})
}

// Mul returns v * o elementwise, broadcast. Multiplying by a 0/1 mask held
// in a Variable that does not require grad is the masking op: the gradient
// is masked the same way.
func (v *Variable) Mul(o Operand) *Variable { return v.mul(varOf(o)) }

func (v *Variable) mul(o *Variable) *Variable {
	out := v.value.Mul(o.value)
	if !tracks2(v, o) {
		return plain(out, v.noGrad || o.noGrad)
	}
	a, b := v.value, o.value
	return record2("MulBackward0", out, v, o, func(g *tensor.Tensor) {
		if v.requiresGrad {
			accTo(v, g.Mul(b), true)
		}
		if o.requiresGrad {
			accTo(o, g.Mul(a), true)
		}
	})
}

// Div returns v / o elementwise, broadcast.
func (v *Variable) Div(o Operand) *Variable { return v.div(varOf(o)) }

func (v *Variable) div(o *Variable) *Variable {
	out := v.value.Div(o.value)
	if !tracks2(v, o) {
		return plain(out, v.noGrad || o.noGrad)
	}
	a, b := v.value, o.value
	return record2("DivBackward0", out, v, o, func(g *tensor.Tensor) {
		if v.requiresGrad {
			accTo(v, g.Div(b), true)
		}
		if o.requiresGrad {
			// -g·a/b²
			accTo(o, g.Mul(a).Div(b).Div(b).NegInPlace(), true)
		}
	})
}

// Neg returns -v.
func (v *Variable) Neg() *Variable {
	out := v.value.Neg()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("NegBackward0", out, v, func(g *tensor.Tensor) { give(v, g.Neg()) })
}

// AddScalar returns v + s.
func (v *Variable) AddScalar(s float64) *Variable {
	out := v.value.AddScalar(s)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("AddBackward1", out, v, func(g *tensor.Tensor) { pass(v, g) })
}

// SubScalar returns v - s.
func (v *Variable) SubScalar(s float64) *Variable {
	out := v.value.SubScalar(s)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("SubBackward1", out, v, func(g *tensor.Tensor) { pass(v, g) })
}

// RSubScalar returns s - v.
func (v *Variable) RSubScalar(s float64) *Variable {
	out := v.value.RSubScalar(s)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("RsubBackward1", out, v, func(g *tensor.Tensor) { give(v, g.Neg()) })
}

// MulScalar returns v * s.
func (v *Variable) MulScalar(s float64) *Variable {
	out := v.value.MulScalar(s)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("MulBackward1", out, v, func(g *tensor.Tensor) { give(v, g.MulScalar(s)) })
}

// DivScalar returns v / s.
func (v *Variable) DivScalar(s float64) *Variable {
	out := v.value.DivScalar(s)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("DivBackward1", out, v, func(g *tensor.Tensor) { give(v, g.DivScalar(s)) })
}

// Pow returns v**e for a scalar exponent. The gradient e·v**(e-1) is 0
// for e = 0, as in PyTorch.
func (v *Variable) Pow(e float64) *Variable {
	out := v.value.Pow(e)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	return record("PowBackward0", out, v, func(g *tensor.Tensor) {
		var d *tensor.Tensor
		switch e {
		case 0:
			d = zerosLike(x)
		case 1:
			d = g.Clone()
		case 2:
			d = g.Mul(x).MulScalarInPlace(2)
		default:
			d = x.Pow(e - 1).MulScalarInPlace(e).MulInPlace(g)
		}
		give(v, d)
	})
}

// Square returns v*v.
func (v *Variable) Square() *Variable { return v.Pow(2) }

// Sqrt returns the square root of v.
func (v *Variable) Sqrt() *Variable {
	out := v.value.Sqrt()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("SqrtBackward0", out, v, func(g *tensor.Tensor) {
		// g / (2·sqrt(x))
		give(v, g.Div(out).MulScalarInPlace(0.5))
	})
}

// Exp returns e**v.
func (v *Variable) Exp() *Variable {
	out := v.value.Exp()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("ExpBackward0", out, v, func(g *tensor.Tensor) { give(v, g.Mul(out)) })
}

// Log returns the natural logarithm of v.
func (v *Variable) Log() *Variable {
	out := v.value.Log()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	return record("LogBackward0", out, v, func(g *tensor.Tensor) { give(v, g.Div(x)) })
}

// Abs returns |v|; its gradient at 0 is 0 (sign(0) = 0), as in PyTorch.
func (v *Variable) Abs() *Variable {
	out := v.value.Abs()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	return record("AbsBackward0", out, v, func(g *tensor.Tensor) { give(v, x.Sign().MulInPlace(g)) })
}

// Maximum returns the elementwise maximum of v and o, broadcast
// (torch.maximum); where they are equal each gets half the gradient.
func (v *Variable) Maximum(o Operand) *Variable {
	return minmax("MaximumBackward0", v, varOf(o), true)
}

// Minimum returns the elementwise minimum of v and o, broadcast.
func (v *Variable) Minimum(o Operand) *Variable {
	return minmax("MinimumBackward0", v, varOf(o), false)
}

func minmax(name string, v, o *Variable, isMax bool) *Variable {
	var out *tensor.Tensor
	if isMax {
		out = v.value.Maximum(o.value)
	} else {
		out = v.value.Minimum(o.value)
	}
	if !tracks2(v, o) {
		return plain(out, v.noGrad || o.noGrad)
	}
	a, b := v.value, o.value
	return record2(name, out, v, o, func(g *tensor.Tensor) {
		// Share of the gradient going to v: 1 where v wins, 1/2 on ties.
		var win *tensor.Tensor
		if isMax {
			win = a.Gt(b)
		} else {
			win = a.Lt(b)
		}
		share := win.AddInPlace(a.Eq(b).MulScalarInPlace(0.5))
		if v.requiresGrad {
			accTo(v, g.Mul(share), true)
		}
		if o.requiresGrad {
			accTo(o, g.Mul(share.RSubScalar(1)), true)
		}
	})
}

// Where returns x where cond is nonzero and y elsewhere (torch.where), the
// three broadcast together; cond is a constant tensor. Each of x and y gets
// the gradient where it was chosen.
func Where(cond *tensor.Tensor, x, y Operand) *Variable { return where(cond, varOf(x), varOf(y)) }

func where(cond *tensor.Tensor, x, y *Variable) *Variable {
	out := tensor.Where(cond, x.value, y.value)
	if !tracks2(x, y) {
		return plain(out, x.noGrad || y.noGrad)
	}
	return record2("WhereBackward0", out, x, y, func(g *tensor.Tensor) {
		zero := scalar(g.DType(), 0)
		if x.requiresGrad {
			accTo(x, tensor.Where(cond, g, zero), true)
		}
		if y.requiresGrad {
			accTo(y, tensor.Where(cond, zero, g), true)
		}
	})
}

// MaskedFill returns v with the elements where mask is nonzero replaced by
// value (torch.masked_fill); mask broadcasts to v's shape. No gradient
// flows to the filled elements.
func (v *Variable) MaskedFill(mask *tensor.Tensor, value float64) *Variable {
	out := tensor.Where(mask, scalar(v.value.DType(), value), v.value)
	if !sameShape(out, v.value) {
		panic(misuse("MaskedFill", "mask of shape "+fmtShape(mask.Shape())+" does not broadcast to "+fmtShape(v.value.Shape())))
	}
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("MaskedFillBackward0", out, v, func(g *tensor.Tensor) {
		give(v, tensor.Where(mask, scalar(g.DType(), 0), g))
	})
}

// Clone returns a copy of v with its own storage that keeps v's history
// (torch's clone): gradients flow through it to v.
func (v *Variable) Clone() *Variable {
	out := v.value.Clone()
	if !tracks(v) {
		r := plain(out, v.noGrad)
		return r
	}
	return record("CloneBackward0", out, v, func(g *tensor.Tensor) { pass(v, g) })
}
