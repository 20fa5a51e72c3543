"""examples/explain_step.py: SGD, momentum and Adam explained on the same airfoil gradients."""

import pytest


def test_explain_step(run_example):
    result = run_example("explain_step")
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed and len(result["checks"]) == 13
    assert "13/13 checks passed" in result["_stdout"]
    explanations = result["explanations"]
    assert list(explanations) == ["SGD, lr 0.05", "momentum, lr 0.02, momentum 0.9", "Adam, lr 0.01"]
    firsts = [steps[0]["coordinates"][0] for steps in explanations.values()]
    # the same gradient and the same start for all three at step 1
    assert len({c["grad"] for c in firsts}) == 1 and len({c["param_before"] for c in firsts}) == 1
    g = firsts[0]["grad"]
    sgd, momentum, adam = (c["change"] for c in firsts)
    assert sgd == pytest.approx(-0.05 * g, rel=1e-6)
    assert momentum == pytest.approx(-0.02 * g, rel=1e-6)  # b_1 = g: plain SGD at step 1
    assert abs(adam) == pytest.approx(0.01, rel=1e-5) and adam * g < 0
    for steps in explanations.values():
        assert [s["step"] for s in steps][:1] in ([None], [1])
        assert all(s["passed"] for s in steps)
        assert all(any("step() (numba) did exactly" in c["check"] for c in s["checks"]) for s in steps)
