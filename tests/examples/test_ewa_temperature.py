"""examples/ewa_temperature.py: the course notes' EWA, its closed form, bias correction, SGD's buffer."""

import numpy as np


def test_ewa_curves_match_the_recurrence_and_smooth_with_beta(run_example):
    result = run_example("ewa_temperature")
    x = np.array(result["temperature"])
    assert x.shape == (30,)
    # Recompute the notes' test02 loop here, independently of the script.
    for beta in (0.5, 0.8, 0.9, 0.98):
        expected = [x[0]]
        for value in x[1:]:
            expected.append(beta * expected[-1] + (1 - beta) * value)
        np.testing.assert_allclose(result["ewa"][str(beta)], expected, rtol=0, atol=1e-12)
    roughness = [result["roughness"][str(beta)] for beta in (0.5, 0.8, 0.9, 0.98)]
    assert roughness == sorted(roughness, reverse=True)
    corrected = np.array(result["ewa_bias_corrected_0.9"])
    assert abs(corrected[0] - x[0]) < 1e-12  # the correction divides (1 - beta) x_1 by (1 - beta)
    assert all(entry["ok"] for entry in result["checks"]), result["checks"]
    assert (result["_out"] / "ewa_temperature.png").stat().st_size > 10_000
    assert result["_stdout"].startswith("tensor([")
