"""examples/warmup_training.py (the whole flow of the course notes "learning-rate schedules"): per-batch warm-up + poly decay with Adam."""

import re

import numpy as np


def test_every_batch_gets_the_notes_lr_and_training_approaches_the_floor(run_example):
    result = run_example("warmup_training")
    lrs = np.array(result["batch_lrs"])
    assert lrs.shape == (100,)
    # decay_lr_poly(0.01, epoch, batch, 10, 10, 5, 1), recomputed here from the notes' formula
    steps = np.arange(100)
    expected = np.where(steps < 50, steps / 50, 1 - (steps - 50) / 50) * 0.01
    np.testing.assert_allclose(lrs, expected, rtol=0, atol=1e-15)

    printed = re.findall(r"^Epoch (\d+), Learning Rate: (\d\.\d{6}), Loss Value: (\S+)$",
                         result["_stdout"], flags=re.MULTILINE)
    assert [int(epoch) for epoch, _, _ in printed] == list(range(1, 11))
    assert [float(lr) for _, lr, _ in printed] == [round(lrs[10 * e + 9], 6) for e in range(10)]
    assert [float(loss) for _, _, loss in printed] == result["batch_losses"][9::10]

    floor = result["least_squares_floor"]
    epoch_losses = np.array(result["epoch_losses"])
    assert np.all(epoch_losses >= floor - 1e-12)
    assert epoch_losses[-1] - floor < (epoch_losses[0] - floor) / 3
    assert all(entry["ok"] for entry in result["checks"]), result["checks"]
