package nn_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// Block and Net are the Go versions of the Python classes in
// testdata/gen_golden.py.
type Block struct {
	nn.Module
	FC  *nn.Linear
	Act *nn.GELU
}

func newBlock() *Block { return &Block{FC: nn.NewLinear(4, 4), Act: nn.NewGELU()} }

type Net struct {
	nn.Module
	Hidden  *nn.Linear
	Out     *nn.Linear
	Scale   *nn.Parameter
	Blocks  []*Block
	Norm    *nn.LayerNorm
	Running *nn.Buffer
	Scratch *nn.Buffer
	Plain   *tensor.Tensor // a plain tensor: not a parameter
	Layers  int            // other fields are ignored
}

func newNet() *Net {
	return &Net{
		Hidden:  nn.NewLinear(4, 8),
		Out:     nn.NewLinear(8, 2),
		Scale:   nn.NewParameter(tensor.Ones(2)),
		Blocks:  []*Block{newBlock(), newBlock()},
		Norm:    nn.NewLayerNorm([]int{8}),
		Running: nn.NewBuffer(tensor.Zeros(2)),
		Scratch: nn.NewBuffer(tensor.Zeros(3), nn.NonPersistent()),
		Plain:   tensor.Zeros(5),
	}
}

func (n *Net) String() string { return nn.Format(n) }

func (n *Net) Forward(x *grad.Variable) *grad.Variable {
	for _, b := range n.Blocks {
		x = b.Act.Forward(b.FC.Forward(x))
	}
	return n.Out.Forward(n.Norm.Forward(n.Hidden.Forward(x).ReLU())).Mul(n.Scale)
}

func TestCustomModel(t *testing.T) {
	net := newNet()
	var reprs map[string]string
	golden(t, "repr", &reprs)
	if got := net.String(); got != reprs["net"] {
		t.Fatalf("print(net):\n%s\nwant\n%s", got, reprs["net"])
	}
	checkNameShapes(t, "named_parameters", namedShapes(nn.NamedParameters(net)), "net_named_parameters")
	checkNameShapes(t, "named_buffers", namedShapes(nn.NamedBuffers(net)), "net_named_buffers")
	var sdKeys, mods []string
	var num int
	golden(t, "net_state_dict_keys", &sdKeys)
	golden(t, "net_named_modules", &mods)
	golden(t, "net_num_parameters", &num)
	if got := keys(nn.StateDict(net)); !slices.Equal(got, sdKeys) {
		t.Fatalf("state dict keys\n%v\nwant\n%v", got, sdKeys)
	}
	var gotMods []string
	for n := range nn.NamedModules(net) {
		gotMods = append(gotMods, n)
	}
	if !slices.Equal(gotMods, mods) {
		t.Fatalf("named_modules %v, want %v", gotMods, mods)
	}
	if got := nn.NumParameters(net); got != num {
		t.Fatalf("NumParameters = %d, want %d", got, num)
	}
	var own []string
	for n := range nn.NamedParameters(net, nn.NonRecursive()) {
		own = append(own, n)
	}
	if !slices.Equal(own, []string{"scale"}) {
		t.Fatalf("recurse=False: %v", own)
	}
	var children []string
	for n := range nn.NamedChildren(net) {
		children = append(children, n)
	}
	if !slices.Equal(children, []string{"hidden", "out", "blocks", "norm"}) {
		t.Fatalf("children %v", children)
	}
	y := net.Forward(grad.New(tensor.Randn(3, 4)))
	if !slices.Equal(y.Shape(), []int{3, 2}) {
		t.Fatal(y.Shape())
	}
}

