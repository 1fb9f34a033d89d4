package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

// testGemmMicro calls the active path's micro-kernel directly on one tile
// with guards around C (and sentinels in the gap between its rows), NaN in
// C when beta = 0, bias and ReLU, NaN through A and bias, against a
// float64 reference.
func testGemmMicro[T Float](t *testing.T) {
	g := opsFor[T]().gemm
	mr, nr := g.mr, g.nr
	r := rand.New(rand.NewPCG(5, 5))
	nan := T(math.NaN())
	for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 255, 256} {
		for trial := range 12 {
			beta := []T{0, 1, 0.5, T(math.Copysign(0, -1))}[trial%4]
			useBias, relu := trial%3 == 1, trial%2 == 1
			ldc := nr + trial%5
			a := testutil.NewGuarded("a", k*mr, trial%8, testutil.Values[T](r, k*mr, false)...)
			b := testutil.NewGuarded("b", k*nr, (trial+3)%8, testutil.Values[T](r, k*nr, false)...)
			c := testutil.NewGuarded[T]("c", (mr-1)*ldc+nr, trial%8)
			vals := testutil.Values[T](r, len(c.S), false)
			var bias []T
			var bg *testutil.Guarded[T]
			if useBias {
				bg = testutil.NewGuarded("bias", nr, trial%8, testutil.Values[T](r, nr, false)...)
				bias = bg.S
				if trial%4 == 1 {
					bias[nr-1] = nan
				}
			}
			if trial%6 == 5 {
				a.S[(k-1)*mr+mr-1] = nan // last row of the tile becomes NaN
			}
			gap := func(i int) bool { return i%ldc >= nr }
			for i := range c.S {
				switch {
				case gap(i):
					c.S[i] = T(math.Float32frombits(0x7fa5a5a5)) // must stay untouched
				case beta == 0:
					c.S[i] = nan
				default:
					c.S[i] = vals[i]
				}
			}
			before := append([]T(nil), c.S...)
			g.micro(k, a.S, b.S, c.S, ldc, beta, bias, relu)
			if g.microRows != nil {
				// The same A stored by rows (lda ≥ k) must give the same bits.
				lda := k + trial%3
				ar := testutil.NewGuarded[T]("a rows", (mr-1)*lda+k, trial%8)
				for i := range mr {
					for p := range k {
						ar.S[i*lda+p] = a.S[p*mr+i]
					}
				}
				c2 := testutil.NewGuarded("c rows", len(c.S), (trial+1)%8, before...)
				g.microRows(k, ar.S, lda, b.S, c2.S, ldc, beta, bias, relu)
				for _, gd := range []*testutil.Guarded[T]{ar, c2} {
					if err := gd.Check(); err != nil {
						t.Fatalf("k=%d trial=%d: microRows: %v", k, trial, err)
					}
				}
				for i := range c.S {
					if !testutil.SameBits(c.S[i], c2.S[i]) {
						t.Fatalf("k=%d trial=%d: microRows C[%d] = %v, micro %v", k, trial, i, c2.S[i], c.S[i])
					}
				}
			}
			for _, gd := range []*testutil.Guarded[T]{a, b, c, bg} {
				if gd != nil {
					if err := gd.Check(); err != nil {
						t.Fatalf("k=%d trial=%d: %v", k, trial, err)
					}
				}
			}
			for i := range mr {
				for j := range ldc {
					idx := i*ldc + j
					if idx >= len(c.S) {
						break
					}
					got := c.S[idx]
					if gap(idx) {
						if !testutil.SameBits(got, before[idx]) {
							t.Fatalf("k=%d trial=%d: gap C[%d,%d] written: %v", k, trial, i, j, got)
						}
						continue
					}
					var s, sa float64
					for p := range k {
						x, y := float64(a.S[p*mr+i]), float64(b.S[p*nr+j])
						s += x * y
						sa += math.Abs(x * y)
					}
					if beta != 0 {
						s += float64(beta) * float64(before[idx])
						sa += math.Abs(float64(beta) * float64(before[idx]))
					}
					if bias != nil {
						s += float64(bias[j])
						sa += math.Abs(float64(bias[j]))
					}
					if relu && s < 0 {
						s = 0
					}
					if math.IsNaN(s) {
						if got == got {
							t.Fatalf("k=%d trial=%d: C[%d,%d] = %v, want NaN", k, trial, i, j, got)
						}
						continue
					}
					tol := float64(k+4)*testutil.Eps[T]()*sa + float64(testutil.Tiny[T]())
					if math.Abs(float64(got)-s) > tol || (relu && got < 0) {
						t.Fatalf("k=%d trial=%d beta=%v bias=%v relu=%v: C[%d,%d] = %v, want %v", k, trial, beta, useBias, relu, i, j, got, s)
					}
				}
			}
		}
	}
}

