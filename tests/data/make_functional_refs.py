"""Generate tests/data/functional_refs.npz: torch 2.13's ``torch.autograd.functional`` results.

Run once with a python that has torch: ``/work/torchenv/bin/python tests/data/make_functional_refs.py``.
The cases are those of ``functional_cases.py`` (the same functions run on minigrad in
tests/minigrad/test_functional_torch_refs.py), in the case's dtype (float64, or float32 for the *_float32 cases). Per case it stores:

    <case>/in<j>, <case>/v<j>    the inputs and vectors
    <case>/raises                the error message when torch raises (strict mode), else absent
    <case>/out<i>                the function's outputs (routines returning them: hvp, vhp, jvp, vjp)
    <case>/res<i>                the result Tensors, flattened in order (nested tuples unrolled)
    <case>/dres<j>               with create_graph=True: d sum(res_i * weight_i) / d input_j
"""

import sys
from pathlib import Path

import numpy as np
import torch
from torch.autograd import functional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from functional_cases import CASES, draw, flatten, is_tuple, weights  # noqa: E402


def as_torch(arrays, packed, requires_grad=False):
    tensors = tuple(torch.tensor(a, requires_grad=requires_grad) for a in arrays)  # a's dtype
    return tensors if packed else tensors[0]


def main():
    refs = {}
    for case in CASES:
        key = case.name
        inputs_np = draw(case, "inputs")
        for j, array in enumerate(inputs_np):
            refs[f"{key}/in{j}"] = array
        create_graph = case.kwargs.get("create_graph", False)
        inputs = as_torch(inputs_np, is_tuple(case, "inputs"), requires_grad=create_graph)
        args = [case.fn, inputs]
        if case.v is not None:
            v_np = draw(case, "v")
            for j, array in enumerate(v_np):
                refs[f"{key}/v{j}"] = array
            args.append(as_torch(v_np, is_tuple(case, "v")))
        try:
            result = getattr(functional, case.routine)(*args, **case.kwargs)
        except RuntimeError as error:
            refs[f"{key}/raises"] = np.array(str(error))
            continue
        if case.routine in ("hvp", "vhp", "jvp", "vjp"):
            outputs, result = result
            for i, out in enumerate(flatten(outputs)):
                refs[f"{key}/out{i}"] = out.detach().numpy()
        results = flatten(result)
        for i, res in enumerate(results):
            refs[f"{key}/res{i}"] = res.detach().numpy()
        if create_graph:
            leaves = flatten(inputs)
            total = sum((res * torch.tensor(w)).sum()
                        for res, w in zip(results, weights(case, [r.shape for r in results])))
            grads = torch.autograd.grad(total, leaves, allow_unused=True)
            for j, (g, leaf) in enumerate(zip(grads, leaves)):
                refs[f"{key}/dres{j}"] = (torch.zeros_like(leaf) if g is None else g).detach().numpy()
    out = HERE / "functional_refs.npz"
    np.savez_compressed(out, **refs)
    print(f"wrote {out} ({len(refs)} arrays, torch {torch.__version__})")


if __name__ == "__main__":
    main()
