"""Record torch.optim float64 trajectories of Rprop, ASGD, Adafactor, Muon and LBFGS
(run: /work/torchenv/bin/python tests/data/make_new_optimizer_refs.py, or any python with torch 2.13).

Needs torch; minigrad never does. Writes tests/data/new_optimizer_refs.npz, which
tests/optimizers/test_optimizer_torch_refs.py replays with both backends of minigrad's
optimizers (agreement required: 1e-10 relative), next to tests/data/optimizer_refs.npz of
make_optimizer_refs.py (same problem and format, plus the two differences below).

The problem, as in make_optimizer_refs.py: float64 parameters with gradients

    g_t = scale * (p_t - 1) + noise_t          (t = 0 .. STEPS - 1)

(the gradient of sum(scale / 2 * (p - 1)^2 + noise_t * p), which the closure of the
L-BFGS rows returns as the loss); group 0 holds the first two parameters with the
constructor's hyperparameters, group 1 the rest with its overrides; some grads are None.
Two problems ("general" and "matrices"), each row names its own:

- "general": a (3, 4) matrix and a 0-d scalar in group 0, a (5,) vector and a (2, 3, 4)
  array in group 1 (Adafactor factors the matrix and the 3-d array, not the others);
- "matrices": (3, 4), (5, 2) (tall: Muon transposes it) and (4, 4), for Muon, which takes
  only 2-D parameters.

L-BFGS rows ("closure": true) have one param group (torch allows no other) and never a
None grad: each step calls `step(closure)` with the step's noise fixed.

Muon: torch runs its Newton-Schulz iteration in bfloat16, numpy has no bfloat16, and
minigrad runs it in the parameter's dtype. Here torch's `_zeropower_via_newtonschulz` is
replaced by the same function without the `.bfloat16()` cast (float64 throughout); the
rows then test everything else of torch's Muon to 1e-10.
"""

import json
import os

import numpy as np
import torch
import torch.optim._muon as torch_muon

torch.set_default_dtype(torch.float64)

STEPS = 30
PROBLEMS = {
    "general": {"shapes": [(3, 4), (), (5,), (2, 3, 4)], "none_grads": [(4, 1), (0, 2), (1, 2)]},
    "matrices": {"shapes": [(3, 4), (5, 2), (4, 4)], "none_grads": [(4, 1), (0, 2), (1, 2)]},
}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "new_optimizer_refs.npz")

# (row name, torch.optim class, problem, constructor hyperparameters, group 1 overrides or
# None for one group with a closure)
CONFIGS = [
    ("rprop_default", "Rprop", "general", dict(lr=0.01), dict(lr=0.02)),
    ("rprop_etas_step_sizes", "Rprop", "general",
     dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08)), dict(lr=0.01)),
    ("rprop_maximize", "Rprop", "general", dict(lr=0.01, maximize=True), dict(lr=0.005)),
    ("asgd_default", "ASGD", "general", dict(lr=0.05), dict(lr=0.1)),
    ("asgd_lambd_alpha_t0", "ASGD", "general", dict(lr=0.1, lambd=0.05, alpha=0.5, t0=5),
     dict(lr=0.05)),
    ("asgd_weight_decay_maximize", "ASGD", "general",
     dict(lr=0.02, t0=10, weight_decay=0.1, maximize=True), dict(lr=0.01, weight_decay=0.0)),
    ("adafactor_default", "Adafactor", "general", dict(lr=0.05), dict(lr=0.1)),
    ("adafactor_beta2_decay_d_eps", "Adafactor", "general",
     dict(lr=0.2, beta2_decay=-0.5, d=1.5, eps=(1e-6, 0.05)), dict(lr=0.1)),
    ("adafactor_weight_decay_maximize", "Adafactor", "general",
     dict(lr=0.05, weight_decay=0.2, maximize=True), dict(lr=0.02, weight_decay=0.0)),
    ("muon_default", "Muon", "matrices", dict(lr=0.02), dict(lr=0.05)),
    ("muon_momentum_no_nesterov", "Muon", "matrices",
     dict(lr=0.05, momentum=0.3, nesterov=False, weight_decay=0.0), dict(lr=0.02)),
    ("muon_match_rms_adamw_ns", "Muon", "matrices",
     dict(lr=0.02, adjust_lr_fn="match_rms_adamw", ns_coefficients=(3.0, -3.2, 1.2),
          ns_steps=3, eps=1e-3, weight_decay=0.05),
     dict(lr=0.01, adjust_lr_fn="original")),
    ("lbfgs_default", "LBFGS", "general", dict(max_iter=3), None),
    # Few iterations per step: where L-BFGS's history nearly repeats itself (long runs
    # near a minimum, a short history), it amplifies the last-bit differences between
    # torch's and numpy's dot products (max_iter=5, history_size=3 reaches 3e-8 here).
    ("lbfgs_strong_wolfe", "LBFGS", "general",
     dict(lr=1, max_iter=3, history_size=10, line_search_fn="strong_wolfe"), None),
    ("lbfgs_lr_tolerances", "LBFGS", "general",
     dict(lr=0.5, max_iter=4, max_eval=6, tolerance_grad=1e-3, tolerance_change=1e-4,
          history_size=2), None),
]


