//go:build gc && !purego

package simdtorch

// The routines below are implemented in kernels_arm64.s with NEON (ASIMD).
// Preconditions (checked by package kernels, never here): every slice
// argument is at least as long as the first slice argument, whose length
// n is the element count; any n >= 0 unless stated; no alignment assumed.

// AddF32NEON: dst[i] = a[i] + b[i]. Exact.
//
//go:noescape
func AddF32NEON(dst, a, b []float32)

// SubF32NEON: dst[i] = a[i] - b[i]. Exact.
//
//go:noescape
func SubF32NEON(dst, a, b []float32)

// MulF32NEON: dst[i] = a[i] * b[i]. Exact.
//
//go:noescape
func MulF32NEON(dst, a, b []float32)

// DivF32NEON: dst[i] = a[i] / b[i]. Exact (a true division, not a reciprocal).
//
//go:noescape
func DivF32NEON(dst, a, b []float32)

// AddScalarF32NEON: dst[i] = a[i] + s. Exact.
//
//go:noescape
func AddScalarF32NEON(dst, a []float32, s float32)

// SubScalarF32NEON: dst[i] = a[i] - s. Exact.
//
//go:noescape
func SubScalarF32NEON(dst, a []float32, s float32)

// MulScalarF32NEON: dst[i] = a[i] * s. Exact.
//
//go:noescape
func MulScalarF32NEON(dst, a []float32, s float32)

// DivScalarF32NEON: dst[i] = a[i] / s. Exact (a true division, not a reciprocal).
//
//go:noescape
func DivScalarF32NEON(dst, a []float32, s float32)

// AxpyF32NEON: y[i] += alpha * x[i], fused (one rounding); n = len(x).
//
//go:noescape
func AxpyF32NEON(alpha float32, x, y []float32)

// ScaleF32NEON: x[i] *= alpha. Exact.
//
//go:noescape
func ScaleF32NEON(alpha float32, x []float32)

// FillF32NEON: dst[i] = v.
//
//go:noescape
func FillF32NEON(dst []float32, v float32)

// ReluF32NEON: dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0. Exact.
//
//go:noescape
func ReluF32NEON(dst, x []float32)

// ReluBackwardF32NEON: dst[i] = grad[i] unless x[i] <= 0, then +0 (PyTorch threshold_backward: NaN x passes grad). Exact.
//
//go:noescape
func ReluBackwardF32NEON(dst, grad, x []float32)

// LeakyReluF32NEON: dst[i] = x[i] if x[i] > 0, else x[i]*slope. Exact.
//
//go:noescape
func LeakyReluF32NEON(dst, x []float32, slope float32)

// LeakyReluBackwardF32NEON: dst[i] = grad[i] if x[i] > 0, else grad[i]*slope. Exact.
//
//go:noescape
func LeakyReluBackwardF32NEON(dst, grad, x []float32, slope float32)

// ExpF32NEON: dst[i] = exp(x[i]), polynomial approximation; within 4 ulp of math.Exp; overflow to +Inf, underflow through subnormals to +0, NaN and ±Inf as math.Exp.
//
//go:noescape
func ExpF32NEON(dst, x []float32)

// LogF32NEON: dst[i] = log(x[i]); within 4 ulp of math.Log; subnormal inputs handled; log(±0) = -Inf, log(x<0) = NaN, log(+Inf) = +Inf, NaN stays NaN.
//
//go:noescape
func LogF32NEON(dst, x []float32)

// TanhF32NEON: dst[i] = tanh(x[i]); within 4 ulp of math.Tanh; tanh(±0) = ±0, tanh(±Inf) = ±1, NaN stays NaN.
//
//go:noescape
func TanhF32NEON(dst, x []float32)

// SigmoidF32NEON: dst[i] = 1/(1+exp(-x[i])); within 4 ulp of the float64 formula; subnormal results for very negative x, NaN stays NaN.
//
//go:noescape
func SigmoidF32NEON(dst, x []float32)

// SumF32NEON: returns the sum of x in any association order (error bound grows with n).
//
//go:noescape
func SumF32NEON(x []float32) float32

// DotF32NEON: returns sum x[i]*y[i] over i < len(x), any order, FMA allowed.
//
//go:noescape
func DotF32NEON(x, y []float32) float32

// SumSqF32NEON: returns sum x[i]*x[i], any order, FMA allowed.
//
//go:noescape
func SumSqF32NEON(x []float32) float32

// MaxIdxF32NEON: returns the largest element and the first index holding it. NaN counts as larger than everything (the first NaN wins, as in PyTorch). Requires 1 <= len(x) < 1<<31.
//
//go:noescape
func MaxIdxF32NEON(x []float32) (max float32, idx int)

// SoftmaxF32NEON: one row: m = max(x); e[i] = exp(x[i]-m); dst[i] = e[i]/sum(e). Requires len(x) >= 1. Accuracy: Exp's ulp bound plus the sum's rounding.
//
//go:noescape
func SoftmaxF32NEON(dst, x []float32)

// LogSoftmaxF32NEON: one row: m = max(x); dst[i] = x[i] - m - log(sum exp(x[j]-m)). Requires len(x) >= 1.
//
//go:noescape
func LogSoftmaxF32NEON(dst, x []float32)

