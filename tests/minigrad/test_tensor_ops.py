"""Every op: forward value equals numpy's, and backward agrees with finite differences
(``gradcheck``), and so does the derivative of backward (``gradgradcheck``: second
derivatives), on hypothesis-generated shapes and values, including broadcasting."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import Tensor, gradcheck, gradgradcheck


def values(shape, low=-2.0, high=2.0):
    """float64 arrays of ``shape`` with elements in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high))


def away_from_zero(shape, low=0.2, high=2.0):
    """float64 arrays whose elements have magnitude in [low, high] and either sign."""
    magnitudes = values(shape, low, high)
    signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    return st.tuples(magnitudes, signs).map(lambda pair: pair[0] * pair[1])


@st.composite
def distinct_values(draw, shape):
    """Arrays with all elements at least 0.25 apart, so max/min have no ties to blur."""
    size = int(np.prod(shape))
    order = draw(st.permutations(range(size)))
    return np.asarray(order, dtype=np.float64).reshape(shape) * 0.25 - 1.0


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
broadcast_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


def leaf(array):
    return Tensor(array, requires_grad=True)


def check(fn, *arrays):
    """gradcheck and gradgradcheck ``fn`` on leaves made from ``arrays``; return fn's output."""
    inputs = [leaf(a) for a in arrays]
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)
    return fn(*inputs)


# ---------------------------------------------------------------- binary ops, broadcasting

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data(), broadcast=broadcast_pairs)
def test_add_sub_mul_broadcasting(name, data, broadcast):
    op, reference = BINARY[name]
    shape_a, shape_b = broadcast.input_shapes
    a, b = data.draw(values(shape_a)), data.draw(values(shape_b))
    out = check(op, a, b)
    np.testing.assert_allclose(out.data, reference(a, b))
    assert out.shape == broadcast.result_shape


@given(data=st.data(), broadcast=broadcast_pairs)
def test_div_broadcasting(data, broadcast):
    shape_a, shape_b = broadcast.input_shapes
    a, b = data.draw(values(shape_a)), data.draw(away_from_zero(shape_b, 0.5))
    out = check(lambda x, y: x / y, a, b)
    np.testing.assert_allclose(out.data, a / b)


@given(data=st.data(), broadcast=broadcast_pairs)
def test_pow_tensor_exponent_broadcasting(data, broadcast):
    shape_a, shape_b = broadcast.input_shapes
    a, b = data.draw(values(shape_a, 0.5, 2.0)), data.draw(values(shape_b))
    out = check(lambda x, y: x**y, a, b)
    np.testing.assert_allclose(out.data, a**b)


@given(data=st.data(), shape=shapes, scalar=st.floats(-2, 2))
def test_scalar_operands_on_either_side(data, shape, scalar):
    a = data.draw(away_from_zero(shape, 0.5))
    cases = [
        (lambda x: x + scalar, a + scalar),
        (lambda x: scalar + x, scalar + a),
        (lambda x: x - scalar, a - scalar),
        (lambda x: scalar - x, scalar - a),
        (lambda x: x * scalar, a * scalar),
        (lambda x: scalar * x, scalar * a),
        (lambda x: x / 3, a / 3),
        (lambda x: scalar / x, scalar / a),
        (lambda x: -x, -a),
    ]
    for fn, expected in cases:
        np.testing.assert_allclose(check(fn, a).data, expected)


@given(data=st.data(), shape=shapes, exponent=st.sampled_from([0, 1, 2, 3, -1, -2]))
def test_pow_integer_exponent_any_sign_base(data, shape, exponent):
    a = data.draw(away_from_zero(shape, 0.5))
    np.testing.assert_allclose(check(lambda x: x**exponent, a).data, a**exponent)


@given(data=st.data(), shape=shapes, exponent=st.floats(-2, 2))
def test_pow_real_exponent_positive_base(data, shape, exponent):
    a = data.draw(values(shape, 0.5, 2.0))
    np.testing.assert_allclose(check(lambda x: x**exponent, a).data, a**exponent)


@given(data=st.data(), shape=shapes, base=st.floats(0.5, 3.0))
def test_scalar_base_pow(data, shape, base):
    a = data.draw(values(shape))
    np.testing.assert_allclose(check(lambda x: base**x, a).data, base**a)


def test_ndarray_on_the_left_defers_to_tensor():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = leaf(np.array([0.5, -1.0]))
    out = a * x
    assert isinstance(out, Tensor)
    np.testing.assert_allclose(out.data, a * x.data)
    assert gradcheck(lambda t: a * t + a @ t - a / (t + 3), [x])


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((), (3, 4)), ((3, 4), ()), ((3, 1), (1, 4)), ((1, 4), (3, 1)), ((2, 1, 3), (4, 1)), ((4,), (2, 3, 4))],
)
def test_named_broadcast_cases_sum_gradients_back(shape_a, shape_b):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b) + 3.0
    for fn in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x / y, lambda x, y: x - y):
        check(fn, a, b)
    x, y = leaf(a), leaf(b)
    (x * y).sum().backward()
    assert x.grad.shape == shape_a and y.grad.shape == shape_b


