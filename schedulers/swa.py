"""`SWALR`: anneal every group's lr to a constant for Stochastic Weight Averaging.

torch exposes it as `torch.optim.swa_utils.SWALR`; here it is `schedulers.SWALR`, beside the
other schedulers, because `optimizers` (home of `optimizers.swa_utils.AveragedModel`) never
imports `schedulers`.
"""

import math

from . import state_checks as checks
from .base import LRScheduler, per_group

_STRATEGIES = ("cos", "linear")


class SWALR(LRScheduler):
    """Anneal each param group's lr to `swa_lr` over `anneal_epochs` steps, then hold it.

    SWALR(optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1)

    swa_lr: one lr for every group, or a list with one per group (written into each group
    as group["swa_lr"], as torch does). At the scheduler's step s (0 at construction), with
    t = clamp(s / anneal_epochs, 0, 1) and a(t) = t ("linear") or (1 - cos(pi t)) / 2
    ("cos"):

        lr_s = a(t) * swa_lr + (1 - a(t)) * lr_0

    where lr_0 is the lr the group had when the annealing began. Computed, as torch does,
    step by step from the group's current lr: the lr before the step is
    a(t_prev) * swa_lr + (1 - a(t_prev)) * lr_0, which gives lr_0 back, so the schedule
    also follows lr changes made by other code (and composes with other schedulers).
    With anneal_epochs=0 the lr is swa_lr from step 0 on.

    Used after a first phase of training with another scheduler: from the SWA epoch on,
    step this one (once per epoch) and fold the weights into an
    `optimizers.swa_utils.AveragedModel`.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = per_group("swa_lr", optimizer, swa_lr)
        for value in swa_lrs:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"swa_lr must be a real number >= 0 (or a list of them), got {swa_lr!r}")
        if anneal_strategy not in _STRATEGIES:
            raise ValueError(
                "anneal_strategy must be one of 'cos' or 'linear', "
                f"instead got {anneal_strategy}"
            )
        if not isinstance(anneal_epochs, int) or isinstance(anneal_epochs, bool) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        for value, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = value
        self.anneal_epochs = anneal_epochs
        self._anneal_strategy = anneal_strategy
        super().__init__(optimizer, last_epoch)

    def _state_checks(self):
        return {**super()._state_checks(),
                "anneal_epochs": checks.integer(0),
                "_anneal_strategy": checks.choice(*_STRATEGIES)}

    @staticmethod
    def _anneal(strategy, t):
        """a(t): t for "linear", (1 - cos(pi t)) / 2 for "cos"."""
        if strategy == "cos":
            return (1 - math.cos(math.pi * t)) / 2
        return t

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        """lr_0 from the current lr = alpha * swa_lr + (1 - alpha) * lr_0."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        """The lrs at the next step, from the current ones (torch's recursion)."""
        self._warn_get_lr_outside_step()
        # torch counts `_step_count` before computing; this base class after, hence no - 1.
        step = self._step_count
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self._anneal(self._anneal_strategy, prev_t)
        groups = self.optimizer.param_groups
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha) for group in groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self._anneal(self._anneal_strategy, t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(groups, prev_lrs)]
