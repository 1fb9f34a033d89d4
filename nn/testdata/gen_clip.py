#!/usr/bin/python3
"""Generate nn/testdata/clip_golden.json: torch.nn.utils.clip_grad_norm_
and clip_grad_value_ on explicit gradients (PyTorch 1.13, Debian's
python3-torch). Run from the repository root:

    /usr/bin/python3 nn/testdata/gen_clip.py

Each case stores the parameters' shapes, dtypes and gradients (None for a
parameter without one), the call, the returned total norm and the
gradients after the call.
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(7)


def grads(specs):
    ps = []
    for shape, dtype, has in specs:
        p = torch.nn.Parameter(torch.zeros(shape, dtype=dtype))
        if has:
            p.grad = (torch.randn(shape, dtype=torch.float64) * 3).to(dtype)
        ps.append(p)
    return ps


def flat(t):
    return None if t is None else [float(x) for x in t.detach().reshape(-1).tolist()]


def dt(d):
    return {torch.float32: "float32", torch.float64: "float64"}[d]


cases = []
mixed = [((3, 4), torch.float32, True), ((5,), torch.float32, True), ((2,), torch.float32, False)]
for name, specs, fn, max_norm, norm_type in [
    ("l2", mixed, "norm", 1.0, 2.0),
    ("l2-noclip", mixed, "norm", 1e6, 2.0),
    ("inf", mixed, "norm", 0.5, math.inf),
    ("l1", mixed, "norm", 2.0, 1.0),
    ("p1.5", mixed, "norm", 2.0, 1.5),
    ("p3", mixed, "norm", 0.25, 3.0),
    ("f64", [((4, 3), torch.float64, True), ((7,), torch.float64, True)], "norm", 0.75, 2.0),
    ("value", mixed, "value", 0.5, None),
]:
    ps = grads(specs)
    before = [flat(p.grad) for p in ps]
    if fn == "norm":
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        total = float(total)
    else:
        torch.nn.utils.clip_grad_value_(ps, max_norm)
        total = None
    cases.append({
        "name": name, "fn": fn, "max": max_norm,
        "norm_type": None if norm_type is None else ("inf" if math.isinf(norm_type) else norm_type),
        "shapes": [list(s) for s, _, _ in specs], "dtypes": [dt(d) for _, d, _ in specs],
        "grads": before, "total": total, "after": [flat(p.grad) for p in ps],
    })

with open(os.path.join(HERE, "clip_golden.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
