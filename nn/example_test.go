package nn_test

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// A model is a struct embedding nn.Module; its *Parameter, *Buffer and
// module fields are registered by being fields. A plain *tensor.Tensor
// field is not a parameter.
func Example() {
	type MLP struct {
		nn.Module
		Hidden *nn.Linear
		Out    *nn.Linear
		Scale  *nn.Parameter
		Cache  *tensor.Tensor // NOT a parameter: not listed, not saved
	}
	m := &MLP{
		Hidden: nn.NewLinear(4, 8),
		Out:    nn.NewLinear(8, 2),
		Scale:  nn.NewParameter(tensor.Ones(2)),
		Cache:  tensor.Zeros(2),
	}
	for name, p := range nn.NamedParameters(m) {
		fmt.Println(name, p.Shape())
	}
	fmt.Println(nn.NumParameters(m))
	// Output:
	// scale [2]
	// hidden.weight [8 4]
	// hidden.bias [8]
	// out.weight [2 8]
	// out.bias [2]
	// 60
}

func ExampleNewSequential() {
	net := nn.NewSequential(nn.NewLinear(4, 8), nn.NewReLU(), nn.NewLinear(8, 1))
	fmt.Println(net)
	y := net.Forward(grad.NoGrad(tensor.Rand(2, 4))) // inference: no graph
	fmt.Println(y.Shape())
	fmt.Println(net.At(2).(*nn.Linear).Bias.Grad() == nil)
	// Output:
	// Sequential(
	//   (0): Linear(in_features=4, out_features=8, bias=True)
	//   (1): ReLU()
	//   (2): Linear(in_features=8, out_features=1, bias=True)
	// )
	// [2 1]
	// true
}

func ExampleModule_AddModule() {
	net := nn.NewSequential()
	for i := range 2 {
		net.AddModule("block "+strconv.Itoa(i), nn.NewLinear(2, 2))
	}
	for name := range nn.NamedParameters(net) {
		fmt.Println(name)
	}
	fmt.Println(net.Module.AddModule("a.b", nn.NewReLU()))
	// Output:
	// block 0.weight
	// block 0.bias
	// block 1.weight
	// block 1.bias
	// nn: AddModule: module name can't contain ".", got: a.b
}

// Tied weights: one layer used twice is listed once by NamedParameters
// and saved under both names by StateDict.
func ExampleStateDict() {
	shared := nn.NewLinear(2, 2)
	net := nn.NewSequential(shared, nn.NewReLU(), shared)
	var names []string
	for name := range nn.NamedParameters(net) {
		names = append(names, name)
	}
	fmt.Println(names)
	fmt.Println(nn.StateDict(net).Keys())
	// Output:
	// [0.weight 0.bias]
	// [0.weight 0.bias 2.weight 2.bias]
}

func ExampleApply() {
	net := nn.NewSequential(nn.NewLinear(3, 2), nn.NewReLU(), nn.NewLinear(2, 1))
	nn.Apply(net, func(m nn.Model) {
		if l, ok := m.(*nn.Linear); ok {
			nn.Constant(l.Weight, 1)
			nn.Zeros(l.Bias)
		}
	})
	fmt.Println(net.At(0).(*nn.Linear).Weight)
	// Output:
	// Parameter containing:
	// tensor([[1., 1., 1.],
	//         [1., 1., 1.]], requires_grad=True)
}

func ExampleLoadStateDict() {
	src := nn.NewLinear(3, 2)
	dst := nn.NewLinear(3, 4)
	_, err := nn.LoadStateDict(dst, nn.StateDict(src))
	fmt.Println(err)
	// Output:
	// nn: Error(s) in loading state_dict for Linear:
	// 	size mismatch for weight: copying a param with shape torch.Size([2, 3]) from checkpoint, the shape in current model is torch.Size([4, 3]).
	// 	size mismatch for bias: copying a param with shape torch.Size([2]) from checkpoint, the shape in current model is torch.Size([4]).
}

func ExampleWriteSafetensors() {
	sd := nn.NewTensorDict()
	sd.Set("w", tensor.New([]float32{1, 2}))
	sd.Metadata = map[string]string{"format": "pt"}
	var buf bytes.Buffer
	nn.WriteSafetensors(&buf, sd)
	fmt.Printf("%q\n", buf.Bytes()[8:])
	back, _ := nn.ReadSafetensors(buf.Bytes())
	w, _ := back.Get("w")
	fmt.Println(w, back.Metadata)
	// Output:
	// "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}   \x00\x00\x80?\x00\x00\x00@"
	// tensor([1., 2.]) map[format:pt]
}

func ExampleRequiresGrad() {
	net := nn.NewSequential(nn.NewLinear(2, 2), nn.NewLinear(2, 1))
	nn.RequiresGrad(net.At(0), false) // freeze the first layer
	net.Forward(grad.New(tensor.Ones(1, 2))).Sum().Backward()
	for name, p := range nn.NamedParameters(net) {
		fmt.Println(name, p.Grad() != nil)
	}
	// Output:
	// 0.weight false
	// 0.bias false
	// 1.weight true
	// 1.bias true
}
