"""The Tensor: a numpy array that records the ops applied to it, for reverse-mode autodiff.

Each op computes its result with numpy and, when any input requires grad, attaches a
closure computing the vector-Jacobian product: given g = d loss / d output, it returns
d loss / d input for every input. Binary ops return gradients in the broadcast output
shape; the backward pass (``autograd.run_backward``) sums them back to each input's shape.
"""

import math

import numpy as np

from . import autograd

# numpy dtype kinds a Tensor may hold: float, signed int, unsigned int, bool.
_NUMERIC_KINDS = "fiub"
_KIND_NAMES = {
    "c": "a complex dtype",
    "O": "an object array",
    "U": "string data",
    "S": "bytes data",
    "M": "datetime data",
    "m": "timedelta data",
    "V": "structured/void data",
}


def _refuse_non_numeric(dtype, where, hint=""):
    if dtype.kind not in _NUMERIC_KINDS:
        problem = _KIND_NAMES.get(dtype.kind, "a non-numeric dtype")
        raise TypeError(f"{where}: got {problem} ({dtype}); only real numbers are supported{hint}")


def _to_array(data, dtype):
    """Convert constructor input to a private numeric ndarray (always a copy).

    Floats keep their dtype; integers and bools become float64 unless ``dtype`` is given.
    """
    if isinstance(data, Tensor):
        data = data._data
    array = np.asarray(data)
    _refuse_non_numeric(
        array.dtype, "Tensor", " (to combine a list of Tensors use minigrad.stack)"
    )
    if dtype is not None:
        dtype = np.dtype(dtype)
        _refuse_non_numeric(dtype, "Tensor(dtype=...)")
    elif array.dtype.kind != "f":
        dtype = np.dtype(np.float64)
    return np.array(array, dtype=dtype, copy=True)


def _leaf(array):
    """Wrap an ndarray as a leaf tensor without copying or validating it."""
    out = Tensor.__new__(Tensor)
    out._data = array
    out._grad = None
    out._requires_grad = False
    out._op = None
    out._parents = ()
    out._backward = None
    out._retains_grad = False
    return out


def _result(data, op, parents, backward):
    """Wrap an op's output; record the graph when grad mode is on and an input needs grad."""
    out = _leaf(np.asarray(data))  # ufuncs on 0-d arrays return numpy scalars
    if autograd.is_grad_enabled() and any(parent._requires_grad for parent in parents):
        out._requires_grad = True
        out._op = op
        out._parents = parents
        out._backward = backward
    return out


def _as_operand(value, like):
    """Return ``value`` as a Tensor to combine with the Tensor ``like``.

    Python numbers behave as numpy's "weak" scalars: they take ``like``'s dtype when it can
    hold them, so ``float32_tensor * 2.0`` stays float32.
    """
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (bool, int, float)):
        return _leaf(np.asarray(value, dtype=np.result_type(like._data, value)))
    return Tensor(value)


def _broadcasting(op, ufunc, a, b):
    try:
        return ufunc(a._data, b._data)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together"
        ) from None


def _normalize_axes(axis, ndim, op):
    """Turn ``axis`` (None, int or tuple of ints) into a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    normalized = []
    for ax in axes:
        if isinstance(ax, bool) or not isinstance(ax, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= ax < ndim:
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dimensions")
        normalized.append(int(ax) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(normalized))


def _expand_reduced(grad, axes, keepdims):
    """Put back the reduced axes as size-1 dimensions so ``grad`` broadcasts to the input."""
    return grad if keepdims else np.expand_dims(grad, axes)


def _index_data(index):
    """Replace Tensors inside an index by their arrays (numpy cannot index with them)."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(_index_data(part) for part in index)
    return index


def _add(a, b):
    def backward(grad):
        return grad, grad

    return _result(_broadcasting("add", np.add, a, b), "add", (a, b), backward)


def _sub(a, b):
    def backward(grad):
        return grad, -grad

    return _result(_broadcasting("sub", np.subtract, a, b), "sub", (a, b), backward)


