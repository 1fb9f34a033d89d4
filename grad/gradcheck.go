package grad

import (
	"fmt"
	"math"

	"github.com/simdtorch/simdtorch/tensor"
)

// CheckOption configures GradCheck.
type CheckOption func(*checkCfg)

type checkCfg struct{ eps, atol, rtol float64 }

// Eps sets GradCheck's finite-difference step (default 1e-6).
func Eps(e float64) CheckOption { return func(c *checkCfg) { c.eps = e } }

// Atol sets GradCheck's absolute tolerance (default 1e-5).
func Atol(a float64) CheckOption { return func(c *checkCfg) { c.atol = a } }

// Rtol sets GradCheck's relative tolerance (default 1e-3).
func Rtol(r float64) CheckOption { return func(c *checkCfg) { c.rtol = r } }

// GradCheck compares the gradients that backward passes compute for f with
// central finite differences, in float64 (torch.autograd.gradcheck). The
// inputs are copied to Float64 leaves that require grad and handed to f;
// every element of f's result is differentiated with respect to every
// input element, so keep the inputs small. It returns nil when each
// analytic derivative a and numeric derivative n satisfy
// |a - n| <= atol + rtol·|n|, and otherwise an error naming the first
// mismatch. f must be deterministic; choose inputs away from kinks (ReLU
// at 0, ties of max, ...), where finite differences are meaningless.
func GradCheck(f func(xs []*Variable) *Variable, inputs []*tensor.Tensor, opts ...CheckOption) error {
	c := checkCfg{eps: 1e-6, atol: 1e-5, rtol: 1e-3}
	for _, o := range opts {
		o(&c)
	}
	xs := make([]*Variable, len(inputs))
	for i, t := range inputs {
		xs[i] = Param(t.To(tensor.Float64).Clone())
	}
	y := f(xs)
	if y.DType() != tensor.Float64 {
		return fmt.Errorf("grad: GradCheck: the function returned a %v result; it must keep Float64 inputs in Float64", y.DType())
	}
	m := y.Numel()
	// analytic[i][j*n_i + k]: d y_j / d x_i[k]
	analytic := make([][]float64, len(xs))
	for i, x := range xs {
		analytic[i] = make([]float64, m*x.Numel())
	}
	if y.requiresGrad {
		for j := range m {
			for _, x := range xs {
				x.ZeroGrad()
			}
			seed := make([]float64, m)
			seed[j] = 1
			y.BackwardGrad(tensor.New(seed, m).Reshape(y.Shape()...), RetainGraph)
			for i, x := range xs {
				if g := x.Grad(); g != nil {
					copy(analytic[i][j*x.Numel():], g.Float64s())
				}
			}
		}
	}
	for i, x := range xs {
		n := x.Numel()
		flat := tensor.Data[float64](x.value)
		for k := range n {
			orig := flat[k]
			flat[k] = orig + c.eps
			yp := f(xs).value.Float64s()
			flat[k] = orig - c.eps
			ym := f(xs).value.Float64s()
			flat[k] = orig
			for j := range m {
				num := (yp[j] - ym[j]) / (2 * c.eps)
				a := analytic[i][j*n+k]
				if !(math.Abs(a-num) <= c.atol+c.rtol*math.Abs(num)) {
					return fmt.Errorf("grad: GradCheck: Jacobian mismatch for output %d with respect to input %d (shape %v), element %d: analytic %.10g, numerical %.10g", j, i, x.Shape(), k, a, num)
				}
			}
		}
	}
	return nil
}
