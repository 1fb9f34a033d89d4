package nn_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// rnnParam is a golden [name, shape, values] triple.
type rnnParam struct {
	Name   string
	Shape  []int
	Values []float64
}

func (p *rnnParam) UnmarshalJSON(b []byte) error {
	var t []json.RawMessage
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	if len(t) != 3 {
		return errors.New("want [name, shape, values]")
	}
	if err := json.Unmarshal(t[0], &p.Name); err != nil {
		return err
	}
	if err := json.Unmarshal(t[1], &p.Shape); err != nil {
		return err
	}
	return json.Unmarshal(t[2], &p.Values)
}

type rnnCase struct {
	Name          string
	Mode          string
	InputSize     int `json:"input_size"`
	HiddenSize    int `json:"hidden_size"`
	NumLayers     int `json:"num_layers"`
	Bias          bool
	BatchFirst    bool `json:"batch_first"`
	Bidirectional bool
	Dropout       float64
	Training      bool
	DType         string
	Repr          string
	XShape        []int `json:"x_shape"`
	StateShape    []int `json:"state_shape"`
	Given         bool
	X, H0, C0     []float64
	G, Gh, Gc     []float64
	Params        []rnnParam
	OutShape      []int `json:"out_shape"`
	Out, Hn, Cn   []float64
	Dx, Dh0, Dc0  []float64
	Dparams       [][]float64
}

// rnnModule is what the tests need of RNN, LSTM and GRU.
type rnnModule interface {
	nn.Layer
	String() string
	forward(x, h0, c0 *grad.Variable) (out, hn, cn *grad.Variable)
}

type rnnW struct{ *nn.RNN }
type lstmW struct{ *nn.LSTM }
type gruW struct{ *nn.GRU }

func (m rnnW) forward(x, h0, _ *grad.Variable) (out, hn, cn *grad.Variable) {
	out, hn = m.ForwardState(x, h0)
	return out, hn, nil
}
func (m lstmW) forward(x, h0, c0 *grad.Variable) (out, hn, cn *grad.Variable) {
	return m.ForwardState(x, h0, c0)
}
func (m gruW) forward(x, h0, _ *grad.Variable) (out, hn, cn *grad.Variable) {
	out, hn = m.ForwardState(x, h0)
	return out, hn, nil
}

func newRNNCase(t *testing.T, c rnnCase, dt tensor.DType) rnnModule {
	t.Helper()
	opts := []nn.Option{nn.WithDType(dt), nn.WithGenerator(tensor.NewGenerator(1))}
	if c.NumLayers != 1 {
		opts = append(opts, nn.NumLayers(c.NumLayers))
	}
	if !c.Bias {
		opts = append(opts, nn.NoBias())
	}
	if c.BatchFirst {
		opts = append(opts, nn.BatchFirst())
	}
	if c.Bidirectional {
		opts = append(opts, nn.Bidirectional())
	}
	if c.Dropout != 0 {
		opts = append(opts, nn.RNNDropout(c.Dropout))
	}
	switch c.Mode {
	case "RNN_TANH":
		return rnnW{nn.NewRNN(c.InputSize, c.HiddenSize, opts...)}
	case "RNN_RELU":
		return rnnW{nn.NewRNN(c.InputSize, c.HiddenSize, append(opts, nn.Nonlinearity("relu"))...)}
	case "LSTM":
		return lstmW{nn.NewLSTM(c.InputSize, c.HiddenSize, opts...)}
	case "GRU":
		return gruW{nn.NewGRU(c.InputSize, c.HiddenSize, opts...)}
	}
	t.Fatalf("mode %q", c.Mode)
	return nil
}

func model(m rnnModule) nn.Model {
	switch m := m.(type) {
	case rnnW:
		return m.RNN
	case lstmW:
		return m.LSTM
	case gruW:
		return m.GRU
	}
	return nil
}

