"""Record reference numbers for the optimizers beyond torch.optim and for torch.optim.swa_utils.

Run: /work/torchenv/bin/python tests/data/make_extra_optimizer_refs.py (any python with torch
2.13); minigrad never needs torch. Writes tests/data/extra_optimizer_refs.npz, replayed by
tests/optimizers/test_extra_optimizer_refs.py (1e-10 relative) and
tests/schedulers/test_swalr.py.

1. Trajectories on the problem of make_optimizer_refs.py (same parameters, gradients
   g_t = scale * (p_t - 1) + noise_t, same missing gradients), 30 float64 steps, for the
   optimizers torch lacks. Each runs the AUTHORS' update, transcribed below from their
   published PyTorch code (cited in each class) with only these changes: no printing, no
   foreach / sparse branches, `maximize` (negate the gradient first) where minigrad's
   class has it, the deprecated `add_(scalar, tensor)` calls written `add_(tensor,
   alpha=scalar)`, and the changes named in the class docstrings. Rows store their
   configuration; schedule-free rows also store x (the parameters after `eval()`) at the
   end, and the parameters after `train()` again.
2. torch.optim.swa_utils.AveragedModel itself (SWA, EMA via both helper kinds, a custom
   avg_fn) over a torch nn.Sequential(Linear(3, 4), Tanh(), Linear(4, 2)) whose weights are
   set to a fixed sequence of snapshots; the averaged weights after every update and the
   averaged model's output on a fixed input.
3. torch.optim.swa_utils.SWALR's learning rates (cos / linear, per-group swa_lr,
   anneal_epochs 0) over 8 steps of a two-group SGD.
"""

import json
import math
import os
import sys

import numpy as np
import torch
from torch.optim.swa_utils import (SWALR, AveragedModel, get_ema_avg_fn, get_ema_multi_avg_fn,
                                   get_swa_multi_avg_fn)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_optimizer_refs import NONE_GRADS, SHAPES, STEPS, problem  # noqa: E402  (float64 default)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extra_optimizer_refs.npz")


class TorchAdaBelief(torch.optim.Optimizer):
    """REFERENCE: juntang-zhuang/Adabelief-Optimizer,
    pypi_packages/adabelief_pytorch0.2.0/adabelief_pytorch/AdaBelief.py, `AdaBelief.step`.

    The flags weight_decouple / fixed_decay / rectify / degenerated_to_sgd are per group here
    (attributes of the optimizer there). The rectification's 10-entry `buffer` is a cache of
    (step, N_sma, step_size) by step; it is computed directly here (same numbers).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-16, weight_decay=0,
                 amsgrad=False, weight_decouple=True, fixed_decay=False, rectify=True,
                 degenerated_to_sgd=True, maximize=False):
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            weight_decouple=weight_decouple, fixed_decay=fixed_decay, rectify=rectify,
            degenerated_to_sgd=degenerated_to_sgd, maximize=maximize))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad.clone()
                amsgrad = group["amsgrad"]
                state = self.state[p]
                beta1, beta2 = group["betas"]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_var"] = torch.zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_var"] = torch.zeros_like(p)
                if group["weight_decouple"]:
                    if not group["fixed_decay"]:
                        p.mul_(1.0 - group["lr"] * group["weight_decay"])
                    else:
                        p.mul_(1.0 - group["weight_decay"])
                else:
                    if group["weight_decay"] != 0:
                        grad.add_(p, alpha=group["weight_decay"])
                exp_avg, exp_avg_var = state["exp_avg"], state["exp_avg_var"]
                state["step"] += 1
                bias_correction1 = 1 - beta1 ** state["step"]
                bias_correction2 = 1 - beta2 ** state["step"]
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                grad_residual = grad - exp_avg
                exp_avg_var.mul_(beta2).addcmul_(grad_residual, grad_residual, value=1 - beta2)
                if amsgrad:
                    max_exp_avg_var = state["max_exp_avg_var"]
                    torch.max(max_exp_avg_var, exp_avg_var.add_(group["eps"]), out=max_exp_avg_var)
                    denom = (max_exp_avg_var.sqrt() / math.sqrt(bias_correction2)).add_(group["eps"])
                else:
                    denom = (exp_avg_var.add_(group["eps"]).sqrt() / math.sqrt(bias_correction2)).add_(group["eps"])
                if not group["rectify"]:
                    step_size = group["lr"] / bias_correction1
                    p.addcdiv_(exp_avg, denom, value=-step_size)
                else:
                    beta2_t = beta2 ** state["step"]
                    N_sma_max = 2 / (1 - beta2) - 1
                    N_sma = N_sma_max - 2 * state["step"] * beta2_t / (1 - beta2_t)
                    if N_sma >= 5:
                        step_size = math.sqrt(
                            (1 - beta2_t) * (N_sma - 4) / (N_sma_max - 4) * (N_sma - 2) / N_sma * N_sma_max / (
                                N_sma_max - 2)) / (1 - beta1 ** state["step"])
                    elif group["degenerated_to_sgd"]:
                        step_size = 1.0 / (1 - beta1 ** state["step"])
                    else:
                        step_size = -1
                    if N_sma >= 5:
                        denom = exp_avg_var.sqrt().add_(group["eps"])
                        p.addcdiv_(exp_avg, denom, value=-step_size * group["lr"])
                    elif step_size > 0:
                        p.add_(exp_avg, alpha=-step_size * group["lr"])


class TorchLamb(torch.optim.Optimizer):
    """REFERENCE: cybertronai/pytorch-lamb, pytorch_lamb/lamb.py, `Lamb.step` (the paper's v3:
    no bias correction, weight norm clamped to [0, 10]).

    Change (minigrad's, documented in optimizers/lamb.py): trust ratio 1 where a norm is 0
    (the reference divides: 0 for a zero weight, nan for 0 / 0). No row here has a zero norm.
    `adam` is per group here (an attribute there).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0,
                 adam=False, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      adam=adam, maximize=maximize))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                beta1, beta2 = group["betas"]
                state["step"] += 1
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                step_size = group["lr"]
                weight_norm = p.pow(2).sum().sqrt().clamp(0, 10)
                adam_step = exp_avg / exp_avg_sq.sqrt().add(group["eps"])
                if group["weight_decay"] != 0:
                    adam_step.add_(p, alpha=group["weight_decay"])
                adam_norm = adam_step.pow(2).sum().sqrt()
                trust_ratio = weight_norm / adam_norm
                if weight_norm == 0 or adam_norm == 0:
                    trust_ratio = 1
                if group["adam"]:
                    trust_ratio = 1
                p.add_(adam_step, alpha=-step_size * float(trust_ratio))


