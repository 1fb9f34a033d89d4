package grad

import "github.com/simdtorch/simdtorch/tensor"

// In-place updates write into v's value. They are allowed on no-grad
// Variables (including v.NoGrad() aliases of leaves that require grad,
// the way optimizers and initialisers edit parameters) and on Variables
// that take no part in autograd. They panic with ErrLeafInPlace on a leaf
// that requires grad (as PyTorch does outside torch.no_grad()) and with
// ErrInPlaceHistory on a Variable with history, or when the operand
// requires grad: autograd here does not rewrite graphs for in-place ops.

func (v *Variable) checkInPlace(op string, o *Variable) {
	if v.noGrad {
		return
	}
	switch {
	case v.fn == nil && v.requiresGrad:
		panic(fail(op, ErrLeafInPlace))
	case v.fn != nil:
		panic(fail(op, ErrInPlaceHistory))
	case o != nil && o.requiresGrad && !o.noGrad:
		panic(fail(op, ErrInPlaceHistory))
	}
}

// AddInPlace sets v = v + o (o broadcast to v's shape) and returns v.
func (v *Variable) AddInPlace(op Operand) *Variable {
	o := varOf(op)
	v.checkInPlace("AddInPlace", o)
	v.value.AddInPlace(o.value)
	return v
}

// SubInPlace sets v = v - o and returns v.
func (v *Variable) SubInPlace(op Operand) *Variable {
	o := varOf(op)
	v.checkInPlace("SubInPlace", o)
	v.value.SubInPlace(o.value)
	return v
}

// MulInPlace sets v = v * o and returns v.
func (v *Variable) MulInPlace(op Operand) *Variable {
	o := varOf(op)
	v.checkInPlace("MulInPlace", o)
	v.value.MulInPlace(o.value)
	return v
}

// AddScaledInPlace sets v = v + alpha·t (an optimizer step:
// p.NoGrad().AddScaledInPlace(-lr, p.Grad())) and returns v.
func (v *Variable) AddScaledInPlace(alpha float64, t *tensor.Tensor) *Variable {
	v.checkInPlace("AddScaledInPlace", nil)
	v.value.AddScaledInPlace(alpha, t)
	return v
}

// MulScalarInPlace sets v = v·s and returns v.
func (v *Variable) MulScalarInPlace(s float64) *Variable {
	v.checkInPlace("MulScalarInPlace", nil)
	v.value.MulScalarInPlace(s)
	return v
}

// Copy copies t (broadcast, converted) into v's value and returns v.
func (v *Variable) Copy(t *tensor.Tensor) *Variable {
	v.checkInPlace("Copy", nil)
	v.value.Copy(t)
	return v
}

// Fill sets every element of v to x and returns v.
func (v *Variable) Fill(x float64) *Variable {
	v.checkInPlace("Fill", nil)
	v.value.Fill(x)
	return v
}
