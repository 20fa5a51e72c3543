"""optimizers.telemetry.Recorder: its numbers against hand-written updates, and its plumbing."""

import json

import numpy as np
import pytest

import optimizers
from optimizers import SGD, Adam, telemetry
from optimizers.telemetry import Recorder
from optimizer_cases import Param

GRADS = [  # the gradient of each of three steps
    np.array([0.5, -2.0]),
    np.array([-1.0, 0.25]),
    np.array([3.0, 1.5]),
]


def norm(x):
    return float(np.sqrt(np.sum(np.square(x))))


# ------------------------------------------------------------------ hand computations
def test_sgd_momentum_two_groups_by_hand():
    a = Param(np.array([1.0, -1.0]))
    frozen = Param(np.array([100.0, 100.0]))  # grad None: skipped, not part of any norm
    c = Param(np.array([0.5, 2.0, -3.0]))
    optimizer = SGD([{"params": [a, frozen], "lr": 0.1}, {"params": [c], "lr": 0.01}],
                    momentum=0.9, backend="numpy")
    recorder = Recorder(optimizer)

    a_hand, c_hand = a.data.copy(), c.data.copy()
    buf_a = buf_c = None
    expected = {0: [], 1: []}
    for step, g in enumerate(GRADS):
        g_c = np.array([g[0], g[1], g[0] * g[1]])
        a.grad, c.grad = g.copy(), g_c.copy()
        optimizer.step()
        # SGD with momentum 0.9 written out: b_1 = g, b_t = 0.9 b_{t-1} + g; p <- p - lr * b.
        buf_a = g.copy() if step == 0 else 0.9 * buf_a + g
        buf_c = g_c.copy() if step == 0 else 0.9 * buf_c + g_c
        expected[0].append((0.1, norm(g), 0.1 * norm(buf_a), 0.1 * norm(buf_a) / norm(a_hand)))
        expected[1].append((0.01, norm(g_c), 0.01 * norm(buf_c), 0.01 * norm(buf_c) / norm(c_hand)))
        a_hand = a_hand - 0.1 * buf_a
        c_hand = c_hand - 0.01 * buf_c
    np.testing.assert_allclose(a.data, a_hand, rtol=1e-15)
    np.testing.assert_array_equal(frozen.data, [100.0, 100.0])

    assert recorder.steps == [1, 2, 3]
    for index, record in enumerate(recorder.groups):
        lr, grad_norm, update_norm, ratio = map(list, zip(*expected[index]))
        assert record["lr"] == lr
        np.testing.assert_allclose(record["grad_norm"], grad_norm, rtol=1e-14)
        np.testing.assert_allclose(record["update_norm"], update_norm, rtol=1e-12)
        np.testing.assert_allclose(record["update_to_weight"], ratio, rtol=1e-12)
        for quantity in ("step_size_min", "step_size_median", "step_size_max"):
            assert record[quantity] == [None, None, None]  # SGD: not adaptive
    # Step 1 in closed form: b = g, so the update norm is lr * ||g||.
    assert recorder.groups[0]["update_norm"][0] == pytest.approx(0.1 * np.sqrt(0.25 + 4.0), rel=1e-14)


def test_adam_three_steps_by_hand():
    lr, beta1, beta2, eps = 0.01, 0.9, 0.999, 1e-8
    p = Param(np.array([1.0, -2.0]))
    optimizer = Adam([p], lr=lr, backend="numpy")
    recorder = Recorder(optimizer)

    x = p.data.copy()
    m = np.zeros(2)
    v = np.zeros(2)
    updates, ratios, step_sizes = [], [], []
    for t, g in enumerate(GRADS, start=1):
        p.grad = g.copy()
        optimizer.step()
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        step_size = lr / (np.sqrt(v_hat) + eps)
        update = step_size * m_hat
        updates.append(norm(update))
        ratios.append(norm(update) / norm(x))
        step_sizes.append(np.sort(step_size))
        x = x - update
    np.testing.assert_allclose(p.data, x, rtol=1e-14)

    record = recorder.groups[0]
    assert record["lr"] == [lr] * 3
    np.testing.assert_allclose(record["grad_norm"], [norm(g) for g in GRADS], rtol=1e-14)
    np.testing.assert_allclose(record["update_norm"], updates, rtol=1e-12)
    np.testing.assert_allclose(record["update_to_weight"], ratios, rtol=1e-12)
    np.testing.assert_allclose(record["step_size_min"], [s[0] for s in step_sizes], rtol=1e-13)
    np.testing.assert_allclose(record["step_size_max"], [s[1] for s in step_sizes], rtol=1e-13)
    np.testing.assert_allclose(record["step_size_median"], [s.mean() for s in step_sizes], rtol=1e-13)
    # First step in closed form: every coordinate moves by lr (up to eps), and the
    # effective step size is lr / |g|.
    assert record["update_norm"][0] == pytest.approx(lr * np.sqrt(2), rel=1e-7)
    assert record["step_size_max"][0] == pytest.approx(lr / 0.5, rel=1e-7)


