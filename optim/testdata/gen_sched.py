"""Golden learning-rate (and momentum) trajectories of torch 1.13's
CosineAnnealingWarmRestarts, OneCycleLR and ReduceLROnPlateau, for
optim/scheduler_cycle_test.go. Run: cd optim/testdata && /usr/bin/python3 gen_sched.py"""
import json
import torch

S = torch.optim.lr_scheduler


def groups(kind):
    ps = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
    if kind == "sgd":
        return torch.optim.SGD([dict(params=[ps[0]]), dict(params=[ps[1]], lr=0.5)], lr=0.1, momentum=0.9)
    return torch.optim.Adam([dict(params=[ps[0]]), dict(params=[ps[1]], lr=0.5)], lr=0.1)


def record(opt):
    return dict(lr=[g["lr"] for g in opt.param_groups],
                mom=[g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups])


def run(name, kind, make, steps, arg=None):
    """arg: None (step()), or per step an epoch (step(epoch)) or a metric."""
    opt = groups(kind)
    s = make(opt)
    out = [record(opt)]
    for i in range(steps):
        opt.step()
        if arg is None:
            s.step()
        else:
            s.step(arg[i])
        out.append(record(opt))
    # JSON has no NaN: a NaN argument is written as null.
    return dict(name=name, opt=kind, steps=out, arg=None if arg is None else [None if a != a else a for a in arg])


cases = [
    run("warm_restarts", "sgd", lambda o: S.CosineAnnealingWarmRestarts(o, 3), 10),
    run("warm_restarts_mult", "sgd", lambda o: S.CosineAnnealingWarmRestarts(o, 2, T_mult=2, eta_min=0.01), 20),
    run("warm_restarts_frac", "sgd", lambda o: S.CosineAnnealingWarmRestarts(o, 2, T_mult=3, eta_min=0.001), 12,
        [0.25, 0.5, 1.75, 2.0, 3.5, 7.9, 8.0, 9.2, 1.0, 26.5, 27.0, 0.0]),
    run("onecycle", "sgd", lambda o: S.OneCycleLR(o, 1.0, total_steps=20), 20),
    run("onecycle_adam_linear", "adam", lambda o: S.OneCycleLR(o, [0.3, 0.6], total_steps=13, pct_start=0.4,
                                                               anneal_strategy="linear", div_factor=10,
                                                               final_div_factor=100), 13),
    run("onecycle_three_phase", "sgd", lambda o: S.OneCycleLR(o, 0.8, total_steps=17, three_phase=True,
                                                              base_momentum=0.8, max_momentum=0.9), 17),
    run("onecycle_no_momentum", "sgd", lambda o: S.OneCycleLR(o, 0.5, total_steps=7, cycle_momentum=False), 7),
    run("plateau", "sgd", lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5), 16,
        [1.0, 0.9, 0.95, 0.91, 0.92, 0.9, 0.8, 0.85, 0.85, 0.85, 0.7, 0.7, 0.7, 0.7, float("nan"), 0.1]),
    run("plateau_max_abs_cooldown", "sgd", lambda o: S.ReduceLROnPlateau(
        o, mode="max", threshold_mode="abs", threshold=0.05, patience=1, cooldown=2, factor=0.1,
        min_lr=[0.0, 0.004]), 14,
        [0.1, 0.2, 0.22, 0.24, 0.3, 0.31, 0.32, 0.33, 0.34, 0.5, 0.5, 0.5, 0.5, 0.5]),
]

cases += [
    run("constant", "sgd", lambda o: S.ConstantLR(o, factor=0.5, total_iters=3), 8),
    run("polynomial", "sgd", lambda o: S.PolynomialLR(o, total_iters=6, power=2.0), 9),
    run("seq_warmup_cosine", "sgd", lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=3), S.CosineAnnealingLR(o, T_max=5)], milestones=[3]), 12),
    run("seq_three", "adam", lambda o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.5, total_iters=2), S.ExponentialLR(o, 0.9), S.StepLR(o, 2, gamma=0.5)],
        milestones=[2, 5]), 10),
    run("seq_lambda_multistep", "sgd", lambda o: S.SequentialLR(
        o, [S.LambdaLR(o, lambda e: 1 / (e + 1)), S.MultiStepLR(o, [0, 2], gamma=0.5)], milestones=[3]), 8),
    run("seq_warm_restarts", "sgd", lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.5, total_iters=2), S.CosineAnnealingWarmRestarts(o, 2)], milestones=[2]), 9),
    run("chained_constant_exp", "sgd", lambda o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)]), 6),
]

with open("golden_sched.json", "w") as f:
    json.dump(dict(torch=torch.__version__, cases=cases), f)
