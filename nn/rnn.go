package nn

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// The recurrent layers RNN, LSTM and GRU (torch.nn.RNN, LSTM, GRU) are
// composed from grad ops: per layer and direction, the input projection
// of every time step is one GEMM (grad.Linear over L·N rows), and only
// the hidden projection runs once per step.

// rnnConfig holds the recurrent layers' options (config.rnn).
type rnnConfig struct {
	numLayers     int
	batchFirst    bool
	bidirectional bool
	dropout       float64
}

func rnnOption(name string, f func(*rnnConfig)) Option {
	return Option{name, func(c *config) {
		if c.rnn == nil {
			c.rnn = &rnnConfig{numLayers: 1}
		}
		f(c.rnn)
	}}
}

// NumLayers sets the number of stacked recurrent layers of RNN, LSTM and
// GRU (num_layers; default 1).
func NumLayers(n int) Option { return rnnOption("NumLayers", func(c *rnnConfig) { c.numLayers = n }) }

// BatchFirst makes RNN, LSTM and GRU take and return [N, L, features]
// instead of [L, N, features] (batch_first=True). The states h0, c0, hn
// and cn keep [layers·directions, N, hidden].
func BatchFirst() Option { return rnnOption("BatchFirst", func(c *rnnConfig) { c.batchFirst = true }) }

// Bidirectional makes RNN, LSTM and GRU run each layer forwards and
// backwards in time and concatenate the two outputs (bidirectional=True).
func Bidirectional() Option {
	return rnnOption("Bidirectional", func(c *rnnConfig) { c.bidirectional = true })
}

// RNNDropout sets the probability of the dropout that RNN, LSTM and GRU
// apply to the output of every layer but the last, in training mode only
// (their dropout argument; default 0). The masks come from the generator
// given with WithGenerator, or tensor's default one.
func RNNDropout(p float64) Option {
	return rnnOption("RNNDropout", func(c *rnnConfig) { c.dropout = p })
}

// RNNBase holds what RNN, LSTM and GRU share (torch.nn.RNNBase): the
// settings and the parameters, which are registered explicitly under
// PyTorch's names, layer by layer and direction by direction:
// weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, then the
// same with the suffix _reverse for the backward direction. weight_ih_l0
// is [gates·hidden_size, input_size], the other layers' weight_ih are
// [gates·hidden_size, directions·hidden_size], weight_hh is
// [gates·hidden_size, hidden_size] and the biases [gates·hidden_size],
// where gates is 1 for RNN, 4 for LSTM (i, f, g, o stacked in that
// order) and 3 for GRU (r, z, n).
//
// Forward looks the parameters up by name at each call, so replacing one
// with RegisterParameter takes effect, as assigning it does in PyTorch.
type RNNBase struct {
	Module
	Mode          string // "RNN_TANH", "RNN_RELU", "LSTM" or "GRU"
	InputSize     int
	HiddenSize    int
	NumLayers     int
	Bias          bool
	BatchFirst    bool
	Dropout       float64 // between layers, in training mode
	Bidirectional bool
	gen           *tensor.Generator
}

func gatesOf(mode string) int {
	switch mode {
	case "LSTM":
		return 4
	case "GRU":
		return 3
	}
	return 1
}

// newRNNBase checks the settings, registers the parameters and
// initialises them as PyTorch's reset_parameters: every parameter from
// U(-1/√hidden_size, 1/√hidden_size).
func newRNNBase(op, mode string, inputSize, hiddenSize int, c config) RNNBase {
	rc := rnnConfig{numLayers: 1}
	if c.rnn != nil {
		rc = *c.rnn
	}
	switch {
	case !(rc.dropout >= 0 && rc.dropout <= 1):
		panic(misuse(op, "dropout should be a number in range [0, 1] representing the probability of an element being zeroed"))
	case inputSize < 0:
		panic(misuse(op, "input_size must be non-negative, got "+strconv.Itoa(inputSize)))
	case hiddenSize <= 0:
		panic(misuse(op, "hidden_size must be greater than zero"))
	case rc.numLayers <= 0:
		panic(misuse(op, "num_layers must be greater than zero"))
	}
	b := RNNBase{Mode: mode, InputSize: inputSize, HiddenSize: hiddenSize, NumLayers: rc.numLayers, Bias: !c.noBias,
		BatchFirst: rc.batchFirst, Dropout: rc.dropout, Bidirectional: rc.bidirectional, gen: c.gen}
	g := gatesOf(mode) * hiddenSize
	for layer := range b.NumLayers {
		in := inputSize
		if layer > 0 {
			in = hiddenSize * b.directions()
		}
		for dir := range b.directions() {
			s := suffix(layer, dir)
			b.register("weight_ih"+s, c.dtype.Empty(g, in))
			b.register("weight_hh"+s, c.dtype.Empty(g, hiddenSize))
			if b.Bias {
				b.register("bias_ih"+s, c.dtype.Empty(g))
				b.register("bias_hh"+s, c.dtype.Empty(g))
			}
		}
	}
	b.ResetParameters(WithGenerator(c.gen))
	return b
}

