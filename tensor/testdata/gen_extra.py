#!/usr/bin/python3
"""Generate tensor/testdata/extra_golden.json: logsumexp, cumsum, sort,
topk, isnan/isinf/isfinite, allclose/equal and one_hot of PyTorch 1.13
(Debian's python3-torch) on explicit inputs. Run from the repository root:

    /usr/bin/python3 tensor/testdata/gen_extra.py

Non-finite numbers are stored as the strings "nan", "inf" and "-inf".
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(5)


def enc(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def flat(t):
    return [enc(v) for v in t.detach().reshape(-1).tolist()]


x = torch.randn(3, 4, 5)
special = torch.tensor([[1.0, float("nan"), -2.0, float("inf")], [float("-inf"), 0.5, 3.0, -1.0]])
big = torch.tensor([[1000.0, 1000.0, -5.0], [float("-inf"), float("-inf"), float("-inf")], [float("inf"), 1.0, 2.0]])
out = {"x": {"shape": list(x.shape), "data": flat(x)},
       "special": {"shape": list(special.shape), "data": flat(special)},
       "big": {"shape": list(big.shape), "data": flat(big)}}

cases = []
for name, t in (("x", x), ("big", big)):
    for dim in range(t.dim()):
        for keep in (False, True):
            r = torch.logsumexp(t, dim, keepdim=keep)
            cases.append(dict(op="logsumexp", input=name, dim=dim, keepdim=keep, shape=list(r.shape), out=flat(r)))
for dim in range(x.dim()):
    r = torch.cumsum(x, dim)
    cases.append(dict(op="cumsum", input="x", dim=dim, shape=list(r.shape), out=flat(r)))
for name, t in (("x", x), ("special", special)):
    for dim in range(t.dim()):
        for desc in (False, True):
            v, i = torch.sort(t, stable=True, dim=dim, descending=desc)
            cases.append(dict(op="sort", input=name, dim=dim, descending=desc, shape=list(v.shape), out=flat(v), idx=flat(i)))
for name, t in (("x", x), ("special", special)):
    for dim in range(t.dim()):
        for k in (1, 2):
            for largest in (True, False):
                v, i = torch.topk(t, k, dim, largest=largest, sorted=True)
                cases.append(dict(op="topk", input=name, dim=dim, k=k, largest=largest, shape=list(v.shape), out=flat(v), idx=flat(i)))
for op in ("isnan", "isinf", "isfinite"):
    r = getattr(torch, op)(special)
    cases.append(dict(op=op, input="special", shape=list(r.shape), out=flat(r.float())))
a = torch.tensor([1.0, 2.0, float("inf"), float("nan"), 1e-9])
for name, b, rtol, atol in [
    ("close", a + 1e-6, 1e-5, 1e-8), ("far", a + 1e-3, 1e-5, 1e-8), ("atol", a + 1e-3, 1e-5, 1e-2),
]:
    bb = b.clone()
    bb[3] = 0.0  # NaN against a number
    aa = a.clone()
    aa[3] = 0.0
    cases.append(dict(op="allclose", name=name, a=flat(aa), b=flat(bb), rtol=rtol, atol=atol, out=bool(torch.allclose(aa, bb, rtol, atol))))
cases.append(dict(op="allclose", name="nan", a=flat(a), b=flat(a), rtol=1e-5, atol=1e-8, out=bool(torch.allclose(a, a))))
cases.append(dict(op="allclose", name="inf_sign", a=[enc(float("inf"))], b=[enc(float("-inf"))], rtol=1e-5, atol=1e-8,
                  out=bool(torch.allclose(torch.tensor([float("inf")]), torch.tensor([float("-inf")])))))
labels = torch.tensor([0, 3, 1, 3])
for n in (-1, 6):
    r = torch.nn.functional.one_hot(labels, n)
    cases.append(dict(op="one_hot", labels=labels.tolist(), num_classes=n, shape=list(r.shape), out=flat(r.float())))
out["cases"] = cases
with open(os.path.join(HERE, "extra_golden.json"), "w") as f:
    json.dump(out, f)
    f.write("\n")
