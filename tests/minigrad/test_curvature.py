"""minigrad.curvature: Hessian-vector products and Lanczos eigenvalues against explicit
Hessians (numpy eigvalsh) and closed forms; nothing touches .grad or parameter values."""

import numpy as np
import pytest

import minigrad
from minigrad import curvature
from minigrad.autograd.functional import hessian


def _problem(seed=1, n=6):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    a = minigrad.Tensor(a + a.T)

    def f(x):
        return 0.5 * (x @ (a @ x)) + 0.1 * (x**4).sum()

    w = minigrad.Tensor(rng.standard_normal(n), requires_grad=True)
    return f, w


def test_hessian_matrix_equals_functional_hessian_and_top_eigenvalues_match_eigvalsh():
    f, w = _problem()
    explicit = hessian(f, w).data
    assert np.allclose(curvature.hessian_matrix(lambda: f(w), [w]), explicit, rtol=0, atol=1e-12)
    expected = np.linalg.eigvalsh(explicit)[::-1][:3]
    values, vectors = curvature.top_eigenvalues(lambda: f(w), [w], k=3, return_vectors=True)
    assert np.allclose(values, expected, rtol=1e-10, atol=1e-12)
    assert np.allclose(explicit @ vectors, vectors * values, atol=1e-8)


def test_quadratic_closed_form_with_two_parameters_and_a_repeated_eigenvalue():
    # L = 0.5 * sum(d_i p_i^2) over two tensors: H = diag(d), eigenvalues d sorted.
    d1, d2 = np.array([3.0, 1.0, 0.5]), np.array([[3.0, -2.0], [1.0, 0.25]])
    p1 = minigrad.Tensor(np.ones(3), requires_grad=True)
    p2 = minigrad.Tensor(np.ones((2, 2)), requires_grad=True)

    def loss():
        return 0.5 * ((minigrad.Tensor(d1) * p1 * p1).sum() + (minigrad.Tensor(d2) * p2 * p2).sum())

    assert np.allclose(curvature.top_eigenvalues(loss, [p1, p2], k=3), [3.0, 3.0, 1.0], atol=1e-12)
    assert curvature.sharpness(loss, [p1, p2]) == pytest.approx(3.0, abs=1e-12)
    v = np.arange(7.0)
    assert np.allclose(curvature.hessian_vector_product(loss, [p1, p2], v),
                       np.r_[d1, d2.ravel()] * v, atol=1e-12)


def test_nothing_is_touched_and_results_are_deterministic():
    f, w = _problem(seed=2)
    before = w.data.copy()
    first = curvature.top_eigenvalues(lambda: f(w), [w], k=2)
    assert w.grad is None and np.array_equal(w.data, before)
    assert np.array_equal(first, curvature.top_eigenvalues(lambda: f(w), [w], k=2))


def test_small_network_hessian_against_finite_differences_of_gradients():
    rng = np.random.default_rng(3)
    x, y = minigrad.Tensor(rng.standard_normal((8, 2))), minigrad.Tensor(rng.standard_normal((8, 1)))
    w1 = minigrad.Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    w2 = minigrad.Tensor(rng.standard_normal((3, 1)), requires_grad=True)

    def loss():
        return (((x @ w1).tanh() @ w2 - y) ** 2).mean()

    h = curvature.hessian_matrix(loss, [w1, w2])
    flat = np.r_[w1.data.ravel(), w2.data.ravel()]

    def gradient(point):
        a = minigrad.Tensor(point[:6].reshape(2, 3), requires_grad=True)
        b = minigrad.Tensor(point[6:].reshape(3, 1), requires_grad=True)
        (((x @ a).tanh() @ b - y) ** 2).mean().backward()
        return np.r_[a.grad.ravel(), b.grad.ravel()]

    eps = 1e-6
    fd = np.stack([(gradient(flat + eps * e) - gradient(flat - eps * e)) / (2 * eps)
                   for e in np.eye(9)], axis=1)
    assert np.allclose(h, fd, rtol=1e-6, atol=1e-7)
    assert np.allclose(h, h.T, atol=1e-12)


@pytest.mark.parametrize("name, f, third", [
    ("x**4", lambda x: x**4, lambda x: 24 * x),
    ("sin", lambda x: x.sin(), lambda x: -np.cos(x)),
    ("x exp(x)", lambda x: x * x.exp(), lambda x: (x + 3) * np.exp(x)),
    # t = tanh x: t' = 1 - t^2, t'' = -2 t (1 - t^2), t''' = (1 - t^2)(6 t^2 - 2)
    ("tanh", lambda x: x.tanh(), lambda x: (1 - np.tanh(x) ** 2) * (6 * np.tanh(x) ** 2 - 2)),
    # s = sigmoid x: s' = s (1 - s), s''' = s (1 - s)(1 - 6 s + 6 s^2)
    ("sigmoid", lambda x: x.sigmoid(),
     lambda x: (1 / (1 + np.exp(-x))) * (1 - 1 / (1 + np.exp(-x)))
     * (1 - 6 / (1 + np.exp(-x)) + 6 / (1 + np.exp(-x)) ** 2)),
    # the chain rule three times: (cos x^2)''' = 8 x^3 sin x^2 - 12 x cos x^2
    ("cos(x^2)", lambda x: (x * x).cos(), lambda x: 8 * x**3 * np.sin(x**2) - 12 * x * np.cos(x**2)),
])
def test_third_derivatives_by_grad_of_grad_of_grad(name, f, third):
    x = minigrad.Tensor(np.array([0.7, -1.3]), requires_grad=True)
    (g1,) = minigrad.autograd.grad(f(x).sum(), x, create_graph=True)
    (g2,) = minigrad.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = minigrad.autograd.grad(g2.sum(), x)
    assert np.allclose(g3.data, third(x.data), rtol=1e-12, atol=1e-12), name


def test_bad_arguments_raise_clear_errors():
    p = minigrad.Tensor(np.ones(2), requires_grad=True)
    loss = lambda: (p * p).sum()  # noqa: E731
    with pytest.raises(ValueError, match="k = 3 eigenvalues"):
        curvature.top_eigenvalues(loss, [p], k=3)
    with pytest.raises(ValueError, match="does not require grad"):
        curvature.sharpness(loss, [minigrad.Tensor(np.ones(2))])
    with pytest.raises(ValueError, match="one-element"):
        curvature.sharpness(lambda: p * p, [p])
    with pytest.raises(ValueError, match="flat vector of 2"):
        curvature.hessian_vector_product(loss, [p], np.ones(3))
