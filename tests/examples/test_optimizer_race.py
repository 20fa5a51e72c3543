"""examples/optimizer_race.py: every optimizer on Rosenbrock, Beale and the saddle, with telemetry."""

import math
from pathlib import Path

import pytest

import optimizers

LANDSCAPES = ("rosenbrock", "beale", "saddle")


@pytest.fixture(scope="module")
def result(run_example_once):
    """One --quick run shared by the module."""
    return run_example_once("optimizer_race")


def test_every_registered_optimizer_races_on_every_landscape(result):
    names = optimizers.available()
    assert sorted(result["lr"]) == names
    for landscape in LANDSCAPES:
        assert sorted(result["steps_to_tolerance"][landscape]) == names
        assert all(result["lr"][name][landscape] > 0 for name in names)
    assert result["budgets"] == {"rosenbrock": 1000, "beale": 1000, "saddle": 300}
    assert result["starts"] == {"rosenbrock": [-1.5, 2.0], "beale": [1.0, 1.5], "saddle": [0.9, 0.01]}


def test_checks_all_pass(result):
    failed = [check for check in result["checks"] if not check["ok"]]
    assert not failed, failed
    count = len(result["checks"])
    assert count >= 8 and f"{count}/{count} checks passed" in result["_stdout"]


def test_race_numbers(result):
    steps, final = result["steps_to_tolerance"], result["final_value"]
    # Adam reaches Beale's tolerance, and f at that step is below it; GD does not reach
    # Rosenbrock's within the quick budget and ends well above the tolerance.
    assert steps["beale"]["adam"] is not None and steps["beale"]["adam"] < 1000
    assert steps["rosenbrock"]["sgd"] is None and final["rosenbrock"]["sgd"] > 1e-3
    assert final["rosenbrock"]["adam"] < result["tolerance"]
    assert all(0 <= value < 12.5 for value in final["rosenbrock"].values())  # f(start) = 12.5
    # The saddle: all escape; Adam sooner than GD; GD passes closest.
    saddle = steps["saddle"]
    assert all(value is not None and value <= 300 for value in saddle.values())
    assert saddle["adam"] < saddle["sgd"]
    approach = result["saddle_closest_approach"]
    # (schedule-free SGD and ASGD also step along the raw gradient and pass as close; Muon's
    # fixed-length steps along the momentum walk straight through the saddle)
    scaled = {name: value for name, value in approach.items() if name != "muon"}
    assert min(scaled, key=scaled.get) in ("sgd", "asgd", "sgdschedulefree") and approach["sgd"] < 0.2
    assert approach["muon"] < 0.1
    # Plain GD from (0.9, 0.01) at lr 0.0278: y_k = 0.01 (1 + 2 lr)^k, x_k = 0.9 (1 - 2 lr)^k;
    # the first k with x_k^2 + y_k^2 > 1 in closed form.
    lr = result["lr"]["sgd"]["saddle"]
    closed_form = next(k for k in range(1, 300)
                       if (0.9 * (1 - 2 * lr) ** k) ** 2 + (0.01 * (1 + 2 * lr) ** k) ** 2 > 1)
    assert saddle["sgd"] == closed_form


def test_saddle_learning_rates_give_equal_first_steps(result):
    for name, length in result["saddle_first_step"].items():
        assert length == pytest.approx(0.05, rel=0.01), name


def test_telemetry_numbers(result):
    adam = result["telemetry_rosenbrock"]["adam"]
    sgd = result["telemetry_rosenbrock"]["sgd"]
    # The gradient of Rosenbrock at the start (-1.5, 2): (-2(1 - x) - 400 x (y - x^2), 200 (y - x^2)).
    gx = -2 * (1 - -1.5) - 400 * -1.5 * (2 - 2.25)
    gy = 200 * (2 - 2.25)
    assert adam["grad_norm"]["first"] == pytest.approx(math.hypot(gx, gy), rel=1e-12)
    assert sgd["grad_norm"]["first"] == pytest.approx(math.hypot(gx, gy), rel=1e-12)
    # GD's first update is lr * g; Adam's first moves each coordinate by lr.
    assert sgd["update_norm"]["first"] == pytest.approx(0.00178 * math.hypot(gx, gy), rel=1e-12)
    assert adam["update_norm"]["first"] == pytest.approx(0.178 * math.sqrt(2), rel=1e-6)
    # Adam's first effective step sizes: lr / (|g_i| + eps) per coordinate.
    assert adam["step_size_max"]["first"] == pytest.approx(0.178 / abs(gy), rel=1e-6)
    assert adam["step_size_min"]["first"] == pytest.approx(0.178 / abs(gx), rel=1e-6)
    assert sgd["step_size_median"] == {"first": None, "last": None}


def test_figures_written(result):
    names = ("optimizer_race.png", "optimizer_race_beale.png", "optimizer_race_saddle.png",
             "optimizer_race_telemetry.png")
    for name in names:
        path = result["_out"] / name
        assert path.stat().st_size > 20_000
    animation = result["_out"] / "optimizer_race.gif"
    assert animation.read_bytes()[:6] == b"GIF89a" and animation.stat().st_size < 2_000_000
    # the report shows every figure and the animation
    assert sorted(Path(figure).name for figure in result["figures"]) == sorted(names + ("optimizer_race.gif",))


def test_the_headline_lbfgs_reaches_1e_10_on_rosenbrock_in_a_few_dozen_iterations(result):
    headline = result["headline"]
    assert headline["f"] < 1e-10 and 5 <= headline["iterations"] <= 60
    assert headline["evaluations"] >= headline["iterations"]
    assert "HEADLINE: L-BFGS" in result["_stdout"]
    # the race's own L-BFGS path on Rosenbrock reaches the 1e-4 tolerance within those iterations
    assert result["steps_to_tolerance"]["rosenbrock"]["lbfgs"] <= headline["iterations"]
    (table,) = [t for t in result["tables"] if t["title"] == "Headline: L-BFGS on Rosenbrock"]
    assert table["rows"][0][2] == str(headline["iterations"])


def test_the_steps_to_tolerance_table_and_its_reasons_reach_the_report(result):
    (table,) = [t for t in result["tables"] if t["title"] == "Steps to tolerance"]
    assert [t["title"] for t in result["tables"]] == ["Headline: L-BFGS on Rosenbrock",
                                                     "Steps to tolerance"]
    assert [row[0] for row in table["rows"]] == sorted(result["lr"])
    assert "AdamW's decoupled weight decay" in table["note"] and "step 2,000" in table["note"]