# ------------------------------------------------------------------ effective step sizes
def _ewa(grads, beta):
    m = 0.0
    for g in grads:
        m = beta * m + (1 - beta) * g
    return m


def _nadam_direction(grads, beta1=0.9, psi=4e-3):
    t = len(grads)
    mu = [beta1 * (1 - 0.5 * 0.96 ** (k * psi)) for k in range(1, t + 2)]
    product = np.prod(mu[:t])
    return ((1 - mu[t - 1]) / (1 - product) * grads[-1]
            + mu[t] / (1 - product * mu[t]) * _ewa(grads, beta1))


# (optimizer, hyperparameters, the direction the effective step size multiplies, as a
# function of the gradients so far), written from each optimizer's formula.
DIRECTIONS = [
    ("adam", {}, lambda gs: _ewa(gs, 0.9) / (1 - 0.9 ** len(gs))),
    ("adam", {"amsgrad": True}, lambda gs: _ewa(gs, 0.9) / (1 - 0.9 ** len(gs))),
    ("adamw", {"weight_decay": 0.0}, lambda gs: _ewa(gs, 0.9) / (1 - 0.9 ** len(gs))),
    ("adamax", {}, lambda gs: _ewa(gs, 0.9) / (1 - 0.9 ** len(gs))),
    ("radam", {}, lambda gs: _ewa(gs, 0.9) / (1 - 0.9 ** len(gs))),
    ("nadam", {}, _nadam_direction),
    ("adagrad", {"lr_decay": 0.1}, lambda gs: gs[-1]),
    ("rmsprop", {}, lambda gs: gs[-1]),
    ("rmsprop", {"centered": True}, lambda gs: gs[-1]),
    ("adadelta", {}, lambda gs: gs[-1]),
]


@pytest.mark.parametrize("name, hyperparameters, direction", DIRECTIONS,
                         ids=[f"{n}{'-' + '-'.join(h) if h else ''}" for n, h, _ in DIRECTIONS])
def test_effective_step_size_times_its_direction_is_the_step(name, hyperparameters, direction):
    """On a one-coordinate parameter |p_after - p_before| = step size * |direction|, at every
    step: the recorded step size is the one the optimizer applied (8 steps: past RAdam's
    switch to the rectified step at t = 6, through Adagrad's lr decay)."""
    p = Param(np.array([0.7]))
    optimizer = optimizers.create(name, [p], lr=0.05, backend="numpy", **hyperparameters)
    recorder = Recorder(optimizer)
    grads = [2.0, -1.0, 0.5, 0.25, -3.0, 0.1, 0.05, 1.5]
    for k, g in enumerate(grads, start=1):
        p.grad = np.array([g])
        optimizer.step()
        record = recorder.groups[0]
        step_size = record["step_size_median"][-1]
        assert record["step_size_min"][-1] == step_size == record["step_size_max"][-1]
        assert record["update_norm"][-1] == pytest.approx(step_size * abs(direction(grads[:k])), rel=1e-9)
    assert record["step_size_min"][0] > 0


def test_radam_reports_lr_before_rectification():
    p = Param(np.array([0.7, 0.1]))
    optimizer = optimizers.RAdam([p], lr=0.05, backend="numpy")
    recorder = Recorder(optimizer)
    for _ in range(6):
        p.grad = np.array([2.0, -0.5])
        optimizer.step()
    # rho_t > 5 first at t = 6 for b2 = 0.999: steps 1..5 are lr * m_hat.
    assert recorder.groups[0]["step_size_max"][:5] == [0.05] * 5
    assert recorder.groups[0]["step_size_min"][5] < 0.05


