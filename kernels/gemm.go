package kernels

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"
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
	// microRows, when not nil, is micro reading A in place: row i of the
	// tile is a[i*lda : i*lda+k] (alpha = 1). It must compute exactly what
	// micro computes on the same A packed, so the driver may choose either.
	microRows func(k int, a []T, lda int, b, c []T, ldc int, beta T, bias []T, relu bool)
	// microEdge, when not nil, is micro on the rows×cols corner of a tile
	// (rows ≤ mr, cols ≤ nr), written straight into C: it reads and writes
	// nothing of c outside the corner and reads bias[0:cols]. Row i of
	// the tile's A at step p is a[i·lda + p·astep]: a packed panel is
	// lda = 1, astep = mr; A read in place is its row stride and 1; only
	// rows i < rows are read. Row p of B is b[p·ldb:], its first cols
	// elements only: a packed panel (ldb = nr) or B as stored, which the
	// driver uses for the last, partial panel of a block instead of
	// packing it. Each element must get the bits micro would give it.
	// Without it, edge tiles go through a scratch tile and mergeTile.
	microEdge func(k int, a []T, lda, astep int, b []T, ldb int, c []T, ldc int, beta T, bias []T, relu bool, rows, cols int)
	// directPanels: a goroutine whose share of a C block is at most this
	// many nr-panels reads full A tiles in place (microRows) instead of
	// packing them; 0 means gemmDirectPanels, a negative value never.
	directPanels int
	// parallelFlops: blocked products below this many flops run on one
	// goroutine (besides gemmParallelFlops, which applies to every GEMM).
	// A kernel fast enough to finish in the time it takes to wake a second
	// core sets it higher.
	parallelFlops int
	// axpyRows, when not nil, does len(x) axpys y += x[p]·b[p·ldb:][:len(y)]
	// in order with the bits of the path's axpy (GEMV's m = 1 case; see
	// the function axpyRows).
	axpyRows func(x, b []T, ldb int, y []T)
	// dotRows, when not nil, sets y[j] = x·b[j·ldb:][:len(x)] for
	// j < len(y) (GEMV's m = 1 case with B transposed; see DotRows).
	dotRows func(x, b []T, ldb int, y []T)
	// dotLanes is the accumulator width of dotRows in elements (its Go
	// twin is dotRowsGeneric with this many lanes).
	dotLanes int
}

// gemmDirectPanels: a goroutine whose share of a C block is at most this
// many nr-panels wide reads full A tiles in place (microRows) instead of
// packing them. Packing a row tile costs about 3/4 of one tile's multiply,
// which few panels do not pay back: measured with 1 thread (float32),
// 64×256×10 gains 29 → 40 GFLOP/s and 64×784×256 83 → 86; at 16 panels
// and more the two are equal within noise, and past that the packed,
// contiguous A block is the safer choice for small L1/L2 caches and TLBs.
// (AVX2 6×16 tiles; a kernel may set its own limit, gemmKernel.directPanels.)
var gemmDirectPanels = 16

// directLimit is the number of nr-panels per goroutine up to which A
// tiles are read in place (see directPanels).
func (g *gemmKernel[T]) directLimit() int {
	if g.directPanels != 0 {
		return g.directPanels
	}
	return gemmDirectPanels
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
	case k == 1:
		outer(o, tA, tB, m, n, alpha, a, lda, b, ldb, beta, c, ldc, ep, threads)
	case flops < gemmSmallFlops:
		gemmDirect(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep)
	default:
		if flops < o.gemm.parallelFlops {
			threads = 1
		}
		gemmBlocked(o, &o.gemm, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep, threads)
	}
}

// outer handles k = 1, a rank-1 update C = alpha·a·bᵀ + beta·C (the weight
// gradient of a linear layer at batch 1): each row of C is one scaled copy
// of op(B)'s single row, so C is streamed once instead of going through
// micro-kernel calls that each do a single multiply-add per element. Each
// element still sees one product (alpha·a[i])·b[j]; rows split across
// goroutines do not change any result.
func outer[T Float](o *ops[T], tA, tB Transpose, m, n int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T], threads int) {
	brow := b[:n] // op(B) is 1×n: row 0 of B, or column 0 of B when transposed
	if tB {
		brow = gather(b, ldb, n)
	}
	rows := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ai := alpha * at(a, lda, tA, i, 0)
			row := c[i*ldc : i*ldc+n]
			switch beta {
			case 0:
				o.mulScalar(row, brow, ai)
			case 1:
				o.axpy(ai, brow, row)
			default:
				o.scale(beta, row)
				o.axpy(ai, brow, row)
			}
			epilogueRow(row, ep)
		}
	}
	if threads <= 1 || m < 2*threads {
		rows(0, m)
		return
	}
	parallelAligned(m, threads, 1, func(_, lo, hi int) { rows(lo, hi) })
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

