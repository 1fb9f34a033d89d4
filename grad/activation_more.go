package grad

import "github.com/simdtorch/simdtorch/tensor"

// Hardtanh returns v clamped to [lo, hi] (torch.nn.functional.hardtanh).
// Its gradient is 1 strictly inside and 0 at and beyond the bounds, as
// PyTorch's (Clamp passes it at the bounds too).
func (v *Variable) Hardtanh(lo, hi float64) *Variable {
	inside := v.value.GtScalar(lo).Mul(v.value.LtScalar(hi))
	return Where(inside, v, New(v.value.Clamp(lo, hi)))
}

// ReLU6 returns min(max(v, 0), 6) (torch.nn.functional.relu6, PyTorch's
// hardtanh(v, 0, 6): gradient 0 at 0 and at 6).
func (v *Variable) ReLU6() *Variable { return v.Hardtanh(0, 6) }

// Hardsigmoid returns relu6(v + 3)/6 (torch.nn.functional.hardsigmoid):
// gradient 1/6 strictly between -3 and 3, else 0.
func (v *Variable) Hardsigmoid() *Variable { return v.AddScalar(3).Hardtanh(0, 6).DivScalar(6) }

// Hardswish returns v·relu6(v + 3)/6 (torch.nn.functional.hardswish),
// with PyTorch 1.13's gradient: 0 below -3, v/3 + 1/2 from -3 (included)
// to 3 (excluded), 1 from 3 on.
func (v *Variable) Hardswish() *Variable {
	mid := v.Mul(v.AddScalar(3)).DivScalar(6)
	upper := Where(v.value.LtScalar(3), mid, v)
	return Where(v.value.LtScalar(-3), New(v.value.MulScalar(0)), upper)
}

// Mish returns v·tanh(softplus(v)) (torch.nn.functional.mish).
func (v *Variable) Mish() *Variable { return v.Mul(v.Softplus(1, 20).Tanh()) }

// LogSigmoid returns log(sigmoid(v)) = -softplus(-v)
// (torch.nn.functional.logsigmoid), without overflow for large |v|.
func (v *Variable) LogSigmoid() *Variable { return v.Neg().Softplus(1, 20).Neg() }

// Softsign returns v/(1 + |v|) (torch.nn.functional.softsign).
func (v *Variable) Softsign() *Variable { return v.Div(v.Abs().AddScalar(1)) }

// Tanhshrink returns v - tanh(v) (torch.nn.functional.tanhshrink).
func (v *Variable) Tanhshrink() *Variable { return v.Sub(v.Tanh()) }

// PReLU returns max(0, x) + weight·min(0, x) (torch.nn.functional.prelu):
// weight holds one slope, or one per channel (dimension 1 of x, or 0 for a
// 1-D x). At x = 0 the input's gradient is the slope and the slope's 0,
// as PyTorch's. A weight of another size panics with both shapes.
func PReLU(x, weight Operand) *Variable {
	xv, w := varOf(x), varOf(weight)
	if w.value.Dim() > 1 {
		panic(misuse("PReLU", "weight must be 1-D, got shape "+fmtShape(w.value.Shape())))
	}
	n := w.value.Numel()
	if n != 1 {
		ch := 0
		if xv.value.Dim() >= 2 {
			ch = 1
		}
		if xv.value.Dim() == 0 || xv.value.Size(ch) != n {
			panic(misuse("PReLU", "Mismatch of parameter numbers and input channel size. Found parameter numbers = "+
				itoa(n)+" and channel size = "+channelSize(xv.value)+"."))
		}
		shape := make([]int, xv.value.Dim()-ch)
		for i := range shape {
			shape[i] = 1
		}
		shape[0] = n
		w = w.Reshape(shape...)
	} else {
		w = w.Reshape()
	}
	return xv.ReLU().Add(xv.ClampMax(0).Mul(w))
}

func channelSize(x *tensor.Tensor) string {
	switch {
	case x.Dim() >= 2:
		return itoa(x.Size(1))
	case x.Dim() == 1:
		return itoa(x.Size(0))
	}
	return "1"
}
