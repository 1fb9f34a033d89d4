package kernels

import (
	"math"

	"golang.org/x/exp/constraints"
)

// The generic Go twins. Each one is the definition of what its kernel
// computes; the assembly paths are tested and fuzzed against them. They
// assume the lengths were checked by the public entry.

func addGeneric[T constraints.Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

func subGeneric[T constraints.Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

func mulGeneric[T constraints.Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

func divGeneric[T constraints.Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] / b[i]
	}
}

func addScalarGeneric[T constraints.Float](dst, a []T, s T) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] + s
	}
}

func subScalarGeneric[T constraints.Float](dst, a []T, s T) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - s
	}
}

func mulScalarGeneric[T constraints.Float](dst, a []T, s T) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * s
	}
}

func divScalarGeneric[T constraints.Float](dst, a []T, s T) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i] / s
	}
}

// axpyGeneric rounds the product and the sum separately (the conversion
// forbids the compiler to fuse them on arm64); the assembly fuses them, so
// the two agree within one rounding of alpha*x[i].
func axpyGeneric[T constraints.Float](alpha T, x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += T(alpha * v)
	}
}

func scaleGeneric[T constraints.Float](alpha T, x []T) {
	for i := range x {
		x[i] *= alpha
	}
}

func fillGeneric[T constraints.Float](dst []T, v T) {
	for i := range dst {
		dst[i] = v
	}
}

func reluGeneric[T constraints.Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		if v < 0 {
			dst[i] = 0
		} else {
			dst[i] = v // NaN and -0 pass, as torch.relu
		}
	}
}

func reluBackwardGeneric[T constraints.Float](dst, grad, x []T) {
	grad, x = grad[:len(dst)], x[:len(dst)]
	for i, v := range x {
		if v <= 0 {
			dst[i] = 0
		} else {
			dst[i] = grad[i]
		}
	}
}

func leakyReluGeneric[T constraints.Float](dst, x []T, slope T) {
	x = x[:len(dst)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = v * slope
		}
	}
}

func leakyReluBackwardGeneric[T constraints.Float](dst, grad, x []T, slope T) {
	grad, x = grad[:len(dst)], x[:len(dst)]
	for i, v := range x {
		if v > 0 {
			dst[i] = grad[i]
		} else {
			dst[i] = grad[i] * slope
		}
	}
}

// exp64 is math.Exp made exact near overflow: Go's amd64 assembly
// math.Exp (Go 1.26) returns +Inf for x in (709.436, 709.7827], where
// e**x is finite. There e**(x-1)·e is within 2 ulp (x-1 is exact).
func exp64(x float64) float64 {
	if x > 709 && x <= 709.782712893384 {
		return math.Exp(x-1) * math.E
	}
	return math.Exp(x)
}

// log64 is math.Log made right for subnormal inputs: Go's amd64 assembly
// math.Log (Go 1.26) reads the exponent field as if x were normal
// (math.Log(0x1p-1074) = -709.09 instead of -744.44). Scaling into the
// normal range first is exact.
func log64(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		return math.Log(x*0x1p52) - 52*math.Ln2
	}
	return math.Log(x)
}

func expGeneric[T constraints.Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(exp64(float64(v)))
	}
}

func logGeneric[T constraints.Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(log64(float64(v)))
	}
}

func tanhGeneric[T constraints.Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(math.Tanh(float64(v)))
	}
}

// sigmoid64 is 1/(1+exp(-x)), written so that neither tail loses precision:
// for x < 0 it is e/(1+e) with e = exp(x), which reaches the subnormals.
func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func sigmoidGeneric[T constraints.Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(sigmoid64(float64(v)))
	}
}

func sumGeneric[T constraints.Float](x []T) T {
	var s T
	for _, v := range x {
		s += v
	}
	return s
}

func dotGeneric[T constraints.Float](x, y []T) T {
	y = y[:len(x)]
	var s T
	for i, v := range x {
		s += T(v * y[i])
	}
	return s
}

func sumSqGeneric[T constraints.Float](x []T) T {
	var s T
	for _, v := range x {
		s += T(v * v)
	}
	return s
}

// maxIdxGeneric needs len(x) >= 1.
func maxIdxGeneric[T constraints.Float](x []T) (T, int) {
	best, idx := x[0], 0
	if best != best {
		return best, 0
	}
	for i, v := range x[1:] {
		if v != v {
			return v, i + 1
		}
		if v > best {
			best, idx = v, i+1
		}
	}
	return best, idx
}

// softmaxGeneric needs len(x) >= 1.
func softmaxGeneric[T constraints.Float](dst, x []T) {
	x = x[:len(dst)]
	m, _ := maxIdxGeneric(x)
	var s T
	for i, v := range x {
		e := T(math.Exp(float64(v - m)))
		dst[i] = e
		s += e
	}
	for i := range dst {
		dst[i] /= s
	}
}

// logSoftmaxGeneric needs len(x) >= 1.
func logSoftmaxGeneric[T constraints.Float](dst, x []T) {
	x = x[:len(dst)]
	m, _ := maxIdxGeneric(x)
	var s T
	for _, v := range x {
		s += T(math.Exp(float64(v - m)))
	}
	lse := T(math.Log(float64(s)))
	for i, v := range x {
		dst[i] = v - m - lse
	}
}
