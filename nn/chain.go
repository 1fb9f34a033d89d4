package nn

import (
	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// A run of Linear layers in a Sequential (each optionally followed by a
// ReLU) evaluated without recording a graph writes its intermediate
// activations into scratch tensors that the Sequential keeps in a
// sync.Pool, so that only the run's last output is a new tensor. Nothing
// outside the run can see the intermediates, and reusing their memory,
// still in cache from the last call, is what PyTorch's allocator does with
// the blocks freed when the intermediates go out of scope. The values are
// those of calling the layers one by one (the same tensor.LinearReLU /
// tensor.Linear computation, into a destination).

// chainScratch holds one tensor per intermediate output of a run.
type chainScratch struct {
	bufs []*tensor.Tensor
}

// linearChain returns how many children from i on form a run of at least
// two Linear layers (each with an optional ReLU after it) that x can go
// through without a graph with the scratch path: same dtype throughout,
// shapes that chain, a contiguous x. 0 means take the ordinary path, which
// also gives any shape error its usual message. noGrad says whether an
// operand is no-grad, and so the result.
func (s *Sequential) linearChain(x *grad.Variable, i int) (n int, noGrad bool) {
	xv := x.Value()
	if !xv.IsContiguous() || xv.Dim() < 1 {
		return 0, false
	}
	noGrad = x.IsNoGrad()
	needGrad := x.RequiresGrad()
	in, dt := xv.Size(-1), xv.DType()
	j, layers := i, 0
	for j < len(s.mods) {
		lin, ok := s.mods[j].m.(*Linear)
		if !ok {
			break
		}
		w := lin.Weight.Value()
		if w.Dim() != 2 || w.Size(1) != in || w.DType() != dt {
			break
		}
		noGrad = noGrad || lin.Weight.IsNoGrad()
		needGrad = needGrad || lin.Weight.RequiresGrad()
		if lin.Bias != nil {
			b := lin.Bias.Value()
			if b.Dim() != 1 || b.Size(0) != w.Size(0) || b.DType() != dt {
				break
			}
			noGrad = noGrad || lin.Bias.IsNoGrad()
			needGrad = needGrad || lin.Bias.RequiresGrad()
		}
		in = w.Size(0)
		j++
		layers++
		if j < len(s.mods) {
			if _, ok := s.mods[j].m.(*ReLU); ok {
				j++
			}
		}
	}
	if layers < 2 || (needGrad && !noGrad) {
		return 0, false
	}
	return j - i, noGrad
}

// forwardChain runs children [i, i+n) (a run found by linearChain) on x.
func (s *Sequential) forwardChain(x *grad.Variable, i, n int, noGrad bool) *grad.Variable {
	sc, _ := s.scratch.Get().(*chainScratch)
	if sc == nil {
		sc = &chainScratch{}
	}
	h := x.Value()
	var shape [8]int
	lead := shape[:0]
	for d := range h.Dim() - 1 {
		lead = append(lead, h.Size(d))
	}
	step := 0
	for j := i; j < i+n; j++ {
		lin := s.mods[j].m.(*Linear)
		relu := false
		if j+1 < i+n {
			_, relu = s.mods[j+1].m.(*ReLU)
		}
		var b *tensor.Tensor
		if lin.Bias != nil {
			b = lin.Bias.Value()
		}
		w := lin.Weight.Value()
		last := j+1 == i+n || (relu && j+2 == i+n)
		if last {
			if relu {
				h = tensor.LinearReLU(h, w, b)
			} else {
				h = tensor.Linear(h, w, b)
			}
		} else {
			dst := sc.buf(step, h.DType(), append(lead, w.Size(0)))
			if relu {
				h = tensor.LinearReLUInto(dst, h, w, b)
			} else {
				h = tensor.LinearInto(dst, h, w, b)
			}
			step++
		}
		if relu {
			j++
		}
	}
	s.scratch.Put(sc)
	if noGrad {
		return grad.NoGrad(h)
	}
	return grad.New(h)
}

// buf returns scratch tensor k, made anew when it does not have this shape
// and dtype.
func (c *chainScratch) buf(k int, dt tensor.DType, shape []int) *tensor.Tensor {
	for len(c.bufs) <= k {
		c.bufs = append(c.bufs, nil)
	}
	if t := c.bufs[k]; t != nil && t.DType() == dt && hasShape(t, shape) {
		return t
	}
	c.bufs[k] = dt.Empty(shape...)
	return c.bufs[k]
}

func hasShape(t *tensor.Tensor, shape []int) bool {
	if t.Dim() != len(shape) {
		return false
	}
	for i, n := range shape {
		if t.Size(i) != n {
			return false
		}
	}
	return true
}
