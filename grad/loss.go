package grad

import (
	"math"
	"strconv"

	"github.com/simdtorch/simdtorch/tensor"
)

// Reduction says how a loss combines its per-element values. The zero
// value is Mean, PyTorch's default. A Reduction is itself a LossOption:
//
//	grad.MSELoss(y, target, grad.ReduceSum)
type Reduction uint8

const (
	ReduceMean      Reduction = iota // the mean (of weighted terms: divided by the weights' sum)
	ReduceSum                        // the sum
	ReduceNone                       // one value per element (or sample)
	ReduceBatchMean                  // the sum divided by the batch size (KLDivLoss only)
)

// String returns PyTorch's name: "mean", "sum" or "none".
func (r Reduction) String() string {
	switch r {
	case ReduceMean:
		return "mean"
	case ReduceSum:
		return "sum"
	case ReduceNone:
		return "none"
	case ReduceBatchMean:
		return "batchmean"
	}
	return "Reduction(" + itoa(int(r)) + ")"
}

func (r Reduction) applyLoss(c *lossCfg) { c.reduction = r }

// LossOption configures a loss function.
type LossOption interface{ applyLoss(*lossCfg) }

type lossCfg struct {
	reduction Reduction
	weight    *tensor.Tensor
	posWeight *tensor.Tensor
	ignore    int
	smoothing float64
	logTarget bool
}

type lossFunc func(*lossCfg)

func (f lossFunc) applyLoss(c *lossCfg) { f(c) }

// Weight gives per-class weights (a 1-D tensor of C entries) to
// CrossEntropy and NLLLoss, or elementwise weights (broadcast to the
// input) to BCEWithLogits.
func Weight(w *tensor.Tensor) LossOption { return lossFunc(func(c *lossCfg) { c.weight = w }) }

// IgnoreIndex makes samples whose target is i contribute neither to the
// loss nor to the mean's divisor (ignore_index; the default is -100).
func IgnoreIndex(i int) LossOption { return lossFunc(func(c *lossCfg) { c.ignore = i }) }

// LabelSmoothing mixes the one-hot target with the uniform distribution:
// (1-eps)·onehot + eps/C (label_smoothing, in [0, 1]).
func LabelSmoothing(eps float64) LossOption {
	if eps < 0 || eps > 1 || math.IsNaN(eps) {
		panic(misuse("LabelSmoothing", "label_smoothing must be between 0.0 and 1.0. Got: "+ftoa(eps)))
	}
	return lossFunc(func(c *lossCfg) { c.smoothing = eps })
}

// PosWeight weights the positive term of BCEWithLogits (pos_weight),
// broadcast along the input's last dimension.
func PosWeight(w *tensor.Tensor) LossOption { return lossFunc(func(c *lossCfg) { c.posWeight = w }) }

// LogTarget says that KLDivLoss's target holds log-probabilities
// (log_target=True).
func LogTarget() LossOption { return lossFunc(func(c *lossCfg) { c.logTarget = true }) }

func lossConfig(opts []LossOption) lossCfg {
	c := lossConfigAny(opts)
	if c.reduction > ReduceNone {
		panic(misuse("Loss", c.reduction.String()+" is not a valid value for reduction"))
	}
	return c
}

// lossConfigAny applies opts without checking the reduction.
func lossConfigAny(opts []LossOption) lossCfg {
	c := lossCfg{ignore: -100}
	for _, o := range opts {
		o.applyLoss(&c)
	}
	return c
}

// reduce applies the reduction to per-element losses l (tracked).
func (c *lossCfg) reduce(l *Variable) *Variable {
	switch c.reduction {
	case ReduceSum:
		return l.Sum()
	case ReduceNone:
		return l
	}
	return l.Mean()
}

// MSELoss returns the mean squared error between input and target
// (torch.nn.functional.mse_loss); both may require grad. They broadcast.
func MSELoss(input, target Operand, opts ...LossOption) *Variable {
	c := lossConfig(opts)
	d := varOf(input).Sub(target)
	return c.reduce(d.Mul(d))
}

// L1Loss returns the mean absolute error (l1_loss); the gradient at 0 is 0.
func L1Loss(input, target Operand, opts ...LossOption) *Variable {
	c := lossConfig(opts)
	return c.reduce(varOf(input).Sub(target).Abs())
}

