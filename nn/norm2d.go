package nn

import (
	"fmt"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// BatchNorm2d normalises each channel of a batch of images
// (torch.nn.BatchNorm2d): for an input of shape [N, C, H, W], channel c
// becomes (x - mean)/√(var + Eps)·Weight[c] + Bias[c], the statistics
// taken over N, H and W. Training, eval mode and the running statistics
// work as BatchNorm1d's, with the same fields and state-dict names.
type BatchNorm2d struct {
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

// NewBatchNorm2d returns a BatchNorm2d over numFeatures channels.
// Options: Eps (default 1e-5), Momentum (default 0.1),
// CumulativeAverage, NoAffine, NoRunningStats, WithDType.
func NewBatchNorm2d(numFeatures int, opts ...Option) *BatchNorm2d {
	b := newBatchNorm("NewBatchNorm2d", numFeatures, opts)
	return &BatchNorm2d{NumFeatures: b.NumFeatures, Eps: b.Eps, Momentum: b.Momentum, CumulativeAverage: b.CumulativeAverage,
		Affine: b.Affine, TrackRunningStats: b.TrackRunningStats, Weight: b.Weight, Bias: b.Bias,
		RunningMean: b.RunningMean, RunningVar: b.RunningVar, NumBatchesTracked: b.NumBatchesTracked}
}

// Forward normalises x ([N, C, H, W] with C = NumFeatures). In training
// mode a batch with one value per channel panics, as PyTorch refuses it.
func (b *BatchNorm2d) Forward(x *grad.Variable) *grad.Variable {
	if d := x.Value().Dim(); d != 4 {
		panic(&tensor.ShapeError{Op: "BatchNorm2d", A: x.Shape(), B: []int{b.NumFeatures}, Msg: fmt.Sprintf("expected 4D input (got %dD input)", d)})
	}
	return batchNorm("BatchNorm2d", x, bnState{b.NumFeatures, b.Eps, b.Momentum, b.CumulativeAverage, b.TrackRunningStats,
		b.Training(), b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked})
}

// ExtraRepr is "4, eps=1e-05, momentum=0.1, affine=True,
// track_running_stats=True".
func (b *BatchNorm2d) ExtraRepr() string {
	return bnRepr(b.NumFeatures, b.Eps, b.Momentum, b.CumulativeAverage, b.Affine, b.TrackRunningStats)
}

func (b *BatchNorm2d) String() string { return Format(b) }

// GroupNorm normalises each sample over groups of channels
// (torch.nn.GroupNorm): for an input [N, C, ...], the C channels are cut
// into NumGroups groups, each normalised over its channels and the
// remaining dimensions with its own mean and biased variance, then
// channel c is scaled by Weight[c] and shifted by Bias[c] (ones and
// zeros at first; nil with NoAffine). The same in training and eval
// mode: no running statistics.
type GroupNorm struct {
	Module
	NumGroups, NumChannels int
	Eps                    float64
	Affine                 bool
	Weight                 *Parameter
	Bias                   *Parameter
}

// NewGroupNorm returns a GroupNorm of numChannels channels in numGroups
// groups. Options: Eps (default 1e-5), NoAffine, WithDType. numChannels
// not divisible by numGroups panics, with PyTorch's message.
func NewGroupNorm(numGroups, numChannels int, opts ...Option) *GroupNorm {
	c := applyOptions("NewGroupNorm", opts, "Eps", "NoAffine", "WithDType")
	if numGroups < 1 || numChannels < 1 || numChannels%numGroups != 0 {
		panic(misuse("NewGroupNorm", "num_channels must be divisible by num_groups"))
	}
	g := &GroupNorm{NumGroups: numGroups, NumChannels: numChannels, Eps: c.eps, Affine: !c.noAffine}
	if g.Affine {
		g.Weight = NewParameter(c.dtype.Ones(numChannels))
		g.Bias = NewParameter(c.dtype.Zeros(numChannels))
	}
	return g
}

// Forward normalises x ([N, C, ...] with C = NumChannels).
func (g *GroupNorm) Forward(x *grad.Variable) *grad.Variable {
	xs := x.Shape()
	if len(xs) < 2 || xs[1] != g.NumChannels {
		panic(&tensor.ShapeError{Op: "GroupNorm", A: xs, B: []int{g.NumChannels},
			Msg: fmt.Sprintf("expected input with shape [*, %d, *]", g.NumChannels)})
	}
	y, _, _ := normalize(x.Reshape(xs[0], g.NumGroups, -1), tensor.Dims{2}, g.Eps)
	y = y.Reshape(xs...)
	shape := []int{g.NumChannels}
	for range len(xs) - 2 {
		shape = append(shape, 1)
	}
	if g.Weight != nil {
		y = y.Mul(g.Weight.Reshape(shape...))
	}
	if g.Bias != nil {
		y = y.Add(g.Bias.Reshape(shape...))
	}
	return y
}

// ExtraRepr is "2, 4, eps=1e-05, affine=True".
func (g *GroupNorm) ExtraRepr() string {
	return fmt.Sprintf("%d, %d, eps=%s, affine=%s", g.NumGroups, g.NumChannels, pyFloat(g.Eps), pyBool(g.Affine))
}

func (g *GroupNorm) String() string { return Format(g) }
