package testutil

import "math"

// Tiny is the smallest positive subnormal of T.
func Tiny[T Float]() T { return FromBits[T](1) }

// FMAMismatch compares y + alpha*x computed fused (got) with the unfused
// generic result (want): they may differ by the rounding of the product,
// and anything goes once the product overflows T in one form.
func FMAMismatch[T Float](got, want, alpha, x, y0 T) bool {
	p := float64(alpha) * float64(x)
	if math.IsInf(p, 0) || math.Abs(p) > MaxFinite[T]() {
		return false
	}
	if got != got || want != want || math.IsInf(float64(got), 0) || math.IsInf(float64(want), 0) {
		return !SameBits(got, want)
	}
	tol := 2*Eps[T]()*(math.Abs(p)+math.Abs(float64(y0))) + float64(Tiny[T]())
	return math.Abs(float64(got)-float64(want)) > tol
}

// SumBound describes the terms of a reduction, for its error bound.
type SumBound struct {
	AbsSum           float64 // Σ|term| over the finite terms
	NaN, PInf, NInf  bool
	OverflowPossible bool // partial sums may overflow in some order
	N                int
}

// BoundOf summarises terms (computed in float64) of a sum in T.
func BoundOf[T Float](terms []float64) SumBound {
	b := SumBound{N: len(terms)}
	for _, v := range terms {
		switch {
		case v != v:
			b.NaN = true
		case math.IsInf(v, 1):
			b.PInf = true
		case math.IsInf(v, -1):
			b.NInf = true
		default:
			b.AbsSum += math.Abs(v)
		}
	}
	b.OverflowPossible = math.IsInf(b.AbsSum, 0) || b.AbsSum > MaxFinite[T]()/2
	return b
}

// ReductionMismatch checks a sum in another association order (got)
// against a left-to-right one (want): |Δ| <= 2(n+1)·ε·Σ|terms| plus
// subnormal rounding; NaN and infinities must agree; no check where the
// order decides whether partial sums overflow.
func ReductionMismatch[T Float](got, want T, b SumBound) bool {
	switch {
	case b.OverflowPossible:
		return false
	case b.NaN || (b.PInf && b.NInf):
		return !(got != got && want != want)
	case b.PInf:
		return !math.IsInf(float64(got), 1) || !math.IsInf(float64(want), 1)
	case b.NInf:
		return !math.IsInf(float64(got), -1) || !math.IsInf(float64(want), -1)
	}
	tol := 2*float64(b.N+1)*Eps[T]()*b.AbsSum + float64(b.N+1)*float64(Tiny[T]())
	return math.Abs(float64(got)-float64(want)) > tol
}

// SoftmaxMismatch: each element of a row of n within a relative error that
// grows with n (the sum) plus Exp's 4 ulp; NaN only with NaN.
func SoftmaxMismatch[T Float](got, want T, n int) bool {
	if got != got || want != want {
		return !(got != got && want != want)
	}
	tol := float64(2*n+16)*Eps[T]()*math.Abs(float64(want)) + 4*float64(Tiny[T]())
	return math.Abs(float64(got)-float64(want)) > tol
}

// LogSoftmaxMismatch: absolute error bounded by the log-sum-exp's relative
// error plus the rounding of xm = x-max(x).
func LogSoftmaxMismatch[T Float](got, want, xm T, n int) bool {
	if got != got || want != want || math.IsInf(float64(want), 0) {
		return !SameBits(got, want)
	}
	tol := float64(n+16) * Eps[T]() * (1 + math.Abs(float64(xm)) + math.Abs(float64(want)))
	return math.Abs(float64(got)-float64(want)) > tol
}
