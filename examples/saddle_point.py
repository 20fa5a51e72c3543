"""Saddle points: where gradient descent stalls, and what gets it moving again.

Sources: the course notes "momentum, AdaGrad, RMSProp, Adam" and "optimizer overview" (a saddle point has zero gradient, so plain gradient descent stops
there; momentum's accumulated velocity and minibatch noise carry it across) and the d2l
section "Optimization and deep learning" (local vs global minimum of x cos(pi x); the saddle
of x^3; the saddle x^2 - y^2; at a zero-gradient point the Hessian's eigenvalues tell
minimum (all > 0), maximum (all < 0) and saddle (mixed signs)).

1-D: x cos(pi x) on [-1, 2] (gradient descent from -0.5 stops in the local minimum, from 1.5 in
the global one) and x^3 (gradient descent from 1 creeps towards the saddle at 0, where f' and
f'' vanish, and stalls there: after t steps x ~ 1 / (3 lr t)).

2-D: f = x^2 - y^2 and the monkey saddle x^3 - 3 x y^2 (`minigrad.landscapes`), both with the
saddle at the origin; every run starts at (0.5, 0) or (0.5, 1e-6), lr 0.1, and "escaped"
means farther than 1 from the saddle:

* gradient descent exactly on the stable axis (y = 0) converges to the saddle and stays: the
  gradient has no y component there, so y stays exactly 0 forever;
* a 1e-6 offset escapes, slowly: on x^2 - y^2, y grows by 1 + 2 lr = 1.2 per step, so it
  escapes at step 76 (closed form, checked against the run);
* momentum (0.9), Adam and noisy SGD (gradient + N(0, 0.1^2) per coordinate, a stand-in for
  minibatch noise, added by a step pre-hook) escape sooner: at steps 36, 11 and 20-35 (the
  last depends on --seed). On x^2 - y^2 momentum and Adam need the offset too: exactly on the
  axis their updates have no y component either (checked) -- only noise breaks an exact
  symmetry;
* the monkey saddle is degenerate (its Hessian is 0): near it the pull away is polynomial, not
  exponential, so gradient descent from the 1e-6 offset has not escaped after 300 steps and
  creeps towards the saddle like 1 / (3 lr t). Momentum and Adam, even exactly on the axis,
  overshoot the saddle into the valley along negative x and run off -- they cross the saddle,
  as the course notes "momentum, AdaGrad, RMSProp, Adam" say momentum may.

Printed: per landscape and run, the first step at which the distance from the saddle exceeds 1
("-" if it never does within the run) and the final distance; then the Hessian at each saddle,
computed with the engine (`autograd.functional.hessian`: the gradient's own graph differentiated
again, no finite differences) with its eigenvalues,
next to the analytic ones. Figures: `saddle_1d.png` (the two curves, the book's annotations and
the gradient-descent paths) and `saddle_2d.png` (trajectories over the contours, and distance
from the saddle against step on a log scale: straight lines are exponential escapes), and
`saddle_point.gif` (the x^2 - y^2 paths moving together, `landscapes.animate`).
`--quick` runs the same; the script takes about a second. The noisy run depends on --seed.
"""

import math
import warnings

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
from minigrad import landscapes
from minigrad.autograd import functional

LR = 0.1
START_X = 0.5  # distance 0.5 from the saddle: "escaped" = farther than 1
STEPS = 300
OFFSET = 1e-6
NOISE = 0.1
# Two-element parameters: the plain numpy update is as fast as the numba kernel here, and
# needs no compilation.
BACKEND = "numpy"
DETERMINISTIC = "deterministic (no random draw): the same for every seed"


# ------------------------------------------------------------------ 1-D


def x_cos_pi_x(x):
    return x * np.cos(np.pi * x)


def x_cos_pi_x_derivative(x):
    """d/dx x cos(pi x) = cos(pi x) - pi x sin(pi x), written out to check where descent stops."""
    return np.cos(np.pi * x) - np.pi * x * np.sin(np.pi * x)


def descend_x_cos_pi_x(x0, lr=0.05, steps=100):
    """Gradient descent on x cos(pi x) with the engine: a 1-element Tensor, optimizers.SGD."""
    x = minigrad.Tensor([x0], requires_grad=True)
    optimizer = optimizers.SGD([x], lr=lr, backend=BACKEND)
    path = [x.data[0]]
    for _ in range(steps):
        optimizer.zero_grad()
        (x * (np.pi * x).cos()).sum().backward()
        optimizer.step()
        path.append(x.data[0])
    return np.array(path)


