package tensor

import (
	"math"
	"strconv"
	"strings"
)

// Printing follows torch/_tensor_str.py with the default print options:
// precision 4, linewidth 80, threshold 1000, edgeitems 3.
const (
	printPrecision = 4
	printLinewidth = 80
	printThreshold = 1000
	printEdge      = 3
)

// String formats t as PyTorch prints a tensor:
//
//	tensor([[ 1.0000, -2.5000],
//	        [ 3.0000,  4.0000]])
//
// with 4 decimals, columns aligned, whole numbers as "1.", scientific
// notation when magnitudes span more than 1000× (or exceed 1e8, or go
// below 1e-4), only the first and last 3 entries of each dimension past
// 1000 elements, and ", dtype=torch.float64" for Float64.
func (t *Tensor) String() string {
	const prefix = "tensor("
	indent := len(prefix)
	var suffixes []string
	var body string
	if t.numel == 0 {
		if len(t.shape()) != 1 {
			suffixes = append(suffixes, "size="+pyTuple(t.shape()))
		}
		body = "[]"
	} else {
		summarize := t.numel > printThreshold
		var vals []float64
		collect(t, summarize, &vals)
		f := newFormatter(vals)
		var b strings.Builder
		writeTensor(&b, t, indent, summarize, &f)
		body = b.String()
	}
	if t.dtype == Float64 {
		suffixes = append(suffixes, "dtype=torch.float64")
	}
	s := prefix + body
	last := len(s) - strings.LastIndexByte(s, '\n') + 1
	var b strings.Builder
	b.WriteString(s)
	for _, suf := range suffixes {
		if last+len(suf)+2 > printLinewidth {
			b.WriteString(",\n" + strings.Repeat(" ", indent) + suf)
			last = indent + len(suf)
		} else {
			b.WriteString(", " + suf)
			last += len(suf) + 2
		}
	}
	b.WriteByte(')')
	return b.String()
}

// pyTuple formats a shape as a Python tuple: (2, 0), (5,).
func pyTuple(s []int) string {
	if len(s) == 1 {
		return "(" + itoa(s[0]) + ",)"
	}
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = itoa(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// collect appends the values that will be printed.
func collect(t *Tensor, summarize bool, out *[]float64) {
	switch {
	case len(t.shape()) == 0:
		*out = append(*out, t.Item())
	case summarize && t.shape()[0] > 2*printEdge:
		for i := range printEdge {
			collect(t.Select(0, i), summarize, out)
		}
		for i := t.shape()[0] - printEdge; i < t.shape()[0]; i++ {
			collect(t.Select(0, i), summarize, out)
		}
	default:
		for i := range t.shape()[0] {
			collect(t.Select(0, i), summarize, out)
		}
	}
}

type formatter struct {
	intMode, sciMode bool
	width            int
}

func newFormatter(vals []float64) formatter {
	f := formatter{intMode: true, width: 1}
	var lo, hi float64
	found := false
	for _, v := range vals {
		if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		a := math.Abs(v)
		if !found {
			lo, hi, found = a, a, true
		} else {
			lo, hi = min(lo, a), max(hi, a)
		}
		if v != math.Ceil(v) {
			f.intMode = false
		}
	}
	if !found {
		return f
	}
	if f.intMode {
		f.sciMode = hi/lo > 1000 || hi > 1e8
	} else {
		f.sciMode = hi/lo > 1000 || hi > 1e8 || lo < 1e-4
	}
	for _, v := range vals {
		if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		var w int
		switch {
		case f.sciMode:
			w = len(fmtFloat(v, 'e', printPrecision))
		case f.intMode:
			w = len(fmtFloat(v, 'f', 0)) + 1
		default:
			w = len(fmtFloat(v, 'f', printPrecision))
		}
		f.width = max(f.width, w)
	}
	return f
}

// fmtFloat formats v as Python's format() does: nan, inf, -inf.
func fmtFloat(v float64, verb byte, prec int) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, verb, prec, 64)
}

func (f *formatter) format(v float64) string {
	var s string
	switch {
	case f.sciMode:
		s = fmtFloat(v, 'e', printPrecision)
	case f.intMode:
		s = fmtFloat(v, 'f', 0)
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			s += "."
		}
	default:
		s = fmtFloat(v, 'f', printPrecision)
	}
	if n := f.width - len(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

func writeTensor(b *strings.Builder, t *Tensor, indent int, summarize bool, f *formatter) {
	switch len(t.shape()) {
	case 0:
		b.WriteString(f.format(t.Item()))
		return
	case 1:
		writeVector(b, t, indent, summarize, f)
		return
	}
	sep := "," + strings.Repeat("\n", len(t.shape())-1) + strings.Repeat(" ", indent+1)
	b.WriteByte('[')
	n := t.shape()[0]
	first := true
	item := func(i int) {
		if !first {
			b.WriteString(sep)
		}
		first = false
		writeTensor(b, t.Select(0, i), indent+1, summarize, f)
	}
	if summarize && n > 2*printEdge {
		for i := range printEdge {
			item(i)
		}
		b.WriteString(sep + "...")
		for i := n - printEdge; i < n; i++ {
			item(i)
		}
	} else {
		for i := range n {
			item(i)
		}
	}
	b.WriteByte(']')
}

func writeVector(b *strings.Builder, t *Tensor, indent int, summarize bool, f *formatter) {
	elemLen := f.width + 2
	perLine := max(1, (printLinewidth-indent)/elemLen)
	n := t.shape()[0]
	var data []string
	if summarize && n > 2*printEdge {
		for i := range printEdge {
			data = append(data, f.format(t.At(i)))
		}
		data = append(data, " ...")
		for i := n - printEdge; i < n; i++ {
			data = append(data, f.format(t.At(i)))
		}
	} else {
		for i := range n {
			data = append(data, f.format(t.At(i)))
		}
	}
	b.WriteByte('[')
	for i := 0; i < len(data); i += perLine {
		if i > 0 {
			b.WriteString(",\n" + strings.Repeat(" ", indent+1))
		}
		b.WriteString(strings.Join(data[i:min(i+perLine, len(data))], ", "))
	}
	b.WriteByte(']')
}
