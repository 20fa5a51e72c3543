"""Reductions over dims (torch's ``dim``/``keepdim``), and softmax-like ops along one dim.

Each forward receives the dims already checked and normalised (a sorted tuple). Each
backward first puts the reduced dims back as size-1 dims (unless ``keepdim``), so the
gradient broadcasts against the input; all of it is written with Tensor ops, so it can be
differentiated again.
"""

import math

import numpy as np

from ..function import Function
from ..tensor import wrap
from .elementwise import where_
from .shape import Expand, Reshape


def _unreduce(grad, ctx):
    """``grad`` with the reduced dims restored as size 1, so that it broadcasts against the
    input (a no-op when keepdim was true or every dim was reduced).

    Backward formulas apply the shape ops directly (``Reshape.apply``, not ``reshape``):
    their shapes are right by construction, so the argument checks a learner's call gets
    would only cost time on every backward.
    """
    if ctx.keepdim or grad.ndim == 0:  # a 0-d gradient (a full reduction) broadcasts as it is
        return grad
    return Reshape.apply(grad, ctx.kept_shape)


def _expand(grad, shape):
    """``grad.expand(shape)`` for a shape known to be valid (see ``_unreduce``)."""
    return grad if grad.shape == shape else Expand.apply(grad, shape)


def _sum(x, dims, keepdim):
    """``np.sum(x, axis=dims, keepdims=keepdim)`` without numpy's Python wrapper around it
    (the same ``np.add.reduce``, same result and dtype; the wrapper costs more than the sum
    of a small array)."""
    return np.add.reduce(x, axis=dims, keepdims=keepdim)


def _remember(ctx, x, dims, keepdim):
    ctx.keepdim = keepdim
    ctx.input_shape = np.shape(x)
    ctx.kept_shape = tuple(1 if i in dims else size for i, size in enumerate(np.shape(x)))


