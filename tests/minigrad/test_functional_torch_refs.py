"""minigrad.autograd.functional against torch 2.13's torch.autograd.functional.

The cases (jacobian, hessian, hvp, vhp, jvp, vjp on small functions, with create_graph and
strict variants) are in tests/data/functional_cases.py; torch's numbers in
tests/data/functional_refs.npz, written by tests/data/make_functional_refs.py. Every result
must equal torch's to 1e-12 (float32 cases: 2e-5, and stay float32); with create_graph=True, so must the gradient of a weighted sum
of the results (a third derivative for hessian/hvp/vhp); in strict mode the same cases must
raise, with torch's message.
"""

import re
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad.autograd import functional

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from functional_cases import CASES, flatten, weights  # noqa: E402

REFS = np.load(DATA / "functional_refs.npz")
TOLERANCE = {"float64": dict(rtol=1e-12, atol=1e-12), "float32": dict(rtol=2e-5, atol=2e-6)}


def stored(prefix):
    """The arrays <prefix>0, <prefix>1, ... in order."""
    arrays, j = [], 0
    while f"{prefix}{j}" in REFS.files:
        arrays.append(REFS[f"{prefix}{j}"])
        j += 1
    return arrays


def pack(arrays, packed, requires_grad=False):
    tensors = tuple(minigrad.tensor(a, requires_grad=requires_grad) for a in arrays)
    return tensors if packed else tensors[0]


def assert_same(ours, theirs, what):
    """Same count, shapes, dtypes and values (to the dtype's tolerance) as torch's arrays."""
    ours = [t.data for t in ours]
    assert len(ours) == len(theirs), f"{what}: {len(ours)} Tensors, torch gives {len(theirs)}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a.shape == b.shape, f"{what} {i}: shape {a.shape}, torch {b.shape}"
        assert a.dtype == b.dtype, f"{what} {i}: dtype {a.dtype}, torch {b.dtype}"
        np.testing.assert_allclose(a, b, **TOLERANCE[str(b.dtype)], err_msg=f"{what} {i}")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_functional_matches_torch(case):
    key = case.name
    create_graph = case.kwargs.get("create_graph", False)
    inputs_np = stored(f"{key}/in")
    inputs = pack(inputs_np, isinstance(case.inputs[0], tuple), requires_grad=create_graph)
    args = [case.fn, inputs]
    if case.v is not None:
        args.append(pack(stored(f"{key}/v"), isinstance(case.v[0], tuple)))
    routine = getattr(functional, case.routine)
    if f"{key}/raises" in REFS.files:
        with pytest.raises(RuntimeError, match=re.escape(str(REFS[f"{key}/raises"]))):
            routine(*args, **case.kwargs)
        return
    result = routine(*args, **case.kwargs)
    if case.routine in ("hvp", "vhp", "jvp", "vjp"):
        outputs, result = result
        assert_same(flatten(outputs), stored(f"{key}/out"), f"{key}: output")
    results = flatten(result)
    assert_same(results, stored(f"{key}/res"), f"{key}: result")
    for res in results:
        assert res.requires_grad == create_graph, f"{key}: requires_grad {res.requires_grad}"
    if create_graph:
        leaves = flatten(inputs)
        total = None
        for res, w in zip(results, weights(case, [r.shape for r in results])):
            term = (res * minigrad.tensor(w)).sum()
            total = term if total is None else total + term
        grads = minigrad.autograd.grad(total, leaves, allow_unused=True)
        grads = [g if g is not None else minigrad.zeros_like(leaf) for g, leaf in zip(grads, leaves)]
        assert_same(grads, stored(f"{key}/dres"), f"{key}: gradient of the result")
