package grad

import (
	"strings"

	"github.com/simdtorch/simdtorch/tensor"
)

// Variable is a tensor value that takes part in automatic differentiation
// (a torch.Tensor with requires_grad, grad and grad_fn).
//
// A leaf is a Variable made by New, NoGrad, Detach or a no-grad op; ops on
// Variables that require grad return non-leaf Variables that remember the
// function that made them (GradFn) and their inputs, forming the graph that
// Backward walks.
//
// Ops never modify their operands, so any number of goroutines may run
// forward passes over the same Variables at once. A backward pass writes
// the gradients of the leaves it reaches: passes that share leaves must
// not run at the same time.
type Variable struct {
	value        *tensor.Tensor
	grad         *tensor.Tensor
	fn           *node
	requiresGrad bool
	noGrad       bool // no-grad mode: ops on it record nothing
	retainGrad   bool
	// staleGrad says grad's buffer is kept but its values are logically
	// zero (ZeroGradInPlace): the next accumulation overwrites instead of
	// adding, and Grad writes the zeros if nothing did.
	staleGrad bool
	// capture, during a Grad pass, redirects v's gradient away from its
	// grad field: into capture.g, or nowhere (skip).
	capture *captureSlot
}

// New returns a leaf Variable holding t (shared, not copied) that does not
// require grad; SetRequiresGrad(true) makes it a trainable leaf.
func New(t *tensor.Tensor) *Variable {
	if t == nil {
		panic(misuse("New", "nil tensor"))
	}
	return &Variable{value: t}
}

// Param returns a leaf Variable holding t that requires grad: New(t) with
// SetRequiresGrad(true).
func Param(t *tensor.Tensor) *Variable {
	v := New(t)
	v.requiresGrad = true
	return v
}

// NoGrad returns a no-grad Variable holding t (shared): ops with a no-grad
// operand record nothing, allocate no graph, and return no-grad results,
// even when other operands require grad (torch.no_grad for everything
// computed from it). Use it for the input of an inference pass:
//
//	y := model.Forward(grad.NoGrad(x)) // no graph, safe to run concurrently
func NoGrad(t *tensor.Tensor) *Variable {
	if t == nil {
		panic(misuse("NoGrad", "nil tensor"))
	}
	return &Variable{value: t, noGrad: true}
}

// NoGrad returns a no-grad alias of v: the same value (shared storage)
// with no history, on which ops record nothing and in-place updates are
// allowed even when v is a leaf that requires grad. It is the scoped form
// of PyTorch's
//
//	with torch.no_grad(): w -= lr * w.grad
//
// written w.NoGrad().SubInPlace(...). It allocates one small struct.
func (v *Variable) NoGrad() *Variable { return &Variable{value: v.value, noGrad: true} }

// IsNoGrad reports whether v is a no-grad Variable (see NoGrad).
func (v *Variable) IsNoGrad() bool { return v.noGrad }

// Value returns the tensor v holds (shared, not copied). Writing into it
// behind autograd's back changes what a later backward pass sees.
func (v *Variable) Value() *tensor.Tensor { return v.value }

// SetData replaces the tensor a leaf holds (param.data = t in PyTorch):
// graphs recorded before keep the old one, later ops see t. A gradient of
// another shape is dropped; one of the same shape is converted to t's
// dtype. It panics on a non-leaf (a result of an op) or a nil t.
func (v *Variable) SetData(t *tensor.Tensor) {
	switch {
	case t == nil:
		panic(misuse("SetData", "nil tensor"))
	case v.fn != nil:
		panic(misuse("SetData", "the data of a non-leaf Variable cannot be replaced"))
	}
	v.value = t
	if v.grad != nil {
		if !sameShape(v.grad, t) {
			v.grad, v.staleGrad = nil, false
		} else if v.grad.DType() != t.DType() {
			v.grad = v.grad.To(t.DType())
		}
	}
}

// Grad returns the gradient accumulated by backward passes: nil until a
// backward pass reaches v (and after ZeroGrad). Only leaves that require
// grad, and non-leaves after RetainGrad, get one.
func (v *Variable) Grad() *tensor.Tensor {
	if v.staleGrad {
		v.grad.Fill(0)
		v.staleGrad = false
	}
	return v.grad
}

