package tensor

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/simdtorch/simdtorch/kernels"
)

// New returns a contiguous tensor of the given shape that uses data as its
// storage, without copying (like gonum's mat.NewDense): writes to data are
// seen by the tensor and the other way round. The dtype follows the slice:
// []float32 gives Float32, []float64 gives Float64. With no shape the
// tensor is 1-D of len(data). It panics if the shape does not hold
// len(data) elements.
func New[T kernels.Float](data []T, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	t := &Tensor{}
	t.setContiguousLayout(shape)
	if t.numel != len(data) || negative(shape) {
		panic(&Error{Op: "New", Msg: "shape " + fmtShape(shape) + " is invalid for input of size " + itoa(len(data))})
	}
	setStorage(t, data)
	return t
}

// Scalar returns a 0-dimensional tensor holding v.
func Scalar[T kernels.Float](v T) *Tensor {
	t := &Tensor{}
	t.setContiguousLayout(nil)
	setStorage(t, []T{v})
	return t
}

// FromRows returns a new 2-D tensor (a copy) with the given rows, which
// must all have the same length.
func FromRows[T kernels.Float](rows [][]T) *Tensor {
	cols := 0
	if len(rows) > 0 {
		cols = len(rows[0])
	}
	data := make([]T, 0, len(rows)*cols)
	for i, r := range rows {
		if len(r) != cols {
			panic(&Error{Op: "FromRows", Msg: "expected sequence of length " + itoa(cols) + " at dim 1 (got " + itoa(len(r)) + " in row " + itoa(i) + ")"})
		}
		data = append(data, r...)
	}
	return New(data, len(rows), cols)
}

// From3D returns a new 3-D tensor (a copy) from nested slices of equal
// lengths.
func From3D[T kernels.Float](v [][][]T) *Tensor {
	d1, d2 := 0, 0
	if len(v) > 0 {
		d1 = len(v[0])
		if d1 > 0 {
			d2 = len(v[0][0])
		}
	}
	data := make([]T, 0, len(v)*d1*d2)
	for _, m := range v {
		if len(m) != d1 {
			panic(&Error{Op: "From3D", Msg: "expected sequence of length " + itoa(d1) + " at dim 1 (got " + itoa(len(m)) + ")"})
		}
		for _, r := range m {
			if len(r) != d2 {
				panic(&Error{Op: "From3D", Msg: "expected sequence of length " + itoa(d2) + " at dim 2 (got " + itoa(len(r)) + ")"})
			}
			data = append(data, r...)
		}
	}
	return New(data, len(v), d1, d2)
}

func negative(shape []int) bool {
	for _, s := range shape {
		if s < 0 {
			return true
		}
	}
	return false
}

func checkShape(op string, shape []int) {
	if negative(shape) {
		panic(&Error{Op: op, Msg: "negative dimension in shape " + fmtShape(shape)})
	}
}

// Empty returns a Float32 tensor of the shape. Unlike torch.empty its
// elements are zero (Go memory is always initialised).
func Empty(shape ...int) *Tensor { return Float32.Empty(shape...) }

// Zeros returns a Float32 tensor of zeros.
func Zeros(shape ...int) *Tensor { return Float32.Zeros(shape...) }

// Ones returns a Float32 tensor of ones.
func Ones(shape ...int) *Tensor { return Float32.Ones(shape...) }

// Full returns a Float32 tensor with every element v.
func Full(v float64, shape ...int) *Tensor { return Float32.Full(v, shape...) }

// Eye returns the Float32 n×m matrix with ones on the diagonal.
func Eye(n, m int) *Tensor { return Float32.Eye(n, m) }

// Arange returns the Float32 1-D tensor start, start+step, ... up to but
// excluding end (torch.arange).
func Arange(start, end, step float64) *Tensor { return Float32.Arange(start, end, step) }

// Linspace returns steps Float32 values evenly spaced from start to end
// inclusive (torch.linspace).
func Linspace(start, end float64, steps int) *Tensor { return Float32.Linspace(start, end, steps) }

// ZerosLike returns zeros with t's shape and dtype.
func ZerosLike(t *Tensor) *Tensor { return emptyLike(t) }

// OnesLike returns ones with t's shape and dtype.
func OnesLike(t *Tensor) *Tensor { return t.dtype.Full(1, t.shape()...) }

