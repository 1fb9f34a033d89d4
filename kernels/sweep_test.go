package kernels

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simdtorch/simdtorch/internal/testutil"
)

var (
	sweepFull = flag.Bool("sweep.full", false, "sweep all 2^32 float32 bit patterns in TestTranscendentalSweep (minutes)")
	sweepStep = flag.Uint64("sweep.step", 4099, "stride through float32 bit patterns in TestTranscendentalSweep")
)

type transcendental struct {
	name string
	f32  [2]func(dst, x []float32) // kernel, generic
	f64  [2]func(dst, x []float64)
	// windows of float32 inputs swept densely: thresholds and switches
	windows []float32
}

func transcendentals() []transcendental {
	return []transcendental{
		{"Exp", [2]func(dst, x []float32){Exp[float32], expGeneric[float32]},
			[2]func(dst, x []float64){Exp[float64], expGeneric[float64]},
			[]float32{88.72284, -87.33655, -103.27893, -103.97208, 0, -0.34657359, 0.34657359}},
		{"Log", [2]func(dst, x []float32){Log[float32], logGeneric[float32]},
			[2]func(dst, x []float64){Log[float64], logGeneric[float64]},
			[]float32{1, 0.70710677, 1.4142135, 0x1p-126, 2}},
		{"Tanh", [2]func(dst, x []float32){Tanh[float32], tanhGeneric[float32]},
			[2]func(dst, x []float64){Tanh[float64], tanhGeneric[float64]},
			[]float32{0.625, -0.625, 0, 9.01, 44}},
		{"Sigmoid", [2]func(dst, x []float32){Sigmoid[float32], sigmoidGeneric[float32]},
			[2]func(dst, x []float64){Sigmoid[float64], sigmoidGeneric[float64]},
			[]float32{0, -87.33655, -103.27893, -103.97208, 16.635532, 88.72284}},
	}
}

// sweeper feeds inputs through a kernel and its twin in batches and keeps
// the worst ulp distance.
type sweeper[T Float] struct {
	kernel, ref func(dst, x []T)
	in          []T
	worst       int64
	worstX      T
	points      int
}

func (s *sweeper[T]) add(x T) {
	s.in = append(s.in, x)
	if len(s.in) == 4096 {
		s.flush()
	}
}

func (s *sweeper[T]) flush() {
	got := make([]T, len(s.in))
	want := make([]T, len(s.in))
	s.kernel(got, s.in)
	s.ref(want, s.in)
	for i := range got {
		if d := testutil.UlpDist(got[i], want[i]); d > s.worst {
			s.worst, s.worstX = d, s.in[i]
		}
	}
	s.points += len(s.in)
	s.in = s.in[:0]
}

// TestTranscendentalSweep checks the 4-ulp contract of Exp, Log, Tanh and
// Sigmoid: float32 over a stride through all bit patterns (every one with
// -sweep.full) plus dense windows around every threshold, float64 over
// random bit patterns and windows.
func TestTranscendentalSweep(t *testing.T) {
	step := *sweepStep
	if *sweepFull {
		step = 1
	}
	forEachPath(t, func(t *testing.T) {
		for _, tr := range transcendentals() {
			t.Run(tr.name+"/f32", func(t *testing.T) {
				s := &sweeper[float32]{kernel: tr.f32[0], ref: tr.f32[1]}
				for b := uint64(0); b < 1<<32; b += step {
					s.add(math.Float32frombits(uint32(b)))
				}
				for _, w := range tr.windows {
					for _, c := range []float32{w, -w} {
						base := int64(math.Float32bits(c))
						for d := int64(-3000); d <= 3000; d++ {
							s.add(math.Float32frombits(uint32(base + d)))
						}
					}
				}
				for b := uint32(0); b < 1<<23; b += 97 { // subnormals of both signs
					s.add(math.Float32frombits(b))
					s.add(math.Float32frombits(b | 1<<31))
				}
				s.flush()
				t.Logf("%s %s f32: max %d ulp over %d points (at x=%v)", Path(), tr.name, s.worst, s.points, s.worstX)
				if s.worst > 4 {
					t.Errorf("%s f32: %d ulp at x=%v (bits %#x)", tr.name, s.worst, s.worstX, math.Float32bits(s.worstX))
				}
			})
			t.Run(tr.name+"/f64", func(t *testing.T) {
				r := rand.New(rand.NewPCG(2, 2))
				s := &sweeper[float64]{kernel: tr.f64[0], ref: tr.f64[1]}
				for range 1 << 20 {
					s.add(math.Float64frombits(r.Uint64()))
				}
				for range 1 << 18 { // where the results are ordinary numbers
					s.add(r.Float64()*1500 - 750)
					s.add(r.NormFloat64())
				}
				for _, w := range tr.windows {
					for _, c := range []float64{float64(w), -float64(w), 709.782712893384, -708.3964185322641, -745.1332191019412} {
						base := int64(math.Float64bits(c))
						for d := int64(-1000); d <= 1000; d++ {
							s.add(math.Float64frombits(uint64(base + d*1e6)))
						}
					}
				}
				s.flush()
				t.Logf("%s %s f64: max %d ulp over %d points (at x=%v)", Path(), tr.name, s.worst, s.points, s.worstX)
				if s.worst > 4 {
					t.Errorf("%s f64: %d ulp at x=%v (bits %#x)", tr.name, s.worst, s.worstX, math.Float64bits(s.worstX))
				}
			})
		}
	})
}

// TestTranscendentalSpecials pins the special values of math.
func TestTranscendentalSpecials(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	negz := math.Copysign(0, -1)
	cases := []struct {
		name string
		f    func(dst, x []float64)
		g    func(dst, x []float32)
		in   []float64
		want []float64
	}{
		{"Exp", Exp[float64], Exp[float32], []float64{0, negz, inf, -inf, nan, 1000, -1000}, []float64{1, 1, inf, 0, nan, inf, 0}},
		{"Log", Log[float64], Log[float32], []float64{1, 0, negz, -1, inf, -inf, nan}, []float64{0, -inf, -inf, nan, inf, nan, nan}},
		{"Tanh", Tanh[float64], Tanh[float32], []float64{0, negz, inf, -inf, nan, 30, -30}, []float64{0, negz, 1, -1, nan, 1, -1}},
		{"Sigmoid", Sigmoid[float64], Sigmoid[float32], []float64{0, negz, inf, -inf, nan, 800, -800}, []float64{0.5, 0.5, 1, 0, nan, 1, 0}},
	}
	forEachPath(t, func(t *testing.T) {
		for _, c := range cases {
			got := make([]float64, len(c.in))
			c.f(got, c.in)
			in32 := make([]float32, len(c.in))
			for i, v := range c.in {
				in32[i] = float32(v)
			}
			got32 := make([]float32, len(c.in))
			c.g(got32, in32)
			for i := range c.in {
				if !testutil.SameBits(got[i], c.want[i]) || !testutil.SameBits(got32[i], float32(c.want[i])) {
					t.Errorf("%s(%v) = %v (f64), %v (f32); want %v", c.name, c.in[i], got[i], got32[i], c.want[i])
				}
			}
		}
	})
}