// BCEWithLogits returns the binary cross-entropy of sigmoid(input) and
// target (binary_cross_entropy_with_logits), computed from the logits
// stably: logits of ±100 give finite losses and gradients. Options:
// Weight (elementwise), PosWeight, a Reduction.
func BCEWithLogits(input, target Operand, opts ...LossOption) *Variable {
	return bceWithLogits(varOf(input), varOf(target), opts)
}

func bceWithLogits(input, target *Variable, opts []LossOption) *Variable {
	c := lossConfig(opts)
	x, t := input.value, target.value
	if !sameShape(x, t) {
		panic(&tensor.ShapeError{Op: "BCEWithLogits", A: x.Shape(), B: t.Shape(), Msg: "Target size must be the same as input size"})
	}
	// sp = log(1 + e^-x) = m + log(e^-m + e^(-x-m)), m = max(-x, 0)
	m := x.Neg().ClampMin(0)
	sp := m.Neg().Exp().AddInPlace(x.Neg().SubInPlace(m).Exp()).LogInPlace().AddInPlace(m)
	// lw = 1 + (pw-1)·t
	var lw *tensor.Tensor
	if c.posWeight != nil {
		lw = c.posWeight.SubScalar(1).Mul(t).AddScalarInPlace(1)
	}
	l := t.RSubScalar(1).MulInPlace(x)
	if lw != nil {
		l.AddInPlace(lw.Mul(sp))
	} else {
		l.AddInPlace(sp)
	}
	if c.weight != nil {
		l = l.Mul(c.weight)
	}
	var elem *Variable
	if !tracks2(input, target) {
		elem = plain(l, input.noGrad || target.noGrad)
	} else {
		elem = record2("BinaryCrossEntropyWithLogitsBackward0", l, input, target, func(g *tensor.Tensor) {
			if c.weight != nil {
				g = g.Mul(c.weight)
			}
			if input.requiresGrad {
				// (1-t) - lw·(1-σ(x)) = (1-t) - lw·σ(-x)
				sneg := x.Neg().SigmoidInPlace()
				if lw != nil {
					sneg.MulInPlace(lw)
				}
				accTo(input, t.RSubScalar(1).SubInPlace(sneg).MulInPlace(g), true)
			}
			if target.requiresGrad {
				// -x + (pw-1)·sp
				d := x.Neg()
				if c.posWeight != nil {
					d.AddInPlace(c.posWeight.SubScalar(1).Mul(sp))
				}
				accTo(target, d.MulInPlace(g), true)
			}
		})
	}
	return c.reduce(elem)
}

// CrossEntropy returns the cross-entropy loss of logits input and class
// index targets (torch.nn.functional.cross_entropy): input is [N, C], [C]
// or [N, C, d1, ...], target holds whole numbers with input's shape minus
// the class dimension. Options: Weight (per class), IgnoreIndex,
// LabelSmoothing, a Reduction. It is LogSoftmax over the class dimension
// followed by NLLLoss, with log-sum-exp taken stably.
func CrossEntropy(input Operand, target *tensor.Tensor, opts ...LossOption) *Variable {
	return CrossEntropyInts(input, targetInts("CrossEntropy", target), opts...)
}

// CrossEntropyInts is CrossEntropy with the targets as a Go slice (in
// row-major order of the target's shape).
func CrossEntropyInts(input Operand, target []int, opts ...LossOption) *Variable {
	x := varOf(input)
	cd := 1
	if x.Dim() == 1 {
		cd = 0
	}
	return nll("CrossEntropy", x.LogSoftmax(cd), target, lossConfig(opts))
}

// NLLLoss returns the negative log-likelihood loss of log-probabilities
// input and class index targets (nll_loss), with CrossEntropy's shapes and
// options (LabelSmoothing excepted).
func NLLLoss(input Operand, target *tensor.Tensor, opts ...LossOption) *Variable {
	return NLLLossInts(input, targetInts("NLLLoss", target), opts...)
}

// NLLLossInts is NLLLoss with the targets as a Go slice.
func NLLLossInts(input Operand, target []int, opts ...LossOption) *Variable {
	c := lossConfig(opts)
	if c.smoothing != 0 {
		panic(misuse("NLLLoss", "label smoothing is an option of CrossEntropy"))
	}
	return nll("NLLLoss", varOf(input), target, c)
}

