package tensor_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/simdtorch/simdtorch/tensor"
)

// panicValue runs f and returns what it panicked with (nil if nothing).
func panicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

func wantPanic[E error](t *testing.T, f func(), substr ...string) E {
	t.Helper()
	v := panicValue(f)
	e, ok := v.(E)
	if !ok {
		var z E
		t.Fatalf("panic value %T (%v), want %T", v, v, z)
	}
	for _, s := range substr {
		if !strings.Contains(e.Error(), s) {
			t.Errorf("panic %q does not contain %q", e.Error(), s)
		}
	}
	return e
}

func TestViewWritesReachBase(t *testing.T) {
	base := tensor.Zeros(3, 4)
	base.T().Set(5, 1, 2) // base[2][1]
	base.Narrow(1, 2, 2).Set(6, 0, 1)
	base.Select(0, 1).Fill(7)
	base.Slice(1, 0, 4, 3).Select(0, 2).MulScalarInPlace(0).AddScalarInPlace(9) // base[2][0], base[2][3]
	base.View(12).Set(-1, 11)                                                   // base[2][3] again
	base.Unsqueeze(0).Set(8, 0, 0, 0)
	want := []float32{8, 0, 0, 6, 7, 7, 7, 7, 9, 5, 0, -1}
	if got := base.Float32s(); !slices.Equal(got, want) {
		t.Fatalf("base = %v, want %v", got, want)
	}
	for _, v := range []*tensor.Tensor{base.T(), base.Narrow(0, 1, 1), base.View(2, 6), base.Expand(2, 3, 4), base.Permute(1, 0), base.Squeeze(), base.Flatten(0, 1)} {
		if !v.SharesStorage(base) {
			t.Errorf("view %v does not share storage", v.Shape())
		}
	}
	if base.Clone().SharesStorage(base) || base.T().Contiguous().SharesStorage(base) {
		t.Error("Clone/Contiguous of a transpose share storage")
	}
	if base.Contiguous() != base {
		t.Error("Contiguous of a contiguous tensor copies")
	}
	data := []float64{1, 2, 3, 4}
	x := tensor.New(data, 2, 2)
	x.Set(10, 1, 1)
	if data[3] != 10 {
		t.Error("New does not share its slice")
	}
}

func TestTryViewAndReshape(t *testing.T) {
	x := tensor.Arange(0, 12, 1).View(3, 4)
	if _, err := x.T().TryView(12); err == nil {
		t.Fatal("TryView of a transpose to 1-D succeeded")
	} else {
		var se *tensor.ShapeError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "Reshape") {
			t.Errorf("error %v", err)
		}
	}
	wantPanic[*tensor.ShapeError](t, func() { x.T().View(-1) }, "View")
	r := x.T().Reshape(-1)
	if r.SharesStorage(x) {
		t.Error("Reshape of a transpose did not copy")
	}
	if got := r.Float32s(); !slices.Equal(got, []float32{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}) {
		t.Errorf("Reshape = %v", got)
	}
	// A view that splits a dimension of a non-contiguous tensor works.
	v, err := x.T().TryView(2, 2, 3)
	if err != nil || !v.SharesStorage(x) || v.At(1, 1, 2) != x.At(2, 3) {
		t.Errorf("TryView(2,2,3) = %v, %v", v, err)
	}
	wantPanic[*tensor.Error](t, func() { x.View(5, -1) }, "shape [5 -1] is invalid for input of size 12")
}

