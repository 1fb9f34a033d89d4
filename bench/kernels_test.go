package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/kernels"
)

var sizes = []int{16, 1024, 65536, 1048576, 16777216}

// bufs caches three input/output buffers per dtype and size, so large
// benchmarks do not allocate per run. Values are normal-ish and positive
// (log, div), away from zero.
var bufs = map[string]any{}

func buffers[T kernels.Float](n int) [3][]T {
	key := fmt.Sprintf("%T/%d", T(0), n)
	if b, ok := bufs[key]; ok {
		return b.([3][]T)
	}
	r := rand.New(rand.NewPCG(uint64(n), 1))
	var b [3][]T
	for i := range b {
		b[i] = make([]T, n)
		for j := range b[i] {
			b[i][j] = T(0.5 + r.Float64()*4)
		}
	}
	bufs[key] = b
	return b
}

// kernel describes one benchmarked kernel: how many element-sized reads and
// writes it makes per element, and how to call it on three buffers.
type kernel struct {
	name  string
	moves int // elements read + written per element
	flops int // floating-point operations per element, for GFLOP/s (0: none reported)
	f32   func(a, b, c []float32)
	f64   func(a, b, c []float64)
}

var sink32 float32
var sink64 float64
var sinkI int

func kernelList() []kernel {
	return []kernel{
		{"Add", 3, 1, func(a, b, c []float32) { kernels.Add(c, a, b) }, func(a, b, c []float64) { kernels.Add(c, a, b) }},
		{"Sub", 3, 1, func(a, b, c []float32) { kernels.Sub(c, a, b) }, func(a, b, c []float64) { kernels.Sub(c, a, b) }},
		{"Mul", 3, 1, func(a, b, c []float32) { kernels.Mul(c, a, b) }, func(a, b, c []float64) { kernels.Mul(c, a, b) }},
		{"Div", 3, 1, func(a, b, c []float32) { kernels.Div(c, a, b) }, func(a, b, c []float64) { kernels.Div(c, a, b) }},
		{"AddScalar", 2, 1, func(a, _, c []float32) { kernels.AddScalar(c, a, 1.5) }, func(a, _, c []float64) { kernels.AddScalar(c, a, 1.5) }},
		{"SubScalar", 2, 1, func(a, _, c []float32) { kernels.SubScalar(c, a, 1.5) }, func(a, _, c []float64) { kernels.SubScalar(c, a, 1.5) }},
		{"MulScalar", 2, 1, func(a, _, c []float32) { kernels.MulScalar(c, a, 1.5) }, func(a, _, c []float64) { kernels.MulScalar(c, a, 1.5) }},
		{"DivScalar", 2, 1, func(a, _, c []float32) { kernels.DivScalar(c, a, 1.5) }, func(a, _, c []float64) { kernels.DivScalar(c, a, 1.5) }},
		// Axpy alternates the sign of alpha so values stay bounded over many runs.
		{"Axpy", 3, 2, func(a, _, c []float32) { kernels.Axpy(1e-3, a, c); kernels.Axpy(-1e-3, a, c) }, func(a, _, c []float64) { kernels.Axpy(1e-3, a, c); kernels.Axpy(-1e-3, a, c) }},
		{"Scale", 2, 1, func(a, _, _ []float32) { kernels.Scale(1.0001, a); kernels.Scale(1/1.0001, a) }, func(a, _, _ []float64) { kernels.Scale(1.0001, a); kernels.Scale(1/1.0001, a) }},
		{"Fill", 1, 0, func(_, _, c []float32) { kernels.Fill(c, 2) }, func(_, _, c []float64) { kernels.Fill(c, 2) }},
		{"Relu", 2, 1, func(a, _, c []float32) { kernels.Relu(c, a) }, func(a, _, c []float64) { kernels.Relu(c, a) }},
		{"ReluBackward", 3, 1, func(a, b, c []float32) { kernels.ReluBackward(c, a, b) }, func(a, b, c []float64) { kernels.ReluBackward(c, a, b) }},
		{"LeakyRelu", 2, 2, func(a, _, c []float32) { kernels.LeakyRelu(c, a, 0.01) }, func(a, _, c []float64) { kernels.LeakyRelu(c, a, 0.01) }},
		{"LeakyReluBackward", 3, 2, func(a, b, c []float32) { kernels.LeakyReluBackward(c, a, b, 0.01) }, func(a, b, c []float64) { kernels.LeakyReluBackward(c, a, b, 0.01) }},
		{"Exp", 2, 0, func(a, _, c []float32) { kernels.Exp(c, a) }, func(a, _, c []float64) { kernels.Exp(c, a) }},
		{"Log", 2, 0, func(a, _, c []float32) { kernels.Log(c, a) }, func(a, _, c []float64) { kernels.Log(c, a) }},
		{"Tanh", 2, 0, func(a, _, c []float32) { kernels.Tanh(c, a) }, func(a, _, c []float64) { kernels.Tanh(c, a) }},
		{"Sigmoid", 2, 0, func(a, _, c []float32) { kernels.Sigmoid(c, a) }, func(a, _, c []float64) { kernels.Sigmoid(c, a) }},
		{"Sum", 1, 1, func(a, _, _ []float32) { sink32 = kernels.Sum(a) }, func(a, _, _ []float64) { sink64 = kernels.Sum(a) }},
		{"Dot", 2, 2, func(a, b, _ []float32) { sink32 = kernels.Dot(a, b) }, func(a, b, _ []float64) { sink64 = kernels.Dot(a, b) }},
		{"SumSq", 1, 2, func(a, _, _ []float32) { sink32 = kernels.SumSq(a) }, func(a, _, _ []float64) { sink64 = kernels.SumSq(a) }},
		{"MaxIdx", 1, 0, func(a, _, _ []float32) { sink32, sinkI = kernels.MaxIdx(a) }, func(a, _, _ []float64) { sink64, sinkI = kernels.MaxIdx(a) }},
		{"Softmax", 2, 0, func(a, _, c []float32) { kernels.Softmax(c, a) }, func(a, _, c []float64) { kernels.Softmax(c, a) }},
		{"LogSoftmax", 2, 0, func(a, _, c []float32) { kernels.LogSoftmax(c, a) }, func(a, _, c []float64) { kernels.LogSoftmax(c, a) }},
	}
}

