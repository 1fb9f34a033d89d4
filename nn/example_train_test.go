package nn_test

import (
	"fmt"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// A PyTorch training loop, line for line (the README's example):
//
//	net = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
//	for step in range(300):
//	    loss = F.cross_entropy(net(x), y)
//	    net.zero_grad(); loss.backward()
//	    with torch.no_grad():
//	        for p in net.parameters(): p -= 0.5 * p.grad
func Example_train() {
	tensor.Seed(0)
	x := grad.New(tensor.FromRows([][]float32{{0, 0}, {0, 1}, {1, 0}, {1, 1}}))
	y := []int{0, 1, 1, 0} // XOR

	net := nn.NewSequential(nn.NewLinear(2, 16), nn.NewReLU(), nn.NewLinear(16, 2))
	var first, last float64
	for step := range 300 {
		loss := grad.CrossEntropyInts(net.Forward(x), y)
		nn.ZeroGrad(net)
		loss.Backward()
		for p := range nn.Parameters(net) {
			p.NoGrad().AddScaledInPlace(-0.5, p.Grad()) // with torch.no_grad(): p -= lr*p.grad
		}
		if step == 0 {
			first = loss.Item()
		}
		last = loss.Item()
	}
	pred := net.Forward(grad.NoGrad(x.Value())).Value().ArgMax(tensor.Dim(1))
	fmt.Println(last < first/10, pred)
	// Output:
	// true tensor([0., 1., 1., 0.], dtype=torch.float64)
}
