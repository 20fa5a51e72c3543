"""Gradient descent and its variants, step by step on 1-D and 2-D quadratics (d2l train_2d).

Reproduces the trace experiments of "Dive into Deep Learning", optimization chapter (the
Chinese PyTorch edition by ShusenTang, chapter 7, `d2lzh_pytorch.train_2d` /
`show_trace_2d`; the English edition, chapter 12, prints the same points). Every run starts
from (-5, -2) and takes 20 steps (1-D: from x = 10, 10 steps), printing
`epoch %d, x1 %f, x2 %f` as the book does.

Each run is done twice:

* "book": the book's own update rule, written below in plain Python floats exactly as the
  book writes it (`gd_2d`, `momentum_2d`, `adagrad_2d`, `rmsprop_2d`, and the book's AdaDelta
  and Adam updates of its airfoil sections moved to 2-D). These print the book's points; the
  JSON checks compare them with the printed strings, i.e. to 6 decimals.
* "package": the package's optimizer (`optimizers.SGD`, `Adagrad`, ...) on a 2-element
  minigrad Tensor whose gradient comes from `backward()`.

What differs between the two, and by how much (the script prints the measured numbers):

* gradient descent: nothing but rounding order, (eta * 0.2) * x1 vs eta * (0.2 * x1).
* momentum: the book (Chinese edition) keeps the learning rate inside the velocity,
  v <- gamma v + eta g, x <- x - v; torch (and `optimizers.SGD`) keeps it outside,
  b <- mu b + g, x <- x - lr b (the English edition writes it this way too). With a constant
  learning rate v = lr b, so the trajectories agree to rounding (~1e-16).
* AdaGrad, RMSProp: the book divides by sqrt(s + eps) with eps = 1e-6 inside the root; torch
  divides by sqrt(s) + eps. A step then changes by a relative ~eps / (2 s) (book) against
  ~eps / sqrt(s) (torch): a few 1e-6 here, where s1 starts at 1 (AdaGrad) or 0.1 (RMSProp).
  Measured, with the book's eps = 1e-6 placed outside the root, the largest difference along
  the path is 8.0e-7 (AdaGrad eta 0.4), 1.3e-6 (eta 2), 2.7e-6 (RMSProp); with torch's
  default eps (1e-10, 1e-8) 3.8e-7, 1.1e-6 and 9.2e-6. That is enough to move the sixth
  decimal: the package prints x1 -2.382564 (book -2.382563) for AdaGrad eta 0.4 and
  -0.010598 (book -0.010599) for RMSProp; AdaGrad eta 2 prints the book's point.
* AdaDelta: the book's rule is torch's (eps inside both roots, no learning rate = lr 1.0):
  identical to rounding. The book prints no 2-D trace for AdaDelta nor Adam.
* Adam: the book's rule (eps = 1e-6 outside the root, t counted from 1) is torch's:
  identical to rounding.

Figures: `trace_1d.png` (x^2 with eta 0.2, 0.05, 1.1) and `trace_2d.png` (one panel per
run: the contours with the package's path as a line and the book's points as open orange
circles around it; where they differ by less than a pixel each circle holds a dot).
`--quick` runs the same: the whole script takes about a second.
"""

import math

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
from minigrad import landscapes

STEPS_2D = 20
STEPS_1D = 10
START = (-5.0, -2.0)
WINDOW_CAP = 8.0  # a panel widens to show its path up to this far from the origin

# ------------------------------------------------------------------ objectives (Tensor)


def x_squared(x):
    """f(x) = x^2 (the book's 1-D example), on a 1-element Tensor."""
    return (x**2).sum()


def gradient_descent_quadratic(x, y):
    """f(x, y) = x^2 + 2 y^2: the book's gradient-descent section (curvatures 2 and 4)."""
    return x**2 + 2 * y**2


