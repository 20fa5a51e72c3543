"""Matrix products: ``matmul`` (numpy's ``@`` rules) and ``linear`` (what ``nn.Linear`` computes).

C = A @ B  =>  dA = dC @ B^T,  dB = A^T @ dC, summed over broadcast batch dims. A 1-D operand
is a row vector on the left or a column vector on the right whose extra dim numpy drops from
the output; the backward puts it back, computes with matrices, and drops it again.
"""

import numpy as np

from ..checks import ShapeError
from ..function import Function
from .reduce import Sum
from .shape import Permute


def _transposed(matrix):
    """``matrix.mT`` of a 2-D tensor, applied directly: in a backward formula the
    argument checks of ``mT`` would only cost time."""
    return Permute.apply(matrix, (1, 0))


class Matmul(Function):
    """a @ b with numpy's rules (1-D operands, broadcast batch dims)."""

    name = "matmul"
    differentiable_backward = True
    saves_inputs = (0, 1)

    @classmethod
    def inputs_needed(cls, needs_input_grad):
        need_a, need_b = needs_input_grad
        return need_b, need_a

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(a), np.shape(b))
        a_dims, b_dims = np.ndim(a), np.ndim(b)
        if a_dims == 0 or b_dims == 0:
            raise ShapeError(
                f"matmul: both arguments to matmul need to be at least 1D, but they are {a_dims}D "
                f"and {b_dims}D (shapes {np.shape(a)} and {np.shape(b)})"
            )
        try:
            return np.matmul(a, b)
        except ValueError:
            if a_dims == 2 and b_dims == 2:
                raise ShapeError(
                    f"matmul: mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                    f"{b.shape[0]}x{b.shape[1]})"
                ) from None
            raise ShapeError(
                f"matmul: shapes {np.shape(a)} and {np.shape(b)} are not aligned (last dimension "
                f"of the first, {np.shape(a)[-1]}, must equal the "
                f"{'only' if b_dims == 1 else 'second-to-last'} dimension of the second, "
                f"{np.shape(b)[0] if b_dims == 1 else np.shape(b)[-2]}, and batch dimensions "
                "must broadcast)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors  # a is kept only when b needs a gradient, and vice versa
        need_a, need_b = ctx.needs_input_grad
        a_shape, b_shape = ctx.shapes
        if len(a_shape) == 2 and len(b_shape) == 2:  # plain matrices: no reshaping or summing
            return (grad @ _transposed(b) if need_a else None), (_transposed(a) @ grad if need_b else None)
        a_matrix = (1,) + a_shape if len(a_shape) == 1 else a_shape
        b_matrix = b_shape + (1,) if len(b_shape) == 1 else b_shape
        if len(a_shape) == 1:
            grad = grad.unsqueeze(-2 if len(b_shape) > 1 else 0)
        if len(b_shape) == 1:
            grad = grad.unsqueeze(-1)
        grad_a = grad_b = None
        if need_a:
            b2 = b.reshape(b_matrix)
            grad_a = (grad @ b2.mT).sum_to_size(a_matrix).reshape(a_shape)
        if need_b:
            a2 = a.reshape(a_matrix)
            grad_b = (a2.mT @ grad).sum_to_size(b_matrix).reshape(b_shape)
        return grad_a, grad_b


class Linear(Function):
    """x @ weight^T (+ bias), as ``torch.nn.functional.linear``: weight has shape
    (out_features, in_features). Written as one op so that no transposed copy of the
    weight is made and its gradient, grad^T @ x, comes out in the weight's own row order."""

    name = "linear"
    differentiable_backward = True
    saves_inputs = (0, 1)

    @classmethod
    def inputs_needed(cls, needs_input_grad):
        need_x, need_weight, _ = needs_input_grad
        return need_weight, need_x

    @staticmethod
    def forward(ctx, x, weight, bias):
        if np.ndim(weight) != 2 or np.ndim(x) == 0 or np.shape(x)[-1] != np.shape(weight)[1]:
            raise ValueError(
                f"linear: input of shape {np.shape(x)} needs its last dimension to equal the "
                f"weight's in_features; weight has shape {np.shape(weight)} "
                "(out_features, in_features)"
            )
        dtypes = {np.asarray(v).dtype for v in (x, weight, bias) if v is not None}
        if len(dtypes) > 1:
            raise TypeError(
                "linear: input, weight and bias must have the same dtype (minigrad does not "
                f"promote silently), got {', '.join(sorted(str(d) for d in dtypes))}; convert "
                "the input with .to(weight.dtype) or the model with .to(dtype)"
            )
        out = np.matmul(x, weight.T)
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad
        grad_x = grad @ weight if need_x else None
        rows = grad.reshape(-1, grad.shape[-1]) if grad.ndim != 2 else grad
        grad_weight = grad_bias = None
        if need_weight:
            inputs = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
            grad_weight = _transposed(rows) @ inputs  # (out, in), row-major as the weight
        if need_bias:  # summed over the batch here, not by the engine's general broadcast fit
            grad_bias = Sum.apply(rows, (0,), False)
        return grad_x, grad_weight, grad_bias
