"""Every optimizer of the package races on Rosenbrock, Beale and the saddle x^2 - y^2.

Each optimizer (`optimizers.available()`, default hyperparameters except lr, and L-BFGS's
line-search settings in `OPTIONS`) runs from the same start on each landscape, with the
learning rate in `LR` below, and the script prints and saves the steps each needs to
reach the tolerance (a step of L-BFGS is one `step(closure)` of one iteration):

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
    adadelta    0.133       0.1       11.2     lr 1 (the sources' "no learning rate") is slower
    adagrad     1.78        2.37      0.0354
    adam        0.178       0.422     0.0354
    adamax      2.37        1.78      0.0354
    adamw       0.0316      0.422     0.0352   weight_decay 0.01 (default) pulls it off the minima
    lion        0.00133     0.00316   0.0354   steps of exactly lr: cannot settle finer than lr
    nadam       0.0178      0.1       0.0335
    radam       0.0075      0.0178    0.0278   first 5 steps are lr * m_hat on the raw gradient
    rmsprop     0.00237     0.00316   0.00354
    sgd         0.00178     0.0316    0.0278   plain gradient descent (momentum 0)
    adabelief   0.01        0.0133    0.0278   rectified: first steps are momentum SGD
    lamb        0.01        0.00316   0.0556   steps of lr * ||x||: cannot settle finer
    sgdschedulefree 0.01    0.0316    0.0278   drawn at y, the training point
    adamwschedulefree 0.0237 0.316    0.0354   drawn at y
    rprop       0.000422    0.01      0.0354   larger first steps overshoot the valley
    asgd        0.00178     0.0316    0.0278   SGD until t0 = 1e6: SGD's lrs
    adafactor   0.0133      0.00422   0.0556   its step ~ RMS(x) / sqrt(t) shrinks too soon
    muon        0.00237     0.00562   0.0636   on (x, y) as a 1 x 2 matrix; weight_decay 0.1
    lbfgs       4.22        10        0.0506   one iteration per step; strong Wolfe (max_eval
                                               25, tolerance_change 1e-12) except on the saddle

The optimizers run their numpy reference updates (`backend="numpy"`): on a 2-element
parameter the numba kernels gain nothing, and they give the same numbers bit for bit.

The headline: L-BFGS with a strong Wolfe line search takes Rosenbrock from f = 12.5 to
below 1e-10 in 14 iterations (46 loss evaluations, counting the one each race step
repeats; 4e-15 in the end), where the fastest first-order method that settles, Adam,
needs 691 steps to reach only 1e-4. L-BFGS's steps are Newton-like: it estimates the
inverse Hessian from its last gradient differences, so it follows the curved valley
instead of crawling along it. Its lr is the line search's first trial step; with torch's
default lr 1 it needs 41 iterations (92 evaluations) to 1e-10, and one `step(closure)`
with max_iter=100 does that run in 42 iterations and 52 evaluations (`optimizers.LBFGS`).

What the full run shows (3,000 steps; --quick stops at 1,000): on Rosenbrock, besides
L-BFGS (11 steps to 1e-4), only Adam (691 steps), Schedule-Free AdamW (1,234), Adamax
(1,399), Rprop (2,264) and NAdam (2,312) settle below 1e-4 -- plain gradient descent at
its best lr still has f = 2.9e-3 after crawling along the flat valley, and so has ASGD,
which is gradient descent until its averaging starts at t0 = 1e6. Lion, LAMB, Muon and
Schedule-Free SGD pass below 1e-4 but do not stay: their steps cannot shrink below a size
set by lr (Lion's and Muon's are lr-long whatever the gradient). On Beale L-BFGS needs 8
steps and Rprop's sign steps 28; of the others Adam is first (104 steps), then Adamax,
Adagrad and gradient descent (292). On the saddle, with equal first steps, the methods
that rescale each coordinate (Adam, Lion, NAdam: 23-28 steps) escape three times sooner
than gradient descent (86), which slows to a crawl near the saddle (it passes within
0.13 of it) because its step is proportional to the vanishing gradient; ASGD and
Schedule-Free SGD, gradient steps too, pass as close (0.13, 0.05). Muon passes closest
(0.03) for another reason: its steps have a fixed length along the momentum, which points
straight at the saddle, so it walks through it and leaves on the far side along the
stable x axis, uphill (54 steps). L-BFGS escapes in 9: its quasi-Newton direction
follows the negative curvature. The telemetry figure shows why Adam moves along the valley: its
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
from minigrad import landscapes, plotting
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

# torch.optim's other optimizers, their lrs chosen by the same rule (the grid was run with the
# landscapes' gradients written out in numpy, not the autodiff; rounding makes the race's own
# step counts differ slightly, e.g. Rprop on Rosenbrock 2,264 here, 2,199 there):
#   rprop      Rosenbrock: the smallest lr that settles (larger initial steps overshoot the
#              valley and the sign flips then shrink them); saddle: first step lr * sqrt(2)
#   asgd       plain SGD until t0 = 1e6 (with a slowly decaying step): SGD's lrs, the same crawl
#   adafactor  Rosenbrock: lowest f of the grid at lr 0.0133 (0.048 after 3,000 steps): its
#              step alpha ~ RMS(x) / sqrt(t)
#              shrinks faster than the valley is walked
#   muon       on the point as a 1 x 2 matrix (landscapes.MatrixView): steps of ~0.7 lr along
#              the momentum, whatever the gradient; default weight_decay 0.1 pulls towards the
#              origin; Rosenbrock: lowest f of the grid at lr 0.00237 (3.8e-4 after 3,000
#              steps), passing below 1e-4 at step 2,548 without staying
#   lbfgs      one L-BFGS iteration per race step (max_iter=1), strong Wolfe line search on
#              Rosenbrock and Beale, none on the saddle (where the line search would run
#              off along -y^2 in one step); lr is the line search's first trial step
LR.update({
    "rprop": {"rosenbrock": 0.000422, "beale": 0.01, "saddle": 0.0354},
    "asgd": {"rosenbrock": 0.00178, "beale": 0.0316, "saddle": 0.0278},
    "adafactor": {"rosenbrock": 0.0133, "beale": 0.00422, "saddle": 0.0556},
    "muon": {"rosenbrock": 0.00237, "beale": 0.00562, "saddle": 0.0636},
    "lbfgs": {"rosenbrock": 4.22, "beale": 10.0, "saddle": 0.0506},
})

# Hyperparameters besides lr, per optimizer and landscape (defaults otherwise).
# L-BFGS: max_eval 25 gives each iteration's line search torch's default budget of a step
# (max_eval defaults to max_iter * 5 // 4 = 1 for max_iter 1: no line-search evaluation at
# all), and tolerance_change 1e-12 lets it go on below f ~ 2e-10, where the default 1e-9
# stops it (its directional derivative g.d is then above -1e-9).
_WOLFE = {"max_iter": 1, "max_eval": 25, "line_search_fn": "strong_wolfe", "tolerance_change": 1e-12}
OPTIONS = {
    "lbfgs": {"rosenbrock": _WOLFE, "beale": _WOLFE, "saddle": {"max_iter": 1}},
}

HEADLINE_TOLERANCE = 1e-10  # L-BFGS with strong Wolfe on Rosenbrock, the race's headline

TELEMETRY = ("adam", "sgd")  # recorded on Rosenbrock


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


def race(landscape_name, name, steps, recorders, evaluations):
    """One optimizer's path on one landscape; attaches a Recorder for the TELEMETRY pairs.

    An optimizer of matrices only (Muon) gets the point as a 1 x 2 matrix; one that needs a
    closure (L-BFGS) is stepped with it by `landscapes.trajectory`, and its count of loss
    evaluations goes to `evaluations[landscape_name][name]`."""
    f, start, _, _ = RACES[landscape_name]
    x = minigrad.tensor(start, requires_grad=True)
    cls = type(optimizers.create(name, [landscapes.MatrixView(minigrad.tensor([0.0, 0.0]))]))
    params = [landscapes.MatrixView(x)] if cls.param_ndim == 2 else [x]
    optimizer = optimizers.create(name, params, lr=LR[name][landscape_name], backend="numpy",
                                  **OPTIONS.get(name, {}).get(landscape_name, {}))
    if landscape_name == "rosenbrock" and name in TELEMETRY:
        recorders[name] = Recorder(optimizer)
    path = landscapes.trajectory(optimizer, f, x, steps)
    if name in recorders:
        recorders[name].remove()
    if cls.needs_closure:
        evaluations.setdefault(landscape_name, {})[name] = optimizer.state[x]["func_evals"]
    return path


def run_races(args, names):
    """Every optimizer on every landscape: paths {landscape: {name: (steps + 1, 2)}}, the
    Recorders of the TELEMETRY runs, the budgets and the closure optimizers' loss
    evaluations {landscape: {name: count}}."""
    paths, recorders, evaluations = {}, {}, {}
    budgets = {k: (v[3] if args.quick else v[2]) for k, v in RACES.items()}
    for landscape_name in RACES:
        paths[landscape_name] = {
            name: race(landscape_name, name, budgets[landscape_name], recorders, evaluations)
            for name in names
        }
    return paths, recorders, budgets, evaluations


def summarize(paths):
    """The numbers the table, the figures and the checks use."""
    summary = {"steps_to_tolerance": {}, "final_value": {}, "settled": {},
               "saddle_closest_approach": {}, "saddle_first_step": {}}
    for landscape_name, by_name in paths.items():
        f = RACES[landscape_name][0]
        summary["steps_to_tolerance"][landscape_name] = {
            name: steps_to_goal(landscape_name, f, path) for name, path in by_name.items()}
        summary["final_value"][landscape_name] = {
            name: float(f.numpy(*path[-1])) for name, path in by_name.items()}
        # Whether the run ends meeting the goal it first met at steps_to_tolerance.
        summary["settled"][landscape_name] = {
            name: steps_to_goal(landscape_name, f, path[-1:]) == 0
            for name, path in by_name.items()}
    for name, path in paths["saddle"].items():
        summary["saddle_closest_approach"][name] = float(np.min(np.hypot(path[:, 0], path[:, 1])))
        summary["saddle_first_step"][name] = float(np.hypot(*(path[1] - path[0])))
    return summary


def lbfgs_headline():
    """L-BFGS (the race's settings: strong Wolfe, one iteration per step) on Rosenbrock until
    f < HEADLINE_TOLERANCE: {"iterations", "evaluations" (closure calls, the line searches'
    included), "f"}; iterations None if 200 do not get there."""
    f = landscapes.rosenbrock
    x = minigrad.tensor(f.start, requires_grad=True)
    optimizer = optimizers.LBFGS([x], lr=LR["lbfgs"]["rosenbrock"], **OPTIONS["lbfgs"]["rosenbrock"])
    for iteration in range(1, 201):
        landscapes.trajectory(optimizer, f, x, 1)
        value = float(f.numpy(*x.data))
        if value < HEADLINE_TOLERANCE:
            return {"iterations": iteration, "evaluations": optimizer.state[x]["func_evals"],
                    "f": value}
    return {"iterations": None, "evaluations": optimizer.state[x]["func_evals"], "f": value}


def report_headline(run, headline, summary):
    """The headline table: L-BFGS's iterations to f < 1e-10 next to the first-order methods'."""
    settled = summary["settled"]["rosenbrock"]
    first_order = {name: steps for name, steps in summary["steps_to_tolerance"]["rosenbrock"].items()
                   if name != "lbfgs" and steps is not None and settled[name]}
    fastest = min(first_order, key=first_order.get) if first_order else None
    rows = [["lbfgs (strong Wolfe)", f"f < {HEADLINE_TOLERANCE:g}", headline["iterations"],
             headline["evaluations"], f"{headline['f']:.2g}"]]
    if fastest is not None:
        rows.append([f"{fastest} (fastest first-order that settles, lr {LR[fastest]['rosenbrock']:g})",
                     f"f < {TOLERANCE:g}", first_order[fastest], first_order[fastest], "-"])
    print(f"\nHEADLINE: L-BFGS with a strong Wolfe line search takes Rosenbrock from f = 12.5 to "
          f"{headline['f']:.2g} < {HEADLINE_TOLERANCE:g} in {headline['iterations']} iterations "
          f"({headline['evaluations']} loss evaluations)"
          + (f"; the fastest first-order method that settles, {fastest}, needs "
             f"{first_order[fastest]} steps to reach only f < {TOLERANCE:g}." if fastest else "."))
    run.table("Headline: L-BFGS on Rosenbrock",
              ["optimizer", "goal", "iterations (steps)", "loss evaluations", "f reached"], rows,
              note="L-BFGS builds an inverse-Hessian estimate from its last gradient "
                   "differences and takes Newton-like steps, checked by a line search: on a "
                   "smooth, full-batch 2-D problem it needs a few dozen iterations where "
                   "first-order methods need thousands. Its iterations cost about three loss "
                   "evaluations each here: the line search's trials, plus one because the race "
                   "calls step(closure) once per iteration, which re-evaluates the point the "
                   "last line search ended on.")


def steps_cell(summary, landscape_name, name):
    steps = summary["steps_to_tolerance"][landscape_name][name]
    if steps is None:
        return "-"
    return f"{steps}{'' if summary['settled'][landscape_name][name] else '*'}"


REASONS = (
    "Why: plain gradient descent crawls along Rosenbrock's flat curved valley (its step is "
    "proportional to the small gradient there) and is still above the tolerance at its best lr. "
    "AdamW's decoupled weight decay (0.01, its default) pulls the parameters towards the origin "
    "at every step, so it settles where that pull balances the gradient, off the minimum (1, 1): "
    "its f stays above 1e-4 at every lr of the grid. Lion's steps are exactly lr in every coordinate, so it "
    "cannot settle finer than lr (marked *). Adam's effective step size lr / (sqrt(v_hat) + eps) "
    "grows about twentyfold as v_hat forgets the large early gradients -- that is how it moves "
    "along the valley -- and around step 2,000 it has grown past what the valley's steep "
    "direction (curvature ~1,000 at the minimum) tolerates: the error across the valley, down at "
    "gradients of 1e-12, grows exponentially (the spikes in the telemetry's gradient and update "
    "norms) until the large gradients refill v_hat, the step size drops and Adam settles again. "
    "Lion, LAMB, Muon and Schedule-Free SGD pass below the tolerance but cannot settle: their "
    "steps do not shrink below a size set by lr (Lion's and Muon's are lr-long whatever the "
    "gradient). Adafactor's step ~ RMS(x) min(lr, 1/sqrt(t)) shrinks before the valley is "
    "walked. L-BFGS's quasi-Newton steps follow the curved valley (11 steps; the headline "
    "table above). "
    "On the saddle, with equal first steps, the methods that rescale each coordinate escape "
    "sooner than gradient descent, whose step shrinks with the vanishing gradient near the saddle; "
    "Muon's fixed-length steps along the momentum walk straight through the saddle and leave "
    "along the stable axis, uphill.")


def report(run, names, summary, budgets):
    """Print (and record for the report) the steps-to-tolerance table and the final values."""
    columns = ["optimizer"] + [f"{k} ({budgets[k]} steps): steps, lr" for k in RACES] \
        + ["f after the budget: rosenbrock", "beale", "saddle: closest approach to (0, 0)"]
    rows = [[name] + [f"{steps_cell(summary, k, name)} (lr {LR[name][k]:g})" for k in RACES]
            + [f"{summary['final_value']['rosenbrock'][name]:.3g}",
               f"{summary['final_value']['beale'][name]:.3g}",
               f"{summary['saddle_closest_approach'][name]:.3f}"]
            for name in names]
    run.table("Steps to tolerance", columns, rows,
              note=f"Goal: f - f_min < {TOLERANCE:g} on Rosenbrock and Beale, distance from the "
                   f"saddle > {ESCAPE_DISTANCE:g} on x^2 - y^2; the first step meeting it. "
                   "'-': not within the budget; '*': went below the tolerance but ended above "
                   "it (passed by without settling). " + REASONS)


# One dark red for every path: each panel holds a single path, and the light colours of a
# 19-colour palette vanish into the contours.
PATH_COLOR = "#c0392b"


def one_color_per_path(ax, color):
    """Colour a plot_trajectories path and its start circle (the last two lines drawn)."""
    path_line, start_circle = ax.get_lines()[-2:]
    path_line.set_color(color)
    start_circle.set_markeredgecolor(color)


def plot_races(run, names, paths, summary, budgets):
    """One figure per landscape, small multiples: one panel per optimizer (its path alone over
    the contours), so no path hides another; optimizer_race.png is Rosenbrock's."""
    cols = min(5, len(names))
    rows = -(-len(names) // cols)
    for landscape_name, by_name in paths.items():
        f = RACES[landscape_name][0]
        fig, axes = run.figure(rows, cols, figsize=(3.9 * cols, 3.7 * rows), squeeze=False)
        for ax, name in zip(axes.ravel(), names):
            landscapes.plot_trajectories(
                f, {name: by_name[name]}, ax=ax,
                title=f"{name}, lr {LR[name][landscape_name]:g}: "
                      f"{steps_cell(summary, landscape_name, name)}",
                resolution=60 if run.args.quick else 100)
            one_color_per_path(ax, PATH_COLOR)
            ax.get_legend().remove()
            ax.set(xlabel="", ylabel="")
        for ax in axes.ravel()[len(names):]:
            ax.remove()
        goal = ("steps to escape (distance > 1)" if landscape_name == "saddle"
                else f"steps to f - f_min < {TOLERANCE:g}")
        fig.suptitle(f"{landscape_name}: {f.formula}, {budgets[landscape_name]} steps; each "
                     f"title: optimizer, lr: {goal} ('-' never, '*' did not stay)")
        filename = ("optimizer_race.png" if landscape_name == "rosenbrock"
                    else f"optimizer_race_{landscape_name}.png")
        # 19 small panels: 80 dpi reads well and writes fast (--quick, for the tests: 50)
        run.save(fig, filename, dpi=50 if run.args.quick else 80)
    return landscapes.animate(RACES["rosenbrock"][0], paths["rosenbrock"],
                              run.out / "optimizer_race.gif", frames=45, fps=12,
                              title=f"Rosenbrock, {budgets['rosenbrock']} steps")


def plot_telemetry(run, recorders):
    """optimizer_race_telemetry.png: Adam and SGD on Rosenbrock, step by step. The lrs are
    constant here, so their column is left out (they are in the legend)."""
    import matplotlib.pyplot as plt

    fig, axes = run.figure(1, 4, figsize=(19, 4.6))
    scratch = plt.figure()  # Recorder.plot draws five columns; the constant lr goes here
    lr_axes = scratch.add_subplot()
    for name in TELEMETRY:
        recorders[name].plot(axes=[lr_axes, *axes], label=f"{name} (lr {LR[name]['rosenbrock']:g})")
    plt.close(scratch)
    for ax in axes:
        ax.title.set_fontsize(plotting.STYLE["axes.titlesize"])
        ax.get_legend().remove()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, -0.08))
    axes[0].annotate("step ~2000: Adam's step size has\noutgrown the valley's curvature;\nthe "
                     "error across it grows until\nv_hat refills (see the report)",
                     xy=(1990, 1e-6), xytext=(0.03, 0.5), textcoords="axes fraction", va="top",
                     fontsize=10, arrowprops=dict(arrowstyle="->", color="gray"))
    fig.suptitle("Rosenbrock: what the optimizer does at every step (optimizers.telemetry.Recorder)")
    run.save(fig, "optimizer_race_telemetry.png")


