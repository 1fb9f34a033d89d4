package kernels

import (
	"fmt"
	"sync"
)

// Transpose says whether a GEMM operand is used as stored or transposed.
type Transpose bool

const (
	NoTrans Transpose = false // op(X) = X
	Trans   Transpose = true  // op(X) = Xᵀ
)

func (t Transpose) String() string {
	if t {
		return "T"
	}
	return "N"
}

// Epilogue is work fused into a GEMM's last pass over C, while each tile of
// C is still in registers or L1: C = act(alpha·op(A)·op(B) + beta·C + bias).
// The zero value does nothing.
type Epilogue[T Float] struct {
	Bias []T // nil, or one value per column of C (len n), added to every row
	ReLU bool
}

// GemmError is the panic value of a GEMM called with inconsistent sizes.
type GemmError struct{ Msg string }

func (e *GemmError) Error() string { return e.Msg }

func gemmPanic(format string, args ...any) {
	panic(&GemmError{Msg: fmt.Sprintf(format, args...)})
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C with BLAS semantics on
// row-major matrices: op(A) is m×k, op(B) is k×n, C is m×n; A holds rows of
// lda elements (lda ≥ its row length: k, or m when transposed), likewise
// ldb and ldc, so sub-matrices work. beta = 0 overwrites C without reading
// it (NaN in C does not survive); alpha = 0 or k = 0 scales C by beta
// without reading A or B, as BLAS does. Otherwise NaN and Inf in A or B
// propagate: no element is skipped for being zero.
//
// Large products are packed and cache-blocked (BLIS) with an assembly
// micro-kernel, split across Threads() goroutines; vector shapes (m = 1 or
// n = 1) run as GEMV. Each element of C is accumulated in the same order
// whatever the thread count, so results do not depend on it. The error
// bound is the usual one for a length-k dot product,
// |Δ| ≤ (k+2)·ε·(|alpha|·Σ|a||b| + |beta·c|).
func Gemm[T Float](tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	GemmEpilogue(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Epilogue[T]{})
}

// GemmEpilogue is Gemm followed by a fused bias add and activation
// (nn.Linear's forward in one pass): C = act(alpha·op(A)·op(B) + beta·C + bias).
func GemmEpilogue[T Float](tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T]) {
	checkGemm("Gemm", tA, tB, m, n, k, a, lda, b, ldb, c, ldc, ep)
	gemm(opsFor[T](), tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep, Threads())
}

// GemmStridedBatched computes batch independent products
// C_i = alpha·op(A_i)·op(B_i) + beta·C_i where A_i starts at a[i*strideA],
// B_i at b[i*strideB] and C_i at c[i*strideC] (torch.bmm, cuBLAS's
// gemmStridedBatched). A stride of 0 reuses one matrix for every product
// (broadcast). Many small products run in parallel, one per goroutine.
func GemmStridedBatched[T Float](tA, tB Transpose, m, n, k int, alpha T, a []T, lda, strideA int, b []T, ldb, strideB int, beta T, c []T, ldc, strideC int, batch int) {
	if batch < 0 {
		gemmPanic("kernels: GemmStridedBatched: batch = %d < 0", batch)
	}
	if strideA < 0 || strideB < 0 || strideC < 0 {
		gemmPanic("kernels: GemmStridedBatched: negative stride (strideA %d, strideB %d, strideC %d)", strideA, strideB, strideC)
	}
	if batch == 0 {
		return
	}
	// Check the first and the last matrix of each operand: the ones between
	// lie inside.
	last := batch - 1
	checkGemm("GemmStridedBatched", tA, tB, m, n, k, a, lda, b, ldb, c, ldc, Epilogue[T]{})
	checkGemm("GemmStridedBatched", tA, tB, m, n, k, tail(a, last*strideA), lda, tail(b, last*strideB), ldb, tail(c, last*strideC), ldc, Epilogue[T]{})
	if batch > 1 && strideC < (m-1)*ldc+n && m > 0 && n > 0 {
		gemmPanic("kernels: GemmStridedBatched: strideC = %d makes the %d×%d results (ldc %d) overlap", strideC, m, n, ldc)
	}
	o := opsFor[T]()
	threads := Threads()
	one := func(i, threads int) {
		gemm(o, tA, tB, m, n, k, alpha, a[i*strideA:], lda, b[i*strideB:], ldb, beta, c[i*strideC:], ldc, Epilogue[T]{}, threads)
	}
	small := 2*m*n*k < gemmParallelFlops
	if threads == 1 || batch == 1 || !small {
		for i := range batch {
			one(i, threads)
		}
		return
	}
	parallelAligned(batch, min(threads, batch), 1, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			one(i, 1)
		}
	})
}

