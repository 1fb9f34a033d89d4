package nn_test

import (
	"math"
	"strings"
	"testing"

	"github.com/simdtorch/simdtorch/nn"
	"github.com/simdtorch/simdtorch/tensor"
)

func stats(t *tensor.Tensor) map[string]float64 {
	t = t.To(tensor.Float64)
	return map[string]float64{
		"mean":      t.Mean().Item(),
		"std":       t.Std().Item(),
		"min":       t.Min().Item(),
		"max":       t.Max().Item(),
		"zero_frac": t.EqScalar(0).Mean().Item(),
	}
}

// The init functions' statistics over large tensors match PyTorch's
// (different random streams, so within sampling error).
func TestInitStatistics(t *testing.T) {
	const R, C = 256, 512
	g := tensor.NewGenerator(7)
	G := nn.WithGenerator(g)
	e := func(shape ...int) *tensor.Tensor { return tensor.Empty(shape...) }
	cases := map[string]*tensor.Tensor{
		"uniform_m2_3":                nn.Uniform(e(R, C), -2, 3, G),
		"normal_1_0.5":                nn.Normal(e(R, C), 1, 0.5, G),
		"xavier_uniform":              nn.XavierUniform(e(R, C), G),
		"xavier_uniform_gain2":        nn.XavierUniform(e(R, C), nn.Gain(2), G),
		"xavier_normal":               nn.XavierNormal(e(R, C), G),
		"kaiming_uniform":             nn.KaimingUniform(e(R, C), G),
		"kaiming_uniform_relu_fanout": nn.KaimingUniform(e(R, C), nn.FanOut(), nn.Nonlinearity("relu"), G),
		"kaiming_normal":              nn.KaimingNormal(e(R, C), G),
		"kaiming_normal_a_fanout":     nn.KaimingNormal(e(R, C), nn.A(0.2), nn.FanOut(), G),
		"kaiming_uniform_conv":        nn.KaimingUniform(e(64, 32, 3, 3), nn.Nonlinearity("relu"), G),
		"trunc_normal":                nn.TruncNormal(e(R, C), 0.5, 1, -1, 1.5, G),
		"trunc_normal_std002":         nn.TruncNormal(e(R, C), 0, 0.02, -2, 2, G),
		"sparse":                      nn.Sparse(e(R, C), 0.3, 0.5, G),
		"orthogonal":                  nn.Orthogonal(e(R, C), G),
		"linear_weight":               nn.NewLinear(C, R, G).Weight.Value(),
		"linear_bias":                 nn.NewLinear(C, 4096, G).Bias.Value(),
		"embedding":                   nn.NewEmbedding(R, C, G).Weight.Value(),
	}
	var want map[string]map[string]float64
	golden(t, "init_stats", &want)
	for name, x := range cases {
		w, ok := want[name]
		if !ok {
			t.Fatalf("no golden statistics for %s", name)
		}
		got := stats(x)
		n := float64(x.Numel())
		sd := w["std"]
		check := func(stat string, tol float64) {
			if d := math.Abs(got[stat] - w[stat]); d > tol {
				t.Errorf("%s: %s = %.6g, torch %.6g (|diff| %.3g > %.3g)", name, stat, got[stat], w[stat], d, tol)
			}
		}
		check("mean", 6*sd/math.Sqrt(n)+1e-12)
		check("std", 0.03*sd)
		check("zero_frac", 0.005)
		spread := w["max"] - w["min"]
		bounded := strings.Contains(name, "uniform") || strings.HasPrefix(name, "linear") || name == "trunc_normal"
		if bounded {
			check("min", 0.01*spread)
			check("max", 0.01*spread)
		} else {
			check("min", 0.15*spread)
			check("max", 0.15*spread)
		}
	}
	// Truncation bounds are absolute.
	if x := cases["trunc_normal"]; x.Min().Item() < -1 || x.Max().Item() > 1.5 {
		t.Errorf("trunc_normal outside [-1, 1.5]")
	}
}

