"""The warm-up family of the course notes ("course notes: learning-rate schedules") as schedulers.

`GradualWarmupScheduler` is the notes' method two. The other three are method one
(`functional.decay_lr_poly`), its cosine variant and Warmup-Stable-Decay, counted in steps:
construct, then call `scheduler.step()` after every `optimizer.step()`, once per batch.
Step s then carries the lr the notes' function gives batch s; with `total_batches` batches per
epoch, `total_steps = total_epochs * total_batches` and `warmup_steps = warm_up * total_batches`
reproduce the notes' per-batch numbers exactly (the classes call `schedulers.functional` with
one-batch "epochs", which is the same arithmetic). After the last batch, step `total_steps`
holds the end value (0 or the min_lr floor) and further steps keep it there.
"""

from . import functional
from . import state_checks as checks
from .base import LRScheduler, check_non_negative, check_positive_int, check_real


def _check_state_phases(scheduler, state, total_name, *phase_names):
    """`_check_phases` on a state dict's step counts, naming the state dict in the message."""
    try:
        _check_phases(total_name, state[total_name], **{name: state[name] for name in phase_names})
    except ValueError as error:
        raise ValueError(f"{type(scheduler).__name__} state_dict: {error}") from None


def _check_phases(total_name, total, **phases):
    check_positive_int(total_name, total)
    for name, value in phases.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be an int >= 0, got {value!r}")
    if sum(phases.values()) > total:
        parts = " + ".join(f"{name} ({value})" for name, value in phases.items())
        raise ValueError(f"{parts} must not exceed {total_name} ({total})")


class GradualWarmupScheduler(LRScheduler):
    """The notes' method two:

        lr_t = base_lr * t / warmup_epochs   for t < warmup_epochs,   base_lr afterwards.

    The warm-up starts at lr = 0 (step 0). As in the notes, `total_epochs` only bounds
    `warmup_epochs` (the lr stays at base_lr to the end); step it per epoch as the notes do, or
    per batch with both counts given in batches.
    """

    def __init__(self, optimizer, total_epochs, warmup_epochs, last_epoch=-1):
        _check_phases("total_epochs", total_epochs, warmup_epochs=warmup_epochs)
        self.total_epochs = total_epochs
        self.warmup_epochs = warmup_epochs
        super().__init__(optimizer, last_epoch)

    def _state_checks(self):
        return {**super()._state_checks(),
                "total_epochs": checks.POSITIVE_INT,
                "warmup_epochs": checks.NON_NEGATIVE_INT}

    def _check_state_fits(self, state):
        _check_state_phases(self, state, "total_epochs", "warmup_epochs")

    def get_lr(self):
        """`functional.gradual_warmup_lr` for every group."""
        self._warn_get_lr_outside_step()
        return [functional.gradual_warmup_lr(base_lr, self.last_epoch, self.warmup_epochs)
                for base_lr in self.base_lrs]


class WarmupPolyDecay(LRScheduler):
    """Linear warm-up over warmup_steps, then polynomial decay to 0 at total_steps:

        lr_s = base_lr * s / warmup_steps                                        s < warmup_steps
        lr_s = base_lr * (1 - (s - warmup_steps) / (total_steps - warmup_steps)) ** power

    (`functional.decay_lr_poly`, the notes' method one.)
    """

    def __init__(self, optimizer, total_steps, warmup_steps, power=1.0, last_epoch=-1):
        _check_phases("total_steps", total_steps, warmup_steps=warmup_steps)
        check_non_negative("power", power)
        self.total_steps = total_steps
        self.warmup_steps = warmup_steps
        self.power = power
        super().__init__(optimizer, last_epoch)

    def _state_checks(self):
        return {**super()._state_checks(),
                "total_steps": checks.POSITIVE_INT,
                "warmup_steps": checks.NON_NEGATIVE_INT,
                "power": checks.NON_NEGATIVE}

    def _check_state_fits(self, state):
        _check_state_phases(self, state, "total_steps", "warmup_steps")

    def get_lr(self):
        """`functional.decay_lr_poly` at step last_epoch for every group."""
        self._warn_get_lr_outside_step()
        return [functional.decay_lr_poly(base_lr, self.last_epoch, 0, self.total_steps, 1,
                                         self.warmup_steps, self.power)
                for base_lr in self.base_lrs]


