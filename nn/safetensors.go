package nn

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/simdtorch/simdtorch/tensor"
)

// The safetensors format (https://github.com/huggingface/safetensors):
//
//	8 bytes     N, the header's length, a little-endian uint64
//	N bytes     a JSON object: for each tensor, its name mapped to
//	            {"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]},
//	            plus an optional "__metadata__" map of strings to strings;
//	            padded with spaces
//	the rest    the tensors' bytes, little-endian, row-major, the offsets
//	            relative to the start of this part
//
// The writer produces exactly the bytes the reference implementation
// (the Rust crate behind Python's safetensors.torch.save_file) does:
// tensors sorted by dtype (F64 before F32) and then by name, compact JSON
// with the entries in that order and the metadata first (its keys
// sorted), the header padded with spaces to a multiple of 8 bytes.

// maxHeaderSize is the reference implementation's limit on N.
const maxHeaderSize = 100_000_000

// Limits on a dimension and on the product of the nonzero dimensions of
// one tensor, so that no size or stride computation can overflow.
const (
	maxDim      = 1 << 40
	maxElements = 1 << 50
)

var stDTypeSize = map[string]uint64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"F64": 8, "I64": 8, "U64": 8,
}

type stEntry struct {
	name       string
	dtype      string
	shape      []int
	begin, end uint64
}

