"""The Tensor: a numpy array that records the ops applied to it, for reverse-mode autodiff.

A Tensor holds its values (``data``, a numpy array), its accumulated gradient (``grad``, a
numpy array or None) and, when an op computed it while recording, the graph node of that
op (``grad_fn``). The ops themselves, each forward next to its derivative, live in
``minigrad.ops``; the methods below only dispatch to them. The backward pass lives in
``minigrad.autograd``.
"""

import numpy as np

from . import grad_mode
from .checks import is_int, refuse_non_numeric

_LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)


def _to_array(data, dtype, integers_to_float):
    """Constructor input as a private numeric ndarray (always a copy)."""
    if isinstance(data, Tensor):
        data = data._data
    try:
        array = np.asarray(data)
    except ValueError as error:  # nested lists of different lengths
        raise ValueError(
            f"Tensor: ragged nested sequence: every row must have the same length ({error})"
        ) from None
    except OverflowError as error:
        raise ValueError(f"Tensor: Overflow: a value is too large for int64 ({error})") from None
    if (array.dtype.kind == "f" and not integers_to_float and dtype is None and isinstance(data, (list, tuple))
            and array.size and np.abs(array).max() >= 2.0 ** 63):
        # numpy turns [2**63, -1] into floats; as torch, integer data that int64 cannot hold is an error
        _python_numbers(np.array(data, dtype=object), to_float=False)
    if array.dtype.kind == "O":
        to_float = (integers_to_float and dtype is None) or (dtype is not None and np.dtype(dtype).kind == "f")
        if _python_numbers(array, to_float):  # ints beyond int64 made into floats
            array = array.astype(np.float64)
    refuse_non_numeric(array.dtype, "Tensor", " (to combine a list of Tensors use minigrad.stack)")
    if dtype is not None:
        dtype = np.dtype(dtype)
        refuse_non_numeric(dtype, "Tensor(dtype=...)")
    elif integers_to_float and array.dtype.kind != "f":
        dtype = np.dtype(np.float64)
    return np.array(array, dtype=dtype, copy=True)


def _python_numbers(array, to_float):
    """Whether an object array holds only Python numbers (ints too large for int64, which a
    float result can hold, as ``Tensor([2**70])``); None and, for an integer result, a
    too-large int are named here; other objects are left to the dtype check."""
    for value in array.flat:
        if value is None:
            raise TypeError("Tensor: Could not infer dtype of NoneType (the data contains None)")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if not to_float and isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
            raise ValueError(
                f"Tensor: Overflow: the value {value} is too large for int64 (at most 2**63 - 1); "
                "pass it as a float"
            )
    return True


def _int64_or_overflow(array):
    """Integer data as int64, refusing uint64 values that int64 cannot hold (no wrap-around)."""
    if array.dtype == np.uint64 and array.size and array.max() > np.iinfo(np.int64).max:
        raise ValueError(
            f"Tensor: Overflow: the value {int(array.max())} is too large for int64 (at most "
            "2**63 - 1); pass it as a float"
        )
    return array.astype(np.int64)


def wrap(array):
    """Wrap an ndarray as a leaf tensor without copying or validating it (internal)."""
    out = Tensor.__new__(Tensor)
    out._data = array if type(array) is np.ndarray else np.asarray(array)
    out._grad = None
    out._requires_grad = False
    out._ctx = None
    out._base = None
    out._version_count = 0
    return out


def _operand(value):
    """An op's other operand: Tensors as they are, Python numbers as weak scalars (they take
    the tensor's dtype), numpy scalars as Python numbers, anything else as a constant Tensor."""
    if isinstance(value, (Tensor, int, float)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"expected a Tensor or a number as the other operand, got {type(value).__name__} {value!r}")
    return Tensor(value)


def _numpy_operators():
    """The ufuncs behind numpy's operators, as the Tensor ops they mean."""
    return {
        np.add: ops.add, np.subtract: ops.sub, np.multiply: ops.mul, np.true_divide: ops.div,
        np.power: ops.pow, np.matmul: ops.matmul, np.less: ops.lt, np.less_equal: ops.le,
        np.greater: ops.gt, np.greater_equal: ops.ge, np.equal: ops.eq, np.not_equal: ops.ne,
    }


