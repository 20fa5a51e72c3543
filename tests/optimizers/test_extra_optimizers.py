"""Behaviour of the optimizers beyond torch.optim, Lookahead and optimizers.swa_utils that the
trajectory comparisons (test_extra_optimizer_refs.py) do not pin down: closed forms, modes,
state_dict round trips, errors that change nothing."""

import copy
import math

import numpy as np
import pytest

import minigrad
import optimizers
import schedulers
from minigrad import nn
from optimizers import swa_utils
from optimizer_cases import Param

BACKENDS = ["numba", "numpy"]


def quadratic_grad(p):
    """Gradient of sum(scale * (p - 1)^2 / 2) with scales 1 and 10: a narrow valley."""
    return np.array([1.0, 10.0]) * (p.data - 1)


# ------------------------------------------------------------------ AdaBelief
@pytest.mark.parametrize("backend", BACKENDS)
def test_adabelief_first_step_closed_forms(backend):
    """rectify=False: s_1 = (1 - b2)(b1 g)^2 + eps, so the first step is lr / b1 per coordinate.
    rectify=True: the first steps are momentum SGD, m_1 / (1 - b1) = g, so p moves by lr * g;
    with degenerated_to_sgd=False they do not move at all (rho_t < 5 for t <= 5, b2 = 0.999)."""
    g = np.array([3.0, -0.5])
    plain = Param(np.zeros(2), g.copy())
    optimizers.AdaBelief([plain], lr=0.1, rectify=False, backend=backend).step()
    np.testing.assert_allclose(plain.data, [-0.1 / 0.9, 0.1 / 0.9], rtol=1e-12)
    rectified = Param(np.zeros(2), g.copy())
    optimizers.AdaBelief([rectified], lr=0.1, backend=backend).step()
    np.testing.assert_allclose(rectified.data, -0.1 * g, rtol=1e-14)
    still = Param(np.zeros(2))
    optimizer = optimizers.AdaBelief([still], lr=0.1, degenerated_to_sgd=False, backend=backend)
    for t in range(5):
        still.grad = g.copy()
        optimizer.step()
        assert np.array_equal(still.data, np.zeros(2)), t
    still.grad = g.copy()
    optimizer.step()  # t = 6: rho_6 = 5.994 >= 5, the rectified adaptive step
    assert np.all(still.data != 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_adabelief_belief_is_the_variance_around_the_momentum(backend):
    """A constant gradient has no surprise: s only collects (1 - b2)(g - m)^2 + eps."""
    p = Param(np.zeros(1))
    optimizer = optimizers.AdaBelief([p], lr=0.01, betas=(0.5, 0.9), eps=1e-12, rectify=False,
                                      backend=backend)
    m = s = 0.0
    for _ in range(3):
        p.grad = np.array([2.0])
        optimizer.step()
        m = 0.5 * m + 0.5 * 2.0
        s = 0.9 * s + 0.1 * (2.0 - m) ** 2 + 1e-12
    state = optimizer.state[p]
    assert state["exp_avg"][0] == pytest.approx(m, rel=1e-15)
    assert state["exp_avg_var"][0] == pytest.approx(s, rel=1e-12)


# ------------------------------------------------------------------ LAMB
@pytest.mark.parametrize("backend", BACKENDS)
def test_lamb_step_length_is_lr_times_the_weight_norm(backend):
    rng = np.random.default_rng(0)
    p = Param(rng.normal(size=(3, 4)))
    optimizer = optimizers.LAMB([p], lr=0.01, weight_decay=0.1, backend=backend)
    for _ in range(3):
        before = p.data.copy()
        p.grad = rng.normal(size=(3, 4))
        optimizer.step()
        step = np.linalg.norm(p.data - before)
        assert step == pytest.approx(0.01 * np.linalg.norm(before), rel=1e-12)
        assert optimizer.state[p]["trust_ratio"] > 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_lamb_weight_norm_is_capped_at_10_and_zero_weights_still_move(backend):
    big = Param(np.full(4, 100.0), np.ones(4))  # ||p|| = 200 -> phi = 10
    zero = Param(np.zeros(3), np.array([1.0, -2.0, 0.5]))  # trust ratio 1 (not 0)
    optimizer = optimizers.LAMB([big, zero], lr=0.1, eps=0.0, backend=backend)
    optimizer.step()
    assert np.linalg.norm(big.data - 100.0) == pytest.approx(0.1 * 10, rel=1e-12)
    # m = 0.1 g, v = 0.001 g^2: r = sign(g) / sqrt(0.1) ... times 0.1 / sqrt(0.001) = sqrt(10)
    np.testing.assert_allclose(zero.data, -0.1 * np.sign(zero.grad) * math.sqrt(10), rtol=1e-12)
    assert optimizer.state[zero]["trust_ratio"] == 1.0


def test_lamb_float32_stays_float32_and_backends_agree():
    rng = np.random.default_rng(1)
    results = {}
    for backend in BACKENDS:
        p = Param(rng.normal(size=(40, 3)).astype(np.float32).T)  # non-contiguous
        optimizer = optimizers.LAMB([p], lr=0.05, weight_decay=0.01, backend=backend)
        grads = np.random.default_rng(2).normal(size=(5, 3, 40)).astype(np.float32)
        for g in grads:
            p.grad = g
            optimizer.step()
        assert p.data.dtype == np.float32
        results[backend] = p.data.copy()
        rng = np.random.default_rng(1)
    np.testing.assert_array_equal(results["numba"], results["numpy"])


# ------------------------------------------------------------------ Schedule-Free
SCHEDULE_FREE = [("sgdschedulefree", dict(lr=0.05)), ("adamwschedulefree", dict(lr=0.05))]


@pytest.mark.parametrize("name, hyperparameters", SCHEDULE_FREE)
def test_schedule_free_eval_and_train_swap_between_y_and_x(name, hyperparameters):
    p = Param(np.array([-2.0, 3.0]))
    optimizer = optimizers.create(name, [p], warmup_steps=3, **hyperparameters)
    beta = optimizer.param_groups[0].get("momentum") or optimizer.param_groups[0]["betas"][0]
    for _ in range(20):
        p.grad = quadratic_grad(p)
        optimizer.step()
    y, z = p.data.copy(), optimizer.state[p]["z"].copy()
    optimizer.eval()
    x = p.data.copy()
    np.testing.assert_allclose(x, y + (1 - 1 / beta) * (z - y), rtol=1e-14)
    np.testing.assert_allclose(y, (1 - beta) * z + beta * x, rtol=1e-12)  # y between z and x
    optimizer.eval()  # already in eval mode: nothing moves
    np.testing.assert_array_equal(p.data, x)
    optimizer.train()
    np.testing.assert_allclose(p.data, y, rtol=1e-12)
    group = optimizer.param_groups[0]
    assert group["k"] == 20 and group["train_mode"] is True
    assert group["scheduled_lr"] == hyperparameters["lr"]  # warm-up over after 3 steps


@pytest.mark.parametrize("name, hyperparameters", SCHEDULE_FREE)
def test_schedule_free_step_in_eval_mode_raises_and_changes_nothing(name, hyperparameters):
    p = Param(np.array([-2.0, 3.0]))
    optimizer = optimizers.create(name, [p], **hyperparameters)
    p.grad = quadratic_grad(p)
    optimizer.step()
    optimizer.eval()
    saved, before = optimizer.state_dict(), p.data.copy()
    p.grad = quadratic_grad(p)
    with pytest.raises(RuntimeError, match=r"step\(\) was called in eval mode: call optimizer.train\(\)"):
        optimizer.step()
    np.testing.assert_array_equal(p.data, before)
    after = optimizer.state_dict()
    assert after["param_groups"] == saved["param_groups"]
    for key, value in saved["state"][0].items():
        np.testing.assert_array_equal(after["state"][0][key], value)


def test_schedule_free_warmup():
    """warmup_steps=4: lr_k = lr (k + 1) / 4, then lr; z takes exactly those steps."""
    p = Param(np.array([0.0]))
    optimizer = optimizers.SGDScheduleFree([p], lr=0.1, warmup_steps=4, weight_lr_power=0.0)
    lrs, zs = [], []
    for _ in range(6):
        p.grad = np.array([1.0])
        optimizer.step()
        lrs.append(optimizer.param_groups[0]["scheduled_lr"])
        zs.append(optimizer.state[p]["z"][0])
    assert lrs == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1], rel=1e-15)
    np.testing.assert_allclose(zs, -np.cumsum(lrs), rtol=1e-14)
    assert optimizer.param_groups[0]["weight_sum"] == 6.0


