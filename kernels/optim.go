package kernels

import "math"

// Fused optimizer updates (torch.optim's per-parameter step written as one
// loop): each element of the parameter and its state is read once and
// written once, with no temporaries. These are Go loops on every path for
// now; assembly versions (AVX2/NEON) are a later task, and will be checked
// against these loops as the other kernels are against their generic twins.
//
// The hyperparameters are float64, as Python floats are in torch.optim;
// every scalar the update multiplies by (lr, momentum, 1-dampening,
// lr/bias_correction1, ...) is computed in float64 and then rounded to T
// once, as PyTorch rounds a Python scalar to the tensor's dtype. Each
// product and sum is rounded to T on its own (explicit conversions keep
// the compiler from fusing them into FMAs), so results are bit-identical
// on every architecture.
//
// Aliasing is not allowed: param, grad and the state slices must not
// overlap (PyTorch's state tensors are separate storage too).

// SGDParams are the settings of one SGDStep, named as torch.optim.SGD's.
type SGDParams struct {
	LR          float64
	Momentum    float64
	Dampening   float64
	WeightDecay float64
	Nesterov    bool
	// Init says the momentum buffer holds no value yet (the parameter's
	// first step): it is set to the gradient (plus weight decay) rather
	// than updated, as PyTorch does when momentum_buffer is None.
	Init bool
}

// SGDStep applies one step of torch.optim.SGD (maximize=False) to param,
// in place:
//
//	d := grad[i]
//	if WeightDecay != 0 { d = d + WeightDecay*param[i] }
//	if Momentum != 0 {
//		if Init { buf[i] = d } else { buf[i] = Momentum*buf[i] + (1-Dampening)*d }
//		if Nesterov { d = d + Momentum*buf[i] } else { d = buf[i] }
//	}
//	param[i] = param[i] + (-LR)*d
//
// buf is the momentum buffer; it is not used, and may be nil, when
// Momentum is 0. Lengths must match (a *LengthError panic otherwise);
// the slices must not overlap.
func SGDStep[T Float](param, grad, buf []T, h SGDParams) {
	checkLen("SGDStep", "param", len(param), "grad", len(grad))
	if h.Momentum != 0 {
		checkLen("SGDStep", "param", len(param), "buf", len(buf))
	} else {
		buf = nil
	}
	if k := chunks(len(param), grainCheap); k > 1 {
		parallel(len(param), k, func(_, lo, hi int) {
			var b []T
			if buf != nil {
				b = buf[lo:hi]
			}
			sgdGeneric(param[lo:hi], grad[lo:hi], b, h)
		})
		return
	}
	sgdGeneric(param, grad, buf, h)
}

func sgdGeneric[T Float](param, grad, buf []T, h SGDParams) {
	wd := T(h.WeightDecay)
	negLR := T(-h.LR)
	grad = grad[:len(param)]
	if h.Momentum == 0 {
		for i, p := range param {
			d := grad[i]
			if wd != 0 {
				d = d + T(wd*p)
			}
			param[i] = p + T(negLR*d)
		}
		return
	}
	buf = buf[:len(param)]
	mom := T(h.Momentum)
	damp := T(1 - h.Dampening)
	for i, p := range param {
		d := grad[i]
		if wd != 0 {
			d = d + T(wd*p)
		}
		var b T
		if h.Init {
			b = d
		} else {
			b = T(buf[i]*mom) + T(damp*d)
		}
		buf[i] = b
		if h.Nesterov {
			d = d + T(mom*b)
		} else {
			d = b
		}
		param[i] = p + T(negLR*d)
	}
}

// AdamParams are the settings of one AdamStep, named as torch.optim.Adam's.
type AdamParams struct {
	LR          float64
	Beta1       float64
	Beta2       float64
	Eps         float64
	WeightDecay float64
	// Decoupled applies WeightDecay as AdamW does (param *= 1-LR*WeightDecay
	// before the update) instead of as an L2 term added to the gradient.
	Decoupled bool
	// AMSGrad keeps the running maximum of exp_avg_sq in maxExpAvgSq and
	// normalises by it.
	AMSGrad bool
	// Step is the step count after this step (1 on the first), for the
	// bias corrections.
	Step int64
}