def _index_data(index):
    """Replace Tensors inside an index by their arrays (numpy cannot index with them)."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(_index_data(part) for part in index)
    if isinstance(index, list):
        return np.asarray([_index_data(part) for part in index])
    return index


class Tensor:
    """An n-dimensional array of real numbers that can record how it was computed.

    ``Tensor(data, requires_grad=False, dtype=None)`` copies ``data`` (anything
    ``numpy.asarray`` accepts, or another Tensor). As ``torch.Tensor(...)``, it makes floats:
    float input keeps its dtype (float32 stays float32) and integer and bool input becomes
    float64 unless ``dtype`` is given; ``minigrad.tensor(data)`` keeps integers and bools, as
    ``torch.tensor``. Complex, object and string data is refused. Only floating-point
    tensors may require grad.

    - ``data``: the values, a numpy ndarray, updated in place by optimizers. Assigning an
      ndarray rebinds it; assigning a Tensor copies its values into the same array (so
      ``p.data -= lr * g`` with Tensor operands works). Changes through ``data`` bypass
      autograd's checks, as in torch.
    - ``grad``: d loss / d self accumulated by ``backward()``: an ndarray shaped like
      ``data`` with its dtype, or None.
    - ``grad_fn``: the graph node of the op that computed this tensor (None for leaves).

    Ops return plain Tensors (also for subclasses such as ``nn.Parameter``). Binary ops
    broadcast; comparisons are elementwise and return bool tensors; tensors hash by
    identity, so they can be dictionary keys. In-place ops (``+=``, ``add_``, ``t[i] = v``)
    follow torch's rules: refused on a leaf that requires grad unless under ``no_grad()``,
    recorded on computed tensors, and checked by a version counter.
    """

    __slots__ = ("_data", "_grad", "_requires_grad", "_ctx", "_base", "_version_count", "__weakref__")

    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        """numpy operators meeting a Tensor. Into an ndarray (``p.data -= lr * step`` with
        a Tensor step): numpy's in-place op on the arrays, not recorded, as writing through
        ``.data`` in torch. Otherwise ``ndarray * tensor``, ``ndarray < tensor``, ... are the
        Tensor ops (recorded); other numpy functions of Tensors are refused (TypeError)."""
        arrays_out = out is not None and all(type(o) is np.ndarray for o in out)
        if method == "__call__" and arrays_out:
            arrays = [value._data if isinstance(value, Tensor) else value for value in inputs]
            return ufunc(*arrays, out=out, **kwargs)
        operator = _numpy_operators().get(ufunc)
        if method != "__call__" or out is not None or kwargs or operator is None:
            return NotImplemented
        return operator(*inputs)

    def __init__(self, data, requires_grad=False, dtype=None):
        self._data = _to_array(data, dtype, integers_to_float=True)
        self._grad = None
        self._requires_grad = False
        self._ctx = None
        self._base = None
        self._version_count = 0
        self.requires_grad = requires_grad

    # ------------------------------------------------------------------ attributes

    @property
    def data(self):
        """The values, a numpy ndarray (shared, not copied: in-place updates are seen)."""
        return self._data

    @data.setter
    def data(self, value):
        if value is self._data:  # ``t.data -= step`` on the array assigns it back
            return
        if isinstance(value, Tensor):
            value = value._data
            if value.shape == self._data.shape and self._data.flags.writeable:
                np.copyto(self._data, value, casting="same_kind")
                return
            value = np.array(value, dtype=self._data.dtype if value.dtype.kind == "f" else None)
        if not isinstance(value, np.ndarray):
            raise TypeError(
                f"Tensor.data must be a numpy ndarray or a Tensor, got {type(value).__name__}"
            )
        refuse_non_numeric(value.dtype, "Tensor.data")
        if self._requires_grad and value.dtype.kind != "f":
            raise TypeError(
                f"Tensor.data: a tensor that requires grad needs floating-point data, got {value.dtype}"
            )
        self._data = value

    @property
    def grad(self):
        """Accumulated d loss / d self: an ndarray shaped like ``data``, or None."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if isinstance(value, Tensor):
            value = value._data
        if value is None or value is self._grad:
            self._grad = value
            return
        if not isinstance(value, np.ndarray):
            raise TypeError(f"Tensor.grad must be a numpy ndarray or None, got {type(value).__name__}")
        if value.shape != self._data.shape:
            raise ValueError(
                f"Tensor.grad must have the tensor's shape {self._data.shape}, got {value.shape}"
            )
        if value.dtype != self._data.dtype:
            raise TypeError(
                f"Tensor.grad must have the tensor's dtype {self._data.dtype}, got {value.dtype}"
            )
        self._grad = value

    @property
    def requires_grad(self):
        """Whether ops on this tensor are recorded so that ``backward`` can reach it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"requires_grad must be a bool, got {type(value).__name__} {value!r}")
        value = bool(value)
        if self._ctx is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self._data.dtype}"
            )
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return self (torch's spelling)."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors not computed by a recorded op (backward fills their ``.grad``)."""
        return self._ctx is None

    @property
    def grad_fn(self):
        """The graph node of the op that computed this tensor (names the op and its inputs),
        or None for a leaf."""
        return self._ctx

    @property
    def _op(self):
        """The recorded op's short name (``"mul"``, ``"matmul"``), or None for a leaf."""
        return None if self._ctx is None else self._ctx.name

    @property
    def _parents(self):
        """The recorded op's input tensors, Python-number operands as constant tensors (for
        drawing the graph; empty for a leaf)."""
        if self._ctx is None:
            return ()
        return self._ctx.input_tensors()

    @property
    def _version(self):
        """How many in-place changes this tensor (or a view sharing its memory) has seen."""
        return self._version_now()

    def _version_now(self):
        return self._base._version_count if self._base is not None else self._version_count

    def _bump_version(self):
        if self._base is not None:
            self._base._version_count += 1
        else:
            self._version_count += 1

    @property
    def shape(self):
        """The shape tuple (torch's ``size()``)."""
        return self._data.shape

    @property
    def ndim(self):
        """The number of dimensions."""
        return self._data.ndim

    @property
    def dtype(self):
        """The numpy dtype of ``data``."""
        return self._data.dtype

    @property
    def T(self):
        """The tensor with its dims reversed (for a matrix, its transpose)."""
        return ops.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self):
        """A batch of matrices with the last two dims swapped."""
        return ops.matrix_transpose(self)

    def size(self, dim=None):
        """The shape as a tuple, or the size of one ``dim``, as ``torch.Tensor.size``."""
        return ops.size(self, dim)

    def numel(self):
        """The number of elements."""
        return int(self._data.size)

    def dim(self):
        """The number of dimensions (as ``ndim``)."""
        return self._data.ndim

    def item(self):
        """The single element as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar "
                f"(item() needs exactly one element; shape {self.shape})"
            )
        return self._data.item()

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return self._data.tolist()

    def numpy(self):
        """The values as a numpy ndarray (the same array as ``data``, not a copy)."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead (or tensor.data, the same array)."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self._data if dtype is None else self._data.astype(dtype)
        return array.copy() if copy else array

    def __float__(self):
        if self._data.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars (this one has "
                f"{self._data.size} elements)"
            )
        return float(self._data.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def to(self, dtype):
        """A copy with another dtype (the tensor itself if it already has it), recorded so
        gradients flow back in the original dtype; ``dtype`` may be a tensor (its dtype) or
        the device ``"cpu"`` (no change)."""
        return ops.to_dtype(self, dtype)

    def float(self):
        """``to(float32)``."""
        return self.to(np.float32)

    def double(self):
        """``to(float64)``."""
        return self.to(np.float64)

    def long(self):
        """``to(int64)`` (no gradient flows through integers)."""
        return self.to(np.int64)

    def type_as(self, other):
        """``to(other.dtype)``."""
        return self.to(other.dtype)

    def clone(self):
        """A copy with its own memory; the gradient flows through to self."""
        return ops.clone(self)

    def detach(self):
        """A new leaf sharing ``data`` (and its version counter) that requires no grad."""
        out = wrap(self._data)
        out._base = self._base if self._base is not None else self
        return out

    def detach_(self):
        """Make this tensor a leaf that requires no grad (in place), and return it."""
        if self._base is not None and self._ctx is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._ctx = None
        self._requires_grad = False
        return self

    def zero_grad(self, set_to_none=True):
        """Clear the accumulated gradient: set it to None, or fill it with zeros in place."""
        if set_to_none:
            self._grad = None
        elif self._grad is not None:
            self._grad.fill(0)

    def retain_grad(self):
        """Make ``backward`` also store this non-leaf tensor's gradient in ``.grad``."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._ctx is not None:
            autograd.retain(self)

    @property
    def retains_grad(self):
        """True for a non-leaf tensor after ``retain_grad()``."""
        return self._ctx is not None and autograd.is_retained(self)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None, *, grad=None):
        """Accumulate d self / d leaf into ``.grad`` of every leaf that requires grad.

        ``gradient`` is d loss / d self, shaped like self (``grad`` is an alias); it defaults
        to 1 for a one-element tensor. Gradients add to existing ``.grad`` (call
        ``zero_grad`` between steps). The graph's saved values are released afterwards unless
        ``retain_graph`` (default: ``create_graph``). With ``create_graph=True`` the backward
        pass is itself recorded; the differentiable gradients are what
        ``minigrad.autograd.grad`` returns (``.grad`` stays a numpy array). ``inputs``
        restricts accumulation to those tensors.
        """
        if grad is not None:
            if gradient is not None:
                raise TypeError("backward: got both gradient and its alias grad")
            gradient = grad
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    def __repr__(self):
        name = "tensor" if type(self) is Tensor else type(self).__name__
        prefix = name + "("
        parts = [np.array2string(self._data, separator=", ", prefix=prefix)]
        if self.dtype != np.float64:
            parts.append(f"dtype={self.dtype}")
        if self._ctx is not None:
            parts.append(f"grad_fn=<{self._ctx.name}>")
        elif self._requires_grad:
            parts.append("requires_grad=True")
        return prefix + ", ".join(parts) + ")"

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous ({self._data.size} elements)"
            )
        return bool(self._data.item())

    # ------------------------------------------------------------------ arithmetic
    # The operators apply the op directly (``ops.Add.apply``, what ``ops.add`` does): self
    # is already a Tensor, and these run for every term of every formula, forward and
    # backward, so the extra call and operand check of the functional form add up.

    def __add__(self, other):
        return ops.Add.apply(self, _operand(other))

    def __radd__(self, other):
        return ops.Add.apply(_operand(other), self)

    def __sub__(self, other):
        return ops.Sub.apply(self, _operand(other))

    def __rsub__(self, other):
        return ops.Sub.apply(_operand(other), self)

    def __mul__(self, other):
        return ops.Mul.apply(self, _operand(other))

    def __rmul__(self, other):
        return ops.Mul.apply(_operand(other), self)

    def __truediv__(self, other):
        return ops.Div.apply(self, _operand(other))

    def __rtruediv__(self, other):
        return ops.Div.apply(_operand(other), self)

    def __pow__(self, other):
        return ops.Pow.apply(self, _operand(other))

    def __rpow__(self, other):
        return ops.Pow.apply(_operand(other), self)

    def __matmul__(self, other):
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __neg__(self):
        return ops.neg(self)

    def __abs__(self):
        return ops.abs(self)

    # in place: the same object and the same array, as torch
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # ------------------------------------------------------------------ comparisons

    def __lt__(self, other):
        return ops.lt(self, other)

    def __le__(self, other):
        return ops.le(self, other)

    def __gt__(self, other):
        return ops.gt(self, other)

    def __ge__(self, other):
        return ops.ge(self, other)

    def __eq__(self, other):
        return ops.eq(self, other)

    def __ne__(self, other):
        return ops.ne(self, other)

    def __invert__(self):
        return ops.logical_not(self)

    def __and__(self, other):
        return ops.logical_and(self, other)

    def __or__(self, other):
        return ops.logical_or(self, other)

    # ------------------------------------------------------------------ indexing

    def __getitem__(self, index):
        return ops.getitem(self, _index_data(index))

    def __setitem__(self, index, value):
        ops.setitem(self, _index_data(index), value)

    # ------------------------------------------------------------------ in place

    def _inplace(self, function, *arguments):
        """Apply ``function(self, *arguments)`` and write the result into self's array.

        Recorded (self adopts the op's node) when grad mode is on and self or an argument
        requires grad; plain numpy otherwise (as under ``no_grad()``, how optimizers
        written from scratch update parameters).
        """
        record = False
        if grad_mode._grad_enabled.get():
            if self._requires_grad and self._ctx is None:
                raise RuntimeError(_LEAF_INPLACE)
            base = self._base
            # a detached tensor shares the leaf's memory but is not part of its graph
            if base is not None and self._requires_grad and base._requires_grad and base._ctx is None:
                raise RuntimeError(_VIEW_OF_LEAF_INPLACE)
            record = self._requires_grad or any(
                isinstance(a, Tensor) and a._requires_grad for a in arguments
            )
        if not record:
            from .function import _UNRECORDED

            arrays = [a._data if isinstance(a, Tensor) else a for a in arguments]
            result = function.forward(_UNRECORDED, self._data, *arrays)
            self._write_inplace(function.name, result)
            self._bump_version()
            return self
        if self._base is not None:
            raise RuntimeError(
                f"{function.name}: an in-place operation on a view of a tensor that requires grad "
                "is not supported in minigrad; assign through the base tensor instead "
                "(x[index] = new_values is recorded), or use an out-of-place op"
            )
        previous = wrap(self._data.copy())
        previous._requires_grad = self._requires_grad
        previous._ctx = self._ctx
        if previous._ctx is not None:  # ops that read self before now read previous's value
            previous._ctx._moved_to(previous)
        result = function.apply(previous, *arguments)
        self._write_inplace(function.name, result._data)
        self._bump_version()
        ctx = result._ctx
        self._ctx = ctx
        self._requires_grad = True
        if ctx._output is not None:  # the output saved for backward is now self
            import weakref

            ctx._output = (ctx._output[0], weakref.ref(self), self._version_now())
        return self

    def _write_inplace(self, op, result):
        result = np.asarray(result)
        if result.shape != self._data.shape:
            raise RuntimeError(
                f"{op}_: output with shape {list(self._data.shape)} doesn't match the broadcast "
                f"shape {list(result.shape)}"
            )
        if not np.can_cast(result.dtype, self._data.dtype, casting="same_kind"):
            raise RuntimeError(
                f"{op}_: result type {result.dtype} can't be cast to the desired output type "
                f"{self._data.dtype}"
            )
        if not self._data.flags.writeable:
            raise RuntimeError(
                f"{op}_: this tensor's memory is read-only (an expand()ed view or a read-only "
                "array); clone() it first"
            )
        np.copyto(self._data, result, casting="same_kind")

    def add_(self, other, alpha=1):
        """self += alpha * other, in place."""
        return self._inplace(ops.Add, _operand(other) if alpha == 1 else ops.mul(other, alpha))

    def sub_(self, other, alpha=1):
        """self -= alpha * other, in place."""
        return self._inplace(ops.Sub, _operand(other) if alpha == 1 else ops.mul(other, alpha))

    def mul_(self, other):
        """self *= other, in place."""
        return self._inplace(ops.Mul, _operand(other))

    def div_(self, other):
        """self /= other, in place."""
        return self._inplace(ops.Div, _operand(other))

    def pow_(self, exponent):
        """self **= exponent, in place."""
        return self._inplace(ops.Pow, _operand(exponent))

    def neg_(self):
        """self = -self, in place."""
        return self._inplace(ops.Neg)

    def clamp_(self, min=None, max=None):
        """Clamp into [min, max], in place."""
        ops.check_clamp_bounds(min, max)
        return self._inplace(ops.Clamp, min, max)

    def copy_(self, source):
        """Copy ``source``'s values (broadcast to self's shape) into self, in place."""
        return ops.setitem(self, Ellipsis, source)

    def fill_(self, value):
        """Set every element to ``value`` (a number or a one-element 0-d tensor), in place."""
        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions."
            )
        return ops.setitem(self, Ellipsis, value)

    def zero_(self):
        """Set every element to 0, in place."""
        return ops.setitem(self, Ellipsis, 0)

    def uniform_(self, a=0.0, b=1.0):
        """Fill with draws from U(a, b) of the library generator (``manual_seed``), in place."""
        if a > b:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
        return ops.setitem(self, Ellipsis, ops.random_values("uniform", self.shape, a, b))

    def normal_(self, mean=0.0, std=1.0):
        """Fill with draws from N(mean, std**2) of the library generator, in place."""
        return ops.setitem(self, Ellipsis, ops.random_values("normal", self.shape, mean, std))

    # ------------------------------------------------------------------ elementwise

    def neg(self):
        """-x."""
        return ops.neg(self)

    def exp(self):
        """e**x."""
        return ops.exp(self)

    def log(self):
        """Natural logarithm."""
        return ops.log(self)

    def log1p(self):
        """log(1 + x)."""
        return ops.log1p(self)

    def expm1(self):
        """e**x - 1."""
        return ops.expm1(self)

    def sqrt(self):
        """Square root."""
        return ops.sqrt(self)

    def square(self):
        """x**2."""
        return ops.square(self)

    def abs(self):
        """|x|."""
        return ops.abs(self)

    def sin(self):
        """Sine."""
        return ops.sin(self)

    def erf(self):
        """The error function."""
        return ops.erf(self)

    def cos(self):
        """Cosine."""
        return ops.cos(self)

    def tanh(self):
        """Hyperbolic tangent."""
        return ops.tanh(self)

    def sigmoid(self):
        """Logistic sigmoid 1 / (1 + e**-x)."""
        return ops.sigmoid(self)

    def relu(self):
        """max(x, 0)."""
        return ops.relu(self)

    def sign(self):
        """-1, 0 or +1."""
        return ops.sign(self)

    def floor(self):
        """Round down."""
        return ops.floor(self)

    def ceil(self):
        """Round up."""
        return ops.ceil(self)

    def round(self):
        """Round to nearest, halves to even."""
        return ops.round(self)

    def trunc(self):
        """Round toward zero."""
        return ops.trunc(self)

    def clamp(self, min=None, max=None):
        """min(max(x, min), max)."""
        return ops.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        """Elementwise max with ``other``."""
        return ops.maximum(self, other)

    def minimum(self, other):
        """Elementwise min with ``other``."""
        return ops.minimum(self, other)

    def pow(self, exponent):
        """self ** exponent."""
        return ops.pow(self, exponent)

    def add(self, other, alpha=1):
        """self + alpha * other."""
        return ops.add(self, other, alpha)

    def sub(self, other, alpha=1):
        """self - alpha * other."""
        return ops.sub(self, other, alpha)

    def mul(self, other):
        """self * other."""
        return ops.mul(self, other)

    def div(self, other):
        """self / other."""
        return ops.div(self, other)

    def matmul(self, other):
        """self @ other."""
        return ops.matmul(self, other)

    def lt(self, other):
        """self < other (bool tensor)."""
        return ops.lt(self, other)

    def le(self, other):
        """self <= other (bool tensor)."""
        return ops.le(self, other)

    def gt(self, other):
        """self > other (bool tensor)."""
        return ops.gt(self, other)

    def ge(self, other):
        """self >= other (bool tensor)."""
        return ops.ge(self, other)

    def eq(self, other):
        """self == other (bool tensor)."""
        return ops.eq(self, other)

    def ne(self, other):
        """self != other (bool tensor)."""
        return ops.ne(self, other)

    def isnan(self):
        """True where NaN."""
        return ops.isnan(self)

    def isfinite(self):
        """True where finite."""
        return ops.isfinite(self)

    def isinf(self):
        """True where infinite."""
        return ops.isinf(self)

    def logical_not(self):
        """Elementwise NOT."""
        return ops.logical_not(self)

    def logical_and(self, other):
        """Elementwise AND."""
        return ops.logical_and(self, other)

    def logical_or(self, other):
        """Elementwise OR."""
        return ops.logical_or(self, other)

    # ------------------------------------------------------------------ reductions

    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Sum over ``dim`` (None: all; an int or a tuple)."""
        return ops.sum(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Mean over ``dim``; NaN over zero elements, as torch."""
        return ops.mean(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def prod(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Product over ``dim``."""
        return ops.prod(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The maximum; with an int ``dim``, the named tuple ``(values, indices)``, as torch;
        with a Tensor, the elementwise ``maximum``."""
        return ops.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The minimum; with an int ``dim``, the named tuple ``(values, indices)``."""
        return ops.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=(), keepdim=False):
        """Maximum over ``dim`` (default all); ties share the gradient evenly."""
        return ops.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        """Minimum over ``dim`` (default all); ties share the gradient evenly."""
        return ops.amin(self, dim, keepdim)

    def var(self, dim=None, *, correction=None, keepdim=False, unbiased=None, axis=None, keepdims=None):
        """Variance sum((x - mean)**2) / (N - correction), correction 1 by default."""
        return ops.var(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased, axis=axis, keepdims=keepdims)

    def std(self, dim=None, *, correction=None, keepdim=False, unbiased=None, axis=None, keepdims=None):
        """Standard deviation, the square root of ``var``."""
        return ops.std(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased, axis=axis, keepdims=keepdims)

    def norm(self, p="fro", dim=None, keepdim=False):
        """The p-norm over ``dim`` (2 / 'fro' by default; also 1, inf, -inf, 0, any p > 0)."""
        return ops.norm(self, p, dim, keepdim)

    def logsumexp(self, dim, keepdim=False):
        """log(sum(exp(x))) over ``dim``, computed without overflow."""
        return ops.logsumexp(self, dim, keepdim)

    def softmax(self, dim):
        """exp(x) / sum(exp(x)) along ``dim``."""
        return ops.softmax(self, dim)

    def log_softmax(self, dim):
        """x - logsumexp(x) along ``dim``."""
        return ops.log_softmax(self, dim)

    def cumsum(self, dim):
        """Running sum along ``dim``."""
        return ops.cumsum(self, dim)

    def argmax(self, dim=None, keepdim=False):
        """Index of the maximum (flattened when ``dim`` is None), an int64 tensor."""
        return ops.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        """Index of the minimum, an int64 tensor."""
        return ops.argmin(self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        """True where every element (over ``dim``) is nonzero (bool tensor)."""
        return ops.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        """True where some element (over ``dim``) is nonzero (bool tensor)."""
        return ops.any(self, dim, keepdim)

    # ------------------------------------------------------------------ shape

    def reshape(self, *shape):
        """The same values in ``shape`` (one -1 allowed); a view when possible."""
        return ops.reshape(self, *shape)

    def view(self, *shape):
        """As ``reshape``, but always a view (refuses layouts that would need a copy)."""
        return ops.view(self, *shape)

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dims ``start_dim`` .. ``end_dim`` into one."""
        return ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        """Remove size-1 dims (all, or the given one(s))."""
        return ops.squeeze(self, dim)

    def unsqueeze(self, dim):
        """Insert a size-1 dim at ``dim``."""
        return ops.unsqueeze(self, dim)

    def expand(self, *sizes):
        """Broadcast to ``sizes`` without copying (-1 keeps a size)."""
        return ops.expand(self, *sizes)

    def expand_as(self, other):
        """``expand(other.shape)``."""
        return ops.expand(self, other.shape)

    def sum_to_size(self, *shape):
        """Sum over broadcast dims down to ``shape`` (the adjoint of ``expand``)."""
        return ops.sum_to_size(self, *shape)

    def repeat(self, *repeats):
        """Tile ``repeats[i]`` times along dim i (copies)."""
        return ops.repeat(self, *repeats)

    def permute(self, *dims):
        """Reorder the dims: dim i of the result is dim ``dims[i]`` of self."""
        return ops.permute(self, *dims)

    def transpose(self, *dims):
        """Swap two dims: ``transpose(dim0, dim1)``, as torch."""
        return ops.transpose(self, *dims)

    def flip(self, *dims):
        """Reverse the order along ``dims``."""
        return ops.flip(self, *dims)

    def chunk(self, chunks, dim=0):
        """Split into ``chunks`` nearly equal pieces along ``dim`` (views)."""
        return ops.chunk(self, chunks, dim)

    def split(self, split_size_or_sections, dim=0):
        """Split along ``dim`` into pieces of one size, or of the given sizes (views)."""
        return ops.split(self, split_size_or_sections, dim)

    def gather(self, dim, index):
        """``out[i][j] = self[i][index[i][j]]`` for dim 1, as ``torch.gather``."""
        return ops.gather(self, dim, index)


def tensor(data, requires_grad=False, dtype=None):
    """A new tensor, as ``torch.tensor``: floats keep their dtype (float64 for Python
    floats), integers become int64 and bools bool (unless ``dtype`` is given)."""
    out = wrap(_to_array(data, dtype, integers_to_float=False))
    if dtype is None and out._data.dtype.kind in "iu" and out._data.dtype != np.int64:
        out._data = _int64_or_overflow(out._data)
    out.requires_grad = requires_grad
    return out


# The ops build on Tensor, so they are imported after it.
from . import autograd, ops  # noqa: E402
