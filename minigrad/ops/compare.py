"""Comparisons, logical ops, tests for NaN/inf and arg-reductions: results are bool or
int64 tensors that record nothing (they have no derivative), as in torch."""

import numpy as np

from ..checks import broadcast_shapes
from ..tensor import Tensor, wrap


def _data(value):
    return value._data if isinstance(value, Tensor) else value


def _elementwise(name, ufunc):
    def compare(a, b):
        a, b = _data(a), _data(b)
        try:
            return wrap(ufunc(a, b))
        except ValueError:
            broadcast_shapes(name, np.shape(a), np.shape(b))
            raise

    compare.__name__ = name
    compare.__doc__ = f"Elementwise ``{name}`` as a bool tensor (broadcasting; no gradient)."
    return compare


lt = _elementwise("lt", np.less)
le = _elementwise("le", np.less_equal)
gt = _elementwise("gt", np.greater)
ge = _elementwise("ge", np.greater_equal)
eq = _elementwise("eq", np.equal)
ne = _elementwise("ne", np.not_equal)
logical_and = _elementwise("logical_and", np.logical_and)
logical_or = _elementwise("logical_or", np.logical_or)
logical_xor = _elementwise("logical_xor", np.logical_xor)


def logical_not(x):
    """Elementwise NOT (nonzero counts as True) as a bool tensor."""
    return wrap(np.logical_not(_data(x)))


def isnan(x):
    """True where x is NaN."""
    return wrap(np.isnan(_data(x)))


def isinf(x):
    """True where x is +inf or -inf."""
    return wrap(np.isinf(_data(x)))


def isfinite(x):
    """True where x is neither NaN nor infinite."""
    return wrap(np.isfinite(_data(x)))


def equal(a, b):
    """True (a Python bool) when both have the same shape and values, as ``torch.equal``."""
    a, b = _data(a), _data(b)
    return bool(np.shape(a) == np.shape(b) and np.array_equal(a, b))


def allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=False):
    """``|a - b| <= atol + rtol * |b|`` everywhere (a Python bool), as ``torch.allclose``."""
    return bool(np.allclose(_data(a), _data(b), rtol=rtol, atol=atol, equal_nan=equal_nan))
