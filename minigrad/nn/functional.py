"""Loss functions, with the same numbers as ``torch.nn.functional``; plus d2l's `squared_loss`.

With ``d = input - target`` element-wise:

* ``mse_loss``:   ``d**2``
* ``l1_loss``:    ``|d|``
* ``huber_loss``: ``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``

then reduced by ``reduction``: ``"mean"`` (default), ``"sum"`` or ``"none"`` (the element-wise
losses, shape of the input).  Prediction and target must have the same shape: broadcasting an
``(n, 1)`` prediction against an ``(n,)`` target would silently give an ``(n, n)`` loss, so it
raises a ValueError instead.  A target that is not a Tensor (e.g. a numpy array) is converted to
the input's dtype, so float32 training stays float32.
"""

import numpy as np

from .. import debugging
from ..functional import where
from ..tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, loss_name):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{loss_name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _check_delta(delta, loss_name):
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.integer, np.floating)) \
            or not np.isfinite(delta) or delta <= 0:
        raise ValueError(f"{loss_name}: delta must be a finite number > 0, got {delta!r}")


def _as_target(target, input, loss_name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{loss_name}: input must be a Tensor (the model's prediction), got {type(input).__name__}")
    if isinstance(target, Tensor):
        return target
    try:
        return Tensor(np.asarray(target, dtype=input.dtype))
    except (TypeError, ValueError) as error:
        raise TypeError(f"{loss_name}: target must be a Tensor or numeric array, got {type(target).__name__}: {error}") from None


def _difference(input, target, loss_name):
    """``input - target`` after checking that the shapes agree exactly."""
    target = _as_target(target, input, loss_name)
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(
            f"{loss_name}: input shape {tuple(input.shape)} and target shape {tuple(target.shape)} differ; "
            f"reshape one of them (e.g. target.reshape(input.shape)) instead of relying on broadcasting"
        )
    return input - target


def _reduce(losses, reduction):
    if reduction == "mean":
        result = losses.mean()
    elif reduction == "sum":
        result = losses.sum()
    else:
        result = losses
    debugging.check_loss(result.data)  # warns only under minigrad.debug()
    return result


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: ``(input - target)**2`` reduced by `reduction` (``torch.nn.functional.mse_loss``)."""
    _check_reduction(reduction, "mse_loss")
    difference = _difference(input, target, "mse_loss")
    return _reduce(difference ** 2, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error: ``|input - target|`` reduced by `reduction` (``torch.nn.functional.l1_loss``).

    The gradient at ``input == target`` is 0, as in PyTorch.
    """
    _check_reduction(reduction, "l1_loss")
    return _reduce(_difference(input, target, "l1_loss").abs(), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss (``torch.nn.functional.huber_loss``): quadratic for small errors, linear for large.

    ``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, with
    ``d = input - target``; `delta` > 0.  Both pieces meet with equal value and slope at
    ``|d| = delta``, so a few outliers pull on the fit with force at most `delta`.
    """
    _check_reduction(reduction, "huber_loss")
    _check_delta(delta, "huber_loss")
    difference = _difference(input, target, "huber_loss")
    absolute = difference.abs()
    quadratic = 0.5 * difference ** 2
    linear = delta * (absolute - 0.5 * delta)
    return _reduce(where(absolute.data < delta, quadratic, linear), reduction)


def squared_loss(y_hat, y):
    """d2l's squared loss: ``(y_hat - y.reshape(y_hat.shape))**2 / 2``, element-wise, NOT reduced.

    This is the loss the seeds' experiments use and report: half the squared error per example,
    with no mean taken (so it is half of ``mse_loss(..., reduction="none")``).  Take ``.mean()``
    (or ``.sum()``) yourself before ``backward()``.  By design `y` is reshaped to `y_hat`'s shape,
    so an ``(n,)`` label vector works against an ``(n, 1)`` prediction; a `y` with a different
    number of elements raises ValueError.
    """
    y = _as_target(y, y_hat, "squared_loss")
    if y.size != y_hat.size:
        raise ValueError(
            f"squared_loss: y_hat shape {tuple(y_hat.shape)} and y shape {tuple(y.shape)} "
            f"hold different numbers of elements ({y_hat.size} vs {y.size})"
        )
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
