"""gradcheck: passes correct derivatives, and reports the input, index and both values
when a backward is wrong."""

import re

import numpy as np
import pytest

import minigrad
from minigrad import GradcheckError, Tensor, gradcheck


class WrongSquare(minigrad.Function):
    """x**2 with a backward that is wrong only at flat index 4 (3 x instead of 2 x)."""

    name = "wrong_square"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_arrays
        factor = np.full(x.shape, 2.0)
        factor.flat[4] = 3.0
        return grad * factor * x


wrong_square = WrongSquare.apply


def test_passes_on_correct_gradients_of_several_inputs():
    rng = np.random.default_rng(0)
    a = Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    b = Tensor(rng.normal(size=(3,)), requires_grad=True)
    constant = Tensor(rng.normal(size=(3,)))
    assert gradcheck(lambda a, b, c: ((a * b).tanh() + c).sum(axis=0) / (b * b + 1), [a, b, constant]) is True
    assert gradcheck(lambda a: a.exp().sum(), a) is True  # a single Tensor is accepted


def test_checks_in_float64_even_for_float32_inputs():
    x = Tensor(np.linspace(0.5, 1.5, 4, dtype=np.float32), requires_grad=True)
    assert gradcheck(lambda t: (t.log() * t).sum(), [x])
    assert x.dtype == np.float32 and x.grad is None  # the caller's tensor is untouched


def test_failure_report_names_input_index_and_values():
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    other = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda o, t: o.sum() + wrong_square(t), [other, x])
    message = str(failure.value)
    # flat index 4 of shape (2, 3) is (1, 1), where x = 5: analytic 3*5 = 15, numeric 2*5 = 10
    assert "input 1 (shape (2, 3))" in message
    assert "input index (1, 1)" in message
    assert "output index (1, 1)" in message
    analytic = float(re.search(r"analytic d output / d input = ([-\d.e]+)", message).group(1))
    numeric = float(re.search(r"numeric = ([-\d.e]+)", message).group(1))
    assert analytic == pytest.approx(15.0)
    assert numeric == pytest.approx(10.0, rel=1e-6)


def test_failure_without_exception_returns_false():
    x = Tensor(np.arange(1.0, 7.0), requires_grad=True)
    assert gradcheck(wrong_square, [x], raise_exception=False) is False


def test_tolerances_decide():
    x = Tensor(np.arange(1.0, 7.0), requires_grad=True)
    # the worst error is |15 - 10| = 5: passes only when atol + rtol * 10 >= 5
    assert gradcheck(wrong_square, [x], atol=5.1, rtol=0.0)
    assert not gradcheck(wrong_square, [x], atol=4.9, rtol=0.0, raise_exception=False)
    assert gradcheck(wrong_square, [x], atol=0.0, rtol=0.51)


def test_nan_gradient_is_a_failure():
    x = Tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # sqrt at 0 - eps is NaN
        assert not gradcheck(lambda t: t.sqrt(), [x], raise_exception=False)


def test_input_not_reaching_output_has_zero_jacobian():
    x, y = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    assert gradcheck(lambda a, b: a * 3, [x, y])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: gradcheck(lambda t: t, [Tensor([1.0])]), ValueError, "no input has requires_grad=True"),
        (lambda: gradcheck(lambda t: t, [np.ones(2)]), TypeError, "input 0 must be a Tensor, got ndarray"),
        (lambda: gradcheck(lambda t: t.data, [Tensor([1.0], requires_grad=True)]), TypeError, "fn must return a Tensor, got ndarray"),
        (lambda: gradcheck(lambda t: t, [Tensor([1.0], requires_grad=True)], eps=0), ValueError, "need eps > 0"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_learner_function_with_numpy_constants():
    rng = np.random.default_rng(3)
    features, targets = rng.normal(size=(10, 2)), rng.normal(size=(10, 1))
    w = Tensor(rng.normal(size=(2, 1)), requires_grad=True)
    b = Tensor(np.zeros(1), requires_grad=True)

    def squared_loss(w, b):
        return ((features @ w + b - targets) ** 2 / 2).mean()

    assert minigrad.gradcheck(squared_loss, [w, b])
