"""Tensor construction, attributes, assignment of .data/.grad, repr, and every error message."""

import numpy as np
import pytest

import minigrad
from minigrad import Tensor


def test_dtypes_at_construction():
    assert Tensor(1.5).dtype == np.float64
    assert Tensor([1, 2]).dtype == np.float64  # ints become the default float dtype
    assert Tensor([True, False]).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert Tensor(np.float32(2.0)).dtype == np.float32
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor([1, 2], dtype="int64").dtype == np.int64
    assert minigrad.tensor([1.0], requires_grad=True, dtype=np.float32).requires_grad


def test_construction_copies_the_input():
    source = np.array([1.0, 2.0])
    t = Tensor(source)
    source[0] = 9.0
    assert t.data[0] == 1.0
    u = Tensor(t)
    u.data[1] = 5.0
    assert t.data[1] == 2.0


def test_attributes():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert isinstance(t.data, np.ndarray)
    assert (t.shape, t.ndim, t.size, t.dtype) == ((2, 3), 2, 6, np.float64)
    assert t.grad is None and t.requires_grad and t.is_leaf
    assert t.T.shape == (3, 2)
    assert len(t) == 2
    assert t.numpy() is t.data
    assert Tensor([[4.0]]).item() == 4.0 and isinstance(Tensor(4.0).item(), float)
    assert bool(Tensor(1.0)) and not bool(Tensor([0.0]))
    assert list(t[1].data) == [3.0, 4.0, 5.0]
    rows = list(t)
    assert len(rows) == 2 and rows[1]._op == "getitem"
    np.testing.assert_array_equal(rows[1].data, [3.0, 4.0, 5.0])


def test_tensors_hash_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    state = {a: "a", b: "b"}
    assert state[a] == "a" and state[b] == "b"
    assert a != b and a == a


