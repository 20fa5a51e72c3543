"""Record torch 2.13's scheduler behaviour that tests/reliability checks minigrad against.

Run with the python that has torch 2.13:
    /work/torchenv/bin/python tests/data/make_scheduler_parity_refs.py
Writes tests/data/scheduler_parity_refs.npz next to this file. Three kinds of golden data:

  "<case>/epoch_lr"  (len(EPOCH_CALLS) + 1, 2): group lrs after construction and after each call
                     of EPOCH_CALLS (None: `step()`, a number: the deprecated `step(epoch)`), for
                     the EPOCH_CASES below; "<case>/epoch_last_epoch" the `last_epoch` after each.
  "<case>/group_keys" + "<case>/group_values": the bound keys CyclicLR / OneCycleLR write into the
                     param groups at construction (names, and one row of values per group).
  "OneCycleLR_resume/lr", "OneCycleLR_resume/momentum": a OneCycleLR run of RESUME_TOTAL steps
                     that is saved at step RESUME_AT through the optimizer's state dict only,
                     then resumed by a new optimizer that loads it and a new OneCycleLR built
                     with a *different* max_lr and last_epoch=RESUME_AT - 1: torch reads the
                     bounds from the restored groups, so the cycle continues unchanged.
  "warning/<name>":  the full texts of torch's step-order and epoch-deprecation warnings.

The cases are written against a module `S` of scheduler classes so the same table builds
torch's schedulers here and minigrad's in the tests (torch is imported only when run).
"""

import os
import warnings

import numpy as np

BASE_LRS = (0.05, 0.5)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scheduler_parity_refs.npz")

EPOCH_CALLS = (None, None, 5, None, 3, 3, None, 9, 0, None, 12, None, 7, 2, None, 2.5, None)

# name -> (optimizer kind, factory(S, optimizer)); kind "sgd" (momentum 0.9) or "adam".
EPOCH_CASES = {
    "StepLR": ("sgd", lambda S, opt: S.StepLR(opt, step_size=3, gamma=0.5)),
    "MultiStepLR": ("sgd", lambda S, opt: S.MultiStepLR(opt, milestones=[2, 6, 6, 10],
                                                        gamma=0.4)),
    "ConstantLR": ("sgd", lambda S, opt: S.ConstantLR(opt, factor=0.25, total_iters=4)),
    "LinearLR": ("sgd", lambda S, opt: S.LinearLR(opt, start_factor=0.2, end_factor=0.9,
                                                  total_iters=8)),
    "ExponentialLR": ("sgd", lambda S, opt: S.ExponentialLR(opt, gamma=0.8)),
    "PolynomialLR": ("sgd", lambda S, opt: S.PolynomialLR(opt, total_iters=14, power=1.5)),
    "CosineAnnealingLR": ("sgd", lambda S, opt: S.CosineAnnealingLR(opt, T_max=6,
                                                                    eta_min=0.001)),
    "LambdaLR": ("sgd", lambda S, opt: S.LambdaLR(opt, lambda e: 1.0 / (1.0 + e))),
    "MultiplicativeLR": ("sgd", lambda S, opt: S.MultiplicativeLR(opt, lambda e: 0.9)),
    "CyclicLR": ("sgd", lambda S, opt: S.CyclicLR(opt, base_lr=[0.01, 0.1], max_lr=[0.05, 0.6],
                                                  step_size_up=3, step_size_down=4)),
    "OneCycleLR": ("adam", lambda S, opt: S.OneCycleLR(opt, max_lr=[0.1, 1.0], total_steps=20,
                                                       pct_start=0.3)),
}

GROUP_KEY_CASES = {
    "CyclicLR_sgd": ("sgd", lambda S, opt: S.CyclicLR(
        opt, base_lr=0.01, max_lr=[0.1, 0.4], base_momentum=[0.7, 0.75],
        max_momentum=[0.9, 0.95])),
    "CyclicLR_adam": ("adam", lambda S, opt: S.CyclicLR(
        opt, base_lr=0.01, max_lr=0.1, base_momentum=0.8, max_momentum=0.92)),
    "OneCycleLR_sgd": ("sgd", lambda S, opt: S.OneCycleLR(
        opt, max_lr=[0.2, 2.0], total_steps=30, div_factor=20.0, final_div_factor=500.0,
        base_momentum=[0.8, 0.82], max_momentum=0.94)),
    "OneCycleLR_adam": ("adam", lambda S, opt: S.OneCycleLR(opt, max_lr=0.3, total_steps=30)),
    "OneCycleLR_no_momentum": ("sgd", lambda S, opt: S.OneCycleLR(
        opt, max_lr=0.3, total_steps=30, cycle_momentum=False)),
}
GROUP_KEYS = ("lr", "initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum",
              "momentum", "beta1")

RESUME_TOTAL, RESUME_AT = 24, 9


def make_resume_scheduler(S, optimizer, max_lr, last_epoch=-1):
    return S.OneCycleLR(optimizer, max_lr=max_lr, total_steps=RESUME_TOTAL, pct_start=0.4,
                        three_phase=True, base_momentum=0.8, max_momentum=0.93,
                        last_epoch=last_epoch)


