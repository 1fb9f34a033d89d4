package tensor

import (
	"math"
	"unsafe"

	"github.com/simdtorch/simdtorch/kernels"
)

// PoolOutputSize returns the output size of a pooling window over size
// (PyTorch's pooling_output_shape): (size + 2·padding - dilation·(k-1) - 1
// + (ceilMode ? stride-1 : 0))/stride + 1, where with ceilMode the last
// window must start inside the input or the left padding (otherwise it is
// dropped).
func PoolOutputSize(size, k, stride, padding, dilation int, ceilMode bool) int {
	num := size + 2*padding - dilation*(k-1) - 1
	if ceilMode {
		num += stride - 1
	}
	out := floorDiv(num, stride) + 1
	if ceilMode && (out-1)*stride >= size+padding {
		out--
	}
	return out
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// poolGeom is a pooling's sizes, checked: planes of h×w in, oh×ow out.
type poolGeom struct {
	planes, h, w   int
	kh, kw, sh, sw int
	ph, pw, dh, dw int
	oh, ow         int
	outShape       []int
}

// poolSetup checks a 2-D pooling's arguments as PyTorch's
// pool2d_shape_check does. A zero stride means the kernel size.
func poolSetup(op string, x *Tensor, kernel, stride, padding, dilation [2]int, ceilMode bool) poolGeom {
	xs := x.shape()
	if kernel[0] <= 0 || kernel[1] <= 0 {
		panic(&Error{Op: op, Msg: "kernel size should be greater than zero, but got kH: " + itoa(kernel[0]) + " kW: " + itoa(kernel[1])})
	}
	if stride == [2]int{} {
		stride = kernel
	}
	if stride[0] <= 0 || stride[1] <= 0 {
		panic(&Error{Op: op, Msg: "stride should be greater than zero, but got dH: " + itoa(stride[0]) + " dW: " + itoa(stride[1])})
	}
	if dilation[0] <= 0 || dilation[1] <= 0 {
		panic(&Error{Op: op, Msg: "dilation should be greater than zero, but got dilationH: " + itoa(dilation[0]) + " dilationW: " + itoa(dilation[1])})
	}
	if padding[0] < 0 || padding[1] < 0 {
		panic(&Error{Op: op, Msg: "negative padding is not supported"})
	}
	checkPoolInput(op, xs)
	if padding[0] > kernel[0]/2 || padding[1] > kernel[1]/2 {
		p, k := padding[0], kernel[0]
		if padding[0] <= kernel[0]/2 {
			p, k = padding[1], kernel[1]
		}
		panic(shapeErr(op, xs, kernel[:], "pad should be at most half of kernel size, but got pad="+itoa(p)+" and kernel_size="+itoa(k)))
	}
	g := poolGeom{kh: kernel[0], kw: kernel[1], sh: stride[0], sw: stride[1], ph: padding[0], pw: padding[1], dh: dilation[0], dw: dilation[1]}
	nd := len(xs)
	g.h, g.w = xs[nd-2], xs[nd-1]
	g.planes = 1
	for _, s := range xs[:nd-2] {
		g.planes *= s
	}
	g.oh = PoolOutputSize(g.h, g.kh, g.sh, g.ph, g.dh, ceilMode)
	g.ow = PoolOutputSize(g.w, g.kw, g.sw, g.pw, g.dw, ceilMode)
	if g.oh < 1 || g.ow < 1 {
		panic(shapeErr(op, xs, kernel[:], "Given input size: ("+itoa(xs[nd-3])+"x"+itoa(g.h)+"x"+itoa(g.w)+"). Calculated output size: ("+
			itoa(xs[nd-3])+"x"+itoa(g.oh)+"x"+itoa(g.ow)+"). Output size is too small"))
	}
	g.outShape = append(append([]int{}, xs[:nd-2]...), g.oh, g.ow)
	return g
}

// checkPoolInput panics unless xs is 3-D or 4-D with non-empty
// non-batch dimensions.
func checkPoolInput(op string, xs []int) {
	if len(xs) != 3 && len(xs) != 4 {
		panic(shapeErr(op, xs, nil, "non-empty 3D or 4D (batch mode) tensor expected for input"))
	}
	for _, s := range xs[len(xs)-3:] {
		if s == 0 {
			panic(shapeErr(op, xs, nil, "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:"+pyShape(xs)))
		}
	}
}

// MaxPool2d returns the maximum over each kernel-sized window of the last
// two dimensions of x, [N, C, H, W] or [C, H, W]
// (torch.nn.functional.max_pool2d with return_indices=True), and the
// position of each maximum as the flat index h·W + w into its input plane
// (Float64, exact), which MaxPool2dBackward takes. A zero stride means the
// kernel size (PyTorch's stride=None); padding is implicit -∞ and at most
// half the kernel; with ceilMode the output size rounds up (see
// PoolOutputSize). A NaN in a window is its maximum, as in PyTorch.
//
// It panics with a *ShapeError for an input that is not 3-D or 4-D, has an
// empty channel or spatial dimension, is smaller than the window, or a
// padding over half the kernel, and with an *Error for a non-positive
// kernel, stride or dilation, with PyTorch's messages.
func MaxPool2d(x *Tensor, kernel, stride, padding, dilation [2]int, ceilMode bool) (out, indices *Tensor) {
	g := poolSetup("MaxPool2d", x, kernel, stride, padding, dilation, ceilMode)
	x = x.Contiguous()
	out = empty(x.dtype, g.outShape)
	indices = empty(Float64, g.outShape)
	if x.dtype == Float32 {
		maxPool[float32](&g, x, out, indices)
	} else {
		maxPool[float64](&g, x, out, indices)
	}
	return out, indices
}

func maxPool[T kernels.Float](g *poolGeom, x, out, indices *Tensor) {
	xd := storage[T](x)[x.off:][:x.numel]
	od := storage[T](out)[:out.numel]
	id := storage[float64](indices)[:indices.numel]
	hw, ohw := g.h*g.w, g.oh*g.ow
	parallelFor(g.planes, hw*g.kh*g.kw/max(g.sh*g.sw, 1), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			src := xd[p*hw : (p+1)*hw]
			dst, idx := od[p*ohw:(p+1)*ohw], id[p*ohw:(p+1)*ohw]
			if g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1 {
				maxPoolPlane(src, dst, idx, g.w, g.h, g.kh, g.kw, g.sh, g.sw, g.ow)
				continue
			}
			for oy := range g.oh {
				y0 := oy*g.sh - g.ph
				y1 := min(y0+(g.kh-1)*g.dh+1, g.h)
				for y0 < 0 {
					y0 += g.dh
				}
				for ox := range g.ow {
					x0 := ox*g.sw - g.pw
					x1 := min(x0+(g.kw-1)*g.dw+1, g.w)
					for x0 < 0 {
						x0 += g.dw
					}
					best := T(math.Inf(-1))
					at := y0*g.w + x0
					for iy := y0; iy < y1; iy += g.dh {
						row := src[iy*g.w : (iy+1)*g.w]
						for ix := x0; ix < x1; ix += g.dw {
							v := row[ix]
							if v > best || v != v { // the last NaN wins, as in PyTorch
								best, at = v, iy*g.w+ix
							}
						}
					}
					dst[oy*g.ow+ox] = best
					idx[oy*g.ow+ox] = float64(at)
				}
			}
		}
	})
}

