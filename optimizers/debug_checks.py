"""The optimizer's part of `minigrad.debug()`: warnings about gradients, named by parameter.

`Optimizer.step` calls `before_step` and `after_step`, and `Optimizer.zero_grad` calls
`note_zero_grad`, only while `enabled()` is true. The flag lives in `minigrad.debugging`
(see its docstring for why); without minigrad, `enabled()` is always False. Per optimizer,
the checks remember (weakly, so nothing is kept alive) the number of steps taken and, for
each parameter, the gradient array it stepped with and a copy of its values:

- the same gradient array at the next step, with changed values and no `zero_grad()` in
  between, is backward() adding the new gradient to the old one;
- a parameter without a gradient at the optimizer's first step is reported once;
- a non-finite gradient (or closure loss) is reported once per optimizer, with the step and
  the lrs.
"""

import weakref

import numpy as np

try:
    from minigrad import debugging
except ImportError:  # the optimizers work on any .data/.grad objects, without minigrad
    debugging = None

_records = weakref.WeakKeyDictionary()


def enabled():
    """Whether `minigrad.debug()` is on (False when minigrad is not importable)."""
    return debugging is not None and debugging.is_debug_enabled()


def _record(optimizer):
    record = _records.get(optimizer)
    if record is None:
        record = _records[optimizer] = {"steps": 0, "grads": {}, "warned_non_finite": False}
    return record


def _where(group_index, param_index):
    return f"parameter {param_index} of param group {group_index}"


def note_zero_grad(optimizer):
    """zero_grad() was called: the next gradients are fresh whatever array holds them."""
    _record(optimizer)["grads"].clear()


def before_step(optimizer):
    """Warn about accumulated, missing and non-finite gradients before `optimizer` steps."""
    record = _record(optimizer)
    step = record["steps"] + 1
    missing = []
    for group_index, group in enumerate(optimizer.param_groups):
        for param_index, p in enumerate(group["params"]):
            grad = p.grad
            if grad is None:
                missing.append(_where(group_index, param_index))
                continue
            previous = record["grads"].get(id(p))
            if previous is not None and previous[0] is grad and not np.array_equal(
                    grad, previous[1], equal_nan=True):
                debugging.warn(
                    f"{_where(group_index, param_index)}: its .grad at step {step} is the "
                    f"gradient of step {step - 1} plus a new one: backward() adds into .grad. "
                    "Call optimizer.zero_grad() (or model.zero_grad()) before each backward()",
                    stacklevel=4,
                )
            if not record["warned_non_finite"] and not np.all(np.isfinite(grad)):
                record["warned_non_finite"] = True
                lrs = ", ".join(f"{g['lr']:g}" for g in optimizer.param_groups)
                debugging.warn(
                    f"{_where(group_index, param_index)} has a non-finite gradient at step "
                    f"{step} (lr {lrs}): the loss has probably become inf or nan. Usually the "
                    "lr is too large (gradient descent diverges once lr x largest curvature > 2)",
                    stacklevel=4,
                )
    if step == 1 and missing:
        debugging.warn(
            f"{', '.join(missing)} received no gradient before the first step() and will not "
            "be updated: is it used in the loss, does it have requires_grad=True, and is it "
            "the object the model uses (not replaced after the optimizer was built)?",
            stacklevel=4,
        )


def checked_closure(optimizer, closure):
    """`closure` followed by `before_step`: with a closure, the gradients exist only after it."""
    def closure_then_check():
        loss = closure()
        before_step(optimizer)
        return loss
    return closure_then_check


def after_step(optimizer, loss):
    """Remember this step's gradients; report the step to minigrad; check a closure's loss."""
    record = _record(optimizer)
    record["steps"] += 1
    record["grads"] = {
        id(p): (p.grad, np.array(p.grad, copy=True))
        for group in optimizer.param_groups for p in group["params"] if p.grad is not None
    }
    if loss is not None:  # computed before this step's update: reported against the previous
        debugging.check_loss(getattr(loss, "data", loss), name="closure's loss")
    debugging.note_optimizer_step(record["steps"], [group["lr"] for group in optimizer.param_groups])