def _mul(a, b):
    def backward(grad):
        return (
            grad * b._data if a._requires_grad else None,
            grad * a._data if b._requires_grad else None,
        )

    return _result(_broadcasting("mul", np.multiply, a, b), "mul", (a, b), backward)


def _div(a, b):
    out = _broadcasting("div", np.divide, a, b)

    def backward(grad):
        # d(a/b)/da = 1/b,  d(a/b)/db = -a/b**2 = -out/b
        grad_a = grad / b._data if a._requires_grad else None
        grad_b = -grad * out / b._data if b._requires_grad else None
        return grad_a, grad_b

    return _result(out, "div", (a, b), backward)


def _pow(a, b):
    out = _broadcasting("pow", np.power, a, b)

    def backward(grad):
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if a._requires_grad:
                # d(a**b)/da = b * a**(b-1); a**0 is constant even at a = 0, where the
                # formula would give 0 * inf.
                grad_a = grad * np.where(b._data == 0, 0, b._data * a._data ** (b._data - 1))
            if b._requires_grad:
                # d(a**b)/db = a**b * log(a); at a = 0 with b >= 0 the limit is 0.
                log_a = np.log(a._data)
                grad_b = grad * np.where((a._data == 0) & (b._data >= 0), 0, out * log_a)
        return grad_a, grad_b

    return _result(out, "pow", (a, b), backward)


