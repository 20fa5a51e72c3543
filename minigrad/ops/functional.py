"""The functional form of every op: check the arguments, then apply the op.

``minigrad.exp(x)``, ``minigrad.sum(x, dim=0)`` and the Tensor methods (``x.exp()``,
``x.sum(dim=0)``) all land here. Arguments are validated before any computation, so a
mistake is reported as a sentence naming the shapes, dims or dtypes involved.
"""

import builtins
import collections

import numpy as np

from .. import random as _random
from ..checks import (
    ShapeError,
    broadcast_shapes,
    check_fits,
    check_bool,
    is_int,
    normalize_dim,
    normalize_dims,
    pick_dim,
    pick_keepdim,
    shape_argument,
)
from ..tensor import Tensor, _operand, wrap
from . import compare
from .elementwise import (
    Abs, Add, Ceil, Clamp, Clone, Cos, Div, Erf, Exp, Expm1, Floor, Log, Log1p, Maximum, Minimum,
    Mul, Neg, Pow, Relu, Round, Sigmoid, Sign, Sin, Sqrt, Square, Sub, Tanh, ToDtype, Trunc,
    Where,
)
from .linalg import Linear, Matmul
from .reduce import (
    Amax, Amin, Cumsum, Logsumexp, LogSoftmax, Mean, Norm2, Prod, SelectAlongDim, Softmax, Sum,
)
from .shape import (
    Concatenate, Expand, Flip, Gather, GetItem, Permute, Repeat, Reshape, SetItem, Stack, SumTo,
    View, check_index_steps, index_message,
)

values_indices = collections.namedtuple("values_indices", ["values", "indices"])
values_indices.__doc__ = "What ``max(dim)``/``min(dim)`` return: ``(values, indices)``, as torch."


def _tensor(value, op):
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(value).__name__}")
    return value


# --------------------------------------------------------------------------- arithmetic


def add(a, b, alpha=1):
    """a + alpha * b."""
    if alpha != 1:
        b = mul(b, alpha)
    return Add.apply(_operand(a), _operand(b))


def sub(a, b, alpha=1):
    """a - alpha * b."""
    if alpha != 1:
        b = mul(b, alpha)
    return Sub.apply(_operand(a), _operand(b))


def mul(a, b):
    """a * b."""
    return Mul.apply(_operand(a), _operand(b))


def div(a, b):
    """a / b (true division: integers give floats)."""
    return Div.apply(_operand(a), _operand(b))


def pow(a, b):
    """a ** b."""
    return Pow.apply(_operand(a), _operand(b))


def matmul(a, b):
    """a @ b with numpy's rules for 1-D operands and batch dims."""
    return Matmul.apply(_operand(a), _operand(b))


mm = matmul


def linear(input, weight, bias=None):
    """input @ weight^T + bias, as ``torch.nn.functional.linear``."""
    return Linear.apply(_tensor(input, "linear"), weight, bias)


def maximum(a, b):
    """Elementwise max (ties share the gradient)."""
    return Maximum.apply(_operand(a), _operand(b))


def minimum(a, b):
    """Elementwise min (ties share the gradient)."""
    return Minimum.apply(_operand(a), _operand(b))


def where(condition, x, y):
    """Elementwise ``x if condition else y`` (condition: a bool tensor or array, as torch
    requires: write ``x != 0`` for a numeric one). The gradient flows to x where the
    condition holds and to y elsewhere."""
    condition = np.asarray(condition._data if isinstance(condition, Tensor) else condition)
    if condition.dtype.kind != "b":
        raise TypeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition.dtype} (compare it: x != 0)"
        )
    x, y = _operand(x), _operand(y)
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = Tensor(x)
    return Where.apply(condition.astype(bool, copy=False), x, y)


def check_clamp_bounds(low, high):
    """Refuse clamp bounds that are not numbers (or both None, as torch)."""
    if low is None and high is None:
        raise ValueError("clamp: At least one of 'min' or 'max' must not be None")
    for name, bound in (("min", low), ("max", high)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float, np.number))):
            raise TypeError(f"clamp: {name} must be a number or None, got {type(bound).__name__}")


