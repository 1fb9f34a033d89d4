package kernels

// The fused steps of the optimizers that divide by the root of a running
// sum of squared gradients: torch.optim.RMSprop and torch.optim.Adagrad.
// They follow SGDStep and AdamStep (see optim.go): scalars rounded to T
// once per call into a k array, the variant in a flags word, a generic
// loop that defines the bits (rmspropGeneric, adagradGeneric), and
// assembly (RMSpropStep/AdagradStep F32/F64 AVX2/NEON in the root package,
// from _asm/optim.go and _neon/optim.go) tested and fuzzed against it.
//
// The order of each operation is PyTorch 1.13's CPU kernels' without
// fused multiply-adds, the order torch itself computes with
// ATEN_CPU_CAPABILITY=default (checked bit for bit against torch 1.13 over
// random float32 and float64 inputs): addcmul_(t1, t2, value=v) is
// self + (v*t1)*t2, addcdiv_(t1, t2, value=v) is self + (v*t1)/t2,
// add_(other, alpha=a) is self + a*other, add_(eps) adds eps rounded to
// the dtype. (With its AVX2 kernels, which Debian's torch 1.13 picks on an
// x86 CPU with AVX2, torch computes addcmul and add with alpha as one FMA
// each, its scalar tails included, so its results there differ from these
// by a rounding in some elements; addcdiv is the same either way. SGDStep
// and AdamStep make the same choice.)

// RMSpropParams are the settings of one RMSpropStep, named as
// torch.optim.RMSprop's.
type RMSpropParams struct {
	LR          float64
	Alpha       float64
	Eps         float64
	WeightDecay float64
	Momentum    float64
	// Centered normalises by an estimate of the gradient's variance
	// (square_avg - grad_avg²), keeping the running mean of the gradient
	// in gradAvg.
	Centered bool
}

// RMSpropStep applies one step of torch.optim.RMSprop as PyTorch 1.13's
// single-tensor loop computes it (maximize=False), in place:
//
//	g, p := grad[i], param[i]
//	if WeightDecay != 0 { g = g + WeightDecay*p }
//	sa := squareAvg[i]*Alpha + ((1-Alpha)*g)*g
//	if Centered {
//		ga := gradAvg[i]*Alpha + (1-Alpha)*g
//		avg = sqrt(sa + (-ga)*ga) + Eps
//	} else {
//		avg = sqrt(sa) + Eps
//	}
//	if Momentum > 0 {
//		buf := momentumBuf[i]*Momentum + g/avg
//		param[i] = p + (-LR)*buf
//	} else {
//		param[i] = p + ((-LR)*g)/avg
//	}
//
// squareAvg, gradAvg and momentumBuf get sa, ga and buf. The scalars
// (Alpha, 1-Alpha, Eps, -LR, WeightDecay, Momentum) are computed in
// float64 and rounded to T; WeightDecay applies when it is nonzero in T.
//
// With SetFlushDenormal(true), sa, ga and buf are flushed to a zero of
// their sign if they are subnormal right after they are computed (avg and
// the update use the flushed values), and so is param[i]'s new value
// before it is stored.
//
// gradAvg is used only when Centered, momentumBuf only when Momentum > 0;
// otherwise either may be nil. Lengths must match (a *LengthError panic
// otherwise); the slices must not overlap.
func RMSpropStep[T Float](param, grad, squareAvg, gradAvg, momentumBuf []T, h RMSpropParams) {
	checkLen("RMSpropStep", "param", len(param), "grad", len(grad))
	checkLen("RMSpropStep", "param", len(param), "squareAvg", len(squareAvg))
	if h.Centered {
		checkLen("RMSpropStep", "param", len(param), "gradAvg", len(gradAvg))
	} else {
		gradAvg = nil
	}
	if h.Momentum > 0 {
		checkLen("RMSpropStep", "param", len(param), "momentumBuf", len(momentumBuf))
	} else {
		momentumBuf = nil
	}
	f := opsFor[T]().rmsprop
	k, flags := rmspropArgs[T](h)
	if parts := chunks(len(param), grainCostly); parts > 1 {
		parallel(len(param), parts, func(_, lo, hi int) {
			var ga, mb []T
			if gradAvg != nil {
				ga = gradAvg[lo:hi]
			}
			if momentumBuf != nil {
				mb = momentumBuf[lo:hi]
			}
			f(param[lo:hi], grad[lo:hi], squareAvg[lo:hi], ga, mb, k, flags)
		})
		return
	}
	f(param, grad, squareAvg, gradAvg, momentumBuf, k, flags)
}

