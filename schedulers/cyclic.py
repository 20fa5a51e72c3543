"""Per-batch cycles: `CyclicLR` (arXiv 1506.01186) and `OneCycleLR` (arXiv 1708.07120).

Both are stepped once per batch and, with `cycle_momentum=True`, also move the momentum inversely
to the lr: they write `group["momentum"]`, or beta1 of `group["betas"]` for Adam-like
optimizers. As torch does, a fresh start also records the bounds in every param group:
"max_momentum" / "base_momentum" (both, when cycling momentum) and, for OneCycleLR, "initial_lr",
"max_lr" and "min_lr", which OneCycleLR reads back at every step (so a resume that restores the
optimizer's param groups continues the same cycle).
"""

import math

from . import state_checks as checks
from .base import (
    LRScheduler,
    callables_state,
    check_bool,
    check_non_negative,
    check_real,
    checked_param_groups,
    check_positive_int,
    load_callables_state,
    momentum_key,
    per_group,
)


def _group_number(group, index, key, owner):
    """`group[key]` checked to be a real number >= 0 (a bound the scheduler wrote there)."""
    value = group.get(key)
    if type(value) is float and 0 <= value < math.inf:  # the common case, checked cheaply
        return value
    if key not in group:
        raise KeyError(
            f"param '{key}' is not specified in param_groups[{index}]: {owner} writes it at "
            "construction (last_epoch=-1); when resuming with last_epoch >= 0 it must come from "
            "the optimizer's saved param groups"
        )
    return checks.NON_NEGATIVE(group[key], f"param_groups[{index}][{key!r}]")


class _MomentumCycling(LRScheduler):
    """Writes the momentum of the current step along with the lrs, via `_momenta()`.

    At a fresh start (last_epoch=-1) the groups get momentum (or beta1) = max_momentum and, as in
    torch, the bounds "max_momentum" and "base_momentum".
    """

    # The state entries that exist only when cycle_momentum is True.
    _momentum_state_keys = ("momentum_key", "_last_momentum")

    def _set_up_momentum(self, optimizer, base_momentum, max_momentum, last_epoch):
        """Check the per-group momentum bounds; at a fresh start write them into the groups."""
        self.momentum_key = momentum_key(optimizer)
        base_momentums = per_group("base_momentum", optimizer, base_momentum)
        max_momentums = per_group("max_momentum", optimizer, max_momentum)
        check_non_negative("base_momentum", base_momentums)
        check_non_negative("max_momentum", max_momentums)
        self._check_momentum_slots()
        if last_epoch == -1:
            self._set_momenta(max_momentums)
            for group, base, top in zip(optimizer.param_groups, base_momentums, max_momentums):
                group["max_momentum"] = top
                group["base_momentum"] = base
        return base_momentums, max_momentums

    def _check_momentum_slots(self, key=None):
        """Every group must hold the momentum entry the scheduler writes ("betas": a tuple)."""
        key = key or self.momentum_key
        for i, group in enumerate(self.optimizer.param_groups):
            if key not in group:
                raise KeyError(f"param_groups[{i}] has no {key!r} for {type(self).__name__} to "
                               "cycle (cycle_momentum=True)")
            if key == "betas" and not (isinstance(group["betas"], (tuple, list))
                                       and len(group["betas"]) >= 2):
                raise TypeError(f"param_groups[{i}]['betas'] must be a pair (beta1, beta2), got "
                                f"{checks.describe(group['betas'])}")

    def _set_momenta(self, momenta):
        for group, momentum in zip(self.optimizer.param_groups, momenta):
            if self.momentum_key == "betas":
                group["betas"] = (momentum, *group["betas"][1:])
            else:
                group["momentum"] = momentum
        self._last_momentum = list(momenta)

    def _extra_group_values(self):
        if not self.cycle_momentum:
            return None
        self._check_momentum_slots()
        momenta = self._momenta()
        for i, momentum in enumerate(momenta):
            if not (type(momentum) is float and math.isfinite(momentum)):
                checks.real()(momentum, f"{type(self).__name__} momentum of param_groups[{i}]")
        return momenta

    def _commit(self, lrs, extras):
        super()._commit(lrs, extras)
        if extras is not None:
            self._set_momenta(extras)

    def _state_checks(self):
        count = len(self.optimizer.param_groups)
        return {**super()._state_checks(),
                "cycle_momentum": checks.boolean,
                "momentum_key": checks.choice("betas", "momentum"),
                "_last_momentum": checks.per_group(checks.real(), count, "momenta")}

    def _required_state_keys(self, state_dict):
        keys = super()._required_state_keys(state_dict)
        if state_dict.get("cycle_momentum") is not True:
            keys -= set(self._momentum_state_keys)
        return keys

    def _check_state_fits(self, state):
        super()._check_state_fits(state)
        if state["cycle_momentum"]:
            self._check_momentum_slots(state["momentum_key"])

    def _apply_state(self, state):
        # Writes back the last lrs and, when cycled, the last momenta.
        super()._apply_state(state)
        if self.cycle_momentum:
            self._set_momenta(self._last_momentum)


