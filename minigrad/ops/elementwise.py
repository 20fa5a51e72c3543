"""Elementwise ops: each value and its derivative, side by side.

Binary ops broadcast as numpy does; their ``backward`` returns gradients in the broadcast
output shape and the engine sums them back to each input's shape. Every ``backward`` is
written with Tensor ops, so under ``create_graph=True`` it is recorded and can be
differentiated again. A Python number as an operand is a constant (no gradient) that takes
the tensor's dtype, as numpy's weak scalars do: ``float32_tensor * 2.0`` stays float32.
"""

import numpy as np

from .. import debugging
from ..checks import broadcast_shapes
from ..function import Function
from ..tensor import Tensor, wrap


def _apply_ufunc(op, ufunc, a, b):
    """``ufunc(a, b)``; a broadcasting failure becomes an error naming both shapes.

    An integer or bool tensor meeting a float tensor takes the float's dtype, as torch
    (numpy would make ``int64 * float32`` float64)."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype != b.dtype:
        if a.dtype.kind == "f" and b.dtype.kind in "iub":
            b = b.astype(a.dtype)
        elif b.dtype.kind == "f" and a.dtype.kind in "iub":
            a = a.astype(b.dtype)
    try:
        return ufunc(a, b)
    except ValueError:
        broadcast_shapes(op, np.shape(a), np.shape(b))  # raises the shape message if that was it
        raise


def _constant(array, like):
    """A mask or factor as a constant tensor of ``like``'s dtype (never upcasts float32)."""
    return wrap(np.asarray(array, dtype=like.dtype))


# ----------------------------------------------------------------------- binary arithmetic