func tail[T Float](s []T, off int) []T {
	if off > len(s) {
		return nil
	}
	return s[off:]
}

// checkGemm panics with the op, the parameter and both sizes when the
// arguments cannot describe the matrices.
func checkGemm[T Float](op string, tA, tB Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, ep Epilogue[T]) {
	if m < 0 || n < 0 || k < 0 {
		gemmPanic("kernels: %s: negative dimension m=%d n=%d k=%d", op, m, n, k)
	}
	check := func(name string, rows, cols int, s []T, ld int, ldName string) {
		if ld < max(1, cols) {
			gemmPanic("kernels: %s: %s = %d is less than the row length %d of %s (%d×%d as stored)", op, ldName, ld, cols, name, rows, cols)
		}
		if rows > 0 && cols > 0 {
			if need := (rows-1)*ld + cols; len(s) < need {
				gemmPanic("kernels: %s: len(%s) = %d is too short for a %d×%d matrix with %s %d (need %d)", op, name, len(s), rows, cols, ldName, ld, need)
			}
		}
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	check("a", ar, ac, a, lda, "lda")
	check("b", br, bc, b, ldb, "ldb")
	check("c", m, n, c, ldc, "ldc")
	if ep.Bias != nil && len(ep.Bias) != n {
		gemmPanic("kernels: %s: len(bias) = %d, want n = %d (one per column of C)", op, len(ep.Bias), n)
	}
}

// gemmKernel is a path's GEMM micro-kernel with its register tile and the
// cache blocking that suits it.
type gemmKernel[T Float] struct {
	mr, nr     int // register tile of C
	mc, kc, nc int // blocks: A is packed mc×kc (L2), B kc×nc (L3), a B micro-panel kc×nr sits in L1
	// micro computes, for an mr×nr tile of C at c (row stride ldc),
	// C = beta·C + A·B (beta = 0: C is not read) with a = kc×mr packed A
	// (alpha folded in) and b = kc×nr packed B, then adds bias[0:nr] to each
	// row when bias is not nil and applies ReLU when relu is set.
	micro func(k int, a, b, c []T, ldc int, beta T, bias []T, relu bool)
}

// gemmParallelFlops: products below this many flops run on one goroutine.
const gemmParallelFlops = 1 << 21

// gemmSmallFlops: below this the packing costs more than it saves; a direct
// loop runs instead.
const gemmSmallFlops = 1 << 12

func gemm[T Float](o *ops[T], tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T], threads int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc, ep)
		return
	}
	flops := 2 * m * n * k
	if flops < gemmParallelFlops {
		threads = 1
	}
	switch {
	case m == 1 || n == 1:
		gemv(o, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep, threads)
	case flops < gemmSmallFlops:
		gemmDirect(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep)
	default:
		gemmBlocked(o, &o.gemm, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep, threads)
	}
}

// scaleC sets C = act(beta·C + bias) (beta = 0 writes without reading).
func scaleC[T Float](m, n int, beta T, c []T, ldc int, ep Epilogue[T]) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
		epilogueRow(row, ep)
	}
}

func epilogueRow[T Float](row []T, ep Epilogue[T]) {
	if ep.Bias != nil {
		for j := range row {
			row[j] += ep.Bias[j]
		}
	}
	if ep.ReLU {
		for j, v := range row {
			if v < 0 {
				row[j] = 0
			}
		}
	}
}

