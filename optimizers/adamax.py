"""Adamax: Adam with the infinity norm in place of the root mean square."""

import numpy as np
from numba import prange

from .adam import check_adam_hyperparameters
from .base import ARRAY, STEP, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


@register("adamax")
class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba 2015, section 7.1), exactly `torch.optim.Adamax`.

    Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
           *, maximize=False, backend="numba")

    Per element, at step t = 1, 2, ... with gradient g (b1, b2 = betas):

        g  <- -g                                  if maximize
        g  <- g + weight_decay * p
        m  <- m + (1 - b1) * (g - m)              (= b1 * m + (1 - b1) * g)
        u  <- max(b2 * u, |g| + eps)              (a decaying running maximum of |g|)
        p  <- p - (lr / (1 - b1^t)) * m / u

    u replaces Adam's sqrt(v): the limit of (b2 * v_p + (1 - b2) |g|^p)^(1/p) as the norm
    p -> infinity. u needs no bias correction (it is not a zero-started average), and
    since it is at least |g| + eps, eps sits *inside* the max rather than added to a
    denominator. First step: u = |g| + eps, so p moves by lr * g / (|g| + eps), i.e. by
    lr in every coordinate, as with Adam.

    State per parameter: "step" (t), "exp_avg" (m), "exp_inf" (u).

    Relation to the sources: they do not use Adamax; see `Adam` for the sources' Adam
    and where they put eps.

    Rosenbrock from (-1.5, 2): lr=0.1 takes f from 12.5 to ~4e-4 in 2,000 steps.
    """

    state_spec = {"step": STEP, "exp_avg": ARRAY, "exp_inf": ARRAY}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 *, maximize=False, backend="numba"):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        check_adam_hyperparameters(group)

    def init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_inf": np.zeros_like(param)}

    @staticmethod
    def _bias_corrected_lr(state, group):
        """lr / (1 - beta1^t): the step size once m is bias-corrected."""
        return group["lr"] / (1 - group["betas"][0] ** state["step"])

    def update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        grad = prepare_gradient(param, grad, group)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_inf *= beta2
        np.maximum(exp_inf, np.abs(grad) + group["eps"], out=exp_inf)
        param -= self._bias_corrected_lr(state, group) * exp_avg / exp_inf

    symbols = {"step": "t", "exp_avg": "m", "exp_inf": "u"}

    def formula(self, state, group):
        return opening_formula(group) + [
            ("m", "m + (1 - beta1) * (g - m)"),
            ("u", "maximum(u * beta2, abs(g) + eps)"),
            ("clr", "lr / (1 - beta1 ** t)"),
            ("p", "p - clr * m / u"),
        ]

    def effective_step_size(self, state, group, before):
        """lr / u, u = "exp_inf" (eps is inside u's max): the factor on m_hat."""
        return group["lr"] / state["exp_inf"]

    def update_numba(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        run_kernel(
            adamax_kernel,
            param,
            grad,
            (state["exp_avg"], state["exp_inf"]),
            (self._bias_corrected_lr(state, group), 1 - beta1, beta2, group["eps"], group["weight_decay"]),
            (group["maximize"],),
        )


@kernel
def adamax_kernel(param, grad, exp_avg, exp_inf, coefficients, maximize):
    """In-place Adamax over flat arrays; the same arithmetic as `Adamax.update`."""
    clr, one_minus_beta1, beta2, eps, weight_decay = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, False, weight_decay)
        m = exp_avg[i] + one_minus_beta1 * (g - exp_avg[i])
        exp_avg[i] = m
        u = beta2 * exp_inf[i]
        bound = np.abs(g) + eps
        if bound > u or bound != bound:  # like np.maximum, a NaN gradient propagates
            u = bound
        exp_inf[i] = u
        param[i] = p - (clr * m / u)
