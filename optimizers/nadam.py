"""NAdam: Adam with Nesterov momentum."""

import numpy as np
from numba import prange

from .adam import check_adam_hyperparameters
from .base import ARRAY, REAL, STEP, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


@register("nadam")
class NAdam(Optimizer):
    r"""NAdam (Dozat 2016), exactly `torch.optim.NAdam`.

    NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
          momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False,
          backend="numba")

    Per element, at step t = 1, 2, ... with gradient g (b1, b2 = betas, psi =
    momentum_decay):

        g    <- -g                                 if maximize
        p    <- p * (1 - lr * weight_decay)        if decoupled_weight_decay
        g    <- g + weight_decay * p               otherwise
        mu_t  = b1 * (1 - 0.5 * 0.96^(t * psi))    (the momentum schedule: rises to b1)
        P    <- P * mu_t                           (P = mu_1 mu_2 ... mu_t, "mu_product")
        m    <- m + (1 - b1) * (g - m)
        v    <- b2 * v + (1 - b2) * g * g
        d     = sqrt(v / (1 - b2^t)) + eps
        p    <- p - lr * (1 - mu_t) / (1 - P) * g / d
        p    <- p - lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / d

    The Nesterov idea: the step uses the momentum as it will be *after* the next update
    (mu_{t+1} m, bias-corrected with the product up to t + 1) plus the current gradient's
    share (1 - mu_t) g, instead of Adam's m alone. Note eps is added to sqrt(v_hat) here,
    after the bias correction, where `Adam` adds it to sqrt(v) / sqrt(1 - b2^t): the same
    value, different rounding.

    State per parameter: "step" (t), "mu_product" (P, a Python float starting at 1),
    "exp_avg" (m), "exp_avg_sq" (v). torch keeps mu_product in its default dtype: with
    the default float32 its trajectories differ from these (float64) by ~1e-7 relative;
    under `torch.set_default_dtype(torch.float64)` they agree to rounding.

    Relation to the sources: they do not use NAdam. The Nesterov momentum of the
    optimizer overview and the gluon tutorial
    momentum looks ahead the same way (step with g + mu * b); see `SGD` and `Adam`.

    Rosenbrock from (-1.5, 2): lr=0.02 takes f from 12.5 to ~3e-4 in 2,000 steps (lr=0.05
    only to 1e-2: the look-ahead overshoots along the valley).
    """

    state_spec = {"step": STEP, "mu_product": REAL, "exp_avg": ARRAY, "exp_avg_sq": ARRAY}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False,
                 backend="numba"):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        check_adam_hyperparameters(group)
        if not 0.0 <= group["momentum_decay"]:
            raise ValueError(f"Invalid momentum_decay value: {group['momentum_decay']}")

    def init_state(self, param, group):
        return {
            "step": 0,
            "mu_product": 1.0,
            "exp_avg": np.zeros_like(param),
            "exp_avg_sq": np.zeros_like(param),
        }

    @staticmethod
    def _advance(state, group):
        """Update mu_product; return (bias_correction2, grad coefficient, exp_avg coefficient)."""
        lr, (beta1, beta2) = group["lr"], group["betas"]
        t, psi = state["step"], group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
        state["mu_product"] *= mu
        mu_product_next = state["mu_product"] * mu_next
        return (
            1 - beta2**t,
            lr * (1.0 - mu) / (1.0 - state["mu_product"]),
            lr * mu_next / (1.0 - mu_product_next),
        )

    def update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        bias_correction2, grad_coefficient, avg_coefficient = self._advance(state, group)
        grad = prepare_gradient(param, grad, group, group["decoupled_weight_decay"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        denom = np.sqrt(exp_avg_sq / bias_correction2) + group["eps"]
        param -= grad_coefficient * grad / denom
        param -= avg_coefficient * exp_avg / denom

    symbols = {"step": "t", "mu_product": "P", "exp_avg": "m", "exp_avg_sq": "v"}

    def formula(self, state, group):
        return [
            ("mu_t", "beta1 * (1.0 - 0.5 * (0.96 ** (t * momentum_decay)))"),
            ("mu_next", "beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * momentum_decay)))"),
            ("P", "P * mu_t"),
            ("bias_correction2", "1 - beta2**t"),
            ("grad_coefficient", "lr * (1.0 - mu_t) / (1.0 - P)"),
            ("avg_coefficient", "lr * mu_next / (1.0 - P * mu_next)"),
        ] + opening_formula(group, group["decoupled_weight_decay"]) + [
            ("m", "m + (1 - beta1) * (g - m)"),
            ("v", "v * beta2 + (1 - beta2) * (g * g)"),
            ("denom", "sqrt(v / bias_correction2) + eps"),
            ("p", "p - grad_coefficient * g / denom"),
            ("p", "p - avg_coefficient * m / denom"),
        ]

    def effective_step_size(self, state, group, before):
        """lr / (sqrt(v / (1 - b2^t)) + eps): Adam's quantity in NAdam's own rounding; the step
        is this times the Nesterov combination of g and m."""
        bias_correction2 = 1 - group["betas"][1] ** state["step"]
        return group["lr"] / (np.sqrt(state["exp_avg_sq"] / bias_correction2) + group["eps"])

    def update_numba(self, param, grad, state, group):
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        bias_correction2, grad_coefficient, avg_coefficient = self._advance(state, group)
        run_kernel(
            nadam_kernel,
            param,
            grad,
            (state["exp_avg"], state["exp_avg_sq"]),
            (1 - lr * weight_decay, weight_decay, 1 - beta1, beta2, 1 - beta2,
             bias_correction2, group["eps"], grad_coefficient, avg_coefficient),
            (group["decoupled_weight_decay"], group["maximize"]),
        )


@kernel
def nadam_kernel(param, grad, exp_avg, exp_avg_sq, coefficients, decoupled, maximize):
    """In-place NAdam over flat arrays; the same arithmetic as `NAdam.update`."""
    (decay_factor, weight_decay, one_minus_beta1, beta2, one_minus_beta2, bias_correction2,
     eps, grad_coefficient, avg_coefficient) = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, decoupled, decay_factor)
        m = exp_avg[i] + one_minus_beta1 * (g - exp_avg[i])
        exp_avg[i] = m
        v = beta2 * exp_avg_sq[i] + one_minus_beta2 * (g * g)
        exp_avg_sq[i] = v
        denom = np.sqrt(v / bias_correction2) + eps
        p = p - grad_coefficient * g / denom
        param[i] = p - avg_coefficient * m / denom