def test_repr():
    assert repr(Tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(Tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(Tensor([1.0], dtype=np.float32)) == "tensor([1.], dtype=float32)"
    x = Tensor(2.0, requires_grad=True)
    assert repr(x * x) == "tensor(4., op='mul')"
    assert repr(Tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"


def test_data_can_be_updated_in_place_or_reassigned():
    t = Tensor([1.0, 2.0], requires_grad=True)
    t.data -= 0.5  # what an optimizer does
    np.testing.assert_array_equal(t.data, [0.5, 1.5])
    t.data = np.array([3.0, 4.0])
    np.testing.assert_array_equal(t.data, [3.0, 4.0])
    with pytest.raises(TypeError, match="numpy ndarray, got list"):
        t.data = [1.0, 2.0]
    with pytest.raises(TypeError, match="complex"):
        t.data = np.array([1j, 2j])
    with pytest.raises(TypeError, match="requires grad needs floating-point data, got int64"):
        t.data = np.array([1, 2])


def test_grad_can_be_assigned_and_cleared():
    t = Tensor([1.0, 2.0], requires_grad=True)
    t.grad = np.array([0.1, 0.2])
    (t * 1).sum().backward()
    np.testing.assert_allclose(t.grad, [1.1, 1.2])
    t.grad = None
    assert t.grad is None
    with pytest.raises(ValueError, match=r"shape \(2,\), got \(3,\)"):
        t.grad = np.zeros(3)
    with pytest.raises(TypeError, match="dtype float64, got float32"):
        t.grad = np.zeros(2, dtype=np.float32)
    with pytest.raises(TypeError, match="ndarray or None, got list"):
        t.grad = [0.0, 0.0]


@pytest.mark.parametrize(
    "data, message",
    [
        (np.array([1, "a"], dtype=object), "object array"),
        ([1 + 2j], "complex dtype"),
        (np.ones(2, dtype=np.complex64), "complex dtype"),
        (["1", "2"], "string data"),
        ([Tensor(1.0), Tensor(2.0)], "minigrad.stack"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime"),
    ],
)
def test_non_numeric_data_is_refused(data, message):
    with pytest.raises(TypeError, match=message):
        Tensor(data)


def test_non_numeric_dtype_argument_is_refused():
    with pytest.raises(TypeError, match=r"Tensor\(dtype=...\): got a complex dtype"):
        Tensor([1.0], dtype=complex)
    with pytest.raises(TypeError, match="string data"):
        Tensor([1.0], dtype=str)


def test_only_float_tensors_can_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require grad, got dtype int64"):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)


def test_requires_grad_cannot_change_on_non_leaf():
    x = Tensor(1.0, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="only be changed on leaf tensors.*'mul'"):
        y.requires_grad = False
    x.requires_grad = False
    assert not x.requires_grad


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Tensor(np.ones(3)) + Tensor(np.ones(4)), ValueError, r"add: shapes \(3,\) and \(4,\) cannot be broadcast"),
        (lambda: Tensor(np.ones((2, 3))) * np.ones((3, 2)), ValueError, r"mul: shapes \(2, 3\) and \(3, 2\)"),
        (lambda: Tensor(np.ones(3)) - Tensor(np.ones(2)), ValueError, r"sub: shapes \(3,\) and \(2,\)"),
        (lambda: Tensor(np.ones(3)) / Tensor(np.ones(2)), ValueError, r"div: shapes \(3,\) and \(2,\)"),
        (lambda: Tensor(np.ones(3)) ** Tensor(np.ones(2)), ValueError, r"pow: shapes \(3,\) and \(2,\)"),
        (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5))), ValueError, r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned.*3.*4"),
        (lambda: Tensor(np.ones(3)) @ Tensor(np.ones(4)), ValueError, r"matmul: shapes \(3,\) and \(4,\) are not aligned"),
        (lambda: Tensor(2.0) @ Tensor(np.ones(4)), ValueError, r"matmul: both operands must have at least 1 dimension, got shapes \(\) and \(4,\)"),
        (lambda: Tensor(np.ones(6)).reshape(4, 2), ValueError, r"reshape: cannot reshape a tensor of shape \(6,\) \(6 elements\) into shape \(4, 2\)"),
        (lambda: Tensor(np.ones((2, 3))).transpose(0, 0), ValueError, r"transpose: repeated axis"),
        (lambda: Tensor(np.ones((2, 3))).transpose(0), ValueError, r"transpose: axes \(0,\) do not match a tensor of shape \(2, 3\)"),
        (lambda: Tensor(np.ones((2, 3))).sum(axis=2), ValueError, r"sum: axis 2 is out of range for a tensor with 2 dimensions"),
        (lambda: Tensor(np.ones((2, 3))).mean(axis=(0, 0)), ValueError, r"mean: repeated axis"),
        (lambda: Tensor(np.ones((2, 3))).max(axis=1.5), TypeError, r"max: axis must be an int or a tuple of ints"),
        (lambda: Tensor(np.ones((0, 3))).max(axis=0), ValueError, r"max: cannot reduce over an empty axis \(tensor shape \(0, 3\)\)"),
        (lambda: Tensor(np.ones((0, 3))).mean(), ValueError, r"mean: cannot average over an empty axis"),
        (lambda: Tensor(np.ones(3))[5], IndexError, r"getitem: index 5 is out of bounds.*\(tensor shape \(3,\)\)"),
        (lambda: Tensor(np.ones(3))[0, 0], IndexError, r"getitem: too many indices.*\(tensor shape \(3,\)\)"),
        (lambda: minigrad.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))]), ValueError, r"concatenate: cannot join tensors of shapes \[\(2, 3\), \(2, 4\)\] along axis 0"),
        (lambda: minigrad.concatenate([]), ValueError, "concatenate: needs at least one tensor"),
        (lambda: minigrad.concatenate(Tensor(np.ones(3))), TypeError, "concatenate: expected a list or tuple of tensors, got Tensor"),
        (lambda: minigrad.stack([Tensor(np.ones(2)), Tensor(np.ones(3))]), ValueError, r"stack: cannot stack tensors of shapes \[\(2,\), \(3,\)\]"),
        (lambda: minigrad.where(np.ones(2, bool), Tensor(np.ones(3)), 0.0), ValueError, r"where: shapes \(2,\) \(condition\), \(3,\) \(x\) and \(\) \(y\) cannot be broadcast"),
        (lambda: minigrad.where(np.array(["a"]), 1.0, 0.0), TypeError, "where: condition must be boolean or numeric"),
        (lambda: Tensor(np.ones(3)) + "a", TypeError, "string data"),
        (lambda: Tensor(np.ones(3)) * 1j, TypeError, "complex dtype"),
        (lambda: Tensor([1.0, 2.0]).item(), ValueError, r"item\(\) needs a tensor with exactly one element, this one has shape \(2,\)"),
        (lambda: bool(Tensor([1.0, 2.0])), ValueError, "truth value of a tensor with 2 elements is ambiguous"),
        (lambda: len(Tensor(1.0)), TypeError, "len\\(\\) of a 0-d tensor"),
        (lambda: list(Tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
    ],
)
def test_error_messages_name_the_problem(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_backward_errors():
    with pytest.raises(RuntimeError, match="does not require grad: none of the tensors"):
        (Tensor([1.0]) * 2).sum().backward()
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad can be implicitly created only for scalar outputs.*shape \(2,\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"backward: grad has shape \(3,\) but the tensor has shape \(2,\)"):
        (x * 2).backward(np.ones(3))
    with pytest.raises(TypeError, match=r"backward\(grad\): got a complex dtype"):
        (x * 2).backward(np.ones(2) * 1j)
    with minigrad.no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match="computed under no_grad"):
        y.sum().backward()
    (x * 2).backward(Tensor([1.0, 1.0]))  # an explicit grad works for non-scalars
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