func TestGemmMicro(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testGemmMicro[float32])
		t.Run("f64", testGemmMicro[float64])
	})
}

// TestGemmDirectBitIdentical: reading A in place (microRows) and packing
// it give the same bits, so the driver may choose either per goroutine.
func TestGemmDirectBitIdentical(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		g32, g64 := &opsFor[float32]().gemm, &opsFor[float64]().gemm
		prev32, prev64 := g32.directPanels, g64.directPanels
		t.Cleanup(func() { g32.directPanels, g64.directPanels = prev32, prev64 })
		r := rand.New(rand.NewPCG(6, 6))
		for _, s := range [][3]int{{64, 10, 256}, {64, 256, 300}, {37, 50, 600}, {200, 33, 20}} {
			for _, tB := range []Transpose{NoTrans, Trans} {
				p32 := newGemmProblem[float32](r, NoTrans, tB, s[0], s[1], s[2], 1, 1, 0.5)
				p32.ep.Bias = testutil.Values[float32](r, s[1], false)
				p32.ep.ReLU = true
				p64 := newGemmProblem[float64](r, NoTrans, tB, s[0], s[1], s[2], 0, 1, 0)
				g32.directPanels, g64.directPanels = -1, -1 // never
				packed32, packed64 := p32.run(), p64.run()
				g32.directPanels, g64.directPanels = 1<<30, 1<<30
				direct32, direct64 := p32.run(), p64.run()
				checkGemmResult(t, p32, direct32)
				checkGemmResult(t, p64, direct64)
				for i := range packed32 {
					if !testutil.SameBits(packed32[i], direct32[i]) {
						t.Fatalf("%v: f32 direct differs at %d: %v vs %v", p32, i, direct32[i], packed32[i])
					}
				}
				for i := range packed64 {
					if !testutil.SameBits(packed64[i], direct64[i]) {
						t.Fatalf("%v: f64 direct differs at %d: %v vs %v", p64, i, direct64[i], packed64[i])
					}
				}
			}
		}
	})
}

// testGemmMicroEdge checks a path's edge kernel (microEdge, A packed and
// A in place) against its full micro-kernel: on every corner of the
// tile (rows ≤ mr, cols ≤ nr) the edge kernel must give each element of
// the corner the bits micro gives it, and touch nothing else of C (the
// corner's slice is guarded and the rest of each row holds sentinels).
func testGemmMicroEdge[T Float](t *testing.T) {
	g := opsFor[T]().gemm
	if g.microEdge == nil {
		t.Skip("no edge kernels on this path")
	}
	mr, nr := g.mr, g.nr
	r := rand.New(rand.NewPCG(7, 7))
	sent := T(math.Float32frombits(0x7fa5a5a5))
	trial := 0
	for _, k := range []int{1, 3, 4, 5, 9, 64} {
		for rows := 1; rows <= mr; rows++ {
			for cols := 1; cols <= nr; cols++ {
				trial++
				beta := []T{0, 1, 0.5, T(math.Copysign(0, -1))}[trial%4]
				relu := trial%2 == 1
				ldc := nr + trial%3
				a := testutil.Values[T](r, k*mr, false)
				b := testutil.Values[T](r, k*nr, false)
				var bias []T
				if trial%3 == 1 {
					bias = testutil.Values[T](r, nr, false)
				}
				c0 := testutil.Values[T](r, (mr-1)*ldc+nr, false)
				if beta == 0 {
					for i := range c0 {
						c0[i] = T(math.NaN())
					}
				}
				want := append([]T(nil), c0...)
				g.micro(k, a, b, want, ldc, beta, bias, relu)
				var eb []T
				if bias != nil {
					eb = testutil.NewGuarded("bias", cols, trial%8, bias[:cols]...).S
				}
				check := func(name string, run func(c []T)) {
					t.Helper()
					n := (rows-1)*ldc + cols
					c := testutil.NewGuarded("c", n, trial%8, c0[:n]...)
					for i := range c.S {
						if i%ldc >= cols {
							c.S[i] = sent
						}
					}
					run(c.S)
					if err := c.Check(); err != nil {
						t.Fatalf("%s k=%d rows=%d cols=%d: %v", name, k, rows, cols, err)
					}
					for i, v := range c.S {
						if i%ldc >= cols {
							if !testutil.SameBits(v, sent) {
								t.Fatalf("%s k=%d rows=%d cols=%d: C[%d,%d] outside the corner written: %v", name, k, rows, cols, i/ldc, i%ldc, v)
							}
							continue
						}
						w := want[i]
						if !testutil.SameBits(v, w) && !(v != v && w != w) {
							t.Fatalf("%s k=%d rows=%d cols=%d beta=%v relu=%v bias=%v: C[%d,%d] = %v, micro gives %v",
								name, k, rows, cols, beta, relu, bias != nil, i/ldc, i%ldc, v, w)
						}
					}
				}
				check("microEdge packed", func(c []T) { g.microEdge(k, a, 1, mr, b, nr, c, ldc, beta, eb, relu, rows, cols) })
				lda := k + trial%3
				ar := testutil.NewGuarded[T]("a rows", (rows-1)*lda+k, trial%8)
				for i := range rows {
					for p := range k {
						ar.S[i*lda+p] = a[p*mr+i]
					}
				}
				// B in place too: row p of it is ldb apart, cols long.
				ldb := cols + trial%4
				bs := testutil.NewGuarded[T]("b rows", (k-1)*ldb+cols, (trial+5)%8)
				for p := range k {
					copy(bs.S[p*ldb:p*ldb+cols], b[p*nr:p*nr+cols])
				}
				check("microEdge rows", func(c []T) { g.microEdge(k, ar.S, lda, 1, bs.S, ldb, c, ldc, beta, eb, relu, rows, cols) })
			}
		}
	}
}

