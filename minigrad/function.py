"""`Function`: define your own differentiable op, the way ``torch.autograd.Function`` does.

Every op of the Tensor is a forward computation in numpy plus the rule for its gradient. A
learner writes a new one by subclassing ``Function`` with two static methods::

    class Cube(minigrad.Function):
        @staticmethod
        def forward(ctx, x):               # numpy arrays in, a numpy array out
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):           # grad = d loss / d output
            (x,) = ctx.saved_arrays
            return grad * 3 * x ** 2       # d loss / d x, one gradient per input

    y = Cube.apply(t)                      # a Tensor in the graph, like any built-in op
    minigrad.gradcheck(Cube.apply, [t])    # and check the rule against finite differences

Differences from torch: ``forward`` and ``backward`` see numpy arrays (not Tensors), and saved
values are read back as ``ctx.saved_arrays``.
"""

import numpy as np

from .tensor import Tensor, _result


class FunctionContext:
    """What ``forward`` leaves for ``backward``: saved arrays and any attributes set on it."""

    def __init__(self):
        self.saved_arrays = ()

    def save_for_backward(self, *arrays):
        """Keep ``arrays`` for ``backward`` (read them back as ``ctx.saved_arrays``)."""
        self.saved_arrays = arrays


class Function:
    """Base class of a user-defined op: subclass it, define ``forward`` and ``backward``.

    ``forward(ctx, *inputs) -> array``: the value, computed with numpy from the inputs' arrays
    (arguments that are not Tensors, e.g. an exponent, are passed through unchanged).

    ``backward(ctx, grad) -> gradient or tuple of gradients``: given d loss / d output (shaped
    like the output), return d loss / d input for every input of ``forward``, in order
    (``None`` for inputs that need no gradient, such as non-Tensor arguments). A gradient may
    have the input's shape or the output's broadcast shape (it is summed back to the input's
    shape, as for the built-in binary ops).

    ``apply(*inputs)`` runs ``forward`` and, when grad mode is on and a Tensor input requires
    grad, records the op in the graph under the subclass's name.
    """

    @staticmethod
    def forward(ctx, *inputs):
        """The op's value from numpy arrays; a subclass must define it."""
        raise NotImplementedError("a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx, grad):
        """The gradient of every input from the output's gradient; a subclass must define it."""
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs):
        """Run the op on ``inputs`` and return its result as a Tensor recorded in the graph."""
        name = cls.__name__
        ctx = FunctionContext()
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        value = cls.forward(ctx, *arrays)
        if isinstance(value, Tensor):
            raise TypeError(f"{name}.forward must return a numpy array, not a Tensor")
        value = np.asarray(value)
        if value.dtype.kind != "f":
            raise TypeError(
                f"{name}.forward must return floating-point values, got dtype {value.dtype}"
            )
        tensor_positions = [i for i, x in enumerate(inputs) if isinstance(x, Tensor)]

        def backward(grad):
            grads = cls.backward(ctx, grad)
            if not isinstance(grads, tuple):
                grads = (grads,)
            if len(grads) != len(inputs):
                raise ValueError(
                    f"{name}.backward returned {len(grads)} gradient(s) for {len(inputs)} "
                    "input(s) of forward; return one per input (None where there is none)"
                )
            return tuple(
                _checked_gradient(name, i, grads[i], inputs[i], value.shape)
                for i in tensor_positions
            )

        return _result(value, name, tuple(inputs[i] for i in tensor_positions), backward)


def _checked_gradient(name, index, grad, tensor, output_shape):
    """Refuse a gradient that cannot belong to input ``index`` (wrong shape or type)."""
    if grad is None:
        return None
    grad = np.asarray(grad)
    if grad.dtype.kind not in "fiu":
        raise TypeError(f"{name}.backward: gradient {index} has non-numeric dtype {grad.dtype}")
    if grad.shape not in (tensor.shape, output_shape):
        raise ValueError(
            f"{name}.backward: gradient {index} has shape {grad.shape}, but input {index} has "
            f"shape {tensor.shape} (and the output {output_shape})"
        )
    return grad