def group_row(group):
    """The GROUP_KEYS of one param group (NaN for an absent key; beta1 from "betas")."""
    values = dict(group)
    if "betas" in group:
        values["beta1"] = group["betas"][0]
    return [float(values[key]) if key in values else np.nan for key in GROUP_KEYS]


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def run_epoch_case(S, optimizer, factory):
    """Build the scheduler and make EPOCH_CALLS; (lrs, last_epochs) arrays."""
    scheduler = factory(S, optimizer)
    lrs = [[group["lr"] for group in optimizer.param_groups]]
    last_epochs = [scheduler.last_epoch]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation warning, checked separately
        for epoch in EPOCH_CALLS:
            optimizer.step()
            if epoch is None:
                scheduler.step()
            else:
                scheduler.step(epoch)
            lrs.append([group["lr"] for group in optimizer.param_groups])
            last_epochs.append(scheduler.last_epoch)
    return np.array(lrs, dtype=np.float64), np.array(last_epochs, dtype=np.float64)


def run_resume(S, make_optimizer, step_optimizer, state_of, load_state):
    """The resume story of the module docstring; (lrs, momenta) of all RESUME_TOTAL steps."""
    optimizer = make_optimizer()
    scheduler = make_resume_scheduler(S, optimizer, max_lr=[0.1, 1.0])
    lrs, momenta = [], []
    for _ in range(RESUME_AT):
        lrs.append([group["lr"] for group in optimizer.param_groups])
        momenta.append([momentum_of(group) for group in optimizer.param_groups])
        step_optimizer(optimizer)
        scheduler.step()
    saved = state_of(optimizer)
    resumed = make_optimizer()
    load_state(resumed, saved)
    # A different max_lr on purpose: a resume takes the bounds from the restored groups.
    scheduler = make_resume_scheduler(S, resumed, max_lr=7.0, last_epoch=RESUME_AT - 1)
    for _ in range(RESUME_AT, RESUME_TOTAL):
        lrs.append([group["lr"] for group in resumed.param_groups])
        momenta.append([momentum_of(group) for group in resumed.param_groups])
        step_optimizer(resumed)
        scheduler.step()
    return np.array(lrs, dtype=np.float64), np.array(momenta, dtype=np.float64)


def main():
    import torch
    from torch.optim import lr_scheduler

    def torch_optimizer(kind):
        params = [torch.nn.Parameter(torch.zeros(1)) for _ in BASE_LRS]
        groups = [{"params": [p], "lr": lr} for p, lr in zip(params, BASE_LRS)]
        if kind == "sgd":
            return torch.optim.SGD(groups, lr=BASE_LRS[0], momentum=0.9)
        return torch.optim.Adam(groups, lr=BASE_LRS[0], betas=(0.9, 0.999))

    arrays = {"torch_version": np.array(torch.__version__)}
    for name, (kind, factory) in EPOCH_CASES.items():
        lrs, last_epochs = run_epoch_case(lr_scheduler, torch_optimizer(kind), factory)
        arrays[f"{name}/epoch_lr"] = lrs
        arrays[f"{name}/epoch_last_epoch"] = last_epochs
    for name, (kind, factory) in GROUP_KEY_CASES.items():
        optimizer = torch_optimizer(kind)
        factory(lr_scheduler, optimizer)
        arrays[f"{name}/group_keys"] = np.array(GROUP_KEYS)
        arrays[f"{name}/group_values"] = np.array(
            [group_row(group) for group in optimizer.param_groups], dtype=np.float64)
        arrays[f"{name}/group_has"] = np.array(
            [[key in group for key in GROUP_KEYS[:-2]] for group in optimizer.param_groups])

    def step_with_grad(optimizer):
        for group in optimizer.param_groups:
            for p in group["params"]:
                p.grad = torch.ones_like(p)
        optimizer.step()

    lrs, momenta = run_resume(lr_scheduler, lambda: torch_optimizer("sgd"), step_with_grad,
                              lambda opt: opt.state_dict(),
                              lambda opt, state: opt.load_state_dict(state))
    arrays["OneCycleLR_resume/lr"] = lrs
    arrays["OneCycleLR_resume/momentum"] = momenta

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optimizer = torch_optimizer("sgd")
        scheduler = lr_scheduler.StepLR(optimizer, step_size=2)
        scheduler.step()  # before optimizer.step(): the order warning
        optimizer = torch_optimizer("sgd")
        scheduler = lr_scheduler.StepLR(optimizer, step_size=2)
        optimizer.step = lambda closure=None: None
        scheduler.step()  # step replaced after construction: the overridden warning
        scheduler.step(4)  # the epoch deprecation warning
    texts = [str(w.message) for w in caught]
    arrays["warning/step_order"] = np.array(texts[0])
    arrays["warning/step_overridden"] = np.array(texts[1])
    arrays["warning/epoch_deprecation"] = np.array(texts[2])
    assert len(texts) == 3, texts

    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT}: torch {torch.__version__}, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
