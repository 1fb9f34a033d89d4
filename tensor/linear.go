package tensor

import "github.com/simdtorch/simdtorch/kernels"

// Linear returns x·wᵀ + b (torch.nn.functional.linear): x is [..., in], w
// is [out, in] and b, when not nil, [out]; the result is [..., out] (a 1-D
// x gives a 1-D result). Mixed dtypes compute in Float64. The weight is
// passed to the GEMM as a transpose, the bias added in its epilogue, and a
// contiguous x of any rank is one matrix of rows: no views or copies are
// made (other layouts go through AddMM).
//
// It panics with a *ShapeError naming both shapes when in does not match
// ("mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)", as PyTorch
// reports x and wᵀ) or b is not [out].
func Linear(x, w, b *Tensor) *Tensor { return linear("Linear", x, nil, w, b, false) }

// LinearReLU returns Linear(x, w, b).ReLU() with the ReLU applied in the
// GEMM's epilogue (x < 0 → +0; NaN and -0 pass): the same values, one
// result tensor and no second pass. Shapes and errors are Linear's.
func LinearReLU(x, w, b *Tensor) *Tensor { return linear("LinearReLU", x, nil, w, b, true) }

// LinearInto writes Linear(x, w, b) into dst and returns dst: the out=
// form, which allocates nothing when dst is contiguous, has the result's
// dtype and shares no storage with x, w or b (otherwise the result is
// computed apart and copied in, converted to dst's dtype). dst must have
// the result's shape. Errors are Linear's, and a dst of another shape
// panics naming both shapes.
func LinearInto(dst, x, w, b *Tensor) *Tensor { return linear("LinearInto", x, dst, w, b, false) }

// LinearReLUInto writes LinearReLU(x, w, b) into dst (see LinearInto).
func LinearReLUInto(dst, x, w, b *Tensor) *Tensor {
	return linear("LinearReLUInto", x, dst, w, b, true)
}

func linear(op string, x, dst, w, b *Tensor, relu bool) *Tensor {
	xs, ws := x.shape(), w.shape()
	if len(ws) != 2 || len(xs) < 1 {
		panic(shapeErr(op, xs, ws, "input must have at least 1 dimension and weight 2 (weight is [out, in]), got "+itoa(len(xs))+"-D and "+itoa(len(ws))+"-D"))
	}
	in, out := xs[len(xs)-1], ws[0]
	if ws[1] != in {
		rows := 1
		for _, s := range xs[:len(xs)-1] {
			rows *= s
		}
		panic(mmErr(op, []int{rows, in}, []int{ws[1], out}))
	}
	if b != nil && (len(b.shape()) != 1 || b.shape()[0] != out) {
		panic(shapeErr(op, ws, b.shape(), "bias must be 1-D with the weight's first dimension ("+itoa(out)+")"))
	}
	dtype := x.dtype
	if w.dtype != dtype || (b != nil && b.dtype != dtype) {
		dtype = Float64
	}
	if dst != nil {
		checkLinearDst(op, dst, xs, out)
		if dst.dtype != dtype || !dst.contig || dst.SharesStorage(x) || dst.SharesStorage(w) || (b != nil && dst.SharesStorage(b)) {
			return dst.CopyFrom(linear(op, x, nil, w, b, relu))
		}
	}
	x, w = x.To(dtype), w.To(dtype)
	if b != nil {
		b = b.To(dtype)
	}
	ldw := w.strides()[0]
	if out <= 1 || in == 0 { // one row, or nothing read: any stride will do
		ldw = max(in, 1)
	}
	general := !x.contig || (in > 1 && w.strides()[1] != 1) || ldw < max(in, 1) || (b != nil && !b.contig) || len(xs) > 8
	if general {
		r := linearGeneral(x, w, b, in, out, relu)
		if dst != nil {
			return dst.CopyFrom(r)
		}
		return r
	}
	res := dst
	if res == nil {
		var shape [8]int
		n := copy(shape[:], xs[:len(xs)-1])
		shape[n] = out
		res = empty(dtype, shape[:n+1])
	}
	if res.numel == 0 {
		return res
	}
	m := res.numel / out
	if dtype == Float32 {
		linearGemm[float32](res, x, w, b, m, in, out, ldw, relu)
	} else {
		linearGemm[float64](res, x, w, b, m, in, out, ldw, relu)
	}
	return res
}

func linearGemm[T kernels.Float](res, x, w, b *Tensor, m, in, out, ldw int, relu bool) {
	ep := kernels.Epilogue[T]{ReLU: relu}
	if b != nil {
		ep.Bias = storage[T](b)[b.off : b.off+out]
	}
	xd := storage[T](x)[x.off:]
	wd := storage[T](w)[w.off:]
	kernels.GemmEpilogue(kernels.NoTrans, kernels.Trans, m, out, in, 1, xd, max(in, 1), wd, ldw, 0, storage[T](res)[res.off:], out, ep)
}

// linearGeneral is Linear for layouts the direct call does not take: x as
// a matrix of rows (a copy when it is not contiguous), AddMM with wᵀ.
func linearGeneral(x, w, b *Tensor, in, out int, relu bool) *Tensor {
	xs := x.shape()
	x2 := x
	if len(xs) != 2 {
		rows := 1
		for _, s := range xs[:len(xs)-1] {
			rows *= s
		}
		x2 = x.Reshape(rows, in)
	}
	var r *Tensor
	if b != nil {
		r = AddMM(b, x2, w.T())
	} else {
		r = x2.MatMul(w.T())
	}
	if len(xs) != 2 {
		shape := append(append([]int{}, xs[:len(xs)-1]...), out)
		r = r.Reshape(shape...)
	}
	if relu {
		r.ReLUInPlace()
	}
	return r
}

// checkLinearDst panics unless dst has the shape of Linear's result for an
// input of shape xs: xs with its last dimension out.
func checkLinearDst(op string, dst *Tensor, xs []int, out int) {
	ds := dst.shape()
	ok := len(ds) == len(xs) && ds[len(ds)-1] == out
	for i := 0; ok && i < len(xs)-1; i++ {
		ok = ds[i] == xs[i]
	}
	if !ok {
		want := append(append([]int(nil), xs[:len(xs)-1]...), out)
		panic(shapeErr(op, ds, want, "output with shape "+fmtShape(ds)+" doesn't match the result's shape "+fmtShape(want)))
	}
	checkWritable(op, dst)
}
