package optim_test

import (
	"fmt"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// A PyTorch training loop, line for line (the README's example).
func Example_train() {
	tensor.Seed(0)                                                                  // torch.manual_seed(0)
	net := nn.NewSequential(nn.NewLinear(2, 16), nn.NewReLU(), nn.NewLinear(16, 2)) // nn.Sequential(...)
	opt, err := optim.NewAdam(nn.Parameters(net), optim.LR(0.05))                   // optim.Adam(net.parameters(), lr=0.05)
	if err != nil {
		panic(err)
	}
	x := grad.New(tensor.FromRows([][]float32{{0, 0}, {0, 1}, {1, 0}, {1, 1}}))
	y := []int{0, 1, 1, 0} // XOR
	var loss *grad.Variable
	for range 200 {
		opt.ZeroGrad()                                  // opt.zero_grad()
		loss = grad.CrossEntropyInts(net.Forward(x), y) // loss = F.cross_entropy(net(x), y)
		loss.Backward()                                 // loss.backward()
		opt.Step()                                      // opt.step()
	}
	pred := net.Forward(grad.NoGrad(x.Value())).Value().ArgMax(tensor.Dim(1)) // with torch.no_grad(): net(x).argmax(1)
	fmt.Println(loss.Item() < 0.05, pred)
	// Output:
	// true tensor([0., 1., 1., 0.], dtype=torch.float64)
}
