// Package idx reads and writes IDX files, the format of the MNIST and
// Fashion-MNIST data sets: a 4-byte magic (two zero bytes, a type code,
// the number of dimensions), each dimension as a big-endian uint32, then
// the elements in row-major order, big-endian.
//
//	a, err := idx.ReadFile("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
//	// a.Type == idx.Uint8, a.Dims == []int{60000, 28, 28}, len(a.Data) == 47040000
//
// Gzip-compressed files (those starting with 1f 8b) are decompressed
// transparently. Malformed input (a bad magic, an unknown type, no
// dimensions, sizes that overflow, data that is short or followed by
// anything) gives an error wrapping ErrFormat, never a panic; truncated
// input also wraps io.ErrUnexpectedEOF. Memory grows with the bytes
// actually read (decompressed, for gzip), never with what a header
// claims, so a hostile header cannot make the reader allocate more than
// about twice its input.
package idx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

// ErrFormat is wrapped by every error about malformed input.
var ErrFormat = errors.New("idx: invalid IDX data")

// Type is the element type code of an IDX file (the magic's third byte).
type Type byte

// The element types of the IDX format.
const (
	Uint8   Type = 0x08 // unsigned byte
	Int8    Type = 0x09 // signed byte
	Int16   Type = 0x0B // short, 2 bytes
	Int32   Type = 0x0C // int, 4 bytes
	Float32 Type = 0x0D // float, 4 bytes
	Float64 Type = 0x0E // double, 8 bytes
)

// Size returns the size in bytes of one element, 0 for an unknown type.
func (t Type) Size() int {
	switch t {
	case Uint8, Int8:
		return 1
	case Int16:
		return 2
	case Int32, Float32:
		return 4
	case Float64:
		return 8
	}
	return 0
}

func (t Type) String() string {
	switch t {
	case Uint8:
		return "uint8"
	case Int8:
		return "int8"
	case Int16:
		return "int16"
	case Int32:
		return "int32"
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return "Type(0x" + strconv.FormatUint(uint64(t), 16) + ")"
}

// Array is the content of an IDX file.
type Array struct {
	Type Type
	Dims []int // at least one; a dimension may be 0
	// Data holds the elements in row-major order as stored in the file
	// (big-endian for the multi-byte types); its length is
	// Numel()·Type.Size().
	Data []byte
}

// Numel returns the number of elements (the product of Dims).
func (a *Array) Numel() int {
	n := 1
	for _, d := range a.Dims {
		n *= d
	}
	return n
}

// Uint8s returns Data when the type is Uint8, and an error naming the
// type otherwise.
func (a *Array) Uint8s() ([]byte, error) {
	if a.Type != Uint8 {
		return nil, fmt.Errorf("idx: elements are %v, want uint8", a.Type)
	}
	return a.Data, nil
}

// MaxDims is the largest number of dimensions the format can express.
const MaxDims = 255

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// Parse decodes an IDX file held in memory, gzip-compressed or not. The
// returned Data is a copy: data may be reused afterwards.
func Parse(data []byte) (*Array, error) {
	if bytes.HasPrefix(data, gzipMagic) {
		return readGzip(bytes.NewReader(data))
	}
	t, nd, err := parseMagic(data)
	if err != nil {
		return nil, err
	}
	hl := 4 + 4*nd
	if len(data) < hl {
		return nil, truncated(hl, len(data))
	}
	a, size, err := headerAndSize(t, data[4:hl])
	if err != nil {
		return nil, err
	}
	body := data[hl:]
	switch n := uint64(len(body)); {
	case n < size:
		return nil, truncated(size, n)
	case n > size:
		return nil, trailing(size, n-size)
	}
	a.Data = bytes.Clone(body)
	if a.Data == nil {
		a.Data = []byte{}
	}
	return a, nil
}

// Read decodes an IDX file from r, gzip-compressed or not, reading r to
// its end: anything after the data is an error.
func Read(r io.Reader) (*Array, error) {
	br := bufio.NewReader(r)
	if p, err := br.Peek(2); err == nil && bytes.Equal(p, gzipMagic) {
		return readGzip(br)
	}
	return readRaw(br)
}

// ReadFile reads and decodes the IDX file at path (gzip-compressed or not).
func ReadFile(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func readGzip(r io.Reader) (*Array, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		if errors.Is(err, gzip.ErrHeader) {
			return nil, fmt.Errorf("%w: %w", ErrFormat, err) // "gzip: invalid header"
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: truncated gzip header: %w", ErrFormat, io.ErrUnexpectedEOF)
		}
		return nil, fmt.Errorf("%w: gzip header: %w", ErrFormat, err)
	}
	defer zr.Close()
	return readRaw(zr)
}

// readRaw decodes an uncompressed IDX stream.
func readRaw(r io.Reader) (*Array, error) {
	var magic [4]byte
	if n, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, readErr(err, "magic", 4, n)
	}
	t, nd, err := parseMagic(magic[:])
	if err != nil {
		return nil, err
	}
	dims := make([]byte, 4*nd)
	if n, err := io.ReadFull(r, dims); err != nil {
		return nil, readErr(err, "dimensions", 4*nd, n)
	}
	a, need, err := headerAndSize(t, dims)
	if err != nil {
		return nil, err
	}
	data, err := readN(r, need)
	if err != nil {
		return nil, err
	}
	a.Data = data
	return a, nil
}

