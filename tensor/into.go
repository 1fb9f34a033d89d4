package tensor

// CopyFrom copies src into t (t.copy_(src)): src broadcasts to t's shape
// and is converted to t's dtype. It returns t. src may overlap t only if
// it is t itself.
func (t *Tensor) CopyFrom(src *Tensor) *Tensor {
	checkWritable("CopyFrom", t)
	broadcastStrides("CopyFrom", src, t.shape(), nil)
	if t.numel > 0 {
		copyInto(t, src)
	}
	return t
}

// AddMMInPlace computes t = beta·t + alpha·(mat1 @ mat2) in place
// (t.addmm_(mat1, mat2, beta=, alpha=)), allocating nothing when t is
// contiguous and mat1 and mat2 are matrices the GEMM reads as they are
// (contiguous or transposed views). t is m×n, mat1 m×k and mat2 k×n, all
// of t's dtype. With Beta(0) t's old values are ignored, NaN included.
// It returns t.
func (t *Tensor) AddMMInPlace(mat1, mat2 *Tensor, opts ...MMOption) *Tensor {
	const op = "AddMMInPlace"
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
	m, k, n := mat1.shape()[0], mat1.shape()[1], mat2.shape()[1]
	if len(t.shape()) != 2 || t.shape()[0] != m || t.shape()[1] != n {
		panic(shapeErr(op, t.shape(), []int{m, n}, "self must have the shape of mat1 @ mat2"))
	}
	if mat1.dtype != t.dtype || mat2.dtype != t.dtype {
		panic(&Error{Op: op, Msg: "expected mat1, mat2 and self of the same dtype, got " + mat1.dtype.String() + ", " + mat2.dtype.String() + " and " + t.dtype.String()})
	}
	if t.numel == 0 {
		return t
	}
	if k == 0 && cfg.beta == 0 {
		return t.Fill(0) // no product terms, and the old values do not count
	}
	dst := t
	if !t.contig {
		checkWritable(op, t)
		dst = t.Contiguous()
	}
	if t.dtype == Float32 {
		addmm[float32](dst, mat1, mat2, m, n, k, float32(cfg.alpha), float32(cfg.beta), nil)
	} else {
		addmm[float64](dst, mat1, mat2, m, n, k, cfg.alpha, cfg.beta, nil)
	}
	if dst != t {
		copyInto(t, dst)
	}
	return t
}
