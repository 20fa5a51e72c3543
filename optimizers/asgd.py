"""ASGD: SGD with a decaying step size and a running average of the iterates."""

import numpy as np
from numba import prange

from .base import ARRAY, REAL, STEP, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


@register("asgd")
class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent (Polyak & Juditsky 1992, "Acceleration of
    Stochastic Approximation by Averaging"), exactly `torch.optim.ASGD`.

    ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, *,
         maximize=False, backend="numba")

    Per element, at step t = 1, 2, ... with gradient g, step size eta and averaging
    weight mu (eta = lr and mu = 1 before the first step):

        g  <- -g                                  if maximize
        g  <- g + weight_decay * p
        p  <- p * (1 - lambd * eta)               (the decay term of the step size schedule)
        p  <- p - eta * g
        ax <- ax + mu * (p - ax)                  (ax <- p while mu = 1)
        eta <- lr / (1 + lambd * lr * t)^alpha    (for the next step)
        mu  <- 1 / max(1, t - t0)

    The parameters follow plain SGD with a slowly decaying step size; `ax` is the
    average of the iterates from step t0 on (before that it just copies p). `ax` is what
    the theory says to evaluate the model at: copy it into the parameters for testing.
    As in torch, eta and mu are computed after the step, so a learning rate changed by a
    scheduler takes effect one step later.

    State per parameter: "step" (t), "eta", "mu" (Python floats), "ax" (the average).

    Relation to the sources. Plain SGD of the sources with a 1/t^alpha learning-rate
    decay (see "course notes: learning-rate schedules") and an iterate average, which
    is the momentum notes' exponentially weighted average with weight 1 / (t - t0) instead of a
    constant: the arithmetic mean.

    Rosenbrock from (-1.5, 2): lr=1e-3 takes f from 12.5 to ~0.2 in 2,000 steps (the
    parameters; like SGD without momentum it crawls along the valley).
    """

    state_spec = {"step": STEP, "eta": REAL, "mu": REAL, "ax": ARRAY}

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, *,
                 maximize=False, backend="numba"):
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")

    def init_state(self, param, group):
        return {"step": 0, "eta": group["lr"], "mu": 1.0, "ax": np.zeros_like(param)}

    @staticmethod
    def _next_eta_and_mu(state, group):
        """torch's schedule, computed after the step with the step count t."""
        lr, lambd, t = group["lr"], group["lambd"], state["step"]
        state["eta"] = lr / ((1 + lambd * lr * t) ** group["alpha"])
        state["mu"] = 1 / max(1, t - group["t0"])

    def update(self, param, grad, state, group):
        eta = state["eta"]
        grad = prepare_gradient(param, grad, group)
        param *= 1 - group["lambd"] * eta
        param -= eta * grad
        ax = state["ax"]
        if state["mu"] != 1:
            ax += (param - ax) * state["mu"]
        else:
            ax[...] = param
        self._next_eta_and_mu(state, group)

    symbols = {"step": "t"}
    state_before_step = ("eta",)

    def formula(self, state, group):
        return opening_formula(group) + [
            ("p", "p * (1 - lambd * eta)"),
            ("p", "p - eta * g"),
            ("ax", "ax + (p - ax) * mu" if state["mu"] != 1 else "p"),
            ("eta", "lr / ((1 + lambd * lr * t) ** alpha)"),
            ("mu", "1 / maximum(1, t - t0)"),
        ]

    def effective_step_size(self, state, group, before):
        """eta as the step used it (the same in every coordinate): the factor applied to
        the gradient; the step then computes the next eta, lr / (1 + lambd lr t)^alpha."""
        eta = before.get("eta", group["lr"])  # the first step uses eta = lr
        ax = state["ax"]
        return np.full(ax.shape, float(eta), dtype=ax.dtype)

    def update_numba(self, param, grad, state, group):
        eta = state["eta"]
        run_kernel(
            asgd_kernel,
            param,
            grad,
            (state["ax"],),
            (1 - group["lambd"] * eta, eta, group["weight_decay"], state["mu"]),
            (group["maximize"], state["mu"] != 1),
        )
        self._next_eta_and_mu(state, group)


@kernel
def asgd_kernel(param, grad, ax, coefficients, maximize, averaging):
    """In-place ASGD over flat arrays; the same arithmetic as `ASGD.update`."""
    decay, eta, weight_decay, mu = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, False, 0.0)
        p = p * decay
        p -= eta * g
        param[i] = p
        if averaging:
            ax[i] += (p - ax[i]) * mu
        else:
            ax[i] = p
