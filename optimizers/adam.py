"""Adam: momentum plus per-coordinate step sizes from a running mean of squared gradients."""

import numpy as np
from numba import prange

from .base import ARRAY, STEP, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


def check_adam_hyperparameters(group):
    """torch's checks, shared by the Adam family and Lion: lr, eps (if the group has one: Lion
    has none), both betas in [0, 1), weight decay."""
    if not 0.0 <= group["lr"]:
        raise ValueError(f"Invalid learning rate: {group['lr']}")
    if "eps" in group and not 0.0 <= group["eps"]:
        raise ValueError(f"Invalid epsilon value: {group['eps']}")
    beta1, beta2 = group["betas"]
    if not 0.0 <= beta1 < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {beta1}")
    if not 0.0 <= beta2 < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {beta2}")
    if not 0.0 <= group["weight_decay"]:
        raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")


@register("adam")
class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015), exactly `torch.optim.Adam`.

    Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
         *, maximize=False, decoupled_weight_decay=False, backend="numba")

    Per element, at step t = 1, 2, ... with gradient g (b1, b2 = betas):

        g  <- -g                                  if maximize
        p  <- p * (1 - lr * weight_decay)         if decoupled_weight_decay (AdamW)
        g  <- g + weight_decay * p                otherwise (L2 penalty in the gradient)
        m  <- m + (1 - b1) * (g - m)              (= b1 * m + (1 - b1) * g; torch's lerp)
        v  <- b2 * v + (1 - b2) * g * g
        v_max <- max(v_max, v); use v_max for v   if amsgrad (Reddi et al. 2018)
        denom = sqrt(v) / sqrt(1 - b2^t) + eps    (= sqrt(v_hat) + eps)
        p  <- p - (lr / (1 - b1^t)) * m / denom   (= lr * m_hat / denom)

    m_hat = m / (1 - b1^t) and v_hat = v / (1 - b2^t) are the bias-corrected averages;
    torch (and this class) folds the corrections into the scalars lr / (1 - b1^t) and
    sqrt(1 - b2^t) instead of forming m_hat and v_hat, which saves two array passes.
    First step: m = (1 - b1) g, v = (1 - b2) g^2, so p moves by lr * g / (|g| + eps):
    by lr in every coordinate, whatever the gradient's size.

    State per parameter: "step" (t), "exp_avg" (m), "exp_avg_sq" (v) and, with amsgrad,
    "max_exp_avg_sq" (v_max). The per-coordinate step actually taken at step t is
    lr / (1 - b1^t) / (sqrt(v) / sqrt(1 - b2^t) + eps), readable from this state.

    Relation to the sources. The course notes "momentum, AdaGrad, RMSProp, Adam" call `torch.optim.Adam(params, lr=0.001)`:
    this class. Dive into Deep Learning (PyTorch edition), ch. 7: Adam, writes the same update written with m_hat and v_hat
    (lr * m_hat / (sqrt(v_hat) + eps), eps outside the root, t counted from 1), only with
    eps = 1e-6; the results agree to rounding. The gluon optimization tutorial's formula text puts eps *inside*
    the root, lr * m_hat / sqrt(v_hat + eps_in), while its code puts eps = 1e-8 outside
    like here; the two agree once v_hat >> eps, and eps = sqrt(eps_in) makes them agree as
    v_hat -> 0 too (in between they differ by at most a factor sqrt(2)). The tutorial also
    divides the gradient of a *summed* loss by batch_size: use a mean loss here instead.
    (Adam is invariant to rescaling g except through eps: g * c acts like eps / c.)

    Rosenbrock from (-1.5, 2): lr=0.05 takes f from 12.5 to ~2e-12 in 2,000 steps (the
    default lr=1e-3 only to 5.2: each coordinate moves at most ~lr per step).
    """

    state_spec = {"step": STEP, "exp_avg": ARRAY, "exp_avg_sq": ARRAY, "max_exp_avg_sq": ARRAY}
    option_state = {"max_exp_avg_sq": lambda group: group["amsgrad"]}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False,
                 backend="numba"):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        check_adam_hyperparameters(group)

    def init_state(self, param, group):
        state = {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param)
        return state

    @staticmethod
    def _step_coefficients(state, group):
        """(step_size, bias_correction2_sqrt): torch's Python-float bias corrections."""
        beta1, beta2 = group["betas"]
        t = state["step"]
        return group["lr"] / (1 - beta1**t), (1 - beta2**t) ** 0.5

    def update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        grad = prepare_gradient(param, grad, group, group["decoupled_weight_decay"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg += (1 - beta1) * (grad - exp_avg)
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
            exp_avg_sq = state["max_exp_avg_sq"]
        step_size, bias_correction2_sqrt = self._step_coefficients(state, group)
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + group["eps"]
        param -= step_size * exp_avg / denom

    symbols = {"step": "t", "exp_avg": "m", "exp_avg_sq": "v", "max_exp_avg_sq": "v_max"}

    def formula(self, state, group):
        lines = opening_formula(group, group["decoupled_weight_decay"]) + [
            ("m", "m + (1 - beta1) * (g - m)"),
            ("v", "v * beta2 + (1 - beta2) * (g * g)"),
        ]
        root = "sqrt(v)"
        if group["amsgrad"]:
            lines.append(("v_max", "maximum(v_max, v)"))
            root = "sqrt(v_max)"
        return lines + [
            ("step_size", "lr / (1 - beta1**t)"),
            ("bias_correction2_sqrt", "(1 - beta2**t) ** 0.5"),
            ("denom", f"{root} / bias_correction2_sqrt + eps"),
            ("p", "p - step_size * m / denom"),
        ]

    def effective_step_size(self, state, group, before):
        """lr / (sqrt(v) / sqrt(1 - b2^t) + eps) = lr / (sqrt(v_hat) + eps): the factor on m_hat
        (v is "max_exp_avg_sq" with amsgrad)."""
        _, bias_correction2_sqrt = self._step_coefficients(state, group)
        v = state["max_exp_avg_sq"] if group["amsgrad"] else state["exp_avg_sq"]
        return group["lr"] / (np.sqrt(v) / bias_correction2_sqrt + group["eps"])

    def update_numba(self, param, grad, state, group):
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        step_size, bias_correction2_sqrt = self._step_coefficients(state, group)
        run_kernel(
            adam_kernel,
            param,
            grad,
            (state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq")),
            (1 - lr * weight_decay, weight_decay, 1 - beta1, beta2, 1 - beta2, step_size,
             bias_correction2_sqrt, group["eps"]),
            (group["amsgrad"], group["decoupled_weight_decay"], group["maximize"]),
        )


@kernel
def adam_kernel(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, coefficients,
                amsgrad, decoupled, maximize):
    """In-place Adam/AdamW over flat arrays; the same arithmetic as `Adam.update`."""
    (decay_factor, weight_decay, one_minus_beta1, beta2, one_minus_beta2, step_size,
     bias_correction2_sqrt, eps) = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, decoupled, decay_factor)
        m = exp_avg[i] + one_minus_beta1 * (g - exp_avg[i])
        exp_avg[i] = m
        v = beta2 * exp_avg_sq[i] + one_minus_beta2 * (g * g)
        exp_avg_sq[i] = v
        if amsgrad:
            if max_exp_avg_sq[i] > v:
                v = max_exp_avg_sq[i]
            max_exp_avg_sq[i] = v
        denom = np.sqrt(v) / bias_correction2_sqrt + eps
        param[i] = p - (step_size * m / denom)
