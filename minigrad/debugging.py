"""`minigrad.debug()`: opt-in warnings for the mistakes that otherwise fail silently.

    minigrad.debug()                 # on for the rest of the program
    with minigrad.debug():           # on inside the block only
        train()
    minigrad.debug(False)            # off again (the default)

While on, each of these gives a `MistakeWarning` that names the fix:

- gradients accumulated over two `optimizer.step()`s without `zero_grad()` (backward adds
  into .grad, so the second step uses the sum of both gradients);
- a parameter given to the optimizer that has no gradient at its first `step()` (not used
  in the loss, requires_grad=False, or replaced by a new Tensor after the optimizer was
  built);
- a scheduler stepped past its `T_max` / `total_steps`, or stepped twice with no
  `optimizer.step()` in between (the schedule runs ahead of the training);
- a non-finite loss or gradient, with the optimizer step at which it appeared and the lr;
- an `(n, 1)` prediction minus an `(n,)` target (or the reverse), which broadcasts to an
  `(n, n)` matrix: a hand-written MSE then averages n^2 wrong differences.

Where the checks live, and why the flag is here. The dependencies run one way (`minigrad`
never imports `optimizers` or `schedulers`; `optimizers` never imports `schedulers`), so
the flag lives at the bottom, in this module, and each package runs its own checks:
`optimizers.debug_checks` (called by `Optimizer.step` and `zero_grad`) and the scheduler
base class import this module if minigrad is importable and otherwise behave as if debug
were off. The optimizers report each step here (`note_optimizer_step`), so that a loss
computed by minigrad can say after which step and at which lr it became non-finite. The
broadcast check runs in the engine's subtraction op (`minigrad.ops.elementwise.Sub`), so it
sees every spelling of a subtraction (`a - b`, `ndarray - tensor`, `minigrad.sub`); when
debug is off it costs one flag test.

Known blind spot: zeroing a gradient in place by hand (`p.grad[...] = 0`) between steps
looks like accumulation (the same array, new values); `optimizer.zero_grad()` and
`model.zero_grad()` are recognised.
"""

import warnings

import numpy as np


class MistakeWarning(UserWarning):
    """A likely mistake found by `minigrad.debug()`; the message says how to fix it."""


_enabled = False
_last_step = {"step": None, "lrs": None}


def is_debug_enabled():
    """Whether `minigrad.debug()` checks are on (off by default)."""
    return _enabled


def warn(message, stacklevel=3):
    """Issue a `MistakeWarning` (used by the checks of minigrad, optimizers and schedulers)."""
    warnings.warn(message, MistakeWarning, stacklevel=stacklevel)


def note_optimizer_step(step, lrs):
    """Record the latest optimizer step number and its group lrs (for loss warnings)."""
    _last_step["step"] = step
    _last_step["lrs"] = list(lrs)


def check_loss(value, name="loss"):
    """Warn if the loss value `value` (a number or array) is not finite."""
    if not _enabled:
        return
    data = np.asarray(value)
    if data.dtype.kind == "f" and not np.all(np.isfinite(data)):
        where = "before the first optimizer step"
        if _last_step["step"] is not None:
            lrs = ", ".join(f"{lr:g}" for lr in _last_step["lrs"])
            where = f"after optimizer step {_last_step['step']} (lr {lrs})"
        warn(
            f"the {name} is {_describe(data)} {where}. Usually the lr is too large for the "
            "loss's curvature (gradient descent diverges once lr x largest curvature > 2): "
            "lower the lr, or check the inputs for inf/nan",
            stacklevel=4,
        )


def _describe(data):
    return "nan" if np.any(np.isnan(data)) else "infinite"


def check_subtraction_broadcast(a, b, result_shape):
    """Warn when (n, 1) and (n,) shapes (either way round) broadcast to (n, n) in `a - b`."""
    shapes = {tuple(np.shape(a)), tuple(np.shape(b))}
    for shape in shapes:
        if len(shape) == 2 and shape[1] == 1 and shape[0] > 1 and (shape[0],) in shapes:
            n = shape[0]
            warnings.warn(
                f"subtracting shapes ({n}, 1) and ({n},) broadcasts to a ({n}, {n}) matrix "
                f"{tuple(result_shape)}: every prediction is compared with every target. For a "
                "loss, give both the same shape: target.reshape(-1, 1) or prediction.reshape(-1)",
                MistakeWarning,
                stacklevel=_caller_outside_minigrad(),
            )
            return


def _caller_outside_minigrad():
    """The warning stacklevel of the first frame outside the minigrad package (the user's line)."""
    import sys

    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("minigrad"):
        frame, level = frame.f_back, level + 1
    return level


def _set(enabled):
    global _enabled
    _enabled = bool(enabled)
    if not _enabled:
        _last_step.update(step=None, lrs=None)


class debug:
    """Turn the mistake warnings on (or off with `debug(False)`).

    Takes effect at once, so `minigrad.debug()` alone switches them on for good; used as a
    context manager (`with minigrad.debug(): ...`) it restores the previous setting when the
    block ends, even if it raises. See the module docstring for the list of checks.
    """

    def __init__(self, enabled=True):
        if not isinstance(enabled, bool):
            raise TypeError(f"minigrad.debug(enabled) expects True or False, got {enabled!r}")
        self._previous = _enabled
        _set(enabled)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        _set(self._previous)
        return False
