"""Schedulers built from schedulers: `SequentialLR` (one after another) and `ChainedScheduler`
(all at once)."""

from bisect import bisect_right

from . import state_checks as checks
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
    """state_dict/load_state_dict that nest the children's states, as torch does.

    Loading checks the composite's own entries and every child's state before anything is
    assigned; then the children are restored, then the composite (whose last lrs are written
    back last).
    """

    _excluded_from_state = ("optimizer", "_schedulers")
    _optional_state_keys = frozenset()

    def state_dict(self):
        """The composite's own state plus `_schedulers`: a list of the children's states."""
        state = LRScheduler.state_dict(self)
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def _children_states(self, value, where):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{where} must be a list of the children's state dicts, got "
                            f"{checks.describe(value)}")
        if len(value) != len(self._schedulers):
            raise ValueError(f"{where} holds {len(value)} scheduler states, this "
                             f"{type(self).__name__} has {len(self._schedulers)} schedulers")
        return [scheduler._checked_state(child_state)
                for scheduler, child_state in zip(self._schedulers, value)]

    def _apply_state(self, state):
        state = dict(state)
        for scheduler, child_state in zip(self._schedulers, state.pop("_schedulers")):
            scheduler._apply_state(child_state)
        LRScheduler._apply_state(self, state)


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

    def _state_checks(self):
        count = len(self.optimizer.param_groups)
        return {
            "_milestones": checks.sequence(checks.NON_NEGATIVE_INT, len(self._schedulers) - 1,
                                           "milestones"),
            "last_epoch": checks.NON_NEGATIVE_INT,
            "_last_lr": checks.per_group(checks.NON_NEGATIVE, count, "learning rates"),
            "_schedulers": self._children_states,
        }

    def _check_state_fits(self, state):
        milestones = state["_milestones"]
        if any(later < earlier for earlier, later in zip(milestones, milestones[1:])):
            raise ValueError(f"SequentialLR state_dict['_milestones'] must be non-decreasing, "
                             f"got {milestones}")


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
        """Step every chained scheduler once, in order; all of them or none.

        A chained factor reads the lr the previous scheduler just wrote, so the steps cannot be
        checked without being taken. Instead the children's states and the param groups are
        saved first and, if a later child raises, put back: the earlier children end up
        unstepped and the groups as they were.
        """
        groups = self.optimizer.param_groups
        saved_groups = [dict(group) for group in groups]
        saved = [_snapshot(scheduler) for scheduler in self._schedulers]
        try:
            for scheduler in self._schedulers:
                scheduler.step()
        except BaseException:
            for snapshot in saved:
                _restore(snapshot)
            for group, saved_group in zip(groups, saved_groups):
                group.clear()
                group.update(saved_group)
            raise
        self._last_lr = [group["lr"] for group in groups]

    def _state_checks(self):
        count = len(self.optimizer.param_groups)
        return {
            "_last_lr": checks.per_group(checks.NON_NEGATIVE, count, "learning rates"),
            "_schedulers": self._children_states,
        }


def _snapshot(scheduler):
    """(scheduler, its attributes with copies of their list/dict contents, its children's
    snapshots), for `_restore`."""
    attributes = {key: (value, value.copy() if isinstance(value, (list, dict)) else None)
                  for key, value in scheduler.__dict__.items()}
    children = [_snapshot(child) for child in getattr(scheduler, "_schedulers", ())]
    return scheduler, attributes, children


def _restore(snapshot):
    """Put a scheduler back as `_snapshot` saw it: the same attribute objects, with their
    contents as they were."""
    scheduler, attributes, children = snapshot
    scheduler.__dict__.clear()
    for key, (value, contents) in attributes.items():
        if isinstance(value, list):
            value[:] = contents
        elif isinstance(value, dict):
            value.clear()
            value.update(contents)
        scheduler.__dict__[key] = value
    for child in children:
        _restore(child)
