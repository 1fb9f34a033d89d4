package nn_test

// Replays of the examples of PyTorch's Parameter documentation and of the
// "parameter management" tutorials, compared with PyTorch's answers in
// testdata/golden.json.

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// A Parameter field is registered; a plain tensor (or Variable) field is
// not.
type withPlain struct {
	nn.Module
	P     *nn.Parameter
	Plain *tensor.Tensor
	Var   *grad.Variable
}

func TestParameterVsPlainTensor(t *testing.T) {
	m := &withPlain{
		P:     nn.NewParameter(tensor.Randn(3)),
		Plain: tensor.Randn(3),
		Var:   grad.Param(tensor.Randn(3)),
	}
	var names []string
	for n := range nn.NamedParameters(m) {
		names = append(names, n)
	}
	if !slices.Equal(names, []string{"p"}) {
		t.Fatalf("named parameters %v, want [p]", names)
	}
	if got := keys(nn.StateDict(m)); !slices.Equal(got, []string{"p"}) {
		t.Fatalf("state dict keys %v, want [p]", got)
	}
	if !m.P.RequiresGrad() || !m.P.IsLeaf() {
		t.Fatal("a Parameter requires grad and is a leaf by default")
	}
	if nn.NumParameters(m) != 3 {
		t.Fatalf("NumParameters = %d", nn.NumParameters(m))
	}
}

func TestParameterString(t *testing.T) {
	var want map[string]string
	golden(t, "param_str", &want)
	cases := map[string]*nn.Parameter{
		"empty":  nn.NewParameter(nil),
		"matrix": nn.NewParameter(tensor.FromRows([][]float32{{1, 2}, {3, 4}})),
		"frac":   nn.NewParameter(tensor.New([]float32{0.5, -1.25, 3})),
		"f64":    nn.NewParameter(tensor.New([]float64{1, 2.5})),
		"nograd": nn.NewParameter(tensor.New([]float32{1, 2})).SetRequiresGrad(false),
	}
	for k, p := range cases {
		if got := p.String(); got != want[k] {
			t.Errorf("%s:\n got %q\nwant %q", k, got, want[k])
		}
	}
	if s := nn.NewParameter(nil).Shape(); !slices.Equal(s, []int{0}) {
		t.Errorf("Parameter() shape %v, want [0]", s)
	}
}

func mlp() *nn.Sequential {
	return nn.NewSequential(nn.NewLinear(4, 8), nn.NewReLU(), nn.NewLinear(8, 1))
}

func TestMLPTutorial(t *testing.T) {
	net := mlp()
	x := tensor.Rand(2, 4)
	if s := net.Forward(grad.New(x)).Shape(); !slices.Equal(s, []int{2, 1}) {
		t.Fatalf("net(X).shape = %v", s)
	}
	var want string
	golden(t, "mlp_repr", &want)
	if got := net.String(); got != want {
		t.Fatalf("print(net):\n%s\nwant\n%s", got, want)
	}
	// print(net[2].state_dict())
	var got []nameShape
	for k, v := range nn.StateDict(net.At(2)).All() {
		got = append(got, nameShape{k, v.Shape()})
	}
	checkNameShapes(t, "net[2].state_dict()", got, "mlp2_state_dict")
	// net[2].bias is a Parameter; its grad is None before backward.
	l2 := net.At(2).(*nn.Linear)
	if l2.Bias.Grad() != nil || l2.Weight.Grad() != nil {
		t.Fatal("net[2].weight.grad should be nil before backward")
	}
	checkNameShapes(t, "net[0].named_parameters()", namedShapes(nn.NamedParameters(net.At(0))), "mlp0_named_parameters")
	checkNameShapes(t, "net.named_parameters()", namedShapes(nn.NamedParameters(net)), "mlp_named_parameters")
	var sdKeys []string
	golden(t, "mlp_state_dict_keys", &sdKeys)
	sd := nn.StateDict(net)
	if !slices.Equal(keys(sd), sdKeys) {
		t.Fatalf("state dict keys %v, want %v", keys(sd), sdKeys)
	}
	// net.state_dict()['2.bias'].data is net[2].bias's value.
	if b, _ := sd.Get("2.bias"); b != l2.Bias.Value() {
		t.Fatal("state_dict()['2.bias'] is not net[2].bias's tensor")
	}
	net.Forward(grad.New(x)).Sum().Backward()
	if l2.Weight.Grad() == nil || !slices.Equal(l2.Weight.Grad().Shape(), []int{1, 8}) {
		t.Fatal("net[2].weight.grad after backward")
	}
}