// readN reads exactly n bytes from r and checks that r ends there. The
// buffer grows with what arrives (doubling from 64 KiB), so a header
// claiming gigabytes in front of a short stream costs what the stream
// holds, not what the header claims.
func readN(r io.Reader, n uint64) ([]byte, error) {
	lim := n + 1 // one more byte to detect trailing data
	if n >= math.MaxInt {
		lim = n // no room for it: this many bytes cannot be held anyway
	}
	buf := make([]byte, 0, min(lim, 64<<10))
	for {
		if uint64(len(buf)) == uint64(cap(buf)) {
			if uint64(cap(buf)) == lim {
				break
			}
			nc := min(2*uint64(cap(buf)), lim)
			nb := make([]byte, len(buf), nc)
			copy(nb, buf)
			buf = nb
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr(err, "data", n, uint64(len(buf)))
		}
	}
	switch got := uint64(len(buf)); {
	case got < n:
		return nil, truncated(n, got)
	case got > n:
		return nil, fmt.Errorf("%w: trailing bytes after the %d bytes of data", ErrFormat, n)
	}
	return buf[:n:n], nil
}

// parseMagic checks the magic and returns the type and dimension count.
func parseMagic(b []byte) (Type, int, error) {
	if len(b) < 4 {
		return 0, 0, truncated(4, len(b))
	}
	if b[0] != 0 || b[1] != 0 {
		return 0, 0, fmt.Errorf("%w: magic %02x %02x %02x %02x: the first two bytes must be 0", ErrFormat, b[0], b[1], b[2], b[3])
	}
	t := Type(b[2])
	if t.Size() == 0 {
		return 0, 0, fmt.Errorf("%w: unknown element type 0x%02x (known: 08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64)", ErrFormat, b[2])
	}
	if b[3] == 0 {
		return 0, 0, fmt.Errorf("%w: no dimensions", ErrFormat)
	}
	return t, int(b[3]), nil
}

// headerAndSize decodes the dimensions (4 bytes each) of an array of
// type t and returns the data size in bytes.
func headerAndSize(t Type, hdr []byte) (*Array, uint64, error) {
	nd := len(hdr) / 4
	dims := make([]uint64, nd)
	for i := range dims {
		dims[i] = uint64(binary.BigEndian.Uint32(hdr[4*i:]))
	}
	size, ok := dataSize(t, dims)
	if !ok {
		return nil, 0, fmt.Errorf("%w: dimensions %v of %v overflow", ErrFormat, dims, t)
	}
	a := &Array{Type: t, Dims: make([]int, nd)}
	for i, d := range dims {
		a.Dims[i] = int(d)
	}
	return a, size, nil
}

// dataSize returns the size in bytes of an array of type t with the given
// dimensions, and false when a dimension does not fit in an int or the
// size overflows an int. A zero dimension makes the size 0 whatever the
// others are (as long as each fits in an int).
func dataSize(t Type, dims []uint64) (uint64, bool) {
	size := uint64(t.Size())
	for _, d := range dims {
		if d > math.MaxInt {
			return 0, false // only on 32-bit platforms for uint32 dims
		}
		if d == 0 {
			size = 0
		}
	}
	if size == 0 {
		return 0, true
	}
	for _, d := range dims {
		if size > math.MaxInt/d {
			return 0, false
		}
		size *= d
	}
	return size, true
}

func readErr[N int | uint64](err error, what string, want, got N) error {
	if (err == io.EOF || err == io.ErrUnexpectedEOF) && got >= want {
		return fmt.Errorf("%w: stream cut after the %d bytes of %s: %w", ErrFormat, got, what, io.ErrUnexpectedEOF)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: truncated %s: want %d bytes, got %d: %w", ErrFormat, what, want, got, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("%w: reading the %s: %w", ErrFormat, what, err)
}

func truncated[N int | uint64](want, got N) error {
	return fmt.Errorf("%w: truncated: want %d bytes, got %d: %w", ErrFormat, want, got, io.ErrUnexpectedEOF)
}

func trailing(want, extra uint64) error {
	return fmt.Errorf("%w: %d trailing bytes after the %d bytes of data", ErrFormat, extra, want)
}

// Write encodes a as an uncompressed IDX file. It checks that a is
// consistent (a known type, 1 to MaxDims dimensions that fit in uint32,
// and len(Data) matching them).
func Write(w io.Writer, a *Array) error {
	b, err := Append(nil, a)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Append appends the IDX encoding of a to b.
func Append(b []byte, a *Array) ([]byte, error) {
	if a.Type.Size() == 0 {
		return b, fmt.Errorf("idx: Write: unknown element type %v", a.Type)
	}
	if len(a.Dims) == 0 || len(a.Dims) > MaxDims {
		return b, fmt.Errorf("idx: Write: %d dimensions (want 1 to %d)", len(a.Dims), MaxDims)
	}
	dims := make([]uint64, len(a.Dims))
	for i, d := range a.Dims {
		if d < 0 || uint64(d) > math.MaxUint32 {
			return b, fmt.Errorf("idx: Write: dimension %d out of range", d)
		}
		dims[i] = uint64(d)
	}
	size, ok := dataSize(a.Type, dims)
	if !ok {
		return b, fmt.Errorf("idx: Write: dimensions %v overflow", a.Dims)
	}
	if size != uint64(len(a.Data)) {
		return b, fmt.Errorf("idx: Write: dimensions %v of %v need %d bytes of data, have %d", a.Dims, a.Type, size, len(a.Data))
	}
	b = append(b, 0, 0, byte(a.Type), byte(len(a.Dims)))
	for _, d := range a.Dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, a.Data...), nil
}
