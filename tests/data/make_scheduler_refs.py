"""Record torch's learning-rate sequences for tests/schedulers (golden data).

Run with the system python that has torch 2.13:  python3 tests/data/make_scheduler_refs.py
Writes tests/data/scheduler_refs.npz next to this file.

Every case drives an optimizer with two param groups (lrs 0.05 and 0.5) for STEPS steps with
non-default arguments. The cases are written against a module `S` holding the scheduler classes,
so this one table builds torch's schedulers here and minigrad's in tests/schedulers (which import
CASES from this file; torch is imported only when run as a script). Stored per case:
  "<case>/lr"        (STEPS + 1, 2): group lrs after construction and after each step
  "<case>/momentum"  (STEPS + 1, 2): group momentum (or beta1), for momentum-cycling cases
and "metrics" (STEPS,), the fixed sequence fed to ReduceLROnPlateau ("loss" stepping feeds it,
"accuracy" stepping feeds 1 - it).
"""

import os

import numpy as np

BASE_LRS = (0.05, 0.5)
STEPS = 60
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scheduler_refs.npz")


def plateau_metrics():
    """A noisy, flattening loss curve: improvements, plateaus and small (sub-threshold) gains."""
    rng = np.random.default_rng(2)
    t = np.arange(STEPS)
    return np.round(0.2 + np.exp(-t / 12.0) + 0.02 * rng.standard_normal(STEPS), 4)


