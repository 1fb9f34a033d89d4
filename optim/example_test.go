package optim_test

import (
	"fmt"
	"slices"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// Minimise (w-3)² with SGD and momentum, halving the rate every 20 steps.
func ExampleNewSGD() {
	w := nn.NewParameter(tensor.New([]float32{0}, 1))
	opt, err := optim.NewSGD(slices.Values([]*nn.Parameter{w}), optim.LR(0.1), optim.Momentum(0.5))
	if err != nil {
		panic(err)
	}
	sched := optim.NewStepLR(opt, 20, optim.Gamma(0.5))
	for range 60 {
		opt.ZeroGrad()
		w.SetGrad(tensor.New([]float32{2 * (float32(w.Value().Item()) - 3)}, 1)) // d/dw (w-3)²
		opt.Step()
		sched.Step()
	}
	fmt.Printf("w = %.4f, lr = %.4f\n", w.Value().Item(), opt.ParamGroups()[0].LR)
	// Output: w = 3.0000, lr = 0.0125
}

func ExampleNewAdam() {
	_, err := optim.NewAdam(nn.Parameters(nn.NewSequential()), optim.LR(1e-3))
	fmt.Println(err)
	// Output: optimizer got an empty parameter list
}
