"""examples/digits.py (--quick): SGD, SGD momentum and Adam on the packaged digits."""

import numpy as np


def test_digits_quick(run_example):
    result = run_example("digits")
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed
    assert len(result["checks"]) == 4
    accuracy = result["test_accuracy"]
    assert set(accuracy) == {"SGD", "SGD momentum 0.9", "Adam"}
    assert accuracy["Adam"] >= 0.97 and accuracy["SGD momentum 0.9"] >= 0.97
    assert accuracy["SGD"] > 0.9
    for label, per_seed in result["seed_accuracies"].items():
        assert len(per_seed) == 3 and per_seed[0] == accuracy[label]
        assert len(set(per_seed)) > 1  # the seeds really differ
    matrix = np.array(result["confusion_matrix"])
    assert matrix.sum() == 355 and np.trace(matrix) / 355 == accuracy["Adam"]
    curves = result["curves"]["Adam"]
    assert len(curves["test_accuracy"]) == 10 and curves["train_loss"][-1] < curves["train_loss"][0]
    assert "std" in result["_stdout"] and result["_stdout"].rstrip().endswith("4/4 checks passed")
    for name in ("digits_accuracy.png", "digits_confusion.png", "digits_misclassified.png"):
        assert (result["_out"] / name).stat().st_size > 15_000