// epilogueRow applies the epilogue to one row of C: + bias, then ReLU (x <
// 0 → +0; NaN and -0 pass), on the path's add and relu kernels when the
// row is long enough for them to pay.
func epilogueRow[T Float](row []T, ep Epilogue[T]) {
	if len(row) >= 32 && (ep.Bias != nil || ep.ReLU) {
		o := opsFor[T]()
		if ep.Bias != nil {
			o.add(row, row, ep.Bias[:len(row)])
		}
		if ep.ReLU {
			o.relu(row, row)
		}
		return
	}
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
			if threads <= 1 || n < 2*64 { // (no closure: batch-1 inference is a few µs)
				dotRows(o, alpha, beta, x, b, ldb, y)
				epilogueRow(y, ep)
				return
			}
			splitN(n, threads, func(lo, hi int) {
				dotRows(o, alpha, beta, x, b[lo*ldb:], ldb, y[lo:hi])
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
			axpyRows(o, alpha, x, b[lo:], ldb, part)
			epilogueRow(part, biasRange(ep, lo, hi))
		})
		return
	}
	// n = 1: y[m×1] = alpha·op(A)·x with x = column 0 of op(B), y = column 0 of C.
	x := b[:k]
	if !tB {
		x = gather(b, ldb, k)
	}
	if !tA { // op(A)[i,:] is row i of A: one dot per output, by DotRows
		splitN(m, threads, func(lo, hi int) {
			y := c[lo:hi] // column 0 of C when it is contiguous
			if ldc != 1 {
				y = make([]T, hi-lo)
				if beta != 0 {
					for i := range y {
						y[i] = c[(lo+i)*ldc]
					}
				}
			}
			dotRows(o, alpha, beta, x, a[lo*lda:], lda, y)
			for i, d := range y {
				c[(lo+i)*ldc] = applyEpilogue(d, ep, 0)
			}
		})
		return
	}
	// A is stored k×m: y = Σ_p (alpha·x[p])·A[p,:], accumulated in a contiguous buffer.
	splitN(m, threads, func(lo, hi int) {
		y := make([]T, hi-lo)
		axpyRows(o, alpha, x, a[lo:], lda, y)
		for i := lo; i < hi; i++ {
			d := y[i-lo]
			if beta != 0 {
				d += beta * c[i*ldc]
			}
			c[i*ldc] = applyEpilogue(d, ep, 0)
		}
	})
}

// gemvChunk: axpyRows passes over at most this many elements of y (16
// KiB of float32) at a time, so y stays in L1 while the rows stream.
const gemvChunk = 4096

