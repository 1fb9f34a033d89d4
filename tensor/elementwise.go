package tensor

import (
	"math"

	"github.com/simdtorch/simdtorch/kernels"
)

// binOp names an elementwise operation of two tensors.
type binOp uint8

const (
	opAdd binOp = iota
	opSub
	opMul
	opDiv
	opMaximum
	opMinimum
	opGt
	opGe
	opLt
	opLe
	opEq
	opNe
)

var binNames = [...]string{"Add", "Sub", "Mul", "Div", "Maximum", "Minimum", "Gt", "Ge", "Lt", "Le", "Eq", "Ne"}

// binKernel computes d = op(a, b) on equal-length contiguous slices.
func binKernel[T kernels.Float](op binOp, d, a, b []T) {
	switch op {
	case opAdd:
		kernels.Add(d, a, b)
	case opSub:
		kernels.Sub(d, a, b)
	case opMul:
		kernels.Mul(d, a, b)
	case opDiv:
		kernels.Div(d, a, b)
	case opMaximum:
		b = b[:len(a)]
		d = d[:len(a)]
		for i, x := range a {
			y := b[i]
			if x != x || x > y || (x == y && y == 0 && !math.Signbit(float64(x))) {
				d[i] = x
			} else {
				d[i] = y
			}
		}
	case opMinimum:
		b = b[:len(a)]
		d = d[:len(a)]
		for i, x := range a {
			y := b[i]
			if x != x || x < y || (x == y && y == 0 && math.Signbit(float64(x))) {
				d[i] = x
			} else {
				d[i] = y
			}
		}
	default:
		b = b[:len(a)]
		d = d[:len(a)]
		for i, x := range a {
			d[i] = mask[T](compare(op, x, b[i]))
		}
	}
}

func compare[T kernels.Float](op binOp, x, y T) bool {
	switch op {
	case opGt:
		return x > y
	case opGe:
		return x >= y
	case opLt:
		return x < y
	case opLe:
		return x <= y
	case opEq:
		return x == y
	}
	return x != y
}

func mask[T kernels.Float](b bool) T {
	if b {
		return 1
	}
	return 0
}

// binary computes op(a, b) broadcast into dst (a new tensor when dst is
// nil) and returns dst.
func binary(op binOp, dst, a, b *Tensor) *Tensor {
	// Operands of one dtype and shape, all contiguous: straight to the
	// kernel, past the conversions and the broadcasting (the per-op cost
	// of small tensors; BenchmarkOverhead).
	if a.dtype == b.dtype && a.contig && b.contig && a.sameShape(b) &&
		(dst == nil || dst.dtype == a.dtype && dst.contig && dst.sameShape(a)) {
		if dst == nil {
			dst = empty(a.dtype, a.shape())
		}
		n := a.numel
		if a.dtype == Float32 {
			d, x, y := dst.f32(), a.f32(), b.f32()
			binKernel(op, d[dst.off:dst.off+n], x[a.off:a.off+n], y[b.off:b.off+n])
		} else {
			d, x, y := dst.f64(), a.f64(), b.f64()
			binKernel(op, d[dst.off:dst.off+n], x[a.off:a.off+n], y[b.off:b.off+n])
		}
		return dst
	}
	if dst != nil {
		a, b = a.To(dst.dtype), b.To(dst.dtype)
	} else if a.dtype != b.dtype {
		a, b = a.To(Float64), b.To(Float64)
	}
	var shbuf [8]int
	shape := a.shape()
	if !sameShape(a.shape(), b.shape()) {
		shape = broadcastShape(binNames[op], a.shape(), b.shape(), shbuf[:0])
	}
	if dst == nil {
		dst = empty(a.dtype, shape)
	} else {
		checkDst(binNames[op], dst, shape)
	}
	if a.dtype == Float32 {
		binaryT[float32](op, dst, a, b)
	} else {
		binaryT[float64](op, dst, a, b)
	}
	return dst
}