def descend_x_cubed(x0, steps):
    """Gradient descent on x^3 with the engine: a 1-element Tensor, optimizers.SGD."""
    x = minigrad.Tensor([x0], requires_grad=True)
    optimizer = optimizers.SGD([x], lr=LR, backend=BACKEND)
    path = [x.data[0]]
    for _ in range(steps):
        optimizer.zero_grad()
        (x**3).sum().backward()
        optimizer.step()
        path.append(x.data[0])
    return np.array(path)


def engine_gradient(f, point):
    """grad f at `point` from backward()."""
    x = minigrad.Tensor(np.array(point, dtype=np.float64), requires_grad=True)
    f(x).backward()
    return x.grad.copy()


def engine_hessian(f, point):
    """The Hessian of f at `point` by the engine's double backward: autograd.functional.hessian
    records the gradient as a graph (create_graph) and differentiates it once per entry --
    exact second derivatives, no step size."""
    return functional.hessian(f, minigrad.Tensor(np.array(point, dtype=np.float64))).data


# ------------------------------------------------------------------ 2-D runs


def noisy(optimizer, rng):
    """Add N(0, NOISE^2) to every gradient before each step: minibatch-like noise."""
    def add_noise(opt, args, kwargs):
        for group in opt.param_groups:
            for p in group["params"]:
                p.grad = p.grad + NOISE * rng.standard_normal(p.grad.shape)
    optimizer.register_step_pre_hook(add_noise)
    return optimizer


RUNS = [
    # label, start y, optimizer factory (params, rng) -> optimizer
    ("GD on the stable axis", 0.0, lambda p, rng: optimizers.SGD(p, lr=LR, backend=BACKEND)),
    ("GD, y0 = 1e-6", OFFSET, lambda p, rng: optimizers.SGD(p, lr=LR, backend=BACKEND)),
    ("momentum 0.9, y0 = 1e-6", OFFSET,
     lambda p, rng: optimizers.SGD(p, lr=LR, momentum=0.9, backend=BACKEND)),
    ("Adam, y0 = 1e-6", OFFSET, lambda p, rng: optimizers.Adam(p, lr=LR, backend=BACKEND)),
    ("noisy SGD on the axis", 0.0,
     lambda p, rng: noisy(optimizers.SGD(p, lr=LR, backend=BACKEND), rng)),
    ("momentum 0.9 on the axis", 0.0,
     lambda p, rng: optimizers.SGD(p, lr=LR, momentum=0.9, backend=BACKEND)),
    ("Adam on the axis", 0.0, lambda p, rng: optimizers.Adam(p, lr=LR, backend=BACKEND)),
]
PLOTTED = ["GD on the stable axis", "GD, y0 = 1e-6", "momentum 0.9, y0 = 1e-6",
           "Adam, y0 = 1e-6", "noisy SGD on the axis"]


def run_landscape(f, rng, steps):
    """Every run of RUNS on landscape f: {label: (path, distances, first escape step)}."""
    saddle = np.array(f.saddles[0])
    results = {}
    for label, y0, make in RUNS:
        x = minigrad.Tensor([START_X, y0], requires_grad=True)
        optimizer = make([x], rng)
        # Runs that escape along a valley of the monkey saddle run off to -infinity;
        # trajectory() stops at the first non-finite point, which is all we need.
        with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
            warnings.filterwarnings("ignore", message="trajectory: the point became non-finite")
            path = landscapes.trajectory(optimizer, f, x, steps)
        distance = np.hypot(*(path - saddle).T)  # hypot: no overflow for huge escapes
        beyond = np.flatnonzero(distance > 1.0)
        results[label] = (path, distance, int(beyond[0]) if beyond.size else None)
    return results


def gd_offset_escape_step_closed_form(lr=LR, offset=OFFSET):
    """On x^2 - y^2 from (START_X, offset): x_t = START_X (1 - 2 lr)^t, y_t = offset (1 + 2 lr)^t;
    the first t with distance > 1."""
    t = 0
    while math.hypot(START_X * (1 - 2 * lr) ** t, offset * (1 + 2 * lr) ** t) <= 1.0:
        t += 1
    return t


