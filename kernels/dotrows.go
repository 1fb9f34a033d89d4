package kernels

import (
	"fmt"
	"math"
)

// DotRows sets y[j] = x·b[j*ldb : j*ldb+len(x)] for j < len(y): the
// matrix-vector product y = B·x (torch.mv) for a row-major B of len(y)
// rows, ldb elements apart. It is GEMM's m = 1 case with B transposed,
// nn.Linear's x·Wᵀ at batch 1.
//
// Each element is within len(x)·ε·Σ_p|x[p]·b[j*ldb+p]| of the exact dot
// product (ε the unit roundoff of T), like Dot; the assembly paths compute
// several rows per pass over x (avx512 eight, avx2 four, neon eight) with
// fused multiply-adds in the order of dotRowsGeneric, the generic path one
// Dot per row. It requires ldb >= len(x) when len(y) > 1 and
// len(b) >= (len(y)-1)*ldb+len(x) when len(y) > 0, and panics otherwise
// (a *LengthError for the length).
// Rows are split across Threads() goroutines when B is large enough.
func DotRows[T Float](y, x, b []T, ldb int) {
	n, k := len(y), len(x)
	if n == 0 {
		return
	}
	if ldb < 0 || (n > 1 && ldb < k) {
		panic(fmt.Sprintf("kernels: DotRows: bad row stride ldb=%d for rows of %d elements", ldb, k))
	}
	if need := (n-1)*ldb + k; len(b) < need {
		panic(&LengthError{Kernel: "DotRows", Name1: "b", Len1: len(b), Name2: "(len(y)-1)*ldb+len(x)", Len2: need})
	}
	o := opsFor[T]()
	threads := Threads()
	if 2*n*k < gemmParallelFlops {
		threads = 1
	}
	splitN(n, threads, func(lo, hi int) { dotRows(o, 1, 0, x, b[lo*ldb:], ldb, y[lo:hi]) })
}

// dotRows sets y[j] = alpha·(x·b[j·ldb:][:len(x)]) + beta·y[j] (beta = 0:
// y is not read) with the path's dotRows kernel, or one dot per row.
func dotRows[T Float](o *ops[T], alpha, beta T, x, b []T, ldb int, y []T) {
	if len(y) == 0 {
		return
	}
	k := len(x)
	if o.gemm.dotRows == nil {
		for j := range y {
			d := alpha * o.dot(x, b[j*ldb:j*ldb+k])
			if beta != 0 {
				d += beta * y[j]
			}
			y[j] = d
		}
		return
	}
	out := y
	if beta != 0 {
		out = make([]T, len(y))
	}
	o.gemm.dotRows(x, b[:(len(y)-1)*ldb+k], ldb, out)
	if beta != 0 {
		for j, d := range out {
			y[j] = alpha*d + beta*y[j]
		}
		return
	}
	if alpha != 1 {
		o.scale(alpha, y)
	}
}

// dotRowsGeneric is the Go twin of the DotRows kernels, whose
// accumulators are L lanes wide (one register: AVX-512 16 float32 or 8
// float64, AVX2 8 or 4, NEON 4 or 2; gemmKernel.dotLanes): for each row,
// two accumulators of L lanes take fused steps, acc0[l] += x[q+l]·b[q+l]
// and acc1[l] += x[q+L+l]·b[q+L+l] for each 2L-element block, then acc0
// one more L-element block if there is one, then acc1 the last len(x)
// mod L elements; the lanes of acc0+acc1 are then added in halves (l and
// l+L/2, ...) down to one. float64 gets the kernel's bits; float32 fused
// steps are done in float64 and rounded once more (one rounding of a+b·c
// as float64, then to float32), which differs from the hardware FMA only
// in rare double-rounding ties.
func dotRowsGeneric[T Float](L int, x, b []T, ldb int, y []T) {
	k := len(x)
	acc0, acc1 := make([]T, L), make([]T, L)
	fma := func(a, b, c T) T { return T(math.FMA(float64(a), float64(b), float64(c))) }
	for j := range y {
		row := b[j*ldb : j*ldb+k]
		clear(acc0)
		clear(acc1)
		q := 0
		for ; q+2*L <= k; q += 2 * L {
			for l := range L {
				acc0[l] = fma(x[q+l], row[q+l], acc0[l])
				acc1[l] = fma(x[q+L+l], row[q+L+l], acc1[l])
			}
		}
		if q+L <= k {
			for l := range L {
				acc0[l] = fma(x[q+l], row[q+l], acc0[l])
			}
			q += L
		}
		for l := range k - q {
			acc1[l] = fma(x[q+l], row[q+l], acc1[l])
		}
		for l := range L {
			acc0[l] += acc1[l]
		}
		for w := L / 2; w >= 1; w /= 2 {
			for l := range w {
				acc0[l] += acc0[l+w]
			}
		}
		y[j] = acc0[0]
	}
}
