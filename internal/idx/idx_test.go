package idx_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/simdtorch/simdtorch/internal/idx"
	"github.com/simdtorch/simdtorch/internal/idx/idxtest"
)

func TestValid(t *testing.T) {
	for name, b := range idxtest.Valid {
		t.Run(name, func(t *testing.T) {
			if _, err := idxtest.Check(t, b); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestHostile(t *testing.T) {
	for name, b := range idxtest.Hostile {
		t.Run(name, func(t *testing.T) {
			_, err := idxtest.Check(t, b)
			if err == nil {
				t.Fatal("accepted")
			}
			t.Log(err)
		})
	}
}

func TestDecode(t *testing.T) {
	a, err := idx.Parse(idxtest.File(idx.Int16, []uint32{2, 1}, 0x12, 0x34, 0xff, 0xfe))
	if err != nil {
		t.Fatal(err)
	}
	if a.Type != idx.Int16 || !slices.Equal(a.Dims, []int{2, 1}) || a.Numel() != 2 || !bytes.Equal(a.Data, []byte{0x12, 0x34, 0xff, 0xfe}) {
		t.Fatalf("got %s", idxtest.Describe(a))
	}
	if _, err := a.Uint8s(); err == nil || !strings.Contains(err.Error(), "int16") {
		t.Fatalf("Uint8s on int16: %v", err)
	}
	a, err = idx.Read(bytes.NewReader(idxtest.Gzip(idxtest.File(idx.Uint8, []uint32{2, 2}, 1, 2, 3, 4))))
	if err != nil {
		t.Fatal(err)
	}
	if u, err := a.Uint8s(); err != nil || !bytes.Equal(u, []byte{1, 2, 3, 4}) || !slices.Equal(a.Dims, []int{2, 2}) {
		t.Fatalf("got %s, %v", idxtest.Describe(a), err)
	}
	// Parse copies: the input may be reused.
	in := idxtest.File(idx.Uint8, []uint32{1}, 7)
	a, _ = idx.Parse(in)
	in[len(in)-1] = 8
	if a.Data[0] != 7 {
		t.Fatal("Parse's Data aliases its input")
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
		eof  bool // wraps io.ErrUnexpectedEOF
	}{
		{"empty", nil, "truncated", true},
		{"magic", []byte{1, 2, 8, 1}, "magic 01 02 08 01", false},
		{"type", []byte{0, 0, 0x42, 1, 0, 0, 0, 0}, "unknown element type 0x42", false},
		{"no dims", []byte{0, 0, 8, 0}, "no dimensions", false},
		{"dims", []byte{0, 0, 8, 2, 0, 0, 0, 1}, "truncated", true},
		{"data", idxtest.File(idx.Uint8, []uint32{3, 2}, 1, 2), "want 6 bytes, got 2", true},
		{"trailing", idxtest.File(idx.Uint8, []uint32{1}, 1, 2), "trailing bytes", false},
		{"overflow", idxtest.File(idx.Uint8, []uint32{1 << 31, 1 << 31, 4}), "overflow", false},
		{"gzip", []byte{0x1f, 0x8b, 8}, "gzip", true},
	}
	for _, c := range cases {
		for _, gz := range []bool{false, true} {
			in := c.in
			if gz {
				if c.name == "gzip" {
					continue
				}
				in = idxtest.Gzip(in)
			}
			_, perr := idx.Parse(in)
			_, rerr := idx.Read(bytes.NewReader(in))
			for _, err := range []error{perr, rerr} {
				if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, idx.ErrFormat) {
					t.Errorf("%s (gzip %v): error %v, want one containing %q and wrapping ErrFormat", c.name, gz, err, c.want)
				}
				if c.eof != errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("%s (gzip %v): error %v: wraps io.ErrUnexpectedEOF = %v, want %v", c.name, gz, err, !c.eof, c.eof)
				}
			}
		}
	}
}

// A header that claims gigabytes in front of a few bytes costs what the
// input holds, read from memory or from a stream.
func TestHostileHeaderAllocation(t *testing.T) {
	inputs := map[string][]byte{
		"raw":  idxtest.File(idx.Float64, []uint32{0xffffffff, 0xfffffff}, 1, 2, 3),
		"gzip": idxtest.Gzip(idxtest.File(idx.Uint8, []uint32{0xffffffff, 0x7fffffff}, make([]byte, 1000)...)),
	}
	for name, in := range inputs {
		for _, how := range []string{"Parse", "Read"} {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			var err error
			for range 10 {
				if how == "Parse" {
					_, err = idx.Parse(in)
				} else {
					_, err = idx.Read(bytes.NewReader(in))
				}
			}
			runtime.ReadMemStats(&m1)
			if err == nil {
				t.Fatalf("%s %s: accepted", name, how)
			}
			if got := (m1.TotalAlloc - m0.TotalAlloc) / 10; got > 256<<10 {
				t.Errorf("%s %s: %d bytes allocated per call for a %d-byte input", name, how, got, len(in))
			}
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	raw := idxtest.File(idx.Uint8, []uint32{2, 3}, 1, 2, 3, 4, 5, 6)
	os.WriteFile(filepath.Join(dir, "a"), raw, 0o644)
	os.WriteFile(filepath.Join(dir, "a.gz"), idxtest.Gzip(raw), 0o644)
	os.WriteFile(filepath.Join(dir, "bad"), raw[:8], 0o644)
	a, err := idx.ReadFile(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := idx.ReadFile(filepath.Join(dir, "a.gz"))
	if err != nil || !idxtest.Equal(a, b) {
		t.Fatalf("gzipped file: %v, %v", idxtest.Describe(b), err)
	}
	_, err = idx.ReadFile(filepath.Join(dir, "bad"))
	if err == nil || !strings.Contains(err.Error(), "bad: idx:") || !errors.Is(err, idx.ErrFormat) {
		t.Fatalf("bad file: %v", err)
	}
	if _, err = idx.ReadFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestWrite(t *testing.T) {
	var buf bytes.Buffer
	a := &idx.Array{Type: idx.Uint8, Dims: []int{2, 2}, Data: []byte{1, 2, 3, 4}}
	if err := idx.Write(&buf, a); err != nil {
		t.Fatal(err)
	}
	if want := idxtest.File(idx.Uint8, []uint32{2, 2}, 1, 2, 3, 4); !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("wrote % x, want % x", buf.Bytes(), want)
	}
	bad := []*idx.Array{
		{Type: 0x42, Dims: []int{1}, Data: []byte{1}},
		{Type: idx.Uint8, Data: []byte{}},
		{Type: idx.Uint8, Dims: make([]int, 256)},
		{Type: idx.Uint8, Dims: []int{-1}},
		{Type: idx.Uint8, Dims: []int{2}, Data: []byte{1}},
		{Type: idx.Int32, Dims: []int{1}, Data: []byte{1, 2}},
	}
	for _, a := range bad {
		if err := idx.Write(io.Discard, a); err == nil {
			t.Errorf("wrote %s", idxtest.Describe(a))
		}
	}
}

// The Fashion-MNIST files of Debian's dataset-fashion-mnist, when
// installed; all but the 26 MB of training images, which would take 10 s
// under qemu.
func TestFashionMNIST(t *testing.T) {
	const dir = "/usr/share/datasets/fashion-mnist/"
	want := map[string][]int{
		"train-labels-idx1-ubyte.gz": {60000},
		"t10k-images-idx3-ubyte.gz":  {10000, 28, 28},
		"t10k-labels-idx1-ubyte.gz":  {10000},
	}
	for name, dims := range want {
		a, err := idx.ReadFile(dir + name)
		if errors.Is(err, os.ErrNotExist) {
			t.Skip("dataset-fashion-mnist is not installed")
		}
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != idx.Uint8 || !slices.Equal(a.Dims, dims) || len(a.Data) != a.Numel() {
			t.Fatalf("%s: %s", name, idxtest.Describe(a))
		}
	}
}
