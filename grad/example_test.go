package grad_test

import (
	"errors"
	"fmt"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

func ExampleVariable_Backward() {
	a := grad.Param(tensor.New([]float32{1, 2, 3}, 3))
	b := grad.Param(tensor.New([]float32{4, 5, 6}, 3))
	y := a.Mul(b).Sum()
	fmt.Println(y)
	y.Backward()
	fmt.Println(a.Grad())
	fmt.Println(b.Grad())
	// Output:
	// tensor(32., grad_fn=<SumBackward0>)
	// tensor([4., 5., 6.])
	// tensor([1., 2., 3.])
}

func ExampleVariable_BackwardGrad() {
	x := grad.Param(tensor.New([]float32{1, 2, 3}, 3))
	y := x.Pow(2)
	y.BackwardGrad(tensor.New([]float32{1, 0.5, 0.25}, 3))
	fmt.Println(x.Grad())
	// Output:
	// tensor([2.0000, 2.0000, 1.5000])
}

func ExampleLinear() {
	x := grad.New(tensor.New([]float32{1, 2}, 1, 2))
	w := grad.Param(tensor.New([]float32{1, 0, 0, 1, 1, 1}, 3, 2))
	b := grad.Param(tensor.New([]float32{0, 0, 1}, 3))
	y := grad.Linear(x, w, b)
	fmt.Println(y)
	grad.CrossEntropyInts(y, []int{2}).Backward()
	fmt.Println(b.Grad())
	// Output:
	// tensor([[1., 2., 4.]], grad_fn=<AddmmBackward0>)
	// tensor([ 0.0420,  0.1142, -0.1562])
}

func ExampleNoGrad() {
	w := grad.Param(tensor.New([]float32{1, 2}, 2, 1))
	// An inference pass: nothing is recorded, and any number of goroutines
	// may do this at once with the same w.
	y := grad.NoGrad(tensor.New([]float32{3, 4}, 1, 2)).MatMul(w)
	fmt.Println(y, y.RequiresGrad())
	// An SGD step through a no-grad alias of the leaf.
	w.SetGrad(tensor.New([]float32{2, 2}, 2, 1))
	w.NoGrad().AddScaledInPlace(-0.5, w.Grad())
	fmt.Println(w.Value())
	// Output:
	// tensor([[11.]]) false
	// tensor([[0.],
	//         [1.]])
}

func ExampleVariable_AddInPlace() {
	w := grad.Param(tensor.New([]float32{1, 2}, 2))
	defer func() {
		err := recover().(error)
		fmt.Println(errors.Is(err, grad.ErrLeafInPlace))
		fmt.Println(err)
	}()
	w.AddInPlace(grad.New(tensor.Ones(2)))
	// Output:
	// true
	// grad: AddInPlace: a leaf Variable that requires grad is being used in an in-place operation.
}

func ExampleGradCheck() {
	f := func(x []*grad.Variable) *grad.Variable { return x[0].Tanh().Mul(x[1]).Sum() }
	err := grad.GradCheck(f, []*tensor.Tensor{tensor.Randn(3), tensor.Randn(3)})
	fmt.Println(err)
	// Output:
	// <nil>
}

func ExampleVariable_RetainGrad() {
	x := grad.Param(tensor.New([]float32{1, 2}, 2))
	h := x.MulScalar(3)
	h.RetainGrad()
	h.Pow(2).Sum().Backward()
	fmt.Println(h.Grad(), x.Grad())
	// Output:
	// tensor([ 6., 12.]) tensor([18., 36.])
}
