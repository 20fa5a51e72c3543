"""Layers: `Linear`, `Sequential` and the element-wise activations `ReLU`, `Tanh`, `Sigmoid`, `Identity`."""

import math

import numpy as np

from ..random import default_generator
from ..ops.functional import linear
from ..tensor import Tensor
from .module import Module, Parameter


def _as_tensor(x, layer):
    """Layers take Tensors; a numpy array (or nested list) is wrapped for convenience."""
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{layer} expects a Tensor or numeric array, got {type(x).__name__}: {error}") from None


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

    Input of shape ``(..., in_features)`` gives output ``(..., out_features)``.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float64, generator=None):
        super().__init__()
        _check_features("in_features", in_features)
        _check_features("out_features", out_features)
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
        x = _as_tensor(x, "Linear")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear(in_features={self.in_features}) expects input of shape (..., {self.in_features}), "
                f"got shape {tuple(x.shape)}"
            )
        return linear(x, self.weight, self.bias)

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
            raise IndexError(f"Sequential index {index} out of range for {len(modules)} modules") from None


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
