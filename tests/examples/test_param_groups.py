"""examples/param_groups.py (course notes: learning-rate schedules): two param groups, lr 1e-2 and 1e-3, one scheduler."""

import numpy as np


def test_groups_keep_their_lr_ratio_and_the_faster_group_learns_faster(run_example):
    result = run_example("param_groups")
    lrs = np.array(result["lrs"])
    assert lrs.shape == (200, 2)
    np.testing.assert_allclose(lrs[1:, 0], 10 * lrs[1:, 1], rtol=1e-12)
    np.testing.assert_allclose(lrs.max(axis=0), [1e-2, 1e-3], rtol=1e-12)
    # WarmupCosineDecay(total 200, warm-up 20): linear to the peak at batch 20, cosine after
    np.testing.assert_allclose(lrs[:21, 0], 1e-2 * np.arange(21) / 20, rtol=1e-12, atol=1e-18)
    s = np.arange(20, 200)
    np.testing.assert_allclose(lrs[20:, 0], 1e-2 * 0.5 * (1 + np.cos(np.pi * (s - 20) / 180)),
                               rtol=1e-12, atol=1e-18)

    vision = np.array(result["distances"]["VisionModel"])
    text = np.array(result["distances"]["TextModel"])
    assert vision[-1] / vision[0] < text[-1] / text[0]
    assert np.argmax(vision < vision[0] / 2) * 2 <= np.argmax(text < text[0] / 2)
    assert "Epoch 20, lr VisionModel: " in result["_stdout"]
    assert all(entry["ok"] for entry in result["checks"]), result["checks"]
