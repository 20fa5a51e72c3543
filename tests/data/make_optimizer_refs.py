"""Record torch.optim float64 trajectories for tests/optimizers (run: python3 tests/data/make_optimizer_refs.py).

Needs torch (the system python3 has torch 2.13); minigrad never does. Writes
tests/data/optimizer_refs.npz, which tests/optimizers/test_optimizer_torch_refs.py replays
with both backends of minigrad's optimizers (agreement required: 1e-10 relative).

The problem: three float64 parameters -- a (2, 3) matrix and a 0-d scalar in param group 0
(the defaults), a (4,) vector in group 1 (its own lr, sometimes its own weight_decay) --
with gradients

    g_t = scale * (p_t - 1) + noise_t          (t = 0 .. STEPS - 1)

i.e. a noisy quadratic evaluated at the *current* parameters, so any deviation compounds.
The 0-d parameter's grad is None at step 4 and the vector's at steps 0 and 1 (torch then
skips the parameter: no weight decay, no state, no step count).

To add an optimizer: append rows to CONFIGS -- (name, torch class name, defaults, group-1
overrides) -- with every option at least once, and re-run. Each row is saved with its
configuration, so the tests need no change. minigrad's class must have the torch class's
name; an optimizer torch lacks (Lion) needs a torch implementation here to record it.
The file must stay small (< 200 KB): ~4 KB per row.
"""

import json
import os

import numpy as np
import torch

# torch keeps scalar optimizer state (NAdam's mu_product, the step counts) in the default
# dtype; float64 makes it the float64 Python number minigrad keeps.
torch.set_default_dtype(torch.float64)

STEPS = 30
SHAPES = [(2, 3), (), (4,)]
NONE_GRADS = [(4, 1), (0, 2), (1, 2)]  # (step, parameter index)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizer_refs.npz")

# (row name, torch.optim class name, constructor hyperparameters, param group 1 overrides)
CONFIGS = [
    ("sgd_plain", "SGD", dict(lr=0.1), dict(lr=0.05)),
    ("sgd_weight_decay", "SGD", dict(lr=0.1, weight_decay=0.1), dict(lr=0.05, weight_decay=0.3)),
    ("sgd_momentum", "SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.01), dict(lr=0.02)),
    ("sgd_dampening", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.5), dict(lr=0.1)),
    ("sgd_nesterov", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
     dict(lr=0.02)),
    ("sgd_maximize", "SGD", dict(lr=0.01, momentum=0.5, weight_decay=0.01, maximize=True),
     dict(lr=0.02)),
    ("adagrad_default", "Adagrad", dict(lr=0.1), dict(lr=0.3)),
    ("adagrad_lr_decay_weight_decay", "Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1),
     dict(lr=0.2, weight_decay=0.0)),
    ("adagrad_initial_accumulator_eps", "Adagrad",
     dict(lr=0.2, initial_accumulator_value=0.5, eps=1e-3), dict(lr=0.1)),
    ("adagrad_maximize", "Adagrad", dict(lr=0.05, maximize=True, weight_decay=0.01),
     dict(lr=0.02)),
    ("rmsprop_default", "RMSprop", dict(lr=0.01), dict(lr=0.03)),
    ("rmsprop_alpha_weight_decay", "RMSprop", dict(lr=0.01, alpha=0.9, weight_decay=0.1),
     dict(lr=0.005, weight_decay=0.2)),
    ("rmsprop_centered", "RMSprop", dict(lr=0.01, centered=True), dict(lr=0.02)),
    ("rmsprop_momentum", "RMSprop", dict(lr=0.01, momentum=0.9, eps=1e-4), dict(lr=0.005)),
    ("rmsprop_centered_momentum_maximize", "RMSprop",
     dict(lr=0.002, alpha=0.95, centered=True, momentum=0.5, maximize=True, weight_decay=0.01),
     dict(lr=0.001)),
    ("adadelta_default", "Adadelta", dict(), dict(lr=0.5)),
    ("adadelta_rho_eps_weight_decay", "Adadelta",
     dict(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.1), dict(lr=2.0, weight_decay=0.0)),
    ("adadelta_maximize", "Adadelta", dict(lr=1.0, maximize=True, weight_decay=0.01),
     dict(lr=0.5)),
    ("adam_default", "Adam", dict(lr=0.01), dict(lr=0.03)),
    ("adam_betas_eps_weight_decay", "Adam",
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1),
     dict(lr=0.01, weight_decay=0.0)),
    ("adam_amsgrad", "Adam", dict(lr=0.02, amsgrad=True), dict(lr=0.05)),
    ("adam_maximize", "Adam", dict(lr=0.01, maximize=True, weight_decay=0.01, amsgrad=True),
     dict(lr=0.02)),
    ("adam_decoupled_weight_decay", "Adam",
     dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
     dict(lr=0.01, weight_decay=0.5)),
    ("adamw_default", "AdamW", dict(lr=0.02), dict(lr=0.05, weight_decay=0.3)),
    ("adamw_amsgrad_maximize", "AdamW",
     dict(lr=0.01, betas=(0.85, 0.95), amsgrad=True, maximize=True, weight_decay=0.05),
     dict(lr=0.02)),
    ("adamax_default", "Adamax", dict(lr=0.02), dict(lr=0.05)),
    ("adamax_betas_eps_weight_decay_maximize", "Adamax",
     dict(lr=0.05, betas=(0.8, 0.9), eps=1e-2, weight_decay=0.1, maximize=True),
     dict(lr=0.01, weight_decay=0.0)),
    ("nadam_default", "NAdam", dict(lr=0.02), dict(lr=0.05)),
    ("nadam_betas_eps_momentum_decay_weight_decay", "NAdam",
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-3, momentum_decay=0.1, weight_decay=0.1),
     dict(lr=0.01, weight_decay=0.0)),
    ("nadam_decoupled_maximize", "NAdam",
     dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
     dict(lr=0.02, weight_decay=0.3)),
    ("radam_default", "RAdam", dict(lr=0.01), dict(lr=0.03)),  # rectified from step 6
    ("radam_betas_eps_weight_decay", "RAdam",
     dict(lr=0.01, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.1),
     dict(lr=0.005, weight_decay=0.0)),
    ("radam_decoupled_maximize", "RAdam",
     dict(lr=0.01, betas=(0.9, 0.95), weight_decay=0.1, decoupled_weight_decay=True,
          maximize=True),
     dict(lr=0.02, weight_decay=0.3)),
    ("lion_default", "Lion", dict(lr=0.01), dict(lr=0.02)),  # TorchLion below
    ("lion_betas_weight_decay", "Lion", dict(lr=0.01, betas=(0.95, 0.98), weight_decay=0.5),
     dict(lr=0.005, weight_decay=0.0)),
    ("lion_maximize", "Lion", dict(lr=0.01, weight_decay=0.1, maximize=True), dict(lr=0.02)),
]


