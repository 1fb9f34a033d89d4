package nn

import (
	"iter"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/simdtorch/simdtorch/tensor"
)

// The walk: reflection over a module's struct finds its members (see
// Module). Per type, the fields that can hold members are found once and
// cached; per module, their current values are read at each walk, so
// assigning a field changes what the next walk sees, as setting an
// attribute does in PyTorch.

type fieldKind uint8

const (
	fParam       fieldKind = iota + 1
	fBuffer                // *Buffer
	fModule                // pointer or interface holding a Model
	fModuleValue           // struct value whose address is a Model
	fModuleSeq             // slice or array of Models
	fParamSeq              // slice or array of *Parameter
)

type fieldInfo struct {
	index []int
	name  string
	kind  fieldKind
}

var (
	modelType     = reflect.TypeFor[Model]()
	moduleType    = reflect.TypeFor[Module]()
	paramPtrType  = reflect.TypeFor[*Parameter]()
	bufferPtrType = reflect.TypeFor[*Buffer]()
	paramType     = reflect.TypeFor[Parameter]()
	bufferType    = reflect.TypeFor[Buffer]()
	typeCache     sync.Map // reflect.Type (struct) → []fieldInfo
)

// classify says what kind of member a field of type t can hold (0: none).
func classify(t reflect.Type) fieldKind {
	switch {
	case t == paramPtrType:
		return fParam
	case t == bufferPtrType:
		return fBuffer
	case t.Implements(modelType):
		if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
			return fModule
		}
		return 0
	case t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(modelType):
		return fModuleValue
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		switch classify(t.Elem()) {
		case fModule, fModuleValue:
			return fModuleSeq
		case fParam:
			return fParamSeq
		}
	}
	return 0
}

// fieldsOf returns the member fields of struct type t, cached.
func fieldsOf(t reflect.Type) []fieldInfo {
	if fs, ok := typeCache.Load(t); ok {
		return fs.([]fieldInfo)
	}
	var fs []fieldInfo
	collectFields(t, t, nil, &fs)
	seen := map[string]bool{}
	for _, f := range fs {
		if seen[f.name] {
			panic(misuse("walk", t.String()+": two fields are named "+strconv.Quote(f.name)+" (rename one with an `nn:\"name\"` tag)"))
		}
		seen[f.name] = true
	}
	typeCache.Store(t, fs)
	return fs
}

func collectFields(root, t reflect.Type, prefix []int, out *[]fieldInfo) {
	if t == paramType || t == bufferType {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("nn")
		if tag == "-" {
			continue
		}
		index := append(append([]int(nil), prefix...), i)
		ft := f.Type
		if ft == paramType || ft == bufferType {
			panic(misuse("walk", root.String()+"."+f.Name+": a "+ft.String()+" value cannot be walked; use a pointer (*"+ft.String()+")"))
		}
		if f.Anonymous && !(hasTag && tag != "") {
			if ft == moduleType {
				continue
			}
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
				if !f.IsExported() {
					continue // reflection cannot follow an unexported embedded pointer
				}
			}
			if et.Kind() == reflect.Struct {
				collectFields(root, et, index, out)
				continue
			}
		}
		kind := classify(ft)
		if kind == 0 {
			continue
		}
		if !f.IsExported() {
			panic(misuse("walk", root.String()+"."+f.Name+" holds a "+ft.String()+" but is unexported, so it would not be registered; export it, or tag it `nn:\"-\"` to leave it out"))
		}
		name := snake(f.Name)
		if hasTag && tag != "" {
			name = tag
			if err := checkName("walk", "field", name); err != nil {
				panic(misuse("walk", root.String()+"."+f.Name+": "+err.(*NameError).Msg))
			}
		}
		*out = append(*out, fieldInfo{index: index, name: name, kind: kind})
	}
}

