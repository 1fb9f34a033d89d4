// Package optim trains nn models: the optimizers and learning-rate
// schedules of PyTorch's torch.optim and torch.optim.lr_scheduler.
//
//	opt, err := optim.NewAdam(nn.Parameters(net), optim.LR(1e-3))
//	for batch := range batches {
//		opt.ZeroGrad()
//		loss := grad.CrossEntropy(net.Forward(x), y)
//		loss.Backward()
//		opt.Step()
//	}
//
// SGD (torch.optim.SGD: Momentum, Dampening, Nesterov, WeightDecay),
// Adam (torch.optim.Adam: Betas, Eps, WeightDecay, AMSGrad), AdamW
// (torch.optim.AdamW, decoupled weight decay defaulting to 0.01), RMSprop
// (torch.optim.RMSprop: Alpha, Eps, WeightDecay, Momentum, Centered) and
// Adagrad (torch.optim.Adagrad: LRDecay, WeightDecay,
// InitialAccumulatorValue, Eps) update each parameter with one fused
// kernel pass over its storage (kernels.SGDStep, AdamStep, RMSpropStep,
// AdagradStep), with PyTorch 1.13's formulas; parameters whose Grad is nil
// are skipped. Trajectories are checked against PyTorch's in
// testdata/golden.json.
//
// # Parameter groups
//
// The constructor's parameters form the first group; AddParamGroup adds
// more, each option given to it overriding the constructor's setting for
// that group only (add_param_group):
//
//	opt, _ := optim.NewSGD(nn.Parameters(net.Body), optim.LR(0.1), optim.Momentum(0.9))
//	err := opt.AddParamGroup(nn.Parameters(net.Head), optim.LR(0.01))
//
// ParamGroups exposes the groups; changing a field takes effect at the
// next Step.
//
// # State
//
// StateDict returns the step counts, moment buffers and hyperparameters as
// an nn.TensorDict, so nn.SaveSafetensors can write it; LoadStateDict
// restores it into an optimizer of the same kind over parameters grouped
// and shaped the same way, or returns a *LoadError listing every problem
// and changes nothing. Since a checkpoint comes from disk, the settings it
// holds are checked as the constructor checks them (a negative learning
// rate, a beta outside [0, 1), ...) and step counts must be whole numbers
// >= 0; PyTorch's load_state_dict takes such values as they are.
//
// # Schedules
//
// StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR (a
// warm-up) and LambdaLR (Scheduler) set the groups' LR once per epoch
// with PyTorch's chainable formulas, so several on one optimizer compose
// (a LinearLR warm-up with an ExponentialLR decay, say); construction
// makes the initial step (last_epoch 0), and LastEpoch resumes.
// CosineAnnealingWarmRestarts (SGDR; StepTo takes fractional epochs) and
// OneCycleLR (stepped once per batch; it also cycles the momentum) are
// Schedulers too, as are ConstantLR and PolynomialLR. SequentialLR runs
// schedules one after another (a warm-up, then a decay), ChainedScheduler
// steps several together. ReduceLROnPlateau lowers the rates when a metric
// stops improving: its Step takes the metric. A schedule's StateDict and
// LoadStateDict (state_dict, load_state_dict) save and restore its
// settings, base rates and epoch count, so a checkpoint of the optimizer
// and the schedule resumes a run where it stopped:
//
//	err := nn.SaveSafetensors("opt.safetensors", opt.StateDict())
//	err = nn.SaveSafetensors("sched.safetensors", sched.StateDict())
//	// ... later, on fresh ones built the same way:
//	sd, err := nn.LoadSafetensors("opt.safetensors")
//	err = opt.LoadStateDict(sd)
//	sd, err = nn.LoadSafetensors("sched.safetensors")
//	err = sched.LoadStateDict(sd)
//
// # Errors
//
// An empty parameter list is an error (ErrEmptyParams, "optimizer got an
// empty parameter list"), as is a parameter in two groups and a state
// dict that does not fit. Misuse (an option that does not apply, a
// negative learning rate, Nesterov without momentum) panics with an
// *Error.
package optim