// checkDst panics unless dst can receive a result of the shape.
func checkDst(op string, dst *Tensor, shape []int) {
	if !sameShape(dst.shape(), shape) {
		panic(shapeErr(op, dst.shape(), shape, "output with shape "+fmtShape(dst.shape())+" doesn't match the broadcast shape "+fmtShape(shape)))
	}
	checkWritable(op, dst)
}

func binaryT[T kernels.Float](op binOp, dst, a, b *Tensor) {
	d, x, y := storage[T](dst), storage[T](a), storage[T](b)
	n := dst.numel
	if dst.contig && a.contig && b.contig && a.numel == n && b.numel == n {
		binKernel(op, d[dst.off:dst.off+n], x[a.off:a.off+n], y[b.off:b.off+n])
		return
	}
	name := binNames[op]
	var abuf, bbuf [8]int
	as, bs := a.strides(), b.strides()
	if !sameShape(a.shape(), dst.shape()) {
		as = broadcastStrides(name, a, dst.shape(), abuf[:0])
	}
	if !sameShape(b.shape(), dst.shape()) {
		bs = broadcastStrides(name, b, dst.shape(), bbuf[:0])
	}
	var it iter
	it.init(dst.shape(), 3, [maxOps]int{dst.off, a.off, b.off}, [maxOps][]int{dst.strides(), as, bs})
	var scr *[3][scratchLen]T
	it.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		if inc[0] == 1 && inc[1] == 1 && inc[2] == 1 {
			binKernel(op, d[off[0]:off[0]+n], x[off[1]:off[1]+n], y[off[2]:off[2]+n])
			return
		}
		if inc[0] == 1 && op <= opDiv {
			dd := d[off[0] : off[0]+n]
			switch {
			case inc[1] == 1 && inc[2] == 0:
				s := y[off[2]]
				xx := x[off[1] : off[1]+n]
				switch op {
				case opAdd:
					kernels.AddScalar(dd, xx, s)
				case opSub:
					kernels.SubScalar(dd, xx, s)
				case opMul:
					kernels.MulScalar(dd, xx, s)
				case opDiv:
					kernels.DivScalar(dd, xx, s)
				}
				return
			case inc[1] == 0 && inc[2] == 1 && (op == opAdd || op == opMul):
				s := x[off[1]]
				yy := y[off[2] : off[2]+n]
				if op == opAdd {
					kernels.AddScalar(dd, yy, s)
				} else {
					kernels.MulScalar(dd, yy, s)
				}
				return
			}
		}
		if scr == nil {
			scr = getScratch[T]()
		}
		for lo := 0; lo < n; lo += scratchLen {
			m := min(scratchLen, n-lo)
			xa := runOrGather(scr[1][:], x, off[1]+lo*inc[1], m, inc[1])
			yb := runOrGather(scr[2][:], y, off[2]+lo*inc[2], m, inc[2])
			if inc[0] == 1 {
				binKernel(op, d[off[0]+lo:off[0]+lo+m], xa, yb)
			} else {
				out := scr[0][:m]
				binKernel(op, out, xa, yb)
				scatter(d, out, off[0]+lo*inc[0], inc[0])
			}
		}
	})
	if scr != nil {
		putScratch(scr)
	}
}

// runOrGather returns the m elements of s from off with stride inc as a
// contiguous slice: s itself when inc is 1, else a copy in buf.
func runOrGather[T kernels.Float](buf, s []T, off, m, inc int) []T {
	if inc == 1 {
		return s[off : off+m]
	}
	return gather(buf, s, off, m, inc)
}

// unOp names an elementwise operation of one tensor (and scalars).
type unOp uint8

const (
	uNeg unOp = iota
	uAbs
	uSqrt
	uExp
	uLog
	uTanh
	uSigmoid
	uRelu
	uLeaky
	uGelu
	uPow
	uClamp
	uAddS
	uSubS
	uRSubS
	uMulS
	uDivS
	uRDivS
	uGtS
	uGeS
	uLtS
	uLeS
	uEqS
	uNeS
	uSquare
	uRecip
	uRsqrt
	uSign
)

