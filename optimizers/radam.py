"""RAdam: Adam whose adaptive step is switched on only once its variance is tractable."""

import numpy as np
from numba import prange

from .adam import check_adam_hyperparameters
from .base import ARRAY, STEP, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


@register("radam")
class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al. 2020), exactly `torch.optim.RAdam`.

    RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
          decoupled_weight_decay=False, *, maximize=False, backend="numba")

    Per element, at step t = 1, 2, ... with gradient g (b1, b2 = betas):

        g     <- -g                                (if maximize)
        p     <- p * (1 - lr * weight_decay)       if decoupled_weight_decay
        g     <- g + weight_decay * p              otherwise
        m     <- m + (1 - b1) * (g - m)
        v     <- b2 * v + (1 - b2) * g * g
        m_hat  = m / (1 - b1^t)
        rho_inf = 2 / (1 - b2) - 1                 (length of the SMA that v approximates)
        rho_t   = rho_inf - 2 t b2^t / (1 - b2^t)  (1 at t = 1, rising towards rho_inf)
        if rho_t > 5:
            r  = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            p <- p - m_hat * lr * (sqrt(1 - b2^t) / (sqrt(v) + eps)) * r
        else:
            p <- p - m_hat * lr                    (SGD with bias-corrected momentum)

    While only a few squared gradients are in v, the adaptive step 1 / sqrt(v_hat) has a
    huge variance; RAdam steps without it until rho_t > 5 (from t = 6 for b2 = 0.9 and for
    the default 0.999; never for b2 <= 2/3, where rho_inf <= 5) and then scales it by the
    rectification r < 1, which tends to 1.
    The paper switches at rho_t > 4; torch, and this class, at 5. The first step is
    therefore lr * g, proportional to the gradient, where Adam's is lr * sign(g).
    eps is added to sqrt(v) *before* the bias correction (Adam adds it after), so it acts
    like eps / sqrt(1 - b2^t) in Adam's formula.

    State per parameter: "step" (t), "exp_avg" (m), "exp_avg_sq" (v).

    Relation to the sources: they do not use RAdam; see `Adam` for the sources' Adam
    (RAdam's rectified phase is that update, eps placement aside, times r).

    Rosenbrock from (-1.5, 2): lr=5e-3 with betas=(0.9, 0.99) takes f from 12.5 to ~7e-8
    in 2,000 steps. With the default b2 = 0.999 the best lr (~7e-3) only reaches ~0.12 and
    lr > 0.01 diverges: the first six steps are plain momentum on the raw gradient
    (|g| ~ 1e2 .. 1e3 here), and v then averages over ~1,000 steps of those large values.
    """

    state_spec = {"step": STEP, "exp_avg": ARRAY, "exp_avg_sq": ARRAY}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, maximize=False, backend="numba"):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        check_adam_hyperparameters(group)

    def init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}

    @staticmethod
    def _rectified_coefficients(state, group):
        """(bias_correction1, sqrt(bias_correction2), rectification r or None if rho_t <= 5)."""
        beta1, beta2 = group["betas"]
        t = state["step"]
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
        if rho_t <= 5.0:
            return bias_correction1, bias_correction2**0.5, None
        rect = (
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        ) ** 0.5
        return bias_correction1, bias_correction2**0.5, rect

    def update(self, param, grad, state, group):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        grad = prepare_gradient(param, grad, group, group["decoupled_weight_decay"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        bias_correction1, bias_correction2_sqrt, rect = self._rectified_coefficients(state, group)
        bias_corrected_exp_avg = exp_avg / bias_correction1
        if rect is not None:
            adaptive_lr = bias_correction2_sqrt / (np.sqrt(exp_avg_sq) + group["eps"])
            param -= bias_corrected_exp_avg * lr * adaptive_lr * rect
        else:
            param -= bias_corrected_exp_avg * lr

    symbols = {"step": "t", "exp_avg": "m", "exp_avg_sq": "v"}

    def formula(self, state, group):
        lines = opening_formula(group, group["decoupled_weight_decay"]) + [
            ("m", "m + (1 - beta1) * (g - m)"),
            ("v", "v * beta2 + (1 - beta2) * (g * g)"),
            ("bias_correction1", "1 - beta1**t"),
            ("bias_correction2", "1 - beta2**t"),
            ("rho_inf", "2 / (1 - beta2) - 1"),
            ("rho_t", "rho_inf - 2 * t * (beta2**t) / bias_correction2"),
            ("m_hat", "m / bias_correction1"),
        ]
        if self._rectified_coefficients(state, group)[2] is None:  # rho_t <= 5: not rectified yet
            return lines + [("p", "p - m_hat * lr")]
        return lines + [
            ("r", "((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5"),
            ("adaptive_lr", "bias_correction2**0.5 / (sqrt(v) + eps)"),
            ("p", "p - m_hat * lr * adaptive_lr * r"),
        ]

    def effective_step_size(self, state, group, before):
        """The factor on m_hat: lr * r * sqrt(1 - b2^t) / (sqrt(v) + eps) once rectified
        (rho_t > 5); lr in every coordinate before that."""
        _, bias_correction2_sqrt, rect = self._rectified_coefficients(state, group)
        v = state["exp_avg_sq"]
        if rect is None:
            return np.full(v.shape, group["lr"], dtype=v.dtype)
        return group["lr"] * (bias_correction2_sqrt / (np.sqrt(v) + group["eps"])) * rect

    def update_numba(self, param, grad, state, group):
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        bias_correction1, bias_correction2_sqrt, rect = self._rectified_coefficients(state, group)
        run_kernel(
            radam_kernel,
            param,
            grad,
            (state["exp_avg"], state["exp_avg_sq"]),
            (1 - lr * weight_decay, weight_decay, 1 - beta1, beta2, 1 - beta2, lr,
             bias_correction1, bias_correction2_sqrt, group["eps"],
             1.0 if rect is None else rect),
            (rect is not None, group["decoupled_weight_decay"], group["maximize"]),
        )


@kernel
def radam_kernel(param, grad, exp_avg, exp_avg_sq, coefficients, rectified, decoupled,
                 maximize):
    """In-place RAdam over flat arrays; the same arithmetic as `RAdam.update`."""
    (decay_factor, weight_decay, one_minus_beta1, beta2, one_minus_beta2, lr,
     bias_correction1, bias_correction2_sqrt, eps, rect) = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, decoupled, decay_factor)
        m = exp_avg[i] + one_minus_beta1 * (g - exp_avg[i])
        exp_avg[i] = m
        v = beta2 * exp_avg_sq[i] + one_minus_beta2 * (g * g)
        exp_avg_sq[i] = v
        m_hat = m / bias_correction1
        if rectified:
            adaptive_lr = bias_correction2_sqrt / (np.sqrt(v) + eps)
            param[i] = p - (m_hat * lr * adaptive_lr * rect)
        else:
            param[i] = p - (m_hat * lr)