def test_adagrad_step_size_only_shrinks():
    p = Param(np.array([1.0, -1.0, 0.5]))
    optimizer = optimizers.Adagrad([p], lr=0.1, backend="numpy")
    recorder = Recorder(optimizer)
    rng = np.random.default_rng(0)
    for _ in range(10):
        p.grad = rng.normal(size=3)
        optimizer.step()
    medians = recorder.groups[0]["step_size_median"]
    assert all(later <= earlier for earlier, later in zip(medians, medians[1:]))


def test_optimizers_without_a_rule_report_none():
    class MySGD(SGD):
        """A learner's subclass of a non-adaptive optimizer: still no step size."""

    for optimizer_class in (SGD, optimizers.Lion, MySGD):
        p = Param(np.array([1.0]), np.array([1.0]))
        recorder = Recorder(optimizer_class([p], lr=0.1, backend="numpy"))
        recorder.optimizer.step()
        assert recorder.groups[0]["step_size_median"] == [None]
        assert recorder.groups[0]["update_norm"] == [pytest.approx(0.1)]
        assert not recorder.has_step_size
    # lr (or a warm-up lr) in every coordinate, or a matrix applied to the whole update
    without_rule = {"sgd", "lion", "sgdschedulefree", "muon", "lbfgs"}
    for name in optimizers.available():
        p = Param(np.array([[1.0, -2.0]]), np.array([[0.5, 0.25]]))
        recorder = Recorder(optimizers.create(name, [p], backend="numpy"))
        if recorder.optimizer.needs_closure:
            recorder.optimizer.step(lambda: float(np.sum(p.data**2)))  # grad stays (0.5, 0.25)
        else:
            recorder.optimizer.step()
        assert recorder.groups[0]["update_norm"][0] > 0, name
        if name in without_rule:
            assert recorder.groups[0]["step_size_median"] == [None], name
        else:
            assert recorder.groups[0]["step_size_median"][0] > 0, name


def test_a_learners_subclass_inherits_its_parents_step_size():
    class MyAdam(Adam):
        """A learner's variant: the step size comes with the inherited method."""

    sizes = []
    for optimizer_class in (Adam, MyAdam):
        p = Param(np.array([1.0, -2.0]), np.array([0.5, 0.25]))
        recorder = Recorder(optimizer_class([p], lr=0.1, backend="numpy"))
        recorder.optimizer.step()
        sizes.append(recorder.groups[0]["step_size_max"][0])
    # Step 1: v = (1 - b2) g^2, so lr / (sqrt(v_hat) + eps) = 0.1 / (|g| + 1e-8); max at |g| = 0.25.
    assert sizes[0] == sizes[1] == pytest.approx(0.1 / (0.25 + 1e-8), rel=1e-12)


# ------------------------------------------------------------------ edge cases
def test_zero_weights_and_groups_without_gradients():
    zero = Param(np.zeros(2), np.array([1.0, 1.0]))
    idle = Param(np.ones(2))
    optimizer = Adam([{"params": [zero]}, {"params": [idle]}], lr=0.1, backend="numpy")
    recorder = Recorder(optimizer)
    optimizer.step()
    optimizer.step()
    moving, still = recorder.groups
    assert moving["update_to_weight"][0] is None  # from the origin: undefined
    assert moving["update_to_weight"][1] == pytest.approx(moving["update_norm"][1] / norm(zero.data + 0.1))
    assert still["grad_norm"] == [0.0, 0.0] and still["update_norm"] == [0.0, 0.0]
    assert still["update_to_weight"] == [None, None] and still["step_size_max"] == [None, None]


def test_closure_gradients_are_recorded():
    p = Param(np.array([3.0]))
    optimizer = SGD([p], lr=0.1, backend="numpy")
    recorder = Recorder(optimizer)

    def closure():
        p.grad = 2 * p.data  # f = p^2
        return float(p.data[0] ** 2)

    optimizer.step(closure)
    assert recorder.groups[0]["grad_norm"] == [6.0]
    assert recorder.groups[0]["update_norm"] == [pytest.approx(0.6)]


def test_a_group_added_later_is_padded_with_none():
    a, b = Param(np.array([1.0]), np.array([1.0])), Param(np.array([2.0]), np.array([1.0]))
    optimizer = SGD([a], lr=0.5, backend="numpy")
    recorder = Recorder(optimizer)
    optimizer.step()
    optimizer.add_param_group({"params": [b], "lr": 0.25})
    optimizer.step()
    assert recorder.groups[1]["lr"] == [None, 0.25]
    assert recorder.groups[1]["update_norm"] == [None, 0.25]
    assert recorder.groups[0]["update_norm"] == [0.5, 0.5]


