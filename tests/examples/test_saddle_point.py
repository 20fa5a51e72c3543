"""examples/saddle_point.py: GD on the stable axis stays at the saddle; momentum escapes."""

import pytest


def test_saddle_point(run_example):
    result = run_example("saddle_point")
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed

    escape = result["escape_step"]["saddle"]
    final = result["final_distance"]["saddle"]
    # Exactly on the stable axis gradient descent converges to the saddle and never leaves.
    assert escape["GD on the stable axis"] is None
    assert final["GD on the stable axis"] < 1e-20
    # From a 1e-6 offset it escapes at step 76: 0.5 * 0.8^t -> 0 while 1e-6 * 1.2^t > 1.
    assert escape["GD, y0 = 1e-6"] == 76
    # Momentum, Adam and gradient noise escape sooner.
    for label in ("momentum 0.9, y0 = 1e-6", "Adam, y0 = 1e-6", "noisy SGD on the axis"):
        assert escape[label] is not None and escape[label] < 76, label
    # Without noise or offset, momentum and Adam stay on the axis of x^2 - y^2 too.
    assert escape["momentum 0.9 on the axis"] is None
    assert escape["Adam on the axis"] is None

    monkey = result["escape_step"]["monkey_saddle"]
    assert monkey["GD on the stable axis"] is None
    assert result["final_distance"]["monkey_saddle"]["GD on the stable axis"] < 0.02
    assert monkey["Adam, y0 = 1e-6"] is not None

    hessians = result["hessians"]
    assert hessians["saddle"]["eigenvalues"] == pytest.approx([-2.0, 2.0], abs=1e-12)
    assert hessians["monkey_saddle"]["eigenvalues"] == pytest.approx([0.0, 0.0], abs=1e-12)
    off = hessians["monkey_saddle_off_center"]  # Hessian [[6x, -6y], [-6y, -6x]] at (0.5, 0.2)
    assert off["eigenvalues"] == pytest.approx([-6 * 0.29 ** 0.5, 6 * 0.29 ** 0.5], abs=1e-12)
    assert result["one_d"]["x_cubed_second_derivative"] == pytest.approx(0.0, abs=1e-12)
    # x cos(pi x): the two minima the book points at (x ~ -0.3 local, x ~ 1.1 global)
    assert result["one_d"]["local_minimum"][0] == pytest.approx(-0.27, abs=0.01)
    assert result["one_d"]["global_minimum"][0] == pytest.approx(1.09, abs=0.01)
    for name in ("saddle_1d.png", "saddle_2d.png"):
        assert (result["_out"] / name).stat().st_size > 20_000
    gif = result["_out"] / "saddle_point.gif"
    assert gif.read_bytes()[:6] == b"GIF89a" and gif.stat().st_size < 2_000_000
    assert str(gif) in result["figures"]  # so the report shows the animation
