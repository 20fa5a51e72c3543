"""Optimizers that update anything with `.data` and `.grad` numpy arrays.

Each optimizer follows `torch.optim` (names, defaults, update order, state layout) and
has two interchangeable backends: a plain-numpy reference update that reads like the
formula, and a numba kernel (the default). `optimizers.base` explains how to add one;
`optimizers.telemetry.Recorder` watches an optimizer step by step;
`optimizers.explain` shows one step of one coordinate with the numbers;
`optimizers.testing.optcheck` checks an optimizer you wrote against a reference.

Beyond torch.optim: AdaBelief, LAMB, Lion, SGDScheduleFree and AdamWScheduleFree (each
checked against its authors' code), and the `Lookahead` wrapper (not in the registry: it
wraps an optimizer instead of taking parameters). `optimizers.swa_utils` is
torch.optim.swa_utils' `AveragedModel` and `update_bn`; its scheduler `SWALR` lives in
`schedulers` (schedulers.swa), as optimizers never import schedulers.
"""

from .adabelief import AdaBelief
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .base import (
    Optimizer,
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)
from .explain import Explanation, explain
from .lamb import LAMB
from .lbfgs import LBFGS
from .lion import Lion
from .lookahead import Lookahead
from .muon import Muon
from .nadam import NAdam
from .radam import RAdam
from .registry import available, create, register
from .rmsprop import RMSprop
from .rprop import Rprop
from .schedule_free import AdamWScheduleFree, SGDScheduleFree
from .sgd import SGD
from . import swa_utils, telemetry, testing

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
    "AdaBelief",
    "LAMB",
    "SGDScheduleFree",
    "AdamWScheduleFree",
    "Lookahead",
    "swa_utils",
    "Rprop",
    "Adafactor",
    "ASGD",
    "Muon",
    "LBFGS",
    "available",
    "create",
    "register",
    "telemetry",
    "testing",
]