func block1() *nn.Sequential {
	return nn.NewSequential(nn.NewLinear(4, 8), nn.NewReLU(), nn.NewLinear(8, 4), nn.NewReLU())
}

func block2() *nn.Sequential {
	net := nn.NewSequential()
	for i := range 4 {
		if err := net.AddModule("block "+strconv.Itoa(i), block1()); err != nil {
			panic(err)
		}
	}
	return net
}

func TestNestedBlocks(t *testing.T) {
	rgnet := nn.NewSequential(block2(), nn.NewLinear(4, 1))
	y := rgnet.Forward(grad.New(tensor.Rand(2, 4)))
	if !slices.Equal(y.Shape(), []int{2, 1}) {
		t.Fatalf("rgnet(X).shape = %v", y.Shape())
	}
	var want string
	golden(t, "rgnet_repr", &want)
	if got := rgnet.String(); got != want {
		t.Fatalf("print(rgnet):\n%s\nwant\n%s", got, want)
	}
	checkNameShapes(t, "rgnet.named_parameters()", namedShapes(nn.NamedParameters(rgnet)), "rgnet_named_parameters")
	var sdKeys, modNames []string
	golden(t, "rgnet_state_dict_keys", &sdKeys)
	golden(t, "rgnet_named_modules", &modNames)
	if got := keys(nn.StateDict(rgnet)); !slices.Equal(got, sdKeys) {
		t.Fatalf("state dict keys %v\nwant %v", got, sdKeys)
	}
	var gotMods []string
	for n := range nn.NamedModules(rgnet) {
		gotMods = append(gotMods, n)
	}
	if !slices.Equal(gotMods, modNames) {
		t.Fatalf("named_modules %v\nwant %v", gotMods, modNames)
	}
	// rgnet[0][1][0].bias.data
	var bshape []int
	golden(t, "rgnet_0_1_0_bias_shape", &bshape)
	b := rgnet.At(0).(*nn.Sequential).At(1).(*nn.Sequential).At(0).(*nn.Linear).Bias
	if !slices.Equal(b.Shape(), bshape) {
		t.Fatalf("rgnet[0][1][0].bias shape %v", b.Shape())
	}
	sd := nn.StateDict(rgnet)
	if v, ok := sd.Get("0.block 1.0.bias"); !ok || v != b.Value() {
		t.Fatal(`state dict "0.block 1.0.bias" is not rgnet[0][1][0].bias`)
	}
}

func isLinear(m nn.Model) (*nn.Linear, bool) { l, ok := m.(*nn.Linear); return l, ok }

func TestApplyInit(t *testing.T) {
	net := mlp()
	var order []string
	nn.Apply(net, func(m nn.Model) { order = append(order, nn.Format(m)[:4]) })
	if !slices.Equal(order, []string{"Line", "ReLU", "Line", "Sequ"}) {
		t.Fatalf("apply order %v: children first, then the module", order)
	}
	// init_normal
	nn.Apply(net, func(m nn.Model) {
		if l, ok := isLinear(m); ok {
			nn.Normal(l.Weight, 0, 0.01)
			nn.Zeros(l.Bias)
		}
	})
	l0 := net.At(0).(*nn.Linear)
	if s := l0.Weight.Value().Std().Item(); s > 0.03 || s < 0.002 {
		t.Errorf("normal(0, 0.01) std %v", s)
	}
	if l0.Bias.Value().Abs().Sum().Item() != 0 {
		t.Error("zeros_ bias")
	}
	if !l0.Weight.IsLeaf() || !l0.Weight.RequiresGrad() {
		t.Error("init must not record anything")
	}
	// init_constant
	nn.Apply(net, func(m nn.Model) {
		if l, ok := isLinear(m); ok {
			nn.Constant(l.Weight, 1)
			nn.Zeros(l.Bias)
		}
	})
	if l0.Weight.Value().At(0, 0) != 1 || l0.Weight.Value().Min().Item() != 1 {
		t.Error("constant_(1)")
	}
	// net[0].apply(init_xavier); net[2].apply(init_42)
	nn.Apply(net.At(0), func(m nn.Model) {
		if l, ok := isLinear(m); ok {
			nn.XavierUniform(l.Weight)
		}
	})
	nn.Apply(net.At(2), func(m nn.Model) {
		if l, ok := isLinear(m); ok {
			nn.Constant(l.Weight, 42)
		}
	})
	bound := math.Sqrt(6.0 / (4 + 8))
	if w := l0.Weight.Value(); w.Max().Item() > bound || w.Min().Item() < -bound || w.Max().Item() == 1 {
		t.Errorf("xavier_uniform outside ±%v: %v", bound, w)
	}
	if w := net.At(2).(*nn.Linear).Weight.Value(); w.At(0, 0) != 42 {
		t.Errorf("net[2].weight.data[0] = %v, want 42", w.At(0, 0))
	}
	// Direct edits: net[0].weight.data[:] += 1; net[0].weight.data[0, 0] = 42
	l0.Weight.NoGrad().Value().AddScalarInPlace(1)
	l0.Weight.Value().Set(42, 0, 0)
	if l0.Weight.Value().At(0, 0) != 42 {
		t.Error("weight.data[0, 0] = 42")
	}
}

