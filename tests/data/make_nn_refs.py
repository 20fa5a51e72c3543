"""Generate tests/data/nn_refs.npz: torch's numbers for minigrad.nn's layers and losses.

Run once with the system python that has torch: ``python3 tests/data/make_nn_refs.py``.
Inputs are drawn with numpy (seed 0) and stored in the file, so the test feeds minigrad exactly
what torch saw.  For every case it stores the output and the gradients of
``sum(output * upstream)`` (``upstream`` random, also stored) with respect to every input.
"""

from pathlib import Path

import numpy as np
import torch

rng = np.random.default_rng(0)
refs = {}


def t(array):
    return torch.tensor(array, dtype=torch.float64, requires_grad=True)


def record(name, output, upstream, **inputs):
    (output * torch.tensor(upstream)).sum().backward()
    refs[f"{name}/out"] = output.detach().numpy()
    refs[f"{name}/upstream"] = upstream
    for key, tensor in inputs.items():
        refs[f"{name}/grad_{key}"] = tensor.grad.numpy()


# Linear: out = x @ W.T + b
x, weight, bias = rng.standard_normal((5, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
refs.update({"linear/x": x, "linear/weight": weight, "linear/bias": bias})
tx, tw, tb = t(x), t(weight), t(bias)
record("linear", torch.nn.functional.linear(tx, tw, tb), rng.standard_normal((5, 3)), x=tx, weight=tw, bias=tb)

# Activations, on values away from ReLU's kink.
a = rng.standard_normal((4, 3)) * 2
refs["act/x"] = a
for name, fn in [("relu", torch.relu), ("tanh", torch.tanh), ("sigmoid", torch.sigmoid)]:
    ta = t(a)
    record(name, fn(ta), rng.standard_normal((4, 3)), x=ta)

# Losses: differences of size up to ~3, so Huber uses both of its pieces.
prediction, target = rng.standard_normal((6, 2)) * 2, rng.standard_normal((6, 2))
refs.update({"loss/input": prediction, "loss/target": target})
losses = {
    "mse": lambda i, tg, r: torch.nn.functional.mse_loss(i, tg, reduction=r),
    "l1": lambda i, tg, r: torch.nn.functional.l1_loss(i, tg, reduction=r),
    "huber1": lambda i, tg, r: torch.nn.functional.huber_loss(i, tg, reduction=r, delta=1.0),
    "huber0.5": lambda i, tg, r: torch.nn.functional.huber_loss(i, tg, reduction=r, delta=0.5),
}
for loss_name, fn in losses.items():
    for reduction in ("mean", "sum", "none"):
        ti, tt = t(prediction), t(target)
        shape = () if reduction != "none" else prediction.shape
        record(f"{loss_name}_{reduction}", fn(ti, tt, reduction), rng.standard_normal(shape), input=ti, target=tt)

out = Path(__file__).with_name("nn_refs.npz")
np.savez_compressed(out, torch_version=np.array(torch.__version__), **refs)
print(f"wrote {out} ({out.stat().st_size} bytes, {len(refs)} arrays, torch {torch.__version__})")