def clamp(x, min=None, max=None):
    """min(max(x, min), max) with either bound optional; gradient 1 inside [min, max]."""
    check_clamp_bounds(min, max)
    return Clamp.apply(_tensor(x, "clamp"), min, max)


clip = clamp


def _unary(function, doc):
    def op(x):
        return function.apply(_tensor(x, function.name))

    op.__name__ = function.name
    op.__doc__ = doc
    return op


neg = _unary(Neg, "-x.")
exp = _unary(Exp, "e**x.")
log = _unary(Log, "Natural logarithm.")
log1p = _unary(Log1p, "log(1 + x), accurate for small x.")
expm1 = _unary(Expm1, "e**x - 1, accurate for small x.")
sqrt = _unary(Sqrt, "Square root.")
square = _unary(Square, "x**2.")
abs = _unary(Abs, "|x| (gradient sign(x), 0 at 0).")
sin = _unary(Sin, "Sine.")
erf = _unary(Erf, "The error function (gradient 2/sqrt(pi) exp(-x**2)).")
cos = _unary(Cos, "Cosine.")
tanh = _unary(Tanh, "Hyperbolic tangent.")
sigmoid = _unary(Sigmoid, "1 / (1 + e**-x).")
relu = _unary(Relu, "max(x, 0).")
sign = _unary(Sign, "-1, 0 or +1 (gradient 0).")
floor = _unary(Floor, "Round down (gradient 0).")
ceil = _unary(Ceil, "Round up (gradient 0).")
round = _unary(Round, "Round to nearest, halves to even (gradient 0).")
trunc = _unary(Trunc, "Round toward zero (gradient 0).")


def to_dtype(x, dtype):
    """``x`` in ``dtype`` (x itself when it already has it); ``dtype`` may be another
    tensor (its dtype). minigrad computes on the CPU only: the device ``"cpu"`` returns x,
    any other device is refused."""
    if isinstance(dtype, Tensor):
        dtype = dtype.dtype
    if isinstance(dtype, str) and dtype.split(":")[0] in ("cpu", "cuda", "mps", "xpu", "meta"):
        if dtype.split(":")[0] == "cpu":
            return x
        raise RuntimeError(
            f"to({dtype!r}): minigrad computes with numpy on the CPU only; drop the .to(device) "
            "call (or use device 'cpu')"
        )
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"to: expected a dtype (minigrad.float32, ...), a tensor or 'cpu', got {dtype!r}") from None
    if dtype == x.dtype:
        return x
    if dtype.kind not in "fiub":
        raise TypeError(f"to: unsupported dtype {dtype}; use a float, int or bool dtype")
    return ToDtype.apply(x, dtype)


def clone(x):
    """A copy with its own memory (the gradient flows through)."""
    return Clone.apply(_tensor(x, "clone"))


lt, le, gt, ge, eq, ne = compare.lt, compare.le, compare.gt, compare.ge, compare.eq, compare.ne
logical_and, logical_or, logical_xor = compare.logical_and, compare.logical_or, compare.logical_xor
logical_not, isnan, isinf, isfinite = compare.logical_not, compare.isnan, compare.isinf, compare.isfinite
equal, allclose = compare.equal, compare.allclose


# --------------------------------------------------------------------------- reductions


def _reduction_args(op, x, dim, keepdim, axis, keepdims):
    _tensor(x, op)
    dims = normalize_dims(pick_dim(op, dim, axis), x.ndim, op)
    return dims, pick_keepdim(op, keepdim, keepdims)


def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Sum over ``dim`` (None: every dim; an int or a tuple of ints)."""
    dims, keepdim = _reduction_args("sum", x, dim, keepdim, axis, keepdims)
    return Sum.apply(x, dims, keepdim)


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Mean over ``dim``; NaN for zero elements, as torch. Floating-point tensors only."""
    dims, keepdim = _reduction_args("mean", x, dim, keepdim, axis, keepdims)
    if x.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {x.dtype} (use x.float() or x.double() first)"
        )
    return Mean.apply(x, dims, keepdim)