// axpyRows sets y[j] += (alpha·x[p])·b[p·ldb+j] for p < len(x) in order,
// j < len(y): one axpy per row of b, or the path's axpyRows kernel, which
// gives the same bits (the same fused steps in the same order) with y in
// registers across several rows.
func axpyRows[T Float](o *ops[T], alpha T, x, b []T, ldb int, y []T) {
	if o.gemm.axpyRows == nil {
		for p, xp := range x {
			o.axpy(alpha*xp, b[p*ldb:p*ldb+len(y)], y)
		}
		return
	}
	if len(x) == 0 || len(y) == 0 {
		return
	}
	if alpha != 1 {
		xs := make([]T, len(x))
		for p, xp := range x {
			xs[p] = alpha * xp
		}
		x = xs
	}
	for lo := 0; lo < len(y); lo += gemvChunk {
		hi := min(len(y), lo+gemvChunk)
		o.gemm.axpyRows(x, b[lo:lo+(len(x)-1)*ldb+hi-lo], ldb, y[lo:hi])
	}
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

// Packing buffers, reused across calls: one pool per element type and
// role, so a steady stream of calls allocates nothing.
const (
	roleA = iota // a goroutine's packed A block and its edge-tile scratch
	roleB        // the packed B block shared by all goroutines
)

var packPools [2][2]sync.Pool // [float64?][role] of *[]T

func packPool[T Float](role int) *sync.Pool {
	var z T
	if _, ok := any(z).(float64); ok {
		return &packPools[1][role]
	}
	return &packPools[0][role]
}

func getBuf[T Float](role, n int) *[]T {
	if v, ok := packPool[T](role).Get().(*[]T); ok && cap(*v) >= n {
		*v = (*v)[:n]
		return v
	}
	s := make([]T, n)
	return &s
}

func putBuf[T Float](role int, v *[]T) { packPool[T](role).Put(v) }

// packA copies the mc×kc block of op(A) at (ic, pc), times alpha, into
// panels of mr rows: panel r holds, for each p, op(A)[ic+r·mr+i, pc+p] for
// i < mr at dst[r·kc·mr + p·mr + i]. Rows past mc are padding whose
// results are never used: zeros, or (mr = 6, A not transposed) copies of
// the last row, so that one six-row loop packs every panel.
func packA[T Float](dst []T, mr, mc, kc int, alpha T, a []T, lda int, tA Transpose, ic, pc int) {
	for r := 0; r*mr < mc; r++ {
		panel := dst[r*kc*mr : (r+1)*kc*mr]
		rows := min(mr, mc-r*mr)
		row0 := ic + r*mr
		switch {
		case bool(tA): // op(A)[row0+i, pc+p] = a[(pc+p)·lda + row0+i]: rows·1 contiguous per p
			for p := range kc {
				src := a[(pc+p)*lda+row0 : (pc+p)*lda+row0+rows]
				d := panel[p*mr : p*mr+mr]
				for i, v := range src {
					d[i] = alpha * v
				}
				clear(d[rows:])
			}
		case mr == 6:
			// Rows past mc repeat the last row: their results are discarded
			// (edge tiles merge only their valid rows), and one loop serves all.
			var src [6][]T
			for i := range src {
				o := (row0+min(i, rows-1))*lda + pc
				src[i] = a[o : o+kc]
			}
			packA6(panel, alpha, &src)
		case mr <= len(packRows[T]{}):
			var src packRows[T]
			for i := range mr {
				o := (row0+min(i, rows-1))*lda + pc
				src[i] = a[o : o+kc]
			}
			packAN(panel, mr, alpha, &src)
		default:
			for i := range rows {
				src := a[(row0+i)*lda+pc : (row0+i)*lda+pc+kc]
				for p, v := range src {
					panel[p*mr+i] = alpha * v
				}
			}
			for i := rows; i < mr; i++ {
				for p := range kc {
					panel[p*mr+i] = 0
				}
			}
		}
	}
}

// packA6 packs six rows of A (src[i], kc long each), times alpha, into
// dst[p·6+i]: six sequential reads and one sequential write.
func packA6[T Float](dst []T, alpha T, src *[6][]T) {
	r0 := src[0]
	r1 := src[1][:len(r0)]
	r2 := src[2][:len(r0)]
	r3 := src[3][:len(r0)]
	r4 := src[4][:len(r0)]
	r5 := src[5][:len(r0)]
	d := dst[:6*len(r0)]
	if alpha == 1 {
		for p := range r0 {
			d[5] = r5[p]
			d[0], d[1], d[2], d[3], d[4] = r0[p], r1[p], r2[p], r3[p], r4[p]
			d = d[6:]
		}
		return
	}
	for p := range r0 {
		d[5] = alpha * r5[p]
		d[0], d[1], d[2], d[3], d[4] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p], alpha*r4[p]
		d = d[6:]
	}
}

// packRows holds the source rows of one A panel for packAN.
type packRows[T Float] [16][]T

// packAN packs mr ≤ 16 rows of A (src[i], all as long as src[0]), times
// alpha, into dst[p·mr+i]: each row is read sequentially and written with
// stride mr into the panel, which stays in L1.
func packAN[T Float](dst []T, mr int, alpha T, src *packRows[T]) {
	kc := len(src[0])
	dst = dst[:kc*mr]
	for i := range mr {
		s := src[i][:kc]
		d := dst[i:]
		if alpha == 1 {
			for p, v := range s {
				d[p*mr] = v
			}
			continue
		}
		for p, v := range s {
			d[p*mr] = alpha * v
		}
	}
}

