"""`ReduceLROnPlateau`: cut the lr when a monitored metric stops improving."""

import math
import numbers
import warnings

from . import state_checks as checks
from .base import (
    EPOCH_DEPRECATION_WARNING,
    LRScheduler,
    check_non_negative,
    check_real,
    checked_epoch,
    checked_param_groups,
    per_group,
)


class ReduceLROnPlateau(LRScheduler):
    """lr <- max(lr * factor, min_lr) after more than `patience` steps without improvement.

    Call `step(metric)` once per evaluation (usually per epoch) with the monitored value (a
    number, or a one-element Tensor such as the validation loss).
    Improvement ("better"), with best the best metric seen so far:
        mode="min", threshold_mode="rel":  metric < best * (1 - threshold)
        mode="min", threshold_mode="abs":  metric < best - threshold
        mode="max", threshold_mode="rel":  metric > best * (1 + threshold)
        mode="max", threshold_mode="abs":  metric > best + threshold
    A step that is not better counts as a bad epoch. When the bad-epoch count exceeds
    `patience`, every group's lr becomes max(lr * factor, min_lr) (a change smaller than `eps`
    is skipped), the count resets and the next `cooldown` steps count no bad epochs.
    No lr is written at construction. A step that raises (a metric that is not a number, a
    param group whose lr is not a real number >= 0, param groups added without a default min_lr)
    changes nothing.
    """

    _tracks_optimizer_step = False
    _optional_state_keys = frozenset()

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        check_real("factor", factor)
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        check_non_negative("factor", factor)
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be an int >= 0, got {value!r}")
        check_non_negative("threshold", threshold)
        check_non_negative("eps", eps)
        checked_param_groups(optimizer)
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
        else:
            self.default_min_lr = min_lr
        self.min_lrs = per_group("min_lr", optimizer, min_lr)
        check_non_negative("min_lr", self.min_lrs)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self):
        """Forget the best metric, the bad-epoch count and the cooldown."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None):
        """Record one value of the monitored metric; reduce the lrs if it has plateaued.

        `epoch` is torch's deprecated argument: it warns (torch's text) and sets `last_epoch`.
        """
        current = self._checked_metric(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            epoch = checked_epoch(epoch)
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        groups = checked_param_groups(self.optimizer)
        best, num_bad_epochs, cooldown_counter = self.best, self.num_bad_epochs, \
            self.cooldown_counter
        if self._is_better(current, best):
            best = current
            num_bad_epochs = 0
        else:
            num_bad_epochs += 1
        if cooldown_counter > 0:
            cooldown_counter -= 1
            num_bad_epochs = 0
        min_lrs, lrs = self.min_lrs, [group["lr"] for group in groups]
        if num_bad_epochs > self.patience:
            min_lrs, lrs = self._reduced_lrs(groups)
            cooldown_counter = self.cooldown
            num_bad_epochs = 0
        # Everything is computed and checked; now commit.
        for group, lr in zip(groups, lrs):
            group["lr"] = lr
        self.last_epoch = epoch
        self.best, self.num_bad_epochs, self.cooldown_counter = best, num_bad_epochs, \
            cooldown_counter
        self.min_lrs = min_lrs
        self._last_lr = lrs

    @staticmethod
    def _checked_metric(metrics):
        """`metrics` as a float: a real number, or (as torch takes a 0-d tensor) anything with
        a one-element `.item()`, such as a loss Tensor or a numpy scalar array."""
        value = metrics
        if not isinstance(value, numbers.Real) and callable(getattr(value, "item", None)):
            try:
                value = value.item()
            except (TypeError, ValueError):
                value = metrics
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"metrics must be a real number, got {checks.describe(metrics)}")
        return float(value)

    def _reduced_lrs(self, groups):
        """(min_lrs, new lrs): every lr cut to max(lr * factor, min_lr) unless the cut < eps."""
        min_lrs = self.min_lrs
        if len(groups) != len(min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs from "
                    f"when `ReduceLROnPlateau` was initialized ({len(min_lrs)}), usually due "
                    "to a new param group being added to the optimizer. Please modify the "
                    "`min_lrs` field to match the length of the `optimizer` param groups."
                )
            min_lrs = [self.default_min_lr] * len(groups)
        lrs = []
        for group, min_lr in zip(groups, min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            lrs.append(new_lr if old_lr - new_lr > self.eps else group["lr"])
        return min_lrs, lrs

    @property
    def in_cooldown(self):
        """True while the cooldown after a reduction is running."""
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in {"min", "max"}:
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def _state_checks(self):
        count = len(self.optimizer.param_groups)
        return {
            "factor": checks.real(minimum=0, maximum=1),
            "default_min_lr": checks.optional(checks.NON_NEGATIVE),
            "min_lrs": checks.per_group(checks.NON_NEGATIVE, count, "learning rates"),
            "patience": checks.NON_NEGATIVE_INT,
            "cooldown": checks.NON_NEGATIVE_INT,
            "eps": checks.NON_NEGATIVE,
            "last_epoch": checks.real(minimum=0),
            "_last_lr": checks.per_group(checks.NON_NEGATIVE, count, "learning rates"),
            "mode_worse": checks.real(allow_inf=True),
            "mode": checks.choice("min", "max"),
            "threshold": checks.NON_NEGATIVE,
            "threshold_mode": checks.choice("rel", "abs"),
            "best": checks.real(allow_inf=True),
            "cooldown_counter": checks.NON_NEGATIVE_INT,
            "num_bad_epochs": checks.NON_NEGATIVE_INT,
        }

    def _check_state_fits(self, state):
        if not state["factor"] < 1:
            raise ValueError(f"ReduceLROnPlateau state_dict['factor'] must be < 1.0, got "
                             f"{state['factor']!r}")

    def _apply_state(self, state):
        # Restores the state and the last lrs; the comparison follows the loaded mode.
        super()._apply_state(state)
        self._init_is_better(mode=self.mode, threshold=self.threshold,
                             threshold_mode=self.threshold_mode)
