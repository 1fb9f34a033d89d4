package grad

import (
	"github.com/simdtorch/simdtorch/kernels"
	"github.com/simdtorch/simdtorch/tensor"
)

// IndexSelect returns the entries of v at the indices along dim
// (torch.index_select; the embedding lookup). index is a 0-D or 1-D tensor
// of whole numbers; repeated indices get the sum of their gradients.
func (v *Variable) IndexSelect(dim int, index *tensor.Tensor) *Variable {
	out := v.value.IndexSelect(dim, index)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	idx := index.Float64s()
	ints := make([]int, len(idx))
	for i, f := range idx {
		ints[i] = int(f)
	}
	return v.indexSelected(dim, ints, out)
}

// IndexSelectInts is IndexSelect with the indices as a Go slice.
func (v *Variable) IndexSelectInts(dim int, index []int) *Variable {
	out := v.value.IndexSelectInts(dim, index)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	return v.indexSelected(dim, append([]int(nil), index...), out)
}

func (v *Variable) indexSelected(dim int, idx []int, out *tensor.Tensor) *Variable {
	x := v.value
	d := normDim("IndexSelect", dim, x.Dim())
	return record("IndexSelectBackward0", out, v, func(g *tensor.Tensor) {
		z := zerosLike(x)
		if d < 0 {
			// A 0-D source repeated: the gradient is the sum.
			give(v, g.Sum().To(x.DType()))
			return
		}
		n := x.Size(d)
		if d == 0 && g.DType() == x.DType() {
			g = g.Contiguous()
			row := x.Numel() / max(n, 1)
			if x.DType() == tensor.Float32 {
				addRows(tensor.Data[float32](z), tensor.Data[float32](g), idx, row, n)
			} else {
				addRows(tensor.Data[float64](z), tensor.Data[float64](g), idx, row, n)
			}
			give(v, z)
			return
		}
		for i, j := range idx {
			if j < 0 {
				j += n
			}
			z.Select(d, j).AddInPlace(g.Select(d, i))
		}
		give(v, z)
	})
}

func addRows[T kernels.Float](dst, src []T, idx []int, row, n int) {
	for i, j := range idx {
		if j < 0 {
			j += n
		}
		d := dst[j*row : (j+1)*row]
		kernels.Add(d, d, src[i*row:(i+1)*row])
	}
}

// Gather returns out[i][j][k] = v[index[i][j][k]][j][k] for dim 0 (and
// likewise for other dims), as torch.gather; the gradient is scattered
// back (added) to the gathered positions.
func (v *Variable) Gather(dim int, index *tensor.Tensor) *Variable {
	out := v.value.Gather(dim, index)
	if !tracks(v) {
		return plain(out, v.noGrad)
	}
	x := v.value
	d := normDim("Gather", dim, x.Dim())
	idx := index.Float64s()
	ishape := index.Shape()
	return record("GatherBackward0", out, v, func(g *tensor.Tensor) {
		if d < 0 {
			give(v, g.Sum().To(x.DType()))
			return
		}
		give(v, scatterAdd(x, d, idx, ishape, g))
	})
}

// scatterAdd returns zeros of x's shape and dtype with
// z[..., idx[p], ...] += g[p] along dim d for every position p of ishape.
func scatterAdd(x *tensor.Tensor, d int, idx []float64, ishape []int, g *tensor.Tensor) *tensor.Tensor {
	z := zerosLike(x)
	gs := g.Float64s()
	zs := make([]float64, z.Numel())
	xshape := x.Shape()
	xst := make([]int, len(xshape))
	st := 1
	for i := len(xshape) - 1; i >= 0; i-- {
		xst[i] = st
		st *= xshape[i]
	}
	pos := make([]int, len(ishape))
	for p := range idx {
		off := 0
		for k, c := range pos {
			if k == d {
				j := int(idx[p])
				if j < 0 {
					j += xshape[k]
				}
				off += j * xst[k]
			} else {
				off += c * xst[k]
			}
		}
		zs[off] += gs[p]
		for k := len(pos) - 1; k >= 0; k-- {
			pos[k]++
			if pos[k] < ishape[k] {
				break
			}
			pos[k] = 0
		}
	}
	z.Copy(fromSlice(zs, xshape))
	return z
}
