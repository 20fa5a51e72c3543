"""Schedulers built from schedulers: `SequentialLR` (one after another) and `ChainedScheduler`
(all at once)."""

from bisect import bisect_right

from .base import LRScheduler, checked_param_groups
from .plateau import ReduceLROnPlateau


def _check_children(owner, optimizer, schedulers):
    name = type(owner).__name__
    if len(schedulers) < 1:
        raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
    for index, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name} at index {index} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{name} does not support `ReduceLROnPlateau` scheduler as it requires additional "
                "kwargs to be specified when calling `step`, but got one at index "
                f"{index} in the given schedulers sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{name} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(scheduler).__name__} at index {index} has "
                f"{scheduler.optimizer}, which is different from {type(optimizer).__name__}."
            )


class _CompositeState:
    """state_dict/load_state_dict that nest the children's states, as torch does."""

    _excluded_from_state = ("optimizer", "_schedulers")

    def state_dict(self):
        """The composite's own state plus `_schedulers`: a list of the children's states."""
        state = LRScheduler.state_dict(self)
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        """Restore every child, then the composite (whose last lrs are written back last)."""
        state = dict(state_dict)
        children = state.pop("_schedulers")
        if len(children) != len(self._schedulers):
            raise ValueError(f"state_dict holds {len(children)} schedulers, this "
                             f"{type(self).__name__} has {len(self._schedulers)}")
        for scheduler, child_state in zip(self._schedulers, children):
            scheduler.load_state_dict(child_state)
        LRScheduler.load_state_dict(self, state)


class SequentialLR(_CompositeState, LRScheduler):
    """Run `schedulers[0]` until milestones[0], then `schedulers[1]` until milestones[1], ...

    At a milestone the next scheduler restarts from its own step 0, computed in closed form
    from the base lrs (so e.g. LinearLR warm-up followed by CosineAnnealingLR works per batch).
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        checked_param_groups(optimizer)
        schedulers = list(schedulers)
        milestones = list(milestones)
        _check_children(self, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than "
                f"the number of milestone points, but got number of schedulers {len(schedulers)} "
                f"and the number of milestones to be equal to {len(milestones)}"
            )
        if any(later < earlier for earlier, later in zip(milestones, milestones[1:])):
            raise ValueError(f"milestones must be non-decreasing, got {milestones}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # The children already took their construction-time steps; reset the lrs and undo those
        # steps so only the scheduler for step 0 takes one.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self._recursive_undo(self)
        index = bisect_right(milestones, 0)
        schedulers[index]._initial_step()
        self._last_lr = schedulers[index].get_last_lr()

    def _recursive_undo(self, scheduler):
        if hasattr(scheduler, "_schedulers"):
            for child in scheduler._schedulers:
                self._recursive_undo(child)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self):
        """Advance one step: the active child steps, or at a milestone the next one starts."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        try:
            if index > 0 and self._milestones[index - 1] == self.last_epoch:
                scheduler._update_lr(0)
            else:
                scheduler.step()
        except Exception:
            self.last_epoch -= 1
            raise
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_CompositeState, LRScheduler):
    """Step every scheduler in turn on each `step()`: chainable factors multiply.

    E.g. ConstantLR then ExponentialLR gives lr_t = base_lr * factor(t) * gamma ** t.
    """

    def __init__(self, schedulers, optimizer=None):
        schedulers = list(schedulers)
        if len(schedulers) < 1:
            raise ValueError(f"{type(self).__name__} expects at least one scheduler to be "
                             "chained, but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_children(self, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self):
        """Step every chained scheduler once, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
