//go:build gc && !purego

package simdtorch

// The routines below are implemented in kernels_amd64.s with AVX2+FMA.
// Preconditions (checked by package kernels, never here): every slice
// argument is at least as long as the first slice argument, whose length
// n is the element count; any n >= 0 unless stated; no alignment assumed.

// AddF32AVX2: dst[i] = a[i] + b[i]. Exact.
//
//go:noescape
func AddF32AVX2(dst, a, b []float32)

// SubF32AVX2: dst[i] = a[i] - b[i]. Exact.
//
//go:noescape
func SubF32AVX2(dst, a, b []float32)

// MulF32AVX2: dst[i] = a[i] * b[i]. Exact.
//
//go:noescape
func MulF32AVX2(dst, a, b []float32)

// DivF32AVX2: dst[i] = a[i] / b[i]. Exact (a true division, not a reciprocal).
//
//go:noescape
func DivF32AVX2(dst, a, b []float32)

// AddScalarF32AVX2: dst[i] = a[i] + s. Exact.
//
//go:noescape
func AddScalarF32AVX2(dst, a []float32, s float32)

// SubScalarF32AVX2: dst[i] = a[i] - s. Exact.
//
//go:noescape
func SubScalarF32AVX2(dst, a []float32, s float32)

// MulScalarF32AVX2: dst[i] = a[i] * s. Exact.
//
//go:noescape
func MulScalarF32AVX2(dst, a []float32, s float32)

// DivScalarF32AVX2: dst[i] = a[i] / s. Exact (a true division, not a reciprocal).
//
//go:noescape
func DivScalarF32AVX2(dst, a []float32, s float32)

// AxpyF32AVX2: y[i] += alpha * x[i], fused (one rounding); n = len(x).
//
//go:noescape
func AxpyF32AVX2(alpha float32, x, y []float32)

// ScaleF32AVX2: x[i] *= alpha. Exact.
//
//go:noescape
func ScaleF32AVX2(alpha float32, x []float32)

// FillF32AVX2: dst[i] = v.
//
//go:noescape
func FillF32AVX2(dst []float32, v float32)

// ReluF32AVX2: dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0. Exact.
//
//go:noescape
func ReluF32AVX2(dst, x []float32)

// ReluBackwardF32AVX2: dst[i] = grad[i] unless x[i] <= 0, then +0 (PyTorch threshold_backward: NaN x passes grad). Exact.
//
//go:noescape
func ReluBackwardF32AVX2(dst, grad, x []float32)

// LeakyReluF32AVX2: dst[i] = x[i] if x[i] > 0, else x[i]*slope. Exact.
//
//go:noescape
func LeakyReluF32AVX2(dst, x []float32, slope float32)

// LeakyReluBackwardF32AVX2: dst[i] = grad[i] if x[i] > 0, else grad[i]*slope. Exact.
//
//go:noescape
func LeakyReluBackwardF32AVX2(dst, grad, x []float32, slope float32)

// ExpF32AVX2: dst[i] = exp(x[i]), polynomial approximation; within 4 ulp of math.Exp; overflow to +Inf, underflow through subnormals to +0, NaN and ±Inf as math.Exp.
//
//go:noescape
func ExpF32AVX2(dst, x []float32)

// LogF32AVX2: dst[i] = log(x[i]); within 4 ulp of math.Log; subnormal inputs handled; log(±0) = -Inf, log(x<0) = NaN, log(+Inf) = +Inf, NaN stays NaN.
//
//go:noescape
func LogF32AVX2(dst, x []float32)

// TanhF32AVX2: dst[i] = tanh(x[i]); within 4 ulp of math.Tanh; tanh(±0) = ±0, tanh(±Inf) = ±1, NaN stays NaN.
//
//go:noescape
func TanhF32AVX2(dst, x []float32)

// SigmoidF32AVX2: dst[i] = 1/(1+exp(-x[i])); within 4 ulp of the float64 formula; subnormal results for very negative x, NaN stays NaN.
//
//go:noescape
func SigmoidF32AVX2(dst, x []float32)

// SumF32AVX2: returns the sum of x in any association order (error bound grows with n).
//
//go:noescape
func SumF32AVX2(x []float32) float32

// DotF32AVX2: returns sum x[i]*y[i] over i < len(x), any order, FMA allowed.
//
//go:noescape
func DotF32AVX2(x, y []float32) float32

// SumSqF32AVX2: returns sum x[i]*x[i], any order, FMA allowed.
//
//go:noescape
func SumSqF32AVX2(x []float32) float32

// MaxIdxF32AVX2: returns the largest element and the first index holding it. NaN counts as larger than everything (the first NaN wins, as in PyTorch). Requires 1 <= len(x) < 1<<31.
//
//go:noescape
func MaxIdxF32AVX2(x []float32) (max float32, idx int)

// SoftmaxF32AVX2: one row: m = max(x); e[i] = exp(x[i]-m); dst[i] = e[i]/sum(e). Requires len(x) >= 1. Accuracy: Exp's ulp bound plus the sum's rounding.
//
//go:noescape
func SoftmaxF32AVX2(dst, x []float32)

