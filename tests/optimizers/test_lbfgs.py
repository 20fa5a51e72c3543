"""LBFGS beyond its torch trajectories (tests/optimizers/test_optimizer_torch_refs.py): what the
OPTIONS / FULL_STATE rows cover for the per-parameter optimizers -- state_dict round trip,
history bound, budgets -- and its closure-only API."""

import numpy as np
import pytest

import optimizers
from optimizer_cases import Param

A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
B = np.array([1.0, -2.0, 0.5])


def quadratic(params):
    """f = 0.5 x.A.x - b.x + 0.5 ||y||^2 over x (3,) and y (2,): a closure filling the grads."""
    x, y = params

    def closure():
        x.grad = A @ x.data - B
        y.grad = y.data.copy()
        return 0.5 * x.data @ A @ x.data - B @ x.data + 0.5 * y.data @ y.data
    return closure


def fresh(**hyperparameters):
    params = [Param(np.array([1.0, 1.0, 1.0])), Param(np.array([2.0, -1.0]))]
    return params, optimizers.LBFGS(params, **hyperparameters)


def test_state_dict_round_trip_continues_bit_for_bit():
    params, optimizer = fresh(max_iter=2, history_size=3, line_search_fn="strong_wolfe")
    closure = quadratic(params)
    for _ in range(2):
        optimizer.step(closure)
    saved = optimizer.state_dict()
    state = saved["state"][0]
    assert set(state) >= {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro",
                          "H_diag", "prev_flat_grad", "prev_loss"}
    clones, restored = fresh(max_iter=2, history_size=3, line_search_fn="strong_wolfe")
    for clone, p in zip(clones, params):
        clone.data[...] = p.data
    restored.load_state_dict(saved)
    # the loaded history is a copy: stepping the original leaves the restored one alone
    assert restored.state[clones[0]]["old_dirs"][0] is not optimizer.state[params[0]]["old_dirs"][0]
    restored_closure = quadratic(clones)
    for _ in range(3):
        assert optimizer.step(closure) == restored.step(restored_closure)
        for p, clone in zip(params, clones):
            np.testing.assert_array_equal(p.data, clone.data)
    assert restored.state[clones[0]]["n_iter"] == optimizer.state[params[0]]["n_iter"] >= 5


def test_history_is_bounded_and_the_minimum_is_found():
    # (the loss-change rule would stop at |x - x*| ~ sqrt(tolerance_change): switched off)
    params, optimizer = fresh(history_size=2, max_iter=50, tolerance_grad=1e-13,
                              tolerance_change=0.0)
    closure = quadratic(params)
    optimizer.step(closure)
    state = optimizer.state[params[0]]
    assert len(state["old_dirs"]) == len(state["old_stps"]) == len(state["ro"]) == 2
    np.testing.assert_allclose(params[0].data, np.linalg.solve(A, B), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(params[1].data, 0.0, atol=1e-9)


def test_budgets_and_the_default_max_eval():
    _, optimizer = fresh(max_iter=8)
    assert optimizer.defaults["max_eval"] == 10  # torch: max_iter * 5 // 4
    params, optimizer = fresh(max_iter=3)
    optimizer.step(quadratic(params))
    # without a line search each iteration evaluates once after the step's first call, so the
    # evaluation budget max_eval = 3 * 5 // 4 = 3 ends the step after 2 iterations
    assert optimizer.state[params[0]]["func_evals"] == 3
    assert optimizer.state[params[0]]["n_iter"] == 2
    params, optimizer = fresh(max_iter=3, max_eval=10)
    optimizer.step(quadratic(params))  # now max_iter binds; the last iteration does not evaluate
    assert optimizer.state[params[0]]["n_iter"] == 3
    assert optimizer.state[params[0]]["func_evals"] == 3


def test_closure_only_and_one_group_as_torch():
    params, optimizer = fresh()
    assert optimizer.needs_closure
    with pytest.raises(TypeError, match=r"LBFGS.step\(\) needs a closure"):
        optimizer.step()
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optimizers.LBFGS([{"params": params[:1]}, {"params": params[1:]}])
    with pytest.raises(ValueError, match="has no numba kernel"):
        optimizers.LBFGS(params, backend="numba")
