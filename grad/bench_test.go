package grad_test

import (
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// mlp is a three-layer perceptron (Linear+ReLU, Linear+ReLU, Linear),
// 784-256-128-10 unless sized otherwise.
type mlp struct{ w, b [3]*grad.Variable }

func newMLP(g *tensor.Generator, sizes ...int) *mlp {
	m := &mlp{}
	if sizes == nil {
		sizes = []int{784, 256, 128, 10}
	}
	for i := range 3 {
		in, out := sizes[i], sizes[i+1]
		m.w[i] = grad.Param(g.Randn(out, in).MulScalarInPlace(0.05))
		m.b[i] = grad.Param(tensor.Zeros(out))
	}
	return m
}

func (m *mlp) forward(x *grad.Variable) *grad.Variable {
	h := grad.Linear(x, m.w[0], m.b[0]).ReLU()
	h = grad.Linear(h, m.w[1], m.b[1]).ReLU()
	return grad.Linear(h, m.w[2], m.b[2])
}

// step runs forward, backward and a plain SGD update.
func (m *mlp) step(x *grad.Variable, y []int, lr float64) float64 {
	loss := grad.CrossEntropyInts(m.forward(x), y)
	loss.Backward()
	for i := range 3 {
		for _, p := range []*grad.Variable{m.w[i], m.b[i]} {
			p.NoGrad().AddScaledInPlace(-lr, p.Grad())
			p.ZeroGrad()
		}
	}
	return loss.Item()
}

func batch(g *tensor.Generator, n int, in ...int) (*grad.Variable, []int) {
	y := make([]int, n)
	for i := range y {
		y[i] = i % 10
	}
	d := 784
	if in != nil {
		d = in[0]
	}
	return grad.New(g.Randn(n, d)), y
}

func BenchmarkMLP(b *testing.B) {
	for _, n := range []int{1, 64, 256} {
		b.Run("batch="+strconv.Itoa(n), func(b *testing.B) {
			g := tensor.NewGenerator(1)
			m := newMLP(g)
			x, y := batch(g, n)
			b.ReportAllocs()
			for b.Loop() {
				m.step(x, y, 1e-3)
			}
		})
	}
}

// BenchmarkTinyGraph is the per-op overhead: (a*b).sum().backward() on
// 1×8 (PyTorch 1.13 on this kind of machine: 52 µs).
func BenchmarkTinyGraph(b *testing.B) {
	a := grad.Param(tensor.Ones(1, 8))
	c := grad.Param(tensor.Ones(1, 8))
	b.ReportAllocs()
	for b.Loop() {
		a.Mul(c).Sum().Backward()
		a.ZeroGrad()
		c.ZeroGrad()
	}
}

// BenchmarkInference is a no-grad forward pass at batch 64 on 2
// goroutines sharing the parameters.
func BenchmarkInference(b *testing.B) {
	g := tensor.NewGenerator(1)
	m := newMLP(g)
	x, _ := batch(g, 64)
	xin := grad.NoGrad(x.Value())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.forward(xin)
		}
	})
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestMLPMemorySteady trains a small MLP for 10,000 steps (2,000 under
// emulation, -race or -short) and checks that the live heap does not
// grow: every graph is released.
// BenchmarkMLPSteadyMemory does the same with the 784-256-128-10 MLP.
func TestMLPMemorySteady(t *testing.T) {
	steps := 10000
	if testing.Short() || raceEnabled || runtime.GOARCH != "amd64" {
		steps = 2000
	}
	g := tensor.NewGenerator(1)
	m := newMLP(g, 32, 24, 16, 10)
	x, y := batch(g, 8, 32)
	first := m.step(x, y, 0.05)
	for range 50 {
		m.step(x, y, 0.05)
	}
	before := liveHeap()
	var last float64
	for range steps {
		last = m.step(x, y, 0.05)
	}
	after := liveHeap()
	growth := int64(after) - int64(before)
	t.Logf("%d steps: live heap %d -> %d bytes (%+d); loss %.4f -> %.4f", steps, before, after, growth, first, last)
	if growth > 256<<10 {
		t.Fatalf("heap grew by %d bytes over %d steps", growth, steps)
	}
	if !(last < first) {
		t.Fatalf("loss did not fall: %v -> %v", first, last)
	}
}

// BenchmarkMLPSteadyMemory trains the 784-256-128-10 MLP at batch 64 and
// reports the live heap's growth between step 20 and the end (run with
// -benchtime=10000x for the 10,000 steps).
func BenchmarkMLPSteadyMemory(b *testing.B) {
	g := tensor.NewGenerator(1)
	m := newMLP(g)
	x, y := batch(g, 64)
	for range 20 {
		m.step(x, y, 1e-3)
	}
	before := liveHeap()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m.step(x, y, 1e-3)
	}
	b.StopTimer()
	after := liveHeap()
	b.ReportMetric(float64(int64(after)-int64(before)), "heap-growth-B")
	b.ReportMetric(float64(after), "live-heap-B")
}

// TestConcurrentForward runs no-grad and tracked forward passes over the
// same parameters from many goroutines (run with -race).
func TestConcurrentForward(t *testing.T) {
	g := tensor.NewGenerator(3)
	m := newMLP(g)
	x, _ := batch(g, 4)
	want := m.forward(grad.NoGrad(x.Value())).Value().Float64s()
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 8 {
		wg.Go(func() {
			for range 5 {
				var out *grad.Variable
				if i%2 == 0 {
					out = m.forward(grad.NoGrad(x.Value()))
					if out.RequiresGrad() || !out.IsLeaf() {
						errs <- "no-grad pass recorded a graph"
						return
					}
				} else {
					// A tracked pass builds its own graph; it only reads the
					// shared parameters.
					out = m.forward(x)
					if out.GradFn() != "AddmmBackward0" {
						errs <- "tracked pass did not record"
						return
					}
				}
				got := out.Value().Float64s()
				for j := range got {
					if got[j] != want[j] {
						errs <- "results differ between goroutines"
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
