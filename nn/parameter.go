package nn

import (
	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// Parameter is a Variable that a module owns (torch.nn.Parameter): found
// by the module walk, listed by Parameters and NamedParameters, saved in
// the state dict, trained by optimizers.
//
// It embeds *grad.Variable, so every Variable method works on it directly
// (p.MatMul(x), p.Grad(), p.NoGrad().AddScaledInPlace(-lr, p.Grad())),
// and it is a grad.Operand, which every grad op and function accepts for
// its operands: x.Mul(p), grad.Linear(x, w, b), grad.Cat([]*nn.Parameter{a,
// b}, 0), grad.MSELoss(p, target) need no conversion. Only code that
// needs a *grad.Variable as such (a Layer's Forward argument, a variable
// of that type) uses p.Variable.
//
// A nil *Parameter passed as Linear's optional bias means no bias, as nil
// does; as any other operand it panics, as a nil *grad.Variable does.
//
// Only *Parameter fields (and RegisterParameter) make parameters: a
// *tensor.Tensor or *grad.Variable field is invisible to the walk, as a
// plain tensor attribute is in PyTorch.
type Parameter struct {
	*grad.Variable
}

// NewParameter returns a Parameter holding t (shared, not copied) that
// requires grad; NewParameter(t).SetRequiresGrad(false) makes one that
// does not (requires_grad=False). A nil t gives an empty Float32 tensor of
// shape [0], as torch.nn.Parameter() does.
func NewParameter(t *tensor.Tensor) *Parameter {
	if t == nil {
		t = tensor.Empty(0)
	}
	return &Parameter{grad.Param(t)}
}

// SetRequiresGrad sets whether the parameter requires grad and returns it
// (requires_grad_): a parameter that does not require grad gets no
// gradient from backward passes (it is frozen).
func (p *Parameter) SetRequiresGrad(b bool) *Parameter {
	p.Variable.SetRequiresGrad(b)
	return p
}

// String prints as PyTorch prints a Parameter:
//
//	Parameter containing:
//	tensor([1., 2.], requires_grad=True)
func (p *Parameter) String() string {
	if p == nil || p.Variable == nil {
		return "None"
	}
	return "Parameter containing:\n" + p.Variable.String()
}

// Buffer is module state that is not trained (register_buffer): running
// statistics, masks, constants. A persistent buffer (the default) is saved
// in the state dict; one made with NonPersistent is not. It embeds the
// tensor; use it in a forward pass as grad.New(b.Tensor).
type Buffer struct {
	*tensor.Tensor
	persistent bool
	count      bool // holds a count (num_batches_tracked): To leaves its dtype
}

// NewBuffer returns a Buffer holding t (shared). Options: NonPersistent.
func NewBuffer(t *tensor.Tensor, opts ...Option) *Buffer {
	c := applyOptions("NewBuffer", opts, "NonPersistent")
	if t == nil {
		panic(misuse("NewBuffer", "nil tensor"))
	}
	return &Buffer{Tensor: t, persistent: !c.nonPersistent}
}

// Persistent reports whether the buffer is saved in the state dict.
func (b *Buffer) Persistent() bool { return b.persistent }

// String prints the tensor.
func (b *Buffer) String() string {
	if b == nil || b.Tensor == nil {
		return "None"
	}
	return b.Tensor.String()
}
