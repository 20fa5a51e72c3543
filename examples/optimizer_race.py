"""Every optimizer of the package races on Rosenbrock, Beale and the saddle x^2 - y^2.

Each optimizer (`optimizers.available()`, default hyperparameters except lr) runs from the
same start on each landscape, with the learning rate in `LR` below, and the script prints
and saves the steps each needs to reach the tolerance:

    rosenbrock  (1 - x)^2 + 100 (y - x^2)^2, start (-1.5, 2) (`landscapes.rosenbrock.start`),
                first step with f - f_min < 1e-4, within 3,000 steps (--quick: 1,000)
    beale       start (1, 1.5) (`landscapes.beale.start`), f - f_min < 1e-4, 3,000 steps
                (--quick: 1,000)
    saddle      x^2 - y^2, start (0.9, 0.01): first step at distance > 1 from the saddle
                point (0, 0) -- "escape" -- within 300 steps. (The landscape's own start,
                (1.5, 0.01), is already at distance 1.5; starting inside the unit circle
                makes the distance criterion mean leaving the saddle.)

How the learning rates were chosen (once, with the script's own runs; not re-tuned here)
-----------------------------------------------------------------------------------------
Rosenbrock and Beale: the lr from the grid 10^(k/8), 1e-4 <= lr <= 10, that reaches the
tolerance in the fewest steps *and ends the 3,000 steps below it* (an lr that only passes
through the tolerance on its way elsewhere does not count); where no lr of the grid does,
the lr with the lowest f after 3,000 steps. The printed table marks with "*" a run that
went below the tolerance but ended above it (Lion on Rosenbrock: its steps of exactly lr
cannot settle), and with "-" one that never got there within the budget.
Saddle: escaping is easy with a large enough step -- one jump does it. For a fair race
each optimizer's lr makes its *first step* 0.05 long (every first step is proportional
to lr; the JSON reports the lengths). Who then escapes sooner says how the method copes
with the gradient vanishing near the saddle, not how large its steps are.

    optimizer   rosenbrock  beale     saddle   remarks
    adadelta    0.133       0.1       11.2     lr 1 (the seeds' "no learning rate") is slower
    adagrad     1.78        2.37      0.0354
    adam        0.178       0.422     0.0354
    adamax      2.37        1.78      0.0354
    adamw       0.0316      0.422     0.0352   weight_decay 0.01 (default) pulls it off the minima
    lion        0.00133     0.00316   0.0354   steps of exactly lr: cannot settle finer than lr
    nadam       0.0178      0.1       0.0335
    radam       0.0075      0.0178    0.0278   first 5 steps are lr * m_hat on the raw gradient
    rmsprop     0.00237     0.00316   0.00354
    sgd         0.00178     0.0316    0.0278   plain gradient descent (momentum 0)

The optimizers run their numpy reference updates (`backend="numpy"`): on a 2-element
parameter the numba kernels gain nothing, and they give the same numbers bit for bit.

What the full run shows (3,000 steps; --quick stops at 1,000, where only Adam has reached
Rosenbrock's tolerance): on Rosenbrock only Adam (691 steps), Adamax (1,399) and NAdam
(2,312) settle below 1e-4 -- plain gradient descent at its best lr still has f = 2.9e-3
after crawling along the flat valley. On Beale Adam is first (104 steps), then Adamax,
Adagrad and gradient descent (292). On the saddle, with equal first steps, the methods
that rescale each coordinate (Adam, Lion, NAdam: 23-28 steps) escape three times sooner
than gradient descent (86), which slows to a crawl near the saddle (it passes within
0.13 of it; every other method stays beyond 0.56) because its step is proportional to
the vanishing gradient. The telemetry figure shows why Adam moves along the valley: its
effective step size lr / (sqrt(v_hat) + eps) grows twentyfold as v_hat forgets the large
early gradients -- and, around step 2,000, the price of that: the step size has grown
past what the valley's steep direction (curvature ~1,000 at the minimum) tolerates, so
the error across the valley, down at gradients of 1e-12, grows exponentially (the spikes
in gradient and update norm) until the large gradients refill v_hat, the step size drops
(visible in the last column) and Adam settles again.

Figures: `optimizer_race.png` (one contour plot per landscape, every optimizer's path on
it, drawn by `landscapes.plot_trajectories`; `optimizer_race.gif` animates the Rosenbrock
race with `landscapes.animate`) and `optimizer_race_telemetry.png` (an
`optimizers.telemetry.Recorder` on Adam and on SGD during their Rosenbrock runs: lr,
gradient norm, update norm, update / weight, Adam's effective step sizes).
"""

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
from minigrad import landscapes
from optimizers.telemetry import Recorder

