package grad

import "github.com/simdtorch/simdtorch/tensor"

// Conv2d returns the 2-D convolution of x with the filters w plus the bias
// b (torch.nn.functional.conv2d; see tensor.Conv2d for shapes, the output
// size and errors): x is [N, C_in, H, W] or [C_in, H, W], w
// [C_out, C_in/groups, kH, kW], b [C_out] or nil (an untyped nil, a nil
// *Variable or a nil *nn.Parameter). It is one graph node,
// "ConvolutionBackward0" as PyTorch's. Backward computes only the
// gradients needed: the input's as col2im of wᵀ·gy, the weight's as
// gy·colsᵀ (the columns unfolded again from x, so the forward pass keeps
// no buffer), the bias's as the sum of gy over the batch and positions.
func Conv2d(x, w, b Operand, stride, padding, dilation [2]int, groups int) *Variable {
	xv, wv, bv := varOf(x), varOf(w), optVarOf(b)
	var bt *tensor.Tensor
	if bv != nil {
		bt = bv.value
	}
	out := tensor.Conv2d(xv.value, wv.value, bt, stride, padding, dilation, groups)
	noGrad := xv.noGrad || wv.noGrad || (bv != nil && bv.noGrad)
	if noGrad || !(xv.requiresGrad || wv.requiresGrad || (bv != nil && bv.requiresGrad)) {
		return plain(out, noGrad)
	}
	xs := []*Variable{xv, wv}
	if bv != nil {
		xs = append(xs, bv)
	}
	xt, wt := xv.value, wv.value
	return recordN("ConvolutionBackward0", out, xs, func(g *tensor.Tensor) {
		need := [3]bool{xv.requiresGrad, wv.requiresGrad, bv != nil && bv.requiresGrad}
		gx, gw, gb := tensor.Conv2dBackward(g, xt, wt, stride, padding, dilation, groups, need)
		if gx != nil {
			give(xv, gx.To(xt.DType()))
		}
		if gw != nil {
			give(wv, gw.To(wt.DType()))
		}
		if gb != nil {
			give(bv, gb.To(bt.DType()))
		}
	})
}

// MaxPool2d returns the maximum over each window of x's last two
// dimensions (torch.nn.functional.max_pool2d; see tensor.MaxPool2d): a
// zero stride means the kernel size. Backward routes each gradient to the
// position of its window's maximum ("MaxPool2DWithIndicesBackward0").
func MaxPool2d(x Operand, kernel, stride, padding, dilation [2]int, ceilMode bool) *Variable {
	xv := varOf(x)
	out, idx := tensor.MaxPool2d(xv.value, kernel, stride, padding, dilation, ceilMode)
	if !tracks(xv) {
		return plain(out, xv.noGrad)
	}
	shape := xv.value.Shape()
	return record("MaxPool2DWithIndicesBackward0", out, xv, func(g *tensor.Tensor) {
		give(xv, tensor.MaxPool2dBackward(g, idx, shape))
	})
}

// AvgPool2d returns the mean over each window of x's last two dimensions
// (torch.nn.functional.avg_pool2d; see tensor.AvgPool2d): a zero stride
// means the kernel size. Its graph node is "AvgPool2DBackward0".
func AvgPool2d(x Operand, kernel, stride, padding [2]int, ceilMode, countIncludePad bool) *Variable {
	xv := varOf(x)
	out := tensor.AvgPool2d(xv.value, kernel, stride, padding, ceilMode, countIncludePad)
	if !tracks(xv) {
		return plain(out, xv.noGrad)
	}
	shape := xv.value.Shape()
	return record("AvgPool2DBackward0", out, xv, func(g *tensor.Tensor) {
		give(xv, tensor.AvgPool2dBackward(g, shape, kernel, stride, padding, ceilMode, countIncludePad))
	})
}

// AdaptiveAvgPool2d returns the mean of x over outH×outW windows covering
// its last two dimensions (torch.nn.functional.adaptive_avg_pool2d; see
// tensor.AdaptiveAvgPool2d). Its graph node is
// "AdaptiveAvgPool2DBackward0".
func AdaptiveAvgPool2d(x Operand, outH, outW int) *Variable {
	xv := varOf(x)
	out := tensor.AdaptiveAvgPool2d(xv.value, outH, outW)
	if !tracks(xv) {
		return plain(out, xv.noGrad)
	}
	shape := xv.value.Shape()
	return record("AdaptiveAvgPool2DBackward0", out, xv, func(g *tensor.Tensor) {
		give(xv, tensor.AdaptiveAvgPool2dBackward(g, shape))
	})
}
