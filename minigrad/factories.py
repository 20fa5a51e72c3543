"""Tensor factories with torch's names, and dtype names.

Sizes are given as ``zeros(2, 3)`` or ``zeros((2, 3))``. Floating-point factories make
float64 unless ``dtype`` says otherwise (minigrad's default dtype; torch's is float32).
Random factories draw from the library generator, so ``minigrad.manual_seed(n)`` makes them
reproducible; their numbers are numpy's, not torch's.
"""

import builtins

import numpy as np

from . import random as _random
from .checks import is_int, shape_argument
from .tensor import Tensor, tensor, wrap

float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
float16 = half = np.dtype(np.float16)
int32 = int = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)

__all__ = [
    "arange", "bool", "double", "empty", "empty_like", "eye", "float", "float16", "float32",
    "float64", "full", "full_like", "half", "int", "int32", "int64", "linspace", "long", "normal",
    "ones", "ones_like", "rand", "rand_like", "randint", "randn", "randn_like", "tensor", "zeros",
    "zeros_like",
]


def _finish(array, dtype, requires_grad):
    out = wrap(array if dtype is None else array.astype(dtype, copy=False))
    out.requires_grad = requires_grad
    return out


def _size(size, op):
    shape = shape_argument(size, op)
    if any(s < 0 for s in shape):
        negative = next(size for size in shape if size < 0)
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension {negative}: {list(shape)}")
    return shape


def zeros(*size, dtype=None, requires_grad=False):
    """A tensor of zeros."""
    return _finish(np.zeros(_size(size, "zeros"), dtype=dtype or float64), None, requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    """A tensor of ones."""
    return _finish(np.ones(_size(size, "ones"), dtype=dtype or float64), None, requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it, as torch)."""
    _check_fill_value(fill_value, "full")
    if dtype is None:
        dtype = np.result_type(fill_value) if not isinstance(fill_value, (builtins.float, np.floating)) else float64
        dtype = int64 if np.dtype(dtype).kind in "iu" else dtype
    return _finish(np.full(_size((size,), "full"), fill_value, dtype=dtype), None, requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    """An uninitialised tensor (its values are whatever memory held; fill it before use)."""
    return _finish(np.empty(_size(size, "empty"), dtype=dtype or float64), None, requires_grad)


def _check_fill_value(value, op):
    if isinstance(value, Tensor):
        value = value.item() if value.ndim == 0 else value
    if not isinstance(value, (builtins.bool, builtins.int, builtins.float, np.number, np.bool_)):
        raise TypeError(f"{op}(): argument 'fill_value' must be a number, got {type(value).__name__} {value!r}")


def _like(x, dtype):
    if not isinstance(x, Tensor):
        raise TypeError(f"expected a Tensor as input, got {type(x).__name__}")
    return dtype or x.dtype


def zeros_like(x, dtype=None, requires_grad=False):
    """Zeros shaped like ``x`` (its dtype unless given)."""
    dtype = _like(x, dtype)
    return _finish(np.zeros(x.shape, dtype=dtype), None, requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    """Ones shaped like ``x``."""
    dtype = _like(x, dtype)
    return _finish(np.ones(x.shape, dtype=dtype), None, requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad=False):
    """``fill_value`` everywhere, shaped like ``x``."""
    dtype = _like(x, dtype)
    _check_fill_value(fill_value, "full_like")
    return _finish(np.full(x.shape, fill_value, dtype=dtype), None, requires_grad)


def empty_like(x, dtype=None, requires_grad=False):
    """Uninitialised, shaped like ``x``."""
    return _finish(np.empty(x.shape, dtype=_like(x, dtype)), None, requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values start, start + step, ... below ``end`` (``arange(n)``: 0 .. n-1); integers
    give int64, as torch."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and lower bound inconsistent with step sign (start={start}, "
            f"end={end}, step={step})"
        )
    values = np.arange(start, end, step)
    if dtype is None and values.dtype.kind in "iu":
        dtype = int64
    return _finish(values, dtype, requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if not is_int(steps) or steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps!r}")
    return _finish(np.linspace(start, end, steps), dtype, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The n x m identity matrix (m = n by default)."""
    for name, value in (("n", n), ("m", m)):
        if value is not None and value < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {value}")
    return _finish(np.eye(n, m, dtype=dtype or float64), None, requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    """Uniform draws from [0, 1)."""
    values = _random.default_generator().random(_size(size, "rand"))
    return _finish(values, dtype, requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal draws."""
    values = _random.default_generator().standard_normal(_size(size, "randn"))
    return _finish(values, dtype, requires_grad)


def randint(low, high=None, size=None, dtype=None, requires_grad=False):
    """Integers uniform in [low, high) (``randint(high, size)`` means low = 0), int64."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: size is required, e.g. randint(0, 10, (3,))")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(
            f"randint: random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    values = _random.default_generator().integers(low, high, size=_size((size,), "randint"))
    return _finish(values.astype(np.int64), dtype, requires_grad)


def normal(mean, std, size, dtype=None, requires_grad=False):
    """Normal draws with ``mean`` and standard deviation ``std`` (numbers), of ``size``."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    values = _random.default_generator().normal(mean, std, size=_size((size,), "normal"))
    return _finish(values, dtype, requires_grad)


def rand_like(x, dtype=None, requires_grad=False):
    """Uniform [0, 1) draws shaped like ``x``."""
    return rand(x.shape, dtype=_like(x, dtype), requires_grad=requires_grad)


def randn_like(x, dtype=None, requires_grad=False):
    """Standard normal draws shaped like ``x``."""
    return randn(x.shape, dtype=_like(x, dtype), requires_grad=requires_grad)