# 0.1 x1^2 + 2 x2^2 (momentum / AdaGrad / RMSProp sections) is landscapes.quadratic; the
# gradient-descent section's x1^2 + 2 x2^2 is built the same way, with the book's window.
ILL_CONDITIONED = landscapes.quadratic
QUADRATIC = landscapes.landscape(
    "quadratic_gd", gradient_descent_quadratic,
    window=((-5.5, 1.0), (-3.0, 1.0)), minima=((0.0, 0.0),), start=(-5.0, -2.0))


# ------------------------------------------------------------------ the book's update rules
# Written as the book writes them; `eta`, `gamma` are the book's globals, passed in here.


def gd(eta):
    """The book's 1-D gradient descent on x^2 from x = 10 (prints `epoch 10, x: ...`)."""
    x = 10
    results = [x]
    for i in range(10):
        x -= eta * 2 * x  # f(x) = x * x has derivative f'(x) = 2 * x
        results.append(x)
    return results


def train_2d(trainer, states=(0, 0)):
    """The book's train_2d: 20 steps from (-5, -2). `states` are s1, s2 (0, 0 in the book;
    AdaDelta and Adam keep a tuple per coordinate)."""
    x1, x2 = START
    s1, s2 = states
    results = [(x1, x2)]
    for i in range(STEPS_2D):
        x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    return results


def gd_2d_quadratic(eta):
    def gd_2d(x1, x2, s1, s2):
        return (x1 - eta * 2 * x1, x2 - eta * 4 * x2, 0, 0)
    return gd_2d


def gd_2d(eta):
    def gd_2d(x1, x2, s1, s2):
        return (x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0)
    return gd_2d


def momentum_2d(eta, gamma):
    """Chinese edition (7.4): v <- gamma v + eta g; x <- x - v."""
    def momentum_2d(x1, x2, v1, v2):
        v1 = gamma * v1 + eta * 0.2 * x1
        v2 = gamma * v2 + eta * 4 * x2
        return x1 - v1, x2 - v2, v1, v2
    return momentum_2d


def momentum_2d_en(eta, beta):
    """English edition (12.6): v <- beta v + g; x <- x - eta v (torch's form)."""
    def momentum_2d(x1, x2, v1, v2):
        v1 = beta * v1 + 0.2 * x1
        v2 = beta * v2 + 4 * x2
        return x1 - eta * v1, x2 - eta * v2, v1, v2
    return momentum_2d


def adagrad_2d(eta):
    def adagrad_2d(x1, x2, s1, s2):
        g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6  # the first two are the gradient
        s1 += g1 ** 2
        s2 += g2 ** 2
        x1 -= eta / math.sqrt(s1 + eps) * g1
        x2 -= eta / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2
    return adagrad_2d


def rmsprop_2d(eta, gamma):
    def rmsprop_2d(x1, x2, s1, s2):
        g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
        s1 = gamma * s1 + (1 - gamma) * g1 ** 2
        s2 = gamma * s2 + (1 - gamma) * g2 ** 2
        x1 -= eta / math.sqrt(s1 + eps) * g1
        x2 -= eta / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2
    return rmsprop_2d


def adadelta_2d(rho):
    """The book's `adadelta` (7.7, eps = 1e-5) per coordinate; state (s, delta)."""
    def update(x, g, state):
        s, delta = state
        eps = 1e-5
        s = rho * s + (1 - rho) * g ** 2
        g = g * math.sqrt((delta + eps) / (s + eps))
        x -= g
        delta = rho * delta + (1 - rho) * g * g
        return x, (s, delta)

    def adadelta_2d(x1, x2, state1, state2):
        x1, state1 = update(x1, 0.2 * x1, state1)
        x2, state2 = update(x2, 4 * x2, state2)
        return x1, x2, state1, state2
    return adadelta_2d