func TestGemmMicroEdge(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testGemmMicroEdge[float32])
		t.Run("f64", testGemmMicroEdge[float64])
	})
}

// BenchmarkGemmMicro: one path's micro-kernel on one in-cache tile (k =
// 256, beta = 1), the ceiling the blocked driver can reach.
func BenchmarkGemmMicro(b *testing.B) {
	for _, p := range Paths() {
		b.Run("path="+p, func(b *testing.B) {
			prev, err := SetPath(p)
			if err != nil {
				b.Fatal(err)
			}
			defer SetPath(prev)
			b.Run("f32", benchGemmMicro[float32])
			b.Run("f64", benchGemmMicro[float64])
		})
	}
}

const benchMicroK = 256

func benchGemmMicro[T Float](b *testing.B) {
	g := opsFor[T]().gemm
	k := benchMicroK
	r := rand.New(rand.NewPCG(1, 1))
	a := testutil.Values[T](r, k*g.mr, false)
	bp := testutil.Values[T](r, k*g.nr, false)
	c := make([]T, g.mr*g.nr)
	for b.Loop() {
		g.micro(k, a, bp, c, g.nr, 1, nil, false)
	}
	b.ReportMetric(2*float64(k*g.mr*g.nr)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestGemmAxpyRows: a path's axpyRows kernel gives the bits of one axpy
// per row, in order, and writes nothing outside y (guards), for row counts
// around its row blocking and lengths around its vector widths.
func TestGemmAxpyRows(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		t.Run("f32", testGemmAxpyRows[float32])
		t.Run("f64", testGemmAxpyRows[float64])
	})
}

func testGemmAxpyRows[T Float](t *testing.T) {
	o := opsFor[T]()
	if o.gemm.axpyRows == nil {
		t.Skip("no axpyRows kernel on this path")
	}
	r := rand.New(rand.NewPCG(8, 8))
	for _, rows := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 13} {
		for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 31, 63, 64, 65, 127, 128, 129, 200, 257} {
			ldb := n + rows%3
			x := testutil.Values[T](r, rows, false)
			b := testutil.NewGuarded("b", max(0, (rows-1)*ldb+n), rows%8, testutil.Values[T](r, max(0, (rows-1)*ldb+n), false)...)
			y0 := testutil.Values[T](r, n, false)
			want := append([]T(nil), y0...)
			for p := range rows {
				o.axpy(x[p], b.S[p*ldb:p*ldb+n], want)
			}
			y := testutil.NewGuarded("y", n, (rows+n)%8, y0...)
			o.gemm.axpyRows(x, b.S, ldb, y.S)
			for _, g := range []*testutil.Guarded[T]{b, y} {
				if err := g.Check(); err != nil {
					t.Fatalf("rows=%d n=%d: %v", rows, n, err)
				}
			}
			for j := range n {
				if !testutil.SameBits(y.S[j], want[j]) {
					t.Fatalf("rows=%d n=%d: y[%d] = %v, axpys give %v", rows, n, j, y.S[j], want[j])
				}
			}
		}
	}
}
