"""Adagrad: per-coordinate step sizes from the running sum of squared gradients."""

import numpy as np
from numba import prange

from .base import ARRAY, STEP, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


@register("adagrad")
class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al. 2011), exactly `torch.optim.Adagrad`.

    Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
            eps=1e-10, *, maximize=False, backend="numba")

    Per element, at step t = 1, 2, ... with gradient g:

        g   <- -g                          if maximize
        g   <- g + weight_decay * p
        clr  = lr / (1 + (t - 1) * lr_decay)
        s   <- s + g * g                   (s starts at initial_accumulator_value)
        p   <- p - clr * g / (sqrt(s) + eps)

    State per parameter: "step" (t) and "sum" (s).

    Relation to the sources. The code of the course notes "momentum, AdaGrad, RMSProp,
    Adam" is this update (eps outside the root,
    lr_decay = 0). The gluon optimization tutorial puts eps *inside* the root, eta * g / sqrt(s + eps_in) with
    eps_in = 1e-7. The two agree whenever s >> eps; with eps = sqrt(eps_in) they also
    agree as s -> 0 (both cap the step at g / sqrt(eps_in)) and in between differ by at
    most a factor sqrt(2). `lr_decay` (torch's addition) shrinks lr as
    1 / (1 + (t - 1) * lr_decay).
    `initial_accumulator_value` is read from each parameter's group (torch reads the
    constructor's value for every group; the two agree unless a group overrides it).

    Rosenbrock from (-1.5, 2): lr=1.5 takes f from 12.5 to below 0.01 in 2,000 steps.
    """

    state_spec = {"step": STEP, "sum": ARRAY}

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, *, maximize=False,
                 backend="numba"):
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["lr_decay"]:
            raise ValueError(f"Invalid lr_decay value: {group['lr_decay']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if not 0.0 <= group["initial_accumulator_value"]:
            raise ValueError(
                "Invalid initial_accumulator_value value: "
                f"{group['initial_accumulator_value']}"
            )
        if not 0.0 <= group["eps"]:
            raise ValueError(f"Invalid epsilon value: {group['eps']}")

    def init_state(self, param, group):
        return {
            "step": 0,
            "sum": np.full_like(param, group["initial_accumulator_value"]),
        }

    @staticmethod
    def _decayed_lr(state, group):
        """lr / (1 + (t - 1) lr_decay): the learning rate of step t."""
        return group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])

    def update(self, param, grad, state, group):
        grad = prepare_gradient(param, grad, group)
        clr = self._decayed_lr(state, group)
        state_sum = state["sum"]
        state_sum += grad * grad
        std = np.sqrt(state_sum) + group["eps"]
        param -= clr * (grad / std)

    symbols = {"step": "t", "sum": "s"}

    def formula(self, state, group):
        return opening_formula(group) + [
            ("clr", "lr / (1 + (t - 1) * lr_decay)"),
            ("s", "s + g * g"),
            ("std", "sqrt(s) + eps"),
            ("p", "p - clr * (g / std)"),
        ]

    def effective_step_size(self, state, group, before):
        """clr / (sqrt(s) + eps), clr = lr / (1 + (t - 1) lr_decay): the factor on the gradient."""
        return self._decayed_lr(state, group) / (np.sqrt(state["sum"]) + group["eps"])

    def update_numba(self, param, grad, state, group):
        run_kernel(
            adagrad_kernel,
            param,
            grad,
            (state["sum"],),
            (self._decayed_lr(state, group), group["eps"], group["weight_decay"]),
            (group["maximize"],),
        )


@kernel
def adagrad_kernel(param, grad, state_sum, coefficients, maximize):
    """In-place Adagrad over flat arrays; the same arithmetic as `Adagrad.update`."""
    clr, eps, weight_decay = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, False, weight_decay)
        s = state_sum[i] + g * g
        state_sum[i] = s
        param[i] = p - (clr * (g / (np.sqrt(s) + eps)))
