"""examples/curvature.py: lambda_max two ways and the 2 / lambda_max threshold, the book's
Newton iterates (checked here against the book's algorithm in plain numpy), sharpness at the
edge of stability. (Not test_curvature.py: tests/minigrad/ has one, and test modules need
unique names.)"""

import numpy as np
import pytest

import minigrad


@pytest.fixture(scope="module")
def result(run_example_once):
    return run_example_once("curvature")


def book_loop(step, x=10.0, steps=10):
    """d2l's loop in plain numpy: ``x -= step(x)`` ``steps`` times."""
    for _ in range(steps):
        x = x - step(x)
    return x


def test_every_check_passes_and_the_figures_exist(result):
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed
    for name in ("curvature_linear_regression.png", "curvature_newton_1d.png",
                 "curvature_newton_2d.png", "curvature_edge_of_stability.png"):
        assert (result["_out"] / name).stat().st_size > 20_000, name


def test_lambda_max_is_that_of_x_transpose_x_over_n(result):
    features, _ = minigrad.data.load_airfoil()
    X = np.hstack([features.astype(np.float64), np.ones((len(features), 1))])
    closed = np.linalg.eigvalsh(X.T @ X / len(X))[-1]
    airfoil = result["linear_regression"]["airfoil"]
    assert airfoil["lambda_max_eigvalsh"] == pytest.approx(closed, rel=1e-12)
    assert airfoil["lambda_max_lanczos"] == pytest.approx(closed, rel=1e-8)
    assert airfoil["threshold"] == pytest.approx(2 / closed, rel=1e-12)
    for name in ("airfoil", "gluon tutorial"):
        data = result["linear_regression"][name]
        assert data["losses_0.95"][-1] < data["losses_0.95"][0]
        assert data["losses_1.05"][-1] > 1e6 * data["losses_1.05"][0]
        # the sweep's cliff sits at lr = 2 / lambda_max
        factors, final = np.array(data["sweep_factors"]), np.array(data["sweep_final_loss"])
        assert np.all(final[factors < 1] < 10 * data["losses_0.95"][0])
        assert np.all(final[factors > 1.02] > 1e3 * data["losses_0.95"][0])


def test_the_books_iterates_in_plain_numpy_and_ours_agree(result):
    newton = result["newton_1d"]
    c = 0.15 * np.pi
    d1 = lambda x: np.cos(c * x) - c * x * np.sin(c * x)  # noqa: E731
    d2 = lambda x: -2 * c * np.sin(c * x) - x * c**2 * np.cos(c * x)  # noqa: E731
    expected = {
        "gd eta 0.2 on x^2": (book_loop(lambda x: 0.2 * 2 * x), 0.060466),
        "newton eta 1 on cosh(c x)": (
            book_loop(lambda x: 0.5 * np.sinh(0.5 * x) / (0.25 * np.cosh(0.5 * x))), 0.0),
        "newton eta 1 on x cos(c x)": (book_loop(lambda x: d1(x) / d2(x)), 26.834133),
        "newton eta 0.5 on x cos(c x)": (book_loop(lambda x: 0.5 * d1(x) / d2(x)), 7.269860),
    }
    for label, (numpy_x, book) in expected.items():
        ours = newton[label]["path"][-1]
        assert ours == pytest.approx(numpy_x, abs=1e-12), label
        assert abs(ours - book) <= 5e-7, label
    assert newton["newton eta 1 on x cos(c x)"]["f''"] < 0  # a maximum
    assert newton["newton |f''| eta 1 on x cos(c x)"]["f''"] > 0  # a minimum
    assert "epoch 10, x: 0.060466" in result["_stdout"]


def test_the_books_2d_points(result):
    newton = result["newton_2d"]
    # closed form: coordinate i scales by 1 - eta * a_i per step, a = the Hessian's diagonal
    for label, eta, a, book in (
            ("gd eta 0.1 on x1^2 + 2 x2^2", 0.1, (2.0, 4.0), (-0.057646, -0.000073)),
            ("gd eta 0.4 on 0.1 x1^2 + 2 x2^2", 0.4, (0.2, 4.0), (-0.943467, -0.000073)),
            ("gd eta 0.6 on 0.1 x1^2 + 2 x2^2", 0.6, (0.2, 4.0), (-0.387814, -1673.365109))):
        closed = [-5.0 * (1 - eta * a[0]) ** 20, -2.0 * (1 - eta * a[1]) ** 20]
        assert newton[label]["path"][-1] == pytest.approx(closed, rel=1e-12), label
        assert np.max(np.abs(np.array(newton[label]["path"][-1]) - book)) <= 5e-7, label
    assert np.max(np.abs(newton["newton eta 1 on 0.1 x1^2 + 2 x2^2"]["path"][1])) <= 1e-12


def test_sharpness_reaches_two_over_lr_and_the_control_stays_below(result):
    eos = result["edge_of_stability"]
    for key in ("lr 0.125", "lr 0.16", "lr 0.2"):
        record = eos[key]
        assert record["arrival_step"] is not None, key
        assert 0.9 <= record["median_ratio"] <= 1.15, key
        assert record["rises"] >= 1, key
    control = eos["lr 0.02"]
    assert max(control["sharpness"]) < 0.5 * control["limit"]
    assert np.all(np.diff(control["losses"]) < 0)