class Add(Function):
    """a + b; d/da = 1, d/db = 1."""

    name = "add"
    differentiable_backward = True
    numeric_operands = True

    @staticmethod
    def forward(ctx, a, b):
        return _apply_ufunc("add", np.add, a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """a - b; d/da = 1, d/db = -1."""

    name = "sub"
    differentiable_backward = True
    numeric_operands = True

    @staticmethod
    def forward(ctx, a, b):
        out = _apply_ufunc("sub", np.subtract, a, b)
        if debugging._enabled:  # minigrad.debug(): (n, 1) - (n,) in a hand-written loss
            debugging.check_subtraction_broadcast(a, b, out.shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """a * b; d/da = b, d/db = a."""

    name = "mul"
    differentiable_backward = True
    numeric_operands = True
    saves_inputs = (0, 1)

    @classmethod
    def inputs_needed(cls, needs_input_grad):
        need_a, need_b = needs_input_grad
        return need_b, need_a

    @staticmethod
    def forward(ctx, a, b):
        return _apply_ufunc("mul", np.multiply, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Function):
    """a / b; d/da = 1 / b, d/db = -a / b**2."""

    name = "div"
    differentiable_backward = True
    numeric_operands = True
    saves_inputs = (0, 1)

    @classmethod
    def inputs_needed(cls, needs_input_grad):
        return needs_input_grad[1], True

    @staticmethod
    def forward(ctx, a, b):
        return _apply_ufunc("div", np.true_divide, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b if need_a else None
        grad_b = -grad * a / (b * b) if need_b else None
        return grad_a, grad_b


def _refuse_negative_integer_power(a, b):
    base_kind = np.asarray(a).dtype.kind
    exponent = np.asarray(b)
    if base_kind in "iu" and exponent.dtype.kind in "iub" and np.any(exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")


class Pow(Function):
    """a ** b; d/da = b a**(b-1), d/db = a**b log a (limits 0 where a = 0 and b = 0, resp.
    b >= 0, where the formulas would give 0 * inf)."""

    name = "pow"
    differentiable_backward = True
    numeric_operands = True
    saves_inputs = (0, 1)
    saves_output = True

    @classmethod
    def output_needed(cls, needs_input_grad):
        return needs_input_grad[1]  # only d/db reads the output

    @staticmethod
    def forward(ctx, a, b):
        if type(b) in (int, float) and type(a) is np.ndarray and a.dtype.kind == "f":
            if b == 2:  # x ** 2, the most common power: exact, and faster than power()
                return np.multiply(a, a)
            return np.power(a, b)
        _refuse_negative_integer_power(a, b)
        return _apply_ufunc("pow", np.power, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if need_a:
            if not isinstance(b, Tensor):  # a constant exponent, the common case
                grad_a = None if b == 0 else (grad * (2 * a) if b == 2 else grad * (b * a ** (b - 1)))
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    a_data = a.data if isinstance(a, Tensor) else np.asarray(a)
                    power = where_((b.data == 0) & (a_data == 0), 0.0, b * a ** (b - 1))
                grad_a = grad * power
        if need_b:
            a_tensor = a if isinstance(a, Tensor) else wrap(np.asarray(a, dtype=b.dtype))
            b_data = b.data
            with np.errstate(divide="ignore", invalid="ignore"):
                log_term = where_((a_tensor.data == 0) & (b_data >= 0), 0.0, ctx.output * a_tensor.log())
            grad_b = grad * log_term
        if need_a and grad_a is None:
            grad_a = grad * 0.0
        return grad_a, grad_b


class Maximum(Function):
    """Elementwise max(a, b); the gradient goes to the larger, split evenly on ties."""

    name = "maximum"
    differentiable_backward = True
    numeric_operands = True

    @staticmethod
    def forward(ctx, a, b):
        out = _apply_ufunc("maximum", np.maximum, a, b)
        ctx.share_a = (np.greater(a, b) + 0.5 * np.equal(a, b)).astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        share_a = wrap(ctx.share_a)
        return grad * share_a, grad * (1.0 - share_a)


class Minimum(Function):
    """Elementwise min(a, b); the gradient goes to the smaller, split evenly on ties."""

    name = "minimum"
    differentiable_backward = True
    numeric_operands = True

    @staticmethod
    def forward(ctx, a, b):
        out = _apply_ufunc("minimum", np.minimum, a, b)
        ctx.share_a = (np.less(a, b) + 0.5 * np.equal(a, b)).astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        share_a = wrap(ctx.share_a)
        return grad * share_a, grad * (1.0 - share_a)


class Where(Function):
    """``x if condition else y`` elementwise; the gradient goes to x where condition holds,
    to y elsewhere (the condition, a bool array, is a constant)."""

    name = "where"
    differentiable_backward = True
    numeric_operands = True

    @staticmethod
    def forward(ctx, condition, x, y):
        ctx.condition = condition
        try:
            return np.where(condition, x, y)
        except ValueError:
            broadcast_shapes("where", np.shape(condition), np.shape(x), np.shape(y))
            raise

    @staticmethod
    def backward(ctx, grad):
        _, need_x, need_y = ctx.needs_input_grad
        condition = ctx.condition
        grad_x = Where.apply(condition, grad, 0.0) if need_x else None
        grad_y = Where.apply(condition, 0.0, grad) if need_y else None
        return None, grad_x, grad_y


def where_(condition, x, y):
    """``Where`` with an array-like condition and Tensor/number branches (internal helper)."""
    return Where.apply(np.asarray(condition, dtype=bool), x, y)


# ----------------------------------------------------------------------- unary


class Neg(Function):
    """-x; derivative -1."""

    name = "neg"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return np.negative(x)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Exp(Function):
    """e**x; derivative e**x (the saved output)."""

    name = "exp"
    differentiable_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.output


class Log(Function):
    """Natural logarithm; derivative 1/x."""

    name = "log"
    differentiable_backward = True
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Log1p(Function):
    """log(1 + x), accurate for small x; derivative 1 / (1 + x)."""

    name = "log1p"
    differentiable_backward = True
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return np.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1.0)


class Expm1(Function):
    """e**x - 1, accurate for small x; derivative e**x = output + 1."""

    name = "expm1"
    differentiable_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.expm1(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.output + 1.0)


class Sqrt(Function):
    """Square root; derivative 1 / (2 sqrt(x))."""

    name = "sqrt"
    differentiable_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.sqrt(x)

    @staticmethod
    def backward(ctx, grad):
        return grad / (ctx.output * 2.0)


class Square(Function):
    """x**2; derivative 2x."""

    name = "square"
    differentiable_backward = True
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return np.multiply(x, x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * 2.0)


class Abs(Function):
    """|x|; derivative sign(x), taken as 0 at x = 0 (as in PyTorch)."""

    name = "abs"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.sign = np.sign(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * _constant(ctx.sign, grad)


class Sin(Function):
    """Sine; derivative cos(x)."""

    name = "sin"
    differentiable_backward = True
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(Function):
    """Cosine; derivative -sin(x)."""

    name = "cos"
    differentiable_backward = True
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * x.sin()


_math_erf = np.frompyfunc(__import__("math").erf, 1, 1)


class Erf(Function):
    """The error function 2/sqrt(pi) * integral_0^x exp(-t**2) dt (math.erf elementwise);
    derivative 2/sqrt(pi) exp(-x**2)."""

    name = "erf"
    differentiable_backward = True
    saves_inputs = (0,)

    @staticmethod
    def forward(ctx, x):
        x = np.asarray(x)
        return _math_erf(x).astype(np.result_type(x, np.float16))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((-(x * x)).exp() * (2.0 / np.sqrt(np.pi)))


class Tanh(Function):
    """Hyperbolic tangent; derivative 1 - tanh(x)**2 (from the saved output)."""

    name = "tanh"
    differentiable_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, grad):
        return TanhBackward.apply(grad, ctx.output)  # grad * (1 - out * out), as one op


class TanhBackward(Function):
    """tanh's derivative applied to a gradient, grad * (1 - out**2), as one op (torch's
    ``tanh_backward``): one numpy expression instead of three Tensor ops on every backward
    through a tanh. Its own derivative, for second derivatives: d/dgrad = 1 - out**2,
    d/dout = -2 out grad."""

    name = "tanh_backward"
    differentiable_backward = True
    saves_inputs = (0, 1)

    @staticmethod
    def forward(ctx, grad, out):
        return grad * (1.0 - out * out)

    @staticmethod
    def backward(ctx, g):
        grad, out = ctx.saved_tensors
        need_grad, need_out = ctx.needs_input_grad
        grad_grad = g * (1.0 - out * out) if need_grad else None
        grad_out = g * grad * out * -2.0 if need_out else None
        return grad_grad, grad_out


class Sigmoid(Function):
    """1 / (1 + e**-x), computed as (1 + tanh(x/2)) / 2 so no exp overflows;
    derivative sigmoid(x) (1 - sigmoid(x))."""

    name = "sigmoid"
    differentiable_backward = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        half = np.asarray(0.5, dtype=np.result_type(x, np.float16))
        return half * (1 + np.tanh(half * x))

    @staticmethod
    def backward(ctx, grad):
        out = ctx.output
        return grad * (out * (1.0 - out))


class Relu(Function):
    """max(x, 0); derivative 1 where x > 0, else 0 (0 at x = 0, as in PyTorch)."""

    name = "relu"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.positive = x > 0
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, grad):
        return grad * _constant(ctx.positive, grad)


class Clamp(Function):
    """min(max(x, low), high) with either bound optional; the gradient passes where
    low <= x <= high (inclusive, as torch) and is 0 where a bound is active."""

    name = "clamp"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, low, high):
        inside = np.ones(np.shape(x), dtype=bool)
        out = x
        if low is not None:
            inside &= np.greater_equal(x, low)
            out = np.maximum(out, low)
        if high is not None:
            inside &= np.less_equal(x, high)
            out = np.minimum(out, high)
        ctx.inside = inside
        return np.array(out, dtype=np.result_type(x, *(v for v in (low, high) if v is not None)))

    @staticmethod
    def backward(ctx, grad):
        return grad * _constant(ctx.inside, grad), None, None


class _Piecewise(Function):
    """Base of the step functions (sign, floor, ceil, round, trunc): derivative 0 a.e."""

    differentiable_backward = True
    ufunc = None

    @classmethod
    def forward(cls, ctx, x):
        return cls.ufunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0.0


class Sign(_Piecewise):
    """-1, 0 or +1 by the sign of x; derivative 0 (as torch)."""

    name = "sign"
    ufunc = np.sign


class Floor(_Piecewise):
    """Largest integer <= x; derivative 0."""

    name = "floor"
    ufunc = np.floor


class Ceil(_Piecewise):
    """Smallest integer >= x; derivative 0."""

    name = "ceil"
    ufunc = np.ceil


class Round(_Piecewise):
    """Nearest integer, halves to even (as torch and numpy); derivative 0."""

    name = "round"
    ufunc = np.round


class Trunc(_Piecewise):
    """x rounded toward zero; derivative 0."""

    name = "trunc"
    ufunc = np.trunc


class ToDtype(Function):
    """A copy in another dtype; the gradient is cast back to the input's dtype."""

    name = "to"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.input_dtype = np.asarray(x).dtype
        return np.asarray(x).astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.input_dtype), None


class Clone(Function):
    """A copy with its own memory; derivative 1."""

    name = "clone"
    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        return np.array(x, copy=True)

    @staticmethod
    def backward(ctx, grad):
        return grad
