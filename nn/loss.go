package nn

import (
	"slices"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// Loss modules wrap grad's loss functions with their options (a
// grad.Reduction, grad.Weight, grad.IgnoreIndex, ...), which they keep and
// pass on every call:
//
//	crit := nn.NewCrossEntropyLoss(grad.LabelSmoothing(0.1))
//	loss := crit.Forward(logits, labels)
//
// Their Forward takes the input and the target, so they are not Layers;
// like grad's loss functions they accept any grad.Operand (a Variable or
// a Parameter).
// Unlike PyTorch, a class-weight tensor given as an option is not a
// buffer of the module (it is not in the state dict).

// MSELoss is the mean squared error (torch.nn.MSELoss).
type MSELoss struct {
	Module
	opts []grad.LossOption
}

// NewMSELoss returns an MSELoss with grad's loss options.
func NewMSELoss(opts ...grad.LossOption) *MSELoss { return &MSELoss{opts: slices.Clone(opts)} }

// Forward returns grad.MSELoss(input, target, options...).
func (l *MSELoss) Forward(input, target grad.Operand) *grad.Variable {
	return grad.MSELoss(input, target, l.opts...)
}
func (l *MSELoss) String() string { return Format(l) }

// L1Loss is the mean absolute error (torch.nn.L1Loss).
type L1Loss struct {
	Module
	opts []grad.LossOption
}

// NewL1Loss returns an L1Loss with grad's loss options.
func NewL1Loss(opts ...grad.LossOption) *L1Loss { return &L1Loss{opts: slices.Clone(opts)} }

// Forward returns grad.L1Loss(input, target, options...).
func (l *L1Loss) Forward(input, target grad.Operand) *grad.Variable {
	return grad.L1Loss(input, target, l.opts...)
}
func (l *L1Loss) String() string { return Format(l) }

// CrossEntropyLoss is the cross-entropy of logits and class indices
// (torch.nn.CrossEntropyLoss).
type CrossEntropyLoss struct {
	Module
	opts []grad.LossOption
}

// NewCrossEntropyLoss returns a CrossEntropyLoss with grad's loss options.
func NewCrossEntropyLoss(opts ...grad.LossOption) *CrossEntropyLoss {
	return &CrossEntropyLoss{opts: slices.Clone(opts)}
}

// Forward returns grad.CrossEntropy(input, target, options...); target
// holds class indices as whole numbers.
func (l *CrossEntropyLoss) Forward(input grad.Operand, target *tensor.Tensor) *grad.Variable {
	return grad.CrossEntropy(input, target, l.opts...)
}
func (l *CrossEntropyLoss) String() string { return Format(l) }

// NLLLoss is the negative log-likelihood of log-probabilities and class
// indices (torch.nn.NLLLoss).
type NLLLoss struct {
	Module
	opts []grad.LossOption
}

// NewNLLLoss returns an NLLLoss with grad's loss options.
func NewNLLLoss(opts ...grad.LossOption) *NLLLoss { return &NLLLoss{opts: slices.Clone(opts)} }

// Forward returns grad.NLLLoss(input, target, options...).
func (l *NLLLoss) Forward(input grad.Operand, target *tensor.Tensor) *grad.Variable {
	return grad.NLLLoss(input, target, l.opts...)
}
func (l *NLLLoss) String() string { return Format(l) }

// BCEWithLogitsLoss is the binary cross-entropy of sigmoid(input) and
// target, computed stably from the logits (torch.nn.BCEWithLogitsLoss).
type BCEWithLogitsLoss struct {
	Module
	opts []grad.LossOption
}

// NewBCEWithLogitsLoss returns a BCEWithLogitsLoss with grad's loss
// options.
func NewBCEWithLogitsLoss(opts ...grad.LossOption) *BCEWithLogitsLoss {
	return &BCEWithLogitsLoss{opts: slices.Clone(opts)}
}

// Forward returns grad.BCEWithLogits(input, target, options...).
func (l *BCEWithLogitsLoss) Forward(input, target grad.Operand) *grad.Variable {
	return grad.BCEWithLogits(input, target, l.opts...)
}
func (l *BCEWithLogitsLoss) String() string { return Format(l) }

// HuberLoss is the Huber loss with threshold Delta (torch.nn.HuberLoss).
type HuberLoss struct {
	Module
	Delta float64
	opts  []grad.LossOption
}

// NewHuberLoss returns a HuberLoss (PyTorch's default delta is 1) with
// grad's loss options.
func NewHuberLoss(delta float64, opts ...grad.LossOption) *HuberLoss {
	return &HuberLoss{Delta: delta, opts: slices.Clone(opts)}
}

// Forward returns grad.HuberLoss(input, target, Delta, options...).
func (l *HuberLoss) Forward(input, target grad.Operand) *grad.Variable {
	return grad.HuberLoss(input, target, l.Delta, l.opts...)
}
func (l *HuberLoss) String() string { return Format(l) }

// SmoothL1Loss is the smooth L1 loss with threshold Beta
// (torch.nn.SmoothL1Loss).
type SmoothL1Loss struct {
	Module
	Beta float64
	opts []grad.LossOption
}

// NewSmoothL1Loss returns a SmoothL1Loss (PyTorch's default beta is 1)
// with grad's loss options.
func NewSmoothL1Loss(beta float64, opts ...grad.LossOption) *SmoothL1Loss {
	return &SmoothL1Loss{Beta: beta, opts: slices.Clone(opts)}
}

// Forward returns grad.SmoothL1Loss(input, target, Beta, options...).
func (l *SmoothL1Loss) Forward(input, target grad.Operand) *grad.Variable {
	return grad.SmoothL1Loss(input, target, l.Beta, l.opts...)
}
func (l *SmoothL1Loss) String() string { return Format(l) }

// BCELoss is the binary cross-entropy of probabilities (torch.nn.BCELoss).
type BCELoss struct {
	Module
	opts []grad.LossOption
}

// NewBCELoss returns a BCELoss with grad's loss options (Weight, a
// Reduction).
func NewBCELoss(opts ...grad.LossOption) *BCELoss { return &BCELoss{opts: slices.Clone(opts)} }

// Forward returns grad.BCELoss(input, target, options...).
func (l *BCELoss) Forward(input, target grad.Operand) *grad.Variable {
	return grad.BCELoss(input, target, l.opts...)
}
func (l *BCELoss) String() string { return Format(l) }
