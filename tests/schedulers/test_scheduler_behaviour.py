"""LRScheduler semantics: construction, stepping, warnings, the negative-lr guard, state_dict
resume, and clear errors for bad arguments."""

import gc
import types
import warnings
import weakref

import numpy as np
import pytest

import schedulers


def step_case(refs_module, scheduler, optimizer, stepping, t, metrics):
    """Step number t (1-based) of a reference case, in the correct order: the optimizer, then
    the scheduler as the reference run stepped it."""
    optimizer.step()
    refs_module.step_scheduler(scheduler, stepping, t, metrics)


def groups_snapshot(optimizer):
    return [dict(group) for group in optimizer.param_groups]


# ---- construction and stepping ----------------------------------------------------------------


def test_construction_writes_step_zero_and_records_initial_lr(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.LinearLR(optimizer, start_factor=0.5, total_iters=4)
    assert scheduler.last_epoch == 0
    assert optimizer.lrs() == [0.025, 0.25]
    assert [g["initial_lr"] for g in optimizer.param_groups] == [0.05, 0.5]
    assert scheduler.base_lrs == [0.05, 0.5]
    for expected_epoch in range(1, 6):
        optimizer.step()
        scheduler.step()
        assert scheduler.last_epoch == expected_epoch
    assert scheduler.get_last_lr() == pytest.approx([0.05, 0.5])


def test_a_second_scheduler_keeps_the_recorded_initial_lr(make_optimizer):
    optimizer = make_optimizer()
    schedulers.ConstantLR(optimizer, factor=0.5, total_iters=3)
    later = schedulers.LambdaLR(optimizer, lambda epoch: 2.0)
    assert later.base_lrs == [0.05, 0.5]
    assert optimizer.lrs() == [0.1, 1.0]


def test_resuming_with_last_epoch_needs_initial_lr(make_optimizer):
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\]"):
        schedulers.StepLR(make_optimizer(), step_size=3, last_epoch=5)
    optimizer = make_optimizer()
    for group in optimizer.param_groups:
        group["initial_lr"] = group["lr"]
    scheduler = schedulers.ExponentialLR(optimizer, gamma=0.5, last_epoch=2)
    assert scheduler.last_epoch == 3


def test_each_group_follows_its_own_base_lr_and_lambda(make_optimizer):
    optimizer = make_optimizer(lrs=(0.05, 0.5, 2.0))
    scheduler = schedulers.LambdaLR(optimizer, [lambda e: 1.0, lambda e: 0.5 ** e, lambda e: e])
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    assert optimizer.lrs() == [0.05, 0.0625, 6.0]


