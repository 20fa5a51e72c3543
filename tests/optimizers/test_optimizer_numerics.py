"""Closed forms, state_dict round trips and convergence, for every optimizer and backend."""

import numpy as np
import pytest

import optimizers
from optimizer_cases import CONVERGENCE, FULL_STATE, INVALID_HYPERPARAMETERS, Param, shape_for

BACKENDS = ["numba", "numpy"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "hyperparameters, expected",
    [
        (dict(momentum=0.9, dampening=0.5), [0.9, 0.76, 0.584]),
        (dict(momentum=0.9, nesterov=True), [0.81, 0.539, 0.1951]),
        (dict(), [0.9, 0.8, 0.7]),
        (dict(momentum=0.9), [0.9, 0.71, 0.439]),
    ],
)
def test_sgd_closed_forms(hyperparameters, expected, backend):
    """lr=0.1, g=1, p0=1: b1 = g (undamped), b_t = mu b + (1 - tau) g, p -= lr * (b or g + mu b)."""
    p = Param(np.array(1.0))
    optimizer = optimizers.SGD([p], lr=0.1, backend=backend, **hyperparameters)
    values = []
    for _ in expected:
        p.grad = np.array(1.0)
        optimizer.step()
        values.append(float(p.data))
    np.testing.assert_allclose(values, expected, rtol=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_adagrad_first_step_moves_each_coordinate_by_lr(backend):
    """s1 = g^2, so the first step is lr * g / (|g| + eps) = lr * sign(g) up to eps."""
    p = Param(np.array([1.0, -2.0, 3.0]))
    p.grad = np.array([0.5, -4.0, 1e-3])
    optimizers.Adagrad([p], lr=0.1, eps=0.0, backend=backend).step()
    np.testing.assert_allclose(p.data, [0.9, -1.9, 2.9], rtol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rmsprop_first_step(backend):
    """v1 = (1 - alpha) g^2, so the first step is lr * g / (sqrt(1 - alpha) |g| + eps)."""
    p = Param(np.array([2.0, -1.0]))
    p.grad = np.array([3.0, -0.25])
    optimizers.RMSprop([p], lr=0.01, alpha=0.99, eps=0.0, backend=backend).step()
    np.testing.assert_allclose(p.data, [2.0 - 0.1, -1.0 + 0.1], rtol=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_adadelta_first_step(backend):
    """s1 = (1 - rho) g^2, u0 = 0: dx = sqrt(eps) / sqrt((1 - rho) g^2 + eps) * g."""
    p = Param(np.array(0.0))
    p.grad = np.array(2.0)
    optimizers.Adadelta([p], lr=1.0, rho=0.9, eps=1e-6, backend=backend).step()
    expected = -np.sqrt(1e-6) / np.sqrt(0.1 * 4.0 + 1e-6) * 2.0
    np.testing.assert_allclose(float(p.data), expected, rtol=1e-14)


def _grads(rng, shapes, steps):
    return [[rng.normal(size=shape) for shape in shapes] for _ in range(steps)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(FULL_STATE))
def test_state_dict_round_trip_is_bitwise(name, backend):
    """10 steps, save, load into a fresh optimizer, 10 more steps for both: identical."""
    rng = np.random.default_rng(11)
    shapes = [shape_for(name, shape) for shape in [(3, 2), (), (5,)]]
    grads = _grads(rng, shapes, 20)
    params = [Param(rng.normal(size=shape)) for shape in shapes]
    hp = FULL_STATE[name]
    groups = lambda ps: [{"params": ps[:2]}, {"params": ps[2:], "lr": hp["lr"] / 3}]
    original = optimizers.create(name, groups(params), backend=backend, **hp)
    for t in range(10):
        for p, g in zip(params, grads[t]):
            p.grad = g
        original.step()
    saved = original.state_dict()
    clones = [Param(p.data.copy()) for p in params]
    restored = optimizers.create(name, groups(clones), backend=backend, **hp)
    restored.load_state_dict(saved)
    for t in range(10, 20):
        for p, c, g in zip(params, clones, grads[t]):
            p.grad = g
            c.grad = g.copy()
        original.step()
        restored.step()
    for p, c in zip(params, clones):
        assert np.array_equal(p.data, c.data)
        assert original.state[p].keys() == restored.state[c].keys()
        for key, value in original.state[p].items():
            assert np.array_equal(value, restored.state[c][key]), key
    assert original.state_dict()["param_groups"] == restored.state_dict()["param_groups"]


@pytest.mark.parametrize("name", sorted(FULL_STATE))
def test_state_dict_layout_and_copies(name):
    params = [Param(np.ones(shape_for(name, shape))) for shape in [(2, 2), (3,), (1,)]]
    optimizer = optimizers.create(
        name, [{"params": params[:2]}, {"params": params[2:], "lr": 0.5}], **FULL_STATE[name]
    )
    params[0].grad = np.full((2, 2), 0.5)
    params[2].grad = np.full(params[2].data.shape, 0.25)  # params[1] has no grad: no state
    optimizer.step()
    saved = optimizer.state_dict()
    assert set(saved) == {"state", "param_groups"}
    assert list(saved["state"]) == [0, 2]
    assert [g["params"] for g in saved["param_groups"]] == [[0, 1], [2]]
    assert saved["param_groups"][1]["lr"] == 0.5
    assert {k for k in saved["param_groups"][0] if k != "params"} == set(optimizer.defaults)
    # arrays are copies both ways: mutating the saved dict or stepping on leaves the other alone
    before = {k: v.copy() for k, v in optimizer.state[params[0]].items() if isinstance(v, np.ndarray)}
    for value in saved["state"][0].values():
        if isinstance(value, np.ndarray):
            value += 100.0
    for key, value in before.items():
        assert np.array_equal(optimizer.state[params[0]][key], value)
    snapshot = optimizer.state_dict()
    # a new gradient: under the same one some states stay put (Rprop's prev, Adafactor's means)
    params[0].grad = np.full((2, 2), -0.75)
    optimizer.step()
    for key, value in snapshot["state"][0].items():
        if isinstance(value, np.ndarray):
            assert not np.array_equal(optimizer.state[params[0]][key], value), key


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_grad(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])


@pytest.mark.parametrize("name", sorted(CONVERGENCE))
def test_reduces_rosenbrock_within_2000_steps(name):
    hyperparameters, target = CONVERGENCE[name]
    p = Param(np.array([-1.5, 2.0]).reshape(shape_for(name, (2,))))  # Muon: a 1 x 2 matrix
    optimizer = optimizers.create(name, [p], **hyperparameters)

    def closure():
        x = p.data.reshape(-1)
        p.grad = rosenbrock_grad(x).reshape(p.data.shape)
        return rosenbrock(x)

    assert closure() == 12.5
    for _ in range(2000):
        optimizer.step(closure)
    assert rosenbrock(p.data.reshape(-1)) < target


def test_every_registered_optimizer_has_numerics_rows():
    assert sorted(CONVERGENCE) == optimizers.available()
    assert {row[0] for row in INVALID_HYPERPARAMETERS} == set(optimizers.available())


@pytest.mark.parametrize(
    "name, hyperparameters, error, message",
    INVALID_HYPERPARAMETERS,
    ids=[f"{row[0]}-{row[3][:40]}" for row in INVALID_HYPERPARAMETERS],
)
def test_invalid_hyperparameters(name, hyperparameters, error, message):
    p = Param(np.zeros(shape_for(name, (2,))))
    with pytest.raises(error) as info:
        optimizers.create(name, [p], **hyperparameters)
    assert str(info.value) == message
    # the same check guards per-group overrides
    with pytest.raises(error) as info:
        optimizers.create(name, [{"params": [p], **hyperparameters}])
    assert str(info.value) == message
