"""minigrad.landscapes: gradients vs finite differences, the known stationary points
(gradient zero, Hessian of the right sign), trajectory vs a hand-rolled loop, and plots."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

import minigrad
import optimizers
from minigrad import Tensor, gradcheck, landscapes

ALL = list(landscapes.LANDSCAPES.values())
NAMES = [landscape.name for landscape in ALL]


class GradientDescent:
    """The smallest optimizer trajectory() accepts: p <- p - lr * grad, in place
    (parameters without a gradient are skipped, as torch.optim does)."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for param in self.params:
            param.grad = None

    def step(self):
        for param in self.params:
            if param.grad is not None:
                param.data -= self.lr * param.grad


def gradient(landscape, point):
    x = Tensor(np.array(point, dtype=float), requires_grad=True)
    landscape(x).backward()
    return x.grad


def hessian_eigenvalues(landscape, point, h=1e-5):
    """Eigenvalues of the Hessian, by central differences of backward() gradients."""
    point = np.array(point, dtype=float)
    columns = [(gradient(landscape, point + h * e) - gradient(landscape, point - h * e)) / (2 * h) for e in np.eye(2)]
    hessian = np.array(columns)
    return np.linalg.eigvalsh((hessian + hessian.T) / 2)


def test_registry_holds_the_seven_landscapes():
    assert NAMES == ["quadratic", "saddle", "monkey_saddle", "rosenbrock", "beale", "himmelblau", "rastrigin"]
    assert landscapes.get("beale") is landscapes.beale
    with pytest.raises(KeyError, match="available: quadratic, saddle"):
        landscapes.get("ackley")
    for landscape in ALL:
        assert landscape.formula in landscape.__doc__ and landscape.formula in landscape.function.__doc__
        (x_min, x_max), (y_min, y_max) = landscape.window
        assert x_min < x_max and y_min < y_max
        for point in landscape.minima + landscape.saddles + landscape.maxima + (landscape.start,):
            assert x_min <= point[0] <= x_max and y_min <= point[1] <= y_max


