package tensor

import (
	"strconv"
	"strings"
)

// ShapeError is the panic value of an op given operands whose shapes do not
// fit together. It names the op and both shapes; Msg gives PyTorch's
// explanation, for example
//
//	tensor: Add: the size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1 (shapes [2 3] and [2 4])
type ShapeError struct {
	Op   string
	A, B []int // the shapes of the two operands
	Msg  string
}

func (e *ShapeError) Error() string {
	return "tensor: " + e.Op + ": " + e.Msg + " (shapes " + fmtShape(e.A) + " and " + fmtShape(e.B) + ")"
}

// IndexError is the panic value of an index or dimension out of range. It
// names the op, the dimension and the valid range.
type IndexError struct {
	Op    string
	Dim   int // the dimension indexed; for a bad dimension number, -1
	Index int // the index (or dimension number) given
	Size  int // the size of the dimension (or the number of dimensions)
}

func (e *IndexError) Error() string {
	if e.Dim < 0 {
		return "tensor: " + e.Op + ": dimension out of range (expected to be in range of [" +
			itoa(-e.Size) + ", " + itoa(e.Size-1) + "], but got " + itoa(e.Index) + ")"
	}
	return "tensor: " + e.Op + ": index " + itoa(e.Index) + " is out of bounds for dimension " +
		itoa(e.Dim) + " with size " + itoa(e.Size) + " (valid range [" + itoa(-e.Size) + ", " + itoa(e.Size-1) + "])"
}

// Error is the panic value of other misuse: a bad argument, or a dtype
// mismatch between a destination and its operands.
type Error struct {
	Op  string
	Msg string
}

func (e *Error) Error() string { return "tensor: " + e.Op + ": " + e.Msg }

func itoa(i int) string { return strconv.Itoa(i) }

// fmtShape formats a shape as Go prints an []int: [2 3].
func fmtShape(s []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(v))
	}
	b.WriteByte(']')
	return b.String()
}

// normDim turns a possibly negative dimension into 0..n-1, panicking with
// an IndexError when it is out of range. A 0-d tensor accepts 0 and -1, as
// PyTorch does.
func normDim(op string, d, n int) int {
	m := max(n, 1)
	if d < -m || d >= m {
		panic(&IndexError{Op: op, Dim: -1, Index: d, Size: m})
	}
	if d < 0 {
		d += m
	}
	return d
}

func shapeErr(op string, a, b []int, msg string) *ShapeError {
	return &ShapeError{Op: op, A: append([]int{}, a...), B: append([]int{}, b...), Msg: msg}
}