func (b *RNNBase) register(name string, t *tensor.Tensor) {
	if err := b.RegisterParameter(name, NewParameter(t)); err != nil {
		panic(err)
	}
}

func suffix(layer, dir int) string {
	s := "_l" + strconv.Itoa(layer)
	if dir == 1 {
		s += "_reverse"
	}
	return s
}

func (b *RNNBase) directions() int {
	if b.Bidirectional {
		return 2
	}
	return 1
}

// param returns the parameter registered under name, or nil.
func (b *RNNBase) param(name string) *Parameter {
	for _, e := range b.params {
		if e.name == name {
			return e.p
		}
	}
	return nil
}

// ResetParameters draws every parameter again from U(-1/√hidden_size,
// 1/√hidden_size) (reset_parameters). Options: WithGenerator.
func (b *RNNBase) ResetParameters(opts ...Option) {
	c := applyOptions(typeNameOfMode(b.Mode)+".ResetParameters", opts, "WithGenerator")
	k := 1 / math.Sqrt(float64(b.HiddenSize))
	for _, e := range b.params {
		if e.p != nil && e.p.Variable != nil {
			Uniform(e.p, -k, k, WithGenerator(c.gen))
		}
	}
}

// AllWeights returns the parameters per layer and direction (all_weights):
// [weight_ih, weight_hh, bias_ih, bias_hh] (the biases left out without
// them), the forward direction of layer 0 first, then its backward
// direction, then layer 1, ...
func (b *RNNBase) AllWeights() [][]*Parameter {
	var all [][]*Parameter
	for layer := range b.NumLayers {
		for dir := range b.directions() {
			s := suffix(layer, dir)
			ws := []*Parameter{b.param("weight_ih" + s), b.param("weight_hh" + s)}
			if b.Bias {
				ws = append(ws, b.param("bias_ih"+s), b.param("bias_hh"+s))
			}
			all = append(all, ws)
		}
	}
	return all
}

// ExtraRepr is PyTorch's: "10, 20, num_layers=2, batch_first=True,
// bidirectional=True", each setting printed only when it differs from
// the default. As in PyTorch 1.13, an RNN's nonlinearity is not printed.
func (b *RNNBase) ExtraRepr() string {
	s := strconv.Itoa(b.InputSize) + ", " + strconv.Itoa(b.HiddenSize)
	if b.NumLayers != 1 {
		s += ", num_layers=" + strconv.Itoa(b.NumLayers)
	}
	if !b.Bias {
		s += ", bias=False"
	}
	if b.BatchFirst {
		s += ", batch_first=True"
	}
	if b.Dropout != 0 {
		s += ", dropout=" + pyFloat(b.Dropout)
	}
	if b.Bidirectional {
		s += ", bidirectional=True"
	}
	return s
}

func typeNameOfMode(mode string) string {
	switch mode {
	case "LSTM", "GRU":
		return mode
	}
	return "RNN"
}