def adam_2d(lr):
    """The book's `adam` (7.8: beta1 0.9, beta2 0.999, eps = 1e-6 outside the root, t from 1)
    per coordinate; state (v, s, t)."""
    def update(x, g, state):
        beta1, beta2, eps = 0.9, 0.999, 1e-6
        v, s, t = state
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g ** 2
        v_bias_corr = v / (1 - beta1 ** t)
        s_bias_corr = s / (1 - beta2 ** t)
        x -= lr * v_bias_corr / (math.sqrt(s_bias_corr) + eps)
        return x, (v, s, t + 1)

    def adam_2d(x1, x2, state1, state2):
        x1, state1 = update(x1, 0.2 * x1, state1)
        x2, state2 = update(x2, 4 * x2, state2)
        return x1, x2, state1, state2
    return adam_2d


# ------------------------------------------------------------------ the experiments
# The printed points, and who printed them. "zh" = ShusenTang/Dive-into-DL-PyTorch,
# docs/chapter07_optimization/7.x_*.md (d2lzh_pytorch, format `epoch 20, x1 %f, x2 %f`);
# "en" = d2l.ai English edition, chapter 12 (Optimization Algorithms), PyTorch tab
# (`epoch 20, x1: %f, x2: %f`), sections gd / momentum / adagrad / rmsprop; the Chinese
# second edition (zh.d2l.ai, ch. 11) runs the same code and prints the same lines.
ZH = "Dive-into-DL-PyTorch (zh) {}"
EN = "d2l.ai (en) {}"

RUNS_1D = [
    # eta, the book's printed line (zh 7.2 prints print('epoch 10, x:', x), the float's repr)
    (0.2, "0.06046617599999997", ZH.format("7.2 gd-sgd")),
    (0.05, "3.4867844009999995", ZH.format("7.2 gd-sgd")),
    (1.1, "61.917364224000096", ZH.format("7.2 gd-sgd")),
]


# Why the package reproduces the book's rule (printed with the measured difference).
SAME_FORMULA = {
    "gd": "same update, (eta * 0.2) * x1 vs eta * (0.2 * x1)",
    "momentum": ("torch's b <- mu b + g, x <- x - lr b is the book's v <- gamma v + eta g, "
                 "x <- x - v with v = lr b (constant lr)"),
    "adadelta": "the book's AdaDelta is torch's (eps inside both roots, lr 1)",
    "adam": "the book's Adam is torch's (eps outside the root, t from 1)",
}
# backend="numpy": for a 2-element parameter the plain update is as fast as the numba kernel
# and needs no compilation.


def sgd(lr, momentum=0.0):
    return lambda params: optimizers.SGD(params, lr=lr, momentum=momentum, backend="numpy")


def adagrad(lr, eps):
    return lambda params: optimizers.Adagrad(params, lr=lr, eps=eps, backend="numpy")


def rmsprop(lr, alpha, eps):
    return lambda params: optimizers.RMSprop(params, lr=lr, alpha=alpha, eps=eps,
                                             backend="numpy")


def adadelta(rho, eps):
    return lambda params: optimizers.Adadelta(params, lr=1.0, rho=rho, eps=eps,
                                              backend="numpy")


def adam(lr, eps):
    return lambda params: optimizers.Adam(params, lr=lr, betas=(0.9, 0.999), eps=eps,
                                          backend="numpy")