var unNames = [...]string{"Neg", "Abs", "Sqrt", "Exp", "Log", "Tanh", "Sigmoid", "ReLU", "LeakyReLU", "GELU", "Pow", "Clamp",
	"AddScalar", "SubScalar", "RSubScalar", "MulScalar", "DivScalar", "RDivScalar",
	"GtScalar", "GeScalar", "LtScalar", "LeScalar", "EqScalar", "NeScalar", "Square", "Reciprocal", "Rsqrt", "Sign"}

// unParam is a unary op with its scalar arguments.
type unParam struct {
	op     unOp
	s      float64 // the scalar of the *Scalar ops, Pow's exponent, LeakyReLU's slope
	lo, hi float64 // Clamp's bounds; NaN bound = absent
}

// unKernel computes d = op(x) on equal-length contiguous slices.
func unKernel[T kernels.Float](p unParam, d, x []T) {
	d = d[:len(x)]
	s := T(p.s)
	switch p.op {
	case uNeg:
		kernels.MulScalar(d, x, -1)
	case uAbs:
		for i, v := range x {
			d[i] = T(math.Abs(float64(v)))
		}
	case uSqrt:
		for i, v := range x {
			d[i] = T(math.Sqrt(float64(v)))
		}
	case uExp:
		kernels.Exp(d, x)
	case uLog:
		kernels.Log(d, x)
	case uTanh:
		kernels.Tanh(d, x)
	case uSigmoid:
		kernels.Sigmoid(d, x)
	case uRelu:
		kernels.Relu(d, x)
	case uLeaky:
		kernels.LeakyRelu(d, x, s)
	case uGelu:
		for i, v := range x {
			f := float64(v)
			d[i] = T(0.5 * f * (1 + math.Erf(f*(1/math.Sqrt2))))
		}
	case uPow:
		powKernel(d, x, p.s)
	case uClamp:
		clampKernel(d, x, p.lo, p.hi)
	case uAddS:
		kernels.AddScalar(d, x, s)
	case uSubS:
		kernels.SubScalar(d, x, s)
	case uRSubS:
		kernels.SubScalar(d, x, s)
		kernels.MulScalar(d, d, -1)
	case uMulS:
		kernels.MulScalar(d, x, s)
	case uDivS:
		kernels.DivScalar(d, x, s)
	case uRDivS:
		for i, v := range x {
			d[i] = s / v
		}
	case uGtS, uGeS, uLtS, uLeS, uEqS, uNeS:
		op := opGt + binOp(p.op-uGtS)
		for i, v := range x {
			d[i] = mask[T](compare(op, v, s))
		}
	case uSquare:
		kernels.Mul(d, x, x)
	case uRecip:
		for i, v := range x {
			d[i] = 1 / v
		}
	case uRsqrt:
		for i, v := range x {
			d[i] = T(1 / math.Sqrt(float64(v)))
		}
	case uSign:
		for i, v := range x {
			switch {
			case v > 0:
				d[i] = 1
			case v < 0:
				d[i] = -1
			default:
				d[i] = 0 // 0 and NaN give 0, as torch.sign
			}
		}
	}
}

func powKernel[T kernels.Float](d, x []T, e float64) {
	switch e {
	case 1:
		copy(d, x)
	case 2:
		kernels.Mul(d, x, x)
	case 3:
		for i, v := range x {
			d[i] = v * v * v
		}
	case 0.5:
		for i, v := range x {
			d[i] = T(math.Sqrt(float64(v)))
		}
	case -0.5:
		for i, v := range x {
			d[i] = T(1 / math.Sqrt(float64(v)))
		}
	case -1:
		for i, v := range x {
			d[i] = 1 / v
		}
	case -2:
		for i, v := range x {
			d[i] = 1 / (v * v)
		}
	default:
		for i, v := range x {
			d[i] = T(math.Pow(float64(v), e))
		}
	}
}

// clampKernel follows torch.clamp: min(max(x, lo), hi), NaN stays NaN, a
// NaN bound is absent here (the API maps absent bounds to NaN).
func clampKernel[T kernels.Float](d, x []T, lo, hi float64) {
	hasLo, hasHi := !math.IsNaN(lo), !math.IsNaN(hi)
	l, h := T(lo), T(hi)
	for i, v := range x {
		if hasLo && v < l {
			v = l
		}
		if hasHi && v > h {
			v = h
		}
		d[i] = v
	}
}

