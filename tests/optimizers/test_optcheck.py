"""optimizers.testing.optcheck: passes correct optimizers, and names each classic mistake."""

import math

import numpy as np
import pytest

import optimizers
from optimizers import SGD, Adam, Optimizer
from optimizers.testing import OptcheckError, _problem, optcheck


def adam_reference(p, g, state, hp):
    """Adam for one coordinate, written from the paper's formula in Python floats."""
    (b1, b2), eps, lr = hp["betas"], hp["eps"], hp["lr"]
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
    v = state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
    return p - lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)


def momentum_reference(p, g, state, hp):
    state["b"] = g if "b" not in state else hp["momentum"] * state["b"] + g
    return p - hp["lr"] * state["b"]


class SignSGD(Optimizer):
    """p <- p - lr * sign(g)"""

    def __init__(self, params, lr=0.01, backend="numpy"):
        super().__init__(params, {"lr": lr}, backend)

    def update(self, param, grad, state, group):
        param -= group["lr"] * np.sign(grad)


def sign_reference(p, g, state, hp):
    return p - hp["lr"] * ((g > 0) - (g < 0))


def test_package_optimizers_pass_against_python_references_and_themselves():
    result = optcheck(Adam, adam_reference, lr=0.01)
    names = [name for name, _, _ in result.checks]
    assert len(names) == 2 * 3 + 2  # 2 dtypes x (2 backends + bit-for-bit), state_dict, zero_grad
    assert "numba kernel equals the numpy update bit for bit (float32)" in names
    assert optcheck(SGD, momentum_reference, lr=0.1, momentum=0.9)
    assert optcheck(SignSGD, sign_reference, lr=0.1)
    for name in optimizers.available():
        cls = type(optimizers.create(name, [optimizers.testing._Param(np.zeros((1, 1)))]))
        if cls.needs_closure:
            with pytest.raises(TypeError, match=f"optcheck: {cls.__name__} updates all parameters together"):
                optcheck(cls, name)
        else:
            assert optcheck(cls, name), name


def test_a_rebinding_update_is_named():
    class Rebinding(SignSGD):
        def update(self, param, grad, state, group):
            param = param - group["lr"] * np.sign(grad)  # noqa: F841 -- the classic mistake

    result = optcheck(Rebinding, sign_reference, lr=0.1, raise_exception=False)
    assert not result
    failed = [(name, detail) for name, ok, detail in result.checks if not ok]
    name, detail = failed[0]
    assert name == "steps agree with the reference (float64, numpy backend)"
    assert "step 1, parameter 0, coordinate [0]" in detail and "rebind" in detail
    with pytest.raises(OptcheckError, match="param -= ..."):
        optcheck(Rebinding, sign_reference, lr=0.1)


def test_a_wrong_formula_reports_the_first_difference_with_both_values():
    class NoBiasCorrection(Adam):
        def update(self, param, grad, state, group):  # forgets m_hat's 1 - b1^t
            b1, b2 = group["betas"]
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m[...] = b1 * m + (1 - b1) * grad
            v[...] = b2 * v + (1 - b2) * grad * grad
            param -= group["lr"] * m / (np.sqrt(v / (1 - b2 ** state["step"])) + group["eps"])

    result = optcheck(NoBiasCorrection, "adam", lr=0.01, raise_exception=False)
    detail = next(detail for _, ok, detail in result.checks if not ok)
    # step 1: ours moves by lr * 0.1 * g / |g|, the reference by lr * g / |g|
    values = [float(x) for x in
              detail.split("optimizer ")[1].replace("reference ", "").split(", ")[:2]]
    assert "first difference at step 1, parameter 0, coordinate [0]" in detail
    start = _problem(np.random.default_rng(0), np.float64)[0][0]  # the problem optcheck draws
    assert abs(values[0] - start) == pytest.approx(0.001, rel=1e-6)
    assert abs(values[1] - start) == pytest.approx(0.01, rel=1e-6)


def test_state_kept_outside_the_state_dict_is_caught():
    class Forgetful(SignSGD):
        """Counts steps on self: a loaded optimizer restarts the count."""

        def __init__(self, params, lr=0.01, backend="numpy"):
            super().__init__(params, lr, backend)
            self.t = 0

        def update(self, param, grad, state, group):
            self.t += 1
            param -= group["lr"] / self.t * np.sign(grad)

    result = optcheck(Forgetful, "sgd", lr=0.1, raise_exception=False)
    by_name = {name: (ok, detail) for name, ok, detail in result.checks}
    assert by_name["state_dict round trip"][0] is False
    assert "outside the state dict" in by_name["state_dict round trip"][1]


def test_modifying_the_gradient_is_caught():
    class GradClobber(SignSGD):
        def update(self, param, grad, state, group):
            grad *= 1.0  # harmless numbers, but writes into the caller's array
            grad[...] = -grad
            param += group["lr"] * np.sign(grad)

    result = optcheck(GradClobber, sign_reference, lr=0.1, raise_exception=False)
    failed = [detail for name, ok, detail in result.checks if not ok]
    assert any("modified parameter 0's .grad" in detail for detail in failed)


def test_numba_and_numpy_disagreeing_in_the_last_bit_is_caught():
    class Drifting(SGD):
        def update(self, param, grad, state, group):
            param -= group["lr"] * (grad * (1 + 2e-16))  # a last-bit change only in numpy

    result = optcheck(Drifting, "sgd", lr=0.1, raise_exception=False)
    by_name = {name: ok for name, ok, _ in result.checks}
    assert by_name["steps agree with the reference (float64, numpy backend)"]  # within tolerance
    assert by_name["numba kernel equals the numpy update bit for bit (float64)"] is False


def test_a_broken_zero_grad_is_caught():
    class Sticky(SignSGD):
        def zero_grad(self, set_to_none=True):
            pass

    result = optcheck(Sticky, sign_reference, lr=0.1, raise_exception=False)
    assert [name for name, ok, _ in result.checks if not ok] == ["zero_grad"]


def test_bad_arguments():
    with pytest.raises(TypeError, match="Optimizer subclass"):
        optcheck(object, "sgd")
    with pytest.raises(TypeError, match="reference must be"):
        optcheck(SGD, 3)
