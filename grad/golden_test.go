package grad_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// Golden tests: values and gradients computed by PyTorch
// (testdata/gen_golden.py writes testdata/golden.json).

type gInput struct {
	Data  []float64 `json:"data"`
	Shape []int     `json:"shape"`
	DType string    `json:"dtype"`
	Grad  bool      `json:"grad"`
}

type gCase struct {
	Name   string         `json:"name"`
	Op     string         `json:"op"`
	Args   map[string]any `json:"args"`
	Inputs []gInput       `json:"inputs"`
	Gout   []float64      `json:"gout"`
	Out    struct {
		Data  []float64 `json:"data"`
		Shape []int     `json:"shape"`
	} `json:"out"`
	Grads [][]float64 `json:"grads"`
}

func (in gInput) build() *grad.Variable {
	t := tensor.New(in.Data, len(in.Data)).Reshape(in.Shape...)
	if in.DType == "float32" {
		t = t.To(tensor.Float32)
	}
	v := grad.New(t)
	if in.Grad {
		v.SetRequiresGrad(true)
	}
	return v
}

func num(a map[string]any, k string) float64 { return a[k].(float64) }

func ints(a any) []int {
	var out []int
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case []any:
			for _, y := range x {
				walk(y)
			}
		case float64:
			out = append(out, int(x))
		}
	}
	walk(a)
	return out
}

func floats(a any) []float64 {
	var out []float64
	for _, x := range a.([]any) {
		out = append(out, x.(float64))
	}
	return out
}

func lossOpts(a map[string]any, dt tensor.DType) []grad.LossOption {
	var o []grad.LossOption
	switch a["reduction"] {
	case "sum":
		o = append(o, grad.ReduceSum)
	case "none":
		o = append(o, grad.ReduceNone)
	}
	if w, ok := a["weight"]; ok && w != nil {
		o = append(o, grad.Weight(tensor.New(floats(w), len(floats(w))).To(dt)))
	}
	if i, ok := a["ignore"]; ok {
		o = append(o, grad.IgnoreIndex(int(i.(float64))))
	}
	if s, ok := a["smoothing"]; ok {
		o = append(o, grad.LabelSmoothing(s.(float64)))
	}
	if p, ok := a["pos_weight"]; ok && p != nil {
		o = append(o, grad.PosWeight(tensor.New(floats(p), len(floats(p))).To(dt)))
	}
	return o
}

