"""Learning-rate schedules on one page: the notes' warm-up family and torch's schedulers.

Source: the course notes "learning-rate schedules" ("learning-rate basics"): warm-up with method one (`decay_lr_poly`, linear
warm-up then polynomial decay, set per batch), its cosine variant, Warmup-Stable-Decay
(`decay_lr_stable`, MiniCPM) and method two (`GradualWarmupScheduler`, per epoch), in the
notes' setting: base lr 0.01, 10 epochs of 10 batches (100 samples, batch 10), 5 of warm-up.
Next to them, the schedulers torch users meet first (StepLR, MultiStepLR, ExponentialLR,
CosineAnnealingLR, warm restarts, OneCycleLR, CyclicLR, LinearLR/ConstantLR, PolynomialLR,
LambdaLR/MultiplicativeLR, SequentialLR and ReduceLROnPlateau), all from `schedulers`.

Every curve but ReduceLROnPlateau's is `schedulers.lr_curve(make_scheduler, steps)`: row t is
the lr in effect at step t (row 0 is what the scheduler writes at construction). The
ReduceLROnPlateau panel drives the scheduler with a made-up validation loss that stops
improving, since its steps need a metric.

What to look at in `lr_schedules.png`: the warm-up ramps end exactly at the base lr (dotted
line) and the decays end at their floor (0, min_lr, or min_lr_ratio * base lr); the
Warmup-Stable-Decay shapes differ only after the stable phase; the torch-style warm-up
(SequentialLR of LinearLR and CosineAnnealingLR) draws almost the notes' warm-up cosine.

The JSON checks compare the warm-up schedulers with the notes' functions transcribed below
(verbatim from the notes, numpy included) at every batch, and the end points of the others.
Printed: the notes' `Epoch %d, Learning Rate: %f` column (their training loop's lr, last
batch of each epoch) for method one, then a table of each schedule's lr at a few steps.
`--quick` runs the same (the whole script takes about a second).
"""

import math

import numpy as np

from common import Run, parse_args

import minigrad
from minigrad import plotting
import optimizers
import schedulers
from schedulers import course_notes, lr_curve

BASE_LR = 0.01
TOTAL_EPOCHS, WARMUP_EPOCHS, BATCHES = 10, 5, 10  # the notes: 100 samples, batch 10
TOTAL_STEPS = TOTAL_EPOCHS * BATCHES
WARMUP_STEPS = WARMUP_EPOCHS * BATCHES
STABLE_STEPS = 30  # Warmup-Stable-Decay: 20 warm-up, 30 stable, 50 decay
WSD_WARMUP = 20
COSINE_MIN_LR = 1e-3


def notes_per_batch(function, *args):
    """The notes' per-batch lrs for the 100 batches of the 10 epochs, in training order."""
    return np.array([function(BASE_LR, epoch, batch, TOTAL_EPOCHS, BATCHES, WARMUP_EPOCHS, *args)
                     for epoch in range(TOTAL_EPOCHS) for batch in range(BATCHES)])


