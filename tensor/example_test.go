package tensor_test

import (
	"fmt"

	"github.com/simdtorch/simdtorch/tensor"
)

func ExampleNew() {
	x := tensor.New([]float32{1, -2.5, 3, 4}, 2, 2)
	fmt.Println(x)
	// Output:
	// tensor([[ 1.0000, -2.5000],
	//         [ 3.0000,  4.0000]])
}

func ExampleTensor_View() {
	x := tensor.Arange(0, 6, 1)
	v := x.View(2, 3)
	v.Set(10, 1, 2) // writes through to x
	fmt.Println(x)
	_, err := v.T().TryView(6)
	fmt.Println(err != nil)
	// Output:
	// tensor([ 0.,  1.,  2.,  3.,  4., 10.])
	// true
}

func ExampleTensor_Add() {
	a := tensor.FromRows([][]float32{{1, 2, 3}, {4, 5, 6}})
	b := tensor.New([]float32{10, 20, 30})
	fmt.Println(a.Add(b)) // b broadcasts over the rows
	// Output:
	// tensor([[11., 22., 33.],
	//         [14., 25., 36.]])
}

func ExampleAddInto() {
	a, b := tensor.Ones(2, 2), tensor.Full(2, 2, 2)
	dst := tensor.Zeros(2, 2)
	tensor.AddInto(dst, a, b) // no allocation
	dst.MulInPlace(b)
	fmt.Println(dst)
	// Output:
	// tensor([[6., 6.],
	//         [6., 6.]])
}

func ExampleTensor_Sum() {
	x := tensor.FromRows([][]float64{{1, 2, 3}, {4, 5, 6}})
	fmt.Println(x.Sum())
	fmt.Println(x.Sum(tensor.Dim(1), tensor.KeepDim))
	fmt.Println(x.Var(tensor.Dim(0), tensor.Correction(0)))
	// Output:
	// tensor(21., dtype=torch.float64)
	// tensor([[ 6.],
	//         [15.]], dtype=torch.float64)
	// tensor([2.2500, 2.2500, 2.2500], dtype=torch.float64)
}

func ExampleTensor_MaxDim() {
	x := tensor.FromRows([][]float32{{1, 7, 3}, {9, 2, 9}})
	v, i := x.MaxDim(1, false)
	fmt.Println(v, i)
	// Output:
	// tensor([7., 9.]) tensor([1., 0.], dtype=torch.float64)
}

func ExampleTensor_MatMul() {
	a := tensor.FromRows([][]float32{{1, 2}, {3, 4}, {5, 6}})
	fmt.Println(a.MatMul(a.T())) // the transpose is passed to the GEMM, not copied
	// Output:
	// tensor([[ 5., 11., 17.],
	//         [11., 25., 39.],
	//         [17., 39., 61.]])
}

func ExampleAddMM() {
	bias := tensor.New([]float32{0.5, -0.5})
	x := tensor.FromRows([][]float32{{1, 2, 3}})
	w := tensor.FromRows([][]float32{{1, 0}, {0, 1}, {1, 1}})
	fmt.Println(tensor.AddMM(bias, x, w))
	// Output:
	// tensor([[4.5000, 4.5000]])
}

func ExampleTensor_Softmax() {
	x := tensor.New([]float32{1, 2, 3})
	fmt.Println(x.Softmax(0))
	// Output:
	// tensor([0.0900, 0.2447, 0.6652])
}

func ExampleCat() {
	a, b := tensor.Ones(1, 2), tensor.Zeros(1, 2)
	fmt.Println(tensor.Cat([]*tensor.Tensor{a, b}, 0))
	fmt.Println(tensor.Stack([]*tensor.Tensor{a, b}, 0).Shape())
	// Output:
	// tensor([[1., 1.],
	//         [0., 0.]])
	// [2 1 2]
}

func ExampleTensor_IndexSelect() {
	emb := tensor.FromRows([][]float32{{0, 0}, {1, 1}, {2, 2}})
	tokens := tensor.New([]float32{2, 0, 2})
	fmt.Println(emb.IndexSelect(0, tokens))
	// Output:
	// tensor([[2., 2.],
	//         [0., 0.],
	//         [2., 2.]])
}

func ExampleTensor_QR() {
	a := tensor.FromRows([][]float64{{3, 1}, {4, 2}})
	q, r := a.QR()
	fmt.Println(q)
	fmt.Println(r)
	// Output:
	// tensor([[-0.6000, -0.8000],
	//         [-0.8000,  0.6000]], dtype=torch.float64)
	// tensor([[-5.0000, -2.2000],
	//         [ 0.0000,  0.4000]], dtype=torch.float64)
}

func ExampleNewGenerator() {
	g := tensor.NewGenerator(42)
	a := g.Rand(3)
	b := tensor.NewGenerator(42).Rand(3)
	fmt.Println(a.Eq(b).Sum().Item())
	// Output:
	// 3
}

func ExampleShapeError() {
	defer func() { fmt.Println(recover()) }()
	tensor.Zeros(2, 3).Add(tensor.Zeros(4))
	// Output:
	// tensor: Add: the size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1 (shapes [2 3] and [4])
}
