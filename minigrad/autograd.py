"""Reverse-mode differentiation: the grad-mode switch and the backward pass.

A tensor produced by an op remembers its inputs (``_parents``) and a closure
(``_backward``) that maps the gradient of the loss with respect to the op's output to the
gradients with respect to each input (the vector-Jacobian product). ``backward`` visits the
graph once in reverse topological order, so each node's closure runs after every
contribution to its output gradient has been summed (the multivariate chain rule).
"""

import functools

import numpy as np

_grad_enabled = True


def is_grad_enabled():
    """Return True when ops record the graph needed by ``backward`` (the default)."""
    return _grad_enabled


class no_grad:
    """Disable graph recording, as a context manager or a decorator.

    Inside ``with minigrad.no_grad():`` (or a function decorated with ``@minigrad.no_grad()``)
    every op returns a plain leaf tensor with ``requires_grad=False``: nothing is saved for
    backward, which is what parameter updates and evaluation loops want. The previous mode
    is restored on exit, even when an exception escapes, so the blocks nest.
    """

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = False
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        global _grad_enabled
        _grad_enabled = self._previous
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def without_grad(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        return without_grad


def sum_to_shape(grad, shape):
    """Sum ``grad`` over the axes that broadcasting stretched, so it gets ``shape``.

    If ``z = x + y`` broadcast ``x`` of shape (3, 1) to (3, 4), each x[i, 0] was used four
    times, so its gradient is the sum of the four output gradients in row i.
    """
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(
        leading + i for i, size in enumerate(shape) if size == 1 and grad.shape[leading + i] != 1
    )
    return grad.sum(axis=tuple(range(leading)) + stretched, keepdims=True).reshape(shape)


def _released_graph_error():
    return RuntimeError(
        "backward: trying to backward through the graph a second time; its saved buffers "
        "were released after the first backward. Pass retain_graph=True to the first "
        "backward() call if you need to backward through the same graph again."
    )


def _topological_order(root):
    """Return the nodes that require grad and lead to ``root``, inputs before outputs.

    Iterative depth-first search (an explicit stack, not recursion), so a chain of any
    length works. Raises before any gradient is written if part of the graph was released.
    """
    order = []
    visited = set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        if node._op is not None and node._backward is None:
            raise _released_graph_error()
        stack.append((node, True))
        for parent in node._parents:
            if parent.requires_grad and parent not in visited:
                stack.append((parent, False))
    return order


def _accumulate_into(tensor, grad):
    """Add ``grad`` to ``tensor.grad`` (created as a private copy the first time)."""
    if tensor.grad is None:
        tensor.grad = np.array(grad, dtype=tensor.dtype, copy=True)
    else:
        tensor.grad += grad


def run_backward(root, grad, retain_graph):
    """Propagate ``grad`` (d loss / d root, already shaped like root) to every leaf.

    Leaves (and non-leaves that called ``retain_grad()``) accumulate into ``.grad``.
    Unless ``retain_graph`` is true, each visited node's backward closure (and with it every
    buffer it saved) is dropped afterwards; ``_op`` and ``_parents`` stay for inspection.
    """
    order = _topological_order(root)
    pending = {root: grad}
    for node in reversed(order):
        # Every node in ``order`` leads to root, and every backward closure returns a
        # gradient for each input that requires grad, so a pending gradient exists.
        grad_out = pending.pop(node)
        if node._op is None:
            _accumulate_into(node, grad_out)
            continue
        if node._retains_grad:
            _accumulate_into(node, grad_out)
        input_grads = node._backward(grad_out)
        for parent, input_grad in zip(node._parents, input_grads):
            if input_grad is None or not parent.requires_grad:
                continue
            input_grad = sum_to_shape(np.asarray(input_grad), parent.shape)
            if input_grad.dtype != parent.dtype:
                input_grad = input_grad.astype(parent.dtype)
            if parent in pending:
                pending[parent] = pending[parent] + input_grad
            else:
                pending[parent] = input_grad
        if not retain_graph:
            node._backward = None
