"""Gradient checking: compare the engine's derivatives with central finite differences.

``gradcheck`` checks first derivatives (what ``backward()`` computes); ``gradgradcheck``
checks second derivatives (what ``create_graph=True`` computes), by running ``gradcheck`` on
the function that maps the inputs to their vector-Jacobian product.
"""

import numpy as np

from . import autograd
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when analytic and numeric derivatives disagree."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check the derivatives of ``fn`` computed by ``backward()`` against finite differences.

    ``inputs`` is a Tensor or a sequence of Tensors; ``fn(*inputs)`` must return a Tensor.
    Every input is copied to float64 (keeping ``requires_grad``) so rounding does not swamp
    the differences. For each input x that requires grad, the full Jacobian of the output
    with respect to x is computed twice:

    - analytic: row i is ``autograd.grad(out, x, e_i)`` (e_i: one-hot at output i);
    - numeric: column j is ``(fn(x + eps e_j) - fn(x - eps e_j)) / (2 eps)``, error O(eps**2).

    An element fails when ``|analytic - numeric| > atol + rtol * |numeric|``. On failure
    this raises :class:`GradcheckError` naming the input, the output and input indices of the
    worst element, and both values (or returns False if ``raise_exception`` is false).
    Returns True on success.
    """
    if eps <= 0 or atol < 0 or rtol < 0:
        raise ValueError(
            f"gradcheck: need eps > 0, atol >= 0 and rtol >= 0, got eps={eps}, atol={atol}, rtol={rtol}"
        )
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for position, value in enumerate(inputs):
        if not isinstance(value, Tensor):
            raise TypeError(f"gradcheck: input {position} must be a Tensor, got {type(value).__name__}")
    if not any(value.requires_grad for value in inputs):
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")
    inputs = tuple(
        Tensor(value.data.astype(np.float64), requires_grad=value.requires_grad) for value in inputs
    )
    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")

    for position, value in enumerate(inputs):
        if not value.requires_grad:
            continue
        analytic = _analytic_jacobian(output, inputs, value)
        numeric = _numeric_jacobian(fn, inputs, value, output.shape, eps)
        excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        excess[np.isnan(excess)] = np.inf  # a NaN on either side is a failure
        if np.any(excess > 0):
            worst = np.unravel_index(np.argmax(excess), excess.shape)
            message = _failure_report(position, value, output, worst, analytic, numeric, atol, rtol)
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def _analytic_jacobian(output, inputs, wrt):
    """Jacobian d output / d wrt, shape (output.numel(), wrt.numel()), one VJP per output."""
    jacobian = np.zeros((output.numel(), wrt.numel()))
    if not output.requires_grad:  # output does not depend on any input that requires grad
        return jacobian
    for i in range(output.numel()):
        seed = np.zeros(output.numel(), dtype=output.dtype)
        seed[i] = 1.0
        (row,) = autograd.grad(
            output, wrt, seed.reshape(output.shape), retain_graph=True, allow_unused=True
        )
        if row is not None:
            jacobian[i] = row.data.ravel()
    return jacobian


@no_grad()
def _numeric_jacobian(fn, inputs, wrt, output_shape, eps):
    """Jacobian by central differences, perturbing one element of ``wrt.data`` at a time."""
    output_size = int(np.prod(output_shape))
    jacobian = np.zeros((output_size, wrt.numel()))
    flat = wrt.data.reshape(-1)  # a view: writing it perturbs the input fn sees
    for j in range(wrt.numel()):
        original = flat[j]
        flat[j] = original + eps
        plus = np.array(fn(*inputs).data, dtype=np.float64)
        flat[j] = original - eps
        minus = np.array(fn(*inputs).data, dtype=np.float64)
        flat[j] = original
        jacobian[:, j] = ((plus - minus) / (2 * eps)).ravel()
    return jacobian


def _failure_report(position, value, output, worst, analytic, numeric, atol, rtol):
    output_index = np.unravel_index(worst[0], output.shape)
    input_index = np.unravel_index(worst[1], value.shape)
    a, n = float(analytic[worst]), float(numeric[worst])
    return (
        f"gradcheck failed for input {position} (shape {value.shape}) at input index "
        f"{tuple(int(i) for i in input_index)}, output index {tuple(int(i) for i in output_index)}: "
        f"analytic d output / d input = {a!r}, numeric = {n!r}, |difference| = {abs(a - n)!r} "
        f"> atol + rtol * |numeric| = {atol + rtol * abs(n)!r}"
    )


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check second derivatives of ``fn`` (``create_graph=True``) against finite differences.

    With v = ``grad_outputs`` (random, fixed seed, when None), the vector-Jacobian product
    ``vjp(x, v) = autograd.grad(fn(x), x, v, create_graph=True)`` is itself a function of x
    and v; its derivatives, computed by the engine from the recorded backward pass, are
    compared by :func:`gradcheck` with finite differences of ``vjp``. Passing means every
    backward formula involved is differentiated correctly (Hessians, HVPs). Arguments and
    the result are as for :func:`gradcheck`.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for position, value in enumerate(inputs):
        if not isinstance(value, Tensor):
            raise TypeError(f"gradgradcheck: input {position} must be a Tensor, got {type(value).__name__}")
    inputs = tuple(
        Tensor(value.data.astype(np.float64), requires_grad=value.requires_grad) for value in inputs
    )
    with enable_grad():
        output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradgradcheck: fn must return a Tensor, got {type(output).__name__}")
    if grad_outputs is None:
        grad_outputs = np.random.default_rng(0).standard_normal(output.shape)
    grad_outputs = Tensor(
        grad_outputs.data if isinstance(grad_outputs, Tensor) else grad_outputs,
        dtype=np.float64,
        requires_grad=True,
    )
    differentiated = [i for i, value in enumerate(inputs) if value.requires_grad]

    def vector_jacobian_product(*arguments):
        with enable_grad():
            values, v = arguments[:-1], arguments[-1]
            out = fn(*values)
            wanted = [values[i] for i in differentiated]
            if not out.requires_grad:
                return Tensor(np.zeros(sum(w.numel() for w in wanted)))
            grads = autograd.grad(out, wanted, v, create_graph=True, allow_unused=True)
            pieces = [
                (g if g is not None else Tensor(np.zeros(w.shape))).reshape(-1)
                for g, w in zip(grads, wanted)
            ]
            from .ops.functional import cat

            return cat(pieces)

    return gradcheck(
        vector_jacobian_product, inputs + (grad_outputs,), eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception,
    )
