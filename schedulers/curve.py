"""`lr_curve`: the lr sequence a scheduler produces, without training anything."""

import numpy as np

from .base import LRScheduler, check_non_negative
from .plateau import ReduceLROnPlateau


class _ThrowawayOptimizer:
    """Just enough optimizer for a scheduler: param groups with an lr (and a momentum, so
    momentum-cycling schedulers work) and a `step()` that does nothing."""

    def __init__(self, base_lrs):
        self.param_groups = [{"lr": lr, "momentum": 0.0} for lr in base_lrs]

    def step(self):
        """Nothing to update; the call only keeps the scheduler's step-order check happy."""


def lr_curve(make_scheduler, steps, base_lrs=(1.0,)):
    """The lrs of `steps` consecutive steps: array of shape (steps, len(base_lrs)), float64.

    `make_scheduler(optimizer)` builds the scheduler on a throwaway optimizer whose groups start
    at `base_lrs`. Row t holds the lrs in effect at step t: row 0 is what the scheduler wrote at
    construction, row t follows the t-th `step()`. Example, for a plot or a test:

        curve = lr_curve(lambda opt: WarmupCosineDecay(opt, 100, 10), 101, base_lrs=(0.1,))

    ReduceLROnPlateau needs a metric per step, so it cannot be drawn this way.
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    base_lrs = list(base_lrs)
    if not base_lrs:
        raise ValueError("base_lrs must hold at least one learning rate")
    check_non_negative("base_lrs", base_lrs)
    optimizer = _ThrowawayOptimizer(base_lrs)
    scheduler = make_scheduler(optimizer)
    if isinstance(scheduler, ReduceLROnPlateau):
        raise TypeError("lr_curve cannot drive ReduceLROnPlateau: its steps need a metric")
    if not isinstance(scheduler, LRScheduler):
        raise TypeError(
            f"make_scheduler must return an LRScheduler, got {type(scheduler).__name__}")
    curve = np.empty((steps, len(base_lrs)), dtype=np.float64)
    for t in range(steps):
        if t > 0:
            optimizer.step()
            scheduler.step()
        curve[t] = [group["lr"] for group in optimizer.param_groups]
    return curve
