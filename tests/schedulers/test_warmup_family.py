"""The warm-up family of "course notes: learning-rate schedules" against the notes' code,
transcribed verbatim."""

import types

import numpy as np
import pytest

import schedulers
from schedulers import course_notes, functional

# The notes' functions, verbatim, live in schedulers.course_notes; their class is below.


class StandInTorchOptimizer:
    def __init__(self, lrs):
        self.param_groups = [{"lr": lr} for lr in lrs]

    def step(self):
        pass


optim = types.SimpleNamespace(Optimizer=StandInTorchOptimizer)  # what the notes' class checks
_LRScheduler = schedulers.LRScheduler                            # what it subclasses


class NotesGradualWarmupScheduler(_LRScheduler):
    def __init__(self, optimizer, total_epochs, warmup_epochs, last_epoch=-1):
        if not isinstance(optimizer, optim.Optimizer):
            raise TypeError('{} is not an Optimizer'.format(
                type(optimizer).__name__))
        self.total_epochs = total_epochs
        self.warmup_epochs = warmup_epochs
        self.base_lrs = [group['lr'] for group in optimizer.param_groups]
        super(NotesGradualWarmupScheduler, self).__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch < self.warmup_epochs:
            return [(self.base_lrs[i] * self.last_epoch / self.warmup_epochs)
                    for i in range(len(self.base_lrs))]
        return [self.base_lrs[i] for i in range(len(self.base_lrs))]

# ---- per-batch stepping over several epochs ---------------------------------------------------


BASE_LRS = (0.01, 0.3)
EPOCHS, BATCHES = 7, 6


def train_per_batch(scheduler_factory, notes_lr):
    """Run the notes' loop (epochs x batches); at every batch compare the lr of each group with
    the notes' function, then optimizer.step(), scheduler.step(). Returns the lrs used."""
    optimizer = StandInTorchOptimizer(BASE_LRS)
    scheduler = scheduler_factory(optimizer)
    used = []
    for epoch in range(EPOCHS):
        for batch_i in range(BATCHES):
            expected = [notes_lr(base_lr, epoch, batch_i) for base_lr in BASE_LRS]
            assert [group["lr"] for group in optimizer.param_groups] == expected, (epoch, batch_i)
            used.append(expected)
            optimizer.step()
            scheduler.step()
    return np.array(used), scheduler


@pytest.mark.parametrize("warm_up", [0, 1, 2, 7])
@pytest.mark.parametrize("power", [1.0, 2.0, 0.5])
def test_warmup_poly_decay_is_the_notes_method_one(warm_up, power):
    used, scheduler = train_per_batch(
        lambda opt: schedulers.WarmupPolyDecay(opt, EPOCHS * BATCHES, warm_up * BATCHES, power),
        lambda lr, e, b: course_notes.decay_lr_poly(lr, e, b, EPOCHS, BATCHES, warm_up, power))
    assert scheduler.get_last_lr() == [0.0, 0.0]  # the step after the last batch reaches 0
    assert len(np.unique(used[:, 0])) > EPOCHS


@pytest.mark.parametrize("warm_up", [0, 2])
def test_warmup_cosine_decay_is_the_notes_cosine_schedule(warm_up):
    train_per_batch(
        lambda opt: schedulers.WarmupCosineDecay(opt, EPOCHS * BATCHES, warm_up * BATCHES),
        lambda lr, e, b: course_notes.decay_lr_cosine(lr, e, b, EPOCHS, BATCHES, warm_up))


@pytest.mark.parametrize("warm_up, stable", [(2, 0), (2, 3), (0, 3), (1, 5)])
def test_warmup_stable_decay_is_the_notes_decay_lr_stable(warm_up, stable):
    train_per_batch(
        lambda opt: schedulers.WarmupStableDecay(opt, EPOCHS * BATCHES, warm_up * BATCHES,
                                                 stable * BATCHES),
        lambda lr, e, b: course_notes.decay_lr_stable(lr, e, b, EPOCHS, BATCHES, warm_up, stable))


def test_functional_equals_the_notes_functions_everywhere_inside_the_schedule():
    for base_lr in BASE_LRS:
        for warm_up, stable in [(0, 0), (2, 0), (2, 3), (0, 7), (7, 0)]:
            for epoch in range(EPOCHS):
                for b in range(BATCHES):
                    args = (base_lr, epoch, b, EPOCHS, BATCHES, warm_up)
                    assert functional.decay_lr_stable(*args, stable) == \
                        course_notes.decay_lr_stable(*args, stable)
                    if stable == 0:
                        assert functional.decay_lr_poly(*args, 1.5) == \
                            course_notes.decay_lr_poly(*args, 1.5)
                        assert functional.decay_lr_cosine(*args) == course_notes.decay_lr_cosine(*args)


