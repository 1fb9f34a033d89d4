package grad_test

import (
	"errors"
	"math"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

var gen = tensor.NewGenerator(7)

// randn returns a Float64 tensor of standard normal values.
func randn(shape ...int) *tensor.Tensor { return tensor.Float64.Randn(gen, shape...) }

// randPos returns a Float64 tensor of values in [0.5, 2).
func randPos(shape ...int) *tensor.Tensor {
	return tensor.Float64.Rand(gen, shape...).MulScalarInPlace(1.5).AddScalarInPlace(0.5)
}

// randAway returns normal values at least 0.1 away from 0 (for kinks).
func randAway(shape ...int) *tensor.Tensor {
	t := randn(shape...)
	s := tensor.Data[float64](t)
	for i, v := range s {
		if math.Abs(v) < 0.1 {
			s[i] = math.Copysign(0.1+math.Abs(v), v)
		}
	}
	return t
}

func check(t *testing.T, name string, f func(xs []*grad.Variable) *grad.Variable, inputs ...*tensor.Tensor) {
	t.Helper()
	if err := grad.GradCheck(f, inputs); err != nil {
		t.Errorf("%s: %v", name, err)
	}
}

// panicKind runs f and returns the recovered *grad.Error (failing the test
// when f does not panic with one).
func panicKind(t *testing.T, f func()) (e *grad.Error) {
	t.Helper()
	defer func() {
		r := recover()
		err, ok := r.(*grad.Error)
		if !ok {
			t.Fatalf("panic value %v (%T), want *grad.Error", r, r)
		}
		e = err
	}()
	f()
	return nil
}

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s: element %d = %v, want %v (all: %v vs %v)", what, i, got[i], want[i], got, want)
		}
	}
}

var _ = errors.Is
