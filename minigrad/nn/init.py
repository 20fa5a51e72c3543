"""Weight initialisation, ``torch.nn.init``'s functions: each fills a Tensor's values in place
and returns it (``nn.init.kaiming_uniform_(layer.weight)``), drawing from `generator` (a
``numpy.random.Generator``) or the library-wide generator seeded by `minigrad.manual_seed`.

For a weight of shape ``(out, in, *kernel)``: ``fan_in = in * prod(kernel)``,
``fan_out = out * prod(kernel)``.

* ``xavier_uniform_``: U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``
* ``xavier_normal_``: N(0, std^2), ``std = gain * sqrt(2 / (fan_in + fan_out))``
* ``kaiming_uniform_``: U(-b, b), ``b = gain * sqrt(3 / fan)``, ``gain = calculate_gain(nonlinearity, a)``
* ``kaiming_normal_``: N(0, std^2), ``std = gain / sqrt(fan)``

with ``fan`` = fan_in (``mode="fan_in"``, preserves the forward variance) or fan_out.
"""

import math

import numpy as np

from ..random import default_generator
from ..tensor import Tensor


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (torch's table): 1 for linear, conv and sigmoid,
    5/3 for tanh, sqrt(2) for relu, ``sqrt(2 / (1 + slope^2))`` for leaky_relu (slope `param`,
    default 0.01), 3/4 for selu."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, (int, float, np.integer, np.floating)):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        else:
            slope = float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: Unsupported nonlinearity {nonlinearity}")


def _check_tensor(tensor, name):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name}: expected a Tensor (e.g. layer.weight), got {type(tensor).__name__}")
    if tensor.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating-point Tensor, got dtype {tensor.dtype}")


def _generator(generator, name):
    if generator is None:
        return default_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{name}: generator must be a numpy.random.Generator, got {type(generator).__name__}")
    return generator


def _fill(tensor, values):
    tensor.data[...] = values  # in place: optimizers and modules keep the same array
    return tensor


def _calculate_fan_in_and_fan_out(tensor, name):
    if tensor.ndim < 2:
        raise ValueError(f"{name}: Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (shape {tuple(tensor.shape)})")
    receptive_field = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with draws from U(a, b)."""
    _check_tensor(tensor, "uniform_")
    if not a <= b:
        raise ValueError(f"uniform_: a must be <= b, got a={a}, b={b}")
    return _fill(tensor, _generator(generator, "uniform_").uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with draws from N(mean, std^2)."""
    _check_tensor(tensor, "normal_")
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(tensor, _generator(generator, "normal_").normal(mean, std, tensor.shape))


def constant_(tensor, val):
    """Fill with the value `val`."""
    _check_tensor(tensor, "constant_")
    return _fill(tensor, val)


def zeros_(tensor):
    """Fill with 0."""
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill with 1."""
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot/Xavier uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    _check_tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(tensor, _generator(generator, "xavier_uniform_").uniform(-bound, bound, tensor.shape))


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot/Xavier normal: N(0, std^2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    _check_tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, "xavier_normal_")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, _generator(generator, "xavier_normal_").normal(0.0, std, tensor.shape))


def _kaiming_std(tensor, a, mode, nonlinearity, name):
    _check_tensor(tensor, name)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{name}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, name)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He/Kaiming uniform: U(-b, b), ``b = sqrt(3) * gain / sqrt(fan)`` (a: leaky_relu's slope)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return _fill(tensor, _generator(generator, "kaiming_uniform_").uniform(-bound, bound, tensor.shape))


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He/Kaiming normal: N(0, std^2), ``std = gain / sqrt(fan)``."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    return _fill(tensor, _generator(generator, "kaiming_normal_").normal(0.0, std, tensor.shape))
