"""examples/trace_2d.py: the book's rules print the book's points; the package follows them."""


import pytest


# The points d2l printed (ShusenTang's Dive-into-DL-PyTorch ch. 7; d2l.ai ch. 12 prints the
# same ones), written out here so the test does not trust the script's own copy.
BOOK_POINTS = {
    "gd_eta0.1_quadratic": "-0.057646, -0.000073",
    "gd_eta0.4": "-0.943467, -0.000073",
    "gd_eta0.6": "-0.387814, -1673.365109",
    "momentum_eta0.4_gamma0.5": "-0.062843, 0.001202",
    "momentum_eta0.6_gamma0.5": "0.007188, 0.002553",
    "momentum_en_eta0.6_beta0.5": "0.007188, 0.002553",
    "momentum_en_eta0.6_beta0.25": "-0.126340, -0.186632",
    "adagrad_eta0.4": "-2.382563, -0.158591",
    "adagrad_eta2": "-0.002295, -0.000000",
    "rmsprop_eta0.4_gamma0.9": "-0.010599, 0.000000",
}
SAME_FORMULA = ["gd_eta0.1_quadratic", "gd_eta0.4", "gd_eta0.6", "momentum_eta0.4_gamma0.5",
                "momentum_eta0.6_gamma0.5", "momentum_en_eta0.6_beta0.5",
                "momentum_en_eta0.6_beta0.25", "adadelta_rho0.9", "adam_lr0.4"]
EPS_PLACEMENT = ["adagrad_eta0.4", "adagrad_eta2", "rmsprop_eta0.4_gamma0.9"]


@pytest.fixture(scope="module")
def result(run_example_once):
    """One --quick run shared by the module."""
    return run_example_once("trace_2d")


def fmt(x1, x2):
    return "%f, %f" % (x1, x2)


@pytest.mark.parametrize("name", sorted(BOOK_POINTS))
def test_book_rule_prints_the_book_point(result, name):
    x1, x2 = result["runs_2d"][name]["book_final"]
    assert fmt(x1, x2) == BOOK_POINTS[name]
    assert f"epoch 20, x1 {BOOK_POINTS[name].replace(', ', ', x2 ')}" in result["_stdout"]


def test_gd_eta_04_ends_at_the_book_point(result):
    x1, x2 = result["runs_2d"]["gd_eta0.4"]["package_final"]
    assert x1 == pytest.approx(-0.943467, abs=5e-7)
    assert x2 == pytest.approx(-0.000073, abs=5e-7)


def test_1d_gradient_descent_prints_the_book_floats(result):
    assert "epoch 10, x: 0.06046617599999997" in result["_stdout"]
    assert "epoch 10, x: 3.4867844009999995" in result["_stdout"]
    assert "epoch 10, x: 61.917364224000096" in result["_stdout"]
    for run in result["runs_1d"].values():
        assert run["package"] == pytest.approx(run["book"], rel=1e-13)


@pytest.mark.parametrize("name", SAME_FORMULA)
def test_package_follows_the_book_rule_to_rounding(result, name):
    run = result["runs_2d"][name]
    scale = max(1.0, *map(abs, run["book_final"]))
    assert run["max_abs_difference"] <= 1e-12 * scale
    assert fmt(*run["package_final"]) == fmt(*run["book_final"])


@pytest.mark.parametrize("name", EPS_PLACEMENT)
def test_eps_placement_moves_the_path_by_about_eps(result, name):
    run = result["runs_2d"][name]
    # eps = 1e-6 inside vs outside the root: visible (not rounding) but of the order of eps
    assert 1e-8 < run["max_abs_difference"] < 1e-5
    assert 1e-8 < run["max_abs_difference_torch_default_eps"] < 1e-5


def test_every_check_passes_and_figures_exist(result):
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed
    assert len(result["checks"]) >= 30
    for name in ("trace_1d.png", "trace_2d.png"):
        assert (result["_out"] / name).stat().st_size > 10_000