def test_schedule_free_x_is_the_mean_of_the_iterates():
    """With r = 0 and weight_lr_power = 0, c_t = 1 / t, so x_T = (z_1 + ... + z_T) / T."""
    p = Param(np.array([2.0, -1.0]))
    optimizer = optimizers.SGDScheduleFree([p], lr=0.05, weight_lr_power=0.0)
    zs = [p.data.copy()]
    for _ in range(7):
        p.grad = quadratic_grad(p)
        optimizer.step()
        zs.append(optimizer.state[p]["z"].copy())
    optimizer.eval()
    np.testing.assert_allclose(p.data, np.mean(zs[1:], axis=0), rtol=1e-12)
    assert not np.allclose(p.data, zs[-1])  # the average is not the last iterate


# ------------------------------------------------------------------ Lookahead
@pytest.mark.parametrize("backend", BACKENDS)
def test_lookahead_closed_form(backend):
    """SGD lr 0.1 on g = 1, k = 2, alpha = 0.5: two fast steps of -0.1, then halfway back."""
    p = Param(np.array([1.0]))
    optimizer = optimizers.Lookahead(optimizers.SGD([p], lr=0.1, backend=backend), k=2, alpha=0.5)
    values = []
    for _ in range(4):
        p.grad = np.array([1.0])
        optimizer.step()
        values.append(float(p.data[0]))
    np.testing.assert_allclose(values, [0.9, 0.9, 0.8, 0.8], rtol=1e-14)
    np.testing.assert_allclose(optimizer.slow_weights[id(p)], [0.8], rtol=1e-14)


