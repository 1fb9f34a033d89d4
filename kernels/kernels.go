package kernels

import "fmt"

// Float is the element type of every kernel.
type Float interface{ float32 | float64 }

// LengthError is the panic value of a kernel called with slices whose
// lengths do not match. It names the kernel and both lengths.
type LengthError struct {
	Kernel string
	Name1  string
	Len1   int
	Name2  string
	Len2   int
}

func (e *LengthError) Error() string {
	return fmt.Sprintf("kernels: %s: length mismatch: len(%s) = %d, len(%s) = %d",
		e.Kernel, e.Name1, e.Len1, e.Name2, e.Len2)
}

func checkLen(kernel, name1 string, len1 int, name2 string, len2 int) {
	if len1 != len2 {
		panic(&LengthError{Kernel: kernel, Name1: name1, Len1: len1, Name2: name2, Len2: len2})
	}
}

// The entries below share these shapes: check lengths, then run the active
// path on the calling goroutine, or split across Threads() goroutines when
// the slices are long enough to pay for it.

func binary[T Float](name string, f func(dst, a, b []T), dst, a, b []T) {
	checkLen(name, "dst", len(dst), "a", len(a))
	checkLen(name, "dst", len(dst), "b", len(b))
	if k := chunks(len(dst), grainCheap); k > 1 {
		parallel(len(dst), k, func(_, lo, hi int) { f(dst[lo:hi], a[lo:hi], b[lo:hi]) })
		return
	}
	f(dst, a, b)
}

func withScalar[T Float](name string, f func(dst, a []T, s T), dst, a []T, s T) {
	checkLen(name, "dst", len(dst), "x", len(a))
	if k := chunks(len(dst), grainCheap); k > 1 {
		parallel(len(dst), k, func(_, lo, hi int) { f(dst[lo:hi], a[lo:hi], s) })
		return
	}
	f(dst, a, s)
}

func unary[T Float](name string, grain int, f func(dst, x []T), dst, x []T) {
	checkLen(name, "dst", len(dst), "x", len(x))
	if k := chunks(len(dst), grain); k > 1 {
		parallel(len(dst), k, func(_, lo, hi int) { f(dst[lo:hi], x[lo:hi]) })
		return
	}
	f(dst, x)
}

// Add sets dst[i] = a[i] + b[i]. Exact (IEEE rounding, identical on every
// path). dst may be a or b.
func Add[T Float](dst, a, b []T) { binary("Add", opsFor[T]().add, dst, a, b) }

// Sub sets dst[i] = a[i] - b[i]. Exact. dst may be a or b.
func Sub[T Float](dst, a, b []T) { binary("Sub", opsFor[T]().sub, dst, a, b) }

// Mul sets dst[i] = a[i] * b[i]. Exact. dst may be a or b.
func Mul[T Float](dst, a, b []T) { binary("Mul", opsFor[T]().mul, dst, a, b) }

// Div sets dst[i] = a[i] / b[i]. Exact (a true division on every path).
// dst may be a or b.
func Div[T Float](dst, a, b []T) { binary("Div", opsFor[T]().div, dst, a, b) }

// AddScalar sets dst[i] = x[i] + s. Exact. dst may be x.
func AddScalar[T Float](dst, x []T, s T) { withScalar("AddScalar", opsFor[T]().addScalar, dst, x, s) }

// SubScalar sets dst[i] = x[i] - s. Exact. dst may be x.
func SubScalar[T Float](dst, x []T, s T) { withScalar("SubScalar", opsFor[T]().subScalar, dst, x, s) }

// MulScalar sets dst[i] = x[i] * s. Exact. dst may be x.
func MulScalar[T Float](dst, x []T, s T) { withScalar("MulScalar", opsFor[T]().mulScalar, dst, x, s) }

// DivScalar sets dst[i] = x[i] / s. Exact (not a multiplication by 1/s).
// dst may be x.
func DivScalar[T Float](dst, x []T, s T) { withScalar("DivScalar", opsFor[T]().divScalar, dst, x, s) }

// Axpy sets y[i] += alpha*x[i] (BLAS axpy). The assembly paths fuse the
// multiply and add (one rounding), the generic path rounds twice: results
// agree within one rounding of alpha*x[i], that is
// |Δ| <= ε·(|alpha·x[i]| + |y[i]|) with ε the unit roundoff of T.
func Axpy[T Float](alpha T, x, y []T) {
	checkLen("Axpy", "x", len(x), "y", len(y))
	f := opsFor[T]().axpy
	if k := chunks(len(x), grainCheap); k > 1 {
		parallel(len(x), k, func(_, lo, hi int) { f(alpha, x[lo:hi], y[lo:hi]) })
		return
	}
	f(alpha, x, y)
}