// RMSprop variant bits (the flags of rmspropArgs). The bit values and
// the k indexes below are repeated in _asm/optim.go and _neon/optim.go.
const (
	rmsWD       = 1 << iota // T(WeightDecay) != 0
	rmsCentered             // Centered: keep gradAvg, subtract its square
	rmsMomentum             // Momentum > 0 (in float64, as torch tests it)
	rmsFlush                // SetFlushDenormal: flush subnormal sa, ga, buf and param
)

// Indexes into the k array of rmspropArgs.
const (
	rmsKAlpha   = iota
	rmsKOmAlpha // 1-Alpha
	rmsKEps
	rmsKNegLR
	rmsKWD
	rmsKMom
	rmsK
)

// rmspropArgs returns the scalars of an RMSprop step rounded to T and the
// variant.
func rmspropArgs[T Float](h RMSpropParams) (k [rmsK]T, flags int) {
	k[rmsKAlpha], k[rmsKOmAlpha] = T(h.Alpha), T(1-h.Alpha)
	k[rmsKEps], k[rmsKNegLR] = T(h.Eps), T(-h.LR)
	if wd := T(h.WeightDecay); wd != 0 {
		flags |= rmsWD
		k[rmsKWD] = wd
	}
	if h.Centered {
		flags |= rmsCentered
	}
	if h.Momentum > 0 {
		flags |= rmsMomentum
		k[rmsKMom] = T(h.Momentum)
	}
	if flushDenormal.Load() {
		flags |= rmsFlush
	}
	return k, flags
}

// rmspropGeneric is the generic path of RMSpropStep, with k and flags from
// rmspropArgs.
func rmspropGeneric[T Float](param, grad, squareAvg, gradAvg, momentumBuf []T, k [rmsK]T, flags int) {
	alpha, omAlpha, eps := k[rmsKAlpha], k[rmsKOmAlpha], k[rmsKEps]
	negLR, wd, mom := k[rmsKNegLR], k[rmsKWD], k[rmsKMom]
	hasWD, centered, momentum := flags&rmsWD != 0, flags&rmsCentered != 0, flags&rmsMomentum != 0
	flush := flags&rmsFlush != 0
	n := len(param)
	grad, squareAvg = grad[:n], squareAvg[:n]
	if centered {
		gradAvg = gradAvg[:n]
	}
	if momentum {
		momentumBuf = momentumBuf[:n]
	}
	for i, p := range param {
		g := grad[i]
		if hasWD {
			g = g + T(wd*p)
		}
		sa := T(squareAvg[i]*alpha) + T(T(omAlpha*g)*g)
		if flush {
			sa = flushSubnormal(sa)
		}
		squareAvg[i] = sa
		var avg T
		if centered {
			ga := T(gradAvg[i]*alpha) + T(omAlpha*g)
			if flush {
				ga = flushSubnormal(ga)
			}
			gradAvg[i] = ga
			// square_avg.addcmul(grad_avg, grad_avg, value=-1): (-1*ga)*ga
			// is -(ga*ga) exactly, and sa + -(x) is sa - x.
			avg = optSqrt(sa-T(ga*ga)) + eps
		} else {
			avg = optSqrt(sa) + eps
		}
		if momentum {
			b := T(momentumBuf[i]*mom) + T(g/avg)
			if flush {
				b = flushSubnormal(b)
			}
			momentumBuf[i] = b
			p = p + T(negLR*b)
		} else {
			p = p + T(T(negLR*g)/avg)
		}
		if flush {
			p = flushSubnormal(p)
		}
		param[i] = p
	}
}

