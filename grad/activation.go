package grad

import (
	"math"

	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/tensor"
)

// ReLU returns max(v, 0); its gradient is 0 where v <= 0 (relu'(0) = 0).
func (v *Variable) ReLU() *Variable {
	out := v.value.ReLU()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("ReluBackward0", out, v, func(g *tensor.Tensor) {
		// threshold_backward on the result: out > 0 exactly where x > 0.
		give(v, reluBackward(g, out, 0, false))
	})
}

// LeakyReLU returns v where v > 0 and slope·v elsewhere.
func (v *Variable) LeakyReLU(slope float64) *Variable {
	out := v.value.LeakyReLU(slope)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	return record("LeakyReluBackward0", out, v, func(g *tensor.Tensor) {
		give(v, reluBackward(g, x, slope, true))
	})
}

// reluBackward returns g where x > 0 and slope·g (or 0) elsewhere, on the
// fused kernels.
func reluBackward(g, x *tensor.Tensor, slope float64, leaky bool) *tensor.Tensor {
	g = g.To(x.DType()).Contiguous()
	x = x.Contiguous()
	d := tensor.ZerosLike(x)
	if x.DType() == tensor.Float32 {
		if leaky {
			kernels.LeakyReluBackward(tensor.Data[float32](d), tensor.Data[float32](g), tensor.Data[float32](x), float32(slope))
		} else {
			kernels.ReluBackward(tensor.Data[float32](d), tensor.Data[float32](g), tensor.Data[float32](x))
		}
	} else {
		if leaky {
			kernels.LeakyReluBackward(tensor.Data[float64](d), tensor.Data[float64](g), tensor.Data[float64](x), slope)
		} else {
			kernels.ReluBackward(tensor.Data[float64](d), tensor.Data[float64](g), tensor.Data[float64](x))
		}
	}
	return d
}

// Sigmoid returns 1 / (1 + e**-v).
func (v *Variable) Sigmoid() *Variable {
	out := v.value.Sigmoid()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("SigmoidBackward0", out, v, func(g *tensor.Tensor) {
		// g·σ·(1-σ)
		give(v, out.RSubScalar(1).MulInPlace(out).MulInPlace(g))
	})
}

// Tanh returns the hyperbolic tangent of v.
func (v *Variable) Tanh() *Variable {
	out := v.value.Tanh()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("TanhBackward0", out, v, func(g *tensor.Tensor) {
		// g·(1-tanh²)
		give(v, out.Mul(out).RSubScalar(1).MulInPlace(g))
	})
}

// GELU returns v·Φ(v) with the exact (erf) form, as torch's gelu default.
func (v *Variable) GELU() *Variable {
	out := v.value.GELU()
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	return record("GeluBackward0", out, v, func(g *tensor.Tensor) {
		xs := x.Float64s()
		d := make([]float64, len(xs))
		for i, a := range xs {
			cdf := 0.5 * (1 + math.Erf(a/math.Sqrt2))
			pdf := math.Exp(-0.5*a*a) / math.Sqrt(2*math.Pi)
			d[i] = cdf + a*pdf
		}
		dt := fromSlice(d, x.Shape()).To(x.DType())
		give(v, dt.MulInPlace(g))
	})
}

// Softmax returns exp(v) / sum(exp(v)) along dim.
func (v *Variable) Softmax(dim int) *Variable {
	out := v.value.Softmax(dim)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("SoftmaxBackward0", out, v, func(g *tensor.Tensor) {
		// y·(g - sum(g·y))
		s := g.Mul(out).Sum(tensor.Dim(dim), tensor.KeepDim)
		give(v, g.Sub(s).MulInPlace(out))
	})
}

// LogSoftmax returns log(Softmax(v, dim)), computed stably.
func (v *Variable) LogSoftmax(dim int) *Variable {
	out := v.value.LogSoftmax(dim)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return record("LogSoftmaxBackward0", out, v, func(g *tensor.Tensor) {
		// g - exp(y)·sum(g)
		s := g.Sum(tensor.Dim(dim), tensor.KeepDim)
		give(v, g.Sub(out.Exp().MulInPlace(s)))
	})
}

// Clamp returns v limited to [lo, hi]; NaN leaves that side open (as
// ClampMin/ClampMax). The gradient flows where lo <= v <= hi, boundaries
// included, as in PyTorch.
func (v *Variable) Clamp(lo, hi float64) *Variable {
	var out *tensor.Tensor
	switch {
	case math.IsNaN(lo):
		out = v.value.ClampMax(hi)
	case math.IsNaN(hi):
		out = v.value.ClampMin(lo)
	default:
		out = v.value.Clamp(lo, hi)
	}
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	name := "ClampBackward1"
	if math.IsNaN(lo) {
		name = "ClampMaxBackward0"
	} else if math.IsNaN(hi) {
		name = "ClampMinBackward0"
	}
	return record(name, out, v, func(g *tensor.Tensor) {
		var in *tensor.Tensor
		switch {
		case math.IsNaN(lo):
			in = x.LeScalar(hi)
		case math.IsNaN(hi):
			in = x.GeScalar(lo)
		default:
			in = x.GeScalar(lo).MulInPlace(x.LeScalar(hi))
		}
		give(v, tensor.Where(in, g, scalar(g.DType(), 0)))
	})
}

// ClampMin returns max(v, lo).
func (v *Variable) ClampMin(lo float64) *Variable { return v.Clamp(lo, math.NaN()) }

// ClampMax returns min(v, hi).
func (v *Variable) ClampMax(hi float64) *Variable { return v.Clamp(math.NaN(), hi) }

// SiLU returns v·sigmoid(v) (torch.nn.functional.silu, "swish").
func (v *Variable) SiLU() *Variable { return v.Mul(v.Sigmoid()) }

// ELU returns v where v > 0 and alpha·(exp(v) - 1) elsewhere
// (torch.nn.functional.elu); its gradient at 0 is alpha, as PyTorch's.
func (v *Variable) ELU(alpha float64) *Variable {
	// relu(v) + alpha·(exp(min(v, 0)) - 1): min's gradient passes at 0.
	return v.ReLU().Add(v.ClampMax(0).Exp().AddScalar(-1).MulScalar(alpha))
}

// Softplus returns log(1 + exp(beta·v))/beta, and v itself where beta·v >
// threshold (torch.nn.functional.softplus), so large inputs neither
// overflow nor lose their gradient of 1.
func (v *Variable) Softplus(beta, threshold float64) *Variable {
	linear := v.value.MulScalar(beta).GtScalar(threshold)
	z := v.MulScalar(beta).ClampMax(threshold) // exp cannot overflow
	return Where(linear, v, z.Exp().AddScalar(1).Log().DivScalar(beta))
}