// repeats: Axpy and Scale run twice per iteration (see above).
func repeats(name string) int {
	if name == "Axpy" || name == "Scale" {
		return 2
	}
	return 1
}

func run[T kernels.Float](b *testing.B, k kernel, n int, call func(a, b, c []T), size int) {
	bf := buffers[T](n)
	reps := repeats(k.name)
	b.SetBytes(int64(n * size * k.moves * reps))
	for b.Loop() {
		call(bf[0], bf[1], bf[2])
	}
	elems := float64(b.N) * float64(n*reps)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/elems, "ns/elem")
	if k.flops > 0 {
		b.ReportMetric(elems*float64(k.flops)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
}

// forImpls runs fn once per kernel path, single-threaded.
func forImpls(b *testing.B, fn func(b *testing.B)) {
	for _, p := range kernels.Paths() {
		b.Run("impl="+p, func(b *testing.B) {
			prevPath, err := kernels.SetPath(p)
			if err != nil {
				b.Fatal(err)
			}
			prevThreads := kernels.SetThreads(1)
			defer func() {
				kernels.SetPath(prevPath)
				kernels.SetThreads(prevThreads)
			}()
			fn(b)
		})
	}
}

func benchKernel(b *testing.B, name string) {
	for _, k := range kernelList() {
		if k.name != name {
			continue
		}
		for _, n := range sizes {
			b.Run(fmt.Sprintf("dtype=f32/n=%d", n), func(b *testing.B) {
				forImpls(b, func(b *testing.B) { run(b, k, n, k.f32, 4) })
			})
		}
		for _, n := range sizes {
			b.Run(fmt.Sprintf("dtype=f64/n=%d", n), func(b *testing.B) {
				forImpls(b, func(b *testing.B) { run(b, k, n, k.f64, 8) })
			})
		}
		return
	}
	b.Fatalf("no kernel %q", name)
}

func BenchmarkAdd(b *testing.B)               { benchKernel(b, "Add") }
func BenchmarkSub(b *testing.B)               { benchKernel(b, "Sub") }
func BenchmarkMul(b *testing.B)               { benchKernel(b, "Mul") }
func BenchmarkDiv(b *testing.B)               { benchKernel(b, "Div") }
func BenchmarkAddScalar(b *testing.B)         { benchKernel(b, "AddScalar") }
func BenchmarkSubScalar(b *testing.B)         { benchKernel(b, "SubScalar") }
func BenchmarkMulScalar(b *testing.B)         { benchKernel(b, "MulScalar") }
func BenchmarkDivScalar(b *testing.B)         { benchKernel(b, "DivScalar") }
func BenchmarkAxpy(b *testing.B)              { benchKernel(b, "Axpy") }
func BenchmarkScale(b *testing.B)             { benchKernel(b, "Scale") }
func BenchmarkFill(b *testing.B)              { benchKernel(b, "Fill") }
func BenchmarkRelu(b *testing.B)              { benchKernel(b, "Relu") }
func BenchmarkReluBackward(b *testing.B)      { benchKernel(b, "ReluBackward") }
func BenchmarkLeakyRelu(b *testing.B)         { benchKernel(b, "LeakyRelu") }
func BenchmarkLeakyReluBackward(b *testing.B) { benchKernel(b, "LeakyReluBackward") }
func BenchmarkExp(b *testing.B)               { benchKernel(b, "Exp") }
func BenchmarkLog(b *testing.B)               { benchKernel(b, "Log") }
func BenchmarkTanh(b *testing.B)              { benchKernel(b, "Tanh") }
func BenchmarkSigmoid(b *testing.B)           { benchKernel(b, "Sigmoid") }
func BenchmarkSum(b *testing.B)               { benchKernel(b, "Sum") }
func BenchmarkDot(b *testing.B)               { benchKernel(b, "Dot") }
func BenchmarkSumSq(b *testing.B)             { benchKernel(b, "SumSq") }
func BenchmarkMaxIdx(b *testing.B)            { benchKernel(b, "MaxIdx") }
func BenchmarkSoftmax(b *testing.B)           { benchKernel(b, "Softmax") }
func BenchmarkLogSoftmax(b *testing.B)        { benchKernel(b, "LogSoftmax") }

// BenchmarkCopy is the memory bandwidth yardstick: Go's builtin copy (a
// memmove that uses non-temporal stores at this size), bytes read + written.
func BenchmarkCopy(b *testing.B) {
	n := 16777216
	b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
		bf := buffers[float32](n)
		b.SetBytes(int64(2 * 4 * n))
		for b.Loop() {
			copy(bf[2], bf[0])
		}
	})
}

// BenchmarkThreads measures the goroutine split of large kernels with the
// best path: threads=1 against the default (GOMAXPROCS) around the grain
// sizes where splitting starts (kernels/parallel.go).
func BenchmarkThreads(b *testing.B) {
	for _, k := range kernelList() {
		switch k.name {
		case "Add", "Axpy", "Exp", "Sum":
		default:
			continue
		}
		for _, n := range []int{1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 24} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("kernel=%s/n=%d/threads=%d", k.name, n, threads), func(b *testing.B) {
					prev := kernels.SetThreads(threads)
					defer kernels.SetThreads(prev)
					run(b, k, n, k.f32, 4)
				})
			}
		}
	}
}
