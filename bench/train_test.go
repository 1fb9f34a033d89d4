package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// The issue-7 model: the MLP 784→256→128→10 of
// ../shared/tools/reference/train_mlp.py.
func newMLP() *nn.Sequential {
	tensor.Seed(0)
	return nn.NewSequential(
		nn.NewLinear(784, 256), nn.NewReLU(),
		nn.NewLinear(256, 128), nn.NewReLU(),
		nn.NewLinear(128, 10))
}

// mlpData makes n Fashion-MNIST-shaped samples (pixels in [0, 1), random
// labels); the content does not change the work a step does.
func mlpData(n int) (*tensor.Tensor, []int) {
	r := rand.New(rand.NewPCG(uint64(n), 3))
	px := make([]float32, n*784)
	for j := range px {
		px[j] = float32(r.IntN(256)) / 255
	}
	ys := make([]int, n)
	for j := range ys {
		ys[j] = r.IntN(10)
	}
	return tensor.New(px, n, 784), ys
}

// mlpPool is the number of samples the benchmarks cycle through.
const mlpPool = 6400

// trainRestart is how many steps a benchmark model trains before it is
// put back to its initial weights and a fresh optimizer, and the steps
// cycle through mlpPool samples with random labels, which a model cannot
// fit in that many steps. Both keep the benchmark in the regime of a real
// epoch whatever b.N is. A model fitted to one batch for hundreds of steps
// (as train_mlp.py's step timing does) drives its gradients and optimizer
// state into subnormal numbers, where x86 arithmetic takes microcode
// assists and a step gets ten times slower, in PyTorch as here.
const trainRestart = 100

// BenchmarkTrainMLP times one training step (zero_grad, forward,
// cross-entropy, backward, optimizer step) of train_mlp.py's recipe: SGD
// lr 0.1 momentum 0.9, or Adam lr 1e-3, with gradients zeroed in place
// (ZeroGrad(SetToNone(false))). samples/s is the throughput; epoch-s is
// the time a 60000-sample Fashion-MNIST epoch takes at that rate
// (train_mlp.py's epoch time excludes evaluation too).
func BenchmarkTrainMLP(b *testing.B) {
	for _, opt := range []string{"sgd", "adam"} {
		for _, batch := range []int{1, 64, 256} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("opt=%s/batch=%d/threads=%d", opt, batch, threads), func(b *testing.B) {
					defer kernels.SetThreads(kernels.SetThreads(threads))
					net := newMLP()
					init := nn.StateDict(net)
					for k, t := range init.All() {
						init.Set(k, t.Clone())
					}
					newOpt := func() optim.Optimizer {
						var o optim.Optimizer
						var err error
						if opt == "sgd" {
							o, err = optim.NewSGD(nn.Parameters(net), optim.LR(0.1), optim.Momentum(0.9))
						} else {
							o, err = optim.NewAdam(nn.Parameters(net), optim.LR(1e-3))
						}
						if err != nil {
							b.Fatal(err)
						}
						return o
					}
					o := newOpt()
					xs, ys := mlpData(mlpPool)
					nb := mlpPool / batch
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						j := i % nb * batch
						x, y := grad.New(xs.Narrow(0, j, batch)), ys[j:j+batch]
						if i++; i%trainRestart == 0 {
							b.StopTimer()
							if _, err := nn.LoadStateDict(net, init); err != nil {
								b.Fatal(err)
							}
							o = newOpt()
							b.StartTimer()
						}
						o.ZeroGrad(optim.SetToNone(false))
						loss := grad.CrossEntropyInts(net.Forward(x), y)
						loss.Backward()
						o.Step()
					}
					sps := float64(batch) * float64(b.N) / b.Elapsed().Seconds()
					b.ReportMetric(sps, "samples/s")
					b.ReportMetric(60000/sps, "epoch-s")
				})
			}
		}
	}
}

// BenchmarkInferMLP times a no-grad forward pass of the same model on one
// fixed input batch, as train_mlp.py's latency part does (xb =
// Xtr[:bs].clone()): the input is in cache, like one just received.
// (Cycling through the 6400-sample pool instead reads each batch-1 input
// from memory: 0.3-0.4 µs more.)
func BenchmarkInferMLP(b *testing.B) {
	for _, batch := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			defer kernels.SetThreads(kernels.SetThreads(1))
			net := newMLP()
			xs, _ := mlpData(batch)
			x := grad.NoGrad(xs)
			b.ReportAllocs()
			for b.Loop() {
				net.Forward(x)
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
