package tensor_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/simdtorch/simdtorch/tensor"
)

// The golden file is written by testdata/gen_golden.py with PyTorch; see
// that script for the format.

type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"nan"`:
		*n = num(math.NaN())
	case `"inf"`:
		*n = num(math.Inf(1))
	case `"-inf"`:
		*n = num(math.Inf(-1))
	default:
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		*n = num(f)
	}
	return nil
}

type gInput struct {
	Data  []num
	Range []float64
	Shape []int
	DType string
	Views [][]json.RawMessage
}

type gOut struct {
	Shape []int
	DType string
	Data  []num
}

type gCase struct {
	Op     string
	Inputs []int
	Args   map[string]json.RawMessage
	Out    []gOut
}

type golden struct {
	Torch   string
	Inputs  []gInput
	Cases   []gCase
	Strings []struct {
		Input int
		Str   string
	}
}

func loadGolden(t testing.TB) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func (in *gInput) build(t testing.TB) *tensor.Tensor {
	vals := make([]float64, len(in.Data))
	for i, v := range in.Data {
		vals[i] = float64(v)
	}
	if in.Range != nil {
		vals = make([]float64, int(in.Range[0]))
		for i := range vals {
			vals[i] = float64(i) / in.Range[1]
		}
	}
	var x *tensor.Tensor
	if in.DType == "float64" {
		x = tensor.New(vals).Reshape(in.Shape...)
	} else {
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = float32(v)
		}
		x = tensor.New(f).Reshape(in.Shape...)
	}
	for _, v := range in.Views {
		var name string
		mustJSON(t, v[0], &name)
		ints := func(i int) int { var n int; mustJSON(t, v[i], &n); return n }
		switch name {
		case "transpose":
			x = x.Transpose(ints(1), ints(2))
		case "permute":
			var p []int
			mustJSON(t, v[1], &p)
			x = x.Permute(p...)
		case "slice":
			x = x.Slice(ints(1), ints(2), ints(3), ints(4))
		case "expand":
			var p []int
			mustJSON(t, v[1], &p)
			x = x.Expand(p...)
		case "select":
			x = x.Select(ints(1), ints(2))
		default:
			t.Fatalf("unknown view %q", name)
		}
	}
	return x
}

func mustJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

// Ops whose result must equal PyTorch's bit for bit (NaN-ness aside).
var exactOps = map[string]bool{
	"add": true, "sub": true, "mul": true, "div": true, "maximum": true, "minimum": true,
	"gt": true, "ge": true, "lt": true, "le": true, "eq": true, "ne": true,
	"add_scalar": true, "sub_scalar": true, "rsub_scalar": true, "mul_scalar": true, "div_scalar": true,
	"rdiv_scalar": true, "gt_scalar": true, "neg": true, "abs": true, "relu": true, "leaky_relu": true,
	"clamp": true, "clamp_min": true, "where": true, "sqrt": true, "square": true, "sign": true,
	"reciprocal": true, "amax": true, "amin": true, "argmax": true, "argmin": true, "max_dim": true,
	"min_dim": true, "contiguous": true, "reshape": true, "flatten": true, "to_float64": true,
	"cat": true, "stack": true, "split": true, "chunk": true, "gather": true, "index_select": true,
	"eye": true, "arange": true,
}

func tolerance(op string, dtype tensor.DType) (rtol, atol float64) {
	if exactOps[op] {
		return 0, 0
	}
	switch {
	case op == "qr" && dtype == tensor.Float32:
		return 1e-4, 1e-5
	case dtype == tensor.Float32:
		return 2e-6 * 8, 1e-6
	}
	return 1e-13, 1e-14
}

func TestGolden(t *testing.T) {
	g := loadGolden(t)
	if len(g.Cases) == 0 {
		t.Fatal("no cases")
	}
	for i, c := range g.Cases {
		ins := make([]*tensor.Tensor, len(c.Inputs))
		for j, k := range c.Inputs {
			ins[j] = g.Inputs[k].build(t)
		}
		name := fmt.Sprintf("%d_%s", i, c.Op)
		desc := describe(ins, c.Args)
		var got []*tensor.Tensor
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s %s: panic: %v", name, desc, r)
				}
			}()
			got = runGolden(t, c, ins)
		}()
		if got == nil {
			continue
		}
		if len(got) != len(c.Out) {
			t.Errorf("%s %s: %d results, want %d", name, desc, len(got), len(c.Out))
			continue
		}
		for j, want := range c.Out {
			compareOut(t, name+" "+desc, c.Op, got[j], want)
		}
	}
}

func describe(ins []*tensor.Tensor, args map[string]json.RawMessage) string {
	var b strings.Builder
	for _, x := range ins {
		fmt.Fprintf(&b, "%v(strides %v %s) ", x.Shape(), x.Strides(), x.DType())
	}
	for k, v := range args {
		fmt.Fprintf(&b, "%s=%s ", k, v)
	}
	return b.String()
}

func compareOut(t *testing.T, name, op string, got *tensor.Tensor, want gOut) {
	t.Helper()
	if fmt.Sprint(got.Shape()) != fmt.Sprint(want.Shape) && !(len(want.Shape) == 0 && got.Dim() == 0) {
		t.Errorf("%s: shape %v, want %v", name, got.Shape(), want.Shape)
		return
	}
	if got.DType().String() != want.DType {
		t.Errorf("%s: dtype %v, want %v", name, got.DType(), want.DType)
		return
	}
	rtol, atol := tolerance(op, got.DType())
	gv := got.Float64s()
	bad := 0
	for i, w := range want.Data {
		wv, v := float64(w), gv[i]
		ok := false
		switch {
		case math.IsNaN(wv):
			ok = math.IsNaN(v)
		case math.IsInf(wv, 0):
			ok = v == wv
		case rtol == 0:
			ok = v == wv
		default:
			ok = math.Abs(v-wv) <= atol+rtol*math.Abs(wv)
		}
		if !ok {
			if bad < 3 {
				t.Errorf("%s: element %d = %v, want %v (rtol %g atol %g)", name, i, v, wv, rtol, atol)
			}
			bad++
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d elements differ", name, bad)
	}
}

func runGolden(t *testing.T, c gCase, in []*tensor.Tensor) []*tensor.Tensor {
	f := func(k string) float64 { var v float64; mustJSON(t, c.Args[k], &v); return v }
	n := func(k string) int { var v int; mustJSON(t, c.Args[k], &v); return v }
	one := func(x *tensor.Tensor) []*tensor.Tensor { return []*tensor.Tensor{x} }
	var opts []tensor.ReduceOption
	if raw, ok := c.Args["dims"]; ok {
		var dims []int
		mustJSON(t, raw, &dims)
		if dims != nil {
			opts = append(opts, tensor.Dims(dims))
		}
		var keep bool
		mustJSON(t, c.Args["keep"], &keep)
		if keep {
			opts = append(opts, tensor.KeepDim)
		}
		if _, ok := c.Args["correction"]; ok {
			opts = append(opts, tensor.Correction(f("correction")))
		}
	}
	dim := func() int {
		var dims []int
		mustJSON(t, c.Args["dims"], &dims)
		return dims[0]
	}
	keep := func() bool { var k bool; mustJSON(t, c.Args["keep"], &k); return k }
	x := func(i int) *tensor.Tensor { return in[i] }
	switch c.Op {
	case "add":
		return one(x(0).Add(x(1)))
	case "sub":
		return one(x(0).Sub(x(1)))
	case "mul":
		return one(x(0).Mul(x(1)))
	case "div":
		return one(x(0).Div(x(1)))
	case "maximum":
		return one(x(0).Maximum(x(1)))
	case "minimum":
		return one(x(0).Minimum(x(1)))
	case "gt":
		return one(x(0).Gt(x(1)))
	case "ge":
		return one(x(0).Ge(x(1)))
	case "lt":
		return one(x(0).Lt(x(1)))
	case "le":
		return one(x(0).Le(x(1)))
	case "eq":
		return one(x(0).Eq(x(1)))
	case "ne":
		return one(x(0).Ne(x(1)))
	case "add_scalar":
		return one(x(0).AddScalar(f("s")))
	case "sub_scalar":
		return one(x(0).SubScalar(f("s")))
	case "rsub_scalar":
		return one(x(0).RSubScalar(f("s")))
	case "mul_scalar":
		return one(x(0).MulScalar(f("s")))
	case "div_scalar":
		return one(x(0).DivScalar(f("s")))
	case "rdiv_scalar":
		return one(x(0).RDivScalar(f("s")))
	case "gt_scalar":
		return one(x(0).GtScalar(f("s")))
	case "neg":
		return one(x(0).Neg())
	case "abs":
		return one(x(0).Abs())
	case "exp":
		return one(x(0).Exp())
	case "log":
		return one(x(0).Log())
	case "tanh":
		return one(x(0).Tanh())
	case "sigmoid":
		return one(x(0).Sigmoid())
	case "relu":
		return one(x(0).ReLU())
	case "gelu":
		return one(x(0).GELU())
	case "square":
		return one(x(0).Square())
	case "sign":
		return one(x(0).Sign())
	case "sqrt":
		return one(x(0).Sqrt())
	case "rsqrt":
		return one(x(0).Rsqrt())
	case "reciprocal":
		return one(x(0).Reciprocal())
	case "leaky_relu":
		return one(x(0).LeakyReLU(f("s")))
	case "pow":
		return one(x(0).Pow(f("s")))
	case "clamp":
		return one(x(0).Clamp(f("lo"), f("hi")))
	case "clamp_min":
		return one(x(0).ClampMin(f("lo")))
	case "where":
		return one(tensor.Where(x(0).GtScalar(0), x(1), x(2)))
	case "sum":
		return one(x(0).Sum(opts...))
	case "mean":
		return one(x(0).Mean(opts...))
	case "prod":
		return one(x(0).Prod(opts...))
	case "var":
		return one(x(0).Var(opts...))
	case "std":
		return one(x(0).Std(opts...))
	case "amax":
		return one(x(0).Max(opts...))
	case "amin":
		return one(x(0).Min(opts...))
	case "norm1":
		return one(x(0).Norm(1, opts...))
	case "norm2":
		return one(x(0).Norm(2, opts...))
	case "norminf":
		return one(x(0).Norm(math.Inf(1), opts...))
	case "argmax":
		return one(x(0).ArgMax(opts...))
	case "argmin":
		return one(x(0).ArgMin(opts...))
	case "max_dim":
		v, i := x(0).MaxDim(dim(), keep())
		return []*tensor.Tensor{v, i}
	case "min_dim":
		v, i := x(0).MinDim(dim(), keep())
		return []*tensor.Tensor{v, i}
	case "softmax":
		return one(x(0).Softmax(n("dim")))
	case "log_softmax":
		return one(x(0).LogSoftmax(n("dim")))
	case "matmul":
		return one(x(0).MatMul(x(1)))
	case "addmm":
		return one(tensor.AddMM(x(0), x(1), x(2), tensor.Alpha(f("alpha")), tensor.Beta(f("beta"))))
	case "cat":
		return one(tensor.Cat(in, n("dim")))
	case "stack":
		return one(tensor.Stack(in, n("dim")))
	case "split":
		return x(0).Split(n("size"), n("dim"))
	case "chunk":
		return x(0).Chunk(n("n"), n("dim"))
	case "gather":
		return one(x(0).Gather(n("dim"), x(1)))
	case "index_select":
		return one(x(0).IndexSelect(n("dim"), x(1)))
	case "qr":
		q, r := x(0).QR()
		return []*tensor.Tensor{q, r}
	case "contiguous":
		y := x(0).Contiguous()
		if !y.IsContiguous() {
			t.Errorf("Contiguous() is not contiguous: strides %v", y.Strides())
		}
		return one(y)
	case "reshape":
		var s []int
		mustJSON(t, c.Args["shape"], &s)
		return one(x(0).Reshape(s...))
	case "flatten":
		return one(x(0).Flatten(n("start"), n("end")))
	case "to_float64":
		return one(x(0).To(tensor.Float64))
	case "arange":
		return one(tensor.Arange(f("start"), f("end"), f("step")))
	case "linspace":
		dt := tensor.Float32
		if _, ok := c.Args["dtype"]; ok {
			dt = tensor.Float64
		}
		return one(dt.Linspace(f("start"), f("end"), n("steps")))
	case "eye":
		return one(tensor.Eye(n("n"), n("m")))
	}
	t.Errorf("unknown golden op %q", c.Op)
	return nil
}

func TestGoldenString(t *testing.T) {
	g := loadGolden(t)
	for _, s := range g.Strings {
		x := g.Inputs[s.Input].build(t)
		if got := x.String(); got != s.Str {
			t.Errorf("shape %v %v:\ngot\n%s\nwant\n%s", x.Shape(), x.DType(), got, s.Str)
		}
	}
}
