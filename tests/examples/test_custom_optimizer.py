"""examples/custom_optimizer.py: a subclass in a few lines trains; its steps match by hand."""

import math

import pytest


def test_custom_optimizer(run_example):
    result = run_example("custom_optimizer")
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed
    assert result["steps"] == 1000
    optcheck = result["_checks"]["optcheck: AdaBelief equals its plain-Python reference"]
    assert optcheck["ok"] and optcheck["ours"] == "optcheck(AdaBelief): 4/4 checks passed"

    for label, loss in result["final_loss"].items():
        assert loss < 12.5 / 100, label  # Rosenbrock from (-1.5, 2) starts at f = 12.5
    assert result["final_loss"]["AdaBelief (custom), lr 0.05"] < 1e-2

    # AdaBelief's first step, by hand: m_hat = g, s_hat = b1^2 g^2 + eps / (1 - b2), so each
    # coordinate moves by lr / b1 against the sign of its gradient (g = (-155, -50) at the start).
    first = result["adabelief_first_steps"][1]
    assert first == pytest.approx([-1.5 + 0.05 / 0.9, 2.0 + 0.05 / 0.9], abs=1e-12)
    # Step 2 from the hand computation in plain floats, re-derived here.
    b1, b2, lr = 0.9, 0.999, 0.05
    x, y = first
    g = (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))
    g1 = (-155.0, -50.0)
    expected = []
    for i, p in enumerate((x, y)):
        m1 = (1 - b1) * g1[i]
        s1 = (1 - b2) * (g1[i] - m1) ** 2 + 1e-16
        m2 = b1 * m1 + (1 - b1) * g[i]
        s2 = b2 * s1 + (1 - b2) * (g[i] - m2) ** 2 + 1e-16
        expected.append(p - lr * (m2 / (1 - b1**2)) / (math.sqrt(s2 / (1 - b2**2)) + 1e-16))
    assert result["adabelief_first_steps"][2] == pytest.approx(expected, rel=1e-12)
    assert (result["_out"] / "custom_optimizer.png").stat().st_size > 20_000