// snake converts a Go field name to PyTorch's snake_case: Weight → weight,
// PosEmbedding → pos_embedding, CLSToken → cls_token, FC1 → fc1,
// Conv2D → conv2d.
func snake(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// members is a module's own members, in order.
type members struct {
	params  []namedParam
	buffers []namedBuffer
	mods    []namedModule
}

// modPtr returns the reflect value of a Model's struct, checking that the
// Model is a non-nil pointer; ok is false for a nil one.
func modPtr(op string, m Model) (reflect.Value, bool) {
	v := reflect.ValueOf(m)
	if !v.IsValid() {
		return v, false
	}
	if v.Kind() != reflect.Pointer {
		panic(misuse(op, "a Model must be a pointer to a struct, got "+v.Type().String()))
	}
	if v.IsNil() {
		return v, false
	}
	if v.Elem().Kind() != reflect.Struct {
		panic(misuse(op, "a Model must be a pointer to a struct, got "+v.Type().String()))
	}
	return v.Elem(), true
}

func isNil(m Model) bool {
	_, ok := modPtr("walk", m)
	return !ok
}

// membersOf lists m's own members: fields in declaration order, then
// explicit registrations. Nil members are left out.
func membersOf(m Model) members {
	var ms members
	sv, ok := modPtr("walk", m)
	if !ok {
		return ms
	}
	for _, f := range fieldsOf(sv.Type()) {
		fv, err := sv.FieldByIndexErr(f.index)
		if err != nil {
			continue // through a nil embedded pointer
		}
		switch f.kind {
		case fParam:
			if p := fv.Interface().(*Parameter); p != nil && p.Variable != nil {
				ms.params = append(ms.params, namedParam{f.name, p})
			}
		case fBuffer:
			if b := fv.Interface().(*Buffer); b != nil && b.Tensor != nil {
				ms.buffers = append(ms.buffers, namedBuffer{f.name, b})
			}
		case fModule:
			if fv.IsNil() {
				continue
			}
			if c := fv.Interface().(Model); !isNil(c) {
				ms.mods = append(ms.mods, namedModule{f.name, c})
			}
		case fModuleValue:
			ms.mods = append(ms.mods, namedModule{f.name, fv.Addr().Interface().(Model)})
		case fModuleSeq:
			l := &ModuleList{}
			for i := range fv.Len() {
				e := fv.Index(i)
				var c Model
				if e.Kind() == reflect.Struct {
					c = e.Addr().Interface().(Model)
				} else if !e.IsNil() {
					c = e.Interface().(Model)
				}
				if c != nil && !isNil(c) {
					l.mods = append(l.mods, namedModule{strconv.Itoa(i), c})
				}
			}
			ms.mods = append(ms.mods, namedModule{f.name, l})
		case fParamSeq:
			l := &ParameterList{}
			for i := range fv.Len() {
				if p := fv.Index(i).Interface().(*Parameter); p != nil && p.Variable != nil {
					l.params = append(l.params, namedParam{strconv.Itoa(i), p})
				}
			}
			ms.mods = append(ms.mods, namedModule{f.name, l})
		}
	}
	base := m.module()
	for _, e := range base.params {
		if e.p != nil && e.p.Variable != nil {
			ms.params = append(ms.params, e)
		}
	}
	for _, e := range base.buffers {
		if e.b != nil && e.b.Tensor != nil {
			ms.buffers = append(ms.buffers, e)
		}
	}
	for _, e := range base.mods {
		if e.m != nil && !isNil(e.m) {
			ms.mods = append(ms.mods, e)
		}
	}
	if len(base.params)+len(base.buffers)+len(base.mods) > 0 {
		checkUnique(sv.Type(), ms, base)
	}
	return ms
}

// checkUnique panics when an explicit registration reuses a field's name.
func checkUnique(t reflect.Type, ms members, base *Module) {
	seen := map[string]bool{}
	add := func(n string) {
		if seen[n] {
			panic(misuse("walk", t.String()+": the name "+strconv.Quote(n)+" is both a field and a registered member"))
		}
		seen[n] = true
	}
	for _, e := range ms.params {
		add(e.name)
	}
	for _, e := range ms.buffers {
		add(e.name)
	}
	for _, e := range ms.mods {
		add(e.name)
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// ancestors guards the recursive walks against a module that contains
// itself.
type ancestors map[Model]bool

func (a ancestors) enter(m Model) {
	if a[m] {
		panic(misuse("walk", "module "+typeName(m)+" contains itself"))
	}
	a[m] = true
}

// namedModules yields (prefix, m) and then its descendants in preorder,
// each module once (named_modules with remove_duplicate).
func namedModules(m Model, prefix string, memo map[Model]bool, anc ancestors, yield func(string, Model) bool) bool {
	if memo[m] {
		return true
	}
	memo[m] = true
	if !yield(prefix, m) {
		return false
	}
	anc.enter(m)
	defer delete(anc, m)
	for _, c := range membersOf(m).mods {
		if !namedModules(c.m, join(prefix, c.name), memo, anc, yield) {
			return false
		}
	}
	return true
}

// NamedModules returns every module in the tree with its name, the root
// first (named ""), then preorder; a module reached twice is listed once
// (named_modules).
func NamedModules(m Model) iter.Seq2[string, Model] {
	return func(yield func(string, Model) bool) {
		if isNil(m) {
			return
		}
		namedModules(m, "", map[Model]bool{}, ancestors{}, yield)
	}
}

// Modules returns every module in the tree, the root first (modules).
func Modules(m Model) iter.Seq[Model] {
	return func(yield func(Model) bool) {
		for _, c := range NamedModules(m) {
			if !yield(c) {
				return
			}
		}
	}
}

// NamedChildren returns the direct submodules with their names, each
// once (named_children).
func NamedChildren(m Model) iter.Seq2[string, Model] {
	return func(yield func(string, Model) bool) {
		if isNil(m) {
			return
		}
		memo := map[Model]bool{}
		for _, c := range membersOf(m).mods {
			if memo[c.m] {
				continue
			}
			memo[c.m] = true
			if !yield(c.name, c.m) {
				return
			}
		}
	}
}

// Children returns the direct submodules, each once (children).
func Children(m Model) iter.Seq[Model] {
	return func(yield func(Model) bool) {
		for _, c := range NamedChildren(m) {
			if !yield(c) {
				return
			}
		}
	}
}

// NamedParameters returns the parameters with their dotted names
// (named_parameters): a module's own parameters before its children's,
// in member order, each parameter once under the first name found (a
// parameter shared by two modules, or registered twice, is listed once).
// Options: NonRecursive (the module's own parameters only).
func NamedParameters(m Model, opts ...Option) iter.Seq2[string, *Parameter] {
	c := applyOptions("NamedParameters", opts, "NonRecursive")
	return namedMembers(m, c.nonRecursive, func(ms members) []namedParam { return ms.params },
		func(e namedParam) (string, *Parameter) { return e.name, e.p })
}

// Parameters returns the parameters of NamedParameters without names
// (parameters). Options: NonRecursive.
func Parameters(m Model, opts ...Option) iter.Seq[*Parameter] {
	c := applyOptions("Parameters", opts, "NonRecursive")
	if c.nonRecursive {
		opts = []Option{NonRecursive()}
	}
	return func(yield func(*Parameter) bool) {
		for _, p := range NamedParameters(m, opts...) {
			if !yield(p) {
				return
			}
		}
	}
}

// NamedBuffers returns the buffers (persistent or not) with their dotted
// names, in NamedParameters' order and with its deduplication
// (named_buffers). Options: NonRecursive.
func NamedBuffers(m Model, opts ...Option) iter.Seq2[string, *Buffer] {
	c := applyOptions("NamedBuffers", opts, "NonRecursive")
	return namedMembers(m, c.nonRecursive, func(ms members) []namedBuffer { return ms.buffers },
		func(e namedBuffer) (string, *Buffer) { return e.name, e.b })
}

// namedMembers walks the modules (the module itself first, then its
// descendants, or only itself when nonRecursive) and yields each member
// that list picks once, under the first dotted name it is found by.
func namedMembers[E any, P comparable](m Model, nonRecursive bool, list func(members) []E, entry func(E) (string, P)) iter.Seq2[string, P] {
	return func(yield func(string, P) bool) {
		if isNil(m) {
			return
		}
		memo := map[P]bool{}
		each := func(prefix string, mod Model) bool {
			for _, e := range list(membersOf(mod)) {
				name, p := entry(e)
				if memo[p] {
					continue
				}
				memo[p] = true
				if !yield(join(prefix, name), p) {
					return false
				}
			}
			return true
		}
		if nonRecursive {
			each("", m)
			return
		}
		namedModules(m, "", map[Model]bool{}, ancestors{}, each)
	}
}

// Buffers returns the buffers of NamedBuffers without names (buffers).
// Options: NonRecursive.
func Buffers(m Model, opts ...Option) iter.Seq[*Buffer] {
	c := applyOptions("Buffers", opts, "NonRecursive")
	if c.nonRecursive {
		opts = []Option{NonRecursive()}
	}
	return func(yield func(*Buffer) bool) {
		for _, b := range NamedBuffers(m, opts...) {
			if !yield(b) {
				return
			}
		}
	}
}

// NumParameters returns the number of elements in the model's parameters,
// each shared parameter counted once:
// sum(p.numel() for p in model.parameters()).
func NumParameters(m Model) int {
	n := 0
	for p := range Parameters(m) {
		n += p.Numel()
	}
	return n
}

// Apply calls fn on every submodule and then on m itself, children before
// their parent, as PyTorch's apply does (the way to run a custom init):
//
//	nn.Apply(net, func(m nn.Model) {
//		if l, ok := m.(*nn.Linear); ok {
//			nn.Normal(l.Weight, 0, 0.01)
//			nn.Zeros(l.Bias)
//		}
//	})
//
// A module shared by two parents is visited under each.
func Apply(m Model, fn func(Model)) {
	if isNil(m) {
		return
	}
	apply(m, fn, ancestors{})
}

func apply(m Model, fn func(Model), anc ancestors) {
	anc.enter(m)
	for c := range Children(m) {
		apply(c, fn, anc)
	}
	delete(anc, m)
	fn(m)
}

// Train puts m and every submodule in training mode (train()): Dropout
// drops.
func Train(m Model) { setTraining(m, true) }

// Eval puts m and every submodule in evaluation mode (eval()): Dropout
// passes its input through.
func Eval(m Model) { setTraining(m, false) }

func setTraining(m Model, on bool) {
	Apply(m, func(c Model) { c.module().eval = !on })
}

// RequiresGrad sets requires_grad on every parameter of m
// (requires_grad_): RequiresGrad(m, false) freezes the subtree, whose
// parameters then get no gradients.
func RequiresGrad(m Model, b bool) {
	for p := range Parameters(m) {
		p.SetRequiresGrad(b)
	}
}

// To converts every parameter of m (with its gradient) and every buffer to
// dtype dt in place (module.to(dtype), .double(), .float()); a
// BatchNorm's NumBatchesTracked, an integer in PyTorch, keeps Float64.
// Parameters keep their identity, so build optimizers after converting:
// an optimizer's state keeps the dtype it was made with.
func To(m Model, dt tensor.DType) {
	for p := range Parameters(m) {
		if p.Value().DType() != dt {
			p.SetData(p.Value().To(dt))
		}
	}
	for b := range Buffers(m) {
		if !b.count && b.Tensor.DType() != dt {
			b.Tensor = b.Tensor.To(dt)
		}
	}
}

// ZeroGrad drops the gradients of every parameter of m (zero_grad with
// set_to_none=True, PyTorch's default), or with SetToNone(false) sets
// them to zero in place (grad.Variable.ZeroGradInPlace).
func ZeroGrad(m Model, opts ...Option) {
	c := applyOptions("ZeroGrad", opts, "SetToNone")
	for p := range Parameters(m) {
		if c.keepGrad {
			p.ZeroGradInPlace()
		} else {
			p.ZeroGrad()
		}
	}
}