func shapeTuple(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.Itoa(v)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func shapeList(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.Itoa(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// run is the forward pass of every recurrent layer: x as documented on
// RNN.Forward, states the initial states (one for RNN and GRU, h and c
// for LSTM; nil ones are zeros). It returns the output and the final
// states, shaped as the initial ones.
func (b *RNNBase) run(x *grad.Variable, states []*grad.Variable) (*grad.Variable, []*grad.Variable) {
	op := typeNameOfMode(b.Mode)
	xs := x.Shape()
	if d := len(xs); d != 2 && d != 3 {
		panic(&tensor.ShapeError{Op: op, A: xs, B: []int{b.InputSize},
			Msg: fmt.Sprintf("Expected input to be 2-D or 3-D but received %d-D tensor", d)})
	}
	if xs[len(xs)-1] != b.InputSize {
		panic(&tensor.ShapeError{Op: op, A: xs, B: []int{b.InputSize},
			Msg: fmt.Sprintf("input.size(-1) must be equal to input_size. Expected %d, got %d", b.InputSize, xs[len(xs)-1])})
	}
	batched := len(xs) == 3
	if !batched {
		x = x.Unsqueeze(1)
	} else if b.BatchFirst {
		x = x.Transpose(0, 1)
	}
	steps, n := x.Size(0), x.Size(1)
	nd := b.NumLayers * b.directions()
	want := []int{nd, n, b.HiddenSize}
	hx := make([]*grad.Variable, len(states))
	for i, s := range states {
		if s == nil {
			hx[i] = grad.New(x.DType().Zeros(want...))
			continue
		}
		if batched && s.Dim() != 3 {
			panic(&tensor.ShapeError{Op: op, A: s.Shape(), B: want,
				Msg: fmt.Sprintf("For batched 3-D input, hx should also be 3-D but got %d-D tensor", s.Dim())})
		}
		if !batched {
			if s.Dim() != 2 {
				panic(&tensor.ShapeError{Op: op, A: s.Shape(), B: want,
					Msg: fmt.Sprintf("For unbatched 2-D input, hx should also be 2-D but got %d-D tensor", s.Dim())})
			}
			s = s.Unsqueeze(1)
		}
		if got := s.Shape(); !slices.Equal(got, want) {
			what := "hidden"
			if len(states) > 1 {
				what = "hidden[" + strconv.Itoa(i) + "]"
			}
			panic(&tensor.ShapeError{Op: op, A: got, B: want,
				Msg: fmt.Sprintf("Expected %s size %s, got %s", what, shapeTuple(want), shapeList(got))})
		}
		hx[i] = s
	}

	finals := make([][]*grad.Variable, len(states))
	input := x
	for layer := range b.NumLayers {
		outs := make([]*grad.Variable, b.directions())
		for dir := range b.directions() {
			s := suffix(layer, dir)
			wih, whh := b.param("weight_ih"+s), b.param("weight_hh"+s)
			bih, bhh := b.param("bias_ih"+s), b.param("bias_hh"+s)
			if wih == nil || whh == nil {
				panic(misuse(op, "parameter weight_ih"+s+" or weight_hh"+s+" is missing"))
			}
			// The input projection of all time steps: one GEMM.
			proj := grad.Linear(input, wih, bih)
			px := unbind(proj, steps)
			cur := make([]*grad.Variable, len(hx))
			for i := range hx {
				cur[i] = hx[i].Select(0, layer*b.directions()+dir)
			}
			hs := make([]*grad.Variable, steps)
			for k := range steps {
				t := k
				if dir == 1 {
					t = steps - 1 - k
				}
				b.cell(px[t], cur, whh, bhh)
				hs[t] = cur[0]
			}
			if steps == 0 {
				outs[dir] = grad.New(x.DType().Zeros(0, n, b.HiddenSize))
			} else {
				outs[dir] = grad.Stack(hs, 0)
			}
			for i := range cur {
				finals[i] = append(finals[i], cur[i])
			}
		}
		input = outs[0]
		if len(outs) > 1 {
			input = grad.Cat(outs, 2)
		}
		if layer < b.NumLayers-1 && b.Dropout > 0 && b.Training() {
			input = (&Dropout{P: b.Dropout, gen: b.gen}).Forward(input)
		}
	}
	out := input
	hn := make([]*grad.Variable, len(finals))
	for i, f := range finals {
		hn[i] = grad.Stack(f, 0)
		if !batched {
			hn[i] = hn[i].Squeeze(1)
		}
	}
	switch {
	case !batched:
		out = out.Squeeze(1)
	case b.BatchFirst:
		out = out.Transpose(0, 1)
	}
	return out, hn
}

// cell advances the states st (h, and c for LSTM) by one time step, given
// that step's input projection px = x·W_ihᵀ + b_ih ([N, gates·hidden]).
func (b *RNNBase) cell(px *grad.Variable, st []*grad.Variable, whh, bhh *Parameter) {
	h := st[0]
	ph := grad.Linear(h, whh, bhh) // h·W_hhᵀ + b_hh
	switch b.Mode {
	case "RNN_TANH":
		st[0] = px.Add(ph).Tanh()
	case "RNN_RELU":
		st[0] = px.Add(ph).ReLU()
	case "LSTM":
		g := px.Add(ph).Chunk(4, 1)
		i, f, gg, o := g[0].Sigmoid(), g[1].Sigmoid(), g[2].Tanh(), g[3].Sigmoid()
		c := f.Mul(st[1]).Add(i.Mul(gg))
		st[0], st[1] = o.Mul(c.Tanh()), c
	case "GRU":
		gx, gh := px.Chunk(3, 1), ph.Chunk(3, 1)
		r := gx[0].Add(gh[0]).Sigmoid()
		z := gx[1].Add(gh[1]).Sigmoid()
		n := gx[2].Add(r.Mul(gh[2])).Tanh() // b_hn stays inside r·(...)
		st[0] = z.RSubScalar(1).Mul(n).Add(z.Mul(h))
	default:
		panic(misuse("RNNBase", "unknown mode "+strconv.Quote(b.Mode)))
	}
}

// unbind splits v ([L, ...]) into its L slices along dimension 0. It
// halves v recursively before selecting, because the backward pass of a
// view writes its gradient into zeros of its base's shape: selecting each
// of L steps from the whole projection would cost O(L²) in the backward
// pass; halving costs O(L·log L).
func unbind(v *grad.Variable, steps int) []*grad.Variable {
	out := make([]*grad.Variable, steps)
	var split func(v *grad.Variable, off, n int)
	split = func(v *grad.Variable, off, n int) {
		if n <= 4 {
			for i := range n {
				out[off+i] = v.Select(0, i)
			}
			return
		}
		h := n / 2
		split(v.Narrow(0, 0, h), off, h)
		split(v.Narrow(0, h, n-h), off+h, n-h)
	}
	split(v, 0, steps)
	return out
}

// hasOption reports whether opts contain the option named name.
func hasOption(opts []Option, name string) bool {
	for _, o := range opts {
		if o.name == name {
			return true
		}
	}
	return false
}

var rnnOptions = []string{"NumLayers", "NoBias", "BatchFirst", "RNNDropout", "Bidirectional", "WithDType", "WithGenerator"}

// RNN is an Elman recurrent network (torch.nn.RNN): for each layer and
// time step, h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh), or
// relu with Nonlinearity("relu"). x_t is the input for the first layer
// and the previous layer's output (after dropout, in training mode with
// RNNDropout) for the others. See RNNBase for the parameters.
type RNN struct {
	RNNBase
	Nonlinearity string // "tanh" or "relu"
}

// NewRNN returns an RNN from inputSize features to hiddenSize, initialised
// as PyTorch's. Options: Nonlinearity ("tanh", the default, or "relu"),
// NumLayers, NoBias, BatchFirst, RNNDropout, Bidirectional, WithDType,
// WithGenerator (the initialisation and the dropout masks).
func NewRNN(inputSize, hiddenSize int, opts ...Option) *RNN {
	c := applyOptions("NewRNN", opts, append([]string{"Nonlinearity"}, rnnOptions...)...)
	nl := "tanh"
	if hasOption(opts, "Nonlinearity") {
		nl = c.nonlinearity
	}
	mode := map[string]string{"tanh": "RNN_TANH", "relu": "RNN_RELU"}[nl]
	if mode == "" {
		panic(misuse("NewRNN", "Unknown nonlinearity '"+nl+"'. Select from 'tanh' or 'relu'."))
	}
	return &RNN{RNNBase: newRNNBase("NewRNN", mode, inputSize, hiddenSize, c), Nonlinearity: nl}
}

// Forward returns the output of the last layer for every time step (the
// first element of PyTorch's result), starting from zero states, so that
// an RNN works as a Layer in a Sequential. x is [L, N, input_size] ([N,
// L, input_size] with BatchFirst) or unbatched [L, input_size]; the
// output is [L, N, D·hidden_size] ([N, L, ...] with BatchFirst;
// [L, D·hidden_size] unbatched), D being 2 when Bidirectional, the two
// directions' outputs concatenated (forward first).
func (r *RNN) Forward(x *grad.Variable) *grad.Variable {
	out, _ := r.ForwardState(x, nil)
	return out
}

// ForwardState is PyTorch's rnn(x, h0): it returns the output (as
// Forward) and hn, the final hidden state of every layer and direction
// ([D·num_layers, N, hidden_size], unbatched [D·num_layers,
// hidden_size]; layer by layer, the backward direction after the
// forward one). h0 has hn's shape; nil means zeros. A wrong shape
// panics with a *tensor.ShapeError carrying PyTorch's message.
func (r *RNN) ForwardState(x, h0 *grad.Variable) (out, hn *grad.Variable) {
	out, hs := r.run(x, []*grad.Variable{h0})
	return out, hs[0]
}

func (r *RNN) String() string { return Format(r) }

// LSTM is a long short-term memory network (torch.nn.LSTM): for each layer
// and time step, with the gates stacked in W_ih, W_hh, b_ih, b_hh in the
// order i, f, g, o,
//
//	i = σ(W_ii x + b_ii + W_hi h + b_hi)
//	f = σ(W_if x + b_if + W_hf h + b_hf)
//	g = tanh(W_ig x + b_ig + W_hg h + b_hg)
//	o = σ(W_io x + b_io + W_ho h + b_ho)
//	c' = f·c + i·g
//	h' = o·tanh(c')
//
// PyTorch's proj_size is not supported. See RNN for the layers,
// directions and dropout, RNNBase for the parameters.
type LSTM struct {
	RNNBase
}

// NewLSTM returns an LSTM from inputSize features to hiddenSize,
// initialised as PyTorch's. Options: NumLayers, NoBias, BatchFirst,
// RNNDropout, Bidirectional, WithDType, WithGenerator.
func NewLSTM(inputSize, hiddenSize int, opts ...Option) *LSTM {
	c := applyOptions("NewLSTM", opts, rnnOptions...)
	return &LSTM{newRNNBase("NewLSTM", "LSTM", inputSize, hiddenSize, c)}
}

// Forward returns the output for every time step from zero states (see
// RNN.Forward).
func (l *LSTM) Forward(x *grad.Variable) *grad.Variable {
	out, _, _ := l.ForwardState(x, nil, nil)
	return out
}

// ForwardState is PyTorch's lstm(x, (h0, c0)): it returns the output and
// the final hidden and cell states hn and cn, each [D·num_layers, N,
// hidden_size] (unbatched without N), shaped as h0 and c0. A nil h0 or
// c0 means zeros (each on its own; PyTorch takes both or neither).
func (l *LSTM) ForwardState(x, h0, c0 *grad.Variable) (out, hn, cn *grad.Variable) {
	out, hs := l.run(x, []*grad.Variable{h0, c0})
	return out, hs[0], hs[1]
}

func (l *LSTM) String() string { return Format(l) }

// GRU is a gated recurrent unit network (torch.nn.GRU): for each layer and
// time step, with the gates stacked in the order r, z, n,
//
//	r = σ(W_ir x + b_ir + W_hr h + b_hr)
//	z = σ(W_iz x + b_iz + W_hz h + b_hz)
//	n = tanh(W_in x + b_in + r·(W_hn h + b_hn))
//	h' = (1 - z)·n + z·h
//
// See RNN for the layers, directions and dropout, RNNBase for the
// parameters.
type GRU struct {
	RNNBase
}

// NewGRU returns a GRU from inputSize features to hiddenSize, initialised
// as PyTorch's. Options: NumLayers, NoBias, BatchFirst, RNNDropout,
// Bidirectional, WithDType, WithGenerator.
func NewGRU(inputSize, hiddenSize int, opts ...Option) *GRU {
	c := applyOptions("NewGRU", opts, rnnOptions...)
	return &GRU{newRNNBase("NewGRU", "GRU", inputSize, hiddenSize, c)}
}

// Forward returns the output for every time step from zero states (see
// RNN.Forward).
func (g *GRU) Forward(x *grad.Variable) *grad.Variable {
	out, _ := g.ForwardState(x, nil)
	return out
}

// ForwardState is PyTorch's gru(x, h0); see RNN.ForwardState.
func (g *GRU) ForwardState(x, h0 *grad.Variable) (out, hn *grad.Variable) {
	out, hs := g.run(x, []*grad.Variable{h0})
	return out, hs[0]
}

func (g *GRU) String() string { return Format(g) }
