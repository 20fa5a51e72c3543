"""Optimizers that update anything with `.data` and `.grad` numpy arrays.

Each optimizer follows `torch.optim` (names, defaults, update order, state layout) and
has two interchangeable backends: a plain-numpy reference update that reads like the
formula, and a numba kernel (the default). `optimizers.base` explains how to add one;
`optimizers.telemetry.Recorder` watches an optimizer step by step;
`optimizers.explain` shows one step of one coordinate with the numbers;
`optimizers.testing.optcheck` checks an optimizer you wrote against a reference.
"""

from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .base import (
    Optimizer,
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)
from .explain import Explanation, explain
from .lion import Lion
from .nadam import NAdam
from .radam import RAdam
from .registry import available, create, register
from .rmsprop import RMSprop
from .sgd import SGD
from . import telemetry, testing

__all__ = [
    "Optimizer",
    "register_optimizer_step_pre_hook",
    "register_optimizer_step_post_hook",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "Lion",
    "Explanation",
    "explain",
    "available",
    "create",
    "register",
    "telemetry",
    "testing",
]

