"""In-place operations with torch's semantics: the same object and the same array, torch's
leaf rule and its wording, recording on computed tensors (values and gradients against torch
2.13's golden numbers), the version counter, and writing through ``.data``."""

import re

import numpy as np
import pytest

import minigrad
from minigrad import Tensor
from torch_refs import CASES, check_against_torch, check_derivatives

LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."

# (name, call): every in-place method torch learners reach for, with its arguments.
INPLACE_METHODS = [
    ("add_", lambda t: t.add_(1.5)),
    ("add_ alpha", lambda t: t.add_(Tensor([1.0, 2.0, 3.0]), alpha=2)),
    ("sub_", lambda t: t.sub_(Tensor([1.0, 2.0, 3.0]))),
    ("mul_", lambda t: t.mul_(3)),
    ("div_", lambda t: t.div_(Tensor([2.0]))),
    ("zero_", lambda t: t.zero_()),
    ("fill_", lambda t: t.fill_(7)),
    ("copy_", lambda t: t.copy_(Tensor([4.0, 5.0, 6.0]))),
    ("clamp_", lambda t: t.clamp_(-0.5, 0.5)),
    ("pow_", lambda t: t.pow_(2)),
    ("neg_", lambda t: t.neg_()),
    ("uniform_", lambda t: t.uniform_(-1, 1)),
    ("normal_", lambda t: t.normal_(0, 2)),
]
EXPECTED = {
    "add_": [2.5, -0.5, 3.5], "add_ alpha": [3.0, 2.0, 8.0], "sub_": [0.0, -4.0, -1.0],
    "mul_": [3.0, -6.0, 6.0], "div_": [0.5, -1.0, 1.0], "zero_": [0.0, 0.0, 0.0],
    "fill_": [7.0, 7.0, 7.0], "copy_": [4.0, 5.0, 6.0], "clamp_": [0.5, -0.5, 0.5],
    "pow_": [1.0, 4.0, 4.0], "neg_": [-1.0, 2.0, -2.0],
}


def start():
    return Tensor([1.0, -2.0, 2.0])


@pytest.mark.parametrize("name, call", INPLACE_METHODS, ids=[n for n, _ in INPLACE_METHODS])
def test_inplace_methods_return_self_and_write_into_the_same_array(name, call):
    t = start()
    array = t.data
    assert call(t) is t
    assert t.data is array
    assert t._version == 1
    if name in EXPECTED:
        np.testing.assert_array_equal(t.data, EXPECTED[name])


def test_random_fills_are_seeded_and_in_range():
    minigrad.manual_seed(5)
    a = minigrad.zeros(1000).uniform_(-1, 3)
    b = minigrad.zeros(1000).normal_(2.0, 0.5)
    minigrad.manual_seed(5)
    np.testing.assert_array_equal(minigrad.zeros(1000).uniform_(-1, 3).data, a.data)
    np.testing.assert_array_equal(minigrad.zeros(1000).normal_(2.0, 0.5).data, b.data)
    assert -1 <= a.data.min() and a.data.max() < 3 and 0.9 < a.data.mean() < 1.1
    assert 1.95 < b.data.mean() < 2.05 and 0.45 < b.data.std() < 0.55


@pytest.mark.parametrize("operator", ["+=", "-=", "*=", "/="])
def test_augmented_assignment_keeps_the_object_and_its_array(operator):
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    before, array = t, t.data
    namespace = {"t": t, "other": Tensor([2.0, 4.0])}
    exec(f"t {operator} other", namespace)
    assert namespace["t"] is before and before.data is array
    expected = eval(f"np.array([[1.0, 2.0], [3.0, 4.0]]) {operator[0]} np.array([2.0, 4.0])")
    np.testing.assert_array_equal(array, expected)


def test_setitem_writes_in_place():
    t = minigrad.zeros(3, 4)
    array = t.data
    t[1] = Tensor([1.0, 2.0, 3.0, 4.0])
    t[0, 1:] = 5
    t[minigrad.tensor([2, 2])] = -1.0
    t[t.data > 4] = 9.0
    assert t.data is array
    np.testing.assert_array_equal(array, [[0, 9, 9, 9], [1, 2, 3, 4], [-1, -1, -1, -1]])


@pytest.mark.parametrize("name, call", INPLACE_METHODS + [
    ("+=", lambda t: t.__iadd__(1.0)), ("-=", lambda t: t.__isub__(1.0)),
    ("*=", lambda t: t.__imul__(2.0)), ("/=", lambda t: t.__itruediv__(2.0)),
    ("setitem", lambda t: t.__setitem__(0, 3.0)),
], ids=[n for n, _ in INPLACE_METHODS] + ["+=", "-=", "*=", "/=", "setitem"])
def test_leaf_that_requires_grad_refuses_in_place_in_grad_mode_and_allows_it_under_no_grad(name, call):
    w = Tensor([1.0, -2.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^" + re.escape(LEAF_ERROR) + "$"):
        call(w)
    np.testing.assert_array_equal(w.data, [1.0, -2.0, 2.0])  # refused before any change
    assert w._version == 0
    with minigrad.no_grad():
        assert call(w) is w or name in ("+=", "-=", "*=", "/=", "setitem")
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    assert w._version == 1


def test_d2l_sgd_update_under_no_grad_moves_the_parameter():
    # d2l's from-scratch update: with torch.no_grad(): w -= lr * w.grad
    w = Tensor([1.0, 2.0], requires_grad=True)
    array = w.data
    (w * w).sum().backward()
    lr = 0.1
    param = w
    with minigrad.no_grad():
        w -= lr * w.grad
    assert w is param and w.data is array
    np.testing.assert_allclose(w.data, [0.8, 1.6])
    assert w.requires_grad and w.is_leaf
    w.grad[:] = 0  # torch: w.grad.data.zero_()
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, [1.6, 3.2])


def test_view_of_a_leaf_refuses_in_place_in_grad_mode():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^a view of a leaf Variable that requires grad is being used in an in-place operation.$"):
        w[0:2].mul_(2)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
        w.view(3).add_(1)
    with minigrad.no_grad():
        w[0:2].mul_(2)
    np.testing.assert_array_equal(w.data, [2.0, 4.0, 3.0])
    assert w._version == 1  # the view shares its base's version counter


def test_in_place_on_a_view_of_a_computed_tensor_is_refused_with_a_message():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"mul: an in-place operation on a view of a tensor that requires grad is not supported in minigrad; assign through the base tensor instead"):
        y[0:2].mul_(2)
    y[0:2] = y[0:2] * 2  # the supported spelling
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 4.0, 2.0])


