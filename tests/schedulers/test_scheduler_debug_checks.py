"""minigrad.debug() in the schedulers: stepped past T_max / total_steps, or ahead of the optimizer."""

import warnings

import numpy as np
import pytest

import minigrad
from minigrad import MistakeWarning
from optimizers import SGD
from schedulers import CosineAnnealingLR, StepLR, WarmupCosineDecay
from support import Param




@pytest.fixture(autouse=True)
def debug_on():
    with minigrad.debug():
        yield


def train(scheduler_class, steps, per_optimizer_step=1, **kwargs):
    optimizer = SGD([Param(np.zeros(2), np.ones(2))], lr=0.1)
    scheduler = scheduler_class(optimizer, **kwargs)
    lrs = []
    for _ in range(steps):
        optimizer.step()
        for _ in range(per_optimizer_step):
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def test_cosine_stepped_past_t_max_warns_once_where_the_lr_turns_back_up():
    with pytest.warns(MistakeWarning, match=r"CosineAnnealingLR was stepped past its T_max = 10 \(now at step 11\)") as record:
        lrs = train(CosineAnnealingLR, 15, T_max=10)
    assert len([w for w in record if "T_max" in str(w.message)]) == 1
    # what the warning is about: the minimum at step 10, then the lr climbs again
    assert lrs[9] == pytest.approx(0.0, abs=1e-15) and lrs[10] > lrs[9] and lrs[14] > lrs[10]


def test_warmup_cosine_stepped_past_total_steps_warns():
    with pytest.warns(MistakeWarning, match=r"WarmupCosineDecay was stepped past its total_steps = 6 \(now at step 7\)"):
        train(WarmupCosineDecay, 7, total_steps=6, warmup_steps=2)


def test_exactly_t_max_steps_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error", MistakeWarning)
        lrs = train(CosineAnnealingLR, 10, T_max=10)
        train(WarmupCosineDecay, 6, total_steps=6, warmup_steps=2)
        train(StepLR, 30, step_size=10)  # no end: never "past" it
    assert lrs[-1] == pytest.approx(0.0, abs=1e-15)


def test_two_scheduler_steps_per_optimizer_step_warn():
    with pytest.warns(MistakeWarning, match=r"StepLR.step\(\) was called twice with no optimizer.step\(\) in between"):
        train(StepLR, 3, per_optimizer_step=2, step_size=10)


def test_one_scheduler_step_per_epoch_of_several_optimizer_steps_is_silent():
    optimizer = SGD([Param(np.zeros(2), np.ones(2))], lr=0.1)
    scheduler = StepLR(optimizer, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MistakeWarning)
        for _ in range(4):
            for _ in range(5):  # five batches per epoch
                optimizer.step()
            scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.1**2)


def test_stepping_before_the_optimizer_keeps_torchs_warning():
    optimizer = SGD([Param(np.zeros(2), np.ones(2))], lr=0.1)
    scheduler = StepLR(optimizer, step_size=2)
    with pytest.warns(UserWarning, match=r"before `optimizer.step\(\)`"):
        scheduler.step()
        optimizer.step()
