"""Muon: momentum whose matrix update is orthogonalised by a Newton-Schulz iteration."""

import math

import numpy as np
from numba import prange

from .base import ARRAY, Optimizer
from .kernels import kernel, run_kernel
from .registry import register

# Keller Jordan's quintic coefficients and step count, as torch.optim.Muon's defaults.
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
NS_STEPS = 5
ADJUST_LR_FNS = (None, "original", "match_rms_adamw")


def lerp(start, end, weight):
    """start + weight * (end - start), rounded as torch's `lerp` rounds it."""
    if weight < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


def newton_schulz(matrix, coefficients, steps, eps):
    """The zeroth power U V^T of matrix = U S V^T, approximately, as torch's Muon computes it.

    X <- M^T if M is tall; X <- X / max(||X||_F, eps)   (singular values now <= 1)
    k times:  A = X X^T,  B = b A + c A A,  X <- a X + B X
    (a quintic in X's singular values that pushes each towards ~1; with these
    coefficients they end in [~0.7, ~1.2], not exactly 1, which works as well).
    Runs in the matrix's dtype (torch uses bfloat16; see `Muon`).
    """
    a, b, c = coefficients
    transposed = matrix.shape[0] > matrix.shape[1]
    # C order whatever the layout of the input, so both backends' BLAS calls are the same
    x = np.ascontiguousarray(matrix.T if transposed else matrix)
    x = x / max(np.sqrt(np.sum(x * x)), eps)
    for _ in range(steps):
        gram = x @ x.T
        gram_update = b * gram + c * (gram @ gram)
        x = a * x + gram_update @ x
    return x.T if transposed else x


def adjusted_lr(lr, adjust_lr_fn, shape):
    """torch's per-shape lr: sqrt(max(1, A / B)) ("original", default) or 0.2 sqrt(max(A, B))."""
    rows, columns = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / columns))
    else:  # "match_rms_adamw"
        ratio = 0.2 * math.sqrt(max(rows, columns))
    return lr * ratio