def check_headline(run, headline):
    """The race's headline: L-BFGS with strong Wolfe reaches f < 1e-10 in a few dozen iterations."""
    run.check(f"HEADLINE: L-BFGS with a strong Wolfe line search reaches f < {HEADLINE_TOLERANCE:g} "
              "on Rosenbrock in a few dozen iterations",
              ours=headline["iterations"], source=None, expected="<= 60 iterations",
              unit=f"iterations ({headline['evaluations']} loss evaluations)",
              why="no random draw: the same for every seed; 60 is 'a few dozen' with room for "
                  "the line search's rounding",
              ok=headline["iterations"] is not None and headline["iterations"] <= 60)


def check(run, names, summary, recorders, budgets):
    rosenbrock, beale, saddle = (summary["steps_to_tolerance"][k] for k in RACES)
    final_value = summary["final_value"]
    f = landscapes.rosenbrock
    f_start = float(f.numpy(*RACES["rosenbrock"][1]))
    worst = max(names, key=lambda name: final_value["rosenbrock"][name])
    deterministic = "no random draw: the same for every seed"
    run.check("every optimizer reduces f on Rosenbrock",
              ours=f"{worst}: {final_value['rosenbrock'][worst]:.3g}", source=None,
              expected=f"every f after the budget < f(start) = {f_start:g}",
              unit="f of the worst optimizer", why=deterministic,
              ok=all(final_value["rosenbrock"][name] < f_start for name in names))
    run.check("Adam reaches the tolerance on Beale", ours=beale["adam"], source=None,
              expected=f"a step <= {budgets['beale']} with f < {TOLERANCE:g}", unit="steps",
              why=deterministic, ok=beale["adam"] is not None)
    run.check("plain gradient descent (SGD, momentum 0) does not reach the tolerance on "
              "Rosenbrock at its best lr (the flat curved valley)",
              ours=final_value["rosenbrock"]["sgd"], source=None,
              expected=f"f after {budgets['rosenbrock']} steps >= {TOLERANCE:g}",
              unit="f after the budget", why=deterministic, ok=rosenbrock["sgd"] is None)
    slowest_escape = max(names, key=lambda name: saddle[name] if saddle[name] is not None else np.inf)
    run.check("every optimizer escapes the saddle", ours=f"{slowest_escape}: {saddle[slowest_escape]}",
              source=None, expected=f"every escape step <= {budgets['saddle']}",
              unit="steps of the slowest", why=deterministic,
              ok=all(saddle[name] is not None for name in names))
    run.check("with equal first steps, Adam escapes the saddle sooner than gradient descent",
              ours=f"adam {saddle['adam']}, sgd {saddle['sgd']}", source=None,
              expected="adam's escape step < sgd's", unit="steps", why=deterministic,
              ok=None not in (saddle["adam"], saddle["sgd"]) and saddle["adam"] < saddle["sgd"])
    lowest_distance = summary["saddle_closest_approach"]
    scaled = [name for name in names if name != "muon"]
    closest = min(scaled, key=lambda name: lowest_distance[name])
    run.check("gradient descent passes closest to the saddle (its steps shrink with the "
              "gradient), of the methods whose steps scale with the gradient's size",
              ours=f"{closest}: {lowest_distance[closest]:.3f}", source=None,
              expected="a plain gradient-step method (sgd, asgd, schedule-free SGD) has the "
                       "smallest closest approach to (0, 0) of all but Muon",
              unit="distance from (0, 0)",
              why=deterministic + "; Muon's steps have a fixed length along the momentum, "
                  "which points straight at the saddle: it walks through it",
              ok=closest in ("sgd", "asgd", "sgdschedulefree"))
    first_step = summary["saddle_first_step"]
    first_step_error = max(abs(step / SADDLE_FIRST_STEP - 1) for step in first_step.values())
    run.check("saddle: every first step is 0.05 long (how the lrs were chosen)",
              ours=first_step_error, source=None, expected="< 1%",
              unit="largest relative deviation from 0.05",
              why="the lrs are rounded to 3 significant digits", ok=first_step_error < 0.01)

    adam, sgd = recorders["adam"].groups[0], recorders["sgd"].groups[0]
    adam_lr = LR["adam"]["rosenbrock"]
    run.check("telemetry: Adam's first update moves each coordinate by lr",
              ours=adam["update_norm"][0], source=None,
              expected=f"lr * sqrt(2) = {adam_lr * np.sqrt(2):.6g} (relative 1e-6)",
              unit="update norm", why="first step of Adam is lr * sign(g) up to eps / |g|",
              ok=abs(adam["update_norm"][0] / (adam_lr * np.sqrt(2)) - 1) < 1e-6)
    sgd_ratio = np.array(sgd["update_norm"]) / (LR["sgd"]["rosenbrock"] * np.array(sgd["grad_norm"]))
    run.check("telemetry: plain SGD's update norm is lr * gradient norm at every step",
              ours=float(np.max(np.abs(sgd_ratio - 1))), source=None,
              expected="< 1e-9", unit="max relative deviation",
              why="the same product computed twice: rounding only",
              ok=np.max(np.abs(sgd_ratio - 1)) < 1e-9)
    growth = adam["step_size_median"][-1] / adam["step_size_median"][0]
    run.check("telemetry: Adam's effective step size grows as its gradients shrink in the valley",
              ours=growth, source=None, expected="> 10",
              unit="median effective step size, last step / first step", why=deterministic,
              ok=growth > 10)