// unary computes op(x) into dst (a new tensor when dst is nil; x is
// broadcast to dst's shape) and returns dst.
func unary(p unParam, dst, x *Tensor) *Tensor {
	if dst == nil {
		dst = emptyLike(x)
	} else {
		x = x.To(dst.dtype)
		checkWritable(unNames[p.op], dst)
	}
	if x.dtype == Float32 {
		unaryT[float32](p, dst, x)
	} else {
		unaryT[float64](p, dst, x)
	}
	return dst
}

func unaryT[T kernels.Float](p unParam, dst, x *Tensor) {
	d, xs := storage[T](dst), storage[T](x)
	n := dst.numel
	if dst.contig && x.contig && x.numel == n {
		unKernel(p, d[dst.off:dst.off+n], xs[x.off:x.off+n])
		return
	}
	var sbuf [8]int
	st := x.strides()
	if !sameShape(x.shape(), dst.shape()) {
		st = broadcastStrides(unNames[p.op], x, dst.shape(), sbuf[:0])
	}
	var it iter
	it.init(dst.shape(), 2, [maxOps]int{dst.off, x.off}, [maxOps][]int{dst.strides(), st})
	var scr *[3][scratchLen]T
	it.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		if inc[0] == 1 && inc[1] == 1 {
			unKernel(p, d[off[0]:off[0]+n], xs[off[1]:off[1]+n])
			return
		}
		if scr == nil {
			scr = getScratch[T]()
		}
		for lo := 0; lo < n; lo += scratchLen {
			m := min(scratchLen, n-lo)
			xa := runOrGather(scr[1][:], xs, off[1]+lo*inc[1], m, inc[1])
			if inc[0] == 1 {
				unKernel(p, d[off[0]+lo:off[0]+lo+m], xa)
			} else {
				out := scr[0][:m]
				unKernel(p, out, xa)
				scatter(d, out, off[0]+lo*inc[0], inc[0])
			}
		}
	})
	if scr != nil {
		putScratch(scr)
	}
}

// Where returns a tensor that holds x where cond is nonzero and y
// elsewhere (torch.where), the three broadcast together. A NaN in cond
// counts as nonzero (true), as in PyTorch's bool conversion.
func Where(cond, x, y *Tensor) *Tensor {
	if x.dtype != y.dtype {
		x, y = x.To(Float64), y.To(Float64)
	}
	shape := broadcastShape("Where", x.shape(), y.shape(), nil)
	shape = broadcastShape("Where", cond.shape(), shape, nil)
	dst := empty(x.dtype, shape)
	if x.dtype == Float32 {
		whereT[float32](dst, cond, x, y)
	} else {
		whereT[float64](dst, cond, x, y)
	}
	return dst
}

func whereT[T kernels.Float](dst, cond, x, y *Tensor) {
	c := cond.To(dst.dtype)
	d, cs, xs, ys := storage[T](dst), storage[T](c), storage[T](x), storage[T](y)
	var it iter
	it.init(dst.shape(), 4, [maxOps]int{dst.off, c.off, x.off, y.off}, [maxOps][]int{dst.strides(),
		broadcastStrides("Where", c, dst.shape(), nil), broadcastStrides("Where", x, dst.shape(), nil), broadcastStrides("Where", y, dst.shape(), nil)})
	it.runs(func(off [maxOps]int, n int, inc [maxOps]int) {
		p, q, r, s := off[0], off[1], off[2], off[3]
		for range n {
			if cs[q] != 0 {
				d[p] = xs[r]
			} else {
				d[p] = ys[s]
			}
			p += inc[0]
			q += inc[1]
			r += inc[2]
			s += inc[3]
		}
	})
}

// The methods below come in three forms: t.Op(...) returns a new tensor,
// t.OpInPlace(...) writes into t and returns it, and OpInto(dst, ...)
// writes into dst and returns it. The last two allocate nothing.

