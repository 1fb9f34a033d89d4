package optim_test

import (
	"slices"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/optim"
	"github.com/simdtorch/simdtorch/tensor"
)

// BenchmarkAdamStep is one Adam step over 1M float32 parameters: fused
// (the optimizer) against the same update as a chain of tensor ops.
func BenchmarkAdamStep(b *testing.B) {
	const n = 1 << 20
	b.Run("n=1M/impl=fused", func(b *testing.B) {
		p := nn.NewParameter(tensor.Zeros(n))
		p.SetGrad(tensor.Full(0.5, n))
		opt, _ := optim.NewAdam(slices.Values([]*nn.Parameter{p}))
		b.SetBytes(n * 4 * 7)
		for b.Loop() {
			opt.Step()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
	})
	b.Run("n=1M/impl=tensorops", func(b *testing.B) {
		p := grad.Param(tensor.Zeros(n))
		g := tensor.Full(0.5, n)
		m := grad.NoGrad(tensor.Zeros(n))
		v := grad.NoGrad(tensor.Zeros(n))
		b.SetBytes(n * 4 * 7)
		for b.Loop() {
			mv := m.Value().MulScalar(0.9).Add(g.MulScalar(0.1))
			vv := v.Value().MulScalar(0.999).Add(g.Mul(g).MulScalar(0.001))
			denom := vv.Sqrt().DivScalar(0.0316).AddScalar(1e-8)
			p.NoGrad().AddScaledInPlace(-1e-2, mv.Div(denom))
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/param")
	})
}
