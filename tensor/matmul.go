package tensor

import (
	"github.com/simdtorch/simdtorch/kernels"
)

func mmErr(op string, a, b []int) *ShapeError {
	return shapeErr(op, a, b, "mat1 and mat2 shapes cannot be multiplied ("+itoa(a[0])+"x"+itoa(a[1])+" and "+itoa(b[0])+"x"+itoa(b[1])+")")
}

// gemmOperand maps a rows×cols matrix with strides (s0, s1) onto GEMM's
// operand description: as stored (NoTrans) with leading dimension ld, or
// transposed; ok is false when neither fits (the matrix must be copied).
func gemmOperand(rows, cols, s0, s1 int) (tr kernels.Transpose, ld int, ok bool) {
	if cols <= 1 || s1 == 1 {
		ld = s0
		if rows <= 1 {
			ld = max(cols, 1)
		}
		if ld >= max(cols, 1) {
			return kernels.NoTrans, ld, true
		}
	}
	if rows <= 1 || s0 == 1 {
		ld = s1
		if cols <= 1 {
			ld = max(rows, 1)
		}
		if ld >= max(rows, 1) {
			return kernels.Trans, ld, true
		}
	}
	return kernels.NoTrans, 0, false
}

// MatMul returns the matrix product of t and o with torch.matmul's rules:
// two 1-D tensors give their dot product (0-d); 2-D by 2-D is the matrix
// product; a 1-D first operand is a row vector and a 1-D second operand a
// column vector, the added dimension removed from the result; with more
// dimensions the leading (batch) dimensions broadcast and each pair of
// trailing matrices is multiplied. Products run on kernels.Gemm; transposed
// views are passed to it as transposes, without copying.
func (t *Tensor) MatMul(o *Tensor) *Tensor { return matmul(nil, t, o) }

// MatMulInto writes t.MatMul(o)'s result into dst (which must have its
// shape and dtype, and be contiguous) and returns dst.
func MatMulInto(dst, a, b *Tensor) *Tensor {
	if !dst.contig {
		panic(&Error{Op: "MatMulInto", Msg: "destination must be contiguous, got strides " + fmtShape(dst.strides())})
	}
	return matmul(dst, a, b)
}

func matmul(dst, a, b *Tensor) *Tensor {
	const op = "MatMul"
	if a.dtype != b.dtype {
		a, b = a.To(Float64), b.To(Float64)
	}
	if dst != nil {
		a, b = a.To(dst.dtype), b.To(dst.dtype)
	}
	da, db := len(a.shape()), len(b.shape())
	if da == 0 || db == 0 {
		panic(shapeErr(op, a.shape(), b.shape(), "both arguments to matmul need to be at least 1D, but they are "+itoa(da)+"D and "+itoa(db)+"D"))
	}
	if da == 1 && db == 1 {
		if a.shape()[0] != b.shape()[0] {
			panic(shapeErr(op, a.shape(), b.shape(), "inconsistent tensor size, expected tensor a and b to have the same number of elements, but got "+itoa(a.shape()[0])+" and "+itoa(b.shape()[0])+" elements respectively"))
		}
		if dst == nil {
			dst = empty(a.dtype, nil)
		} else {
			checkDst(op, dst, nil)
		}
		if a.dtype == Float32 {
			dot[float32](dst, a, b)
		} else {
			dot[float64](dst, a, b)
		}
		return dst
	}
	// Promote 1-D operands to matrices, remembering which dimension to drop.
	dropRow, dropCol := da == 1, db == 1
	if dropRow {
		a = a.Unsqueeze(0)
	}
	if dropCol {
		b = b.Unsqueeze(1)
	}
	na, nb := len(a.shape()), len(b.shape())
	m, k := a.shape()[na-2], a.shape()[na-1]
	k2, n := b.shape()[nb-2], b.shape()[nb-1]
	if k != k2 {
		if na == 2 && nb == 2 {
			panic(mmErr(op, a.shape(), b.shape()))
		}
		panic(shapeErr(op, a.shape(), b.shape(), "mat1 and mat2 shapes cannot be multiplied ("+itoa(m)+"x"+itoa(k)+" and "+itoa(k2)+"x"+itoa(n)+")"))
	}
	batch := broadcastShape(op, a.shape()[:na-2], b.shape()[:nb-2], nil)
	outShape := make([]int, 0, len(batch)+2)
	outShape = append(outShape, batch...)
	if !dropRow {
		outShape = append(outShape, m)
	}
	if !dropCol {
		outShape = append(outShape, n)
	}
	if dst == nil {
		dst = empty(a.dtype, outShape)
	} else {
		checkDst(op, dst, outShape)
	}
	if dst.numel == 0 {
		return dst
	}
	if k == 0 {
		return dst.Fill(0)
	}
	if a.dtype == Float32 {
		batchedGemm[float32](dst, a, b, batch, m, n, k, 1, 0, nil)
	} else {
		batchedGemm[float64](dst, a, b, batch, m, n, k, 1, 0, nil)
	}
	return dst
}