def test_any_object_with_param_groups_works_without_a_step_method():
    holder = types.SimpleNamespace(param_groups=[{"lr": 0.2}, {"lr": 0.02}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler = schedulers.StepLR(holder, step_size=2, gamma=0.5)
        for _ in range(4):
            scheduler.step()
    assert scheduler.get_last_lr() == [0.05, 0.005]


@pytest.mark.parametrize("not_an_optimizer", [
    object(), [0.1], types.SimpleNamespace(param_groups=[]),
    types.SimpleNamespace(param_groups=[{"momentum": 0.9}]),
])
def test_objects_without_param_groups_are_rejected(not_an_optimizer):
    with pytest.raises(TypeError, match="is not an Optimizer: a scheduler needs an object whose "
                                        "`param_groups`"):
        schedulers.ExponentialLR(not_an_optimizer, gamma=0.9)


# ---- step-order and get_lr warnings -----------------------------------------------------------


def test_scheduler_step_before_optimizer_step_warns(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.StepLR(optimizer, step_size=2)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before "
                                         r"`optimizer.step\(\)`"):
        scheduler.step()


def test_correct_order_does_not_warn_and_the_wrapped_step_still_works(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.CosineAnnealingWarmRestarts(optimizer, T_0=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            optimizer.step()
            scheduler.step()
    assert optimizer.steps == 5
    assert optimizer._opt_called is True


def test_wrong_order_is_detected_for_any_optimizer_object():
    calls = []
    holder = types.SimpleNamespace(param_groups=[{"lr": 0.1}], step=lambda: calls.append(1))
    scheduler = schedulers.ExponentialLR(holder, gamma=0.5)
    with pytest.warns(UserWarning, match="Detected call of"):
        scheduler.step()
    holder = types.SimpleNamespace(param_groups=[{"lr": 0.1}], step=lambda: calls.append(1))
    scheduler = schedulers.ExponentialLR(holder, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        holder.step()
        scheduler.step()
    assert calls == [1]


def test_wrapping_keeps_arguments_and_return_value_and_happens_once(make_optimizer):
    class ClosureOptimizer(type(make_optimizer())):
        def step(self, closure=None):
            return closure() if closure is not None else None

    optimizer = ClosureOptimizer()
    schedulers.StepLR(optimizer, step_size=2)
    wrapped = optimizer.step
    schedulers.ExponentialLR(optimizer, gamma=0.9)
    assert optimizer.step is wrapped
    assert optimizer.step(lambda: 3.5) == 3.5


def test_the_wrapper_does_not_keep_the_optimizer_alive(make_optimizer):
    optimizer = make_optimizer()
    schedulers.StepLR(optimizer, step_size=2)
    reference = weakref.ref(optimizer)
    del optimizer
    gc.collect()
    assert reference() is None


def test_replacing_optimizer_step_after_construction_warns(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.StepLR(optimizer, step_size=2)
    optimizer.step = lambda: None
    with pytest.warns(UserWarning, match="Seems like `optimizer.step\\(\\)` has been overridden"):
        scheduler.step()


def test_calling_get_lr_directly_points_to_get_last_lr(make_optimizer):
    scheduler = schedulers.StepLR(make_optimizer(), step_size=2)
    with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
        scheduler.get_lr()


# ---- the negative-lr guard --------------------------------------------------------------------


def test_a_negative_lr_raises_and_changes_nothing(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.LambdaLR(optimizer, lambda epoch: 1.0 - 0.25 * epoch)
    for _ in range(4):
        optimizer.step()
        scheduler.step()
    assert optimizer.lrs() == [0.0, 0.0]
    before = scheduler.state_dict()
    optimizer.step()
    with pytest.raises(ValueError, match=r"LambdaLR computed learning rate -0.0125 for "
                                         r"param_groups\[0\] at step 5; a learning rate must "
                                         r"be >= 0"):
        scheduler.step()
    assert scheduler.last_epoch == 4
    assert optimizer.lrs() == [0.0, 0.0]
    assert scheduler.state_dict() == before


def test_a_failing_child_leaves_sequential_lr_where_it_was(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.SequentialLR(
        optimizer, [schedulers.ExponentialLR(optimizer, 0.5),
                    schedulers.LambdaLR(optimizer, lambda epoch: 1.0 - 0.5 * epoch)],
        milestones=[2])
    lrs = []
    for _ in range(4):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.lrs()[0])
    assert lrs == [0.025, 0.05, 0.025, 0.0]  # ExponentialLR, then LambdaLR from its step 0
    optimizer.step()
    with pytest.raises(ValueError, match="LambdaLR computed learning rate -0.025"):
        scheduler.step()
    assert scheduler.last_epoch == 4 and scheduler._schedulers[1].last_epoch == 2
    assert optimizer.lrs() == [0.0, 0.0]


def test_nan_lrs_are_rejected_too(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.MultiplicativeLR(optimizer, lambda epoch: float("nan"))
    optimizer.step()
    with pytest.raises(ValueError, match="computed learning rate nan"):
        scheduler.step()


def test_cyclic_lr_with_a_negative_scale_fn_is_caught(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.CyclicLR(optimizer, 0.01, 0.1, step_size_up=2,
                                    scale_fn=lambda x: -1.0, cycle_momentum=False)
    optimizer.step()
    with pytest.raises(ValueError, match="CyclicLR computed learning rate"):
        scheduler.step()


@pytest.mark.parametrize("build, message", [
    (lambda opt: schedulers.ExponentialLR(opt, gamma=-0.5), "gamma must be >= 0"),
    (lambda opt: schedulers.StepLR(opt, 3, gamma=-0.1), "gamma must be >= 0"),
    (lambda opt: schedulers.CosineAnnealingLR(opt, 10, eta_min=-0.01), "eta_min must be >= 0"),
    (lambda opt: schedulers.CyclicLR(opt, base_lr=-0.1, max_lr=0.1), "base_lr must be >= 0"),
    (lambda opt: schedulers.OneCycleLR(opt, max_lr=[0.1, -1.0], total_steps=10),
     "max_lr must be >= 0"),
    (lambda opt: schedulers.ReduceLROnPlateau(opt, min_lr=-1e-3), "min_lr must be >= 0"),
])
def test_arguments_that_would_make_lrs_negative_are_rejected_up_front(build, message,
                                                                      make_optimizer):
    with pytest.raises(ValueError, match=message):
        build(make_optimizer())


def test_a_negative_starting_lr_is_rejected(make_optimizer):
    with pytest.raises(ValueError, match=r"param_groups\[1\]\['lr'\] is -0.1; a learning rate "
                                         r"must be >= 0"):
        schedulers.StepLR(make_optimizer(lrs=(0.1, -0.1)), step_size=2)


def test_one_cycle_linear_is_floored_at_zero_one_step_past_the_end(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.OneCycleLR(optimizer, max_lr=1.0, total_steps=10,
                                      anneal_strategy="linear")
    for _ in range(10):
        optimizer.step()
        scheduler.step()
    assert optimizer.lrs() == [0.0, 0.0]
    optimizer.step()
    with pytest.raises(ValueError, match="Tried to step 11 times. The specified number of total "
                                         "steps is 10"):
        scheduler.step()
    assert scheduler.last_epoch == 10


def test_one_cycle_zero_length_phase_counts_as_completed(make_optimizer):
    # pct_start * total_steps = 1: the warm-up phase ends at step 0; torch divides 0 by 0 here.
    optimizer = make_optimizer()
    scheduler = schedulers.OneCycleLR(optimizer, max_lr=1.0, total_steps=10, pct_start=0.1)
    assert optimizer.lrs() == [1.0, 1.0]
    for _ in range(9):
        optimizer.step()
        scheduler.step()
    assert optimizer.lrs() == pytest.approx([0.04 / 1e4] * 2)


# ---- state_dict / load_state_dict ---------------------------------------------------------


def test_resume_reproduces_the_same_lrs(refs_module, refs, case_name, make_optimizer):
    kind, stepping, factory = refs_module.CASES[case_name]
    metrics = refs["metrics"]
    steps, cut = refs_module.STEPS, 23

    optimizer = make_optimizer(refs_module.BASE_LRS, kind)
    scheduler = factory(schedulers, optimizer)
    uninterrupted = []
    for t in range(1, steps + 1):
        step_case(refs_module, scheduler, optimizer, stepping, t, metrics)
        uninterrupted.append(groups_snapshot(optimizer))

    first = make_optimizer(refs_module.BASE_LRS, kind)
    first_scheduler = factory(schedulers, first)
    for t in range(1, cut + 1):
        step_case(refs_module, first_scheduler, first, stepping, t, metrics)
    saved = first_scheduler.state_dict()
    at_cut = groups_snapshot(first)
    for t in range(cut + 1, cut + 6):  # keep going: the saved state must not follow
        step_case(refs_module, first_scheduler, first, stepping, t, metrics)

    # A fresh optimizer and scheduler: no optimizer state is restored, only the scheduler's.
    resumed = make_optimizer(refs_module.BASE_LRS, kind)
    resumed_scheduler = factory(schedulers, resumed)
    resumed_scheduler.load_state_dict(saved)
    assert groups_snapshot(resumed) == at_cut
    assert resumed_scheduler.get_last_lr() == [g["lr"] for g in at_cut]
    for t in range(cut + 1, steps + 1):
        step_case(refs_module, resumed_scheduler, resumed, stepping, t, metrics)
        assert groups_snapshot(resumed) == uninterrupted[t - 1], t


def test_state_dict_saves_callable_objects_but_not_lambdas(make_optimizer):
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch

    optimizer = make_optimizer()
    scheduler = schedulers.LambdaLR(optimizer, [Decay(0.5), lambda epoch: 1.0])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    assert "optimizer" not in state
    other = schedulers.LambdaLR(make_optimizer(), [Decay(0.9), lambda epoch: 1.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].rate == 0.5


def test_load_state_dict_rejects_a_different_number_of_groups(make_optimizer):
    state = schedulers.StepLR(make_optimizer(), step_size=2).state_dict()
    scheduler = schedulers.StepLR(make_optimizer(lrs=(0.1,)), step_size=2)
    before = scheduler.state_dict()
    with pytest.raises(ValueError, match=r"StepLR state_dict\['base_lrs'\] holds 2 learning "
                                         r"rates but the optimizer has 1 param groups"):
        scheduler.load_state_dict(state)
    assert scheduler.state_dict() == before


def test_reduce_on_plateau_state_roundtrip_keeps_its_comparison(make_optimizer):
    scheduler = schedulers.ReduceLROnPlateau(make_optimizer(), mode="max", threshold_mode="abs")
    scheduler.step(0.5)
    other = schedulers.ReduceLROnPlateau(make_optimizer())
    other.load_state_dict(scheduler.state_dict())
    assert (other.mode, other.threshold_mode, other.best) == ("max", "abs", 0.5)
    assert other._is_better(0.6, 0.5) and not other._is_better(0.4, 0.5)


# ---- bad arguments: clear errors, torch's wording where torch has one ------------------------


def _plain(lrs=(0.05, 0.5)):
    return types.SimpleNamespace(param_groups=[{"lr": lr} for lr in lrs])


@pytest.mark.parametrize("build, error, message", [
    (lambda o: schedulers.StepLR(o, step_size=0), ValueError,
     "Expected positive integer step_size"),
    (lambda o: schedulers.MultiStepLR(o, [3, -1]), ValueError, "milestones must be non-negative"),
    (lambda o: schedulers.ConstantLR(o, factor=1.5), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda o: schedulers.ConstantLR(o, factor=0.0), ValueError, "must be > 0"),
    (lambda o: schedulers.LinearLR(o, start_factor=0.0), ValueError,
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda o: schedulers.LinearLR(o, end_factor=1.5), ValueError,
     "Ending multiplicative factor expected to be between 0 and 1."),
    (lambda o: schedulers.LinearLR(o, total_iters=0), ValueError,
     "Expected positive integer total_iters"),
    (lambda o: schedulers.PolynomialLR(o, total_iters=2.5), ValueError,
     "Expected positive integer total_iters"),
    (lambda o: schedulers.CosineAnnealingLR(o, T_max=0), ValueError,
     "Expected positive integer T_max"),
    (lambda o: schedulers.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "Expected positive integer T_0"),
    (lambda o: schedulers.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError,
     "Expected integer T_mult >= 1"),
    (lambda o: schedulers.LambdaLR(o, [lambda e: 1.0] * 3), ValueError,
     "Expected 2 lr_lambdas, but got 3"),
    (lambda o: schedulers.MultiplicativeLR(o, 0.9), TypeError,
     "lr_lambda should be a function, but got float"),
    (lambda o: schedulers.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda o: schedulers.ReduceLROnPlateau(o, mode="lowest"), ValueError,
     "mode lowest is unknown!"),
    (lambda o: schedulers.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError,
     "threshold mode pct is unknown!"),
    (lambda o: schedulers.ReduceLROnPlateau(o, min_lr=[0.1, 0.1, 0.1]), ValueError,
     "expected 2 min_lrs, got 3"),
    (lambda o: schedulers.ReduceLROnPlateau(o, patience=-1), ValueError,
     "patience must be an int >= 0"),
    (lambda o: schedulers.OneCycleLR(o, max_lr=0.1), ValueError,
     r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (lambda o: schedulers.OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError,
     "Expected positive integer total_steps, but got 0"),
    (lambda o: schedulers.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1"),
    (lambda o: schedulers.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"),
     ValueError, "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    (lambda o: schedulers.OneCycleLR(o, max_lr=0.1, total_steps=10), ValueError,
     "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
    (lambda o: schedulers.OneCycleLR(o, max_lr=[0.1], total_steps=10, cycle_momentum=False),
     ValueError, "max_lr must have the same length as optimizer.param_groups. max_lr has 1 "
                 "values, param_groups has 2."),
    (lambda o: schedulers.CyclicLR(o, 0.01, 0.1), ValueError,
     "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
    (lambda o: schedulers.CyclicLR(o, 0.01, 0.1, mode="sine", cycle_momentum=False), ValueError,
     "mode is invalid and scale_fn is None"),
    (lambda o: schedulers.CyclicLR(o, 0.01, 0.1, step_size_up=0, cycle_momentum=False),
     ValueError, "step_size_up must be > 0"),
    (lambda o: schedulers.SequentialLR(o, [schedulers.StepLR(o, 2)], milestones=[3]), ValueError,
     "Sequential Schedulers expects number of schedulers provided to be one more than the "
     "number of milestone points"),
    (lambda o: schedulers.SequentialLR(o, [], milestones=[]), ValueError,
     "SequentialLR expects at least one scheduler"),
    (lambda o: schedulers.SequentialLR(
        o, [schedulers.StepLR(o, 2), schedulers.ReduceLROnPlateau(o)], milestones=[3]),
     ValueError, "SequentialLR does not support `ReduceLROnPlateau`"),
    (lambda o: schedulers.SequentialLR(
        o, [schedulers.StepLR(o, 2), schedulers.StepLR(_plain(), 3)], milestones=[3]),
     ValueError, "SequentialLR expects all schedulers to belong to the same optimizer"),
    (lambda o: schedulers.SequentialLR(
        o, [schedulers.StepLR(o, 2), schedulers.StepLR(o, 3), schedulers.StepLR(o, 4)],
        milestones=[5, 3]), ValueError, "milestones must be non-decreasing"),
    (lambda o: schedulers.ChainedScheduler([]), ValueError,
     "ChainedScheduler expects at least one scheduler to be chained"),
    (lambda o: schedulers.ChainedScheduler([schedulers.StepLR(o, 2), object()]), TypeError,
     "ChainedScheduler at index 1 should have `optimizer` as its attribute."),
    (lambda o: schedulers.StepLR(o, 2, last_epoch=-2), ValueError,
     "last_epoch must be an int >= -1"),
])
def test_bad_arguments_raise_clear_errors(build, error, message):
    with pytest.raises(error, match=message):
        build(_plain())


def test_bad_step_inputs(make_optimizer):
    plateau = schedulers.ReduceLROnPlateau(make_optimizer())
    with pytest.raises(TypeError, match="metrics must be a real number"):
        plateau.step("loss")
    optimizer = make_optimizer()
    restarts = schedulers.CosineAnnealingWarmRestarts(optimizer, T_0=3)
    optimizer.step()
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        restarts.step(-1)


def test_adding_a_group_after_construction_is_reported(make_optimizer):
    optimizer = make_optimizer()
    scheduler = schedulers.LambdaLR(optimizer, lambda epoch: 0.5 ** epoch)
    optimizer.param_groups.append({"lr": 0.1, "initial_lr": 0.1})
    optimizer.step()
    with pytest.raises(ValueError, match="computed 2 learning rates for 3 param groups"):
        scheduler.step()


def test_lr_curve_matches_a_manual_loop(make_optimizer):
    def make(opt):
        return schedulers.SequentialLR(
            opt, [schedulers.LinearLR(opt, 0.1, total_iters=5),
                  schedulers.CosineAnnealingLR(opt, T_max=15, eta_min=0.001)], milestones=[5])

    curve = schedulers.lr_curve(make, 21, base_lrs=(0.1, 1.0))
    optimizer = make_optimizer(lrs=(0.1, 1.0))
    scheduler = make(optimizer)
    manual = []
    for _ in range(21):
        manual.append(optimizer.lrs())
        optimizer.step()
        scheduler.step()
    assert curve.shape == (21, 2) and curve.dtype == np.float64
    np.testing.assert_array_equal(curve, manual)
    assert curve[0, 0] == pytest.approx(0.01) and curve[20, 0] == pytest.approx(0.001)


def test_lr_curve_takes_exactly_steps_rows():
    # total_steps rows need only total_steps - 1 scheduler steps: no "Tried to step" error.
    curve = schedulers.lr_curve(lambda opt: schedulers.OneCycleLR(opt, 1.0, total_steps=30), 30)
    assert curve.shape == (30, 1)
    assert curve.max() == pytest.approx(1.0) and curve[0, 0] == pytest.approx(0.04)
    assert schedulers.lr_curve(lambda opt: schedulers.StepLR(opt, 2), 0).shape == (0, 1)


@pytest.mark.parametrize("call, error, message", [
    (lambda: schedulers.lr_curve(lambda opt: schedulers.ReduceLROnPlateau(opt), 5), TypeError,
     "cannot drive ReduceLROnPlateau"),
    (lambda: schedulers.lr_curve(lambda opt: opt, 5), TypeError,
     "make_scheduler must return an LRScheduler"),
    (lambda: schedulers.lr_curve(lambda opt: schedulers.StepLR(opt, 2), -1), ValueError,
     "steps must be an int >= 0"),
    (lambda: schedulers.lr_curve(lambda opt: schedulers.StepLR(opt, 2), 3, base_lrs=()),
     ValueError, "base_lrs must hold at least one"),
])
def test_lr_curve_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