def prod(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Product over ``dim``."""
    dims, keepdim = _reduction_args("prod", x, dim, keepdim, axis, keepdims)
    return Prod.apply(x, dims, keepdim)


def amax(x, dim=(), keepdim=False):
    """Maximum over ``dim`` (() or None: all); ties share the gradient evenly."""
    dims = normalize_dims(None if dim == () else dim, _tensor(x, "amax").ndim, "amax")
    return Amax.apply(x, dims, check_bool(keepdim, "keepdim", "amax"))


def amin(x, dim=(), keepdim=False):
    """Minimum over ``dim`` (() or None: all); ties share the gradient evenly."""
    dims = normalize_dims(None if dim == () else dim, _tensor(x, "amin").ndim, "amin")
    return Amin.apply(x, dims, check_bool(keepdim, "keepdim", "amin"))


def _extreme_with_indices(op, x, dim, keepdim, axis, keepdims, extreme, arg):
    _tensor(x, op)
    if isinstance(dim, Tensor):
        return (maximum if op == "max" else minimum)(x, dim)
    dim = pick_dim(op, dim, axis)
    keepdim = pick_keepdim(op, keepdim, keepdims)
    if dim is None:
        if x._data.size == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return extreme.apply(x, tuple(range(x.ndim)), False)
    if isinstance(dim, (tuple, list)):
        return extreme.apply(x, normalize_dims(dim, x.ndim, op), keepdim)
    dim = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return values_indices(extreme.apply(x, (), keepdim), wrap(np.zeros((), dtype=np.int64)))
    if x.shape[dim] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    indices = arg(x._data, axis=dim)
    values = SelectAlongDim.apply(x, dim, indices, keepdim)
    indices = np.expand_dims(indices, dim) if keepdim else indices
    return values_indices(values, wrap(indices.astype(np.int64)))


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The maximum of all elements; with an int ``dim`` the named tuple ``(values,
    indices)`` (the gradient goes to the index returned); with a Tensor, ``maximum``."""
    return _extreme_with_indices("max", x, dim, keepdim, axis, keepdims, Amax, np.argmax)


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The minimum; with an int ``dim`` the named tuple ``(values, indices)``."""
    return _extreme_with_indices("min", x, dim, keepdim, axis, keepdims, Amin, np.argmin)


def var(x, dim=None, *, correction=None, keepdim=False, unbiased=None, axis=None, keepdims=None):
    """sum((x - mean)**2) / (N - correction) over ``dim``; ``correction`` defaults to 1
    (Bessel's), as torch; ``unbiased=False`` means correction 0."""
    dims, keepdim = _reduction_args("var", x, dim, keepdim, axis, keepdims)
    if unbiased is not None:
        if correction is not None:
            raise TypeError("var: got both correction and unbiased; use correction")
        correction = 1 if check_bool(unbiased, "unbiased", "var") else 0
    correction = 1 if correction is None else correction
    if isinstance(correction, bool) or not isinstance(correction, (int, float, np.number)):
        raise TypeError(f"var: correction must be a number, got {type(correction).__name__}")
    count = 1
    for d in dims:
        count *= x.shape[d]
    centred = x - x.mean(dim=dims, keepdim=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (centred * centred).sum(dim=dims, keepdim=keepdim) / builtins.max(0, count - correction)


def std(x, dim=None, *, correction=None, keepdim=False, unbiased=None, axis=None, keepdims=None):
    """The square root of ``var`` (same arguments)."""
    variance = var(x, dim, correction=correction, keepdim=keepdim, unbiased=unbiased, axis=axis, keepdims=keepdims)
    return variance.sqrt()


def norm(x, p="fro", dim=None, keepdim=False):
    """The p-norm over ``dim`` (all elements by default): p = 2 or 'fro' (Euclidean; its
    gradient at the zero vector is 0, as torch), 1, inf, -inf, 0 (count of nonzeros) or any
    p > 0, (sum |x|**p)**(1/p)."""
    _tensor(x, "norm")
    dims = normalize_dims(dim, x.ndim, "norm")
    keepdim = check_bool(keepdim, "keepdim", "norm")
    if p == "fro" or p == 2:
        return Norm2.apply(x, dims, keepdim)
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise ValueError(f"norm: p must be a number or 'fro', got {p!r}")
    if p == 1:
        return x.abs().sum(dim=dims, keepdim=keepdim)
    if p == float("inf"):
        return x.abs().amax(dims, keepdim)
    if p == float("-inf"):
        return x.abs().amin(dims, keepdim)
    if p == 0:
        return wrap(np.sum(x._data != 0, axis=dims, keepdims=keepdim).astype(x.dtype))
    if p < 0:
        raise ValueError(f"norm: p must be positive (or -inf), got {p}")
    return (x.abs() ** p).sum(dim=dims, keepdim=keepdim) ** (1.0 / p)


def logsumexp(x, dim, keepdim=False):
    """log(sum(exp(x))) over ``dim``, shifted by the max so it never overflows."""
    dims = normalize_dims(dim, _tensor(x, "logsumexp").ndim, "logsumexp")
    return Logsumexp.apply(x, dims, check_bool(keepdim, "keepdim", "logsumexp"))


def _one_dim(op, x, dim):
    if dim is None:
        raise TypeError(f"{op}: dim is required (which dim to take it along)")
    return normalize_dim(dim, _tensor(x, op).ndim, op)


def softmax(x, dim):
    """exp(x) / sum(exp(x)) along ``dim`` (max-shifted: no overflow)."""
    return Softmax.apply(x, _one_dim("softmax", x, dim))


def log_softmax(x, dim):
    """x - logsumexp(x) along ``dim``."""
    return LogSoftmax.apply(x, _one_dim("log_softmax", x, dim))


def cumsum(x, dim):
    """Running sum along ``dim``."""
    return Cumsum.apply(x, _one_dim("cumsum", x, dim))


def _arg_extreme(op, arg, x, dim, keepdim):
    _tensor(x, op)
    keepdim = check_bool(keepdim, "keepdim", op)
    if x._data.size == 0:
        raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                         "Specify the reduction dim with the 'dim' argument.")
    if dim is None:
        out = np.asarray(arg(x._data))
        return wrap((out.reshape((1,) * x.ndim) if keepdim else out).astype(np.int64))
    dim = normalize_dim(dim, x.ndim, op)
    out = arg(x._data, axis=dim, keepdims=keepdim) if x.ndim else np.asarray(0)
    return wrap(np.asarray(out, dtype=np.int64))


def argmax(x, dim=None, keepdim=False):
    """Index of the maximum along ``dim`` (of the flattened tensor when None), int64."""
    return _arg_extreme("argmax", np.argmax, x, dim, keepdim)


def argmin(x, dim=None, keepdim=False):
    """Index of the minimum along ``dim`` (of the flattened tensor when None), int64."""
    return _arg_extreme("argmin", np.argmin, x, dim, keepdim)


def all(x, dim=None, keepdim=False):
    """True where every element over ``dim`` is nonzero (bool tensor)."""
    dims = normalize_dims(dim, _tensor(x, "all").ndim, "all")
    return wrap(np.all(x._data, axis=dims, keepdims=check_bool(keepdim, "keepdim", "all")))


def any(x, dim=None, keepdim=False):
    """True where some element over ``dim`` is nonzero (bool tensor)."""
    dims = normalize_dims(dim, _tensor(x, "any").ndim, "any")
    return wrap(np.any(x._data, axis=dims, keepdims=check_bool(keepdim, "keepdim", "any")))


# --------------------------------------------------------------------------- shape


def size(x, dim=None):
    """``x.shape``, or the size of one ``dim`` (negative counts from the end)."""
    if dim is None:
        return x.shape
    return x.shape[normalize_dim(dim, x.ndim, "size")] if x.ndim else 1


def _target_shape(op, x, shape):
    shape = shape_argument(shape, op)
    known = [s for s in shape if s != -1]
    if shape.count(-1) > 1 or builtins.any(s < -1 for s in shape):
        if shape.count(-1) > 1:
            raise RuntimeError(f"{op}: only one dimension can be inferred (-1), got shape {list(shape)}")
        bad = next(i for i, s in enumerate(shape) if s < -1)
        raise RuntimeError(f"{op}: invalid shape dimension {shape[bad]} at index {bad} of shape {list(shape)}")
    total = x.numel()
    count = int(np.prod(known)) if known else 1
    if -1 in shape:
        if count == 0 or total % count:
            raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {total}")
        shape = tuple(total // count if s == -1 else s for s in shape)
    elif count != total:
        raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {total}")
    return shape


def reshape(x, *shape):
    """The same values in ``shape`` (``reshape(2, 3)`` or ``reshape((2, 3))``; one -1
    allowed); a view when the memory layout allows, else a copy."""
    return Reshape.apply(x, _target_shape("reshape", _tensor(x, "reshape"), shape))


def view(x, *shape):
    """As ``reshape``, but always a view; a layout that needs a copy is refused, as torch."""
    return View.apply(x, _target_shape("view", _tensor(x, "view"), shape))


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim`` .. ``end_dim`` (inclusive) into one."""
    _tensor(x, "flatten")
    if x.ndim == 0:
        return reshape(x, 1)
    start = normalize_dim(start_dim, x.ndim, "flatten")
    end = normalize_dim(end_dim, x.ndim, "flatten")
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    merged = int(np.prod(x.shape[start : end + 1]))
    return reshape(x, x.shape[:start] + (merged,) + x.shape[end + 1 :])


def squeeze(x, dim=None):
    """Remove size-1 dims: all of them, or those among ``dim`` (others are kept, as torch)."""
    _tensor(x, "squeeze")
    dims = normalize_dims(dim, x.ndim, "squeeze")
    shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    return Reshape.apply(x, shape)


def unsqueeze(x, dim):
    """Insert a size-1 dim at ``dim`` (in [-ndim-1, ndim])."""
    _tensor(x, "unsqueeze")
    if not is_int(dim):
        raise TypeError(f"unsqueeze: dim must be an int, got {type(dim).__name__}")
    if not -x.ndim - 1 <= dim <= x.ndim:
        raise IndexError(
            f"unsqueeze: dimension out of range (expected to be in range of [{-x.ndim - 1}, "
            f"{x.ndim}], but got {dim})"
        )
    dim = dim % (x.ndim + 1)
    return Reshape.apply(x, x.shape[:dim] + (1,) + x.shape[dim:])


def expand(x, *sizes):
    """Broadcast to ``sizes`` without copying; -1 keeps a size; new dims go in front."""
    _tensor(x, "expand")
    sizes = shape_argument(sizes, "expand")
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({x.ndim})"
        )
    lead = len(sizes) - x.ndim
    target = []
    for i, size_ in enumerate(sizes):
        own = x.shape[i - lead] if i >= lead else None
        if size_ == -1:
            if own is None:
                raise RuntimeError(f"expand: -1 is not allowed in a new leading dimension ({i})")
            size_ = own
        elif own is not None and own != 1 and own != size_:
            raise RuntimeError(
                f"expand: The expanded size of the tensor ({size_}) must match the existing size "
                f"({own}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor "
                f"sizes: {list(x.shape)}"
            )
        target.append(size_)
    target = tuple(target)
    if target == x.shape:
        return x
    return Expand.apply(x, target)


def sum_to_size(x, *shape):
    """Sum the broadcast dims of ``x`` so that it has ``shape`` (the adjoint of expand)."""
    shape = shape_argument(shape, "sum_to_size")
    if tuple(x.shape) == shape:
        return x
    if broadcast_shapes("sum_to_size", shape, x.shape) != x.shape:
        raise RuntimeError(f"sum_to_size: size {list(shape)} is not expandable to size {list(x.shape)}")
    return SumTo.apply(x, shape)


def repeat(x, *repeats):
    """Tile ``repeats[i]`` times along dim i (as numpy's ``tile``; needs len(repeats) >= ndim)."""
    _tensor(x, "repeat")
    repeats = shape_argument(repeats, "repeat")
    if len(repeats) < x.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
        )
    if builtins.any(r < 0 for r in repeats):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {list(repeats)}")
    return Repeat.apply(x, repeats)


def permute(x, *dims):
    """Reorder the dims: dim i of the result is dim ``dims[i]`` of ``x``."""
    _tensor(x, "permute")
    dims = shape_argument(dims, "permute")
    if len(dims) != x.ndim:
        raise RuntimeError(
            f"permute: number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    normalized = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError(f"permute: repeated dim in {list(dims)}")
    if normalized == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, normalized)


def transpose(x, *dims):
    """Swap two dims, ``transpose(x, dim0, dim1)``, as torch (numpy's full permutation is
    ``permute``)."""
    _tensor(x, "transpose")
    if len(dims) != 2 or isinstance(dims[0], (tuple, list)):
        raise TypeError(
            f"transpose(dim0, dim1) swaps two dims, as in torch; got {dims!r}. For a full "
            "permutation of the dims (numpy's transpose(axes)) use permute(*dims); for a "
            "matrix's transpose use .T or .mT"
        )
    if x.ndim < 2 and builtins.all(d in (0, -1) for d in dims):
        return x
    first, second = (normalize_dim(d, x.ndim, "transpose") for d in dims)
    order = list(range(x.ndim))
    order[first], order[second] = order[second], order[first]
    return permute(x, *order)


swapaxes = transpose


def matrix_transpose(x):
    """Swap the last two dims (``x.mT``)."""
    _tensor(x, "mT")
    if x.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {x.ndim}-D tensor.")
    return transpose(x, -2, -1)


def flip(x, *dims):
    """Reverse the order of elements along ``dims``."""
    dims = normalize_dims(shape_argument(dims, "flip"), _tensor(x, "flip").ndim, "flip")
    return Flip.apply(x, dims)


def getitem(x, index):
    """numpy indexing: ints, slices with a positive step, None, ..., integer and bool arrays."""
    check_index_steps(index)
    return GetItem.apply(x, index)


def setitem(x, index, value):
    """``x[index] = value`` in place (recorded on computed tensors), and return ``x``."""
    value = _operand(value)
    if not isinstance(value, Tensor):
        if not isinstance(value, (int, float)):
            raise TypeError(f"setitem: the value must be a number or a Tensor, got {type(value).__name__} {value!r}")
        value = wrap(np.asarray(value, dtype=x.dtype))
    check_index_steps(index)
    try:
        target_shape = x.data[index].shape
    except IndexError as error:
        raise IndexError(index_message(error, x.shape)) from None
    check_fits(target_shape, value.shape, "setitem")
    return x._inplace(SetItem, value, index)


def cat(tensors, dim=None, *, axis=None):
    """Join tensors along an existing ``dim`` (default 0); gradients are cut back into the
    pieces."""
    parts = _tensor_list(tensors, "cat")
    dim = pick_dim("cat", dim, axis, 0)
    if builtins.any(p.ndim == 0 for p in parts):
        position = next(i for i, p in enumerate(parts) if p.ndim == 0)
        raise RuntimeError(f"cat: zero-dimensional tensor (at position {position}) cannot be concatenated")
    dim = normalize_dim(dim, parts[0].ndim, "cat")
    for i, part in enumerate(parts):
        if part.ndim != parts[0].ndim or builtins.any(
            a != b for d, (a, b) in enumerate(zip(part.shape, parts[0].shape)) if d != dim
        ):
            if part.ndim != parts[0].ndim:
                raise ShapeError(
                    f"cat: Tensors must have same number of dimensions: got {parts[0].ndim} and {part.ndim} "
                    f"(tensor 0 has shape {tuple(parts[0].shape)} and tensor {i} has shape {tuple(part.shape)})"
                )
            d = next(d for d in range(part.ndim) if d != dim and part.shape[d] != parts[0].shape[d])
            raise ShapeError(
                f"cat: Sizes of tensors must match except in dimension {dim}. Expected size "
                f"{parts[0].shape[d]} but got size {part.shape[d]} for tensor number {i} in the list "
                f"(tensor 0 has shape {tuple(parts[0].shape)} and tensor {i} has shape {tuple(part.shape)})"
            )
    return Concatenate.apply(dim, *parts)


concatenate = cat


def stack(tensors, dim=None, *, axis=None):
    """Join same-shaped tensors along a new ``dim`` (default 0)."""
    parts = _tensor_list(tensors, "stack")
    dim = pick_dim("stack", dim, axis, 0)
    for i, part in enumerate(parts):
        if part.shape != parts[0].shape:
            raise ShapeError(
                f"stack expects each tensor to be equal size, but got {list(parts[0].shape)} at "
                f"entry 0 and {list(part.shape)} at entry {i}"
            )
    if not is_int(dim) or not -parts[0].ndim - 1 <= dim <= parts[0].ndim:
        raise IndexError(
            f"stack: dimension out of range (expected to be in range of [{-parts[0].ndim - 1}, "
            f"{parts[0].ndim}], but got {dim})"
        )
    return Stack.apply(dim % (parts[0].ndim + 1), *parts)


def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        if op == "cat":
            raise ValueError("cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def split(x, split_size_or_sections, dim=0):
    """Split along ``dim``: into pieces of ``split_size`` (the last may be smaller), or of
    the sizes in a list (which must add up to the dim's size)."""
    dim = normalize_dim(dim, _tensor(x, "split").ndim, "split")
    length = x.shape[dim]
    if is_int(split_size_or_sections):
        if split_size_or_sections <= 0:
            if split_size_or_sections == 0 and length == 0:
                return (x,)
            raise RuntimeError(
                f"split: split_size can only be 0 if dimension size is 0, but got dimension size of {length}"
                if split_size_or_sections == 0 else f"split: split_size must be positive, got {split_size_or_sections}"
            )
        sizes = [split_size_or_sections] * (length // split_size_or_sections)
        if length % split_size_or_sections or not sizes:
            sizes.append(length % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != length or builtins.any(not is_int(s) or s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={sizes}"
            )
    lead = (slice(None),) * dim
    pieces, start = [], 0
    for size_ in sizes:
        pieces.append(getitem(x, lead + (slice(start, start + size_),)))
        start += size_
    return tuple(pieces)


def chunk(x, chunks, dim=0):
    """Split into ``chunks`` pieces of ceil(n / chunks) along ``dim`` (fewer if n is small)."""
    if not is_int(chunks) or chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = normalize_dim(dim, _tensor(x, "chunk").ndim, "chunk")
    step = -(-x.shape[dim] // chunks) if x.shape[dim] else 1
    return split(x, step, dim)


def gather(x, dim, index):
    """``out[i][j] = x[i][index[i][j]]`` for dim 1 (any dim), as ``torch.gather``: ``index``
    is an int64 tensor with x's number of dims, no larger than x except along ``dim``."""
    dim = normalize_dim(dim, _tensor(x, "gather").ndim, "gather")
    index = np.asarray(index._data if isinstance(index, Tensor) else index)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {index.dtype}")
    if index.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d, (i_size, x_size) in enumerate(zip(index.shape, x.shape)):
        if d != dim and i_size > x_size:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                f"smaller than self {list(x.shape)} apart from dimension {dim}"
            )
    if index.size and (index.min() < -x.shape[dim] or index.max() >= x.shape[dim]):
        index_values = np.asarray(index._data if isinstance(index, Tensor) else index)
        bad = index_values[(index_values < -x.shape[dim]) | (index_values >= x.shape[dim])].flat[0]
        raise IndexError(f"gather: index {bad} is out of bounds for dimension {dim} with size {x.shape[dim]}")
    return Gather.apply(x, dim, index % builtins.max(x.shape[dim], 1))


def random_values(kind, shape, a, b):
    """Draws for ``uniform_``/``normal_`` from the library generator."""
    generator = _random.default_generator()
    if kind == "uniform":
        return generator.uniform(a, b, size=shape)
    if b < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {b}")
    return generator.normal(a, b, size=shape)
