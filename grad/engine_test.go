package grad_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

func TestBackwardScalar(t *testing.T) {
	a := grad.Param(tensor.New([]float32{1, 2, 3}, 3))
	b := grad.Param(tensor.New([]float32{4, 5, 6}, 3))
	y := a.Mul(b).Sum()
	if y.GradFn() != "SumBackward0" || !y.RequiresGrad() || y.IsLeaf() {
		t.Fatalf("y: grad_fn %q requires %v leaf %v", y.GradFn(), y.RequiresGrad(), y.IsLeaf())
	}
	if !a.IsLeaf() || a.GradFn() != "" || a.Grad() != nil {
		t.Fatal("a should be a leaf without grad")
	}
	y.Backward()
	near(t, "a.grad", a.Grad().Float64s(), []float64{4, 5, 6}, 0)
	near(t, "b.grad", b.Grad().Float64s(), []float64{1, 2, 3}, 0)
}

func TestAccumulation(t *testing.T) {
	w := grad.Param(tensor.New([]float64{2}, 1))
	x := grad.New(tensor.New([]float64{3}, 1))
	// w used twice in one graph: d(w*x + w*w)/dw = x + 2w = 7
	y := w.Mul(x).Add(w.Mul(w)).Sum()
	y.Backward()
	near(t, "one pass", w.Grad().Float64s(), []float64{7}, 0)
	// a second graph accumulates
	w.Mul(x).Sum().Backward()
	near(t, "two passes", w.Grad().Float64s(), []float64{10}, 0)
	w.ZeroGrad()
	if w.Grad() != nil {
		t.Fatal("ZeroGrad left a gradient")
	}
	w.Mul(x).Sum().Backward()
	near(t, "after zero", w.Grad().Float64s(), []float64{3}, 0)
	if x.Grad() != nil {
		t.Fatal("x does not require grad but got one")
	}
}

func TestSharedUpstreamNotAliased(t *testing.T) {
	// Add hands the same upstream to both leaves: their grads must not
	// share storage, nor alias the caller's gradient.
	a := grad.Param(tensor.New([]float64{1, 2}, 2))
	b := grad.Param(tensor.New([]float64{3, 4}, 2))
	g := tensor.New([]float64{1, 1}, 2)
	a.Add(b).BackwardGrad(g)
	a.Grad().AddScalarInPlace(10)
	near(t, "b.grad", b.Grad().Float64s(), []float64{1, 1}, 0)
	near(t, "g", g.Float64s(), []float64{1, 1}, 0)
}

func TestBackwardExplicitGrad(t *testing.T) {
	x := grad.Param(tensor.New([]float64{1, 2, 3}, 3))
	y := x.MulScalar(2)
	e := panicKind(t, func() { y.Backward() })
	if !errors.Is(e, grad.ErrNotScalar) || !strings.Contains(e.Error(), "grad can be implicitly created only for scalar outputs") {
		t.Fatalf("non-scalar backward: %v", e)
	}
	y.BackwardGrad(tensor.New([]float64{1, 0.5, 0.25}, 3))
	near(t, "x.grad", x.Grad().Float64s(), []float64{2, 1, 0.5}, 0)
}

func TestBackwardNoGradFn(t *testing.T) {
	x := grad.New(tensor.New([]float64{1, 2}, 2))
	e := panicKind(t, func() { x.Sum().Backward() })
	if !errors.Is(e, grad.ErrNoGradFn) || !strings.Contains(e.Error(), "element 0 of tensors does not require grad and does not have a grad_fn") {
		t.Fatalf("got %v", e)
	}
}

func TestReleasedGraph(t *testing.T) {
	x := grad.Param(tensor.New([]float64{1, 2}, 2))
	y := x.Mul(x).Sum()
	y.Backward(grad.RetainGraph)
	y.Backward()
	near(t, "twice", x.Grad().Float64s(), []float64{4, 8}, 0)
	e := panicKind(t, func() { y.Backward() })
	if !errors.Is(e, grad.ErrReleased) {
		t.Fatalf("got %v", e)
	}
	// A graph that shares the released part fails too.
	z := x.Mul(x).Sum()
	z.Backward()
	e = panicKind(t, func() { z.MulScalar(2).Backward() })
	if !errors.Is(e, grad.ErrReleased) {
		t.Fatalf("got %v", e)
	}
}

