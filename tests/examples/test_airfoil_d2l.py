"""examples/airfoil_d2l.py (Dive into Deep Learning (PyTorch edition), ch. 7: Adam): final losses against the book's range."""

import re

import numpy as np


def test_quick_settings_land_in_the_books_range_above_the_floor(run_example):
    result = run_example("airfoil_d2l")
    floor = result["least_squares_floor"]
    assert abs(floor - 0.24169) < 5e-6

    settings = result["settings"]
    assert set(settings) == {"minibatch_sgd", "momentum_0.9_lr_0.004", "adam"}
    # The acceptance number: the book's concise Adam of train_pytorch_ch7.
    assert 0.2417 <= settings["adam"]["concise"]["final_loss"] <= 0.256
    for key, setting in settings.items():
        for variant in ("scratch", "concise"):
            losses = np.array(setting[variant]["losses"])
            assert len(losses) == 31, (key, variant)  # every 100 samples over 2 epochs, + start
            assert floor - 1e-6 <= losses[-1] <= 0.256, (key, variant)
            assert np.all(losses >= floor - 1e-6), (key, variant)
            assert losses[-1] < losses[0], (key, variant)
    assert all(entry["ok"] for entry in result["checks"]), [
        entry for entry in result["checks"] if not entry["ok"]]

    # The book's line, once per run, with the floor beside it.
    lines = re.findall(r"loss: (\d\.\d{6}), \d+\.\d{6} sec per epoch .*floor 0\.241688",
                       result["_stdout"])
    assert len(lines) == 6
    assert float(lines[-1]) == round(settings["adam"]["concise"]["final_loss"], 6)
