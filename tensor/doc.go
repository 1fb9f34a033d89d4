// Package tensor provides n-dimensional strided arrays of float32 or
// float64 elements with PyTorch's semantics: the counterpart of
// torch.Tensor and the torch functions on it.
//
// A Tensor is a storage slice with a dtype, a shape, strides and an
// offset. Views (View, Reshape when possible, Transpose, T, Permute,
// Narrow, Slice, Select, Expand, Squeeze, Unsqueeze, Flatten) share the
// storage, so writes through a view are seen by the base, as in PyTorch.
//
// # Operations
//
// Operations broadcast their operands with PyTorch's (NumPy's) rules and
// return new contiguous tensors, so they chain:
//
//	y := x.MatMul(w).Add(b).ReLU()
//
// Contiguous operands go straight to the SIMD kernels of package kernels;
// strided and broadcast operands are walked in runs, and each contiguous
// run still goes to a kernel.
//
// Every op has two allocation-free forms for optimisers and no-grad edits:
//
//	x.AddInPlace(y)       // x = x + y (y broadcast to x's shape), returns x
//	tensor.AddInto(dst, a, b) // dst = a + b, returns dst
//
// The Into forms write into any tensor of the broadcast shape (which may be
// one of the operands); the InPlace forms are the Into form with the
// receiver as destination. Operands of different dtypes are promoted to
// Float64, as PyTorch promotes; with a destination, operands are converted
// to the destination's dtype (as PyTorch casts into an out= tensor).
//
// # Reductions
//
// Reductions take options: the dimensions to reduce (all when none are
// given), whether to keep them with size 1, and for Var and Std the
// correction:
//
//	x.Sum()                                  // 0-d tensor
//	x.Mean(tensor.Dim(1), tensor.KeepDim)    // torch.mean(x, 1, keepdim=True)
//	x.Var(tensor.Dims{0, 1}, tensor.Correction(0))
//
// Reductions that return indices (MaxDim, MinDim, ArgMax, ArgMin) return
// them as Float64 tensors of whole numbers: this package has no integer
// dtype, and float64 holds every index exactly. Gather, IndexSelect and
// friends accept index tensors of either dtype.
//
// # Errors
//
// Misuse panics with a typed value: *ShapeError names the op and both
// shapes ("tensor: Add: the size of tensor a (3) must match the size of
// tensor b (4) at non-singleton dimension 1 (shapes [2 3] and [4])"),
// *IndexError names the dimension and the valid range, *Error covers the
// rest. TryView is the one operation that returns an error, because
// whether a view exists depends on the strides, not only on the shapes.
//
// # Randomness
//
// Rand, Randn, RandInt and RandPerm draw from a *Generator; the
// package-level functions use a default generator that Seed resets
// (torch.manual_seed), so runs are reproducible.
//
// # Printing
//
// String prints like PyTorch: tensor([[ 1.0000, -2.5000], ...]).
package tensor
