"""Optimizers that update anything with `.data` and `.grad` numpy arrays.

Each optimizer follows `torch.optim` (names, defaults, update order, state layout) and
has two interchangeable backends: a plain-numpy reference update that reads like the
formula, and a numba kernel (the default). `optimizers.base` explains how to add one;
`optimizers.telemetry.Recorder` watches an optimizer step by step.
"""

from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .base import Optimizer
from .lbfgs import LBFGS
from .lion import Lion
from .muon import Muon
from .nadam import NAdam
from .radam import RAdam
from .registry import available, create, register
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

# telemetry reads the optimizer classes above, so it is imported after them.
from . import telemetry  # noqa: E402

__all__ = [
    "Optimizer",
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
    "Rprop",
    "Adafactor",
    "ASGD",
    "Muon",
    "LBFGS",
    "available",
    "create",
    "register",
    "telemetry",
]

register("sgd", SGD)
register("adagrad", Adagrad)
register("rmsprop", RMSprop)
register("adadelta", Adadelta)
register("adam", Adam)
register("adamw", AdamW)
register("adamax", Adamax)
register("nadam", NAdam)
register("radam", RAdam)
register("lion", Lion)
register("rprop", Rprop)
register("asgd", ASGD)
register("adafactor", Adafactor)
register("muon", Muon)
register("lbfgs", LBFGS)
