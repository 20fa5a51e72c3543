"""Write your own optimizer in a few lines, then race it against SGD and Adam on Rosenbrock.

The hook (documented in `optimizers/base.py`, "How to add an optimizer"): subclass
`optimizers.Optimizer`, pass the hyperparameters as defaults, and write

* `init_state(param, group)`: the per-parameter state (a "step" entry is counted for you),
* `update(param, grad, state, group)`: the formula, in numpy, modifying arrays in place.

Everything else -- param groups, zero_grad, step(closure), state_dict / load_state_dict,
hooks, hyperparameter checks from the constructor's defaults, schedulers -- comes from the
base class, as in torch. The optimizer written here is AdaBelief (Zhuang et al., NeurIPS
2020), which is not in torch: Adam with the denominator tracking how far the gradient is from
its running mean (the "belief") instead of its raw size, so it takes large steps where the
gradient is predictable (e.g. along a valley floor) and small ones where it jumps.

The race: f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), minimum f(1, 1) = 0, with
SGD (lr 1e-3, momentum 0.9) and Adam (lr 0.05) as documented in their docstrings, and
AdaBelief (lr 0.05), 2,000 steps (--quick: 1,000). The JSON checks that every optimizer reduces
the loss, and that AdaBelief's first three steps equal a hand computation in plain Python
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


class AdaBelief(optimizers.Optimizer):
    """AdaBelief: Adam whose second moment is that of g - m, the gradient's surprise.

        m <- b1 m + (1 - b1) g
        s <- b2 s + (1 - b2) (g - m)^2 + eps
        p <- p - lr * (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-16):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    def init_state(self, param, group):
        return {"step": 0, "m": np.zeros_like(param), "s": np.zeros_like(param)}

    def update(self, param, grad, state, group):
        (b1, b2), eps, t = group["betas"], group["eps"], state["step"]
        m, s = state["m"], state["s"]
        m[...] = b1 * m + (1 - b1) * grad
        s[...] = b2 * s + (1 - b2) * (grad - m) ** 2 + eps
        param -= group["lr"] * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)


optimizers.register("adabelief", AdaBelief)  # now also optimizers.create("adabelief", ...)


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
    "AdaBelief (custom), lr 0.05": lambda p: optimizers.create("adabelief", p, lr=0.05),
}
CUSTOM = "AdaBelief (custom), lr 0.05"


def rosenbrock_value(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosenbrock_gradient(x, y):
    """d/dx = -2 (1 - x) - 400 x (y - x^2), d/dy = 200 (y - x^2)."""
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def adabelief_by_hand(start, steps, lr=0.05, b1=0.9, b2=0.999, eps=1e-16):
    """AdaBelief's first steps in plain Python floats, coordinate by coordinate."""
    point = list(start)
    m, s = [0.0, 0.0], [0.0, 0.0]
    path = [tuple(point)]
    for t in range(1, steps + 1):
        gradient = rosenbrock_gradient(*point)
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * gradient[i]
            s[i] = b2 * s[i] + (1 - b2) * (gradient[i] - m[i]) ** 2 + eps
            m_hat, s_hat = m[i] / (1 - b1**t), s[i] / (1 - b2**t)
            point[i] -= lr * m_hat / (math.sqrt(s_hat) + eps)
        path.append(tuple(point))
    return np.array(path)


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

    by_hand = adabelief_by_hand(ROSENBROCK.start, 3)
    ours = paths[CUSTOM][:4]
    gap = float(np.max(np.abs(ours - by_hand)))
    print(f"AdaBelief's first three steps, optimizer vs hand computation: max |difference| "
          f"{gap:.1e}")
    for t in range(1, 4):
        print(f"  step {t}: optimizer ({ours[t][0]:.12f}, {ours[t][1]:.12f})   "
              f"by hand ({by_hand[t][0]:.12f}, {by_hand[t][1]:.12f})")
    run.check("AdaBelief's first 3 steps equal the hand computation", gap, 0.0,
              "max |difference| <= 1e-12", gap <= 1e-12)
    first = np.abs(by_hand[1] - by_hand[0])
    # Step 1: m_hat = g and s_hat = b1^2 g^2 + eps / (1 - b2), so |step| = lr / b1 per coordinate.
    run.check("AdaBelief's first step is lr / b1 in every coordinate", first.tolist(),
              0.05 / 0.9, "both within 1e-12 of 0.0555...",
              np.allclose(first, 0.05 / 0.9, rtol=0, atol=1e-12))

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
        "adabelief_first_steps": ours,
        "adabelief_first_steps_by_hand": by_hand,
    })


if __name__ == "__main__":
    main()
