"""Every scheduler survives `copy.deepcopy` and `pickle` together with its model and optimizer:
the copy drives the copied optimizer (whose `step` is tracked for the copy), continuing the
copy is bit for bit what continuing the original gives, and stepping the copy leaves the
original untouched."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import optimizers
import schedulers
from scheduler_cases import (
    CYCLING,
    SCHEDULERS,
    make_optimizer,
    make_params,
    state_fingerprint,
    train,
)

CONTINUED_STEPS = 12


def round_trip(value, how):
    if how == "deepcopy":
        return copy.deepcopy(value)
    return pickle.loads(pickle.dumps(value))


def check_copy_continues_like_the_original(name, kind, how, cut):
    params = make_params()
    optimizer = make_optimizer(params, kind)
    scheduler = SCHEDULERS[name](optimizer)
    train(params, optimizer, scheduler, cut)
    copied_params, copied_optimizer, copied_scheduler = round_trip(
        (params, optimizer, scheduler), how)

    # The copies are linked to each other, not to the originals.
    assert copied_scheduler.optimizer is copied_optimizer
    assert copied_optimizer.param_groups[0]["params"][0] is copied_params[0]
    if name != "ReduceLROnPlateau":  # the only scheduler that does not track optimizer.step
        assert copied_optimizer.step._optimizer() is copied_optimizer
    assert state_fingerprint(copied_optimizer, copied_scheduler, copied_params) == \
        state_fingerprint(optimizer, scheduler, params)

    original = state_fingerprint(optimizer, scheduler, params)
    start = [p.data.copy() for p in copied_params]
    lrs = {tuple(group["lr"] for group in copied_optimizer.param_groups)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no step-order warning: the copy's step is tracked
        for _ in range(CONTINUED_STEPS):
            train(copied_params, copied_optimizer, copied_scheduler, 1)
            lrs.add(tuple(group["lr"] for group in copied_optimizer.param_groups))
    assert state_fingerprint(optimizer, scheduler, params) == original
    assert all(not np.array_equal(a, p.data) for a, p in zip(start, copied_params))
    assert len(lrs) >= 2  # the schedule moved while the copy trained

    train(params, optimizer, scheduler, CONTINUED_STEPS)
    assert state_fingerprint(copied_optimizer, copied_scheduler, copied_params) == \
        state_fingerprint(optimizer, scheduler, params)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_copy_continues_bitwise_with_a_stateless_optimizer(name, how):
    # Plain SGD keeps no per-parameter state, so this holds whatever the optimizer's own
    # copying does with state; momentum-cycling schedulers switch SGD's momentum on, so they
    # are copied before the optimizer's first step (state still empty).
    check_copy_continues_like_the_original(name, "sgd", how, cut=0 if name in CYCLING else 5)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("kind", ["sgd_momentum", "adam"])
@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_copy_mid_training_continues_bitwise_with_optimizer_state(name, kind, how):
    check_copy_continues_like_the_original(name, kind, how, cut=5)


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copy_taken_right_after_construction_tracks_its_own_step(how):
    params = make_params()
    optimizer = make_optimizer(params, "sgd")
    scheduler = schedulers.StepLR(optimizer, step_size=2)
    copied_params, copied_optimizer, copied_scheduler = round_trip(
        (params, optimizer, scheduler), how)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns "overridden" here; the copy is tracked
        train(copied_params, copied_optimizer, copied_scheduler, 1)
    assert copied_optimizer._opt_called is True
    assert not hasattr(optimizer, "_opt_called")
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step"):
        scheduler.step()  # the original's optimizer has still not stepped


class TorchLikeSGD(optimizers.SGD):
    """An optimizer that, like torch's, leaves its instance attributes (so the tracked `step`
    and `_opt_called`) out when it is copied or pickled."""

    def __getstate__(self):
        return {key: value for key, value in vars(self).items()
                if key not in ("step", "_opt_called")}


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copy_whose_optimizer_dropped_the_tracker_tracks_it_again(how):
    params = make_params()
    optimizer = TorchLikeSGD([{"params": [params[0]], "lr": 0.05},
                              {"params": [params[1]], "lr": 0.5}])
    scheduler = schedulers.ExponentialLR(optimizer, gamma=0.5)
    copied_params, copied_optimizer, copied_scheduler = round_trip(
        (params, optimizer, scheduler), how)
    assert copied_optimizer.step._optimizer() is copied_optimizer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(copied_params, copied_optimizer, copied_scheduler, 2)
    assert copied_scheduler.get_last_lr() == [0.0125, 0.125]
    assert [g["lr"] for g in optimizer.param_groups] == [0.05, 0.5]


def test_the_tracker_keeps_the_optimizer_collectable_and_wraps_once():
    params = make_params()
    optimizer = make_optimizer(params, "sgd")
    schedulers.StepLR(optimizer, step_size=2)
    tracker = optimizer.step
    schedulers.ExponentialLR(optimizer, gamma=0.9)
    assert optimizer.step is tracker
    assert tracker.__name__ == "step" and tracker.__wrapped__ is type(optimizer).step


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_state_dict_round_trip_through_pickle(name):
    # The state dict itself pickles, and loading it into a fresh scheduler resumes exactly.
    params = make_params()
    optimizer = make_optimizer(params, "sgd")
    scheduler = SCHEDULERS[name](optimizer)
    train(params, optimizer, scheduler, 4)
    saved = pickle.loads(pickle.dumps(scheduler.state_dict()))
    fresh_params = make_params()
    fresh_optimizer = make_optimizer(fresh_params, "sgd")
    fresh = SCHEDULERS[name](fresh_optimizer)
    fresh.load_state_dict(saved)
    assert fresh.get_last_lr() == scheduler.get_last_lr()
    assert [g["lr"] for g in fresh_optimizer.param_groups] == scheduler.get_last_lr()
    assert fresh.state_dict().keys() == scheduler.state_dict().keys()


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_minigrad_model_optimizer_and_scheduler_copied_together(how):
    # The classic trap: copy.deepcopy((model, opt, sched)) must give a copy whose optimizer
    # steps the copied model, never the original.
    import minigrad
    from minigrad import nn

    rng = np.random.default_rng(0)
    x = minigrad.Tensor(rng.standard_normal((16, 3)))
    y = minigrad.Tensor(rng.standard_normal((16, 1)))
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    optimizer = optimizers.SGD(model.parameters(), lr=0.1)
    scheduler = schedulers.SequentialLR(
        optimizer, [schedulers.LinearLR(optimizer, 0.2, total_iters=3),
                    schedulers.CosineAnnealingLR(optimizer, T_max=6)], milestones=[3])

    def fit(model, optimizer, scheduler, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            nn.MSELoss()(model(x), y).backward()
            optimizer.step()
            scheduler.step()

    fit(model, optimizer, scheduler, 2)
    copied_model, copied_optimizer, copied_scheduler = round_trip(
        (model, optimizer, scheduler), how)
    weights = [p.data.copy() for p in model.parameters()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(copied_model, copied_optimizer, copied_scheduler, 6)
    assert all(np.array_equal(w, p.data) for w, p in zip(weights, model.parameters()))
    assert [g["lr"] for g in optimizer.param_groups] == scheduler.get_last_lr()
    fit(model, optimizer, scheduler, 6)
    assert all(not np.array_equal(w, p.data) for w, p in zip(weights, model.parameters()))
    for original, copied in zip(model.parameters(), copied_model.parameters()):
        np.testing.assert_array_equal(original.data, copied.data)
    assert copied_scheduler.get_last_lr() == scheduler.get_last_lr()