func targetInts(op string, t *tensor.Tensor) []int {
	fs := t.Float64s()
	out := make([]int, len(fs))
	for i, f := range fs {
		if f != math.Trunc(f) || math.IsInf(f, 0) {
			panic(misuse(op, "target "+ftoa(f)+" is not a whole number (class index)"))
		}
		out[i] = int(f)
	}
	return out
}

// nll computes the (smoothed, weighted) negative log-likelihood of logp.
// For a class dimension that is not last, logp is moved to [M, C] first.
func nll(op string, logp *Variable, target []int, c lossCfg) *Variable {
	var outShape []int // shape of the per-sample losses
	switch {
	case logp.Dim() == 1:
		outShape = []int{}
		logp = logp.Unsqueeze(0)
	case logp.Dim() == 2:
		outShape = []int{logp.Size(0)}
	case logp.Dim() > 2:
		sh := logp.Shape()
		outShape = append([]int{sh[0]}, sh[2:]...)
		perm := []int{0}
		for i := 2; i < len(sh); i++ {
			perm = append(perm, i)
		}
		perm = append(perm, 1)
		logp = logp.Permute(perm...).Reshape(-1, sh[1])
	default:
		panic(misuse(op, "input must have a class dimension, got a 0-D tensor"))
	}
	M, C := logp.Size(0), logp.Size(1)
	if len(target) != M {
		panic(&tensor.ShapeError{Op: op, A: logp.Shape(), B: []int{len(target)}, Msg: "expected " + itoa(M) + " targets, got " + itoa(len(target))})
	}
	var w []float64
	if c.weight != nil {
		if c.weight.Dim() != 1 || c.weight.Size(0) != C {
			panic(&tensor.ShapeError{Op: op, A: []int{C}, B: c.weight.Shape(), Msg: "weight tensor should be defined either for all " + itoa(C) + " classes or no classes"})
		}
		w = c.weight.Float64s()
	}
	wt := func(k int) float64 {
		if w == nil {
			return 1
		}
		return w[k]
	}
	lp := logp.value.Contiguous().Float64s()
	eps := c.smoothing
	per := make([]float64, M)
	denom := 0.0
	for i, k := range target {
		if k == c.ignore {
			continue
		}
		if k < 0 || k >= C {
			panic(&tensor.IndexError{Op: op, Dim: 1, Index: k, Size: C})
		}
		row := lp[i*C : (i+1)*C]
		l := -(1 - eps) * wt(k) * row[k]
		if eps != 0 {
			s := 0.0
			for j, v := range row {
				s += wt(j) * v
			}
			l -= eps / float64(C) * s
		}
		per[i] = l
		denom += wt(k)
	}
	var out *tensor.Tensor
	dt := logp.DType()
	switch c.reduction {
	case ReduceNone:
		out = fromSlice(per, outShape).To(dt)
	case ReduceSum:
		s := 0.0
		for _, l := range per {
			s += l
		}
		out = scalar(dt, s)
	default:
		s := 0.0
		for _, l := range per {
			s += l
		}
		out = scalar(dt, s/denom)
	}
	name := "NllLossBackward0"
	if logp.noGrad || !logp.requiresGrad {
		return plain(out, logp.noGrad)
	}
	return record(name, out, logp, func(g *tensor.Tensor) {
		gs := g.Float64s()
		d := make([]float64, M*C)
		for i, k := range target {
			if k == c.ignore {
				continue
			}
			var gi float64
			switch c.reduction {
			case ReduceNone:
				gi = gs[i]
			case ReduceSum:
				gi = gs[0]
			default:
				gi = gs[0] / denom
			}
			row := d[i*C : (i+1)*C]
			if eps != 0 {
				for j := range row {
					row[j] = -gi * eps / float64(C) * wt(j)
				}
			}
			row[k] -= gi * (1 - eps) * wt(k)
		}
		give(logp, tensor.New(d, M, C).To(dt))
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// HuberLoss returns the Huber loss of d = input - target (huber_loss):
// 0.5·d² where |d| < delta, delta·(|d| - delta/2) elsewhere. Both may
// require grad; they broadcast. A delta that is not > 0 panics.
func HuberLoss(input, target Operand, delta float64, opts ...LossOption) *Variable {
	if !(delta > 0) {
		panic(misuse("HuberLoss", "huber_loss does not support non-positive values for delta, got "+ftoa(delta)))
	}
	c := lossConfig(opts)
	return c.reduce(huber(varOf(input).Sub(target), delta))
}

// huber is 0.5·m² + delta·(|d| - m) with m = min(|d|, delta): the two
// branches in one expression, with PyTorch's gradient (d inside, ±delta
// outside, delta at |d| = delta, 0 at d = 0).
func huber(d *Variable, delta float64) *Variable {
	a := d.Abs()
	m := a.ClampMax(delta)
	return m.Square().MulScalar(0.5).Add(a.Sub(m).MulScalar(delta))
}

// SmoothL1Loss returns the smooth L1 loss of d = input - target
// (smooth_l1_loss): 0.5·d²/beta where |d| < beta, |d| - beta/2 elsewhere;
// beta = 0 is L1Loss. A negative beta panics.
func SmoothL1Loss(input, target Operand, beta float64, opts ...LossOption) *Variable {
	if !(beta >= 0) {
		panic(misuse("SmoothL1Loss", "smooth_l1_loss does not support negative values for beta, got "+ftoa(beta)))
	}
	if beta == 0 {
		return L1Loss(input, target, opts...)
	}
	c := lossConfig(opts)
	return c.reduce(huber(varOf(input).Sub(target), beta).DivScalar(beta))
}

// BCELoss returns the binary cross-entropy of probabilities input and
// targets target of the same shape (binary_cross_entropy):
// -w·(t·log p + (1-t)·log(1-p)), each log clamped at -100 as PyTorch
// clamps it, so p = 0 or 1 gives a finite loss. Options: Weight
// (elementwise, broadcast), a Reduction (the mean is over elements). An
// input outside [0, 1] panics; prefer BCEWithLogits on logits.
func BCELoss(input, target Operand, opts ...LossOption) *Variable {
	c := lossConfig(opts)
	p, t := varOf(input), varOf(target)
	if !sameShape(p.value, t.value) {
		panic(&tensor.ShapeError{Op: "BCELoss", A: p.value.Shape(), B: t.value.Shape(), Msg: "Using a target size that is different to the input size is not supported"})
	}
	if p.value.Numel() > 0 && (p.value.Min().Item() < 0 || p.value.Max().Item() > 1) {
		panic(misuse("BCELoss", "all elements of input should be between 0 and 1"))
	}
	logP := p.Log().ClampMin(-100)
	log1mP := p.RSubScalar(1).Log().ClampMin(-100)
	l := t.Mul(logP).Add(t.RSubScalar(1).Mul(log1mP)).Neg()
	if c.weight != nil {
		l = l.Mul(New(c.weight))
	}
	return c.reduce(l)
}

// KLDivLoss returns the Kullback-Leibler divergence of target from the
// distribution whose log-probabilities are input (torch.nn.functional.
// kl_div): target·(log target - input) per element, 0 where target is 0,
// or exp(target)·(target - input) with LogTarget. Reductions: mean over
// all elements (PyTorch's default, which it warns about), ReduceBatchMean
// (the sum over the batch size, input's first dimension: the divergence
// proper), ReduceSum, ReduceNone. Shapes broadcast.
func KLDivLoss(input, target Operand, opts ...LossOption) *Variable {
	c := lossConfigAny(opts)
	if c.reduction > ReduceBatchMean {
		panic(misuse("KLDivLoss", c.reduction.String()+" is not a valid value for reduction"))
	}
	x, t := varOf(input), varOf(target)
	var l *Variable
	if c.logTarget {
		l = t.Exp().Mul(t.Sub(x))
	} else {
		// xlogy(t, t) - t·x: t·log t is 0 where t is 0.
		zero := t.value.EqScalar(0)
		safe := Where(zero, New(t.value.MulScalar(0).AddScalar(1)), t)
		l = t.Mul(safe.Log()).Sub(t.Mul(x))
	}
	if c.reduction == ReduceBatchMean {
		s := l.Sum()
		if x.value.Dim() == 0 {
			return s
		}
		return s.DivScalar(float64(x.value.Size(0)))
	}
	return c.reduce(l)
}