func TestErrors(t *testing.T) {
	a, b := tensor.Zeros(2, 3), tensor.Zeros(4)
	e := wantPanic[*tensor.ShapeError](t, func() { a.Add(b) },
		"tensor: Add: the size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1", "[2 3]", "[4]")
	if !slices.Equal(e.A, []int{2, 3}) || !slices.Equal(e.B, []int{4}) || e.Op != "Add" {
		t.Errorf("ShapeError fields %+v", e)
	}
	wantPanic[*tensor.ShapeError](t, func() { tensor.Zeros(2, 3).MatMul(tensor.Zeros(4, 5)) },
		"MatMul: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")
	wantPanic[*tensor.ShapeError](t, func() { tensor.AddMM(tensor.Zeros(5), tensor.Zeros(2, 3), tensor.Zeros(4, 5)) },
		"AddMM: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)")
	wantPanic[*tensor.IndexError](t, func() { a.Select(0, 2) }, "index 2 is out of bounds for dimension 0 with size 2")
	wantPanic[*tensor.IndexError](t, func() { a.Sum(tensor.Dim(2)) }, "dimension out of range (expected to be in range of [-2, 1], but got 2)")
	wantPanic[*tensor.IndexError](t, func() { a.At(0, 3) }, "dimension 1 with size 3")
	wantPanic[*tensor.ShapeError](t, func() { a.AddInPlace(tensor.Zeros(3, 2, 3)) }, "doesn't match the broadcast shape")
	wantPanic[*tensor.Error](t, func() { tensor.Zeros(3).Expand(2, 3).AddScalarInPlace(1) }, "single memory location")
	wantPanic[*tensor.Error](t, func() { a.Item() }, "6 elements")
	wantPanic[*tensor.IndexError](t, func() { a.IndexSelectInts(1, []int{3}) }, "index 3 is out of bounds for dimension 1 with size 3")
	wantPanic[*tensor.ShapeError](t, func() { tensor.Cat([]*tensor.Tensor{a, tensor.Zeros(3, 3)}, 1) }, "expected size 2 but got size 3 for tensor number 1")
	wantPanic[*tensor.Error](t, func() { a.Max(tensor.Dim(0)); tensor.Zeros(0, 3).Max(tensor.Dim(0)) }, "non-zero size")
}

func TestNoAllocs(t *testing.T) {
	x, y := tensor.Rand(4, 8), tensor.Rand(4, 8)
	row := tensor.Rand(8)
	dst := tensor.Zeros(4, 8)
	xt := tensor.Rand(8, 4).T()
	x64 := tensor.Float64.Rand(nil, 3, 3)
	cases := map[string]func(){
		"AddInPlace":          func() { x.AddInPlace(y) },
		"AddInPlace/bcast":    func() { x.AddInPlace(row) },
		"AddInPlace/strided":  func() { x.AddInPlace(xt) },
		"MulInPlace":          func() { x.MulInPlace(y) },
		"AddInto":             func() { tensor.AddInto(dst, x, y) },
		"SubInto/strided":     func() { tensor.SubInto(dst, xt, row) },
		"ExpInto":             func() { tensor.ExpInto(dst, xt) },
		"MulScalarInPlace":    func() { x.MulScalarInPlace(0.5) },
		"ClampInPlace":        func() { x.ClampInPlace(-1, 1) },
		"AddScaledInPlace":    func() { x.AddScaledInPlace(0.1, y) },
		"Set":                 func() { x64.Set(1, 2, 2) },
		"At":                  func() { _ = x64.At(1, 2) },
		"Copy/transpose":      func() { dst.Copy(xt) },
		"Fill":                func() { dst.Fill(3) },
		"SigmoidInto/inplace": func() { tensor.SigmoidInto(dst, dst) },
	}
	for name, f := range cases {
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", name, n)
		}
	}
}

// randomView returns a random non-contiguous view of a fresh tensor with
// the given shape, and the same values as a contiguous tensor.
func randomView(r *rand.Rand, dtype tensor.DType, shape []int) (*tensor.Tensor, *tensor.Tensor) {
	n := len(shape)
	// Build a bigger base, permute it, then slice with steps.
	perm := r.Perm(n)
	inv := make([]int, n)
	for i, p := range perm {
		inv[p] = i
	}
	big := make([]int, n)
	steps := make([]int, n)
	for i, s := range shape {
		steps[i] = 1 + r.IntN(2)
		big[i] = s*steps[i] + r.IntN(2)
	}
	pshape := make([]int, n)
	for i := range n {
		pshape[i] = big[perm[i]]
	}
	base := dtype.Randn(tensor.NewGenerator(r.Uint64()), pshape...)
	v := base.Permute(inv...)
	for d := range n {
		v = v.Slice(d, 0, shape[d]*steps[d], steps[d])
	}
	return v, v.Clone()
}

