package fuzz

import (
	"encoding/binary"
	"math"
	"os"
	"testing"

	"github.com/simdtorch/simdtorch/internal/safetensorstest"
	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// FuzzSafetensorsRead feeds arbitrary bytes to the reader: it must never
// panic or read out of bounds, and whatever it accepts must survive a
// write/read round trip unchanged.
func FuzzSafetensorsRead(f *testing.F) {
	for _, name := range []string{"write_ref", "halfs_ref", "mlp_ref", "batchnorm_ref"} {
		if b, err := os.ReadFile("../nn/testdata/" + name + ".safetensors"); err == nil {
			f.Add(b)
		}
	}
	for _, b := range safetensorstest.Hostile {
		f.Add(b)
	}
	f.Add(safetensorstest.File(`{}`))
	f.Add(safetensorstest.File(`{"__metadata__":{"k":"v"},"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}`, 0x80, 0x3f, 0xc0, 0x7f))
	f.Add(safetensorstest.File(`{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}`, 0x01, 0x00, 0x00, 0x7c, 0x01, 0xfe))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := nn.ReadSafetensors(data)
		if err != nil {
			if d != nil {
				t.Fatal("a dict returned with an error")
			}
			return
		}
		safetensorstest.CheckRoundTrip(t, d)
	})
}

// FuzzSafetensorsWrite builds dicts with arbitrary names, metadata, shapes
// and bit patterns: the writer's JSON must always parse back to the same
// dict.
func FuzzSafetensorsWrite(f *testing.F) {
	f.Add("weight", "bias", "format", "pt", []byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(2), false)
	f.Add("a\"b\\c\n", "\x00\x1f\u00e9\u2028", "", "", []byte{0xff, 0xff, 0xff, 0x7f}, uint8(0), true)
	f.Add("", "x.y", "\t", "\u0000", []byte{}, uint8(3), false)
	f.Fuzz(func(t *testing.T, n1, n2, mk, mv string, raw []byte, rows uint8, f64 bool) {
		d := nn.NewTensorDict()
		mk1 := func(raw []byte) *tensor.Tensor {
			if f64 {
				v := make([]float64, len(raw)/8)
				for i := range v {
					v[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
				}
				return shaped(tensor.New(v), rows)
			}
			v := make([]float32, len(raw)/4)
			for i := range v {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			}
			return shaped(tensor.New(v), rows)
		}
		d.Set(n1, mk1(raw))
		d.Set(n2, mk1(raw[len(raw)/2:]).To(tensor.Float32))
		if mk != "" || mv != "" {
			d.Metadata = map[string]string{mk: mv}
		}
		var b []byte
		{
			var buf bytesBuffer
			err := nn.WriteSafetensors(&buf, d)
			if err != nil {
				return // invalid UTF-8 or the reserved name: refused, fine
			}
			b = buf.b
		}
		back, err := nn.ReadSafetensors(b)
		if err != nil {
			t.Fatalf("reading a written file: %v\n%q", err, b)
		}
		safetensorstest.CheckRoundTrip(t, back)
		for k, v := range d.All() {
			w, ok := back.Get(k)
			if !ok || w.Numel() != v.Numel() {
				t.Fatalf("%q lost", k)
			}
		}
	})
}

type bytesBuffer struct{ b []byte }

func (w *bytesBuffer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// shaped reshapes a 1-D tensor to [rows, -1] when rows divides its length.
func shaped(t *tensor.Tensor, rows uint8) *tensor.Tensor {
	r := int(rows)
	if r > 0 && t.Numel() > 0 && t.Numel()%r == 0 {
		return t.Reshape(r, -1)
	}
	return t
}
