"""Optimizers that update anything with `.data` and `.grad` numpy arrays.

Each optimizer follows `torch.optim` (names, defaults, update order, state layout) and
has two interchangeable backends: a plain-numpy reference update that reads like the
formula, and a numba kernel (the default). `optimizers.base` explains how to add one;
`optimizers.telemetry.Recorder` watches an optimizer step by step.

Beyond torch.optim: AdaBelief, LAMB, Lion, SGDScheduleFree and AdamWScheduleFree (each
checked against its authors' code), and the `Lookahead` wrapper (not in the registry: it
wraps an optimizer instead of taking parameters). `optimizers.swa_utils` is
torch.optim.swa_utils' `AveragedModel` and `update_bn`; its scheduler `SWALR` lives in
`schedulers` (schedulers.swa), as optimizers never import schedulers.
"""

from .adabelief import AdaBelief
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .base import Optimizer
from .lamb import LAMB
from .lion import Lion
from .lookahead import Lookahead
from .nadam import NAdam
from .radam import RAdam
from .registry import available, create, register
from .rmsprop import RMSprop
from .schedule_free import AdamWScheduleFree, SGDScheduleFree
from .sgd import SGD

# telemetry reads the optimizer classes above, so it is imported after them.
from . import swa_utils, telemetry  # noqa: E402

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
    "AdaBelief",
    "LAMB",
    "SGDScheduleFree",
    "AdamWScheduleFree",
    "Lookahead",
    "swa_utils",
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
register("adabelief", AdaBelief)
register("lamb", LAMB)
register("sgdschedulefree", SGDScheduleFree)
register("adamwschedulefree", AdamWScheduleFree)
