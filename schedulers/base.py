"""`LRScheduler`: the base class every scheduler shares (torch.optim.lr_scheduler semantics).

A scheduler owns a step counter `last_epoch` and, on every `step()`, writes one learning rate per
parameter group into `optimizer.param_groups[i]["lr"]`. It never touches parameters or gradients,
so it drives any object with a `param_groups` list of dicts holding an "lr".
"""

import copy
import numbers
import types
import warnings
import weakref
from functools import wraps

from . import debug_checks

_STEP_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call them in the opposite "
    "order: `optimizer.step()` before `lr_scheduler.step()`. Failure to do this skips the first "
    "value of the learning rate schedule."
)
_STEP_OVERRIDDEN_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before `lr_scheduler.step()`."
)


def checked_param_groups(optimizer):
    """Return `optimizer.param_groups` after checking it is a list of dicts with a real "lr" >= 0.

    Raises TypeError (torch's "... is not an Optimizer") for objects a scheduler cannot drive and
    ValueError for a negative or NaN learning rate.
    """
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, (list, tuple)) or not groups or not all(
        isinstance(group, dict) and "lr" in group for group in groups
    ):
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer: a scheduler needs an object whose "
            "`param_groups` is a non-empty list of dicts, each holding an 'lr'"
        )
    for i, group in enumerate(groups):
        lr = group["lr"]
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool):
            raise TypeError(
                f"param_groups[{i}]['lr'] must be a real number, got {type(lr).__name__}")
        if not lr >= 0:
            raise ValueError(f"param_groups[{i}]['lr'] is {lr!r}; a learning rate must be >= 0")
    return groups


def per_group(name, optimizer, value):
    """`value` once per param group, or a list/tuple checked to hold one entry per group."""
    count = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {count}."
            )
        return list(value)
    return [value] * count


def check_non_negative(name, values):
    """Raise ValueError naming `name` unless every entry of `values` is a real number >= 0."""
    for value in values if isinstance(values, (list, tuple)) else [values]:
        if not isinstance(value, numbers.Real) or not value >= 0:
            raise ValueError(f"{name} must be >= 0, got {values!r}")


