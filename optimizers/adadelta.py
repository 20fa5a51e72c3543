"""Adadelta: RMSprop whose step size is a running RMS of the past updates."""

import numpy as np
from numba import prange

from .base import ARRAY, STEP, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


@register("adadelta")
class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012), exactly `torch.optim.Adadelta`.

    Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False,
             backend="numba")

    Per element, with gradient g:

        g   <- -g                                          if maximize
        g   <- g + weight_decay * p
        s   <- rho * s + (1 - rho) * g * g                 (mean square gradient)
        dx   = sqrt(u + eps) / sqrt(s + eps) * g           (u: mean square update)
        u   <- rho * u + (1 - rho) * dx * dx
        p   <- p - lr * dx

    State per parameter: "step", "square_avg" (s) and "acc_delta" (u).

    Relation to the sources. This is the gluon optimization tutorial's Adadelta exactly -- eps inside both
    square roots, g' = sqrt(dx + eps) / sqrt(s + eps) * g, both averages exponentially
    weighted with rho -- plus a learning rate that scales the update: the tutorial has no
    learning rate, which is lr = 1.0 (the default). The tutorial uses rho = 0.999 and eps =
    1e-5 where torch defaults to 0.9 and 1e-6; pass them to reproduce its curves.

    Rosenbrock from (-1.5, 2): lr=1.0 (no learning rate, as in the tutorial) takes f from
    12.5 to 0.42 in 2,000 steps -- slowly, since Adadelta's first steps are ~sqrt(eps).
    """

    state_spec = {"step": STEP, "square_avg": ARRAY, "acc_delta": ARRAY}

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *,
                 maximize=False, backend="numba"):
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")
        if not 0.0 <= group["eps"]:
            raise ValueError(f"Invalid epsilon value: {group['eps']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")

    def init_state(self, param, group):
        return {
            "step": 0,
            "square_avg": np.zeros_like(param),
            "acc_delta": np.zeros_like(param),
        }

    def update(self, param, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        grad = prepare_gradient(param, grad, group)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * (grad * grad)
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * (delta * delta)
        param -= group["lr"] * delta

    symbols = {"step": "t", "square_avg": "s", "acc_delta": "u"}
    state_before_step = ("acc_delta",)

    def formula(self, state, group):
        return opening_formula(group) + [
            ("s", "s * rho + (1 - rho) * (g * g)"),
            ("dx", "sqrt(u + eps) / sqrt(s + eps) * g"),
            ("u", "u * rho + (1 - rho) * (dx * dx)"),
            ("p", "p - lr * dx"),
        ]

    def effective_step_size(self, state, group, before):
        """lr * sqrt(u_{t-1} + eps) / sqrt(s_t + eps): the factor on the gradient, with u as it
        was before the step (`before["acc_delta"]`; absent on a parameter's first step: u = 0)."""
        previous = before.get("acc_delta")
        if previous is None:
            previous = np.zeros_like(state["acc_delta"])
        eps = group["eps"]
        return np.sqrt(previous + eps) / np.sqrt(state["square_avg"] + eps) * group["lr"]

    def update_numba(self, param, grad, state, group):
        rho = group["rho"]
        run_kernel(
            adadelta_kernel,
            param,
            grad,
            (state["square_avg"], state["acc_delta"]),
            (group["lr"], rho, 1 - rho, group["eps"], group["weight_decay"]),
            (group["maximize"],),
        )


@kernel
def adadelta_kernel(param, grad, square_avg, acc_delta, coefficients, maximize):
    """In-place Adadelta over flat arrays; the same arithmetic as `Adadelta.update`."""
    lr, rho, one_minus_rho, eps, weight_decay = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, False, weight_decay)
        s = rho * square_avg[i] + one_minus_rho * (g * g)
        square_avg[i] = s
        delta = np.sqrt(acc_delta[i] + eps) / np.sqrt(s + eps) * g
        acc_delta[i] = rho * acc_delta[i] + one_minus_rho * (delta * delta)
        param[i] = p - (lr * delta)