// Add returns t + o, broadcast.
func (t *Tensor) Add(o *Tensor) *Tensor { return binary(opAdd, nil, t, o) }

// Sub returns t - o, broadcast.
func (t *Tensor) Sub(o *Tensor) *Tensor { return binary(opSub, nil, t, o) }

// Mul returns t * o elementwise, broadcast.
func (t *Tensor) Mul(o *Tensor) *Tensor { return binary(opMul, nil, t, o) }

// Div returns t / o elementwise (true division), broadcast.
func (t *Tensor) Div(o *Tensor) *Tensor { return binary(opDiv, nil, t, o) }

// Maximum returns the elementwise maximum of t and o, broadcast; NaN
// propagates (torch.maximum).
func (t *Tensor) Maximum(o *Tensor) *Tensor { return binary(opMaximum, nil, t, o) }

// Minimum returns the elementwise minimum of t and o, broadcast; NaN
// propagates (torch.minimum).
func (t *Tensor) Minimum(o *Tensor) *Tensor { return binary(opMinimum, nil, t, o) }

// Gt returns a mask of t's dtype: 1 where t > o, 0 elsewhere (broadcast).
func (t *Tensor) Gt(o *Tensor) *Tensor { return binary(opGt, nil, t, o) }

// Ge returns a 0/1 mask of t >= o.
func (t *Tensor) Ge(o *Tensor) *Tensor { return binary(opGe, nil, t, o) }

// Lt returns a 0/1 mask of t < o.
func (t *Tensor) Lt(o *Tensor) *Tensor { return binary(opLt, nil, t, o) }

// Le returns a 0/1 mask of t <= o.
func (t *Tensor) Le(o *Tensor) *Tensor { return binary(opLe, nil, t, o) }

// Eq returns a 0/1 mask of t == o.
func (t *Tensor) Eq(o *Tensor) *Tensor { return binary(opEq, nil, t, o) }

// Ne returns a 0/1 mask of t != o.
func (t *Tensor) Ne(o *Tensor) *Tensor { return binary(opNe, nil, t, o) }

// AddInPlace sets t = t + o (o broadcast to t's shape) and returns t.
func (t *Tensor) AddInPlace(o *Tensor) *Tensor { return binary(opAdd, t, t, o) }

// SubInPlace sets t = t - o and returns t.
func (t *Tensor) SubInPlace(o *Tensor) *Tensor { return binary(opSub, t, t, o) }

// MulInPlace sets t = t * o and returns t.
func (t *Tensor) MulInPlace(o *Tensor) *Tensor { return binary(opMul, t, t, o) }

// DivInPlace sets t = t / o and returns t.
func (t *Tensor) DivInPlace(o *Tensor) *Tensor { return binary(opDiv, t, t, o) }

// MaximumInPlace sets t = maximum(t, o) and returns t.
func (t *Tensor) MaximumInPlace(o *Tensor) *Tensor { return binary(opMaximum, t, t, o) }

// MinimumInPlace sets t = minimum(t, o) and returns t.
func (t *Tensor) MinimumInPlace(o *Tensor) *Tensor { return binary(opMinimum, t, t, o) }

// AddInto sets dst = a + b (broadcast; dst must have the broadcast shape
// and dtype and may be a or b) and returns dst.
func AddInto(dst, a, b *Tensor) *Tensor { return binary(opAdd, dst, a, b) }

// SubInto sets dst = a - b and returns dst.
func SubInto(dst, a, b *Tensor) *Tensor { return binary(opSub, dst, a, b) }

// MulInto sets dst = a * b and returns dst.
func MulInto(dst, a, b *Tensor) *Tensor { return binary(opMul, dst, a, b) }

// DivInto sets dst = a / b and returns dst.
func DivInto(dst, a, b *Tensor) *Tensor { return binary(opDiv, dst, a, b) }

// MaximumInto sets dst = maximum(a, b) and returns dst.
func MaximumInto(dst, a, b *Tensor) *Tensor { return binary(opMaximum, dst, a, b) }

