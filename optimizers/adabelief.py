"""AdaBelief: Adam whose denominator tracks how far the gradient strays from its running mean."""

import math

import numpy as np
from numba import prange

from .adam import check_adam_hyperparameters
from .base import Optimizer
from .kernels import kernel, run_kernel
from .registry import register


@register("adabelief")
class AdaBelief(Optimizer):
    r"""AdaBelief (Zhuang et al. 2020, "AdaBelief Optimizer: Adapting Stepsizes by the Belief
    in Observed Gradients", NeurIPS). torch has no AdaBelief; this follows the authors'
    PyTorch code (juntang-zhuang/Adabelief-Optimizer, adabelief_pytorch 0.2.0, whose
    defaults it keeps: decoupled weight decay and the RAdam-style rectification are on).

    AdaBelief(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0,
              amsgrad=False, *, weight_decouple=True, fixed_decay=False, rectify=True,
              degenerated_to_sgd=True, maximize=False, backend="numba")

    Per element, at step t = 1, 2, ... with gradient g (b1, b2 = betas):

        g  <- -g                                   if maximize
        p  <- p * (1 - lr * weight_decay)          if weight_decouple (AdamW's decay)
              p * (1 - weight_decay)               ... and fixed_decay (lr-independent)
        g  <- g + weight_decay * p                 otherwise (L2 penalty in the gradient)
        m  <- b1 * m + (1 - b1) * g
        s  <- b2 * s + (1 - b2) * (g - m)^2 + eps  (the "belief": variance of g around m)
        s_max <- max(s_max, s)                     if amsgrad

    then, without rectification (rectify=False, the paper's Algorithm 2):

        p  <- p - (lr / (1 - b1^t)) * m / (sqrt(s) / sqrt(1 - b2^t) + eps)   (s_max if amsgrad)

    and with it (RAdam's rule, Liu et al. 2020, as in `RAdam` but switching at rho_t >= 5):

        rho_inf = 2 / (1 - b2) - 1,   rho_t = rho_inf - 2 t b2^t / (1 - b2^t)
        if rho_t >= 5:  p <- p - lr * R_t * m / (sqrt(s) + eps),
                        R_t = sqrt((1 - b2^t) (rho_t - 4)(rho_t - 2) rho_inf
                                   / ((rho_inf - 4)(rho_inf - 2) rho_t)) / (1 - b1^t)
        else:           p <- p - lr * m / (1 - b1^t)   if degenerated_to_sgd (else no move)

    Adam divides by the root of the mean *square* gradient; AdaBelief by the root of the
    mean squared *deviation* from the momentum m. Where the gradient is predictable (a
    long valley floor) s is small and the step large; where it jumps the step is small.
    eps enters twice, as in the authors' code: added to s in place at every step (so s
    never falls below eps) and outside the root. Their rectified branch divides by
    sqrt(s) even with amsgrad (s_max is then kept but unused); this class does the same.

    State per parameter: "step" (t), "exp_avg" (m), "exp_avg_var" (s) and, with amsgrad,
    "max_exp_avg_var" (s_max).

    Relation to the sources: they predate AdaBelief; without rectification it is the
    sources' Adam (eps outside the root) with g - m in place of g in the second moment.

    Rosenbrock from (-1.5, 2): lr=0.05 with rectify=False takes f from 12.5 to ~2e-13 in
    2,000 steps. The default, rectified update is poor there: its first four steps are
    momentum SGD on the raw gradient (|g| ~ 155 at the start), which throws it out of the
    valley for lr >= 0.02 (it diverges), and lr=0.01 only reaches f = 0.12.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0,
                 amsgrad=False, *, weight_decouple=True, fixed_decay=False, rectify=True,
                 degenerated_to_sgd=True, maximize=False, backend="numba"):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "weight_decouple": weight_decouple,
            "fixed_decay": fixed_decay,
            "rectify": rectify,
            "degenerated_to_sgd": degenerated_to_sgd,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        check_adam_hyperparameters(group)

    def init_state(self, param, group):
        state = {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_var": np.zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_var"] = np.zeros_like(param)
        return state

    @staticmethod
    def _decay_factor(group):
        """What decoupled weight decay multiplies p with: 1 - lr * wd, or 1 - wd if fixed."""
        if group["fixed_decay"]:
            return 1.0 - group["weight_decay"]
        return 1.0 - group["lr"] * group["weight_decay"]

    @staticmethod
    def _step_scalars(state, group):
        """(step_size, sqrt(1 - b2^t) or 1.0, divide): p -= step_size * m [/ denominator].

        step_size is None when the rectified update is off and degenerated_to_sgd is False.
        The divisor is 1.0 in the rectified branch, whose denominator is sqrt(s) + eps.
        """
        beta1, beta2 = group["betas"]
        t = state["step"]
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        if not group["rectify"]:
            return group["lr"] / bias_correction1, math.sqrt(bias_correction2), True
        beta2_t = beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2_t / (1 - beta2_t)
        if rho_t >= 5:
            rectification = math.sqrt(
                (1 - beta2_t) * (rho_t - 4) / (rho_inf - 4) * (rho_t - 2) / rho_t
                * rho_inf / (rho_inf - 2)
            ) / (1 - beta1**t)
            return rectification * group["lr"], 1.0, True
        if group["degenerated_to_sgd"]:
            return 1.0 / (1 - beta1**t) * group["lr"], 1.0, False
        return None, 1.0, False

    def update(self, param, grad, state, group):
        lr, weight_decay, eps = group["lr"], group["weight_decay"], group["eps"]
        beta1, beta2 = group["betas"]
        if group["maximize"]:
            grad = -grad
        if group["weight_decouple"]:
            param *= self._decay_factor(group)
        elif weight_decay != 0:
            grad = grad + weight_decay * param
        exp_avg, exp_avg_var = state["exp_avg"], state["exp_avg_var"]
        exp_avg *= beta1
        exp_avg += (1 - beta1) * grad
        residual = grad - exp_avg
        exp_avg_var *= beta2
        exp_avg_var += (1 - beta2) * (residual * residual)
        exp_avg_var += eps
        belief = exp_avg_var
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_var"], exp_avg_var, out=state["max_exp_avg_var"])
            if not group["rectify"]:
                belief = state["max_exp_avg_var"]
        step_size, bias_correction2_sqrt, divide = self._step_scalars(state, group)
        if step_size is None:
            return
        if divide:
            param -= step_size * (exp_avg / (np.sqrt(belief) / bias_correction2_sqrt + eps))
        else:
            param -= step_size * exp_avg

    def update_numba(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        step_size, bias_correction2_sqrt, divide = self._step_scalars(state, group)
        run_kernel(
            adabelief_kernel,
            param,
            grad,
            (state["exp_avg"], state["exp_avg_var"], state.get("max_exp_avg_var")),
            (self._decay_factor(group), group["weight_decay"], beta1, 1 - beta1, beta2,
             1 - beta2, group["eps"], bias_correction2_sqrt,
             0.0 if step_size is None else step_size),
            (group["amsgrad"], group["amsgrad"] and not group["rectify"],
             group["weight_decouple"], group["maximize"], step_size is not None, divide),
        )


@kernel
def adabelief_kernel(param, grad, exp_avg, exp_avg_var, max_exp_avg_var, coefficients,
                     amsgrad, use_max, decouple, maximize, move, divide):
    """In-place AdaBelief over flat arrays; the same arithmetic as `AdaBelief.update`."""
    (decay_factor, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, eps,
     bias_correction2_sqrt, step_size) = coefficients
    for i in prange(param.size):
        g = -grad[i] if maximize else grad[i]
        if decouple:
            param[i] *= decay_factor
        elif weight_decay != 0:
            g = g + weight_decay * param[i]
        m = beta1 * exp_avg[i] + one_minus_beta1 * g
        exp_avg[i] = m
        residual = g - m
        s = beta2 * exp_avg_var[i] + one_minus_beta2 * (residual * residual)
        s = s + eps
        exp_avg_var[i] = s
        if amsgrad:
            if max_exp_avg_var[i] > s:
                s_max = max_exp_avg_var[i]
            else:
                s_max = s
            max_exp_avg_var[i] = s_max
            if use_max:
                s = s_max
        if move:
            if divide:
                param[i] -= step_size * (m / (np.sqrt(s) / bias_correction2_sqrt + eps))
            else:
                param[i] -= step_size * m
