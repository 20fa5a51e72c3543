"""The numba kernels agree with the numpy reference updates bit for bit: parameters and state.

Every registered optimizer, every legal option combination in OPTIONS, float32 and
float64, 25 steps of random gradients over parameters of awkward shapes and layouts.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import optimizers
from optimizers import kernels
from optimizer_cases import (
    CLOSURE_DRIVEN, FULL_STATE, MATRIX_ONLY, OPTIONS, Param, case_id, option_combinations,
)

TESTS = Path(__file__).resolve().parents[1]  # where support.py lives

STEPS = 25


def make_params(dtype, rng, matrices_only=False):
    """Four parameters: C-contiguous, 0-d, a strided slice of a bigger array, a transpose.

    Returns (params, bases); bases are the arrays the slice and transpose are views of.
    For an optimizer of matrices only, the 0-d parameter is a tall (4, 2) matrix instead.
    """
    contiguous = rng.normal(size=(3, 4)).astype(dtype)
    if matrices_only:
        scalar = rng.normal(size=(4, 2)).astype(dtype)
    else:
        scalar = np.array(rng.normal(), dtype=dtype)
    sliced_base = rng.normal(size=(5, 6)).astype(dtype)
    transposed_base = rng.normal(size=(4, 3)).astype(dtype)
    arrays = [contiguous, scalar, sliced_base[1:5:2, ::2], transposed_base.T]
    return [Param(a) for a in arrays], (sliced_base, transposed_base)


def gradient_schedule(params, dtype, rng):
    """Per step, the gradient of each parameter (None for some), some non-contiguous."""
    schedule = []
    for t in range(STEPS):
        grads = []
        for k, p in enumerate(params):
            if (t, k) in {(7, 0), (0, 3), (1, 3), (12, 1)}:
                grads.append(None)
            elif t % 2 and p.data.ndim == 2:
                # a non-contiguous gradient: every other column of a wider array
                wide = rng.normal(size=(p.data.shape[0], 2 * p.data.shape[1])).astype(dtype)
                grads.append(wide[:, ::2])
            else:
                grads.append(rng.normal(size=p.data.shape).astype(dtype))
        schedule.append(grads)
    return schedule


def run(name, hyperparameters, backend, dtype):
    rng = np.random.default_rng(7)
    params, bases = make_params(dtype, rng, name in MATRIX_ONLY)
    schedule = gradient_schedule(params, dtype, rng)
    arrays_before = [p.data for p in params]
    untouched = [base.copy() for base in bases]
    groups = [
        {"params": params[:2]},
        {"params": params[2:], "lr": hyperparameters["lr"] * 0.5},
    ]
    optimizer = optimizers.create(name, groups, backend=backend, **hyperparameters)
    history = []
    for grads in schedule:
        for p, g in zip(params, grads):
            p.grad = g
        optimizer.step()
        history.append([p.data.copy() for p in params])
    for p, array in zip(params, arrays_before):
        assert p.data is array, "the parameter's array object must be updated in place"
        assert p.data.dtype == dtype
    # elements of the base arrays outside the strided view are never written
    sliced_base, _ = bases
    mask = np.ones(sliced_base.shape, bool)
    mask[1:5:2, ::2] = False
    np.testing.assert_array_equal(sliced_base[mask], untouched[0][mask])
    return params, optimizer, history


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "name, hyperparameters",
    list(option_combinations()),
    ids=[case_id(n, hp) for n, hp in option_combinations()],
)
def test_numba_matches_numpy(name, hyperparameters, dtype):
    """Bit for bit: the kernel does the numpy update's arithmetic in the same order and
    dtype (no fused multiply-adds, no fastmath), so not even the last bit may differ.
    This is stricter than a 1e-12 relative agreement."""
    params_np, opt_np, history_np = run(name, hyperparameters, "numpy", dtype)
    params_nb, opt_nb, history_nb = run(name, hyperparameters, "numba", dtype)
    for step, (expected, actual) in enumerate(zip(history_np, history_nb)):
        for k, (e, a) in enumerate(zip(expected, actual)):
            np.testing.assert_array_equal(a, e, err_msg=f"step {step}, param {k}")
    for k, (p_np, p_nb) in enumerate(zip(params_np, params_nb)):
        state_np, state_nb = opt_np.state[p_np], opt_nb.state[p_nb]
        assert state_np.keys() == state_nb.keys(), f"param {k}"
        for key, value in state_np.items():
            if isinstance(value, np.ndarray):
                assert state_nb[key].dtype == dtype and value.dtype == dtype
                np.testing.assert_array_equal(state_nb[key], value, err_msg=f"{key} of param {k}")
            else:
                assert state_nb[key] == value, f"{key} of param {k}"
    # the parameter that had no gradient at steps 0 and 1 counts only its own steps
    if "step" in opt_nb.state[params_nb[3]]:
        assert opt_nb.state[params_nb[3]]["step"] == STEPS - 2
        assert opt_nb.state[params_nb[0]]["step"] == STEPS - 1


def test_every_registered_optimizer_has_option_rows():
    per_parameter = sorted(set(optimizers.available()) - CLOSURE_DRIVEN)
    assert sorted(OPTIONS) == per_parameter
    assert sorted(FULL_STATE) == per_parameter
    for name in CLOSURE_DRIVEN:  # they update all parameters together, without a kernel
        assert not callable(getattr(type(optimizers.create(name, [Param(np.zeros(1))])),
                                    "update_numba", None)), name


def test_parallel_build_matches_numpy():
    """Arrays of PARALLEL_MIN_BYTES and more run the prange build (compiled here, once)."""
    size = kernels.PARALLEL_MIN_BYTES // 8 + 3
    rng = np.random.default_rng(3)
    start = rng.normal(size=size)
    grads = [rng.normal(size=size) for _ in range(3)]
    results = {}
    for backend in ("numpy", "numba"):
        p = Param(start.copy())
        optimizer = optimizers.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01, backend=backend)
        for g in grads:
            p.grad = g
            optimizer.step()
        results[backend] = (p.data, optimizer.state[p]["momentum_buffer"])
    assert optimizers.sgd.sgd_kernel._parallel is not None, "the parallel build was not used"
    np.testing.assert_array_equal(results["numba"][0], results["numpy"][0])
    np.testing.assert_array_equal(results["numba"][1], results["numpy"][1])


@kernels.kernel
def _two_coefficient_kernel(param, grad, coefficients):
    lr, unused = coefficients
    for i in range(param.size):
        param[i] -= lr * grad[i]


def test_a_kernel_unpacking_the_wrong_number_of_coefficients_gets_a_clear_error():
    """Compiled code raises a bare ValueError there; run_kernel says what it likely means.

    (Under NUMBA_DISABLE_JIT the kernel is Python and Python's own message appears.)
    """
    param = np.ones(3)
    with pytest.raises(ValueError, match=(
        r"^_two_coefficient_kernel raised ValueError without a message, which is what a "
        r"compiled kernel raises when it unpacks `coefficients` into a different number of "
        r"names than the 3 coefficients given to run_kernel$"
        r"|^too many values to unpack \(expected 2\)$"
    )):
        kernels.run_kernel(_two_coefficient_kernel, param, np.ones(3), (), (0.1, 0.2, 0.3))
    kernels.run_kernel(_two_coefficient_kernel, param, np.ones(3), (), (0.1, 0.2))
    np.testing.assert_array_equal(param, np.full(3, 0.9))


def test_kernels_run_as_python_under_numba_disable_jit():
    """With NUMBA_DISABLE_JIT=1 the kernels are plain Python and still agree with numpy."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        import numpy as np, optimizers
        from optimizers.sgd import sgd_kernel
        from support import Param
        assert sgd_kernel.serial is sgd_kernel.py_func, "numba still compiled the kernel"
        for name, hp in {FULL_STATE!r}.items():
            out = {{}}
            for backend in ("numpy", "numba"):
                base = np.arange(12.0).reshape(3, 4) / 7
                second = np.array([[0.5]]) if name in {sorted(MATRIX_ONLY)!r} else np.array(0.5)
                params = [Param(base[:, ::2]), Param(second)]
                opt = optimizers.create(name, params, backend=backend, **hp)
                for t in range(3):
                    for p in params:
                        p.grad = np.cos(p.data + t)
                    opt.step()
                out[backend] = [p.data.copy() for p in params]
            for a, b in zip(out["numpy"], out["numba"]):
                np.testing.assert_array_equal(b, a)
        print("ok")
        """
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