TOLERANCE = 1e-4
ESCAPE_DISTANCE = 1.0
SADDLE_FIRST_STEP = 0.05

# name -> (landscape, start, steps, steps with --quick)
RACES = {
    "rosenbrock": (landscapes.rosenbrock, landscapes.rosenbrock.start, 3000, 1000),
    "beale": (landscapes.beale, landscapes.beale.start, 3000, 1000),
    "saddle": (landscapes.saddle, (0.9, 0.01), 300, 300),
}

# The table of the module docstring: optimizer -> {landscape: lr}.
LR = {
    "adadelta": {"rosenbrock": 0.133, "beale": 0.1, "saddle": 11.2},
    "adagrad": {"rosenbrock": 1.78, "beale": 2.37, "saddle": 0.0354},
    "adam": {"rosenbrock": 0.178, "beale": 0.422, "saddle": 0.0354},
    "adamax": {"rosenbrock": 2.37, "beale": 1.78, "saddle": 0.0354},
    "adamw": {"rosenbrock": 0.0316, "beale": 0.422, "saddle": 0.0352},
    "lion": {"rosenbrock": 0.00133, "beale": 0.00316, "saddle": 0.0354},
    "nadam": {"rosenbrock": 0.0178, "beale": 0.1, "saddle": 0.0335},
    "radam": {"rosenbrock": 0.0075, "beale": 0.0178, "saddle": 0.0278},
    "rmsprop": {"rosenbrock": 0.00237, "beale": 0.00316, "saddle": 0.00354},
    "sgd": {"rosenbrock": 0.00178, "beale": 0.0316, "saddle": 0.0278},
}

# The optimizers beyond torch.optim, their lrs chosen as the module docstring describes:
#   adabelief          default (rectified) update: its first five steps are momentum SGD on the raw
#                      gradient, so it needs gradient descent's small lrs; no lr of the grid settles
#                      below 1e-4 on Rosenbrock (lowest f: 0.018 at lr 0.01)
#   lamb               every step is lr * ||x|| long (trust ratio), so it cannot settle finer than
#                      that (Rosenbrock: lowest f 0.018 at lr 0.01); saddle: first step lr * ||x||
#   sgdschedulefree    drawn at y, the training point; Rosenbrock: lowest f 3.4e-4 at lr 0.01
#   adamwschedulefree  drawn at y; first step lr * sign(g), as Adam's
LR.update({
    "adabelief": {"rosenbrock": 0.01, "beale": 0.0133, "saddle": 0.0278},
    "lamb": {"rosenbrock": 0.01, "beale": 0.00316, "saddle": 0.0556},
    "sgdschedulefree": {"rosenbrock": 0.01, "beale": 0.0316, "saddle": 0.0278},
    "adamwschedulefree": {"rosenbrock": 0.0237, "beale": 0.316, "saddle": 0.0354},
})

TELEMETRY = ("adam", "sgd")  # recorded on Rosenbrock
TAB10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def race_names():
    """The registered optimizers; each must have its row in LR."""
    names = optimizers.available()
    missing = [name for name in names if name not in LR]
    if missing:
        raise SystemExit(
            f"optimizer_race: no learning rates for {', '.join(missing)}: tune them as the "
            "module docstring describes and add a row to LR"
        )
    return names


def steps_to_goal(landscape_name, f, path):
    """First step index k (path[k] is the point after k steps) meeting the race's goal, or None."""
    if landscape_name == "saddle":
        distance = np.hypot(path[:, 0] - f.saddles[0][0], path[:, 1] - f.saddles[0][1])
        reached = distance > ESCAPE_DISTANCE
    else:
        f_min = f.numpy(*f.minima[0])
        reached = f.numpy(path[:, 0], path[:, 1]) - f_min < TOLERANCE
    hits = np.flatnonzero(reached)
    return int(hits[0]) if hits.size else None


def race(landscape_name, name, steps, recorders):
    """One optimizer's path on one landscape; attaches a Recorder for the TELEMETRY pairs."""
    f, start, _, _ = RACES[landscape_name]
    x = minigrad.tensor(start, requires_grad=True)
    optimizer = optimizers.create(name, [x], lr=LR[name][landscape_name], backend="numpy")
    if landscape_name == "rosenbrock" and name in TELEMETRY:
        recorders[name] = Recorder(optimizer)
    path = landscapes.trajectory(optimizer, f, x, steps)
    if name in recorders:
        recorders[name].remove()
    return path