class TorchSGDScheduleFree(torch.optim.Optimizer):
    """REFERENCE: facebookresearch/schedule_free, schedulefree/sgd_schedulefree.py,
    `SGDScheduleFree` (eval, train, step; the non-foreach branch). Its step adds the weight
    decay to p.grad in place; here to a copy.
    """

    def __init__(self, params, lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0, r=0.0,
                 weight_lr_power=2):
        super().__init__(params, dict(lr=lr, momentum=momentum, r=r, k=0,
                                      warmup_steps=warmup_steps, train_mode=False, weight_sum=0.0,
                                      lr_max=-1.0, scheduled_lr=0.0,
                                      weight_lr_power=weight_lr_power, weight_decay=weight_decay))

    @torch.no_grad()
    def eval(self):
        for group in self.param_groups:
            if group["train_mode"]:
                for p in group["params"]:
                    state = self.state[p]
                    if "z" in state:
                        p.lerp_(end=state["z"], weight=1 - 1 / group["momentum"])
                group["train_mode"] = False

    @torch.no_grad()
    def train(self):
        for group in self.param_groups:
            if not group["train_mode"]:
                for p in group["params"]:
                    state = self.state[p]
                    if "z" in state:
                        p.lerp_(end=state["z"], weight=1 - group["momentum"])
                group["train_mode"] = True

    @torch.no_grad()
    def step(self):
        if not self.param_groups[0]["train_mode"]:
            raise Exception("Optimizer was not in train mode when step is called.")
        for group in self.param_groups:
            momentum = group["momentum"]
            weight_decay = group["weight_decay"]
            k = group["k"]
            warmup_steps = group["warmup_steps"]
            if k < warmup_steps:
                sched = (k + 1) / warmup_steps
            else:
                sched = 1.0
            lr = group["lr"] * sched
            group["scheduled_lr"] = lr
            weight_lr_power = group["weight_lr_power"]
            r = group["r"]
            lr_max = group["lr_max"] = max(lr, group["lr_max"])
            weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
            weight_sum = group["weight_sum"] = group["weight_sum"] + weight
            try:
                ckp1 = weight / weight_sum
            except ZeroDivisionError:
                ckp1 = 0
            active_p = [p for p in group["params"] if p.grad is not None]
            for p in active_p:
                if "z" not in self.state[p]:
                    self.state[p]["z"] = torch.clone(p)
            for p in active_p:
                y = p
                grad = p.grad.clone()
                z = self.state[p]["z"]
                if weight_decay != 0:
                    grad.add_(y, alpha=weight_decay)
                y.lerp_(end=z, weight=ckp1)
                y.add_(grad, alpha=lr * (momentum * (1 - ckp1) - 1))
                z.sub_(grad, alpha=lr)
            group["k"] = k + 1