class WarmupCosineDecay(LRScheduler):
    """Linear warm-up over warmup_steps, then cosine decay to min_lr at total_steps:

        lr_s = base_lr * s / warmup_steps                                        s < warmup_steps
        lr_s = min_lr + (base_lr - min_lr) * 0.5 * (1 + cos(pi * (s - warmup_steps)
                                                          / (total_steps - warmup_steps)))

    (`functional.decay_lr_cosine`, the notes' cosine decay schedule; min_lr = 0 is the notes'.)
    """

    def __init__(self, optimizer, total_steps, warmup_steps, min_lr=0.0, last_epoch=-1):
        _check_phases("total_steps", total_steps, warmup_steps=warmup_steps)
        check_non_negative("min_lr", min_lr)
        self.total_steps = total_steps
        self.warmup_steps = warmup_steps
        self.min_lr = min_lr
        super().__init__(optimizer, last_epoch)

    def _state_checks(self):
        return {**super()._state_checks(),
                "total_steps": checks.POSITIVE_INT,
                "warmup_steps": checks.NON_NEGATIVE_INT,
                "min_lr": checks.NON_NEGATIVE}

    def _check_state_fits(self, state):
        _check_state_phases(self, state, "total_steps", "warmup_steps")

    def get_lr(self):
        """`functional.decay_lr_cosine` at step last_epoch for every group."""
        self._warn_get_lr_outside_step()
        return [functional.decay_lr_cosine(base_lr, self.last_epoch, 0, self.total_steps, 1,
                                           self.warmup_steps, self.min_lr)
                for base_lr in self.base_lrs]


class WarmupStableDecay(LRScheduler):
    """Warmup-Stable-Decay (MiniCPM, arXiv 2404.06395; the notes' `decay_lr_stable`):

        lr_s = base_lr * s / warmup_steps                      s < warmup_steps
        lr_s = base_lr                                         s < warmup_steps + stable_steps
        lr_s = base_lr * g(p),   p = (s - warmup_steps - stable_steps)
                                     / (total_steps - warmup_steps - stable_steps)

    with r = min_lr_ratio and g = r + (1 - r) * 0.5 * (1 + cos(pi p)) for "cosine" (the notes'),
    r + (1 - r) * (1 - p) for "linear", r + (1 - r) * (1 - sqrt(p)) for "1-sqrt" and r ** p for
    "exp" (MiniCPM's exponential decay, half-life chosen to end at r; needs r > 0).
    See `functional.decay_lr_stable`.
    """

    def __init__(self, optimizer, total_steps, warmup_steps, stable_steps, decay="cosine",
                 min_lr_ratio=0.0, last_epoch=-1):
        _check_phases("total_steps", total_steps, warmup_steps=warmup_steps,
                      stable_steps=stable_steps)
        if decay not in functional.DECAY_SHAPES:
            raise ValueError(f"decay must be one of {functional.DECAY_SHAPES}, got {decay!r}")
        check_real("min_lr_ratio", min_lr_ratio)
        if not 0 <= min_lr_ratio <= 1:
            raise ValueError(f"min_lr_ratio must be in [0, 1], got {min_lr_ratio}")
        if decay == "exp" and min_lr_ratio == 0:
            raise ValueError("decay='exp' needs min_lr_ratio > 0: an exponential decay never "
                             "reaches 0")
        self.total_steps = total_steps
        self.warmup_steps = warmup_steps
        self.stable_steps = stable_steps
        self.decay = decay
        self.min_lr_ratio = min_lr_ratio
        super().__init__(optimizer, last_epoch)

    def _state_checks(self):
        return {**super()._state_checks(),
                "total_steps": checks.POSITIVE_INT,
                "warmup_steps": checks.NON_NEGATIVE_INT,
                "stable_steps": checks.NON_NEGATIVE_INT,
                "decay": checks.choice(*functional.DECAY_SHAPES),
                "min_lr_ratio": checks.real(minimum=0, maximum=1)}

    def _check_state_fits(self, state):
        _check_state_phases(self, state, "total_steps", "warmup_steps", "stable_steps")
        if state["decay"] == "exp" and state["min_lr_ratio"] == 0:
            raise ValueError("WarmupStableDecay state_dict: decay='exp' needs min_lr_ratio > 0")

    def get_lr(self):
        """`functional.decay_lr_stable` at step last_epoch for every group."""
        self._warn_get_lr_outside_step()
        return [functional.decay_lr_stable(base_lr, self.last_epoch, 0, self.total_steps, 1,
                                           self.warmup_steps, self.stable_steps,
                                           decay=self.decay, min_lr_ratio=self.min_lr_ratio)
                for base_lr in self.base_lrs]