func TestReprs(t *testing.T) {
	var want map[string]string
	golden(t, "repr", &want)
	params := nn.NewParameterList(nn.NewParameter(tensor.Zeros(3, 4)), nn.NewParameter(tensor.Zeros(2)))
	dict := nn.NewModuleDict()
	dict.Set("b", nn.NewReLU())
	dict.Set("a", nn.NewLinear(2, 3))
	cases := map[string]nn.Model{
		"linear_nobias":    nn.NewLinear(3, 2, nn.NoBias()),
		"relu":             nn.NewReLU(),
		"leaky":            nn.NewLeakyReLU(),
		"leaky02":          nn.NewLeakyReLU(nn.NegativeSlope(0.2)),
		"sigmoid":          nn.NewSigmoid(),
		"tanh":             nn.NewTanh(),
		"gelu":             nn.NewGELU(),
		"gelu_tanh":        nn.NewGELU(nn.Approximate("tanh")),
		"softmax":          nn.NewSoftmax(1),
		"logsoftmax":       nn.NewLogSoftmax(-1),
		"dropout":          nn.NewDropout(0.5),
		"dropout01":        nn.NewDropout(0.1),
		"flatten":          nn.NewFlatten(),
		"flatten02":        nn.NewFlatten(nn.StartDim(0), nn.EndDim(2)),
		"identity":         nn.NewIdentity(),
		"embedding":        nn.NewEmbedding(10, 3),
		"embedding_pad":    nn.NewEmbedding(10, 3, nn.PaddingIdx(-1)),
		"layernorm":        nn.NewLayerNorm([]int{4}),
		"layernorm2":       nn.NewLayerNorm([]int{2, 3}, nn.Eps(1e-6), nn.NoAffine()),
		"mse":              nn.NewMSELoss(),
		"l1":               nn.NewL1Loss(),
		"ce":               nn.NewCrossEntropyLoss(),
		"nll":              nn.NewNLLLoss(),
		"bce":              nn.NewBCEWithLogitsLoss(),
		"modulelist":       nn.NewModuleList(nn.NewLinear(2, 2), nn.NewReLU()),
		"modulelist_empty": nn.NewModuleList(),
		"sequential_empty": nn.NewSequential(),
		"moduledict":       dict,
		"parameterlist":    params,
	}
	for k, m := range cases {
		w, ok := want[k]
		if !ok {
			t.Fatalf("no golden repr %s", k)
		}
		if got := nn.Format(m); got != w {
			t.Errorf("%s:\n got %q\nwant %q", k, got, w)
		}
		if s, ok := m.(interface{ String() string }); !ok || s.String() != w {
			t.Errorf("%s: String() differs from Format", k)
		}
	}
}

type registered struct {
	nn.Module
	W *nn.Parameter
}

type tagged struct {
	nn.Module
	W     *nn.Parameter       `nn:"kernel"`
	Skip  *nn.Parameter       `nn:"-"`
	Inner struct{ nn.Module } `nn:"-"`
	embedded
	hidden *nn.Parameter `nn:"-"`
	CLSTok *nn.Parameter
}

type embedded struct {
	Extra *nn.Parameter
}

type unexported struct {
	nn.Module
	fc *nn.Linear
}

type dupTags struct {
	nn.Module
	A *nn.Parameter `nn:"x"`
	B *nn.Parameter `nn:"x"`
}

type dotted struct {
	nn.Module
	A *nn.Parameter `nn:"a.b"`
}

type valueParam struct {
	nn.Module
	A nn.Parameter
}

