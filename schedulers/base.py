"""`LRScheduler`: the base class every scheduler shares (torch.optim.lr_scheduler semantics).

A scheduler owns a step counter `last_epoch` and, on every `step()`, writes one learning rate per
parameter group into `optimizer.param_groups[i]["lr"]`. It never touches parameters or gradients,
so it drives any object with a `param_groups` list of dicts holding an "lr".
"""

import copy
import math
import numbers
import types
import warnings
import weakref

from . import debug_checks
from . import state_checks as checks

# torch 2.13's texts, word for word (torch's own tests match them).
STEP_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
STEP_OVERRIDDEN_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before "
    "`lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
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
        if type(lr) is float and lr >= 0:  # the common case, without the slower ABC check
            continue
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


def check_real(name, value):
    """Raise TypeError naming `name` unless `value` is a real number (not a bool)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {checks.describe(value)}")


def check_bool(name, value):
    """Raise TypeError naming `name` unless `value` is True or False (no truthy stand-ins)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {checks.describe(value)}")


def check_non_negative(name, values):
    """Raise TypeError unless every entry of `values` is a real number, ValueError naming `name`
    unless every entry is >= 0 (NaN is not)."""
    for value in values if isinstance(values, (list, tuple)) else [values]:
        check_real(name, value)
        if not value >= 0:
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


class _StepTracker:
    """`optimizer.step` wrapped so that a call records `optimizer._opt_called = True` (and
    counts the calls in `optimizer._opt_step_calls`, for `minigrad.debug()`'s order check).

    This is torch's mechanism behind the step-order warning. It is an object, not a closure, so
    that it follows its optimizer through `copy.deepcopy` and `pickle`: a copy of the optimizer
    gets a tracker that steps and flags the copy, never the original. It holds the optimizer
    weakly (as torch does) so the optimizer is not kept alive through its own attribute; objects
    without weak-reference support are held strongly (the garbage collector breaks that cycle).

    `function` is the step function of the optimizer's class (called with the optimizer as
    `self`) when `bound` is True, else any callable that was stored as the `step` attribute.
    """

    _wrapped_by_lr_sched = True

    def __init__(self, function, bound, optimizer=None):
        self.__wrapped__ = function
        self._bound = bound
        for name in ("__name__", "__qualname__", "__doc__"):
            setattr(self, name, getattr(function, name, None))
        self._optimizer = None
        if optimizer is not None:
            self._link(optimizer)

    def _link(self, optimizer):
        try:
            self._optimizer = weakref.ref(optimizer)
        except TypeError:  # no weak-reference support (e.g. SimpleNamespace)
            self._optimizer = lambda: optimizer

    def __call__(self, *args, **kwargs):
        optimizer = self._optimizer()
        optimizer._opt_called = True
        optimizer._opt_step_calls = getattr(optimizer, "_opt_step_calls", 0) + 1
        if self._bound:
            return self.__wrapped__(optimizer, *args, **kwargs)
        return self.__wrapped__(*args, **kwargs)

    def __deepcopy__(self, memo):
        function = self.__wrapped__ if self._bound else copy.deepcopy(self.__wrapped__, memo)
        twin = _StepTracker(function, self._bound)
        memo[id(self)] = twin
        twin._link(copy.deepcopy(self._optimizer(), memo))
        return twin

    def __reduce__(self):
        # The optimizer goes in the state, not the constructor arguments, so that pickle can
        # rebuild the optimizer <-> tracker cycle whichever of the two it meets first.
        return (_StepTracker, (self.__wrapped__, self._bound), {"optimizer": self._optimizer()})

    def __setstate__(self, state):
        self._link(state["optimizer"])


def _track_optimizer_step(optimizer):
    """Replace `optimizer.step` by a `_StepTracker` (once; objects without `step` never warn)."""
    step = getattr(optimizer, "step", None)
    if not callable(step) or hasattr(step, "_wrapped_by_lr_sched"):
        return
    function = getattr(step, "__func__", None)
    if function is not None and getattr(step, "__self__", None) is optimizer:
        optimizer.step = _StepTracker(function, True, optimizer)
    else:
        optimizer.step = _StepTracker(step, False, optimizer)


def checked_epoch(epoch):
    """`epoch` of a deprecated `step(epoch)` call: a finite real number >= 0 (an int usually)."""
    if not isinstance(epoch, numbers.Real) or isinstance(epoch, bool):
        raise TypeError(f"epoch must be a real number, got {checks.describe(epoch)}")
    if not math.isfinite(epoch) or epoch < 0:
        raise ValueError(f"Expected non-negative epoch, but got {epoch}")
    return epoch


