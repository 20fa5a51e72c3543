"""minigrad.nn losses: hand-computed values and gradients, shape checks, gradcheck, torch's
numbers, and the closed-form check (gradient descent on synthetic_linear recovers w and b)."""

from pathlib import Path

import numpy as np
import pytest

import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad import Tensor, gradcheck
from minigrad.data import DataLoader, TensorDataset, synthetic_linear

REFS = np.load(Path(__file__).parents[1] / "data" / "nn_refs.npz")

# d = input - target = [-0.5, 2, 0]
INPUT = [1.0, 2.0, 3.0]
TARGET = [1.5, 0.0, 3.0]

HAND_COMPUTED = {
    # name: (loss function, element-wise losses, d loss_sum / d input)
    "mse": (F.mse_loss, [0.25, 4.0, 0.0], [-1.0, 4.0, 0.0]),
    "l1": (F.l1_loss, [0.5, 2.0, 0.0], [-1.0, 1.0, 0.0]),
    # delta = 1: |-0.5| < 1 -> 0.5 * 0.25; |2| >= 1 -> 1 * (2 - 0.5); gradient d or delta * sign(d)
    "huber": (F.huber_loss, [0.125, 1.5, 0.0], [-0.5, 1.0, 0.0]),
}


@pytest.mark.parametrize("name", HAND_COMPUTED)
def test_loss_values_and_gradients_by_hand(name):
    loss_fn, elementwise, sum_gradient = HAND_COMPUTED[name]
    np.testing.assert_allclose(loss_fn(Tensor(INPUT), Tensor(TARGET), reduction="none").data, elementwise, rtol=1e-15)
    assert loss_fn(Tensor(INPUT), Tensor(TARGET), reduction="sum").item() == pytest.approx(sum(elementwise), rel=1e-15)
    for reduction, scale in (("sum", 1.0), ("mean", 1 / 3)):
        x = Tensor(INPUT, requires_grad=True)
        loss = loss_fn(x, Tensor(TARGET), reduction=reduction)
        assert loss.item() == pytest.approx(scale * sum(elementwise), rel=1e-15)
        loss.backward()
        np.testing.assert_allclose(x.grad, scale * np.array(sum_gradient), rtol=1e-15)


def test_mean_is_the_default_reduction():
    assert F.mse_loss(Tensor(INPUT), Tensor(TARGET)).item() == pytest.approx(4.25 / 3, rel=1e-15)
    assert nn.MSELoss()(Tensor(INPUT), Tensor(TARGET)).item() == pytest.approx(4.25 / 3, rel=1e-15)
    assert nn.L1Loss()(Tensor(INPUT), Tensor(TARGET)).item() == pytest.approx(2.5 / 3, rel=1e-15)
    assert nn.HuberLoss()(Tensor(INPUT), Tensor(TARGET)).item() == pytest.approx(1.625 / 3, rel=1e-15)


def test_huber_delta_moves_the_switch_point():
    # delta = 2.5: both errors are in the quadratic part; delta = 0.25: both in the linear part.
    np.testing.assert_allclose(F.huber_loss(Tensor(INPUT), Tensor(TARGET), "none", delta=2.5).data,
                               [0.125, 2.0, 0.0], rtol=1e-15)
    np.testing.assert_allclose(nn.HuberLoss("none", delta=0.25)(Tensor(INPUT), Tensor(TARGET)).data,
                               [0.25 * (0.5 - 0.125), 0.25 * (2 - 0.125), 0.0], rtol=1e-15)


def test_loss_modules_pass_their_options_through():
    x, t = Tensor(INPUT), Tensor(TARGET)
    np.testing.assert_array_equal(nn.MSELoss("none")(x, t).data, [0.25, 4.0, 0.0])
    assert nn.L1Loss("sum")(x, t).item() == 2.5
    assert nn.HuberLoss("sum", delta=2.5)(x, t).item() == 2.125


def test_squared_loss_is_half_squared_error_without_reduction():
    y_hat = Tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    loss = F.squared_loss(y_hat, np.array(TARGET))  # (3,) labels reshaped to (3, 1), as in d2l
    assert loss.shape == (3, 1)
    np.testing.assert_allclose(loss.data, [[0.125], [2.0], [0.0]], rtol=1e-15)
    loss.sum().backward()
    np.testing.assert_allclose(y_hat.grad, [[-0.5], [2.0], [0.0]], rtol=1e-15)
    np.testing.assert_allclose(loss.data.ravel(), 0.5 * F.mse_loss(Tensor(INPUT), Tensor(TARGET), "none").data)


def test_squared_loss_refuses_a_different_number_of_elements():
    with pytest.raises(ValueError, match=r"y_hat shape \(3, 1\) and y shape \(4,\)"):
        F.squared_loss(Tensor(np.zeros((3, 1))), Tensor(np.zeros(4)))


@pytest.mark.parametrize("loss_fn", [F.mse_loss, F.l1_loss, F.huber_loss, nn.MSELoss(), nn.L1Loss(), nn.HuberLoss()])
def test_shape_mismatch_raises_instead_of_broadcasting(loss_fn):
    prediction, target = Tensor(np.zeros((4, 1))), Tensor(np.zeros(4))
    with pytest.raises(ValueError, match=r"input shape \(4, 1\) and target shape \(4,\) differ"):
        loss_fn(prediction, target)