def check_positive_int(name, value):
    """Raise ValueError (torch's wording) unless `value` is an int >= 1."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"Expected positive integer {name}, but got {value!r}")


def momentum_key(optimizer):
    """The param-group key momentum cycling writes: "betas" (beta1 of Adam-like) or "momentum".

    Like torch it reads `optimizer.defaults` when the optimizer has one; otherwise the keys every
    param group holds. "betas" wins when both are present, as in torch.
    """
    defaults = getattr(optimizer, "defaults", None)
    if isinstance(defaults, dict):
        keys = set(defaults)
    else:
        keys = set.intersection(*(set(group) for group in optimizer.param_groups))
    if "betas" in keys:
        return "betas"
    if "momentum" in keys:
        return "momentum"
    raise ValueError(
        "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
    )


def _track_optimizer_step(optimizer):
    """Wrap `optimizer.step` so it records `optimizer._opt_called = True` when called (and
    counts the calls in `optimizer._opt_step_calls`, for `minigrad.debug()`'s order check).

    This is torch's mechanism behind the wrong-order warning; it works for any optimizer object.
    The wrapper holds the optimizer weakly (torch does too) so the optimizer does not keep itself
    alive through its own attribute. Objects without a `step` cannot be tracked and never warn.
    """
    step = getattr(optimizer, "step", None)
    if not callable(step) or hasattr(step, "_wrapped_by_lr_sched"):
        return
    try:
        optimizer_ref = weakref.ref(optimizer)
    except TypeError:  # no weak-reference support (e.g. SimpleNamespace): the GC breaks the cycle
        def optimizer_ref():
            return optimizer
    function = getattr(step, "__func__", None)
    if function is not None and getattr(step, "__self__", None) is optimizer:
        @wraps(function)
        def wrapper(*args, **kwargs):
            opt = optimizer_ref()
            opt._opt_called = True
            opt._opt_step_calls = getattr(opt, "_opt_step_calls", 0) + 1
            return function.__get__(opt, type(opt))(*args, **kwargs)
    else:
        @wraps(step)
        def wrapper(*args, **kwargs):
            opt = optimizer_ref()
            opt._opt_called = True
            opt._opt_step_calls = getattr(opt, "_opt_step_calls", 0) + 1
            return step(*args, **kwargs)
    wrapper._wrapped_by_lr_sched = True
    optimizer.step = wrapper


class LRScheduler:
    """Base class: a step counter `last_epoch` plus a rule `get_lr()` for the lrs at that step.

    `LRScheduler(optimizer, last_epoch=-1)` stores each group's starting lr as
    `group["initial_lr"]` (kept if already there, e.g. from an earlier scheduler), records them in
    `base_lrs`, and takes the initial step at construction, so step 0's lr is already written.
    Each `step()` then does `last_epoch += 1` and writes `get_lr()` into the groups.

    A scheduler only counts `step()` calls: call it once per epoch (step = epoch) or once per
    batch (step = batch); see the package docstring. Call it after `optimizer.step()`; the reverse
    order triggers torch's warning, because it skips the schedule's first value.

    Subclasses implement `get_lr()`; "chainable" ones scale the current `group["lr"]`, so several
    of them compose (see `ChainedScheduler`), "closed-form" ones compute from `base_lrs`.

    Guard: a computed lr that is negative or NaN raises ValueError before anything is written and
    leaves `last_epoch` unchanged; torch would write it.

    `state_dict()` returns a copy of the scheduler's state; `load_state_dict()` restores it and,
    unlike torch, also writes the saved last lrs back into the optimizer, so resuming reproduces
    the same lrs even for optimizers without a state_dict of their own.
    """

    _is_initial = False
    _get_lr_called_within_step = False
    _excluded_from_state = ("optimizer",)

    def __init__(self, optimizer, last_epoch=-1):
        groups = checked_param_groups(optimizer)
        if not isinstance(last_epoch, int) or isinstance(last_epoch, bool) or last_epoch < -1:
            raise ValueError(f"last_epoch must be an int >= -1, got {last_epoch!r}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        "scheduler with last_epoch >= 0."
                    )
        self.base_lrs = [group["initial_lr"] for group in groups]
        check_non_negative("every param group's initial_lr", self.base_lrs)
        self.last_epoch = last_epoch
        _track_optimizer_step(optimizer)
        self._initial_step()

    def _initial_step(self):
        """Reset the step count and take the construction-time step (`last_epoch` -1 -> 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The lr of every param group at step `last_epoch` (subclasses define the formula).

        Called by `step()`; to read the current lrs use `get_last_lr()` instead.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def get_last_lr(self):
        """The lrs this scheduler last wrote, one float per param group."""
        return list(self._last_lr)

    def step(self):
        """Advance one step (`last_epoch += 1`) and write the new lrs into the param groups."""
        if self._step_count == 1:
            self._warn_if_optimizer_not_stepped()
        self._update_lr()
        self._step_count += 1
        if not self._is_initial and debug_checks.enabled():
            debug_checks.after_step(self)

    def _warn_if_optimizer_not_stepped(self):
        step = getattr(self.optimizer, "step", None)
        if not callable(step):
            return
        if not hasattr(step, "_wrapped_by_lr_sched"):
            warnings.warn(_STEP_OVERRIDDEN_WARNING, UserWarning, stacklevel=3)
        elif not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(_STEP_ORDER_WARNING, UserWarning, stacklevel=3)

    def _warn_get_lr_outside_step(self):
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use "
                "`get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )

    def _compute_lr(self, closed_form):
        self._get_lr_called_within_step = True
        try:
            if closed_form and hasattr(self, "_get_closed_form_lr"):
                return self._get_closed_form_lr()
            return self.get_lr()
        finally:
            self._get_lr_called_within_step = False

    def _update_lr(self, epoch=None):
        """Set `last_epoch` to `epoch` (closed form, used by SequentialLR) or advance it by one,
        compute the lrs and write them; on error `last_epoch` is restored."""
        previous_epoch = self.last_epoch
        self.last_epoch = previous_epoch + 1 if epoch is None else epoch
        try:
            self._write_lrs(self._compute_lr(closed_form=epoch is not None))
        except Exception:
            self.last_epoch = previous_epoch
            raise

    def _write_lrs(self, values):
        """Check `values` (one lr >= 0 per group) and write them; nothing is written on error."""
        groups = self.optimizer.param_groups
        values = [float(value) for value in values]
        if len(values) != len(groups):
            raise ValueError(
                f"{type(self).__name__} computed {len(values)} learning rates for "
                f"{len(groups)} param groups; param groups were added or removed after the "
                "scheduler was created"
            )
        for i, lr in enumerate(values):
            if not lr >= 0:
                raise ValueError(
                    f"{type(self).__name__} computed learning rate {lr!r} for param_groups[{i}] "
                    f"at step {self.last_epoch}; a learning rate must be >= 0"
                )
        for group, lr in zip(groups, values):
            group["lr"] = lr
        self._last_lr = values

    def state_dict(self):
        """A deep copy of the scheduler's state (everything but the optimizer and callables)."""
        return {
            key: copy.deepcopy(value)
            for key, value in self.__dict__.items()
            if key not in self._excluded_from_state
        }

    def load_state_dict(self, state_dict):
        """Restore a `state_dict()` and write its last lrs back into the optimizer's groups."""
        self.__dict__.update(copy.deepcopy(state_dict))
        groups = self.optimizer.param_groups
        if len(self._last_lr) != len(groups):
            raise ValueError(
                f"state_dict holds {len(self._last_lr)} learning rates but the optimizer has "
                f"{len(groups)} param groups"
            )
        for group, lr in zip(groups, self._last_lr):
            group["lr"] = lr


def callables_state(functions):
    """torch's rule for saving user callables: a plain function or lambda cannot be saved (None),
    a callable object is saved as a copy of its `__dict__`."""
    return [
        None if isinstance(fn, types.FunctionType) else copy.deepcopy(fn.__dict__)
        for fn in functions
    ]


def load_callables_state(functions, saved):
    """Restore callable objects' `__dict__`s saved by `callables_state`."""
    for fn, state in zip(functions, saved):
        if state is not None:
            fn.__dict__.update(copy.deepcopy(state))
