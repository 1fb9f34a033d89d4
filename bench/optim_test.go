package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/kernels"
)

// Fused optimizer steps, single-threaded like the other kernel benchmarks:
//
//	BenchmarkSGDStep/dtype=<f32|f64>/n=<N>/impl=<path>      momentum 0.9 (read p, g, buf; write p, buf)
//	BenchmarkAdamStep/dtype=<f32|f64>/n=<N>/impl=<path>     Adam (read p, g, m, v; write p, m, v)
//	BenchmarkRMSpropStep/dtype=<f32|f64>/n=<N>/impl=<path>  momentum 0.9 (read p, g, square_avg, buf; write p, square_avg, buf)
//	BenchmarkAdagradStep/dtype=<f32|f64>/n=<N>/impl=<path>  Adagrad (read p, g, sum; write p, sum)
//
// Bytes per second count every byte read and written. The learning rate
// alternates in sign so that the parameters stay bounded however many
// iterations run.

var optimSizes = []int{16, 1024, 65536, 1048576, 4194304}

// optimBuffers caches param, grad and two state slices per dtype and size.
func optimBuffers[T kernels.Float](n int) [4][]T {
	key := fmt.Sprintf("optim/%T/%d", T(0), n)
	if b, ok := bufs[key]; ok {
		return b.([4][]T)
	}
	r := rand.New(rand.NewPCG(uint64(n), 2))
	var b [4][]T
	for i := range b {
		b[i] = make([]T, n)
	}
	for j := range n {
		b[0][j] = T(r.Float64()*2 - 1)     // param
		b[1][j] = T(r.Float64()*2 - 1)     // grad
		b[2][j] = T(r.Float64()*0.2 - 0.1) // momentum buffer / exp_avg
		b[3][j] = T(r.Float64() * 0.01)    // exp_avg_sq
	}
	bufs[key] = b
	return b
}

func benchOptim[T kernels.Float](b *testing.B, n, size, moves int, step func(bf [4][]T, s int64)) {
	bf := optimBuffers[T](n)
	b.SetBytes(int64(n * size * moves))
	var s int64
	for b.Loop() {
		s++
		step(bf, s)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(n)), "ns/elem")
}

// lrSign alternates +1, -1 with the step.
func lrSign(s int64) float64 { return float64(1 - 2*(s&1)) }

func sgdStep[T kernels.Float](bf [4][]T, s int64) {
	kernels.SGDStep(bf[0], bf[1], bf[2], kernels.SGDParams{LR: 0.01 * lrSign(s), Momentum: 0.9})
}

func adamStep[T kernels.Float](bf [4][]T, s int64) {
	kernels.AdamStep(bf[0], bf[1], bf[2], bf[3], nil,
		kernels.AdamParams{LR: 1e-3 * lrSign(s), Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: s})
}

func rmspropStep[T kernels.Float](bf [4][]T, s int64) {
	kernels.RMSpropStep(bf[0], bf[1], bf[3], nil, bf[2],
		kernels.RMSpropParams{LR: 1e-3 * lrSign(s), Alpha: 0.99, Eps: 1e-8, Momentum: 0.9})
}

func adagradStep[T kernels.Float](bf [4][]T, s int64) {
	kernels.AdagradStep(bf[0], bf[1], bf[3], kernels.AdagradParams{LR: 1e-3 * lrSign(s), Eps: 1e-10, Step: s})
}

func BenchmarkSGDStep(b *testing.B) {
	for _, n := range optimSizes {
		b.Run(fmt.Sprintf("dtype=f32/n=%d", n), func(b *testing.B) {
			forImpls(b, func(b *testing.B) { benchOptim(b, n, 4, 5, sgdStep[float32]) })
		})
	}
	for _, n := range optimSizes {
		b.Run(fmt.Sprintf("dtype=f64/n=%d", n), func(b *testing.B) {
			forImpls(b, func(b *testing.B) { benchOptim(b, n, 8, 5, sgdStep[float64]) })
		})
	}
}

func BenchmarkAdamStep(b *testing.B) {
	for _, n := range optimSizes {
		b.Run(fmt.Sprintf("dtype=f32/n=%d", n), func(b *testing.B) {
			forImpls(b, func(b *testing.B) { benchOptim(b, n, 4, 7, adamStep[float32]) })
		})
	}
	for _, n := range optimSizes {
		b.Run(fmt.Sprintf("dtype=f64/n=%d", n), func(b *testing.B) {
			forImpls(b, func(b *testing.B) { benchOptim(b, n, 8, 7, adamStep[float64]) })
		})
	}
}

