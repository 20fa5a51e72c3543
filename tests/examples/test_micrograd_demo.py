"""examples/micrograd_demo.py: micrograd's demo reproduced to the notebook's printed digits."""

import pytest


def test_micrograd_demo(run_example):
    result = run_example("micrograd_demo")
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed
    loss, accuracy = result["loss"], result["accuracy"]
    assert len(loss) == len(accuracy) == 100
    # The notebook's saved output: initial loss 0.8958441028683222, step 99 loss 0.010978370135492717.
    assert loss[0] == pytest.approx(0.8958441028683222, rel=1e-12)
    assert loss[-1] == pytest.approx(0.010978370135492717, rel=1e-9)
    assert accuracy[0] == 0.5 and accuracy[-1] == 1.0
    assert result["torch_style_max_difference"] == 0.0
    assert "step 99 loss 0.0109783" in result["_stdout"]
    assert result["_stdout"].rstrip().endswith("4/4 checks passed")
    assert (result["_out"] / "micrograd_demo.png").stat().st_size > 30_000
