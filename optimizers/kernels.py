"""Running numba update kernels over parameters of any shape and layout.

An optimizer's fast path is one element-wise loop written once in plain Python,

    @kernel
    def sgd_kernel(param, grad, momentum_buffer, coefficients, nesterov, ...):
        lr, momentum, ... = coefficients
        for i in prange(param.size):
            ...
            param[i] -= lr * g

and called through `run_kernel`, which takes care of everything the loop should not
have to know about:

- Shapes and layouts. Kernels see 1-D C-contiguous arrays only, so numba compiles one
  specialisation per dtype (float32, float64) instead of one per rank and layout.
  A C-contiguous array is passed as a flat *view*; anything else (a transposed or
  sliced parameter) is copied into a contiguous buffer and the results are copied back,
  so the caller's array object is updated in place either way.
- Scalar coefficients arrive as one array of the parameter's dtype (numpy does the cast,
  exactly as it casts a Python float in `lr * grad`), so float32 parameters are updated
  in float32 arithmetic (bit for bit what numpy computes) and LLVM can vectorise the
  loop without float64 conversions. One array argument is also cheaper for numba's
  dispatcher to type than a dozen scalars.
- Threads. Each kernel exists twice, compiled lazily on first call: `serial` and a
  `parallel` twin where `prange` splits the loop across cores. The twin is only used
  (and therefore only compiled) for arrays of at least `PARALLEL_MIN_BYTES` bytes,
  because below that the thread start-up costs more than it saves.

Kernels are compiled with `error_model="numpy"` (division by zero gives inf/nan like
numpy instead of raising, which also lets LLVM vectorise divisions) and `cache=True`
(the machine code is stored next to this package, so only the first run pays for the
compilation). Under `NUMBA_DISABLE_JIT=1` `njit` returns the plain Python function and
`prange` is `range`, so a learner can step through a kernel in a debugger.
"""

import types

import numpy as np
from numba import njit

# Measured (SGD with momentum, serial vs parallel build, best of 7, 2-core machine):
#   elements      2**14  2**15  2**16  2**17  2**18  2**20
#   float32 gain  0.82   0.91   1.42   1.79   1.84   2.27   (serial time / parallel time)
#   float64 gain  1.06   1.52   1.81   1.75   2.21   2.21
# Break-even is at ~128 KiB per array for both dtypes (waking the second thread costs a
# few microseconds), so the parallel build takes over from 256 KiB.
PARALLEL_MIN_BYTES = 2**18

_JIT_OPTIONS = dict(cache=True, nogil=True, error_model="numpy")


class Kernel:
    """An element-wise update loop with a serial and a (lazily compiled) parallel build.

    Both builds run the same Python source. The parallel twin is a copy of the function
    under another qualified name, so numba's on-disk cache keeps the two apart.
    """

    def __init__(self, py_func):
        self.py_func = py_func
        self.__name__ = py_func.__name__
        self.__doc__ = py_func.__doc__
        self.serial = njit(**_JIT_OPTIONS)(py_func)
        self._parallel = None

    @property
    def parallel(self):
        """The `parallel=True` build; created on first use (compiled on first call)."""
        if self._parallel is None:
            twin = types.FunctionType(
                self.py_func.__code__,
                self.py_func.__globals__,
                self.py_func.__name__ + "_parallel",
                self.py_func.__defaults__,
                self.py_func.__closure__,
            )
            twin.__qualname__ = self.py_func.__qualname__ + "_parallel"
            twin.__module__ = self.py_func.__module__
            self._parallel = njit(parallel=True, **_JIT_OPTIONS)(twin)
        return self._parallel

    def __repr__(self):
        return f"<kernel {self.__name__}>"


def kernel(py_func):
    """Decorator: turn an element-wise update loop into a `Kernel`. Nothing is compiled yet."""
    return Kernel(py_func)


def _flat(array, name, shape, dtype):
    """A 1-D C-contiguous writable view of `array`, or such a copy when no view exists.

    Returns (flat, is_copy). Read-only arrays are copied too: numba would compile a
    separate specialisation for them.
    """
    if array.shape != shape:
        raise ValueError(
            f"{name} has shape {array.shape} but the parameter has shape {shape}"
        )
    if array.dtype is not dtype and array.dtype != dtype:
        raise TypeError(
            f"{name} has dtype {array.dtype} but the parameter has dtype {dtype}"
        )
    flags = array.flags
    if flags.c_contiguous and flags.writeable:
        # A 1-D array is its own flat view; reshaping it anyway costs ~0.1 us per array.
        return (array if array.ndim == 1 else array.reshape(-1)), False
    return np.array(array, order="C", copy=True).reshape(-1), True


def run_kernel(update, param, grad, states, coefficients, options=()):
    """Run `update(param, grad, *states, coefficients, *options)` on flat views, in place.

    param:        the parameter's array (updated).
    grad:         its gradient (only read).
    states:       the state arrays the kernel updates, in the kernel's argument order. An
                  optional state the current options do not use (RMSprop's grad_avg when
                  not centered) is given as None; the kernel receives a scratch array in
                  that slot (never the parameter: a kernel touching the slot by mistake
                  then cannot corrupt anything). A state array that is the parameter or
                  the gradient itself is refused.
    coefficients: the numbers the kernel needs (lr, 1 - beta, bias corrections, ...),
                  passed as ONE 1-D array of the parameter's dtype that the kernel unpacks
                  (`lr, beta = coefficients`).
    options:      bools, passed unchanged after the coefficients.
    Every array must have the parameter's shape and dtype (else ValueError/TypeError: a
    wrong shape would otherwise make the kernel read past the end of an array).
    """
    shape, dtype = param.shape, param.dtype
    flat_param, param_copied = _flat(param, "parameter", shape, dtype)
    flat_grad = _flat(grad, "gradient", shape, dtype)[0]
    flat_states, copied_states = [], []
    for state in states:
        if state is None:
            flat_states.append(np.empty(flat_param.size, dtype))
            continue
        if state is param or state is grad:
            raise ValueError(
                f"{update.__name__}: a state array passed to run_kernel is the "
                f"{'parameter' if state is param else 'gradient'} itself"
            )
        flat, is_copy = _flat(state, "optimizer state array", shape, dtype)
        flat_states.append(flat)
        if is_copy:
            copied_states.append((state, flat))
    build = update.parallel if param.nbytes >= PARALLEL_MIN_BYTES else update.serial
    try:
        build(flat_param, flat_grad, *flat_states, np.array(coefficients, dtype), *options)
    except ValueError as error:
        if str(error):
            raise
        # Compiled code unpacking an array of the wrong length raises a bare ValueError.
        raise ValueError(
            f"{update.__name__} raised ValueError without a message, which is what a "
            f"compiled kernel raises when it unpacks `coefficients` into a different "
            f"number of names than the {len(coefficients)} coefficients given to run_kernel"
        ) from None
    if param_copied:
        param[...] = flat_param.reshape(shape)
    for state, flat in copied_states:
        state[...] = flat.reshape(shape)
