package grad

import (
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/simdtorch/simdtorch/tensor"
)

// node is the backward function of one op: the closure that turns the
// gradient of the op's result into gradients of its inputs (handing them
// to accumulate), the inputs themselves (the graph's edges), and, during a
// backward pass, the gradient summed so far for the result.
type node struct {
	name     string
	inputs   []*Variable
	in       [2]*Variable // inline storage for inputs
	backward func(g *tensor.Tensor)
	out      *Variable // the result, for RetainGrad

	grad     *tensor.Tensor // gradient of out summed during a pass
	owned    bool           // grad is this node's own (may be added into)
	released bool
	epoch    uint64
}

// varNode puts a result Variable and its node in one allocation.
type varNode struct {
	v Variable
	n node
}

// tracks reports whether an op on these operands records a graph: some
// operand requires grad and none is no-grad.
func tracks(a *Variable) bool { return a.requiresGrad && !a.noGrad }

func tracks2(a, b *Variable) bool {
	return (a.requiresGrad || b.requiresGrad) && !a.noGrad && !b.noGrad
}

// plain returns an untracked result; it is no-grad when an operand is.
func plain(t *tensor.Tensor, noGrad bool) *Variable { return &Variable{value: t, noGrad: noGrad} }

// record returns a tracked result of one input.
func record(name string, value *tensor.Tensor, x *Variable, back func(g *tensor.Tensor)) *Variable {
	p := &varNode{}
	p.n.name = name
	p.n.in[0] = x
	p.n.inputs = p.n.in[:1]
	p.n.backward = back
	p.n.out = &p.v
	p.v.value = value
	p.v.requiresGrad = true
	p.v.fn = &p.n
	return &p.v
}

// record2 returns a tracked result of two inputs.
func record2(name string, value *tensor.Tensor, a, b *Variable, back func(g *tensor.Tensor)) *Variable {
	v := record(name, value, a, back)
	v.fn.in[1] = b
	v.fn.inputs = v.fn.in[:2]
	return v
}

// recordN returns a tracked result of any number of inputs.
func recordN(name string, value *tensor.Tensor, xs []*Variable, back func(g *tensor.Tensor)) *Variable {
	v := record(name, value, nil, back)
	v.fn.inputs = xs
	return v
}

// give hands a gradient the caller computed into a fresh tensor (nothing
// else refers to it) to x; pass hands over one that is shared (the
// upstream gradient, a view of it, a saved value).
func give(x *Variable, g *tensor.Tensor) { accumulate(x, g, true) }
func pass(x *Variable, g *tensor.Tensor) { accumulate(x, g, false) }

// accumulate adds g to x's gradient: a leaf's Grad, or the running sum of
// a non-leaf's node during the pass. Gradients that are not owned are
// copied before anything is added into them.
func accumulate(x *Variable, g *tensor.Tensor, owned bool) {
	if x == nil || !x.requiresGrad {
		return
	}
	if g.DType() != x.value.DType() {
		g, owned = g.To(x.value.DType()), true
	}
	if !sameShape(g, x.value) {
		name := "leaf"
		if x.fn != nil {
			name = x.fn.name
		}
		panic(misuse("Backward", "internal error: gradient of shape "+fmtShape(g.Shape())+" for "+name+" of shape "+fmtShape(x.value.Shape())))
	}
	if n := x.fn; n != nil {
		switch {
		case n.grad == nil:
			n.grad, n.owned = g, owned
		case n.owned:
			n.grad.AddInPlace(g)
		default:
			n.grad, n.owned = n.grad.Add(g), true
		}
		return
	}
	accumulateLeaf(x, g, owned)
}

func accumulateLeaf(x *Variable, g *tensor.Tensor, owned bool) {
	if c := x.capture; c != nil {
		c.add(g, owned)
		return
	}
	switch {
	case x.grad == nil:
		if !owned || !g.IsContiguous() {
			g = g.Clone()
		}
		x.grad = g
	case x.staleGrad:
		x.grad.CopyFrom(g)
		x.staleGrad = false
	default:
		x.grad.AddInPlace(g)
	}
}

// leafGradInto returns the tensor a backward function may write x's
// gradient into directly, and the beta to apply to what it holds (0:
// overwrite, 1: accumulate): x must be a leaf whose kept gradient is a
// contiguous tensor of dtype dt. ok is false otherwise (the caller makes
// a new tensor and gives it).
func leafGradInto(x *Variable, dt tensor.DType) (dst *tensor.Tensor, beta float64, ok bool) {
	if x.fn != nil || x.grad == nil || x.retainGrad || x.capture != nil || !x.grad.IsContiguous() || x.grad.DType() != dt {
		return nil, 0, false
	}
	if x.staleGrad {
		x.staleGrad = false
		return x.grad, 0, true
	}
	return x.grad, 1, true
}

// BackwardOption configures a backward pass.
type BackwardOption interface{ applyBackward(*backwardCfg) }