func BenchmarkRMSpropStep(b *testing.B) {
	for _, n := range optimSizes {
		b.Run(fmt.Sprintf("dtype=f32/n=%d", n), func(b *testing.B) {
			forImpls(b, func(b *testing.B) { benchOptim(b, n, 4, 7, rmspropStep[float32]) })
		})
	}
	for _, n := range optimSizes {
		b.Run(fmt.Sprintf("dtype=f64/n=%d", n), func(b *testing.B) {
			forImpls(b, func(b *testing.B) { benchOptim(b, n, 8, 7, rmspropStep[float64]) })
		})
	}
}

func BenchmarkAdagradStep(b *testing.B) {
	for _, n := range optimSizes {
		b.Run(fmt.Sprintf("dtype=f32/n=%d", n), func(b *testing.B) {
			forImpls(b, func(b *testing.B) { benchOptim(b, n, 4, 5, adagradStep[float32]) })
		})
	}
	for _, n := range optimSizes {
		b.Run(fmt.Sprintf("dtype=f64/n=%d", n), func(b *testing.B) {
			forImpls(b, func(b *testing.B) { benchOptim(b, n, 8, 5, adagradStep[float64]) })
		})
	}
}

// The flush-to-zero mode (kernels.SetFlushDenormal) off and on, over
// subnormal and over normal optimizer state:
//
//	BenchmarkOptimFlush/opt=<sgd|adam>/state=<subnormal|normal>/flush=<off|on>/impl=<path>
//
// n = 235,146 float32 parameters, the Fashion-MNIST MLP's. state=subnormal
// is the state the mode is for: zero gradients (weights fed by always-zero
// pixels) and state at 1e-41, a subnormal (the momentum buffer for SGD with
// momentum 0.9; exp_avg and exp_avg_sq for Adam). With the mode off it
// stays subnormal however many steps run (0.9·x rounds back to x for small
// subnormals) and every multiply and add that touches it takes an x86
// microcode assist; with the mode on the first step stores zeros and the
// following ones run on normal numbers. state=normal is optimBuffers' data
// (nothing to flush): the price of the mode's extra instructions. The state
// is set up before the timed loop, so the numbers are each mode's steady
// state.
func BenchmarkOptimFlush(b *testing.B) {
	const n = 235146
	setup := func(subnormal bool) (p, g, s1, s2 []float32) {
		r := rand.New(rand.NewPCG(n, 3))
		p, g, s1, s2 = make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range n {
			p[i] = float32(r.Float64()*2 - 1)
			if subnormal {
				s1[i], s2[i] = 1e-41, 1e-41
			} else {
				g[i] = float32(r.Float64()*2 - 1)
				s1[i] = float32(r.Float64()*0.2 - 0.1)
				s2[i] = float32(r.Float64() * 0.01)
			}
		}
		return p, g, s1, s2
	}
	opts := []struct {
		name  string
		moves int
		step  func(p, g, s1, s2 []float32, s int64)
	}{
		{"sgd", 5, func(p, g, s1, _ []float32, s int64) {
			kernels.SGDStep(p, g, s1, kernels.SGDParams{LR: 0.01 * lrSign(s), Momentum: 0.9})
		}},
		{"adam", 7, func(p, g, s1, s2 []float32, s int64) {
			kernels.AdamStep(p, g, s1, s2, nil, kernels.AdamParams{LR: 1e-3 * lrSign(s), Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: s})
		}},
	}
	for _, o := range opts {
		for _, state := range []string{"subnormal", "normal"} {
			for _, on := range []bool{false, true} {
				mode := map[bool]string{false: "off", true: "on"}[on]
				b.Run(fmt.Sprintf("opt=%s/state=%s/flush=%s", o.name, state, mode), func(b *testing.B) {
					forImpls(b, func(b *testing.B) {
						prev := kernels.SetFlushDenormal(on)
						defer kernels.SetFlushDenormal(prev)
						p, g, s1, s2 := setup(state == "subnormal")
						b.SetBytes(int64(n * 4 * o.moves))
						var s int64
						for b.Loop() {
							s++
							o.step(p, g, s1, s2, s)
						}
						b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(b.N)*float64(n)), "ns/elem")
					})
				})
			}
		}
	}
}