func TestRegistration(t *testing.T) {
	m := &registered{W: nn.NewParameter(tensor.Zeros(2))}
	b := nn.NewParameter(tensor.Zeros(3))
	if err := m.RegisterParameter("block 0", b); err != nil {
		t.Fatal(err)
	}
	if err := m.RegisterBuffer("stats", nn.NewBuffer(tensor.Zeros(1))); err != nil {
		t.Fatal(err)
	}
	if err := m.AddModule("child 1", nn.NewLinear(1, 1)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ name, msg string }{
		{"", `parameter name can't be empty string ""`},
		{"a.b", `parameter name can't contain ".", got: a.b`},
	} {
		err := m.RegisterParameter(bad.name, b)
		var ne *nn.NameError
		if !errors.As(err, &ne) || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("RegisterParameter(%q) = %v, want %q", bad.name, err, bad.msg)
		}
	}
	if err := m.AddModule("x.y", nn.NewReLU()); err == nil || !strings.Contains(err.Error(), `module name can't contain "."`) {
		t.Errorf("AddModule dotted: %v", err)
	}
	if err := m.RegisterBuffer("", nn.NewBuffer(tensor.Zeros(1))); err == nil {
		t.Error("RegisterBuffer empty name accepted")
	}
	if err := m.RegisterBuffer("block 0", nn.NewBuffer(tensor.Zeros(1))); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("buffer over a parameter name: %v", err)
	}
	var names []string
	for n := range nn.NamedParameters(m) {
		names = append(names, n)
	}
	if !slices.Equal(names, []string{"w", "block 0", "child 1.weight", "child 1.bias"}) {
		t.Fatalf("names %v", names)
	}
	if got := keys(nn.StateDict(m)); !slices.Equal(got, []string{"w", "block 0", "stats", "child 1.weight", "child 1.bias"}) {
		t.Fatalf("state dict %v", got)
	}
	// Registering the same parameter again under another name: listed
	// once, saved twice.
	m.RegisterParameter("alias", m.W)
	if n := len(slices.Collect(nn.Parameters(m))); n != 4 {
		t.Fatalf("%d parameters, want 4 (deduplicated)", n)
	}
	if !slices.Contains(keys(nn.StateDict(m)), "alias") {
		t.Fatal("alias missing from the state dict")
	}
	// A registration that reuses a field's name is caught by the walk.
	m.RegisterParameter("w", b)
	mustPanic(t, "field and registration with one name", func() { nn.StateDict(m) })

	tg := &tagged{
		W: nn.NewParameter(tensor.Zeros(1)), Skip: nn.NewParameter(tensor.Zeros(1)),
		embedded: embedded{Extra: nn.NewParameter(tensor.Zeros(1))},
		hidden:   nn.NewParameter(tensor.Zeros(1)), CLSTok: nn.NewParameter(tensor.Zeros(1)),
	}
	names = nil
	for n := range nn.NamedParameters(tg) {
		names = append(names, n)
	}
	if !slices.Equal(names, []string{"kernel", "extra", "cls_tok"}) {
		t.Fatalf("tagged names %v", names)
	}
	r := mustPanic(t, "unexported module field", func() { nn.StateDict(&unexported{fc: nn.NewLinear(1, 1)}) })
	if !strings.Contains(r.(error).Error(), "unexported") {
		t.Fatalf("panic %v", r)
	}
	mustPanic(t, "two fields named x", func() { nn.StateDict(&dupTags{}) })
	mustPanic(t, "dotted tag", func() { nn.StateDict(&dotted{}) })
	mustPanic(t, "Parameter by value", func() { nn.StateDict(&valueParam{}) })
}

// A module that contains itself is reported, not walked forever.
func TestCycle(t *testing.T) {
	s := nn.NewSequential(nn.NewReLU())
	s.Append(s)
	mustPanic(t, "cycle in StateDict", func() { nn.StateDict(s) })
	mustPanic(t, "cycle in Apply", func() { nn.Apply(s, func(nn.Model) {}) })
}

func TestSharedSubmodule(t *testing.T) {
	shared := nn.NewLinear(2, 2)
	net := nn.NewSequential(shared, nn.NewReLU(), shared)
	var mods []string
	for n := range nn.NamedModules(net) {
		mods = append(mods, n)
	}
	if !slices.Equal(mods, []string{"", "0", "1"}) {
		t.Fatalf("named_modules dedups: %v", mods)
	}
	if got := keys(nn.StateDict(net)); !slices.Equal(got, []string{"0.weight", "0.bias", "2.weight", "2.bias"}) {
		t.Fatal(got)
	}
	calls := 0
	nn.Apply(net, func(m nn.Model) {
		if m == nn.Model(shared) {
			calls++
		}
	})
	if calls != 1 {
		t.Fatalf("apply visits the shared child %d times; children() dedups within a parent", calls)
	}
}