// Scale sets x[i] *= alpha. Exact.
func Scale[T Float](alpha T, x []T) {
	f := opsFor[T]().scale
	if k := chunks(len(x), grainCheap); k > 1 {
		parallel(len(x), k, func(_, lo, hi int) { f(alpha, x[lo:hi]) })
		return
	}
	f(alpha, x)
}

// Fill sets every dst[i] to v.
func Fill[T Float](dst []T, v T) {
	f := opsFor[T]().fill
	if k := chunks(len(dst), grainCheap); k > 1 {
		parallel(len(dst), k, func(_, lo, hi int) { f(dst[lo:hi], v) })
		return
	}
	f(dst, v)
}

// Relu sets dst[i] = 0 where x[i] < 0 and x[i] elsewhere, as torch.relu:
// NaN propagates and -0 stays -0. Exact. dst may be x.
func Relu[T Float](dst, x []T) { unary("Relu", grainCheap, opsFor[T]().relu, dst, x) }

// ReluBackward sets dst[i] = grad[i] where x[i] > 0 and 0 where x[i] <= 0
// (relu'(0) = 0; a NaN input passes grad, as PyTorch's threshold_backward).
// Exact. dst may be grad or x.
func ReluBackward[T Float](dst, grad, x []T) {
	checkLen("ReluBackward", "dst", len(dst), "grad", len(grad))
	checkLen("ReluBackward", "dst", len(dst), "x", len(x))
	f := opsFor[T]().reluBackward
	if k := chunks(len(dst), grainCheap); k > 1 {
		parallel(len(dst), k, func(_, lo, hi int) { f(dst[lo:hi], grad[lo:hi], x[lo:hi]) })
		return
	}
	f(dst, grad, x)
}

// LeakyRelu sets dst[i] = x[i] if x[i] > 0, else slope*x[i] (as
// torch.nn.functional.leaky_relu). Exact. dst may be x.
func LeakyRelu[T Float](dst, x []T, slope T) {
	withScalar("LeakyRelu", opsFor[T]().leakyRelu, dst, x, slope)
}

// LeakyReluBackward sets dst[i] = grad[i] if x[i] > 0, else slope*grad[i].
// Exact. dst may be grad or x.
func LeakyReluBackward[T Float](dst, grad, x []T, slope T) {
	checkLen("LeakyReluBackward", "dst", len(dst), "grad", len(grad))
	checkLen("LeakyReluBackward", "dst", len(dst), "x", len(x))
	f := opsFor[T]().leakyReluBackward
	if k := chunks(len(dst), grainCheap); k > 1 {
		parallel(len(dst), k, func(_, lo, hi int) { f(dst[lo:hi], grad[lo:hi], x[lo:hi], slope) })
		return
	}
	f(dst, grad, x, slope)
}

// Exp sets dst[i] = e**x[i]. The assembly paths use a polynomial after
// range reduction and are within 4 ulp of math.Exp (float32: of the float64
// result rounded to float32) over the whole range; overflow gives +Inf,
// results below the normal range are subnormal or +0, Exp(-Inf) = 0,
// Exp(+Inf) = +Inf, NaN stays NaN. dst may be x.
func Exp[T Float](dst, x []T) { unary("Exp", grainCostly, opsFor[T]().exp, dst, x) }

// Log sets dst[i] to the natural logarithm of x[i], within 4 ulp of
// math.Log (subnormal inputs included); Log(±0) = -Inf, Log(x < 0) = NaN,
// Log(+Inf) = +Inf, NaN stays NaN. dst may be x.
func Log[T Float](dst, x []T) { unary("Log", grainCostly, opsFor[T]().log, dst, x) }

// Tanh sets dst[i] = tanh(x[i]), within 4 ulp of math.Tanh; Tanh(±0) = ±0,
// Tanh(±Inf) = ±1, NaN stays NaN. dst may be x.
func Tanh[T Float](dst, x []T) { unary("Tanh", grainCostly, opsFor[T]().tanh, dst, x) }

// Sigmoid sets dst[i] = 1/(1+e**-x[i]), within 4 ulp of that formula
// evaluated in float64 without loss in either tail (very negative inputs
// give subnormal results, as torch.sigmoid); NaN stays NaN. dst may be x.
func Sigmoid[T Float](dst, x []T) { unary("Sigmoid", grainCostly, opsFor[T]().sigmoid, dst, x) }

// maxParts bounds how many partial results a parallel reduction keeps.
const maxParts = 64

