package nn_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/internal/safetensorstest"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

func writeST(t testing.TB, d *nn.TensorDict) []byte {
	var b bytes.Buffer
	if err := nn.WriteSafetensors(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The writer reproduces, byte for byte, a file laid out as the reference
// implementation lays it out (written by testdata/gen_golden.py).
func TestSafetensorsWriteMatchesReference(t *testing.T) {
	var g struct {
		Tensors  []tuple
		Metadata map[string]string
	}
	golden(t, "write_ref", &g)
	d := nn.NewTensorDict()
	d.Metadata = g.Metadata
	for _, e := range g.Tensors {
		var name, dt string
		var shape []int
		var v []float64
		e.at(t, 0, &name)
		e.at(t, 1, &dt)
		e.at(t, 2, &shape)
		e.at(t, 3, &v)
		x := tensor.New(v)
		if len(shape) == 0 {
			x = tensor.Scalar(v[0])
		} else {
			x = x.Reshape(shape...)
		}
		if dt == "F32" {
			x = x.To(tensor.Float32)
		}
		d.Set(name, x)
	}
	want, err := os.ReadFile("testdata/write_ref.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	got := writeST(t, d)
	if !bytes.Equal(got, want) {
		t.Fatalf("written file differs from the reference:\n got %q\nwant %q", got, want)
	}
	back, err := nn.ReadSafetensors(want)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(back.Metadata, g.Metadata) {
		t.Fatalf("metadata %v", back.Metadata)
	}
	for k, v := range d.All() {
		b, ok := back.Get(k)
		if !ok || b.DType() != v.DType() || !slices.Equal(b.Shape(), v.Shape()) || !slices.Equal(b.Float64s(), v.Float64s()) {
			t.Fatalf("%q read back as %v", k, b)
		}
	}
}

// The reference implementation's own test vectors.
func TestSafetensorsReferenceVectors(t *testing.T) {
	d := nn.NewTensorDict()
	d.Set("attn.0", tensor.New([]float32{0, 1, 2, 3, 4, 5}, 1, 2, 3))
	want := []byte{64, 0, 0, 0, 0, 0, 0, 0}
	want = append(want, `{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`...)
	want = append(want, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64)
	if got := writeST(t, d); !bytes.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	empty := nn.NewTensorDict()
	if got := writeST(t, empty); !bytes.Equal(got, []byte{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', 32, 32, 32, 32, 32, 32}) {
		t.Fatalf("empty: %q", got)
	}
	empty.Metadata = map[string]string{"framework": "pt"}
	want = append([]byte{40, 0, 0, 0, 0, 0, 0, 0}, `{"__metadata__":{"framework":"pt"}}     `...)
	if got := writeST(t, empty); !bytes.Equal(got, want) {
		t.Fatalf("metadata: %q", got)
	}
	d = nn.NewTensorDict()
	d.Set("attn0", tensor.New([]float32{0, 1, 2, 3, 4, 5}, 1, 1, 2, 3))
	got := writeST(t, d)
	if binary.LittleEndian.Uint64(got) != 72 || !bytes.HasSuffix(got[:80], []byte("]}}       ")) {
		t.Fatalf("alignment padding: %q", got)
	}
}

// F16 and BF16 tensors written by torch convert exactly as torch converts
// them to float32 (bit patterns compared, NaN and subnormals included).
func TestSafetensorsReadHalfs(t *testing.T) {
	var g struct {
		H       []uint32
		HShape  []int `json:"h_shape"`
		BF      []uint32
		BFShape []int `json:"bf_shape"`
		D, F    []float64
	}
	golden(t, "halfs_ref", &g)
	d, err := nn.LoadSafetensors("testdata/halfs_ref.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Keys(), []string{"d", "f", "bf", "h"}) || d.Metadata["format"] != "pt" {
		t.Fatalf("keys %v metadata %v", d.Keys(), d.Metadata)
	}
	for _, c := range []struct {
		name  string
		bits  []uint32
		shape []int
	}{{"h", g.H, g.HShape}, {"bf", g.BF, g.BFShape}} {
		x, _ := d.Get(c.name)
		if x.DType() != tensor.Float32 || !slices.Equal(x.Shape(), c.shape) {
			t.Fatalf("%s: %v %v", c.name, x.DType(), x.Shape())
		}
		for i, v := range x.Float32s() {
			if math.Float32bits(v) != c.bits[i] {
				t.Errorf("%s[%d] = %#08x (%v), torch %#08x (%v)", c.name, i, math.Float32bits(v), v, c.bits[i], math.Float32frombits(c.bits[i]))
			}
		}
	}
	x, _ := d.Get("d")
	if x.DType() != tensor.Float64 || !slices.Equal(x.Float64s(), g.D) {
		t.Fatal("F64 tensor")
	}
	x, _ = d.Get("f")
	close(t, "F32", x.Float64s(), g.F, 0, 0)
}

// A state dict saved by Python loads into the same architecture and gives
// PyTorch's outputs.
func TestSafetensorsModelFromPython(t *testing.T) {
	var g struct{ X, Y []float64 }
	golden(t, "mlp_ref", &g)
	sd, err := nn.LoadSafetensors("testdata/mlp_ref.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	net := nn.NewSequential(nn.NewLinear(4, 8), nn.NewReLU(), nn.NewLinear(8, 3))
	if _, err := nn.LoadStateDict(net, sd); err != nil {
		t.Fatal(err)
	}
	y := net.Forward(grad.NoGrad(tensor.New(g.X, 5, 4).To(tensor.Float32)))
	close(t, "net(x)", y.Value().Float64s(), g.Y, 1e-6, 1e-5)
	// Float64 model: F32 values converted on load.
	net64 := nn.NewSequential(nn.NewLinear(4, 8, nn.WithDType(tensor.Float64)), nn.NewReLU(), nn.NewLinear(8, 3, nn.WithDType(tensor.Float64)))
	if _, err := nn.LoadStateDict(net64, sd); err != nil {
		t.Fatal(err)
	}
	close(t, "net64(x)", net64.Forward(grad.NoGrad(tensor.New(g.X, 5, 4))).Value().Float64s(), g.Y, 1e-6, 1e-5)
}

// state dict → file → fresh model → identical outputs.
func TestSaveLoadRoundTrip(t *testing.T) {
	src := newNet()
	src.Running.Fill(3)
	path := filepath.Join(t.TempDir(), "net.safetensors")
	sd := nn.StateDict(src)
	sd.Metadata = map[string]string{"format": "pt", "epoch": "3"}
	if err := nn.SaveSafetensors(path, sd); err != nil {
		t.Fatal(err)
	}
	back, err := nn.LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(back.Metadata, sd.Metadata) {
		t.Fatal("metadata lost")
	}
	dst := newNet()
	if _, err := nn.LoadStateDict(dst, back); err != nil {
		t.Fatal(err)
	}
	x := grad.NoGrad(tensor.Randn(6, 4))
	close(t, "outputs", dst.Forward(x).Value().Float64s(), src.Forward(x).Value().Float64s(), 0, 0)
	if dst.Running.At(0) != 3 {
		t.Fatal("buffer not restored")
	}
	// Writing is deterministic and independent of insertion order.
	rev := nn.NewTensorDict()
	ks := sd.Keys()
	slices.Reverse(ks)
	for _, k := range ks {
		v, _ := sd.Get(k)
		rev.Set(k, v)
	}
	rev.Metadata = sd.Metadata
	if !bytes.Equal(writeST(t, rev), writeST(t, sd)) {
		t.Fatal("output depends on insertion order")
	}
	// Non-contiguous tensors are written in row-major order.
	nc := nn.NewTensorDict()
	base := tensor.New([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	nc.Set("t", base.T())
	r, err := nn.ReadSafetensors(writeST(t, nc))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := r.Get("t")
	close(t, "transposed", v.Float64s(), []float64{1, 4, 2, 5, 3, 6}, 0, 0)
	bad := nn.NewTensorDict()
	bad.Set("__metadata__", tensor.Zeros(1))
	if err := nn.WriteSafetensors(&bytes.Buffer{}, bad); err == nil {
		t.Fatal("a tensor named __metadata__ was written")
	}
}

func TestSafetensorsHostile(t *testing.T) {
	for name, b := range safetensorstest.Hostile {
		d, err := nn.ReadSafetensors(b)
		var se *nn.SafetensorsError
		if err == nil || !errors.As(err, &se) {
			t.Errorf("%s: got %v, %v; want a *SafetensorsError", name, d, err)
		}
	}
	// Valid edge cases.
	for name, b := range map[string][]byte{
		"empty":           safetensorstest.File(`{}`),
		"padded":          safetensorstest.File(`{}      `),
		"null metadata":   safetensorstest.File(`{"__metadata__":null}`),
		"zero-size":       safetensorstest.File(`{"a":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"b":{"dtype":"BF16","shape":[0],"data_offsets":[0,0]}}`),
		"scalar":          safetensorstest.File(`{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f),
		"unknown field":   safetensorstest.File(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2],"extra":{"x":[1]}}}`, 0, 0x3c),
		"offset order":    safetensorstest.File(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 8)...),
		"unicode escapes": safetensorstest.File(`{"\u00e9\n":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 0, 0, 0x80, 0x3f),
	} {
		d, err := nn.ReadSafetensors(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		safetensorstest.CheckRoundTrip(t, d)
	}
	d, _ := nn.ReadSafetensors(hostileOK("scalar"))
	if v, _ := d.Get("s"); v.Dim() != 0 || v.Item() != 1 {
		t.Fatalf("scalar %v", v)
	}
}

func hostileOK(string) []byte {
	return safetensorstest.File(`{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f)
}

// TestReadIntTensors: I64 and I32 tensors (PyTorch writes a BatchNorm's
// num_batches_tracked as I64) read as Float64 tensors with the same
// values, ±2^53 included; a value past that is an error.
func TestReadIntTensors(t *testing.T) {
	le64 := func(v int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }
	data := append(le64(1<<53), le64(-7)...)
	data = append(data, le64(0)...)
	data = binary.LittleEndian.AppendUint32(data, uint32(0xfffffffe)) // int32 -2
	data = binary.LittleEndian.AppendUint32(data, 123456789)
	f := safetensorstest.File(`{"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"v":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},"w":{"dtype":"I32","shape":[2],"data_offsets":[24,32]}}`, data...)
	d, err := nn.ReadSafetensors(f)
	require.NoError(t, err)
	n, _ := d.Get("n")
	v, _ := d.Get("v")
	w, _ := d.Get("w")
	assert.Equal(t, tensor.Float64, n.DType())
	assert.Equal(t, float64(1<<53), n.Item())
	assert.Equal(t, []float64{-7, 0}, v.Float64s())
	assert.Equal(t, []float64{-2, 123456789}, w.Float64s())

	_, err = nn.ReadSafetensors(safetensorstest.File(`{"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}`, le64(1<<53+1)...))
	var se *nn.SafetensorsError
	require.ErrorAs(t, err, &se)
	assert.Contains(t, err.Error(), "holds 9007199254740993, which a Float64 tensor cannot hold exactly")
}
