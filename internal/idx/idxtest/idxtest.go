// Package idxtest holds what the tests of package idx and the fuzz target
// FuzzIDXRead share: corpora of valid and hostile IDX files and a
// consistency check of the reader on any input.
package idxtest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/iotest"

	"github.com/simdtorch/simdtorch/internal/idx"
)

// File builds an IDX file: the magic for type t and len(dims) dimensions,
// the dimensions, then data.
func File(t idx.Type, dims []uint32, data ...byte) []byte {
	b := []byte{0, 0, byte(t), byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

// Gzip compresses b as one gzip member.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	return b
}

// Valid holds well-formed files, one of each element type, uncompressed
// and gzipped.
var Valid = map[string][]byte{}

// Hostile holds malformed files the reader must refuse with an error:
// bad magics, unknown types, headers and data cut short, trailing bytes,
// sizes that overflow or claim far more than the input holds, and broken
// gzip streams.
var Hostile = map[string][]byte{
	"empty":                  {},
	"one byte":               {0},
	"short magic":            {0, 0, 8},
	"magic byte 0":           {1, 0, 8, 1, 0, 0, 0, 1, 7},
	"magic byte 1":           {0, 1, 8, 1, 0, 0, 0, 1, 7},
	"type 0":                 {0, 0, 0, 1, 0, 0, 0, 1, 7},
	"type 0x0a":              {0, 0, 0x0a, 1, 0, 0, 0, 1, 7},
	"type 0xff":              {0, 0, 0xff, 1, 0, 0, 0, 1, 7},
	"no dimensions":          {0, 0, 8, 0, 7},
	"dimensions cut":         {0, 0, 8, 2, 0, 0, 0, 1, 0, 0},
	"255 dimensions cut":     {0, 0, 8, 255, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1},
	"data cut":               File(idx.Uint8, []uint32{5}, 1, 2, 3),
	"int16 odd data":         File(idx.Int16, []uint32{2}, 1, 2, 3),
	"float64 data cut":       File(idx.Float64, []uint32{1}, 1, 2, 3, 4, 5, 6, 7),
	"trailing byte":          File(idx.Uint8, []uint32{1}, 7, 8),
	"trailing after empty":   File(idx.Uint8, []uint32{0, 5}, 1),
	"claims 4 GiB":           File(idx.Uint8, []uint32{0xffffffff}, 1, 2, 3),
	"claims 16 GiB floats":   File(idx.Float32, []uint32{0xffffffff}, 1, 2, 3, 4),
	"claims 2^40 bytes":      File(idx.Uint8, []uint32{1 << 20, 1 << 20}, 1, 2),
	"overflows int":          File(idx.Uint8, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, 1),
	"float64 overflows int":  File(idx.Float64, []uint32{1 << 31, 1 << 31}, 1),
	"product wraps to zero":  File(idx.Uint8, []uint32{1 << 31, 1 << 31, 4}),
	"gzip magic only":        {0x1f, 0x8b},
	"gzip bad header":        {0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0},
	"gzip of truncated data": Gzip(File(idx.Uint8, []uint32{5}, 1, 2, 3)),
	"gzip of trailing data":  Gzip(File(idx.Uint8, []uint32{1}, 7, 8)),
	"gzip of huge claim":     Gzip(File(idx.Uint8, []uint32{0xffffffff, 0xffffffff}, 1, 2, 3)),
	"gzip of bad magic":      Gzip([]byte{9, 9, 9, 9}),
	"gzip of nothing":        Gzip(nil),
}

func init() {
	valid := map[string][]byte{
		"uint8 vector":    File(idx.Uint8, []uint32{3}, 1, 2, 3),
		"uint8 images":    File(idx.Uint8, []uint32{2, 3, 4}, seq(24)...),
		"uint8 one":       File(idx.Uint8, []uint32{1}, 255),
		"empty":           File(idx.Uint8, []uint32{0}),
		"empty 2-d":       File(idx.Uint8, []uint32{0, 0xffffffff}),
		"int8":            File(idx.Int8, []uint32{2}, 0x80, 0x7f),
		"int16":           File(idx.Int16, []uint32{2, 1}, 0x12, 0x34, 0xff, 0xfe),
		"int32":           File(idx.Int32, []uint32{1}, 0xde, 0xad, 0xbe, 0xef),
		"float32":         File(idx.Float32, []uint32{2}, 0x3f, 0x80, 0, 0, 0x7f, 0xc0, 0, 1),
		"float64":         File(idx.Float64, []uint32{1, 1, 1}, 0x40, 9, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18),
		"labels":          File(idx.Uint8, []uint32{10}, 9, 0, 0, 3, 0, 2, 7, 2, 5, 5),
		"many dimensions": File(idx.Uint8, slices.Repeat([]uint32{1}, 255), 42),
	}
	for k, b := range valid {
		Valid[k] = b
		Valid["gzip "+k] = Gzip(b)
	}
	whole := Gzip(File(idx.Uint8, []uint32{64}, seq(64)...))
	Hostile["gzip cut"] = whole[:len(whole)/2]
	Hostile["gzip no trailer"] = whole[:len(whole)-8]
	bad := bytes.Clone(whole)
	bad[len(bad)-8] ^= 1 // CRC-32
	Hostile["gzip bad checksum"] = bad
	bad = bytes.Clone(whole)
	bad[len(bad)-1] ^= 1 // ISIZE
	Hostile["gzip bad size"] = bad
	Hostile["gzip trailing garbage"] = append(bytes.Clone(whole), 1, 2, 3)
	Hostile["gzip then raw"] = append(bytes.Clone(whole), File(idx.Uint8, []uint32{1}, 7)...)
}

// Check runs the reader on data in every way it can (Parse, Read, Read
// one byte at a time and with the last read returning the error) and
// checks that they agree. An accepted file must be consistent (len(Data)
// = Numel·Size), must encode back to data when data is not compressed,
// and must decode the same after a write/read round trip and through
// gzip. A refused one must wrap idx.ErrFormat. It returns Parse's
// result.
func Check(t testing.TB, data []byte) (*idx.Array, error) {
	t.Helper()
	a, err := idx.Parse(data)
	for name, r := range map[string]func() (*idx.Array, error){
		"Read":               func() (*idx.Array, error) { return idx.Read(bytes.NewReader(data)) },
		"Read one byte":      func() (*idx.Array, error) { return idx.Read(iotest.OneByteReader(bytes.NewReader(data))) },
		"Read data with EOF": func() (*idx.Array, error) { return idx.Read(iotest.DataErrReader(bytes.NewReader(data))) },
	} {
		b, berr := r()
		if (err == nil) != (berr == nil) {
			t.Fatalf("Parse error %v, %s error %v", err, name, berr)
		}
		if err == nil && !Equal(a, b) {
			t.Fatalf("Parse and %s disagree: %v vs %v", name, Describe(a), Describe(b))
		}
	}
	if err != nil {
		if a != nil {
			t.Fatal("an array returned with an error")
		}
		if !errors.Is(err, idx.ErrFormat) {
			t.Fatalf("error %v does not wrap ErrFormat", err)
		}
		return nil, err
	}
	if a.Numel()*a.Type.Size() != len(a.Data) || len(a.Dims) == 0 {
		t.Fatalf("inconsistent array %v", Describe(a))
	}
	enc, err := idx.Append(nil, a)
	if err != nil {
		t.Fatalf("encoding an accepted array: %v", err)
	}
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) && !bytes.Equal(enc, data) {
		t.Fatalf("re-encoding changed the file:\n got %x\nwant %x", enc, data)
	}
	for name, b := range map[string][]byte{"encoded": enc, "gzipped": Gzip(enc)} {
		back, err := idx.Parse(b)
		if err != nil {
			t.Fatalf("reading the %s array: %v", name, err)
		}
		if !Equal(a, back) {
			t.Fatalf("%s round trip: %v became %v", name, Describe(a), Describe(back))
		}
	}
	return a, nil
}

// Equal reports whether two arrays have the same type, dimensions and data.
func Equal(a, b *idx.Array) bool {
	return a.Type == b.Type && slices.Equal(a.Dims, b.Dims) && bytes.Equal(a.Data, b.Data)
}

// Describe prints an array briefly.
func Describe(a *idx.Array) string {
	if a == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%v %v (%d bytes: % x)", a.Type, a.Dims, len(a.Data), a.Data[:min(len(a.Data), 16)])
}