// SetGrad replaces the gradient (nil clears it). It must have v's shape.
func (v *Variable) SetGrad(g *tensor.Tensor) {
	if g != nil && !sameShape(g, v.value) {
		panic(misuse("SetGrad", "assigned grad has shape "+fmtShape(g.Shape())+" but the variable has shape "+fmtShape(v.value.Shape())))
	}
	v.grad, v.staleGrad = g, false
}

// ZeroGrad drops the gradient, so the next backward pass starts from zero
// (PyTorch's zero_grad(set_to_none=True), its default since 2.0).
func (v *Variable) ZeroGrad() { v.grad, v.staleGrad = nil, false }

// ZeroGradInPlace sets the gradient to zero and keeps its tensor
// (zero_grad(set_to_none=False), PyTorch 1.13's default): Grad returns
// the same tensor, holding zeros, and backward passes accumulate into it,
// so a training loop allocates no gradient memory after its first step.
// Nothing happens when there is no gradient.
//
// The zeros are written lazily: a backward pass that reaches v overwrites
// the old values instead of adding to zeros, and Grad writes the zeros
// only when no pass did. Either way what Grad returns is what
// zero_grad(set_to_none=False) would leave.
func (v *Variable) ZeroGradInPlace() {
	if v.grad != nil {
		v.staleGrad = true
	}
}

// RequiresGrad reports whether gradients flow to v.
func (v *Variable) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad sets whether a leaf requires grad and returns v. It
// panics for a non-leaf (as torch's requires_grad_), whose flag follows
// from its inputs, and for a no-grad Variable asked to require grad.
func (v *Variable) SetRequiresGrad(b bool) *Variable {
	if v.fn != nil {
		panic(misuse("SetRequiresGrad", "you can only change requires_grad flags of leaf variables"))
	}
	if b && v.noGrad {
		panic(misuse("SetRequiresGrad", "a no-grad Variable cannot require grad; use New or Detach"))
	}
	v.requiresGrad = b
	return v
}

// IsLeaf reports whether v has no history: it was made by New, Param,
// NoGrad or Detach, or by an op that recorded nothing.
func (v *Variable) IsLeaf() bool { return v.fn == nil }

// GradFn returns the name of the backward function of the op that made v,
// as PyTorch names it ("AddmmBackward0", "MulBackward0", ...), or "" for a
// leaf.
func (v *Variable) GradFn() string {
	if v.fn == nil {
		return ""
	}
	return v.fn.name
}

// RetainGrad makes a non-leaf keep its gradient in Grad after backward
// passes (accumulating like a leaf's). On a leaf it does nothing.
func (v *Variable) RetainGrad() {
	if v.fn != nil {
		v.retainGrad = true
	}
}

// Detach returns a leaf Variable that shares v's value and has no history
// and no gradient (torch's detach).
func (v *Variable) Detach() *Variable { return &Variable{value: v.value} }

// Shape returns a copy of the value's shape.
func (v *Variable) Shape() []int { return v.value.Shape() }

// Dim returns the number of dimensions.
func (v *Variable) Dim() int { return v.value.Dim() }

// Size returns the size of dimension dim (negative counts from the end).
func (v *Variable) Size(dim int) int { return v.value.Size(dim) }

// Numel returns the number of elements.
func (v *Variable) Numel() int { return v.value.Numel() }

// DType returns the element type.
func (v *Variable) DType() tensor.DType { return v.value.DType() }

// Item returns the value of a one-element Variable.
func (v *Variable) Item() float64 { return v.value.Item() }

// String prints like PyTorch: the tensor followed by grad_fn=<...> for a
// non-leaf or requires_grad=True for a leaf that requires grad.
func (v *Variable) String() string {
	s := v.value.String()
	var tag string
	switch {
	case v.fn != nil:
		tag = "grad_fn=<" + v.fn.name + ">"
	case v.requiresGrad:
		tag = "requires_grad=True"
	default:
		return s
	}
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return s + ", " + tag
	}
	return s[:i] + ", " + tag + s[i:]
}