type backwardCfg struct{ retain bool }

type retainGraph struct{}

func (retainGraph) applyBackward(c *backwardCfg) { c.retain = true }

// RetainGraph keeps the graph's saved values after a backward pass, so
// another pass may run through it (retain_graph=True).
var RetainGraph BackwardOption = retainGraph{}

// Backward computes the gradient of v, which must hold one element, with
// respect to every leaf that requires grad and that v depends on, and adds
// it to their Grad (tensor.backward()). It walks the graph in reverse
// topological order, running each op's backward function once with the
// sum of the gradients of its result.
//
// Afterwards the graph's saved values are released, unless RetainGraph is
// given; a second pass through a released graph panics with ErrReleased.
// Backward panics with an *Error of kind ErrNoGradFn when v does not
// require grad and ErrNotScalar when v has more than one element.
func (v *Variable) Backward(opts ...BackwardOption) { v.backward("Backward", nil, false, opts) }

// BackwardGrad is Backward with an explicit gradient of v (of v's shape),
// the vector of the vector-Jacobian product (tensor.backward(gradient)).
// The gradient is read, never modified or kept.
func (v *Variable) BackwardGrad(g *tensor.Tensor, opts ...BackwardOption) {
	v.backward("BackwardGrad", g, true, opts)
}

// backward checks v and the seed (g when given, else ones for a
// one-element v) for op and runs the pass.
func (v *Variable) backward(op string, g *tensor.Tensor, given bool, opts []BackwardOption) {
	if !v.requiresGrad {
		panic(fail(op, ErrNoGradFn))
	}
	if given {
		if !sameShape(g, v.value) {
			panic(misuse(op, "Mismatch in shape: grad_output[0] has a shape of "+fmtShape(g.Shape())+" and output[0] has a shape of "+fmtShape(v.value.Shape())))
		}
		v.run(g, false, opts)
		return
	}
	if v.value.Numel() != 1 {
		panic(fail(op, ErrNotScalar))
	}
	if v.value.Dim() == 0 {
		// A shared read-only seed: nothing writes into an unowned gradient.
		if v.value.DType() == tensor.Float64 {
			v.run(one64, false, opts)
		} else {
			v.run(one32, false, opts)
		}
		return
	}
	v.run(tensor.OnesLike(v.value), true, opts)
}

var (
	epoch atomic.Uint64
	one32 = tensor.Scalar[float32](1)
	one64 = tensor.Scalar[float64](1)
)

func (v *Variable) run(seed *tensor.Tensor, owned bool, opts []BackwardOption) {
	var cfg backwardCfg
	for _, o := range opts {
		if _, ok := o.(retainGraph); ok {
			cfg.retain = true
		} else {
			c := cfg
			o.applyBackward(&c)
			cfg = c
		}
	}
	if v.fn == nil {
		accumulate(v, seed, owned)
		return
	}
	var buf [16]*node
	order := topo(v.fn, buf[:0])
	for _, n := range order {
		if n.released {
			panic(fail("Backward", ErrReleased))
		}
	}
	for _, n := range order {
		n.grad = nil
	}
	v.fn.grad, v.fn.owned = seed, owned
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		g := n.grad
		n.grad = nil
		if g == nil {
			continue
		}
		if c := n.out.capture; c != nil {
			c.add(g, false)
		} else if n.out.retainGrad {
			accumulateLeafRetained(n.out, g)
		}
		n.backward(g)
		if !cfg.retain {
			n.backward = nil
			n.released = true
		}
	}
}

func accumulateLeafRetained(x *Variable, g *tensor.Tensor) {
	switch {
	case x.grad == nil:
		x.grad = g.Clone()
	case x.staleGrad:
		x.grad.CopyFrom(g)
		x.staleGrad = false
	default:
		x.grad.AddInPlace(g)
	}
}

// topo returns the nodes reachable from root through inputs that require
// grad, in post order (inputs before the ops that use them).
func topo(root *node, order []*node) []*node {
	e := epoch.Add(1)
	type frame struct {
		n *node
		i int
	}
	var buf [32]frame
	stack := append(buf[:0], frame{root, 0})
	root.epoch = e
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i < len(f.n.inputs) {
			in := f.n.inputs[f.i]
			f.i++
			if in != nil && in.requiresGrad {
				if c := in.fn; c != nil && c.epoch != e {
					c.epoch = e
					stack = append(stack, frame{c, 0})
				}
			}
			continue
		}
		order = append(order, f.n)
		stack = stack[:len(stack)-1]
	}
	return order
}

func sameShape(a, b *tensor.Tensor) bool {
	n := a.Dim()
	if n != b.Dim() {
		return false
	}
	for i := range n {
		if a.Size(i) != b.Size(i) {
			return false
		}
	}
	return true
}

func fmtShape(s []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(v))
	}
	b.WriteByte(']')
	return b.String()
}
