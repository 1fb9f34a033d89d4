package bench

import (
	"fmt"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// BenchmarkLSTM times nn.LSTM(64, 128) (one layer) on a sequence of 32
// steps and a batch of 16 (x [32, 16, 64]), one thread: the forward pass
// alone (pass=forward, no graph: the input is grad.NoGrad) and forward
// plus backward of out.Sum() (pass=backward, gradients zeroed in place
// each step). samples/s counts sequences. torch.nn.LSTM with
// torch.set_num_threads(1) is the comparison.
func BenchmarkLSTM(b *testing.B) {
	const seq, batch, in, hidden = 32, 16, 64, 128
	for _, pass := range []string{"forward", "backward"} {
		b.Run(fmt.Sprintf("L=%d/N=%d/in=%d/hidden=%d/pass=%s", seq, batch, in, hidden, pass), func(b *testing.B) {
			defer kernels.SetThreads(kernels.SetThreads(1))
			gen := tensor.NewGenerator(1)
			l := nn.NewLSTM(in, hidden, nn.WithGenerator(gen))
			x := tensor.Float32.Randn(gen, seq, batch, in)
			for b.Loop() {
				if pass == "forward" {
					l.Forward(grad.NoGrad(x))
					continue
				}
				nn.ZeroGrad(l, nn.SetToNone(false))
				xv := grad.New(x).SetRequiresGrad(true)
				l.Forward(xv).Sum().Backward()
			}
			b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
