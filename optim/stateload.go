package optim

import (
	"fmt"
	"math"
	"slices"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

// stateLoader reads a state dict for an optimizer's or a schedule's
// LoadStateDict: it collects every problem instead of stopping at the
// first, and remembers the keys read so the others can be reported as
// unexpected.
type stateLoader struct {
	sd    *nn.TensorDict
	kind  string // "SGD", "StepLR", ...
	what  string // "optimizer" or "scheduler"
	probs []string
	used  map[string]bool
}

// newStateLoader starts reading sd, which must name this kind in
// Metadata[what].
func newStateLoader(sd *nn.TensorDict, what, kind string) *stateLoader {
	l := &stateLoader{sd: sd, kind: kind, what: what, used: map[string]bool{}}
	if k := sd.Metadata[what]; k != kind {
		l.bad("state dict is for %s %q, not %q", what, k, kind)
	}
	return l
}

func (l *stateLoader) bad(format string, args ...any) {
	l.probs = append(l.probs, fmt.Sprintf(format, args...))
}

// has reports whether key is in the state dict (without reading it).
func (l *stateLoader) has(key string) bool {
	_, ok := l.sd.Get(key)
	return ok
}

// get returns the tensor under key, or nil after noting that it is
// missing or not of this shape.
func (l *stateLoader) get(key string, shape ...int) *tensor.Tensor {
	t, ok := l.sd.Get(key)
	if !ok {
		l.bad("missing key %q", key)
		return nil
	}
	l.used[key] = true
	if !slices.Equal(t.Shape(), shape) {
		l.bad("size mismatch for %q: shape %v in the state dict, %v in the %s", key, t.Shape(), shape, l.what)
		return nil
	}
	return t
}

// epochs returns the list of whole numbers >= 0 under key (a 1-D tensor
// of any length), or nil after noting that it is missing, not 1-D, or
// holds another value.
func (l *stateLoader) epochs(key string) []int {
	t, ok := l.sd.Get(key)
	if !ok {
		l.bad("missing key %q", key)
		return nil
	}
	l.used[key] = true
	if t.Dim() != 1 {
		l.bad("size mismatch for %q: shape %v in the state dict, a list in the %s", key, t.Shape(), l.what)
		return nil
	}
	out := []int{}
	for _, e := range t.Float64s() {
		if l.whole(key, e, 0) {
			out = append(out, int(e))
		}
	}
	return out
}

// whole reports whether v is a whole number >= least that a float64
// holds exactly, noting it when not.
func (l *stateLoader) whole(key string, v float64, least int) bool {
	if !(v >= float64(least) && v <= 1<<53 && v == math.Trunc(v)) {
		l.bad("%s = %v, want a whole number >= %d", key, v, least)
		return false
	}
	return true
}

// err notes the keys never read as unexpected and returns the
// *LoadError of every problem, or nil.
func (l *stateLoader) err() error {
	for _, k := range l.sd.Keys() {
		if !l.used[k] {
			l.bad("unexpected key %q", k)
		}
	}
	if len(l.probs) > 0 {
		return &LoadError{Optimizer: l.kind, Problems: l.probs}
	}
	return nil
}
