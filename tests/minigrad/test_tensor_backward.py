"""backward() semantics: closed-form derivatives, accumulation, retain_grad, retain_graph,
release of the graph, no_grad, detach, the graph attributes, and a 100,000-op chain."""

import math
import sys

import numpy as np
import pytest

import minigrad
from minigrad import Tensor


def leaf(value):
    return Tensor(value, requires_grad=True)


@pytest.mark.parametrize(
    "fn, at, derivative",
    [
        (lambda x: x**3, 2.0, 12.0),
        (lambda x: x.exp(), 0.0, 1.0),
        (lambda x: x.log(), 2.0, 0.5),
        (lambda x: x.sqrt(), 4.0, 0.25),
        (lambda x: x.tanh(), 0.0, 1.0),
        (lambda x: x.sigmoid(), 0.0, 0.25),
        (lambda x: x.abs(), -3.0, -1.0),
        (lambda x: x.abs(), 0.0, 0.0),
        (lambda x: x.relu(), 1.5, 1.0),
        (lambda x: x.relu(), -1.5, 0.0),
        (lambda x: x.relu(), 0.0, 0.0),
        (lambda x: 2**x, 3.0, 8 * math.log(2)),
        (lambda x: x**0, 0.0, 0.0),
        (lambda x: 1 / x, 2.0, -0.25),
        (lambda x: 3 - x * x, 5.0, -10.0),
        (lambda x: -x / 4, 1.0, -0.25),
        (lambda x: x * x * x + 2 * x, 1.0, 5.0),
    ],
)
def test_closed_form_derivatives(fn, at, derivative):
    x = leaf(at)
    fn(x).backward()
    assert x.grad == pytest.approx(derivative, rel=1e-12, abs=1e-15)


def test_two_variable_closed_forms():
    x, y = leaf(1.0), leaf(2.0)
    (x / y).backward()
    assert (x.grad, y.grad) == (0.5, -0.25)
    a, b = leaf(2.0), leaf(3.0)
    (a**b).backward()
    assert a.grad == pytest.approx(12.0) and b.grad == pytest.approx(8 * math.log(2))
    z = leaf(0.0)
    (z**b).backward()  # d(0**b)/db is 0 for b > 0, not 0 * log(0)
    assert z.grad == 0.0 and b.grad == pytest.approx(8 * math.log(2))


def test_reused_input_sums_its_gradient_paths():
    x = leaf(3.0)
    y = x * x + x.exp() * x  # d/dx = 2x + e^x + x e^x
    y.backward()
    assert x.grad == pytest.approx(6 + math.exp(3) * 4)


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3 + 2, 3 + 4])
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    x.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_leaf_grad_is_a_private_copy_of_the_seed():
    x = leaf([1.0, 2.0])
    seed = np.array([1.0, 1.0])
    (x + 0).backward(seed)
    x.grad[0] = 5.0
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_non_leaf_keeps_no_grad_unless_retain_grad():
    x = leaf([1.0, 2.0])
    hidden = x * 2
    kept = x * 3
    kept.retain_grad()
    (hidden * kept).sum().backward()
    assert hidden.grad is None
    np.testing.assert_array_equal(kept.grad, hidden.data)
    assert not hidden.is_leaf and x.is_leaf
    x.retain_grad()  # no-op on a leaf, as in PyTorch
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        Tensor(1.0).retain_grad()


def test_second_backward_needs_retain_graph():
    x = leaf(2.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 8.0
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()
    assert x.grad == 8.0  # the failed call wrote nothing


def test_backward_releases_saved_values_but_keeps_op_names_and_edges():
    x, w = leaf([1.0, 2.0]), leaf([[1.0], [2.0]])
    h = x @ w
    loss = h.sum()
    assert (x._op, x._parents, x.grad_fn) == (None, (), None)
    assert loss._parents == (h,) and h._parents[0] is x and h._parents[1] is w
    loss.backward()
    assert loss._op == "sum" and h._op == "matmul"
    assert loss.grad_fn.next == (h.grad_fn, None, None) and h.grad_fn.next == (x, w)
    assert h.grad_fn.released and h.grad_fn._saved is None  # saved values freed
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_no_grad_context_manager_and_decorator():
    x = leaf(2.0)
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * x
        with minigrad.no_grad():
            pass
        assert not minigrad.is_grad_enabled()  # nested exit restores the outer state
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y._op is None and y._parents == ()

    @minigrad.no_grad()
    def step(t):
        return t * 3

    z = step(x)
    assert not z.requires_grad and minigrad.is_grad_enabled()
    assert step.__name__ == "step"
    with pytest.raises(KeyError):
        with minigrad.no_grad():
            raise KeyError("boom")
    assert minigrad.is_grad_enabled()


def test_detach_shares_data_and_stops_gradient():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad
    y = (x * d).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])  # d treated as a constant
    base = x.detach()
    base.data[0] = 7.0
    assert x.data[0] == 7.0


