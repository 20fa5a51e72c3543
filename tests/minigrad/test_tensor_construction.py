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
    assert (t.shape, t.ndim, t.size(), t.size(-1), t.numel(), t.dim(), t.dtype) == ((2, 3), 2, (2, 3), 3, 6, 2, np.float64)
    assert t.grad is None and t.requires_grad and t.is_leaf
    assert t.T.shape == (3, 2)
    assert len(t) == 2
    assert t.detach().numpy() is t.data
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
    assert a is not b and bool(a == b)  # == compares values elementwise, as torch


def test_repr():
    assert repr(Tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(Tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(Tensor([1.0], dtype=np.float32)) == "tensor([1.], dtype=float32)"
    x = Tensor(2.0, requires_grad=True)
    assert repr(x * x) == "tensor(4., grad_fn=<mul>)"
    assert repr(Tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"


def test_data_can_be_updated_in_place_or_reassigned():
    t = Tensor([1.0, 2.0], requires_grad=True)
    t.data -= 0.5  # what an optimizer does
    np.testing.assert_array_equal(t.data, [0.5, 1.5])
    t.data = np.array([3.0, 4.0])
    np.testing.assert_array_equal(t.data, [3.0, 4.0])
    with pytest.raises(TypeError, match="numpy ndarray or a Tensor, got list"):
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
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients, got int64"):
        Tensor([1, 2], dtype=np.int64, requires_grad=True)


def test_requires_grad_cannot_change_on_non_leaf():
    x = Tensor(1.0, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
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
        (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5))), ValueError, r"matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
        (lambda: Tensor(np.ones(3)) @ Tensor(np.ones(4)), ValueError, r"matmul: shapes \(3,\) and \(4,\) are not aligned"),
        (lambda: Tensor(2.0) @ Tensor(np.ones(4)), ValueError, r"matmul: both arguments to matmul need to be at least 1D, but they are 0D and 1D \(shapes \(\) and \(4,\)\)"),
        (lambda: Tensor(np.ones(6)).reshape(4, 2), RuntimeError, r"reshape: shape '\[4, 2\]' is invalid for input of size 6"),
        (lambda: Tensor(np.ones(6)).reshape(2.0, 3), TypeError, r"reshape: sizes must be ints, got float 2.0"),
        (lambda: Tensor(np.ones((2, 3))).permute(0, 0), RuntimeError, r"permute: repeated dim"),
        (lambda: Tensor(np.ones((2, 3))).permute(0), RuntimeError, r"input.dim\(\) = 2 is not equal to len\(dims\) = 1"),
        (lambda: Tensor(np.ones((2, 3, 4))).transpose(2, 0, 1), TypeError, r"transpose\(dim0, dim1\) swaps two dims.*use permute"),
        (lambda: Tensor(np.ones((2, 3))).sum(dim=2), IndexError, r"sum: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
        (lambda: Tensor(np.ones((2, 3))).mean(axis=(0, 0)), ValueError, r"mean: dim \(0, 0\) appears more than once"),
        (lambda: Tensor(np.ones((2, 3))).sum(dim=0, axis=0), TypeError, r"sum: got both dim=0 and its numpy alias axis=0"),
        (lambda: Tensor(np.ones((2, 3))).max(dim=1.5), TypeError, r"max: dim must be an int, got float 1.5"),
        (lambda: Tensor(np.ones((0, 3))).max(dim=0), IndexError, r"max\(\): Expected reduction dim 0 to have non-zero size"),
        (lambda: Tensor(np.ones((0, 3))).amax(), IndexError, r"amax\(\): Expected reduction dim 0 to have non-zero size"),
        (lambda: Tensor(np.ones((2, 3))).sum(keepdim="yes"), TypeError, r"sum: keepdim must be a bool, got str"),
        (lambda: Tensor([1, 2], dtype=np.int64) ** -1, RuntimeError, r"Integers to negative integer powers are not allowed"),
        (lambda: minigrad.tensor([1, 2]).mean(), RuntimeError, r"mean\(\): could not infer output dtype.*int64"),
        (lambda: Tensor(np.ones(3))[5], IndexError, r"index 5 is out of bounds.*\(tensor shape \(3,\)\)"),
        (lambda: Tensor(np.ones(3))[0, 0], IndexError, r"too many indices.*\(tensor shape \(3,\)\)"),
        (lambda: minigrad.cat([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))]), RuntimeError, r"cat: Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list"),
        (lambda: minigrad.cat([]), ValueError, r"cat\(\): expected a non-empty list of Tensors"),
        (lambda: minigrad.cat(Tensor(np.ones(3))), TypeError, "cat: expected a list or tuple of tensors, got Tensor"),
        (lambda: minigrad.stack([Tensor(np.ones(2)), Tensor(np.ones(3))]), RuntimeError, r"stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1"),
        (lambda: Tensor(np.ones(3)).view(3, 2), RuntimeError, r"view: shape '\[3, 2\]' is invalid for input of size 3"),
        (lambda: Tensor(np.ones((2, 3))).T.view(6), RuntimeError, r"view size is not compatible.*Use .reshape"),
        (lambda: Tensor(np.ones((2, 3))).expand(4, 3), RuntimeError, r"expand: The expanded size of the tensor \(4\) must match the existing size \(2\) at non-singleton dimension 0"),
        (lambda: Tensor(np.ones((2, 3))).unsqueeze(3), IndexError, r"unsqueeze: dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)"),
        (lambda: Tensor(np.ones((2, 3))).softmax(dim=None), TypeError, r"softmax: dim is required"),
        (lambda: Tensor(np.ones(3)).clamp(), ValueError, r"clamp: At least one of 'min' or 'max' must not be None"),
        (lambda: minigrad.where(np.ones(2, bool), Tensor(np.ones(3)), 0.0), ValueError, r"where: shapes \(2,\) and \(3,\) and \(\) cannot be broadcast"),
        (lambda: minigrad.where(np.array(["a"]), 1.0, 0.0), TypeError, "where expected condition to be a boolean tensor, but got a tensor with dtype <U1"),
        (lambda: Tensor(np.ones(3)) + "a", TypeError, "expected a Tensor or a number as the other operand, got str"),
        (lambda: Tensor(np.ones(3)) * 1j, TypeError, "complex dtype"),
        (lambda: Tensor([1.0, 2.0]).item(), RuntimeError, r"a Tensor with 2 elements cannot be converted to Scalar"),
        (lambda: bool(Tensor([1.0, 2.0])), RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"),
        (lambda: len(Tensor(1.0)), TypeError, "len\\(\\) of a 0-d tensor"),
        (lambda: list(Tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
    ],
)
def test_error_messages_name_the_problem(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_backward_errors():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn: none of the tensors"):
        (Tensor([1.0]) * 2).sum().backward()
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad can be implicitly created only for scalar outputs.*shape \(2,\)"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of \(3,\) and output\[0\] has a shape of \(2,\)"):
        (x * 2).backward(np.ones(3))
    with pytest.raises(TypeError, match=r"backward: the gradient has non-numeric dtype complex128"):
        (x * 2).backward(np.ones(2) * 1j)
    with minigrad.no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match="computed under no_grad"):
        y.sum().backward()
    (x * 2).backward(Tensor([1.0, 1.0]))  # an explicit grad works for non-scalars
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