def test_broadcast_gradient_closed_forms():
    # (3,1) * (1,4): d sum / d x[i,0] = sum_j y[0,j], d sum / d y[0,j] = sum_i x[i,0]
    x, y = leaf([[1.0], [2.0], [3.0]]), leaf([[1.0, 10.0, 100.0, 1000.0]])
    (x * y).sum().backward()
    np.testing.assert_array_equal(x.grad, [[1111.0], [1111.0], [1111.0]])
    np.testing.assert_array_equal(y.grad, [[6.0, 6.0, 6.0, 6.0]])
    # scalar + matrix: the scalar was used 6 times
    s, m = leaf(2.0), leaf(np.ones((2, 3)))
    (s * m + s).sum().backward()
    assert s.grad == 12.0 and s.grad.shape == ()
    np.testing.assert_array_equal(m.grad, np.full((2, 3), 2.0))


# ---------------------------------------------------------------- matmul


@st.composite
def matmul_operands(draw):
    k, m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=2))
    batch_a, batch_b = batch.input_shapes
    a_shape = (k,) if draw(st.booleans()) else batch_a + (m, k)
    b_shape = (k,) if draw(st.booleans()) else batch_b + (k, n)
    return draw(values(a_shape)), draw(values(b_shape))


@given(operands=matmul_operands())
def test_matmul_vectors_matrices_and_batches(operands):
    a, b = operands
    out = check(lambda x, y: x @ y, a, b)
    np.testing.assert_allclose(out.data, a @ b)


def test_matmul_closed_form():
    rng = np.random.default_rng(1)
    a, b = leaf(rng.normal(size=(2, 3))), leaf(rng.normal(size=(3, 4)))
    (a @ b).sum().backward()
    np.testing.assert_allclose(a.grad, np.ones((2, 4)) @ b.data.T)
    np.testing.assert_allclose(b.grad, a.data.T @ np.ones((2, 4)))


# ---------------------------------------------------------------- elementwise functions

UNARY = {
    "exp": (values, np.exp),
    "log": (lambda shape: values(shape, 0.3, 3.0), np.log),
    "sqrt": (lambda shape: values(shape, 0.3, 3.0), np.sqrt),
    "abs": (away_from_zero, np.abs),
    "sin": (values, np.sin),
    "cos": (values, np.cos),
    "tanh": (values, np.tanh),
    "sigmoid": (values, lambda a: 1 / (1 + np.exp(-a))),
    "relu": (away_from_zero, lambda a: np.maximum(a, 0)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data(), shape=shapes)
def test_unary_functions(name, data, shape):
    strategy, reference = UNARY[name]
    a = data.draw(strategy(shape))
    out = check(lambda x: getattr(x, name)(), a)
    np.testing.assert_allclose(out.data, reference(a), rtol=1e-12, atol=1e-15)
    assert out._op == name


def test_sigmoid_does_not_overflow():
    with np.errstate(all="raise"):
        out = Tensor([-1000.0, 0.0, 1000.0]).sigmoid()
    np.testing.assert_allclose(out.data, [0.0, 0.5, 1.0])


# ---------------------------------------------------------------- reductions


@st.composite
def shape_and_axis(draw):
    shape = draw(shapes)
    ndim = len(shape)
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1) if ndim else st.none(),
            hnp.valid_tuple_axes(ndim),
        )
    )
    return shape, axis, draw(st.booleans())


@pytest.mark.parametrize("name", ["sum", "mean"])
@given(data=st.data(), case=shape_and_axis())
def test_sum_and_mean(name, data, case):
    shape, axis, keepdims = case
    a = data.draw(values(shape))
    out = check(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims), a)
    np.testing.assert_allclose(out.data, getattr(np, name)(a, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("name", ["amax", "amin"])
@given(data=st.data(), case=shape_and_axis())
def test_amax_and_amin_without_ties(name, data, case):
    shape, axis, keepdims = case
    a = data.draw(distinct_values(shape))
    out = check(lambda x: getattr(x, name)(axis if axis is not None else (), keepdims), a)
    reference = np.max if name == "amax" else np.min
    all_dims = axis is None or axis == ()  # torch: dim=() reduces every dim
    np.testing.assert_allclose(out.data, reference(a, axis=None if all_dims else axis, keepdims=keepdims))


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), keepdim=st.booleans())
def test_max_and_min_along_a_dim_return_values_and_indices(name, data, shape, keepdim):
    a = data.draw(distinct_values(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    values_, indices = getattr(Tensor(a), name)(dim, keepdim)
    arg = np.argmax if name == "max" else np.argmin
    np.testing.assert_array_equal(indices.data, arg(a, axis=dim, keepdims=keepdim))
    assert indices.dtype == np.int64
    out = check(lambda x: getattr(x, name)(dim=dim, keepdim=keepdim).values, a)
    np.testing.assert_allclose(out.data, values_.data)


def test_max_min_ties_split_the_gradient_evenly_except_along_a_dim():
    x = leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    x.max().backward()  # torch: the full reduction shares among ties
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [0, 0, 0]])
    x.grad = None
    x.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.grad = None
    x.amin(dim=0, keepdim=True).sum().backward()
    np.testing.assert_allclose(x.grad, [[1, 0, 0], [0, 1, 1]])
    x.grad = None
    x.max(dim=1).values.sum().backward()  # torch: along a dim, all to the index returned
    np.testing.assert_allclose(x.grad, [[0, 1, 0], [1, 0, 0]])