class TorchAdamWScheduleFree(torch.optim.Optimizer):
    """REFERENCE: facebookresearch/schedule_free, schedulefree/adamw_schedulefree.py,
    `AdamWScheduleFree` (eval, train, step; the non-foreach branch). Its step divides p.grad
    in place; here a copy.
    """

    def __init__(self, params, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, r=r, k=0,
                                      warmup_steps=warmup_steps, train_mode=False, weight_sum=0.0,
                                      lr_max=-1.0, scheduled_lr=0.0,
                                      weight_lr_power=weight_lr_power, weight_decay=weight_decay))

    @torch.no_grad()
    def eval(self):
        for group in self.param_groups:
            beta1, _ = group["betas"]
            if group["train_mode"]:
                for p in group["params"]:
                    state = self.state[p]
                    if "z" in state:
                        p.lerp_(end=state["z"], weight=1 - 1 / beta1)
                group["train_mode"] = False

    @torch.no_grad()
    def train(self):
        for group in self.param_groups:
            beta1, _ = group["betas"]
            if not group["train_mode"]:
                for p in group["params"]:
                    state = self.state[p]
                    if "z" in state:
                        p.lerp_(end=state["z"], weight=1 - beta1)
                group["train_mode"] = True

    @torch.no_grad()
    def step(self):
        if not self.param_groups[0]["train_mode"]:
            raise Exception("Optimizer was not in train mode when step is called.")
        for group in self.param_groups:
            eps = group["eps"]
            beta1, beta2 = group["betas"]
            decay = group["weight_decay"]
            k = group["k"]
            r = group["r"]
            warmup_steps = group["warmup_steps"]
            weight_lr_power = group["weight_lr_power"]
            if k < warmup_steps:
                sched = (k + 1) / warmup_steps
            else:
                sched = 1.0
            bias_correction2 = 1 - beta2 ** (k + 1)
            lr = group["lr"] * sched
            group["scheduled_lr"] = lr
            lr_max = group["lr_max"] = max(lr, group["lr_max"])
            weight = ((k + 1) ** r) * (lr_max ** weight_lr_power)
            weight_sum = group["weight_sum"] = group["weight_sum"] + weight
            try:
                ckp1 = weight / weight_sum
            except ZeroDivisionError:
                ckp1 = 0
            active_p = [p for p in group["params"] if p.grad is not None]
            for p in active_p:
                if "z" not in self.state[p]:
                    self.state[p]["z"] = torch.clone(p)
                    self.state[p]["exp_avg_sq"] = torch.zeros_like(p)
            for p in active_p:
                y = p
                grad = p.grad.clone()
                state = self.state[p]
                z = state["z"]
                exp_avg_sq = state["exp_avg_sq"]
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt_().add_(eps)
                grad_normalized = grad.div_(denom)
                if decay != 0:
                    grad_normalized.add_(y, alpha=decay)
                y.lerp_(end=z, weight=ckp1)
                y.add_(grad_normalized, alpha=lr * (beta1 * (1 - ckp1) - 1))
                z.sub_(grad_normalized, alpha=lr)
            group["k"] = k + 1


class TorchLookahead:
    """REFERENCE: michaelrzhang/lookahead, lookahead_pytorch.py, `Lookahead` with
    pullback_momentum="none" (its default): __init__'s cache and `step`.
    """

    def __init__(self, optimizer, la_steps=5, la_alpha=0.8):
        self.optimizer = optimizer
        self._la_step = 0
        self.la_alpha = la_alpha
        self._total_la_steps = la_steps
        self.state = {}
        for group in optimizer.param_groups:
            for p in group["params"]:
                self.state[p] = {"cached_params": p.detach().clone()}

    @torch.no_grad()
    def step(self):
        self.optimizer.step()
        self._la_step += 1
        if self._la_step >= self._total_la_steps:
            self._la_step = 0
            for group in self.optimizer.param_groups:
                for p in group["params"]:
                    param_state = self.state[p]
                    p.mul_(self.la_alpha).add_(param_state["cached_params"], alpha=1.0 - self.la_alpha)
                    param_state["cached_params"].copy_(p)


