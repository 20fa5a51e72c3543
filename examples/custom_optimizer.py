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


def adabelief_reference(p, g, state, hp):
    """One coordinate of one AdaBelief step in plain Python floats, for optcheck."""
    (b1, b2), eps = hp["betas"], hp["eps"]
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
    s = state["s"] = b2 * state.get("s", 0.0) + (1 - b2) * (g - m) ** 2 + eps
    return p - hp["lr"] * (m / (1 - b1**t)) / (math.sqrt(s / (1 - b2**t)) + eps)

ROSENBROCK = landscapes.rosenbrock
RACE = {
    "SGD, lr 1e-3, momentum 0.9": lambda p: optimizers.SGD(p, lr=1e-3, momentum=0.9),
    "Adam, lr 0.05": lambda p: optimizers.Adam(p, lr=0.05),
    "Yogi (custom), lr 0.05": lambda p: optimizers.create("yogi", p, lr=0.05),
}
CUSTOM = "Yogi (custom), lr 0.05"


def rosenbrock_value(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosenbrock_gradient(x, y):
    """d/dx = -2 (1 - x) - 400 x (y - x^2), d/dy = 200 (y - x^2)."""
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


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


def main():
    args = parse_args(__doc__)
    run = Run(args, "custom_optimizer")
    steps = 1000 if args.quick else 2000

    checked = optimizers.testing.optcheck(AdaBelief, adabelief_reference, lr=0.05,
                                          raise_exception=False)
    print(checked)
    run.check("optcheck: AdaBelief equals its plain-Python reference", str(checked).splitlines()[0],
              None, "every optcheck check passes", checked.passed)

    paths, losses = {}, {}
    for label, make in RACE.items():
        x = minigrad.tensor(ROSENBROCK.start, requires_grad=True)
        paths[label] = landscapes.trajectory(make([x]), ROSENBROCK, x, steps)
        losses[label] = rosenbrock_value(*paths[label].T)

    marks = [0, 10, 100, steps // 2, steps]
    print(f"Rosenbrock from {ROSENBROCK.start}: loss at step " + ", ".join(map(str, marks)))
    for label, loss in losses.items():
        end = paths[label][-1]
        print(f"{label:30s} " + " ".join(f"{loss[k]:9.2e}" for k in marks) +
              f"   ends at ({end[0]:.6f}, {end[1]:.6f})")
        run.check(f"{label} reduces the loss", float(loss[-1]), None,
                  f"final loss < initial {loss[0]:g} / 100", loss[-1] < loss[0] / 100)

    by_hand = yogi_by_hand(ROSENBROCK.start, 3)
    ours = paths[CUSTOM][:4]
    gap = float(np.max(np.abs(ours - by_hand)))
    print(f"Yogi's first three steps, optimizer vs hand computation: max |difference| "
          f"{gap:.1e}")
    for t in range(1, 4):
        print(f"  step {t}: optimizer ({ours[t][0]:.12f}, {ours[t][1]:.12f})   "
              f"by hand ({by_hand[t][0]:.12f}, {by_hand[t][1]:.12f})")
    run.check("Yogi's first 3 steps equal the hand computation", gap, 0.0,
              "max |difference| <= 1e-12", gap <= 1e-12)
    first = np.abs(ours[1] - ours[0])
    # Step 1: m = (1 - b1) g, v = (1 - b2) g^2, so |step| = lr (1 - b1) |g| / (sqrt(1 - b2) |g| + eps),
    # just under lr (1 - b1) / sqrt(1 - b2) = 0.158 for these |g| (155 and 50).
    expected_first = yogi_first_step(rosenbrock_gradient(*ROSENBROCK.start))
    run.check("Yogi's first step is lr (1 - b1) |g| / (sqrt(1 - b2) |g| + eps) per coordinate",
              first.tolist(), expected_first, "both within 1e-12",
              np.allclose(first, expected_first, rtol=0, atol=1e-12))

    fig, axes = run.figure(1, 2, figsize=(12, 4.6))
    every = 10  # a marker per 10 steps keeps the paths readable
    thinned = {label: path[::every] for label, path in paths.items()}
    landscapes.plot_trajectories(ROSENBROCK, thinned, ax=axes[1], title=f"paths from {ROSENBROCK.start}, {steps} steps "
                                 f"(a dot every {every})")
    colors = {line.get_label(): line.get_color() for line in axes[1].get_lines()}
    for label, loss in losses.items():
        axes[0].semilogy(np.arange(len(loss)), np.maximum(loss, 1e-300), label=label,
                         color=colors.get(label))
    axes[0].set(title="Rosenbrock loss (log scale)", xlabel="step", ylabel="f(x, y)")
    axes[0].legend(fontsize=8)
    run.save(fig, "custom_optimizer.png")

    failed = [c["name"] for c in run.checks if not c["ok"]]
    print(f"{len(run.checks) - len(failed)}/{len(run.checks)} checks passed" +
          (f"; failed: {failed}" if failed else ""))
    run.finish({
        "steps": steps,
        "final_loss": {label: float(loss[-1]) for label, loss in losses.items()},
        "final_point": {label: path[-1] for label, path in paths.items()},
        "yogi_first_steps": ours,
        "yogi_first_steps_by_hand": by_hand,
    })


if __name__ == "__main__":
    main()