// AdagradParams are the settings of one AdagradStep, named as
// torch.optim.Adagrad's.
type AdagradParams struct {
	LR          float64
	LRDecay     float64
	WeightDecay float64
	Eps         float64
	// Step is the step count after this step (1 on the first), for the
	// learning-rate decay.
	Step int64
}

// AdagradStep applies one step of torch.optim.Adagrad with a dense
// gradient as PyTorch 1.13's single-tensor loop computes it
// (maximize=False), in place:
//
//	clr := LR / (1 + (Step-1)*LRDecay)             // in float64
//	g, p := grad[i], param[i]
//	if WeightDecay != 0 { g = g + WeightDecay*p }
//	s := stateSum[i] + g*g
//	std := sqrt(s) + Eps
//	param[i] = p + ((-clr)*g)/std
//
// stateSum gets s. The scalars (-clr, Eps, WeightDecay) are rounded to T;
// WeightDecay applies when it is nonzero in T.
//
// With SetFlushDenormal(true), s is flushed to a zero of its sign if it
// is subnormal right after it is computed (std uses the flushed value),
// and so is param[i]'s new value before it is stored.
//
// Lengths must match (a *LengthError panic otherwise); the slices must
// not overlap.
func AdagradStep[T Float](param, grad, stateSum []T, h AdagradParams) {
	checkLen("AdagradStep", "param", len(param), "grad", len(grad))
	checkLen("AdagradStep", "param", len(param), "stateSum", len(stateSum))
	f := opsFor[T]().adagrad
	k, flags := adagradArgs[T](h)
	if parts := chunks(len(param), grainCostly); parts > 1 {
		parallel(len(param), parts, func(_, lo, hi int) {
			f(param[lo:hi], grad[lo:hi], stateSum[lo:hi], k, flags)
		})
		return
	}
	f(param, grad, stateSum, k, flags)
}

// Adagrad variant bits and k indexes, repeated in _asm/optim.go and
// _neon/optim.go.
const (
	adagradWD    = 1 << iota // T(WeightDecay) != 0
	adagradFlush             // SetFlushDenormal: flush subnormal s and param
)

const (
	adagradKEps    = iota
	adagradKNegCLR // -clr
	adagradKWD
	adagradK
)

// adagradArgs returns the scalars of an Adagrad step rounded to T and the
// variant.
func adagradArgs[T Float](h AdagradParams) (k [adagradK]T, flags int) {
	clr := h.LR / (1 + float64(h.Step-1)*h.LRDecay)
	k[adagradKNegCLR] = T(-clr)
	k[adagradKEps] = T(h.Eps)
	if wd := T(h.WeightDecay); wd != 0 {
		flags |= adagradWD
		k[adagradKWD] = wd
	}
	if flushDenormal.Load() {
		flags |= adagradFlush
	}
	return k, flags
}

// adagradGeneric is the generic path of AdagradStep, with k and flags from
// adagradArgs.
func adagradGeneric[T Float](param, grad, stateSum []T, k [adagradK]T, flags int) {
	eps, negCLR, wd := k[adagradKEps], k[adagradKNegCLR], k[adagradKWD]
	hasWD, flush := flags&adagradWD != 0, flags&adagradFlush != 0
	n := len(param)
	grad, stateSum = grad[:n], stateSum[:n]
	for i, p := range param {
		g := grad[i]
		if hasWD {
			g = g + T(wd*p)
		}
		s := stateSum[i] + T(g*g)
		if flush {
			s = flushSubnormal(s)
		}
		stateSum[i] = s
		std := optSqrt(s) + eps
		p = p + T(T(negCLR*g)/std)
		if flush {
			p = flushSubnormal(p)
		}
		param[i] = p
	}
}