def test_bad_reduction_and_delta_are_refused():
    with pytest.raises(ValueError, match=r"avg is not a valid value for reduction \(one of \('mean', 'sum', 'none'\)\)"):
        F.mse_loss(Tensor(INPUT), Tensor(TARGET), reduction="avg")
    for loss_class in (nn.MSELoss, nn.L1Loss, nn.HuberLoss):
        with pytest.raises(ValueError, match=f"{loss_class.__name__}: elementwise_mean is not a valid value for reduction"):
            loss_class(reduction="elementwise_mean")
    for delta in (0, -1.0, float("inf"), float("nan"), True, "1"):
        with pytest.raises(ValueError, match="delta must be a finite number > 0"):
            nn.HuberLoss(delta=delta)
        with pytest.raises(ValueError, match="delta must be a finite number > 0"):
            F.huber_loss(Tensor(INPUT), Tensor(TARGET), delta=delta)


def test_input_must_be_a_tensor():
    with pytest.raises(TypeError, match="mse_loss: input must be a Tensor"):
        F.mse_loss(np.zeros(3), Tensor(np.zeros(3)))


@pytest.mark.parametrize("loss_fn", [F.mse_loss, F.l1_loss, F.huber_loss, F.squared_loss])
def test_float32_stays_float32_even_with_a_float64_numpy_target(loss_fn):
    prediction = Tensor(np.array([0.5, 3.0], dtype=np.float32), requires_grad=True)
    loss = loss_fn(prediction, np.array([0.0, 1.0])).sum()
    assert loss.dtype == np.float32
    loss.backward()
    assert prediction.grad.dtype == np.float32


# ---- gradient checks ----------------------------------------------------------------------------


def loss_inputs(seed):
    rng = np.random.default_rng(seed)
    prediction = Tensor(rng.standard_normal((4, 3)) * 2, requires_grad=True)
    target = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    gap = np.abs(prediction.data - target.data)
    assert np.all(gap > 1e-3) and np.all(np.abs(gap - 1.0) > 1e-3)  # away from |d| = 0 and |d| = delta
    assert np.any(gap < 1.0) and np.any(gap > 1.0)  # Huber's two pieces are both exercised
    return prediction, target


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss_fn", [F.mse_loss, F.l1_loss, F.huber_loss])
def test_gradcheck_losses(loss_fn, reduction):
    prediction, target = loss_inputs(seed=1)
    assert gradcheck(lambda p, t: loss_fn(p, t, reduction=reduction), [prediction, target])


@pytest.mark.parametrize("loss_module", [nn.MSELoss("sum"), nn.L1Loss(), nn.HuberLoss("none", delta=1.0)])
def test_gradcheck_loss_modules(loss_module):
    assert gradcheck(loss_module, list(loss_inputs(seed=1)))


def test_gradcheck_squared_loss():
    prediction = Tensor(np.random.default_rng(2).standard_normal((5, 1)), requires_grad=True)
    target = Tensor(np.random.default_rng(3).standard_normal(5), requires_grad=True)
    assert gradcheck(F.squared_loss, [prediction, target])


# ---- against torch ------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, loss_fn", [
    ("mse", F.mse_loss), ("l1", F.l1_loss),
    ("huber1", lambda i, t, r: F.huber_loss(i, t, r, delta=1.0)),
    ("huber0.5", lambda i, t, r: F.huber_loss(i, t, r, delta=0.5)),
])
def test_losses_match_torch(name, loss_fn, reduction):
    key = f"{name}_{reduction}"
    prediction = Tensor(REFS["loss/input"], requires_grad=True)
    target = Tensor(REFS["loss/target"], requires_grad=True)
    loss = loss_fn(prediction, target, reduction)
    np.testing.assert_allclose(loss.data, REFS[f"{key}/out"], rtol=1e-12)
    loss.backward(REFS[f"{key}/upstream"])
    np.testing.assert_allclose(prediction.grad, REFS[f"{key}/grad_input"], rtol=1e-12)
    np.testing.assert_allclose(target.grad, REFS[f"{key}/grad_target"], rtol=1e-12)


# ---- the closed-form check ----------------------------------------------------------------------


def test_gradient_descent_on_synthetic_linear_recovers_w_and_b():
    features, labels = synthetic_linear(seed=0)  # y = 2 x1 - 3.4 x2 + 4.2 + 0.01 noise
    X, y = Tensor(features), Tensor(labels.reshape(-1, 1))
    model = nn.Linear(2, 1, generator=np.random.default_rng(0))
    loss_fn = nn.MSELoss()
    learning_rate = 0.1
    for _ in range(200):
        loss = loss_fn(model(X), y)
        model.zero_grad()
        loss.backward()
        for parameter in model.parameters():
            parameter.data -= learning_rate * parameter.grad
    np.testing.assert_allclose(model.weight.data.ravel(), [2.0, -3.4], atol=0.01)
    np.testing.assert_allclose(model.bias.data, [4.2], atol=0.01)
    # Full-batch GD on MSE converges to the least-squares solution itself.
    design = np.column_stack([features, np.ones(len(features))])
    least_squares = np.linalg.lstsq(design, labels, rcond=None)[0]
    np.testing.assert_allclose(np.append(model.weight.data.ravel(), model.bias.data), least_squares, atol=1e-8)
    assert loss.item() == pytest.approx(np.mean((design @ least_squares - labels) ** 2), rel=1e-6)


def test_minibatch_sgd_with_squared_loss_as_in_the_seeds():
    features, labels = synthetic_linear(seed=1)
    loader = DataLoader(TensorDataset(features, labels), batch_size=10, shuffle=True, seed=1)
    model = nn.Linear(2, 1, generator=np.random.default_rng(1))
    for _ in range(3):
        for X, y in loader:
            loss = F.squared_loss(model(X), y).sum()
            model.zero_grad()
            loss.backward()
            for parameter in model.parameters():
                parameter.data -= 0.03 * parameter.grad / len(y)  # d2l's sgd: lr * grad / batch_size
    np.testing.assert_allclose(model.weight.data.ravel(), [2.0, -3.4], atol=0.01)
    np.testing.assert_allclose(model.bias.data, [4.2], atol=0.01)
