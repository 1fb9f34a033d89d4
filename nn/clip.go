package nn

import (
	"fmt"
	"iter"
	"math"
)

// ClipGradNorm scales the gradients of params in place so that their
// total norm is at most maxNorm, and returns the total norm before
// clipping (torch.nn.utils.clip_grad_norm_). The total norm is the
// normType-norm of the parameters' gradient norms, that is of all the
// gradients' elements taken together: normType 2 is the Euclidean norm,
// math.Inf(1) the largest |g|, any other p > 0 (sum |g|^p)^(1/p).
// Parameters without a gradient are skipped; with none it returns 0.
//
// As in PyTorch, every gradient is multiplied by maxNorm/(total+1e-6)
// when that is below 1. A NaN or infinite gradient makes the total NaN or
// +Inf and is not an error (PyTorch's default error_if_nonfinite=False):
// the gradients are then scaled by NaN or 0, so check the returned norm to
// skip such a step. Each parameter's norm is computed in its gradient's
// dtype, the total in float64. A normType that is not > 0 panics with an
// *Error.
//
//	loss.Backward()
//	nn.ClipGradNorm(nn.Parameters(net), 1.0, 2)
//	opt.Step()
func ClipGradNorm(params iter.Seq[*Parameter], maxNorm, normType float64) float64 {
	if !(normType > 0) {
		panic(misuse("ClipGradNorm", fmt.Sprintf("norm type %v is not > 0", normType)))
	}
	inf := math.IsInf(normType, 1)
	var total float64
	var clipped []*Parameter
	for p := range params {
		g := p.Grad()
		if g == nil {
			continue
		}
		clipped = append(clipped, p)
		switch {
		case inf:
			total = math.Max(total, g.Norm(normType).Item()) // NaN wins
		case normType == 1 || normType == 2:
			total += math.Pow(g.Norm(normType).Item(), normType)
		default:
			n := g.Abs().PowInPlace(normType).Sum().PowInPlace(1 / normType).Item()
			total += math.Pow(n, normType)
		}
	}
	if len(clipped) == 0 {
		return 0
	}
	if !inf {
		total = math.Pow(total, 1/normType)
	}
	if coef := maxNorm / (total + 1e-6); !(coef >= 1) { // NaN scales too
		for _, p := range clipped {
			p.Grad().MulScalarInPlace(coef)
		}
	}
	return total
}

// ClipGradValue clamps every element of the gradients of params to
// [-clipValue, clipValue] in place (torch.nn.utils.clip_grad_value_);
// NaN stays NaN. Parameters without a gradient are skipped.
func ClipGradValue(params iter.Seq[*Parameter], clipValue float64) {
	for p := range params {
		if g := p.Grad(); g != nil {
			g.ClampInPlace(-clipValue, clipValue)
		}
	}
}
