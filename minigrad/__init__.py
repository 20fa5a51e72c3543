"""minigrad: a small reverse-mode autodiff engine for learning backpropagation.

Public API, with torch's names: ``Tensor``/``tensor`` and the factories (``zeros``,
``randn``, ``arange``, ...; dtype names ``float32``, ``float64``, ``int64``, ``bool``), the
functional form of every op (``minigrad.exp(x)``, ``minigrad.sum(x, dim=0)``,
``minigrad.matmul``, ``minigrad.cat``, ``minigrad.where``, ...), grad mode
(``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``,
``is_grad_enabled``; per thread), ``autograd`` (``autograd.grad``, higher-order gradients,
``autograd.functional``), ``Function`` (define your own op), ``gradcheck`` and
``gradgradcheck`` (derivatives vs finite differences), ``manual_seed``; plus the
subpackages ``nn``, ``data``, ``viz`` (draw the graph) and ``landscapes`` (2-D test
functions and optimizer trajectories); ``debug`` turns on warnings for silent mistakes
(see ``minigrad.debugging``); ``ShapeError`` is what shape mismatches raise (both a
``ValueError`` and a ``RuntimeError``).
"""

from . import random
from .checks import ShapeError
from .debugging import MistakeWarning, debug, is_debug_enabled
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor, tensor
from .function import Context, Function, FunctionContext, SavedTensorModifiedError
from . import autograd, ops
from .autograd import functional as _autograd_functional  # noqa: F401  (autograd.functional)
from .ops.functional import (
    abs, add, all, allclose, amax, amin, any, argmax, argmin, cat, ceil, chunk, clamp, clip,
    clone, concatenate, cos, cumsum, div, equal, eq, erf, exp, expm1, flatten, flip, floor, gather,
    ge, gt, isfinite, isinf, isnan, le, log, log1p, log_softmax, logical_and, logical_not,
    logical_or, logical_xor, logsumexp, lt, matmul, max, maximum, mean, min, minimum, mm, mul,
    ne, neg, norm, permute, pow, prod, relu, repeat, reshape, round, sigmoid, sign, sin,
    softmax, split, sqrt, square, squeeze, stack, std, sub, sum, swapaxes, tanh, transpose,
    trunc, unsqueeze, var, where,
)
from .factories import (
    arange, bool, double, empty, empty_like, eye, float, float16, float32, float64, full,
    full_like, half, int, int32, int64, linspace, long, normal, ones, ones_like, rand,
    rand_like, randint, randn, randn_like, zeros, zeros_like,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .random import manual_seed

# The subpackages build on Tensor and the ops, so they are imported after them.
from . import data, landscapes, nn, viz  # noqa: E402


def is_tensor(value):
    """True for a minigrad Tensor (``torch.is_tensor``)."""
    return isinstance(value, Tensor)


def numel(x):
    """The number of elements of ``x``."""
    return x.numel()
