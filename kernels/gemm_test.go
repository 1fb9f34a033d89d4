package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

// gemmProblem is one GEMM call's arguments, stored matrices included.
type gemmProblem[T Float] struct {
	tA, tB        Transpose
	m, n, k       int
	alpha, beta   T
	a, b, c       []T
	lda, ldb, ldc int
	ep            Epilogue[T]
}

func newGemmProblem[T Float](r *rand.Rand, tA, tB Transpose, m, n, k, pad int, alpha, beta T) gemmProblem[T] {
	p := gemmProblem[T]{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = ac+pad, bc+pad, n+pad
	p.a = testutil.Values[T](r, max(0, (ar-1)*p.lda+ac), false)
	p.b = testutil.Values[T](r, max(0, (br-1)*p.ldb+bc), false)
	p.c = testutil.Values[T](r, max(0, (m-1)*p.ldc+n), false)
	return p
}

// ref computes the exact-ish result in float64 with its error scale per
// element: Σ|a||b|·|alpha| + |beta·c|.
func (p gemmProblem[T]) ref() (want, scale []float64) {
	want = make([]float64, len(p.c))
	scale = make([]float64, len(p.c))
	for i := range want {
		want[i] = float64(p.c[i]) // padding stays as it was
	}
	for i := range p.m {
		for j := range p.n {
			var s, sa float64
			for q := range p.k {
				x, y := float64(at(p.a, p.lda, p.tA, i, q)), float64(at(p.b, p.ldb, p.tB, q, j))
				s += x * y
				sa += math.Abs(x * y)
			}
			v := float64(p.alpha) * s
			if p.beta != 0 {
				v += float64(p.beta) * float64(p.c[i*p.ldc+j])
			}
			if p.ep.Bias != nil {
				v += float64(p.ep.Bias[j])
			}
			if p.ep.ReLU && v < 0 {
				v = 0
			}
			want[i*p.ldc+j] = v
			scale[i*p.ldc+j] = math.Abs(float64(p.alpha))*sa + math.Abs(float64(p.beta)*float64(p.c[i*p.ldc+j])) + math.Abs(v)
		}
	}
	return want, scale
}

func (p gemmProblem[T]) run() []T {
	c := slices.Clone(p.c)
	GemmEpilogue(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc, p.ep)
	return c
}

func (p gemmProblem[T]) String() string {
	return fmt.Sprintf("%v%v m=%d n=%d k=%d alpha=%v beta=%v lda=%d ldb=%d ldc=%d bias=%v relu=%v",
		p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.beta, p.lda, p.ldb, p.ldc, p.ep.Bias != nil, p.ep.ReLU)
}

func checkGemmResult[T Float](t *testing.T, p gemmProblem[T], got []T) {
	t.Helper()
	want, scale := p.ref()
	eps := testutil.Eps[T]()
	for i := range got {
		tol := float64(p.k+4)*eps*scale[i] + float64(testutil.Tiny[T]())
		if math.Abs(float64(got[i])-want[i]) > tol {
			t.Fatalf("%v: C[%d,%d] = %v, want %v (tol %g)", p, i/p.ldc, i%p.ldc, got[i], want[i], tol)
		}
	}
}

// gemmSizes: around every tile edge of every path (mr 4/6/8, nr 8/12/16)
// and block edge.
var gemmSizes = []int{1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 33, 47, 49}

func testGemm[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, tA := range []Transpose{NoTrans, Trans} {
		for _, tB := range []Transpose{NoTrans, Trans} {
			for trial := range 120 {
				m := gemmSizes[r.IntN(len(gemmSizes))]
				n := gemmSizes[r.IntN(len(gemmSizes))]
				k := gemmSizes[r.IntN(len(gemmSizes))]
				if trial%5 == 0 {
					k = 250 + r.IntN(20) // crosses kc = 256
				}
				alpha := []T{1, 0.5, -2}[trial%3]
				beta := []T{0, 1, 0.25}[(trial/3)%3]
				p := newGemmProblem[T](r, tA, tB, m, n, k, trial%3, alpha, beta)
				if trial%4 == 1 {
					p.ep.Bias = testutil.Values[T](r, n, false)
				}
				p.ep.ReLU = trial%4 == 2
				checkGemmResult(t, p, p.run())
			}
		}
	}
}

func TestGemm(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testGemm[float32])
		t.Run("f64", testGemm[float64])
	})
}

