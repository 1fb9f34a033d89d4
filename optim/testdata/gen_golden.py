# Generates golden.json: torch.optim trajectories for optim's parity tests.
# Run with Debian's python3 (torch 1.13): /usr/bin/python3 gen_golden.py
import json
import torch

torch.manual_seed(0)
STEPS = 5
SHAPES = [[3, 4], [5]]


def rnd(shape):
    return torch.randn(shape, dtype=torch.float64)


def run_case(name, kind, defaults, groups, dtype, nil_grad=None):
    # groups: list of per-group kwargs; group i holds param i.
    init = [rnd(s) for s in SHAPES]
    grads = [[rnd(s) for s in SHAPES] for _ in range(STEPS)]
    params = [torch.nn.Parameter(t.clone().to(dtype)) for t in init]
    pg = [dict(params=[params[i]], **g) for i, g in enumerate(groups)]
    cls = dict(SGD=torch.optim.SGD, Adam=torch.optim.Adam, AdamW=torch.optim.AdamW,
               RMSprop=torch.optim.RMSprop, Adagrad=torch.optim.Adagrad)[kind]
    opt = cls(pg, foreach=False, **defaults)
    traj = []
    for s in range(STEPS):
        for i, p in enumerate(params):
            if nil_grad is not None and (s, i) == tuple(nil_grad):
                p.grad = None
            else:
                p.grad = grads[s][i].clone().to(dtype)
        opt.step()
        traj.append([p.detach().to(torch.float64).flatten().tolist() for p in params])
    return dict(name=name, kind=kind, defaults=defaults, groups=groups,
                dtype=str(dtype).replace("torch.", ""),
                shapes=SHAPES, init=[t.flatten().tolist() for t in init],
                grads=[[g.flatten().tolist() for g in gs] for gs in grads],
                nil_grad=nil_grad, params=traj)


cases = []
for dtype in (torch.float32, torch.float64):
    cases += [
        run_case("sgd", "SGD", dict(lr=0.1), [{}, {}], dtype),
        run_case("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9), [{}, {}], dtype),
        run_case("sgd_dampening_wd", "SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01), [{}, {}], dtype),
        run_case("sgd_nesterov", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3), [{}, {}], dtype),
        run_case("sgd_groups", "SGD", dict(lr=0.1, momentum=0.9), [{}, dict(lr=0.01, momentum=0.5, nesterov=True)], dtype, nil_grad=[2, 0]),
        run_case("adam", "Adam", dict(), [{}, {}], dtype),
        run_case("adam_wd_betas", "Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), [{}, {}], dtype),
        run_case("adam_amsgrad", "Adam", dict(lr=0.01, amsgrad=True), [{}, {}], dtype, nil_grad=[1, 1]),
        run_case("adamw", "AdamW", dict(lr=0.01), [{}, {}], dtype),
        run_case("adamw_groups", "AdamW", dict(lr=0.01, weight_decay=0.1), [{}, dict(lr=0.001, amsgrad=True, weight_decay=0.5)], dtype),
    ]

# Added at stop 13, after the others so that their random draws (and so
# their entries) stay as they were.
for dtype in (torch.float32, torch.float64):
    cases += [
        run_case("rmsprop", "RMSprop", dict(), [{}, {}], dtype),
        run_case("rmsprop_momentum_wd", "RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.8, weight_decay=0.05), [{}, {}], dtype),
        run_case("rmsprop_centered", "RMSprop", dict(lr=0.005, centered=True, eps=1e-6),
                 [{}, dict(momentum=0.5, alpha=0.95)], dtype, nil_grad=[2, 1]),
        run_case("adagrad", "Adagrad", dict(), [{}, {}], dtype),
        run_case("adagrad_decay", "Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1),
                 [{}, dict(eps=1e-6, lr_decay=0.0)], dtype, nil_grad=[1, 0]),
    ]


def sched_case(name, make, epochs=14):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([dict(params=[p]), dict(params=[torch.nn.Parameter(torch.zeros(1))], lr=0.5)], lr=0.1)
    scheds = make(opt)
    lrs = [[g["lr"] for g in opt.param_groups]]
    for _ in range(epochs):
        opt.step()
        for s in scheds:
            s.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    return dict(name=name, lrs=lrs)


S = torch.optim.lr_scheduler
scheds = [
    sched_case("steplr", lambda o: [S.StepLR(o, 3, gamma=0.5)]),
    sched_case("cosine", lambda o: [S.CosineAnnealingLR(o, 4, eta_min=0.01)]),
    sched_case("chained", lambda o: [S.StepLR(o, 5, gamma=0.1), S.CosineAnnealingLR(o, 3)]),
    sched_case("exponential", lambda o: [S.ExponentialLR(o, gamma=0.8)]),
    sched_case("multistep", lambda o: [S.MultiStepLR(o, [9, 2, 5, 5], gamma=0.5)]),
    sched_case("linear", lambda o: [S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=6)]),
    sched_case("linear_default", lambda o: [S.LinearLR(o)]),
    sched_case("lambda", lambda o: [S.LambdaLR(o, lambda e: 0.95 ** e + 0.01 * e)]),
    sched_case("warmup_then_exp", lambda o: [S.LinearLR(o, start_factor=0.5, total_iters=3), S.ExponentialLR(o, gamma=0.9)]),
]

with open("golden.json", "w") as f:
    json.dump(dict(torch=torch.__version__, optimizers=cases, schedulers=scheds), f)