// opA and opB read op(A)[i,p] and op(B)[p,j].
func at[T Float](s []T, ld int, t Transpose, r, col int) T {
	if t {
		return s[col*ld+r]
	}
	return s[r*ld+col]
}

// gemmDirect is the loop for tiny products: no packing, no goroutines.
func gemmDirect[T Float](tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T]) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			var s T
			for p := range k {
				s += T(at(a, lda, tA, i, p) * at(b, ldb, tB, p, j))
			}
			if beta == 0 {
				row[j] = alpha * s
			} else {
				row[j] = alpha*s + beta*row[j]
			}
		}
		epilogueRow(row, ep)
	}
}

// gemv handles m = 1 or n = 1 with dot and axpy kernels over contiguous
// rows: matrix-vector products stream the matrix once, where packing
// would only add a pass.
func gemv[T Float](o *ops[T], tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T], threads int) {
	if m == 1 {
		// y[1×n] = alpha·x·op(B): x is row 0 of op(A): contiguous unless A is transposed.
		x := a[:k]
		if tA {
			x = gather(a, lda, k)
		}
		y := c[:n]
		if tB { // op(B)[:,j] is row j of B: one dot per output
			splitN(n, threads, func(lo, hi int) {
				for j := lo; j < hi; j++ {
					d := alpha * o.dot(x, b[j*ldb:j*ldb+k])
					if beta != 0 {
						d += beta * y[j]
					}
					y[j] = d
				}
				epilogueRow(y[lo:hi], biasRange(ep, lo, hi))
			})
			return
		}
		splitN(n, threads, func(lo, hi int) { // y += (alpha·x[p])·B[p,:]
			part := y[lo:hi]
			switch beta {
			case 0:
				clear(part)
			case 1:
			default:
				o.scale(beta, part)
			}
			for p := range k {
				o.axpy(alpha*x[p], b[p*ldb+lo:p*ldb+hi], part)
			}
			epilogueRow(part, biasRange(ep, lo, hi))
		})
		return
	}
	// n = 1: y[m×1] = alpha·op(A)·x with x = column 0 of op(B), y = column 0 of C.
	x := b[:k]
	if !tB {
		x = gather(b, ldb, k)
	}
	if !tA { // op(A)[i,:] is row i of A: one dot per output
		splitN(m, threads, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				d := alpha * o.dot(a[i*lda:i*lda+k], x)
				if beta != 0 {
					d += beta * c[i*ldc]
				}
				c[i*ldc] = applyEpilogue(d, ep, 0)
			}
		})
		return
	}
	// A is stored k×m: y = Σ_p (alpha·x[p])·A[p,:], accumulated in a contiguous buffer.
	splitN(m, threads, func(lo, hi int) {
		y := make([]T, hi-lo)
		for p := range k {
			o.axpy(alpha*x[p], a[p*lda+lo:p*lda+hi], y)
		}
		for i := lo; i < hi; i++ {
			d := y[i-lo]
			if beta != 0 {
				d += beta * c[i*ldc]
			}
			c[i*ldc] = applyEpilogue(d, ep, 0)
		}
	})
}

func applyEpilogue[T Float](v T, ep Epilogue[T], j int) T {
	if ep.Bias != nil {
		v += ep.Bias[j]
	}
	if ep.ReLU && v < 0 {
		v = 0
	}
	return v
}

func biasRange[T Float](ep Epilogue[T], lo, hi int) Epilogue[T] {
	if ep.Bias != nil {
		ep.Bias = ep.Bias[lo:hi]
	}
	return ep
}

// gather copies a strided vector (every ld-th element) into a new slice.
func gather[T Float](s []T, ld, n int) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = s[i*ld]
	}
	return out
}

// splitN runs fn over contiguous ranges of [0, n), one per goroutine.
func splitN(n, threads int, fn func(lo, hi int)) {
	if threads <= 1 || n < 2*64 {
		fn(0, n)
		return
	}
	parallel(n, threads, func(_, lo, hi int) { fn(lo, hi) })
}