// TestGemmShapes covers the fast paths and the large blocked path: vector
// shapes (GEMV), tiny products, block edges and more than one mc/nc block.
func TestGemmShapes(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {1, 300, 70}, {300, 1, 70}, {1, 1, 500}, {2, 2, 2}, {3, 5, 7},
		{64, 10, 256}, {300, 200, 1}, {7, 5000, 1}, {70, 33, 513}, {150, 40, 20}, {13, 4100, 3}, {200, 130, 300},
		{37, 45, 1100},                 // k past 2·512: the epilogue after several k slices (AVX-512 kc)
		{1, 2100, 600}, {2100, 1, 600}} // GEMVs past gemmParallelFlops: rows split across goroutines
	forEachPath(t, func(t *testing.T) {
		lowerGemmParallel(t)
		r := rand.New(rand.NewPCG(2, 2))
		for _, s := range shapes {
			for _, tr := range [][2]Transpose{{NoTrans, NoTrans}, {Trans, NoTrans}, {NoTrans, Trans}, {Trans, Trans}} {
				for _, threads := range []int{1, 2, 3} {
					setThreads(t, threads)
					p32 := newGemmProblem[float32](r, tr[0], tr[1], s[0], s[1], s[2], 1, 1, 0.5)
					p32.ep.Bias = testutil.Values[float32](r, s[1], false)
					checkGemmResult(t, p32, p32.run())
					p64 := newGemmProblem[float64](r, tr[0], tr[1], s[0], s[1], s[2], 0, -1, 0)
					p64.ep.ReLU = true
					checkGemmResult(t, p64, p64.run())
				}
			}
		}
	})
}

// TestGemmThreadsBitIdentical: the split over goroutines only partitions C,
// so every thread count gives the same bits.
func TestGemmThreadsBitIdentical(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		lowerGemmParallel(t)
		r := rand.New(rand.NewPCG(3, 3))
		for _, s := range [][3]int{{200, 300, 600}, {64, 256, 784}, {1, 2000, 300}, {500, 1, 300}, {16, 4200, 40},
			{64, 10, 256}, {100, 80, 300}, {700, 40, 50}, {31, 200, 70}, {6, 4100, 600}, {13, 4100, 530}} {
			p := newGemmProblem[float32](r, NoTrans, Trans, s[0], s[1], s[2], 0, 1, 0)
			var first []float32
			for _, threads := range []int{1, 2, 3, 4} {
				setThreads(t, threads)
				got := p.run()
				if first == nil {
					first = got
					checkGemmResult(t, p, got)
					continue
				}
				for i := range got {
					if !testutil.SameBits(got[i], first[i]) {
						t.Fatalf("%v: threads=%d differs at %d: %v vs %v", p, threads, i, got[i], first[i])
					}
				}
			}
		}
	})
}

// TestGemmBLASRules: beta = 0 overwrites NaN in C; NaN/Inf in A or B
// propagate (no skipping of zeros); alpha = 0 and k = 0 only scale C; the
// padding between rows (ld > cols) is never written.
func TestGemmBLASRules(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, s := range [][3]int{{1, 40, 30}, {40, 1, 30}, {3, 3, 3}, {50, 60, 70}} {
			m, n, k := s[0], s[1], s[2]
			nan := float32(math.NaN())
			a := make([]float32, m*k) // zeros
			b := make([]float32, k*n)
			for i := range b {
				b[i] = 1
			}
			c := make([]float32, m*(n+2))
			for i := range c {
				c[i] = nan
			}
			Gemm(NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, c, n+2)
			for i := range m {
				for j := range n + 2 {
					v := c[i*(n+2)+j]
					if j < n && v != 0 {
						t.Fatalf("%v: beta=0 left C[%d,%d] = %v", s, i, j, v)
					}
					if j >= n && v == v {
						t.Fatalf("%v: padding C[%d,%d] written: %v", s, i, j, v)
					}
				}
			}
			// A NaN in A (times a zero in B) reaches its whole row of C.
			a[0] = nan
			clear(b)
			c = make([]float32, m*n)
			Gemm(NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
			for j := range n {
				if c[j] == c[j] {
					t.Fatalf("%v: NaN in A did not propagate to C[0,%d] = %v", s, j, c[j])
				}
			}
			// alpha = 0: C = beta·C, A not read (NaN in A does not matter).
			for i := range c {
				c[i] = 2
			}
			Gemm(NoTrans, NoTrans, m, n, k, 0, a, k, b, n, 3, c, n)
			assert.Equal(t, float32(6), c[len(c)-1])
			Gemm(NoTrans, NoTrans, m, n, 0, 1, nil, 1, nil, n, 0.5, c, n)
			assert.Equal(t, float32(3), c[0])
		}
	})
}

