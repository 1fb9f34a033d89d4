// Package safetensorstest holds what the safetensors tests of package nn
// and the fuzz targets in package fuzz share: a corpus of hostile files and
// a write/read round-trip check.
package safetensorstest

import (
	"bytes"
	"encoding/binary"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

func write(t testing.TB, d *nn.TensorDict) []byte {
	var b bytes.Buffer
	if err := nn.WriteSafetensors(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// File builds a safetensors file from a header string and data.
func File(header string, data ...byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

// Hostile holds malformed files the reader must refuse with an error:
// lengths, offsets and sizes that overflow or leave gaps, duplicate
// names, bad JSON, unknown dtypes.
var Hostile = map[string][]byte{
	"short":              {1, 2, 3},
	"huge header length": binary.LittleEndian.AppendUint64(nil, 1<<62),
	"header past end":    append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...),
	"max uint64 length":  binary.LittleEndian.AppendUint64(nil, math.MaxUint64),
	"not an object":      File(`[]`),
	"leading space":      File(` {}`),
	"bad utf8":           File("{\"\xff\":1}"),
	"trailing garbage":   File(`{}x`),
	"two objects":        File(`{}{}`),
	"truncated":          File(`{"a":{"dtype":"F32"`),
	"duplicate name":     File(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)...),
	"duplicate field":    File(`{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)...),
	"duplicate metadata": File(`{"__metadata__":{},"__metadata__":{}}`),
	"metadata number":    File(`{"__metadata__":{"a":1}}`),
	"metadata dup key":   File(`{"__metadata__":{"a":"x","a":"y"}}`),
	"unknown dtype":      File(`{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, make([]byte, 16)...),
	"int dtype":          File(`{"a":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}`, make([]byte, 2)...),
	"I64 past 2^53":      File(`{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, 1, 0, 0, 0, 0, 0, 0x20, 0),
	"negative dim":       File(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)...),
	"float dim":          File(`{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}`, make([]byte, 4)...),
	"string dim":         File(`{"a":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`, make([]byte, 4)...),
	"missing shape":      File(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, make([]byte, 4)...),
	"three offsets":      File(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, make([]byte, 4)...),
	"size mismatch":      File(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)...),
	"gap":                File(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)...),
	"overlap":            File(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)...),
	"trailing data":      File(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 5)...),
	"offsets past end":   File(`{"a":{"dtype":"F32","shape":[1024],"data_offsets":[0,4096]}}`, make([]byte, 4)...),
	"reversed offsets":   File(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}`, make([]byte, 4)...),
	"numel overflow":     File(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}`),
	"bytes overflow":     File(`{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}}`),
	"huge offset":        File(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551612,18446744073709551616]}}`),
	"offset overflow":    File(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551615,3]}}`),
	"deep nesting":       File(`{"a":{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`),
	"null entry":         File(`{"a":null}`),
}

// CheckRoundTrip writes d and reads it back: same keys, shapes, bits and
// metadata (F16/BF16 come back as F32 with the same values).
func CheckRoundTrip(t testing.TB, d *nn.TensorDict) {
	b := write(t, d)
	back, err := nn.ReadSafetensors(b)
	if err != nil {
		t.Fatalf("re-reading a written file: %v", err)
	}
	if !slices.Equal(slices.Sorted(slices.Values(back.Keys())), slices.Sorted(slices.Values(d.Keys()))) {
		t.Fatalf("keys %q, want %q", back.Keys(), d.Keys())
	}
	if (back.Metadata == nil) != (d.Metadata == nil) || !maps.Equal(back.Metadata, d.Metadata) {
		t.Fatalf("metadata %v, want %v", back.Metadata, d.Metadata)
	}
	for k, v := range d.All() {
		w, _ := back.Get(k)
		if w.DType() != v.DType() || !slices.Equal(w.Shape(), v.Shape()) {
			t.Fatalf("%q: %v %v, want %v %v", k, w.DType(), w.Shape(), v.DType(), v.Shape())
		}
		if v.DType() == tensor.Float64 {
			a, b := v.Float64s(), w.Float64s()
			for i := range a {
				if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
					t.Fatalf("%q[%d] bits differ", k, i)
				}
			}
		} else {
			a, b := v.Float32s(), w.Float32s()
			for i := range a {
				if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
					t.Fatalf("%q[%d] bits differ", k, i)
				}
			}
		}
	}
	if again := write(t, back); !bytes.Equal(again, b) {
		t.Fatal("write(read(write(d))) != write(d)")
	}
}