// packB copies the kc×nc block of op(B) at (pc, jc) into panels of nr
// columns: panel q holds op(B)[pc+p, jc+q·nr+j] at
// dst[(q-base)·kc·nr + p·nr + j], zero-padded past nc. Panels q0 ≤ q < q1
// only (for parallel packing, or a goroutine's own buffer from base = q0).
func packB[T Float](dst []T, nr, kc, nc int, b []T, ldb int, tB Transpose, pc, jc, q0, q1, base int) {
	for q := q0; q < q1; q++ {
		panel := dst[(q-base)*kc*nr : (q-base+1)*kc*nr]
		cols := min(nr, nc-q*nr)
		col0 := jc + q*nr
		if cols < nr {
			clear(panel) // one call for the padding columns (a clear per row costs a call each)
		}
		switch {
		case bool(tB):
			// panel[p*nr+j] = B[col0+j][pc+p]: a transposing copy, in
			// register blocks on the assembly paths (nn.Linear's weight
			// is B transposed in every forward pass).
			TransposeCopy(panel, nr, b[col0*ldb+pc:], ldb, cols, kc)
		case cols == nr && (nr*int(unsafe.Sizeof(b[0])) == 64 || nr*int(unsafe.Sizeof(b[0])) == 128): // one or two cache lines per row
			src := b[pc*ldb+col0 : (pc+kc-1)*ldb+col0+cols]
			copyLines(unsafe.Pointer(&panel[0]), unsafe.Pointer(&src[0]), kc, ldb*int(unsafe.Sizeof(b[0])), nr*int(unsafe.Sizeof(b[0]))/64)
		default:
			for p := range kc {
				s := b[(pc+p)*ldb+col0 : (pc+p)*ldb+col0+cols]
				d := panel[p*nr : p*nr+len(s)]
				for j, v := range s {
					d[j] = v
				}
			}
		}
	}
}

// copyLines copies n rows of lines 64-byte lines (1 or 2), src rows
// stride bytes apart, to consecutive rows at dst with 16-byte moves (a
// [16]T copy in generic code, or a 64-byte one, becomes a memmove call).
func copyLines(dst, src unsafe.Pointer, n, stride, lines int) {
	if lines == 2 {
		for p := range n {
			d, s := unsafe.Add(dst, p*128), unsafe.Add(src, p*stride)
			*(*[16]byte)(d) = *(*[16]byte)(s)
			*(*[16]byte)(unsafe.Add(d, 16)) = *(*[16]byte)(unsafe.Add(s, 16))
			*(*[16]byte)(unsafe.Add(d, 32)) = *(*[16]byte)(unsafe.Add(s, 32))
			*(*[16]byte)(unsafe.Add(d, 48)) = *(*[16]byte)(unsafe.Add(s, 48))
			*(*[16]byte)(unsafe.Add(d, 64)) = *(*[16]byte)(unsafe.Add(s, 64))
			*(*[16]byte)(unsafe.Add(d, 80)) = *(*[16]byte)(unsafe.Add(s, 80))
			*(*[16]byte)(unsafe.Add(d, 96)) = *(*[16]byte)(unsafe.Add(s, 96))
			*(*[16]byte)(unsafe.Add(d, 112)) = *(*[16]byte)(unsafe.Add(s, 112))
		}
		return
	}
	for p := range n {
		d, s := unsafe.Add(dst, p*64), unsafe.Add(src, p*stride)
		*(*[16]byte)(d) = *(*[16]byte)(s)
		*(*[16]byte)(unsafe.Add(d, 16)) = *(*[16]byte)(unsafe.Add(s, 16))
		*(*[16]byte)(unsafe.Add(d, 32)) = *(*[16]byte)(unsafe.Add(s, 32))
		*(*[16]byte)(unsafe.Add(d, 48)) = *(*[16]byte)(unsafe.Add(s, 48))
	}
}

