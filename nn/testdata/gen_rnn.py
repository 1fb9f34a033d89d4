#!/usr/bin/python3
"""Generate nn/testdata/rnn_golden.json and rnn_lstm_ref.safetensors:
torch.nn.RNN, LSTM and GRU (PyTorch 1.13, Debian's python3-torch) on
explicit inputs. Run from the repository root:

    /usr/bin/python3 nn/testdata/gen_rnn.py

Each case builds a module with torch's initialisation, runs it on x (with
the initial states given, or none: zeros) and records the output, the
final states, and the gradients of
sum(out * g) + sum(hn * gh) (+ sum(cn * gc) for LSTM) with respect to the
input, the given initial states and every parameter. The parameters are
stored in state-dict order as [name, shape, values], so the Go test loads
them by name through the state dict. Cases with dropout run in eval mode.
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(7)


def flat(t):
    return None if t is None else [float(x) for x in t.detach().reshape(-1).tolist()]


def write_safetensors(path, sd):
    """A safetensors file as the reference writer lays it out (F32 only
    here): tensors sorted by name, compact JSON, the header padded with
    spaces to a multiple of 8."""
    header, blobs, off = {}, [], 0
    for k in sorted(sd):
        t = sd[k].contiguous()
        assert t.dtype == torch.float32
        raw = t.numpy().tobytes()
        header[k] = dict(dtype="F32", shape=list(t.shape), data_offsets=[off, off + len(raw)])
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# name, mode, input_size, hidden_size, seq_len, batch (0: unbatched), options, states given
CASES = [
    ("rnn_tanh", "RNN_TANH", 3, 4, 5, 2, dict(), True),
    ("rnn_relu_2layers", "RNN_RELU", 3, 4, 5, 2, dict(num_layers=2), False),
    ("rnn_tanh_bidir_batch_first", "RNN_TANH", 3, 4, 4, 3, dict(num_layers=2, bidirectional=True, batch_first=True), True),
    ("rnn_relu_unbatched_bidir", "RNN_RELU", 2, 3, 4, 0, dict(bidirectional=True), True),
    ("lstm", "LSTM", 3, 4, 5, 2, dict(), True),
    ("lstm_2layers_bidir", "LSTM", 3, 4, 5, 2, dict(num_layers=2, bidirectional=True), False),
    ("lstm_batch_first_no_bias", "LSTM", 3, 4, 4, 3, dict(batch_first=True, bias=False), True),
    ("lstm_unbatched_2layers", "LSTM", 3, 5, 4, 0, dict(num_layers=2), True),
    ("lstm_f64_bidir_batch_first", "LSTM", 3, 4, 5, 2, dict(num_layers=2, bidirectional=True, batch_first=True, dtype=torch.float64), True),
    ("lstm_dropout_eval", "LSTM", 3, 4, 4, 2, dict(num_layers=3, dropout=0.4), False),
    ("gru", "GRU", 3, 4, 5, 2, dict(), True),
    ("gru_2layers_bidir", "GRU", 3, 4, 5, 2, dict(num_layers=2, bidirectional=True), False),
    ("gru_no_bias_unbatched", "GRU", 3, 4, 5, 0, dict(bias=False), False),
    ("gru_f64_2layers", "GRU", 3, 4, 5, 2, dict(num_layers=2, dtype=torch.float64), True),
    ("gru_batch_first_bidir_states", "GRU", 2, 3, 6, 2, dict(batch_first=True, bidirectional=True), True),
    ("lstm_long_bidir", "LSTM", 2, 3, 13, 1, dict(bidirectional=True), True),
]

cases = []
for name, mode, nin, hid, L, N, kw, given in CASES:
    dt = kw.pop("dtype", torch.float32)
    if mode.startswith("RNN"):
        m = torch.nn.RNN(nin, hid, nonlinearity=mode[4:].lower(), **kw)
    else:
        m = getattr(torch.nn, mode)(nin, hid, **kw)
    m = m.to(dt)
    if kw.get("dropout", 0) > 0:
        m.eval()
    D = 2 if m.bidirectional else 1
    nl = m.num_layers
    if N == 0:
        xshape, sshape = (L, nin), (D * nl, hid)
    elif m.batch_first:
        xshape, sshape = (N, L, nin), (D * nl, N, hid)
    else:
        xshape, sshape = (L, N, nin), (D * nl, N, hid)
    x = torch.randn(xshape, dtype=torch.float64).to(dt).requires_grad_(True)
    h0 = c0 = None
    if given:
        h0 = (torch.randn(sshape, dtype=torch.float64) * 0.5).to(dt).requires_grad_(True)
        if mode == "LSTM":
            c0 = (torch.randn(sshape, dtype=torch.float64) * 0.5).to(dt).requires_grad_(True)
    if mode == "LSTM":
        out, (hn, cn) = m(x, (h0, c0)) if given else m(x)
    else:
        (out, hn), cn = (m(x, h0) if given else m(x)), None
    g = torch.randn(out.shape, dtype=torch.float64).to(dt)
    gh = torch.randn(hn.shape, dtype=torch.float64).to(dt)
    loss = (out * g).sum() + (hn * gh).sum()
    gc = None
    if cn is not None:
        gc = torch.randn(cn.shape, dtype=torch.float64).to(dt)
        loss = loss + (cn * gc).sum()
    loss.backward()
    if name == "lstm_2layers_bidir":
        write_safetensors(os.path.join(HERE, "rnn_lstm_ref.safetensors"), m.state_dict())
    cases.append(dict(
        name=name, mode=mode, input_size=nin, hidden_size=hid, num_layers=nl, bias=m.bias,
        batch_first=m.batch_first, bidirectional=m.bidirectional, dropout=m.dropout, training=m.training,
        dtype="float64" if dt == torch.float64 else "float32", repr=repr(m),
        x_shape=list(xshape), state_shape=list(sshape), given=given,
        x=flat(x), h0=flat(h0), c0=flat(c0), g=flat(g), gh=flat(gh), gc=flat(gc),
        params=[[k, list(p.shape), flat(p)] for k, p in m.named_parameters()],
        out_shape=list(out.shape), out=flat(out), hn=flat(hn), cn=flat(cn),
        dx=flat(x.grad), dh0=flat(h0.grad) if given else None, dc0=flat(c0.grad) if c0 is not None else None,
        dparams=[flat(p.grad) for _, p in m.named_parameters()],
    ))

with open(os.path.join(HERE, "rnn_golden.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
    f.write("\n")