# name -> (optimizer kind: "sgd" (momentum) or "adam" (betas), stepping, factory(S, optimizer))
# stepping: "plain" = step(); "loss"/"accuracy" = step(metric); "epoch" = step(0.3 * t).
CASES = {
    "LambdaLR": ("sgd", "plain", lambda S, opt: S.LambdaLR(
        opt, lr_lambda=[lambda e: 1.0 / (1.0 + 0.1 * e), lambda e: 0.97 ** e])),
    "MultiplicativeLR": ("sgd", "plain", lambda S, opt: S.MultiplicativeLR(
        opt, lr_lambda=lambda e: 0.9 if e % 10 == 0 else 0.99)),
    "StepLR": ("sgd", "plain", lambda S, opt: S.StepLR(opt, step_size=7, gamma=0.5)),
    "MultiStepLR": ("sgd", "plain", lambda S, opt: S.MultiStepLR(
        opt, milestones=[5, 12, 12, 30], gamma=0.3)),
    "ConstantLR": ("sgd", "plain", lambda S, opt: S.ConstantLR(opt, factor=0.25, total_iters=8)),
    "LinearLR": ("sgd", "plain", lambda S, opt: S.LinearLR(
        opt, start_factor=0.2, end_factor=0.9, total_iters=17)),
    "LinearLR_decay": ("sgd", "plain", lambda S, opt: S.LinearLR(
        opt, start_factor=1.0, end_factor=0.1, total_iters=25)),
    "ExponentialLR": ("sgd", "plain", lambda S, opt: S.ExponentialLR(opt, gamma=0.93)),
    "PolynomialLR": ("sgd", "plain", lambda S, opt: S.PolynomialLR(
        opt, total_iters=40, power=2.5)),
    "CosineAnnealingLR": ("sgd", "plain", lambda S, opt: S.CosineAnnealingLR(
        opt, T_max=13, eta_min=0.001)),
    "CosineAnnealingWarmRestarts": ("sgd", "plain", lambda S, opt: S.CosineAnnealingWarmRestarts(
        opt, T_0=7, T_mult=2, eta_min=0.002)),
    "CosineAnnealingWarmRestarts_T_mult1": ("sgd", "plain",
                                            lambda S, opt: S.CosineAnnealingWarmRestarts(
                                                opt, T_0=9, T_mult=1, eta_min=0.01)),
    "CosineAnnealingWarmRestarts_fractional": ("sgd", "epoch",
                                               lambda S, opt: S.CosineAnnealingWarmRestarts(
                                                   opt, T_0=3, T_mult=2, eta_min=0.001)),
    "OneCycleLR_linear": ("sgd", "plain", lambda S, opt: S.OneCycleLR(
        opt, max_lr=[0.1, 1.0], total_steps=STEPS, pct_start=0.25, anneal_strategy="linear",
        base_momentum=0.8, max_momentum=0.92, div_factor=10.0, final_div_factor=100.0)),
    "OneCycleLR_cos_three_phase": ("adam", "plain", lambda S, opt: S.OneCycleLR(
        opt, max_lr=[0.2, 2.0], epochs=6, steps_per_epoch=10, pct_start=0.35, three_phase=True,
        base_momentum=[0.8, 0.85], max_momentum=[0.95, 0.9], div_factor=20.0,
        final_div_factor=1000.0)),
    "OneCycleLR_linear_three_phase": ("sgd", "plain", lambda S, opt: S.OneCycleLR(
        opt, max_lr=0.4, total_steps=65, pct_start=0.2, anneal_strategy="linear",
        three_phase=True)),
    "OneCycleLR_no_momentum": ("sgd", "plain", lambda S, opt: S.OneCycleLR(
        opt, max_lr=0.3, total_steps=70, pct_start=0.4, cycle_momentum=False)),
    "CyclicLR_triangular": ("sgd", "plain", lambda S, opt: S.CyclicLR(
        opt, base_lr=[0.01, 0.1], max_lr=[0.05, 0.6], step_size_up=5, step_size_down=8,
        base_momentum=0.75, max_momentum=0.95)),
    "CyclicLR_triangular2": ("sgd", "plain", lambda S, opt: S.CyclicLR(
        opt, base_lr=0.02, max_lr=[0.1, 0.9], step_size_up=6, mode="triangular2")),
    "CyclicLR_exp_range": ("adam", "plain", lambda S, opt: S.CyclicLR(
        opt, base_lr=[0.01, 0.1], max_lr=[0.08, 0.8], step_size_up=4, mode="exp_range",
        gamma=0.97, base_momentum=0.85, max_momentum=0.95)),
    "CyclicLR_custom_scale": ("sgd", "plain", lambda S, opt: S.CyclicLR(
        opt, base_lr=0.01, max_lr=0.2, step_size_up=3, step_size_down=5,
        scale_fn=lambda x: 1.0 / (1.0 + 0.05 * x), scale_mode="iterations",
        cycle_momentum=False)),
    "ReduceLROnPlateau_min_rel": ("sgd", "loss", lambda S, opt: S.ReduceLROnPlateau(
        opt, mode="min", factor=0.5, patience=2, threshold=0.01, cooldown=3,
        min_lr=[0.004, 0.05], eps=1e-3)),
    "ReduceLROnPlateau_min_abs": ("sgd", "loss", lambda S, opt: S.ReduceLROnPlateau(
        opt, mode="min", factor=0.7, patience=0, threshold=0.005, threshold_mode="abs",
        min_lr=0.02)),
    "ReduceLROnPlateau_max_abs": ("sgd", "accuracy", lambda S, opt: S.ReduceLROnPlateau(
        opt, mode="max", factor=0.3, patience=1, threshold=0.02, threshold_mode="abs",
        cooldown=1, min_lr=0.01)),
    "ReduceLROnPlateau_max_rel": ("sgd", "accuracy", lambda S, opt: S.ReduceLROnPlateau(
        opt, mode="max", factor=0.6, patience=3, threshold=0.05, eps=0.01)),
    "SequentialLR_warmup_exp": ("sgd", "plain", lambda S, opt: S.SequentialLR(
        opt, [S.LinearLR(opt, start_factor=0.1, total_iters=10), S.ExponentialLR(opt, gamma=0.9)],
        milestones=[10])),
    "SequentialLR_three": ("sgd", "plain", lambda S, opt: S.SequentialLR(
        opt, [S.ConstantLR(opt, factor=0.5, total_iters=4),
              S.CosineAnnealingLR(opt, T_max=20, eta_min=0.01),
              S.StepLR(opt, step_size=5, gamma=0.5)],
        milestones=[6, 30])),
    "SequentialLR_lambda_multistep": ("sgd", "plain", lambda S, opt: S.SequentialLR(
        opt, [S.LambdaLR(opt, lambda e: (e + 1) / 8.0),
              S.MultiStepLR(opt, milestones=[10, 20], gamma=0.5)],
        milestones=[8])),
    "SequentialLR_exp_multiplicative": ("sgd", "plain", lambda S, opt: S.SequentialLR(
        opt, [S.ExponentialLR(opt, gamma=0.8), S.MultiplicativeLR(opt, lambda e: 0.98)],
        milestones=[15])),
    "ChainedScheduler_const_exp": ("sgd", "plain", lambda S, opt: S.ChainedScheduler(
        [S.ConstantLR(opt, factor=0.3, total_iters=6), S.ExponentialLR(opt, gamma=0.95)])),
    "ChainedScheduler_linear_cosine": ("sgd", "plain", lambda S, opt: S.ChainedScheduler(
        [S.LinearLR(opt, start_factor=0.5, total_iters=10),
         S.CosineAnnealingLR(opt, T_max=25)], optimizer=opt)),
    "ChainedScheduler_multistep_poly": ("sgd", "plain", lambda S, opt: S.ChainedScheduler(
        [S.MultiStepLR(opt, milestones=[10, 40], gamma=0.5),
         S.PolynomialLR(opt, total_iters=50, power=0.5)])),
}


