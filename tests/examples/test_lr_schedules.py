"""examples/lr_schedules.py: the warm-up family matches the notes; end points are right."""

import math

import pytest

POLY = "notes' method one: WarmupPolyDecay | WarmupPolyDecay, power 1 (the notes)"
COSINE_MIN = "notes' cosine decay: WarmupCosineDecay | WarmupCosineDecay, min_lr 0.001"
COSINE = "notes' cosine decay: WarmupCosineDecay | WarmupCosineDecay, min_lr 0 (the notes)"
METHOD_TWO = ("notes' method two: GradualWarmupScheduler (per epoch) | "
              "GradualWarmupScheduler, 5 of 10 epochs")


def notes_lr(step, warmup=50, total=100, base=0.01, cosine=False):
    """Seed 002's method one at global batch `step` (its 10 batches per epoch folded in)."""
    if step < warmup:
        return base * step / warmup
    fraction = (step - warmup) / (total - warmup)
    return base * (0.5 * (1 + math.cos(math.pi * fraction)) if cosine else 1 - fraction)


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