def test_constants_get_no_grad_and_partial_requires_grad():
    c = Tensor([1.0, 2.0])
    x = leaf([3.0, 4.0])
    (c * x).sum().backward()
    assert c.grad is None
    np.testing.assert_array_equal(x.grad, [1.0, 2.0])
    assert not (c * c).requires_grad


def test_chain_of_100000_ops_has_no_recursion_limit():
    x = leaf(1.0)
    y = x
    for _ in range(50_000):
        y = y * 1.0 + 0.5  # 100,000 ops
    assert 100_000 > sys.getrecursionlimit()
    y.backward()
    assert x.grad == 1.0
    assert y.item() == pytest.approx(1.0 + 25_000.0)


def test_wide_graph_reaching_leaf_many_times():
    x = leaf(np.arange(4.0))
    total = x[0]
    for i in range(1, 4000):
        total = total + x[i % 4] * i
    total.backward()
    counts = [sum(i for i in range(1, 4000) if i % 4 == k) for k in range(4)]
    counts[0] += 1
    np.testing.assert_array_equal(x.grad, counts)


def test_float32_preserved_in_values_and_gradients():
    rng = np.random.default_rng(0)
    a = leaf(rng.uniform(0.5, 2.0, size=(2, 3)).astype(np.float32))
    b = leaf(rng.uniform(0.5, 2.0, size=(3,)).astype(np.float32))
    m = leaf(rng.uniform(0.5, 2.0, size=(3, 2)).astype(np.float32))
    outputs = [
        a + b, a - 1, 1 - a, a * 2.5, 2.5 * a, a / b, 3 / a, a**2, a**b, 2**a, -a, a @ m,
        b @ m, a.exp(), a.log(), a.sqrt(), a.abs(), a.tanh(), a.sigmoid(), a.relu(),
        a.sum(), a.mean(axis=0), a.amax(1), a.max(dim=1).values, a.min(), a.reshape(-1), a.T, a.transpose(1, 0),
        a[0, 1:], a[[0, 1, 1]], minigrad.concatenate([a, a]), minigrad.stack([b, b]),
        minigrad.where(a.data > 1, a, 0.0),
    ]
    for out in outputs:
        assert out.dtype == np.float32, out._op
        out.sum().backward()
    for t in (a, b, m):
        assert t.grad.dtype == np.float32


def test_mixed_precision_follows_numpy_and_grads_keep_each_dtype():
    a = leaf(np.ones(2, dtype=np.float32))
    b = leaf(np.ones(2))
    out = a * b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_ops_on_subclass_return_plain_tensor():
    class Parameter(Tensor):
        def __init__(self, data):
            super().__init__(data, requires_grad=True)

    p = Parameter([1.0, 2.0])
    out = (p * 2).sum()
    assert type(out) is Tensor and type(p.detach()) is Tensor
    out.backward()
    np.testing.assert_array_equal(p.grad, [2.0, 2.0])
    assert repr(p).startswith("Parameter([1., 2.]")


def test_gradient_entering_a_float32_node_is_cast_to_float32():
    received = []

    class Double(minigrad.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            received.append(grad.dtype)
            return grad * 2

    x = leaf(np.ones(2, dtype=np.float32))
    y = Double.apply(x)  # a float32 node feeding a float64 op downstream
    (y * Tensor(np.ones(2))).sum().backward()
    assert received == [np.float32] and x.grad.dtype == np.float32
