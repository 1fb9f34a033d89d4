package nn

import (
	"slices"
	"strconv"

	"github.com/simdtorch/simdtorch/grad"
	"github.com/simdtorch/simdtorch/tensor"
)

// Embedding is a lookup table of NumEmbeddings vectors of EmbeddingDim
// entries (torch.nn.Embedding): Weight is [num_embeddings, embedding_dim],
// initialised from N(0, 1).
type Embedding struct {
	Module
	NumEmbeddings int
	EmbeddingDim  int
	PaddingIdx    int // the padding row, or -1 for none
	Weight        *Parameter
}

// NewEmbedding returns an Embedding. Options: PaddingIdx (that row starts
// at zero and gets no gradient), WithDType, WithGenerator.
func NewEmbedding(num, dim int, opts ...Option) *Embedding {
	c := applyOptions("NewEmbedding", opts, "PaddingIdx", "WithDType", "WithGenerator")
	if num < 0 || dim < 0 {
		panic(misuse("NewEmbedding", "negative size"))
	}
	e := &Embedding{NumEmbeddings: num, EmbeddingDim: dim, PaddingIdx: -1}
	if c.paddingIdx != nil {
		p := *c.paddingIdx
		if p < -num || p >= num {
			panic(misuse("NewEmbedding", "Padding_idx must be within num_embeddings"))
		}
		if p < 0 {
			p += num
		}
		e.PaddingIdx = p
	}
	e.Weight = NewParameter(c.dtype.Empty(num, dim))
	Normal(e.Weight, 0, 1, WithGenerator(c.gen))
	if e.PaddingIdx >= 0 {
		e.Weight.Value().Select(0, e.PaddingIdx).Fill(0)
	}
	return e
}

// Lookup returns the rows of Weight at the indices: a tensor of whole
// numbers of any shape [...] gives [..., embedding_dim]. Rows looked up
// more than once get the sum of their gradients; the padding row gets
// none.
func (e *Embedding) Lookup(indices *tensor.Tensor) *grad.Variable {
	return e.lookup(e.Weight.Variable, indices)
}

func (e *Embedding) lookup(w *grad.Variable, indices *tensor.Tensor) *grad.Variable {
	shape := append(indices.Shape(), e.EmbeddingDim)
	flat := indices.Reshape(-1)
	out := w.IndexSelect(0, flat)
	if e.PaddingIdx >= 0 && w.RequiresGrad() {
		pad := flat.EqScalar(float64(e.PaddingIdx)).Unsqueeze(1)
		if pad.Sum().Item() > 0 {
			// Padding positions take the row from a detached weight, so no
			// gradient reaches it (the value is the row's current one).
			out = grad.Where(pad, w.Detach().IndexSelect(0, flat), out)
		}
	}
	return out.Reshape(shape...)
}

// Forward is Lookup of x's value: x holds indices. A no-grad x makes a
// no-grad lookup (no graph is recorded), as for every layer.
func (e *Embedding) Forward(x *grad.Variable) *grad.Variable {
	if x.IsNoGrad() {
		return e.lookup(e.Weight.NoGrad(), x.Value())
	}
	return e.Lookup(x.Value())
}

// ExtraRepr is "10, 3" or "10, 3, padding_idx=0".
func (e *Embedding) ExtraRepr() string {
	s := strconv.Itoa(e.NumEmbeddings) + ", " + strconv.Itoa(e.EmbeddingDim)
	if e.PaddingIdx >= 0 {
		s += ", padding_idx=" + strconv.Itoa(e.PaddingIdx)
	}
	return s
}

func (e *Embedding) String() string { return Format(e) }

// LayerNorm normalises over the trailing NormalizedShape dimensions:
// (x - mean)/√(var + Eps)·Weight + Bias, with the biased variance
// (torch.nn.LayerNorm). Weight starts at ones and Bias at zeros; both are
// nil with NoAffine.
type LayerNorm struct {
	Module
	NormalizedShape   []int
	Eps               float64
	ElementwiseAffine bool
	Weight            *Parameter
	Bias              *Parameter
}

// NewLayerNorm returns a LayerNorm over the trailing dimensions of the
// given shape. Options: Eps (default 1e-5), NoAffine, WithDType.
func NewLayerNorm(shape []int, opts ...Option) *LayerNorm {
	c := applyOptions("NewLayerNorm", opts, "Eps", "NoAffine", "WithDType")
	if len(shape) == 0 {
		panic(misuse("NewLayerNorm", "normalized_shape must have at least one dimension"))
	}
	l := &LayerNorm{NormalizedShape: slices.Clone(shape), Eps: c.eps, ElementwiseAffine: !c.noAffine}
	if l.ElementwiseAffine {
		l.Weight = NewParameter(c.dtype.Ones(shape...))
		l.Bias = NewParameter(c.dtype.Zeros(shape...))
	}
	return l
}

// Forward normalises x, whose trailing dimensions must be
// NormalizedShape.
func (l *LayerNorm) Forward(x *grad.Variable) *grad.Variable {
	n := len(l.NormalizedShape)
	xs := x.Shape()
	if len(xs) < n || !slices.Equal(xs[len(xs)-n:], l.NormalizedShape) {
		panic(&tensor.ShapeError{Op: "LayerNorm", A: xs, B: l.NormalizedShape, Msg: "input's trailing dimensions must be normalized_shape"})
	}
	dims := make(tensor.Dims, n)
	for i := range dims {
		dims[i] = len(xs) - n + i
	}
	y, _, _ := normalize(x, dims, l.Eps)
	if l.Weight != nil {
		y = y.Mul(l.Weight)
	}
	if l.Bias != nil {
		y = y.Add(l.Bias)
	}
	return y
}

// ExtraRepr is "(4,), eps=1e-05, elementwise_affine=True".
func (l *LayerNorm) ExtraRepr() string {
	return pyTuple(l.NormalizedShape) + ", eps=" + pyFloat(l.Eps) + ", elementwise_affine=" + pyBool(l.ElementwiseAffine)
}

func (l *LayerNorm) String() string { return Format(l) }