def main():
    args = parse_args(__doc__)
    run = Run(args, "optimizer_race")
    names = race_names()
    paths, recorders, budgets, evaluations = run_races(args, names)
    summary = summarize(paths)
    headline = lbfgs_headline()
    report_headline(run, headline, summary)
    report(run, names, summary, budgets)
    animation = run.add_figure(plot_races(run, names, paths, summary, budgets))
    print(f"animation: {animation}")
    plot_telemetry(run, recorders)
    check_headline(run, headline)
    check(run, names, summary, recorders, budgets)
    run.finish({
        "headline": headline,
        "loss_evaluations": evaluations,
        "tolerance": TOLERANCE,
        "escape_distance": ESCAPE_DISTANCE,
        "budgets": budgets,
        "starts": {k: list(v[1]) for k, v in RACES.items()},
        "lr": {name: LR[name] for name in names},
        "steps_to_tolerance": summary["steps_to_tolerance"],
        "final_value": summary["final_value"],
        "animation": str(animation),
        "saddle_first_step": summary["saddle_first_step"],
        "saddle_closest_approach": summary["saddle_closest_approach"],
        "telemetry_rosenbrock": {
            name: {quantity: {"first": values[0], "last": values[-1]}
                   for quantity, values in recorders[name].groups[0].items()}
            for name in TELEMETRY
        },
    })

if __name__ == "__main__":
    main()
