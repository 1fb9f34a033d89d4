package bench

import (
	"fmt"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/tensor"
)

// convLayers are LeNet-ish Fashion-MNIST layers, batch 64, 3×3, padding 1:
// the first convolution (1→8 channels at 28×28) and the second (8→16 at
// 14×14, after a 2×2 max pool).
var convLayers = []struct {
	name             string
	n, cin, cout, hw int
}{
	{"n=64/c=1x8/hw=28", 64, 1, 8, 28},
	{"n=64/c=8x16/hw=14", 64, 8, 16, 14},
}

// BenchmarkConv2d times tensor-level Conv2d (float32, bias) forward and
// grad.Conv2d forward+backward (input, weight and bias gradients), with
// one thread and with the default thread count. GFLOP/s counts
// 2·N·C_out·H_out·W_out·C_in·kH·kW per forward; forward+backward counts
// three times that (the input and weight gradients are each one more
// product of that size).
func BenchmarkConv2d(b *testing.B) {
	one, pad := [2]int{1, 1}, [2]int{1, 1}
	for _, l := range convLayers {
		g := tensor.NewGenerator(1)
		x := tensor.Float32.Randn(g, l.n, l.cin, l.hw, l.hw)
		w := tensor.Float32.Randn(g, l.cout, l.cin, 3, 3)
		bias := tensor.Float32.Randn(g, l.cout)
		flops := 2.0 * float64(l.n*l.cout*l.hw*l.hw*l.cin*9)
		for _, threads := range []int{1, 0} {
			th := fmt.Sprint(threads)
			if threads == 0 {
				th = "max"
			}
			b.Run("fwd/"+l.name+"/threads="+th, func(b *testing.B) {
				defer kernels.SetThreads(kernels.SetThreads(threads))
				b.ReportAllocs()
				for b.Loop() {
					tensor.Conv2d(x, w, bias, one, pad, one, 1)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			b.Run("fwdbwd/"+l.name+"/threads="+th, func(b *testing.B) {
				defer kernels.SetThreads(kernels.SetThreads(threads))
				xv, wv, bv := grad.Param(x), grad.Param(w), grad.Param(bias)
				b.ReportAllocs()
				for b.Loop() {
					xv.ZeroGrad()
					wv.ZeroGrad()
					bv.ZeroGrad()
					y := grad.Conv2d(xv, wv, bv, one, pad, one, 1)
					y.BackwardGrad(y.Value())
				}
				b.ReportMetric(3*flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkMaxPool2d times tensor.MaxPool2d with a 2×2 window and stride 2
// (the values and their indices) over a batch of 64 LeNet-sized feature
// maps, one thread; MB/s counts the input read.
func BenchmarkMaxPool2d(b *testing.B) {
	for _, c := range []struct{ ch, hw int }{{8, 28}, {16, 14}} {
		b.Run(fmt.Sprintf("n=64/c=%d/hw=%d", c.ch, c.hw), func(b *testing.B) {
			defer kernels.SetThreads(kernels.SetThreads(1))
			tensor.Seed(1)
			x := tensor.Randn(64, c.ch, c.hw, c.hw)
			b.SetBytes(int64(4 * x.Numel()))
			b.ReportAllocs()
			for b.Loop() {
				tensor.MaxPool2d(x, [2]int{2, 2}, [2]int{}, [2]int{}, [2]int{1, 1}, false)
			}
		})
	}
}
