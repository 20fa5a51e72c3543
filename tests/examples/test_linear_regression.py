"""examples/linear_regression.py (gluon optimization tutorial): converging runs recover w, b; lr 5 diverges."""

import numpy as np
import pytest

import minigrad

TRUE_W = np.array([2.0, -3.4])
TRUE_B = 4.2


def test_quick_runs_are_classified_as_the_seed_says_and_print_its_lines(run_example):
    result = run_example("linear_regression")
    runs = result["runs"]
    assert set(runs) == {
        "SGD batch 10, lr 0.2", "SGD batch 10, lr 5", "SGD batch 10, lr 0.002",
        "momentum 0.9, batch 10, lr 0.2", "Adadelta batch 10, rho 0.9", "Adam batch 10, lr 0.1",
    }
    for label in ("SGD batch 10, lr 0.2", "momentum 0.9, batch 10, lr 0.2", "Adam batch 10, lr 0.1"):
        run = runs[label]
        assert run["status"] == "converges", label
        assert run["final_loss"] < 1e-4, label
        np.testing.assert_allclose(run["w"], TRUE_W, atol=0.02, err_msg=label)
        assert abs(run["b"] - TRUE_B) <= 0.02, label
        # the loss on all data recorded every 10 samples: 1 + 3 epochs * 100 points
        assert len(run["losses"]) == 301, label

    diverged = runs["SGD batch 10, lr 5"]
    assert diverged["status"] == "diverges"
    assert isinstance(diverged["diverged_at_step"], int) and diverged["diverged_at_step"] < 100
    assert f"diverged at step {diverged['diverged_at_step']} with lr 5.0" in result["_stdout"]

    slow = runs["SGD batch 10, lr 0.002"]
    assert slow["status"] == "too slow" and slow["final_loss"] > 0.1

    # The tutorial's decay, done by schedulers.LambdaLR: lr x0.1 in epoch 3 only.
    assert runs["SGD batch 10, lr 0.2"]["epoch_lrs"] == [0.2, 0.2, 0.2 * 0.1]
    assert runs["Adam batch 10, lr 0.1"]["epoch_lrs"] == [0.1, 0.1, 0.1]

    assert all(entry["ok"] for entry in result["checks"]), [
        entry for entry in result["checks"] if not entry["ok"]]

    # The tutorial's lines; the diverging run stops before any overflow, so stderr stays empty.
    lines = result["_stdout"].splitlines()
    assert "Batch size 10, Learning rate 0.200000, Epoch 1, loss " in result["_stdout"]
    assert any(line.startswith("Batch size 10, Learning rate 0.020000, Epoch 3, loss ") for line in lines)
    assert any(line.startswith("w: [[") and " b: " in line for line in lines)
    assert result["_stderr"] == ""

    # The full-batch threshold 2 / lambda_max(X^T X / n), stated beside the rates tried.
    features, _ = minigrad.data.synthetic_linear(TRUE_W, TRUE_B, num_examples=1000, noise=0.01,
                                                 seed=0)
    X = np.hstack([features, np.ones((1000, 1))])
    threshold = 2 / np.linalg.eigvalsh(X.T @ X / 1000)[-1]
    assert result["stability_threshold"] == pytest.approx(threshold, rel=1e-12)
    assert 0.2 < threshold < 3.0  # lr 3 and 5 above it, 0.2 and 0.002 below
    assert f"2 / lambda_max(X^T X / n) = {threshold:.4f}" in result["_stdout"]