# ------------------------------------------------------------------ the schedules
# panel title -> [(label, make_scheduler, steps)]; per batch unless said otherwise.
S = schedulers
LINE_STYLES = ("-", "--", ":", "-.")
STEP_DECAY_PANELS = {"StepLR / MultiStepLR"}
PANELS = {
    "notes' method two: GradualWarmupScheduler (per epoch)": [
        ("GradualWarmupScheduler, 5 of 10 epochs",
         lambda o: S.GradualWarmupScheduler(o, TOTAL_EPOCHS, WARMUP_EPOCHS), TOTAL_EPOCHS + 1)],
    "notes' method one: WarmupPolyDecay": [
        ("WarmupPolyDecay, power 1 (the notes)",
         lambda o: S.WarmupPolyDecay(o, TOTAL_STEPS, WARMUP_STEPS),
         TOTAL_STEPS + 1),
        ("WarmupPolyDecay, power 2",
         lambda o: S.WarmupPolyDecay(o, TOTAL_STEPS, WARMUP_STEPS, power=2.0),
         TOTAL_STEPS + 1)],
    "notes' cosine decay: WarmupCosineDecay": [
        ("WarmupCosineDecay, min_lr 0 (the notes)",
         lambda o: S.WarmupCosineDecay(o, TOTAL_STEPS, WARMUP_STEPS),
         TOTAL_STEPS + 1),
        (f"WarmupCosineDecay, min_lr {COSINE_MIN_LR:g}",
         lambda o: S.WarmupCosineDecay(o, TOTAL_STEPS, WARMUP_STEPS, min_lr=COSINE_MIN_LR),
         TOTAL_STEPS + 1),
        # torch's way to the same schedule: almost the notes' curve (starts at 1e-3 * lr)
        ("SequentialLR(LinearLR 50, CosineAnnealingLR 50)",
         lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=1e-3, total_iters=WARMUP_STEPS),
                                      S.CosineAnnealingLR(o, T_max=TOTAL_STEPS - WARMUP_STEPS)],
                                  milestones=[WARMUP_STEPS]), TOTAL_STEPS + 1)],
    "Warmup-Stable-Decay (20 / 30 / 50 steps)": [
        (f"WSD {decay}" + {"cosine": " (the notes)", "exp": " (min_lr_ratio 0.1)"}.get(decay, ""),
         (lambda decay: lambda o: S.WarmupStableDecay(
             o, TOTAL_STEPS, WSD_WARMUP, STABLE_STEPS, decay=decay,
             min_lr_ratio=0.1 if decay == "exp" else 0.0))(decay),
         TOTAL_STEPS + 1)
        for decay in ("cosine", "linear", "1-sqrt", "exp")],
    "StepLR / MultiStepLR": [
        ("StepLR(step_size=30, gamma=0.1)", lambda o: S.StepLR(o, 30, gamma=0.1), TOTAL_STEPS),
        ("MultiStepLR([50, 80], gamma=0.1)", lambda o: S.MultiStepLR(o, [50, 80], gamma=0.1),
         TOTAL_STEPS)],
    "ExponentialLR / MultiplicativeLR / LambdaLR": [
        ("ExponentialLR(gamma=0.97)", lambda o: S.ExponentialLR(o, gamma=0.97), TOTAL_STEPS),
        ("MultiplicativeLR(x 0.99)", lambda o: S.MultiplicativeLR(o, lambda step: 0.99),
         TOTAL_STEPS),
        ("LambdaLR(1 / (1 + 0.1 t))", lambda o: S.LambdaLR(o, lambda step: 1 / (1 + 0.1 * step)),
         TOTAL_STEPS)],
    "CosineAnnealingLR / PolynomialLR": [
        ("CosineAnnealingLR(T_max=100, eta_min=1e-3)",
         lambda o: S.CosineAnnealingLR(o, T_max=TOTAL_STEPS, eta_min=COSINE_MIN_LR),
         TOTAL_STEPS + 1),
        ("PolynomialLR(total_iters=100, power=2)",
         lambda o: S.PolynomialLR(o, total_iters=TOTAL_STEPS, power=2.0), TOTAL_STEPS + 1)],
    "CosineAnnealingWarmRestarts(T_0=10, T_mult=2)": [
        ("CosineAnnealingWarmRestarts(T_0=10, T_mult=2)",
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2),
         TOTAL_STEPS)],
    "OneCycleLR(max_lr=0.01, total_steps=100)": [
        ("OneCycleLR, cos (default)",
         lambda o: S.OneCycleLR(o, max_lr=BASE_LR, total_steps=TOTAL_STEPS),
         TOTAL_STEPS),
        ("OneCycleLR, linear, three_phase",
         lambda o: S.OneCycleLR(o, max_lr=BASE_LR, total_steps=TOTAL_STEPS,
                                anneal_strategy="linear", three_phase=True), TOTAL_STEPS)],
    "CyclicLR(1e-3 .. 1e-2, step_size_up=10)": [
        ("CyclicLR, triangular", lambda o: S.CyclicLR(o, 1e-3, BASE_LR, step_size_up=10),
         TOTAL_STEPS),
        ("CyclicLR, triangular2", lambda o: S.CyclicLR(o, 1e-3, BASE_LR, step_size_up=10,
                                             mode="triangular2"), TOTAL_STEPS)],
    "LinearLR / ConstantLR (warm-up in torch)": [
        ("LinearLR(start_factor=0.1, total_iters=20)",
         lambda o: S.LinearLR(o, start_factor=0.1, total_iters=20), TOTAL_STEPS),
        ("ConstantLR(factor=0.5, total_iters=20)",
         lambda o: S.ConstantLR(o, factor=0.5, total_iters=20), TOTAL_STEPS)],
}


