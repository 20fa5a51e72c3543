"""Closed forms of the Adam family: first steps computed by hand, and family relations."""

import numpy as np
import pytest

import optimizers
from optimizer_cases import Param

BACKENDS = ["numba", "numpy"]
START = np.array([1.0, -2.0, 3.0, 0.5])
GRAD = np.array([0.5, -4.0, 1e-3, 250.0])  # magnitudes over five decades


def first_step(optimizer_class, backend, start=START, **hyperparameters):
    p = Param(start.copy())
    p.grad = GRAD.copy()
    optimizer_class([p], backend=backend, **hyperparameters).step()
    return p.data


@pytest.mark.parametrize("backend", BACKENDS)
def test_adam_first_step_moves_every_coordinate_by_lr(backend):
    """m1 = (1 - b1) g and v1 = (1 - b2) g^2 are bias-corrected to g and g^2: the step is
    lr * g / |g|, the same lr for gradients five decades apart."""
    moved = START - first_step(optimizers.Adam, backend, lr=0.01, eps=0.0)
    np.testing.assert_allclose(moved, 0.01 * np.sign(GRAD), rtol=1e-12)
    # with the default eps the step is lr * |g| / (|g| + eps): short by eps / |g| relative
    moved = START - first_step(optimizers.Adam, backend, lr=0.01)
    np.testing.assert_allclose(moved, 0.01 * GRAD / (np.abs(GRAD) + 1e-8), rtol=1e-12)
    assert abs(moved[2]) < 0.01 * (1 - 0.9e-5)  # g = 1e-3: eps / |g| = 1e-5 shows


