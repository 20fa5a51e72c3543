"""Schedule-Free SGD and AdamW: averaging in place of a learning-rate schedule."""

import numpy as np
from numba import prange

from .adam import check_adam_hyperparameters
from .base import ARRAY, Optimizer
from .kernels import kernel, run_kernel
from .registry import register


class _ScheduleFree(Optimizer):
    r"""What the two Schedule-Free optimizers share (Defazio et al. 2024, "The Road Less
    Scheduled", NeurIPS; the authors' code is facebookresearch/schedule_free).

    Three sequences per parameter: z, the base optimizer's iterate (SGD's or Adam's plain
    step); x, a weighted running average of the z's, which is what one evaluates; and y,
    the point where the gradient is taken, between them:

        y_t     = (1 - beta) z_t + beta x_t            (beta = momentum, or b1 for AdamW)
        z_{t+1} = z_t - lr_t * d_t                     (d: the gradient, or Adam's g / denom)
        x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1}  c_{t+1} = w_{t+1} / sum_{i<=t+1} w_i

    with weights w_t = t^r * max_{i<=t}(lr_i)^weight_lr_power (r = 0: plain averaging, so
    x is the uniform average of the z's; weight_lr_power = 2 gives the small warm-up
    steps little weight). lr_t = lr * min(1, t / warmup_steps) is the built-in linear
    warm-up: no scheduler is needed, and none should be used beyond it.

    Only y (the parameter itself, in train mode) and z are stored; x is recovered from
    them. One step updates y in place (the authors' form, x never formed):

        y <- y + c (z - y) + lr (beta (1 - c) - 1) d,    z <- z - lr d

    Train and eval mode: while training the parameters hold y; `eval()` moves them to x
    (x = y + (1 - 1/beta)(z - y)), where the loss is lower, to evaluate or save a
    checkpoint; `train()` moves them back to y (y = x + (1 - beta)(z - x)). `step()` in
    eval mode raises RuntimeError. The authors' optimizers start in eval mode and refuse
    to step until `train()` is called; these start in train mode (before the first step
    there is no z and the two modes are the same point, so only that obligatory first
    call is dropped). The counters live in each param group, as in the authors' code:
    "k" (steps taken), "weight_sum", "lr_max", "scheduled_lr" (lr_t of the last step),
    "train_mode"; so `state_dict()` saves them.
    """

    def check_hyperparameters(self, group):
        if not 0 <= group["warmup_steps"]:
            raise ValueError(f"Invalid warmup_steps value: {group['warmup_steps']}")
        if not 0 <= group["r"]:
            raise ValueError(f"Invalid r value: {group['r']}")
        if not 0 <= group["weight_lr_power"]:
            raise ValueError(f"Invalid weight_lr_power value: {group['weight_lr_power']}")

    @staticmethod
    def _schedule(group):
        """(lr_t, c_{t+1}, w_{t+1}) of the step the group is about to take (nothing stored)."""
        k, warmup_steps = group["k"], group["warmup_steps"]
        scheduled = (k + 1) / warmup_steps if k < warmup_steps else 1.0
        lr = group["lr"] * scheduled
        lr_max = max(lr, group["lr_max"])
        weight = ((k + 1) ** group["r"]) * (lr_max ** group["weight_lr_power"])
        weight_sum = group["weight_sum"] + weight
        ckp1 = weight / weight_sum if weight_sum != 0 else 0.0
        return lr, ckp1, weight

    def step(self, closure=None):
        """One step of every param group (see `Optimizer.step`); only in train mode.

        The group counters advance after the update (the hooks see them as the update did).
        """
        if not all(group["train_mode"] for group in self.param_groups):
            raise RuntimeError(
                f"{type(self).__name__}.step() was called in eval mode: call "
                "optimizer.train() before training and optimizer.eval() before evaluating"
            )
        loss = super().step(closure)
        for group in self.param_groups:
            lr, _, weight = self._schedule(group)
            group["lr_max"] = max(lr, group["lr_max"])
            group["weight_sum"] = group["weight_sum"] + weight
            group["scheduled_lr"] = lr
            group["k"] = group["k"] + 1
        return loss

    def _averaging_beta(self, group):
        raise NotImplementedError

    def formula_values(self, param, grad, state, group):
        lr, ckp1, _ = self._schedule(group)
        return {"lr_k": (lr, "lr * min(1, (k + 1) / warmup_steps), this step's warm-up lr"),
                "c": (ckp1, "w_{k+1} / (w_1 + ... + w_{k+1}), the averaging weight")}

    def _y_and_z_formula(self, beta):
        """The lines moving y (the parameter) and z, after d is formed (named g)."""
        return [("p", "p + c * (z - p)"),
                ("p", f"p + (lr_k * ({beta} * (1 - c) - 1)) * g"),
                ("z", "z - lr_k * g")]

    def eval(self):
        """Move every parameter from y to x, the average to evaluate (no-op in eval mode)."""
        for group in self.param_groups:
            if group["train_mode"]:
                weight = 1 - 1 / self._averaging_beta(group)
                self._lerp_to_z(group, weight)
                group["train_mode"] = False

    def train(self):
        """Move every parameter from x back to y, where gradients are taken (no-op in train mode)."""
        for group in self.param_groups:
            if not group["train_mode"]:
                self._lerp_to_z(group, 1 - self._averaging_beta(group))
                group["train_mode"] = True

    def _lerp_to_z(self, group, weight):
        for p in group["params"]:
            state = self.state.get(p)
            if state and "z" in state:
                p.data += weight * (state["z"] - p.data)