// Packing buffers, reused across calls.
var packPools sync.Map // key: element size and role → *sync.Pool of *[]T

func getBuf[T Float](role string, n int) *[]T {
	var z T
	key := fmt.Sprintf("%T/%s", z, role)
	p, _ := packPools.LoadOrStore(key, &sync.Pool{})
	pool := p.(*sync.Pool)
	if v, ok := pool.Get().(*[]T); ok && cap(*v) >= n {
		*v = (*v)[:n]
		return v
	}
	s := make([]T, n)
	return &s
}

func putBuf[T Float](role string, v *[]T) {
	var z T
	key := fmt.Sprintf("%T/%s", z, role)
	p, _ := packPools.Load(key)
	p.(*sync.Pool).Put(v)
}

// packA copies the mc×kc block of op(A) at (ic, pc), times alpha, into
// panels of mr rows: panel r holds, for each p, op(A)[ic+r·mr+i, pc+p] for
// i < mr at dst[r·kc·mr + p·mr + i], zero-padded past mc.
func packA[T Float](dst []T, mr, mc, kc int, alpha T, a []T, lda int, tA Transpose, ic, pc int) {
	for r := 0; r*mr < mc; r++ {
		panel := dst[r*kc*mr : (r+1)*kc*mr]
		rows := min(mr, mc-r*mr)
		for i := range rows {
			row := ic + r*mr + i
			if tA {
				for p := range kc {
					panel[p*mr+i] = alpha * a[(pc+p)*lda+row]
				}
			} else {
				src := a[row*lda+pc : row*lda+pc+kc]
				for p, v := range src {
					panel[p*mr+i] = alpha * v
				}
			}
		}
		for i := rows; i < mr; i++ {
			for p := range kc {
				panel[p*mr+i] = 0
			}
		}
	}
}

// packB copies the kc×nc block of op(B) at (pc, jc) into panels of nr
// columns: panel q holds op(B)[pc+p, jc+q·nr+j] at dst[q·kc·nr + p·nr + j],
// zero-padded past nc. Panels q0 ≤ q < q1 only (for parallel packing).
func packB[T Float](dst []T, nr, kc, nc int, b []T, ldb int, tB Transpose, pc, jc, q0, q1 int) {
	for q := q0; q < q1; q++ {
		panel := dst[q*kc*nr : (q+1)*kc*nr]
		cols := min(nr, nc-q*nr)
		col0 := jc + q*nr
		if tB {
			for j := range cols {
				src := b[(col0+j)*ldb+pc : (col0+j)*ldb+pc+kc]
				for p, v := range src {
					panel[p*nr+j] = v
				}
			}
		} else {
			for p := range kc {
				copy(panel[p*nr:p*nr+cols], b[(pc+p)*ldb+col0:(pc+p)*ldb+col0+cols])
			}
		}
		if cols < nr {
			for p := range kc {
				clear(panel[p*nr+cols : (p+1)*nr])
			}
		}
	}
}