class LRScheduler:
    """Base class: a step counter `last_epoch` plus a rule `get_lr()` for the lrs at that step.

    `LRScheduler(optimizer, last_epoch=-1)` stores each group's starting lr as
    `group["initial_lr"]` (kept if already there, e.g. from an earlier scheduler), records them in
    `base_lrs`, and takes the initial step at construction, so step 0's lr is already written.
    Each `step()` then does `last_epoch += 1` and writes `get_lr()` into the groups.
    `step(epoch)` (deprecated in torch, with torch's warning) sets `last_epoch = epoch` and uses
    the closed form `_get_closed_form_lr()` where the scheduler has one, else `get_lr()`.

    A scheduler only counts `step()` calls: call it once per epoch (step = epoch) or once per
    batch (step = batch); see the package docstring. Call it after `optimizer.step()`; the reverse
    order triggers torch's warning, because it skips the schedule's first value.

    Subclasses implement `get_lr()`; "chainable" ones scale the current `group["lr"]`, so several
    of them compose (see `ChainedScheduler`), "closed-form" ones compute from `base_lrs`.

    Every step is all or nothing: the param groups are checked first (an "lr" that is not a real
    number >= 0 raises), then the new values are computed and checked (a negative or NaN lr
    raises ValueError; torch would write it), and only then is anything written. A step that
    raises leaves `last_epoch`, the rest of the scheduler's state and the groups as they were.

    `state_dict()` returns a copy of the scheduler's state; `load_state_dict()` checks the whole
    dict (its keys, every value's type and range, one lr per param group) before it assigns
    anything, then restores it and, unlike torch, also writes the saved last lrs back into the
    optimizer, so resuming reproduces the same lrs even for optimizers without a state_dict.
    A scheduler survives `copy.deepcopy` and `pickle` together with its optimizer: the copy
    drives the copied optimizer, whose `step` is tracked for the copy.
    """

    _is_initial = False
    _get_lr_called_within_step = False
    _excluded_from_state = ("optimizer",)
    # State entries a state_dict may leave out (internal flags, False outside a step).
    _optional_state_keys = frozenset({"_is_initial", "_get_lr_called_within_step"})
    _tracks_optimizer_step = True

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

    def __setstate__(self, state):
        """Restore a copied or unpickled scheduler; its optimizer's `step` is tracked again if
        the optimizer's own copying dropped the tracker (as torch's Optimizer does)."""
        self.__dict__.update(state)
        if self._tracks_optimizer_step and "optimizer" in state:
            _track_optimizer_step(self.optimizer)

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

    def step(self, epoch=None):
        """Advance one step (`last_epoch += 1`) and write the new lrs into the param groups.

        `step(epoch)` is torch's deprecated form: it warns (torch's text), sets
        `last_epoch = epoch` and computes the closed form where there is one.
        """
        if self._step_count == 1:
            self._warn_if_optimizer_not_stepped()
        if epoch is not None:
            epoch = checked_epoch(epoch)
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)
        self._step_count += 1
        if not self._is_initial and debug_checks.enabled():
            debug_checks.after_step(self)

    def _warn_if_optimizer_not_stepped(self):
        step = getattr(self.optimizer, "step", None)
        if not callable(step):
            return
        if not hasattr(step, "_wrapped_by_lr_sched"):
            warnings.warn(STEP_OVERRIDDEN_WARNING, UserWarning, stacklevel=3)
        elif not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(STEP_ORDER_WARNING, UserWarning, stacklevel=3)

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
        """Set `last_epoch` to `epoch` (closed form) or advance it by one, then compute and write
        the lrs; on error nothing changes."""
        self._advance({"last_epoch": self.last_epoch + 1 if epoch is None else epoch},
                      closed_form=epoch is not None)

    def _advance(self, changes, closed_form=False):
        """Set the attributes in `changes`, compute and check the new lrs (and whatever else the
        scheduler writes), then write them. If anything raises, the attributes get their old
        values back and nothing is written."""
        missing = object()
        saved = {key: self.__dict__.get(key, missing) for key in changes}
        self.__dict__.update(changes)
        try:
            checked_param_groups(self.optimizer)
            lrs = self._checked_lrs(self._compute_lr(closed_form))
            extras = self._extra_group_values()
        except BaseException:
            for key, value in saved.items():
                if value is missing:
                    del self.__dict__[key]
                else:
                    self.__dict__[key] = value
            raise
        self._commit(lrs, extras)

    def _extra_group_values(self):
        """Values besides the lrs that a step writes (momentum cycling); computed and checked
        before anything is written. None here."""
        return None

    def _checked_lrs(self, values):
        """`values` as floats, checked to be one lr >= 0 per param group."""
        groups = self.optimizer.param_groups
        values = list(values)
        if len(values) != len(groups):
            raise ValueError(
                f"{type(self).__name__} computed {len(values)} learning rates for "
                f"{len(groups)} param groups; param groups were added or removed after the "
                "scheduler was created"
            )
        lrs = []
        for i, value in enumerate(values):
            if isinstance(value, (str, bytes)) or not hasattr(value, "__float__"):
                raise TypeError(
                    f"{type(self).__name__} computed a learning rate of type "
                    f"{type(value).__name__} for param_groups[{i}]; it must be a real number"
                )
            lr = float(value)
            if not lr >= 0:
                raise ValueError(
                    f"{type(self).__name__} computed learning rate {lr!r} for param_groups[{i}] "
                    f"at step {self.last_epoch}; a learning rate must be >= 0"
                )
            lrs.append(lr)
        return lrs

    def _commit(self, lrs, extras):
        """Write checked lrs (and extras) into the groups; cannot fail."""
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = lrs

    # ---- saving and loading -------------------------------------------------------------------

    def state_dict(self):
        """A deep copy of the scheduler's state (everything but the optimizer and callables)."""
        return {
            key: copy.deepcopy(value)
            for key, value in self.__dict__.items()
            if key not in self._excluded_from_state
        }

    def load_state_dict(self, state_dict):
        """Restore a `state_dict()` and write its last lrs back into the optimizer's groups.

        The whole dict is checked first: it must hold exactly this scheduler's keys, each value
        of the right type and range, one lr per param group. On any error (TypeError for a wrong
        type, ValueError otherwise) the scheduler and the optimizer are left as they were.
        """
        self._apply_state(self._checked_state(state_dict))

    def _state_checks(self):
        """{key: check(value, where)} for every entry of this scheduler's state_dict."""
        count = len(self.optimizer.param_groups)
        return {
            "base_lrs": checks.per_group(checks.real(minimum=0), count, "learning rates"),
            "last_epoch": checks.real(minimum=-1),
            "_step_count": checks.integer(0),
            "_is_initial": checks.boolean,
            "_get_lr_called_within_step": checks.boolean,
            "_last_lr": checks.per_group(checks.real(minimum=0), count, "learning rates"),
        }

    def _required_state_keys(self, state_dict):
        """The keys `state_dict` must hold (all but the optional ones)."""
        return set(self._state_checks()) - self._optional_state_keys

    def _checked_state(self, state_dict):
        """A checked deep copy of `state_dict`, ready for `_apply_state`; raises on any problem
        and changes nothing."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(f"{name}.load_state_dict expects a dict, got "
                            f"{checks.describe(state_dict)}")
        state_checks = self._state_checks()
        unexpected = sorted(str(key) for key in state_dict if key not in state_checks)
        if unexpected:
            raise ValueError(f"{name} state_dict has unexpected keys {unexpected}; is it the "
                             "state of another scheduler?")
        checked = {}
        for key, check in state_checks.items():
            if key in state_dict:
                checked[key] = check(state_dict[key], f"{name} state_dict[{key!r}]")
        missing = sorted(self._required_state_keys(state_dict) - set(state_dict))
        if missing:
            raise ValueError(f"{name} state_dict lacks the keys {missing}")
        self._check_state_fits(checked)
        return copy.deepcopy(checked)

    def _check_state_fits(self, state):
        """Checks across entries, or against the optimizer, of a checked state (none here)."""

    def _apply_state(self, state):
        """Assign a checked state and write its last lrs into the groups; cannot fail."""
        self.__dict__.update(state)
        for group, lr in zip(self.optimizer.param_groups, self._last_lr):
            group["lr"] = lr


def callables_state(functions):
    """torch's rule for saving user callables: a plain function or lambda cannot be saved (None),
    a callable object is saved as a copy of its `__dict__` (None if it has none, e.g. a builtin)."""
    return [
        None if isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__")
        else copy.deepcopy(fn.__dict__)
        for fn in functions
    ]


def load_callables_state(functions, saved):
    """Restore callable objects' `__dict__`s saved by `callables_state`."""
    for fn, state in zip(functions, saved):
        if state is not None:
            fn.__dict__.update(copy.deepcopy(state))
