"""Write your own optimizer in a few lines, then race it against SGD and Adam on Rosenbrock.

The hook (documented in `optimizers/base.py`, "How to add an optimizer"): subclass
`optimizers.Optimizer`, pass the hyperparameters as defaults, and write

* `init_state(param, group)`: the per-parameter state (a "step" entry is counted for you),
* `update(param, grad, state, group)`: the formula, in numpy, modifying arrays in place.

Everything else -- param groups, zero_grad, step(closure), state_dict / load_state_dict,
hooks, hyperparameter checks from the constructor's defaults, schedulers -- comes from the
base class, as in torch. The optimizer written here is Yogi (Zaheer et al., "Adaptive
Methods for Nonconvex Optimization", NeurIPS 2018, Algorithm 2), which is in neither torch nor
this package: Adam whose second moment v moves towards g^2 by an *additive* step of at most
(1 - b2) g^2 instead of multiplicatively, so v cannot collapse after a burst of large gradients
(Adam's v forgets them at rate b2, and its step size then jumps). As in the paper: no bias
correction, eps = 1e-3. (AdaBelief, another such Adam variant, is a package optimizer:
`optimizers.AdaBelief`, with a numba kernel and its authors' options.)

The race: f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), minimum f(1, 1) = 0, with
SGD (lr 1e-3, momentum 0.9) and Adam (lr 0.05) as documented in their docstrings, and
Yogi (lr 0.05), 2,000 steps (--quick: 1,000). The JSON checks that every optimizer reduces
the loss, and that Yogi's first three steps equal a hand computation in plain Python
floats from the analytic gradient (which also checks the engine's gradient of Rosenbrock).
Before the race, `optimizers.testing.optcheck` checks the class against a one-coordinate
reference in plain Python (random problems, float32 and float64, param groups, in-place
updates, state_dict round trip, zero_grad), as `gradcheck` checks a backward.

Figure `custom_optimizer.png`: the loss against step (log scale) and the three paths over the
contours.
"""

import math

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
from minigrad import landscapes


class Yogi(optimizers.Optimizer):
    """Yogi: Adam whose second moment moves towards g^2 additively, by at most (1 - b2) g^2.

        m <- b1 m + (1 - b1) g
        v <- v - (1 - b2) sign(v - g^2) g^2
        p <- p - lr * m / (sqrt(v) + eps)
    """

    def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-3):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    def init_state(self, param, group):
        return {"m": np.zeros_like(param), "v": np.zeros_like(param)}

    def update(self, param, grad, state, group):
        (b1, b2), eps = group["betas"], group["eps"]
        m, v = state["m"], state["v"]
        g2 = grad * grad
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = v - (1 - b2) * np.sign(v - g2) * g2
        param -= group["lr"] * m / (np.sqrt(v) + eps)


optimizers.register("yogi", Yogi)  # now also optimizers.create("yogi", ...)


def yogi_reference(p, g, state, hp):
    """One coordinate of one Yogi step in plain Python floats, for optcheck."""
    (b1, b2), eps = hp["betas"], hp["eps"]
    m = state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
    v = state.get("v", 0.0)
    sign = (v > g * g) - (v < g * g)
    v = state["v"] = v - (1 - b2) * sign * g * g
    return p - hp["lr"] * m / (math.sqrt(v) + eps)


ROSENBROCK = landscapes.rosenbrock
RACE = {
    "SGD, lr 1e-3, momentum 0.9": lambda p: optimizers.SGD(p, lr=1e-3, momentum=0.9),
    "Adam, lr 0.05": lambda p: optimizers.Adam(p, lr=0.05),
    "Yogi (custom), lr 0.05": lambda p: optimizers.create("yogi", p, lr=0.05),
}
CUSTOM = "Yogi (custom), lr 0.05"


def rosenbrock_gradient(x, y):
    """Rosenbrock's gradient at (x, y), from the engine (backward() on the landscape)."""
    point = minigrad.tensor([x, y], requires_grad=True)
    ROSENBROCK(point).backward()
    return tuple(float(g) for g in point.grad)


def yogi_by_hand(start, steps, lr=0.05, b1=0.9, b2=0.999, eps=1e-3):
    """Yogi's first steps in plain Python floats, coordinate by coordinate."""
    point = list(start)
    m, v = [0.0, 0.0], [0.0, 0.0]
    path = [tuple(point)]
    for _ in range(steps):
        gradient = rosenbrock_gradient(*point)
        for i in range(2):
            g2 = gradient[i] ** 2
            m[i] = b1 * m[i] + (1 - b1) * gradient[i]
            sign = (v[i] > g2) - (v[i] < g2)  # sign(v - g^2), 0 when equal (as np.sign)
            v[i] = v[i] - (1 - b2) * sign * g2
            point[i] -= lr * m[i] / (math.sqrt(v[i]) + eps)
        path.append(tuple(point))
    return np.array(path)


def yogi_first_step(gradient, lr=0.05, b1=0.9, b2=0.999, eps=1e-3):
    """|first step| per coordinate: m = (1 - b1) g, v = (1 - b2) g^2 (v starts at 0 < g^2)."""
    return [lr * (1 - b1) * abs(g) / (math.sqrt(1 - b2) * abs(g) + eps) for g in gradient]