// my_init: U(-10, 10), then zero where |w| < 5: a mix of U(5, 10), 0 and
// U(-10, -5), compared with PyTorch's statistics.
func TestApplyCustomInit(t *testing.T) {
	big := nn.NewSequential(nn.NewLinear(512, 256), nn.NewReLU(), nn.NewLinear(512, 256))
	var visited []string
	nn.Apply(big, func(m nn.Model) {
		l, ok := isLinear(m)
		if !ok {
			return
		}
		for n, p := range nn.NamedParameters(l) {
			visited = append(visited, n+" "+strconv.Itoa(p.Size(0)))
			break
		}
		nn.Uniform(l.Weight, -10, 10)
		w := l.Weight.Value()
		w.MulInPlace(w.Abs().GeScalar(5))
	})
	if !slices.Equal(visited, []string{"weight 256", "weight 256"}) {
		t.Fatalf("Init prints %v", visited)
	}
	var st map[string]map[string]float64
	golden(t, "init_stats", &st)
	w := big.At(0).(*nn.Linear).Weight.Value()
	got := stats(w)
	got["pos_frac"] = w.GeScalar(5).Mean().Item()
	got["neg_frac"] = w.LeScalar(-5).Mean().Item()
	for _, k := range []string{"zero_frac", "pos_frac", "neg_frac"} {
		if math.Abs(got[k]-st["my_init"][k]) > 0.01 {
			t.Errorf("my_init %s = %v, torch %v", k, got[k], st["my_init"][k])
		}
	}
	if got["min"] < -10 || got["max"] > 10 {
		t.Errorf("my_init range [%v, %v]", got["min"], got["max"])
	}
	nonzero := w.Abs().Add(w.EqScalar(0).MulScalar(100))
	if nonzero.Min().Item() < 5 {
		t.Errorf("a nonzero weight has |w| < 5: %v", nonzero.Min().Item())
	}
}

