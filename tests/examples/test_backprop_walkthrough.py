"""examples/backprop_walkthrough.py: micrograd's README expression, backprop step by step."""

import pytest
from PIL import Image


def test_backprop_walkthrough(run_example):
    result = run_example("backprop_walkthrough")
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed
    # micrograd's README: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773 (4 decimals).
    assert result["g"] == pytest.approx(24.7041, abs=5e-5)
    assert result["totals"]["a"] == pytest.approx(138.8338, abs=5e-5)
    assert result["totals"]["b"] == pytest.approx(645.5773, abs=5e-5)
    assert result["finite_differences"] == pytest.approx([138.8338, 645.5773], abs=1e-4)
    assert result["steps"] == 25 and len(result["order"]) == 25
    assert result["order"][:5] == ["g", "t20", "t19", "f", "e"]  # output end first, newest node first
    assert result["step_gradients"][result["order"].index("e")] == pytest.approx(-6.94169, abs=5e-6)
    out = result["_out"]
    text = (out / "backprop_walkthrough.txt").read_text()
    assert "step 5/25: e = sub(c, d) = -7" in text and "dg/da = 138.834, dg/db = 645.577" in text
    frames = sorted((out / "backprop_walkthrough_frames").glob("step_*.png"))
    assert len(frames) == 26
    sizes = {Image.open(path).size for path in frames}
    assert len(sizes) == 1
    with Image.open(out / "backprop_walkthrough.gif") as gif:
        assert gif.n_frames == 26 and gif.size == sizes.pop()
    assert (out / "backprop_walkthrough.png").stat().st_size > 30_000
    assert result["_stdout"].rstrip().endswith("8/8 checks passed")
