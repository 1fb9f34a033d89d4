#!/usr/bin/python3
"""Generate tensor/testdata/golden.json with PyTorch (Debian's python3-torch).

Run from the repository root:  /usr/bin/python3 tensor/testdata/gen_golden.py

Every case stores its inputs explicitly (base data, shape, dtype and the view
operations applied to it), so the Go tests need neither Python nor a matching
random generator. Non-finite numbers are written as the strings "nan", "inf"
and "-inf" (JSON has no literal for them).
"""
import json
import math
import os

import numpy as np
import torch

rng = np.random.default_rng(20240604)
DT = {"float32": torch.float32, "float64": torch.float64}


def enc(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def rand(shape, dtype="float32", special=False, lo=-3.0, hi=3.0, positive=False):
    n = int(np.prod(shape)) if shape else 1
    if positive:
        data = np.round(rng.uniform(0.05, hi, n), 3)
    else:
        data = np.round(rng.uniform(lo, hi, n), 3)
    data = data.tolist()
    if special and n >= 4:
        for i, v in zip(rng.choice(n, size=min(3, n // 3), replace=False), [float("nan"), float("inf"), float("-inf")]):
            data[int(i)] = v
    return {"data": data, "shape": list(shape), "dtype": dtype, "views": []}


def view(inp, *ops):
    inp = dict(inp)
    inp["views"] = inp["views"] + [list(o) for o in ops]
    return inp


def build(inp):
    t = torch.tensor(inp["data"], dtype=DT[inp["dtype"]]).reshape(inp["shape"])
    for op in inp["views"]:
        name, args = op[0], op[1:]
        if name == "transpose":
            t = t.transpose(args[0], args[1])
        elif name == "permute":
            t = t.permute(*args[0])
        elif name == "slice":  # dim, start, end, step
            d, s, e, st = args
            idx = [slice(None)] * t.dim()
            idx[d] = slice(s, e, st)
            t = t[tuple(idx)]
        elif name == "expand":
            t = t.expand(*args[0])
        elif name == "select":
            t = t.select(args[0], args[1])
        else:
            raise ValueError(name)
    return t


def out(t):
    t = t.contiguous()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "data": [enc(float(v)) for v in t.reshape(-1).tolist()]}


inputs = []
_interned = {}


def encin(inp):
    """Interns an input in the shared table and returns its index."""
    inp = dict(inp)
    if "range" in inp:
        del inp["data"]
    else:
        inp["data"] = [enc(v) for v in inp["data"]]
    key = json.dumps(inp, sort_keys=True)
    if key not in _interned:
        _interned[key] = len(inputs)
        inputs.append(inp)
    return _interned[key]


def ranged(n, div, shape, dtype):
    """An input whose data is float(i)/div for i < n, stored as a rule."""
    return {"range": [n, div], "data": [float(i) / div for i in range(n)], "shape": shape, "dtype": dtype, "views": []}


cases = []


def case(op, inputs, result, **args):
    if isinstance(result, tuple):
        res = [out(r) for r in result]
    else:
        res = [out(result)]
    cases.append({"op": op, "inputs": [encin(i) for i in inputs], "args": args, "out": res})


# ---- elementwise binary -------------------------------------------------
BIN = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "maximum": torch.maximum, "minimum": torch.minimum,
    "gt": lambda a, b: torch.gt(a, b).to(a.dtype), "ge": lambda a, b: torch.ge(a, b).to(a.dtype),
    "lt": lambda a, b: torch.lt(a, b).to(a.dtype), "le": lambda a, b: torch.le(a, b).to(a.dtype),
    "eq": lambda a, b: torch.eq(a, b).to(a.dtype), "ne": lambda a, b: torch.ne(a, b).to(a.dtype),
}
for n in [1, 7, 8, 9, 17, 33]:
    a, b = rand([n], special=n >= 8), rand([n], special=n >= 17)
    if n >= 8:
        b["data"][1] = a["data"][1]  # some equal pairs for the comparisons
    for name, f in BIN.items():
        case(name, [a, b], f(build(a), build(b)))
for dt in ["float32", "float64"]:
    pairs = [
        (rand([3, 1], dt), rand([4], dt)),
        (rand([2, 3, 4], dt, special=True), rand([3, 1], dt)),
        (rand([5], dt), rand([], dt)),
        (rand([1, 9], dt), rand([17, 1], dt)),
        (view(rand([4, 3], dt), ("transpose", 0, 1)), rand([3, 4], dt)),
        (view(rand([6, 10], dt), ("slice", 1, 1, 10, 3)), view(rand([3, 12], dt), ("slice", 0, 0, 3, 1), ("transpose", 0, 1))),
        (view(rand([2, 5, 3], dt), ("permute", [2, 0, 1])), view(rand([5], dt), ("expand", [3, 2, 5]))),
        (rand([0, 3], dt), rand([3], dt)),
    ]
    for a, b in pairs:
        for name in ["add", "sub", "mul", "div", "maximum", "gt"]:
            try:
                r = BIN[name](build(a), build(b))
            except RuntimeError:
                continue
            case(name, [a, b], r)
# mixed dtypes promote to float64
a, b = rand([2, 3]), rand([3], "float64")
case("add", [a, b], build(a) + build(b))

# ---- scalar ops ------------------------------------------------------------
x = rand([17], special=True)
for name, s, f in [("add_scalar", 1.5, lambda t, s: t + s), ("sub_scalar", 0.25, lambda t, s: t - s),
                   ("rsub_scalar", 2.0, lambda t, s: s - t),
                   ("mul_scalar", -3.0, lambda t, s: t * s), ("div_scalar", 7.0, lambda t, s: t / s),
                   ("rdiv_scalar", 2.0, lambda t, s: s / t),
                   ("gt_scalar", 0.5, lambda t, s: (t > s).to(t.dtype))]:
    case(name, [x], f(build(x), s), s=s)

# ---- unary ----------------------------------------------------------------
UN = {
    "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "tanh": torch.tanh,
    "sigmoid": torch.sigmoid, "relu": torch.relu, "gelu": torch.nn.functional.gelu,
    "square": torch.square, "sign": torch.sign,
}
for dt in ["float32", "float64"]:
    for n in [1, 9, 33]:
        x = rand([n], dt, special=n > 8)
        for name, f in UN.items():
            case(name, [x], f(build(x)))
        p = rand([n], dt, positive=True)
        for name, f in {"sqrt": torch.sqrt, "log": torch.log, "rsqrt": torch.rsqrt, "reciprocal": torch.reciprocal}.items():
            case(name, [p], f(build(p)))
    xt = view(rand([5, 7], dt), ("transpose", 0, 1))
    for name, f in UN.items():
        case(name, [xt], f(build(xt)))
    x = rand([17], dt, special=True)
    case("leaky_relu", [x], torch.nn.functional.leaky_relu(build(x), 0.1), s=0.1)
    for e in [2.0, 3.0, 0.5, -1.0, 1.7]:
        p = rand([9], dt, positive=True)
        case("pow", [p], torch.pow(build(p), e), s=e)
    case("clamp", [x], torch.clamp(build(x), -0.5, 0.5), lo=-0.5, hi=0.5)
    case("clamp_min", [x], torch.clamp_min(build(x), 0.0), lo=0.0)
c, a, b = rand([3, 1]), rand([4]), rand([3, 4])
case("where", [c, a, b], torch.where(build(c) > 0, build(a), build(b)))

# ---- reductions -----------------------------------------------------------
RED = {
    "sum": lambda t, **k: t.sum(**k), "mean": lambda t, **k: t.mean(**k), "prod": lambda t, **k: t.prod(**k),
    "var": lambda t, **k: t.var(**k), "std": lambda t, **k: t.std(**k),
    "amax": lambda t, **k: t.amax(**k), "amin": lambda t, **k: t.amin(**k),
    "norm1": lambda t, **k: torch.linalg.vector_norm(t, 1, **k),
    "norm2": lambda t, **k: torch.linalg.vector_norm(t, 2, **k),
    "norminf": lambda t, **k: torch.linalg.vector_norm(t, float("inf"), **k),
}
for dt in ["float32", "float64"]:
    for x in [rand([3, 4, 5], dt, lo=0.5, hi=1.5), view(rand([5, 4, 3], dt, lo=0.5, hi=1.5), ("permute", [2, 1, 0])), rand([33], dt)]:
        nd = len(build(x).shape)
        dimsets = [None, [0], [-1], [0, 2]] if nd == 3 else [None, [0]]
        for name, f in RED.items():
            for dims in dimsets:
                for keep in [False, True]:
                    if dims is None and keep:
                        continue
                    kw = {} if dims is None else {"dim": dims if name not in ("prod",) else dims[0], "keepdim": keep}
                    if name == "prod" and dims is not None and len(dims) > 1:
                        continue
                    if name in ("amax", "amin") and dims is None:
                        r = f(build(x))
                    else:
                        r = f(build(x), **kw)
                    case(name, [x], r, dims=dims, keep=keep)
    x = rand([4, 6], dt)
    case("var", [x], build(x).var(dim=1, unbiased=False), dims=[1], keep=False, correction=0)
    case("std", [x], build(x).std(unbiased=False), dims=None, keep=False, correction=0)
    for dims in [None, [1], [0]]:
        if dims is None:
            case("argmax", [x], build(x).argmax().double(), dims=None, keep=False)
            case("argmin", [x], build(x).argmin().double(), dims=None, keep=False)
        else:
            v, i = build(x).max(dim=dims[0])
            case("max_dim", [x], (v, i.double()), dims=dims, keep=False)
            v, i = build(x).min(dim=dims[0], keepdim=True)
            case("min_dim", [x], (v, i.double()), dims=dims, keep=True)
    # sums over long rows with tails
    for n in [7, 8, 9, 17, 33, 257]:
        x = rand([2, n], dt)
        case("sum", [x], build(x).sum(dim=1), dims=[1], keep=False)
        case("sum", [x], build(x).sum(dim=0), dims=[0], keep=False)
x = rand([9], special=True)
case("sum", [x], build(x).sum(), dims=None, keep=False)
case("amax", [x], build(x).amax(), dims=None, keep=False)
x = rand([0, 3])
case("sum", [x], build(x).sum(dim=0), dims=[0], keep=False)
case("prod", [x], build(x).prod(dim=0), dims=[0], keep=False)

# ---- softmax ----------------------------------------------------------------
for dt in ["float32", "float64"]:
    for x in [rand([4, 7], dt), view(rand([7, 4], dt), ("transpose", 0, 1)), rand([2, 3, 33], dt, lo=-10, hi=10)]:
        for d in [0, -1, 1]:
            case("softmax", [x], torch.softmax(build(x), d), dim=d)
            case("log_softmax", [x], torch.log_softmax(build(x), d), dim=d)

# ---- matmul -----------------------------------------------------------------
for dt in ["float32", "float64"]:
    mm = [
        (rand([17], dt), rand([17], dt)),
        (rand([7, 9], dt), rand([9, 17], dt)),
        (view(rand([9, 7], dt), ("transpose", 0, 1)), view(rand([17, 9], dt), ("transpose", 0, 1))),
        (view(rand([7, 20], dt), ("slice", 1, 0, 18, 2)), rand([9, 8], dt)),
        (rand([9], dt), rand([9, 8], dt)),
        (rand([8, 9], dt), rand([9], dt)),
        (rand([2, 1, 3, 4], dt), rand([3, 4, 5], dt)),
        (rand([2, 3, 4], dt), rand([4, 5], dt)),
        (rand([3, 4], dt), rand([2, 4, 5], dt)),
        (view(rand([2, 4, 3], dt), ("transpose", 1, 2)), rand([2, 4, 5], dt)),
        (rand([5], dt), rand([2, 5, 3], dt)),
        (rand([17, 33], dt), rand([33, 9], dt)),
        (rand([0, 3], dt), rand([3, 4], dt)),
        (rand([2, 0], dt), rand([0, 4], dt)),
    ]
    for a, b in mm:
        case("matmul", [a, b], torch.matmul(build(a), build(b)))
    i, a, b = rand([5], dt), rand([3, 4], dt), rand([4, 5], dt)
    case("addmm", [i, a, b], torch.addmm(build(i), build(a), build(b)), alpha=1.0, beta=1.0)
    i = rand([3, 5], dt)
    case("addmm", [i, a, b], torch.addmm(build(i), build(a), build(b), beta=0.5, alpha=2.0), alpha=2.0, beta=0.5)
    i = rand([3, 1], dt)
    case("addmm", [i, a, b], torch.addmm(build(i), build(a), build(b), beta=1.0, alpha=-1.0), alpha=-1.0, beta=1.0)

# ---- joins and indexing -----------------------------------------------------------
a, b, c = rand([2, 3]), rand([2, 1]), view(rand([4, 2]), ("transpose", 0, 1))
case("cat", [a, b, c], torch.cat([build(a), build(b), build(c)], 1), dim=1)
case("cat", [a, a], torch.cat([build(a), build(a)], 0), dim=0)
case("stack", [a, a, a], torch.stack([build(a)] * 3, 1), dim=1)
case("stack", [a, a], torch.stack([build(a)] * 2, -1), dim=-1)
x = rand([7, 3])
case("split", [x], tuple(torch.split(build(x), 3, 0)), size=3, dim=0)
case("chunk", [x], tuple(torch.chunk(build(x), 3, 0)), n=3, dim=0)
case("chunk", [x], tuple(torch.chunk(build(x), 2, 1)), n=2, dim=1)
x = rand([3, 4])
idx = torch.tensor([[0, 3], [1, 1], [2, 0]])
idxin = {"data": idx.double().reshape(-1).tolist(), "shape": [3, 2], "dtype": "float64", "views": []}
case("gather", [x, idxin], torch.gather(build(x), 1, idx), dim=1)
idx = torch.tensor([[2, 0, 1, 1]])
idxin = {"data": idx.double().reshape(-1).tolist(), "shape": [1, 4], "dtype": "float64", "views": []}
case("gather", [x, idxin], torch.gather(build(x), 0, idx), dim=0)
for d, idx in [(0, [2, 0, 2, -1]), (1, [3, 1])]:
    idxin = {"data": [float(v) for v in idx], "shape": [len(idx)], "dtype": "float32", "views": []}
    case("index_select", [x, idxin], torch.index_select(build(x), d, torch.tensor(idx) % build(x).shape[d]), dim=d)
xt = view(rand([4, 3]), ("transpose", 0, 1))
idxin = {"data": [1.0, 0.0], "shape": [2], "dtype": "float32", "views": []}
case("index_select", [xt, idxin], torch.index_select(build(xt), 0, torch.tensor([1, 0])), dim=0)

# ---- QR ---------------------------------------------------------------------------
for shape in [[5, 3], [3, 5], [4, 4], [2, 4, 3], [1, 1]]:
    for dt in ["float32", "float64"]:
        x = rand(shape, dt)
        q, r = torch.linalg.qr(build(x))
        case("qr", [x], (q, r))

# ---- views and copies ---------------------------------------------------------------
x = rand([2, 3, 4])
for ops in [[("transpose", 0, 2)], [("permute", [1, 2, 0])], [("slice", 2, 1, 4, 2)], [("slice", 1, -2, 3, 1)],
            [("select", 1, 2)], [("expand", [3, 2, 3, 4])], [("permute", [2, 0, 1]), ("slice", 0, 0, 4, 3)]]:
    v = view(x, *ops)
    case("contiguous", [v], build(v).contiguous())
case("reshape", [view(x, ("transpose", 0, 2))], build(view(x, ("transpose", 0, 2))).reshape(6, 4), shape=[6, 4])
case("flatten", [x], build(x).flatten(1, 2), start=1, end=2)
case("to_float64", [x], build(x).double())
case("arange", [], torch.arange(-1.5, 2.0, 0.25), start=-1.5, end=2.0, step=0.25)
case("linspace", [], torch.linspace(-1, 1, 7), start=-1.0, end=1.0, steps=7)
case("linspace", [], torch.linspace(0, 3, 33, dtype=torch.float64), start=0.0, end=3.0, steps=33, dtype="float64")
case("eye", [], torch.eye(3, 4), n=3, m=4)

# ---- printing ---------------------------------------------------------------------------
strs = []


def pstr(inp):
    strs.append({"input": encin(inp), "str": str(build(inp))})


pstr({"data": [1.0, -2.5, 3.0, 4.0], "shape": [2, 2], "dtype": "float32", "views": []})
pstr({"data": [1.0, 2.0, 3.0], "shape": [3], "dtype": "float32", "views": []})
pstr({"data": [1.0, 2.0, 3.0], "shape": [3], "dtype": "float64", "views": []})
pstr({"data": [0.0, 0.0], "shape": [2], "dtype": "float32", "views": []})
pstr({"data": [2.5], "shape": [], "dtype": "float32", "views": []})
pstr({"data": [2.5], "shape": [], "dtype": "float64", "views": []})
pstr({"data": [1e-5, 1.0, 100.0], "shape": [3], "dtype": "float32", "views": []})
pstr({"data": [1e9, 1.0], "shape": [2], "dtype": "float32", "views": []})
pstr({"data": [float("nan"), float("inf"), -1.5, 0.0], "shape": [4], "dtype": "float32", "views": []})
pstr({"data": [float("nan"), float("-inf"), 3.0], "shape": [3], "dtype": "float32", "views": []})
pstr({"data": [], "shape": [0], "dtype": "float32", "views": []})
pstr({"data": [], "shape": [2, 0], "dtype": "float64", "views": []})
pstr(rand([3, 4, 5]))
pstr(rand([30]))
pstr(rand([2, 30], "float64"))
pstr(ranged(2000, 1, [2000], "float32"))
pstr(ranged(1200, 7, [30, 40], "float32"))
pstr(ranged(1200, 3, [3, 20, 20], "float64"))
pstr(ranged(1001, 1, [1001], "float64"))
pstr(view(rand([3, 4]), ("transpose", 0, 1)))

doc = {"generator": "tensor/testdata/gen_golden.py", "torch": torch.__version__, "inputs": inputs, "cases": cases, "strings": strs}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
with open(path, "w") as f:
    json.dump(doc, f, separators=(",", ":"), allow_nan=False)
print(path, len(cases), "cases", os.path.getsize(path), "bytes")