// MinimumInto sets dst = minimum(a, b) and returns dst.
func MinimumInto(dst, a, b *Tensor) *Tensor { return binary(opMinimum, dst, a, b) }

// GtInto sets dst to the 0/1 mask of a > b and returns dst.
func GtInto(dst, a, b *Tensor) *Tensor { return binary(opGt, dst, a, b) }

// GeInto sets dst to the 0/1 mask of a >= b and returns dst.
func GeInto(dst, a, b *Tensor) *Tensor { return binary(opGe, dst, a, b) }

// LtInto sets dst to the 0/1 mask of a < b and returns dst.
func LtInto(dst, a, b *Tensor) *Tensor { return binary(opLt, dst, a, b) }

// LeInto sets dst to the 0/1 mask of a <= b and returns dst.
func LeInto(dst, a, b *Tensor) *Tensor { return binary(opLe, dst, a, b) }

// EqInto sets dst to the 0/1 mask of a == b and returns dst.
func EqInto(dst, a, b *Tensor) *Tensor { return binary(opEq, dst, a, b) }

// NeInto sets dst to the 0/1 mask of a != b and returns dst.
func NeInto(dst, a, b *Tensor) *Tensor { return binary(opNe, dst, a, b) }

// AddScaledInPlace sets t = t + alpha*o (o broadcast to t's shape; BLAS
// axpy when both are contiguous and of one shape) and returns t. It is
// torch's t.add_(o, alpha=alpha).
func (t *Tensor) AddScaledInPlace(alpha float64, o *Tensor) *Tensor {
	checkWritable("AddScaledInPlace", t)
	if t.dtype == o.dtype && t.contig && o.contig && sameShape(t.shape(), o.shape()) {
		if t.dtype == Float32 {
			kernels.Axpy(float32(alpha), Data[float32](o), Data[float32](t))
		} else {
			kernels.Axpy(alpha, Data[float64](o), Data[float64](t))
		}
		return t
	}
	return t.AddInPlace(o.MulScalar(alpha))
}

func up(op unOp) unParam { return unParam{op: op} }

func ups(op unOp, s float64) unParam { return unParam{op: op, s: s} }

// AddScalar returns t + s.
func (t *Tensor) AddScalar(s float64) *Tensor { return unary(ups(uAddS, s), nil, t) }

// SubScalar returns t - s.
func (t *Tensor) SubScalar(s float64) *Tensor { return unary(ups(uSubS, s), nil, t) }

// RSubScalar returns s - t (torch.rsub).
func (t *Tensor) RSubScalar(s float64) *Tensor { return unary(ups(uRSubS, s), nil, t) }

// MulScalar returns t * s.
func (t *Tensor) MulScalar(s float64) *Tensor { return unary(ups(uMulS, s), nil, t) }

// DivScalar returns t / s (a true division, not a multiplication by 1/s).
func (t *Tensor) DivScalar(s float64) *Tensor { return unary(ups(uDivS, s), nil, t) }

// RDivScalar returns s / t.
func (t *Tensor) RDivScalar(s float64) *Tensor { return unary(ups(uRDivS, s), nil, t) }

// GtScalar returns the 0/1 mask of t > s.
func (t *Tensor) GtScalar(s float64) *Tensor { return unary(ups(uGtS, s), nil, t) }

// GeScalar returns the 0/1 mask of t >= s.
func (t *Tensor) GeScalar(s float64) *Tensor { return unary(ups(uGeS, s), nil, t) }

// LtScalar returns the 0/1 mask of t < s.
func (t *Tensor) LtScalar(s float64) *Tensor { return unary(ups(uLtS, s), nil, t) }

// LeScalar returns the 0/1 mask of t <= s.
func (t *Tensor) LeScalar(s float64) *Tensor { return unary(ups(uLeS, s), nil, t) }

// EqScalar returns the 0/1 mask of t == s.
func (t *Tensor) EqScalar(s float64) *Tensor { return unary(ups(uEqS, s), nil, t) }

// NeScalar returns the 0/1 mask of t != s.
func (t *Tensor) NeScalar(s float64) *Tensor { return unary(ups(uNeS, s), nil, t) }

