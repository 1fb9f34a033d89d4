#!/usr/bin/python3
"""Generate nn/testdata/golden.json and the reference .safetensors files.

Run from the repository root:  /usr/bin/python3 nn/testdata/gen_golden.py

Uses Debian's python3-torch (1.13). Everything the Go tests compare is
stored explicitly: module reprs, parameter names and shapes, state-dict
keys, parameter values with inputs, outputs and gradients, statistics of
the init functions over large tensors, calculate_gain values.

The safetensors package is not installed, so the reference files are
written here with struct/json following the format exactly as the
reference (Rust) implementation serializes: tensors sorted by dtype
(descending in its enum order, so F64 before F32 before BF16 before F16)
then by name, compact JSON with __metadata__ first, the header padded
with spaces to a multiple of 8 bytes. The tensor bytes come from torch
itself (including its float16/bfloat16 conversions), and torch's
conversion back to float32 is recorded as bit patterns for the Go reader
to match.
"""
import json
import math
import os
import struct
from collections import OrderedDict

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
out = OrderedDict()


def shapes(named):
    return [[n, list(p.shape)] for n, p in named]


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


# --- the d2l "parameter management" tutorial -------------------------------
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
out["mlp_repr"] = repr(net)
out["mlp2_state_dict"] = shapes(net[2].state_dict().items())
out["mlp0_named_parameters"] = shapes(net[0].named_parameters())
out["mlp_named_parameters"] = shapes(net.named_parameters())
out["mlp_state_dict_keys"] = list(net.state_dict().keys())
out["mlp2_bias_grad_is_none"] = net[2].weight.grad is None


def block1():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())


def block2():
    n = nn.Sequential()
    for i in range(4):
        n.add_module(f'block {i}', block1())
    return n


rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
out["rgnet_repr"] = repr(rgnet)
out["rgnet_named_parameters"] = shapes(rgnet.named_parameters())
out["rgnet_state_dict_keys"] = list(rgnet.state_dict().keys())
out["rgnet_named_modules"] = [n for n, _ in rgnet.named_modules()]
out["rgnet_0_1_0_bias_shape"] = list(rgnet[0][1][0].bias.shape)

# Tied weights: one Linear used twice.
shared = nn.Linear(8, 8)
tied = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(2, 4)
y = tied(X)
y.sum().backward()
out["tied"] = {
    "named_parameters": shapes(tied.named_parameters()),
    "state_dict_keys": list(tied.state_dict().keys()),
    "state": [[k, list(v.shape), flat(v)] for k, v in tied.state_dict().items()],
    "x": flat(X), "x_shape": list(X.shape),
    "y": flat(y),
    "grads": [[n, flat(p.grad)] for n, p in tied.named_parameters()],
}

# Parameter printing.
out["param_str"] = {
    "empty": str(nn.Parameter()),
    "matrix": str(nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))),
    "frac": str(nn.Parameter(torch.tensor([0.5, -1.25, 3.0]))),
    "f64": str(nn.Parameter(torch.tensor([1.0, 2.5], dtype=torch.float64))),
    "nograd": str(nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False)),
}

# Module reprs of the layers and containers.
reprs = OrderedDict()
reprs["linear_nobias"] = repr(nn.Linear(3, 2, bias=False))
reprs["relu"] = repr(nn.ReLU())
reprs["leaky"] = repr(nn.LeakyReLU())
reprs["leaky02"] = repr(nn.LeakyReLU(0.2))
reprs["sigmoid"] = repr(nn.Sigmoid())
reprs["tanh"] = repr(nn.Tanh())
reprs["gelu"] = repr(nn.GELU())
reprs["gelu_tanh"] = repr(nn.GELU(approximate='tanh'))
reprs["softmax"] = repr(nn.Softmax(dim=1))
reprs["logsoftmax"] = repr(nn.LogSoftmax(dim=-1))
reprs["dropout"] = repr(nn.Dropout())
reprs["dropout01"] = repr(nn.Dropout(0.1))
reprs["flatten"] = repr(nn.Flatten())
reprs["flatten02"] = repr(nn.Flatten(0, 2))
reprs["identity"] = repr(nn.Identity())
reprs["embedding"] = repr(nn.Embedding(10, 3))
reprs["embedding_pad"] = repr(nn.Embedding(10, 3, padding_idx=-1))
reprs["layernorm"] = repr(nn.LayerNorm(4))
reprs["layernorm2"] = repr(nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False))
reprs["mse"] = repr(nn.MSELoss())
reprs["l1"] = repr(nn.L1Loss())
reprs["ce"] = repr(nn.CrossEntropyLoss())
reprs["nll"] = repr(nn.NLLLoss())
reprs["bce"] = repr(nn.BCEWithLogitsLoss())
reprs["modulelist"] = repr(nn.ModuleList([nn.Linear(2, 2), nn.ReLU()]))
reprs["modulelist_empty"] = repr(nn.ModuleList())
reprs["sequential_empty"] = repr(nn.Sequential())
reprs["moduledict"] = repr(nn.ModuleDict(OrderedDict([("b", nn.ReLU()), ("a", nn.Linear(2, 3))])))
reprs["parameterlist"] = repr(nn.ParameterList([nn.Parameter(torch.zeros(3, 4)), nn.Parameter(torch.zeros(2))]))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.act = nn.GELU()


