// Package nn builds neural networks from modules, with the semantics of
// PyTorch's torch.nn: Parameter, Buffer and Module (torch.nn.Parameter,
// register_buffer, torch.nn.Module), containers, layers, loss modules,
// initialisation (torch.nn.init), state dicts and the safetensors format.
//
// # Modules are structs
//
// A model is a struct that embeds Module; its exported fields of type
// *Parameter, *Buffer and of module types (including slices of modules)
// are its members, found by walking the struct in declaration order:
//
//	type MLP struct {
//		nn.Module
//		Hidden *nn.Linear            // "hidden.weight", "hidden.bias"
//		Out    *nn.Linear            // "out.weight", "out.bias"
//		Scale  *nn.Parameter         // "scale"
//		Blocks []*Block              // "blocks.0....", like a ModuleList
//		Mask   *nn.Buffer `nn:"m"`  // "m": tags rename, `nn:"-"` skips
//	}
//
//	func (m *MLP) Forward(x *grad.Variable) *grad.Variable {
//		return m.Out.Forward(m.Hidden.Forward(x).ReLU()).Mul(m.Scale)
//	}
//
// A *Parameter is a grad.Operand, so it is accepted anywhere grad takes
// an operand (m.Scale above, grad.Linear(x, w, b), grad.Cat of
// parameters, a loss of a parameter) without writing p.Variable.
//
// Field names become snake_case (Weight → weight, PosEmbedding →
// pos_embedding). RegisterParameter, RegisterBuffer and AddModule add
// members under any name without a dot ("block 0"), after the fields.
//
// A plain tensor field is NOT a parameter. A field of type
// *tensor.Tensor (or *grad.Variable) is invisible to the walk: it is not
// listed by Parameters, not saved by StateDict, not trained by an
// optimizer, not frozen by RequiresGrad. This is PyTorch's rule (a tensor
// attribute is not a parameter; wrap it in nn.Parameter) and the classic
// mistake its documentation warns about. Wrap trainable tensors with
// NewParameter and non-trained state with NewBuffer. Likewise unexported
// fields cannot be walked; one holding a parameter or a module panics at
// the first walk rather than being silently ignored.
//
// # Walking
//
// The functions that take a Model mirror nn.Module's methods:
// Parameters, NamedParameters (a module's own parameters before its
// children's; each parameter once, so tied weights are listed once;
// NonRecursive for the module's own only), NamedBuffers, NamedModules,
// NamedChildren, NumParameters, Apply (children before the module, for
// custom init), RequiresGrad (freezing), ZeroGrad, Train and Eval,
// StateDict (every name, so a tied weight appears under each) and
// LoadStateDict (all problems reported in one error before anything is
// copied). Format prints the module tree exactly as PyTorch does; the
// built-in modules' String methods use it. ClipGradNorm and ClipGradValue
// are torch.nn.utils' clip_grad_norm_ and clip_grad_value_, over any
// sequence of parameters.
//
// # Forward
//
// Single-input layers implement Layer, a Model with
//
//	Forward(x *grad.Variable) *grad.Variable
//
// which is what Sequential chains. Other modules (losses, models with
// several inputs) define whatever Forward they need. A forward pass
// records the graph when its input and the parameters are ordinary
// Variables; an inference pass starts from a no-grad input and records
// nothing (grad's no-grad is carried by values, so concurrent passes are
// safe):
//
//	y := net.Forward(grad.NoGrad(x))
//
// # Options
//
// Required arguments are positional; settings whose PyTorch default is
// not Go's zero value are Options: nn.NewLinear(in, out, nn.NoBias()),
// nn.KaimingNormal(w, nn.FanOut()), nn.LoadStateDict(m, sd,
// nn.NonStrict()).
//
// # Errors
//
// Misuse panics with an *Error (an option that does not apply, a field
// that cannot be walked). Names (*NameError), state dicts (*LoadError)
// and files (*SafetensorsError) are data and return errors.
//
// # Safetensors
//
// WriteSafetensors and SaveSafetensors write a TensorDict (F32 and F64)
// byte for byte as Python's safetensors does; ReadSafetensors and
// LoadSafetensors read F32, F64, F16, BF16, I64 and I32 with a
// validating parser that is fuzzed against hostile files. Metadata
// round-trips.
//
//	err := nn.SaveSafetensors("model.safetensors", nn.StateDict(net))
//	sd, err := nn.LoadSafetensors("model.safetensors")
//	_, err = nn.LoadStateDict(net, sd)
package nn