def plateau_curve(steps):
    """ReduceLROnPlateau(factor=0.5, patience=5) fed a loss that improves, then stalls at 0.3.

    Returns (lrs after each step's metric, the losses). Uses a real optimizer on a dummy
    parameter: the scheduler only reads and writes its param group's lr.
    """
    weight = minigrad.Tensor(np.zeros(1), requires_grad=True)
    optimizer = optimizers.SGD([weight], lr=BASE_LR)
    scheduler = S.ReduceLROnPlateau(optimizer, factor=0.5, patience=5)
    losses = np.maximum(1.0 / (1.0 + 0.1 * np.arange(steps)), 0.3)
    lrs = []
    for loss in losses:
        optimizer.step()
        scheduler.step(float(loss))
        lrs.append(optimizer.param_groups[0]["lr"])
    return np.array(lrs), losses


def main():
    args = parse_args(__doc__)
    run = Run(args, "lr_schedules")

    curves = {title: [(label, lr_curve(make, steps, base_lrs=(BASE_LR,))[:, 0])
                      for label, make, steps in entries]
              for title, entries in PANELS.items()}
    plateau_lrs, plateau_losses = plateau_curve(TOTAL_STEPS)

    # The notes print the lr of their training loop once per epoch, after its last batch.
    notes_lrs = notes_per_batch(course_notes.decay_lr_poly, 1)
    for epoch in range(TOTAL_EPOCHS):
        print(f"Epoch {epoch + 1}, Learning Rate: {notes_lrs[epoch * BATCHES + BATCHES - 1]:.6f}")

    checks_against_the_notes(run, curves)
    checks_on_end_points(run, curves, plateau_lrs)

    print(f"\n{'schedule (lr at step t; GradualWarmupScheduler: epoch t)':56s} {'t=0':>9s} "
          f"{'t=20':>9s} {'t=50':>9s} {'last':>9s}")
    for entries in curves.values():
        for label, curve in entries:
            print(f"{label:56s} {curve[0]:9.6f} {curve[min(20, len(curve) - 1)]:9.6f} "
                  f"{curve[min(50, len(curve) - 1)]:9.6f} {curve[-1]:9.6f}")
    print(f"{'ReduceLROnPlateau(factor=0.5, patience=5)':56s} {plateau_lrs[0]:9.6f} "
          f"{plateau_lrs[20]:9.6f} {plateau_lrs[50]:9.6f} {plateau_lrs[-1]:9.6f}")

    plot(run, curves, plateau_lrs, plateau_losses)
    run.finish({
        "base_lr": BASE_LR,
        "curves": {f"{title} | {label}": curve for title, entries in curves.items()
                   for label, curve in entries},
        "reduce_lr_on_plateau": plateau_lrs,
    })


def curve_of(curves, title, label):
    return dict(curves[title])[label]


def checks_against_the_notes(run, curves):
    """Every warm-up scheduler against the notes' function, at every one of the 100 batches."""
    pairs = [
        ("WarmupPolyDecay = notes' decay_lr_poly (power 1)",
         curve_of(curves, "notes' method one: WarmupPolyDecay",
                  "WarmupPolyDecay, power 1 (the notes)"),
         notes_per_batch(course_notes.decay_lr_poly, 1.0)),
        ("WarmupPolyDecay(power=2) = notes' decay_lr_poly (power 2)",
         curve_of(curves, "notes' method one: WarmupPolyDecay", "WarmupPolyDecay, power 2"),
         notes_per_batch(course_notes.decay_lr_poly, 2.0)),
        ("WarmupCosineDecay = notes' cosine decay",
         curve_of(curves, "notes' cosine decay: WarmupCosineDecay",
                  "WarmupCosineDecay, min_lr 0 (the notes)"),
         notes_per_batch(course_notes.decay_lr_cosine)),
    ]
    # Warmup-Stable-Decay in the notes' epoch units: 2 warm-up, 3 stable of 10 epochs.
    wsd = S.WarmupStableDecay
    wsd_notes = np.array([course_notes.decay_lr_stable(BASE_LR, e, b, TOTAL_EPOCHS, BATCHES, 2, 3)
                          for e in range(TOTAL_EPOCHS) for b in range(BATCHES)])
    wsd_ours = lr_curve(lambda o: wsd(o, TOTAL_STEPS, 2 * BATCHES, 3 * BATCHES), TOTAL_STEPS,
                        base_lrs=(BASE_LR,))[:, 0]
    pairs.append(("WarmupStableDecay = notes' decay_lr_stable (2 + 3 of 10 epochs)", wsd_ours,
                  wsd_notes))
    pairs.append(("GradualWarmupScheduler = notes' get_lr (per epoch)",
                  curve_of(curves, "notes' method two: GradualWarmupScheduler (per epoch)",
                           "GradualWarmupScheduler, 5 of 10 epochs"),
                  np.array([course_notes.gradual_warmup_get_lr(BASE_LR, epoch, WARMUP_EPOCHS)
                            for epoch in range(TOTAL_EPOCHS + 1)])))
    for name, ours, notes in pairs:
        ours = ours[:len(notes)]
        gap = float(np.max(np.abs(ours - notes)))
        run.check(name, gap, 0.0, "max |difference| over every step <= 1e-15", gap <= 1e-15,
                  unit="absolute difference in lr",
                  why="the same arithmetic as the notes' code: equal up to rounding")


