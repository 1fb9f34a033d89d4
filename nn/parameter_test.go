package nn_test

import (
	"math"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

func near(t *testing.T, what string, got *tensor.Tensor, want []float64) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no gradient", what)
	}
	g := got.Float64s()
	if len(g) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(g), len(want))
	}
	for i := range g {
		if math.Abs(g[i]-want[i]) > 1e-12 {
			t.Fatalf("%s = %v, want %v", what, g, want)
		}
	}
}

// Parameters are operands of grad's ops and functions as they are: no
// p.Variable at the call sites, and the gradients land in the Parameters.
func TestParameterAsOperand(t *testing.T) {
	x := grad.New(f64([]float64{1, 2, 3, 4, 5, 6}, 2, 3))

	t.Run("MatMul", func(t *testing.T) {
		p := nn.NewParameter(f64([]float64{1, 0, -1, 2, 0.5, 3}, 3, 2))
		x.MatMul(p).Sum().Backward()
		// d/dp sum(x@p) = xᵀ·1: column sums of x, repeated per column.
		near(t, "p.grad", p.Grad(), []float64{5, 5, 7, 7, 9, 9})
	})

	t.Run("Linear", func(t *testing.T) {
		wv := []float64{1, 2, 3, -1, 0, 1}
		bv := []float64{0.5, -0.5}
		w, b := nn.NewParameter(f64(wv, 2, 3)), nn.NewParameter(f64(bv, 2))
		y := grad.Linear(x, w, b)
		if y.GradFn() != "AddmmBackward0" {
			t.Fatalf("GradFn %q", y.GradFn())
		}
		// The same op on plain Variables gives the same value and gradients.
		w2, b2 := grad.Param(f64(wv, 2, 3)), grad.Param(f64(bv, 2))
		y2 := grad.Linear(x, w2, b2)
		near(t, "value", y.Value(), y2.Value().Float64s())
		y.Square().Sum().Backward()
		y2.Square().Sum().Backward()
		near(t, "w.grad", w.Grad(), w2.Grad().Float64s())
		near(t, "b.grad", b.Grad(), b2.Grad().Float64s())

		// A mix of Parameters and Variables, and AddMM.
		xp := nn.NewParameter(x.Value().Clone())
		grad.AddMM(b2, xp, w.T()).Sum().Backward()
		near(t, "xp.grad", xp.Grad(), []float64{0, 2, 4, 0, 2, 4})
	})

	t.Run("LinearNilBias", func(t *testing.T) {
		w := nn.NewParameter(f64([]float64{1, 2, 3, -1, 0, 1}, 2, 3))
		want := grad.Linear(x, w, nil).Value().Float64s()
		var noParam *nn.Parameter
		var noVar *grad.Variable
		for name, b := range map[string]grad.Operand{"nil *nn.Parameter": noParam, "nil *grad.Variable": noVar} {
			y := grad.Linear(x, w, b)
			if y.GradFn() != "MmBackward0" {
				t.Fatalf("%s bias: GradFn %q", name, y.GradFn())
			}
			near(t, name+" bias", y.Value(), want)
		}
		func() { // only the optional bias may be nil
			defer func() {
				if recover() == nil {
					t.Fatal("a nil *nn.Parameter weight did not panic")
				}
			}()
			grad.Linear(x, noParam, w)
		}()
		var l nn.Linear // a layer without bias: Bias is a nil *Parameter
		l.Weight = w
		near(t, "Linear.Forward", l.Forward(x).Value(), want)
	})

	t.Run("SelfMul", func(t *testing.T) {
		p := nn.NewParameter(f64([]float64{1, -2, 3}, 3))
		p.Mul(p).Sum().Backward()
		near(t, "p.grad", p.Grad(), []float64{2, -4, 6})
		p.ZeroGrad()
		p.Add(p).Sub(p).Div(p.AddScalar(10)).Maximum(p).Minimum(p).Sum().Backward()
		if p.Grad() == nil {
			t.Fatal("no gradient through Add/Sub/Div/Maximum/Minimum")
		}
	})

	t.Run("CatStack", func(t *testing.T) {
		a := nn.NewParameter(f64([]float64{1, 2}, 2))
		b := nn.NewParameter(f64([]float64{3, 4, 5}, 3))
		c := grad.Cat([]*nn.Parameter{a, b}, 0)
		near(t, "cat", c.Value(), []float64{1, 2, 3, 4, 5})
		c.Mul(grad.New(f64([]float64{1, 2, 3, 4, 5}, 5))).Sum().Backward()
		near(t, "a.grad", a.Grad(), []float64{1, 2})
		near(t, "b.grad", b.Grad(), []float64{3, 4, 5})

		a.ZeroGrad()
		v := grad.Param(f64([]float64{7, 8}, 2))
		s := grad.Stack([]grad.Operand{a, v}, 0) // Parameters and Variables mixed
		near(t, "stack", s.Value(), []float64{1, 2, 7, 8})
		s.Mul(grad.New(f64([]float64{1, 2, 3, 4}, 2, 2))).Sum().Backward()
		near(t, "a.grad", a.Grad(), []float64{1, 2})
		near(t, "v.grad", v.Grad(), []float64{3, 4})
	})

	t.Run("Where", func(t *testing.T) {
		a := nn.NewParameter(f64([]float64{1, 2, 3}, 3))
		b := nn.NewParameter(f64([]float64{4, 5, 6}, 3))
		grad.Where(f64([]float64{1, 0, 1}, 3), a, b).Sum().Backward()
		near(t, "a.grad", a.Grad(), []float64{1, 0, 1})
		near(t, "b.grad", b.Grad(), []float64{0, 1, 0})
	})

	t.Run("Loss", func(t *testing.T) {
		p := nn.NewParameter(f64([]float64{1, 2, 4}, 3))
		target := grad.New(f64([]float64{0, 2, 2}, 3))
		grad.MSELoss(p, target).Backward()
		// d/dp mean((p-t)²) = 2(p-t)/n
		near(t, "p.grad", p.Grad(), []float64{2.0 / 3, 0, 4.0 / 3})

		p.ZeroGrad()
		nn.NewL1Loss(grad.ReduceSum).Forward(p, target).Backward()
		near(t, "p.grad (L1)", p.Grad(), []float64{1, 0, 1})

		logits := nn.NewParameter(f64([]float64{0, 0, 0, 0}, 2, 2))
		grad.CrossEntropyInts(logits, []int{0, 1}).Backward()
		near(t, "logits.grad", logits.Grad(), []float64{-0.25, 0.25, 0.25, -0.25})
	})

	t.Run("InPlace", func(t *testing.T) {
		p := nn.NewParameter(f64([]float64{1, 2}, 2))
		d := grad.New(f64([]float64{10, 20}, 2))
		d.AddInPlace(p.NoGrad()).MulInPlace(d).SubInPlace(d)
		near(t, "d", d.Value(), []float64{0, 0})
		q := nn.NewParameter(f64([]float64{5, 5}, 2))
		q.NoGrad().AddInPlace(p) // an update through a no-grad alias
		near(t, "q", q.Value(), []float64{6, 7})
		near(t, "ExpandAs", p.Unsqueeze(0).ExpandAs(grad.New(tensor.Float64.Zeros(3, 2))).Value(), []float64{1, 2, 1, 2, 1, 2})
	})
}
