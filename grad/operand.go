package grad

import "runtime"

// Operand is what ops and functions accept as an operand: a *Variable or
// any type that embeds one, such as *nn.Parameter, so a parameter is used
// wherever a Variable is without conversion (x.MatMul(p),
// grad.Linear(x, w, b), grad.MSELoss(p, target)). The interface is sealed:
// its method is unexported, so only *Variable and types embedding it
// satisfy it. Ops still return *Variable, and receivers are *Variable (a
// Parameter gets the methods through the embedding).
//
// Operands are required unless documented otherwise; the one optional
// operand, Linear's bias, is absent when it is nil: an untyped nil, a nil
// *Variable, or a nil pointer of an embedding type (a nil *nn.Parameter).
type Operand interface {
	variable() *Variable
}

// variable returns v itself; a nil *Variable gives nil.
func (v *Variable) variable() *Variable { return v }

// varOf returns the Variable of a required operand (nil for a nil
// interface, so that a missing operand fails as a nil *Variable did).
func varOf(o Operand) *Variable {
	if o == nil {
		return nil
	}
	return o.variable()
}

// optVarOf returns the Variable of an optional operand, or nil when it is
// absent: a nil interface, a nil *Variable, or a nil pointer of a type
// embedding *Variable. Calling the promoted method on the last
// dereferences the nil pointer to reach the embedded field, which is the
// only way that call can fail; that nil dereference is read as "absent".
func optVarOf(o Operand) (v *Variable) {
	if o == nil {
		return nil
	}
	if v, ok := o.(*Variable); ok {
		return v
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(runtime.Error); !ok {
				panic(r)
			}
			v = nil
		}
	}()
	return o.variable()
}
