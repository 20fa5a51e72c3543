"""Generate tests/data/classification_refs.npz: torch's numbers for minigrad.nn's classification
losses, activations, normalisation layers, Embedding and gradient clipping.

Run once with a python that has torch 2.13: ``/work/torchenv/bin/python
tests/data/make_classification_refs.py``.  Inputs are drawn with numpy (seed 0) and stored, so the
tests feed minigrad exactly what torch saw.  Each case ``name`` stores its inputs, its keyword
arguments as JSON (``name/kwargs``), torch's output (``name/out``) and the gradients of
``sum(out * upstream)`` (``name/grad_<input>``).
"""

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(0)
refs = {}


def leaf(array):
    return torch.tensor(array, requires_grad=True)


def record(name, output, inputs, kwargs=None):
    upstream = rng.standard_normal(tuple(output.shape))
    (output * torch.tensor(upstream, dtype=output.dtype)).sum().backward()
    refs[f"{name}/out"] = output.detach().numpy()
    refs[f"{name}/upstream"] = upstream
    refs[f"{name}/kwargs"] = np.array(json.dumps(kwargs or {}))
    for key, tensor in inputs.items():
        refs[f"{name}/{key}"] = tensor.detach().numpy()
        if tensor.requires_grad:
            refs[f"{name}/grad_{key}"] = tensor.grad.numpy()


# ---- activations: input away from the kinks, both signs, a few large values
x = rng.standard_normal((4, 5)) * 3
x[0, :2] = [40.0, -40.0]
activations = {
    "leaky_relu": (F.leaky_relu, {}), "leaky_relu_0.2": (F.leaky_relu, {"negative_slope": 0.2}),
    "elu": (F.elu, {}), "elu_0.5": (F.elu, {"alpha": 0.5}),
    "gelu": (F.gelu, {}), "gelu_tanh": (F.gelu, {"approximate": "tanh"}),
    "silu": (F.silu, {}), "softmax_1": (F.softmax, {"dim": 1}), "softmax_0": (F.softmax, {"dim": 0}),
    "log_softmax_1": (F.log_softmax, {"dim": 1}), "log_softmax_-1": (F.log_softmax, {"dim": -1}),
}
for name, (fn, kwargs) in activations.items():
    tx = leaf(x)
    record(f"act/{name}", fn(tx, **kwargs), {"input": tx}, kwargs)
# float32 keeps float32
tx = leaf(x.astype(np.float32))
record("act32/log_softmax_1", F.log_softmax(tx, dim=1), {"input": tx}, {"dim": 1})

# ---- classification losses
N, C = 6, 4
logits = rng.standard_normal((N, C)) * 2
labels = np.array([0, 3, 1, 2, 3, 1])
labels_ignored = np.array([0, 3, -100, 2, 3, 1])
labels_ignore_1 = np.array([0, 1, 1, 2, 3, 1])
class_weight = np.array([0.5, 2.0, 1.0, 3.0])
probabilities = rng.dirichlet(np.ones(C), size=N)
logits_3d = rng.standard_normal((3, C, 5))
labels_3d = rng.integers(0, C, (3, 5))
huge = logits * 1000  # log-sum-exp shift needed: exp(2000) overflows


def ce_case(name, logits_value, target, **kwargs):
    tx = leaf(logits_value)
    out = F.cross_entropy(tx, torch.tensor(target), **{k: (torch.tensor(v, dtype=torch.float64) if k == "weight" else v)
                                                       for k, v in kwargs.items()})
    refs[f"ce/{name}/target"] = target
    record(f"ce/{name}", out, {"input": tx}, kwargs)


for reduction in ("mean", "sum", "none"):
    ce_case(f"index_{reduction}", logits, labels, reduction=reduction)
    ce_case(f"weight_{reduction}", logits, labels, weight=class_weight.tolist(), reduction=reduction)
    ce_case(f"ignore_{reduction}", logits, labels_ignored, reduction=reduction)
    ce_case(f"smooth_{reduction}", logits, labels, label_smoothing=0.1, reduction=reduction)
    ce_case(f"all_{reduction}", logits, labels_ignored, weight=class_weight.tolist(), label_smoothing=0.2,
            reduction=reduction)
    ce_case(f"ignore_index_1_{reduction}", logits, labels_ignore_1, ignore_index=1, weight=class_weight.tolist(),
            label_smoothing=0.1, reduction=reduction)
    ce_case(f"prob_{reduction}", logits, probabilities, reduction=reduction)
    ce_case(f"prob_weight_smooth_{reduction}", logits, probabilities, weight=class_weight.tolist(),
            label_smoothing=0.3, reduction=reduction)
    ce_case(f"3d_{reduction}", logits_3d, labels_3d, weight=class_weight.tolist(), reduction=reduction)
ce_case("huge_logits", huge, labels)
ce_case("single_sample", logits[0], np.array(2))

for reduction in ("mean", "sum", "none"):
    log_probabilities = F.log_softmax(torch.tensor(logits), dim=1).numpy()
    for name, kwargs in (("plain", {}), ("weight", {"weight": class_weight.tolist()}),
                         ("ignore", {"weight": class_weight.tolist(), "ignore_index": 3})):
        tx = leaf(log_probabilities)
        torch_kwargs = {k: (torch.tensor(v, dtype=torch.float64) if k == "weight" else v) for k, v in kwargs.items()}
        out = F.nll_loss(tx, torch.tensor(labels), reduction=reduction, **torch_kwargs)
        refs[f"nll/{name}_{reduction}/target"] = labels
        record(f"nll/{name}_{reduction}", out, {"input": tx}, dict(kwargs, reduction=reduction))

