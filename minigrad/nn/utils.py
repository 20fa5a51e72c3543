"""Gradient clipping and flat parameter vectors, ``torch.nn.utils``'s functions.

* ``clip_grad_norm_``: if the total norm ``||(||g_1||, ..., ||g_k||)||`` (``norm_type`` p, inf
  for the max) exceeds ``max_norm``, every gradient is scaled by ``max_norm / (norm + 1e-6)``.
* ``clip_grad_value_``: every gradient entry clamped to ``[-clip_value, clip_value]``.
* ``parameters_to_vector`` / ``vector_to_parameters``: all parameters as one flat vector, and back.
"""

import math

import numpy as np

from ..checks import ShapeError
from ..tensor import Tensor


def _parameter_list(parameters, name):
    if isinstance(parameters, Tensor):
        return [parameters]
    try:
        parameters = list(parameters)
    except TypeError:
        raise TypeError(f"{name}: expected a Tensor or an iterable of Tensors, got {type(parameters).__name__}") from None
    for position, parameter in enumerate(parameters):
        if not isinstance(parameter, Tensor):
            raise TypeError(f"{name}: element {position} is a {type(parameter).__name__}, not a Tensor")
    return parameters


def _norm(values, norm_type):
    if math.isinf(norm_type):
        return float(np.max(np.abs(values))) if values.size else 0.0
    if norm_type == 2.0:
        return float(np.sqrt(np.sum(values * values)))
    return float(np.sum(np.abs(values) ** norm_type) ** (1.0 / norm_type))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale the gradients in place so that their total `norm_type`-norm is at most `max_norm`.

    ``total = norm([norm(g) for g in grads])``; every gradient is multiplied by
    ``min(1, max_norm / (total + 1e-6))``.  Parameters without a gradient are skipped.  Returns
    the total norm before clipping, as a 0-d Tensor (as torch).  A non-finite total raises
    RuntimeError when ``error_if_nonfinite=True`` (nothing is changed then).
    """
    parameters = _parameter_list(parameters, "clip_grad_norm_")
    for name, value in (("max_norm", max_norm), ("norm_type", norm_type)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or np.isnan(value):
            raise TypeError(f"clip_grad_norm_: {name} must be a number, got {value!r}")
    if norm_type <= 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 (or inf), got {norm_type}")
    if not isinstance(error_if_nonfinite, bool):
        raise TypeError(f"clip_grad_norm_: error_if_nonfinite must be a bool, got {error_if_nonfinite!r}")
    grads = [p.grad for p in parameters if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return Tensor(0.0)
    total = _norm(np.array([_norm(g, norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is non-finite ({total}), so "
            f"it cannot be clipped; set error_if_nonfinite=False to scale by it anyway"
        )
    # np.minimum keeps a NaN (a NaN norm poisons the gradients, as in torch, instead of vanishing).
    coefficient = float(np.minimum(1.0, float(max_norm) / (total + 1e-6)))
    for grad in grads:
        grad *= np.asarray(coefficient, dtype=grad.dtype)
    return Tensor(total)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry to ``[-clip_value, clip_value]`` in place."""
    parameters = _parameter_list(parameters, "clip_grad_value_")
    if isinstance(clip_value, bool) or not isinstance(clip_value, (int, float, np.integer, np.floating)) \
            or not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be a number >= 0, got {clip_value!r}")
    for parameter in parameters:
        if parameter.grad is not None:
            np.clip(parameter.grad, -clip_value, clip_value, out=parameter.grad)


def parameters_to_vector(parameters):
    """All parameters' values flattened and joined into one 1-D Tensor (a copy, no graph)."""
    parameters = _parameter_list(parameters, "parameters_to_vector")
    if not parameters:
        raise ValueError("parameters_to_vector: no parameters given")
    dtypes = {p.dtype for p in parameters}
    if len(dtypes) > 1:
        raise TypeError(f"parameters_to_vector: parameters have different dtypes {sorted(map(str, dtypes))}")
    return Tensor(np.concatenate([p.data.reshape(-1) for p in parameters]))


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D `vec` into the parameters' values, in place (the
    inverse of `parameters_to_vector`); its length must be the total number of elements."""
    parameters = _parameter_list(parameters, "vector_to_parameters")
    values = vec.data if isinstance(vec, Tensor) else np.asarray(vec)
    if values.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector, got shape {values.shape}")
    total = sum(p.numel() for p in parameters)
    if values.size != total:
        raise ShapeError(f"vector_to_parameters: vector has {values.size} elements, the parameters {total}")
    start = 0
    for parameter in parameters:
        parameter.data[...] = values[start:start + parameter.numel()].reshape(parameter.shape)
        start += parameter.numel()
