"""The layout of computed gradients: every ``.grad`` is a row-major (C-contiguous) array of
its tensor's dtype, whatever route the gradient took (a transposed weight, a 3-D input,
summed contributions), so optimizers use it without copying it first. Values are checked
against closed forms at the same time."""

import numpy as np
import pytest

import minigrad.nn as nn
from minigrad import Tensor


def assert_row_major(tensor):
    grad = tensor.grad
    assert grad.flags.c_contiguous, f"gradient of shape {grad.shape} is not C-contiguous"
    assert grad.dtype == tensor.dtype
    assert grad.shape == tensor.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_shape", [(5,), (2, 5)])
def test_linear_parameter_gradients_are_row_major(dtype, batch_shape):
    rng = np.random.default_rng(0)
    layer = nn.Linear(4, 3, dtype=dtype, generator=rng)
    x_values = rng.normal(size=batch_shape + (4,)).astype(dtype)
    weights = rng.normal(size=batch_shape + (3,)).astype(dtype)
    (layer(Tensor(x_values)) * Tensor(weights)).sum().backward()
    for parameter in (layer.weight, layer.bias):
        assert_row_major(parameter)
    rows, inputs = weights.reshape(-1, 3), x_values.reshape(-1, 4)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(layer.weight.grad, rows.T @ inputs, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(layer.bias.grad, rows.sum(axis=0), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_through_a_transpose_is_row_major(dtype):
    """d/dw of sum(x @ w.T) is computed as a transposed (column-major) product; the stored
    gradient is still row-major, with the values ones^T x in every row."""
    rng = np.random.default_rng(1)
    x_values = rng.normal(size=(6, 4)).astype(dtype)
    w = Tensor(rng.normal(size=(3, 4)).astype(dtype), requires_grad=True)
    (Tensor(x_values) @ w.T).sum().backward()
    assert_row_major(w)
    np.testing.assert_allclose(w.grad, np.tile(x_values.sum(axis=0), (3, 1)), rtol=1e-5)


def test_accumulated_and_retained_gradients_are_row_major():
    """Two contributions summed inside one backward, a second backward adding to .grad, and
    a retained non-leaf gradient: all row-major, with the summed values."""
    rng = np.random.default_rng(2)
    w = Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    x = Tensor(rng.normal(size=(4, 3)))
    for _ in range(2):
        product = w @ x  # (3, 3)
        product.retain_grad()
        loss = (product.T * 2.0).sum() + (w.T * 3.0).sum()
        loss.backward()
        assert_row_major(product)
        np.testing.assert_allclose(product.grad, np.full((3, 3), 2.0))
    assert_row_major(w)
    expected = 2 * (2.0 * np.tile(x.data.sum(axis=1), (3, 1)) + 3.0)
    np.testing.assert_allclose(w.grad, expected, rtol=1e-12)
