"""Optimizers by name: `create("sgd", params, lr=0.1)`, `available()`, `register(...)`."""

from .base import Optimizer

_REGISTRY = {}


def register(name, optimizer_class=None):
    """Make an `Optimizer` subclass creatable as `create(name, ...)`; returns the class.

    As a class decorator, where the optimizer is defined:

        @register("signsgd")
        class SignSGD(Optimizer): ...

    or as a call, `register("signsgd", SignSGD)`. Names are case-insensitive; registering a
    taken name raises ValueError.
    """
    if optimizer_class is None:
        if not isinstance(name, str):
            raise TypeError(f"optimizer name must be a string, but got {type(name).__name__}")
        return lambda cls: register(name, cls)
    if not (isinstance(optimizer_class, type) and issubclass(optimizer_class, Optimizer)):
        raise TypeError(f"can only register Optimizer subclasses, not {optimizer_class!r}")
    key = name.lower()
    if key in _REGISTRY:
        raise ValueError(
            f"an optimizer named {key!r} is already registered ({_REGISTRY[key].__name__})"
        )
    _REGISTRY[key] = optimizer_class
    return optimizer_class


def available():
    """The registered optimizer names, sorted."""
    return sorted(_REGISTRY)


def create(name, params, **hyperparameters):
    """`create("adagrad", params, lr=0.1)` is `Adagrad(params, lr=0.1)`; name case-insensitive."""
    if not isinstance(name, str):
        raise TypeError(f"optimizer name must be a string, but got {type(name).__name__}")
    try:
        optimizer_class = _REGISTRY[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; available: {', '.join(available())}"
        ) from None
    return optimizer_class(params, **hyperparameters)