probs = 1 / (1 + np.exp(-rng.standard_normal((5, 3)) * 2))
binary_targets = rng.integers(0, 2, (5, 3)).astype(np.float64)
binary_targets[0, 0] = 0.3  # soft targets are allowed
element_weight = rng.uniform(0.5, 2.0, (5, 3))
pos_weight = np.array([1.0, 3.0, 0.5])
bce_logits = rng.standard_normal((5, 3)) * 4
bce_logits[0, 1] = 60.0
bce_logits[1, 2] = -60.0
for reduction in ("mean", "sum", "none"):
    for name, kwargs in (("plain", {}), ("weight", {"weight": element_weight.tolist()})):
        tx, tt = leaf(probs), leaf(binary_targets)
        torch_kwargs = {k: torch.tensor(v, dtype=torch.float64) for k, v in kwargs.items()}
        out = F.binary_cross_entropy(tx, tt, reduction=reduction, **torch_kwargs)
        record(f"bce/{name}_{reduction}", out, {"input": tx, "target": tt}, dict(kwargs, reduction=reduction))
    for name, kwargs in (("plain", {}), ("weight", {"weight": element_weight.tolist()}),
                         ("pos_weight", {"pos_weight": pos_weight.tolist()}),
                         ("both", {"weight": element_weight.tolist(), "pos_weight": pos_weight.tolist()})):
        tx, tt = leaf(bce_logits), leaf(binary_targets)
        torch_kwargs = {k: torch.tensor(v, dtype=torch.float64) for k, v in kwargs.items()}
        out = F.binary_cross_entropy_with_logits(tx, tt, reduction=reduction, **torch_kwargs)
        record(f"bcel/{name}_{reduction}", out, {"input": tx, "target": tt}, dict(kwargs, reduction=reduction))

# ---- LayerNorm with non-trivial affine parameters, over the last one and the last two dims
for name, shape in (("last1", (5,)), ("last2", (3, 5))):
    layer = torch.nn.LayerNorm(shape, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(rng.standard_normal(shape)))
        layer.bias.copy_(torch.tensor(rng.standard_normal(shape)))
    tx = leaf(rng.standard_normal((2, 3, 5)) * 2 + 1)
    record(f"layernorm/{name}", layer(tx), {"input": tx})
    refs[f"layernorm/{name}/weight"] = layer.weight.detach().numpy()
    refs[f"layernorm/{name}/bias"] = layer.bias.detach().numpy()
    refs[f"layernorm/{name}/grad_weight"] = layer.weight.grad.numpy()
    refs[f"layernorm/{name}/grad_bias"] = layer.bias.grad.numpy()

# ---- BatchNorm1d: 4 training steps then an eval step, with (N, C) and (N, C, L), momentum 0.1 and None
for name, shape, momentum in (("2d", (8, 3), 0.1), ("3d", (4, 3, 5), 0.1), ("cumulative", (8, 3), None)):
    layer = torch.nn.BatchNorm1d(3, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(rng.standard_normal(3)))
        layer.bias.copy_(torch.tensor(rng.standard_normal(3)))
    refs[f"batchnorm/{name}/weight"] = layer.weight.detach().numpy().copy()
    refs[f"batchnorm/{name}/bias"] = layer.bias.detach().numpy().copy()
    refs[f"batchnorm/{name}/momentum"] = np.array(np.nan if momentum is None else momentum)
    for step in range(4):
        layer.zero_grad()
        tx = leaf(rng.standard_normal(shape) * (step + 1) + step)
        record(f"batchnorm/{name}/train{step}", layer(tx), {"input": tx})
        refs[f"batchnorm/{name}/train{step}/grad_weight"] = layer.weight.grad.numpy().copy()
        refs[f"batchnorm/{name}/train{step}/grad_bias"] = layer.bias.grad.numpy().copy()
        refs[f"batchnorm/{name}/train{step}/running_mean"] = layer.running_mean.numpy().copy()
        refs[f"batchnorm/{name}/train{step}/running_var"] = layer.running_var.numpy().copy()
    layer.eval()
    tx = leaf(rng.standard_normal(shape))
    record(f"batchnorm/{name}/eval", layer(tx), {"input": tx})

# ---- Embedding with a padding index and repeated ids
weight = rng.standard_normal((6, 3))
weight[2] = 0
ids = np.array([[1, 2, 5], [5, 0, 2]])
layer = torch.nn.Embedding(6, 3, padding_idx=2, dtype=torch.float64)
with torch.no_grad():
    layer.weight.copy_(torch.tensor(weight))
refs["embedding/ids"] = ids
refs["embedding/weight"] = weight
out = layer(torch.tensor(ids))
upstream = rng.standard_normal(tuple(out.shape))
(out * torch.tensor(upstream)).sum().backward()
refs["embedding/out"] = out.detach().numpy()
refs["embedding/upstream"] = upstream
refs["embedding/grad_weight"] = layer.weight.grad.numpy()

# ---- clip_grad_norm_ for several norm types, clipping and not clipping
grads = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
for index, grad in enumerate(grads):
    refs[f"clip/grad{index}"] = grad
for norm_type in (2.0, 1.0, 3.0, float("inf")):
    for max_norm in (0.5, 100.0):
        params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        key = f"clip/{norm_type}_{max_norm}"
        refs[f"{key}/total"] = total.numpy()
        for index, p in enumerate(params):
            refs[f"{key}/clipped{index}"] = p.grad.numpy()

path = Path(__file__).with_name("classification_refs.npz")
np.savez_compressed(path, **refs)
print(f"wrote {len(refs)} arrays to {path}")