// maxPoolPlane is maxPool for one plane without padding or dilation (the
// common case), without the data-dependent branch of the general loop
// (`v > best || v != v`, mispredicted about every other element on real
// data): the maximum by MAXSS/MAXSD (NaN-propagating), its index by an
// integer select, 2.2x faster. The results are the general loop's: the
// first maximum's index and value (so a -0 before a +0 stays -0), and in
// a window with a NaN, NaN with the last NaN's index (found again then,
// as it is rare). A window may end past the input (ceil mode): it is cut
// at w and h.
func maxPoolPlane[T kernels.Float](src, dst []T, idx []float64, w, h, kh, kw, sh, sw, ow int) {
	for oy := range len(dst) / ow {
		y0 := oy * sh
		y1 := min(y0+kh, h)
		drow, irow := dst[oy*ow:oy*ow+ow], idx[oy*ow:oy*ow+ow]
		for ox := range drow {
			x0 := ox * sw
			x1 := min(x0+kw, w)
			best, at := T(math.Inf(-1)), y0*w+x0
			for iy := y0; iy < y1; iy++ {
				r := iy*w + x0
				for ix, v := range src[r : iy*w+x1] {
					m := best
					best = max(best, v)
					gt := best > m
					// at = r+ix where gt, as integer arithmetic on the
					// bool's byte: the compiler branches on an if here.
					at += (r + ix - at) & -int(*(*uint8)(unsafe.Pointer(&gt)))
				}
			}
			if best == best {
				best = src[at]
			} else {
				for iy := y0; iy < y1; iy++ {
					for ix, v := range src[iy*w+x0 : iy*w+x1] {
						if v != v {
							at = iy*w + x0 + ix
						}
					}
				}
			}
			drow[ox] = best
			irow[ox] = float64(at)
		}
	}
}

