"""Where an SGD-momentum step's time goes: the numba kernel alone vs the whole step.

For float32 parameters of 1e3 and 1e5 elements this times, with `timeit` (median of 21
samples, hot caches):

- kernel: `sgd_kernel` (the build `run_kernel` would pick) called directly with
  prepared flat arrays and coefficient array, i.e. no Python around it;
- numba step: `optimizer.step()` with the default numba backend;
- Python around the kernel: the difference (the step loop, the gradient check,
  `update_numba`, `run_kernel`'s checks, the coefficient array, numba's dispatcher);
- numpy step: `optimizer.step()` with `backend="numpy"`;
- numpy/numba, and numpy/kernel: the ratio the step would reach with no Python at all.

It explains the one missed target in benchmarks/README.md (SGD momentum at 1e5 >= 5x its
numpy reference). Asserts nothing.

Usage: PYTHONPATH=. python3 benchmarks/step_overhead.py   (or .venv/bin/python)
"""

import statistics
import sys
import timeit
from pathlib import Path

import numpy as np

# benchmarks/optimizers.py would shadow the package: drop this directory from the path.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import optimizers  # noqa: E402
from optimizers.kernels import PARALLEL_MIN_BYTES  # noqa: E402
from optimizers.sgd import sgd_kernel  # noqa: E402

SIZES = ((10**3, 5000), (10**5, 500))  # (elements, steps per sample)
SAMPLES = 21
HYPERPARAMETERS = {"lr": 1e-3, "momentum": 0.9}


class Param:
    """The smallest thing an optimizer updates: `.data` and `.grad` numpy arrays."""

    def __init__(self, n, rng):
        self.data = rng.random(n, dtype=np.float32)
        self.grad = rng.random(n, dtype=np.float32)


def median_microseconds(function, number):
    function()
    return statistics.median(timeit.repeat(function, number=number, repeat=SAMPLES)) / number * 1e6


def measure(n, number, rng):
    numba_param, numpy_param = Param(n, rng), Param(n, rng)
    numba_optimizer = optimizers.SGD([numba_param], **HYPERPARAMETERS)
    numpy_optimizer = optimizers.SGD([numpy_param], backend="numpy", **HYPERPARAMETERS)
    numba_optimizer.step()  # creates the momentum buffer the kernel below updates
    buffer = numba_optimizer.state[numba_param]["momentum_buffer"]
    coefficients = np.array((HYPERPARAMETERS["lr"], HYPERPARAMETERS["momentum"], 1, 0), np.float32)
    build = sgd_kernel.parallel if numba_param.data.nbytes >= PARALLEL_MIN_BYTES else sgd_kernel.serial

    def kernel_alone():
        build(numba_param.data, numba_param.grad, buffer, coefficients, False, False, False)

    kernel = median_microseconds(kernel_alone, number)
    step = median_microseconds(numba_optimizer.step, number)
    reference = median_microseconds(numpy_optimizer.step, number)
    return kernel, step, reference


def main():
    rng = np.random.default_rng(0)
    print("SGD momentum 0.9, float32, median µs per call")
    print(f"{'n':>7} {'kernel':>8} {'numba step':>11} {'python':>8} {'numpy step':>11}"
          f" {'numpy/numba':>12} {'numpy/kernel':>13}")
    for n, number in SIZES:
        kernel, step, reference = measure(n, number, rng)
        print(f"{n:>7.0e} {kernel:>8.2f} {step:>11.2f} {step - kernel:>8.2f} {reference:>11.2f}"
              f" {reference / step:>12.2f} {reference / kernel:>13.2f}")
    print("python = numba step - kernel: everything around the compiled loop")


if __name__ == "__main__":
    main()