// gemmBlocked is the BLIS loop nest: jc over nc-wide column blocks of C, pc
// over kc-deep slices of k (B block packed once, shared by all goroutines),
// then work units of (mc rows × a range of nr-panels) spread over
// goroutines, each packing its A block and running the micro-kernel over
// its tiles. Edge tiles go through a scratch tile, so nothing is read or
// written outside the matrices.
func gemmBlocked[T Float](o *ops[T], g *gemmKernel[T], tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T], threads int) {
	mr, nr := g.mr, g.nr
	kcMax := min(g.kc, k)
	ncMax := min(g.nc, (n+nr-1)/nr*nr)
	bbuf := getBuf[T]("B", kcMax*ncMax)
	defer putBuf("B", bbuf)
	bp := *bbuf
	for jc := 0; jc < n; jc += g.nc {
		nc := min(g.nc, n-jc)
		panels := (nc + nr - 1) / nr
		for pc := 0; pc < k; pc += g.kc {
			kc := min(g.kc, k-pc)
			first, last := pc == 0, pc+kc == k
			bk := beta
			if !first {
				bk = 1
			}
			// Pack B, in parallel when there is enough of it.
			if threads > 1 && panels >= 2*threads {
				parallelAligned(panels, threads, 1, func(_, q0, q1 int) {
					packB(bp, nr, kc, nc, b, ldb, tB, pc, jc, q0, q1)
				})
			} else {
				packB(bp, nr, kc, nc, b, ldb, tB, pc, jc, 0, panels)
			}
			// Work units: each mc block of rows, its panels split so every
			// goroutine has work.
			mBlocks := (m + g.mc - 1) / g.mc
			splits := 1
			if threads > mBlocks {
				splits = min((threads+mBlocks-1)/mBlocks, panels)
			}
			units := mBlocks * splits
			work := func(u int) {
				ic := (u / splits) * g.mc
				mc := min(g.mc, m-ic)
				s := u % splits
				q0, q1 := s*panels/splits, (s+1)*panels/splits
				abuf := getBuf[T]("A", (mc+mr-1)/mr*mr*kc)
				ap := *abuf
				packA(ap, mr, mc, kc, alpha, a, lda, tA, ic, pc)
				var tile [16 * 16]T
				for q := q0; q < q1; q++ {
					jr := q * nr
					cols := min(nr, nc-jr)
					bpan := bp[q*kc*nr : (q+1)*kc*nr]
					var bias []T
					if last && ep.Bias != nil {
						bias = ep.Bias[jc+jr : jc+jr+cols]
					}
					for ir := 0; ir < mc; ir += mr {
						rows := min(mr, mc-ir)
						apan := ap[ir*kc : (ir+mr)*kc]
						off := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							g.micro(kc, apan, bpan, c[off:off+(mr-1)*ldc+nr], ldc, bk, bias, last && ep.ReLU)
							continue
						}
						// Edge tile: compute into scratch, merge the valid part.
						t := tile[:mr*nr]
						g.micro(kc, apan, bpan, t, nr, 0, nil, false)
						for i := range rows {
							crow := c[off+i*ldc : off+i*ldc+cols]
							for j := range crow {
								v := t[i*nr+j]
								if bk != 0 {
									v += bk * crow[j]
								}
								crow[j] = v
							}
							if last {
								epilogueRow(crow, Epilogue[T]{Bias: bias, ReLU: ep.ReLU})
							}
						}
					}
				}
				putBuf("A", abuf)
			}
			if threads <= 1 || units == 1 {
				for u := range units {
					work(u)
				}
				continue
			}
			parallelAligned(units, min(threads, units), 1, func(_, lo, hi int) {
				for u := lo; u < hi; u++ {
					work(u)
				}
			})
		}
	}
}

// gemmMicroGeneric is the generic micro-kernel (4×8 tile), the definition
// the assembly micro-kernels are tested against.
func gemmMicroGeneric[T Float](k int, a, b, c []T, ldc int, beta T, bias []T, relu bool) {
	const mr, nr = 4, 8
	var acc [mr * nr]T
	a, b = a[:k*mr], b[:k*nr]
	for p := range k {
		ap, bp := a[p*mr:p*mr+mr], b[p*nr:p*nr+nr]
		for i, av := range ap {
			row := acc[i*nr : i*nr+nr]
			for j, bv := range bp {
				row[j] += T(av * bv)
			}
		}
	}
	for i := range mr {
		row := c[i*ldc : i*ldc+nr]
		for j := range row {
			v := acc[i*nr+j]
			if beta != 0 {
				v += beta * row[j]
			}
			if bias != nil {
				v += bias[j]
			}
			if relu && v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
}

func genericGemm[T Float]() gemmKernel[T] {
	return gemmKernel[T]{mr: 4, nr: 8, mc: 128, kc: 256, nc: 4096, micro: gemmMicroGeneric[T]}
}
