"""Input checking shared by the ops: every bad argument becomes an error naming the problem.

The ops call these before touching any data, so a mistake surfaces as a sentence about the
caller's shapes, dims or dtypes instead of a numpy traceback from deep inside.
"""

import numpy as np

class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit together (broadcasting, a layer's input width, a target's shape).

    Both a ``ValueError`` (what numpy code catches) and a ``RuntimeError`` (what torch raises
    for the same mistakes, so code written against torch catches it too). Only real shape
    mismatches raise it; any other bad value stays a plain ``ValueError``.
    """


# numpy dtype kinds a Tensor may hold: float, signed int, unsigned int, bool.
NUMERIC_KINDS = "fiub"
_KIND_NAMES = {
    "c": "a complex dtype",
    "O": "an object array (a value too large for int64, or a ragged list?)",
    "U": "string data",
    "S": "bytes data",
    "M": "datetime data",
    "m": "timedelta data",
    "V": "structured/void data",
}


def refuse_non_numeric(dtype, where, hint=""):
    """Raise TypeError unless ``dtype`` is a real number or bool dtype."""
    if dtype.kind not in NUMERIC_KINDS:
        problem = _KIND_NAMES.get(dtype.kind, "a non-numeric dtype")
        raise TypeError(f"{where}: got {problem} ({dtype}); only real numbers are supported{hint}")


def is_int(value):
    """True for Python and numpy integers, but not bools."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_bool(value, name, op):
    """Refuse anything but a bool for a flag (a truthy string like 'False' is a mistake)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}: {name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def normalize_dim(dim, ndim, op):
    """One dim as a non-negative int; negative dims count from the end, as in torch."""
    if not is_int(dim):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} {dim!r}")
    bound = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1, as torch does
    if not -bound <= dim < bound:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-bound}, {bound - 1}], "
            f"but got {dim})"
        )
    return int(dim) % bound if ndim else 0


def normalize_dims(dim, ndim, op):
    """``dim`` (None: all, an int, or a tuple/list of ints) as a sorted tuple of dims."""
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    normalized = [normalize_dim(d, ndim, op) for d in dims]
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: dim {dim!r} appears more than once in the list of dims")
    if ndim == 0:
        return ()
    return tuple(sorted(normalized))


def pick_dim(op, dim, axis, default=None):
    """torch's ``dim`` with numpy's ``axis`` as an alias; refuse both at once."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: got both dim={dim!r} and its numpy alias axis={axis!r}")
        return axis
    return default if dim is None else dim


def pick_keepdim(op, keepdim, keepdims):
    """torch's ``keepdim`` with numpy's ``keepdims`` as an alias."""
    if keepdims is not None:
        return check_bool(keepdims, "keepdims", op)
    return check_bool(keepdim, "keepdim", op)


def shape_argument(shape, op):
    """``f(2, 3)`` or ``f((2, 3))`` as a tuple of ints (sizes may be -1 where allowed)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for size in shape:
        if not is_int(size):
            raise TypeError(
                f"{op}: sizes must be ints, got {type(size).__name__} {size!r} in {tuple(shape)}"
            )
    return tuple(int(size) for size in shape)


def _mismatch(a, b):
    """(size in a, size in b, dim) of the last dim where ``a`` and ``b`` cannot broadcast."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for dim in reversed(range(n)):
        if a[dim] != b[dim] and 1 not in (a[dim], b[dim]):
            return a[dim], b[dim], dim
    return None


def broadcast_shapes(op, *shapes):
    """The broadcast shape of ``shapes``, or a `ShapeError` in torch's words naming them."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        listed = " and ".join(str(tuple(s)) for s in shapes)
        running = tuple(shapes[0])
        for shape in shapes[1:]:
            found = _mismatch(running, shape)
            if found:
                size_a, size_b, dim = found
                raise ShapeError(
                    f"{op}: shapes {listed} cannot be broadcast together: The size of tensor a "
                    f"({size_a}) must match the size of tensor b ({size_b}) at non-singleton "
                    f"dimension {dim}"
                ) from None
            running = np.broadcast_shapes(running, shape)
        raise ShapeError(f"{op}: shapes {listed} cannot be broadcast together") from None


def check_fits(target_shape, value_shape, op):
    """Refuse a value that does not broadcast to ``target_shape`` (an in-place write, a copy)
    with a `ShapeError` in torch's words."""
    target_shape, value_shape = tuple(target_shape), tuple(value_shape)
    try:
        fits = np.broadcast_shapes(target_shape, value_shape) == target_shape
    except ValueError:
        fits = False
    if fits:
        return
    found = _mismatch(target_shape, value_shape)
    where = (f"The expanded size of the tensor ({found[0]}) must match the existing size ({found[1]}) "
             f"at non-singleton dimension {found[2]}.  " if found else "")
    raise ShapeError(
        f"{op}: {where}Target sizes: {list(target_shape)}.  Tensor sizes: {list(value_shape)} (a value "
        "must broadcast to the shape it is written into)"
    )
