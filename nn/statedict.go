package nn

import (
	"iter"
	"slices"

	"github.com/simdtorch/simdtorch/tensor"
)

// TensorDict is an ordered map from names to tensors: a state dict (an
// OrderedDict in PyTorch) or the contents of a safetensors file.
// Metadata is the file's free-form "__metadata__" map; it travels with the
// dict through WriteSafetensors and ReadSafetensors and is nil when there
// is none.
type TensorDict struct {
	Metadata map[string]string
	keys     []string
	vals     map[string]*tensor.Tensor
}

// NewTensorDict returns an empty TensorDict.
func NewTensorDict() *TensorDict { return &TensorDict{vals: map[string]*tensor.Tensor{}} }

// Set stores t under key: in place when the key exists, else at the end.
func (d *TensorDict) Set(key string, t *tensor.Tensor) {
	if t == nil {
		panic(misuse("TensorDict.Set", "nil tensor for key "+key))
	}
	if d.vals == nil {
		d.vals = map[string]*tensor.Tensor{}
	}
	if _, ok := d.vals[key]; !ok {
		d.keys = append(d.keys, key)
	}
	d.vals[key] = t
}

// Get returns the tensor stored under key.
func (d *TensorDict) Get(key string) (*tensor.Tensor, bool) {
	if d == nil {
		return nil, false
	}
	t, ok := d.vals[key]
	return t, ok
}

// Delete removes key, keeping the order of the others.
func (d *TensorDict) Delete(key string) {
	if _, ok := d.vals[key]; !ok {
		return
	}
	delete(d.vals, key)
	d.keys = slices.DeleteFunc(d.keys, func(k string) bool { return k == key })
}

// Len returns the number of entries.
func (d *TensorDict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.keys)
}

// Keys returns the keys in order (a copy).
func (d *TensorDict) Keys() []string {
	if d == nil {
		return nil
	}
	return slices.Clone(d.keys)
}

// All returns the entries in order.
func (d *TensorDict) All() iter.Seq2[string, *tensor.Tensor] {
	return func(yield func(string, *tensor.Tensor) bool) {
		if d == nil {
			return
		}
		for _, k := range d.keys {
			if !yield(k, d.vals[k]) {
				return
			}
		}
	}
}

// stateEntries lists the state of m in state_dict order: a module's
// parameters, then its persistent buffers, then each child's state,
// recursively. Nothing is deduplicated: a shared parameter appears under
// each of its names.
func stateEntries(m Model, prefix string, anc ancestors, out *[]stateEntry) {
	anc.enter(m)
	defer delete(anc, m)
	ms := membersOf(m)
	for _, e := range ms.params {
		*out = append(*out, stateEntry{prefix + e.name, e.p.Value()})
	}
	for _, e := range ms.buffers {
		if e.b.persistent {
			*out = append(*out, stateEntry{prefix + e.name, e.b.Tensor})
		}
	}
	for _, c := range ms.mods {
		stateEntries(c.m, prefix+c.name+".", anc, out)
	}
}

type stateEntry struct {
	key string
	t   *tensor.Tensor
}

func entriesOf(m Model) []stateEntry {
	var es []stateEntry
	if !isNil(m) {
		stateEntries(m, "", ancestors{}, &es)
	}
	return es
}

// StateDict returns the model's state (state_dict): every parameter and
// persistent buffer under its dotted name, in order: a module's
// parameters, then its buffers, then its children's state. A parameter
// shared by two modules appears under both names; non-persistent buffers
// are left out.
//
// The tensors are the model's own (shared, as PyTorch's detached
// tensors are): training changes them. Clone them to keep a snapshot.
func StateDict(m Model) *TensorDict {
	d := NewTensorDict()
	for _, e := range entriesOf(m) {
		d.Set(e.key, e.t)
	}
	return d
}

// IncompatibleKeys lists the keys a non-strict LoadStateDict skipped.
type IncompatibleKeys struct {
	Missing    []string // in the model, not in the state dict
	Unexpected []string // in the state dict, not in the model
}

// LoadStateDict copies the state dict's tensors into the model's
// parameters and persistent buffers (load_state_dict), converting to their
// dtypes.
//
// It first checks everything: keys the model has and sd lacks (missing),
// keys sd has and the model lacks (unexpected) and entries whose shape
// differs from the model's. When anything is wrong it returns a
// *LoadError listing every problem, with both shapes for each mismatch,
// and copies nothing, so a failed load leaves the model as it was.
//
// With NonStrict, missing and unexpected keys are not errors: the
// matching entries are loaded and the others reported in the
// IncompatibleKeys. Shape mismatches are errors in both modes, as in
// PyTorch.
func LoadStateDict(m Model, sd *TensorDict, opts ...Option) (IncompatibleKeys, error) {
	c := applyOptions("LoadStateDict", opts, "NonStrict")
	var inc IncompatibleKeys
	entries := entriesOf(m)
	lerr := &LoadError{Module: typeName(m)}
	want := make(map[string]bool, len(entries))
	for _, e := range entries {
		want[e.key] = true
		src, ok := sd.Get(e.key)
		if !ok {
			inc.Missing = append(inc.Missing, e.key)
			continue
		}
		if !slices.Equal(src.Shape(), e.t.Shape()) {
			lerr.Mismatched = append(lerr.Mismatched, ShapeMismatch{Key: e.key, Got: src.Shape(), Model: e.t.Shape()})
		}
	}
	for k := range sd.All() {
		if !want[k] {
			inc.Unexpected = append(inc.Unexpected, k)
		}
	}
	if !c.nonStrict {
		lerr.Missing, lerr.Unexpected = inc.Missing, inc.Unexpected
	}
	if len(lerr.Missing)+len(lerr.Unexpected)+len(lerr.Mismatched) > 0 {
		return inc, lerr
	}
	for _, e := range entries {
		if src, ok := sd.Get(e.key); ok {
			e.t.Copy(src)
		}
	}
	return inc, nil
}
