#!/usr/bin/python3
"""Generate nn/testdata/conv_golden.json and conv_ref.safetensors:
torch.nn.functional.conv2d, max_pool2d, avg_pool2d and adaptive_avg_pool2d
(PyTorch 1.13, Debian's python3-torch) on explicit inputs, and a small CNN's
state dict and output. Run from the repository root:

    /usr/bin/python3 nn/testdata/gen_conv.py

Each case stores its input (and weight and bias), the output, a random
upstream gradient g and the gradients of sum(out * g) with respect to
each input, flattened, with shapes. The module repr of each case's nn
layer is stored too.
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(5)


def flat(t):
    return None if t is None else [float(x) for x in t.detach().reshape(-1).tolist()]


def write_safetensors(path, sd):
    """A safetensors file laid out as the reference writer does (F32): by
    name, compact JSON, the header padded with spaces to a multiple of 8."""
    names = sorted(sd)
    header, blobs, off = {}, [], 0
    for k in names:
        raw = sd[k].contiguous().numpy().tobytes()
        header[k] = dict(dtype="F32", shape=list(sd[k].shape), data_offsets=[off, off + len(raw)])
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


cases = []


def run(name, kind, dt, xshape, fn, module, **p):
    x = torch.randn(xshape, dtype=torch.float64).to(dt).requires_grad_(True)
    extra = []
    c = dict(name=name, kind=kind, dtype="float64" if dt == torch.float64 else "float32",
             x_shape=list(xshape), repr=repr(module))
    if kind == "conv":
        w = (torch.randn(p["w_shape"], dtype=torch.float64) * 0.5).to(dt).requires_grad_(True)
        b = torch.randn(p["w_shape"][0], dtype=torch.float64).to(dt).requires_grad_(True) if p["bias"] else None
        extra = [w] + ([b] if b is not None else [])
        out = F.conv2d(x, w, b, stride=p["stride"], padding=p["padding"], dilation=p["dilation"], groups=p["groups"])
        c.update(w_shape=list(p["w_shape"]), w=flat(w), b=flat(b), stride=pair(p["stride"]),
                 padding=pair(p["padding"]), dilation=pair(p["dilation"]), groups=p["groups"])
    else:
        out = fn(x)
        # Sizes as given (an int or an [h, w] list): the repr prints them so.
        c.update({k: (list(v) if isinstance(v, tuple) else v) for k, v in p.items()})
    g = torch.randn(out.shape, dtype=torch.float64).to(dt)
    (out * g).sum().backward()
    c.update(x=flat(x), out_shape=list(out.shape), out=flat(out), g=flat(g), dx=flat(x.grad))
    if kind == "conv":
        c.update(dw=flat(extra[0].grad), db=flat(extra[1].grad) if len(extra) > 1 else None)
    cases.append(c)


f32, f64 = torch.float32, torch.float64
for name, dt, xs, ws, st, pd, dl, gr, bias in [
    ("basic", f32, (2, 3, 7, 6), (4, 3, 3, 3), 1, 0, 1, 1, True),
    ("padding1", f32, (2, 3, 6, 6), (5, 3, 3, 3), 1, 1, 1, 1, True),
    ("stride_pad_rect", f32, (2, 2, 9, 8), (3, 2, 3, 2), (2, 1), (1, 0), 1, 1, True),
    ("dilation", f64, (1, 2, 9, 9), (3, 2, 3, 3), 1, (2, 1), (2, 1), 1, True),
    ("stride_pad_dil_f64", f64, (2, 3, 10, 11), (4, 3, 3, 2), (2, 3), (1, 2), (2, 1), 1, True),
    ("groups2", f32, (2, 4, 6, 5), (6, 2, 3, 3), 1, 1, 1, 2, True),
    ("depthwise", f64, (2, 3, 7, 7), (6, 1, 3, 3), 2, 1, 1, 3, True),
    ("unbatched", f32, (3, 6, 6), (2, 3, 3, 3), 1, 1, 1, 1, True),
    ("pointwise_nobias", f64, (2, 4, 5, 3), (3, 4, 1, 1), 1, 0, 1, 1, False),
    ("kernel_eq_input", f32, (3, 2, 4, 4), (2, 2, 4, 4), 1, 0, 1, 1, True),
    ("stride_gt_kernel", f64, (2, 2, 8, 7), (2, 2, 2, 2), 3, 1, 1, 1, True),
]:
    m = torch.nn.Conv2d(ws[1] * gr, ws[0], ws[2:], stride=st, padding=pd, dilation=dl, groups=gr, bias=bias)
    run(name, "conv", dt, xs, None, m, w_shape=ws, stride=st, padding=pd, dilation=dl, groups=gr, bias=bias)

for name, dt, xs, k, st, pd, dl, ceil in [
    ("max_basic", f32, (2, 3, 8, 8), 2, None, 0, 1, False),
    ("max_k3s2p1_ceil", f32, (2, 3, 7, 7), 3, 2, 1, 1, True),
    ("max_rect_dil_ceil", f64, (2, 2, 8, 9), (2, 3), (2, 1), (1, 1), (2, 1), True),
    ("max_unbatched_ceil", f64, (3, 5, 5), 2, None, 0, 1, True),
    ("max_ceil_drop", f64, (1, 1, 6, 6), 2, 4, 1, 1, True),
]:
    m = torch.nn.MaxPool2d(k, stride=st, padding=pd, dilation=dl, ceil_mode=ceil)
    run(name, "max", dt, xs, lambda x: m(x), m, kernel=k, stride=st if st is not None else k,
        padding=pd, dilation=dl, ceil_mode=ceil)

for name, dt, xs, k, st, pd, ceil, cip in [
    ("avg_basic", f32, (2, 3, 8, 8), 2, None, 0, False, True),
    ("avg_k3s2p1_ceil_nopad", f32, (2, 3, 7, 7), 3, 2, 1, True, False),
    ("avg_k3s2p1_ceil_pad", f64, (2, 3, 7, 7), 3, 2, 1, True, True),
    ("avg_rect", f64, (2, 2, 6, 5), (2, 3), (1, 2), (1, 1), False, True),
    ("avg_rect_nopad", f64, (2, 2, 6, 5), (2, 3), (1, 2), (1, 1), False, False),
    ("avg_unbatched", f32, (3, 5, 6), 2, None, 1, True, False),
]:
    m = torch.nn.AvgPool2d(k, stride=st, padding=pd, ceil_mode=ceil, count_include_pad=cip)
    run(name, "avg", dt, xs, lambda x: m(x), m, kernel=k, stride=st if st is not None else k,
        padding=pd, ceil_mode=ceil, count_include_pad=cip)

for name, dt, xs, o in [
    ("adaptive_3x4", f32, (2, 3, 7, 5), (3, 4)),
    ("adaptive_same", f64, (2, 2, 7, 5), (7, 5)),
    ("adaptive_1", f32, (2, 3, 5, 6), 1),
    ("adaptive_nondiv", f64, (1, 2, 10, 9), (4, 2)),
    ("adaptive_up", f64, (1, 2, 3, 2), (5, 4)),
    ("adaptive_unbatched", f32, (3, 7, 7), (3, 3)),
]:
    m = torch.nn.AdaptiveAvgPool2d(o)
    run(name, "adaptive", dt, xs, lambda x: m(x), m, output_size=o)

# A small CNN: its state dict as safetensors, and its output on x.
cnn = torch.nn.Sequential(
    torch.nn.Conv2d(1, 4, 3, padding=1),
    torch.nn.ReLU(),
    torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(4, 6, 3, padding=1, groups=2),
    torch.nn.ReLU(),
    torch.nn.AvgPool2d(2),
    torch.nn.Flatten(),
    torch.nn.Linear(6 * 2 * 2, 3),
)
write_safetensors(os.path.join(HERE, "conv_ref.safetensors"), cnn.state_dict())
xm = torch.randn(2, 1, 8, 8)
cnn_ref = dict(x=flat(xm), y=flat(cnn(xm)), repr=repr(cnn), keys=list(cnn.state_dict().keys()))

with open(os.path.join(HERE, "conv_golden.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases, "cnn": cnn_ref}, f)
    f.write("\n")
