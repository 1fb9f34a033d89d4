package nn_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// TestSequentialLinearChain: runs of Linear layers evaluated without a
// graph (their intermediates in the Sequential's scratch memory) give the
// bits of calling the children one by one, for every layout of runs, with
// and without bias, Float64, 1-D to 3-D inputs and batch sizes changing
// between calls; the result is a fresh tensor (a later call does not
// change it), no-grad exactly when an operand is, and graph mode still
// records a graph. Goroutines may share the model.
func TestSequentialLinearChain(t *testing.T) {
	byHand := func(net *nn.Sequential, in *grad.Variable) *grad.Variable {
		for i := range net.Len() {
			in = net.At(i).(nn.Layer).Forward(in)
		}
		return in
	}
	nets := map[string]*nn.Sequential{
		"mlp":      nn.NewSequential(nn.NewLinear(7, 16), nn.NewReLU(), nn.NewLinear(16, 9), nn.NewReLU(), nn.NewLinear(9, 3)),
		"plain":    nn.NewSequential(nn.NewLinear(7, 5), nn.NewLinear(5, 4, nn.NoBias()), nn.NewLinear(4, 2)),
		"reluLast": nn.NewSequential(nn.NewLinear(7, 6, nn.NoBias()), nn.NewReLU(), nn.NewLinear(6, 6), nn.NewReLU()),
		"broken":   nn.NewSequential(nn.NewTanh(), nn.NewLinear(7, 8), nn.NewReLU(), nn.NewReLU(), nn.NewLinear(8, 8), nn.NewLinear(8, 2), nn.NewTanh()),
		"f64":      nn.NewSequential(nn.NewLinear(7, 12, nn.WithDType(tensor.Float64)), nn.NewReLU(), nn.NewLinear(12, 4, nn.WithDType(tensor.Float64))),
	}
	for name, net := range nets {
		dt := tensor.Float32
		if name == "f64" {
			dt = tensor.Float64
		}
		var prev, prevWant *tensor.Tensor
		for _, shape := range [][]int{{1, 7}, {5, 7}, {7}, {2, 3, 7}, {1, 7}, {0, 7}} {
			x := dt.Randn(tensor.NewGenerator(uint64(len(shape))), shape...)
			want := byHand(net, grad.NoGrad(x)).Value()
			got := net.Forward(grad.NoGrad(x))
			if !got.IsNoGrad() {
				t.Fatalf("%s %v: result of a no-grad input is not no-grad", name, shape)
			}
			if !slices.Equal(want.Shape(), got.Value().Shape()) || !slices.Equal(want.Float64s(), got.Value().Float64s()) {
				t.Fatalf("%s %v: Sequential gives %v, the children one by one %v", name, shape, got.Value(), want)
			}
			if prev != nil && !slices.Equal(prevWant.Float64s(), prev.Float64s()) {
				t.Fatalf("%s: the previous result changed after another call", name)
			}
			prev, prevWant = got.Value(), want.Clone()
		}
		x := dt.Randn(tensor.NewGenerator(1), 3, 7)
		// Parameters that require grad and a plain input: a graph.
		if g := net.Forward(grad.New(x)); g.GradFn() == "" {
			t.Fatalf("%s: grad mode recorded no graph", name)
		}
		// Frozen parameters and a plain input: no graph, and not no-grad.
		for p := range nn.Parameters(net) {
			p.SetRequiresGrad(false)
		}
		g := net.Forward(grad.New(x))
		if g.GradFn() != "" || g.IsNoGrad() || g.RequiresGrad() {
			t.Fatalf("%s: frozen model: grad fn %v, no-grad %v", name, g.GradFn(), g.IsNoGrad())
		}
		if !slices.Equal(byHand(net, grad.New(x)).Value().Float64s(), g.Value().Float64s()) {
			t.Fatalf("%s: frozen model gives other values", name)
		}
		for p := range nn.Parameters(net) {
			p.SetRequiresGrad(true)
		}
	}
	// Shared by goroutines with different batch sizes.
	net := nets["mlp"]
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			x := tensor.Float32.Randn(tensor.NewGenerator(uint64(g)), g+1, 7)
			want := byHand(net, grad.NoGrad(x)).Value().Float64s()
			for range 200 {
				if got := net.Forward(grad.NoGrad(x)).Value().Float64s(); !slices.Equal(want, got) {
					t.Errorf("goroutine %d: %v, want %v", g, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