func TestCalculateGain(t *testing.T) {
	var want map[string]float64
	golden(t, "gains", &want)
	for name, v := range want {
		var got float64
		var err error
		if name == "leaky_relu_0.2" {
			got, err = nn.CalculateGain("leaky_relu", 0.2)
		} else {
			got, err = nn.CalculateGain(name)
		}
		if err != nil || math.Abs(got-v) > 1e-15 {
			t.Errorf("CalculateGain(%s) = %v, %v; want %v", name, got, err, v)
		}
	}
	for _, bad := range []string{"softmax", "ReLU", "", "gelu"} {
		if _, err := nn.CalculateGain(bad); err == nil || !strings.Contains(err.Error(), "Unsupported nonlinearity") {
			t.Errorf("CalculateGain(%q) error %v", bad, err)
		}
	}
	mustPanic(t, "Kaiming with an unknown nonlinearity", func() { nn.KaimingUniform(tensor.Empty(2, 2), nn.Nonlinearity("swish")) })
}

func TestInitDeterministic(t *testing.T) {
	// Eye
	x := nn.Eye(tensor.Empty(2, 3).Fill(7))
	close(t, "eye", x.Float64s(), []float64{1, 0, 0, 0, 1, 0}, 0, 0)
	mustPanic(t, "Eye on 3-D", func() { nn.Eye(tensor.Empty(2, 2, 2)) })
	// Dirac: conv weight [out, in, k]; groups.
	d := nn.Dirac(tensor.Empty(4, 2, 3).Fill(5), nn.Groups(2))
	want := make([]float64, 24)
	for _, idx := range [][3]int{{0, 0, 1}, {1, 1, 1}, {2, 0, 1}, {3, 1, 1}} {
		want[idx[0]*6+idx[1]*3+idx[2]] = 1
	}
	close(t, "dirac", d.Float64s(), want, 0, 0)
	d4 := nn.Dirac(tensor.Empty(3, 3, 3, 3))
	if d4.Sum().Item() != 3 || d4.At(2, 2, 1, 1) != 1 {
		t.Errorf("dirac 4-D")
	}
	mustPanic(t, "Dirac on 2-D", func() { nn.Dirac(tensor.Empty(2, 2)) })
	mustPanic(t, "Dirac groups", func() { nn.Dirac(tensor.Empty(3, 2, 3), nn.Groups(2)) })
	// Constant, Ones, Zeros on each kind of argument.
	p := nn.NewParameter(tensor.Empty(3))
	nn.Ones(p)
	b := nn.NewBuffer(tensor.Empty(2))
	nn.Constant(b, 2.5)
	v := nn.Zeros(tensor.Ones(2))
	if p.Value().Sum().Item() != 3 || b.Sum().Item() != 5 || v.Sum().Item() != 0 {
		t.Error("constant fills")
	}
	// Orthogonal, wide and tall, with gain.
	for _, shape := range [][]int{{3, 7}, {7, 3}, {4, 2, 3}} {
		w := nn.Orthogonal(tensor.Float64.Empty(shape...), nn.Gain(2))
		m := w.Reshape(shape[0], -1)
		var prod *tensor.Tensor
		k := min(m.Size(0), m.Size(1))
		if m.Size(0) <= m.Size(1) {
			prod = m.MatMul(m.T())
		} else {
			prod = m.T().MatMul(m)
		}
		close(t, "orthogonal", prod.Float64s(), tensor.Float64.Eye(k, k).MulScalar(4).Float64s(), 1e-12, 0)
	}
	mustPanic(t, "Orthogonal on 1-D", func() { nn.Orthogonal(tensor.Empty(3)) })
	// Sparse: exactly ceil(sparsity·rows) zeros per column.
	s := nn.Sparse(tensor.Empty(10, 6), 0.25, 1)
	for c := range 6 {
		if z := s.Select(1, c).EqScalar(0).Sum().Item(); z != 3 {
			t.Errorf("sparse column %d has %v zeros, want 3", c, z)
		}
	}
	// Same generator seed, same values.
	a := nn.KaimingNormal(tensor.Empty(5, 5), nn.WithGenerator(tensor.NewGenerator(1)))
	c := nn.KaimingNormal(tensor.Empty(5, 5), nn.WithGenerator(tensor.NewGenerator(1)))
	close(t, "seeded", a.Float64s(), c.Float64s(), 0, 0)
	// Fans need 2 dimensions.
	mustPanic(t, "xavier on 1-D", func() { nn.XavierUniform(tensor.Empty(4)) })
	// A zero-element tensor is left alone by Kaiming (PyTorch warns).
	nn.KaimingUniform(tensor.Empty(0, 3))
	mustPanic(t, "option that does not apply", func() { nn.Uniform(tensor.Empty(2), 0, 1, nn.NoBias()) })
}