// AdamStep applies one step of torch.optim.Adam, or of torch.optim.AdamW
// when h.Decoupled, as PyTorch 1.13's single-tensor loop computes it
// (maximize=False, capturable=False), in place:
//
//	bc1, bc2 := 1-Beta1^Step, 1-Beta2^Step          // in float64
//	stepSize, bc2Sqrt := LR/bc1, sqrt(bc2)          // in float64
//	p, g := param[i], grad[i]
//	if Decoupled { p = p * (1-LR*WeightDecay) } else if WeightDecay != 0 { g = g + WeightDecay*p }
//	m := expAvg[i]*Beta1 + (1-Beta1)*g
//	v := expAvgSq[i]*Beta2 + ((1-Beta2)*g)*g
//	if AMSGrad { maxExpAvgSq[i] = max(maxExpAvgSq[i], v); v = maxExpAvgSq[i] }
//	denom := sqrt(v)/bc2Sqrt + Eps
//	param[i] = p + ((-stepSize)*m)/denom
//
// expAvg and expAvgSq get m and the (non-maximised) v. maxExpAvgSq is
// used only with AMSGrad and may be nil otherwise. Lengths must match (a
// *LengthError panic otherwise); the slices must not overlap. The
// maximum propagates NaN, as torch.maximum does.
func AdamStep[T Float](param, grad, expAvg, expAvgSq, maxExpAvgSq []T, h AdamParams) {
	checkLen("AdamStep", "param", len(param), "grad", len(grad))
	checkLen("AdamStep", "param", len(param), "expAvg", len(expAvg))
	checkLen("AdamStep", "param", len(param), "expAvgSq", len(expAvgSq))
	if h.AMSGrad {
		checkLen("AdamStep", "param", len(param), "maxExpAvgSq", len(maxExpAvgSq))
	} else {
		maxExpAvgSq = nil
	}
	if k := chunks(len(param), grainCostly); k > 1 {
		parallel(len(param), k, func(_, lo, hi int) {
			var mx []T
			if maxExpAvgSq != nil {
				mx = maxExpAvgSq[lo:hi]
			}
			adamGeneric(param[lo:hi], grad[lo:hi], expAvg[lo:hi], expAvgSq[lo:hi], mx, h)
		})
		return
	}
	adamGeneric(param, grad, expAvg, expAvgSq, maxExpAvgSq, h)
}

func adamGeneric[T Float](param, grad, expAvg, expAvgSq, maxExpAvgSq []T, h AdamParams) {
	step := float64(h.Step)
	bc1 := 1 - math.Pow(h.Beta1, step)
	bc2 := 1 - math.Pow(h.Beta2, step)
	negStepSize := T(-(h.LR / bc1))
	bc2Sqrt := T(math.Sqrt(bc2))
	eps := T(h.Eps)
	b1, omb1 := T(h.Beta1), T(1-h.Beta1)
	b2, omb2 := T(h.Beta2), T(1-h.Beta2)
	var wd, decay T
	if h.Decoupled {
		decay = T(1 - h.LR*h.WeightDecay)
	} else {
		wd = T(h.WeightDecay)
	}
	n := len(param)
	grad, expAvg, expAvgSq = grad[:n], expAvg[:n], expAvgSq[:n]
	if h.AMSGrad {
		maxExpAvgSq = maxExpAvgSq[:n]
	}
	for i, p := range param {
		g := grad[i]
		if h.Decoupled {
			p = T(p * decay)
		} else if wd != 0 {
			g = g + T(wd*p)
		}
		m := T(expAvg[i]*b1) + T(omb1*g)
		v := T(expAvgSq[i]*b2) + T(T(omb2*g)*g)
		expAvg[i] = m
		expAvgSq[i] = v
		if h.AMSGrad {
			mx := maxExpAvgSq[i]
			if v > mx || v != v {
				mx = v
			}
			maxExpAvgSq[i] = mx
			v = mx
		}
		denom := T(T(optSqrt(v))/bc2Sqrt) + eps
		param[i] = p + T(negStepSize*m)/denom
	}
}

// optSqrt is the correctly rounded square root in T (for float32, rounding
// the float64 root again is exact: 53 >= 2·24+2).
func optSqrt[T Float](x T) T { return T(math.Sqrt(float64(x))) }
