package nn

import (
	"fmt"
	"math"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// Initialisation (torch.nn.init). Each function fills its argument in
// place with PyTorch's formula and returns it. The argument may be a
// *Parameter, a *Buffer, a *grad.Variable or a *tensor.Tensor; the
// functions write into the value directly, recording nothing (as
// torch.nn.init runs under torch.no_grad), so they work on parameters
// that require grad. Random ones draw from tensor's seeded default
// generator, or from the one given by WithGenerator.

// Initable is what the init functions fill.
type Initable interface {
	*tensor.Tensor | *grad.Variable | *Parameter | *Buffer
}

func target[T Initable](op string, x T) *tensor.Tensor {
	var t *tensor.Tensor
	switch v := any(x).(type) {
	case *tensor.Tensor:
		t = v
	case *grad.Variable:
		if v != nil {
			t = v.Value()
		}
	case *Parameter:
		if v != nil && v.Variable != nil {
			t = v.Value()
		}
	case *Buffer:
		if v != nil {
			t = v.Tensor
		}
	}
	if t == nil {
		panic(misuse(op, "nil tensor"))
	}
	return t
}

// Uniform fills x with values drawn from U(a, b) (uniform_). Options:
// WithGenerator.
func Uniform[T Initable](x T, a, b float64, opts ...Option) T {
	c := applyOptions("Uniform", opts, "WithGenerator")
	t := target("Uniform", x)
	t.Copy(t.DType().Rand(c.gen, t.Shape()...).MulScalar(b - a).AddScalar(a))
	return x
}

// Normal fills x with values drawn from N(mean, std²) (normal_). Options:
// WithGenerator.
func Normal[T Initable](x T, mean, std float64, opts ...Option) T {
	c := applyOptions("Normal", opts, "WithGenerator")
	t := target("Normal", x)
	t.Copy(t.DType().Randn(c.gen, t.Shape()...).MulScalar(std).AddScalar(mean))
	return x
}

// Constant fills x with v (constant_).
func Constant[T Initable](x T, v float64) T {
	target("Constant", x).Fill(v)
	return x
}

// Ones fills x with ones (ones_).
func Ones[T Initable](x T) T { return Constant(x, 1) }

// Zeros fills x with zeros (zeros_).
func Zeros[T Initable](x T) T { return Constant(x, 0) }

// Eye fills the 2-D x with the identity matrix (eye_), preserving the
// identity of the inputs in Linear layers.
func Eye[T Initable](x T) T {
	t := target("Eye", x)
	if t.Dim() != 2 {
		panic(misuse("Eye", "Only tensors with 2 dimensions are supported"))
	}
	t.Copy(tensor.Eye(t.Size(0), t.Size(1)))
	return x
}

// Dirac fills the 3-, 4- or 5-D x with the Dirac delta (dirac_),
// preserving the identity of the inputs in convolutional layers: as many
// input channels as possible are kept, in each group. Options: Groups.
func Dirac[T Initable](x T, opts ...Option) T {
	c := applyOptions("Dirac", opts, "Groups")
	t := target("Dirac", x)
	n := t.Dim()
	if n < 3 || n > 5 {
		panic(misuse("Dirac", "Only tensors with 3, 4, or 5 dimensions are supported"))
	}
	s := t.Shape()
	if c.groups <= 0 || s[0]%c.groups != 0 {
		panic(misuse("Dirac", "dim 0 must be divisible by groups"))
	}
	perGroup := s[0] / c.groups
	minDim := min(perGroup, s[1])
	t.Fill(0)
	idx := make([]int, n)
	for g := range c.groups {
		for d := range minDim {
			idx[0], idx[1] = g*perGroup+d, d
			for k := 2; k < n; k++ {
				idx[k] = s[k] / 2
			}
			t.Set(1, idx...)
		}
	}
	return x
}

// fans returns PyTorch's fan_in and fan_out of a weight: dimension 1 and
// 0 times the receptive field (the product of the dimensions after 1).
func fans(op string, t *tensor.Tensor) (in, out int) {
	if t.Dim() < 2 {
		panic(misuse(op, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"))
	}
	s := t.Shape()
	rf := 1
	for _, d := range s[2:] {
		rf *= d
	}
	return s[1] * rf, s[0] * rf
}

// CalculateGain returns the recommended gain for a nonlinearity
// (calculate_gain): 1 for "linear", "conv1d", "conv2d", "conv3d",
// "conv_transpose1d", "conv_transpose2d", "conv_transpose3d" and
// "sigmoid"; 5/3 for "tanh"; √2 for "relu"; √(2/(1+slope²)) for
// "leaky_relu" with the slope given as param (default 0.01); 3/4 for
// "selu". Other names, and more than one param, are errors.
func CalculateGain(nonlinearity string, param ...float64) (float64, error) {
	if len(param) > 1 {
		return 0, fmt.Errorf("nn: CalculateGain: at most one param, got %d", len(param))
	}
	switch nonlinearity {
	case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid":
		return 1, nil
	case "tanh":
		return 5.0 / 3, nil
	case "relu":
		return math.Sqrt2, nil
	case "leaky_relu":
		slope := 0.01
		if len(param) == 1 {
			slope = param[0]
			if math.IsNaN(slope) {
				return 0, fmt.Errorf("nn: CalculateGain: negative_slope %v not a valid number", slope)
			}
		}
		return math.Sqrt(2 / (1 + slope*slope)), nil
	case "selu":
		return 3.0 / 4, nil
	}
	return 0, fmt.Errorf("nn: CalculateGain: Unsupported nonlinearity %s", nonlinearity)
}

func xavierStd(op string, t *tensor.Tensor, gain float64) float64 {
	in, out := fans(op, t)
	return gain * math.Sqrt(2/float64(in+out))
}

// XavierUniform fills x with U(-a, a), a = gain·√(6/(fan_in+fan_out))
// (xavier_uniform_, Glorot & Bengio 2010). Options: Gain, WithGenerator.
func XavierUniform[T Initable](x T, opts ...Option) T {
	c := applyOptions("XavierUniform", opts, "Gain", "WithGenerator")
	t := target("XavierUniform", x)
	a := math.Sqrt(3) * xavierStd("XavierUniform", t, c.gain)
	return Uniform(x, -a, a, WithGenerator(c.gen))
}

// XavierNormal fills x with N(0, std²), std = gain·√(2/(fan_in+fan_out))
// (xavier_normal_). Options: Gain, WithGenerator.
func XavierNormal[T Initable](x T, opts ...Option) T {
	c := applyOptions("XavierNormal", opts, "Gain", "WithGenerator")
	t := target("XavierNormal", x)
	return Normal(x, 0, xavierStd("XavierNormal", t, c.gain), WithGenerator(c.gen))
}

// kaimingStd returns gain/√fan; ok is false for a tensor with no elements
// (which PyTorch leaves alone with a warning).
func kaimingStd(op string, t *tensor.Tensor, c config) (float64, bool) {
	if t.Numel() == 0 {
		return 0, false
	}
	in, out := fans(op, t)
	fan := in
	if c.fanOut {
		fan = out
	}
	gain, err := CalculateGain(c.nonlinearity, c.a)
	if err != nil {
		panic(misuse(op, err.Error()))
	}
	return gain / math.Sqrt(float64(fan)), true
}

// KaimingUniform fills x with U(-bound, bound), bound = gain·√(3/fan)
// (kaiming_uniform_, He et al. 2015). The gain is CalculateGain's for the
// Nonlinearity (default "leaky_relu") with slope A (default 0); fan is
// fan_in, or fan_out with FanOut. Options: A, FanOut, Nonlinearity,
// WithGenerator.
func KaimingUniform[T Initable](x T, opts ...Option) T {
	c := applyOptions("KaimingUniform", opts, "A", "FanOut", "Nonlinearity", "WithGenerator")
	std, ok := kaimingStd("KaimingUniform", target("KaimingUniform", x), c)
	if !ok {
		return x
	}
	b := math.Sqrt(3) * std
	return Uniform(x, -b, b, WithGenerator(c.gen))
}

// KaimingNormal fills x with N(0, std²), std = gain/√fan
// (kaiming_normal_), with KaimingUniform's gain and fan. Options: A,
// FanOut, Nonlinearity, WithGenerator.
func KaimingNormal[T Initable](x T, opts ...Option) T {
	c := applyOptions("KaimingNormal", opts, "A", "FanOut", "Nonlinearity", "WithGenerator")
	std, ok := kaimingStd("KaimingNormal", target("KaimingNormal", x), c)
	if !ok {
		return x
	}
	return Normal(x, 0, std, WithGenerator(c.gen))
}

// TruncNormal fills x with values from N(mean, std²) truncated to the
// absolute bounds [a, b] (trunc_normal_; PyTorch's defaults are 0, 1, -2,
// 2), by inverse-CDF sampling as PyTorch does. Options: WithGenerator.
func TruncNormal[T Initable](x T, mean, std, a, b float64, opts ...Option) T {
	c := applyOptions("TruncNormal", opts, "WithGenerator")
	t := target("TruncNormal", x)
	cdf := func(v float64) float64 { return (1 + math.Erf(v/math.Sqrt2)) / 2 }
	l, u := cdf((a-mean)/std), cdf((b-mean)/std)
	r := tensor.Float64.Rand(c.gen, t.Shape()...)
	vals := tensor.Data[float64](r)
	lo, hi := 2*l-1, 2*u-1
	for i, v := range vals {
		y := math.Erfinv(lo+(hi-lo)*v)*std*math.Sqrt2 + mean
		vals[i] = min(max(y, a), b)
	}
	t.Copy(r)
	return x
}

// Orthogonal fills x with a (semi-)orthogonal matrix (orthogonal_, Saxe
// et al. 2013): the Q of the QR decomposition of a normal random matrix,
// with signs fixed by R's diagonal, times Gain. x must have at least 2
// dimensions; the ones after the first are flattened. Options: Gain,
// WithGenerator.
func Orthogonal[T Initable](x T, opts ...Option) T {
	c := applyOptions("Orthogonal", opts, "Gain", "WithGenerator")
	t := target("Orthogonal", x)
	if t.Dim() < 2 {
		panic(misuse("Orthogonal", "Only tensors with 2 or more dimensions are supported"))
	}
	if t.Numel() == 0 {
		return x
	}
	rows := t.Size(0)
	cols := t.Numel() / rows
	flat := tensor.Float64.Randn(c.gen, rows, cols)
	if rows < cols {
		flat = flat.T()
	}
	q, r := flat.QR()
	k := min(rows, cols)
	sign := tensor.Float64.Zeros(k)
	for i := range k {
		d := r.At(i, i)
		switch {
		case d > 0:
			sign.Set(1, i)
		case d < 0:
			sign.Set(-1, i)
		}
	}
	q = q.Mul(sign)
	if rows < cols {
		q = q.T()
	}
	t.Copy(q.MulScalar(c.gain).Reshape(t.Shape()...))
	return x
}

// Sparse fills the 2-D x as a sparse matrix (sparse_, Martens 2010): each
// column gets ceil(sparsity·rows) zeros at random rows, the other entries
// are drawn from N(0, std²) (PyTorch's std default is 0.01). Options:
// WithGenerator.
func Sparse[T Initable](x T, sparsity, std float64, opts ...Option) T {
	c := applyOptions("Sparse", opts, "WithGenerator")
	t := target("Sparse", x)
	if t.Dim() != 2 {
		panic(misuse("Sparse", "Only tensors with 2 dimensions are supported"))
	}
	rows, cols := t.Size(0), t.Size(1)
	nz := int(math.Ceil(sparsity * float64(rows)))
	Normal(t, 0, std, WithGenerator(c.gen))
	g := c.gen
	if g == nil {
		g = tensor.DefaultGenerator()
	}
	for col := range cols {
		perm := g.RandPerm(rows)
		for i := range min(nz, rows) {
			t.Set(0, int(perm.At(i)), col)
		}
	}
	return x
}
