"""examples/custom_optimizer.py: a subclass in a few lines trains; its steps match by hand."""

import math

import numpy as np
import pytest


def test_custom_optimizer(run_example):
    result = run_example("custom_optimizer")
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed
    assert result["steps"] == 1000
    optcheck = result["_checks"]["optcheck: Yogi equals its plain-Python reference"]
    assert optcheck["ok"] and optcheck["ours"] == "optcheck(Yogi): 4/4 checks passed"

    for label, loss in result["final_loss"].items():
        assert loss < 12.5 / 100, label  # Rosenbrock from (-1.5, 2) starts at f = 12.5
    assert result["final_loss"]["Yogi (custom), lr 0.05"] < 1e-2

    # Yogi's first step, by hand: m1 = (1 - b1) g, v1 = (1 - b2) g^2 (v0 = 0 < g^2), so each
    # coordinate moves by lr (1 - b1) |g| / (sqrt(1 - b2) |g| + eps) against the sign of its
    # gradient (g = (-155, -50) at the start).
    b1, b2, lr, eps = 0.9, 0.999, 0.05, 1e-3
    g1 = (-155.0, -50.0)
    first = result["yogi_first_steps"][1]
    moves = [lr * (1 - b1) * abs(g) / (math.sqrt(1 - b2) * abs(g) + eps) for g in g1]
    assert first == pytest.approx([-1.5 + moves[0], 2.0 + moves[1]], abs=1e-12)
    # Step 2, re-derived here: v moves towards g2^2 by (1 - b2) g2^2 (up if v1 < g2^2).
    x, y = first
    g2 = (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))
    expected = []
    for i, p in enumerate((x, y)):
        m1, v1 = (1 - b1) * g1[i], (1 - b2) * g1[i] ** 2
        m2 = b1 * m1 + (1 - b1) * g2[i]
        v2 = v1 - (1 - b2) * math.copysign(1.0, v1 - g2[i] ** 2) * g2[i] ** 2
        expected.append(p - lr * m2 / (math.sqrt(v2) + eps))
    assert result["yogi_first_steps"][2] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(result["yogi_first_steps"], result["yogi_first_steps_by_hand"],
                               rtol=0, atol=1e-12)
    assert (result["_out"] / "custom_optimizer.png").stat().st_size > 20_000
