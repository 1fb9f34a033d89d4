package grad

import "github.com/simdtorch/simdtorch/tensor"

// captureSlot collects a Variable's gradient during a Grad pass.
type captureSlot struct {
	skip bool
	g    *tensor.Tensor
}

func (c *captureSlot) add(g *tensor.Tensor, owned bool) {
	switch {
	case c.skip:
	case c.g == nil && owned:
		c.g = g
	case c.g == nil:
		c.g = g.Clone()
	default:
		c.g = c.g.Add(g)
	}
}

// Grad returns the gradients of output with respect to inputs
// (torch.autograd.grad(output, inputs)) without touching any Grad: the
// leaves' and RetainGrad's gradients stay as they are. output must hold
// one element, as for Backward; with GradOutput its gradient is given.
// An input output does not depend on (through ops that require grad) gets
// a nil gradient (PyTorch's allow_unused=True). The graph is released
// afterwards unless RetainGraph is given. Gradients of gradients
// (create_graph) are not supported. As for Backward, no other backward
// pass may run at the same time over the same leaves.
//
//	x := grad.Param(img)
//	loss := grad.CrossEntropyInts(net.Forward(x), labels)
//	g := grad.Grad(loss, []*grad.Variable{x})[0] // a saliency map; the weights' Grad untouched
func Grad(output *Variable, inputs []*Variable, opts ...BackwardOption) []*tensor.Tensor {
	var seed *tensor.Tensor
	given := false
	for _, o := range opts {
		if g, ok := o.(gradOutput); ok {
			seed, given = g.g, true
		}
	}
	slots := make([]*captureSlot, len(inputs))
	var marked []*Variable
	mark := func(v *Variable, c *captureSlot) {
		if v.capture == nil {
			v.capture = c
			marked = append(marked, v)
		}
	}
	defer func() {
		for _, v := range marked {
			v.capture = nil
		}
	}()
	for i, in := range inputs {
		if in == nil {
			panic(misuse("Grad", "nil input"))
		}
		if in.capture != nil { // the same input twice
			slots[i] = in.capture
			continue
		}
		slots[i] = &captureSlot{}
		mark(in, slots[i])
	}
	// Every other leaf the pass reaches keeps its Grad.
	skip := &captureSlot{skip: true}
	if output.fn == nil {
		mark(output, skip)
	} else {
		var buf [16]*node
		for _, n := range topo(output.fn, buf[:0]) {
			if n.out.retainGrad {
				mark(n.out, skip)
			}
			for _, in := range n.inputs {
				if in != nil && in.requiresGrad && in.fn == nil {
					mark(in, skip)
				}
			}
		}
	}
	output.backward("Grad", seed, given, opts) // checks output and the seed; the marks are cleared on a panic too
	out := make([]*tensor.Tensor, len(inputs))
	for i, s := range slots {
		out[i] = s.g
	}
	return out
}

// GradOutput gives Grad the gradient of its output (grad_outputs), for
// an output with more than one element: the vector of the
// vector-Jacobian product. Backward and BackwardGrad ignore it.
func GradOutput(g *tensor.Tensor) BackwardOption { return gradOutput{g} }

type gradOutput struct{ g *tensor.Tensor }

func (gradOutput) applyBackward(*backwardCfg) {}