# minigrad class name -> this script's transcription of the authors' code
REFERENCE_IMPLEMENTATIONS = {
    "AdaBelief": TorchAdaBelief,
    "LAMB": TorchLamb,
    "SGDScheduleFree": TorchSGDScheduleFree,
    "AdamWScheduleFree": TorchAdamWScheduleFree,
}

# (row name, minigrad class name, constructor hyperparameters, param group 1 overrides)
CONFIGS = [
    ("adabelief_default", "AdaBelief", dict(lr=0.01), dict(lr=0.02)),  # rectified from step 5
    ("adabelief_plain_amsgrad_decoupled", "AdaBelief",
     dict(lr=0.02, rectify=False, amsgrad=True, weight_decay=0.1), dict(lr=0.01, weight_decay=0.3)),
    ("adabelief_l2_betas_eps", "AdaBelief",
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.1, weight_decouple=False,
          rectify=False),
     dict(lr=0.05, weight_decay=0.0)),
    ("adabelief_fixed_decay_amsgrad_maximize", "AdaBelief",
     dict(lr=0.01, weight_decay=0.01, fixed_decay=True, amsgrad=True, maximize=True),
     dict(lr=0.02)),
    ("adabelief_rectified_no_sgd_phase", "AdaBelief",
     dict(lr=0.02, betas=(0.9, 0.99), degenerated_to_sgd=False, weight_decay=0.05),
     dict(lr=0.01)),
    ("lamb_default", "LAMB", dict(lr=0.01), dict(lr=0.02)),
    ("lamb_betas_eps_weight_decay", "LAMB",
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-4, weight_decay=0.1), dict(lr=0.05, weight_decay=0.0)),
    ("lamb_adam_maximize", "LAMB", dict(lr=0.01, adam=True, maximize=True, weight_decay=0.01),
     dict(lr=0.02)),
    ("sgdschedulefree_default", "SGDScheduleFree", dict(lr=0.1), dict(lr=0.05)),
    ("sgdschedulefree_warmup_r_power_weight_decay", "SGDScheduleFree",
     dict(lr=0.2, momentum=0.8, weight_decay=0.1, warmup_steps=5, r=1.0, weight_lr_power=1.0),
     dict(lr=0.1, weight_decay=0.0)),
    ("adamwschedulefree_default", "AdamWScheduleFree", dict(lr=0.05), dict(lr=0.1)),
    ("adamwschedulefree_warmup_r_betas_eps_weight_decay", "AdamWScheduleFree",
     dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, warmup_steps=10, r=0.5,
          weight_lr_power=0.0),
     dict(lr=0.1, weight_decay=0.0)),
]

# (row name, inner torch.optim class, inner defaults, inner group 1 overrides, k, alpha)
LOOKAHEAD_CONFIGS = [
    ("lookahead_sgd_momentum", "SGD", dict(lr=0.05, momentum=0.9), dict(lr=0.02), 5, 0.8),
    ("lookahead_adam", "Adam", dict(lr=0.05), dict(lr=0.1), 3, 0.5),
]


def _params(init):
    return [torch.tensor(value, dtype=torch.float64) for value in init]


def _run(optimizer, params, scale, noise):
    scales = [torch.tensor(s) for s in scale]
    history = [np.empty((STEPS,) + shape) for shape in SHAPES]
    for t in range(STEPS):
        for k, p in enumerate(params):
            if (t, k) in NONE_GRADS:
                p.grad = None
            else:
                p.grad = scales[k] * (p.detach() - 1) + torch.tensor(noise[k][t])
        optimizer.step()
        for k, p in enumerate(params):
            history[k][t] = p.detach().numpy()
    return history