// gemmSplit chooses how threads goroutines share the mt×nt tiles of a C
// block: rows in R groups times panels in S groups (R·S = threads). Each
// group packs its own rows of A, so splitting rows costs nothing extra
// while splitting panels makes every column group pack the same A rows;
// the cost model counts an A row tile's packing as 3/4 of one tile's
// multiply (measured: about 0.75 cycle per element packed, against six
// cycles per k step for a 6×16 float32 tile). A group with at most
// direct panels reads A in place and packs nothing: then the split costs
// only its largest share of tiles, and on a tie panels are split (R = 1:
// no barrier, each goroutine packs its own B panels; measured f32 1024³
// with 2 threads on the AVX-512 path: 310 GFLOP/s against 280 with rows
// split). R·S may be less than threads only when there are fewer tiles
// than threads.
func gemmSplit(mt, nt, threads, direct int) (r, s int) {
	best := -1
	for rr := 1; rr <= threads; rr++ {
		if threads%rr != 0 || rr > mt || threads/rr > nt {
			continue
		}
		ss := threads / rr
		share := (nt + ss - 1) / ss
		pack := 3
		if share <= direct {
			pack = 0
		}
		cost := (mt + rr - 1) / rr * (4*share + pack)
		if best < 0 || cost < best {
			best, r, s = cost, rr, ss
		}
	}
	if best < 0 { // fewer tiles than threads in both directions
		return min(mt, threads), 1
	}
	return r, s
}

// gemmBlocked is the BLIS loop nest: jc over nc-wide column blocks of C, pc
// over kc-deep slices of k, then the tiles of C split over goroutines as R
// groups of row tiles × S groups of nr-panels (gemmSplit). Each goroutine
// packs its mc-row blocks of A (or reads A in place, see
// gemmDirectPanels) and runs the micro-kernel over its tiles, the
// nr-panel loop outside the mr-tile loop so a kc×nr B micro-panel stays in
// L1 while the mc×kc A block streams from L2.
//
// With rows split (R > 1) every goroutine needs every B panel: per (jc, pc)
// the kc×nc B block is packed once, in parallel, then the goroutines take
// chunks of row tiles (2 to 4 per goroutine) in turn, so one slowed by a
// busy core does less; on idle cores that is the same even split.
// With only panels split (R = 1) each goroutine packs its own panels and
// runs the whole jc/pc nest alone: one fork and join per call, no barrier.
// Tiles lie on one grid (multiples of mr and nr from the origin) whatever
// the split, so every element is computed the same way for any thread
// count. Edge tiles go through a scratch tile, so nothing is read or
// written outside the matrices.
func gemmBlocked[T Float](o *ops[T], g *gemmKernel[T], tA, tB Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, ep Epilogue[T], threads int) {
	mr, nr := g.mr, g.nr
	// k is cut into equal slices of at most g.kc (rounded up to a multiple
	// of 4, the micro-kernels' unroll), so no short last slice pays a whole
	// pass over C for a few steps of k. The cut depends on k only.
	kSlices := (k + g.kc - 1) / g.kc
	pl := gemmPlan[T]{
		g: g, tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, ep: ep,
		mcMax: max(mr, g.mc/mr*mr),
		kcMax: min(k, ((k+kSlices-1)/kSlices+3)&^3),
		ncMax: min(g.nc, (n+nr-1)/nr*nr),
		mt:    (m + mr - 1) / mr,
	}
	direct := -1 // panels per goroutine up to which A is read in place
	if g.microRows != nil && alpha == 1 && tA == NoTrans {
		direct = g.directLimit()
	}
	pl.R, pl.S = gemmSplit(pl.mt, pl.ncMax/nr, max(threads, 1), direct)
	workers := pl.R * pl.S
	if pl.R == 1 {
		if workers == 1 {
			pl.own(0)
			return
		}
		hp := new(gemmPlan[T]) // only the parallel path puts the plan on the heap
		*hp = pl
		parallelAligned(workers, workers, 1, func(_, lo, hi int) {
			for w := lo; w < hi; w++ {
				hp.own(w)
			}
		})
		return
	}
	hp := new(gemmPlan[T])
	*hp = pl
	// Row chunks: 2 to 4 per row group, of at least mc/2 rows, on the tile
	// grid (the same for any split).
	chunks := max(pl.R, min(4*pl.R, pl.mt, (m+pl.mcMax/2-1)/(pl.mcMax/2)))
	bbuf := getBuf[T](roleB, pl.kcMax*pl.ncMax) // the whole B block, shared
	defer putBuf(roleB, bbuf)
	bp := *bbuf
	for jc := 0; jc < n; jc += g.nc {
		nc := min(g.nc, n-jc)
		for pc := 0; pc < k; pc += pl.kcMax {
			kc := min(pl.kcMax, k-pc)
			packed := hp.packedPanels(nc)
			if packed >= 2*workers {
				parallelAligned(packed, workers, 1, func(_, q0, q1 int) {
					packB(bp, nr, kc, nc, b, ldb, tB, pc, jc, q0, q1, 0)
				})
			} else {
				packB(bp, nr, kc, nc, b, ldb, tB, pc, jc, 0, packed, 0)
			}
			// The rows go out in chunks taken in turn, so a goroutine whose
			// core is busy with something else does fewer of them.
			var next atomic.Int64
			parallelAligned(workers, workers, 1, func(_, _, _ int) {
				abuf := getBuf[T](roleA, hp.mcMax*hp.kcMax+mr*nr)
				for {
					u := int(next.Add(1)) - 1
					if u >= chunks*pl.S {
						break
					}
					hp.block(u/pl.S, chunks, u%pl.S, pl.S, *abuf, bp, jc, nc, pc, kc, false)
				}
				putBuf(roleA, abuf)
			})
		}
	}
}

