"""Derivatives of whole functions, as ``torch.autograd.functional``: Jacobians, Hessians and
their products with vectors, built on ``autograd.grad`` (and so on double backward).

Each takes ``func`` (Tensors in, a Tensor or a tuple of Tensors out) and ``inputs`` (a
Tensor or a tuple of Tensors); results mirror that structure, as torch's do. The inputs are
used through fresh leaves (no ``.grad`` anywhere is touched). ``create_graph=True`` makes the
results differentiable with respect to the original inputs. ``strict=True`` raises when an
output does not depend on an input (torch's wording); otherwise that part is zero.

- ``vjp(func, inputs, v)``  = v^T J        (one backward pass)
- ``jvp(func, inputs, v)``  = J v          (the double-backward trick: two backward passes)
- ``jacobian(func, inputs)``: J, shape output.shape + input.shape (one backward per output)
- ``hessian(func, inputs)``: the Jacobian of the gradient of a one-element ``func``
- ``vhp(func, inputs, v)``  = v^T H,  ``hvp(func, inputs, v)`` = H v: the same numbers
  whenever f is twice continuously differentiable (H symmetric); both cost two backward
  passes and never form H, which is how curvature is measured on real models.
"""

import numpy as np

from ..grad_mode import enable_grad
from ..tensor import Tensor, wrap
from . import grad as _grad

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(values, argument, function):
    is_tuple = isinstance(values, tuple)
    values = values if is_tuple else (values,)
    for i, value in enumerate(values):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"The {argument} given to {function} must be either a Tensor or a tuple of "
                f"Tensors but the value at index {i} has type {type(value).__name__}."
            )
    return is_tuple, values


def _fresh_inputs(inputs, create_graph):
    """Leaves to differentiate at: connected to the originals when create_graph is wanted."""
    fresh = []
    for value in inputs:
        if create_graph and value.requires_grad:
            fresh.append(value.reshape(value.shape))
        else:
            leaf = wrap(value.data)
            leaf.requires_grad = value.dtype.kind == "f"
            fresh.append(leaf)
    return tuple(fresh)


def _outputs(func, inputs, function, strict=False):
    with enable_grad():
        out = func(*inputs)
    is_tuple, out = _as_tuple(out, "outputs of the user-provided function", function)
    _check_requires_grad(out, "outputs", strict)
    return is_tuple, out


def _vectors(v, reference, argument, function):
    if v is None:
        for value in reference:
            if value.numel() != 1:
                raise RuntimeError(
                    f"The vector v can only be None if the {argument} to the user-provided "
                    "function is a single Tensor with a single element."
                )
        return tuple(wrap(np.ones_like(value.data)) for value in reference)
    _, v = _as_tuple(v, "v", function)
    if len(v) != len(reference):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(reference)} but got {len(v)}."
        )
    for i, (vector, value) in enumerate(zip(v, reference)):
        if vector.shape != value.shape:
            raise RuntimeError(
                f"Entry {i} in v has invalid size: should be {tuple(value.shape)} but got "
                f"{tuple(vector.shape)}."
            )
    return v


_CHECK_MESSAGES = {
    "jacobian": (
        "While computing the hessian, found that the jacobian of the user-provided function with "
        "respect to input {i} is independent of the input. This is not allowed in strict mode. "
        "You should ensure that your function is twice differentiable and that the jacobian "
        "depends on the inputs (this would be violated by a linear function for example)."
    ),
    "grad_inputs": (
        "The gradient with respect to input {i} is independent of the inputs of the "
        "user-provided function. This is not allowed in strict mode."
    ),
    "outputs": (
        "Output {i} of the user-provided function does not require gradients. The outputs must "
        "be computed in a differentiable manner from the input when running in strict mode."
    ),
}


def _check_requires_grad(values, kind, strict):
    """torch's strict-mode checks (kind: "outputs", "grad_inputs" or "jacobian"): a None
    gradient means an output independent of input i; a Tensor not requiring grad means the
    next differentiation would find nothing (a linear function's constant gradient)."""
    if not strict:
        return
    for i, value in enumerate(values):
        if value is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode."
            )
        if not value.requires_grad:
            raise RuntimeError(_CHECK_MESSAGES[kind].format(i=i))


