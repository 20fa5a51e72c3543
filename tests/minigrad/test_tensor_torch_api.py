"""The torch-named Tensor API against torch 2.13 (tests/data/tensor_refs.npz, made by
tests/data/make_tensor_refs.py from the cases in tests/data/tensor_cases.py): values and
gradients of every reduction, shape op, elementwise op, comparison and in-place op on a
computed tensor, in float64 and float32 (kept float32); then gradcheck and gradgradcheck
(second derivatives) of every differentiable case on its random inputs."""

import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import Tensor, gradcheck, gradgradcheck

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from tensor_cases import CASES, upstream  # noqa: E402

REFS = np.load(DATA / "tensor_refs.npz")
TOLERANCE = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=2e-5, atol=2e-6)}


def outputs_of(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def run_case(case, dtype_name):
    key = f"{case.name}/{dtype_name}"
    inputs = []
    for j in range(len(case.inputs)):
        array = REFS[f"{key}/in{j}"]
        inputs.append(minigrad.tensor(array, requires_grad=array.dtype.kind == "f"))
    outs = outputs_of(case.fn(minigrad, *inputs))
    return key, inputs, outs


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_values_and_gradients_match_torch(case, dtype_name):
    if dtype_name == "float32" and not case.float32:
        pytest.skip("float64 only")
    key, inputs, outs = run_case(case, dtype_name)
    expected_count = sum(1 for k in REFS.files if k.startswith(f"{key}/out"))
    assert len(outs) == expected_count, f"{case.name}: {len(outs)} outputs, torch gives {expected_count}"
    loss = None
    for i, out in enumerate(outs):
        expected = REFS[f"{key}/out{i}"]
        assert isinstance(out, Tensor), f"{case.name} output {i} is a {type(out).__name__}"
        assert out.shape == expected.shape, f"{case.name} output {i}: shape {out.shape} vs torch {expected.shape}"
        assert out.dtype == expected.dtype, f"{case.name} output {i}: dtype {out.dtype} vs torch {expected.dtype}"
        if expected.dtype.kind == "f":
            np.testing.assert_allclose(out.data, expected, **TOLERANCE[dtype_name], err_msg=f"{case.name} out{i}")
        else:
            np.testing.assert_array_equal(out.data, expected, err_msg=f"{case.name} out{i}")
            assert not out.requires_grad
        if out.requires_grad:
            term = (out * Tensor(upstream(case.name, i, out.shape), dtype=out.dtype)).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    for j, tensor in enumerate(inputs):
        name = f"{key}/grad{j}"
        if name not in REFS.files:
            continue
        grad = tensor.grad if tensor.grad is not None else np.zeros_like(tensor.data)
        assert grad.dtype == tensor.dtype
        np.testing.assert_allclose(grad, REFS[name], **TOLERANCE[dtype_name], err_msg=f"{case.name} grad{j}")


DIFFERENTIABLE = [
    c for c in CASES
    if c.gradcheck and any(
        REFS[f"{c.name}/float64/out{i}"].dtype.kind == "f"
        for i in range(sum(1 for k in REFS.files if k.startswith(f"{c.name}/float64/out")))
    ) and any(f"{c.name}/float64/grad{j}" in REFS.files for j in range(len(c.inputs)))
]


def _float_outputs_as_one(case):
    def fn(*inputs):
        outs = [o for o in outputs_of(case.fn(minigrad, *inputs)) if o.dtype.kind == "f"]
        return outs[0] if len(outs) == 1 else minigrad.cat([o.reshape(-1) for o in outs])

    return fn


def _leaves(case):
    return [
        minigrad.tensor(REFS[f"{case.name}/float64/in{j}"],
                        requires_grad=REFS[f"{case.name}/float64/in{j}"].dtype.kind == "f")
        for j in range(len(case.inputs))
    ]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[c.name for c in DIFFERENTIABLE])
def test_gradcheck_and_gradgradcheck(case):
    fn = _float_outputs_as_one(case)
    assert gradcheck(fn, _leaves(case))
    assert gradgradcheck(fn, _leaves(case))


def test_every_case_ran_in_torch():
    names = {key.split("/")[0] for key in REFS.files}
    assert names == {case.name for case in CASES}
    assert len(DIFFERENTIABLE) > 100
