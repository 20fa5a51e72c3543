"""examples/lr_schedules.py: the warm-up family matches the notes; end points are right."""

import pytest

from schedulers import course_notes

POLY = "notes' method one: WarmupPolyDecay | WarmupPolyDecay, power 1 (the notes)"
COSINE_MIN = "notes' cosine decay: WarmupCosineDecay | WarmupCosineDecay, min_lr 0.001"
COSINE = "notes' cosine decay: WarmupCosineDecay | WarmupCosineDecay, min_lr 0 (the notes)"
METHOD_TWO = ("notes' method two: GradualWarmupScheduler (per epoch) | "
              "GradualWarmupScheduler, 5 of 10 epochs")


def notes_lr(step, cosine=False):
    """The notes' method one (10 epochs of 10 batches, 5 warm-up epochs, lr 0.01) at global
    batch `step`; the step after the last batch is the decay's end, 0."""
    if step == 100:
        return 0.0
    function = course_notes.decay_lr_cosine if cosine else course_notes.decay_lr_poly
    return function(0.01, step // 10, step % 10, 10, 10, 5)


def test_lr_schedules(run_example):
    result = run_example("lr_schedules")
    failed = [c["name"] for c in result["checks"] if not c["ok"]]
    assert not failed
    assert len(result["checks"]) >= 20

    curves = result["curves"]
    for step in (0, 1, 25, 49, 50, 51, 75, 99, 100):
        assert curves[POLY][step] == pytest.approx(notes_lr(step), abs=1e-15)
        assert curves[COSINE][step] == pytest.approx(notes_lr(step, cosine=True), abs=1e-15)
    assert curves[POLY][50] == 0.01  # warm-up ends exactly at the base lr
    assert curves[COSINE_MIN][100] == pytest.approx(1e-3, abs=1e-15)  # cosine reaches min_lr
    assert curves[METHOD_TWO] == pytest.approx([0.0, 0.002, 0.004, 0.006, 0.008] + [0.01] * 6)
    assert all(lr >= 0 for curve in curves.values() for lr in curve)
    assert len(curves) >= 24  # every scheduler of the family and the common torch ones

    # The notes' training loop prints the last batch's lr of each epoch: 0.0018 first.
    assert "Epoch 1, Learning Rate: 0.001800" in result["_stdout"]
    assert "Epoch 6, Learning Rate: 0.008200" in result["_stdout"]
    assert "Epoch 10, Learning Rate: 0.000200" in result["_stdout"]
    assert (result["_out"] / "lr_schedules.png").stat().st_size > 20_000
