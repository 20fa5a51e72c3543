"""The torch-named Tensor API against torch 2.13 (tests/data/tensor_refs.npz, made by
tests/data/make_tensor_refs.py from the cases in tests/data/tensor_cases.py): values and
gradients of every reduction (dim/keepdim variants), shape op, elementwise op with
broadcasting, comparison and logical op, in float64 and in float32 (kept float32); then
gradcheck and gradgradcheck (second derivatives) of every differentiable case at its random
inputs. The in-place cases run in test_inplace.py."""

import numpy as np
import pytest

import minigrad
from torch_refs import CASES, REFS, check_against_torch, check_derivatives, differentiable

OUT_OF_PLACE = [c for c in CASES if not c.name.startswith("inplace_")]
IDS = [c.name for c in OUT_OF_PLACE]


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("case", OUT_OF_PLACE, ids=IDS)
def test_values_and_gradients_match_torch(case, dtype_name):
    check_against_torch(case, dtype_name)


DIFFERENTIABLE = [c for c in OUT_OF_PLACE if differentiable(c)]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[c.name for c in DIFFERENTIABLE])
def test_gradcheck_and_gradgradcheck(case):
    check_derivatives(case)


def test_every_case_ran_in_torch():
    assert {key.split("/")[0] for key in REFS.files} == {case.name for case in CASES}
    assert len(DIFFERENTIABLE) > 100


def test_prod_with_zeros_has_second_derivatives():
    # d2/dx_i dx_j prod(x) = product of the others but i and j: with one zero it is nonzero
    # only for pairs that include the zero.
    x = minigrad.tensor([2.0, 0.0, 3.0], requires_grad=True)
    (grad,) = minigrad.autograd.grad(x.prod(), x, create_graph=True)
    np.testing.assert_array_equal(grad.data, [0.0, 6.0, 0.0])
    hessian = np.stack([minigrad.autograd.grad(grad[i], x, retain_graph=True)[0].data for i in range(3)])
    np.testing.assert_array_equal(hessian, [[0, 3, 0], [3, 0, 2], [0, 2, 0]])


# --------------------------------------------------------------------------- error messages

