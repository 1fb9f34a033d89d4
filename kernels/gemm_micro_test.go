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
	prev := gemmDirectPanels
	t.Cleanup(func() { gemmDirectPanels = prev })
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(6, 6))
		for _, s := range [][3]int{{64, 10, 256}, {64, 256, 300}, {37, 50, 600}, {200, 33, 20}} {
			for _, tB := range []Transpose{NoTrans, Trans} {
				p32 := newGemmProblem[float32](r, NoTrans, tB, s[0], s[1], s[2], 1, 1, 0.5)
				p32.ep.Bias = testutil.Values[float32](r, s[1], false)
				p32.ep.ReLU = true
				p64 := newGemmProblem[float64](r, NoTrans, tB, s[0], s[1], s[2], 0, 1, 0)
				gemmDirectPanels = 0
				packed32, packed64 := p32.run(), p64.run()
				gemmDirectPanels = 1 << 30
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