@pytest.mark.parametrize("warmup_epochs", [0, 1, 4, 10])
def test_gradual_warmup_scheduler_is_the_notes_method_two(warmup_epochs):
    ours_opt, notes_opt = StandInTorchOptimizer(BASE_LRS), StandInTorchOptimizer(BASE_LRS)
    ours = schedulers.GradualWarmupScheduler(ours_opt, 10, warmup_epochs)
    notes = NotesGradualWarmupScheduler(notes_opt, 10, warmup_epochs)
    for _ in range(14):
        assert ours.get_last_lr() == notes.get_last_lr()
        assert ours_opt.param_groups == notes_opt.param_groups
        for optimizer, scheduler in ((ours_opt, ours), (notes_opt, notes)):
            optimizer.step()
            scheduler.step()


# ---- hand-computed points ---------------------------------------------------------------------


def lrs_at(scheduler_factory, steps, base_lr=0.1):
    """{step: lr} of a one-group scheduler stepped per batch up to max(steps)."""
    optimizer = StandInTorchOptimizer((base_lr,))
    scheduler = scheduler_factory(optimizer)
    found = {}
    for step in range(max(steps) + 1):
        if step in steps:
            found[step] = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
    return found


def test_warmup_poly_decay_points():
    found = lrs_at(lambda opt: schedulers.WarmupPolyDecay(opt, 100, 10),
                   {0, 5, 10, 55, 99, 100, 150})
    expected = {0: 0.0, 5: 0.05, 10: 0.1, 55: 0.05, 99: 0.1 / 90, 100: 0.0, 150: 0.0}
    assert found == pytest.approx(expected, abs=1e-15)
    found = lrs_at(lambda opt: schedulers.WarmupPolyDecay(opt, 100, 10, power=2.0), {55})
    assert found[55] == pytest.approx(0.025, abs=1e-15)


def test_warmup_cosine_decay_points_reach_min_lr():
    found = lrs_at(lambda opt: schedulers.WarmupCosineDecay(opt, 100, 10, min_lr=0.01),
                   {0, 9, 10, 55, 100, 130})
    expected = {0: 0.0, 9: 0.09, 10: 0.1, 55: 0.055, 100: 0.01, 130: 0.01}
    assert found == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("decay, ratio, step, lr", [
    ("cosine", 0.0, 70, 0.05),         # p = 1/2: (1 + cos(pi/2)) / 2 = 1/2
    ("linear", 0.1, 70, 0.055),        # 0.1 * (0.1 + 0.9 * 0.5)
    ("1-sqrt", 0.0, 60, 0.05),         # p = 1/4: 1 - sqrt(1/4)
    ("exp", 0.01, 70, 0.01),           # 0.1 * 0.01 ** 0.5
    ("exp", 0.25, 60, 0.1 * 0.25 ** 0.25),
])
def test_warmup_stable_decay_points(decay, ratio, step, lr):
    found = lrs_at(lambda opt: schedulers.WarmupStableDecay(opt, 90, 10, 40, decay=decay,
                                                            min_lr_ratio=ratio),
                   {0, 5, 10, 30, 49, step, 90, 120})
    assert found[0] == 0.0
    assert found[5] == pytest.approx(0.05, abs=1e-15)
    assert found[10] == found[30] == found[49] == 0.1   # stable phase
    assert found[step] == pytest.approx(lr, abs=1e-15)
    assert found[90] == pytest.approx(0.1 * ratio, abs=1e-15)  # the last step reaches min_lr
    assert found[120] == found[90]


def test_gradual_warmup_points():
    found = lrs_at(lambda opt: schedulers.GradualWarmupScheduler(opt, 10, 5), {0, 1, 4, 5, 12},
                   base_lr=0.01)
    assert found == pytest.approx({0: 0.0, 1: 0.002, 4: 0.008, 5: 0.01, 12: 0.01}, abs=1e-16)


def test_each_group_is_scheduled_from_its_own_base_lr():
    optimizer = StandInTorchOptimizer((0.1, 0.02, 0.0))
    scheduler = schedulers.WarmupStableDecay(optimizer, 20, 4, 6, decay="linear", min_lr_ratio=0.5)
    for _ in range(2):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.05, 0.01, 0.0])
    for _ in range(13):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == pytest.approx([0.075, 0.015, 0.0])  # p = 1/2


# ---- where the notes divide by zero, or leave the schedule ------------------------------------


def test_empty_decay_phase_gives_the_end_value():
    # total_epochs == warm_up: the notes divide by zero at the end of the schedule.
    with pytest.raises(ZeroDivisionError):
        course_notes.decay_lr_poly(0.1, 3, 0, 3, 4, 3)
    assert functional.decay_lr_poly(0.1, 3, 0, 3, 4, 3) == 0.0
    assert functional.decay_lr_poly(0.1, 3, 0, 3, 4, 3, power=0.0) == 0.1  # power 0: no decay
    assert functional.decay_lr_poly(0.1, 2, 3, 3, 4, 3) == course_notes.decay_lr_poly(0.1, 2, 3, 3, 4, 3)
    assert functional.decay_lr_cosine(0.1, 3, 0, 3, 4, 3, min_lr=0.02) == 0.02
    with pytest.raises(ZeroDivisionError):
        course_notes.decay_lr_stable(0.1, 5, 0, 5, 4, 2, 3)
    assert functional.decay_lr_stable(0.1, 5, 0, 5, 4, 2, 3) == 0.0
    assert functional.decay_lr_stable(0.1, 5, 0, 5, 4, 0, 5, decay="linear",
                                      min_lr_ratio=0.3) == pytest.approx(0.03)