func TestLoadStateDict(t *testing.T) {
	src := newNet()
	dst := newNet()
	sd := nn.StateDict(src)
	if _, err := nn.LoadStateDict(dst, sd); err != nil {
		t.Fatal(err)
	}
	x := grad.NoGrad(tensor.Randn(3, 4))
	close(t, "same outputs", dst.Forward(x).Value().Float64s(), src.Forward(x).Value().Float64s(), 0, 0)
	if dst.Hidden.Weight.Value() == src.Hidden.Weight.Value() {
		t.Fatal("load must copy, not share")
	}

	// Every problem at once; nothing copied.
	bad := nn.NewTensorDict()
	for k, v := range sd.All() {
		bad.Set(k, v)
	}
	bad.Delete("out.bias")
	bad.Delete("running")
	bad.Set("extra.weight", tensor.Zeros(1))
	bad.Set("hidden.weight", tensor.Zeros(3, 4))
	fresh := newNet()

	fresh.Norm.Weight.NoGrad().Fill(9)
	_, err := nn.LoadStateDict(fresh, bad)
	var le *nn.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v, want *LoadError", err)
	}
	if !slices.Equal(le.Missing, []string{"running", "out.bias"}) || !slices.Equal(le.Unexpected, []string{"extra.weight"}) ||
		len(le.Mismatched) != 1 || le.Mismatched[0].Key != "hidden.weight" ||
		!slices.Equal(le.Mismatched[0].Got, []int{3, 4}) || !slices.Equal(le.Mismatched[0].Model, []int{8, 4}) {
		t.Fatalf("LoadError %+v", le)
	}
	want := "nn: Error(s) in loading state_dict for Net:\n" +
		"\tMissing key(s) in state_dict: \"running\", \"out.bias\". \n" +
		"\tUnexpected key(s) in state_dict: \"extra.weight\". \n" +
		"\tsize mismatch for hidden.weight: copying a param with shape torch.Size([3, 4]) from checkpoint, the shape in current model is torch.Size([8, 4])."
	if err.Error() != want {
		t.Fatalf("message\n%s\nwant\n%s", err, want)
	}
	if fresh.Norm.Weight.Value().At(0) != 9 {
		t.Fatal("a failed load copied something")
	}

	// Non-strict: missing and unexpected are reported, matches loaded; a
	// shape mismatch is still an error.
	if _, err := nn.LoadStateDict(fresh, bad, nn.NonStrict()); err == nil || len(err.(*nn.LoadError).Missing) != 0 {
		t.Fatalf("non-strict with a size mismatch: %v", err)
	}
	bad.Set("hidden.weight", tensor.Zeros(8, 4))
	inc, err := nn.LoadStateDict(fresh, bad, nn.NonStrict())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(inc.Missing, []string{"running", "out.bias"}) || !slices.Equal(inc.Unexpected, []string{"extra.weight"}) {
		t.Fatalf("incompatible keys %+v", inc)
	}
	if fresh.Norm.Weight.Value().At(0) != 1 || fresh.Hidden.Weight.Value().Abs().Sum().Item() != 0 {
		t.Fatal("non-strict load did not copy the matches")
	}
	// Non-persistent buffers are neither saved nor expected.
	if _, ok := sd.Get("scratch"); ok {
		t.Fatal("non-persistent buffer in the state dict")
	}
	// dtype conversion on load.
	l64 := nn.NewLinear(4, 8, nn.WithDType(tensor.Float64))
	hsd := nn.NewTensorDict()
	hsd.Set("weight", src.Hidden.Weight.Value())
	hsd.Set("bias", src.Hidden.Bias.Value())
	if _, err := nn.LoadStateDict(l64, hsd); err != nil || l64.Weight.DType() != tensor.Float64 {
		t.Fatal(err)
	}
	close(t, "converted", l64.Weight.Value().Float64s(), src.Hidden.Weight.Value().Float64s(), 0, 0)
}

func TestTrainEvalZeroGrad(t *testing.T) {
	net := nn.NewSequential(nn.NewLinear(3, 3), nn.NewDropout(0.5), nn.NewSequential(nn.NewDropout(0.2)))
	for m := range nn.Modules(net) {
		if !m.(interface{ Training() bool }).Training() {
			t.Fatal("modules start in training mode")
		}
	}
	nn.Eval(net)
	for m := range nn.Modules(net) {
		if m.(interface{ Training() bool }).Training() {
			t.Fatal("Eval did not reach every module")
		}
	}
	x := tensor.Randn(4, 3)
	a := net.Forward(grad.New(x)).Value()
	b := net.Forward(grad.New(x)).Value()
	close(t, "eval is deterministic", a.Float64s(), b.Float64s(), 0, 0)
	nn.Train(net)
	if !net.At(2).(*nn.Sequential).At(0).(*nn.Dropout).Training() {
		t.Fatal("Train did not reach the nested dropout")
	}
	net.Forward(grad.New(x)).Sum().Backward()
	nn.ZeroGrad(net)
	for p := range nn.Parameters(net) {
		if p.Grad() != nil {
			t.Fatal("ZeroGrad left a gradient")
		}
	}
}

