"""Per-batch cycles: `CyclicLR` (arXiv 1506.01186) and `OneCycleLR` (arXiv 1708.07120).

Both are stepped once per batch and, with `cycle_momentum=True`, also move the momentum inversely
to the lr: they write `group["momentum"]`, or beta1 of `group["betas"]` for Adam-like
optimizers, the only param-group keys besides "lr" a scheduler touches.
"""

import math

from .base import (
    LRScheduler,
    callables_state,
    check_non_negative,
    checked_param_groups,
    check_positive_int,
    load_callables_state,
    momentum_key,
    per_group,
)


class _MomentumCycling(LRScheduler):
    """Writes the momentum of the current step after the lrs, via `_momenta()`."""

    def _set_up_momentum(self, optimizer, base_momentum, max_momentum, last_epoch):
        """Record per-group momentum bounds; at a fresh start put max_momentum in the groups."""
        self.momentum_key = momentum_key(optimizer)
        self.base_momentums = per_group("base_momentum", optimizer, base_momentum)
        self.max_momentums = per_group("max_momentum", optimizer, max_momentum)
        check_non_negative("base_momentum", self.base_momentums)
        check_non_negative("max_momentum", self.max_momentums)
        if last_epoch == -1:
            self._set_momenta(self.max_momentums)

    def _set_momenta(self, momenta):
        for group, momentum in zip(self.optimizer.param_groups, momenta):
            if self.momentum_key == "betas":
                group["betas"] = (momentum, *group["betas"][1:])
            else:
                group["momentum"] = momentum
        self._last_momentum = list(momenta)

    def _update_lr(self, epoch=None):
        super()._update_lr(epoch)
        if self.cycle_momentum:
            self._set_momenta(self._momenta())

    def load_state_dict(self, state_dict):
        """Restore a `state_dict()`, writing back the last lrs and, when cycled, momenta."""
        super().load_state_dict(state_dict)
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
            self._set_up_momentum(optimizer, base_momentum, max_momentum, last_epoch)
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

    def _position(self):
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
        scale_factor, amplitude = self._position()
        return [base_lr + (max_lr - base_lr) * scale_factor * amplitude
                for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]

    def _momenta(self):
        scale_factor, amplitude = self._position()
        return [max_momentum - (max_momentum - base_momentum) * scale_factor * amplitude
                for base_momentum, max_momentum in zip(self.base_momentums, self.max_momentums)]

    def state_dict(self):
        """The scheduler's state; a custom scale_fn is saved only if it is a callable object."""
        state = super().state_dict()
        state["_scale_fn_custom"] = callables_state([self._scale_fn_custom])[0] \
            if self._scale_fn_custom is not None else None
        return state

    def load_state_dict(self, state_dict):
        """Restore a `state_dict()` (a callable-object scale_fn gets its `__dict__` back)."""
        state = dict(state_dict)
        saved_fn = state.pop("_scale_fn_custom")
        super().load_state_dict(state)
        if saved_fn is not None:
            load_callables_state([self._scale_fn_custom], [saved_fn])


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

    Differences from torch, both where torch has no usable number: a phase of zero length
    counts as completed (torch divides by zero), and at step total_steps, one past the last
    batch, "linear" overshoots below zero in torch; here the lr is floored at 0.
    Stepping beyond total_steps raises ValueError, as in torch.
    """

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
        if not div_factor > 0 or not final_div_factor > 0:
            raise ValueError(f"div_factor and final_div_factor must be > 0, got {div_factor} "
                             f"and {final_div_factor}")
        self.anneal_strategy = anneal_strategy
        self._schedule_phases = self._phases(pct_start, three_phase)

        self.max_lrs = per_group("max_lr", optimizer, max_lr)
        check_non_negative("max_lr", self.max_lrs)
        self.final_div_factor = final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._set_up_momentum(optimizer, base_momentum, max_momentum, last_epoch)
        if last_epoch == -1:
            for max_lr_i, group in zip(self.max_lrs, optimizer.param_groups):
                group["initial_lr"] = max_lr_i / div_factor
        super().__init__(optimizer, last_epoch)

    def _phases(self, pct_start, three_phase):
        """(end step, start value, end value) of each phase; values name the lr/momentum bounds."""
        warmup_end = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if three_phase:
            return [
                {"end_step": warmup_end, "lr": ("initial_lr", "max_lr"),
                 "momentum": ("max_momentum", "base_momentum")},
                {"end_step": float(2 * pct_start * self.total_steps) - 2,
                 "lr": ("max_lr", "initial_lr"), "momentum": ("base_momentum", "max_momentum")},
                {"end_step": last, "lr": ("initial_lr", "min_lr"),
                 "momentum": ("max_momentum", "max_momentum")},
            ]
        return [
            {"end_step": warmup_end, "lr": ("initial_lr", "max_lr"),
             "momentum": ("max_momentum", "base_momentum")},
            {"end_step": last, "lr": ("max_lr", "min_lr"),
             "momentum": ("base_momentum", "max_momentum")},
        ]

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _position(self):
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

    def get_lr(self):
        """The annealed lr of the current phase for every group, floored at 0."""
        self._warn_get_lr_outside_step()
        phase, pct = self._position()
        start, end = phase["lr"]
        bounds = {"initial_lr": self.base_lrs, "max_lr": self.max_lrs,
                  "min_lr": [base_lr / self.final_div_factor for base_lr in self.base_lrs]}
        return [max(self._anneal(a, b, pct), 0.0) for a, b in zip(bounds[start], bounds[end])]

    def _momenta(self):
        phase, pct = self._position()
        start, end = phase["momentum"]
        bounds = {"max_momentum": self.max_momentums, "base_momentum": self.base_momentums}
        return [self._anneal(a, b, pct) for a, b in zip(bounds[start], bounds[end])]