// Empty returns a tensor of the dtype and shape, with zero elements.
func (d DType) Empty(shape ...int) *Tensor {
	d.check("Empty")
	checkShape("Empty", shape)
	return empty(d, shape)
}

// Zeros returns a tensor of zeros of the dtype.
func (d DType) Zeros(shape ...int) *Tensor {
	d.check("Zeros")
	checkShape("Zeros", shape)
	return empty(d, shape)
}

// Ones returns a tensor of ones of the dtype.
func (d DType) Ones(shape ...int) *Tensor { return d.Full(1, shape...) }

// Full returns a tensor of the dtype with every element v.
func (d DType) Full(v float64, shape ...int) *Tensor {
	d.check("Full")
	checkShape("Full", shape)
	t := empty(d, shape)
	if d == Float64 {
		kernels.Fill(t.f64(), v)
	} else {
		kernels.Fill(t.f32(), float32(v))
	}
	return t
}

// Eye returns the n×m matrix of the dtype with ones on the diagonal.
func (d DType) Eye(n, m int) *Tensor {
	t := d.Zeros(n, m)
	for i := range min(n, m) {
		t.Set(1, i, i)
	}
	return t
}

// Arange returns the 1-D tensor of the dtype holding start + i*step for
// i = 0, 1, ... while below end (above it for a negative step), the
// values computed in float64 and rounded, as torch.arange.
func (d DType) Arange(start, end, step float64) *Tensor {
	if step == 0 || math.IsNaN(step) || math.IsInf(start, 0) || math.IsInf(end, 0) || math.IsNaN(start) || math.IsNaN(end) {
		panic(&Error{Op: "Arange", Msg: "step must be nonzero and the bounds finite"})
	}
	if (end-start)/step < 0 {
		panic(&Error{Op: "Arange", Msg: "upper bound and larger bound inconsistent with step sign"})
	}
	n := int(math.Ceil((end - start) / step))
	t := d.Zeros(n)
	for i := range n {
		v := start + float64(i)*step
		if d == Float64 {
			t.f64()[i] = v
		} else {
			t.f32()[i] = float32(v)
		}
	}
	return t
}

// Linspace returns steps values of the dtype evenly spaced from start to
// end inclusive, computed as torch.linspace does (from both ends towards
// the middle, in the dtype's precision).
func (d DType) Linspace(start, end float64, steps int) *Tensor {
	if steps < 0 {
		panic(&Error{Op: "Linspace", Msg: "number of steps must be non-negative, got " + itoa(steps)})
	}
	t := d.Zeros(steps)
	if d == Float64 {
		linspace(t.f64(), start, end)
	} else {
		linspace(t.f32(), float32(start), float32(end))
	}
	return t
}

func linspace[T kernels.Float](out []T, start, end T) {
	n := len(out)
	if n == 1 {
		out[0] = start
		return
	}
	step := (end - start) / T(n-1)
	half := n / 2
	for i := range out {
		if i < half {
			out[i] = start + step*T(i)
		} else {
			out[i] = end - step*T(n-i-1)
		}
	}
}

// Generator is a source of random numbers for the random creation
// functions (torch.Generator). It is safe for concurrent use. Two
// generators with the same seed produce the same tensors.
type Generator struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// DefaultSeed is the seed of the package's default generator at start-up,
// PyTorch's default_generator initial seed.
const DefaultSeed = 67280421310721

var defaultGen = NewGenerator(DefaultSeed)

// NewGenerator returns a generator seeded with seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Seed resets the generator to the state NewGenerator(seed) has.
func (g *Generator) Seed(seed uint64) {
	g.mu.Lock()
	g.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g.mu.Unlock()
}

// Seed resets the package's default generator, the one the package-level
// Rand, Randn, RandInt and RandPerm (and the DType methods given a nil
// generator) use (torch.manual_seed).
func Seed(seed uint64) { defaultGen.Seed(seed) }

// DefaultGenerator returns the package's default generator.
func DefaultGenerator() *Generator { return defaultGen }

func genOr(g *Generator) *Generator {
	if g == nil {
		return defaultGen
	}
	return g
}

// Rand returns a Float32 tensor of values uniform on [0, 1) from the
// default generator.
func Rand(shape ...int) *Tensor { return Float32.Rand(nil, shape...) }

