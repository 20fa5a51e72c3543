"""Adafactor: Adam-like steps whose second moments of a matrix are stored as a row and a column."""

import math

import numpy as np
from numba import njit, prange

from .base import STEP, Optimizer
from .kernels import _JIT_OPTIONS, PARALLEL_MIN_BYTES, kernel
from .muon import lerp
from .opening import opening_formula, prepare_gradient
from .registry import register


def rms(x):
    """sqrt(mean(x^2)) as torch's Adafactor computes it: ||x||_2 / sqrt(numel), a Python float.

    The sum runs over x in C order (numpy's pairwise summation), as `pairwise_sum` does.
    """
    flat = np.ravel(x)
    return math.sqrt(float(np.sum(flat * flat))) / flat.size**0.5


@register("adafactor")
class Adafactor(Optimizer):
    r"""Adafactor (Shazeer & Stern 2018, "Adafactor: Adaptive Learning Rates with Sublinear
    Memory Cost"), exactly torch 2.13's `torch.optim.Adafactor`.

    Adafactor(params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0,
              *, maximize=False, backend="numba")

    Per element of P, at step t = 1, 2, ... with gradient G (eps1 = eps[0], the dtype's
    machine epsilon when None; eps2 = eps[1]; RMS(x) = ||x||_2 / sqrt(numel)):

        G   <- -G                                 if maximize
        P   <- P * (1 - lr * weight_decay)        (decoupled, as AdamW)
        b_t  = t^beta2_decay                      (the weight of the new G^2: 1, 0.57, ...)
        for P with >= 2 dims (factored over the last two, m x n), at row i, column j:
            R_i <- R_i + b_t * (mean_j G^2 - R_i) (row means: m numbers)
            C_j <- C_j + b_t * (mean_i G^2 - C_j) (column means: n numbers)
            V    = R_i C_j / max(mean_i R_i, eps1)  (the rank-1 estimate of E[G^2])
        otherwise:
            V   <- V + b_t * (G^2 - V)
        U    = G / sqrt(max(V, eps1^2))
        alpha = max(eps2, RMS(P)) * min(lr, 1 / sqrt(t))   (P before the step)
        P   <- P - alpha / max(1, RMS(U) / d) * U (update clipping at RMS d)

    alpha makes the step relative to the parameter's own size; the row and column means,
    RMS(P) and RMS(U) are quantities of the whole parameter (`optimizers.explain` shows
    them as such). No first moment (no momentum) and, for a matrix, m + n numbers of
    second-moment state instead of m n: the memory saving the paper is about.
    The "+ b_t * (x - R)" steps are torch's lerp (rounded as `muon.lerp`).

    State per parameter: "step" (t) and "row_var" (shape (..., m, 1)) and "col_var"
    ((..., 1, n)) for >= 2-D parameters, "variance" (the parameter's shape) otherwise.

    Backends: the numba kernels do each pass in one loop, and their sums follow numpy's
    pairwise summation (`pairwise_sum`) element for element, so the two backends agree
    bit for bit. That order makes the second-moment pass serial; the final element-wise
    pass uses both cores for parameters of 256 KiB or more.

    Relation to the sources. Not among them; V is RMSprop's average of
    g^2 with a weight 1 - b_t that grows towards 1 instead of a constant beta.

    Rosenbrock from (-1.5, 2): lr=0.05 takes f from 12.5 to ~0.06 in 2,000 steps, ending
    near (0.83, 0.70): the step alpha ~ RMS(P) rho shrinks as rho = 1/sqrt(t) from t = 400.
    """

    # "row_var"/"col_var" (factored, their own shapes) or "variance": not ARRAY entries of the
    # parameter's shape, so `_check_state` and `_loaded_value` below check them.
    state_spec = {"step": STEP}

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, maximize=False, backend="numba"):
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Learning rate should be >= 0 but is: {group['lr']}")
        if not 0.0 >= group["beta2_decay"]:
            raise ValueError(f"beta2_decay should be <= 0 but is: {group['beta2_decay']}")
        eps1, eps2 = group["eps"]
        if eps1 is not None and not 0.0 <= eps1:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps1}")
        if not 0.0 <= eps2:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps2}")
        if not 1.0 <= group["d"]:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {group['d']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"weight_decay should be >= 0 but is: {group['weight_decay']}")

    def init_state(self, param, group):
        if param.ndim > 1:
            return {
                "step": 0,
                "row_var": np.zeros(param.shape[:-1] + (1,), dtype=param.dtype),
                "col_var": np.zeros(param.shape[:-2] + (1, param.shape[-1]), dtype=param.dtype),
            }
        return {"step": 0, "variance": np.zeros_like(param)}

    @staticmethod
    def _scalars(param, state, group):
        """(eps1, b_t, rho): torch's Python floats (eps1 in the parameter's dtype if None)."""
        eps1 = group["eps"][0]
        if eps1 is None:
            eps1 = np.finfo(param.dtype).eps
        t = state["step"]
        return eps1, t ** group["beta2_decay"], min(group["lr"], 1 / (t**0.5))

    def update(self, param, grad, state, group):
        eps1, beta2_t, rho = self._scalars(param, state, group)
        alpha = max(group["eps"][1], rms(param)) * rho  # from P before its decay
        # C order, so that the sums below run in the order of the kernel's sums
        grad = np.asarray(prepare_gradient(param, grad, group, decoupled=True), order="C")
        grad_squared = grad * grad
        if param.ndim > 1:
            row_var, col_var = state["row_var"], state["col_var"]
            rows, columns = param.shape[-2:]
            row_var[...] = lerp(row_var, grad_squared.sum(axis=-1, keepdims=True) / columns, beta2_t)
            col_var[...] = lerp(col_var, grad_squared.sum(axis=-2, keepdims=True) / rows, beta2_t)
            row_var_mean = row_var.sum(axis=-2, keepdims=True) / rows
            var_estimate = row_var * col_var / np.maximum(row_var_mean, eps1)
        else:
            variance = state["variance"]
            variance[...] = lerp(variance, grad_squared, beta2_t)
            var_estimate = variance
        update = grad / np.sqrt(np.maximum(var_estimate, eps1 * eps1))
        denom = max(1.0, math.sqrt(float(np.sum(update * update))) / (update.size**0.5 * group["d"]))
        param -= (alpha / denom) * update

    symbols = {"step": "t", "row_var": "R", "col_var": "C", "variance": "V"}

    def formula(self, state, group):
        def lerp_line(name, target):  # torch's lerp, as `muon.lerp` rounds it
            if state["step"] ** group["beta2_decay"] < 0.5:
                return (name, f"{name} + b_t * ({target} - {name})")
            return (name, f"{target} - ({target} - {name}) * (1 - b_t)")

        lines = opening_formula(group, decoupled=True) + [("b_t", "t ** beta2_decay")]
        if "variance" in state:
            lines.append(lerp_line("V", "g * g"))
        else:
            lines += [lerp_line("R", "row_mean"), lerp_line("C", "col_mean"),
                      ("V", "R * C / maximum(R_mean, eps1)")]
        return lines + [("U", "g / sqrt(maximum(V, eps1 * eps1))"),
                        ("p", "p - (alpha / denom) * U")]

    def formula_values(self, param, grad, state, group):
        eps1, beta2_t, rho = self._scalars(param, state, group)
        alpha = max(group["eps"][1], rms(param)) * rho
        grad = np.asarray(prepare_gradient(param, grad, group, decoupled=True), order="C")
        values = {"eps1": (eps1, "eps[0], or the dtype's machine epsilon when None"),
                  "alpha": (alpha, "max(eps2, RMS(P)) * min(lr, 1 / sqrt(t)), P before the step")}
        grad_squared = grad * grad
        if "variance" in state:
            var_estimate = lerp(state["variance"], grad_squared, beta2_t)
        else:
            rows, columns = param.shape[-2:]
            row_mean = grad_squared.sum(axis=-1, keepdims=True) / columns
            col_mean = grad_squared.sum(axis=-2, keepdims=True) / rows
            row_var = lerp(state["row_var"], row_mean, beta2_t)
            col_var = lerp(state["col_var"], col_mean, beta2_t)
            row_var_mean = row_var.sum(axis=-2, keepdims=True) / rows
            var_estimate = row_var * col_var / np.maximum(row_var_mean, eps1)
            values.update(
                row_mean=(row_mean, "mean over the row's G^2"),
                col_mean=(col_mean, "mean over the column's G^2"),
                R_mean=(row_var_mean, "mean of the new R over the rows"),
            )
        update = grad / np.sqrt(np.maximum(var_estimate, eps1 * eps1))
        denom = max(1.0, math.sqrt(float(np.sum(update * update))) / (update.size**0.5 * group["d"]))
        values["denom"] = (denom, "max(1, RMS(U) / d), RMS over the whole parameter: the clipping")
        return values

    def effective_step_size(self, state, group, before):
        """min(lr, 1 / sqrt(t)) / sqrt(max(V, eps1^2)): the step on G relative to the
        parameter's size -- the step is this times max(eps2, RMS(P)) / max(1, RMS(U) / d)
        times G, two whole-parameter factors not readable from the state after the step."""
        dtype = (state["variance"] if "variance" in state else state["row_var"]).dtype
        eps1 = np.finfo(dtype).eps if group["eps"][0] is None else group["eps"][0]
        if "variance" in state:
            var_estimate = state["variance"]
        else:
            row_var, col_var = state["row_var"], state["col_var"]
            row_var_mean = row_var.sum(axis=-2, keepdims=True) / row_var.shape[-2]
            var_estimate = row_var * col_var / np.maximum(row_var_mean, eps1)
        rho = min(group["lr"], 1 / (state["step"] ** 0.5))
        return rho / np.sqrt(np.maximum(var_estimate, eps1 * eps1))

    def update_numba(self, param, grad, state, group):
        eps1, beta2_t, rho = self._scalars(param, state, group)
        lr, weight_decay = group["lr"], group["weight_decay"]
        dtype, size = param.dtype, param.size
        if param.ndim > 1:  # (batch, m, n) views, C-contiguous
            shape3 = (size // (param.shape[-2] * param.shape[-1]),) + param.shape[-2:]
        else:
            shape3 = (1, 1, size)
        contiguous = param.flags.c_contiguous
        work = np.asarray(param, order="C").reshape(shape3)
        grad3 = np.asarray(grad, order="C").reshape(shape3)
        alpha = max(group["eps"][1], math.sqrt(float(pairwise_sum(work.reshape(-1), 0, size, True)))
                    / size**0.5) * rho
        update = np.empty(shape3, dtype=dtype)
        if param.ndim > 1:
            row_var = state["row_var"].reshape(shape3[:2])
            col_var = state["col_var"].reshape(shape3[0], shape3[2])
        else:
            row_var = col_var = state["variance"].reshape(1, size)
        coefficients = np.array(
            [beta2_t, 1 - beta2_t, eps1, eps1 * eps1, shape3[1], shape3[2]], dtype=dtype
        )
        sum_of_squares = adafactor_kernel.serial(
            grad3, row_var, col_var, update, coefficients, group["maximize"], param.ndim > 1
        )
        denom = max(1.0, math.sqrt(float(sum_of_squares)) / (size**0.5 * group["d"]))
        step = np.array([1 - lr * weight_decay, alpha / denom], dtype=dtype)
        # element-wise: both cores for large parameters (the sums above must stay serial)
        apply = adafactor_apply.parallel if work.nbytes >= PARALLEL_MIN_BYTES else adafactor_apply.serial
        apply(work.reshape(-1), update.reshape(-1), step, weight_decay != 0)
        if not contiguous:  # `work` was a copy
            param[...] = work.reshape(param.shape)

    @staticmethod
    def _moment_shapes(param):
        """{entry: shape} of the second-moment state a parameter of this shape keeps."""
        if param.ndim > 1:
            return {"row_var": param.shape[:-1] + (1,),
                    "col_var": param.shape[:-2] + (1, param.shape[-1])}
        return {"variance": param.shape}

    def _check_state(self, param, state, group, checks, group_index, param_index):
        """The base class's checks, then the second moments' own shapes, before any update."""
        additions = super()._check_state(param, state, group, checks, group_index, param_index)
        where = f"of parameter {param_index} of group {group_index}"
        for name, shape in self._moment_shapes(param).items():
            value = state.get(name)
            if value is None:
                raise ValueError(
                    f"the state {where} lacks '{name}', which Adafactor keeps for a parameter of "
                    f"shape {param.shape} (found: {', '.join(map(str, state))}); was it the state "
                    "of another optimizer, or of a parameter of another shape?")
            entry = f"state '{name}' {where}"
            if not isinstance(value, np.ndarray):
                raise TypeError(f"{entry} must be a numpy array, but got {type(value).__name__}")
            if value.shape != shape:
                raise ValueError(f"{entry} has shape {value.shape}, but a parameter of shape "
                                 f"{param.shape} needs {shape}")
            if value.dtype != param.dtype:
                raise TypeError(f"{entry} has dtype {value.dtype}, but the parameter has dtype "
                                f"{param.dtype}")
            if not value.flags.writeable:
                raise ValueError(f"{entry} is read-only, but optimizers update it in place")
        return additions

    def _loaded_value(self, value, param, saved_index, key):
        """The factored state has its own shapes: check those, then load as the base class."""
        if key in ("row_var", "col_var") and isinstance(value, np.ndarray):
            expected = (param.shape[:-1] + (1,) if key == "row_var"
                        else param.shape[:-2] + (1, param.shape[-1]))
            if param.ndim < 2 or value.shape != expected:
                raise ValueError(
                    f"loaded state '{key}' of parameter {saved_index} has shape {value.shape}, "
                    f"but the parameter of shape {param.shape} needs {expected if param.ndim >= 2 else 'none'}"
                )
            return np.array(value, dtype=param.dtype, order="C", copy=True)
        return super()._loaded_value(value, param, saved_index, key)


@njit(**_JIT_OPTIONS)
def _block_sum(a, lo, n, square):
    """numpy's pairwise_sum for n <= 128 terms (a[k]^2 if square): the leaves of the tree."""
    if n < 8:
        res = a[lo] * a[lo] if square else a[lo]
        for i in range(lo + 1, lo + n):
            res += a[i] * a[i] if square else a[i]
        return res
    r = np.empty(8, dtype=a.dtype)
    for j in range(8):
        r[j] = a[lo + j] * a[lo + j] if square else a[lo + j]
    i = 8
    while i < n - (n % 8):
        for j in range(8):
            r[j] += a[lo + i + j] * a[lo + i + j] if square else a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i] * a[lo + i] if square else a[lo + i]
        i += 1
    return res