def _schedule_free_defaults(lr, weight_decay, warmup_steps, r, weight_lr_power):
    return {
        "lr": lr,
        "weight_decay": weight_decay,
        "warmup_steps": warmup_steps,
        "r": r,
        "weight_lr_power": weight_lr_power,
        "k": 0,
        "train_mode": True,
        "weight_sum": 0.0,
        "lr_max": -1.0,
        "scheduled_lr": 0.0,
    }


@register("sgdschedulefree")
class SGDScheduleFree(_ScheduleFree):
    r"""Schedule-Free SGD (Defazio et al. 2024), as the authors' `SGDScheduleFree`
    (facebookresearch/schedule_free, sgd_schedulefree.py). torch has no Schedule-Free.

    SGDScheduleFree(params, lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0, r=0.0,
                    weight_lr_power=2.0, *, backend="numba")

    Per element, at the group's step k = 0, 1, ... with gradient g, z the SGD iterate:

        lr_k = lr * min(1, (k + 1) / warmup_steps)
        c    = w_{k+1} / (w_1 + ... + w_{k+1}),  w_i = i^r * max_{j<=i}(lr_j)^weight_lr_power
        g   <- g + weight_decay * y              (L2 penalty, at y)
        y   <- y + c (z - y)
        y   <- y + lr_k (momentum (1 - c) - 1) g
        z   <- z - lr_k g

    momentum is the interpolation beta of y = (1 - beta) z + beta x (see `_ScheduleFree`
    for the three sequences, train()/eval(), and the counters kept in the param group);
    it must be in (0, 1): x = y + (1 - 1/momentum)(z - y) divides by it.

    State per parameter: "z", created (a copy of the parameter) on its first step.

    Relation to the sources. They predate it; with c = 0 (no averaging) the y
    update is momentum SGD's, and x is a Polyak-style average of the iterates, which
    replaces the sources' decaying learning-rate schedules.

    Rosenbrock from (-1.5, 2): lr=3e-3 takes f from 12.5 to ~6e-3 at y in 2,000 steps,
    and to ~2e-3 at x, the average (after eval()); lr=5e-3 diverges.
    """

    def __init__(self, params, lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0, r=0.0,
                 weight_lr_power=2.0, *, backend="numba"):
        defaults = _schedule_free_defaults(lr, weight_decay, warmup_steps, r, weight_lr_power)
        defaults["momentum"] = momentum
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if not 0 < group["momentum"] < 1:
            raise ValueError(f"Momentum must be between 0 and 1 exclusive: {group['momentum']}")
        super().check_hyperparameters(group)

    def _averaging_beta(self, group):
        return group["momentum"]

    state_spec = {"z": ARRAY}
    symbols = {"z": "z"}

    def init_state(self, param, group):
        return {"z": param.copy()}

    def formula(self, state, group):
        lines = [("g", "g + weight_decay * p")] if group["weight_decay"] != 0 else []
        return lines + self._y_and_z_formula("momentum")

    def update(self, param, grad, state, group):
        lr, ckp1, _ = self._schedule(group)
        weight_decay, z = group["weight_decay"], state["z"]
        if weight_decay != 0:
            grad = grad + weight_decay * param
        param += ckp1 * (z - param)
        param += (lr * (group["momentum"] * (1 - ckp1) - 1)) * grad
        z -= lr * grad

    def update_numba(self, param, grad, state, group):
        lr, ckp1, _ = self._schedule(group)
        run_kernel(
            schedule_free_kernel,
            param,
            grad,
            (state["z"], None),
            (lr, ckp1, lr * (group["momentum"] * (1 - ckp1) - 1), group["weight_decay"],
             0.0, 0.0, 1.0, 0.0),
            (False,),
        )