func TestDropout(t *testing.T) {
	d := nn.NewDropout(0.3, nn.WithGenerator(tensor.NewGenerator(3)))
	x := grad.Param(tensor.Ones(100, 100))
	y := d.Forward(x)
	zeros := y.Value().EqScalar(0).Mean().Item()
	if math.Abs(zeros-0.3) > 0.02 {
		t.Fatalf("dropped fraction %v, want 0.3", zeros)
	}
	kept := y.Value().Max().Item()
	if math.Abs(kept-1/0.7) > 1e-6 {
		t.Fatalf("kept values scaled to %v, want %v", kept, 1/0.7)
	}
	y.Sum().Backward()
	close(t, "grad masked like the output", x.Grad().Float64s(), y.Value().Float64s(), 0, 0)
	if s := nn.NewDropout(1).Forward(grad.New(tensor.Ones(5))).Value().Sum().Item(); s != 0 {
		t.Fatal("p=1 drops everything")
	}
	nn.Eval(d)
	if d.Forward(x) != x {
		t.Fatal("eval dropout returns its input")
	}
	mustPanic(t, "p > 1", func() { nn.NewDropout(1.5) })
}

type numerics struct {
	X, G, Y, GX, GW, GB, W, Idx []float64
}

func TestLayerNumerics(t *testing.T) {
	var num struct {
		LayerNorm numerics `json:"layernorm"`
		Embedding numerics `json:"embedding"`
		GELUTanh  numerics `json:"gelu_tanh"`
	}
	golden(t, "numerics", &num)

	ln := nn.NewLayerNorm([]int{4}, nn.WithDType(tensor.Float64))
	ln.Weight.NoGrad().Copy(f64([]float64{1, 0.5, -2, 3}))
	ln.Bias.NoGrad().Copy(f64([]float64{0.1, 0.2, 0.3, 0.4}))
	n := num.LayerNorm
	x := grad.Param(f64(n.X, 3, 4))
	y := ln.Forward(x)
	// torch 1.13's CPU layer_norm kernel itself strays from the exact
	// formula by about 1e-9 in float64 (numpy agrees with this package to
	// the last bit), hence the tolerance.
	close(t, "layernorm y", y.Value().Float64s(), n.Y, 1e-8, 1e-8)
	y.BackwardGrad(f64(n.G, 3, 4))
	close(t, "layernorm gx", x.Grad().Float64s(), n.GX, 1e-8, 1e-8)
	close(t, "layernorm gw", ln.Weight.Grad().Float64s(), n.GW, 1e-8, 1e-8)
	close(t, "layernorm gb", ln.Bias.Grad().Float64s(), n.GB, 1e-12, 1e-9)

	e := num.Embedding
	emb := nn.NewEmbedding(5, 3, nn.PaddingIdx(1), nn.WithDType(tensor.Float64))
	emb.Weight.NoGrad().Copy(f64(e.W, 5, 3))
	ye := emb.Forward(grad.New(f64(e.Idx, 2, 3)))
	close(t, "embedding y", ye.Value().Float64s(), e.Y, 0, 0)
	ye.BackwardGrad(f64(e.G, 2, 3, 3))
	close(t, "embedding grad (padding row none)", emb.Weight.Grad().Float64s(), e.GW, 1e-12, 1e-12)
	if nz := emb.Weight.Grad().Select(0, 1).Abs().Sum().Item(); nz != 0 {
		t.Fatal("padding row got a gradient")
	}
	// A no-grad input records nothing.
	if v := emb.Forward(grad.NoGrad(f64(e.Idx, 2, 3))); v.RequiresGrad() || !v.IsLeaf() {
		t.Fatal("no-grad lookup recorded a graph")
	}

	g := num.GELUTanh
	xg := grad.Param(f64(g.X))
	yg := nn.NewGELU(nn.Approximate("tanh")).Forward(xg)
	close(t, "gelu tanh", yg.Value().Float64s(), g.Y, 1e-12, 1e-10)
	yg.Sum().Backward()
	close(t, "gelu tanh grad", xg.Grad().Float64s(), g.GX, 1e-12, 1e-9)
}

