"""Ops that move values without computing new ones: reshaping, permuting, broadcasting,
indexing, joining. Their derivatives move the gradient back: reshape it back, permute it
back, sum it over broadcast dims, scatter it into the indexed places, cut it into pieces.

Views (``reshape`` when possible, ``view``, ``permute``, ``expand``, basic indexing) share
memory with their input, as in torch; an in-place change to one is seen by the other and
counts as a change of both (one version counter).
"""

import re

import numpy as np

from ..function import Function


class Reshape(Function):
    """The same values in another shape (a view when the layout allows); the gradient is
    reshaped back."""

    name = "reshape"
    differentiable_backward = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = np.shape(x)
        return np.reshape(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None


class View(Reshape):
    """As ``reshape``, but never copies: refuses layouts a view cannot express, as torch."""

    name = "view"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = np.shape(x)
        out = x.view()
        try:
            out.shape = shape
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return out


class Permute(Function):
    """Reorder the dims (``perm[i]`` is the input dim that becomes dim i); the gradient is
    permuted back with the inverse permutation."""

    name = "permute"
    differentiable_backward = True
    is_view = True

    @staticmethod
    def forward(ctx, x, perm):
        ctx.inverse = tuple(np.argsort(perm)) if len(perm) > 2 else perm
        return np.transpose(x, perm)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(ctx.inverse), None


class Expand(Function):
    """Broadcast to a larger ``shape`` without copying (a read-only view); the gradient is
    summed over the broadcast dims."""

    name = "expand"
    differentiable_backward = True
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = np.shape(x)
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.input_shape), None


class SumTo(Function):
    """Sum over the dims that broadcasting stretched, so the result has ``shape``.

    If ``z = x + y`` broadcast ``x`` of shape (3, 1) to (3, 4), each x[i, 0] was used four
    times, so its gradient is the sum of the four output gradients in row i. The
    derivative of this sum is broadcasting back (``expand``).
    """

    name = "sum_to_size"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = np.shape(x)
        leading = x.ndim - len(shape)
        stretched = tuple(
            leading + i for i, size in enumerate(shape) if size == 1 and x.shape[leading + i] != 1
        )
        summed = np.add.reduce(x, axis=tuple(range(leading)) + stretched, keepdims=True)  # np.sum
        return summed.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.input_shape), None


class Repeat(Function):
    """Tile the tensor ``repeats[i]`` times along dim i (torch's ``repeat``, numpy's
    ``tile``); each input element's gradient is the sum over its copies."""

    name = "repeat"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, repeats):
        ctx.input_shape = np.shape(x)
        ctx.padded_shape = (1,) * (len(repeats) - x.ndim) + np.shape(x)
        ctx.repeats = repeats
        return np.tile(x, repeats)

    @staticmethod
    def backward(ctx, grad):
        interleaved = []
        for count, size in zip(ctx.repeats, ctx.padded_shape):
            interleaved += [count, size]
        copies = tuple(range(0, len(interleaved), 2))
        return grad.reshape(interleaved).sum(dim=copies).reshape(ctx.input_shape), None


class Flip(Function):
    """Reverse the order along ``dims``; the gradient is flipped back."""

    name = "flip"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, axis=dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dims), None


def _is_basic(index):
    """True for ints, slices, None and ... (numpy's basic indexing: a view, no repeats)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        part is None or part is Ellipsis or isinstance(part, (slice, int, np.integer))
        and not isinstance(part, (bool, np.bool_))
        for part in parts
    )


class GetItem(Function):
    """numpy indexing (ints, slices, None, ..., integer or boolean arrays); the gradient is
    scattered back into zeros, repeated indices accumulating."""

    name = "getitem"
    differentiable_backward = True
    is_view = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.input_shape = np.shape(x)
        ctx.index = index
        try:
            return np.asarray(x[index])
        except IndexError as error:
            raise IndexError(index_message(error, np.shape(x))) from None

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, ctx.input_shape, ctx.index), None


# numpy's indexing messages and torch's words for them (torch users search for these).
_INDEX_MESSAGES = (
    (re.compile(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)"),
     r"index \1 is out of bounds for dimension \2 with size \3"),
    (re.compile(r"too many indices for array: array is (\d+)-dimensional, but (\d+) were indexed"),
     r"too many indices for tensor of dimension \1 (\2 indices given)"),
    (re.compile(r"only integers, slices .* are valid indices"),
     "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices"),
    (re.compile(r"boolean index did not match indexed array along (?:axis|dimension) (\d+); size of (?:axis|dimension) "
                r"is (\d+) but size of corresponding boolean (?:axis|dimension) is (\d+)"),
     r"The shape of the mask [\3] at index \1 does not match the shape of the indexed tensor [\2] at index \1"),
    (re.compile(r"arrays used as indices must be of integer \(or boolean\) type"),
     "tensors used as indices must be long, int, byte or bool tensors"),
)


def index_message(error, shape):
    """numpy's IndexError message in torch's words, with the tensor's shape."""
    message = str(error)
    for pattern, replacement in _INDEX_MESSAGES:
        message = pattern.sub(replacement, message)
    return f"{message} (tensor shape {tuple(shape)})"