@register("muon")
class Muon(Optimizer):
    r"""Muon, "MomentUm Orthogonalized by Newton-schulz" (Jordan et al. 2024, "Muon: An
    optimizer for hidden layers in neural networks"; Liu et al. 2025, "Muon is Scalable
    for LLM Training" for the "match_rms_adamw" lr), exactly `torch.optim.Muon` with
    the one difference below.

    Muon(params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
         ns_coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7, ns_steps=5,
         adjust_lr_fn=None, backend="numba")

    Per element of a 2-D parameter P (A x B) with gradient G (mu = momentum), once the
    whole matrix U is known:

        M  <- mu M + (1 - mu) G                   (torch's lerp of M towards G)
        U   = mu M + (1 - mu) G  if nesterov  else  M
        O   = NewtonSchulz(U)                     (of the whole matrix: `newton_schulz`,
                                                  ~ the orthogonal factor of U)
        P  <- P * (1 - lr * weight_decay)         (decoupled, with the unadjusted lr)
        P  <- P - lr' * O,  lr' = lr * sqrt(max(1, A / B))         ("original", default)
                            lr' = lr * 0.2 * sqrt(max(A, B))       ("match_rms_adamw")

    The update has the same size in every direction of the matrix: the gradient's
    dominant directions no longer crowd out the rare ones. Muon is only for 2-D
    parameters (hidden layers' weight matrices): any other parameter raises torch's
    error ("Muon only supports 2D parameters ..."); give biases and embeddings to AdamW.

    The one difference from torch: torch runs the Newton-Schulz iteration in bfloat16
    (8 significant bits), which numpy does not have; here it runs in the parameter's
    dtype (float64 or float32). The tests match torch runs whose Newton-Schulz is
    patched to float64 to 1e-10; against torch's own bfloat16 runs the updates agree to
    bfloat16's precision (~1e-2) only.

    Backends: the numba kernel does the element-wise momentum (and Nesterov) pass; the
    Newton-Schulz matrix products and the final update are numpy's (BLAS) in both
    backends, so the two agree bit for bit.

    State per parameter: "momentum_buffer" (M).

    Relation to the sources. Not among them; M is the momentum notes' exponentially
    weighted average of the gradients, and Nesterov as in SGD.

    Rosenbrock, as a 1 x 2 matrix, from (-1.5, 2): Newton-Schulz of a single row is the
    row normalised to length ~1, so Muon moves ~lr per step in the momentum's direction;
    lr=3e-3, weight_decay=0 takes f from 12.5 to ~7e-4 in 2,000 steps.
    """

    state_spec = {"momentum_buffer": ARRAY}
    param_ndim = 2

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=NS_COEFFICIENTS, eps=1e-7, ns_steps=NS_STEPS,
                 adjust_lr_fn=None, backend="numba"):
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Learning rate should be >= 0 but is: {group['lr']}")
        if not 0.0 <= group["momentum"]:
            raise ValueError(f"momentum should be >= 0 but is: {group['momentum']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"weight decay should be >= 0 but is: {group['weight_decay']}")
        if group["adjust_lr_fn"] not in ADJUST_LR_FNS:
            raise ValueError(
                f"Adjust learning rate function {group['adjust_lr_fn']} is not supported"
            )
        ns_steps = group["ns_steps"]
        if not isinstance(ns_steps, int) or ns_steps < 0:
            raise ValueError(f"ns_steps must be a non-negative int, but got {ns_steps!r}")
        if ns_steps >= 100:
            raise ValueError("Number of steps must be less than 100 for computational efficiency")

    def add_param_group(self, param_group):
        """As `Optimizer.add_param_group`, after torch's check that every parameter is 2-D."""
        if isinstance(param_group, dict):
            params = param_group.get("params", [])
            if hasattr(params, "data"):
                params = [params]
            elif not isinstance(params, (set, str)) and hasattr(params, "__iter__"):
                params = list(params)  # a generator is read once: keep its items for the base
                param_group = dict(param_group, params=params)
            else:
                params = []
            for item in params:
                param = item[1] if isinstance(item, tuple) and len(item) == 2 else item
                data = getattr(param, "data", None)
                if isinstance(data, np.ndarray) and data.ndim != self.param_ndim:
                    raise ValueError(
                        "Muon only supports 2D parameters whereas we found a parameter "
                        f"with size: {data.shape}"
                    )
        super().add_param_group(param_group)

    def init_state(self, param, group):
        return {"momentum_buffer": np.zeros_like(param)}

    def _orthogonalised_step(self, param, update, group):
        """P <- P (1 - lr wd) - lr' NewtonSchulz(U): shared by both backends."""
        ortho = newton_schulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        lr = group["lr"]
        param *= 1 - lr * group["weight_decay"]
        param -= adjusted_lr(lr, group["adjust_lr_fn"], param.shape) * ortho

    @staticmethod
    def _momentum_update(grad, state, group):
        """M <- lerp(M, G, 1 - mu) in place; returns U (Nesterov's lerp(G, M, mu), or M)."""
        momentum = group["momentum"]
        buf = state["momentum_buffer"]
        buf[...] = lerp(buf, grad, 1 - momentum)
        return lerp(grad, buf, momentum) if group["nesterov"] else buf

    def update(self, param, grad, state, group):
        self._orthogonalised_step(param, self._momentum_update(grad, state, group), group)

    symbols = {"momentum_buffer": "M"}

    def formula(self, state, group):
        momentum = group["momentum"]
        if 1 - momentum < 0.5:  # torch's lerp, as `lerp` rounds it
            lines = [("M", "M + (1 - momentum) * (g - M)")]
        else:
            lines = [("M", "g - (g - M) * (1 - (1 - momentum))")]
        if not group["nesterov"]:
            lines.append(("U", "M"))
        elif momentum < 0.5:
            lines.append(("U", "g + momentum * (M - g)"))
        else:
            lines.append(("U", "M - (M - g) * (1 - momentum)"))
        if group["weight_decay"] != 0:
            lines.append(("p", "p * (1 - lr * weight_decay)"))
        return lines + [("p", "p - lr_adjusted * O")]

    def formula_values(self, param, grad, state, group):
        update = self._momentum_update(grad, state, group)
        ortho = newton_schulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        rule = ("0.2 sqrt(max(A, B))" if group["adjust_lr_fn"] == "match_rms_adamw"
                else "sqrt(max(1, A / B))")
        return {
            "O": (ortho, f"NewtonSchulz(U) of the whole {param.shape[0]} x {param.shape[1]} "
                         "matrix U: ~ its orthogonal factor"),
            "lr_adjusted": (adjusted_lr(group["lr"], group["adjust_lr_fn"], param.shape),
                            f"lr * {rule}, A x B = {param.shape[0]} x {param.shape[1]}"),
        }

    def update_numba(self, param, grad, state, group):
        momentum = group["momentum"]
        update = np.empty(param.shape, dtype=param.dtype)
        run_kernel(
            muon_momentum_kernel,
            update,  # the kernel's output, in run_kernel's "parameter" slot
            grad,
            (state["momentum_buffer"],),
            (1 - momentum, 1 - (1 - momentum), momentum, 1 - momentum),
            (1 - momentum < 0.5, momentum < 0.5, group["nesterov"]),
        )
        self._orthogonalised_step(param, update, group)


@kernel
def muon_momentum_kernel(update, grad, buf, coefficients, buf_weight_small,
                         nesterov_weight_small, nesterov):
    """M <- lerp(M, G, 1 - mu); update <- lerp(G, M, mu) or M; as `Muon.update`'s lerps."""
    buf_weight, one_minus_buf_weight, nesterov_weight, one_minus_nesterov_weight = coefficients
    for i in prange(update.size):
        g = grad[i]
        if buf_weight_small:
            b = buf[i] + buf_weight * (g - buf[i])
        else:
            b = g - (g - buf[i]) * one_minus_buf_weight
        buf[i] = b
        if not nesterov:
            update[i] = b
        elif nesterov_weight_small:
            update[i] = g + nesterov_weight * (b - g)
        else:
            update[i] = b - (b - g) * one_minus_nesterov_weight