def test_lookahead_state_dict_round_trip_is_bitwise():
    rng = np.random.default_rng(5)
    grads = [[rng.normal(size=(2, 3)), rng.normal(size=4)] for _ in range(12)]

    def make(params):
        inner = optimizers.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.02}], lr=0.05)
        return optimizers.Lookahead(inner, k=3, alpha=0.6)

    params = [Param(rng.normal(size=(2, 3))), Param(rng.normal(size=4))]
    original = make(params)
    for t in range(4):  # 4 steps: one pull-back done, the counter at 1
        for p, g in zip(params, grads[t]):
            p.grad = g
        original.step()
    saved = original.state_dict()
    assert saved["lookahead"]["step_counter"] == 1 and set(saved["lookahead"]["slow_weights"]) == {0, 1}
    clones = [Param(p.data.copy()) for p in params]
    restored = make(clones)
    restored.load_state_dict(copy.deepcopy(saved))
    for t in range(4, 12):
        for p, c, g in zip(params, clones, grads[t]):
            p.grad, c.grad = g, g.copy()
        original.step()
        restored.step()
    for p, c in zip(params, clones):
        assert np.array_equal(p.data, c.data)
        assert np.array_equal(original.slow_weights[id(p)], restored.slow_weights[id(c)])


def test_lookahead_bad_state_dict_and_arguments_change_nothing():
    p = Param(np.ones(3))
    optimizer = optimizers.Lookahead(optimizers.SGD([p], lr=0.1), k=2)
    p.grad = np.ones(3)
    optimizer.step()
    saved = optimizer.state_dict()
    broken = copy.deepcopy(saved)
    broken["lookahead"]["slow_weights"][0] = np.zeros(4)
    with pytest.raises(ValueError, match=r"slow weights of parameter 0 have shape \(4,\), but the parameter has shape \(3,\)"):
        optimizer.load_state_dict(broken)
    broken = copy.deepcopy(saved)
    broken["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="Invalid learning rate: -1.0"):
        optimizer.load_state_dict(broken)
    assert optimizer.state_dict()["lookahead"]["step_counter"] == 1
    assert optimizer.param_groups[0]["lr"] == 0.1
    with pytest.raises(ValueError, match=r"Invalid k \(lookahead steps\): 0"):
        optimizers.Lookahead(optimizers.SGD([p], lr=0.1), k=0)
    with pytest.raises(ValueError, match=r"Invalid alpha \(slow weights step size\): 1.5"):
        optimizers.Lookahead(optimizers.SGD([p], lr=0.1), alpha=1.5)
    with pytest.raises(TypeError, match="Lookahead wraps an optimizer"):
        optimizers.Lookahead([p])


def test_lookahead_is_driven_by_schedulers_through_the_inner_groups():
    p = Param(np.ones(2))
    inner = optimizers.SGD([p], lr=1.0)
    optimizer = optimizers.Lookahead(inner)
    scheduler = schedulers.StepLR(optimizer, step_size=1, gamma=0.5)
    p.grad = np.zeros(2)
    optimizer.step()
    scheduler.step()
    assert inner.param_groups[0]["lr"] == 0.5 and optimizer.param_groups is inner.param_groups
    optimizer.zero_grad()
    assert p.grad is None


# ------------------------------------------------------------------ swa_utils
class RunningStats(nn.Module):
    """A test double following torch's BatchNorm contract (BatchNorm1d is not in minigrad yet):
    running_mean / running_var / num_batches_tracked, momentum (None: cumulative average),
    reset_running_stats(), and forward updating the statistics in training mode only."""

    def __init__(self, features, momentum=0.1):
        super().__init__()
        self.momentum = momentum
        self.running_mean = np.zeros(features)
        self.running_var = np.ones(features)
        self.num_batches_tracked = 0

    def reset_running_stats(self):
        self.running_mean[...] = 0.0
        self.running_var[...] = 1.0
        self.num_batches_tracked = 0

    def buffers(self):
        return [self.running_mean, self.running_var]

    def forward(self, x):
        data = x.data if isinstance(x, minigrad.Tensor) else np.asarray(x)
        if self.training:
            self.num_batches_tracked += 1
            factor = 1 / self.num_batches_tracked if self.momentum is None else self.momentum
            self.running_mean += factor * (data.mean(axis=0) - self.running_mean)
            self.running_var += factor * (data.var(axis=0, ddof=1) - self.running_var)
        return x


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.norm = RunningStats(2)

    def forward(self, x):
        return self.norm(self.linear(x))

    def buffers(self):
        return self.norm.buffers()


def test_update_bn_recomputes_the_statistics_as_a_cumulative_average():
    rng = np.random.default_rng(3)
    batches = [rng.normal(loc=3.0, size=(4, 2)) for _ in range(5)]
    model = nn.Sequential(nn.Identity(), RunningStats(2, momentum=0.3))
    model.eval()
    model[1].running_mean[...] = 100.0
    swa_utils.update_bn([(b, None) for b in batches], model)  # (x, y) pairs: x is used
    np.testing.assert_allclose(model[1].running_mean, np.mean([b.mean(axis=0) for b in batches], axis=0),
                               rtol=1e-13)
    np.testing.assert_allclose(model[1].running_var,
                               np.mean([b.var(axis=0, ddof=1) for b in batches], axis=0), rtol=1e-13)
    assert model[1].momentum == 0.3 and model.training is False and model[1].training is False


def test_update_bn_restores_momentum_when_the_loader_fails_and_ignores_models_without_bn():
    model = nn.Sequential(RunningStats(2, momentum=0.2))

    def failing_loader():
        yield np.ones((3, 2))
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        swa_utils.update_bn(failing_loader(), model)
    assert model[0].momentum == 0.2 and model.training is True
    plain = nn.Linear(2, 2)
    swa_utils.update_bn([np.ones((3, 2))], plain)  # nothing to do, nothing run


def test_averaged_model_buffers_copied_or_averaged():
    model = Net()
    averaged = swa_utils.AveragedModel(model)
    ema = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.5),
                                  use_buffers=True)
    means = [np.array([1.0, 2.0]), np.array([3.0, 6.0])]
    for mean in means:
        model.norm.running_mean[...] = mean
        averaged.update_parameters(model)
        ema.update_parameters(model)
    np.testing.assert_array_equal(averaged.module.norm.running_mean, means[-1])  # copied
    np.testing.assert_allclose(ema.module.norm.running_mean, [2.0, 4.0], rtol=1e-15)  # averaged
    assert averaged.module.norm.running_mean is not model.norm.running_mean