// Randn returns a Float32 tensor of standard normal values from the
// default generator.
func Randn(shape ...int) *Tensor { return Float32.Randn(nil, shape...) }

// RandInt returns a Float32 tensor of whole numbers uniform on [low, high)
// from the default generator.
func RandInt(low, high int, shape ...int) *Tensor { return Float32.RandInt(nil, low, high, shape...) }

// RandPerm returns a random permutation of 0..n-1 from the default
// generator, as a Float64 tensor (the dtype of index tensors).
func RandPerm(n int) *Tensor { return Float64.RandPerm(nil, n) }

// Rand returns a Float32 tensor of values uniform on [0, 1).
func (g *Generator) Rand(shape ...int) *Tensor { return Float32.Rand(g, shape...) }

// Randn returns a Float32 tensor of standard normal values.
func (g *Generator) Randn(shape ...int) *Tensor { return Float32.Randn(g, shape...) }

// RandInt returns a Float32 tensor of whole numbers uniform on [low, high).
func (g *Generator) RandInt(low, high int, shape ...int) *Tensor {
	return Float32.RandInt(g, low, high, shape...)
}

// RandPerm returns a random permutation of 0..n-1 as a Float64 tensor.
func (g *Generator) RandPerm(n int) *Tensor { return Float64.RandPerm(g, n) }

// Perm returns a random permutation of 0..n-1 as a Go slice: the one
// RandPerm(n) would give from g's current state, as ints
// (torch.randperm(n, generator=g).tolist()). A nil g is the package
// default generator.
func (g *Generator) Perm(n int) []int {
	if n < 0 {
		panic(&Error{Op: "Perm", Msg: "n must be non-negative, got " + itoa(n)})
	}
	g = genOr(g)
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rng.Perm(n)
}

// Rand returns a tensor of the dtype with values uniform on [0, 1), drawn
// from g (the default generator if g is nil).
func (d DType) Rand(g *Generator, shape ...int) *Tensor {
	t := d.Zeros(shape...)
	g = genOr(g)
	g.mu.Lock()
	defer g.mu.Unlock()
	if d == Float64 {
		for i := range t.f64() {
			t.f64()[i] = g.rng.Float64()
		}
	} else {
		for i := range t.f32() {
			t.f32()[i] = g.rng.Float32()
		}
	}
	return t
}

// Randn returns a tensor of the dtype with standard normal values drawn
// from g (the default generator if g is nil).
func (d DType) Randn(g *Generator, shape ...int) *Tensor {
	t := d.Zeros(shape...)
	g = genOr(g)
	g.mu.Lock()
	defer g.mu.Unlock()
	if d == Float64 {
		for i := range t.f64() {
			t.f64()[i] = g.rng.NormFloat64()
		}
	} else {
		for i := range t.f32() {
			t.f32()[i] = float32(g.rng.NormFloat64())
		}
	}
	return t
}

// RandInt returns a tensor of the dtype with whole numbers uniform on
// [low, high), drawn from g (the default generator if g is nil).
func (d DType) RandInt(g *Generator, low, high int, shape ...int) *Tensor {
	if high <= low {
		panic(&Error{Op: "RandInt", Msg: "random_ expects 'from' to be less than 'to', but got from=" + itoa(low) + " >= to=" + itoa(high)})
	}
	t := d.Zeros(shape...)
	g = genOr(g)
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := range t.numel {
		v := float64(low + g.rng.IntN(high-low))
		if d == Float64 {
			t.f64()[i] = v
		} else {
			t.f32()[i] = float32(v)
		}
	}
	return t
}

// RandPerm returns a random permutation of 0..n-1 of the dtype, drawn from
// g (the default generator if g is nil).
func (d DType) RandPerm(g *Generator, n int) *Tensor {
	if n < 0 {
		panic(&Error{Op: "RandPerm", Msg: "n must be non-negative, got " + itoa(n)})
	}
	t := d.Zeros(n)
	g = genOr(g)
	g.mu.Lock()
	p := g.rng.Perm(n)
	g.mu.Unlock()
	for i, v := range p {
		if d == Float64 {
			t.f64()[i] = float64(v)
		} else {
			t.f32()[i] = float32(v)
		}
	}
	return t
}