# Each run: name, title, f (a Landscape; default 0.1 x1^2 + 2 x2^2), the book's rule and its
# initial states (default 0, 0), the package optimizer, the book's printed points with their
# sources, and for the eps-placement runs the same optimizer with torch's default eps.
RUNS_2D = [
    dict(name="gd_eta0.1_quadratic", title="GD, eta 0.1, x1^2 + 2 x2^2",
         f=QUADRATIC, rule=gd_2d_quadratic(0.1), package=sgd(0.1),
         points=[("-0.057646, -0.000073", ZH.format("7.2 gd-sgd")),
                 ("-0.057646, -0.000073", EN.format("12.3 gd"))]),
    dict(name="gd_eta0.4", title="GD, eta 0.4", rule=gd_2d(0.4), package=sgd(0.4),
         points=[("-0.943467, -0.000073", ZH.format("7.4 momentum")),
                 ("-0.943467, -0.000073", EN.format("12.6 momentum"))]),
    dict(name="gd_eta0.6", title="GD, eta 0.6 (diverges in x2)", rule=gd_2d(0.6),
         package=sgd(0.6),
         points=[("-0.387814, -1673.365109", ZH.format("7.4 momentum")),
                 ("-0.387814, -1673.365109", EN.format("12.6 momentum"))]),
    dict(name="momentum_eta0.4_gamma0.5", title="momentum, eta 0.4, gamma 0.5",
         rule=momentum_2d(0.4, 0.5), package=sgd(0.4, 0.5),
         points=[("-0.062843, 0.001202", ZH.format("7.4 momentum"))]),
    dict(name="momentum_eta0.6_gamma0.5", title="momentum, eta 0.6, gamma 0.5",
         rule=momentum_2d(0.6, 0.5), package=sgd(0.6, 0.5),
         points=[("0.007188, 0.002553", ZH.format("7.4 momentum"))]),
    dict(name="momentum_en_eta0.6_beta0.5", title="momentum (en form), eta 0.6, beta 0.5",
         rule=momentum_2d_en(0.6, 0.5), package=sgd(0.6, 0.5),
         points=[("0.007188, 0.002553", EN.format("12.6 momentum"))]),
    dict(name="momentum_en_eta0.6_beta0.25", title="momentum (en form), eta 0.6, beta 0.25",
         rule=momentum_2d_en(0.6, 0.25), package=sgd(0.6, 0.25),
         points=[("-0.126340, -0.186632", EN.format("12.6 momentum"))]),
    dict(name="adagrad_eta0.4", title="AdaGrad, eta 0.4", rule=adagrad_2d(0.4),
         package=adagrad(0.4, 1e-6), torch_default=adagrad(0.4, 1e-10),
         points=[("-2.382563, -0.158591", ZH.format("7.5 adagrad")),
                 ("-2.382563, -0.158591", EN.format("12.7 adagrad"))]),
    dict(name="adagrad_eta2", title="AdaGrad, eta 2", rule=adagrad_2d(2),
         package=adagrad(2.0, 1e-6), torch_default=adagrad(2.0, 1e-10),
         points=[("-0.002295, -0.000000", ZH.format("7.5 adagrad")),
                 ("-0.002295, -0.000000", EN.format("12.7 adagrad"))]),
    dict(name="rmsprop_eta0.4_gamma0.9", title="RMSProp, eta 0.4, gamma 0.9",
         rule=rmsprop_2d(0.4, 0.9), package=rmsprop(0.4, 0.9, 1e-6),
         torch_default=rmsprop(0.4, 0.9, 1e-8),
         points=[("-0.010599, 0.000000", ZH.format("7.6 rmsprop")),
                 ("-0.010599, 0.000000", EN.format("12.8 rmsprop"))]),
    dict(name="adadelta_rho0.9", title="AdaDelta, rho 0.9 (book prints no trace)",
         rule=adadelta_2d(0.9), states=((0.0, 0.0), (0.0, 0.0)), package=adadelta(0.9, 1e-5),
         points=[]),
    dict(name="adam_lr0.4", title="Adam, lr 0.4 (book prints no trace)", rule=adam_2d(0.4),
         states=((0.0, 0.0, 1), (0.0, 0.0, 1)), package=adam(0.4, 1e-6), points=[]),
]


def package_path(make_optimizer, f, start, steps):
    x = minigrad.Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    return landscapes.trajectory(make_optimizer([x]), f, x, steps)


def point(x1, x2):
    """The book's '%f' rendering of a point (so -1e-9 prints as -0.000000, as the book's)."""
    return "%f, %f" % (x1, x2)


