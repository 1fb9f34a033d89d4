#!/usr/bin/python3
"""Generate nn/testdata/more_golden.json: Hardtanh, ReLU6, Hardsigmoid,
Hardswish, Mish, LogSigmoid, Softsign, Tanhshrink, PReLU and KLDivLoss of
PyTorch 1.13 (Debian's python3-torch) on explicit inputs, with the
gradients. Run from the repository root:

    /usr/bin/python3 nn/testdata/gen_more.py

Activations: out = f(x) and dx = d sum(out * g)/dx (PReLU also dw).
Losses: out = loss(x, t), dx = d sum(out * g)/dx (g = 1 when reduced).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(13)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


shape = (3, 4, 5)
x = torch.randn(shape) * 4
# The kinks: 0, ±1, ±3, 6, and saturation.
x.view(-1)[:12] = torch.tensor([0.0, 1.0, -1.0, 3.0, -3.0, 6.0, -6.0, 30.0, -30.0, 0.5, -0.5, 2.0])
g = torch.randn(shape)

acts = []
for name, mod in [
    ("hardtanh", nn.Hardtanh()),
    ("hardtanh_-2_3", nn.Hardtanh(-2.0, 3.0)),
    ("relu6", nn.ReLU6()),
    ("hardsigmoid", nn.Hardsigmoid()),
    ("hardswish", nn.Hardswish()),
    ("mish", nn.Mish()),
    ("logsigmoid", nn.LogSigmoid()),
    ("softsign", nn.Softsign()),
    ("tanhshrink", nn.Tanhshrink()),
    ("prelu", nn.PReLU()),
    ("prelu_4", nn.PReLU(4, init=0.1)),
]:
    if name.startswith("prelu_"):
        with torch.no_grad():
            mod.weight.copy_(torch.tensor([0.1, -0.2, 0.3, 0.05]))
    xi = x.clone().requires_grad_(True)
    out = mod(xi)
    (out * g).sum().backward()
    d = dict(name=name, repr=repr(mod), x=flat(x), g=flat(g), out=flat(out), dx=flat(xi.grad))
    if name.startswith("prelu"):
        d["w"] = flat(mod.weight)
        d["dw"] = flat(mod.weight.grad)
    acts.append(d)

logp = F.log_softmax(torch.randn(shape), dim=-1)
p = F.softmax(torch.randn(shape), dim=-1)
p[0, 0, :2] = 0.0  # zero target probabilities: xlogy(0, 0) = 0
logt = F.log_softmax(torch.randn(shape), dim=-1)
losses = []
for name, mod, tgt in [
    ("kldiv", nn.KLDivLoss(), p),
    ("kldiv_batchmean", nn.KLDivLoss(reduction="batchmean"), p),
    ("kldiv_sum", nn.KLDivLoss(reduction="sum"), p),
    ("kldiv_none", nn.KLDivLoss(reduction="none"), p),
    ("kldiv_log_target", nn.KLDivLoss(reduction="batchmean", log_target=True), logt),
]:
    xi = logp.clone().requires_grad_(True)
    out = mod(xi, tgt)
    gg = g if out.dim() > 0 else torch.tensor(1.0)
    (out * gg).sum().backward()
    losses.append(dict(name=name, repr=repr(mod), x=flat(logp), t=flat(tgt), g=flat(gg), out=flat(out),
                       dx=flat(xi.grad)))

with open(os.path.join(HERE, "more_golden.json"), "w") as f:
    json.dump({"torch": torch.__version__, "shape": list(shape), "activations": acts, "losses": losses}, f)
    f.write("\n")
