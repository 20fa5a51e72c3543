"""Generate tests/data/tensor_refs.npz: torch 2.13's values and gradients for the Tensor API.

Run once with a python that has torch: ``/work/torchenv/bin/python tests/data/make_tensor_refs.py``.
The ops are the cases of ``tensor_cases.py`` (the same lines run on minigrad in the test). For
every case and for float64 and float32 it stores the inputs, each output, and the gradient of
``sum(out_i * upstream_i)`` over the floating-point outputs with respect to every
floating-point input (``<case>/<dtype>/in<j>``, ``out<i>``, ``grad<j>``).
"""

import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tensor_cases import CASES, draw, upstream  # noqa: E402


def outputs_of(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def main():
    refs = {}
    for case in CASES:
        arrays = [draw(f"{case.name}/{j}", shape, domain) for j, (shape, domain) in enumerate(case.inputs)]
        for dtype_name, dtype in (("float64", torch.float64), ("float32", torch.float32)):
            if dtype_name == "float32" and not case.float32:
                continue
            key = f"{case.name}/{dtype_name}"
            inputs = []
            for j, array in enumerate(arrays):
                if array.dtype.kind == "f":
                    tensor = torch.tensor(array, dtype=dtype, requires_grad=True)
                    refs[f"{key}/in{j}"] = tensor.detach().numpy()
                else:
                    tensor = torch.tensor(array)
                    refs[f"{key}/in{j}"] = array
                inputs.append(tensor)
            outs = outputs_of(case.fn(torch, *inputs))
            loss = 0
            for i, out in enumerate(outs):
                refs[f"{key}/out{i}"] = out.detach().numpy()
                if out.requires_grad:
                    weight = torch.tensor(upstream(case.name, i, tuple(out.shape)), dtype=out.dtype)
                    loss = loss + (out * weight).sum()
            if isinstance(loss, torch.Tensor):
                loss.backward()
            for j, tensor in enumerate(inputs):
                if tensor.requires_grad:
                    grad = tensor.grad if tensor.grad is not None else torch.zeros_like(tensor)
                    refs[f"{key}/grad{j}"] = grad.numpy()
    out = HERE / "tensor_refs.npz"
    np.savez_compressed(out, **refs)
    print(f"wrote {out} ({len(refs)} arrays, torch {torch.__version__})")


if __name__ == "__main__":
    main()