# ---------------------------------------------------------------- shape ops and indexing


@st.composite
def shape_and_new_shape(draw):
    shape = draw(shapes)
    size = int(np.prod(shape))
    new_shape = draw(st.sampled_from([(-1,), (size, 1), (1, -1), tuple(reversed(shape)), (1,) + shape]))
    return shape, new_shape


@given(data=st.data(), case=shape_and_new_shape())
def test_reshape(data, case):
    shape, new_shape = case
    a = data.draw(values(shape))
    out = check(lambda x: x.reshape(new_shape), a)
    np.testing.assert_array_equal(out.data, a.reshape(new_shape))
    np.testing.assert_array_equal(check(lambda x: x.reshape(*new_shape), a).data, a.reshape(new_shape))


@given(data=st.data(), shape=shapes)
def test_permute_transpose_and_T(data, shape):
    a = data.draw(values(shape))
    axes = tuple(data.draw(st.permutations(range(len(shape)))))
    np.testing.assert_array_equal(check(lambda x: x.permute(*axes), a).data, a.transpose(axes))
    np.testing.assert_array_equal(check(lambda x: x.permute(axes), a).data, a.transpose(axes))
    np.testing.assert_array_equal(check(lambda x: x.T, a).data, a.T)
    if len(shape) >= 2:
        swapped = np.swapaxes(a, 0, -1)
        np.testing.assert_array_equal(check(lambda x: x.transpose(0, -1), a).data, swapped)


@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_getitem_basic_indices(data, shape):
    a = data.draw(values(shape))
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=True))
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(part, slice) and part.step is not None and part.step < 0 for part in parts):
        with pytest.raises(ValueError, match="step must be greater than zero"):  # torch's rule
            Tensor(a)[index]
        return
    np.testing.assert_array_equal(check(lambda x: x[index], a).data, a[index])


@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
def test_getitem_integer_arrays_accumulate_repeats(data, shape):
    a = data.draw(values(shape))
    index = data.draw(hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(max_dims=2, max_side=5)))
    np.testing.assert_array_equal(check(lambda x: x[index], a).data, a[index])


def test_getitem_repeated_index_and_mask_closed_form():
    x = leaf([1.0, 2.0, 3.0])
    x[[0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 1.0])
    m = leaf([[1.0, -2.0], [-3.0, 4.0]])
    (m[m.data > 0] * 3).sum().backward()
    np.testing.assert_array_equal(m.grad, [[3.0, 0.0], [0.0, 3.0]])
    check(lambda t: t[np.array([True, False]), 1:], m.data)


# ---------------------------------------------------------------- concatenate, stack, where


@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), count=st.integers(1, 3))
def test_concatenate(data, shape, count):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(count):
        piece_shape = list(shape)
        piece_shape[axis] = data.draw(st.integers(1, 3))
        arrays.append(data.draw(values(tuple(piece_shape))))
    out = check(lambda *xs: minigrad.concatenate(xs, axis=axis), *arrays)
    np.testing.assert_array_equal(out.data, np.concatenate(arrays, axis=axis))


@given(data=st.data(), shape=shapes, count=st.integers(1, 3))
def test_stack(data, shape, count):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    arrays = [data.draw(values(shape)) for _ in range(count)]
    out = check(lambda *xs: minigrad.stack(list(xs), axis=axis), *arrays)
    np.testing.assert_array_equal(out.data, np.stack(arrays, axis=axis))


@given(data=st.data(), broadcast=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
def test_where(data, broadcast):
    shape_c, shape_x, shape_y = broadcast.input_shapes
    condition = data.draw(hnp.arrays(np.bool_, shape_c))
    x, y = data.draw(values(shape_x)), data.draw(values(shape_y))
    out = check(lambda a, b: minigrad.where(condition, a, b), x, y)
    np.testing.assert_array_equal(out.data, np.where(condition, x, y))


def test_where_with_scalar_operand_and_tensor_condition():
    x = leaf([-1.0, 2.0, -3.0])
    out = minigrad.where(minigrad.tensor(x.data > 0), x, 0.0)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])