func TestLayersForward(t *testing.T) {
	x := grad.Param(tensor.Float64.Randn(nil, 2, 3, 4))
	for _, c := range []struct {
		l    nn.Layer
		want []int
	}{
		{nn.NewReLU(), []int{2, 3, 4}},
		{nn.NewLeakyReLU(nn.NegativeSlope(0.1)), []int{2, 3, 4}},
		{nn.NewSigmoid(), []int{2, 3, 4}},
		{nn.NewTanh(), []int{2, 3, 4}},
		{nn.NewGELU(), []int{2, 3, 4}},
		{nn.NewSoftmax(-1), []int{2, 3, 4}},
		{nn.NewLogSoftmax(1), []int{2, 3, 4}},
		{nn.NewIdentity(), []int{2, 3, 4}},
		{nn.NewFlatten(), []int{2, 12}},
		{nn.NewFlatten(nn.StartDim(0), nn.EndDim(1)), []int{6, 4}},
		{nn.NewLinear(4, 5, nn.WithDType(tensor.Float64)), []int{2, 3, 5}},
		{nn.NewLayerNorm([]int{3, 4}, nn.WithDType(tensor.Float64)), []int{2, 3, 4}},
	} {
		if got := c.l.Forward(x).Shape(); !slices.Equal(got, c.want) {
			t.Errorf("%s: shape %v, want %v", nn.Format(c.l), got, c.want)
		}
	}
	// Softmax rows sum to one.
	s := nn.NewSoftmax(-1).Forward(x).Value().Sum(tensor.Dim(-1))
	for _, v := range s.Float64s() {
		if math.Abs(v-1) > 1e-12 {
			t.Fatal("softmax rows")
		}
	}
	// Linear without bias, and its fused forward against matmul.
	l := nn.NewLinear(4, 2, nn.NoBias(), nn.WithDType(tensor.Float64))
	if l.Bias != nil || len(slices.Collect(nn.Parameters(l))) != 1 {
		t.Fatal("NoBias")
	}
	close(t, "linear", l.Forward(x).Value().Float64s(), x.Value().MatMul(l.Weight.Value().T()).Float64s(), 1e-12, 1e-12)
	mustPanic(t, "NoBias on Embedding", func() { nn.NewEmbedding(2, 2, nn.NoBias()) })
	// Losses.
	in := grad.Param(tensor.Float64.Randn(nil, 4, 3))
	tgt := f64([]float64{0, 2, 1, 2})
	l1 := nn.NewCrossEntropyLoss().Forward(in, tgt)
	l2 := nn.NewNLLLoss().Forward(in.LogSoftmax(1), tgt)
	close(t, "ce = nll(log_softmax)", []float64{l1.Item()}, []float64{l2.Item()}, 1e-12, 1e-12)
	mse := nn.NewMSELoss(grad.ReduceSum).Forward(in, grad.New(tensor.Float64.Zeros(4, 3)))
	close(t, "mse sum", []float64{mse.Item()}, []float64{in.Value().Square().Sum().Item()}, 1e-12, 1e-12)
	nn.NewL1Loss().Forward(in, grad.New(tensor.Float64.Zeros(4, 3)))
	nn.NewBCEWithLogitsLoss().Forward(in, grad.New(tensor.Float64.Ones(4, 3)))
}

// Concurrent inference over one model is race-free (run with -race).
func TestConcurrentInference(t *testing.T) {
	net := newNet()
	x := tensor.Randn(8, 4)
	want := net.Forward(grad.NoGrad(x)).Value().Float64s()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				y := net.Forward(grad.NoGrad(x))
				if !y.IsLeaf() || y.RequiresGrad() {
					t.Error("no-grad pass recorded a graph")
					return
				}
				got := y.Value().Float64s()
				if !slices.Equal(got, want) {
					t.Error("concurrent results differ")
					return
				}
				_ = nn.NumParameters(net)
			}
		}()
	}
	wg.Wait()
}