_FILL_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward "
                         "mode AD.",
}


def _fill(grads, like, strict, stage, create_graph):
    """Replace unused (None) results by zeros, or raise in strict mode (torch's
    ``_fill_in_zeros``; ``stage`` names the backward pass, for torch's message)."""
    filled = []
    for i, (value, reference) in enumerate(zip(grads, like)):
        if value is None:
            if strict:
                raise RuntimeError(_FILL_MESSAGES[stage].format(i=i))
            value = wrap(np.zeros(reference.shape, dtype=reference.dtype))
        elif strict and create_graph and not value.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This "
                "is not allowed in strict mode when create_graph=True."
            )
        elif not create_graph:
            value = wrap(value.data)
        filled.append(value)
    return tuple(filled)


def _differentiable(outputs):
    return [out for out in outputs if out.requires_grad]


def _grad_or_none(outputs, inputs, grad_outputs, create_graph):
    """``autograd.grad`` that tolerates outputs needing no grad (their part is zero)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    wanted = [x for x in inputs if x.requires_grad]
    grads = _grad(
        [o for o, _ in pairs], wanted, [g for _, g in pairs],
        retain_graph=True, create_graph=create_graph, allow_unused=True,
    )
    found = iter(grads)
    return tuple(next(found) if x.requires_grad else None for x in inputs)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product, as ``torch.autograd.functional.vjp``."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _fresh_inputs(inputs, create_graph)
    is_outputs_tuple, outputs = _outputs(func, inputs, "vjp", strict)
    v = _vectors(v, outputs, "output", "vjp")
    grads = _grad_or_none(outputs, inputs, v, create_graph)
    result = _fill(grads, inputs, strict, "back", create_graph)
    outputs = tuple(o if create_graph else wrap(o.data) for o in outputs)
    return (outputs if is_outputs_tuple else outputs[0]), (result if is_inputs_tuple else result[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, as ``torch.autograd.functional.jvp``,
    by the double-backward trick: with u a dummy cotangent, g(u) = J^T u is linear in u, so
    d(g . v)/du = J v."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _fresh_inputs(inputs, create_graph)
    v = _vectors(v, inputs, "input", "jvp")
    is_outputs_tuple, outputs = _outputs(func, inputs, "jvp", strict)
    dummies = []
    for out in outputs:
        dummy = wrap(np.zeros_like(out.data))
        dummy.requires_grad = True
        dummies.append(dummy)
    with enable_grad():
        transposed = _grad_or_none(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(transposed, "grad_inputs", strict)
        pairs = [(g, vector) for g, vector in zip(transposed, v) if g is not None and g.requires_grad]
        if pairs:
            products = _grad(
                [g for g, _ in pairs], dummies, [vector for _, vector in pairs],
                retain_graph=True, create_graph=create_graph, allow_unused=True,
            )
        else:
            products = (None,) * len(dummies)
    result = _fill(products, outputs, strict, "back_trick", create_graph)
    outputs = tuple(o if create_graph else wrap(o.data) for o in outputs)
    return (outputs if is_outputs_tuple else outputs[0]), (result if is_outputs_tuple else result[0])


def jacobian(func, inputs, create_graph=False, strict=False):
    """d func / d inputs, as ``torch.autograd.functional.jacobian``: for output i and input
    j a Tensor of shape outputs[i].shape + inputs[j].shape (nested tuples when both are
    tuples), one backward pass per output element."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _fresh_inputs(inputs, create_graph)
    is_outputs_tuple, outputs = _outputs(func, inputs, "jacobian", strict)
    from ..ops.functional import stack

    blocks = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in inputs]
        for element in range(out.numel()):
            seed = np.zeros(out.numel(), dtype=out.dtype)
            seed[element] = 1.0
            if out.requires_grad:
                grads = _grad_or_none([out], inputs, [wrap(seed.reshape(out.shape))], create_graph)
            else:
                grads = (None,) * len(inputs)
            for j, (value, x) in enumerate(zip(grads, inputs)):
                if value is None:
                    if strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent of input "
                            f"{j}. This is not allowed in strict mode."
                        )
                    value = wrap(np.zeros(x.shape, dtype=x.dtype))
                elif not create_graph:
                    value = wrap(value.data)
                rows[j].append(value)
        per_input = []
        for j, x in enumerate(inputs):
            if rows[j]:
                block = stack(rows[j]).reshape(out.shape + x.shape)
            else:
                block = wrap(np.zeros(out.shape + x.shape, dtype=x.dtype))
            per_input.append(block if create_graph else wrap(block.data))
        blocks.append(tuple(per_input) if is_inputs_tuple else per_input[0])
    return tuple(blocks) if is_outputs_tuple else blocks[0]


