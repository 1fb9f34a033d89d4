package grad

import "errors"

// Error is the panic value of misuse of a Variable: a backward pass that
// cannot run, an in-place update that would corrupt a graph, a bad
// argument. Kind is one of the Err* sentinels (or nil), so
// errors.Is(err, grad.ErrNoGradFn) works on a recovered panic value.
type Error struct {
	Op   string // the method or function that panicked
	Msg  string
	Kind error // one of the Err* values, or nil
}

func (e *Error) Error() string { return "grad: " + e.Op + ": " + e.Msg }

// Unwrap returns Kind.
func (e *Error) Unwrap() error { return e.Kind }

// The kinds of misuse Backward and the in-place methods report (as the
// Kind of an *Error panic value).
var (
	// ErrNoGradFn: backward from a Variable that does not require grad.
	ErrNoGradFn = errors.New("element 0 of tensors does not require grad and does not have a grad_fn")
	// ErrNotScalar: Backward without an explicit gradient on a Variable
	// with more than one element.
	ErrNotScalar = errors.New("grad can be implicitly created only for scalar outputs")
	// ErrReleased: a second backward pass through a graph whose buffers
	// were released by the first (pass RetainGraph to keep them).
	ErrReleased = errors.New("Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward(). Specify RetainGraph if you need to backward through the graph a second time")
	// ErrLeafInPlace: an in-place update of a leaf that requires grad,
	// outside a no-grad Variable.
	ErrLeafInPlace = errors.New("a leaf Variable that requires grad is being used in an in-place operation.")
	// ErrInPlaceHistory: an in-place update of a Variable with history, or
	// one that would give a Variable history; use the out-of-place op.
	ErrInPlaceHistory = errors.New("in-place operations on Variables that are part of a graph are not supported; use the out-of-place op")
)

func fail(op string, kind error) *Error { return &Error{Op: op, Msg: kind.Error(), Kind: kind} }

func misuse(op, msg string) *Error { return &Error{Op: op, Msg: msg} }
