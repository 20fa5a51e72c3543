"""Lion: steps of equal size in every coordinate, in the sign of an interpolated momentum."""

import numpy as np
from numba import prange

from .adam import check_adam_hyperparameters
from .base import ARRAY, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


@register("lion")
class Lion(Optimizer):
    r"""Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of
    Optimization Algorithms", Program 1). torch has no Lion; this follows the authors'
    PyTorch code (google/automl lion_pytorch.py, as packaged by lucidrains/lion-pytorch).

    Lion(params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *, maximize=False,
         backend="numba")

    Per element, with gradient g (b1, b2 = betas):

        g  <- -g                                  if maximize
        p  <- p * (1 - lr * weight_decay)         (decoupled weight decay, as AdamW)
        c   = b1 * m + (1 - b1) * g               (interpolate momentum and gradient)
        p  <- p - lr * sign(c)                    (sign(0) = 0)
        m  <- b2 * m + (1 - b2) * g               (then update the momentum, with b2)

    Every coordinate moves by exactly lr (or 0), like Adam's first step, so Lion needs a
    3-10x smaller lr than AdamW, and a 3-10x larger weight_decay for the same decay
    lr * weight_decay (the paper's advice). Two betas: the step looks at the gradient
    with weight 1 - b1 = 0.1, while the momentum it keeps remembers ~1 / (1 - b2) = 100
    steps. Only one state array (Adam keeps two); no eps, no bias correction.
    `maximize` is this package's addition (as in torch's optimizers).

    State per parameter: "exp_avg" (m), created on the parameter's first step.

    Relation to the sources: they predate Lion. m is the momentum notes' exponentially
    weighted average of the gradients (beta = b2), started at 0 as in Adam.

    Rosenbrock from (-1.5, 2): lr=2e-3 takes f from 12.5 to ~2e-3 in 2,000 steps, ending
    near (1.02, 1.05): steps of a fixed size lr cannot settle onto the minimum, and with
    lr=1e-3 2,000 steps are too few to cover the ~2.5 units of the valley (f = 2.1).
    """

    state_spec = {"exp_avg": ARRAY}

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, *,
                 maximize=False, backend="numba"):
        defaults = {"lr": lr, "betas": betas, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        check_adam_hyperparameters(group)

    def init_state(self, param, group):
        return {"exp_avg": np.zeros_like(param)}

    def update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        grad = prepare_gradient(param, grad, group, decoupled=True)
        exp_avg = state["exp_avg"]
        param -= group["lr"] * np.sign(beta1 * exp_avg + (1 - beta1) * grad)
        exp_avg *= beta2
        exp_avg += (1 - beta2) * grad

    symbols = {"exp_avg": "m"}

    def formula(self, state, group):
        return opening_formula(group, decoupled=True) + [
            ("c", "beta1 * m + (1 - beta1) * g"),
            ("p", "p - lr * sign(c)"),
            ("m", "m * beta2 + (1 - beta2) * g"),
        ]

    def update_numba(self, param, grad, state, group):
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        run_kernel(
            lion_kernel,
            param,
            grad,
            (state["exp_avg"],),
            (lr, 1 - lr * weight_decay, weight_decay, beta1, 1 - beta1, beta2, 1 - beta2),
            (group["maximize"],),
        )


@kernel
def lion_kernel(param, grad, exp_avg, coefficients, maximize):
    """In-place Lion over flat arrays; the same arithmetic as `Lion.update`."""
    lr, decay_factor, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2 = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, True, decay_factor)
        m = exp_avg[i]
        param[i] = p - (lr * np.sign(beta1 * m + one_minus_beta1 * g))
        exp_avg[i] = beta2 * m + one_minus_beta2 * g