func TestStridedMatchesContiguous(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 200 {
		nd := 1 + r.IntN(4)
		shape := make([]int, nd)
		for i := range shape {
			shape[i] = []int{1, 2, 3, 7, 8, 9, 17}[r.IntN(7)]
		}
		dt := tensor.Float32
		if iter%3 == 0 {
			dt = tensor.Float64
		}
		a, ac := randomView(r, dt, shape)
		// b broadcasts: drop leading dims and set some to 1.
		bs := slices.Clone(shape[r.IntN(nd):])
		for i := range bs {
			if r.IntN(3) == 0 {
				bs[i] = 1
			}
		}
		b, bc := randomView(r, dt, bs)
		check := func(name string, got, want *tensor.Tensor) {
			t.Helper()
			g, w := got.Float64s(), want.Float64s()
			if !slices.Equal(got.Shape(), want.Shape()) {
				t.Fatalf("%s on %v and %v: shape %v, want %v", name, a.Shape(), b.Shape(), got.Shape(), want.Shape())
			}
			for i := range g {
				x, y := g[i], w[i]
				if !(x == y || x != x && y != y || math.Abs(x-y) <= 1e-4+1e-5*math.Abs(y)) {
					t.Fatalf("%s on %v (strides %v) and %v (strides %v): element %d = %v, want %v", name, a.Shape(), a.Strides(), b.Shape(), b.Strides(), i, x, y)
				}
			}
		}
		check("Add", a.Add(b), ac.Add(bc))
		check("Div", b.Div(a), bc.Div(ac))
		check("Maximum", a.Maximum(b), ac.Maximum(bc))
		check("Exp", a.Exp(), ac.Exp())
		check("Sub scalar-broadcast", a.Sub(b.Sum(tensor.KeepDim)), ac.Sub(bc.Sum(tensor.KeepDim)))
		d := r.IntN(nd)
		check("Sum", a.Sum(tensor.Dim(d)), ac.Sum(tensor.Dim(d)))
		check("Mean keep", a.Mean(tensor.Dim(d), tensor.KeepDim), ac.Mean(tensor.Dim(d), tensor.KeepDim))
		check("Var", a.Var(tensor.Dim(d)), ac.Var(tensor.Dim(d)))
		check("Max", a.Max(tensor.Dim(d)), ac.Max(tensor.Dim(d)))
		check("Softmax", a.Softmax(d), ac.Softmax(d))
		if nd >= 2 {
			check("Sum2", a.Sum(tensor.Dims{0, nd - 1}), ac.Sum(tensor.Dims{0, nd - 1}))
			check("Transpose+Contiguous", a.Transpose(0, nd-1).Contiguous(), ac.Transpose(0, nd-1).Contiguous())
		}
		// In place on a strided destination.
		a2 := a.Clone()
		a.AddInPlace(b)
		check("AddInPlace", a, ac.Add(bc))
		_ = a2
	}
}

func TestSumAgainstLoop(t *testing.T) {
	x := tensor.Float64.Randn(tensor.NewGenerator(3), 4, 5, 6)
	s := x.Sum(tensor.Dims{0, 2})
	for j := range 5 {
		var want float64
		for i := range 4 {
			for k := range 6 {
				want += x.At(i, j, k)
			}
		}
		if got := s.At(j); math.Abs(got-want) > 1e-12 {
			t.Errorf("Sum(0,2)[%d] = %v, want %v", j, got, want)
		}
	}
}

func TestEmpty(t *testing.T) {
	e := tensor.Zeros(0, 3)
	for name, got := range map[string]*tensor.Tensor{
		"Add":       e.Add(tensor.Ones(3)),
		"Exp":       e.Exp(),
		"Sum0":      e.Sum(tensor.Dim(0)),
		"Sum1":      e.Sum(tensor.Dim(1)),
		"Softmax":   e.Softmax(1),
		"MatMul":    e.MatMul(tensor.Zeros(3, 2)),
		"MatMul k0": tensor.Zeros(2, 0).MatMul(tensor.Zeros(0, 4)),
		"T":         e.T().Contiguous(),
		"Cat":       tensor.Cat([]*tensor.Tensor{e, tensor.Ones(1, 3)}, 0),
	} {
		_ = got.String()
		switch name {
		case "Sum0":
			if !slices.Equal(got.Float32s(), []float32{0, 0, 0}) {
				t.Errorf("%s = %v", name, got)
			}
		case "MatMul k0":
			if !slices.Equal(got.Shape(), []int{2, 4}) || got.Abs().Sum().Item() != 0 {
				t.Errorf("%s = %v", name, got)
			}
		}
	}
	if got := tensor.Zeros(0).Mean().Item(); !math.IsNaN(got) {
		t.Errorf("mean of nothing = %v, want NaN", got)
	}
}