class CyclicLR(_MomentumCycling):
    """Cyclical learning rate between base_lr and max_lr (Smith 2017), stepped per batch.

    With cycle = floor(1 + t / (up + down)) and x = 1 + t / (up + down) - cycle in [0, 1):
        scale = x / r                      if x <= r, r = up / (up + down)   (rising)
        scale = (x - 1) / (r - 1)          otherwise                         (falling)
        lr_t  = base_lr + (max_lr - base_lr) * scale * f
        momentum_t = max_momentum - (max_momentum - base_momentum) * scale * f
    where f = scale_fn(cycle) or scale_fn(t) (scale_mode "cycle" / "iterations"):
    "triangular" f = 1; "triangular2" f = 1 / 2 ** (cycle - 1); "exp_range" f = gamma ** t.
    The optimizer's lrs are set to base_lr at construction.
    """

    _excluded_from_state = ("optimizer", "_scale_fn_custom")

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None,
                 mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle",
                 cycle_momentum=True, base_momentum=0.8, max_momentum=0.9, last_epoch=-1):
        checked_param_groups(optimizer)
        self.optimizer = optimizer
        base_lrs = per_group("base_lr", optimizer, base_lr)
        check_non_negative("base_lr", base_lrs)
        self.max_lrs = per_group("max_lr", optimizer, max_lr)
        check_non_negative("max_lr", self.max_lrs)
        check_real("step_size_up", step_size_up)
        if step_size_down is not None:
            check_real("step_size_down", step_size_down)
        check_real("gamma", gamma)
        check_bool("cycle_momentum", cycle_momentum)
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        if not step_size_up > 0 or not step_size_down >= 0:
            raise ValueError(f"step_size_up must be > 0 and step_size_down >= 0, got "
                             f"{step_size_up} and {step_size_down}")
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        if scale_fn is not None and scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        if scale_fn is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.base_momentums, self.max_momentums = self._set_up_momentum(
                optimizer, base_momentum, max_momentum, last_epoch)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x):
        """The amplitude scaling f(x) of the chosen mode (or the user's scale_fn)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def _scale_and_amplitude(self):
        """(scale in [0, 1] within the cycle, amplitude scaling f) at step last_epoch."""
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        amplitude = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        return scale_factor, amplitude

    def get_lr(self):
        """base_lr + (max_lr - base_lr) * scale * f for every group."""
        self._warn_get_lr_outside_step()
        scale_factor, amplitude = self._scale_and_amplitude()
        return [base_lr + (max_lr - base_lr) * scale_factor * amplitude
                for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]

    def _momenta(self):
        scale_factor, amplitude = self._scale_and_amplitude()
        return [max_momentum - (max_momentum - base_momentum) * scale_factor * amplitude
                for base_momentum, max_momentum in zip(self.base_momentums, self.max_momentums)]

    def state_dict(self):
        """The scheduler's state; a custom scale_fn is saved only if it is a callable object."""
        state = super().state_dict()
        state["_scale_fn_custom"] = callables_state([self._scale_fn_custom])[0] \
            if self._scale_fn_custom is not None else None
        return state

    _momentum_state_keys = ("momentum_key", "base_momentums", "max_momentums", "_last_momentum")

    def _state_checks(self):
        count = len(self.optimizer.param_groups)
        modes = ("triangular", "triangular2", "exp_range")
        return {**super()._state_checks(),
                "max_lrs": checks.per_group(checks.NON_NEGATIVE, count, "learning rates"),
                "total_size": checks.real(above=0),
                "step_ratio": checks.real(above=0, maximum=1),
                "mode": checks.choice(*modes) if self._scale_fn_custom is None else _string,
                "gamma": checks.real(),
                "scale_mode": checks.choice("cycle", "iterations"),
                "base_momentums": checks.per_group(checks.NON_NEGATIVE, count, "momenta"),
                "max_momentums": checks.per_group(checks.NON_NEGATIVE, count, "momenta"),
                "_scale_fn_custom": checks.optional(checks.plain_dict)}

    def _check_state_fits(self, state):
        super()._check_state_fits(state)
        if state["_scale_fn_custom"] is not None and not hasattr(self._scale_fn_custom,
                                                                 "__dict__"):
            raise ValueError("CyclicLR state_dict['_scale_fn_custom'] holds a scale_fn's "
                             "attributes, but this scheduler has no scale_fn object to take them")

    def _apply_state(self, state):
        # A callable-object scale_fn gets its saved `__dict__` back.
        state = dict(state)
        saved_fn = state.pop("_scale_fn_custom")
        super()._apply_state(state)
        if saved_fn is not None:
            load_callables_state([self._scale_fn_custom], [saved_fn])