@register("adamwschedulefree")
class AdamWScheduleFree(_ScheduleFree):
    r"""Schedule-Free AdamW (Defazio et al. 2024), as the authors' `AdamWScheduleFree`
    (facebookresearch/schedule_free, adamw_schedulefree.py). torch has no Schedule-Free.

    AdamWScheduleFree(params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                      warmup_steps=0, r=0.0, weight_lr_power=2.0, *, backend="numba")

    Per element, at the group's step k = 0, 1, ... with gradient g (b1, b2 = betas), z the
    Adam-style iterate (lr_k and c as in `SGDScheduleFree`):

        v   <- b2 * v + (1 - b2) * g * g
        d    = g / (sqrt(v / (1 - b2^(k+1))) + eps)     (no momentum in d: b1 is the
        d   <- d + weight_decay * y                      interpolation beta of y instead)
        y   <- y + c (z - y)
        y   <- y + lr_k (b1 (1 - c) - 1) d
        z   <- z - lr_k d

    The weight decay is added to the normalised step, at y (decoupled, as AdamW). The
    bias correction counts the group's steps k + 1, not the parameter's own (as the
    authors do: a parameter first stepped late starts with a small 1 - b2^(k+1)).
    b1 must be in (0, 1): eval() divides by it. See `_ScheduleFree` for x, y, z,
    train()/eval() and the counters.

    State per parameter: "z" (a copy of the parameter at its first step), "exp_avg_sq" (v).

    Relation to the sources. They predate it; d is the sources' RMSProp step with
    Adam's bias correction of v.

    Rosenbrock from (-1.5, 2): lr=0.05 takes f from 12.5 to ~9e-4 at y in 2,000 steps
    (~2e-3 at x, after eval(): the uniform average still remembers the way along the
    valley).
    """

    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0, *, backend="numba"):
        defaults = _schedule_free_defaults(lr, weight_decay, warmup_steps, r, weight_lr_power)
        defaults.update(betas=betas, eps=eps)
        super().__init__(params, defaults, backend)

    def check_hyperparameters(self, group):
        check_adam_hyperparameters(group)
        if group["betas"][0] == 0:
            raise ValueError(
                f"Invalid beta parameter at index 0: {group['betas'][0]} (eval() divides by beta1)"
            )
        super().check_hyperparameters(group)

    def _averaging_beta(self, group):
        return group["betas"][0]

    state_spec = {"z": ARRAY, "exp_avg_sq": ARRAY}
    symbols = {"z": "z", "exp_avg_sq": "v"}

    def init_state(self, param, group):
        return {"z": param.copy(), "exp_avg_sq": np.zeros_like(param)}

    def formula(self, state, group):
        lines = [
            ("v", "v * beta2 + (1 - beta2) * (g * g)"),
            ("bias_correction2", "1 - beta2 ** (k + 1)"),
            ("g", "g / (sqrt(v / bias_correction2) + eps)"),
        ]
        if group["weight_decay"] != 0:
            lines.append(("g", "g + weight_decay * p"))
        return lines + self._y_and_z_formula("beta1")

    def effective_step_size(self, state, group, before):
        """lr_k / (sqrt(v / (1 - b2^(k+1))) + eps): the factor on the gradient in z's step
        (y moves by (1 - b1 (1 - c)) times z's step, plus c (z - y))."""
        lr, _, _ = self._schedule(group)
        return lr / (np.sqrt(state["exp_avg_sq"] / self._bias_correction2(group)) + group["eps"])

    @staticmethod
    def _bias_correction2(group):
        return 1 - group["betas"][1] ** (group["k"] + 1)

    def update(self, param, grad, state, group):
        lr, ckp1, _ = self._schedule(group)
        beta1, beta2 = group["betas"]
        weight_decay, z, exp_avg_sq = group["weight_decay"], state["z"], state["exp_avg_sq"]
        exp_avg_sq *= beta2
        exp_avg_sq += (1 - beta2) * (grad * grad)
        grad = grad / (np.sqrt(exp_avg_sq / self._bias_correction2(group)) + group["eps"])
        if weight_decay != 0:
            grad = grad + weight_decay * param
        param += ckp1 * (z - param)
        param += (lr * (beta1 * (1 - ckp1) - 1)) * grad
        z -= lr * grad

    def update_numba(self, param, grad, state, group):
        lr, ckp1, _ = self._schedule(group)
        beta1, beta2 = group["betas"]
        run_kernel(
            schedule_free_kernel,
            param,
            grad,
            (state["z"], state["exp_avg_sq"]),
            (lr, ckp1, lr * (beta1 * (1 - ckp1) - 1), group["weight_decay"], beta2, 1 - beta2,
             self._bias_correction2(group), group["eps"]),
            (True,),
        )


@kernel
def schedule_free_kernel(param, grad, z, exp_avg_sq, coefficients, adam):
    """In-place Schedule-Free SGD (adam=False) or AdamW (adam=True) over flat arrays."""
    (lr, ckp1, y_step, weight_decay, beta2, one_minus_beta2, bias_correction2,
     eps) = coefficients
    for i in prange(param.size):
        g = grad[i]
        if adam:
            v = beta2 * exp_avg_sq[i] + one_minus_beta2 * (g * g)
            exp_avg_sq[i] = v
            g = g / (np.sqrt(v / bias_correction2) + eps)
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        y = param[i] + ckp1 * (z[i] - param[i])
        param[i] = y + y_step * g
        z[i] -= lr * g