def _gradient_function(func, is_inputs_tuple, function, strict):
    """x -> d func / d x (recorded), for a func with one one-element output. In strict mode
    a gradient that is constant (zero for an unused input) raises: its Jacobian would be 0."""

    def gradient(*values):
        is_tuple, outputs = _outputs(func, values, function, strict)
        if is_tuple or outputs[0].numel() != 1:
            raise RuntimeError(
                f"The function given to {function} should return a single Tensor with a single "
                "element"
            )
        (out,) = outputs
        grads = _grad_or_none([out], values, [wrap(np.ones_like(out.data))], create_graph=True)
        grads = tuple(
            g if g is not None else wrap(np.zeros(x.shape, dtype=x.dtype)) for g, x in zip(grads, values)
        )
        _check_requires_grad(grads, "jacobian", strict)
        return grads if is_inputs_tuple else grads[0]

    return gradient


def hessian(func, inputs, create_graph=False, strict=False):
    """The Hessian of a one-element ``func``: d^2 func / d inputs^2, shape input.shape * 2
    (nested tuples for several inputs), as ``torch.autograd.functional.hessian``."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    gradient = _gradient_function(func, is_inputs_tuple, "hessian", strict)
    return jacobian(gradient, inputs if is_inputs_tuple else inputs[0], create_graph=create_graph, strict=strict)


def _second_order_product(func, inputs, v, create_graph, strict, function, stage):
    """(func(inputs), v^T H) for a one-element ``func``: d(grad f . v)/d inputs. ``function``
    and ``stage`` only choose torch's error messages (vhp's or hvp's)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", function)
    inputs = _fresh_inputs(inputs, create_graph)
    v = _vectors(v, inputs, "input", function)
    is_tuple, outputs = _outputs(func, inputs, function, strict)
    if is_tuple or outputs[0].numel() != 1:
        raise RuntimeError(
            f"The function given to {function} should return a single Tensor with a single element"
        )
    (out,) = outputs
    if not out.requires_grad:
        grads = (None,) * len(inputs)
    else:
        grads = _grad_or_none([out], inputs, [wrap(np.ones_like(out.data))], create_graph=True)
    _check_requires_grad(grads, "jacobian", strict)
    pairs = [(g, vector) for g, vector in zip(grads, v) if g is not None and g.requires_grad]
    if pairs:
        products = _grad_or_none(
            [g for g, _ in pairs], inputs, [vector for _, vector in pairs], create_graph
        )
    else:
        products = (None,) * len(inputs)
    result = _fill(products, inputs, strict, stage, create_graph)
    out = out if create_graph else wrap(out.data)
    return out, (result if is_inputs_tuple else result[0])


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a one-element ``func``, as ``torch.autograd.functional.vhp``."""
    return _second_order_product(func, inputs, v, create_graph, strict, "vhp", "double_back")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a one-element ``func``, as ``torch.autograd.functional.hvp``
    (equal to ``vhp`` for twice continuously differentiable functions, whose Hessian is
    symmetric; torch computes it by a double-backward trick, here as v^T H = (H v)^T)."""
    return _second_order_product(func, inputs, v, create_graph, strict, "hvp", "double_back_trick")