class Sum(Function):
    """Sum over ``dims``; every input's derivative is 1."""

    name = "sum"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _remember(ctx, x, dims, keepdim)
        return _sum(x, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _expand(_unreduce(grad, ctx), ctx.input_shape), None, None


class Mean(Function):
    """Mean over ``dims``; each input's derivative is 1 / (number averaged). The mean of
    zero elements is NaN, as torch."""

    name = "mean"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _remember(ctx, x, dims, keepdim)
        ctx.count = math.prod(np.shape(x)[d] for d in dims)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = _sum(x, dims, keepdim)
            return np.true_divide(out, ctx.count) if ctx.count else out * np.nan

    @staticmethod
    def backward(ctx, grad):
        return _expand(_unreduce(grad, ctx) / max(ctx.count, 1), ctx.input_shape), None, None


class Prod(Function):
    """Product over ``dims``; d/dx_i = product of the others (= out / x_i without zeros)."""

    name = "prod"
    differentiable_backward = True
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _remember(ctx, x, dims, keepdim)
        ctx.dims = dims
        ctx.has_zero = bool(np.any(np.asarray(x) == 0))
        return np.prod(x, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        grad = _unreduce(grad, ctx)
        if not ctx.has_zero:
            out = _unreduce(ctx.output, ctx)
            return grad * out / x, None, None
        return grad * _product_of_others(x, ctx.dims), None, None


def _product_of_others(x, dims):
    """For a product with zeros (where out / x fails): each element's product of the other
    elements of its reduction group, written with Tensor ops so it can be differentiated
    again. Row i of an n x n matrix holds the group with element i replaced by 1; the
    product of each row is element i's product of the others."""
    rest = tuple(d for d in range(x.ndim) if d not in dims)
    order = rest + tuple(dims)
    moved = x.permute(*order)
    lead = moved.shape[: len(rest)]
    count = math.prod(moved.shape[len(rest):])
    rows = moved.reshape(lead + (1, count))
    matrix = where_(np.eye(count, dtype=bool), 1.0, rows)
    others = matrix.prod(dim=-1).reshape(moved.shape)
    return others.permute(*np.argsort(order).tolist())


class _Extreme(Function):
    """Base of max/min/amax/amin over dims: the gradient goes to the elements equal to the
    extreme, split evenly among ties (torch's rule for ``amax`` and the full ``max()``)."""

    differentiable_backward = True
    reduce = None

    @classmethod
    def forward(cls, ctx, x, dims, keepdim):
        _remember(ctx, x, dims, keepdim)
        for d in dims:
            if np.shape(x)[d] == 0:
                raise IndexError(
                    f"{cls.name}(): Expected reduction dim {d} to have non-zero size."
                )
        extreme = cls.reduce(x, axis=dims, keepdims=True)
        winners = np.equal(x, extreme)
        ctx.share = (winners / winners.sum(axis=dims, keepdims=True)).astype(
            np.result_type(x, np.float16)
        )
        return extreme if keepdim else np.squeeze(extreme, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx) * wrap(ctx.share.astype(grad.dtype, copy=False)), None, None


class Amax(_Extreme):
    """Maximum over ``dims`` (ties share the gradient evenly)."""

    name = "amax"
    reduce = np.max


class Amin(_Extreme):
    """Minimum over ``dims`` (ties share the gradient evenly)."""

    name = "amin"
    reduce = np.min


class SelectAlongDim(Function):
    """The values at ``indices`` (one per slice along ``dim``), as ``max(dim)`` returns them:
    the gradient goes to exactly that index (torch's rule for ``max(dim)``/``min(dim)``)."""

    name = "select_along_dim"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dim, indices, keepdim):
        ctx.dim, ctx.indices, ctx.keepdim = dim, indices, keepdim
        ctx.input_shape = np.shape(x)
        kept = np.expand_dims(indices, dim)
        values = np.take_along_axis(x, kept, axis=dim)
        return values if keepdim else np.squeeze(values, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        from .shape import ScatterAlongDim

        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        kept = np.expand_dims(ctx.indices, ctx.dim)
        return ScatterAlongDim.apply(grad, ctx.dim, kept, ctx.input_shape), None, None, None


class Logsumexp(Function):
    """log(sum(exp(x))) over ``dims``, shifted by the max so nothing overflows;
    derivative softmax(x) = exp(x - output)."""

    name = "logsumexp"
    differentiable_backward = True
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _remember(ctx, x, dims, keepdim)
        if x.size == 0 or not dims:
            with np.errstate(divide="ignore"):
                return np.log(np.sum(np.exp(x), axis=dims, keepdims=keepdim))
        shift = np.max(x, axis=dims, keepdims=True)
        shift = np.where(np.isfinite(shift), shift, 0)
        with np.errstate(divide="ignore"):
            out = np.log(np.sum(np.exp(x - shift), axis=dims, keepdims=True)) + shift
        return out if keepdim else np.squeeze(out, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        out = _unreduce(ctx.output, ctx)
        return _unreduce(grad, ctx) * (x - out).exp(), None, None


class Softmax(Function):
    """exp(x) / sum(exp(x)) along ``dim`` (max-shifted); backward
    y * (g - sum(g * y)) with y the output."""

    name = "softmax"
    differentiable_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        shifted = np.exp(x - np.max(x, axis=dim, keepdims=True)) if x.size else np.exp(x)
        return shifted / np.sum(shifted, axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, grad):
        out = ctx.output
        return out * (grad - (grad * out).sum(dim=ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """x - logsumexp(x) along ``dim``; backward g - exp(y) * sum(g) with y the output."""

    name = "log_softmax"
    differentiable_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        if not x.size:
            return np.array(x, copy=True)
        shifted = x - np.max(x, axis=dim, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx, grad):
        out = ctx.output
        return grad - out.exp() * grad.sum(dim=ctx.dim, keepdim=True), None


class Cumsum(Function):
    """Running sum along ``dim``; the gradient is the reversed running sum of the gradient."""

    name = "cumsum"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim), None


class Norm2(Function):
    """Euclidean norm sqrt(sum(x**2)) over ``dims``; derivative x / norm (0 at the zero
    vector, the subgradient torch uses)."""

    name = "norm"
    differentiable_backward = True
    saves_inputs = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        _remember(ctx, x, dims, keepdim)
        return np.sqrt(np.sum(np.multiply(x, x), axis=dims, keepdims=keepdim))

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import where_

        (x,) = ctx.saved_tensors
        out = _unreduce(ctx.output, ctx)
        safe = where_(out.data == 0, 1.0, out)
        return _unreduce(grad, ctx) * x / safe, None, None
