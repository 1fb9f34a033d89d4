#!/usr/bin/python3
"""Generate nn/testdata/extra_golden.json: activations (SiLU, ELU,
Softplus) and losses (HuberLoss, SmoothL1Loss, BCELoss) of PyTorch 1.13
(Debian's python3-torch) on explicit inputs, with the gradients. Run from
the repository root:

    /usr/bin/python3 nn/testdata/gen_extra.py

Activations: out = f(x) and dx = d sum(out * g)/dx. Losses: out =
loss(x, t) and dx = d sum(out * g)/dx (g = 1 for a reduced loss), and dt
when the target takes a gradient.
"""
import json
import os

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(11)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


shape = (4, 6)
x = torch.randn(shape) * 3
x[0, 0], x[0, 1], x[0, 2] = 0.0, 25.0, -30.0  # kinks, the softplus threshold, saturation
g = torch.randn(shape)

acts = []
for name, mod in [
    ("silu", nn.SiLU()),
    ("elu", nn.ELU()),
    ("elu_0.5", nn.ELU(alpha=0.5)),
    ("softplus", nn.Softplus()),
    ("softplus_b2_t5", nn.Softplus(beta=2, threshold=5)),
]:
    xi = x.clone().requires_grad_(True)
    out = mod(xi)
    (out * g).sum().backward()
    acts.append(dict(name=name, repr=repr(mod), x=flat(x), g=flat(g), out=flat(out), dx=flat(xi.grad)))

t = torch.randn(shape) * 3
t[1, 0] = x[1, 0] + 1.0  # |x - t| exactly at delta = 1
p = torch.rand(shape) * 0.98 + 0.01
y = (torch.rand(shape) > 0.5).float()
y[2, :3] = torch.tensor([0.25, 0.5, 0.9])  # soft targets
w = torch.rand(shape[1]) + 0.5
losses = []
for name, mod, inp, tgt in [
    ("huber", nn.HuberLoss(), x, t),
    ("huber_d0.5_sum", nn.HuberLoss(reduction="sum", delta=0.5), x, t),
    ("huber_none", nn.HuberLoss(reduction="none", delta=2.0), x, t),
    ("smoothl1", nn.SmoothL1Loss(), x, t),
    ("smoothl1_b0.5_sum", nn.SmoothL1Loss(reduction="sum", beta=0.5), x, t),
    ("smoothl1_b0", nn.SmoothL1Loss(beta=0.0), x, t),
    ("bce", nn.BCELoss(), p, y),
    ("bce_weight_sum", nn.BCELoss(weight=w, reduction="sum"), p, y),
    ("bce_none", nn.BCELoss(reduction="none"), p, y),
]:
    xi = inp.clone().requires_grad_(True)
    ti = tgt.clone().requires_grad_(not name.startswith("bce"))
    out = mod(xi, ti)
    gg = g if out.dim() > 0 else torch.tensor(1.0)
    (out * gg).sum().backward()
    losses.append(dict(name=name, repr=repr(mod), x=flat(inp), t=flat(tgt), g=flat(gg), out=flat(out),
                       dx=flat(xi.grad), dt=None if ti.grad is None else flat(ti.grad),
                       weight=flat(w) if "weight" in name else None))

with open(os.path.join(HERE, "extra_golden.json"), "w") as f:
    json.dump({"torch": torch.__version__, "shape": list(shape), "activations": acts, "losses": losses}, f)
    f.write("\n")