// AddF64NEON: dst[i] = a[i] + b[i]. Exact.
//
//go:noescape
func AddF64NEON(dst, a, b []float64)

// SubF64NEON: dst[i] = a[i] - b[i]. Exact.
//
//go:noescape
func SubF64NEON(dst, a, b []float64)

// MulF64NEON: dst[i] = a[i] * b[i]. Exact.
//
//go:noescape
func MulF64NEON(dst, a, b []float64)

// DivF64NEON: dst[i] = a[i] / b[i]. Exact (a true division, not a reciprocal).
//
//go:noescape
func DivF64NEON(dst, a, b []float64)

// AddScalarF64NEON: dst[i] = a[i] + s. Exact.
//
//go:noescape
func AddScalarF64NEON(dst, a []float64, s float64)

// SubScalarF64NEON: dst[i] = a[i] - s. Exact.
//
//go:noescape
func SubScalarF64NEON(dst, a []float64, s float64)

// MulScalarF64NEON: dst[i] = a[i] * s. Exact.
//
//go:noescape
func MulScalarF64NEON(dst, a []float64, s float64)

// DivScalarF64NEON: dst[i] = a[i] / s. Exact (a true division, not a reciprocal).
//
//go:noescape
func DivScalarF64NEON(dst, a []float64, s float64)

// AxpyF64NEON: y[i] += alpha * x[i], fused (one rounding); n = len(x).
//
//go:noescape
func AxpyF64NEON(alpha float64, x, y []float64)

// ScaleF64NEON: x[i] *= alpha. Exact.
//
//go:noescape
func ScaleF64NEON(alpha float64, x []float64)

// FillF64NEON: dst[i] = v.
//
//go:noescape
func FillF64NEON(dst []float64, v float64)

// ReluF64NEON: dst[i] = x[i] if x[i] > 0 or x[i] is NaN, else +0. Exact.
//
//go:noescape
func ReluF64NEON(dst, x []float64)

// ReluBackwardF64NEON: dst[i] = grad[i] unless x[i] <= 0, then +0 (PyTorch threshold_backward: NaN x passes grad). Exact.
//
//go:noescape
func ReluBackwardF64NEON(dst, grad, x []float64)

// LeakyReluF64NEON: dst[i] = x[i] if x[i] > 0, else x[i]*slope. Exact.
//
//go:noescape
func LeakyReluF64NEON(dst, x []float64, slope float64)

// LeakyReluBackwardF64NEON: dst[i] = grad[i] if x[i] > 0, else grad[i]*slope. Exact.
//
//go:noescape
func LeakyReluBackwardF64NEON(dst, grad, x []float64, slope float64)

// ExpF64NEON: dst[i] = exp(x[i]), polynomial approximation; within 4 ulp of math.Exp; overflow to +Inf, underflow through subnormals to +0, NaN and ±Inf as math.Exp.
//
//go:noescape
func ExpF64NEON(dst, x []float64)

// LogF64NEON: dst[i] = log(x[i]); within 4 ulp of math.Log; subnormal inputs handled; log(±0) = -Inf, log(x<0) = NaN, log(+Inf) = +Inf, NaN stays NaN.
//
//go:noescape
func LogF64NEON(dst, x []float64)

// TanhF64NEON: dst[i] = tanh(x[i]); within 4 ulp of math.Tanh; tanh(±0) = ±0, tanh(±Inf) = ±1, NaN stays NaN.
//
//go:noescape
func TanhF64NEON(dst, x []float64)

// SigmoidF64NEON: dst[i] = 1/(1+exp(-x[i])); within 4 ulp of the float64 formula; subnormal results for very negative x, NaN stays NaN.
//
//go:noescape
func SigmoidF64NEON(dst, x []float64)

// SumF64NEON: returns the sum of x in any association order (error bound grows with n).
//
//go:noescape
func SumF64NEON(x []float64) float64

// DotF64NEON: returns sum x[i]*y[i] over i < len(x), any order, FMA allowed.
//
//go:noescape
func DotF64NEON(x, y []float64) float64

// SumSqF64NEON: returns sum x[i]*x[i], any order, FMA allowed.
//
//go:noescape
func SumSqF64NEON(x []float64) float64

// MaxIdxF64NEON: returns the largest element and the first index holding it. NaN counts as larger than everything (the first NaN wins, as in PyTorch). Requires 1 <= len(x) < 1<<31.
//
//go:noescape
func MaxIdxF64NEON(x []float64) (max float64, idx int)

// SoftmaxF64NEON: one row: m = max(x); e[i] = exp(x[i]-m); dst[i] = e[i]/sum(e). Requires len(x) >= 1. Accuracy: Exp's ulp bound plus the sum's rounding.
//
//go:noescape
func SoftmaxF64NEON(dst, x []float64)

// LogSoftmaxF64NEON: one row: m = max(x); dst[i] = x[i] - m - log(sum exp(x[j]-m)). Requires len(x) >= 1.
//
//go:noescape
func LogSoftmaxF64NEON(dst, x []float64)