func TestGemmStridedBatched(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(4, 4))
		for _, s := range [][4]int{{3, 4, 5, 7}, {20, 30, 40, 5}, {64, 64, 64, 3}, {1, 8, 8, 4}} {
			m, n, k, batch := s[0], s[1], s[2], s[3]
			for _, threads := range []int{1, 2} {
				setThreads(t, threads)
				ps := make([]gemmProblem[float32], batch)
				var a, b, c []float32
				for i := range ps {
					ps[i] = newGemmProblem[float32](r, Trans, NoTrans, m, n, k, 0, 1.5, 0.5)
					a, b, c = append(a, ps[i].a...), append(b, ps[i].b...), append(c, ps[i].c...)
				}
				p0 := ps[0]
				GemmStridedBatched(Trans, NoTrans, m, n, k, 1.5, a, p0.lda, len(p0.a), b, p0.ldb, len(p0.b), 0.5, c, p0.ldc, len(p0.c), batch)
				for i, p := range ps {
					checkGemmResult(t, p, c[i*len(p0.c):(i+1)*len(p0.c)])
				}
			}
		}
		// stride 0 broadcasts one B over the batch.
		a := []float32{1, 2, 3, 4}
		b := []float32{10}
		c := make([]float32, 4)
		GemmStridedBatched(NoTrans, NoTrans, 1, 1, 1, 1, a, 1, 1, b, 1, 0, 0, c, 1, 1, 4)
		assert.Equal(t, []float32{10, 20, 30, 40}, c)
	})
}

func TestGemmPanics(t *testing.T) {
	a := make([]float32, 12)
	cases := []struct {
		want string
		call func()
	}{
		{"lda = 2 is less than the row length 3 of a", func() { Gemm(NoTrans, NoTrans, 4, 2, 3, 1, a, 2, a, 2, 0, a, 2) }},
		{"len(b) = 12 is too short for a 5×3 matrix", func() { Gemm(NoTrans, NoTrans, 2, 3, 5, 1, a, 5, a, 3, 0, a, 3) }},
		{"len(c) = 12 is too short", func() { Gemm(NoTrans, NoTrans, 5, 3, 2, 1, a, 2, a, 3, 0, a, 3) }},
		{"negative dimension", func() { Gemm(NoTrans, NoTrans, -1, 3, 2, 1, a, 2, a, 3, 0, a, 3) }},
		{"len(bias) = 2, want n = 3", func() {
			GemmEpilogue(NoTrans, NoTrans, 2, 3, 2, 1, a, 2, a, 3, 0, a, 3, Epilogue[float32]{Bias: a[:2]})
		}},
		{"GemmStridedBatched: len(a)", func() { GemmStridedBatched(NoTrans, NoTrans, 2, 2, 2, 1, a, 2, 4, a, 2, 0, 0, a, 2, 0, 4) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				r := recover()
				require.NotNil(t, r, c.want)
				e, ok := r.(*GemmError)
				require.True(t, ok, "panic value %T", r)
				assert.True(t, strings.Contains(e.Error(), c.want), "%q does not contain %q", e.Error(), c.want)
			}()
			c.call()
		}()
	}
}