def checks_on_end_points(run, curves, plateau_lrs):
    def at(title, label, step):
        return float(curve_of(curves, title, label)[step])

    def equal(name, ours, expected, describe):
        run.check(name, ours, None, describe, math.isclose(ours, expected, rel_tol=1e-12,
                                                           abs_tol=1e-15),
                  unit="lr", why="a closed-form value of the schedule: relative 1e-12")

    poly, cosine = "notes' method one: WarmupPolyDecay", "notes' cosine decay: WarmupCosineDecay"
    method_two = "notes' method two: GradualWarmupScheduler (per epoch)"
    wsd = "Warmup-Stable-Decay (20 / 30 / 50 steps)"
    equal("warm-up starts at 0 (WarmupPolyDecay, step 0)",
          at(poly, "WarmupPolyDecay, power 1 (the notes)", 0), 0.0, "lr 0")
    for title, label, step in ((poly, "WarmupPolyDecay, power 1 (the notes)", WARMUP_STEPS),
                               (cosine, "WarmupCosineDecay, min_lr 0 (the notes)", WARMUP_STEPS),
                               (wsd, "WSD cosine (the notes)", WSD_WARMUP),
                               (method_two, "GradualWarmupScheduler, 5 of 10 epochs",
                                WARMUP_EPOCHS)):
        equal(f"warm-up ends at the base lr ({title.split(':')[-1].strip()}, step {step})",
              at(title, label, step), BASE_LR, f"lr {BASE_LR} at step {step}")
    equal("WSD stable phase holds the base lr (last stable step)",
          at(wsd, "WSD linear", WSD_WARMUP + STABLE_STEPS), BASE_LR, f"lr {BASE_LR}")
    equal("poly decay reaches 0 at the last step",
          at(poly, "WarmupPolyDecay, power 1 (the notes)", TOTAL_STEPS),
          0.0, "lr 0 at step 100")
    equal("cosine reaches min_lr at the last step",
          at(cosine, f"WarmupCosineDecay, min_lr {COSINE_MIN_LR:g}", TOTAL_STEPS), COSINE_MIN_LR,
          f"lr {COSINE_MIN_LR} at step 100")
    equal("WSD exp decay ends at min_lr_ratio * base lr",
          at(wsd, "WSD exp (min_lr_ratio 0.1)", TOTAL_STEPS),
          0.1 * BASE_LR, f"lr {0.1 * BASE_LR} at step 100")
    equal("CosineAnnealingLR reaches eta_min at T_max",
          at("CosineAnnealingLR / PolynomialLR", "CosineAnnealingLR(T_max=100, eta_min=1e-3)",
             TOTAL_STEPS), COSINE_MIN_LR, f"lr {COSINE_MIN_LR} at step 100")
    equal("StepLR: base lr * 0.1 from step 30",
          at("StepLR / MultiStepLR", "StepLR(step_size=30, gamma=0.1)", 30), BASE_LR * 0.1,
          f"lr {BASE_LR * 0.1}")
    equal("MultiStepLR: base lr * 0.01 from step 80",
          at("StepLR / MultiStepLR", "MultiStepLR([50, 80], gamma=0.1)", 80), BASE_LR * 0.01,
          f"lr {BASE_LR * 0.01}")
    restarts = curve_of(curves, "CosineAnnealingWarmRestarts(T_0=10, T_mult=2)",
                        "CosineAnnealingWarmRestarts(T_0=10, T_mult=2)")
    equal("warm restarts: back to the base lr at steps 10, 30 and 70",
          float(min(restarts[10], restarts[30], restarts[70])), BASE_LR, f"lr {BASE_LR}")
    one_cycle = curve_of(curves, "OneCycleLR(max_lr=0.01, total_steps=100)",
                         "OneCycleLR, cos (default)")
    equal("OneCycleLR peaks at max_lr at step 29 (pct_start 0.3)", float(one_cycle[29]), BASE_LR,
          f"lr {BASE_LR}")
    equal("OneCycleLR starts at max_lr / 25", float(one_cycle[0]), BASE_LR / 25,
          f"lr {BASE_LR / 25}")
    sequential = curve_of(curves, "notes' cosine decay: WarmupCosineDecay",
                          "SequentialLR(LinearLR 50, CosineAnnealingLR 50)")
    equal("SequentialLR: cosine phase starts at the base lr (step 50)",
          float(sequential[WARMUP_STEPS]), BASE_LR, f"lr {BASE_LR}")
    halvings = int(np.sum(plateau_lrs[1:] < plateau_lrs[:-1]))
    run.check("ReduceLROnPlateau halves the lr after the loss stalls", halvings, None,
              ">= 2 reductions, none before the plateau (step 23)",
              halvings >= 2 and plateau_lrs[23] == BASE_LR, unit="reductions of the lr",
              why="the loss stalls from step 23 on: with patience 5 the lr halves every 6 "
                  "steps, 12 times in the 100 steps; no random draw")
    every = [float(v) for entries in curves.values() for _, c in entries for v in c]
    run.check("no negative or non-finite lr in any curve", min(every), None, ">= 0, finite",
              min(every) >= 0 and all(math.isfinite(v) for v in every),
              unit="smallest lr of every curve", why="an lr is never negative")