@pytest.mark.parametrize("landscape", ALL, ids=NAMES)
def test_gradient_passes_gradcheck_at_random_points(landscape):
    rng = np.random.default_rng(7)
    (x_min, x_max), (y_min, y_max) = landscape.window
    for _ in range(4):
        point = rng.uniform((x_min, y_min), (x_max, y_max))
        assert gradcheck(landscape, [Tensor(point, requires_grad=True)], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("landscape", ALL, ids=NAMES)
def test_tensor_and_numpy_functions_agree(landscape):
    rng = np.random.default_rng(3)
    (x_min, x_max), (y_min, y_max) = landscape.window
    points = rng.uniform((x_min, y_min), (x_max, y_max), size=(20, 2))
    on_grid = landscape.numpy(points[:, 0], points[:, 1])
    one_by_one = [landscape(Tensor(point)).item() for point in points]
    np.testing.assert_allclose(on_grid, one_by_one, rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("landscape", ALL, ids=NAMES)
def test_known_stationary_points_have_zero_gradient_and_the_right_curvature(landscape):
    assert landscape.minima or landscape.saddles
    for point in landscape.minima + landscape.saddles + landscape.maxima:
        assert np.abs(gradient(landscape, point)).max() < 1e-8, point
    for point in landscape.minima:
        assert hessian_eigenvalues(landscape, point).min() > 0, point
    for point in landscape.maxima:
        assert hessian_eigenvalues(landscape, point).max() < 0, point
    for point in landscape.saddles:
        eigenvalues = hessian_eigenvalues(landscape, point)
        if landscape.name == "monkey_saddle":
            # Degenerate: zero Hessian; f still rises and falls next to the point.
            np.testing.assert_allclose(eigenvalues, 0, atol=1e-6)
            angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
            around = landscape.numpy(0.1 * np.cos(angles), 0.1 * np.sin(angles))
            assert around.min() < 0 < around.max()
        else:
            assert eigenvalues.min() < 0 < eigenvalues.max(), point


def test_global_minimum_values():
    for landscape in (landscapes.quadratic, landscapes.rosenbrock, landscapes.beale,
                      landscapes.himmelblau, landscapes.rastrigin):
        for point in landscape.minima:
            assert abs(landscape(Tensor(point)).item()) < 1e-20
    # Rastrigin's ripples: a local minimum near every integer point, e.g. f(1, 0) ~ 1.
    assert landscapes.rastrigin(Tensor([1.0, 0.0])).item() == pytest.approx(1.0)


def test_landscapes_refuse_anything_but_a_point():
    with pytest.raises(ValueError, match=r"rosenbrock: expected a Tensor of shape \(2,\).*\(3,\)"):
        landscapes.rosenbrock(Tensor([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="expected a minigrad Tensor"):
        landscapes.beale(np.array([1.0, 2.0]))


# ----------------------------------------------------------------------------- trajectory


def test_trajectory_equals_the_hand_rolled_gradient_descent_loop():
    for landscape, lr, steps in ((landscapes.rosenbrock, 1e-3, 50), (landscapes.himmelblau, 0.01, 30)):
        x = Tensor(landscape.start, requires_grad=True)
        path = landscapes.trajectory(GradientDescent([x], lr), landscape, x, steps)

        point, expected = np.array(landscape.start), [np.array(landscape.start)]
        for _ in range(steps):
            fresh = Tensor(point, requires_grad=True)
            landscape(fresh).backward()
            point = point - lr * fresh.grad
            expected.append(point)
        assert path.shape == (steps + 1, 2)
        np.testing.assert_array_equal(path, np.array(expected))
        np.testing.assert_array_equal(path[-1], x.data)


def test_trajectory_on_the_quadratic_follows_the_closed_form_and_the_book():
    # Gradient descent with eta = 0.4 on 0.1 x1^2 + 2 x2^2 multiplies x1 by 1 - 0.08 and x2
    # by 1 - 1.6 each step; d2l prints "epoch 20, x1 -0.943467, x2 -0.000073".
    x = Tensor([-5.0, -2.0], requires_grad=True)
    path = landscapes.trajectory(GradientDescent([x], 0.4), landscapes.quadratic, x, 20)
    k = np.arange(21)
    np.testing.assert_allclose(path, np.column_stack((-5 * 0.92**k, -2 * (-0.6) ** k)), rtol=1e-13, atol=1e-16)
    assert f"{path[-1, 0]:f}, {path[-1, 1]:f}" == "-0.943467, -0.000073"


def test_trajectory_with_the_package_sgd_matches_the_stand_in():
    x = Tensor(landscapes.rosenbrock.start, requires_grad=True)
    path = landscapes.trajectory(optimizers.SGD([x], lr=1e-3, backend="numpy"), landscapes.rosenbrock, x, 40)
    y = Tensor(landscapes.rosenbrock.start, requires_grad=True)
    reference = landscapes.trajectory(GradientDescent([y], 1e-3), landscapes.rosenbrock, y, 40)
    np.testing.assert_allclose(path, reference, rtol=1e-14, atol=0)


def test_trajectory_stops_at_the_first_non_finite_point_and_says_so():
    x = Tensor(landscapes.rosenbrock.start, requires_grad=True)
    with np.errstate(over="ignore", invalid="ignore"), pytest.warns(RuntimeWarning, match="became non-finite .* at step"):
        path = landscapes.trajectory(GradientDescent([x], 0.1), landscapes.rosenbrock, x, 100)
    assert 2 < len(path) < 101
    assert np.all(np.isfinite(path[:-1])) and not np.all(np.isfinite(path[-1]))


def test_trajectory_with_zero_steps_and_float32():
    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float32)
    path = landscapes.trajectory(GradientDescent([x], 0.1), landscapes.saddle, x, 0)
    assert path.shape == (1, 2) and path.dtype == np.float32
    path = landscapes.trajectory(GradientDescent([x], 0.1), landscapes.saddle, x, 3)
    # Saddle x^2 - y^2: x shrinks by 1 - 2 lr, y grows by 1 + 2 lr.
    np.testing.assert_allclose(path[-1], [0.8**3, 2 * 1.2**3], rtol=1e-6)
    assert path.dtype == np.float32


def test_trajectory_errors_name_the_problem():
    x = Tensor([1.0, 2.0], requires_grad=True)
    other = Tensor([0.0, 0.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="is x among the optimizer's parameters"):
        landscapes.trajectory(GradientDescent([other], 0.1), landscapes.saddle, x, 2)
    with pytest.raises(TypeError, match=r"shape \(2,\), got shape \(3,\)"):
        landscapes.trajectory(GradientDescent([x], 0.1), landscapes.saddle, Tensor([1.0, 2.0, 3.0], requires_grad=True), 2)
    with pytest.raises(ValueError, match="requires_grad=True"):
        landscapes.trajectory(GradientDescent([x], 0.1), landscapes.saddle, Tensor([1.0, 2.0]), 2)
    with pytest.raises(ValueError, match="non-negative integer"):
        landscapes.trajectory(GradientDescent([x], 0.1), landscapes.saddle, x, -1)
    with pytest.raises(TypeError, match=r"needs a zero_grad\(\) method"):
        landscapes.trajectory(object(), landscapes.saddle, x, 2)
    with pytest.raises(TypeError, match="one-element Tensor"):
        landscapes.trajectory(GradientDescent([x], 0.1), lambda p: p * 2, x, 2)
    with pytest.raises(RuntimeError, match="does not depend on x"):
        landscapes.trajectory(GradientDescent([x], 0.1), lambda p: Tensor(1.0, requires_grad=True) * 2, x, 2)
    with pytest.raises(ValueError, match="not finite"):
        landscapes.trajectory(GradientDescent([x], 0.1), landscapes.saddle, Tensor([np.nan, 0.0], requires_grad=True), 2)


# ----------------------------------------------------------------------------- plots


def test_contour_levels_are_log_spaced_only_where_values_span_decades():
    grid_x, grid_y = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-1, 3, 200))
    levels, is_log = landscapes.contour_levels(landscapes.rosenbrock.numpy(grid_x, grid_y), 20)
    assert is_log and len(levels) == 20
    np.testing.assert_allclose(levels[1:] / levels[:-1], levels[1] / levels[0])
    grid_x, grid_y = np.meshgrid(np.linspace(-2, 2, 201), np.linspace(-2, 2, 201))  # holds 0 and +-2
    levels, is_log = landscapes.contour_levels(landscapes.saddle.numpy(grid_x, grid_y), 10)
    assert not is_log
    np.testing.assert_allclose(np.diff(levels), 8 / 11)  # strictly inside (-4, 4)
    with pytest.raises(ValueError, match="no finite values"):
        landscapes.contour_levels(np.array([np.nan]))


def test_plot_trajectories_writes_a_file_with_every_path_and_closes_it(tmp_path):
    f = landscapes.rosenbrock
    paths = {}
    for label, lr in (("lr 1e-3", 1e-3), ("lr 2e-3", 2e-3)):
        x = Tensor(f.start, requires_grad=True)
        paths[label] = landscapes.trajectory(GradientDescent([x], lr), f, x, 60)
    paths["diverged"] = np.array([[0.0, 0.0], [1.0, 1.0], [np.inf, np.nan]])
    open_before = plt.get_fignums()
    figure = landscapes.plot_trajectories("rosenbrock", paths, path=tmp_path / "race.png")
    assert plt.get_fignums() == open_before
    data = (tmp_path / "race.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    ax = figure.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["minimum", "lr 1e-3", "lr 2e-3", "diverged"]
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["lr 1e-3"].get_xydata(), paths["lr 1e-3"])
    np.testing.assert_array_equal(lines["diverged"].get_xydata(), [[0.0, 0.0], [1.0, 1.0]])
    assert ax.get_xlim() == f.window[0] and ax.get_ylim() == f.window[1]


def test_plot_trajectories_into_a_given_axes_leaves_the_figure_open(tmp_path):
    figure, axes = plt.subplots(1, 2)
    try:
        x = Tensor(landscapes.saddle.start, requires_grad=True)
        path = landscapes.trajectory(GradientDescent([x], 0.1), landscapes.saddle, x, 10)
        returned = landscapes.plot_trajectories(landscapes.saddle, {"GD": path}, ax=axes[1], path=tmp_path / "grid.svg")
        assert returned is figure and figure.number in plt.get_fignums()
        assert "<svg" in (tmp_path / "grid.svg").read_text()
        assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["saddle point", "GD"]
    finally:
        plt.close(figure)
    with pytest.raises(ValueError, match=r"path 'bad' must be an \(n, 2\) array"):
        landscapes.plot_trajectories(landscapes.saddle, {"bad": np.zeros((3, 3))})
    with pytest.raises(TypeError, match="Landscape or its name"):
        landscapes.plot_trajectories(lambda p: p, {})


def test_each_path_keeps_its_own_colour():
    # The start marker must reuse its path's colour, not take the next one from the cycle.
    f = landscapes.quadratic
    paths = {f"path {i}": np.array([[-5.0 + i * 0.1, -2.0], [-4.0, -1.0]]) for i in range(8)}
    fig = landscapes.plot_trajectories(f, paths)
    colours = {line.get_label(): line.get_color() for line in fig.axes[0].lines if line.get_label() in paths}
    plt.close(fig)
    assert len(set(colours.values())) == len(paths)


def test_trajectory_drives_a_closure_optimizer_one_step_per_point():
    """L-BFGS (needs_closure) gets step(closure). With max_iter=1 a step is one iteration:
    the first moves along -g by t = lr / sum|g| (g = (-1, -8) at (-5, -2), t = 1/9); the
    second is a quasi-Newton step with H_0 = (y.s / y.y) I and one (s, y) pair. A strong
    Wolfe line search (given evaluations: max_eval defaults to max_iter * 5 // 4 = 1, which
    leaves it none) stretches the third step (f 0.81 where the plain run has 1.82) and
    reaches f < 1e-10 at step 6, where |t d| <= tolerance_change stops it."""
    f = landscapes.quadratic
    x = Tensor(f.start, requires_grad=True)
    path = landscapes.trajectory(optimizers.LBFGS([x], max_iter=1), f, x, 2)
    g0 = np.array([-1.0, -8.0])
    x1 = np.array([-5.0, -2.0]) - g0 / 9
    np.testing.assert_allclose(path[1], x1, rtol=1e-15)
    s, g1 = x1 - [-5.0, -2.0], np.array([0.2, 4.0]) * x1
    y = g1 - g0
    rho, h = 1 / y.dot(s), y.dot(s) / y.dot(y)
    alpha = rho * s.dot(-g1)
    r = h * (-g1 - alpha * y)
    d = r + (alpha - rho * y.dot(r)) * s
    np.testing.assert_allclose(path[2], x1 + d, rtol=1e-13)

    x = Tensor(f.start, requires_grad=True)
    lbfgs = optimizers.LBFGS([x], max_iter=1, max_eval=25, line_search_fn="strong_wolfe")
    path = landscapes.trajectory(lbfgs, f, x, 10)
    values = f.numpy(path[:, 0], path[:, 1])
    assert values[0] == 0.1 * 25 + 2 * 4 and np.all(np.diff(values) <= 0)
    assert 0.8 < values[3] < 0.82
    assert values[5] > 1e-10 > values[6] and np.array_equal(path[6], path[10])
    assert lbfgs.state[x]["func_evals"] > 10  # the line searches evaluated f between the points


def test_a_matrix_view_lets_muon_run_a_trajectory():
    """Muon takes only matrices; on the 1 x 2 view of x its Newton-Schulz step is the row
    normalised (to length ~1, not exactly 1). At step 1 U is a multiple of g (M = 0.05 g,
    Nesterov's U = 0.0975 g), so the first step is about lr along -g / ||g||."""
    f = landscapes.quadratic
    x = Tensor(f.start, requires_grad=True)
    view = landscapes.MatrixView(x)
    optimizer = optimizers.Muon([view], lr=0.1, weight_decay=0.0, backend="numpy")
    path = landscapes.trajectory(optimizer, f, x, 3)
    step = path[1] - path[0]
    g = np.array([-1.0, -8.0])
    direction = -g / np.linalg.norm(g)
    assert np.dot(step, direction) / np.linalg.norm(step) == pytest.approx(1.0, abs=1e-12)
    assert 0.05 < np.linalg.norm(step) < 0.15  # lr times a singular value in [~0.7, ~1.2]
    assert view.data.base is x.data and optimizer.state[view]["momentum_buffer"].shape == (1, 2)
    optimizer.zero_grad()
    assert x.grad is None
    with pytest.raises(TypeError, match="shape"):
        landscapes.MatrixView(Tensor(np.zeros(3)))
