"""minigrad.Function: user-defined ops join the graph and are checked by gradcheck."""

import numpy as np
import pytest

import minigrad
from minigrad import Function, Tensor


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_arrays
        return grad * 3 * x**2


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_arrays
        return grad * 3 * x  # the classic slip: x instead of x**2


class ScaledPower(Function):
    """a * x**p with a Tensor-valued a (broadcast) and a plain-number exponent p."""

    @staticmethod
    def forward(ctx, a, x, p):
        ctx.save_for_backward(a, x)
        ctx.p = p
        return a * x**p

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_arrays
        return grad * x**ctx.p, grad * a * ctx.p * x ** (ctx.p - 1), None


def leaf(values, dtype=np.float64):
    return Tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_closed_form_derivative_and_graph_record():
    x = leaf(2.0)
    y = Cube.apply(x)
    assert y.item() == 8.0 and y._op == "Cube" and y._parents == (x,)
    y.backward()
    assert x.grad == 12.0  # d/dx x**3 at 2


def test_gradcheck_accepts_the_right_rule_and_catches_the_wrong_one():
    x = leaf(np.random.default_rng(0).normal(size=(3, 2)))
    assert minigrad.gradcheck(lambda t: Cube.apply(t).sum(), [x])
    with pytest.raises(minigrad.GradcheckError, match="input 0"):
        minigrad.gradcheck(lambda t: WrongCube.apply(t).sum(), [x])


def test_broadcast_gradient_and_non_tensor_argument():
    rng = np.random.default_rng(1)
    a, x = leaf(rng.normal(size=(3, 1))), leaf(rng.uniform(0.5, 2.0, size=(1, 4)))
    assert minigrad.gradcheck(lambda a, x: ScaledPower.apply(a, x, 3).sum(), [a, x])
    ScaledPower.apply(a, x, 2).sum().backward()
    np.testing.assert_allclose(a.grad, np.broadcast_to((x.data**2).sum(), (3, 1)))
    np.testing.assert_allclose(x.grad, (2 * a.data * x.data).sum(axis=0, keepdims=True))


def test_composes_with_builtin_ops_and_keeps_float32():
    x = leaf([1.0, 2.0], dtype=np.float32)
    y = (Cube.apply(x * 2) + 1).sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, 3 * (2 * x.data) ** 2 * 2)


def test_no_graph_under_no_grad_and_released_after_backward():
    x = leaf(1.5)
    with minigrad.no_grad():
        assert not Cube.apply(x).requires_grad
    y = Cube.apply(x)
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_bad_backward_results_are_named():
    class TooFew(Cube):
        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    class WrongShape(Cube):
        @staticmethod
        def backward(ctx, grad):
            return np.ones(7)

    with pytest.raises(ValueError, match=r"TooFew.backward returned 2 gradient\(s\) for 1 input"):
        TooFew.apply(leaf([1.0, 2.0])).sum().backward()
    with pytest.raises(ValueError, match=r"WrongShape.backward: gradient 0 has shape \(7,\)"):
        WrongShape.apply(leaf([1.0, 2.0])).sum().backward()


def test_bad_forward_results_are_named():
    class ReturnsTensor(Function):
        @staticmethod
        def forward(ctx, x):
            return Tensor(x)

    class ReturnsInts(Function):
        @staticmethod
        def forward(ctx, x):
            return np.arange(3)

    with pytest.raises(TypeError, match="ReturnsTensor.forward must return a numpy array"):
        ReturnsTensor.apply(leaf(1.0))
    with pytest.raises(TypeError, match="ReturnsInts.forward must return floating-point"):
        ReturnsInts.apply(leaf(1.0))
    with pytest.raises(NotImplementedError, match="must define forward"):
        Function.apply(leaf(1.0))
