"""Run the cases of tests/data/tensor_cases.py on minigrad and compare them with torch 2.13's
numbers in tests/data/tensor_refs.npz (made by tests/data/make_tensor_refs.py). Shared by
test_tensor_torch_api.py and test_inplace.py."""

import sys
from pathlib import Path

import numpy as np

import minigrad
from minigrad import Tensor, gradcheck, gradgradcheck

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from tensor_cases import CASES, upstream  # noqa: E402

REFS = np.load(DATA / "tensor_refs.npz")
TOLERANCE = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=2e-5, atol=2e-6)}


def outputs_of(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _count(prefix):
    return sum(1 for key in REFS.files if key.startswith(prefix))


def leaves(case, dtype_name):
    """The case's stored inputs as minigrad tensors (floating ones require grad)."""
    arrays = [REFS[f"{case.name}/{dtype_name}/in{j}"] for j in range(len(case.inputs))]
    return [minigrad.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]


def check_against_torch(case, dtype_name):
    """Outputs (shape, dtype, values) and input gradients of ``case`` equal torch's."""
    key = f"{case.name}/{dtype_name}"
    inputs = leaves(case, dtype_name)
    outs = outputs_of(case.fn(minigrad, *inputs))
    assert len(outs) == _count(f"{key}/out"), f"{case.name}: {len(outs)} outputs, torch gives {_count(f'{key}/out')}"
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
        if name in REFS.files:
            grad = tensor.grad if tensor.grad is not None else np.zeros_like(tensor.data)
            assert grad.dtype == tensor.dtype
            np.testing.assert_allclose(grad, REFS[name], **TOLERANCE[dtype_name], err_msg=f"{case.name} grad{j}")
        else:
            assert tensor.grad is None


def differentiable(case):
    """True when the case has a floating-point output and a gradient to check by finite
    differences at its stored inputs."""
    key = f"{case.name}/float64"
    float_out = any(REFS[f"{key}/out{i}"].dtype.kind == "f" for i in range(_count(f"{key}/out")))
    has_grad = any(f"{key}/grad{j}" in REFS.files for j in range(len(case.inputs)))
    return case.gradcheck and float_out and has_grad


def check_derivatives(case):
    """gradcheck and gradgradcheck (second derivatives) of the case at its random inputs."""

    def fn(*inputs):
        outs = [o for o in outputs_of(case.fn(minigrad, *inputs)) if o.dtype.kind == "f"]
        return outs[0] if len(outs) == 1 else minigrad.cat([o.reshape(-1) for o in outs])

    assert gradcheck(fn, leaves(case, "float64"))
    assert gradgradcheck(fn, leaves(case, "float64"))