@njit(**_JIT_OPTIONS)
def pairwise_sum(a, lo, n, square):
    """sum(a[lo:lo+n]) (of a[k]^2 if square), in numpy's pairwise order, bit for bit.

    numpy's `add.reduce` over a contiguous run: under 8 terms a plain loop; up to 128,
    eight interleaved partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) and
    then the remainder; above, sum(first half) + sum(second half), the first half's
    length a multiple of 8. The halving is done with an explicit stack, not recursion:
    numba's on-disk cache of a recursive function crashes when it is loaded back.
    """
    if n <= 128:
        return _block_sum(a, lo, n, square)
    starts = np.empty(128, dtype=np.int64)  # pending nodes: (start, length, children done)
    lengths = np.empty(128, dtype=np.int64)
    combine = np.empty(128, dtype=np.bool_)
    values = np.empty(128, dtype=a.dtype)   # finished sums, left before right
    top, n_values = 0, 0
    starts[0], lengths[0], combine[0] = lo, n, False
    top = 1
    while top > 0:
        top -= 1
        start, length, done = starts[top], lengths[top], combine[top]
        if done:  # both halves are on the value stack: left + right
            n_values -= 1
            values[n_values - 1] = values[n_values - 1] + values[n_values]
        elif length <= 128:
            values[n_values] = _block_sum(a, start, length, square)
            n_values += 1
        else:
            half = length // 2
            half -= half % 8
            starts[top], lengths[top], combine[top] = start, length, True
            starts[top + 1], lengths[top + 1], combine[top + 1] = start + half, length - half, False
            starts[top + 2], lengths[top + 2], combine[top + 2] = start, half, False
            top += 3
    return values[0]