func TestGenerator(t *testing.T) {
	a := tensor.NewGenerator(7).Randn(5)
	b := tensor.NewGenerator(7).Randn(5)
	if !slices.Equal(a.Float32s(), b.Float32s()) {
		t.Error("same seed, different values")
	}
	tensor.Seed(11)
	c := tensor.Rand(4)
	tensor.Seed(11)
	if d := tensor.Rand(4); !slices.Equal(c.Float32s(), d.Float32s()) {
		t.Error("Seed does not reset the default generator")
	}
	p := tensor.NewGenerator(1).RandPerm(10).Float64s()
	slices.Sort(p)
	for i, v := range p {
		if v != float64(i) {
			t.Fatalf("RandPerm not a permutation: %v", p)
		}
	}
	for _, v := range tensor.NewGenerator(2).RandInt(-3, 4, 100).Float64s() {
		if v < -3 || v >= 4 || v != math.Trunc(v) {
			t.Fatalf("RandInt value %v", v)
		}
	}
	for _, v := range tensor.Float64.Rand(nil, 100).Float64s() {
		if v < 0 || v >= 1 {
			t.Fatalf("Rand value %v", v)
		}
	}
}

func TestQRProperties(t *testing.T) {
	for _, shape := range [][]int{{6, 4}, {4, 6}, {3, 5, 5}, {1, 3}} {
		a := tensor.Float64.Randn(tensor.NewGenerator(5), shape...)
		q, r := a.QR()
		if d := q.MatMul(r).Sub(a).Abs().Max().Item(); d > 1e-12 {
			t.Errorf("%v: |QR - A| = %g", shape, d)
		}
		k := min(shape[len(shape)-1], shape[len(shape)-2])
		qtq := q.Transpose(-1, -2).MatMul(q)
		if d := qtq.Sub(tensor.Float64.Eye(k, k)).Abs().Max().Item(); d > 1e-12 {
			t.Errorf("%v: |QᵀQ - I| = %g", shape, d)
		}
		n := len(shape)
		rr := r.Contiguous()
		for i := range r.Size(n - 2) {
			for j := range min(i, r.Size(n-1)) {
				idx := make([]int, n)
				idx[n-2], idx[n-1] = i, j
				if v := rr.At(idx...); v != 0 {
					t.Errorf("%v: R[%d,%d] = %v below the diagonal", shape, i, j, v)
				}
			}
		}
	}
}

func TestMatMulTransposedOperandsNoCopy(t *testing.T) {
	// Results must agree whichever layout reaches the GEMM.
	a := tensor.Float64.Randn(tensor.NewGenerator(9), 5, 7)
	b := tensor.Float64.Randn(tensor.NewGenerator(10), 7, 3)
	want := a.MatMul(b)
	for _, pair := range [][2]*tensor.Tensor{
		{a.T().Contiguous().T(), b},
		{a, b.T().Contiguous().T()},
		{a.T().Contiguous().T(), b.T().Contiguous().T()},
		{a.Unsqueeze(0).Expand(4, 5, 7).Select(0, 2), b},
	} {
		if d := pair[0].MatMul(pair[1]).Sub(want).Abs().Max().Item(); d > 1e-12 {
			t.Errorf("layout strides %v × %v: differs by %g", pair[0].Strides(), pair[1].Strides(), d)
		}
	}
	// Batched with broadcast batch dims against a loop of 2-D products.
	x := tensor.Float64.Randn(tensor.NewGenerator(11), 2, 1, 3, 4)
	y := tensor.Float64.Randn(tensor.NewGenerator(12), 5, 4, 2).Transpose(1, 2).Transpose(1, 2)
	z := x.MatMul(y)
	if !slices.Equal(z.Shape(), []int{2, 5, 3, 2}) {
		t.Fatalf("shape %v", z.Shape())
	}
	for i := range 2 {
		for j := range 5 {
			w := x.Select(0, i).Select(0, 0).MatMul(y.Select(0, j))
			if d := z.Select(0, i).Select(0, j).Sub(w).Abs().Max().Item(); d > 1e-12 {
				t.Errorf("batch %d,%d differs by %g", i, j, d)
			}
		}
	}
}

func TestStringFloat64AndWide(t *testing.T) {
	got := fmt.Sprint(tensor.FromRows([][]float64{{1, -2.5}}))
	if got != "tensor([[ 1.0000, -2.5000]], dtype=torch.float64)" {
		t.Errorf("String = %q", got)
	}
}