@pytest.mark.parametrize("backend", BACKENDS)
def test_adam_first_step_with_coupled_and_decoupled_weight_decay(backend):
    """L2 (coupled) decay only changes g, so the first step is still lr * sign(g + wd p);
    decoupled decay shrinks p first: p (1 - lr wd) - lr sign(g)."""
    lr, wd, start = 0.01, 300.0, -START  # g + wd p has the opposite sign of g at 0, 1, 2
    direction = np.sign(GRAD + wd * start)
    assert list(direction) == [-1, 1, -1, 1]
    coupled = first_step(optimizers.Adam, backend, start, lr=lr, eps=0.0, weight_decay=wd)
    np.testing.assert_allclose(start - coupled, lr * direction, rtol=1e-12)
    wd = 10.0
    decoupled = first_step(optimizers.Adam, backend, start, lr=lr, eps=0.0, weight_decay=wd,
                           decoupled_weight_decay=True)
    np.testing.assert_allclose(decoupled, start * (1 - lr * wd) - lr * np.sign(GRAD), rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_adam_second_step_by_hand(backend):
    """Two steps of the formula written out with m_hat and v_hat (the form of Dive into Deep Learning, ch. 7: Adam)."""
    lr, (b1, b2), eps = 0.1, (0.8, 0.9), 1e-3
    grads = [np.array([1.0, -2.0]), np.array([3.0, 0.5])]
    p = Param(np.array([0.0, 1.0]))
    optimizer = optimizers.Adam([p], lr=lr, betas=(b1, b2), eps=eps, backend=backend)
    expected, m, v = p.data.copy(), 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        p.grad = g
        optimizer.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        expected = expected - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    np.testing.assert_allclose(p.data, expected, rtol=1e-13)
    state = optimizer.state[p]
    assert state["step"] == 2
    np.testing.assert_allclose(state["exp_avg"], m, rtol=1e-14)
    np.testing.assert_allclose(state["exp_avg_sq"], v, rtol=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_amsgrad_divides_by_the_largest_second_moment_so_far(backend):
    """A big gradient then small ones: v decays, v_max keeps the peak and the steps shrink."""
    grads = [np.array([10.0]), np.array([0.1]), np.array([0.1])]
    runs = {}
    for amsgrad in (False, True):
        p = Param(np.array([0.0]))
        optimizer = optimizers.Adam([p], lr=0.1, betas=(0.0, 0.5), eps=0.0, amsgrad=amsgrad,
                                    backend=backend)
        for g in grads:
            p.grad = g
            optimizer.step()
        runs[amsgrad] = (p.data.copy(), optimizer.state[p])
    state = runs[True][1]
    # b1 = 0 makes m = g and 1 - b1^t = 1; v = 50, 25.005, 12.5075 while v_max stays 50
    np.testing.assert_allclose(state["exp_avg_sq"], [12.5075], rtol=1e-14)
    np.testing.assert_allclose(state["max_exp_avg_sq"], [50.0], rtol=1e-14)
    bc2_sqrt = np.sqrt(1 - 0.5 ** np.arange(1, 4))
    g = np.array([10.0, 0.1, 0.1])
    ams = -np.sum(0.1 * g / (np.sqrt([50.0, 50.0, 50.0]) / bc2_sqrt))
    plain = -np.sum(0.1 * g / (np.sqrt([50.0, 25.005, 12.5075]) / bc2_sqrt))
    np.testing.assert_allclose(runs[True][0], [ams], rtol=1e-13)
    np.testing.assert_allclose(runs[False][0], [plain], rtol=1e-13)
    assert abs(ams) < abs(plain)
    assert "max_exp_avg_sq" not in runs[False][1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_adamw_is_adam_with_decoupled_weight_decay(backend):
    rng = np.random.default_rng(5)
    grads = [rng.normal(size=(3, 2)) for _ in range(6)]
    results = []
    for make in (
        lambda ps: optimizers.AdamW(ps, lr=0.05, amsgrad=True, backend=backend),
        lambda ps: optimizers.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.01,
                                   decoupled_weight_decay=True, backend=backend),
    ):
        p = Param(np.linspace(-1.0, 1.0, 6).reshape(3, 2))
        optimizer = make([p])
        for g in grads:
            p.grad = g
            optimizer.step()
        results.append(p.data)
    assert np.array_equal(results[0], results[1])
    adamw = optimizers.AdamW([Param(np.zeros(1))])
    assert adamw.defaults["weight_decay"] == 0.01
    assert adamw.defaults["decoupled_weight_decay"] is True
    assert isinstance(adamw, optimizers.Adam)


@pytest.mark.parametrize("backend", BACKENDS)
def test_adamax_first_steps(backend):
    """u1 = |g| + eps, so step 1 is lr * g / (|g| + eps); then u2 = max(b2 u1, |g2| + eps)."""
    lr, (b1, b2), eps = 0.01, (0.9, 0.5), 1e-3
    moved = START - first_step(optimizers.Adamax, backend, lr=lr, betas=(b1, b2), eps=eps)
    np.testing.assert_allclose(moved, lr * GRAD / (np.abs(GRAD) + eps), rtol=1e-12)

    p = Param(np.array([0.0, 0.0]))
    optimizer = optimizers.Adamax([p], lr=lr, betas=(b1, b2), eps=eps, backend=backend)
    g1, g2 = np.array([4.0, 1.0]), np.array([1.0, 3.0])
    for g in (g1, g2):
        p.grad = g
        optimizer.step()
    u2 = np.array([0.5 * 4.001, 3.001])  # coordinate 0 keeps the decayed maximum
    m2 = b1 * (1 - b1) * g1 + (1 - b1) * g2
    expected = -lr * g1 / (np.abs(g1) + eps) - lr / (1 - b1**2) * m2 / u2
    np.testing.assert_allclose(optimizer.state[p]["exp_inf"], u2, rtol=1e-15)
    np.testing.assert_allclose(p.data, expected, rtol=1e-13)


@pytest.mark.parametrize("backend", BACKENDS)
def test_nadam_first_step_and_mu_product(backend):
    """t = 1: P = mu_1, m = (1 - b1) g, d = |g| + eps, so
    p1 = p0 - lr g / d * (1 + mu_2 (1 - b1) / (1 - mu_1 mu_2))."""
    lr, b1, psi, eps = 0.01, 0.9, 0.05, 1e-3
    mu = [b1 * (1 - 0.5 * 0.96 ** (t * psi)) for t in (1, 2, 3)]
    p = Param(START.copy())
    optimizer = optimizers.NAdam([p], lr=lr, eps=eps, momentum_decay=psi, backend=backend)
    p.grad = GRAD.copy()
    optimizer.step()
    factor = 1 + mu[1] * (1 - b1) / (1 - mu[0] * mu[1])
    np.testing.assert_allclose(START - p.data, lr * GRAD / (np.abs(GRAD) + eps) * factor,
                               rtol=1e-12)
    p.grad = GRAD.copy()
    optimizer.step()
    assert optimizer.state[p]["mu_product"] == pytest.approx(mu[0] * mu[1], rel=1e-15)
    assert 0.3 * b1 < mu[0] < mu[1] < mu[2] < b1  # the schedule warms the momentum up


@pytest.mark.parametrize("backend", BACKENDS)
def test_radam_plain_momentum_until_rho_exceeds_5_then_rectified(backend):
    """b2 = 0.9: rho_inf = 19, rho_t = 1, 1.95, 2.86, 3.73, 4.58, 5.39, ...: steps 1-5 are
    p -= lr m_hat (step 1: lr g exactly), step 6 the rectified adaptive step."""
    lr, b1, b2, eps = 0.01, 0.8, 0.9, 1e-3
    stepped = first_step(optimizers.RAdam, backend, lr=lr, betas=(b1, b2), eps=eps)
    np.testing.assert_allclose(stepped, START - lr * GRAD, rtol=1e-15)

    grads = [np.array([2.0, -0.5]) * (k + 1) for k in range(7)]
    p = Param(np.array([0.0, 0.0]))
    optimizer = optimizers.RAdam([p], lr=lr, betas=(b1, b2), eps=eps, backend=backend)
    expected, m, v = p.data.copy(), 0.0, 0.0
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, start=1):
        p.grad = g
        optimizer.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if t <= 5:
            assert rho_t <= 5
            expected = expected - lr * m_hat
        else:
            assert rho_t > 5
            r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            # eps before the bias correction: sqrt(v_hat) + eps / sqrt(1 - b2^t)
            expected = expected - lr * r * m_hat / (np.sqrt(v_hat) + eps / np.sqrt(1 - b2**t))
        np.testing.assert_allclose(p.data, expected, rtol=1e-12, err_msg=f"step {t}")


@pytest.mark.parametrize("backend", BACKENDS)
def test_lion_steps_by_lr_in_the_sign_of_the_interpolated_momentum(backend):
    """Step 1: m = 0, so c = (1 - b1) g and p1 = p0 (1 - lr wd) - lr sign(g) (sign(0) = 0).
    Step 2: m1 = (1 - b2) g1 outweighs a small opposite g2 in c = b1 m1 + (1 - b1) g2."""
    lr, wd = 0.01, 2.0
    grad = GRAD.copy()
    grad[2] = 0.0
    p = Param(START.copy())
    p.grad = grad
    optimizer = optimizers.Lion([p], lr=lr, weight_decay=wd, backend=backend)
    optimizer.step()
    np.testing.assert_allclose(p.data, START * (1 - lr * wd) - lr * np.sign(grad), rtol=1e-15)
    assert list(np.sign(grad)) == [1, -1, 0, 1]

    p = Param(np.array([0.0, 0.0]))
    optimizer = optimizers.Lion([p], lr=lr, betas=(0.9, 0.99), backend=backend)
    for g in (np.array([1.0, 1.0]), np.array([-0.05, -0.5])):
        p.grad = g
        optimizer.step()
    # c2 = 0.9 * 0.01 * 1 + 0.1 * g2 = 0.004 (keeps going) and -0.041 (turns back)
    np.testing.assert_allclose(p.data, [-2 * lr, 0.0], atol=1e-17)
    np.testing.assert_allclose(optimizer.state[p]["exp_avg"],
                               0.99 * 0.01 * 1.0 + 0.01 * np.array([-0.05, -0.5]), rtol=1e-14)
    assert set(optimizer.state[p]) == {"exp_avg"}
