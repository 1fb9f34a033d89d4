package nn_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

var (
	goldenOnce sync.Once
	goldenData map[string]json.RawMessage
)

// golden decodes the entry key of testdata/golden.json (written by
// testdata/gen_golden.py) into v.
func golden(t *testing.T, key string, v any) {
	t.Helper()
	goldenOnce.Do(func() {
		b, err := os.ReadFile("testdata/golden.json")
		if err != nil {
			panic(err)
		}
		if err := json.Unmarshal(b, &goldenData); err != nil {
			panic(err)
		}
	})
	raw, ok := goldenData[key]
	if !ok {
		t.Fatalf("golden.json has no %q", key)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("golden %q: %v", key, err)
	}
}

// nameShape is a golden [name, shape] pair.
type nameShape struct {
	Name  string
	Shape []int
}

func (n *nameShape) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return errors.New("want [name, shape]")
	}
	if err := json.Unmarshal(pair[0], &n.Name); err != nil {
		return err
	}
	return json.Unmarshal(pair[1], &n.Shape)
}

func namedShapes[T interface{ Shape() []int }](seq func(func(string, T) bool)) []nameShape {
	var out []nameShape
	for n, p := range seq {
		out = append(out, nameShape{n, p.Shape()})
	}
	return out
}

func checkNameShapes(t *testing.T, what string, got []nameShape, goldenKey string) {
	t.Helper()
	var want []nameShape
	golden(t, goldenKey, &want)
	checkNS(t, what, got, want)
}

func checkNS(t *testing.T, what string, got, want []nameShape) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d entries %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range want {
		if got[i].Name != want[i].Name || !slices.Equal(got[i].Shape, want[i].Shape) {
			t.Errorf("%s[%d]: got %s %v, want %s %v", what, i, got[i].Name, got[i].Shape, want[i].Name, want[i].Shape)
		}
	}
}

// tuple decodes a golden JSON array of mixed values into its elements.
type tuple []json.RawMessage

func (tp tuple) at(t *testing.T, i int, v any) {
	t.Helper()
	if err := json.Unmarshal(tp[i], v); err != nil {
		t.Fatalf("golden tuple element %d: %v", i, err)
	}
}

func close(t *testing.T, what string, got, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= atol+rtol*math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v (|diff| %g)", what, i, got[i], want[i], d)
		}
	}
}

func keys(d *nn.TensorDict) []string { return d.Keys() }

func mustPanic(t *testing.T, what string, f func()) any {
	t.Helper()
	var r any
	func() {
		defer func() { r = recover() }()
		f()
	}()
	if r == nil {
		t.Fatalf("%s: did not panic", what)
	}
	return r
}

func f64(v []float64, shape ...int) *tensor.Tensor { return tensor.New(v, shape...) }

func ng(t *tensor.Tensor) *grad.Variable { return grad.NoGrad(t) }

// readJSON decodes testdata/name (a golden file written by one of the
// gen_*.py scripts) into v.
func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
