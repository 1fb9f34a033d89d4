// Package grad is reverse-mode automatic differentiation on package
// tensor, with PyTorch's semantics: the counterpart of torch.autograd and
// of a torch.Tensor's requires_grad, grad, grad_fn and backward().
//
// A Variable holds a tensor value. Leaves are made by New (no gradient),
// Param (requires grad) or NoGrad (records nothing). Ops are methods that
// chain, and each op on Variables that require grad records its backward
// function, a closure over what it needs, named as PyTorch names it:
//
//	w := grad.Param(tensor.Randn(10, 784))
//	b := grad.Param(tensor.Zeros(10))
//	logits := grad.Linear(x, w, b)          // grad_fn AddmmBackward0
//	loss := grad.CrossEntropyInts(logits, labels)
//	loss.Backward()                         // w.Grad(), b.Grad()
//
// # Operands
//
// Ops and functions take their operands as Operand, a sealed interface
// satisfied by *Variable and by every type that embeds one, such as
// nn.Parameter: a parameter is accepted anywhere an operand is, with no
// conversion (x.MatMul(p), grad.Linear(x, w, b), grad.Cat of a
// []*nn.Parameter, grad.MSELoss(p, target)). Results are *Variable. The
// one optional operand, Linear's bias, is absent when nil, whether an
// untyped nil, a nil *Variable or a nil *nn.Parameter.
//
// Backward sorts the graph topologically and runs the closures in reverse,
// each once, with the sum of its result's gradients (micrograd's
// engine.py). Gradients accumulate: in a leaf used twice, and across
// backward passes until ZeroGrad. Broadcasting ops sum gradients back to
// each operand's shape; views (Reshape, Transpose, Narrow, Select, Expand,
// ...) send gradients back into their base, so a flat parameter sliced and
// reshaped into several weights trains correctly. Non-leaves keep a
// gradient only after RetainGrad. A backward pass releases the closures
// (and the tensors they saved) unless RetainGraph is given; a second pass
// through a released graph panics with ErrReleased.
//
// # No-grad without a global switch
//
// There is no global no-grad mode: serving runs forward passes on many
// goroutines over the same parameters, and a process-wide switch would
// turn recording off (or on) for all of them. Instead no-grad is a
// property of Variables that propagates: an op with a no-grad operand
// records nothing, allocates no graph and returns a no-grad result, even
// when other operands require grad. An inference pass starts from a
// no-grad input:
//
//	y := model.Forward(grad.NoGrad(x)) // like torch.no_grad() for this pass only
//
// and parameter updates go through a no-grad alias of the parameter,
// which shares its storage (with torch.no_grad(): w -= lr * w.grad):
//
//	w.NoGrad().AddScaledInPlace(-lr, w.Grad())
//
// Ops never write into their operands, so concurrent forward passes,
// tracked or not, are race-free. Backward passes write leaf gradients:
// passes that share leaves must not run at the same time. Linear is one
// fused op, so even a layer's parameter-only work (transposing the weight)
// records nothing in a no-grad pass.
//
// # Panics and errors
//
// Following the module's convention (panic on misuse, errors for data),
// programming errors panic with a *grad.Error whose Kind is one of the
// Err* sentinels, so a recovered value can be tested with errors.Is:
// Backward on a Variable that does not require grad (ErrNoGradFn, "element
// 0 of tensors does not require grad and does not have a grad_fn"),
// Backward without a gradient on a non-scalar (ErrNotScalar, "grad can be
// implicitly created only for scalar outputs"), a second pass through a
// released graph (ErrReleased), an in-place update of a leaf that requires
// grad (ErrLeafInPlace, "a leaf Variable that requires grad is being used
// in an in-place operation.") or of a Variable with history
// (ErrInPlaceHistory). Shape mismatches panic with tensor's *ShapeError,
// as the underlying tensor ops do. GradCheck, which judges numbers rather
// than the program, returns an error.
//
// # Gradient checking
//
// GradCheck compares backward's gradients with central finite differences
// in float64 (torch.autograd.gradcheck); the tests run it on every
// differentiable op, and compare values and gradients with PyTorch 1.13's
// (testdata/golden.json, written by testdata/gen_golden.py).
//
// Not implemented: higher-order gradients (create_graph), hooks, and
// in-place ops on Variables that are part of a graph.
package grad