// TestRNNGolden: RNN (tanh and relu), LSTM and GRU give torch 1.13's
// outputs, final states and gradients (of sum(out·g) + sum(hn·gh) +
// sum(cn·gc) with respect to the input, the initial states and every
// parameter) for 1 to 3 layers, bidirectional, batch_first, no bias,
// unbatched input, given and zero initial states, float32 and float64,
// and dropout in eval mode. The parameters are loaded by name through
// the state dict, which also checks PyTorch's names, order and shapes;
// the reprs match too.
func TestRNNGolden(t *testing.T) {
	var g struct{ Cases []rnnCase }
	readJSON(t, "rnn_golden.json", &g)
	require.Len(t, g.Cases, 16)
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			dt, tol := tensor.Float32, 2e-5
			if c.DType == "float64" {
				dt, tol = tensor.Float64, 1e-12
			}
			m := newRNNCase(t, c, dt)
			mod := model(m)
			assert.Equal(t, c.Repr, m.String())
			if !c.Training {
				nn.Eval(mod)
			}

			var got, want []nameShape
			for n, p := range nn.NamedParameters(mod) {
				got = append(got, nameShape{n, p.Shape()})
			}
			sd := nn.NewTensorDict()
			for _, p := range c.Params {
				want = append(want, nameShape{p.Name, p.Shape})
				sd.Set(p.Name, tensor.New(p.Values, p.Shape...))
			}
			checkNS(t, "named parameters", got, want)
			_, err := nn.LoadStateDict(mod, sd)
			require.NoError(t, err)

			x := grad.Param(tensor.New(c.X, c.XShape...).To(dt))
			var h0, c0 *grad.Variable
			if c.H0 != nil {
				h0 = grad.Param(tensor.New(c.H0, c.StateShape...).To(dt))
			}
			if c.C0 != nil {
				c0 = grad.Param(tensor.New(c.C0, c.StateShape...).To(dt))
			}
			out, hn, cn := m.forward(x, h0, c0)
			require.Equal(t, c.OutShape, out.Shape())
			require.Equal(t, c.StateShape, hn.Shape())
			assert.Equal(t, dt, out.DType())
			assertClose(t, c.Out, out.Value(), tol, "out")
			assertClose(t, c.Hn, hn.Value(), tol, "hn")
			loss := out.Mul(grad.New(tensor.New(c.G, c.OutShape...).To(dt))).Sum().
				Add(hn.Mul(grad.New(tensor.New(c.Gh, c.StateShape...).To(dt))).Sum())
			if c.Cn != nil {
				require.NotNil(t, cn)
				require.Equal(t, c.StateShape, cn.Shape())
				assertClose(t, c.Cn, cn.Value(), tol, "cn")
				loss = loss.Add(cn.Mul(grad.New(tensor.New(c.Gc, c.StateShape...).To(dt))).Sum())
			}
			loss.Backward()
			assertClose(t, c.Dx, x.Grad(), tol*5, "dx")
			if h0 != nil {
				assertClose(t, c.Dh0, h0.Grad(), tol*5, "dh0")
			}
			if c0 != nil {
				assertClose(t, c.Dc0, c0.Grad(), tol*5, "dc0")
			}
			i := 0
			for n, p := range nn.NamedParameters(mod) {
				assertClose(t, c.Dparams[i], p.Grad(), tol*5, "d"+n)
				i++
			}
			// Forward is ForwardState's output from zero states.
			if !c.Given {
				assertClose(t, c.Out, m.Forward(grad.NoGrad(tensor.New(c.X, c.XShape...).To(dt))).Value(), tol, "Forward")
			}
		})
	}
}

// TestLSTMLoadsTorchCheckpoint: the state dict of a torch.nn.LSTM (two
// layers, bidirectional) saved as safetensors loads strictly into an LSTM
// of the same settings, which then gives torch's output.
func TestLSTMLoadsTorchCheckpoint(t *testing.T) {
	var g struct{ Cases []rnnCase }
	readJSON(t, "rnn_golden.json", &g)
	var c rnnCase
	for _, e := range g.Cases {
		if e.Name == "lstm_2layers_bidir" {
			c = e
		}
	}
	require.Equal(t, "lstm_2layers_bidir", c.Name)
	sd, err := nn.LoadSafetensors("testdata/rnn_lstm_ref.safetensors")
	require.NoError(t, err)
	l := nn.NewLSTM(3, 4, nn.NumLayers(2), nn.Bidirectional())
	keys, err := nn.LoadStateDict(l, sd)
	require.NoError(t, err)
	assert.Empty(t, keys.Missing)
	assert.Empty(t, keys.Unexpected)
	out, hn, cn := l.ForwardState(grad.NoGrad(tensor.New(c.X, c.XShape...).To(tensor.Float32)), nil, nil)
	assertClose(t, c.Out, out.Value(), 2e-5, "out")
	assertClose(t, c.Hn, hn.Value(), 2e-5, "hn")
	assertClose(t, c.Cn, cn.Value(), 2e-5, "cn")

	// One layer fewer: strict loading reports the second layer's keys.
	_, err = nn.LoadStateDict(nn.NewLSTM(3, 4, nn.Bidirectional()), sd)
	var le *nn.LoadError
	require.ErrorAs(t, err, &le)
	assert.Contains(t, le.Unexpected, "weight_ih_l1_reverse")
}

