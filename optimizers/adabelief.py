"""AdaBelief: Adam whose denominator tracks how far the gradient strays from its running mean."""

import math

import numpy as np
from numba import prange

from .adam import check_adam_hyperparameters
from .base import ARRAY, STEP, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
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

    Relation to the sources. They predate AdaBelief; without rectification it is the
    sources' Adam (eps outside the root) with g - m in place of g in the second moment.
    `examples/custom_optimizer.py` writes another such variant of Adam, Yogi.

    Rosenbrock from (-1.5, 2): lr=0.05 with rectify=False takes f from 12.5 to ~2e-13 in
    2,000 steps. The default, rectified update is poor there: its first four steps are
    momentum SGD on the raw gradient (|g| ~ 155 at the start), which throws it out of the
    valley for lr >= 0.02 (it diverges), and lr=0.01 only reaches f = 0.12.
    """

    state_spec = {"step": STEP, "exp_avg": ARRAY, "exp_avg_var": ARRAY, "max_exp_avg_var": ARRAY}
    option_state = {"max_exp_avg_var": lambda group: group["amsgrad"]}

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
        eps = group["eps"]
        beta1, beta2 = group["betas"]
        if group["weight_decouple"] and group["fixed_decay"]:
            param *= self._decay_factor(group)
            grad = -grad if group["maximize"] else grad
        else:
            grad = prepare_gradient(param, grad, group, group["weight_decouple"])
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

    symbols = {"step": "t", "exp_avg": "m", "exp_avg_var": "s", "max_exp_avg_var": "s_max"}

    def formula(self, state, group):
        if group["weight_decouple"] and group["fixed_decay"]:
            lines = [("g", "-g")] if group["maximize"] else []
            if group["weight_decay"] != 0:
                lines.append(("p", "p * (1 - weight_decay)"))
        else:
            lines = opening_formula(group, group["weight_decouple"])
        lines += [
            ("m", "m * beta1 + (1 - beta1) * g"),
            ("residual", "g - m"),
            ("s", "s * beta2 + (1 - beta2) * (residual * residual)"),
            ("s", "s + eps"),
        ]
        belief = "s"
        if group["amsgrad"]:
            lines.append(("s_max", "maximum(s_max, s)"))
            if not group["rectify"]:
                belief = "s_max"
        step_size, _, divide = self._step_scalars(state, group)
        if step_size is None:  # rectified update not yet on, and no SGD phase: no move
            return lines
        if divide:
            return lines + [("p", f"p - step_size * (m / (sqrt({belief}) / bias_correction2_sqrt + eps))")]
        return lines + [("p", "p - step_size * m")]

    def formula_values(self, param, grad, state, group):
        step_size, bias_correction2_sqrt, divide = self._step_scalars(state, group)
        if step_size is None:
            return {}
        values = {"step_size": (step_size, self._STEP_SIZE_MEANING[(group["rectify"], divide)])}
        if divide:
            values["bias_correction2_sqrt"] = (
                bias_correction2_sqrt,
                "sqrt(1 - b2^t)" if not group["rectify"] else "1: the rectified step divides by sqrt(s) + eps")
        return values

    _STEP_SIZE_MEANING = {
        (False, True): "lr / (1 - b1^t)",
        (True, True): "lr R_t: the rectified step (rho_t >= 5)",
        (True, False): "lr / (1 - b1^t): SGD with momentum until rho_t >= 5",
    }

    def effective_step_size(self, state, group, before):
        """The factor on m: step_size / (sqrt(s) / sqrt(1 - b2^t) + eps) (s_max with amsgrad,
        unrectified), lr R_t / (sqrt(s) + eps) once rectified, lr / (1 - b1^t) in every
        coordinate in the SGD phase before it, 0 when that phase is off."""
        step_size, bias_correction2_sqrt, divide = self._step_scalars(state, group)
        s = state["exp_avg_var"]
        if group["amsgrad"] and not group["rectify"]:
            s = state["max_exp_avg_var"]
        if step_size is None:
            return np.zeros(s.shape, dtype=s.dtype)
        if not divide:
            return np.full(s.shape, step_size, dtype=s.dtype)
        return step_size / (np.sqrt(s) / bias_correction2_sqrt + group["eps"])

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
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, decouple, decay_factor)
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
                p = p - (step_size * (m / (np.sqrt(s) / bias_correction2_sqrt + eps)))
            else:
                p = p - (step_size * m)
        param[i] = p  # decayed even when the rule does not move (decoupled weight decay)