// AddScalarInPlace sets t = t + s and returns t.
func (t *Tensor) AddScalarInPlace(s float64) *Tensor { return unary(ups(uAddS, s), t, t) }

// SubScalarInPlace sets t = t - s and returns t.
func (t *Tensor) SubScalarInPlace(s float64) *Tensor { return unary(ups(uSubS, s), t, t) }

// MulScalarInPlace sets t = t * s and returns t.
func (t *Tensor) MulScalarInPlace(s float64) *Tensor { return unary(ups(uMulS, s), t, t) }

// DivScalarInPlace sets t = t / s and returns t.
func (t *Tensor) DivScalarInPlace(s float64) *Tensor { return unary(ups(uDivS, s), t, t) }

// Neg returns -t.
func (t *Tensor) Neg() *Tensor { return unary(up(uNeg), nil, t) }

// Abs returns |t|.
func (t *Tensor) Abs() *Tensor { return unary(up(uAbs), nil, t) }

// Sqrt returns the square root of t (NaN below 0).
func (t *Tensor) Sqrt() *Tensor { return unary(up(uSqrt), nil, t) }

// Rsqrt returns 1/sqrt(t).
func (t *Tensor) Rsqrt() *Tensor { return unary(up(uRsqrt), nil, t) }

// Square returns t*t.
func (t *Tensor) Square() *Tensor { return unary(up(uSquare), nil, t) }

// Reciprocal returns 1/t.
func (t *Tensor) Reciprocal() *Tensor { return unary(up(uRecip), nil, t) }

// Sign returns -1, 0 or 1 by the sign of t; NaN gives 0, as torch.sign.
func (t *Tensor) Sign() *Tensor { return unary(up(uSign), nil, t) }

// Exp returns e**t.
func (t *Tensor) Exp() *Tensor { return unary(up(uExp), nil, t) }

// Log returns the natural logarithm of t.
func (t *Tensor) Log() *Tensor { return unary(up(uLog), nil, t) }

// Tanh returns tanh(t).
func (t *Tensor) Tanh() *Tensor { return unary(up(uTanh), nil, t) }

// Sigmoid returns 1/(1+e**-t).
func (t *Tensor) Sigmoid() *Tensor { return unary(up(uSigmoid), nil, t) }

// ReLU returns max(t, 0) (NaN and -0 pass through, as torch.relu).
func (t *Tensor) ReLU() *Tensor { return unary(up(uRelu), nil, t) }

// LeakyReLU returns t where t > 0 and slope*t elsewhere (PyTorch's default
// slope is 0.01).
func (t *Tensor) LeakyReLU(slope float64) *Tensor { return unary(ups(uLeaky, slope), nil, t) }

// GELU returns x·Φ(x) = x/2·(1 + erf(x/√2)), the exact form that is
// torch.nn.functional.gelu's default.
func (t *Tensor) GELU() *Tensor { return unary(up(uGelu), nil, t) }

// Pow returns t**e. Exponents 2, 3, 0.5, -0.5, -1 and -2 use
// multiplications and square roots, as PyTorch does.
func (t *Tensor) Pow(e float64) *Tensor { return unary(ups(uPow, e), nil, t) }

// Clamp returns t limited to [lo, hi] (torch.clamp); NaN stays NaN.
func (t *Tensor) Clamp(lo, hi float64) *Tensor {
	return unary(unParam{op: uClamp, lo: lo, hi: hi}, nil, t)
}

// ClampMin returns max(t, lo) (torch.clamp_min); NaN stays NaN.
func (t *Tensor) ClampMin(lo float64) *Tensor {
	return unary(unParam{op: uClamp, lo: lo, hi: math.NaN()}, nil, t)
}

// ClampMax returns min(t, hi) (torch.clamp_max); NaN stays NaN.
func (t *Tensor) ClampMax(hi float64) *Tensor {
	return unary(unParam{op: uClamp, lo: math.NaN(), hi: hi}, nil, t)
}

// NegInPlace sets t = -t and returns t.
func (t *Tensor) NegInPlace() *Tensor { return unary(up(uNeg), t, t) }