// TestRNNGradCheck: finite differences agree with the backward pass of a
// tiny two-layer bidirectional LSTM and GRU (float64), with respect to
// the input, the initial states and a weight.
func TestRNNGradCheck(t *testing.T) {
	gen := tensor.NewGenerator(5)
	x := tensor.Float64.Randn(gen, 3, 2, 2)
	h0 := tensor.Float64.Randn(gen, 4, 2, 3)
	c0 := tensor.Float64.Randn(gen, 4, 2, 3)
	opts := []nn.Option{nn.NumLayers(2), nn.Bidirectional(), nn.WithDType(tensor.Float64), nn.WithGenerator(gen)}
	lstm := nn.NewLSTM(2, 3, opts...)
	gru := nn.NewGRU(2, 3, opts...)
	t.Run("LSTM", func(t *testing.T) {
		w := lstm.AllWeights()[1][1].Value() // weight_hh_l0_reverse
		f := func(vs []*grad.Variable) *grad.Variable {
			// Replacing the registered parameter takes effect at the next
			// forward pass, as assigning it does in PyTorch.
			require.NoError(t, lstm.RegisterParameter("weight_hh_l0_reverse", &nn.Parameter{Variable: vs[3]}))
			out, hn, cn := lstm.ForwardState(vs[0], vs[1], vs[2])
			return out.Sum().Add(hn.Square().Sum()).Add(cn.Sum())
		}
		require.NoError(t, grad.GradCheck(f, []*tensor.Tensor{x, h0, c0, w}))
	})
	t.Run("GRU", func(t *testing.T) {
		f := func(vs []*grad.Variable) *grad.Variable {
			out, hn := gru.ForwardState(vs[0], vs[1])
			return out.Square().Sum().Add(hn.Sum())
		}
		require.NoError(t, grad.GradCheck(f, []*tensor.Tensor{x, h0}))
	})
}

// TestRNNDropoutBetweenLayers: with RNNDropout, training mode drops
// elements of every layer's output but the last (so outputs differ from
// eval mode, and two seeded generators give the same output), while
// the last layer's output is never dropped: with one layer, or in eval
// mode, dropout changes nothing.
func TestRNNDropoutBetweenLayers(t *testing.T) {
	x := grad.NoGrad(tensor.Float32.Randn(tensor.NewGenerator(2), 6, 3, 4))
	build := func(layers int, p float64) *nn.GRU {
		return nn.NewGRU(4, 5, nn.NumLayers(layers), nn.RNNDropout(p), nn.WithGenerator(tensor.NewGenerator(9)))
	}
	g := build(2, 0.5)
	train := g.Forward(x).Value()
	nn.Eval(g)
	eval := g.Forward(x).Value()
	assert.NotEqual(t, eval.Float64s(), train.Float64s(), "training mode drops between the layers")
	nn.Train(build(2, 0.5))
	assert.Equal(t, train.Float64s(), build(2, 0.5).Forward(x).Value().Float64s(), "seeded masks repeat")

	// p = 1 zeroes the first layer's output: the second layer then sees
	// zeros, whatever x is.
	g1 := build(2, 1)
	y := g1.Forward(x).Value()
	zero := g1.Forward(grad.NoGrad(tensor.Zeros(6, 3, 4))).Value()
	assert.Equal(t, zero.Float64s(), y.Float64s())
	for _, v := range y.Float64s() {
		if v == 0 {
			t.Fatal("the last layer's output was dropped")
		}
	}

	// One layer: nothing to drop between.
	one := build(1, 0.9)
	a := one.Forward(x).Value()
	nn.Eval(one)
	assert.Equal(t, a.Float64s(), one.Forward(x).Value().Float64s())
}