def line_2d(path):
    return "epoch %d, x1 %f, x2 %f" % (len(path) - 1, path[-1][0], path[-1][1])


def max_gap(a, b, relative=False):
    """max over the path of |a - b| (divided by max(1, |a|) if relative: for diverging runs)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.maximum(1.0, np.abs(a)) if relative else 1.0
    return float(np.max(np.abs(a - b) / scale))


def run_1d(run):
    fig, axes = run.figure(1, len(RUNS_1D), figsize=(4.5 * len(RUNS_1D), 4))
    results = {}
    for ax, (eta, printed, source) in zip(axes, RUNS_1D):
        book = gd(eta)
        x = minigrad.Tensor([10.0], requires_grad=True)
        optimizer = optimizers.SGD([x], lr=eta, backend="numpy")
        ours = [x.data[0]]
        for _ in range(STEPS_1D):
            optimizer.zero_grad()
            x_squared(x).backward()
            optimizer.step()
            ours.append(x.data[0])
        ours = np.array(ours)
        print(f"gradient descent on x^2 from 10, eta {eta}")
        print("epoch 10, x:", book[-1])
        print("epoch 10, x:", float(ours[-1]), "  (package SGD)")
        results[f"gd_1d_eta{eta}"] = {"book": book[-1], "package": float(ours[-1])}
        run.check(f"1-D GD eta {eta}: book rule prints the book's x", repr(book[-1]),
                  printed, f"equal to the printed repr ({source})", repr(book[-1]) == printed,
                  unit="x after 10 steps (Python repr)",
                  why="the book's own loop in Python floats: every digit it printed")
        difference = float(abs(ours[-1] - book[-1]))
        run.check(f"1-D GD eta {eta}: package SGD equals the book rule", difference, 0.0,
                  "|difference| <= 1e-12", difference <= 1e-12, unit="absolute difference in x",
                  why="the same update as the book's rule: rounding only")
        n = max(abs(min(book)), abs(max(book)), 10)
        grid = np.arange(-n, n, 0.1)
        ax.plot(grid, grid**2, color="#1f77b4", label="f(x) = x^2")
        ax.plot(book, [v * v for v in book], "-o", color="#ff7f0e", label="book rule")
        ax.plot(ours, ours**2, "x--", color="navy", ms=5, lw=0.8, label="optimizers.SGD")
        ax.set(title=f"GD on x^2, eta {eta}", xlabel="x", ylabel="f(x)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.1))
    run.save(fig, "trace_1d.png")
    return results


def run_2d(run, runs):
    """Each 2-D run by the book's rule and by the package, printed and checked; returns the
    results and the paths {name: (book, package)} for the figure."""
    results, paths = {}, {}
    for spec in runs:
        f = spec.get("f", ILL_CONDITIONED)
        book = np.array(train_2d(spec["rule"], spec.get("states", (0, 0))))
        ours = package_path(spec["package"], f, START, STEPS_2D)
        gap = max_gap(book, ours)
        print(spec["title"])
        print(line_2d(book))
        print(line_2d(ours) + "  (package)")
        entry = {"book_final": book[-1], "package_final": ours[-1], "max_abs_difference": gap,
                 "book_points": [p for p, _ in spec["points"]]}
        for printed, source in spec["points"]:
            run.check(f"{spec['name']}: book rule vs {source}", point(*book[-1]), printed,
                      "same point to 6 decimals", point(*book[-1]) == printed,
                      unit="(x1, x2) after 20 steps", why="the book prints 6 decimals")
        if "torch_default" not in spec:
            # Same formula as torch: only the rounding order differs.
            relative = max_gap(book, ours, relative=True)
            print(f"  {SAME_FORMULA[spec['name'].split('_')[0]]}: max |difference| {gap:.1e}")
            run.check(f"{spec['name']}: package equals the book rule", relative, 0.0,
                      "max |difference| / max(1, |x|) over the path <= 1e-12",
                      relative <= 1e-12, unit="relative difference",
                      why="the same formula as torch: only the rounding order differs")
        else:
            # eps inside vs outside the root: differences of the order of eps, not more.
            default = package_path(spec["torch_default"], f, START, STEPS_2D)
            entry["max_abs_difference_torch_default_eps"] = max_gap(book, default)
            entry["package_prints_book_point"] = point(*ours[-1]) == point(*book[-1])
            run.check(f"{spec['name']}: package within eps of the book rule", gap, 0.0,
                      "max |difference| over the path <= 1e-5 (eps placement)", gap <= 1e-5,
                      unit="absolute difference in (x1, x2)",
                      why="the book puts eps 1e-6 inside the square root, torch outside: the "
                          "paths differ by the order of eps (measured 8e-7..3e-6), not more")
            print(f"  eps 1e-6 inside the root (book) vs outside (package): max |difference| "
                  f"{gap:.1e}; with torch's default eps: "
                  f"{entry['max_abs_difference_torch_default_eps']:.1e}; the package prints "
                  f"the book's point: {'yes' if entry['package_prints_book_point'] else 'no'}")
        results[spec["name"]] = entry
        paths[spec["name"]] = (book, ours)
    return results, paths


def window_around(f, path, cap=WINDOW_CAP):
    """The landscape's window, widened to hold every point of ``path`` within ``cap`` of the
    origin (a diverging path's later points are left out and named in the panel)."""
    (x_min, x_max), (y_min, y_max) = f.window
    shown = path[np.all(np.abs(path) <= cap, axis=1)]
    margin = 0.3
    return ((min(x_min, shown[:, 0].min() - margin), max(x_max, shown[:, 0].max() + margin)),
            (min(y_min, shown[:, 1].min() - margin), max(y_max, shown[:, 1].max() + margin)))


def plot_2d(run, runs, paths):
    """trace_2d.png: one panel per run, the package's path over the book's points; every
    panel's limits hold its whole path (up to WINDOW_CAP), one legend for all panels."""
    cols = 4
    rows = math.ceil(len(runs) / cols)
    fig, axes = run.figure(rows, cols, figsize=(4.6 * cols, 4.0 * rows))
    axes = np.ravel(axes)
    for ax, spec in zip(axes, runs):
        f = spec.get("f", ILL_CONDITIONED)
        book, ours = paths[spec["name"]]
        landscapes.plot_trajectories(f, {"package": ours}, ax=ax, title=spec["title"],
                                     levels=12, window=window_around(f, book))
        # The book's points as open circles under the package's path: one path if they agree.
        ax.plot(book[:, 0], book[:, 1], "o", ms=7, mfc="none", mec="#ff7f0e", mew=1.2,
                zorder=2, label="book rule")
        ax.set(xlabel="x1", ylabel="x2")
        ax.get_legend().remove()
        outside = np.flatnonzero(np.any(np.abs(book) > WINDOW_CAP, axis=1))
        if outside.size:
            first = outside[0]
            ax.text(0.03, 0.97, f"off the panel from step {first} (x2 = {book[first, 1]:.3g});\n"
                    f"x2 = {book[-1, 1]:.4g} at step {len(book) - 1}", transform=ax.transAxes,
                    va="top", fontsize=10, bbox=dict(facecolor="white", alpha=0.9, lw=0))
    for ax in axes[len(runs):]:
        ax.remove()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, -0.03))
    run.save(fig, "trace_2d.png")


def main():
    args = parse_args(__doc__)
    run = Run(args, "trace_2d")
    results_1d = run_1d(run)
    results_2d, paths_2d = run_2d(run, RUNS_2D)
    plot_2d(run, RUNS_2D, paths_2d)
    run.finish({"runs_1d": results_1d, "runs_2d": results_2d})


if __name__ == "__main__":
    main()
