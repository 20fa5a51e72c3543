"""Cosine annealing (SGDR, arXiv 1608.03983): `CosineAnnealingLR`, `CosineAnnealingWarmRestarts`."""

import math

from . import state_checks as checks
from .base import LRScheduler, check_non_negative, check_positive_int, checked_epoch


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2.

    Computed, as torch does, by the recursion
    lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T_max)) / (1 + cos(pi (t-1) / T_max)),
    which equals the formula above to rounding and also follows changes other schedulers make to
    the lr. Without restarts: after T_max the cosine continues, so the lr climbs back to base_lr
    at 2 T_max (the step after each minimum adds the formula's increment directly, since the
    recursion would divide by 1 + cos(pi) = 0).
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        check_positive_int("T_max", T_max)
        check_non_negative("eta_min", eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """One step of the recursion (unchanged at construction)."""
        self._warn_get_lr_outside_step()
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [group["lr"]
                    + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base_lr, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * self.last_epoch / self.T_max))
                / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max))
                * (group["lr"] - self.eta_min) + self.eta_min
                for group in groups]

    def _state_checks(self):
        return {**super()._state_checks(), "T_max": checks.POSITIVE_INT,
                "eta_min": checks.NON_NEGATIVE}

    def _get_closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, with warm restarts.

    T_cur counts steps since the last restart; a restart (T_cur -> 0, lr -> base_lr) happens when
    T_cur reaches T_i, and then T_i *= T_mult (T_0 is the first period).

    `step()` advances by one. `step(epoch)` jumps to a possibly fractional epoch, which lets you
    anneal within an epoch: call `scheduler.step(epoch + batch / batches_per_epoch)` per batch.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        check_positive_int("T_0", T_0)
        if not isinstance(T_mult, int) or isinstance(T_mult, bool) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult!r}")
        check_non_negative("eta_min", eta_min)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The closed form at the current T_cur / T_i."""
        self._warn_get_lr_outside_step()
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch=None):
        """Advance one step, or (with `epoch`, may be fractional) jump to that epoch.

        As in torch, `step(epoch)` is this scheduler's documented use, so it does not warn.
        """
        if self._step_count == 1:
            self._warn_if_optimizer_not_stepped()
        T_cur, T_i = self.T_cur, self.T_i
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            T_cur = T_cur + 1
            if T_cur >= T_i:
                T_cur = T_cur % T_i
                T_i = T_i * self.T_mult
        else:
            epoch = checked_epoch(epoch)
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    T_i = self.T_0 * self.T_mult ** n
            else:
                T_i = self.T_0
                T_cur = epoch
        self._advance({"T_cur": T_cur, "T_i": T_i, "last_epoch": math.floor(epoch)})
        self._step_count += 1

    def _state_checks(self):
        return {**super()._state_checks(),
                "T_0": checks.POSITIVE_INT,
                "T_i": checks.POSITIVE_INT,
                "T_mult": checks.POSITIVE_INT,
                "eta_min": checks.NON_NEGATIVE,
                "T_cur": checks.real(minimum=-1)}

    def _check_state_fits(self, state):
        if "T_cur" in state and "T_i" in state and not state["T_cur"] < state["T_i"]:
            raise ValueError(f"CosineAnnealingWarmRestarts state_dict['T_cur'] ({state['T_cur']}) "
                             f"must be less than state_dict['T_i'] ({state['T_i']})")
