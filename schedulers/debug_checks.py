"""The schedulers' part of `minigrad.debug()`: a schedule stepped past its end or too often.

`LRScheduler.step` calls `after_step` while `enabled()` is true (never for the step taken at
construction). The flag lives in `minigrad.debugging`; without minigrad `enabled()` is False.

- Past the end: a scheduler with a `T_max` or `total_steps` (an int) whose `last_epoch` went
  beyond it is warned about once: CosineAnnealingLR's lr then climbs back up, the warm-up
  schedules sit at their end value. Usually the count was given in epochs while the scheduler
  is stepped per batch, or the reverse.
- Too often: two `scheduler.step()` calls with no `optimizer.step()` in between (counted by
  the wrapper the base class puts around `optimizer.step`). The schedule then runs ahead of
  the training. (Before the very first `optimizer.step()`, torch's own warning, which the
  base class always gives, covers it.)
"""

import weakref

try:
    from minigrad import debugging
except ImportError:  # schedulers drive any object with param_groups, without minigrad
    debugging = None

_optimizer_calls_seen = weakref.WeakKeyDictionary()
_warned_past_end = weakref.WeakSet()


def enabled():
    """Whether `minigrad.debug()` is on (False when minigrad is not importable)."""
    return debugging is not None and debugging.is_debug_enabled()


def after_step(scheduler):
    """Warn if `scheduler` has run past its end or ahead of its optimizer."""
    name = type(scheduler).__name__
    for attribute in ("T_max", "total_steps"):
        limit = getattr(scheduler, attribute, None)
        if (isinstance(limit, int) and scheduler.last_epoch > limit
                and scheduler not in _warned_past_end):
            _warned_past_end.add(scheduler)
            debugging.warn(
                f"{name} was stepped past its {attribute} = {limit} (now at step "
                f"{scheduler.last_epoch}): give {attribute} the number of scheduler.step() "
                "calls the training makes (epochs when stepping once per epoch, epochs x "
                "batches per epoch when stepping per batch)",
                stacklevel=4,
            )
    calls = getattr(scheduler.optimizer, "_opt_step_calls", None)
    previous = _optimizer_calls_seen.get(scheduler)
    if calls is not None and previous is not None and calls == previous:
        debugging.warn(
            f"{name}.step() was called twice with no optimizer.step() in between, so the "
            "schedule runs ahead of the training: call scheduler.step() once after each "
            "optimizer.step() (per batch) or once per epoch, not both",
            stacklevel=4,
        )
    _optimizer_calls_seen[scheduler] = calls