class TorchLion(torch.optim.Optimizer):
    """REFERENCE IMPLEMENTATION, written here because torch has no Lion.

    Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Program 1, in the
    authors' PyTorch form (google/automl lion_pytorch.py; lucidrains/lion-pytorch
    `update_fn`): decay, step with the sign of the interpolation, then update the
    momentum. `maximize` (negate the gradient first) is minigrad's addition.
    """

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay,
                                      maximize=maximize))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, weight_decay = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group["maximize"] else p.grad
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                exp_avg = state["exp_avg"]
                p.mul_(1 - lr * weight_decay)
                update = exp_avg.clone().mul_(beta1).add(grad, alpha=1 - beta1).sign_()
                p.add_(update, alpha=-lr)
                exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)


# optimizers torch lacks: name -> this script's implementation
REFERENCE_IMPLEMENTATIONS = {"Lion": TorchLion}


def problem():
    """Initial parameters, gradient scales and per-step noise (fixed seed)."""
    rng = np.random.default_rng(20240501)
    init = [rng.normal(size=shape) for shape in SHAPES]
    scale = [rng.uniform(0.5, 2.0, size=shape) for shape in SHAPES]
    noise = [0.3 * rng.normal(size=(STEPS,) + shape) for shape in SHAPES]
    return init, scale, noise


def trajectory(torch_class, defaults, group1, init, scale, noise):
    params = [torch.tensor(value, dtype=torch.float64) for value in init]
    if torch_class in REFERENCE_IMPLEMENTATIONS:
        optimizer_class, options = REFERENCE_IMPLEMENTATIONS[torch_class], {}
    else:
        optimizer_class, options = getattr(torch.optim, torch_class), {"foreach": False}
    optimizer = optimizer_class(
        [{"params": params[:2]}, {"params": params[2:], **group1}], **options, **defaults
    )
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


def main():
    init, scale, noise = problem()
    arrays = {"none_grads": np.array(NONE_GRADS)}
    for k in range(len(SHAPES)):
        arrays[f"init_{k}"] = init[k]
        arrays[f"scale_{k}"] = scale[k]
        arrays[f"noise_{k}"] = noise[k]
    for name, torch_class, defaults, group1 in CONFIGS:
        config = {"optimizer": torch_class, "defaults": defaults, "group1": group1}
        arrays[f"config__{name}"] = np.array(json.dumps(config))
        for k, history in enumerate(trajectory(torch_class, defaults, group1, init, scale, noise)):
            arrays[f"trajectory__{name}__{k}"] = history
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(CONFIGS)} trajectories to {OUT} ({os.path.getsize(OUT)} bytes, "
          f"torch {torch.__version__})")


if __name__ == "__main__":
    main()
