package optim

import (
	"errors"
	"strings"
)

// Error is the panic value of misuse: an option that does not apply, an
// invalid hyperparameter (a negative learning rate, Nesterov without
// momentum), a parameter whose dtype or layout the update cannot use.
// Data problems (an empty parameter list, a state dict that does not fit)
// are returned as errors instead.
type Error struct {
	Op  string // the function or method that panicked
	Msg string
}

func (e *Error) Error() string { return "optim: " + e.Op + ": " + e.Msg }

func misuse(op, msg string) *Error { return &Error{Op: op, Msg: msg} }

// ErrEmptyParams is returned by the constructors and AddParamGroup for an
// empty parameter list (PyTorch's ValueError).
var ErrEmptyParams = errors.New("optimizer got an empty parameter list")

// ErrDuplicateParams is returned by AddParamGroup for a parameter that is
// already in a group.
var ErrDuplicateParams = errors.New("some parameters appear in more than one parameter group")

// LoadError is returned by LoadStateDict when the state dict does not fit
// the optimizer or scheduler. It lists every problem at once; nothing was
// changed.
type LoadError struct {
	Optimizer string // "SGD", "Adam", "AdamW", or a scheduler: "StepLR", "CosineAnnealingLR"
	Problems  []string
}

func (e *LoadError) Error() string {
	return "optim: Error(s) in loading state_dict for " + e.Optimizer + ":\n\t" + strings.Join(e.Problems, "\n\t")
}
