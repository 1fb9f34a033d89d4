package fuzz

import (
	"bytes"
	"os"
	"testing"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// FuzzLoadStateDict reads arbitrary bytes as a checkpoint and loads them
// into a model (Linear, BatchNorm1d, ReLU, Linear), strictly and not: a
// refused file leaves the model as it was; a loaded one holds the file's
// values (converted to the model's dtypes) for every key both have, and
// the model still runs forward.
func FuzzLoadStateDict(f *testing.F) {
	newModel := func() *nn.Sequential {
		tensor.Seed(1)
		return nn.NewSequential(nn.NewLinear(4, 3), nn.NewBatchNorm1d(3), nn.NewReLU(), nn.NewLinear(3, 2))
	}
	var buf bytes.Buffer
	m := newModel()
	nn.Train(m)
	m.Forward(grad.New(tensor.Ones(5, 4)))
	if err := nn.WriteSafetensors(&buf, nn.StateDict(m)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes(), false)
	if b, err := os.ReadFile("../nn/testdata/batchnorm_ref.safetensors"); err == nil {
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, nonStrict bool) {
		sd, err := nn.ReadSafetensors(data)
		if err != nil {
			return
		}
		m := newModel()
		before := stateBytes(t, m)
		var opts []nn.Option
		if nonStrict {
			opts = append(opts, nn.NonStrict())
		}
		if _, err := nn.LoadStateDict(m, sd, opts...); err != nil {
			if !bytes.Equal(stateBytes(t, m), before) {
				t.Fatalf("a refused state dict changed the model: %v", err)
			}
			return
		}
		for k, v := range nn.StateDict(m).All() {
			src, ok := sd.Get(k)
			if !ok {
				continue
			}
			want := src.To(v.DType()).Float64s()
			got := v.Float64s()
			for i := range got {
				if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%s[%d] = %v after loading %v", k, i, got[i], want[i])
				}
			}
		}
		nn.Eval(m)
		m.Forward(grad.NoGrad(tensor.Ones(2, 4)))
	})
}

func stateBytes(t *testing.T, m nn.Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := nn.WriteSafetensors(&buf, nn.StateDict(m)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