def optimizer_rows(arrays, init, scale, noise):
    for name, class_name, defaults, group1 in CONFIGS:
        params = _params(init)
        optimizer = REFERENCE_IMPLEMENTATIONS[class_name](
            [{"params": params[:2]}, {"params": params[2:], **group1}], **defaults)
        schedule_free = hasattr(optimizer, "train")
        if schedule_free:
            optimizer.train()  # the authors' optimizers start in eval mode
        config = {"optimizer": class_name, "defaults": defaults, "group1": group1}
        arrays[f"config__{name}"] = np.array(json.dumps(config))
        for k, history in enumerate(_run(optimizer, params, scale, noise)):
            arrays[f"trajectory__{name}__{k}"] = history
        if schedule_free:
            optimizer.eval()
            for k, p in enumerate(params):
                arrays[f"eval__{name}__{k}"] = p.detach().numpy().copy()
            optimizer.train()
            for k, p in enumerate(params):
                arrays[f"train_again__{name}__{k}"] = p.detach().numpy().copy()
    for name, inner, defaults, group1, k_steps, alpha in LOOKAHEAD_CONFIGS:
        params = _params(init)
        inner_optimizer = getattr(torch.optim, inner)(
            [{"params": params[:2]}, {"params": params[2:], **group1}], foreach=False, **defaults)
        optimizer = TorchLookahead(inner_optimizer, la_steps=k_steps, la_alpha=alpha)
        config = {"optimizer": "Lookahead", "inner": inner, "defaults": defaults,
                  "group1": group1, "k": k_steps, "alpha": alpha}
        arrays[f"config__{name}"] = np.array(json.dumps(config))
        for k, history in enumerate(_run(optimizer, params, scale, noise)):
            arrays[f"trajectory__{name}__{k}"] = history


# ----------------------------------------------------------------------------- AveragedModel
AVERAGING_SNAPSHOTS = 6
AVERAGING = {
    "swa": {},
    "swa_multi": {"multi_avg_fn": get_swa_multi_avg_fn()},
    "ema_multi": {"multi_avg_fn": get_ema_multi_avg_fn(0.9)},
    "ema_avg": {"avg_fn": get_ema_avg_fn(0.8)},
    "custom_avg": {"avg_fn": lambda averaged, current, n: averaged + (current - averaged) * 2 / (n + 2)},
}


def averaging_rows(arrays):
    rng = np.random.default_rng(20240611)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    names = [name for name, _ in model.named_parameters()]
    snapshots = [{name: rng.normal(size=tuple(p.shape)) for name, p in model.named_parameters()}
                 for _ in range(AVERAGING_SNAPSHOTS)]
    x = rng.normal(size=(5, 3))
    for t, snapshot in enumerate(snapshots):
        for name in names:
            arrays[f"avg_snapshot__{t}__{name}"] = snapshot[name]
    arrays["avg_input"] = x
    arrays["avg_names"] = np.array(names)
    for variant, options in AVERAGING.items():
        averaged = AveragedModel(model, **options)
        for t, snapshot in enumerate(snapshots):
            model.load_state_dict({name: torch.tensor(value) for name, value in snapshot.items()})
            averaged.update_parameters(model)
            for name, p in averaged.module.named_parameters():
                arrays[f"avg__{variant}__{t}__{name}"] = p.detach().numpy().copy()
        with torch.no_grad():
            arrays[f"avg_output__{variant}"] = averaged(torch.tensor(x)).numpy()
        assert int(averaged.n_averaged) == AVERAGING_SNAPSHOTS


# ----------------------------------------------------------------------------- SWALR
SWALR_STEPS = 8
SWALR_CONFIGS = {
    "cos_3": dict(swa_lr=0.05, anneal_epochs=3, anneal_strategy="cos"),
    "linear_4_per_group": dict(swa_lr=[0.01, 0.2], anneal_epochs=4, anneal_strategy="linear"),
    "cos_0": dict(swa_lr=0.05, anneal_epochs=0),
    "default_10": dict(swa_lr=0.3),
}


def swalr_rows(arrays):
    for name, options in SWALR_CONFIGS.items():
        weights = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
        optimizer = torch.optim.SGD([{"params": weights[:1], "lr": 0.1},
                                     {"params": weights[1:], "lr": 0.5}])
        scheduler = SWALR(optimizer, **options)
        lrs = [scheduler.get_last_lr()]
        for _ in range(SWALR_STEPS):
            optimizer.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        arrays[f"swalr_config__{name}"] = np.array(json.dumps(options))
        arrays[f"swalr_lrs__{name}"] = np.array(lrs, dtype=np.float64)


def main():
    init, scale, noise = problem()
    arrays = {"none_grads": np.array(NONE_GRADS)}
    for k in range(len(SHAPES)):
        arrays[f"init_{k}"] = init[k]
        arrays[f"scale_{k}"] = scale[k]
        arrays[f"noise_{k}"] = noise[k]
    optimizer_rows(arrays, init, scale, noise)
    averaging_rows(arrays)
    swalr_rows(arrays)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(CONFIGS) + len(LOOKAHEAD_CONFIGS)} trajectories, {len(AVERAGING)} "
          f"averaging runs and {len(SWALR_CONFIGS)} SWALR runs to {OUT} "
          f"({os.path.getsize(OUT)} bytes, torch {torch.__version__})")


if __name__ == "__main__":
    main()