def check_index_steps(index):
    """torch refuses negative slice steps (numpy reverses): say so, pointing to flip."""
    for part in index if isinstance(index, tuple) else (index,):
        if isinstance(part, slice) and part.step is not None and part.step <= 0:
            raise ValueError(f"step must be greater than zero, got {part.step} (to reverse a tensor use flip(dim))")


class IndexAdd(Function):
    """Zeros of ``shape`` with ``values`` added at ``index`` (the adjoint of indexing)."""

    name = "index_add"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, values, shape, index):
        ctx.index = index
        full = np.zeros(shape, dtype=values.dtype)
        if _is_basic(index):
            full[index] = values
        else:
            np.add.at(full, index, values)
        return full

    @staticmethod
    def backward(ctx, grad):
        return GetItem.apply(grad, ctx.index), None, None


class SetItem(Function):
    """``out = base`` with ``out[index] = value`` (what ``t[index] = value`` records): the
    gradient of base is zero at the overwritten places; value's is the gradient there."""

    name = "setitem"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, base, value, index):
        ctx.index = index
        out = np.array(base, copy=True)
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        need_base, need_value, _ = ctx.needs_input_grad
        grad_base = ZeroAt.apply(grad, ctx.index) if need_base else None
        grad_value = GetItem.apply(grad, ctx.index) if need_value else None
        return grad_base, grad_value, None


class ZeroAt(Function):
    """A copy with zeros at ``index``; linear and its own adjoint."""

    name = "zero_at"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.index = index
        out = np.array(x, copy=True)
        out[index] = 0
        return out

    @staticmethod
    def backward(ctx, grad):
        return ZeroAt.apply(grad, ctx.index), None


class Concatenate(Function):
    """Join tensors along an existing dim (torch's ``cat``); the gradient is cut back into
    the pieces each input contributed."""

    name = "cat"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, dim, *parts):
        ctx.dim = dim
        ctx.bounds = np.cumsum([0] + [np.shape(p)[dim] for p in parts])
        return np.concatenate(parts, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        return (None,) + tuple(
            GetItem.apply(grad, lead + (slice(int(start), int(stop)),)) if need else None
            for start, stop, need in zip(ctx.bounds[:-1], ctx.bounds[1:], ctx.needs_input_grad[1:])
        )


class Stack(Function):
    """Join same-shaped tensors along a new dim; input i gets slice i of the gradient."""

    name = "stack"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, dim, *parts):
        ctx.dim = dim
        return np.stack(parts, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        return (None,) + tuple(
            GetItem.apply(grad, lead + (i,)) if need else None
            for i, need in enumerate(ctx.needs_input_grad[1:])
        )


def _grid(index, dim):
    """Index arrays selecting ``x[..., index[...], ...]`` along ``dim`` (torch's gather)."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


class Gather(Function):
    """``out[i][j] = x[i][index[i][j]]`` for dim 1 (torch's ``gather``); the gradient is
    scattered back, repeated indices accumulating."""

    name = "gather"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index, ctx.input_shape = dim, index, np.shape(x)
        return x[_grid(index, dim)]

    @staticmethod
    def backward(ctx, grad):
        return ScatterAlongDim.apply(grad, ctx.dim, ctx.index, ctx.input_shape), None, None


class ScatterAlongDim(Function):
    """Zeros of ``shape`` with ``values`` added at ``index`` along ``dim`` (torch's
    ``scatter_add`` into zeros): the adjoint of ``gather``."""

    name = "scatter_add"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, values, dim, index, shape):
        ctx.dim, ctx.index = dim, index
        full = np.zeros(shape, dtype=values.dtype)
        np.add.at(full, _grid(index, dim), values)
        return full

    @staticmethod
    def backward(ctx, grad):
        return Gather.apply(grad, ctx.dim, ctx.index), None, None, None
