package tensor

import "math"

// QR returns the reduced QR decomposition of a matrix (or a batch of
// matrices in the last two dimensions) t = Q·R, as torch.linalg.qr in
// its default "reduced" mode: for m×n input and k = min(m, n), Q is m×k
// with orthonormal columns and R is k×n upper triangular. It uses
// Householder reflections with LAPACK's sign convention (geqrf: the
// diagonal of R is -sign(a)·‖x‖), so the signs match PyTorch's. The
// arithmetic runs in float64; results have t's dtype.
func (t *Tensor) QR() (q, r *Tensor) {
	n := len(t.shape())
	if n < 2 {
		panic(&Error{Op: "QR", Msg: "the input tensor A must have at least 2 dimensions, got shape " + fmtShape(t.shape())})
	}
	rows, cols := t.shape()[n-2], t.shape()[n-1]
	k := min(rows, cols)
	batch := t.shape()[:n-2]
	qShape := append(append([]int{}, batch...), rows, k)
	rShape := append(append([]int{}, batch...), k, cols)
	a := t.To(Float64).Clone() // contiguous float64 working copy
	qo := empty(Float64, qShape)
	ro := empty(Float64, rShape)
	nb := 1
	for _, s := range batch {
		nb *= s
	}
	for b := range nb {
		householderQR(a.f64()[b*rows*cols:(b+1)*rows*cols], rows, cols,
			qo.f64()[b*rows*k:(b+1)*rows*k], ro.f64()[b*k*cols:(b+1)*k*cols])
	}
	return qo.To(t.dtype), ro.To(t.dtype)
}

// householderQR factors the row-major m×n matrix a (overwritten) into
// q (m×k) and r (k×n).
func householderQR(a []float64, m, n int, q, r []float64) {
	k := min(m, n)
	tau := make([]float64, k)
	for j := range k {
		alpha := a[j*n+j]
		xnorm := 0.0
		for i := j + 1; i < m; i++ {
			xnorm = math.Hypot(xnorm, a[i*n+j])
		}
		if xnorm == 0 {
			continue // H = I
		}
		beta := -math.Copysign(math.Hypot(alpha, xnorm), alpha)
		tau[j] = (beta - alpha) / beta
		s := 1 / (alpha - beta)
		for i := j + 1; i < m; i++ {
			a[i*n+j] *= s
		}
		a[j*n+j] = beta
		// Apply H = I - tau·v·vᵀ (v[0] = 1) to the columns right of j.
		for c := j + 1; c < n; c++ {
			w := a[j*n+c]
			for i := j + 1; i < m; i++ {
				w += a[i*n+j] * a[i*n+c]
			}
			w *= tau[j]
			a[j*n+c] -= w
			for i := j + 1; i < m; i++ {
				a[i*n+c] -= w * a[i*n+j]
			}
		}
	}
	for i := range k {
		for c := range n {
			if c >= i {
				r[i*n+c] = a[i*n+c]
			} else {
				r[i*n+c] = 0
			}
		}
	}
	// Q = H_0 ... H_{k-1} applied to the first k columns of I.
	for i := range m {
		for c := range k {
			q[i*k+c] = 0
		}
		if i < k {
			q[i*k+i] = 1
		}
	}
	for j := k - 1; j >= 0; j-- {
		if tau[j] == 0 {
			continue
		}
		for c := j; c < k; c++ {
			w := q[j*k+c]
			for i := j + 1; i < m; i++ {
				w += a[i*n+j] * q[i*k+c]
			}
			w *= tau[j]
			q[j*k+c] -= w
			for i := j + 1; i < m; i++ {
				q[i*k+c] -= w * a[i*n+j]
			}
		}
	}
}
