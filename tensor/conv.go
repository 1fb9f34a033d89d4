package tensor

import (
	"strconv"
	"strings"
	"sync"

	"github.com/simdtorch/simdtorch/kernels"
)

// Conv2d returns the 2-D cross-correlation of x with the filters w plus b
// (torch.nn.functional.conv2d): x is [N, C_in, H, W], or [C_in, H, W]
// unbatched (the result is then unbatched too), w is
// [C_out, C_in/groups, kH, kW] and b, when not nil, [C_out]. The result
// is [N, C_out, H_out, W_out] with, per dimension,
//
//	H_out = (H + 2·padding - dilation·(kH-1) - 1)/stride + 1   (rounded down)
//
// Padding is with zeros (padding_mode="zeros") and symmetric; stride and
// dilation must be positive and padding non-negative. Mixed dtypes
// compute in Float64.
//
// It runs as im2col and GEMM: the input patches of a chunk of the batch
// are unfolded into a [C_in·kH·kW, N·H_out·W_out] matrix (a buffer pooled
// across calls) and each group is one kernels.Gemm call over the whole
// chunk; the bias is added while the product is laid out as NCHW. A 1×1
// kernel with stride 1 and no padding reads the input in place.
//
// It panics with a *ShapeError naming the input and weight shapes and
// PyTorch's message ("Given groups=1, weight of size [8, 3, 3, 3],
// expected input[1, 2, 5, 5] to have 3 channels, but got 2 channels
// instead") when they do not fit, when the kernel is larger than the
// padded input, or when b is not [C_out]; and with an *Error for a
// non-positive stride, dilation or groups or a negative padding.
func Conv2d(x, w, b *Tensor, stride, padding, dilation [2]int, groups int) *Tensor {
	g, x, w, b := conv2dSetup("Conv2d", x, w, b, stride, padding, dilation, groups)
	out := empty(x.dtype, []int{g.n, g.oc, g.oh, g.ow})
	if out.numel > 0 {
		if x.dtype == Float32 {
			conv2dForward[float32](&g, x, w, b, out)
		} else {
			conv2dForward[float64](&g, x, w, b, out)
		}
	}
	if !g.batched {
		return out.view(out.shape()[1:], out.strides()[1:], 0)
	}
	return out
}

// Conv2dBackward returns the gradients of Conv2d(x, w, b, ...) with
// respect to x, w and the bias, given gy, the gradient of its result
// (aten's convolution_backward; torch.nn.grad.conv2d_input and
// conv2d_weight). need says which of the three to compute (the others are
// nil). The input gradient is col2im of wᵀ·gy, the weight gradient
// gy·colsᵀ with the columns unfolded again from x (nothing is kept from
// the forward pass), the bias gradient the sum of gy over all but the
// channel dimension. All three have the dtype the forward pass computed
// in. gy must have the shape of Conv2d's result; shapes are checked as
// Conv2d checks them.
func Conv2dBackward(gy, x, w *Tensor, stride, padding, dilation [2]int, groups int, need [3]bool) (gx, gw, gb *Tensor) {
	g, x, w, _ := conv2dSetup("Conv2dBackward", x, w, nil, stride, padding, dilation, groups)
	want := []int{g.n, g.oc, g.oh, g.ow}
	if !g.batched {
		want = want[1:]
	}
	if !sameShape(gy.shape(), want) {
		panic(shapeErr("Conv2dBackward", gy.shape(), want, "grad_output of shape "+fmtShape(gy.shape())+" does not match the output's shape "+fmtShape(want)))
	}
	gy = gy.To(x.dtype).Contiguous()
	if need[0] {
		gx = empty(x.dtype, x.shape())
	}
	if need[1] {
		gw = empty(x.dtype, w.shape())
	}
	if need[2] {
		gb = empty(x.dtype, []int{g.oc})
	}
	if x.dtype == Float32 {
		conv2dBackward[float32](&g, gy, x, w, gx, gw, gb)
	} else {
		conv2dBackward[float64](&g, gy, x, w, gx, gw, gb)
	}
	return gx, gw, gb
}

