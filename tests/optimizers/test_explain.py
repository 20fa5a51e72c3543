"""optimizers.explain: the formula with numbers equals the update bit for bit, for every
optimizer and option; the numbers match hand computations; nothing is modified."""

import json

import numpy as np
import pytest

import optimizers
from optimizers import SGD, Adam, Optimizer, explain
from optimizers.explain import docstring_formula
from optimizer_cases import OPTIONS, Param, case_id, option_combinations, shape_for

STEPS = 8  # RAdam's rectified branch starts at t = 6


def _combinations(name):
    return [hp for n, hp in option_combinations() if n == name]


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_formula_numbers_equal_the_update_for_every_option_and_dtype(name):
    rng = np.random.default_rng(3)
    for hyperparameters in _combinations(name):
        for dtype in (np.float32, np.float64):
            p = Param(rng.normal(size=(2, 3)).astype(dtype))
            optimizer = optimizers.create(name, [p], **hyperparameters)
            for step in range(STEPS):
                p.grad = rng.normal(size=(2, 3)).astype(dtype)
                explanation = explain(optimizer, p, index=[0, (1, 2), -1])
                optimizer.step()
                assert explanation.check_step()
                failed = [text for text, ok in explanation.checks if not ok]
                assert not failed, (case_id(name, hyperparameters), dtype, step, failed)
                # every coordinate: the formula's checks, plus the numba check and check_step
                assert len(explanation.checks) >= 3 + 2
                assert explanation.has_formula


def test_adam_first_step_numbers_by_hand():
    p = Param(np.array([1.0, -3.0]), np.array([0.5, -4.0]))
    optimizer = Adam([p], lr=0.1)
    record = explain(optimizer, p, index=1).as_dict()
    json.dumps(record)  # plain JSON values
    (coordinate,) = record["coordinates"]
    values = {line["name"]: line["value"] for line in coordinate["lines"]}
    # t = 1: m = 0.1 g, v = 0.001 g^2, step_size = lr / (1 - 0.9), sqrt(1 - 0.999)
    assert record["step"] == 1
    assert coordinate["grad"] == -4.0
    assert coordinate["state_before"] == {"step": 1, "exp_avg": 0.0, "exp_avg_sq": 0.0}
    assert values["m"] == pytest.approx(-0.4, rel=1e-15)
    assert values["v"] == pytest.approx(0.016, rel=1e-15)
    assert values["step_size"] == pytest.approx(1.0, rel=1e-15)
    assert values["bias_correction2_sqrt"] == pytest.approx(np.sqrt(0.001), rel=1e-15)
    # Adam's first step moves every coordinate by lr * g / (|g| + eps): here +0.1
    assert coordinate["change"] == pytest.approx(0.1 * 4.0 / (4.0 + 1e-8), rel=1e-12)
    assert coordinate["param_after"] == coordinate["param_before"] + coordinate["change"]
    assert coordinate["state_after"]["exp_avg"] == values["m"]
    # effective step size lr / (sqrt(v_hat) + eps) = 0.1 / (4 + 1e-8)
    assert coordinate["effective_step_size"] == pytest.approx(0.1 / (4.0 + 1e-8), rel=1e-12)
    assert record["passed"] and record["formula"].startswith("Per element")


def test_sgd_momentum_second_step_text():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.1, momentum=0.9, dampening=0.5, backend="numpy")
    optimizer.step()  # b = g = 1, p = 0.9
    p.grad = np.array([1.0])
    explanation = explain(optimizer, p)
    text = str(explanation)
    # the docstring's closed form: momentum 0.9, dampening 0.5 gives 0.9, 0.76
    assert "b = b * momentum + (1 - dampening) * g" in text
    assert "= 1 * 0.9 + (1 - 0.5) * 1" in text
    assert "= 1.4" in text
    assert "p = 0.9 -> 0.76" in text
    assert "momentum_buffer" in text and "Checks:" in text and "FAILED" not in text
    assert "g <- -g" in text  # the docstring's formula block is shown
    optimizer.step()
    assert explanation.check_step() and p.data[0] == 0.76


class SignMomentum(Optimizer):
    """A learner's optimizer.

    Per element, with gradient g:

        b <- beta * b + (1 - beta) * g
        p <- p - lr * sign(b)
    """

    symbols = {"momentum_buffer": "b"}

    def __init__(self, params, lr=0.01, beta=0.9):
        super().__init__(params, {"lr": lr, "beta": beta}, backend="numpy")

    def init_state(self, param, group):
        return {"momentum_buffer": np.zeros_like(param)}

    def formula(self, state, group):
        return [("b", "b * beta + (1 - beta) * g"), ("p", "p - lr * sign(b)")]

    def update(self, param, grad, state, group):
        buf = state["momentum_buffer"]
        buf *= group["beta"]
        buf += (1 - group["beta"]) * grad
        param -= group["lr"] * np.sign(buf)


def test_a_learners_optimizer_with_a_formula():
    p = Param(np.array([0.0, 1.0]), np.array([2.0, -1.0]))
    optimizer = SignMomentum([p], lr=0.5)
    explanation = explain(optimizer, p, index=[0, 1])
    assert explanation.passed and explanation.has_formula
    assert [c["change"] for c in explanation.coordinates] == [-0.5, 0.5]
    assert explanation.coordinates[0]["state_after"]["momentum_buffer"] == pytest.approx(0.2)
    assert "b <- beta * b + (1 - beta) * g" in str(explanation)
    optimizer.step()
    assert explanation.check_step()