def test_recorder_needs_step_hooks():
    with pytest.raises(TypeError, match="Recorder needs an optimizer with step hooks"):
        Recorder(object())


# ------------------------------------------------------------------ attaching and removing
def test_remove_stops_recording_and_leaves_step_untouched():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.25, backend="numpy")
    recorder = Recorder(optimizer)
    assert recorder.attached
    optimizer.step()
    recorder.remove()
    recorder.remove()  # idempotent
    assert not recorder.attached
    # No hooks left: step() takes its hook-free path and runs no recorder code.
    assert not optimizer._step_pre_hooks and not optimizer._step_post_hooks
    assert "step" not in vars(optimizer)
    optimizer.step()
    assert recorder.steps == [1] and recorder.groups[0]["update_norm"] == [0.25]
    assert p.data[0] == 0.5


def test_removing_one_recorder_keeps_the_others_and_the_users_hooks():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.25, backend="numpy")
    calls = []
    optimizer.register_step_post_hook(lambda o, a, k: calls.append("user"))
    first, second = Recorder(optimizer), Recorder(optimizer)
    optimizer.step()
    first.remove()
    optimizer.step()
    assert first.steps == [1] and second.steps == [1, 2] and calls == ["user", "user"]


def test_context_manager_detaches():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.25, backend="numpy")
    with Recorder(optimizer) as recorder:
        optimizer.step()
    optimizer.step()
    assert recorder.steps == [1] and not recorder.attached


# ------------------------------------------------------------------ output
def _recorded(name="adam", steps=4):
    a, b = Param(np.array([1.0, -1.0])), Param(np.array([0.0, 2.0, 1.0]))
    optimizer = optimizers.create(name, [{"params": [a]}, {"params": [b], "lr": 0.02}],
                                  lr=0.1, backend="numpy")
    recorder = Recorder(optimizer)
    for step in range(steps):
        a.grad = np.array([1.0, -0.5]) * (step + 1)
        b.grad = np.array([0.1, 0.2, -0.3])
        optimizer.step()
    return recorder


def test_as_dict_is_json_ready():
    recorder = _recorded()
    data = recorder.as_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["optimizer"] == "Adam" and data["steps"] == [1, 2, 3, 4]
    assert len(data["groups"]) == 2
    for group in data["groups"]:
        assert set(group) == set(telemetry.QUANTITIES)
        assert all(len(values) == 4 for values in group.values())
        assert all(type(value) is float for values in group.values() for value in values)
    assert data["groups"][1]["lr"] == [0.02] * 4
    data["steps"].append(99)  # a copy: the recorder is unchanged
    assert recorder.steps == [1, 2, 3, 4]


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_plot_writes_a_file(tmp_path, name):
    import matplotlib

    matplotlib.use("Agg")
    path = tmp_path / "telemetry.png"
    fig = _recorded(name).plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    assert len(fig.axes) == 5
    assert [ax.get_yscale() for ax in fig.axes][1:4] == ["log"] * 3


@pytest.mark.parametrize("lrs, scale", [([0.0, 0.05, 0.1, 0.05, 0.0], "linear"),  # warm-up from 0
                                        ([0.1, 0.01, 1e-3, 1e-4, 1e-5], "log"),  # decades, > 0
                                        ([0.1, 0.09, 0.08, 0.07, 0.06], "linear")])
def test_lr_axis_is_log_only_for_positive_lrs_spanning_decades(lrs, scale):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = Param(np.array([1.0, -2.0]))
    optimizer = optimizers.SGD([p], lr=lrs[0])
    recorder = telemetry.Recorder(optimizer)
    for lr in lrs:
        optimizer.param_groups[0]["lr"] = lr
        p.grad = 2 * p.data
        optimizer.step()
    fig = recorder.plot()
    assert fig.axes[0].get_yscale() == scale
    plt.close(fig)


def test_plot_into_shared_axes_compares_optimizers(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 5, figsize=(17, 3.4))
    _recorded("adam").plot(axes=axes)
    _recorded("sgd").plot(axes=axes, label="plain SGD", path=tmp_path / "both.png")
    assert (tmp_path / "both.png").exists()
    assert len(axes[1].lines) == 4  # two groups each
    assert len(axes[4].lines) == 2  # only Adam has step sizes
    plt.close(fig)
    with pytest.raises(ValueError, match="axes must be 5 Axes"):
        _recorded("sgd", steps=1).plot(axes=axes[:2])