class Net(nn.Module):
    """The Go test builds the same model as a struct."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)
        self.scale = nn.Parameter(torch.ones(2))
        self.blocks = nn.ModuleList([Block(), Block()])
        self.norm = nn.LayerNorm(8)
        self.register_buffer("running", torch.zeros(2))
        self.register_buffer("scratch", torch.zeros(3), persistent=False)
        self.plain = torch.zeros(5)  # a plain tensor: not a parameter


cnet = Net()
reprs["net"] = repr(cnet)
out["net_named_parameters"] = shapes(cnet.named_parameters())
out["net_named_buffers"] = shapes(cnet.named_buffers())
out["net_state_dict_keys"] = list(cnet.state_dict().keys())
out["net_named_modules"] = [n for n, _ in cnet.named_modules()]
out["net_num_parameters"] = sum(p.numel() for p in cnet.parameters())
out["repr"] = reprs

# Numerics of the layers with explicit values.
num = OrderedDict()
torch.manual_seed(1)
x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
ln = nn.LayerNorm(4).double()
with torch.no_grad():
    ln.weight.copy_(torch.tensor([1.0, 0.5, -2.0, 3.0]))
    ln.bias.copy_(torch.tensor([0.1, 0.2, 0.3, 0.4]))
yl = ln(x)
g = torch.randn(3, 4, dtype=torch.float64)
yl.backward(g)
num["layernorm"] = {"x": flat(x), "g": flat(g), "y": flat(yl), "gx": flat(x.grad),
                    "gw": flat(ln.weight.grad), "gb": flat(ln.bias.grad)}

emb = nn.Embedding(5, 3, padding_idx=1).double()
idx = torch.tensor([[0, 1, 2], [1, 4, 0]])
ye = emb(idx)
ge = torch.randn(2, 3, 3, dtype=torch.float64)
ye.backward(ge)
num["embedding"] = {"w": flat(emb.weight), "idx": flat(idx.double()), "g": flat(ge), "y": flat(ye),
                    "gw": flat(emb.weight.grad)}

xg = torch.randn(7, dtype=torch.float64, requires_grad=True)
yg = nn.GELU(approximate='tanh')(xg)
yg.sum().backward()
num["gelu_tanh"] = {"x": flat(xg), "y": flat(yg), "gx": flat(xg.grad)}
out["numerics"] = num

# calculate_gain.
gains = OrderedDict()
for name in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
    gains[name] = nn.init.calculate_gain(name)
gains["leaky_relu_0.2"] = nn.init.calculate_gain("leaky_relu", 0.2)
out["gains"] = gains

# Init statistics over large tensors.
torch.manual_seed(2)
R, C = 256, 512


def stats(t):
    t = t.detach().double()
    return {"mean": t.mean().item(), "std": t.std().item(), "min": t.min().item(), "max": t.max().item(),
            "zero_frac": (t == 0).double().mean().item()}


st = OrderedDict()
st["uniform_m2_3"] = stats(nn.init.uniform_(torch.empty(R, C), -2, 3))
st["normal_1_0.5"] = stats(nn.init.normal_(torch.empty(R, C), 1, 0.5))
st["xavier_uniform"] = stats(nn.init.xavier_uniform_(torch.empty(R, C)))
st["xavier_uniform_gain2"] = stats(nn.init.xavier_uniform_(torch.empty(R, C), gain=2))
st["xavier_normal"] = stats(nn.init.xavier_normal_(torch.empty(R, C)))
st["kaiming_uniform"] = stats(nn.init.kaiming_uniform_(torch.empty(R, C)))
st["kaiming_uniform_relu_fanout"] = stats(nn.init.kaiming_uniform_(torch.empty(R, C), mode='fan_out', nonlinearity='relu'))
st["kaiming_normal"] = stats(nn.init.kaiming_normal_(torch.empty(R, C)))
st["kaiming_normal_a_fanout"] = stats(nn.init.kaiming_normal_(torch.empty(R, C), a=0.2, mode='fan_out'))
st["kaiming_uniform_conv"] = stats(nn.init.kaiming_uniform_(torch.empty(64, 32, 3, 3), nonlinearity='relu'))
st["trunc_normal"] = stats(nn.init.trunc_normal_(torch.empty(R, C), mean=0.5, std=1, a=-1, b=1.5))
st["trunc_normal_std002"] = stats(nn.init.trunc_normal_(torch.empty(R, C), std=0.02))
st["sparse"] = stats(nn.init.sparse_(torch.empty(R, C), sparsity=0.3, std=0.5))
st["orthogonal"] = stats(nn.init.orthogonal_(torch.empty(R, C)))
st["linear_weight"] = stats(nn.Linear(C, R).weight)
st["linear_bias"] = stats(nn.Linear(C, 4096).bias)
st["embedding"] = stats(nn.Embedding(R, C).weight)


def my_init(m):
    if type(m) == nn.Linear:
        nn.init.uniform_(m.weight, -10, 10)
        m.weight.data *= m.weight.data.abs() >= 5


big = nn.Sequential(nn.Linear(C, R), nn.ReLU(), nn.Linear(C, R))
big.apply(my_init)
st["my_init"] = stats(big[0].weight)
w = big[0].weight.detach()
st["my_init"]["pos_frac"] = (w >= 5).double().mean().item()
st["my_init"]["neg_frac"] = (w <= -5).double().mean().item()
out["init_stats"] = st


# --- safetensors reference files ------------------------------------------
ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def st_write(path, tensors, metadata=None):
    """tensors: name -> (dtype, shape, raw little-endian bytes)."""
    items = sorted(tensors.items(), key=lambda kv: (-ORDER.index(kv[1][0]), kv[0].encode()))
    header = OrderedDict()
    if metadata is not None:
        header["__metadata__"] = OrderedDict(sorted(metadata.items()))
    off = 0
    for name, (dt, shape, raw) in items:
        header[name] = OrderedDict([("dtype", dt), ("shape", list(shape)), ("data_offsets", [off, off + len(raw)])])
        off += len(raw)
    hb = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(os.path.join(HERE, path), "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for _, (_, _, raw) in items:
            f.write(raw)


def raw(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def dt(t):
    return {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype]


# 1. What the Go writer must reproduce byte for byte (F32/F64 only).
torch.manual_seed(3)
wt = OrderedDict()
wt["b"] = torch.randn(2, 3)
wt["a.weight"] = torch.randn(2)
wt["z"] = torch.randn(3, dtype=torch.float64)
wt["scalar"] = torch.tensor(2.5)
wt["empty"] = torch.zeros(0, 3)
wt['odd "name"\n\t\u00fcn\u00ef\x01'] = torch.randn(1, 1, 2)
wt["c64"] = torch.randn(2, 2, dtype=torch.float64)
meta = {"format": "pt", "note": "line\nbreak \"quoted\" \u00e9"}
st_write("write_ref.safetensors", {k: (dt(v), v.shape, raw(v)) for k, v in wt.items()}, meta)
out["write_ref"] = {"tensors": [[k, dt(v), list(v.shape), flat(v)] for k, v in wt.items()], "metadata": meta}

# 2. Half and bfloat16 written by torch, with torch's conversion back.
f16_vals = [0.0, -0.0, 1.0, -2.5, 65504.0, 1e-7, 6.1e-5, 5.96e-8, float("inf"), float("-inf"), float("nan"),
            70000.0, 3.14159, -0.333]
bf_vals = [0.0, -0.0, 1.0, 3.14159, 1e-40, 3e38, float("inf"), float("-inf"), float("nan"), -1.5e-3, 100.7, 1e10]
h = torch.tensor(f16_vals, dtype=torch.float32).to(torch.float16).reshape(2, 7)
bf = torch.tensor(bf_vals, dtype=torch.float32).to(torch.bfloat16).reshape(3, 4)
d64 = torch.randn(2, dtype=torch.float64)
f32 = torch.randn(1, 3)
st_write("halfs_ref.safetensors", {"h": ("F16", h.shape, raw(h)), "bf": ("BF16", bf.shape, raw(bf)),
                                   "d": ("F64", d64.shape, raw(d64)), "f": ("F32", f32.shape, raw(f32))},
         {"format": "pt"})


def bits32(t):
    return [x & 0xFFFFFFFF for x in t.float().view(torch.int32).reshape(-1).tolist()]


out["halfs_ref"] = {"h": bits32(h), "h_shape": list(h.shape), "bf": bits32(bf), "bf_shape": list(bf.shape),
                    "d": flat(d64), "f": flat(f32)}

# 3. A model's state dict saved from Python, loaded by Go into the same
# architecture: same outputs.
torch.manual_seed(4)
mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
xm = torch.randn(5, 4)
st_write("mlp_ref.safetensors", {k: (dt(v), v.shape, raw(v.contiguous())) for k, v in mlp.state_dict().items()},
         {"format": "pt"})
out["mlp_ref"] = {"x": flat(xm), "y": flat(mlp(xm))}

with open(os.path.join(HERE, "golden.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote golden.json and the .safetensors files")
