"""Reverse-mode differentiation: the backward pass over the recorded graph.

Each recorded op left a node (``tensor.grad_fn``) that knows where each input's gradient
goes (``node.next``: the input's own node, a leaf tensor, or None). ``backward`` visits the
nodes reachable from the outputs once, in reverse topological order, so each node's
``backward`` runs after every contribution to its output's gradient has been summed (the
multivariate chain rule); leaves collect theirs in ``.grad``.

The backward formulas are Tensor ops. With ``create_graph=True`` grad mode stays on while
they run, so the gradients are recorded as a graph of their own and can be differentiated
again (``grad`` of a ``grad``: Hessians, Hessian-vector products). Otherwise they run under
``no_grad`` and each visited node's saved values are freed afterwards, unless
``retain_graph=True``, so a finished graph keeps no intermediate values alive.
"""

import operator
import weakref

import numpy as np

from .. import grad_mode
from ..function import Context
from ..grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from ..tensor import Tensor, wrap

__all__ = [
    "backward",
    "enable_grad",
    "grad",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]


def retain(tensor):
    """Have backward store ``tensor``'s gradient (``Tensor.retain_grad``)."""
    tensor._ctx._retained = weakref.ref(tensor)


def is_retained(tensor):
    """True when ``retain(tensor)`` was called for its current node."""
    reference = tensor._ctx._retained
    return reference is not None and reference() is tensor


def _as_tuple(values, name):
    if isinstance(values, Tensor):
        return (values,)
    if isinstance(values, (list, tuple)):
        for i, value in enumerate(values):
            if not isinstance(value, Tensor):
                raise TypeError(f"{name}: element {i} is a {type(value).__name__}, expected a Tensor")
        return tuple(values)
    raise TypeError(f"{name}: expected a Tensor or a sequence of Tensors, got {type(values).__name__}")


def _root_gradients(outputs, grad_outputs, create_graph):
    """d loss / d output for each output: given, or 1 for a one-element output."""
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad can be implicitly created only for scalar outputs; got {len(grad_outputs)} "
            f"gradients for {len(outputs)} outputs"
        )
    roots = []
    for i, (output, given) in enumerate(zip(outputs, grad_outputs)):
        if not output._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn: none "
                "of the tensors it was computed from has requires_grad=True, or it was computed "
                "under no_grad()"
            )
        if given is None:
            if output._data.size != 1:
                raise RuntimeError(
                    "grad can be implicitly created only for scalar outputs; this output has "
                    f"shape {tuple(output.shape)}, so pass a gradient of that shape (d loss / d output)"
                )
            roots.append(wrap(np.ones_like(output._data)))
            continue
        if isinstance(given, Tensor):
            value = given if (create_graph and given._requires_grad) else wrap(given._data)
        else:
            array = np.asarray(given)
            if array.dtype.kind not in "fiub":
                raise TypeError(f"backward: the gradient has non-numeric dtype {array.dtype}")
            value = wrap(array)
        if value.shape != output.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(value.shape)} and "
                f"output[{i}] has a shape of {tuple(output.shape)}."
            )
        if value.dtype != output.dtype:
            value = value.to(output.dtype) if value._requires_grad else wrap(value._data.astype(output.dtype))
        roots.append(value)
    return roots


def _released_error():
    from ..function import _released_error as error

    return error()


def _topological_order(nodes):
    """Nodes reachable from ``nodes`` (leaves excluded), inputs before outputs.

    An op's inputs exist before the op runs, so every node was created after the nodes of
    its inputs: sorting the reachable nodes by their creation number (``Context.sequence``)
    is a topological order, with no depth-first search and its bookkeeping per backward.
    Raises before any gradient is computed if part of the graph was already released.
    """
    seen = set(nodes)
    stack = list(seen)
    while stack:
        node = stack.pop()
        if node.released:
            raise _released_error()
        for target in node.next:
            if type(target) is Context and target not in seen:
                seen.add(target)
                stack.append(target)
    return sorted(seen, key=_creation_number)


_creation_number = operator.attrgetter("sequence")


def _leading_to(order, targets):
    """The nodes of ``order`` from which some key in ``targets`` can be reached."""
    useful = set()
    for node in order:  # inputs before outputs: a node's inputs are decided first
        for target in node.next:
            if target is not None and (target in targets or target in useful):
                useful.add(node)
                break
    return useful


def _execute(outputs, roots, targets, retain_graph, create_graph, observe=None):
    """Run the backward pass; return the total gradient (a Tensor) reaching each target key.

    ``targets``: None for every leaf that requires grad, else the set of keys wanted (a leaf
    tensor, or the node of a computed tensor). ``observe(node, grad, flows)``, if given, is
    called after each node's backward with its incoming gradient and the gradient sent to each
    of ``node.next`` (None where nothing flows): ``viz.backprop_steps`` replays the pass in
    the engine's own order this way. An observed pass stores no ``retain_grad`` gradients.
    """
    pending = {}
    start = []
    for output, root in zip(outputs, roots):
        key = output._ctx if output._ctx is not None else output
        pending[key] = pending[key] + root if key in pending else root
        if output._ctx is not None:
            start.append(output._ctx)
    order = _topological_order(start)
    useful = None if targets is None else _leading_to(order, targets)
    reached = {}
    owned = set()  # the pending sums allocated by _add_into (safe to add into in place)
    with set_grad_enabled(create_graph):
        for node in reversed(order):
            grad = pending.pop(node, None)
            if grad is None:  # nothing flows here: only paths to unwanted inputs lead to it
                continue
            if targets is not None and node in targets:
                reached[node] = grad
            if node._retained is not None and observe is None:
                _store_retained(node, grad)
            if useful is not None and node not in useful:
                continue
            input_grads = node.function.run_backward(node, grad)
            flows = None if observe is None else [None] * len(input_grads)
            for position, (target, input_grad) in enumerate(zip(node.next, input_grads)):
                if target is None or input_grad is None:
                    continue
                array = input_grad._data
                if array.shape != target.shape or array.dtype != target.dtype:
                    input_grad = _fit(input_grad, target)
                if flows is not None:  # never modified below: _add_into sums into its own array
                    flows[position] = input_grad
                if target not in pending:
                    pending[target] = input_grad
                elif create_graph:  # the sum must be recorded: a Tensor op
                    pending[target] = pending[target] + input_grad
                else:
                    _add_into(pending, owned, target, input_grad)
            if observe is not None:
                observe(node, grad, flows)
            if not retain_graph:
                node.release()
    for key, grad in pending.items():
        if type(key) is not Context and (targets is None or key in targets):
            reached[key] = grad
    return reached