def test_float32_parameters_under_the_numba_kernel_agree_with_numpy():
    records = {}
    for backend in ("numba", "numpy"):
        p = Param(np.array([1.0, -2.0, 0.5], dtype=np.float32))
        optimizer = Adam([p], lr=0.01, backend=backend)
        recorder = Recorder(optimizer)
        for g in ([0.5, -2.0, 1.0], [-1.0, 0.25, 1.0]):
            p.grad = np.array(g, dtype=np.float32)
            optimizer.step()
        assert p.data.dtype == np.float32
        records[backend] = recorder.as_dict()["groups"][0]
    assert records["numba"] == records["numpy"]


def test_the_new_optimizers_step_sizes_by_hand():
    """Two steps with gradient (0.5, -0.25) and then (1, 0.5), by hand for each rule."""
    def two_steps(name, **hyperparameters):
        p = Param(np.array([[1.0, -2.0]]), np.array([[0.5, -0.25]]))
        recorder = Recorder(optimizers.create(name, [p], backend="numpy", **hyperparameters))
        recorder.optimizer.step()
        p.grad = np.array([[1.0, 0.5]])
        recorder.optimizer.step()
        return [(r["step_size_min"], r["step_size_max"]) for r in [recorder.groups[0]]][0]

    # Rprop: s = lr at step 1; then the first coordinate kept its sign (x 1.2), the second flipped (x 0.5)
    mins, maxs = two_steps("rprop", lr=0.1)
    assert (mins[0], maxs[0]) == (0.1, 0.1)
    assert (mins[1], maxs[1]) == (pytest.approx(0.05), pytest.approx(0.12))
    # ASGD: eta = lr at step 1, then lr / (1 + lambd lr)^alpha
    mins, maxs = two_steps("asgd", lr=0.1, lambd=0.5, alpha=0.75)
    assert mins == maxs == [0.1, pytest.approx(0.1 / 1.05**0.75, rel=1e-15)]
    # AdaBelief unrectified, step 1: m = 0.1 g, s = 0.001 (0.9 g)^2 + eps, so the factor on m is
    # lr / (1 - 0.9) / (0.9 |g| + eps(1 + 1/sqrt(0.001)))
    mins, maxs = two_steps("adabelief", lr=0.1, rectify=False, eps=0.0)
    assert (mins[0], maxs[0]) == (pytest.approx(1 / (0.9 * 0.5)), pytest.approx(1 / (0.9 * 0.25)))
    # Adafactor on a 1 x 2 matrix, step 1: b_t = 1, R = mean g^2, C = g^2, V = C: rho / |g|
    mins, maxs = two_steps("adafactor", lr=0.1)
    assert (mins[0], maxs[0]) == (pytest.approx(0.1 / 0.5), pytest.approx(0.1 / 0.25))
    # LAMB, step 1 with eps 0: r = 0.1 g / (sqrt(0.001) |g|) = sqrt(10) sign(g), ||r|| = sqrt(20),
    # trust = ||p|| / ||r|| = sqrt(5) / sqrt(20) = 0.5; the factor on m is lr trust / sqrt(v)
    mins, maxs = two_steps("lamb", lr=0.1, eps=0.0)
    trust = 0.5
    assert (mins[0], maxs[0]) == (pytest.approx(0.1 * trust / (np.sqrt(0.001) * 0.5)),
                                  pytest.approx(0.1 * trust / (np.sqrt(0.001) * 0.25)))
    # Schedule-free AdamW, step 1: lr / (|g| + eps)
    mins, maxs = two_steps("adamwschedulefree", lr=0.1, eps=0.0)
    assert (mins[0], maxs[0]) == (pytest.approx(0.1 / 0.5), pytest.approx(0.1 / 0.25))


