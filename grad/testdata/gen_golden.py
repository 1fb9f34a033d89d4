#!/usr/bin/python3
"""Generate grad/testdata/golden.json: PyTorch's values and gradients.

Run from the repository root:  /usr/bin/python3 grad/testdata/gen_golden.py

Each case stores its inputs explicitly (data, shape, dtype), the op with its
arguments, the upstream gradient given to backward, the result and the
gradient of every input that requires grad, so the Go test needs neither
Python nor a matching random generator.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(20240605)
DT = {"float32": torch.float32, "float64": torch.float64}


def rand(*shape, lo=-2.0, hi=2.0, dtype="float64", away=0.0, grad=True, data=None):
    n = int(np.prod(shape)) if shape else 1
    if data is None:
        d = rng.uniform(lo, hi, n)
        if away:
            d = np.where(np.abs(d) < away, np.sign(d + 1e-12) * away + d, d)
        data = np.round(d, 4).tolist()
    return {"data": [float(x) for x in data], "shape": list(shape), "dtype": dtype, "grad": grad}


def const(data, shape, dtype="float64"):
    return {"data": [float(x) for x in data], "shape": list(shape), "dtype": dtype, "grad": False}


def build(inp):
    t = torch.tensor(inp["data"], dtype=DT[inp["dtype"]]).reshape(inp["shape"])
    return t.requires_grad_(inp["grad"])


R = {"mean": "mean", "sum": "sum", "none": "none"}


def run(op, xs, a):
    if op == "add": return xs[0] + xs[1]
    if op == "sub": return xs[0] - xs[1]
    if op == "mul": return xs[0] * xs[1]
    if op == "div": return xs[0] / xs[1]
    if op == "pow": return xs[0] ** a["e"]
    if op == "sqrt": return xs[0].sqrt()
    if op == "exp": return xs[0].exp()
    if op == "log": return xs[0].log()
    if op == "abs": return xs[0].abs()
    if op == "maximum": return torch.maximum(xs[0], xs[1])
    if op == "where": return torch.where(xs[0] != 0, xs[1], xs[2])
    if op == "relu": return xs[0].relu()
    if op == "leaky_relu": return F.leaky_relu(xs[0], a["slope"])
    if op == "sigmoid": return xs[0].sigmoid()
    if op == "tanh": return xs[0].tanh()
    if op == "gelu": return F.gelu(xs[0])
    if op == "softmax": return xs[0].softmax(a["dim"])
    if op == "log_softmax": return xs[0].log_softmax(a["dim"])
    if op == "clamp": return xs[0].clamp(a["lo"], a["hi"])
    if op == "matmul": return xs[0] @ xs[1]
    if op == "addmm": return torch.addmm(xs[0], xs[1], xs[2], beta=a["beta"], alpha=a["alpha"])
    if op == "linear": return F.linear(xs[0], xs[1], xs[2])
    if op == "view_chain": return xs[0].reshape(4, 3).t()[:, 1:3].reshape(-1) * xs[1]
    if op == "permute_expand": return xs[0].permute(1, 0, 2).expand(2, 1, 3, 4) * xs[1]
    if op == "select_slice": return xs[0][1, ::2] * 3 + xs[0][:, 1].sum()
    if op == "index_select": return xs[0].index_select(a["dim"], torch.tensor(a["index"]))
    if op == "gather": return xs[0].gather(a["dim"], torch.tensor(a["index"]))
    if op == "cat": return torch.cat(xs, a["dim"])
    if op == "stack": return torch.stack(xs, a["dim"])
    if op == "split": return torch.cat([p * (i + 1) for i, p in enumerate(xs[0].split(a["size"], a["dim"]))], a["dim"])
    if op == "sum": return xs[0].sum(a["dims"], keepdim=a["keep"]) if a["dims"] is not None else xs[0].sum()
    if op == "mean": return xs[0].mean(a["dims"], keepdim=a["keep"]) if a["dims"] is not None else xs[0].mean()
    if op == "prod": return xs[0].prod(a["dim"]) if a["dim"] is not None else xs[0].prod()
    if op == "var": return xs[0].var(a["dim"], unbiased=a["unbiased"])
    if op == "std": return xs[0].std(a["dim"], unbiased=a["unbiased"])
    if op == "amax": return xs[0].amax(a["dims"]) if a["dims"] is not None else xs[0].max()
    if op == "max_dim": return xs[0].max(a["dim"], keepdim=a["keep"])[0]
    if op == "min_dim": return xs[0].min(a["dim"], keepdim=a["keep"])[0]
    if op == "norm": return torch.linalg.vector_norm(xs[0], float(a["p"]), a["dim"])
    if op == "mse": return F.mse_loss(xs[0], xs[1], reduction=a["reduction"])
    if op == "l1": return F.l1_loss(xs[0], xs[1], reduction=a["reduction"])
    if op == "cross_entropy":
        w = torch.tensor(a["weight"], dtype=xs[0].dtype) if a.get("weight") else None
        return F.cross_entropy(xs[0], torch.tensor(a["target"]).reshape(a["tshape"]), weight=w, ignore_index=a.get("ignore", -100),
                               label_smoothing=a.get("smoothing", 0.0), reduction=a["reduction"])
    if op == "nll":
        w = torch.tensor(a["weight"], dtype=xs[0].dtype) if a.get("weight") else None
        return F.nll_loss(xs[0], torch.tensor(a["target"]), weight=w, ignore_index=a.get("ignore", -100), reduction=a["reduction"])
    if op == "bce_logits":
        pw = torch.tensor(a["pos_weight"], dtype=xs[0].dtype) if a.get("pos_weight") else None
        return F.binary_cross_entropy_with_logits(xs[0], xs[1], pos_weight=pw, reduction=a["reduction"])
    raise ValueError(op)


cases = []


def case(name, op, inputs, **args):
    xs = [build(i) for i in inputs]
    y = run(op, xs, args)
    gout = np.round(rng.uniform(-1, 1, y.numel()), 4).tolist()
    y.backward(torch.tensor(gout, dtype=y.dtype).reshape(y.shape))
    cases.append({
        "name": name, "op": op, "args": args, "inputs": inputs,
        "gout": gout,
        "out": {"data": y.detach().reshape(-1).tolist(), "shape": list(y.shape)},
        "grads": [x.grad.reshape(-1).tolist() if x.grad is not None else None for x in xs],
    })


for dt in ["float32", "float64"]:
    case("add broadcast " + dt, "add", [rand(2, 3, dtype=dt), rand(3, dtype=dt)])
    case("mul broadcast " + dt, "mul", [rand(2, 1, 3, dtype=dt), rand(4, 1, dtype=dt)])
    case("matmul mm " + dt, "matmul", [rand(3, 4, dtype=dt), rand(4, 5, dtype=dt)])
    case("linear " + dt, "linear", [rand(3, 4, dtype=dt), rand(5, 4, dtype=dt), rand(5, dtype=dt)])
    case("cross_entropy " + dt, "cross_entropy", [rand(4, 5, dtype=dt)], target=[1, 0, 4, 2], tshape=[4], reduction="mean")
case("sub", "sub", [rand(2, 3), rand(2, 1)])
case("div", "div", [rand(2, 3), rand(3, lo=0.5, hi=2)])
case("pow 3", "pow", [rand(5)], e=3.0)
case("pow -0.5", "pow", [rand(5, lo=0.5, hi=2)], e=-0.5)
case("pow 0", "pow", [rand(5)], e=0.0)
case("sqrt", "sqrt", [rand(5, lo=0.1, hi=3)])
case("exp", "exp", [rand(5)])
case("log", "log", [rand(5, lo=0.1, hi=3)])
case("abs with zero", "abs", [rand(5, data=[-1.5, 0.0, 2.0, -0.25, 0.0])])
case("maximum ties", "maximum", [rand(4, data=[1, 2, 3, 4]), rand(4, data=[1, 3, 2, 4])])
case("where", "where", [const([1, 0, 1, 0, 0, 1], [2, 3]), rand(2, 3), rand(3)])
case("relu with zero", "relu", [rand(6, data=[-1, 0, 1, -0.5, 0.5, 0])])
case("leaky_relu", "leaky_relu", [rand(6, away=0.05)], slope=0.2)
case("sigmoid", "sigmoid", [rand(6, lo=-6, hi=6)])
case("tanh", "tanh", [rand(6)])
case("gelu", "gelu", [rand(6, lo=-3, hi=3)])
case("softmax dim1", "softmax", [rand(3, 4)], dim=1)
case("softmax dim0", "softmax", [rand(3, 4)], dim=0)
case("log_softmax", "log_softmax", [rand(3, 4)], dim=-1)
case("clamp bounds", "clamp", [rand(6, data=[-2, -0.5, 0, 0.5, 0.7, 2])], lo=-0.5, hi=0.5)
case("matmul dot", "matmul", [rand(4), rand(4)])
case("matmul mv", "matmul", [rand(3, 4), rand(4)])
case("matmul vm", "matmul", [rand(4), rand(4, 3)])
case("matmul batched broadcast", "matmul", [rand(2, 1, 3, 4), rand(3, 4, 2)])
case("matmul 3d@2d", "matmul", [rand(2, 3, 4), rand(4, 2)])
case("addmm", "addmm", [rand(3, 1), rand(3, 4), rand(4, 2)], alpha=0.5, beta=2.0)
case("linear 3d", "linear", [rand(2, 3, 4), rand(5, 4), rand(5)])
case("view chain", "view_chain", [rand(2, 6), rand(6)])
case("permute expand", "permute_expand", [rand(3, 1, 4), rand(2, 1, 1, 1)])
case("select slice", "select_slice", [rand(3, 5)])
case("index_select repeated", "index_select", [rand(4, 3)], dim=0, index=[3, 0, 3, 1])
case("index_select dim1", "index_select", [rand(2, 4)], dim=1, index=[1, 1, 0])
case("gather", "gather", [rand(3, 4)], dim=1, index=[[0, 0], [3, 1], [2, 2]])
case("cat", "cat", [rand(2, 3), rand(2, 1)], dim=1)
case("stack", "stack", [rand(2, 3), rand(2, 3)], dim=0)
case("split", "split", [rand(5, 2)], size=2, dim=0)
case("sum all", "sum", [rand(2, 3)], dims=None, keep=False)
case("sum dims keep", "sum", [rand(2, 3, 4)], dims=[0, 2], keep=True)
case("mean dim", "mean", [rand(2, 3, 4)], dims=[1], keep=False)
case("prod", "prod", [rand(5, lo=0.5, hi=1.5)], dim=None)
case("prod zeros", "prod", [rand(3, 3, data=[2, 0, 3, 0, 0, 5, 1, 2, 3])], dim=1)
case("prod one zero all", "prod", [rand(4, data=[2, 0, 3, 4])], dim=None)
case("var unbiased", "var", [rand(3, 4)], dim=1, unbiased=True)
case("std biased", "std", [rand(3, 4)], dim=0, unbiased=False)
case("max all ties", "amax", [rand(5, data=[1, 3, 2, 3, 0])], dims=None)
case("amax dim ties", "amax", [rand(2, 3, data=[1, 3, 3, 2, 2, 0])], dims=[1])
case("max dim ties first", "max_dim", [rand(2, 3, data=[1, 3, 3, 2, 2, 0])], dim=1, keep=False)
case("min dim keep", "min_dim", [rand(3, 2, data=[1, 3, 1, 2, 0, 5])], dim=0, keep=True)
case("norm 2", "norm", [rand(3, 4)], p=2.0, dim=1)
case("norm 2 zero row", "norm", [rand(2, 3, data=[0, 0, 0, 1, 2, 2])], p=2.0, dim=1)
case("norm 1", "norm", [rand(3, 4, away=0.05)], p=1.0, dim=None)
case("norm inf ties", "norm", [rand(2, 3, data=[1, -3, 3, 2, -1, 0.5])], p="inf", dim=1)
for r in ["mean", "sum", "none"]:
    case("mse " + r, "mse", [rand(2, 3), rand(2, 3)], reduction=r)
    case("l1 " + r, "l1", [rand(2, 3, away=0.05), rand(2, 3, grad=False, data=[0] * 6)], reduction=r)
    case("cross_entropy " + r, "cross_entropy", [rand(4, 3)], target=[2, 0, 1, 2], tshape=[4], reduction=r)
    case("cross_entropy weight ignore smooth " + r, "cross_entropy", [rand(4, 3)], target=[2, -100, 1, 0], tshape=[4],
         weight=[0.5, 2.0, 1.0], smoothing=0.2, reduction=r)
    case("cross_entropy ignore smooth " + r, "cross_entropy", [rand(5, 3)], target=[2, 1, 1, 0, 1], tshape=[5],
         ignore=1, smoothing=0.1, reduction=r)
    case("cross_entropy 4d " + r, "cross_entropy", [rand(2, 3, 2, 2)], target=[0, 2, 1, 1, 2, 0, 0, 1], tshape=[2, 2, 2],
         reduction=r)
    case("nll weight " + r, "nll", [rand(4, 3)], target=[2, 0, 1, 2], weight=[0.5, 2.0, 1.0], reduction=r)
    case("bce_logits " + r, "bce_logits", [rand(2, 3, lo=-4, hi=4), rand(2, 3, lo=0, hi=1)], reduction=r)
    case("bce_logits pos_weight " + r, "bce_logits", [rand(2, 3, lo=-4, hi=4), rand(2, 3, lo=0, hi=1, grad=False)],
         pos_weight=[1.0, 3.0, 0.5], reduction=r)
case("cross_entropy ±100", "cross_entropy", [rand(2, 3, data=[100, -100, 0, -100, 100, 0], dtype="float32")], target=[1, 0],
     tshape=[2], reduction="mean")
case("bce_logits ±100", "bce_logits", [rand(4, data=[100, -100, 100, -100], dtype="float32"),
                                       const([0, 1, 1, 0], [4], "float32")], pos_weight=[2.0], reduction="sum")

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print("wrote", len(cases), "cases to", out)
