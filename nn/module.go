package nn

import (
	"github.com/simdtorch/simdtorch/grad"
)

// Model is a module (torch.nn.Module): a pointer to a struct that embeds
// Module. The interface is sealed by an unexported method that only
// Module has, so every Model embeds one:
//
//	type MLP struct {
//		nn.Module
//		Hidden *nn.Linear
//		Out    *nn.Linear
//	}
//
// The package's functions (NamedParameters, StateDict, Apply, Format, ...)
// take a Model and walk it.
type Model interface {
	module() *Module
}

// Layer is a Model with a single-input forward pass, the kind a
// Sequential chains. Built-in layers implement it; so does Sequential.
// Modules with other signatures (losses, multi-input models) define their
// own Forward and are still Models.
type Layer interface {
	Model
	Forward(x *grad.Variable) *grad.Variable
}

// Module is embedded in every model. It holds what the struct's fields
// cannot express: the members registered explicitly (RegisterParameter,
// RegisterBuffer, AddModule) and the training flag. Its zero value is
// ready to use, in training mode.
//
// A module's members are, in order: its exported fields of type
// *Parameter, *Buffer, a Model (pointer, interface or struct value), or a
// slice or array of Models (a ModuleList of that name) or of *Parameters
// (a ParameterList), in declaration order; then the explicitly registered
// members in registration order. A field tagged `nn:"name"` gets that
// name; `nn:"-"` is skipped. Other names are the field's name in
// snake_case (Weight → weight, PosEmbedding → pos_embedding, FC1 → fc1).
// Embedded structs other than Module contribute their fields as if they
// were declared in place (Go's version of inheritance). Nil members are
// skipped, as PyTorch skips None.
//
// A field of type *tensor.Tensor or *grad.Variable is not a parameter: it
// is not trained, listed or saved (the classic mistake PyTorch's
// documentation warns about). Maps are not walked (their order is
// random): use ModuleDict. An unexported field holding a parameter, buffer
// or module panics at the first walk, since it would be silently ignored;
// tag it `nn:"-"` if that is what you want.
type Module struct {
	eval    bool
	params  []namedParam
	buffers []namedBuffer
	mods    []namedModule
}

type namedParam struct {
	name string
	p    *Parameter
}

type namedBuffer struct {
	name string
	b    *Buffer
}

type namedModule struct {
	name string
	m    Model
}

func (m *Module) module() *Module { return m }

// Training reports whether the module is in training mode (the default;
// see Train and Eval).
func (m *Module) Training() bool { return !m.eval }

// RegisterParameter adds a parameter under name (register_parameter).
// Any name without a dot works ("block 0"); registering the same name
// again replaces the parameter; a nil p registers nothing under the name
// but reserves it (PyTorch's None). It returns a *NameError for an empty
// name, a name with a dot, or a name already used by a buffer or module.
func (m *Module) RegisterParameter(name string, p *Parameter) error {
	if err := m.checkNew("RegisterParameter", "parameter", name, 0); err != nil {
		return err
	}
	for i := range m.params {
		if m.params[i].name == name {
			m.params[i].p = p
			return nil
		}
	}
	m.params = append(m.params, namedParam{name, p})
	return nil
}

// RegisterBuffer adds a buffer under name (register_buffer), with the
// same naming rules as RegisterParameter.
func (m *Module) RegisterBuffer(name string, b *Buffer) error {
	if err := m.checkNew("RegisterBuffer", "buffer", name, 1); err != nil {
		return err
	}
	for i := range m.buffers {
		if m.buffers[i].name == name {
			m.buffers[i].b = b
			return nil
		}
	}
	m.buffers = append(m.buffers, namedBuffer{name, b})
	return nil
}

// AddModule adds a child module under name (add_module,
// register_module), with the same naming rules as RegisterParameter:
//
//	net.AddModule("block "+strconv.Itoa(i), block1())
func (m *Module) AddModule(name string, child Model) error {
	if err := m.checkNew("AddModule", "module", name, 2); err != nil {
		return err
	}
	m.setModule(name, child)
	return nil
}

func (m *Module) setModule(name string, child Model) {
	for i := range m.mods {
		if m.mods[i].name == name {
			m.mods[i].m = child
			return
		}
	}
	m.mods = append(m.mods, namedModule{name, child})
}

// checkNew validates a name and checks that no member of another kind
// (0 parameter, 1 buffer, 2 module) has it.
func (m *Module) checkNew(op, kind, name string, k int) error {
	if err := checkName(op, kind, name); err != nil {
		return err
	}
	taken := func(has bool) error {
		if has {
			return &NameError{op, kind, name, `attribute '` + name + `' already exists`}
		}
		return nil
	}
	if k != 0 {
		for _, e := range m.params {
			if e.name == name {
				return taken(true)
			}
		}
	}
	if k != 1 {
		for _, e := range m.buffers {
			if e.name == name {
				return taken(true)
			}
		}
	}
	if k != 2 {
		for _, e := range m.mods {
			if e.name == name {
				return taken(true)
			}
		}
	}
	return nil
}