func TestContainers(t *testing.T) {
	s := nn.NewSequential(nn.NewLinear(2, 3), nn.NewReLU(), nn.NewLinear(3, 1))
	if s.Len() != 3 || s.At(-1) != s.At(2) {
		t.Fatal("At(-1)")
	}
	mustPanic(t, "At out of range", func() { s.At(3) })
	tail := s.Slice(1, 3)
	var names []string
	for n := range tail.All() {
		names = append(names, n)
	}
	if !slices.Equal(names, []string{"1", "2"}) {
		t.Fatalf("net[1:] keeps the names: %v", names)
	}
	if got := tail.Forward(grad.New(tensor.Randn(4, 3))).Shape(); !slices.Equal(got, []int{4, 1}) {
		t.Fatal(got)
	}
	l := nn.NewModuleList(nn.NewReLU())
	l.Append(nn.NewTanh())
	if l.Len() != 2 || nn.Format(l.At(1)) != "Tanh()" {
		t.Fatal("ModuleList")
	}
	d := nn.NewModuleDict()
	d.Set("z", nn.NewReLU())
	d.Set("a", nn.NewTanh())
	d.Set("z", nn.NewSigmoid()) // replaces in place
	if !slices.Equal(d.Keys(), []string{"z", "a"}) {
		t.Fatal(d.Keys())
	}
	if m, _ := d.Get("z"); nn.Format(m) != "Sigmoid()" {
		t.Fatal("replace")
	}
	d.Delete("z")
	if d.Len() != 1 {
		t.Fatal("delete")
	}
	if err := d.Set("a.b", nn.NewReLU()); err == nil {
		t.Fatal("dotted ModuleDict key accepted")
	}
	// A Sequential holding a non-Layer panics in Forward with its name.
	bad := nn.NewSequential()
	bad.Module.AddModule("loss", nn.NewMSELoss())
	r := mustPanic(t, "non-layer in Sequential", func() { bad.Forward(grad.New(tensor.Zeros(1))) })
	if !strings.Contains(r.(error).Error(), "(loss) MSELoss") {
		t.Fatal(r)
	}
}

// TestSequentialLinearReLU: Sequential runs a Linear followed by a ReLU as
// grad.LinearReLU; the outputs and gradients are those of calling the
// children one by one, with and without no-grad mode.
func TestSequentialLinearReLU(t *testing.T) {
	net := nn.NewSequential(nn.NewLinear(5, 8), nn.NewReLU(), nn.NewLinear(8, 6), nn.NewReLU(), nn.NewReLU(), nn.NewLinear(6, 3), nn.NewTanh())
	x := tensor.Randn(4, 5)
	byHand := func(in *grad.Variable) *grad.Variable {
		for i := range net.Len() {
			in = net.At(i).(nn.Layer).Forward(in)
		}
		return in
	}
	want := byHand(grad.NoGrad(x)).Value()
	got := net.Forward(grad.NoGrad(x)).Value()
	if !slices.Equal(tensor.Data[float32](want), tensor.Data[float32](got)) {
		t.Fatalf("no-grad: Sequential gives %v, the children one by one %v", got, want)
	}
	if !slices.Equal(tensor.Data[float32](want), tensor.Data[float32](net.Forward(grad.New(x)).Value())) {
		t.Fatal("grad mode: outputs differ from the children one by one")
	}
	grads := func(f func(*grad.Variable) *grad.Variable) [][]float32 {
		nn.ZeroGrad(net)
		f(grad.New(x)).Sum().Backward()
		var out [][]float32
		for p := range nn.Parameters(net) {
			out = append(out, slices.Clone(tensor.Data[float32](p.Grad())))
		}
		return out
	}
	g1, g2 := grads(net.Forward), grads(byHand)
	for i := range g1 {
		if !slices.Equal(g1[i], g2[i]) {
			t.Fatalf("parameter %d: gradients differ (Sequential %v, by hand %v)", i, g1[i], g2[i])
		}
	}
}