// Conv2dOutputSize returns H_out (or W_out) of a convolution over size
// with the kernel size k, stride, padding and dilation, as PyTorch
// computes it: (size + 2·padding - dilation·(k-1) - 1)/stride + 1.
func Conv2dOutputSize(size, k, stride, padding, dilation int) int {
	return (size+2*padding-dilation*(k-1)-1)/stride + 1
}

// conv2dGeom is a convolution's sizes, checked.
type conv2dGeom struct {
	n, c, h, w     int // input
	oc, kh, kw     int // weight (its channel dimension is c/groups)
	groups         int
	sh, sw         int
	ph, pw, dh, dw int
	oh, ow         int
	batched        bool
}

// pyShape formats a shape as PyTorch prints a size: [1, 2, 5, 5].
func pyShape(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.Itoa(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// conv2dSetup checks Conv2d's arguments as PyTorch does and returns the
// geometry with x, w and b in one dtype, contiguous, x 4-D.
func conv2dSetup(op string, x, w, b *Tensor, stride, padding, dilation [2]int, groups int) (conv2dGeom, *Tensor, *Tensor, *Tensor) {
	xs, ws := x.shape(), w.shape()
	if len(xs) != 3 && len(xs) != 4 {
		panic(shapeErr(op, xs, ws, "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "+pyShape(xs)))
	}
	if len(ws) != 4 {
		panic(shapeErr(op, xs, ws, "weight should be 4-D [C_out, C_in/groups, kH, kW] for conv2d, but got weight of size: "+pyShape(ws)))
	}
	if groups <= 0 {
		panic(&Error{Op: op, Msg: "non-positive groups is not supported"})
	}
	if stride[0] <= 0 || stride[1] <= 0 {
		panic(&Error{Op: op, Msg: "non-positive stride is not supported"})
	}
	if padding[0] < 0 || padding[1] < 0 {
		panic(&Error{Op: op, Msg: "negative padding is not supported"})
	}
	if dilation[0] <= 0 || dilation[1] <= 0 {
		panic(&Error{Op: op, Msg: "dilation should be greater than zero, but got [" + itoa(dilation[0]) + ", " + itoa(dilation[1]) + "]"})
	}
	g := conv2dGeom{groups: groups, sh: stride[0], sw: stride[1], ph: padding[0], pw: padding[1], dh: dilation[0], dw: dilation[1]}
	g.batched = len(xs) == 4
	x4 := xs
	if !g.batched {
		x4 = append([]int{1}, xs...)
	}
	g.n, g.c, g.h, g.w = x4[0], x4[1], x4[2], x4[3]
	g.oc, g.kh, g.kw = ws[0], ws[2], ws[3]
	if g.oc%groups != 0 {
		panic(shapeErr(op, xs, ws, "Given groups="+itoa(groups)+", expected weight to be divisible by "+itoa(groups)+" at dimension 0, but got weight of size ["+pyShape(ws)+"] instead"))
	}
	if g.c != ws[1]*groups {
		panic(shapeErr(op, xs, ws, "Given groups="+itoa(groups)+", weight of size "+pyShape(ws)+", expected input"+pyShape(x4)+" to have "+itoa(ws[1]*groups)+" channels, but got "+itoa(g.c)+" channels instead"))
	}
	ph, pw := g.h+2*g.ph, g.w+2*g.pw
	if ph < g.dh*(g.kh-1)+1 || pw < g.dw*(g.kw-1)+1 {
		panic(shapeErr(op, xs, ws, "Calculated padded input size per channel: ("+itoa(ph)+" x "+itoa(pw)+"). Kernel size: ("+
			itoa(g.dh*(g.kh-1)+1)+" x "+itoa(g.dw*(g.kw-1)+1)+"). Kernel size can't be greater than actual input size"))
	}
	if b != nil && (len(b.shape()) != 1 || b.shape()[0] != g.oc) {
		panic(shapeErr(op, ws, b.shape(), "Given weight of size "+pyShape(ws)+", expected bias to be 1-dimensional with "+itoa(g.oc)+" elements, but got bias of size "+pyShape(b.shape())+" instead"))
	}
	g.oh = Conv2dOutputSize(g.h, g.kh, g.sh, g.ph, g.dh)
	g.ow = Conv2dOutputSize(g.w, g.kw, g.sw, g.pw, g.dw)
	dtype := x.dtype
	if w.dtype != dtype || (b != nil && b.dtype != dtype) {
		dtype = Float64
	}
	x, w = x.To(dtype).Contiguous(), w.To(dtype).Contiguous()
	if b != nil {
		b = b.To(dtype).Contiguous()
	}
	return g, x, w, b
}

// direct reports whether the im2col matrix of one sample is the input
// itself (a 1×1 kernel, stride 1, no padding).
func (g *conv2dGeom) direct() bool {
	return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0
}

// colBudget bounds the im2col buffer (elements): the batch is processed
// in chunks of samples whose columns fit, at least one sample a chunk.
var colBudget = 1 << 21

// chunk returns how many samples each chunk holds.
func (g *conv2dGeom) chunk() int {
	per := g.c * g.kh * g.kw * g.oh * g.ow
	return max(1, min(g.n, colBudget/max(per, 1)))
}

// bufPool holds scratch buffers (im2col columns, the GEMM's output before
// it is laid out as NCHW) across calls.
type bufPool[T kernels.Float] struct{ p sync.Pool }

var (
	pool32 bufPool[float32]
	pool64 bufPool[float64]
)

func poolFor[T kernels.Float]() *bufPool[T] {
	var z T
	if any(z) == any(float32(0)) {
		return any(&pool32).(*bufPool[T])
	}
	return any(&pool64).(*bufPool[T])
}

// get returns a buffer of length n (contents undefined).
func (p *bufPool[T]) get(n int) *[]T {
	if v, ok := p.p.Get().(*[]T); ok {
		if cap(*v) >= n {
			*v = (*v)[:n]
			return v
		}
	}
	s := make([]T, n)
	return &s
}

func (p *bufPool[T]) put(s *[]T) { p.p.Put(s) }

// parallelFor runs fn over [0, n) in up to kernels.Threads() pieces when
// the work (work units per item times n) is large enough to pay for
// goroutines; otherwise in the calling goroutine.
func parallelFor(n, work int, fn func(lo, hi int)) {
	threads := kernels.Threads()
	if threads <= 1 || n < 2 || work*n < 1<<16 {
		fn(0, n)
		return
	}
	parts := min(threads, n)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// validRange returns the range [lo, hi) of output positions o in [0, out)
// whose input position o·s + off lies in [0, size).
func validRange(out, s, off, size int) (lo, hi int) {
	if off < 0 {
		lo = (-off + s - 1) / s
	}
	// o·s + off ≤ size-1  ⇔  o ≤ (size-1-off)/s
	if size-1-off < 0 {
		return min(lo, out), min(lo, out)
	}
	hi = min(out, (size-1-off)/s+1)
	lo = min(lo, hi)
	return lo, hi
}

// im2col unfolds samples [n0, n0+nb) of x (contiguous NCHW) into cols, a
// [c·kh·kw, nb·oh·ow] matrix: row (ci, ki, kj), column (b, oy, ox) holds
// x[n0+b, ci, oy·sh - ph + ki·dh, ox·sw - pw + kj·dw], or 0 in the padding.
func im2col[T kernels.Float](g *conv2dGeom, x []T, n0, nb int, cols []T) {
	l := g.oh * g.ow
	ld := nb * l
	khw := g.kh * g.kw
	parallelFor(g.c*khw, ld, func(lo, hi int) {
		for row := lo; row < hi; row++ {
			ci, k := row/khw, row%khw
			ki, kj := k/g.kw, k%g.kw
			oxLo, oxHi := validRange(g.ow, g.sw, kj*g.dw-g.pw, g.w)
			oyLo, oyHi := validRange(g.oh, g.sh, ki*g.dh-g.ph, g.h)
			for b := range nb {
				dst := cols[row*ld+b*l : row*ld+(b+1)*l]
				src := x[((n0+b)*g.c+ci)*g.h*g.w:][:g.h*g.w]
				clear(dst[:oyLo*g.ow])
				clear(dst[oyHi*g.ow:])
				for oy := oyLo; oy < oyHi; oy++ {
					iy := oy*g.sh - g.ph + ki*g.dh
					d := dst[oy*g.ow : (oy+1)*g.ow]
					s := src[iy*g.w : (iy+1)*g.w]
					clear(d[:oxLo])
					clear(d[oxHi:])
					ix := oxLo*g.sw + kj*g.dw - g.pw
					if g.sw == 1 {
						copy(d[oxLo:oxHi], s[ix:])
					} else {
						for ox := oxLo; ox < oxHi; ox++ {
							d[ox] = s[ix]
							ix += g.sw
						}
					}
				}
			}
		}
	})
}

// col2im adds cols, laid out as im2col writes it, into samples
// [n0, n0+nb) of gx, which the caller has zeroed: the adjoint of im2col.
// Channels are split across goroutines (each owns its planes).
func col2im[T kernels.Float](g *conv2dGeom, cols []T, n0, nb int, gx []T) {
	l := g.oh * g.ow
	ld := nb * l
	khw := g.kh * g.kw
	parallelFor(g.c, khw*ld, func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			for k := range khw {
				row := ci*khw + k
				ki, kj := k/g.kw, k%g.kw
				oxLo, oxHi := validRange(g.ow, g.sw, kj*g.dw-g.pw, g.w)
				oyLo, oyHi := validRange(g.oh, g.sh, ki*g.dh-g.ph, g.h)
				if oxLo >= oxHi {
					continue
				}
				for b := range nb {
					src := cols[row*ld+b*l : row*ld+(b+1)*l]
					dst := gx[((n0+b)*g.c+ci)*g.h*g.w:][:g.h*g.w]
					for oy := oyLo; oy < oyHi; oy++ {
						iy := oy*g.sh - g.ph + ki*g.dh
						s := src[oy*g.ow+oxLo : oy*g.ow+oxHi]
						d := dst[iy*g.w : (iy+1)*g.w]
						ix := oxLo*g.sw + kj*g.dw - g.pw
						if g.sw == 1 {
							d = d[ix : ix+len(s)]
							for i, v := range s {
								d[i] += v
							}
						} else {
							for _, v := range s {
								d[ix] += v
								ix += g.sw
							}
						}
					}
				}
			}
		}
	})
}

func conv2dForward[T kernels.Float](g *conv2dGeom, x, w, b, out *Tensor) {
	xd := storage[T](x)[x.off:][:x.numel]
	wd := storage[T](w)[w.off:][:w.numel]
	od := storage[T](out)[:out.numel]
	var bias []T
	if b != nil {
		bias = storage[T](b)[b.off:][:g.oc]
	}
	l := g.oh * g.ow
	cg, og := g.c/g.groups, g.oc/g.groups
	kg := cg * g.kh * g.kw
	p := poolFor[T]()
	chunk := g.chunk()
	if g.direct() {
		chunk = 1 // the input is the column matrix: no buffer at all
	}
	var colsBuf, yBuf *[]T
	if !g.direct() {
		colsBuf = p.get(g.c * g.kh * g.kw * chunk * l)
		defer p.put(colsBuf)
	}
	if chunk > 1 {
		yBuf = p.get(g.oc * chunk * l)
		defer p.put(yBuf)
	}
	for n0 := 0; n0 < g.n; n0 += chunk {
		nb := min(chunk, g.n-n0)
		ld := nb * l
		var cols []T
		if colsBuf != nil {
			cols = (*colsBuf)[:g.c*g.kh*g.kw*ld]
			im2col(g, xd, n0, nb, cols)
		} else {
			cols = xd[n0*g.c*l : (n0+1)*g.c*l]
		}
		// One sample: the product goes straight into the output, onto the
		// bias. Several: into [C_out, nb·L], then laid out as NCHW.
		y := od[n0*g.oc*l : (n0+nb)*g.oc*l]
		var beta T
		if nb > 1 {
			y = (*yBuf)[:g.oc*ld]
		} else if bias != nil {
			for oc := range g.oc {
				kernels.Fill(y[oc*l:(oc+1)*l], bias[oc])
			}
			beta = 1
		}
		for gi := range g.groups {
			kernels.Gemm(kernels.NoTrans, kernels.NoTrans, og, ld, kg, 1,
				wd[gi*og*kg:], max(kg, 1), cols[gi*kg*ld:], ld, beta, y[gi*og*ld:], ld)
		}
		if nb > 1 {
			parallelFor(g.oc, ld, func(lo, hi int) {
				for oc := lo; oc < hi; oc++ {
					for bi := range nb {
						dst := od[((n0+bi)*g.oc+oc)*l:][:l]
						src := y[oc*ld+bi*l:][:l]
						if bias != nil {
							kernels.AddScalar(dst, src, bias[oc])
						} else {
							copy(dst, src)
						}
					}
				}
			})
		}
	}
}

func conv2dBackward[T kernels.Float](g *conv2dGeom, gyT, x, w, gxT, gwT, gbT *Tensor) {
	gyd := storage[T](gyT)[gyT.off:][:gyT.numel]
	xd := storage[T](x)[x.off:][:x.numel]
	wd := storage[T](w)[w.off:][:w.numel]
	l := g.oh * g.ow
	cg, og := g.c/g.groups, g.oc/g.groups
	kg := cg * g.kh * g.kw
	if gbT != nil {
		gb := storage[T](gbT)[:g.oc]
		for oc := range g.oc {
			var s T
			for n := range g.n {
				s += kernels.Sum(gyd[(n*g.oc+oc)*l:][:l])
			}
			gb[oc] = s
		}
	}
	if gxT == nil && gwT == nil {
		return
	}
	var gx, gw []T
	if gxT != nil {
		gx = storage[T](gxT)[:gxT.numel]
		clear(gx)
	}
	if gwT != nil {
		gw = storage[T](gwT)[:gwT.numel]
		clear(gw)
	}
	if g.n == 0 || l == 0 {
		return
	}
	p := poolFor[T]()
	chunk := g.chunk()
	colsBuf := p.get(g.c * g.kh * g.kw * chunk * l)
	defer p.put(colsBuf)
	var yBuf *[]T
	if chunk > 1 {
		yBuf = p.get(g.oc * chunk * l)
		defer p.put(yBuf)
	}
	for n0 := 0; n0 < g.n; n0 += chunk {
		nb := min(chunk, g.n-n0)
		ld := nb * l
		cols := (*colsBuf)[:g.c*g.kh*g.kw*ld]
		// gy for the chunk as [C_out, nb·L].
		gy := gyd[n0*g.oc*l : (n0+nb)*g.oc*l]
		if nb > 1 {
			gy = (*yBuf)[:g.oc*ld]
			parallelFor(g.oc, ld, func(lo, hi int) {
				for oc := lo; oc < hi; oc++ {
					for bi := range nb {
						copy(gy[oc*ld+bi*l:][:l], gyd[((n0+bi)*g.oc+oc)*l:][:l])
					}
				}
			})
		}
		if gw != nil {
			im2col(g, xd, n0, nb, cols)
			for gi := range g.groups {
				kernels.Gemm(kernels.NoTrans, kernels.Trans, og, kg, ld, 1,
					gy[gi*og*ld:], ld, cols[gi*kg*ld:], ld, 1, gw[gi*og*kg:], max(kg, 1))
			}
		}
		if gx != nil {
			for gi := range g.groups {
				kernels.Gemm(kernels.Trans, kernels.NoTrans, kg, ld, og, 1,
					wd[gi*og*kg:], max(kg, 1), gy[gi*og*ld:], ld, 0, cols[gi*kg*ld:], ld)
			}
			col2im(g, cols, n0, nb, gx)
		}
	}
}