def test_averaged_model_state_dict_and_errors():
    model = nn.Sequential(nn.Linear(3, 2))
    averaged = swa_utils.AveragedModel(model)
    averaged.update_parameters(model)
    saved = averaged.state_dict()
    assert list(saved) == ["module.0.weight", "module.0.bias", "n_averaged"] and saved["n_averaged"] == 1
    other = swa_utils.AveragedModel(nn.Sequential(nn.Linear(3, 2)))
    other.load_state_dict(saved)
    assert other.n_averaged == 1
    np.testing.assert_array_equal(other.module[0].weight.data, model[0].weight.data)
    before = averaged.module[0].weight.data.copy()
    with pytest.raises(ValueError, match=r"parameter 0 of model has shape \(2, 4\), but the averaged model's has shape \(2, 3\)"):
        averaged.update_parameters(nn.Sequential(nn.Linear(4, 2)))
    with pytest.raises(ValueError, match="model has 1 parameters, but the averaged model has 2"):
        averaged.update_parameters(nn.Sequential(nn.Linear(3, 2, bias=False)))
    np.testing.assert_array_equal(averaged.module[0].weight.data, before)
    assert averaged.n_averaged == 1
    with pytest.raises(ValueError, match="Only one of avg_fn and multi_avg_fn should be provided"):
        swa_utils.AveragedModel(model, avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided. Please provide a value in \[0,1\] range."):
        swa_utils.get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError, match=r"Invalid decay value -0.1 provided"):
        swa_utils.get_ema_avg_fn(-0.1)