INPLACE_CASES = [c for c in CASES if c.name.startswith("inplace_")]


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("case", INPLACE_CASES, ids=[c.name for c in INPLACE_CASES])
def test_in_place_ops_on_computed_tensors_match_torch(case, dtype_name):
    check_against_torch(case, dtype_name)


@pytest.mark.parametrize("case", INPLACE_CASES, ids=[c.name for c in INPLACE_CASES])
def test_in_place_ops_on_computed_tensors_gradcheck_and_gradgradcheck(case):
    check_derivatives(case)


def test_in_place_on_a_computed_tensor_is_recorded_on_the_same_object():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    array = y.data
    assert y.mul_(x) is y and y.data is array
    assert y.grad_fn is not None and y.grad_fn.name == "mul" and not y.is_leaf
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_a_constant_joins_the_graph_through_an_in_place_op():
    x = Tensor([1.0, 2.0], requires_grad=True)
    z = minigrad.zeros(2)
    z += x * 3
    assert z.requires_grad and z.grad_fn is not None
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def version_error(op, shape, now, expected):
    return re.escape(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [float64 tensor of shape {shape}], which is needed by the '{op}' op, is at "
        f"version {now}; expected version {expected} instead."
    )


def test_modifying_a_saved_input_in_place_fails_at_backward_naming_op_shape_and_versions():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y  # mul saves y (version 0)
    y.add_(1)
    y.mul_(2)
    assert y._version == 2
    with pytest.raises(minigrad.SavedTensorModifiedError, match=version_error("mul", "(2,)", 2, 0)):
        z.sum().backward()


def test_modifying_a_saved_output_in_place_fails_at_backward():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    y = x.exp()  # exp saves its output
    y[0, 0] = 0.0
    with pytest.raises(RuntimeError, match=version_error("exp", "(1, 2)", 1, 0)):
        y.sum().backward()


def test_modifying_a_saved_leaf_through_a_view_under_no_grad_is_detected():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with minigrad.no_grad():
        w[0:1].add_(1.0)  # the view bumps its base's counter
    with pytest.raises(RuntimeError, match=version_error("mul", "(2,)", 1, 0)):
        loss.backward()


def test_writing_through_data_bypasses_the_check_as_in_torch():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y
    y.data += 1  # not seen by autograd: the gradient uses the new values
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [2 * 2 * 3.0, 2 * 2 * 5.0])
    assert y._version == 0


def test_p_data_minus_equals_a_tensor_expression_updates_the_same_array():
    # d2l's Adam: p.data -= hyperparams['lr'] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
    p = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    array = p.data
    m_hat = Tensor([0.1, -0.2, 0.3])
    v_hat = Tensor([0.01, 0.04, 0.09])
    lr, eps = 0.1, 1e-6
    p.data -= lr * m_hat / (minigrad.sqrt(v_hat) + eps)
    assert p.data is array
    np.testing.assert_allclose(array, 1.0 - 0.1 * np.array([0.1, -0.2, 0.3]) / (np.array([0.1, 0.2, 0.3]) + 1e-6))
    assert p._version == 0 and p.requires_grad and p.is_leaf


def test_tensor_operands_of_numpy_in_place_ops_are_read_not_recorded():
    state = np.zeros(2)
    g = Tensor([1.0, 2.0], requires_grad=True)
    state += g * g  # numpy's in-place add reads the Tensor's values
    np.testing.assert_array_equal(state, [1.0, 4.0])
    assert type(state) is np.ndarray
    # numpy operands on the left of an out-of-place op still give recorded Tensors
    out = np.array([1.0, 3.0]) * g
    assert isinstance(out, Tensor) and out.grad_fn.name == "mul"
    assert isinstance(np.array([1.0, 3.0]) < g, Tensor)


def test_assigning_a_tensor_to_data_copies_its_values():
    p = Tensor([1.0, 2.0], requires_grad=True)
    array = p.data
    p.data = Tensor([5.0, 6.0]) * 2
    assert p.data is array
    np.testing.assert_array_equal(array, [10.0, 12.0])


def test_grad_is_a_numpy_array_zeroed_in_place():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    grad = w.grad
    assert type(grad) is np.ndarray
    w.grad[:] = 0
    assert w.grad is grad and not grad.any()


def test_failed_in_place_ops_change_nothing():
    t = Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=re.escape("add_: output with shape [2] doesn't match the broadcast shape [2, 2]")):
        t.add_(minigrad.ones(2, 2))
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        t.add_(minigrad.ones(3))
    i = minigrad.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type float64 can't be cast to the desired output type int64"):
        i += 0.5
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
    np.testing.assert_array_equal(i.data, [1, 2])
    assert t._version == 0 and i._version == 0
