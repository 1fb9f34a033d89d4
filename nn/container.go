package nn

import (
	"iter"
	"strconv"
	"strings"
	"sync"

	"github.com/simdtorch/simdtorch/grad"
)

// Sequential chains layers (torch.nn.Sequential): Forward passes its input
// through each child in order. Children made by NewSequential and Append
// are named "0", "1", ...; AddModule gives any other name (PyTorch's
// add_module, or Sequential(OrderedDict(...))). At indexes the children
// like net[i] in Python.
type Sequential struct {
	Module
	scratch sync.Pool // *chainScratch: see chain.go
}

// NewSequential returns a Sequential of the layers, named "0", "1", ...
func NewSequential(layers ...Layer) *Sequential {
	s := &Sequential{}
	for _, l := range layers {
		s.Append(l)
	}
	return s
}

// Append adds a layer at the end, named by its position, and returns s.
func (s *Sequential) Append(l Layer) *Sequential {
	s.setModule(strconv.Itoa(len(s.mods)), l)
	return s
}

// AddModule adds a layer under name (add_module); see Module.AddModule
// for the naming rules.
func (s *Sequential) AddModule(name string, l Layer) error {
	return s.Module.AddModule(name, l)
}

// Len returns the number of children.
func (s *Sequential) Len() int { return len(s.mods) }

// At returns the i-th child (net[i]); negative i counts from the end.
func (s *Sequential) At(i int) Layer {
	return s.mods[index("Sequential.At", i, len(s.mods))].m.(Layer)
}

// Slice returns a new Sequential holding children i..j-1 under their
// names (net[i:j]); the children are shared, not copied.
func (s *Sequential) Slice(i, j int) *Sequential {
	if i < 0 || j > len(s.mods) || i > j {
		panic(misuse("Sequential.Slice", "range ["+strconv.Itoa(i)+":"+strconv.Itoa(j)+"] out of bounds for length "+strconv.Itoa(len(s.mods))))
	}
	out := &Sequential{}
	out.mods = append(out.mods, s.mods[i:j]...)
	return out
}

// All returns the children with their names, in order.
func (s *Sequential) All() iter.Seq2[string, Layer] {
	return func(yield func(string, Layer) bool) {
		for _, e := range s.mods {
			if !yield(e.name, e.m.(Layer)) {
				return
			}
		}
	}
}

// Forward passes x through every child in order.
func (s *Sequential) Forward(x *grad.Variable) *grad.Variable {
	for i := 0; i < len(s.mods); i++ {
		e := s.mods[i]
		// Two or more Linear layers without a graph: intermediates in
		// scratch memory (chain.go).
		if n, noGrad := s.linearChain(x, i); n > 0 {
			x = s.forwardChain(x, i, n, noGrad)
			i += n - 1
			continue
		}
		// A Linear followed by a ReLU runs as grad.LinearReLU: the same
		// values and graph, and in no-grad mode one tensor instead of two.
		if lin, ok := e.m.(*Linear); ok && i+1 < len(s.mods) {
			if _, ok := s.mods[i+1].m.(*ReLU); ok {
				x = lin.forwardReLU(x)
				i++
				continue
			}
		}
		l, ok := e.m.(Layer)
		if !ok {
			panic(misuse("Sequential.Forward", "child ("+e.name+") "+typeName(e.m)+" has no Forward(*grad.Variable) method"))
		}
		x = l.Forward(x)
	}
	return x
}

func (s *Sequential) String() string { return Format(s) }

// index resolves a Python-style index.
func index(op string, i, n int) int {
	j := i
	if j < 0 {
		j += n
	}
	if j < 0 || j >= n {
		panic(misuse(op, "index "+strconv.Itoa(i)+" is out of range for length "+strconv.Itoa(n)))
	}
	return j
}

// ModuleList holds submodules in a list (torch.nn.ModuleList), named
// "0", "1", ... It registers them but has no Forward: iterate over it. A
// struct field that is a slice or array of modules is walked as a
// ModuleList of that name.
type ModuleList struct {
	Module
}

// NewModuleList returns a ModuleList of the modules.
func NewModuleList(ms ...Model) *ModuleList {
	l := &ModuleList{}
	for _, m := range ms {
		l.Append(m)
	}
	return l
}