def one_color_per_path(ax, labels, loc):
    """Give each path (and its start circle) its own tab10 colour and redraw the legend.

    plot_trajectories lets matplotlib's colour cycle colour each path, and its start
    circle takes the next colour of the cycle as well, so ten paths would share five.
    """
    lines = ax.get_lines()
    for index, label in enumerate(labels):
        color = TAB10[index % len(TAB10)]
        position = next(i for i, line in enumerate(lines) if line.get_label() == label)
        lines[position].set_color(color)
        lines[position + 1].set_markeredgecolor(color)  # the start circle drawn right after it
    ax.legend(fontsize=6, loc=loc)


def main():
    args = parse_args(__doc__)
    run = Run(args, "optimizer_race")
    names = race_names()

    paths, recorders = {}, {}
    for landscape_name, (f, start, steps, quick_steps) in RACES.items():
        budget = quick_steps if args.quick else steps
        paths[landscape_name] = {
            name: race(landscape_name, name, budget, recorders) for name in names
        }

    steps_to_tolerance, final_value, lowest_distance, first_step = {}, {}, {}, {}
    for landscape_name, by_name in paths.items():
        f = RACES[landscape_name][0]
        steps_to_tolerance[landscape_name] = {
            name: steps_to_goal(landscape_name, f, path) for name, path in by_name.items()
        }
        final_value[landscape_name] = {
            name: float(f.numpy(*path[-1])) for name, path in by_name.items()
        }
    def settled(landscape_name, name):
        """Whether the run ends meeting the goal it first met at steps_to_tolerance."""
        f = RACES[landscape_name][0]
        return steps_to_goal(landscape_name, f, paths[landscape_name][name][-1:]) == 0

    for name, path in paths["saddle"].items():
        lowest_distance[name] = float(np.min(np.hypot(path[:, 0], path[:, 1])))
        first_step[name] = float(np.hypot(*(path[1] - path[0])))

    # ------------------------------------------------------------------ the table
    budgets = {k: (v[3] if args.quick else v[2]) for k, v in RACES.items()}
    print(f"steps to tolerance: f - f_min < {TOLERANCE:g} (rosenbrock, beale); "
          f"distance from the saddle > {ESCAPE_DISTANCE:g} (saddle); '-' = not within the budget")
    header = "".join(f"{f'{k} ({budgets[k]})':>24s}" for k in RACES)
    print(f"{'optimizer':10s}{header}")
    for name in names:
        cells = []
        for landscape_name in RACES:
            steps = steps_to_tolerance[landscape_name][name]
            mark = "-" if steps is None else f"{steps}{'*' if not settled(landscape_name, name) else ''}"
            cells.append(f"{f'{mark} (lr {LR[name][landscape_name]:g})':>24s}")
        print(f"{name:10s}{''.join(cells)}")
    print("* went below the tolerance but ended above it (passed by without settling)")
    print(f"\nf after the budget{'':6s}" + "".join(f"{k:>14s}" for k in ("rosenbrock", "beale")))
    for name in names:
        print(f"{name:24s}" + "".join(f"{final_value[k][name]:14.3g}" for k in ("rosenbrock", "beale")))
    print(f"\nsaddle: first step length (all {SADDLE_FIRST_STEP:g} by the choice of lr), "
          "closest approach to (0, 0)")
    for name in names:
        print(f"{name:10s} {first_step[name]:8.4f} {lowest_distance[name]:8.3f}")

    # ------------------------------------------------------------------ figures
    fig, axes = run.figure(1, len(RACES), figsize=(6.0 * len(RACES), 5.4))
    for ax, (landscape_name, by_name) in zip(axes, paths.items()):
        f = RACES[landscape_name][0]
        landscapes.plot_trajectories(
            f, by_name, ax=ax,
            title=f"{landscape_name}: {f.formula} ({budgets[landscape_name]} steps)",
        )
        one_color_per_path(ax, list(by_name), loc="upper left" if landscape_name == "saddle" else "lower left")
    run.save(fig, "optimizer_race.png")
    animation = landscapes.animate(RACES["rosenbrock"][0], paths["rosenbrock"],
                                   run.out / "optimizer_race.gif", frames=45, fps=12,
                                   title=f"Rosenbrock, {budgets['rosenbrock']} steps")
    print(f"animation: {animation}")

    fig, axes = run.figure(1, 5, figsize=(18, 3.6))
    for name in TELEMETRY:
        recorders[name].plot(axes=axes, label=f"{name} (lr {LR[name]['rosenbrock']:g})")
    fig.suptitle("Rosenbrock: what the optimizer does at every step (optimizers.telemetry.Recorder)",
                 fontsize=10)
    run.save(fig, "optimizer_race_telemetry.png")

    # ------------------------------------------------------------------ checks
    rosenbrock, beale, saddle = (steps_to_tolerance[k] for k in RACES)
    f = landscapes.rosenbrock
    f_start = float(f.numpy(*RACES["rosenbrock"][1]))
    worst = max(names, key=lambda name: final_value["rosenbrock"][name])
    run.check("every optimizer reduces f on Rosenbrock",
              ours=f"{worst}: {final_value['rosenbrock'][worst]:.3g}", source=None,
              expected=f"every f after the budget < f(start) = {f_start:g}",
              ok=all(final_value["rosenbrock"][name] < f_start for name in names))
    run.check("Adam reaches the tolerance on Beale", ours=beale["adam"], source=None,
              expected=f"a step <= {budgets['beale']} with f < {TOLERANCE:g}",
              ok=beale["adam"] is not None)
    run.check("plain gradient descent (SGD, momentum 0) does not reach the tolerance on "
              "Rosenbrock at its best lr (the flat curved valley)",
              ours=final_value["rosenbrock"]["sgd"], source=None,
              expected=f"f after {budgets['rosenbrock']} steps >= {TOLERANCE:g}",
              ok=rosenbrock["sgd"] is None)
    slowest_escape = max(names, key=lambda name: saddle[name] if saddle[name] is not None else np.inf)
    run.check("every optimizer escapes the saddle", ours=f"{slowest_escape}: {saddle[slowest_escape]}",
              source=None, expected=f"every escape step <= {budgets['saddle']}",
              ok=all(saddle[name] is not None for name in names))
    run.check("with equal first steps, Adam escapes the saddle sooner than gradient descent",
              ours=f"adam {saddle['adam']}, sgd {saddle['sgd']}", source=None,
              expected="adam's escape step < sgd's",
              ok=None not in (saddle["adam"], saddle["sgd"]) and saddle["adam"] < saddle["sgd"])
    closest = min(names, key=lambda name: lowest_distance[name])
    run.check("gradient descent passes closest to the saddle (its steps shrink with the gradient)",
              ours=f"{closest}: {lowest_distance[closest]:.3f}", source=None,
              expected="sgd (or schedule-free SGD, gradient steps too) has the smallest closest "
                       "approach to (0, 0)", ok=closest in ("sgd", "sgdschedulefree"))
    first_step_error = max(abs(step / SADDLE_FIRST_STEP - 1) for step in first_step.values())
    run.check("saddle: every first step is 0.05 long (how the lrs were chosen)",
              ours=first_step_error, source=None, expected="relative deviation < 1% (lrs rounded to 3 digits)",
              ok=first_step_error < 0.01)

    adam, sgd = recorders["adam"].groups[0], recorders["sgd"].groups[0]
    adam_lr = LR["adam"]["rosenbrock"]
    run.check("telemetry: Adam's first update moves each coordinate by lr",
              ours=adam["update_norm"][0], source=None,
              expected=f"lr * sqrt(2) = {adam_lr * np.sqrt(2):.6g} (relative 1e-6)",
              ok=abs(adam["update_norm"][0] / (adam_lr * np.sqrt(2)) - 1) < 1e-6)
    sgd_ratio = np.array(sgd["update_norm"]) / (LR["sgd"]["rosenbrock"] * np.array(sgd["grad_norm"]))
    run.check("telemetry: plain SGD's update norm is lr * gradient norm at every step",
              ours=float(np.max(np.abs(sgd_ratio - 1))), source=None,
              expected="max relative deviation < 1e-9", ok=np.max(np.abs(sgd_ratio - 1)) < 1e-9)
    growth = adam["step_size_median"][-1] / adam["step_size_median"][0]
    run.check("telemetry: Adam's effective step size grows as its gradients shrink in the valley",
              ours=growth, source=None,
              expected="median effective step size at the last step / at the first > 10",
              ok=growth > 10)

    failed = [check["name"] for check in run.checks if not check["ok"]]
    print(f"\n{len(run.checks) - len(failed)}/{len(run.checks)} checks passed"
          + (f"; failed: {failed}" if failed else ""))

    run.finish({
        "tolerance": TOLERANCE,
        "escape_distance": ESCAPE_DISTANCE,
        "budgets": budgets,
        "starts": {k: list(v[1]) for k, v in RACES.items()},
        "lr": {name: LR[name] for name in names},
        "steps_to_tolerance": steps_to_tolerance,
        "final_value": final_value,
        "animation": str(animation),
        "saddle_first_step": first_step,
        "saddle_closest_approach": lowest_distance,
        "telemetry_rosenbrock": {
            name: {quantity: {"first": values[0], "last": values[-1]}
                   for quantity, values in recorders[name].groups[0].items()}
            for name in TELEMETRY
        },
    })


if __name__ == "__main__":
    main()