// MaxPool2dBackward returns the gradient of MaxPool2d with respect to its
// input of shape inputShape, given gy, the gradient of its output, and
// the indices it returned: each gy element is added at its index.
func MaxPool2dBackward(gy, indices *Tensor, inputShape []int) *Tensor {
	const op = "MaxPool2dBackward"
	if !gy.sameShape(indices) || len(inputShape) != gy.Dim() || len(inputShape) < 2 {
		panic(shapeErr(op, gy.shape(), indices.shape(), "grad_output and indices must have one shape, the input's but for the last two dimensions"))
	}
	gy, indices = gy.Contiguous(), indices.To(Float64).Contiguous()
	gx := empty(gy.dtype, inputShape)
	nd := len(inputShape)
	hw := inputShape[nd-2] * inputShape[nd-1]
	ohw := gy.shape()[nd-2] * gy.shape()[nd-1]
	if gy.dtype == Float32 {
		maxPoolBackward(storage[float32](gx), storage[float32](gy)[gy.off:][:gy.numel], storage[float64](indices)[indices.off:][:indices.numel], hw, ohw)
	} else {
		maxPoolBackward(storage[float64](gx), storage[float64](gy)[gy.off:][:gy.numel], storage[float64](indices)[indices.off:][:indices.numel], hw, ohw)
	}
	return gx
}

func maxPoolBackward[T kernels.Float](gx, gy []T, idx []float64, hw, ohw int) {
	if ohw == 0 {
		return
	}
	planes := len(gy) / ohw
	parallelFor(planes, ohw, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			dst := gx[p*hw : (p+1)*hw]
			for i, v := range gy[p*ohw : (p+1)*ohw] {
				if j := int(idx[p*ohw+i]); uint(j) < uint(len(dst)) {
					dst[j] += v
				}
			}
		}
	})
}

// AvgPool2d returns the mean over each kernel-sized window of the last two
// dimensions of x, [N, C, H, W] or [C, H, W]
// (torch.nn.functional.avg_pool2d). A zero stride means the kernel size;
// padding is implicit zeros and at most half the kernel; with ceilMode the
// output size rounds up (see PoolOutputSize). With countIncludePad the
// divisor is the window's size clipped to the padded input (PyTorch's
// default, count_include_pad=True), otherwise the number of input
// elements in it. Errors are MaxPool2d's.
func AvgPool2d(x *Tensor, kernel, stride, padding [2]int, ceilMode, countIncludePad bool) *Tensor {
	g := poolSetup("AvgPool2d", x, kernel, stride, padding, [2]int{1, 1}, ceilMode)
	x = x.Contiguous()
	out := empty(x.dtype, g.outShape)
	if x.dtype == Float32 {
		avgPool(&g, storage[float32](x)[x.off:][:x.numel], storage[float32](out), countIncludePad, false)
	} else {
		avgPool(&g, storage[float64](x)[x.off:][:x.numel], storage[float64](out), countIncludePad, false)
	}
	return out
}