func dot[T kernels.Float](dst, a, b *Tensor) {
	x, y := a.Contiguous(), b.Contiguous()
	storage[T](dst)[dst.off] = kernels.Dot(Data[T](x), Data[T](y))
}

// batchedGemm computes C = alpha·A·B + beta·C for every batch index, A
// being [..., m, k], B [..., k, n] (batch dimensions broadcast to batch)
// and C contiguous [batch..., m, n]. bias, if not nil, is added to every
// row of C (the GEMM epilogue).
func batchedGemm[T kernels.Float](c, a, b *Tensor, batch []int, m, n, k int, alpha, beta T, bias []T) {
	na, nb := len(a.shape()), len(b.shape())
	ta, lda, okA := gemmOperand(m, k, a.strides()[na-2], a.strides()[na-1])
	if !okA {
		a = a.Contiguous()
		ta, lda, _ = gemmOperand(m, k, a.strides()[na-2], a.strides()[na-1])
	}
	tb, ldb, okB := gemmOperand(k, n, b.strides()[nb-2], b.strides()[nb-1])
	if !okB {
		b = b.Contiguous()
		tb, ldb, _ = gemmOperand(k, n, b.strides()[nb-2], b.strides()[nb-1])
	}
	as := storage[T](a)
	bs := storage[T](b)
	cs := storage[T](c)[c.off:]
	ep := kernels.Epilogue[T]{Bias: bias}
	if len(batch) == 0 {
		kernels.GemmEpilogue(ta, tb, m, n, k, alpha, as[a.off:], lda, bs[b.off:], ldb, beta, cs, n, ep)
		return
	}
	sa := broadcastStridesOf("MatMul", a.shape()[:na-2], a.strides()[:na-2], batch, nil)
	sb := broadcastStridesOf("MatMul", b.shape()[:nb-2], b.strides()[:nb-2], batch, nil)
	sc := contiguousStrides(batch)
	for i := range sc {
		sc[i] *= m * n
	}
	// Fold the batch into the rows when B is one matrix for every batch
	// and A's batch and row dimensions form one run (nn.Linear on [B, T, in]).
	if ta == kernels.NoTrans && allZero(sb) && bias == nil {
		fsh := append(append([]int{}, batch...), m)
		fst := append(append([]int{}, sa...), lda)
		var it iter
		it.init(fsh, 1, [maxOps]int{}, [maxOps][]int{fst})
		if it.nd <= 1 {
			rows := 1
			for _, s := range fsh {
				rows *= s
			}
			ld := lda
			if it.nd == 1 {
				ld = it.st[0][0]
			}
			if ld >= max(k, 1) {
				kernels.Gemm(ta, tb, rows, n, k, alpha, as[a.off:], ld, bs[b.off:], ldb, beta, cs, n)
				return
			}
		}
	}
	var it iter
	it.init(batch, 3, [maxOps]int{a.off, b.off, 0}, [maxOps][]int{sa, sb, sc})
	it.runs(func(off [maxOps]int, cnt int, inc [maxOps]int) {
		if bias != nil {
			for i := range cnt {
				kernels.GemmEpilogue(ta, tb, m, n, k, alpha, as[off[0]+i*inc[0]:], lda, bs[off[1]+i*inc[1]:], ldb, beta, cs[off[2]+i*inc[2]:], n, ep)
			}
			return
		}
		kernels.GemmStridedBatched(ta, tb, m, n, k, alpha, as[off[0]:], lda, inc[0], bs[off[1]:], ldb, inc[1], beta, cs[off[2]:], n, inc[2], cnt)
	})
}