MARKED_STEPS = (100, 250, 500, 1000)


def plot(run, paths, losses, steps):
    """custom_optimizer.png: the loss curves, then one panel per optimizer -- the three paths
    follow the same valley, so each panel marks where its optimizer is at MARKED_STEPS: the
    difference is the pace, not the route."""
    fig, axes = run.figure(1, 1 + len(paths), figsize=(5.2 * (1 + len(paths)), 4.8))
    colors = [f"C{index}" for index in range(len(paths))]
    for (label, loss), color in zip(losses.items(), colors):
        axes[0].semilogy(np.arange(len(loss)), np.maximum(loss, 1e-300), label=label,
                         color=color)
    axes[0].set(title="Rosenbrock loss (log scale)", xlabel="step", ylabel="f(x, y)")
    axes[0].legend(loc="lower left")
    for ax, (label, path), color in zip(axes[1:], paths.items(), colors):
        landscapes.plot_trajectories(ROSENBROCK, {label: path[::10]}, ax=ax, title=label,
                                     resolution=150)
        ax.get_lines()[-2].set_color(color)
        ax.get_lines()[-1].set_markeredgecolor(color)
        ax.get_legend().remove()
        for step in MARKED_STEPS:
            if step < len(path):
                ax.plot(*path[step], "s", color="black", ms=5, zorder=5)
                ax.annotate(str(step), path[step], xytext=(6, -12), textcoords="offset points",
                            fontsize=10, zorder=5)
    fig.suptitle(f"The same valley at different paces: paths from {ROSENBROCK.start}, "
                 f"{steps} steps, black squares at steps {', '.join(map(str, MARKED_STEPS))}")
    run.save(fig, "custom_optimizer.png")


def main():
    args = parse_args(__doc__)
    run = Run(args, "custom_optimizer")
    steps = 1000 if args.quick else 2000

    checked = optimizers.testing.optcheck(Yogi, yogi_reference, lr=0.05,
                                          raise_exception=False)
    print(checked)
    run.check("optcheck: Yogi equals its plain-Python reference", str(checked).splitlines()[0],
              None, "every optcheck check passes", checked.passed, unit="optcheck's verdict",
              why="random problems from a fixed seed, float32 and float64: exact agreement expected")

    paths, losses = {}, {}
    for label, make in RACE.items():
        x = minigrad.tensor(ROSENBROCK.start, requires_grad=True)
        paths[label] = landscapes.trajectory(make([x]), ROSENBROCK, x, steps)
        losses[label] = ROSENBROCK.numpy(*paths[label].T)

    marks = [0, 10, 100, steps // 2, steps]
    print(f"Rosenbrock from {ROSENBROCK.start}: loss at step " + ", ".join(map(str, marks)))
    for label, loss in losses.items():
        end = paths[label][-1]
        print(f"{label:30s} " + " ".join(f"{loss[k]:9.2e}" for k in marks) +
              f"   ends at ({end[0]:.6f}, {end[1]:.6f})")
        run.check(f"{label} reduces the loss", float(loss[-1]), None,
                  f"final loss < initial {loss[0]:g} / 100", loss[-1] < loss[0] / 100,
                  unit="f after the run", why="deterministic (no random draw): the same for every seed")

    by_hand = yogi_by_hand(ROSENBROCK.start, 3)
    ours = paths[CUSTOM][:4]
    gap = float(np.max(np.abs(ours - by_hand)))
    print(f"Yogi's first three steps, optimizer vs hand computation: max |difference| "
          f"{gap:.1e}")
    for t in range(1, 4):
        print(f"  step {t}: optimizer ({ours[t][0]:.12f}, {ours[t][1]:.12f})   "
              f"by hand ({by_hand[t][0]:.12f}, {by_hand[t][1]:.12f})")
    run.check("Yogi's first 3 steps equal the hand computation", gap, 0.0,
              "max |difference| <= 1e-12", gap <= 1e-12, unit="absolute difference in (x, y)",
              why="the same arithmetic in Python floats: rounding only")
    first = np.abs(ours[1] - ours[0])
    # Step 1: m = (1 - b1) g, v = (1 - b2) g^2, so |step| = lr (1 - b1) |g| / (sqrt(1 - b2) |g| + eps),
    # just under lr (1 - b1) / sqrt(1 - b2) = 0.158 for these |g| (155 and 50).
    expected_first = yogi_first_step(rosenbrock_gradient(*ROSENBROCK.start))
    run.check("Yogi's first step is lr (1 - b1) |g| / (sqrt(1 - b2) |g| + eps) per coordinate",
              first.tolist(), expected_first, "both within 1e-12",
              np.allclose(first, expected_first, rtol=0, atol=1e-12), unit="|step| per coordinate",
              why="closed form: rounding only")

    plot(run, paths, losses, steps)

    run.finish({
        "steps": steps,
        "final_loss": {label: float(loss[-1]) for label, loss in losses.items()},
        "final_point": {label: path[-1] for label, path in paths.items()},
        "yogi_first_steps": ours,
        "yogi_first_steps_by_hand": by_hand,
    })


if __name__ == "__main__":
    main()