// AvgPool2dBackward returns the gradient of AvgPool2d (with the same
// arguments) with respect to its input of shape inputShape, given gy, the
// gradient of its output.
func AvgPool2dBackward(gy *Tensor, inputShape []int, kernel, stride, padding [2]int, ceilMode, countIncludePad bool) *Tensor {
	const op = "AvgPool2dBackward"
	g := poolSetup(op, empty(gy.dtype, inputShape), kernel, stride, padding, [2]int{1, 1}, ceilMode)
	if !sameShape(gy.shape(), g.outShape) {
		panic(shapeErr(op, gy.shape(), g.outShape, "grad_output of shape "+fmtShape(gy.shape())+" does not match the output's shape "+fmtShape(g.outShape)))
	}
	gy = gy.Contiguous()
	gx := empty(gy.dtype, inputShape)
	if gy.dtype == Float32 {
		avgPool(&g, storage[float32](gx), storage[float32](gy)[gy.off:][:gy.numel], countIncludePad, true)
	} else {
		avgPool(&g, storage[float64](gx), storage[float64](gy)[gy.off:][:gy.numel], countIncludePad, true)
	}
	return gx
}

// avgPool computes AvgPool2d from x into out, or (backward) adds each
// out element divided by its window's divisor into x's window, x zeroed.
func avgPool[T kernels.Float](g *poolGeom, x, out []T, countIncludePad, backward bool) {
	hw, ohw := g.h*g.w, g.oh*g.ow
	parallelFor(g.planes, hw*g.kh*g.kw/max(g.sh*g.sw, 1), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			src := x[p*hw : (p+1)*hw]
			dst := out[p*ohw : (p+1)*ohw]
			for oy := range g.oh {
				y0 := oy*g.sh - g.ph
				y1 := min(y0+g.kh, g.h+g.ph)
				for ox := range g.ow {
					x0 := ox*g.sw - g.pw
					x1 := min(x0+g.kw, g.w+g.pw)
					size := (y1 - y0) * (x1 - x0)
					ya, yb, xa, xb := max(y0, 0), min(y1, g.h), max(x0, 0), min(x1, g.w)
					if !countIncludePad {
						size = (yb - ya) * (xb - xa)
					}
					if ya >= yb || xa >= xb {
						if !backward {
							dst[oy*g.ow+ox] = 0
						}
						continue
					}
					if backward {
						v := dst[oy*g.ow+ox] / T(size)
						for iy := ya; iy < yb; iy++ {
							row := src[iy*g.w+xa : iy*g.w+xb]
							for i := range row {
								row[i] += v
							}
						}
						continue
					}
					var s T
					for iy := ya; iy < yb; iy++ {
						for _, v := range src[iy*g.w+xa : iy*g.w+xb] {
							s += v
						}
					}
					dst[oy*g.ow+ox] = s / T(size)
				}
			}
		}
	})
}

// AdaptiveAvgPool2d returns the mean of x, [N, C, H, W] or [C, H, W],
// over outH×outW windows that cover its last two dimensions
// (torch.nn.functional.adaptive_avg_pool2d): output row i averages input
// rows floor(i·H/outH) to ceil((i+1)·H/outH) (exclusive), so windows
// overlap when the sizes do not divide. It panics with PyTorch's messages
// for an input that is not 3-D or 4-D, an empty non-batch dimension, or a
// negative output size.
func AdaptiveAvgPool2d(x *Tensor, outH, outW int) *Tensor {
	const op = "AdaptiveAvgPool2d"
	xs := adaptiveCheck(op, x.shape(), outH, outW)
	x = x.Contiguous()
	nd := len(xs)
	outShape := append(append([]int{}, xs[:nd-2]...), outH, outW)
	out := empty(x.dtype, outShape)
	if x.dtype == Float32 {
		adaptiveAvg(storage[float32](x)[x.off:][:x.numel], storage[float32](out), xs[nd-2], xs[nd-1], outH, outW, false)
	} else {
		adaptiveAvg(storage[float64](x)[x.off:][:x.numel], storage[float64](out), xs[nd-2], xs[nd-1], outH, outW, false)
	}
	return out
}