// ReadSafetensors parses a safetensors file held in memory. F32, F16 and
// BF16 tensors become Float32 tensors (F16 and BF16 convert exactly) and
// F64 tensors Float64 ones; I64 and I32 tensors (a BatchNorm's
// num_batches_tracked, say) become Float64 tensors when every value is
// within ±2^53, so converts exactly, and are an error otherwise.
// LoadStateDict converts to the parameters' dtypes. The keys keep the
// header's order; "__metadata__" becomes the dict's Metadata.
//
// The reader trusts nothing in the file: it checks the header length
// (at most 100,000,000 bytes and within the file), that the header is
// UTF-8 JSON starting with "{", every field's type, that names are not
// repeated, that each dtype is known, that sizes do not overflow, that
// each tensor's byte range matches its shape and dtype, and that the
// ranges tile the data exactly, without gaps, overlaps or trailing bytes.
// Any violation is a *SafetensorsError; it never panics and never reads
// outside data. The other integer dtypes, bool and the 8-bit floats are
// valid in the format but have no tensor dtype here, so they are reported
// as errors.
func ReadSafetensors(data []byte) (*TensorDict, error) {
	if len(data) < 8 {
		return nil, stErr("file of %d bytes is shorter than the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > maxHeaderSize {
		return nil, stErr("header length %d is larger than the limit of %d bytes", n, maxHeaderSize)
	}
	if n > uint64(len(data)-8) {
		return nil, stErr("header length %d runs past the end of the %d-byte file", n, len(data))
	}
	header := data[8 : 8+n]
	if !utf8.Valid(header) {
		return nil, stErr("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, stErr("header does not start with '{'")
	}
	entries, meta, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	buf := data[8+n:]
	order := slices.Clone(entries)
	slices.SortStableFunc(order, func(a, b *stEntry) int {
		if c := cmp.Compare(a.begin, b.begin); c != 0 {
			return c
		}
		return cmp.Compare(a.end, b.end)
	})
	var pos uint64
	for _, e := range order {
		if e.begin != pos || e.end < e.begin {
			return nil, stErr("tensor %q has data_offsets [%d, %d]; the tensors' byte ranges must tile the data without gaps or overlaps (expected to start at %d)", e.name, e.begin, e.end, pos)
		}
		pos = e.end
		numel := uint64(1)
		for _, d := range e.shape {
			hi, lo := bits.Mul64(numel, uint64(d))
			if hi != 0 {
				return nil, stErr("tensor %q: the number of elements of shape %v overflows", e.name, e.shape)
			}
			numel = lo
		}
		hi, nbytes := bits.Mul64(numel, stDTypeSize[e.dtype])
		if hi != 0 {
			return nil, stErr("tensor %q: the byte size of shape %v overflows", e.name, e.shape)
		}
		if e.end-e.begin != nbytes {
			return nil, stErr("tensor %q: %s of shape %v needs %d bytes, its data_offsets [%d, %d] give %d", e.name, e.dtype, e.shape, nbytes, e.begin, e.end, e.end-e.begin)
		}
	}
	if pos != uint64(len(buf)) {
		return nil, stErr("the tensors cover %d bytes of data but the file has %d after the header", pos, len(buf))
	}
	d := NewTensorDict()
	d.Metadata = meta
	for _, e := range entries {
		t, err := decodeTensor(e, buf[e.begin:e.end])
		if err != nil {
			return nil, err
		}
		d.Set(e.name, t)
	}
	return d, nil
}

// LoadSafetensors reads a safetensors file (see ReadSafetensors).
func LoadSafetensors(path string) (*TensorDict, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ReadSafetensors(b)
}

func decodeTensor(e *stEntry, b []byte) (*tensor.Tensor, error) {
	var t *tensor.Tensor
	switch e.dtype {
	case "F64":
		v := make([]float64, len(b)/8)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		t = newTensor(v, e.shape)
	case "F32":
		v := make([]float32, len(b)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		t = newTensor(v, e.shape)
	case "F16":
		v := make([]float32, len(b)/2)
		for i := range v {
			v[i] = f16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
		t = newTensor(v, e.shape)
	case "BF16":
		v := make([]float32, len(b)/2)
		for i := range v {
			v[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
		t = newTensor(v, e.shape)
	case "I64", "I32":
		size := int(stDTypeSize[e.dtype])
		v := make([]float64, len(b)/size)
		for i := range v {
			var x int64
			if size == 8 {
				x = int64(binary.LittleEndian.Uint64(b[8*i:]))
			} else {
				x = int64(int32(binary.LittleEndian.Uint32(b[4*i:])))
			}
			if x > 1<<53 || x < -(1<<53) {
				return nil, stErr("tensor %q (%s) holds %d, which a Float64 tensor cannot hold exactly", e.name, e.dtype, x)
			}
			v[i] = float64(x)
		}
		t = newTensor(v, e.shape)
	default:
		return nil, stErr("tensor %q has dtype %s, which has no tensor dtype here (F32, F64, F16, BF16, I64 and I32 are read)", e.name, e.dtype)
	}
	return t, nil
}

func newTensor[T float32 | float64](v []T, shape []int) *tensor.Tensor {
	if len(shape) == 0 {
		return tensor.Scalar(v[0])
	}
	return tensor.New(v, shape...)
}

// f16ToF32 converts IEEE binary16 to float32 exactly (every half is a
// float32); NaN payloads are kept, as torch's conversion keeps them.
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		f := float32(mant) * (1.0 / (1 << 24)) // subnormal (or zero): mant·2⁻²⁴
		return math.Float32frombits(sign | math.Float32bits(f))
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// parseHeader reads the header's JSON strictly: an object whose values
// are tensor entries or the metadata map, no key twice at any level, no
// trailing data.
func parseHeader(h []byte) ([]*stEntry, map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.UseNumber()
	bad := func(what string, err error) error {
		if err != nil {
			return stErr("header is not valid JSON: %s: %v", what, err)
		}
		return stErr("invalid header: %s", what)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, nil, bad("expected an object", err)
	}
	var entries []*stEntry
	var meta map[string]string
	seen := map[string]bool{}
	for dec.More() {
		key, err := readString(dec)
		if err != nil {
			return nil, nil, bad("expected a name", err)
		}
		if seen[key] {
			return nil, nil, stErr("invalid header: name %q appears twice", key)
		}
		seen[key] = true
		if key == "__metadata__" {
			meta, err = parseMetadata(dec)
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(dec, key)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, nil, bad("unterminated object", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, stErr("invalid header: data after the JSON object")
	}
	return entries, meta, nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return errors.New("expected " + d.String())
	}
	return nil
}

func readString(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", errors.New("expected a string")
	}
	return s, nil
}

func readUint(dec *json.Decoder) (uint64, error) {
	tok, err := dec.Token()
	if err != nil {
		return 0, err
	}
	n, ok := tok.(json.Number)
	if !ok {
		return 0, errors.New("expected a number")
	}
	return strconv.ParseUint(string(n), 10, 64)
}

func readUints(dec *json.Decoder) ([]uint64, error) {
	if err := expectDelim(dec, '['); err != nil {
		return nil, err
	}
	vs := []uint64{}
	for dec.More() {
		v, err := readUint(dec)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, expectDelim(dec, ']')
}

func parseMetadata(dec *json.Decoder) (map[string]string, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, stErr("header is not valid JSON: __metadata__: %v", err)
	}
	if tok == nil {
		return nil, nil // null, as an absent map
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, stErr("invalid header: __metadata__ must be an object of strings")
	}
	meta := map[string]string{}
	for dec.More() {
		k, err := readString(dec)
		if err != nil {
			return nil, stErr("invalid header: __metadata__: %v", err)
		}
		if _, dup := meta[k]; dup {
			return nil, stErr("invalid header: __metadata__ key %q appears twice", k)
		}
		v, err := readString(dec)
		if err != nil {
			return nil, stErr("invalid header: __metadata__ value of %q must be a string", k)
		}
		meta[k] = v
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, stErr("invalid header: __metadata__: %v", err)
	}
	return meta, nil
}

func parseEntry(dec *json.Decoder, name string) (*stEntry, error) {
	fail := func(msg string, err error) error {
		if err != nil {
			msg += ": " + err.Error()
		}
		return stErr("invalid header: tensor %q: %s", name, msg)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, fail("expected an object", err)
	}
	e := &stEntry{name: name}
	var hasDType, hasShape, hasOffsets bool
	for dec.More() {
		k, err := readString(dec)
		if err != nil {
			return nil, fail("expected a field name", err)
		}
		switch k {
		case "dtype":
			if hasDType {
				return nil, fail("dtype appears twice", nil)
			}
			hasDType = true
			if e.dtype, err = readString(dec); err != nil {
				return nil, fail("dtype", err)
			}
			if _, ok := stDTypeSize[e.dtype]; !ok {
				return nil, fail("unknown dtype "+strconv.Quote(e.dtype), nil)
			}
		case "shape":
			if hasShape {
				return nil, fail("shape appears twice", nil)
			}
			hasShape = true
			dims, err := readUints(dec)
			if err != nil {
				return nil, fail("shape must be an array of non-negative integers", err)
			}
			e.shape = make([]int, len(dims))
			nonzero := uint64(1)
			for i, d := range dims {
				if d > maxDim {
					return nil, fail("dimension "+strconv.FormatUint(d, 10)+" is too large", nil)
				}
				e.shape[i] = int(d)
				if d != 0 {
					hi, lo := bits.Mul64(nonzero, d)
					if hi != 0 || lo > maxElements {
						return nil, fail("shape is too large", nil)
					}
					nonzero = lo
				}
			}
		case "data_offsets":
			if hasOffsets {
				return nil, fail("data_offsets appears twice", nil)
			}
			hasOffsets = true
			offs, err := readUints(dec)
			if err != nil {
				return nil, fail("data_offsets must be two non-negative integers", err)
			}
			if len(offs) != 2 {
				return nil, fail("data_offsets must be two non-negative integers", nil)
			}
			e.begin, e.end = offs[0], offs[1]
		default:
			var skip json.RawMessage // unknown fields are ignored, as by the reference reader
			if err := dec.Decode(&skip); err != nil {
				return nil, fail("field "+strconv.Quote(k), err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, fail("unterminated object", err)
	}
	if !hasDType || !hasShape || !hasOffsets {
		return nil, fail("dtype, shape and data_offsets are all required", nil)
	}
	return e, nil
}

// WriteSafetensors writes d in the safetensors format, byte for byte as
// the reference implementation writes the same tensors and metadata:
// Float32 tensors as F32 and Float64 ones as F64, sorted by dtype (F64
// first) and then by name, the header padded with spaces to a multiple of
// 8 bytes. d.Metadata is written as "__metadata__" when it is not nil.
// Names must be valid UTF-8 and not "__metadata__".
func WriteSafetensors(w io.Writer, d *TensorDict) error {
	type item struct {
		name string
		t    *tensor.Tensor
	}
	var items []item
	for k, t := range d.All() {
		if k == "__metadata__" {
			return stErr("a tensor cannot be named __metadata__")
		}
		if !utf8.ValidString(k) {
			return stErr("tensor name %q is not valid UTF-8", k)
		}
		items = append(items, item{k, t})
	}
	slices.SortFunc(items, func(a, b item) int {
		if a.t.DType() != b.t.DType() {
			if a.t.DType() == tensor.Float64 {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.name, b.name)
	})
	var h []byte
	h = append(h, '{')
	first := true
	if d.Metadata != nil {
		h = append(h, `"__metadata__":{`...)
		keys := make([]string, 0, len(d.Metadata))
		for k, v := range d.Metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return stErr("metadata %q is not valid UTF-8", k)
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				h = append(h, ',')
			}
			h = appendJSONString(h, k)
			h = append(h, ':')
			h = appendJSONString(h, d.Metadata[k])
		}
		h = append(h, '}')
		first = false
	}
	var off uint64
	for _, it := range items {
		if !first {
			h = append(h, ',')
		}
		first = false
		h = appendJSONString(h, it.name)
		dt := "F32"
		if it.t.DType() == tensor.Float64 {
			dt = "F64"
		}
		h = append(h, `:{"dtype":"`+dt+`","shape":[`...)
		for i, s := range it.t.Shape() {
			if i > 0 {
				h = append(h, ',')
			}
			h = strconv.AppendInt(h, int64(s), 10)
		}
		n := uint64(it.t.Numel() * it.t.DType().Size())
		h = append(h, `],"data_offsets":[`...)
		h = strconv.AppendUint(h, off, 10)
		h = append(h, ',')
		h = strconv.AppendUint(h, off+n, 10)
		h = append(h, "]}"...)
		off += n
	}
	h = append(h, '}')
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	bw := bufio.NewWriter(w)
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(h)))
	bw.Write(lenBuf[:])
	bw.Write(h)
	var b []byte
	for _, it := range items {
		t := it.t.Contiguous()
		b = b[:0]
		if t.DType() == tensor.Float64 {
			for _, v := range tensor.Data[float64](t) {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			}
		} else {
			for _, v := range tensor.Data[float32](t) {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
			}
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// SaveSafetensors writes d to a file (see WriteSafetensors):
//
//	err := nn.SaveSafetensors("model.safetensors", nn.StateDict(net))
func SaveSafetensors(path string, d *TensorDict) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteSafetensors(f, d); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// appendJSONString appends s as serde_json writes a string: quotes and
// backslashes escaped, the control characters as \b \f \n \r \t or
// \u00XX (lowercase hex), everything else (non-ASCII included) as is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}