def main():
    args = parse_args(__doc__)
    run = Run(args, "saddle_point")
    results = {"one_d": one_d(run)}

    table = {}
    print(f"\n{'landscape':14s} {'run':26s} {'first step with distance > 1':>29s} "
          f"{'final distance':>15s}")
    for f in (landscapes.saddle, landscapes.monkey_saddle):
        runs = run_landscape(f, run.rng, STEPS)
        table[f.name] = runs
        for label, (path, distance, escape) in runs.items():
            final = distance[-1]
            note = "" if np.isfinite(final) else f" (ran off to infinity at step {len(path) - 1})"
            print(f"{f.name:14s} {label:26s} {escape if escape is not None else '-':>29} "
                  f"{final:15.3e}{note}")
    results["escape_step"] = {name: {label: r[2] for label, r in runs.items()}
                              for name, runs in table.items()}
    results["final_distance"] = {name: {label: float(r[1][-1]) for label, r in runs.items()}
                                 for name, runs in table.items()}
    checks_2d(run, table)
    results["hessians"] = hessians(run)
    plot_2d(run, table)
    results["animation"] = str(run.add_figure(landscapes.animate(
        landscapes.saddle, {label: table["saddle"][label][0] for label in PLOTTED},
        run.out / "saddle_point.gif", window=((-1.5, 1.5), (-1.5, 1.5)),
        title=f"{landscapes.saddle.formula}, lr {LR}, from ({START_X}, 0)")))

    run.finish(results)


def one_d(run):
    local = descend_x_cos_pi_x(-0.5)
    global_ = descend_x_cos_pi_x(1.5)
    cubed = descend_x_cubed(1.0, STEPS)
    print(f"x cos(pi x): gradient descent from -0.5 stops at x = {local[-1]:.4f}, "
          f"f = {x_cos_pi_x(local[-1]):.4f} (local minimum); from 1.5 at x = {global_[-1]:.4f}, "
          f"f = {x_cos_pi_x(global_[-1]):.4f} (global minimum)")
    print(f"x^3: gradient descent from 1 (lr {LR}) after {STEPS} steps: x = {cubed[-1]:.5f}, "
          f"f'(x) = {3 * cubed[-1] ** 2:.2e} -- stalled next to the saddle at 0 "
          f"(1 / (3 lr t) = {1 / (3 * LR * STEPS):.5f})")
    second = float(engine_hessian(lambda x: (x**3).sum(), [0.0])[0, 0])
    print(f"x^3 at 0: f'(0) = {float(engine_gradient(lambda x: (x**3).sum(), [0.0])[0]):g}, "
          f"f''(0) = {second:g} (engine): neither minimum nor maximum")

    run.check("x cos(pi x): GD from -0.5 ends in the local minimum", float(local[-1]), -0.3,
              "x in (-0.5, 0), f' ~ 0, f > global minimum (book's arrow at x = -0.3)",
              -0.5 < local[-1] < 0 and abs(x_cos_pi_x_derivative(local[-1])) < 1e-6
              and x_cos_pi_x(local[-1]) > x_cos_pi_x(global_[-1]), unit="x after 100 steps",
              why="the book marks the minimum by eye with an arrow; ours is where f' = 0")
    run.check("x cos(pi x): GD from 1.5 ends in the global minimum", float(global_[-1]), 1.1,
              "x in (0.9, 1.3), f' ~ 0 (book's arrow at x = 1.1)",
              0.9 < global_[-1] < 1.3 and abs(x_cos_pi_x_derivative(global_[-1])) < 1e-6,
              unit="x after 100 steps",
              why="the book marks the minimum by eye with an arrow; ours is where f' = 0")
    run.check("x^3: GD from 1 stalls near the saddle", float(cubed[-1]), None,
              "0 < x < 2 / (3 lr t) after t steps (approaches 0 like 1 / (3 lr t))",
              0 < cubed[-1] < 2 / (3 * LR * STEPS), unit="x after 300 steps",
              why="the continuous-time solution x ~ 1 / (3 lr t), with a factor 2 of slack")
    run.check("x^3: f''(0) from the engine", second, 0.0, "|f''(0)| <= 1e-12", abs(second) <= 1e-12,
              unit="second derivative", why="f''(x) = 6 x, differentiated exactly: rounding only")

    fig, axes = run.figure(1, 2, figsize=(12, 4.8))
    grid = np.arange(-1.0, 2.0, 0.01)
    axes[0].plot(grid, x_cos_pi_x(grid), label="f(x) = x cos(pi x)")
    for path, name in ((local, "GD from -0.5"), (global_, "GD from 1.5")):
        axes[0].plot(path, x_cos_pi_x(path), "o", ms=3, label=name)
    axes[0].annotate("local minimum", xy=(-0.3, -0.25), xytext=(-0.77, -1.0),
                     arrowprops=dict(arrowstyle="->"))
    axes[0].annotate("global minimum", xy=(1.1, -0.95), xytext=(0.6, 0.8),
                     arrowprops=dict(arrowstyle="->"))
    axes[0].set(title="local vs global minimum", xlabel="x", ylabel="f(x)")
    axes[0].legend(loc="upper left")
    grid = np.arange(-2.0, 2.0, 0.01)
    axes[1].plot(grid, grid**3, label="f(x) = x^3")
    axes[1].plot(cubed, cubed**3, "o", ms=3, label=f"GD from 1, lr {LR}, {STEPS} steps")
    axes[1].annotate("saddle point", xy=(0, -0.2), xytext=(-0.52, -5.0),
                     arrowprops=dict(arrowstyle="->"))
    axes[1].set(title="a saddle in 1-D: f'(0) = f''(0) = 0", xlabel="x", ylabel="f(x)")
    axes[1].legend(loc="upper left")
    run.save(fig, "saddle_1d.png")
    return {"local_minimum": [float(local[-1]), float(x_cos_pi_x(local[-1]))],
            "global_minimum": [float(global_[-1]), float(x_cos_pi_x(global_[-1]))],
            "x_cubed_after_steps": float(cubed[-1]), "x_cubed_second_derivative": second}