def momentum_of(group):
    """The momentum a cycling scheduler writes: beta1 for Adam-like groups."""
    return group["betas"][0] if "betas" in group else group["momentum"]


def step_scheduler(scheduler, stepping, t, metrics):
    """Step number t (1-based) of a case's scheduler: "plain" step(); "loss" step(metric) and
    "accuracy" step(1 - metric) (ReduceLROnPlateau, metrics[t - 1]); "epoch" step(0.3 t)."""
    if stepping == "plain":
        scheduler.step()
    elif stepping == "loss":
        scheduler.step(float(metrics[t - 1]))
    elif stepping == "accuracy":
        scheduler.step(1.0 - float(metrics[t - 1]))
    else:
        scheduler.step(0.3 * t)


def run_case(S, optimizer, stepping, factory, metrics, before_step=lambda: None):
    """Build the case's scheduler and step it STEPS times; return (lrs, momenta) arrays."""
    scheduler = factory(S, optimizer)
    lrs = [[group["lr"] for group in optimizer.param_groups]]
    momenta = [[momentum_of(group) for group in optimizer.param_groups]]
    for t in range(1, STEPS + 1):
        before_step()
        step_scheduler(scheduler, stepping, t, metrics)
        lrs.append([group["lr"] for group in optimizer.param_groups])
        momenta.append([momentum_of(group) for group in optimizer.param_groups])
    return np.array(lrs, dtype=np.float64), np.array(momenta, dtype=np.float64)


def main():
    import torch
    from torch.optim import lr_scheduler

    metrics = plateau_metrics()
    arrays = {"metrics": metrics, "torch_version": np.array(torch.__version__)}
    for name, (kind, stepping, factory) in CASES.items():
        params = [torch.nn.Parameter(torch.zeros(1)) for _ in BASE_LRS]
        groups = [{"params": [p], "lr": lr} for p, lr in zip(params, BASE_LRS)]
        if kind == "sgd":
            optimizer = torch.optim.SGD(groups, lr=BASE_LRS[0], momentum=0.9)
        else:
            optimizer = torch.optim.Adam(groups, lr=BASE_LRS[0], betas=(0.9, 0.999))
        lrs, momenta = run_case(lr_scheduler, optimizer, stepping, factory, metrics,
                                before_step=lambda: optimizer.step())
        arrays[f"{name}/lr"] = lrs
        if name.startswith(("OneCycleLR", "CyclicLR")):
            arrays[f"{name}/momentum"] = momenta
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT}: {len(CASES)} cases, torch {torch.__version__}, "
          f"{os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