// LogSoftmaxF32AVX2: one row: m = max(x); dst[i] = x[i] - m - log(sum exp(x[j]-m)). Requires len(x) >= 1.
//
//go:noescape
func LogSoftmaxF32AVX2(dst, x []float32)

// AddF64AVX2: dst[i] = a[i] + b[i]. Exact.
//
//go:noescape
func AddF64AVX2(dst, a, b []float64)

// SubF64AVX2: dst[i] = a[i] - b[i]. Exact.
//
//go:noescape
func SubF64AVX2(dst, a, b []float64)

// MulF64AVX2: dst[i] = a[i] * b[i]. Exact.
//
//go:noescape
func MulF64AVX2(dst, a, b []float64)

// DivF64AVX2: dst[i] = a[i] / b[i]. Exact (a true division, not a reciprocal).
//
//go:noescape
func DivF64AVX2(dst, a, b []float64)

// AddScalarF64AVX2: dst[i] = a[i] + s. Exact.
//
//go:noescape
func AddScalarF64AVX2(dst, a []float64, s float64)

// SubScalarF64AVX2: dst[i] = a[i] - s. Exact.
//
//go:noescape
func SubScalarF64AVX2(dst, a []float64, s float64)

// MulScalarF64AVX2: dst[i] = a[i] * s. Exact.
//
//go:noescape
func MulScalarF64AVX2(dst, a []float64, s float64)

// DivScalarF64AVX2: dst[i] = a[i] / s. Exact (a true division, not a reciprocal).
//
//go:noescape
func DivScalarF64AVX2(dst, a []float64, s float64)

// AxpyF64AVX2: y[i] += alpha * x[i], fused (one rounding); n = len(x).
//
//go:noescape
func AxpyF64AVX2(alpha float64, x, y []float64)

// ScaleF64AVX2: x[i] *= alpha. Exact.
//
//go:noescape
func ScaleF64AVX2(alpha float64, x []float64)

// FillF64AVX2: dst[i] = v.
//
//go:noescape
func FillF64AVX2(dst []float64, v float64)

// ReluF64AVX2: dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0. Exact.
//
//go:noescape
func ReluF64AVX2(dst, x []float64)

// ReluBackwardF64AVX2: dst[i] = grad[i] unless x[i] <= 0, then +0 (PyTorch threshold_backward: NaN x passes grad). Exact.
//
//go:noescape
func ReluBackwardF64AVX2(dst, grad, x []float64)

// LeakyReluF64AVX2: dst[i] = x[i] if x[i] > 0, else x[i]*slope. Exact.
//
//go:noescape
func LeakyReluF64AVX2(dst, x []float64, slope float64)

// LeakyReluBackwardF64AVX2: dst[i] = grad[i] if x[i] > 0, else grad[i]*slope. Exact.
//
//go:noescape
func LeakyReluBackwardF64AVX2(dst, grad, x []float64, slope float64)

// ExpF64AVX2: dst[i] = exp(x[i]), polynomial approximation; within 4 ulp of math.Exp; overflow to +Inf, underflow through subnormals to +0, NaN and ±Inf as math.Exp.
//
//go:noescape
func ExpF64AVX2(dst, x []float64)

// LogF64AVX2: dst[i] = log(x[i]); within 4 ulp of math.Log; subnormal inputs handled; log(±0) = -Inf, log(x<0) = NaN, log(+Inf) = +Inf, NaN stays NaN.
//
//go:noescape
func LogF64AVX2(dst, x []float64)

// TanhF64AVX2: dst[i] = tanh(x[i]); within 4 ulp of math.Tanh; tanh(±0) = ±0, tanh(±Inf) = ±1, NaN stays NaN.
//
//go:noescape
func TanhF64AVX2(dst, x []float64)

// SigmoidF64AVX2: dst[i] = 1/(1+exp(-x[i])); within 4 ulp of the float64 formula; subnormal results for very negative x, NaN stays NaN.
//
//go:noescape
func SigmoidF64AVX2(dst, x []float64)

// SumF64AVX2: returns the sum of x in any association order (error bound grows with n).
//
//go:noescape
func SumF64AVX2(x []float64) float64

// DotF64AVX2: returns sum x[i]*y[i] over i < len(x), any order, FMA allowed.
//
//go:noescape
func DotF64AVX2(x, y []float64) float64

// SumSqF64AVX2: returns sum x[i]*x[i], any order, FMA allowed.
//
//go:noescape
func SumSqF64AVX2(x []float64) float64

// MaxIdxF64AVX2: returns the largest element and the first index holding it. NaN counts as larger than everything (the first NaN wins, as in PyTorch). Requires 1 <= len(x) < 1<<31.
//
//go:noescape
func MaxIdxF64AVX2(x []float64) (max float64, idx int)

// SoftmaxF64AVX2: one row: m = max(x); e[i] = exp(x[i]-m); dst[i] = e[i]/sum(e). Requires len(x) >= 1. Accuracy: Exp's ulp bound plus the sum's rounding.
//
//go:noescape
func SoftmaxF64AVX2(dst, x []float64)

// LogSoftmaxF64AVX2: one row: m = max(x); dst[i] = x[i] - m - log(sum exp(x[j]-m)). Requires len(x) >= 1.
//
//go:noescape
func LogSoftmaxF64AVX2(dst, x []float64)
