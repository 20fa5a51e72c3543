"""Layers: `Linear`, `Sequential`, `Flatten`, `Dropout`, and the activations `ReLU`, `LeakyReLU`,
`ELU`, `GELU`, `SiLU`, `Tanh`, `Sigmoid`, `Softmax`, `LogSoftmax`, `Identity` (torch's names and
defaults; the formulas are in `minigrad.nn.functional`)."""

import math

import numpy as np

from ..checks import ShapeError
from ..random import default_generator
from ..tensor import Tensor
from . import functional as F
from .module import Module, Parameter


def _as_tensor(x, layer, dtype=None):
    """Layers take Tensors; a numpy array (or nested list) is wrapped for convenience (integer
    data becomes `dtype`, the layer's own float dtype, when one is given)."""
    if isinstance(x, Tensor):
        return x
    try:
        array = np.asarray(x)
        if dtype is not None and array.dtype.kind in "biu":
            return Tensor(array, dtype=dtype)
        return Tensor(array)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{layer} expects a Tensor or numeric array, got {type(x).__name__}: {error}") from None


def _check_same_dtype(x, dtype, layer):
    """A layer computes in its parameters' dtype; a different float input is refused, as in torch."""
    if x.dtype != dtype:
        raise TypeError(
            f"{layer}: input dtype {x.dtype} differs from the layer's dtype {dtype}; convert the input "
            f"(Tensor(x, dtype=np.{dtype})) or build the layer with dtype=np.{x.dtype} -- minigrad does not "
            f"silently upcast"
        )