// Tied weights: one Linear used twice is one object, gets the sum of both
// uses' gradients, is listed once by named_parameters and under both
// names by state_dict.
func TestTiedWeights(t *testing.T) {
	shared := nn.NewLinear(8, 8)
	net := nn.NewSequential(nn.NewLinear(4, 8), nn.NewReLU(), shared, nn.NewReLU(), shared, nn.NewReLU(), nn.NewLinear(8, 1))
	if net.At(2) != net.At(4) {
		t.Fatal("net[2] and net[4] must be the same object")
	}
	var g struct {
		NamedParameters []nameShape `json:"named_parameters"`
		StateDictKeys   []string    `json:"state_dict_keys"`
		State           []tuple
		X               []float64
		XShape          []int `json:"x_shape"`
		Y               []float64
		Grads           []tuple
	}
	golden(t, "tied", &g)
	checkNS(t, "named_parameters", namedShapes(nn.NamedParameters(net)), g.NamedParameters)
	if got := keys(nn.StateDict(net)); !slices.Equal(got, g.StateDictKeys) {
		t.Fatalf("state dict keys %v, want %v", got, g.StateDictKeys)
	}
	// Load PyTorch's values (every key, the shared ones twice).
	sd := nn.NewTensorDict()
	for _, e := range g.State {
		var k string
		var shape []int
		var v []float64
		e.at(t, 0, &k)
		e.at(t, 1, &shape)
		e.at(t, 2, &v)
		sd.Set(k, tensor.New(v, shape...))
	}
	if _, err := nn.LoadStateDict(net, sd); err != nil {
		t.Fatal(err)
	}
	y := net.Forward(grad.New(tensor.New(g.X, g.XShape...)))
	close(t, "tied net(X)", y.Value().Float64s(), g.Y, 1e-5, 1e-5)
	y.Sum().Backward()
	named := map[string]*nn.Parameter{}
	for n, p := range nn.NamedParameters(net) {
		named[n] = p
	}
	for _, e := range g.Grads {
		var n string
		var want []float64
		e.at(t, 0, &n)
		e.at(t, 1, &want)
		p := named[n]
		if p == nil {
			t.Fatalf("no parameter %s", n)
		}
		close(t, n+".grad", p.Grad().Float64s(), want, 1e-5, 1e-4)
	}
	// The shared weight's gradient is the sum over its two uses: check
	// against a net with two separate copies.
	a, b := nn.NewLinear(8, 8), nn.NewLinear(8, 8)
	untied := nn.NewSequential(net.At(0), nn.NewReLU(), a, nn.NewReLU(), b, nn.NewReLU(), net.At(6))
	a.Weight.NoGrad().Copy(shared.Weight.Value())
	a.Bias.NoGrad().Copy(shared.Bias.Value())
	b.Weight.NoGrad().Copy(shared.Weight.Value())
	b.Bias.NoGrad().Copy(shared.Bias.Value())
	untied.Forward(grad.New(tensor.New(g.X, g.XShape...))).Sum().Backward()
	sum := a.Weight.Grad().Add(b.Weight.Grad())
	close(t, "shared grad = sum of uses", shared.Weight.Grad().Float64s(), sum.Float64s(), 1e-5, 1e-5)
}

func TestFrozenParameters(t *testing.T) {
	net := mlp()
	nn.RequiresGrad(net.At(0), false)
	net.Forward(grad.New(tensor.Rand(3, 4))).Sum().Backward()
	for n, p := range nn.NamedParameters(net) {
		frozen := n[0] == '0'
		if frozen != (p.Grad() == nil) {
			t.Errorf("%s: requires_grad %v, grad %v", n, p.RequiresGrad(), p.Grad())
		}
	}
	// for p in model.parameters(): p.requires_grad = False
	for p := range nn.Parameters(net) {
		p.SetRequiresGrad(false)
	}
	r := mustPanic(t, "backward through a frozen net", func() {
		net.Forward(grad.New(tensor.Rand(3, 4))).Sum().Backward()
	})
	if err, ok := r.(error); !ok || !errors.Is(err, grad.ErrNoGradFn) {
		t.Fatalf("panic %v, want ErrNoGradFn", r)
	}
}

// ViT's class token and position embedding: 3-D parameters of a module.
type vit struct {
	nn.Module
	ClsToken     *nn.Parameter
	PosEmbedding *nn.Parameter
	Proj         *nn.Linear
}

func newViT(patches, dim int) *vit {
	return &vit{
		ClsToken:     nn.NewParameter(tensor.Randn(1, 1, dim)),
		PosEmbedding: nn.NewParameter(tensor.Randn(1, patches+1, dim)),
		Proj:         nn.NewLinear(dim, dim),
	}
}

// Forward takes patch embeddings [b, n, dim].
func (v *vit) Forward(x *grad.Variable) *grad.Variable {
	b, n := x.Size(0), x.Size(1)
	cls := v.ClsToken.Expand(b, 1, -1)          // repeat(cls_token, '1 1 d -> b 1 d')
	x = grad.Cat([]*grad.Variable{cls, x}, 1)   // torch.cat((cls_tokens, x), dim=1)
	x = x.Add(v.PosEmbedding.Narrow(1, 0, n+1)) // x += pos_embedding[:, :(n + 1)]
	return v.Proj.Forward(x)
}