func allZero(s []int) bool {
	for _, v := range s {
		if v != 0 {
			return false
		}
	}
	return true
}

// MMOption sets AddMM's scalars.
type MMOption func(*mmCfg)

type mmCfg struct{ alpha, beta float64 }

// Alpha scales the matrix product in AddMM (default 1).
func Alpha(v float64) MMOption { return func(c *mmCfg) { c.alpha = v } }

// Beta scales the added input in AddMM (default 1). With Beta(0) the input
// is ignored, NaN included, as in PyTorch.
func Beta(v float64) MMOption { return func(c *mmCfg) { c.beta = v } }

// AddMM returns beta·input + alpha·(mat1 @ mat2) (torch.addmm): mat1 is
// n×m, mat2 m×p and input broadcasts to n×p. A 1-D input with beta 1 (a
// bias) is fused into the GEMM's epilogue.
func AddMM(input, mat1, mat2 *Tensor, opts ...MMOption) *Tensor {
	const op = "AddMM"
	cfg := mmCfg{alpha: 1, beta: 1}
	for _, o := range opts {
		o(&cfg)
	}
	if len(mat1.shape()) != 2 || len(mat2.shape()) != 2 {
		panic(shapeErr(op, mat1.shape(), mat2.shape(), "mat1 and mat2 must be matrices, got "+itoa(len(mat1.shape()))+"-D and "+itoa(len(mat2.shape()))+"-D"))
	}
	if mat1.shape()[1] != mat2.shape()[0] {
		panic(mmErr(op, mat1.shape(), mat2.shape()))
	}
	dtype := mat1.dtype
	if mat2.dtype != dtype || input.dtype != dtype {
		dtype = Float64
	}
	mat1, mat2, input = mat1.To(dtype), mat2.To(dtype), input.To(dtype)
	m, k, n := mat1.shape()[0], mat1.shape()[1], mat2.shape()[1]
	out := empty(dtype, []int{m, n})
	// input must broadcast to the result.
	var sbuf [2]int
	broadcastStrides(op, input, out.shape(), sbuf[:0])
	bias := cfg.beta == 1 && input.numel == n && input.contig && (len(input.shape()) == 1 || len(input.shape()) == 2 && input.shape()[0] == 1)
	beta := cfg.beta
	if bias {
		beta = 0
	} else if cfg.beta != 0 {
		copyIntoNew(out, input)
	}
	if out.numel == 0 {
		return out
	}
	if dtype == Float32 {
		var bv []float32
		if bias {
			bv = Data[float32](input)
		}
		addmm[float32](out, mat1, mat2, m, n, k, float32(cfg.alpha), float32(beta), bv)
	} else {
		var bv []float64
		if bias {
			bv = Data[float64](input)
		}
		addmm[float64](out, mat1, mat2, m, n, k, cfg.alpha, beta, bv)
	}
	return out
}

func addmm[T kernels.Float](out, a, b *Tensor, m, n, k int, alpha, beta T, bias []T) {
	if k == 0 {
		// C = beta·C (+ bias): no product terms.
		d := Data[T](out)
		kernels.Scale(beta, d)
		if bias != nil {
			for i := range m {
				kernels.Add(d[i*n:(i+1)*n], d[i*n:(i+1)*n], bias)
			}
		}
		return
	}
	batchedGemm(out, a, b, nil, m, n, k, alpha, beta, bias)
}
