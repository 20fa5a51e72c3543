"""torch parity of the scheduler behaviour that resumes and old training loops rely on: the
bounds CyclicLR / OneCycleLR write into the param groups, a OneCycleLR resume through the
optimizer's state dict, the deprecated `step(epoch)`, and the warnings' full texts. The numbers
and texts come from torch 2.13 via tests/data/make_scheduler_parity_refs.py."""

import importlib.util
import pathlib
import warnings

import numpy as np
import pytest

import optimizers
import schedulers
from scheduler_cases import Param
from schedulers import base

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
_spec = importlib.util.spec_from_file_location(
    "make_scheduler_parity_refs", DATA / "make_scheduler_parity_refs.py")
REFS = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(REFS)


@pytest.fixture(scope="module")
def refs():
    with np.load(DATA / "scheduler_parity_refs.npz") as data:
        return {key: data[key] for key in data.files}


def minigrad_optimizer(kind):
    """The generating script's torch optimizer, in minigrad: two groups, lrs BASE_LRS."""
    groups = [{"params": [Param([0.0])], "lr": lr} for lr in REFS.BASE_LRS]
    if kind == "sgd":
        return optimizers.SGD(groups, lr=REFS.BASE_LRS[0], momentum=0.9)
    return optimizers.Adam(groups, lr=REFS.BASE_LRS[0], betas=(0.9, 0.999))


def test_reference_data_comes_from_torch_2_13(refs):
    assert str(refs["torch_version"]).startswith("2.13")
    assert {key.split("/")[0] for key in refs if key.endswith("/epoch_lr")} == \
        set(REFS.EPOCH_CASES)


# ---- the bounds written into the param groups ----------------------------------------------


@pytest.mark.parametrize("case", sorted(REFS.GROUP_KEY_CASES))
def test_cycling_schedulers_write_torchs_bounds_into_the_groups(refs, case):
    kind, factory = REFS.GROUP_KEY_CASES[case]
    optimizer = minigrad_optimizer(kind)
    factory(schedulers, optimizer)
    assert tuple(refs[f"{case}/group_keys"]) == REFS.GROUP_KEYS
    has = np.array([[key in group for key in REFS.GROUP_KEYS[:-2]]
                    for group in optimizer.param_groups])
    np.testing.assert_array_equal(has, refs[f"{case}/group_has"])
    values = np.array([REFS.group_row(group) for group in optimizer.param_groups])
    np.testing.assert_array_equal(values, refs[f"{case}/group_values"])


def test_one_cycle_resumes_from_the_optimizers_param_groups_as_torch(refs):
    def step_with_grad(optimizer):
        for group in optimizer.param_groups:
            for p in group["params"]:
                p.grad = np.ones_like(p.data)
        optimizer.step()

    lrs, momenta = REFS.run_resume(schedulers, lambda: minigrad_optimizer("sgd"),
                                   step_with_grad, lambda opt: opt.state_dict(),
                                   lambda opt, state: opt.load_state_dict(state))
    np.testing.assert_allclose(lrs, refs["OneCycleLR_resume/lr"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(momenta, refs["OneCycleLR_resume/momentum"], rtol=0, atol=1e-15)
    # The resumed scheduler was built with max_lr=7.0, which the restored groups override.
    assert lrs.max() < 1.0


def test_one_cycle_resume_without_the_bounds_in_the_groups_says_what_is_missing():
    optimizer = minigrad_optimizer("sgd")
    for group in optimizer.param_groups:
        group["initial_lr"] = group["lr"]
    with pytest.raises(KeyError, match=r"param 'max_lr' is not specified in param_groups\[0\]: "
                                       r"OneCycleLR writes it at construction"):
        schedulers.OneCycleLR(optimizer, max_lr=1.0, total_steps=10, cycle_momentum=False,
                              last_epoch=3)


# ---- step(epoch) ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(REFS.EPOCH_CASES))
def test_step_with_epoch_follows_torch(refs, case):
    kind, factory = REFS.EPOCH_CASES[case]
    lrs, last_epochs = REFS.run_epoch_case(schedulers, minigrad_optimizer(kind), factory)
    np.testing.assert_allclose(lrs, refs[f"{case}/epoch_lr"], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(last_epochs, refs[f"{case}/epoch_last_epoch"])
    assert len(np.unique(lrs[:, 1])) >= 2  # the calls really move the lr


def test_step_with_epoch_warns_torchs_deprecation_text(refs):
    optimizer = minigrad_optimizer("sgd")
    scheduler = schedulers.ExponentialLR(optimizer, gamma=0.5)
    optimizer.step()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step(3)
        scheduler.step()
    assert [str(w.message) for w in caught] == [str(refs["warning/epoch_deprecation"])]
    assert caught[0].category is UserWarning and caught[0].filename == __file__
    assert scheduler.get_last_lr() == [0.05 * 0.5 ** 4, 0.5 * 0.5 ** 4]


def test_plateau_step_with_epoch_warns_and_sets_last_epoch(refs):
    scheduler = schedulers.ReduceLROnPlateau(minigrad_optimizer("sgd"))
    with pytest.warns(UserWarning) as caught:
        scheduler.step(1.0, epoch=7)
    assert [str(w.message) for w in caught] == [str(refs["warning/epoch_deprecation"])]
    assert scheduler.last_epoch == 7
    scheduler.step(0.5)
    assert scheduler.last_epoch == 8


def test_composite_schedulers_take_no_epoch_as_in_torch():
    optimizer = minigrad_optimizer("sgd")
    chained = schedulers.ChainedScheduler([schedulers.ExponentialLR(optimizer, 0.9)])
    with pytest.raises(TypeError):
        chained.step(3)


# ---- warning texts -------------------------------------------------------------------------


def test_step_order_warnings_carry_torchs_full_text(refs):
    assert base.STEP_ORDER_WARNING == str(refs["warning/step_order"])
    assert base.STEP_OVERRIDDEN_WARNING == str(refs["warning/step_overridden"])
    assert base.EPOCH_DEPRECATION_WARNING == str(refs["warning/epoch_deprecation"])

    optimizer = minigrad_optimizer("sgd")
    scheduler = schedulers.StepLR(optimizer, step_size=2)
    with pytest.warns(UserWarning) as caught:
        scheduler.step()
    assert [str(w.message) for w in caught] == [str(refs["warning/step_order"])]

    optimizer = minigrad_optimizer("sgd")
    scheduler = schedulers.StepLR(optimizer, step_size=2)
    optimizer.step = lambda closure=None: None
    with pytest.warns(UserWarning) as caught:
        scheduler.step()
    assert [str(w.message) for w in caught] == [str(refs["warning/step_overridden"])]