// Append adds a module at the end and returns l.
func (l *ModuleList) Append(m Model) *ModuleList {
	l.setModule(strconv.Itoa(len(l.mods)), m)
	return l
}

// Len returns the number of modules.
func (l *ModuleList) Len() int { return len(l.mods) }

// At returns the i-th module; negative i counts from the end.
func (l *ModuleList) At(i int) Model { return l.mods[index("ModuleList.At", i, len(l.mods))].m }

// All returns the modules with their indices.
func (l *ModuleList) All() iter.Seq2[int, Model] {
	return func(yield func(int, Model) bool) {
		for i, e := range l.mods {
			if !yield(i, e.m) {
				return
			}
		}
	}
}

func (l *ModuleList) String() string { return Format(l) }

// ModuleDict holds submodules by name in insertion order
// (torch.nn.ModuleDict). Use it instead of a Go map, which the walk does
// not follow because its order is random.
type ModuleDict struct {
	Module
}

// NewModuleDict returns an empty ModuleDict.
func NewModuleDict() *ModuleDict { return &ModuleDict{} }

// Set stores m under name: in place if the name exists, else at the end.
// It returns a *NameError for an empty name or one with a dot.
func (d *ModuleDict) Set(name string, m Model) error {
	if err := checkName("ModuleDict.Set", "module", name); err != nil {
		return err
	}
	d.setModule(name, m)
	return nil
}

// Get returns the module stored under name.
func (d *ModuleDict) Get(name string) (Model, bool) {
	for _, e := range d.mods {
		if e.name == name {
			return e.m, true
		}
	}
	return nil, false
}

// Delete removes name (pop), keeping the order of the others.
func (d *ModuleDict) Delete(name string) {
	for i, e := range d.mods {
		if e.name == name {
			d.mods = append(d.mods[:i:i], d.mods[i+1:]...)
			return
		}
	}
}

// Len returns the number of modules.
func (d *ModuleDict) Len() int { return len(d.mods) }

// Keys returns the names in insertion order.
func (d *ModuleDict) Keys() []string {
	ks := make([]string, len(d.mods))
	for i, e := range d.mods {
		ks[i] = e.name
	}
	return ks
}

// All returns the entries in insertion order.
func (d *ModuleDict) All() iter.Seq2[string, Model] {
	return func(yield func(string, Model) bool) {
		for _, e := range d.mods {
			if !yield(e.name, e.m) {
				return
			}
		}
	}
}

func (d *ModuleDict) String() string { return Format(d) }

// ParameterList holds parameters in a list (torch.nn.ParameterList),
// named "0", "1", ... A struct field of type []*Parameter is walked as a
// ParameterList of that name.
type ParameterList struct {
	Module
}

// NewParameterList returns a ParameterList of the parameters.
func NewParameterList(ps ...*Parameter) *ParameterList {
	l := &ParameterList{}
	for _, p := range ps {
		l.Append(p)
	}
	return l
}

// Append adds a parameter at the end and returns l.
func (l *ParameterList) Append(p *Parameter) *ParameterList {
	l.params = append(l.params, namedParam{strconv.Itoa(len(l.params)), p})
	return l
}

// Len returns the number of parameters.
func (l *ParameterList) Len() int { return len(l.params) }

// At returns the i-th parameter; negative i counts from the end.
func (l *ParameterList) At(i int) *Parameter {
	return l.params[index("ParameterList.At", i, len(l.params))].p
}

// ExtraRepr lists the parameters as PyTorch does.
func (l *ParameterList) ExtraRepr() string {
	lines := make([]string, 0, len(l.params))
	for _, e := range l.params {
		lines = append(lines, "  ("+e.name+"): "+paramSummary(e.p))
	}
	return strings.Join(lines, "\n")
}

func (l *ParameterList) String() string { return Format(l) }

// paramSummary is "Parameter containing: [torch.float32 of size 3x4]".
func paramSummary(p *Parameter) string {
	if p == nil || p.Variable == nil {
		return "None"
	}
	dims := make([]string, 0, p.Dim())
	for _, s := range p.Shape() {
		dims = append(dims, strconv.Itoa(s))
	}
	return "Parameter containing: [torch." + p.DType().String() + " of size " + strings.Join(dims, "x") + "]"
}