# ------------------------------------------------------------------ sharpness (optional)
def test_sharpness_on_a_quadratic_is_the_top_eigenvalue_of_its_matrix():
    """L(p) = p^T A p / 2 has Hessian A everywhere: lambda_max = eigvalsh(A)[-1]; with
    lr = 1.9 / lambda_max, lr * lambda_max = 1.9 (stable, just below 2)."""
    import minigrad

    rng = np.random.default_rng(0)
    m = rng.standard_normal((4, 4))
    A = m @ m.T + np.eye(4)
    lam = np.linalg.eigvalsh(A)[-1]
    p = minigrad.Tensor(rng.standard_normal(4), requires_grad=True)
    matrix = minigrad.Tensor(A)
    loss_fn = lambda: (p * (matrix @ p)).sum() / 2  # noqa: E731
    optimizer = SGD([p], lr=1.9 / lam, backend="numpy")
    recorder = Recorder(optimizer, sharpness_every=2, loss_fn=loss_fn)
    for _ in range(5):
        optimizer.zero_grad()
        loss_fn().backward()
        optimizer.step()
    assert recorder.steps == [1, 2, 3, 4, 5]
    assert [s is None for s in recorder.sharpness] == [True, False, True, False, True]
    np.testing.assert_allclose([recorder.sharpness[1], recorder.sharpness[3]], lam, rtol=1e-10)
    lr_lam = recorder.groups[0]["lr_times_sharpness"]
    assert lr_lam[0] is None and lr_lam[2] is None
    np.testing.assert_allclose([lr_lam[1], lr_lam[3]], 1.9, rtol=1e-10)
    record = json.loads(json.dumps(recorder.as_dict()))
    assert record["sharpness"][1] == pytest.approx(lam, rel=1e-10)


def test_sharpness_is_measured_where_the_step_starts_and_touches_no_grad():
    """L(p) = sum(p^4) / 4: Hessian diag(3 p^2), lambda_max = 3 max p^2 at the parameters
    before the step (the point whose gradient the step uses)."""
    import minigrad

    p = minigrad.Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    loss_fn = lambda: (p**4).sum() / 4  # noqa: E731
    optimizer = SGD([p], lr=0.01, backend="numpy")
    recorder = Recorder(optimizer, sharpness_every=1, loss_fn=loss_fn)
    expected = []
    for _ in range(3):
        optimizer.zero_grad()
        loss_fn().backward()
        grad = p.grad.copy()
        expected.append(3 * np.max(p.data**2))
        optimizer.step()
        np.testing.assert_array_equal(p.grad, grad)  # the Hessian-vector products left it alone
    np.testing.assert_allclose(recorder.sharpness, expected, rtol=1e-10)
    np.testing.assert_allclose(recorder.groups[0]["lr_times_sharpness"],
                               0.01 * np.array(expected), rtol=1e-10)


def test_sharpness_plot_has_a_sixth_column(tmp_path):
    import minigrad

    p = minigrad.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    loss_fn = lambda: (p**4).sum() / 4  # noqa: E731
    optimizer = SGD([p], lr=0.05, backend="numpy")
    recorder = Recorder(optimizer, sharpness_every=1, loss_fn=loss_fn)
    for _ in range(4):
        optimizer.zero_grad()
        loss_fn().backward()
        optimizer.step()
    fig = recorder.plot()
    assert len(fig.axes) == 6
    assert fig.axes[5].get_title().startswith("lr x lambda_max")
    with pytest.raises(ValueError, match="6 Axes"):
        recorder.plot(axes=fig.axes[:5])


def test_sharpness_arguments_are_checked_before_attaching():
    optimizer = SGD([Param(np.ones(2))], lr=0.1)
    with pytest.raises(TypeError, match="needs loss_fn"):
        Recorder(optimizer, sharpness_every=5)
    with pytest.raises(ValueError, match="sharpness_every must be a positive integer"):
        Recorder(optimizer, loss_fn=lambda: None)
    with pytest.raises(ValueError, match="sharpness_every must be a positive integer"):
        Recorder(optimizer, sharpness_every=0, loss_fn=lambda: None)
    assert not optimizer._step_pre_hooks and not optimizer._step_post_hooks


def test_sharpness_ignores_frozen_parameters():
    """A parameter with requires_grad=False is a constant of the loss, as for backward():
    L = sum(p^4) / 4 + sum(q^2) * 10 with q frozen has lambda_max = 3 max p^2."""
    import minigrad

    p = minigrad.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    q = minigrad.Tensor(np.array([5.0]))
    loss_fn = lambda: (p**4).sum() / 4 + (q * q).sum() * 10  # noqa: E731
    optimizer = SGD([p, q], lr=0.01, backend="numpy")
    recorder = Recorder(optimizer, sharpness_every=1, loss_fn=loss_fn)
    optimizer.zero_grad()
    loss_fn().backward()
    optimizer.step()
    assert recorder.sharpness == [pytest.approx(12.0, rel=1e-10)]