func reduce[T Float](n int, f func(lo, hi int) T) T {
	k := min(chunks(n, grainCheap), maxParts)
	if k <= 1 {
		return f(0, n)
	}
	var part [maxParts]T
	parallel(n, k, func(p, lo, hi int) { part[p] = f(lo, hi) })
	var s T
	for _, v := range part[:k] {
		s += v
	}
	return s
}

// Sum returns the sum of x (0 for an empty slice). Paths add in different
// orders (several accumulators, one partial per thread), so results differ
// from a left-to-right sum within the usual bound
// |Δ| <= (n-1)·ε·Σ|x[i]|. For a given path and thread count the result is
// deterministic. NaN, or +Inf with -Inf, gives NaN.
func Sum[T Float](x []T) T {
	f := opsFor[T]().sum
	if chunks(len(x), grainCheap) <= 1 {
		return f(x) // no closure: small calls allocate nothing
	}
	return reduce(len(x), func(lo, hi int) T { return f(x[lo:hi]) })
}

// Dot returns Σ x[i]*y[i] (0 for empty slices), within
// |Δ| <= n·ε·Σ|x[i]·y[i]| of the exact value. Products are rounded before
// they are added (no FMA) on every path, so a product that overflows is
// ±Inf everywhere, as in the generic twin.
func Dot[T Float](x, y []T) T {
	checkLen("Dot", "x", len(x), "y", len(y))
	f := opsFor[T]().dot
	if chunks(len(x), grainCheap) <= 1 {
		return f(x, y)
	}
	return reduce(len(x), func(lo, hi int) T { return f(x[lo:hi], y[lo:hi]) })
}

// SumSq returns Σ x[i]², within n·ε·Σx[i]² of the exact value (products
// rounded before they are added, as Dot).
func SumSq[T Float](x []T) T {
	f := opsFor[T]().sumSq
	if chunks(len(x), grainCheap) <= 1 {
		return f(x)
	}
	return reduce(len(x), func(lo, hi int) T { return f(x[lo:hi]) })
}

// maxIdxChunk keeps the index lanes of the float32 assembly in int32. A
// variable so tests can exercise the chunking without 4 GiB of input.
var maxIdxChunk = 1 << 30

// MaxIdx returns the largest element of x and the first index holding it
// (ties go to the lowest index, as torch.max). NaN is larger than any
// number: if x holds NaN, the result is the first NaN and its index. Exact.
// It panics if x is empty.
func MaxIdx[T Float](x []T) (T, int) {
	if len(x) == 0 {
		panic("kernels: MaxIdx: empty slice (max of no elements is undefined)")
	}
	f := opsFor[T]().maxIdx
	k := chunks(len(x), grainCheap)
	if k <= 1 && len(x) <= maxIdxChunk {
		return f(x)
	}
	// Pieces: per thread, and never longer than maxIdxChunk.
	type res struct {
		v T
		i int
	}
	k = min(max(k, (len(x)+maxIdxChunk-1)/maxIdxChunk), maxParts)
	var part [maxParts]res
	for i := range part {
		part[i].i = -1 // pieces parallel does not run stay empty
	}
	parallel(len(x), k, func(p, lo, hi int) {
		best := res{i: -1}
		for ; lo < hi; lo += maxIdxChunk {
			v, i := f(x[lo:min(hi, lo+maxIdxChunk)])
			if best.i < 0 || v != v || v > best.v {
				best = res{v, lo + i}
				if v != v {
					break
				}
			}
		}
		part[p] = best
	})
	best := part[0]
	for _, r := range part[1:k] { // in index order: the first NaN, or the first max, wins
		if best.v != best.v {
			break
		}
		if r.i >= 0 && (r.v != r.v || r.v > best.v) {
			best = r
		}
	}
	return best.v, best.i
}

// Softmax sets dst to the softmax of the row x: with m = max(x),
// dst[i] = e**(x[i]-m) / Σ e**(x[j]-m), one fused pass for the max, one
// for the exponentials and their sum, one to scale. Accuracy: Exp's bound
// plus the sum's rounding (relative error within (n+4)·ε·4 per element). A
// NaN anywhere, or +Inf, gives NaN (as PyTorch). dst may be x.
func Softmax[T Float](dst, x []T) {
	checkLen("Softmax", "dst", len(dst), "x", len(x))
	if len(x) > 0 {
		opsFor[T]().softmax(dst, x)
	}
}

// LogSoftmax sets dst[i] = x[i] - m - log Σ e**(x[j]-m) with m = max(x),
// the numerically stable log-softmax of the row x. dst may be x.
func LogSoftmax[T Float](dst, x []T) {
	checkLen("LogSoftmax", "dst", len(dst), "x", len(x))
	if len(x) > 0 {
		opsFor[T]().logSoftmax(dst, x)
	}
}
