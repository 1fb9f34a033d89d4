package nn

import (
	"fmt"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// BatchNorm1d normalises each channel of a batch (torch.nn.BatchNorm1d):
// for an input of shape [N, C] or [N, C, L], channel c becomes
// (x - mean)/√(var + Eps)·Weight[c] + Bias[c], the statistics taken over
// N (and L).
//
// In training mode the statistics are the batch's (the biased variance),
// and when TrackRunningStats is set the running statistics are updated,
// without a graph: RunningMean = (1 - m)·RunningMean + m·mean and
// RunningVar likewise with the unbiased variance, where m is Momentum, or
// 1/NumBatchesTracked with CumulativeAverage (PyTorch's momentum=None).
// In eval mode the running statistics are used, or the batch's when
// they are not tracked. Weight starts at ones and Bias at zeros (nil
// with NoAffine); RunningMean starts at zeros, RunningVar at ones and
// NumBatchesTracked (a Float64 scalar here, an int64 in PyTorch; the
// safetensors reader converts) at 0, all nil with NoRunningStats.
type BatchNorm1d struct {
	Module
	NumFeatures       int
	Eps               float64
	Momentum          float64 // unused with CumulativeAverage
	CumulativeAverage bool    // momentum=None
	Affine            bool
	TrackRunningStats bool
	Weight            *Parameter
	Bias              *Parameter
	RunningMean       *Buffer
	RunningVar        *Buffer
	NumBatchesTracked *Buffer
}

// NewBatchNorm1d returns a BatchNorm1d over numFeatures channels.
// Options: Eps (default 1e-5), Momentum (default 0.1),
// CumulativeAverage, NoAffine, NoRunningStats, WithDType.
func NewBatchNorm1d(numFeatures int, opts ...Option) *BatchNorm1d {
	return newBatchNorm("NewBatchNorm1d", numFeatures, opts)
}

// newBatchNorm is NewBatchNorm1d for op (BatchNorm2d copies its fields).
func newBatchNorm(op string, numFeatures int, opts []Option) *BatchNorm1d {
	c := applyOptions(op, opts, "Eps", "Momentum", "CumulativeAverage", "NoAffine", "NoRunningStats", "WithDType")
	if numFeatures < 1 {
		panic(misuse(op, fmt.Sprintf("num_features %d < 1", numFeatures)))
	}
	b := &BatchNorm1d{NumFeatures: numFeatures, Eps: c.eps, Momentum: c.momentum, CumulativeAverage: c.cumulative,
		Affine: !c.noAffine, TrackRunningStats: !c.noRunningStats}
	if b.Affine {
		b.Weight = NewParameter(c.dtype.Ones(numFeatures))
		b.Bias = NewParameter(c.dtype.Zeros(numFeatures))
	}
	if b.TrackRunningStats {
		b.RunningMean = NewBuffer(c.dtype.Zeros(numFeatures))
		b.RunningVar = NewBuffer(c.dtype.Ones(numFeatures))
		b.NumBatchesTracked = NewBuffer(tensor.Scalar(0.0))
		b.NumBatchesTracked.count = true
	}
	return b
}

// Forward normalises x ([N, C] or [N, C, L] with C = NumFeatures). In
// training mode a batch with one value per channel (N·L = 1) panics, as
// PyTorch refuses it.
func (b *BatchNorm1d) Forward(x *grad.Variable) *grad.Variable {
	if d := x.Value().Dim(); d != 2 && d != 3 {
		panic(&tensor.ShapeError{Op: "BatchNorm1d", A: x.Shape(), B: []int{b.NumFeatures}, Msg: fmt.Sprintf("expected 2D or 3D input (got %dD input)", d)})
	}
	return batchNorm("BatchNorm1d", x, bnState{b.NumFeatures, b.Eps, b.Momentum, b.CumulativeAverage, b.TrackRunningStats,
		b.Training(), b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked})
}

// bnState is what a batch norm's forward pass reads, and updates in
// place: the running statistics.
type bnState struct {
	numFeatures              int
	eps, momentum            float64
	cumulative, track, train bool
	weight, bias             *Parameter
	runMean, runVar, count   *Buffer
}

// batchNorm normalises x ([N, C, ...], C = numFeatures, checked) over
// every dimension but 1: BatchNorm1d's and BatchNorm2d's forward pass.
func batchNorm(op string, x *grad.Variable, b bnState) *grad.Variable {
	xs := x.Shape()
	chans := []int{b.numFeatures}
	if xs[1] != b.numFeatures {
		panic(&tensor.ShapeError{Op: op, A: xs, B: chans, Msg: "the input's dimension 1 must be num_features"})
	}
	dims, shape := tensor.Dims{0}, []int{b.numFeatures} // reduced dims; the shape channel values broadcast as
	for d := 2; d < len(xs); d++ {
		dims, shape = append(dims, d), append(shape, 1)
	}
	var y *grad.Variable
	if b.train || !b.track {
		n := x.Value().Numel() / b.numFeatures
		if b.train && n <= 1 {
			panic(&tensor.ShapeError{Op: op, A: xs, B: chans, Msg: "expected more than 1 value per channel when training"})
		}
		var mean, v *grad.Variable
		y, mean, v = normalize(x, dims, b.eps)
		if b.train && b.track {
			b.count.AddScalarInPlace(1)
			m := b.momentum
			if b.cumulative {
				m = 1 / b.count.Item()
			}
			unbiased := v.Value().MulScalar(float64(n) / float64(n-1))
			b.runMean.MulScalarInPlace(1 - m).AddInPlace(mean.Value().Reshape(-1).MulScalar(m))
			b.runVar.MulScalarInPlace(1 - m).AddInPlace(unbiased.Reshape(-1).MulScalar(m))
		}
	} else {
		rm := grad.New(b.runMean.Reshape(shape...))
		sd := grad.New(b.runVar.AddScalar(b.eps).Sqrt().Reshape(shape...))
		y = x.Sub(rm).Div(sd)
	}
	if b.weight != nil {
		y = y.Mul(b.weight.Reshape(shape...))
	}
	if b.bias != nil {
		y = y.Add(b.bias.Reshape(shape...))
	}
	return y
}

// ExtraRepr is "4, eps=1e-05, momentum=0.1, affine=True,
// track_running_stats=True".
func (b *BatchNorm1d) ExtraRepr() string {
	return bnRepr(b.NumFeatures, b.Eps, b.Momentum, b.CumulativeAverage, b.Affine, b.TrackRunningStats)
}

func bnRepr(n int, eps, momentum float64, cumulative, affine, track bool) string {
	m := pyFloat(momentum)
	if cumulative {
		m = "None"
	}
	return fmt.Sprintf("%d, eps=%s, momentum=%s, affine=%s, track_running_stats=%s",
		n, pyFloat(eps), m, pyBool(affine), pyBool(track))
}

func (b *BatchNorm1d) String() string { return Format(b) }

// normalize returns (x - mean)/√(var + eps) over dims, with the mean and
// the biased variance (dims kept): LayerNorm's and BatchNorm1d's
// training-mode normalisation.
func normalize(x *grad.Variable, dims tensor.Dims, eps float64) (y, mean, variance *grad.Variable) {
	mean = x.Mean(dims, tensor.KeepDim)
	xc := x.Sub(mean)
	variance = xc.Square().Mean(dims, tensor.KeepDim)
	return xc.Div(variance.AddScalar(eps).Sqrt()), mean, variance
}