def _zeropower_float64(grad, ns_coefficients, ns_steps, eps):
    """torch 2.13's `_zeropower_via_newtonschulz`, line for line, with `.bfloat16()` (which
    copies) replaced by a float64 copy: without the copy, div_ below would scale the
    caller's momentum buffer in place when nesterov=False."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    ortho_grad = grad.to(torch.float64, copy=True)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    ortho_grad.div_(ortho_grad.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)
        ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    return ortho_grad


torch_muon._zeropower_via_newtonschulz = _zeropower_float64


def problem(shapes, seed):
    """Initial parameters, gradient scales and per-step noise (fixed seed)."""
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=shape) for shape in shapes]
    scale = [rng.uniform(0.5, 2.0, size=shape) for shape in shapes]
    noise = [0.3 * rng.normal(size=(STEPS,) + shape) for shape in shapes]
    return init, scale, noise


def trajectory(torch_class, spec, defaults, group1, init, scale, noise):
    params = [torch.tensor(value, dtype=torch.float64) for value in init]
    optimizer_class = getattr(torch.optim, torch_class)
    options = {"foreach": False} if "foreach" in optimizer_class.__init__.__code__.co_varnames else {}
    if group1 is None:
        optimizer = optimizer_class(params, **options, **defaults)
    else:
        optimizer = optimizer_class(
            [{"params": params[:2]}, {"params": params[2:], **group1}], **options, **defaults
        )
    scales = [torch.tensor(s) for s in scale]
    history = [np.empty((STEPS,) + tuple(shape)) for shape in spec["shapes"]]
    for t in range(STEPS):
        noises = [torch.tensor(n[t]) for n in noise]
        if group1 is None:
            def closure():
                loss = 0.0
                for p, s, n in zip(params, scales, noises):
                    p.grad = s * (p.detach() - 1) + n
                    loss = loss + float((0.5 * s * (p.detach() - 1) ** 2 + n * p.detach()).sum())
                return loss

            optimizer.step(closure)
        else:
            for k, p in enumerate(params):
                if (t, k) in spec["none_grads"]:
                    p.grad = None
                else:
                    p.grad = scales[k] * (p.detach() - 1) + noises[k]
            optimizer.step()
        for k, p in enumerate(params):
            history[k][t] = p.detach().numpy()
    return history


def main():
    arrays = {}
    data = {}
    for seed, (name, spec) in enumerate(PROBLEMS.items()):
        data[name] = problem(spec["shapes"], 20240601 + seed)
        init, scale, noise = data[name]
        arrays[f"{name}__none_grads"] = np.array(spec["none_grads"])
        for k in range(len(spec["shapes"])):
            arrays[f"{name}__init_{k}"] = init[k]
            arrays[f"{name}__scale_{k}"] = scale[k]
            arrays[f"{name}__noise_{k}"] = noise[k]
    for row, torch_class, problem_name, defaults, group1 in CONFIGS:
        config = {"optimizer": torch_class, "problem": problem_name, "defaults": defaults,
                  "group1": group1, "closure": group1 is None}
        arrays[f"config__{row}"] = np.array(json.dumps(config))
        history = trajectory(torch_class, PROBLEMS[problem_name], defaults, group1,
                             *data[problem_name])
        for k, values in enumerate(history):
            arrays[f"trajectory__{row}__{k}"] = values
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(CONFIGS)} trajectories to {OUT} ({os.path.getsize(OUT)} bytes, "
          f"torch {torch.__version__})")


if __name__ == "__main__":
    main()