def _matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: both operands must have at least 1 dimension, got shapes {a.shape} and {b.shape}"
        )
    try:
        out = np.matmul(a._data, b._data)
    except ValueError:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} are not aligned "
            f"(last dimension of the first, {a.shape[-1]}, must equal the "
            f"{'only' if b.ndim == 1 else 'second-to-last'} dimension of the second, "
            f"{b.shape[0] if b.ndim == 1 else b.shape[-2]}, and batch dimensions must broadcast)"
        ) from None

    def backward(grad):
        # Work with matrices: a 1-D operand is a row (left) or column (right) vector whose
        # extra dimension numpy dropped from the output; put it back in the gradient too.
        a2 = a._data[np.newaxis, :] if a.ndim == 1 else a._data
        b2 = b._data[:, np.newaxis] if b.ndim == 1 else b._data
        if a.ndim == 1:
            grad = np.expand_dims(grad, -2 if b.ndim > 1 else 0)
        if b.ndim == 1:
            grad = np.expand_dims(grad, -1)
        # C = A @ B  =>  dA = dC @ B^T,  dB = A^T @ dC, summed over broadcast batch axes.
        grad_a = grad_b = None
        if a._requires_grad:
            grad_a = autograd.sum_to_shape(grad @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if b._requires_grad:
            grad_b = autograd.sum_to_shape(np.swapaxes(a2, -1, -2) @ grad, b2.shape).reshape(b.shape)
        return grad_a, grad_b

    return _result(out, "matmul", (a, b), backward)


class Tensor:
    """An n-dimensional array of real numbers that can record how it was computed.

    ``Tensor(data, requires_grad=False, dtype=None)`` copies ``data`` (anything
    ``numpy.asarray`` accepts, or another Tensor) into a private ndarray. Float input keeps
    its dtype (float32 stays float32); integer and bool input becomes float64 unless
    ``dtype`` is given. Complex, object, string and other non-numeric data is refused with a
    TypeError. Only floating-point tensors may have ``requires_grad=True``.

    Attributes:

    - ``data``: the values, a plain numpy ndarray. It may be updated in place (as optimizers
      do) or reassigned to another numeric ndarray. Changing it between a forward pass and
      its ``backward()`` changes the gradients computed, since ops read it when
      differentiating.
    - ``grad``: d loss / d self accumulated by ``backward()``, an ndarray of the same shape and
      dtype as ``data``, or None. May be assigned (validated) or set to None.
    - ``requires_grad``: whether ops on this tensor are recorded for differentiation.
    - ``_op`` and ``_parents`` (read-only, for graph visualisation): a tensor produced by an
      op while recording has ``_op`` set to the op's short name (``"add"``, ``"matmul"``,
      ``"sum"``, ...) and ``_parents`` to the tuple of its input Tensors; both survive
      ``backward()``, which only releases the saved buffers (backward closures) unless
      ``retain_graph=True``. Leaves (tensors created by the user, by ``detach()`` or under
      ``no_grad``) have ``_op = None`` and ``_parents = ()``.

    Every op returns a plain ``Tensor``, also for subclasses (such as ``nn.Parameter``).
    Binary ops broadcast as numpy does; a Python number on either side takes the tensor's
    dtype, as numpy's scalars do. Tensors compare and hash by identity (there are no
    elementwise comparison operators), so they can be dictionary keys.
    """

    __slots__ = (
        "_data",
        "_grad",
        "_requires_grad",
        "_op",
        "_parents",
        "_backward",
        "_retains_grad",
        "__weakref__",
    )

    # Makes numpy defer to Tensor, so ``ndarray * tensor`` calls ``Tensor.__rmul__``.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, dtype=None):
        self._data = _to_array(data, dtype)
        self._grad = None
        self._requires_grad = False
        self._op = None
        self._parents = ()
        self._backward = None
        self._retains_grad = False
        self.requires_grad = requires_grad

    # ----------------------------------------------------------------- attributes

    @property
    def data(self):
        """The values, a numpy ndarray (shared, not copied: in-place updates are seen)."""
        return self._data

    @data.setter
    def data(self, value):
        if value is self._data:  # ``t.data -= step`` assigns the updated array back
            return
        if not isinstance(value, np.ndarray):
            raise TypeError(f"Tensor.data must be a numpy ndarray, got {type(value).__name__}")
        _refuse_non_numeric(value.dtype, "Tensor.data")
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
        value = bool(value)
        if self._op is not None:
            raise RuntimeError(
                "requires_grad can only be changed on leaf tensors; this one was computed "
                f"by {self._op!r} (use detach() to get a leaf)"
            )
        if value and self._data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require grad, got dtype {self._data.dtype}"
            )
        self._requires_grad = value

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded op (their ``.grad`` is filled)."""
        return self._op is None

    @property
    def shape(self):
        """The shape tuple of ``data``."""
        return self._data.shape

    @property
    def ndim(self):
        """The number of dimensions of ``data``."""
        return self._data.ndim

    @property
    def dtype(self):
        """The numpy dtype of ``data``."""
        return self._data.dtype

    @property
    def size(self):
        """The number of elements (an int, as numpy's ``size``)."""
        return self._data.size

    @property
    def T(self):
        """The tensor with its axes reversed, ``transpose()``."""
        return self.transpose()

    def item(self):
        """The single element as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, this one has shape {self.shape}"
            )
        return self._data.item()

    def numpy(self):
        """The values as a numpy ndarray (the same array as ``data``, not a copy)."""
        return self._data

    def detach(self):
        """A new leaf tensor sharing ``data`` that requires no grad and records nothing."""
        return _leaf(self._data)

    def zero_grad(self, set_to_none=True):
        """Clear the accumulated gradient: set it to None, or fill it with zeros in place."""
        if set_to_none:
            self._grad = None
        elif self._grad is not None:
            self._grad.fill(0)

    def retain_grad(self):
        """Make ``backward`` also store this non-leaf tensor's gradient in ``.grad``."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        if self._op is not None:
            self._retains_grad = True

    def backward(self, grad=None, retain_graph=False):
        """Accumulate d self / d leaf into ``.grad`` of every leaf that requires grad.

        ``grad`` is d loss / d self, shaped like self; it defaults to 1 for a one-element
        tensor. Gradients add to existing ``.grad`` values (call ``zero_grad`` between
        steps). The graph's saved buffers are released afterwards, so a second backward
        through it raises RuntimeError unless this call passes ``retain_graph=True``.
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: none of the tensors it "
                "was computed from has requires_grad=True, or it was computed under no_grad()"
            )
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs; this tensor has "
                    f"shape {self.shape}, so pass backward(grad) with d loss / d tensor of that shape"
                )
            grad = np.ones_like(self._data)
        else:
            grad = grad._data if isinstance(grad, Tensor) else np.asarray(grad)
            _refuse_non_numeric(grad.dtype, "backward(grad)")
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward: grad has shape {grad.shape} but the tensor has shape {self.shape}"
                )
            grad = grad.astype(self.dtype, copy=False)
        autograd.run_backward(self, grad, retain_graph)

    def __repr__(self):
        name = "tensor" if type(self) is Tensor else type(self).__name__
        prefix = name + "("
        parts = [np.array2string(self._data, separator=", ", prefix=prefix)]
        if self.dtype != np.float64:
            parts.append(f"dtype={self.dtype}")
        if self._op is not None:
            parts.append(f"op={self._op!r}")
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
            raise ValueError(
                f"the truth value of a tensor with {self.size} elements is ambiguous"
            )
        return bool(self._data.item())

    # ----------------------------------------------------------------- arithmetic

    def __add__(self, other):
        return _add(self, _as_operand(other, self))

    def __radd__(self, other):
        return _add(_as_operand(other, self), self)

    def __sub__(self, other):
        return _sub(self, _as_operand(other, self))

    def __rsub__(self, other):
        return _sub(_as_operand(other, self), self)

    def __mul__(self, other):
        return _mul(self, _as_operand(other, self))

    def __rmul__(self, other):
        return _mul(_as_operand(other, self), self)

    def __truediv__(self, other):
        return _div(self, _as_operand(other, self))

    def __rtruediv__(self, other):
        return _div(_as_operand(other, self), self)

    def __pow__(self, other):
        return _pow(self, _as_operand(other, self))

    def __rpow__(self, other):
        return _pow(_as_operand(other, self), self)

    def __matmul__(self, other):
        return _matmul(self, _as_operand(other, self))

    def __rmatmul__(self, other):
        return _matmul(_as_operand(other, self), self)

    def __neg__(self):
        def backward(grad):
            return (-grad,)

        return _result(-self._data, "neg", (self,), backward)

    # ----------------------------------------------------------------- elementwise functions

    def exp(self):
        """e**x; derivative e**x."""
        out = np.exp(self._data)

        def backward(grad):
            return (grad * out,)

        return _result(out, "exp", (self,), backward)

    def log(self):
        """Natural logarithm; derivative 1/x."""

        def backward(grad):
            return (grad / self._data,)

        return _result(np.log(self._data), "log", (self,), backward)

    def sqrt(self):
        """Square root; derivative 1 / (2 sqrt(x))."""
        out = np.sqrt(self._data)

        def backward(grad):
            return (grad / (2 * out),)

        return _result(out, "sqrt", (self,), backward)

    def abs(self):
        """|x|; derivative sign(x), taken as 0 at x = 0 (as in PyTorch)."""

        def backward(grad):
            return (grad * np.sign(self._data),)

        return _result(np.abs(self._data), "abs", (self,), backward)

    def sin(self):
        """Sine; derivative cos(x)."""

        def backward(grad):
            return (grad * np.cos(self._data),)

        return _result(np.sin(self._data), "sin", (self,), backward)

    def cos(self):
        """Cosine; derivative -sin(x)."""

        def backward(grad):
            return (-grad * np.sin(self._data),)

        return _result(np.cos(self._data), "cos", (self,), backward)

    def tanh(self):
        """Hyperbolic tangent; derivative 1 - tanh(x)**2."""
        out = np.tanh(self._data)

        def backward(grad):
            return (grad * (1 - out * out),)

        return _result(out, "tanh", (self,), backward)

    def sigmoid(self):
        """1 / (1 + e**-x), computed as (1 + tanh(x/2)) / 2 so no exp overflows;
        derivative sigmoid(x) * (1 - sigmoid(x))."""
        out = 0.5 * (1 + np.tanh(0.5 * self._data))

        def backward(grad):
            return (grad * out * (1 - out),)

        return _result(out, "sigmoid", (self,), backward)

    def relu(self):
        """max(x, 0); derivative 1 where x > 0, else 0 (0 at x = 0, as in PyTorch)."""

        def backward(grad):
            return (grad * (self._data > 0),)

        return _result(np.maximum(self._data, 0), "relu", (self,), backward)

    # ----------------------------------------------------------------- reductions

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (None: all, int, or tuple); each input's derivative is 1."""
        axes = _normalize_axes(axis, self.ndim, "sum")
        input_shape = self.shape

        def backward(grad):
            return (np.broadcast_to(_expand_reduced(grad, axes, keepdims), input_shape),)

        return _result(self._data.sum(axis=axes, keepdims=keepdims), "sum", (self,), backward)

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis``; each input's derivative is 1 / (number of elements averaged)."""
        axes = _normalize_axes(axis, self.ndim, "mean")
        input_shape = self.shape
        count = math.prod(input_shape[ax] for ax in axes)
        if count == 0:
            raise ValueError(f"mean: cannot average over an empty axis (tensor shape {input_shape})")

        def backward(grad):
            return (np.broadcast_to(_expand_reduced(grad, axes, keepdims) / count, input_shape),)

        return _result(self._data.mean(axis=axes, keepdims=keepdims), "mean", (self,), backward)

    def _extremum(self, axis, keepdims, op, reduce):
        axes = _normalize_axes(axis, self.ndim, op)
        if any(self.shape[ax] == 0 for ax in axes):
            raise ValueError(f"{op}: cannot reduce over an empty axis (tensor shape {self.shape})")
        extreme = reduce(self._data, axis=axes, keepdims=True)

        def backward(grad):
            # The gradient goes to the elements equal to the extreme, split evenly on ties.
            winners = self._data == extreme
            share = winners / winners.sum(axis=axes, keepdims=True)
            return (share * _expand_reduced(grad, axes, keepdims),)

        out = extreme if keepdims else np.squeeze(extreme, axis=axes)
        return _result(out, op, (self,), backward)

    def max(self, axis=None, keepdims=False):
        """Maximum over ``axis``; the gradient goes to the arg-max, split evenly among ties."""
        return self._extremum(axis, keepdims, "max", np.max)

    def min(self, axis=None, keepdims=False):
        """Minimum over ``axis``; the gradient goes to the arg-min, split evenly among ties."""
        return self._extremum(axis, keepdims, "min", np.min)

    # ----------------------------------------------------------------- shape and indexing

    def reshape(self, *shape):
        """The same values in a new shape (``reshape(2, 3)`` or ``reshape((2, 3))``; one -1
        allowed); the gradient is reshaped back."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            out = self._data.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {self.shape} ({self.size} elements) "
                f"into shape {shape}"
            ) from None
        input_shape = self.shape

        def backward(grad):
            return (grad.reshape(input_shape),)

        return _result(out, "reshape", (self,), backward)

    def transpose(self, *axes):
        """Permute the axes (``transpose(1, 0, 2)``; no arguments reverses them, as numpy);
        the gradient is permuted back with the inverse permutation."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(reversed(range(self.ndim)))
        if len(axes) != self.ndim:
            raise ValueError(
                f"transpose: axes {axes} do not match a tensor of shape {self.shape} "
                f"({self.ndim} dimensions)"
            )
        _normalize_axes(axes, self.ndim, "transpose")  # in range and no repeats: a permutation
        axes = tuple(int(ax) % self.ndim for ax in axes)
        inverse = tuple(int(i) for i in np.argsort(axes))

        def backward(grad):
            return (grad.transpose(inverse),)

        return _result(self._data.transpose(axes), "transpose", (self,), backward)

    def __getitem__(self, index):
        """numpy indexing (ints, slices, None, ..., integer or boolean arrays); the gradient
        is scattered back with ``np.add.at`` so repeated indices accumulate."""
        index = _index_data(index)
        try:
            out = self._data[index]
        except IndexError as error:
            raise IndexError(f"getitem: {error} (tensor shape {self.shape})") from None
        input_shape = self.shape

        def backward(grad):
            full = np.zeros(input_shape, dtype=grad.dtype)
            np.add.at(full, index, grad)
            return (full,)

        return _result(out, "getitem", (self,), backward)


def tensor(data, requires_grad=False, dtype=None):
    """Create a Tensor, as ``torch.tensor``: same as ``Tensor(data, requires_grad, dtype)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)