def _check_features(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Linear: {name} must be a positive integer, got {value!r}")


class Linear(Module):
    """Affine layer ``y = x @ weight.T + bias`` with ``weight`` of shape ``(out_features, in_features)``
    and ``bias`` of shape ``(out_features,)``, exactly as ``torch.nn.Linear``.

    Initialisation is PyTorch's default: every entry of ``weight`` and ``bias`` is drawn from
    ``uniform(-1/sqrt(in_features), 1/sqrt(in_features))``.  The draws come from `generator` (a
    ``numpy.random.Generator``) if given, else from the library-wide generator that
    ``minigrad.manual_seed(n)`` seeds -- weight first, then bias.  ``bias=False`` leaves
    ``self.bias = None``.  ``dtype`` is float64 by default; float32 is kept.

    Input of shape ``(..., in_features)`` gives output ``(..., out_features)``.  The input must
    have the parameters' dtype (as in torch): float32 data into a float64 layer raises a
    TypeError naming both dtypes instead of silently computing in float64.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float64, generator=None):
        super().__init__()
        _check_features("in_features", in_features)
        _check_features("out_features", out_features)
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"Linear: bias must be a bool, got {type(bias).__name__} {bias!r}")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"Linear: dtype must be float32 or float64, got {dtype}")
        if generator is None:
            generator = default_generator()
        elif not isinstance(generator, np.random.Generator):
            raise TypeError(f"Linear: generator must be a numpy.random.Generator, got {type(generator).__name__}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        bound = 1.0 / math.sqrt(self.in_features)
        # Drawn in float64 and then rounded, so float32 and float64 layers start from the same values.
        self.weight = Parameter(generator.uniform(-bound, bound, (self.out_features, self.in_features)), dtype=dtype)
        if bias:
            self.bias = Parameter(generator.uniform(-bound, bound, self.out_features), dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        x = _as_tensor(x, "Linear", self.weight.dtype)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            rows = int(np.prod(x.shape[:-1])) if x.ndim else 1
            raise ShapeError(
                f"Linear(in_features={self.in_features}) expects input of shape (..., {self.in_features}), "
                f"got shape {tuple(x.shape)}: mat1 and mat2 shapes cannot be multiplied "
                f"({rows}x{x.shape[-1] if x.ndim else 1} and {self.in_features}x{self.out_features})"
            )
        _check_same_dtype(x, self.weight.dtype, "Linear")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Chain of modules applied in order: ``Sequential(a, b)(x) == b(a(x))``.

    Sub-modules are registered under the names ``"0"``, ``"1"``, ...; ``len``, iteration and
    indexing (an int, or a slice giving a new `Sequential` of the same modules) work as in PyTorch.
    """

    def __init__(self, *modules):
        super().__init__()
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {index} is a {type(module).__name__}, not a Module")
            setattr(self, str(index), module)

    def forward(self, x):
        for module in self:
            x = module(x)
        return x

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        try:
            return modules[index]
        except IndexError:
            raise IndexError(f"Sequential: index {index} is out of range (it has {len(modules)} modules)") from None


class ReLU(Module):
    """``max(x, 0)`` element-wise (gradient 0 at x = 0, as PyTorch)."""

    def forward(self, x):
        return _as_tensor(x, "ReLU").relu()


class Tanh(Module):
    """``tanh(x)`` element-wise; derivative ``1 - tanh(x)**2``."""

    def forward(self, x):
        return _as_tensor(x, "Tanh").tanh()


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` element-wise; derivative ``s * (1 - s)``."""

    def forward(self, x):
        return _as_tensor(x, "Sigmoid").sigmoid()


class Identity(Module):
    """Returns its input unchanged (a placeholder layer, as ``torch.nn.Identity``)."""

    def forward(self, x):
        return x


class LeakyReLU(Module):
    """``x`` where ``x > 0``, else ``negative_slope * x`` (default 0.01)."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        F._check_number(negative_slope, "LeakyReLU", "negative_slope")
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return F.leaky_relu(_as_tensor(x, "LeakyReLU"), self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)`` (default alpha 1)."""

    def __init__(self, alpha=1.0):
        super().__init__()
        F._check_number(alpha, "ELU", "alpha")
        self.alpha = float(alpha)

    def forward(self, x):
        return F.elu(_as_tensor(x, "ELU"), self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class GELU(Module):
    """``x * Phi(x)`` (Phi: the standard normal cdf); ``approximate="tanh"`` uses the tanh formula."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(_as_tensor(x, "GELU"), self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """``x * sigmoid(x)`` (also called swish)."""

    def forward(self, x):
        return F.silu(_as_tensor(x, "SiLU"))


class Softmax(Module):
    """``exp(x) / sum(exp(x))`` along `dim` (which must be given: guessing it is a classic bug)."""

    def __init__(self, dim=None):
        super().__init__()
        if dim is None:
            raise TypeError("Softmax: pass the dimension to normalise over, e.g. Softmax(dim=1) for (batch, classes)")
        self.dim = dim

    def forward(self, x):
        return F.softmax(_as_tensor(x, "Softmax"), self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """``log(softmax(x, dim))``, computed stably (see `functional.log_softmax`)."""

    def forward(self, x):
        return F.log_softmax(_as_tensor(x, "LogSoftmax"), self.dim)


class Flatten(Module):
    """Merge dimensions ``start_dim..end_dim`` into one (default: all but the batch dimension)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        for name, value in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"Flatten: {name} must be an int, got {value!r}")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x):
        x = _as_tensor(x, "Flatten")
        ndim = max(x.ndim, 1)
        start, end = self.start_dim, self.end_dim
        if not (-ndim <= start < ndim and -ndim <= end < ndim):
            raise IndexError(f"Flatten: dims ({start}, {end}) out of range for a tensor of shape {tuple(x.shape)}")
        start, end = start % ndim, end % ndim
        if start > end:
            raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim}")
        if x.ndim == 0:
            return x.reshape(1)
        shape = x.shape[:start] + (int(np.prod(x.shape[start:end + 1])),) + x.shape[end + 1:]
        return x.reshape(shape)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """In training, zero each element with probability `p` and scale the others by
    ``1 / (1 - p)``; in eval mode (``model.eval()``), the identity."""

    def __init__(self, p=0.5):
        super().__init__()
        F.check_dropout_probability(p, "Dropout")
        self.p = float(p)

    def forward(self, x):
        return F.dropout(_as_tensor(x, "Dropout"), self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"
