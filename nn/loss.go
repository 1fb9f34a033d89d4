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