X = minigrad.tensor(np.arange(6.0).reshape(2, 3))
ERRORS = [
    ("transpose with a permutation", lambda: minigrad.ones(2, 3, 4).transpose(2, 0, 1), TypeError,
     r"transpose\(dim0, dim1\) swaps two dims, as in torch; got \(2, 0, 1\). For a full permutation of the dims \(numpy's transpose\(axes\)\) use permute\(\*dims\)"),
    ("transpose with a tuple", lambda: X.transpose((1, 0)), TypeError, r"use permute\(\*dims\)"),
    ("int ** negative int", lambda: minigrad.tensor([2, 3]) ** -2, RuntimeError,
     r"^Integers to negative integer powers are not allowed\.$"),
    ("int ** int tensor", lambda: minigrad.tensor([2, 3]) ** minigrad.tensor([1, -1]), RuntimeError,
     r"^Integers to negative integer powers are not allowed\.$"),
    ("int ** negative, reflected", lambda: 2 ** minigrad.tensor([1, -1]), RuntimeError,
     r"^Integers to negative integer powers are not allowed\.$"),
    ("backward of a vector", lambda: (minigrad.ones(2, requires_grad=True) * 2).backward(), RuntimeError,
     r"grad can be implicitly created only for scalar outputs; this output has shape \(2,\)"),
    ("backward gradient shape", lambda: (minigrad.ones(2, requires_grad=True) * 2).backward(minigrad.ones(1)),
     RuntimeError, r"Mismatch in shape: grad_output\[0\] has a shape of \(1,\) and output\[0\] has a shape of \(2,\)"),
    ("backward without grad", lambda: minigrad.ones(1).sum().backward(), RuntimeError,
     "element 0 of tensors does not require grad and does not have a grad_fn"),
    ("max over an empty dim", lambda: minigrad.zeros(0, 3).max(dim=0), IndexError,
     r"max\(\): Expected reduction dim 0 to have non-zero size\."),
    ("amax over an empty dim", lambda: minigrad.zeros(0, 3).amax(dim=0), IndexError,
     r"amax\(\): Expected reduction dim 0 to have non-zero size\."),
    ("argmax of nothing", lambda: minigrad.zeros(0).argmax(), IndexError,
     r"argmax\(\): Expected reduction dim to be specified for input.numel\(\) == 0\."),
    ("view needing a copy", lambda: X.T.view(6), RuntimeError,
     r"view size is not compatible with input tensor's size and stride .* Use \.reshape\(\.\.\.\) instead\."),
    ("mT of a vector", lambda: minigrad.zeros(3).mT, RuntimeError,
     "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."),
    ("dim out of range", lambda: X.sum(dim=2), IndexError,
     r"sum: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    ("dim and axis", lambda: X.sum(dim=0, axis=1), TypeError, "sum: got both dim=0 and its numpy alias axis=1"),
    ("keepdim not a bool", lambda: X.sum(0, keepdim="False"), TypeError, "sum: keepdim must be a bool, got str 'False'"),
    ("mean of integers", lambda: minigrad.tensor([1, 2]).mean(), RuntimeError,
     r"mean\(\): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: int64"),
    ("integers requiring grad", lambda: minigrad.tensor([1, 2], requires_grad=True), RuntimeError,
     "only Tensors of floating point dtype can require gradients, got int64"),
    ("var with correction and unbiased", lambda: X.var(correction=1, unbiased=True), TypeError,
     "var: got both correction and unbiased; use correction"),
    ("item of many", lambda: X.item(), RuntimeError, "a Tensor with 6 elements cannot be converted to Scalar"),
    ("bool of many", lambda: bool(X), RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"),
    ("expand mismatch", lambda: X.expand(4, 3, 2), RuntimeError,
     r"The expanded size of the tensor \(3\) must match the existing size \(2\) at non-singleton dimension 1"),
    ("repeat with too few", lambda: X.repeat(2), RuntimeError,
     "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"),
    ("chunk 0", lambda: X.chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"),
    ("split sizes", lambda: X.split([1, 1], dim=1), RuntimeError,
     r"split_with_sizes expects split_sizes to sum exactly to 3 \(input tensor's size at dimension 1\), but got split_sizes=\[1, 1\]"),
    ("cat shapes", lambda: minigrad.cat([X, minigrad.zeros(2, 2)]), RuntimeError,
     r"cat: Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list"),
    ("stack shapes", lambda: minigrad.stack([X, minigrad.zeros(3, 2)]), RuntimeError,
     r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1"),
    ("gather float index", lambda: X.gather(1, minigrad.tensor([[0.0]])), RuntimeError,
     r"gather\(\): Expected dtype int64 for index, got float64"),
    ("clamp without bounds", lambda: X.clamp(), ValueError, "clamp: At least one of 'min' or 'max' must not be None"),
    ("reshape size", lambda: X.reshape(4, 2), RuntimeError, r"reshape: shape '\[4, 2\]' is invalid for input of size 6"),
    ("reshape two -1", lambda: X.reshape(-1, -1), RuntimeError, "only one dimension can be inferred"),
    ("cumsum without dim", lambda: X.cumsum(None), TypeError, "cumsum: dim is required"),
    ("permute length", lambda: X.permute(1), RuntimeError,
     r"permute: number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim\(\) = 2 is not equal to len\(dims\) = 1"),
    ("permute repeated", lambda: X.permute(0, 0), RuntimeError, r"permute: repeated dim in \[0, 0\]"),
    ("unsqueeze range", lambda: X.unsqueeze(3), IndexError,
     r"unsqueeze: dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)"),
    ("size range", lambda: X.size(2), IndexError, "size: dimension out of range"),
    ("requires_grad_ on a computed tensor", lambda: (minigrad.ones(1, requires_grad=True) * 2).requires_grad_(False),
     RuntimeError, "you can only change requires_grad flags of leaf variables"),
    ("detach_ of a view", lambda: minigrad.ones(2, requires_grad=True)[0:1].detach_(), RuntimeError,
     r"Can't detach views in-place. Use detach\(\) instead."),
    ("numpy() of a tensor that requires grad", lambda: minigrad.ones(1, requires_grad=True).numpy(), RuntimeError,
     r"Can't call numpy\(\) on Tensor that requires grad. Use tensor.detach\(\).numpy\(\) instead"),
    ("negative size", lambda: minigrad.zeros(-1), RuntimeError, r"zeros: Trying to create tensor with negative dimension -1: \[-1\]"),
    ("normal with negative std", lambda: minigrad.normal(0, -1, (2,)), RuntimeError, "normal expects std >= 0.0, but found std -1"),
    ("randint bounds", lambda: minigrad.randint(5, 2, (2,)), RuntimeError, "randint: random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
    ("arange step 0", lambda: minigrad.arange(0, 1, 0), RuntimeError, "arange: step must be nonzero"),
    ("to another device", lambda: X.to("cuda"), RuntimeError,
     r"to\('cuda'\): minigrad computes with numpy on the CPU only; drop the .to\(device\) call"),
    ("to something else", lambda: X.to("gpu"), TypeError, "to: expected a dtype"),
    ("to a complex dtype", lambda: X.to(np.complex128), TypeError, "to: unsupported dtype complex128"),
]


@pytest.mark.parametrize("make, error, message", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_messages(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_mean_over_zero_elements_is_nan_as_torch():
    assert np.isnan(minigrad.zeros(0).mean().item())
    out = minigrad.zeros(0, 3).mean(dim=0)
    assert out.shape == (3,) and np.isnan(out.data).all()


# --------------------------------------------------------------------------- names and aliases


def test_numpy_spellings_stay_as_aliases():
    x = minigrad.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert np.array_equal(x.sum(axis=0, keepdims=True).data, x.sum(dim=0, keepdim=True).data)
    assert np.array_equal(x.mean(axis=1).data, x.mean(1).data)
    assert np.array_equal(minigrad.concatenate([x, x], axis=1).data, minigrad.cat([x, x], dim=1).data)
    assert minigrad.clip is minigrad.clamp and minigrad.mm is minigrad.matmul
    assert np.array_equal(minigrad.swapaxes(x, 0, 1).data, x.T.data)


def test_max_min_with_dim_return_named_values_and_indices():
    x = minigrad.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    result = x.min(0)
    assert np.array_equal(values.data, [5.0, 7.0]) and np.array_equal(indices.data, [1, 0])
    assert indices.dtype == np.int64 and not indices.requires_grad
    assert np.array_equal(result.values.data, [1.0, 0.0, 2.0]) and np.array_equal(result.indices.data, [0, 1, 0])
    assert np.array_equal(x.max(minigrad.tensor([2.0, 2.0, 2.0])).data, [[2, 5, 2], [7, 2, 3]])


def test_comparisons_return_bool_tensors_without_grad_and_tensors_stay_hashable():
    x = minigrad.tensor([0.5, 1.0, 2.0], requires_grad=True)
    for result in (x == 1.0, x != 1.0, x < 1, x <= 1, x > 1, x >= 1, x.isnan(), x.isfinite()):
        assert isinstance(result, minigrad.Tensor) and result.dtype == np.bool_
        assert not result.requires_grad and result.grad_fn is None
    assert np.array_equal((x == 1.0).data, [False, True, False])
    table = {x: "x"}
    assert table[x] == "x" and len({x, x * 1}) == 2
    assert (minigrad.tensor([1.0, 2.0]) == minigrad.tensor([1.0, 2.0])).all().item() is True


def test_where_with_a_bool_tensor_condition():
    x = minigrad.tensor([-1.0, 2.0, -3.0], requires_grad=True)
    y = minigrad.where(x < 0, -x, x * 10)
    y.sum().backward()
    assert np.array_equal(y.data, [1.0, 20.0, 3.0]) and np.array_equal(x.grad, [-1.0, 10.0, -1.0])


def test_size_dim_numel_tolist():
    x = minigrad.zeros(2, 3, 4)
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == 3 and x.numel() == 24 and minigrad.numel(x) == 24
    assert minigrad.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert minigrad.tensor(2.5).tolist() == 2.5


def test_dtype_conversions_keep_the_gradient_in_the_original_dtype():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    f = x.float()
    assert f.dtype == np.float32 and f.grad_fn is not None
    assert x.double() is x and x.to(minigrad.float64) is x
    assert x.to(minigrad.float32).dtype == np.float32 and x.to(dtype=minigrad.float32).dtype == np.float32
    assert x.type_as(minigrad.zeros(1, dtype=minigrad.float32)).dtype == np.float32
    assert x.long().dtype == np.int64 and x.to(minigrad.bool).dtype == np.bool_
    assert x.to("cpu") is x and x.to(minigrad.zeros(1, dtype=minigrad.float32)).dtype == np.float32
    (f * f).sum().backward()
    assert x.grad.dtype == np.float64 and np.array_equal(x.grad, [2.0, 4.0])


def test_clone_copies_and_passes_the_gradient():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.data is not x.data and np.array_equal(c.data, x.data)
    assert c.grad_fn.name == "clone"
    (c * 3).sum().backward()
    assert np.array_equal(x.grad, [3.0, 3.0])


def test_requires_grad_and_detach_in_place():
    w = minigrad.zeros(2)
    assert w.requires_grad_() is w and w.requires_grad
    assert w.requires_grad_(False) is w and not w.requires_grad
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y and y.is_leaf and not y.requires_grad and y.grad_fn is None


def test_grad_fn_names_the_op_and_its_inputs():
    x = minigrad.tensor([[1.0, 2.0]], requires_grad=True)
    assert x.grad_fn is None
    y = (x.exp() * 2 + x).sum(dim=0)
    assert repr(y.grad_fn) == "<sum node: inputs (add)>"
    assert repr(y.grad_fn.next[0]) == "<add node: inputs (mul, leaf (1, 2))>"
    assert repr(y.grad_fn.next[0].next[0]) == "<mul node: inputs (exp, constant 2)>"
    assert repr(minigrad.cat([x, minigrad.ones(1, 2)]).grad_fn) == "<cat node: inputs (leaf (1, 2), constant (1, 2))>"
    y.sum().backward()
    assert repr(y.grad_fn) == "<sum node: inputs (add), released>"


def test_backward_gradient_and_inputs():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = minigrad.tensor([3.0], requires_grad=True)
    (x * y).backward(gradient=minigrad.tensor([1.0, 10.0]), inputs=[x])
    assert np.array_equal(x.grad, [3.0, 30.0]) and y.grad is None
    (x * y).backward(np.array([1.0, 1.0]), inputs=y)
    assert np.array_equal(y.grad, [3.0]) and np.array_equal(x.grad, [3.0, 30.0])
    (x * y).backward(grad=minigrad.ones(2))  # the alias
    assert np.array_equal(x.grad, [6.0, 33.0]) and np.array_equal(y.grad, [6.0])
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    assert np.array_equal(x.grad, [10.0, 41.0])


def test_functional_forms_match_the_methods():
    x = minigrad.tensor([[0.5, 1.5], [2.0, 0.25]])
    for name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "square",
                 "sign", "floor", "ceil", "round", "log1p", "expm1", "erf", "neg"):
        assert np.array_equal(getattr(minigrad, name)(x).data, getattr(x, name)().data), name
    assert np.array_equal(minigrad.matmul(x, x).data, (x @ x).data)
    assert np.array_equal(minigrad.sum(x, dim=1).data, x.sum(dim=1).data)


# --------------------------------------------------------------------------- factories

FACTORIES = [
    ("tensor", lambda **k: minigrad.tensor([1.0, 2.0], **k), (2,)),
    ("zeros", lambda **k: minigrad.zeros(2, 3, **k), (2, 3)),
    ("zeros tuple", lambda **k: minigrad.zeros((2, 3), **k), (2, 3)),
    ("ones", lambda **k: minigrad.ones(4, **k), (4,)),
    ("full", lambda **k: minigrad.full((2, 2), 1.5, **k), (2, 2)),
    ("empty", lambda **k: minigrad.empty(3, 1, **k), (3, 1)),
    ("arange", lambda **k: minigrad.arange(0, 1, 0.25, **k), (4,)),
    ("linspace", lambda **k: minigrad.linspace(0, 1, 5, **k), (5,)),
    ("eye", lambda **k: minigrad.eye(3, **k), (3, 3)),
    ("eye n m", lambda **k: minigrad.eye(2, 3, **k), (2, 3)),
    ("rand", lambda **k: minigrad.rand(2, 3, **k), (2, 3)),
    ("randn", lambda **k: minigrad.randn((2, 3), **k), (2, 3)),
    ("normal", lambda **k: minigrad.normal(1.0, 2.0, (3,), **k), (3,)),
]


@pytest.mark.parametrize("make, shape", [f[1:] for f in FACTORIES], ids=[f[0] for f in FACTORIES])
@pytest.mark.parametrize("dtype", [None, minigrad.float32, minigrad.float64])
def test_float_factories_take_dtype_and_requires_grad(make, shape, dtype):
    t = make() if dtype is None else make(dtype=dtype)
    assert t.shape == shape and t.dtype == (dtype or np.float64) and not t.requires_grad
    leaf = make(requires_grad=True) if dtype is None else make(dtype=dtype, requires_grad=True)
    assert leaf.requires_grad and leaf.is_leaf


def test_factory_values_and_integer_dtypes():
    assert np.array_equal(minigrad.zeros(2).data, [0, 0]) and np.array_equal(minigrad.ones(2).data, [1, 1])
    assert np.array_equal(minigrad.full((2,), 3).data, [3, 3]) and minigrad.full((2,), 3).dtype == np.int64
    assert minigrad.full((1,), True).dtype == np.bool_
    assert np.array_equal(minigrad.arange(4).data, [0, 1, 2, 3]) and minigrad.arange(4).dtype == np.int64
    assert np.array_equal(minigrad.arange(1, 7, 2).data, [1, 3, 5])
    assert np.array_equal(minigrad.linspace(0, 1, 5).data, [0, 0.25, 0.5, 0.75, 1])
    assert np.array_equal(minigrad.eye(2).data, [[1, 0], [0, 1]])
    assert minigrad.tensor([1, 2]).dtype == np.int64 and minigrad.tensor([True]).dtype == np.bool_
    assert minigrad.randint(0, 10, (50,)).dtype == np.int64 and minigrad.randint(3, (4,)).data.max() < 3
    assert (minigrad.float32, minigrad.float64, minigrad.int64, minigrad.bool) == (
        np.float32, np.float64, np.int64, np.bool_)


@pytest.mark.parametrize("like", ["zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like"])
def test_like_factories_copy_shape_and_dtype(like):
    x = minigrad.ones(2, 3, dtype=minigrad.float32)
    make = getattr(minigrad, like)
    args = (x, 7) if like == "full_like" else (x,)
    t = make(*args)
    assert t.shape == (2, 3) and t.dtype == np.float32 and not t.requires_grad
    assert make(*args, dtype=minigrad.float64).dtype == np.float64
    assert make(*args, requires_grad=True).requires_grad
    if like != "empty_like" and like not in ("rand_like", "randn_like"):
        assert np.all(t.data == {"zeros_like": 0, "ones_like": 1, "full_like": 7}[like])


def test_random_factories_repeat_after_manual_seed():
    def draws():
        x = minigrad.zeros(2, 2)
        return [minigrad.rand(3).data, minigrad.randn(3).data, minigrad.randint(0, 100, (3,)).data,
                minigrad.normal(0, 1, (3,)).data, minigrad.rand_like(x).data, minigrad.randn_like(x).data,
                minigrad.rand(2, dtype=minigrad.float32).data]

    minigrad.manual_seed(11)
    first = draws()
    minigrad.manual_seed(11)
    second = draws()
    third = draws()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not any(np.array_equal(a, b) for a, b in zip(first, third))
    assert first[-1].dtype == np.float32
    minigrad.manual_seed(0)
    np.testing.assert_array_equal(minigrad.randn(4).data, np.random.default_rng(0).standard_normal(4))
