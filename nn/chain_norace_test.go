//go:build !race

package nn_test

import (
	"runtime"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// (Not under -race: the race detector makes sync.Pool drop items at
// random, so the scratch tensors are sometimes made anew.)

// TestSequentialLinearChainAllocs: after the first call, a no-grad pass of
// the MLP allocates only its result (the tensor and its Variable).
func TestSequentialLinearChainAllocs(t *testing.T) {
	net := nn.NewSequential(nn.NewLinear(784, 256), nn.NewReLU(), nn.NewLinear(256, 128), nn.NewReLU(), nn.NewLinear(128, 10))
	x := grad.NoGrad(tensor.Rand(1, 784))
	net.Forward(x)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // (AllocsPerRun's setting, made explicit)
	if a := testing.AllocsPerRun(50, func() { net.Forward(x) }); a > 3 {
		t.Errorf("no-grad MLP forward: %v allocations, want at most 3", a)
	}
}