def checks_2d(run, table):
    saddle, monkey = table["saddle"], table["monkey_saddle"]
    escape = {label: r[2] for label, r in saddle.items()}
    on_axis = saddle["GD on the stable axis"]
    run.check("x^2 - y^2: GD on the stable axis converges to the saddle and stays",
              float(on_axis[1][-1]), None,
              "never farther than 1, y exactly 0 throughout, final distance < 1e-20",
              escape["GD on the stable axis"] is None and not np.any(on_axis[0][:, 1])
              and on_axis[1][-1] < 1e-20, unit="final distance from the saddle", why=DETERMINISTIC)
    closed_form = gd_offset_escape_step_closed_form()
    run.check("x^2 - y^2: GD from the 1e-6 offset escapes at the closed-form step",
              escape["GD, y0 = 1e-6"], closed_form,
              f"step {closed_form} (x = 0.8^t, y = 1e-6 * 1.2^t)",
              escape["GD, y0 = 1e-6"] == closed_form, unit="step", why=DETERMINISTIC)
    for label in ("momentum 0.9, y0 = 1e-6", "Adam, y0 = 1e-6", "noisy SGD on the axis"):
        run.check(f"x^2 - y^2: {label} escapes sooner than GD from the offset",
                  escape[label], None, f"escapes before step {closed_form}",
                  escape[label] is not None and escape[label] < escape["GD, y0 = 1e-6"],
                  unit="escape step",
                  why=("the noise depends on --seed: seeds 0-19 escape at steps 19-33"
                       if label.startswith("noisy") else DETERMINISTIC))
    for label in ("momentum 0.9 on the axis", "Adam on the axis"):
        path = saddle[label][0]
        run.check(f"x^2 - y^2: {label} stays on it (no noise, no offset)",
                  escape[label] if escape[label] is not None else "never", None,
                  "never escapes; y exactly 0 throughout",
                  escape[label] is None and not np.any(path[:, 1]), unit="escape step",
                  why=DETERMINISTIC)
    monkey_axis = monkey["GD on the stable axis"]
    run.check("monkey saddle: GD on the stable axis converges to the saddle",
              float(monkey_axis[1][-1]), None,
              f"distance < 2 / (3 lr t) = {2 / (3 * LR * STEPS):.3f} after t steps (polynomial)",
              monkey["GD on the stable axis"][2] is None
              and monkey_axis[1][-1] < 2 / (3 * LR * STEPS),
              unit="final distance from the saddle",
              why="polynomial approach ~ 1 / (3 lr t), with a factor 2 of slack")
    adam = monkey["Adam, y0 = 1e-6"][2]
    gd = monkey["GD, y0 = 1e-6"][2]
    run.check("monkey saddle: Adam escapes from the offset, sooner than GD", adam, None,
              "Adam escapes; GD later or not within the run",
              adam is not None and (gd is None or adam < gd), unit="Adam's escape step",
              why=DETERMINISTIC)


