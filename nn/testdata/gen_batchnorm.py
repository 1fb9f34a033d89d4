#!/usr/bin/python3
"""Generate nn/testdata/batchnorm_golden.json: torch.nn.BatchNorm1d
(PyTorch 1.13, Debian's python3-torch) on explicit inputs. Run from the
repository root:

    /usr/bin/python3 nn/testdata/gen_batchnorm.py

Each case builds a BatchNorm1d with the given settings, sets its weight
and bias, runs `steps` training forwards (recording each output, the
gradients of sum(out * g) for the first, and the running statistics
after each), then one forward in eval mode.
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(3)


def flat(t):
    return None if t is None else [float(x) for x in t.detach().reshape(-1).tolist()]


def write_safetensors(path, sd):
    """A safetensors file as the reference writer lays it out (F32 and I64
    here): tensors by dtype (I64 before F32 in its enum order) then name,
    compact JSON, the header padded with spaces to a multiple of 8."""
    order = {torch.int64: 0, torch.float32: 1}
    names = sorted(sd, key=lambda k: (order[sd[k].dtype], k))
    header, blobs, off = {}, [], 0
    for k in names:
        t = sd[k].contiguous()
        raw = t.numpy().tobytes()
        header[k] = dict(dtype={torch.int64: "I64", torch.float32: "F32"}[t.dtype], shape=list(t.shape), data_offsets=[off, off + len(raw)])
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


cases = []
for name, shape, kw in [
    ("2d", (6, 4), dict()),
    ("3d", (3, 4, 5), dict()),
    ("momentum_none", (5, 3), dict(momentum=None)),
    ("momentum_0.3_eps", (4, 3), dict(momentum=0.3, eps=1e-3)),
    ("no_affine", (5, 2), dict(affine=False)),
    ("no_stats", (4, 3), dict(track_running_stats=False)),
    ("f64", (7, 3), dict(dtype=torch.float64)),
    # Added at stop 13, after the others so that their draws stay as they were.
    ("bn2d", (3, 4, 5, 2), dict(kind="BatchNorm2d")),
    ("bn2d_cumulative_eps", (2, 3, 4, 4), dict(kind="BatchNorm2d", momentum=None, eps=1e-3)),
    ("bn2d_f64_no_affine", (2, 3, 3, 3), dict(kind="BatchNorm2d", affine=False, dtype=torch.float64)),
    ("group_3d", (4, 6, 3), dict(kind="GroupNorm", groups=3)),
    ("group_4d_no_affine_eps", (2, 4, 3, 3), dict(kind="GroupNorm", groups=2, affine=False, eps=1e-2)),
    ("group_2d_one_group", (3, 5), dict(kind="GroupNorm", groups=1)),
    ("group_f64_per_channel", (2, 4, 6), dict(kind="GroupNorm", groups=4, dtype=torch.float64)),
]:
    c = shape[1]
    kind, groups = kw.pop("kind", "BatchNorm1d"), kw.pop("groups", 0)
    if kind == "GroupNorm":
        bn = torch.nn.GroupNorm(groups, c, **kw)
        bn.momentum, bn.track_running_stats = 0.1, False
    else:
        bn = getattr(torch.nn, kind)(c, **kw)
    dt = kw.get("dtype", torch.float32)
    if bn.affine:
        with torch.no_grad():
            bn.weight.copy_(torch.randn(c, dtype=dt) + 1)
            bn.bias.copy_(torch.randn(c, dtype=dt))
    steps = []
    xs = []
    for s in range(3):
        x = (torch.randn(shape, dtype=torch.float64) * 2 + 0.5).to(dt).requires_grad_(True)
        g = torch.randn(shape, dtype=torch.float64).to(dt)
        out = bn(x)
        step = dict(x=flat(x), g=flat(g), out=flat(out))
        if s == 0:
            (out * g).sum().backward()
            step["dx"] = flat(x.grad)
            if bn.affine:
                step["dweight"], step["dbias"] = flat(bn.weight.grad), flat(bn.bias.grad)
        if bn.track_running_stats:
            step["running_mean"] = flat(bn.running_mean)
            step["running_var"] = flat(bn.running_var)
            step["num_batches_tracked"] = int(bn.num_batches_tracked)
        steps.append(step)
    if name == "2d":
        write_safetensors(os.path.join(HERE, "batchnorm_ref.safetensors"), bn.state_dict())
    bn.eval()
    x = (torch.randn(shape, dtype=torch.float64)).to(dt)
    cases.append(dict(
        name=name, kind=kind, groups=groups, shape=list(shape), dtype="float64" if dt == torch.float64 else "float32",
        momentum=bn.momentum, eps=bn.eps, affine=bn.affine, track=bn.track_running_stats,
        repr=repr(bn), keys=list(bn.state_dict().keys()),
        weight=flat(bn.weight), bias=flat(bn.bias), steps=steps,
        eval_x=flat(x), eval_out=flat(bn(x)),
    ))

with open(os.path.join(HERE, "batchnorm_golden.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
    f.write("\n")
