"""Schedules given by a user function of the step: `LambdaLR` and `MultiplicativeLR`."""

import numbers

from . import state_checks as checks
from .base import LRScheduler, callables_state, checked_param_groups, load_callables_state


def _per_group_functions(optimizer, lr_lambda):
    groups = optimizer.param_groups
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != len(groups):
            raise ValueError(f"Expected {len(groups)} lr_lambdas, but got {len(lr_lambda)}")
        functions = list(lr_lambda)
    else:
        functions = [lr_lambda] * len(groups)
    for function in functions:
        if not callable(function):
            raise TypeError(f"lr_lambda should be a function, but got {type(function).__name__}")
    return functions


def _factor(function, epoch, index):
    """`function(epoch)`, checked to be a real number (the user's lr_lambda decides the lr)."""
    value = function(epoch)
    if isinstance(value, (str, bytes)) or not (isinstance(value, numbers.Real)
                                               or hasattr(value, "__float__")):
        raise TypeError(f"lr_lambda of param_groups[{index}] returned {checks.describe(value)} "
                        f"at epoch {epoch}; it must return a real number")
    return value


class _FunctionScheduler(LRScheduler):
    """Shared bookkeeping: one function per group; state saves callable objects, not lambdas."""

    _excluded_from_state = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        checked_param_groups(optimizer)
        self.optimizer = optimizer
        self.lr_lambdas = _per_group_functions(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        """The scheduler's state; `lr_lambdas` entries are saved only for callable objects
        (their `__dict__`), never for plain functions or lambdas, as in torch."""
        state = super().state_dict()
        state["lr_lambdas"] = callables_state(self.lr_lambdas)
        return state

    def _state_checks(self):
        return {**super()._state_checks(),
                "lr_lambdas": checks.callable_states(len(self.lr_lambdas))}

    def _check_state_fits(self, state):
        for i, (function, saved) in enumerate(zip(self.lr_lambdas, state["lr_lambdas"])):
            if saved is not None and not hasattr(function, "__dict__"):
                raise ValueError(
                    f"{type(self).__name__} state_dict['lr_lambdas'][{i}] holds attributes, but "
                    f"lr_lambda {i} ({function!r}) cannot take attributes")

    def _apply_state(self, state):
        # Callable-object lambdas get their saved `__dict__` back; plain functions saved None.
        state = dict(state)
        saved_lambdas = state.pop("lr_lambdas")
        super()._apply_state(state)
        load_callables_state(self.lr_lambdas, saved_lambdas)


class LambdaLR(_FunctionScheduler):
    """lr_t = base_lr * lr_lambda(t)   (closed form; one function, or one per param group).

    `lr_lambda(t)` must not go negative: a negative lr raises ValueError at that step.
    """

    def get_lr(self):
        """base_lr * lr_lambda(last_epoch) for every group."""
        self._warn_get_lr_outside_step()
        return [
            base_lr * _factor(lmbda, self.last_epoch, i)
            for i, (lmbda, base_lr) in enumerate(zip(self.lr_lambdas, self.base_lrs))
        ]


class MultiplicativeLR(_FunctionScheduler):
    """lr_t = lr_{t-1} * lr_lambda(t) for t >= 1, lr_0 = base_lr   (chainable).

    `lr_lambda(t)` must not go negative: a negative lr raises ValueError at that step.
    """

    def get_lr(self):
        """The current group lr times lr_lambda(last_epoch); unchanged at construction."""
        self._warn_get_lr_outside_step()
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [
            group["lr"] * _factor(lmbda, self.last_epoch, i)
            for i, (lmbda, group) in enumerate(zip(self.lr_lambdas, self.optimizer.param_groups))
        ]
