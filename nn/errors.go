package nn

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is the panic value of misuse of the package: an option that does
// not apply, a struct field that cannot be walked, a Sequential holding a
// module without Forward, an init function given a tensor of the wrong
// rank. Data problems (names, state dicts, files) are returned as errors
// instead.
type Error struct {
	Op  string // the function or method that panicked
	Msg string
}

func (e *Error) Error() string { return "nn: " + e.Op + ": " + e.Msg }

func misuse(op, msg string) *Error { return &Error{Op: op, Msg: msg} }

// NameError is returned by RegisterParameter, RegisterBuffer, AddModule
// and the containers' name-taking methods for a name PyTorch refuses:
// empty, containing ".", or already taken by a member of another kind.
type NameError struct {
	Op   string // "RegisterParameter", "AddModule", ...
	Kind string // "parameter", "buffer" or "module"
	Name string
	Msg  string
}

func (e *NameError) Error() string {
	return "nn: " + e.Op + ": " + e.Msg
}

// checkName returns PyTorch's complaint about a member name, or nil.
func checkName(op, kind, name string) error {
	switch {
	case name == "":
		return &NameError{op, kind, name, kind + ` name can't be empty string ""`}
	case strings.Contains(name, "."):
		return &NameError{op, kind, name, kind + ` name can't contain ".", got: ` + name}
	}
	return nil
}

// ShapeMismatch is one state-dict entry whose shape differs from the
// model's.
type ShapeMismatch struct {
	Key   string
	Got   []int // the shape in the state dict (the checkpoint)
	Model []int // the shape in the model
}

// LoadError is returned by LoadStateDict when the state dict does not fit
// the model. It lists every problem at once; nothing was copied.
type LoadError struct {
	Module     string   // the model's type name
	Missing    []string // keys the model has and the state dict lacks (strict only)
	Unexpected []string // keys the state dict has and the model lacks (strict only)
	Mismatched []ShapeMismatch
}

// Error formats the problems as PyTorch's load_state_dict does.
func (e *LoadError) Error() string {
	var msgs []string
	if len(e.Missing) > 0 {
		msgs = append(msgs, "Missing key(s) in state_dict: "+quoteKeys(e.Missing)+". ")
	}
	if len(e.Unexpected) > 0 {
		msgs = append(msgs, "Unexpected key(s) in state_dict: "+quoteKeys(e.Unexpected)+". ")
	}
	for _, m := range e.Mismatched {
		msgs = append(msgs, fmt.Sprintf("size mismatch for %s: copying a param with shape %s from checkpoint, the shape in current model is %s.",
			m.Key, torchSize(m.Got), torchSize(m.Model)))
	}
	return "nn: Error(s) in loading state_dict for " + e.Module + ":\n\t" + strings.Join(msgs, "\n\t")
}

func quoteKeys(ks []string) string {
	q := make([]string, len(ks))
	for i, k := range ks {
		q[i] = `"` + k + `"`
	}
	return strings.Join(q, ", ")
}

// torchSize formats a shape as torch.Size([2, 3]).
func torchSize(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.Itoa(v)
	}
	return "torch.Size([" + strings.Join(parts, ", ") + "])"
}

// SafetensorsError is returned for a file that is not valid safetensors.
type SafetensorsError struct {
	Msg string
}

func (e *SafetensorsError) Error() string { return "nn: safetensors: " + e.Msg }

func stErr(format string, args ...any) error {
	return &SafetensorsError{Msg: fmt.Sprintf(format, args...)}
}
