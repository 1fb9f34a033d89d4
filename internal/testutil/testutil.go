// Package testutil holds helpers shared by the kernel tests and fuzz
// targets: guarded slices that catch out-of-bounds writes, ulp distances,
// and value generators that reach every float class.
package testutil

import (
	"fmt"
	"math"
	"math/rand/v2"
	"unsafe"
)

// Float is the element type of the kernels under test.
type Float interface{ float32 | float64 }

// Guard is the number of sentinel elements kept on each side of a guarded
// slice.
const Guard = 16

// Sentinel bit patterns: NaNs with a payload no arithmetic produces, so a
// stray write of any computed value is visible.
const (
	sentinel32 = 0x7fa5a5a5
	sentinel64 = 0x7ff4a5a5a5a5a5a5
)

func sentinel[T Float]() T {
	var z T
	if unsafe.Sizeof(z) == 4 {
		v := math.Float32frombits(sentinel32)
		return *(*T)(unsafe.Pointer(&v))
	}
	v := math.Float64frombits(sentinel64)
	return *(*T)(unsafe.Pointer(&v))
}

// Bits returns the raw bits of v, widened to 64.
func Bits[T Float](v T) uint64 {
	switch x := any(v).(type) {
	case float32:
		return uint64(math.Float32bits(x))
	default:
		return math.Float64bits(any(v).(float64))
	}
}

// Guarded is a slice with sentinels on both sides inside one allocation.
// The slice starts off elements past an aligned boundary, so offsets 1..7
// break every vector alignment, and its capacity equals its length.
type Guarded[T Float] struct {
	buf  []T
	lo   int
	S    []T
	name string
}

// NewGuarded returns a guarded slice of length n starting off elements
// into its buffer, filled with vals (repeated), or zeros if vals is empty.
func NewGuarded[T Float](name string, n, off int, vals ...T) *Guarded[T] {
	buf := make([]T, Guard+off+n+Guard)
	s := sentinel[T]()
	for i := range buf {
		buf[i] = s
	}
	lo := Guard + off
	g := &Guarded[T]{buf: buf, lo: lo, S: buf[lo : lo+n : lo+n], name: name}
	for i := range g.S {
		if len(vals) > 0 {
			g.S[i] = vals[i%len(vals)]
		} else {
			g.S[i] = 0
		}
	}
	return g
}

// Check reports an error naming the slice and position if any sentinel
// around the slice was overwritten.
func (g *Guarded[T]) Check() error {
	s := Bits(sentinel[T]())
	for i, v := range g.buf {
		if i >= g.lo && i < g.lo+len(g.S) {
			continue
		}
		if Bits(v) != s {
			return fmt.Errorf("%s: guard at offset %d (relative to element 0) overwritten with %v",
				g.name, i-g.lo, v)
		}
	}
	return nil
}

// Ordered maps a float's bits to an integer that is monotonic in the
// float's value (-0 and +0 are adjacent, +Inf is one past the largest
// finite value), so differences count representable values between two
// floats: ulps.
func Ordered[T Float](v T) int64 {
	var z T
	if unsafe.Sizeof(z) == 4 {
		b := int64(int32(Bits(v)))
		if b < 0 {
			b = math.MinInt32 - b
		}
		return b
	}
	b := int64(Bits(v))
	if b < 0 {
		b = math.MinInt64 - b
	}
	return b
}

// UlpDist is the number of representable values between a and b; both
// NaN gives 0, one NaN gives MaxInt64.
func UlpDist[T Float](a, b T) int64 {
	an, bn := a != a, b != b
	if an || bn {
		if an && bn {
			return 0
		}
		return math.MaxInt64
	}
	d := Ordered(a) - Ordered(b)
	if d < 0 {
		d = -d
	}
	return d
}

// SameBits reports whether a and b are identical, except that any NaN
// equals any NaN (payloads are not part of the contract).
func SameBits[T Float](a, b T) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return Bits(a) == Bits(b)
}

// Eps is the unit roundoff of T: 2^-24 for float32, 2^-53 for float64.
func Eps[T Float]() float64 {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return 0x1p-24
	}
	return 0x1p-53
}

// MaxFinite is the largest finite T, as float64.
func MaxFinite[T Float]() float64 {
	var z T
	if unsafe.Sizeof(z) == 4 {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

// FromBits builds a T from the low bits of b.
func FromBits[T Float](b uint64) T {
	var z T
	if unsafe.Sizeof(z) == 4 {
		v := math.Float32frombits(uint32(b))
		return *(*T)(unsafe.Pointer(&v))
	}
	v := math.Float64frombits(b)
	return *(*T)(unsafe.Pointer(&v))
}

// FromBytes decodes little-endian raw bits into T values (fuzz inputs):
// every bit pattern, NaNs and subnormals included, can occur.
func FromBytes[T Float](data []byte) []T {
	var z T
	size := int(unsafe.Sizeof(z))
	out := make([]T, len(data)/size)
	for i := range out {
		var b uint64
		for j := size - 1; j >= 0; j-- {
			b = b<<8 | uint64(data[i*size+j])
		}
		out[i] = FromBits[T](b)
	}
	return out
}

// Specials are the values every kernel test mixes in.
func Specials[T Float]() []T {
	inf := math.Inf(1)
	var z T
	tiny := 0x1p-149 // smallest float32 subnormal
	minNorm := 0x1p-126
	big := float64(math.MaxFloat32)
	if unsafe.Sizeof(z) == 8 {
		tiny, minNorm, big = 0x1p-1074, 0x1p-1022, math.MaxFloat64
	}
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -2, inf, -inf, math.NaN(),
		tiny, -tiny, minNorm, -minNorm, minNorm / 3, big, -big, 1e-3, 3.25, -7.75, 88.5, -88.5, 100, -100}
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = T(v)
	}
	return out
}

// Values returns n values from r: mostly ordinary numbers of mixed sign and
// magnitude, with specials (NaN, ±Inf, ±0, subnormals, huge) and arbitrary bit
// patterns mixed in when special is true.
func Values[T Float](r *rand.Rand, n int, special bool) []T {
	sp := Specials[T]()
	out := make([]T, n)
	for i := range out {
		switch k := r.IntN(16); {
		case special && k == 0:
			out[i] = sp[r.IntN(len(sp))]
		case special && k == 1:
			out[i] = FromBits[T](r.Uint64())
		case k < 4:
			out[i] = T(r.NormFloat64())
		case k < 8:
			out[i] = T(r.Float64()*200 - 100)
		case k < 12:
			out[i] = T(r.NormFloat64() * math.Pow(2, float64(r.IntN(40)-20)))
		default:
			out[i] = T(r.Float64()*2 - 1)
		}
	}
	return out
}

// ToBytes encodes values as little-endian raw bits (the inverse of
// FromBytes), for fuzz seeds.
func ToBytes[T Float](vals []T) []byte {
	var z T
	size := int(unsafe.Sizeof(z))
	out := make([]byte, 0, len(vals)*size)
	for _, v := range vals {
		b := Bits(v)
		for j := 0; j < size; j++ {
			out = append(out, byte(b>>(8*j)))
		}
	}
	return out
}