// AbsInPlace sets t = |t| and returns t.
func (t *Tensor) AbsInPlace() *Tensor { return unary(up(uAbs), t, t) }

// SqrtInPlace sets t = sqrt(t) and returns t.
func (t *Tensor) SqrtInPlace() *Tensor { return unary(up(uSqrt), t, t) }

// ExpInPlace sets t = e**t and returns t.
func (t *Tensor) ExpInPlace() *Tensor { return unary(up(uExp), t, t) }

// LogInPlace sets t = log(t) and returns t.
func (t *Tensor) LogInPlace() *Tensor { return unary(up(uLog), t, t) }

// TanhInPlace sets t = tanh(t) and returns t.
func (t *Tensor) TanhInPlace() *Tensor { return unary(up(uTanh), t, t) }

// SigmoidInPlace sets t = sigmoid(t) and returns t.
func (t *Tensor) SigmoidInPlace() *Tensor { return unary(up(uSigmoid), t, t) }

// ReLUInPlace sets t = relu(t) and returns t.
func (t *Tensor) ReLUInPlace() *Tensor { return unary(up(uRelu), t, t) }

// PowInPlace sets t = t**e and returns t.
func (t *Tensor) PowInPlace(e float64) *Tensor { return unary(ups(uPow, e), t, t) }

// ClampInPlace limits t to [lo, hi] and returns t.
func (t *Tensor) ClampInPlace(lo, hi float64) *Tensor {
	return unary(unParam{op: uClamp, lo: lo, hi: hi}, t, t)
}

// NegInto sets dst = -x (x broadcast to dst's shape) and returns dst.
func NegInto(dst, x *Tensor) *Tensor { return unary(up(uNeg), dst, x) }

// AbsInto sets dst = |x| and returns dst.
func AbsInto(dst, x *Tensor) *Tensor { return unary(up(uAbs), dst, x) }

// SqrtInto sets dst = sqrt(x) and returns dst.
func SqrtInto(dst, x *Tensor) *Tensor { return unary(up(uSqrt), dst, x) }

// ExpInto sets dst = e**x and returns dst.
func ExpInto(dst, x *Tensor) *Tensor { return unary(up(uExp), dst, x) }

// LogInto sets dst = log(x) and returns dst.
func LogInto(dst, x *Tensor) *Tensor { return unary(up(uLog), dst, x) }

// TanhInto sets dst = tanh(x) and returns dst.
func TanhInto(dst, x *Tensor) *Tensor { return unary(up(uTanh), dst, x) }

// SigmoidInto sets dst = sigmoid(x) and returns dst.
func SigmoidInto(dst, x *Tensor) *Tensor { return unary(up(uSigmoid), dst, x) }

// ReLUInto sets dst = relu(x) and returns dst.
func ReLUInto(dst, x *Tensor) *Tensor { return unary(up(uRelu), dst, x) }

// GELUInto sets dst = gelu(x) and returns dst.
func GELUInto(dst, x *Tensor) *Tensor { return unary(up(uGelu), dst, x) }

// LeakyReLUInto sets dst = leaky_relu(x, slope) and returns dst.
func LeakyReLUInto(dst, x *Tensor, slope float64) *Tensor { return unary(ups(uLeaky, slope), dst, x) }

// PowInto sets dst = x**e and returns dst.
func PowInto(dst, x *Tensor, e float64) *Tensor { return unary(ups(uPow, e), dst, x) }

// AddScalarInto sets dst = x + s and returns dst.
func AddScalarInto(dst, x *Tensor, s float64) *Tensor { return unary(ups(uAddS, s), dst, x) }

// MulScalarInto sets dst = x * s and returns dst.
func MulScalarInto(dst, x *Tensor, s float64) *Tensor { return unary(ups(uMulS, s), dst, x) }

// ClampInto sets dst = clamp(x, lo, hi) and returns dst.
func ClampInto(dst, x *Tensor, lo, hi float64) *Tensor {
	return unary(unParam{op: uClamp, lo: lo, hi: hi}, dst, x)
}