def _fit(grad, target):
    """Sum a broadcast gradient back to the input's shape and give it the input's dtype
    (``target`` is the input's node or the leaf itself; both know shape and dtype)."""
    if grad.shape != target.shape:
        grad = grad.sum_to_size(target.shape)
    if grad.dtype != target.dtype:
        grad = grad.to(target.dtype)
    return grad


def _add_into(pending, owned, target, grad):
    """``pending[target] += grad`` with numpy, without recording (``create_graph`` off).

    The first sum is a new array, which only ``pending`` holds; later contributions are
    added into it in place. A gradient an op returned is never modified: it may be shared
    (``a + b`` hands the same gradient to both inputs) or be a view of another.
    """
    total = pending[target]
    if target in owned:
        np.add(total._data, grad._data, out=total._data)
    else:
        pending[target] = wrap(total._data + grad._data)
        owned.add(target)


def _store_retained(node, grad):
    tensor = node._retained()
    if tensor is not None:
        _accumulate(tensor, grad._data)


def _accumulate(tensor, grad):
    """Add ``grad`` (an array) to ``tensor.grad``, created as a private copy the first time."""
    if tensor._grad is None:
        # A row-major copy, whatever the layout of the computed gradient, so that optimizers
        # (numba kernels) can use it without copying it again every step.
        tensor._grad = np.array(grad, dtype=tensor.dtype, order="C", copy=True)
    else:
        tensor._grad += grad


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d tensors / d leaf into ``.grad`` of the leaves (``Tensor.backward``).

    ``grad_tensors``: d loss / d each tensor (default 1 for one-element tensors).
    ``retain_graph`` defaults to ``create_graph``; ``inputs`` restricts accumulation to
    those tensors (leaves, or computed tensors, whose ``.grad`` is then filled).
    """
    outputs = _as_tuple(tensors, "backward")
    create_graph = _flag(create_graph, "create_graph")
    retain_graph = create_graph if retain_graph is None else _flag(retain_graph, "retain_graph")
    roots = _root_gradients(outputs, grad_tensors, create_graph)
    targets = None
    wanted = ()
    if inputs is not None:
        wanted = _as_tuple(inputs, "backward(inputs=...)")
        if not wanted:
            raise RuntimeError("backward: `inputs` argument to `backward()` cannot be empty.")
        targets = {_key(t, "backward(inputs=...)") for t in wanted}
    reached = _execute(outputs, roots, targets, retain_graph, create_graph)
    if targets is None:
        for key, grad in reached.items():
            _accumulate(key, grad._data)
        return
    for tensor in wanted:
        grad = reached.get(_key(tensor, ""))
        if grad is not None:
            _accumulate(tensor, grad._data)


def _key(tensor, where):
    if not tensor._requires_grad:
        raise RuntimeError(f"{where}: One of the differentiated Tensors does not require grad")
    return tensor._ctx if tensor._ctx is not None else tensor


def _flag(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """d outputs / d inputs as a tuple of Tensors, without touching any ``.grad``
    (``torch.autograd.grad``).

    ``grad_outputs``: d loss / d each output (default 1 for one-element outputs); the result
    for input x is sum_i grad_outputs[i] . d outputs[i] / d x. With ``create_graph=True``
    the returned gradients carry a graph and can be differentiated again (a Hessian-vector
    product is ``grad(grad(f, x, create_graph=True)[0] @ v, x)``). An input the outputs do
    not depend on is an error unless ``allow_unused=True`` (then its entry is None).
    ``retain_graph`` defaults to ``create_graph``.
    """
    outputs = _as_tuple(outputs, "grad(outputs)")
    inputs = _as_tuple(inputs, "grad(inputs)")
    if not inputs:
        raise RuntimeError("grad requires non-empty inputs.")
    create_graph = _flag(create_graph, "create_graph")
    retain_graph = create_graph if retain_graph is None else _flag(retain_graph, "retain_graph")
    allow_unused = _flag(allow_unused, "allow_unused")
    roots = _root_gradients(outputs, grad_outputs, create_graph)
    keys = [_key(t, "grad") for t in inputs]
    reached = _execute(outputs, roots, set(keys), retain_graph, create_graph)
    result = []
    for position, (key, tensor) in enumerate(zip(keys, inputs)):
        value = reached.get(key)
        if value is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {position} appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior."
            )
        if value is not None and not create_graph:
            value = wrap(value._data)
        result.append(value)
    return tuple(result)