def hessians(run):
    results = {}
    analytic = {"saddle": [-2.0, 2.0], "monkey_saddle": [0.0, 0.0]}
    print("\nHessian at the saddle (engine: autograd.functional.hessian, double backward)")
    for f in (landscapes.saddle, landscapes.monkey_saddle):
        hessian = engine_hessian(f, f.saddles[0])
        eigenvalues = np.linalg.eigvalsh(hessian)
        gradient = engine_gradient(f, f.saddles[0])
        print(f"{f.name} ({f.formula}) at {f.saddles[0]}: gradient {gradient}, "
              f"Hessian {hessian.tolist()}, eigenvalues {eigenvalues.tolist()} "
              f"(analytic {analytic[f.name]})")
        run.check(f"{f.name}: Hessian eigenvalues at the saddle", eigenvalues.tolist(),
                  analytic[f.name], "each within 1e-12 of the analytic value",
                  np.allclose(eigenvalues, analytic[f.name], rtol=0, atol=1e-12),
                  unit="eigenvalues", why="exact second derivatives (double backward): rounding only")
        results[f.name] = {"hessian": hessian, "eigenvalues": eigenvalues,
                           "analytic": analytic[f.name]}
    # Away from the saddle the monkey saddle's Hessian [[6x, -6y], [-6y, -6x]] is not 0: its
    # eigenvalues are +-6 |(x, y)|, a saddle-shaped curvature everywhere but at the origin.
    point = (0.5, 0.2)
    eigenvalues = np.linalg.eigvalsh(engine_hessian(landscapes.monkey_saddle, point))
    expected = [-6 * math.hypot(*point), 6 * math.hypot(*point)]
    print(f"monkey_saddle at {point}: Hessian eigenvalues {eigenvalues.tolist()} "
          f"(analytic +-6 |(x, y)| = {expected})")
    run.check(f"monkey_saddle: Hessian eigenvalues at {point}", eigenvalues.tolist(), None,
              "+-6 |(x, y)| to 1e-12", np.allclose(eigenvalues, expected, rtol=0, atol=1e-12),
              unit="eigenvalues", why="exact second derivatives (double backward): rounding only")
    results["monkey_saddle_off_center"] = {"point": point, "eigenvalues": eigenvalues}
    print("x^2 - y^2: one positive, one negative eigenvalue -- a saddle. Monkey saddle: both 0 "
          "-- the second-order test cannot tell; the cubic terms make it a saddle.")
    return results


def plot_2d(run, table):
    """saddle_2d.png: paths over the contours (top) and distance from the saddle on a log
    axis (bottom), one legend for the four panels. Gradient descent on the stable axis runs
    under the other paths along y = 0, so it is drawn as a wide band beneath them."""
    fig, axes = run.figure(2, 2, figsize=(12, 10.5))
    on_axis = "GD on the stable axis"
    for column, f in enumerate((landscapes.saddle, landscapes.monkey_saddle)):
        runs = table[f.name]
        top = axes[0, column]
        landscapes.plot_trajectories(
            f, {label: runs[label][0] for label in PLOTTED}, ax=top,
            window=((-1.5, 1.5), (-1.5, 1.5)), title=f"{f.formula}, lr {LR}, from ({START_X}, 0)")
        top.get_legend().remove()
        for line in top.get_lines():
            if line.get_label() == on_axis:
                line.set(lw=9, alpha=0.35, zorder=2.5, marker="")
        colors = {line.get_label(): line.get_color() for line in top.get_lines()}
        ax = axes[1, column]
        for label in PLOTTED:
            distance = runs[label][1]
            steps = np.arange(len(distance))
            keep = np.isfinite(distance) & (distance > 0)
            ax.semilogy(steps[keep], distance[keep], label=label, color=colors.get(label),
                        lw=4 if label == on_axis else None, alpha=0.6 if label == on_axis else 1)
        ax.axhline(1.0, color="gray", ls="--", lw=1)
        ax.text(len(steps) - 1, 1.4, "escaped: distance > 1", ha="right", va="bottom",
                color="dimgray")
        ax.set(title=f"{f.name}: distance from the saddle", xlabel="step",
               ylabel="distance from the saddle (log)", ylim=(1e-12, 1e3))
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.06))
    run.save(fig, "saddle_2d.png")

if __name__ == "__main__":
    main()