def test_swa_with_an_optimizer_averages_the_visited_weights():
    """The usual loop: SGD steps on a model, update_parameters after each; the average is the
    mean of the visited weights."""
    model = nn.Linear(2, 1)
    averaged = swa_utils.AveragedModel(model)
    optimizer = optimizers.SGD(model.parameters(), lr=0.1)
    x = minigrad.tensor([[1.0, 2.0], [0.5, -1.0]])
    visited = []
    for _ in range(5):
        optimizer.zero_grad()
        ((model(x) - 1.0) ** 2).mean().backward()
        optimizer.step()
        averaged.update_parameters(model)
        visited.append(model.weight.data.copy())
    np.testing.assert_allclose(averaged.module.weight.data, np.mean(visited, axis=0), rtol=1e-13)
    assert averaged.n_averaged == 5


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_adafactor_checks_its_factored_state_before_any_update(backend):
    """The row and column factors have their own shapes; a wrong one is refused by step()
    before the first parameter moves (validate first), naming the entry and both shapes."""
    first, matrix = Param(np.ones(3)), Param(np.ones((2, 3)))
    optimizer = optimizers.Adafactor([first, matrix], lr=0.1, backend=backend)
    for p in (first, matrix):
        p.grad = np.full(p.data.shape, 0.5)
    optimizer.step()
    before = [first.data.copy(), matrix.data.copy()]
    optimizer.state[matrix]["col_var"] = np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"^state 'col_var' of parameter 1 of group 0 has shape "
                                         r"\(3, 1\), but a parameter of shape \(2, 3\) needs \(1, 3\)$"):
        optimizer.step()
    optimizer.state[matrix]["col_var"] = np.zeros((1, 3), dtype=np.float32)
    with pytest.raises(TypeError, match="has dtype float32, but the parameter has dtype float64"):
        optimizer.step()
    del optimizer.state[matrix]["col_var"]
    with pytest.raises(ValueError, match="lacks 'col_var', which Adafactor keeps"):
        optimizer.step()
    optimizer.state[first]["variance"] = [0.0, 0.0, 0.0]
    with pytest.raises(TypeError, match="state 'variance' of parameter 0 of group 0 must be a numpy array"):
        optimizer.step()
    np.testing.assert_array_equal(first.data, before[0])
    np.testing.assert_array_equal(matrix.data, before[1])
    assert optimizer.state[first]["step"] == 1