def test_no_warm_up_and_no_decay_phase():
    # warm_up = 0 and total_epochs = 0: the whole schedule is empty, every batch is past its end.
    with pytest.raises(ZeroDivisionError):
        course_notes.decay_lr_poly(0.1, 0, 0, 0, 5, 0)
    assert functional.decay_lr_poly(0.1, 0, 0, 0, 5, 0) == 0.0
    assert functional.decay_lr_cosine(0.1, 0, 0, 0, 5, 0) == 0.0
    assert functional.decay_lr_stable(0.1, 0, 0, 0, 5, 0) == 0.0
    # warm_up = 0 alone is no warm-up: the first batch already gets base_lr.
    assert functional.decay_lr_poly(0.1, 0, 0, 3, 5, 0) == 0.1
    assert functional.decay_lr_stable(0.1, 0, 0, 3, 5, 0, 1) == 0.1


def test_classes_with_empty_phases():
    # warm-up only: lr climbs to 9/10 of base, the step after the last batch is the end value 0.
    found = lrs_at(lambda opt: schedulers.WarmupPolyDecay(opt, 10, 10), {0, 9, 10, 11})
    assert found == pytest.approx({0: 0.0, 9: 0.09, 10: 0.0, 11: 0.0}, abs=1e-16)
    # stable only.
    found = lrs_at(lambda opt: schedulers.WarmupStableDecay(opt, 10, 0, 10, min_lr_ratio=0.2),
                   {0, 9, 10})
    assert found == pytest.approx({0: 0.1, 9: 0.1, 10: 0.02}, abs=1e-16)


def test_past_the_end_the_lr_holds_instead_of_going_negative():
    assert course_notes.decay_lr_poly(0.1, 5, 0, 4, 2, 1) < 0            # the notes' formula overshoots
    assert functional.decay_lr_poly(0.1, 5, 0, 4, 2, 1) == 0.0
    with np.errstate(invalid="ignore"):
        assert np.isnan(course_notes.decay_lr_poly(0.1, 5, 0, 4, 2, 1, power=0.5))
    assert functional.decay_lr_poly(0.1, 5, 0, 4, 2, 1, power=0.5) == 0.0
    assert functional.decay_lr_cosine(0.1, 6, 1, 4, 2, 1, min_lr=0.01) == 0.01


@pytest.mark.parametrize("call, message", [
    (lambda: functional.decay_lr_poly(0.1, 0, 0, 3, 5, 4), r"warm_up \(4\).*total_epochs \(3\)"),
    (lambda: functional.decay_lr_stable(0.1, 0, 0, 5, 5, 3, 3), "must not exceed total_epochs"),
    (lambda: functional.decay_lr_poly(0.1, 0, 5, 3, 5, 1), "batch_i must be < total_batches"),
    (lambda: functional.decay_lr_poly(0.1, 0, 0, 3, 0, 1), "total_batches must be >= 1"),
    (lambda: functional.decay_lr_poly(0.1, -1, 0, 3, 5, 1), "epoch_i must be >= 0"),
    (lambda: functional.decay_lr_poly(0.1, 0, 0, 3, 5, 1, power=-1.0), "power must be >= 0"),
    (lambda: functional.decay_lr_cosine(0.1, 0, 0, 3, 5, 1, min_lr=-0.1), "min_lr must be >= 0"),
    (lambda: functional.decay_lr_stable(0.1, 0, 0, 3, 5, 1, decay="step"), "decay must be one of"),
    (lambda: functional.decay_lr_stable(0.1, 0, 0, 3, 5, 1, decay="exp"), "needs min_lr_ratio > 0"),
    (lambda: functional.decay_lr_stable(0.1, 0, 0, 3, 5, 1, min_lr_ratio=2.0), r"\[0, 1\]"),
    (lambda: schedulers.WarmupPolyDecay(StandInTorchOptimizer((0.1,)), 10, 11),
     r"warmup_steps \(11\) must not exceed total_steps \(10\)"),
    (lambda: schedulers.WarmupStableDecay(StandInTorchOptimizer((0.1,)), 10, 5, 6),
     r"warmup_steps \(5\) \+ stable_steps \(6\) must not exceed total_steps"),
    (lambda: schedulers.WarmupCosineDecay(StandInTorchOptimizer((0.1,)), 0, 0),
     "Expected positive integer total_steps"),
    (lambda: schedulers.WarmupStableDecay(StandInTorchOptimizer((0.1,)), 10, 2, 2, decay="exp"),
     "needs min_lr_ratio > 0"),
    (lambda: schedulers.GradualWarmupScheduler(StandInTorchOptimizer((0.1,)), 5, -1),
     "warmup_epochs must be an int >= 0"),
])
def test_bad_arguments_raise_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_non_integer_positions_raise_type_error():
    with pytest.raises(TypeError, match="epoch_i must be an int"):
        functional.decay_lr_poly(0.1, 1.5, 0, 3, 5, 1)
