package nn

import (
	"math"
	"reflect"
	"strconv"
	"strings"
)

// ExtraRepr is implemented by modules that print settings inside their
// parentheses, as PyTorch's extra_repr: Linear prints
// "in_features=4, out_features=8, bias=True".
type ExtraRepr interface {
	ExtraRepr() string
}

// Format returns the module tree as PyTorch prints a module (repr): the
// type's name, its ExtraRepr, and each child as "(name): ..." indented by
// two spaces:
//
//	Sequential(
//	  (0): Linear(in_features=4, out_features=8, bias=True)
//	  (1): ReLU()
//	  (2): Linear(in_features=8, out_features=1, bias=True)
//	)
//
// The built-in modules' String methods call it. Module has no String
// method (it cannot see the struct that embeds it), so give a model of
// your own one to print it with fmt:
//
//	func (n *Net) String() string { return nn.Format(n) }
func Format(m Model) string {
	if isNil(m) {
		return "None"
	}
	var extra []string
	if e, ok := m.(ExtraRepr); ok {
		if s := e.ExtraRepr(); s != "" {
			extra = strings.Split(s, "\n")
		}
	}
	var child []string
	for _, c := range membersOf(m).mods {
		child = append(child, "("+c.name+"): "+addIndent(Format(c.m), 2))
	}
	s := typeName(m) + "("
	lines := append(extra, child...)
	if len(lines) > 0 {
		if len(extra) == 1 && len(child) == 0 {
			s += extra[0]
		} else {
			s += "\n  " + strings.Join(lines, "\n  ") + "\n"
		}
	}
	return s + ")"
}

// addIndent indents every line but the first (torch.nn.modules.module's
// _addindent).
func addIndent(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) == 1 {
		return s
	}
	pad := strings.Repeat(" ", n)
	for i := 1; i < len(lines); i++ {
		lines[i] = pad + lines[i]
	}
	return strings.Join(lines, "\n")
}

// typeName returns the name of the struct type behind a Model (the class
// name PyTorch prints).
func typeName(m Model) string {
	t := reflect.TypeOf(m)
	if t == nil {
		return "None"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n := t.Name()
	if i := strings.IndexByte(n, '['); i >= 0 {
		n = n[:i] // generic type: drop the type arguments
	}
	return n
}

// pyFloat formats f as Python's repr(float): shortest round-trip digits,
// "1.0" for whole numbers, scientific below 1e-4 and from 1e16.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	i := strings.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if exp < -4 || exp >= 16 {
		mant, ex := e[:i], e[i+1:]
		sign := ex[0]
		digits := strings.TrimLeft(ex[1:], "0")
		if len(digits) < 2 {
			digits = strings.Repeat("0", 2-len(digits)) + digits
		}
		return mant + "e" + string(sign) + digits
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// pyTuple formats ints as a Python tuple: (4,), (2, 3).
func pyTuple(s []int) string {
	if len(s) == 1 {
		return "(" + strconv.Itoa(s[0]) + ",)"
	}
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.Itoa(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
