"""Ops that combine several tensors: ``concatenate``, ``stack`` and ``where``.

Like the Tensor methods, each returns a new Tensor and, when an input requires grad,
records a closure mapping d loss / d output to d loss / d each input.
"""

import numpy as np

from .tensor import Tensor, _as_operand, _normalize_axes, _result


def _as_tensor_tuple(tensors, op):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: needs at least one tensor")
    return tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)


def concatenate(tensors, axis=0):
    """Join tensors along an existing ``axis`` (as ``numpy.concatenate``).

    The gradient is cut back into the pieces each input contributed.
    """
    parts = _as_tensor_tuple(tensors, "concatenate")
    try:
        out = np.concatenate([part.data for part in parts], axis=axis)
    except (ValueError, TypeError):
        raise ValueError(
            f"concatenate: cannot join tensors of shapes {[part.shape for part in parts]} along "
            f"axis {axis!r}: they need the same number of dimensions (at least 1) and equal "
            "sizes on every other axis"
        ) from None
    (axis,) = _normalize_axes(axis, out.ndim, "concatenate")
    boundaries = np.cumsum([part.shape[axis] for part in parts])[:-1]

    def backward(grad):
        return tuple(np.split(grad, boundaries, axis=axis))

    return _result(out, "concatenate", parts, backward)


def stack(tensors, axis=0):
    """Join same-shaped tensors along a new ``axis`` (as ``numpy.stack``).

    Input i receives the slice i of the gradient along that axis.
    """
    parts = _as_tensor_tuple(tensors, "stack")
    try:
        out = np.stack([part.data for part in parts], axis=axis)
    except (ValueError, TypeError):
        raise ValueError(
            f"stack: cannot stack tensors of shapes {[part.shape for part in parts]} along "
            f"axis {axis!r}: they need equal shapes, and the axis must be in "
            f"[-{parts[0].ndim + 1}, {parts[0].ndim}]"
        ) from None
    (axis,) = _normalize_axes(axis, out.ndim, "stack")

    def backward(grad):
        return tuple(np.moveaxis(grad, axis, 0))

    return _result(out, "stack", parts, backward)


def where(condition, x, y):
    """Elementwise ``x if condition else y`` with broadcasting (as ``numpy.where``).

    ``condition`` (array-like or Tensor, nonzero means True) is not differentiated; the
    gradient flows to ``x`` where it holds and to ``y`` elsewhere. Python numbers take the
    dtype of the other operand, as in the arithmetic ops.
    """
    condition = np.asarray(condition.data if isinstance(condition, Tensor) else condition)
    if condition.dtype.kind not in "biuf":
        raise TypeError(f"where: condition must be boolean or numeric, got dtype {condition.dtype}")
    condition = condition.astype(bool, copy=False)
    x, y = _where_operands(x, y)
    try:
        out = np.where(condition, x.data, y.data)
    except ValueError:
        raise ValueError(
            f"where: shapes {condition.shape} (condition), {x.shape} (x) and {y.shape} (y) "
            "cannot be broadcast together"
        ) from None

    def backward(grad):
        return np.where(condition, grad, 0), np.where(condition, 0, grad)

    return _result(out, "where", (x, y), backward)


def _where_operands(x, y):
    """Convert array-likes to Tensors, then Python numbers to the other operand's dtype."""

    def is_number(value):
        return isinstance(value, (bool, int, float))

    if not isinstance(x, Tensor) and not is_number(x):
        x = Tensor(x)
    if not isinstance(y, Tensor) and not is_number(y):
        y = Tensor(y)
    if is_number(x) and is_number(y):
        return Tensor(x), Tensor(y)
    if is_number(x):
        return _as_operand(x, y), y
    if is_number(y):
        return x, _as_operand(y, x)
    return x, y