// gemmPlan is one blocked product: the arguments, the blocking and the
// split of C's tiles over R·S goroutines (R groups of row tiles × S groups
// of nr-panels).
type gemmPlan[T Float] struct {
	g                   *gemmKernel[T]
	tA, tB              Transpose
	m, n, k             int
	alpha, beta         T
	a, b, c             []T
	lda, ldb, ldc       int
	ep                  Epilogue[T]
	mcMax, kcMax, ncMax int
	mt                  int // row tiles
	R, S                int
}

// packedPanels is the number of nr-panels of a C block nc wide that go
// through packB: all of them, or all but a last partial one that the edge
// kernel reads in place (B not transposed).
func (p *gemmPlan[T]) packedPanels(nc int) int {
	panels := (nc + p.g.nr - 1) / p.g.nr
	if p.g.microEdge != nil && p.tB == NoTrans && nc%p.g.nr != 0 {
		return panels - 1
	}
	return panels
}

// own runs worker w's part of the whole jc/pc nest when only panels are
// split (R = 1): it packs its own B panels into its own buffer, so it
// never waits for another goroutine.
func (p *gemmPlan[T]) own(w int) {
	mr, nr := p.g.mr, p.g.nr
	bbuf := getBuf[T](roleB, (p.ncMax/nr+p.S-1)/p.S*p.kcMax*nr) // this worker's panels
	abuf := getBuf[T](roleA, p.mcMax*p.kcMax+mr*nr)             // A block, then the scratch tile
	for jc := 0; jc < p.n; jc += p.g.nc {
		for pc := 0; pc < p.k; pc += p.kcMax {
			p.block(0, 1, w, p.S, *abuf, *bbuf, jc, min(p.g.nc, p.n-jc), pc, min(p.kcMax, p.k-pc), true)
		}
	}
	putBuf(roleA, abuf)
	putBuf(roleB, bbuf)
}