def _lerp_into(target, value, weight, one_minus_weight):
    """torch's lerp of one element (numba-compiled inline by the kernel)."""
    if weight < 0.5:
        return target + weight * (value - target)
    return value - (value - target) * one_minus_weight


_lerp = njit(**_JIT_OPTIONS)(_lerp_into)


@kernel
def adafactor_kernel(grad, row_var, col_var, update, coefficients, maximize, factored):
    """The second-moment update and U = G / sqrt(max(V, eps1^2)) of `Adafactor.update`;
    returns sum(U^2) in numpy's order. (batch, m, n) arrays; when not factored, one
    (1, 1, size) batch with the variance passed as row_var (and col_var)."""
    beta2_t, one_minus_beta2_t, eps1, eps1_squared, n_rows, n_columns = coefficients
    batches, rows, columns = grad.shape
    squares = np.empty(columns, dtype=grad.dtype)
    column_sums = np.empty(columns, dtype=grad.dtype)
    for b in range(batches):
        if factored:
            for i in range(rows):
                for j in range(columns):
                    g = -grad[b, i, j] if maximize else grad[b, i, j]
                    squares[j] = g * g
                    if i == 0:
                        column_sums[j] = squares[j]
                    else:
                        column_sums[j] += squares[j]
                row_mean = pairwise_sum(squares, 0, columns, False) / n_columns
                row_var[b, i] = _lerp(row_var[b, i], row_mean, beta2_t, one_minus_beta2_t)
            for j in range(columns):
                col_var[b, j] = _lerp(col_var[b, j], column_sums[j] / n_rows, beta2_t,
                                      one_minus_beta2_t)
            row_var_mean = pairwise_sum(row_var[b], 0, rows, False) / n_rows
            if row_var_mean < eps1:
                row_var_mean = eps1
            for i in range(rows):
                for j in range(columns):
                    g = -grad[b, i, j] if maximize else grad[b, i, j]
                    v = row_var[b, i] * col_var[b, j] / row_var_mean
                    if v < eps1_squared:
                        v = eps1_squared
                    update[b, i, j] = g / np.sqrt(v)
        else:
            variance = row_var[0]
            for j in range(columns):
                g = -grad[0, 0, j] if maximize else grad[0, 0, j]
                v = _lerp(variance[j], g * g, beta2_t, one_minus_beta2_t)
                variance[j] = v
                if v < eps1_squared:
                    v = eps1_squared
                update[0, 0, j] = g / np.sqrt(v)
    flat = update.reshape(-1)
    return pairwise_sum(flat, 0, flat.size, True)


@kernel
def adafactor_apply(param, update, coefficients, decay):
    """P <- P (1 - lr wd) - (alpha / denom) U over flat arrays, as `Adafactor.update`."""
    decay_factor, step = coefficients
    for i in prange(param.size):
        p = param[i] * decay_factor if decay else param[i]
        param[i] = p - step * update[i]