// AdaptiveAvgPool2dBackward returns the gradient of AdaptiveAvgPool2d
// with respect to its input of shape inputShape, given gy, the gradient of
// its output.
func AdaptiveAvgPool2dBackward(gy *Tensor, inputShape []int) *Tensor {
	const op = "AdaptiveAvgPool2dBackward"
	gs := gy.shape()
	if len(gs) != len(inputShape) || len(gs) < 2 {
		panic(shapeErr(op, gs, inputShape, "grad_output and input must have the same number of dimensions"))
	}
	nd := len(gs)
	adaptiveCheck(op, inputShape, gs[nd-2], gs[nd-1])
	if !sameShape(gs[:nd-2], inputShape[:nd-2]) {
		panic(shapeErr(op, gs, inputShape, "grad_output and input differ in their leading dimensions"))
	}
	gy = gy.Contiguous()
	gx := empty(gy.dtype, inputShape)
	h, w, oh, ow := inputShape[nd-2], inputShape[nd-1], gs[nd-2], gs[nd-1]
	if gy.dtype == Float32 {
		adaptiveAvg(storage[float32](gx), storage[float32](gy)[gy.off:][:gy.numel], h, w, oh, ow, true)
	} else {
		adaptiveAvg(storage[float64](gx), storage[float64](gy)[gy.off:][:gy.numel], h, w, oh, ow, true)
	}
	return gx
}

func adaptiveCheck(op string, xs []int, outH, outW int) []int {
	if len(xs) != 3 && len(xs) != 4 {
		panic(shapeErr(op, xs, []int{outH, outW}, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "+pyShape(xs)))
	}
	for i := 1; i < len(xs); i++ {
		if xs[i] == 0 {
			panic(shapeErr(op, xs, []int{outH, outW}, "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes "+
				pyShape(xs)+" with dimension "+itoa(i)+" being empty"))
		}
	}
	if outH < 0 || outW < 0 {
		panic(shapeErr(op, xs, []int{outH, outW}, "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {"+itoa(outH)+", "+itoa(outW)+"}"))
	}
	return xs
}

// adaptiveAvg computes AdaptiveAvgPool2d from x into out, or (backward)
// adds each out element divided by its window's size into x's window, x
// zeroed.
func adaptiveAvg[T kernels.Float](x, out []T, h, w, oh, ow int, backward bool) {
	hw, ohw := h*w, oh*ow
	if ohw == 0 || hw == 0 {
		return
	}
	planes := len(out) / ohw
	parallelFor(planes, hw, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			src := x[p*hw : (p+1)*hw]
			dst := out[p*ohw : (p+1)*ohw]
			for oy := range oh {
				ya, yb := oy*h/oh, ((oy+1)*h+oh-1)/oh
				for ox := range ow {
					xa, xb := ox*w/ow, ((ox+1)*w+ow-1)/ow
					size := T((yb - ya) * (xb - xa))
					if backward {
						v := dst[oy*ow+ox] / size
						for iy := ya; iy < yb; iy++ {
							row := src[iy*w+xa : iy*w+xb]
							for i := range row {
								row[i] += v
							}
						}
						continue
					}
					var s T
					for iy := ya; iy < yb; iy++ {
						for _, v := range src[iy*w+xa : iy*w+xb] {
							s += v
						}
					}
					dst[oy*ow+ox] = s / size
				}
			}
		}
	})
}