func TestViTTokens(t *testing.T) {
	m := newViT(6, 4)
	var names []string
	for n, p := range nn.NamedParameters(m) {
		names = append(names, n+strconv.Itoa(p.Dim()))
	}
	if !slices.Equal(names, []string{"cls_token3", "pos_embedding3", "proj.weight2", "proj.bias1"}) {
		t.Fatalf("names %v", names)
	}
	y := m.Forward(grad.New(tensor.Randn(2, 5, 4)))
	if !slices.Equal(y.Shape(), []int{2, 6, 4}) {
		t.Fatalf("shape %v", y.Shape())
	}
	y.Sum().Backward()
	if g := m.ClsToken.Grad(); g == nil || !slices.Equal(g.Shape(), []int{1, 1, 4}) {
		t.Fatal("cls_token grad")
	}
	g := m.PosEmbedding.Grad()
	if g == nil || !slices.Equal(g.Shape(), []int{1, 7, 4}) {
		t.Fatal("pos_embedding grad")
	}
	// The last position was not used (n+1 = 6 of 7): zero gradient there.
	if s := g.Select(1, 6).Abs().Sum().Item(); s != 0 {
		t.Fatalf("unused position got gradient %v", s)
	}
}

// A flat parameter viewed as several weights trains as one.
type flatNet struct {
	nn.Module
	Flat *nn.Parameter
}

func (f *flatNet) Forward(x *grad.Variable) *grad.Variable {
	w1 := f.Flat.Narrow(0, 0, 12).View(3, 4)
	w2 := f.Flat.Narrow(0, 12, 6).View(2, 3)
	return grad.Linear(grad.Linear(x, w1, nil).Tanh(), w2, nil)
}

func TestFlatParameterViews(t *testing.T) {
	f := &flatNet{Flat: nn.NewParameter(tensor.Float64.Randn(nil, 18))}
	x := tensor.Float64.Randn(nil, 5, 4)
	f.Forward(grad.New(x)).Sum().Backward()
	// The same with separate weights.
	w1 := grad.Param(f.Flat.Value().Narrow(0, 0, 12).Reshape(3, 4).Clone())
	w2 := grad.Param(f.Flat.Value().Narrow(0, 12, 6).Reshape(2, 3).Clone())
	grad.Linear(grad.Linear(grad.New(x), w1, nil).Tanh(), w2, nil).Sum().Backward()
	want := append(w1.Grad().Float64s(), w2.Grad().Float64s()...)
	close(t, "flat.grad", f.Flat.Grad().Float64s(), want, 1e-12, 1e-12)
	if nn.NumParameters(f) != 18 {
		t.Fatal("NumParameters")
	}
}

// Constraints applied to parameters under no-grad: clamp, row norms, QR.
func TestConstraintsUnderNoGrad(t *testing.T) {
	p := nn.NewParameter(tensor.Float64.Randn(nil, 4, 3).MulScalar(3))
	r := mustPanic(t, "in-place on a leaf that requires grad", func() { p.Copy(p.Value().Clamp(-1, 1)) })
	if err, ok := r.(error); !ok || !errors.Is(err, grad.ErrLeafInPlace) {
		t.Fatalf("panic %v, want ErrLeafInPlace", r)
	}
	// with torch.no_grad(): p.clamp_(-1, 1)
	p.NoGrad().Copy(p.Value().Clamp(-1, 1))
	if p.Value().Max().Item() > 1 || p.Value().Min().Item() < -1 {
		t.Fatal("clamp")
	}
	// with torch.no_grad(): p.div_(p.norm(dim=1, keepdim=True))
	p.NoGrad().Copy(p.Value().Div(p.Value().Norm(2, tensor.Dim(1), tensor.KeepDim)))
	close(t, "row norms", p.Value().Norm(2, tensor.Dim(1)).Float64s(), []float64{1, 1, 1, 1}, 1e-12, 0)
	// with torch.no_grad(): q, r = torch.linalg.qr(p); p.copy_(q)
	q, _ := p.Value().QR()
	p.NoGrad().Copy(q)
	qtq := p.Value().T().MatMul(p.Value())
	close(t, "QᵀQ", qtq.Float64s(), tensor.Float64.Eye(3, 3).Float64s(), 1e-12, 0)
	if !p.IsLeaf() || !p.RequiresGrad() || p.Grad() != nil {
		t.Fatal("constraints must leave the parameter a leaf requiring grad")
	}
	// It still trains.
	p.Sum().Backward()
	if p.Grad() == nil {
		t.Fatal("no grad after the constraints")
	}
}
