"""schedulers.SWALR follows torch.optim.swa_utils.SWALR (tests/data/extra_optimizer_refs.npz)."""

import json

import numpy as np
import pytest

from schedulers import SWALR, StepLR
from conftest import DATA, StandInOptimizer

with np.load(DATA / "extra_optimizer_refs.npz") as _refs:
    REFS = {key: _refs[key] for key in _refs.files if key.startswith("swalr_")}
CASES = sorted(key.split("__", 1)[1] for key in REFS if key.startswith("swalr_config__"))


@pytest.mark.parametrize("case", CASES)
def test_swalr_matches_torch(case):
    options = json.loads(str(REFS[f"swalr_config__{case}"]))
    optimizer = StandInOptimizer(lrs=(0.1, 0.5))
    scheduler = SWALR(optimizer, **options)
    lrs = [scheduler.get_last_lr()]
    for _ in range(len(REFS[f"swalr_lrs__{case}"]) - 1):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert optimizer.lrs() == lrs[-1]
    np.testing.assert_allclose(lrs, REFS[f"swalr_lrs__{case}"], rtol=1e-14, atol=1e-16)


def test_reference_cases_anneal_to_swa_lr():
    """Guards the comparison: the recorded lrs move, and end at swa_lr once annealed."""
    cos = REFS["swalr_lrs__cos_3"]
    assert cos[0].tolist() != cos[-1].tolist()
    np.testing.assert_allclose(cos[3:], 0.05, rtol=1e-14)
    np.testing.assert_allclose(REFS["swalr_lrs__linear_4_per_group"][-1], [0.01, 0.2], rtol=1e-14)
    np.testing.assert_allclose(REFS["swalr_lrs__cos_0"], 0.05, rtol=1e-14)


def test_linear_annealing_closed_form():
    """lr_s = a * swa_lr + (1 - a) * lr_0 with a = s / anneal_epochs."""
    optimizer = StandInOptimizer(lrs=(1.0,))
    scheduler = SWALR(optimizer, swa_lr=0.2, anneal_epochs=4, anneal_strategy="linear")
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(6):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [1.0, 0.8, 0.6, 0.4, 0.2, 0.2, 0.2], rtol=1e-14)


def test_swa_lr_is_written_into_the_groups_and_state_dict_resumes():
    optimizer = StandInOptimizer(lrs=(0.1, 0.5))
    scheduler = SWALR(optimizer, swa_lr=[0.01, 0.02], anneal_epochs=5)
    assert [group["swa_lr"] for group in optimizer.param_groups] == [0.01, 0.02]
    for _ in range(2):
        optimizer.step()
        scheduler.step()
    saved = scheduler.state_dict()
    assert "optimizer" not in saved and saved["_anneal_strategy"] == "cos"
    expected = []
    for _ in range(3):
        optimizer.step()
        scheduler.step()
        expected.append(scheduler.get_last_lr())
    resumed_optimizer = StandInOptimizer(lrs=(0.1, 0.5))
    resumed = SWALR(resumed_optimizer, swa_lr=[0.01, 0.02], anneal_epochs=5)
    resumed.load_state_dict(saved)
    assert resumed_optimizer.lrs() == saved["_last_lr"]
    for lrs in expected:
        resumed_optimizer.step()
        resumed.step()
        assert resumed.get_last_lr() == lrs


def test_swalr_after_another_scheduler_starts_from_the_current_lr():
    """Torch's recursion reads group["lr"], so SWALR anneals from where StepLR left it."""
    optimizer = StandInOptimizer(lrs=(1.0,))
    first = StepLR(optimizer, step_size=1, gamma=0.5)
    optimizer.step()
    first.step()  # lr 0.5
    scheduler = SWALR(optimizer, swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear")
    optimizer.step()
    scheduler.step()
    assert scheduler.get_last_lr() == [pytest.approx(0.5 * 0.5 + 0.1 * 0.5)]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(swa_lr=0.1, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (dict(swa_lr=0.1, anneal_epochs=-1), ValueError, "anneal_epochs must be equal or greater than 0, got -1"),
    (dict(swa_lr=0.1, anneal_epochs=2.5), ValueError, "anneal_epochs must be equal or greater than 0, got 2.5"),
    (dict(swa_lr=[0.1]), ValueError, "swa_lr must have the same length as optimizer.param_groups"),
    (dict(swa_lr=-0.1), ValueError, "swa_lr must be a real number >= 0"),
])
def test_invalid_arguments_leave_the_groups_untouched(kwargs, error, message):
    optimizer = StandInOptimizer(lrs=(0.1, 0.5))
    before = [dict(group) for group in optimizer.param_groups]
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        SWALR(optimizer, **kwargs)
    assert optimizer.param_groups == before