def test_a_wrong_formula_is_caught():
    class Misdeclared(SignMomentum):
        def formula(self, state, group):  # forgets the (1 - beta) factor
            return [("b", "b * beta + g"), ("p", "p - lr * sign(b)")]

    p = Param(np.array([0.0]), np.array([2.0]))
    explanation = explain(Misdeclared([p]), p)
    assert not explanation.passed
    failed = [text for text, ok in explanation.checks if not ok]
    assert failed == ["coordinate [0]: the formula gives the momentum_buffer update() computes"]
    assert "[FAILED]" in str(explanation)


def test_an_optimizer_without_a_formula_still_shows_the_numbers():
    class Halving(Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.5}, backend="numpy")

        def update(self, param, grad, state, group):
            param -= group["lr"] * grad

    p = Param(np.array([3.0]), np.array([1.0]))
    explanation = explain(Halving([p]), p)
    assert not explanation.has_formula and explanation.coordinates[0]["change"] == -0.5
    assert "declares no formula" in str(explanation)


def test_explain_changes_nothing():
    p = Param(np.array([[1.0, 2.0], [3.0, 4.0]]).T)  # non-contiguous
    optimizer = optimizers.NAdam([p], lr=0.1)
    for _ in range(2):
        p.grad = np.array([[0.5, -1.0], [2.0, 0.25]])
        optimizer.step()
    data, grad = p.data.copy(), p.grad.copy()
    state = optimizer.state_dict()
    explanation = explain(optimizer, p, index=[(0, 1), 3])
    assert explanation.passed
    np.testing.assert_array_equal(p.data, data)
    np.testing.assert_array_equal(p.grad, grad)
    after = optimizer.state_dict()
    assert after["state"][0]["mu_product"] == state["state"][0]["mu_product"]
    assert after["state"][0]["step"] == 2
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_array_equal(after["state"][0][key], state["state"][0][key])
    assert [c["index"] for c in explanation.coordinates] == [(0, 1), (1, 1)]


def test_errors_name_the_problem():
    p, stranger = Param(np.zeros(3), np.ones(3)), Param(np.zeros(3), np.ones(3))
    optimizer = SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="not in the optimizer's param groups"):
        explain(optimizer, stranger)
    with pytest.raises(IndexError, match="out of range"):
        explain(optimizer, p, index=3)
    with pytest.raises(IndexError, match="does not address"):
        explain(optimizer, p, index=(0, 0))
    with pytest.raises(TypeError, match="index must be"):
        explain(optimizer, p, index="0")
    p.grad = None
    with pytest.raises(ValueError, match="call loss.backward"):
        explain(optimizer, p)


def test_every_registered_optimizer_has_a_docstring_formula_and_a_formula():
    for name in optimizers.available():
        shape = shape_for(name, (1,))
        p = Param(np.zeros(shape), np.ones(shape))
        optimizer = optimizers.create(name, [p])
        if optimizer.needs_closure:
            continue  # test_a_closure_optimizer_is_refused_with_the_reason
        assert docstring_formula(type(optimizer)).startswith("Per element"), name
        assert explain(optimizer, p).has_formula, name


def test_a_closure_optimizer_is_refused_with_the_reason():
    assert [name for name in optimizers.available()
            if optimizers.create(name, [Param(np.zeros((1, 1)))]).needs_closure] == ["lbfgs"]
    p = Param(np.zeros(2), np.ones(2))
    with pytest.raises(TypeError, match=r"LBFGS updates all parameters together in step\(closure\)"):
        explain(optimizers.LBFGS([p]), p)


def test_whole_parameter_values_are_shown_and_used():
    """LAMB's trust ratio min(||p||, 10) / ||r|| is a number of the whole parameter: by hand at
    step 1, m = 0.1 g, v = 0.001 g^2, r = m / (sqrt(v) + eps) = 0.1 g / (sqrt(0.001)|g| + eps)."""
    p = Param(np.array([3.0, 4.0]), np.array([1.0, -2.0]))
    optimizer = optimizers.LAMB([p], lr=0.1, eps=0.0)
    explanation = explain(optimizer, p, index=[0, 1])
    r = 0.1 * np.array([1.0, -2.0]) / (np.sqrt(0.001) * np.array([1.0, 2.0]))
    trust = 5.0 / np.linalg.norm(r)
    (first, second) = explanation.coordinates
    assert first["formula_values"]["trust"] == pytest.approx(trust, rel=1e-14)
    assert second["formula_values"]["trust"] == first["formula_values"]["trust"]
    assert first["change"] == pytest.approx(-0.1 * trust * r[0], rel=1e-12)
    text = str(explanation)
    assert "from the whole parameter" in text and "min(||p||, 10) / ||r||" in text
    assert explanation.passed
    optimizer.step()
    assert explanation.check_step()


def test_factored_state_is_shown_at_the_coordinates_row_and_column():
    """Adafactor keeps a (2, 1) row factor and a (1, 3) column factor for a 2 x 3 matrix;
    at step 1 (b_t = 1) they are the row and column means of G^2."""
    grad = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    p = Param(np.ones((2, 3)), grad)
    explanation = explain(optimizers.Adafactor([p]), p, index=(1, 2))
    (coordinate,) = explanation.coordinates
    assert coordinate["state_after"]["row_var"] == (16 + 25 + 36) / 3
    assert coordinate["state_after"]["col_var"] == (9 + 36) / 2
    assert explanation.passed