def plot(run, curves, plateau_lrs, plateau_losses):
    """One panel per family (3 columns), each legend under its panel; the lr axis is
    logarithmic where the lr falls in steps over decades (StepLR, ReduceLROnPlateau) -- the
    smooth shapes are read on a linear axis."""
    cols = 3
    rows = math.ceil((len(curves) + 1) / cols)
    fig, axes = run.figure(rows, cols, figsize=(5.2 * cols, 4.6 * rows))
    axes = np.ravel(axes)
    for ax, (title, entries) in zip(axes, curves.items()):
        for index, (label, curve) in enumerate(entries):
            # Curves that coincide stay visible: each further one dashed, dotted, ...
            ax.plot(np.arange(len(curve)), curve, label=label, ls=LINE_STYLES[index % 4])
        per_epoch = "per epoch" in title
        ax.axhline(BASE_LR, color="gray", ls=":", lw=0.8)
        if not per_epoch and title.startswith("notes'"):
            ax.axvline(WARMUP_STEPS, color="gray", ls="--", lw=0.6)
        ax.set(title=title, xlabel="epoch" if per_epoch else "step (batch)", ylabel="lr")
        if title in STEP_DECAY_PANELS:  # levels 1e-2 .. 1e-5: only a log axis tells them apart
            ax.set_yscale("log")
        plotting.legend_outside(ax, where="below", ncol=1)
    ax = axes[len(curves)]
    ax.plot(plateau_lrs, label="lr (log axis)", color="C0")
    ax.set(title="ReduceLROnPlateau(factor=0.5, patience=5)", xlabel="step (epoch)", ylabel="lr",
           yscale="log")
    twin = ax.twinx()
    twin.plot(plateau_losses, color="C1", ls="--", label="monitored loss (right axis)")
    twin.set_ylabel("loss")
    twin.grid(False)
    ax.legend(handles=ax.get_lines() + twin.get_lines(), loc="upper center",
              bbox_to_anchor=(0.5, -0.2), ncol=1)
    for ax in axes[len(curves) + 1:]:
        ax.remove()
    run.save(fig, "lr_schedules.png")

if __name__ == "__main__":
    main()