def _string(value, where):
    if not isinstance(value, str):
        raise TypeError(f"{where} must be a str, got {checks.describe(value)}")
    return value


class OneCycleLR(_MomentumCycling):
    """The 1cycle policy (Smith & Topin 2017), stepped per batch for total_steps steps.

    initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor. Phases (in steps):
      two-phase (default, fastai):  initial_lr -> max_lr until pct_start * total - 1,
                                    max_lr -> min_lr until total - 1;
      three_phase=True (the paper): initial_lr -> max_lr -> initial_lr (symmetric about
                                    pct_start * total - 1), then initial_lr -> min_lr.
    Within a phase from a to b, at fraction pct of its steps:
      "cos":    lr = b + (a - b) / 2 * (1 + cos(pi * pct));   "linear": lr = a + (b - a) * pct.
    Momentum moves the opposite way between max_momentum and base_momentum.

    As in torch, the bounds live in the param groups: a fresh start (last_epoch=-1) writes
    "initial_lr", "max_lr", "min_lr" (and, cycling momentum, "max_momentum", "base_momentum")
    into every group, and every step reads them from there. So a resume that restores the
    optimizer's param groups and passes last_epoch >= 0 continues the same cycle.

    Differences from torch, both where torch has no usable number: a phase of zero length
    counts as completed (torch divides by zero), and at step total_steps, one past the last
    batch, "linear" overshoots below zero in torch; here the lr is floored at 0.
    Stepping beyond total_steps raises ValueError, as in torch.
    """

    _LR_BOUNDS = ("initial_lr", "max_lr", "min_lr")
    _MOMENTUM_BOUNDS = ("max_momentum", "base_momentum")

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85,
                 max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False,
                 last_epoch=-1):
        checked_param_groups(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            check_positive_int("total_steps", total_steps)
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            check_positive_int("epochs", epochs)
            check_positive_int("steps_per_epoch", steps_per_epoch)
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        check_real("div_factor", div_factor)
        check_real("final_div_factor", final_div_factor)
        check_bool("cycle_momentum", cycle_momentum)
        check_bool("three_phase", three_phase)
        if not div_factor > 0 or not final_div_factor > 0:
            raise ValueError(f"div_factor and final_div_factor must be > 0, got {div_factor} "
                             f"and {final_div_factor}")
        self.anneal_strategy = anneal_strategy
        self._schedule_phases = self._phases(pct_start, three_phase)

        max_lrs = per_group("max_lr", optimizer, max_lr)
        check_non_negative("max_lr", max_lrs)
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._set_up_momentum(optimizer, base_momentum, max_momentum, last_epoch)
        if last_epoch == -1:
            for max_lr_i, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = max_lr_i / div_factor
                group["max_lr"] = max_lr_i
                group["min_lr"] = group["initial_lr"] / final_div_factor
        super().__init__(optimizer, last_epoch)

    def _phases(self, pct_start, three_phase):
        """Each phase's end step and the group keys of its start and end values (torch's)."""
        warmup_end = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if three_phase:
            return [
                {"end_step": warmup_end, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * self.total_steps) - 2,
                 "start_lr": "max_lr", "end_lr": "initial_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": last, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]
        return [
            {"end_step": warmup_end, "start_lr": "initial_lr", "end_lr": "max_lr",
             "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
            {"end_step": last, "start_lr": "max_lr", "end_lr": "min_lr",
             "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
        ]

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _phase_and_progress(self):
        """(phase, fraction of it done) at step last_epoch; raises past total_steps."""
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(f"Tried to step {step_num} times. The specified number of total "
                             f"steps is {self.total_steps}")
        start_step = 0.0
        for i, phase in enumerate(self._schedule_phases):
            end_step = phase["end_step"]
            if step_num <= end_step or i == len(self._schedule_phases) - 1:
                if end_step == start_step:
                    return phase, 1.0
                return phase, (step_num - start_step) / (end_step - start_step)
            start_step = end_step

    def _annealed(self, start_key, end_key):
        """The current phase's anneal between the groups' `start_key` and `end_key` values."""
        phase, pct = self._phase_and_progress()
        return [self._anneal(_group_number(group, i, phase[start_key], "OneCycleLR"),
                             _group_number(group, i, phase[end_key], "OneCycleLR"), pct)
                for i, group in enumerate(self.optimizer.param_groups)]

    def get_lr(self):
        """The annealed lr of the current phase for every group, floored at 0."""
        self._warn_get_lr_outside_step()
        return [max(lr, 0.0) for lr in self._annealed("start_lr", "end_lr")]

    def _momenta(self):
        return self._annealed("start_momentum", "end_momentum")

    def _state_checks(self):
        return {**super()._state_checks(),
                "total_steps": checks.POSITIVE_INT,
                "anneal_strategy": checks.choice("cos", "linear"),
                "_schedule_phases": _schedule_phases}

    def _check_state_fits(self, state):
        super()._check_state_fits(state)
        if state["last_epoch"] > state["total_steps"]:
            raise ValueError(f"OneCycleLR state_dict['last_epoch'] ({state['last_epoch']}) is "
                             f"past state_dict['total_steps'] ({state['total_steps']})")
        keys = self._LR_BOUNDS + (self._MOMENTUM_BOUNDS if state["cycle_momentum"] else ())
        for i, group in enumerate(self.optimizer.param_groups):
            for key in keys:
                _group_number(group, i, key, "OneCycleLR")


def _schedule_phases(value, where):
    """OneCycleLR's phases: 2 or 3 dicts of an end step and the group keys they anneal between."""
    names = {"start_lr": OneCycleLR._LR_BOUNDS, "end_lr": OneCycleLR._LR_BOUNDS,
             "start_momentum": OneCycleLR._MOMENTUM_BOUNDS,
             "end_momentum": OneCycleLR._MOMENTUM_BOUNDS}
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{where} must be a list of phase dicts, got {checks.describe(value)}")
    if len(value) not in (2, 3):
        raise ValueError(f"{where} must hold 2 or 3 phases, got {len(value)}")
    phases = []
    for i, phase in enumerate(value):
        if not isinstance(phase, dict) or set(phase) != {"end_step", *names}:
            raise ValueError(f"{where}[{i}] must be a dict with the keys "
                             f"{['end_step', *names]}, got {checks.describe(phase)}")
        checks.real()(phase["end_step"], f"{where}[{i}]['end_step']")
        for key, allowed in names.items():
            checks.choice(*allowed)(phase[key], f"{where}[{i}][{key!r}]")
        phases.append(dict(phase))
    return phases
