"""SGD: stochastic gradient descent with optional momentum and Nesterov momentum."""

import numpy as np
from numba import prange

from .base import ARRAY, Optimizer
from .kernels import kernel, run_kernel
from .opening import opening_formula, prepare_gradient, prepare_gradient_at
from .registry import register


@register("sgd")
class SGD(Optimizer):
    r"""Stochastic gradient descent, exactly `torch.optim.SGD`.

    SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
        *, maximize=False, backend="numba")

    Per element, at step t with gradient g (mu = momentum, tau = dampening):

        g <- -g                              if maximize
        g <- g + weight_decay * p            (L2 penalty folded into the gradient)
        if mu != 0:
            b <- g                           on the first step (no dampening then)
            b <- mu * b + (1 - tau) * g      afterwards
            g <- g + mu * b  if nesterov  else  b
        p <- p - lr * g

    State per parameter: "momentum_buffer" (only when momentum != 0), created on the
    parameter's first step.

    Relation to the sources. The optimizer overview and the gluon tutorial write momentum with the learning rate
    inside the velocity, v <- gamma * v + eta * g, p <- p - v. torch (and this class)
    keeps lr outside: b <- mu * b + g, p <- p - lr * b. With a constant lr the two are the
    same trajectory (v = lr * b, gamma = mu); they differ when lr changes during
    training: here a new lr applies at once to the whole accumulated velocity.
    The momentum notes' exponentially weighted average v <- beta * v + (1 - beta) * g is
    momentum = dampening = beta: b then averages the gradients instead of summing them,
    so under a constant gradient it stays g instead of growing to g / (1 - mu);
    lr / (1 - beta) restores the same long-run step -- the 1 / (1 - gamma) factor the
    gluon tutorial derives. Like the momentum notes' temperature example, which starts the average at the
    first value, torch's first step sets b = g without dampening.

    Closed form (lr=0.1, g=1, p0=1): momentum 0.9 with dampening 0.5 gives 0.9, 0.76,
    0.584; nesterov with momentum 0.9 gives 0.81, 0.539, 0.1951.
    Rosenbrock from (-1.5, 2): lr=1e-3, momentum=0.9 takes f from 12.5 to ~1e-8 in 2,000
    steps (without momentum, only to 0.2).
    """

    state_spec = {"momentum_buffer": ARRAY}
    option_state = {"momentum_buffer": lambda group: group["momentum"] != 0}

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, backend="numba"):
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        if group["lr"] < 0.0:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if group["momentum"] < 0.0:
            raise ValueError(f"Invalid momentum value: {group['momentum']}")
        if group["weight_decay"] < 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def update(self, param, grad, state, group):
        lr, mu, dampening = group["lr"], group["momentum"], group["dampening"]
        grad = prepare_gradient(param, grad, group)
        if mu != 0:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = np.array(grad, dtype=param.dtype, order="C")
            else:
                buf = state["momentum_buffer"]
                buf *= mu
                buf += (1 - dampening) * grad
            buf = state["momentum_buffer"]
            grad = grad + mu * buf if group["nesterov"] else buf
        param -= lr * grad

    symbols = {"momentum_buffer": "b"}

    def formula(self, state, group):
        lines = opening_formula(group)
        if group["momentum"] != 0:
            if "momentum_buffer" not in state:
                lines.append(("b", "g"))
            else:
                lines.append(("b", "b * momentum + (1 - dampening) * g"))
            lines.append(("g", "g + momentum * b" if group["nesterov"] else "b"))
        return lines + [("p", "p - lr * g")]

    def update_numba(self, param, grad, state, group):
        mu = group["momentum"]
        first_step = "momentum_buffer" not in state
        if mu != 0 and first_step:
            state["momentum_buffer"] = np.empty(param.shape, dtype=param.dtype)
        run_kernel(
            sgd_kernel,
            param,
            grad,
            (state.get("momentum_buffer"),),
            (group["lr"], mu, 1 - group["dampening"], group["weight_decay"]),
            (group["nesterov"], group["maximize"], first_step),
        )


@kernel
def sgd_kernel(param, grad, buf, coefficients, nesterov, maximize, first_step):
    """In-place SGD over flat arrays; the same arithmetic as `SGD.update`, element by element."""
    lr, momentum, one_minus_dampening, weight_decay = coefficients
    for i in prange(param.size):
        p, g = prepare_gradient_at(param[i], grad[i], maximize, weight_decay, False, weight_decay)
        if momentum != 0:
            if first_step:
                b = g
            else:
                b = momentum * buf[i] + one_minus_dampening * g
            buf[i] = b
            g = g + momentum * b if nesterov else b
        param[i] = p - (lr * g)