func TestRetainGrad(t *testing.T) {
	x := grad.Param(tensor.New([]float64{1, 2}, 2))
	h := x.MulScalar(3)
	h.RetainGrad()
	h.Mul(h).Sum().Backward()
	near(t, "h.grad", h.Grad().Float64s(), []float64{6, 12}, 0)
	near(t, "x.grad", x.Grad().Float64s(), []float64{18, 36}, 0)
	q := x.MulScalar(2)
	q.Sum().Backward()
	if q.Grad() != nil {
		t.Fatal("non-leaf without RetainGrad kept a grad")
	}
}

func TestLeafBackward(t *testing.T) {
	x := grad.Param(tensor.New([]float64{5}))
	x.Backward()
	near(t, "x.grad", x.Grad().Float64s(), []float64{1}, 0)
}

func TestDetachClone(t *testing.T) {
	x := grad.Param(tensor.New([]float64{1, 2}, 2))
	d := x.Detach()
	if d.RequiresGrad() || !d.IsLeaf() || !d.Value().SharesStorage(x.Value()) {
		t.Fatal("Detach must share data without history")
	}
	c := x.Clone()
	if c.GradFn() != "CloneBackward0" || c.Value().SharesStorage(x.Value()) {
		t.Fatal("Clone must copy and keep history")
	}
	c.Mul(c).Sum().Backward()
	near(t, "x.grad through clone", x.Grad().Float64s(), []float64{2, 4}, 0)
}

func TestInPlace(t *testing.T) {
	w := grad.Param(tensor.New([]float64{1, 2}, 2))
	one := grad.New(tensor.New([]float64{1, 1}, 2))
	e := panicKind(t, func() { w.AddInPlace(one) })
	if !errors.Is(e, grad.ErrLeafInPlace) || !strings.Contains(e.Error(), "a leaf Variable that requires grad is being used in an in-place operation.") {
		t.Fatalf("got %v", e)
	}
	w.NoGrad().AddInPlace(one)
	near(t, "w after no-grad update", w.Value().Float64s(), []float64{2, 3}, 0)
	h := w.MulScalar(2)
	if e := panicKind(t, func() { h.MulScalarInPlace(2) }); !errors.Is(e, grad.ErrInPlaceHistory) {
		t.Fatalf("got %v", e)
	}
	// A plain Variable may be updated in place.
	one.MulScalarInPlace(3)
	near(t, "plain", one.Value().Float64s(), []float64{3, 3}, 0)
}

func TestNoGrad(t *testing.T) {
	w := grad.Param(tensor.New([]float64{1, 2, 3, 4}, 2, 2))
	x := grad.NoGrad(tensor.New([]float64{1, 1}, 1, 2))
	y := x.MatMul(w).ReLU().Sum()
	if y.RequiresGrad() || !y.IsLeaf() || !y.IsNoGrad() {
		t.Fatal("ops on a no-grad input must record nothing")
	}
	y2 := grad.Linear(x, w, nil)
	if y2.RequiresGrad() {
		t.Fatal("Linear recorded")
	}
	// The same parameters still train with a tracked input.
	z := grad.New(tensor.New([]float64{1, 1}, 1, 2)).MatMul(w).Sum()
	if !z.RequiresGrad() {
		t.Fatal("tracking lost")
	}
	if e := panicKind(t, func() { grad.NoGrad(w.Value()).SetRequiresGrad(true) }); e == nil {
		t.Fatal("no panic")
	}
}

func TestString(t *testing.T) {
	w := grad.Param(tensor.New([]float32{1, 2}, 2))
	if s := w.String(); s != "tensor([1., 2.], requires_grad=True)" {
		t.Errorf("leaf: %q", s)
	}
	if s := w.MulScalar(2).String(); s != "tensor([2., 4.], grad_fn=<MulBackward1>)" {
		t.Errorf("non-leaf: %q", s)
	}
}

func TestDeepChain(t *testing.T) {
	// 20k ops: the topological sort must not recurse.
	x := grad.Param(tensor.New([]float64{1}, 1))
	y := x
	for range 20000 {
		y = y.AddScalar(1)
	}
	y.Sum().Backward()
	near(t, "x.grad", x.Grad().Float64s(), []float64{1}, 0)
}