func runGolden(c gCase, xs []*grad.Variable) *grad.Variable {
	a := c.Args
	dims := func(k string) []tensor.ReduceOption {
		var o []tensor.ReduceOption
		if a[k] != nil {
			o = append(o, tensor.Dims(ints(a[k])))
		}
		if keep, _ := a["keep"].(bool); keep {
			o = append(o, tensor.KeepDim)
		}
		return o
	}
	x := xs[0]
	switch c.Op {
	case "add":
		return x.Add(xs[1])
	case "sub":
		return x.Sub(xs[1])
	case "mul":
		return x.Mul(xs[1])
	case "div":
		return x.Div(xs[1])
	case "pow":
		return x.Pow(num(a, "e"))
	case "sqrt":
		return x.Sqrt()
	case "exp":
		return x.Exp()
	case "log":
		return x.Log()
	case "abs":
		return x.Abs()
	case "maximum":
		return x.Maximum(xs[1])
	case "where":
		return grad.Where(x.Value(), xs[1], xs[2])
	case "relu":
		return x.ReLU()
	case "leaky_relu":
		return x.LeakyReLU(num(a, "slope"))
	case "sigmoid":
		return x.Sigmoid()
	case "tanh":
		return x.Tanh()
	case "gelu":
		return x.GELU()
	case "softmax":
		return x.Softmax(int(num(a, "dim")))
	case "log_softmax":
		return x.LogSoftmax(int(num(a, "dim")))
	case "clamp":
		return x.Clamp(num(a, "lo"), num(a, "hi"))
	case "matmul":
		return x.MatMul(xs[1])
	case "addmm":
		return grad.AddMM(x, xs[1], xs[2], grad.Alpha(num(a, "alpha")), grad.Beta(num(a, "beta")))
	case "linear":
		return grad.Linear(x, xs[1], xs[2])
	case "view_chain":
		return x.Reshape(4, 3).T().Slice(1, 1, 3, 1).Reshape(-1).Mul(xs[1])
	case "permute_expand":
		return x.Permute(1, 0, 2).Expand(2, 1, 3, 4).Mul(xs[1])
	case "select_slice":
		return x.Select(0, 1).Slice(0, 0, 5, 2).MulScalar(3).Add(x.Select(1, 1).Sum())
	case "index_select":
		return x.IndexSelectInts(int(num(a, "dim")), ints(a["index"]))
	case "gather":
		idx := ints(a["index"])
		rows := len(a["index"].([]any))
		it := tensor.New(toF(idx), len(idx)).Reshape(rows, len(idx)/rows)
		return x.Gather(int(num(a, "dim")), it)
	case "cat":
		return grad.Cat(xs, int(num(a, "dim")))
	case "stack":
		return grad.Stack(xs, int(num(a, "dim")))
	case "split":
		d := int(num(a, "dim"))
		ps := x.Split(int(num(a, "size")), d)
		for i := range ps {
			ps[i] = ps[i].MulScalar(float64(i + 1))
		}
		return grad.Cat(ps, d)
	case "sum":
		return x.Sum(dims("dims")...)
	case "mean":
		return x.Mean(dims("dims")...)
	case "prod":
		if a["dim"] == nil {
			return x.Prod()
		}
		return x.Prod(tensor.Dim(int(num(a, "dim"))))
	case "var", "std":
		o := []tensor.ReduceOption{tensor.Dim(int(num(a, "dim")))}
		if !a["unbiased"].(bool) {
			o = append(o, tensor.Correction(0))
		}
		if c.Op == "var" {
			return x.Var(o...)
		}
		return x.Std(o...)
	case "amax":
		return x.Max(dims("dims")...)
	case "max_dim":
		m, _ := x.MaxDim(int(num(a, "dim")), a["keep"].(bool))
		return m
	case "min_dim":
		m, _ := x.MinDim(int(num(a, "dim")), a["keep"].(bool))
		return m
	case "norm":
		var p float64
		switch v := a["p"].(type) {
		case string:
			p = math.Inf(1)
		case float64:
			p = v
		}
		if a["dim"] == nil {
			return x.Norm(p)
		}
		return x.Norm(p, tensor.Dim(int(num(a, "dim"))))
	case "mse":
		return grad.MSELoss(x, xs[1], lossOpts(a, x.DType())...)
	case "l1":
		return grad.L1Loss(x, xs[1], lossOpts(a, x.DType())...)
	case "cross_entropy":
		return grad.CrossEntropyInts(x, ints(a["target"]), lossOpts(a, x.DType())...)
	case "nll":
		return grad.NLLLossInts(x, ints(a["target"]), lossOpts(a, x.DType())...)
	case "bce_logits":
		return grad.BCEWithLogits(x, xs[1], lossOpts(a, x.DType())...)
	}
	panic("unknown golden op " + c.Op)
}

func toF(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

func TestGolden(t *testing.T) {
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Torch string  `json:"torch"`
		Cases []gCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 50 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			xs := make([]*grad.Variable, len(c.Inputs))
			for i, in := range c.Inputs {
				xs[i] = in.build()
			}
			y := runGolden(c, xs)
			tol := 1e-9
			if y.DType() == tensor.Float32 {
				tol = 2e-5
			}
			if !sameInts(y.Shape(), c.Out.Shape) {
				t.Fatalf("result shape %v, torch %v", y.Shape(), c.Out.Shape)
			}
			closeTo(t, "value", y.Value().Float64s(), c.Out.Data, tol)
			y.BackwardGrad(tensor.New(c.Gout, len(c.Gout)).Reshape(c.Out.Shape...).To(y.DType()))
			for i, want := range c.Grads {
				got := xs[i].Grad()
				if want == nil {
					if got != nil {
						t.Errorf("input %d: got a gradient, torch has none", i)
					}
					continue
				}
				if got == nil {
					t.Fatalf("input %d (shape %v): no gradient", i, xs[i].Shape())
				}
				closeTo(t, "grad of input "+string(rune('0'+i))+" shape "+fmtInts(xs[i].Shape()), got.Float64s(), want, tol)
			}
		})
	}
}

func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, torch %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) || math.IsNaN(got[i]) != math.IsNaN(want[i]) {
			t.Fatalf("%s: element %d = %.9g, torch %.9g\n got  %v\n want %v", what, i, got[i], want[i], got, want)
		}
	}
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func fmtInts(s []int) string {
	b, _ := json.Marshal(s)
	return string(b)
}
