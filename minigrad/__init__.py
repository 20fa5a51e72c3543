"""minigrad: a small reverse-mode autodiff engine for learning backpropagation.

Public API: ``Tensor``/``tensor`` (values plus the graph that computed them),
``concatenate``, ``stack``, ``where``, ``no_grad``/``is_grad_enabled`` (graph recording),
``Function`` (define your own op, as ``torch.autograd.Function``), ``gradcheck``
(derivatives vs finite differences) and ``manual_seed`` (the library-wide
random generator, see ``minigrad.random``), ``debug`` (opt-in warnings for silent mistakes,
see ``minigrad.debugging``), plus ``minigrad.nn`` (modules, layers,
losses), ``minigrad.data`` (datasets and loaders), ``minigrad.viz`` (draw the graph behind
a tensor) and ``minigrad.landscapes`` (2-D test functions and optimizer trajectories).
"""

from . import random
from .autograd import is_grad_enabled, no_grad
from .debugging import MistakeWarning, debug, is_debug_enabled
from .function import Function, FunctionContext
from .functional import concatenate, stack, where
from .gradcheck import GradcheckError, gradcheck
from .random import manual_seed
from .tensor import Tensor, tensor

# The subpackages build on Tensor, so they are imported after it.
from . import data, landscapes, nn, viz  # noqa: E402

__all__ = [
    "Function",
    "FunctionContext",
    "GradcheckError",
    "MistakeWarning",
    "Tensor",
    "concatenate",
    "data",
    "debug",
    "gradcheck",
    "landscapes",
    "is_debug_enabled",
    "is_grad_enabled",
    "manual_seed",
    "nn",
    "no_grad",
    "random",
    "stack",
    "tensor",
    "viz",
    "where",
]