// block computes the tiles of row group rg of R (groups of whole row
// tiles) and panel group cg of S of the C block (jc, nc) for the k slice
// (pc, kc); ap holds the A block and scratch tile. Packed B panel q is at
// bp[(q-qbase)·kc·nr:]: with own set, the worker packs its panels
// q0 ≤ q < q1 itself into its private bp, qbase = q0; otherwise bp holds
// every panel of the block, qbase = 0.
func (p *gemmPlan[T]) block(rg, R, cg, S int, ap, bp []T, jc, nc, pc, kc int, own bool) {
	g, mr, nr := p.g, p.g.mr, p.g.nr
	a, lda, c, ldc, ep := p.a, p.lda, p.c, p.ldc, p.ep
	panels := (nc + nr - 1) / nr
	q0, q1 := cg*panels/S, (cg+1)*panels/S
	i0, i1 := rg*p.mt/R*mr, min(p.m, (rg+1)*p.mt/R*mr)
	if q0 == q1 || i0 >= i1 {
		return
	}
	qbase := 0
	packed := p.packedPanels(nc) // panels from here on are read in place
	if own {
		qbase = q0
		packB(bp, nr, kc, nc, p.b, p.ldb, p.tB, pc, jc, q0, min(q1, packed), q0)
	}
	first, last := pc == 0, pc+kc == p.k
	bk := p.beta
	if !first {
		bk = 1
	}
	relu := last && ep.ReLU
	// direct: full A tiles are read in place; only a last partial tile is
	// packed (at ap[0]).
	direct := g.microRows != nil && p.alpha == 1 && p.tA == NoTrans && q1-q0 <= g.directLimit()
	tile := ap[p.mcMax*p.kcMax:]
	for ic := i0; ic < i1; ic += p.mcMax {
		mc := min(p.mcMax, i1-ic)
		full := mc / mr * mr
		if !direct {
			packA(ap, mr, mc, kc, p.alpha, a, lda, p.tA, ic, pc)
		} else if full < mc && g.microEdge == nil {
			packA(ap, mr, mc-full, kc, p.alpha, a, lda, p.tA, ic+full, pc)
		}
		for q := q0; q < q1; q++ {
			jr := q * nr
			cols := min(nr, nc-jr)
			var bpan []T
			bpanEdge, ldbEdge := bpan, nr // B for microEdge
			if q < packed {
				bpan = bp[(q-qbase)*kc*nr : (q-qbase+1)*kc*nr]
				bpanEdge = bpan
			} else {
				bo := pc*p.ldb + jc + jr
				bpanEdge, ldbEdge = p.b[bo:bo+(kc-1)*p.ldb+cols], p.ldb
			}
			var bias []T
			if last && ep.Bias != nil {
				bias = ep.Bias[jc+jr : jc+jr+cols]
			}
			for ir := 0; ir < mc; ir += mr {
				rows := min(mr, mc-ir)
				off := (ic+ir)*ldc + jc + jr
				var apan []T
				switch {
				case !direct:
					apan = ap[ir*kc : (ir+mr)*kc]
				case rows == mr && cols == nr:
					ao := (ic+ir)*lda + pc
					g.microRows(kc, a[ao:ao+(mr-1)*lda+kc], lda, bpan, c[off:off+(mr-1)*ldc+nr], ldc, bk, bias, relu)
					continue
				case g.microEdge != nil:
					ao := (ic+ir)*lda + pc
					g.microEdge(kc, a[ao:ao+(rows-1)*lda+kc], lda, 1, bpanEdge, ldbEdge, c[off:off+(rows-1)*ldc+cols], ldc, bk, bias, relu, rows, cols)
					continue
				case rows < mr:
					apan = ap[:mr*kc]
				default:
					ao := (ic+ir)*lda + pc
					g.microRows(kc, a[ao:ao+(mr-1)*lda+kc], lda, bpan, tile, nr, 0, nil, false)
					mergeTile(c[off:], ldc, tile, nr, rows, cols, bk, bias, last, ep.ReLU)
					continue
				}
				if rows == mr && cols == nr {
					g.micro(kc, apan, bpan, c[off:off+(mr-1)*ldc+nr], ldc, bk, bias, relu)
					continue
				}
				if g.microEdge != nil {
					g.microEdge(kc, apan, 1, mr, bpanEdge, ldbEdge, c[off:off+(rows-1)*ldc+cols], ldc, bk, bias, relu, rows, cols)
					continue
				}
				// Edge tile: compute into scratch, merge the valid part.
				g.micro(kc, apan, bpan, tile, nr, 0, nil, false)
				mergeTile(c[off:], ldc, tile, nr, rows, cols, bk, bias, last, ep.ReLU)
			}
		}
	}
}

// mergeTile merges the rows×cols corner of an edge tile computed into
// scratch (row stride nr) into C: C = tile + beta·C, then the epilogue
// when this is the last k slice.
func mergeTile[T Float](c []T, ldc int, tile []T, nr, rows, cols int, beta T, bias []T, last, relu bool) {
	for i := range rows {
		crow := c[i*ldc : i*ldc+cols]
		trow := tile[i*nr : i*nr+cols]
		if beta == 0 {
			copy(crow, trow)
		} else {
			for j, v := range trow {
				crow[j] = v + beta*crow[j]
			}
		}
		if last {
			epilogueRow(crow, Epilogue[T]{Bias: bias, ReLU: relu})
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