// TestRNNConstruction: parameter names, shapes and initialisation
// bounds (U(-1/√hidden, 1/√hidden)), AllWeights, the repr with dropout
// and no bias, RNN's relu, and refused settings.
func TestRNNConstruction(t *testing.T) {
	l := nn.NewLSTM(10, 20, nn.NumLayers(2), nn.BatchFirst(), nn.Bidirectional())
	assert.Equal(t, "LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)", l.String())
	assert.Equal(t, []string{
		"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
		"weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
		"weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
		"weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
	}, nn.StateDict(l).Keys())
	aw := l.AllWeights()
	require.Len(t, aw, 4)
	assert.Equal(t, []int{80, 10}, aw[0][0].Shape())
	assert.Equal(t, []int{80, 40}, aw[2][0].Shape())
	assert.Equal(t, []int{80, 20}, aw[3][1].Shape())
	assert.Equal(t, []int{80}, aw[3][3].Shape())
	k := 1 / math.Sqrt(20)
	for n, p := range nn.NamedParameters(l) {
		v := p.Value().Float64s()
		lo, hi := v[0], v[0]
		for _, e := range v {
			lo, hi = math.Min(lo, e), math.Max(hi, e)
		}
		assert.True(t, lo >= -k && hi <= k && hi-lo > k, "%s in [%v, %v]", n, lo, hi)
	}
	assert.Equal(t, "GRU(3, 4, num_layers=3, bias=False, dropout=0.25)",
		nn.NewGRU(3, 4, nn.NumLayers(3), nn.NoBias(), nn.RNNDropout(0.25)).String())
	assert.Equal(t, []string{"weight_ih_l0", "weight_hh_l0"}, nn.StateDict(nn.NewGRU(3, 4, nn.NoBias())).Keys())
	r := nn.NewRNN(3, 4, nn.Nonlinearity("relu"))
	assert.Equal(t, "relu", r.Nonlinearity)
	assert.Equal(t, "RNN(3, 4)", r.String(), "torch 1.13 does not print the nonlinearity")
	assert.Equal(t, "tanh", nn.NewRNN(3, 4).Nonlinearity)
	assert.Equal(t, "Sequential(\n  (0): GRU(3, 4)\n  (1): Linear(in_features=4, out_features=2, bias=True)\n)",
		nn.NewSequential(nn.NewGRU(3, 4), nn.NewLinear(4, 2)).String())

	assert.PanicsWithError(t, "nn: NewRNN: Unknown nonlinearity 'gelu'. Select from 'tanh' or 'relu'.",
		func() { nn.NewRNN(3, 4, nn.Nonlinearity("gelu")) })
	assert.PanicsWithError(t, "nn: NewLSTM: dropout should be a number in range [0, 1] representing the probability of an element being zeroed",
		func() { nn.NewLSTM(3, 4, nn.RNNDropout(1.5)) })
	assert.PanicsWithError(t, "nn: NewGRU: hidden_size must be greater than zero", func() { nn.NewGRU(3, 0) })
	assert.PanicsWithError(t, "nn: NewGRU: num_layers must be greater than zero", func() { nn.NewGRU(3, 2, nn.NumLayers(0)) })
	assert.Panics(t, func() { nn.NewLSTM(3, 4, nn.Nonlinearity("relu")) }, "Nonlinearity is RNN's only")
}

// TestRNNShapeErrors: wrong input and state shapes panic with
// *tensor.ShapeError values carrying PyTorch's messages.
func TestRNNShapeErrors(t *testing.T) {
	l := nn.NewLSTM(10, 20, nn.NumLayers(2))
	z := func(s ...int) *grad.Variable { return grad.NoGrad(tensor.Zeros(s...)) }
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"tensor: LSTM: input.size(-1) must be equal to input_size. Expected 10, got 7 (shapes [5 3 7] and [10])",
			func() { l.Forward(z(5, 3, 7)) }},
		{"tensor: LSTM: Expected input to be 2-D or 3-D but received 4-D tensor (shapes [5 3 2 10] and [10])",
			func() { l.Forward(z(5, 3, 2, 10)) }},
		{"tensor: LSTM: Expected hidden[0] size (2, 3, 20), got [2, 4, 20] (shapes [2 4 20] and [2 3 20])",
			func() { l.ForwardState(z(5, 3, 10), z(2, 4, 20), nil) }},
		{"tensor: LSTM: Expected hidden[1] size (2, 3, 20), got [2, 3, 21] (shapes [2 3 21] and [2 3 20])",
			func() { l.ForwardState(z(5, 3, 10), z(2, 3, 20), z(2, 3, 21)) }},
		{"tensor: GRU: Expected hidden size (2, 3, 20), got [2, 4, 20] (shapes [2 4 20] and [2 3 20])",
			func() { nn.NewGRU(10, 20, nn.NumLayers(2)).ForwardState(z(5, 3, 10), z(2, 4, 20)) }},
		{"tensor: GRU: For unbatched 2-D input, hx should also be 2-D but got 3-D tensor (shapes [2 4 20] and [2 1 20])",
			func() { nn.NewGRU(10, 20, nn.NumLayers(2)).ForwardState(z(5, 10), z(2, 4, 20)) }},
		{"tensor: RNN: For batched 3-D input, hx should also be 3-D but got 2-D tensor (shapes [1 20] and [1 3 20])",
			func() { nn.NewRNN(10, 20).ForwardState(z(5, 3, 10), z(1, 20)) }},
	} {
		r := mustPanic(t, c.want, c.f)
		var se *tensor.ShapeError
		err, _ := r.(error)
		require.ErrorAs(t, err, &se, "%v", r)
		assert.Equal(t, c.want, se.Error())
	}
}
