"""The curvature lab: the lr limit 2 / lambda_max, Newton's method, sharpness during training.

Why a learning rate diverges, what Newton's method does, and how sharpness behaves while a
network trains -- every second derivative taken by the engine.

Sources: "Dive into Deep Learning (PyTorch edition), ch. 11: Gradient Descent" (gradient
descent on x^2, Newton's method on cosh(c x) and on x cos(c x), gradient descent on
x1^2 + 2 x2^2, preconditioning) and "ch. 11: Momentum" (the ill-conditioned quadratic
0.1 x1^2 + 2 x2^2 with lr 0.4 and 0.6); the gluon optimization tutorial's linear-regression
data and the airfoil data of "ch. 7: Adam"; Cohen et al. 2021, "Gradient Descent on Neural
Networks Typically Occurs at the Edge of Stability".

1. Linear regression, where the Hessian is known. For the mean squared loss
   L(w, b) = mean((x.w + b - y)^2 / 2) (the sources' squared loss) the Hessian is
   H = X^T X / n with X = [features, 1], the same at every point. Its largest eigenvalue
   lambda_max is computed twice -- numpy.linalg.eigvalsh on X^T X / n, and
   minigrad.curvature.sharpness (Lanczos on Hessian-vector products of the engine, never
   forming H) -- on the airfoil data (1500 rows, 5 standardized features, as d2l) and on the
   gluon tutorial's data (y = 2 x1 - 3.4 x2 + 4.2 + noise, 1000 rows). Gradient descent
   multiplies the error along the top eigenvector by (1 - lr lambda_max) per step, so it is
   stable exactly for lr < 2 / lambda_max: full-batch gradient descent (optimizers.SGD) from
   w = 0, b = 0 at lr = 0.95 * 2 / lambda_max lowers the loss at every one of its 200 steps,
   at 1.05 * 2 / lambda_max the loss grows by (1.05 * 2 - 1)^2 = 1.21 per step. A sweep of
   lr (the same iteration in numpy: the loss is a quadratic) shows the cliff at the threshold.

2. Newton's method (d2l ch. 11, "Gradient Descent"), f' and f'' from the engine
   (autograd.grad with create_graph=True, twice). The book's loops and printed iterates:
   gradient descent on x^2 from x = 10, lr 0.2: "epoch 10, x: 0.060466" (and lr 0.05,
   1.1); Newton on cosh(c x), c = 0.5, from 10: x = 0 after 10 steps; Newton on the
   nonconvex x cos(c x), c = 0.15 pi: with eta = 1 it jumps into a region where f'' < 0 and
   then climbs to a local MAXIMUM at x = 26.834133 (the Newton step -f'/f'' points uphill
   when f'' < 0); eta = 0.5 stays in the convex basin and ends at 7.269860. The fix the book
   suggests in words, dividing by |f''|, makes every step point downhill: from 10 with eta = 1
   it still overshoots once (f''(5) = 0.12 is tiny, so that step is 20 long), then settles in
   the local minimum at 20.22 (our number; the book prints none). In 2-D
   (train_2d, 20 steps from (-5, -2)): gradient descent lr 0.1 on x1^2 + 2 x2^2 ->
   (-0.057646, -0.000073); on the ill-conditioned 0.1 x1^2 + 2 x2^2 lr 0.4 -> (-0.943467,
   -0.000073) (x1 barely moves), lr 0.6 -> (-0.387814, -1673.365109) (lr * 4 > 2: x2
   diverges). Newton (the Hessian from autograd.functional.hessian) lands on the minimum in
   one step; the diagonal preconditioner diag(H)^-1 does the same on this axis-aligned
   quadratic, but not on the same quadratic rotated by 45 degrees, where diag(H) is 2.1 * I
   and preconditioning by it is plain gradient descent with lr 1 / 2.1.

3. Sharpness during training (Cohen et al. 2021): full-batch gradient descent on a tanh MLP
   (2-32-32-1, MSE, 64 points of sin(2 x1) cos(1.5 x2) on [-2, 2]^2) at lr 0.125, 0.16 and
   0.2 (2 / lr = 16, 12.5, 10), and a small lr 0.02 as the control; every 10 steps (--quick:
   20) the top Hessian eigenvalue (curvature.sharpness, at most 30 Lanczos steps, checked
   against a 150-step run at the end). Measured: sharpness starts near 7 and rises
   ("progressive sharpening") until it reaches about 2 / lr; from then on it stays around
   2 / lr: it overshoots, the loss spikes (the iterates oscillate along the top eigenvector),
   the spike throws the weights somewhere flatter, and the sharpness climbs back -- a sawtooth
   around 2 / lr that may settle onto it. Meanwhile the loss keeps falling overall while rising
   at many single steps. At lr 0.02 (2 / lr = 100) sharpness stays far below 2 / lr and the
   loss falls at every step. 1000 steps (--quick: 800).

Figures: curvature_linear_regression.png (loss curves below / above the threshold; final loss
against lr / (2 / lambda_max), the threshold marked), curvature_newton_1d.png (the 1-D
iterates on their functions, the f'' < 0 region shaded), curvature_newton_2d.png (gradient
descent, Newton and the diagonal preconditioner over the contours of the ill-conditioned
quadratic, axis-aligned and rotated), curvature_edge_of_stability.png (sharpness with 2 / lr
dashed, and the loss, against the step).
"""

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
from minigrad import autograd, curvature, nn, plotting
from minigrad.autograd import functional
from minigrad.nn import functional as F

# Two-to-six-element parameters: the plain numpy update is as fast as the numba kernel and
# needs no compilation.
BACKEND = "numpy"
DETERMINISTIC = "deterministic (no random draw): the same for every seed"
BOOK_ROUNDING = "the book prints 6 decimals: ours must round to its number (|diff| <= 5e-7)"

# ================================================================== 1. linear regression


def design_matrix(features):
    """[features, 1] in float64: the bias is the last coordinate."""
    features = np.asarray(features, dtype=np.float64)
    return np.hstack([features, np.ones((len(features), 1))])


def linear_hessian(features):
    """The Hessian of mean((x.w + b - y)^2 / 2): X^T X / n with X = [features, 1]."""
    X = design_matrix(features)
    return X.T @ X / len(X)


def linear_model(features, labels):
    """(loss_fn, [w, b]) for the mean squared loss / 2 of a linear model, float64, from 0."""
    x = minigrad.Tensor(np.asarray(features, dtype=np.float64))
    y = minigrad.Tensor(np.asarray(labels, dtype=np.float64).reshape(-1, 1))
    w = minigrad.Tensor(np.zeros((x.shape[1], 1)), requires_grad=True)
    b = minigrad.Tensor(np.zeros(1), requires_grad=True)
    return (lambda: F.squared_loss(x @ w + b, y).mean()), [w, b]


def gradient_descent_losses(features, labels, lr, steps):
    """Losses of full-batch gradient descent (optimizers.SGD, engine gradients) from 0."""
    loss_fn, params = linear_model(features, labels)
    optimizer = optimizers.SGD(params, lr=lr, backend=BACKEND)
    losses = []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn()
            losses.append(loss.item())
            loss.backward()
            optimizer.step()
        losses.append(loss_fn().item())
    return np.array(losses)


def quadratic_losses(features, labels, lrs, steps):
    """The same gradient descent in plain numpy for many lrs at once: row i is lr i's losses.
    The gradient of the quadratic loss is H theta - X^T y / n."""
    X = design_matrix(features)
    y = np.asarray(labels, dtype=np.float64)
    H, c = X.T @ X / len(X), X.T @ y / len(X)
    theta = np.zeros((len(lrs), X.shape[1]))
    losses = np.empty((len(lrs), steps + 1))
    lrs = np.asarray(lrs, dtype=np.float64)[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps + 1):
            residual = theta @ X.T - y
            losses[:, t] = np.mean(residual**2, axis=1) / 2
            theta = theta - lrs * (theta @ H - c)
    return losses


def linear_regression(run, args):
    """Part 1: lambda_max two ways, the threshold 2 / lambda_max, below and above it."""
    airfoil = minigrad.data.load_airfoil()
    gluon = minigrad.data.synthetic_linear((2.0, -3.4), 4.2, num_examples=1000, noise=0.01,
                                           seed=args.seed)
    datasets = {"airfoil": airfoil, "gluon tutorial": gluon}
    steps = 200
    sweep_factors = np.linspace(0.1, 1.2, 45)
    out, rows = {}, []
    for name, (features, labels) in datasets.items():
        closed = float(np.linalg.eigvalsh(linear_hessian(features))[-1])
        loss_fn, params = linear_model(features, labels)
        lanczos = curvature.sharpness(loss_fn, params)
        relative = abs(lanczos - closed) / closed
        threshold = 2 / closed
        below = gradient_descent_losses(features, labels, 0.95 * threshold, steps)
        above = gradient_descent_losses(features, labels, 1.05 * threshold, steps)
        half = gradient_descent_losses(features, labels, 0.5 * threshold, steps)
        numpy_check = quadratic_losses(features, labels, [0.95 * threshold], steps)[0]
        growth = above[-1] / above[-2]
        rows.append([name, closed, lanczos, relative, threshold, below[-1], above[-1], growth])
        print(f"{name}: lambda_max = {closed:.12g} (eigvalsh of X^T X / n), {lanczos:.12g} "
              f"(Lanczos on engine HVPs); 2 / lambda_max = {threshold:.6g}")
        run.check(f"{name}: lambda_max, Lanczos on HVPs vs eigvalsh(X^T X / n)", relative, None,
                  "<= 1e-8", relative <= 1e-8, unit="relative difference",
                  why="the same eigenvalue computed two ways: rounding and the Lanczos tolerance 1e-10")
        # At the floor the loss stops changing except by rounding (1e-16 relative).
        rises = np.diff(below) / below[:-1]
        run.check(f"{name}: GD at 0.95 * 2 / lambda_max lowers the loss at every step",
                  float(below[-1]), None,
                  f"no rise above 1e-12 relative in {steps} steps, final < initial / 2",
                  bool(np.all(rises <= 1e-12)) and below[-1] < below[0] / 2, unit="final loss",
                  why="on a quadratic every eigen-component shrinks by |1 - lr lambda| < 1 per "
                      "step; at the least-squares floor only rounding moves it")
        run.check(f"{name}: GD at 1.05 * 2 / lambda_max diverges, loss x1.21 per step",
                  float(growth), 1.21, "final loss > 1e6 x initial, last ratio in [1.2, 1.22]",
                  above[-1] > 1e6 * above[0] and 1.2 <= growth <= 1.22,
                  unit="loss ratio of the last step",
                  why="the top component grows by |1 - 1.05 * 2| = 1.1 per step, its loss by 1.21")
        agreement = float(np.max(np.abs(numpy_check - below) / below))
        run.check(f"{name}: engine + optimizers.SGD equals the numpy iteration", agreement, None,
                  "<= 1e-10", agreement <= 1e-10, unit="max relative difference of the losses",
                  why="the same arithmetic in another order: rounding")
        sweep = quadratic_losses(features, labels, sweep_factors * threshold, steps)
        X = design_matrix(features)
        residual = X @ np.linalg.lstsq(X, labels, rcond=None)[0] - labels
        floor = float(np.mean(residual**2) / 2)
        out[name] = {"lambda_max_eigvalsh": closed, "lambda_max_lanczos": lanczos,
                     "relative_difference": relative, "threshold": threshold, "floor": floor,
                     "losses_0.5": half, "losses_0.95": below, "losses_1.05": above,
                     "growth_per_step_1.05": growth, "sweep_factors": sweep_factors,
                     "sweep_final_loss": sweep[:, -1]}
    run.table("lambda_max of the mean squared loss, two ways; gradient descent around 2 / lambda_max",
              ["data", "eigvalsh(X^T X / n)", "Lanczos (HVPs)", "relative diff",
               "2 / lambda_max", "loss after 200 steps at 0.95x", "at 1.05x",
               "loss ratio per step at 1.05x"], rows,
              note="the threshold separates convergence from divergence; 1.21 = (2 * 1.05 - 1)^2")
    plot_linear_regression(run, out, steps)
    return out


def plot_linear_regression(run, out, steps):
    fig, axes = run.figure(1, 2, figsize=(13, 5))
    data = out["airfoil"]
    for factor, style in (("0.5", ":"), ("0.95", "-"), ("1.05", "--")):
        excess = data[f"losses_{factor}"] - data["floor"]
        lr = float(factor) * data["threshold"]
        axes[0].semilogy(np.arange(len(excess)), excess, style, lw=2.2,
                         label=f"lr = {factor} x 2 / lambda_max = {lr:.3f}")
    axes[0].set(title=f"airfoil: gradient descent, lambda_max = {data['lambda_max_eigvalsh']:.4f}",
                xlabel="step", ylabel="loss - least-squares floor (log)", ylim=(1e-14, 1e6))
    axes[0].legend(loc="upper left")
    for name, marker in (("airfoil", "o"), ("gluon tutorial", "s")):
        axes[1].semilogy(out[name]["sweep_factors"], out[name]["sweep_final_loss"], marker + "-",
                         ms=4, label=f"{name} (2 / lambda_max = {out[name]['threshold']:.3f})")
    axes[1].axvline(1.0, color="crimson", ls="--", lw=1.5)
    axes[1].text(1.01, 0.5, "lr = 2 / lambda_max", color="crimson", rotation=90,
                 transform=axes[1].get_xaxis_transform(), va="center")
    axes[1].set(title=f"learning rate too large: loss after {steps} steps",
                xlabel="lr / (2 / lambda_max)", ylabel=f"loss after {steps} steps (log)")
    axes[1].legend(loc="upper left")
    run.save(fig, "curvature_linear_regression.png")


# ================================================================== 2. Newton's method


def cosh(x):
    """cosh as the engine's exp: (e^x + e^-x) / 2."""
    return ((x).exp() + (-x).exp()) / 2


C_COSH = 0.5
C_NONCONVEX = 0.15 * np.pi
FUNCTIONS_1D = {
    "x^2": lambda x: x**2,
    "cosh(c x)": lambda x: cosh(C_COSH * x),
    "x cos(c x)": lambda x: x * (C_NONCONVEX * x).cos(),
}


def derivatives(f, x):
    """f(x), f'(x), f''(x) at the float x, by the engine: autograd.grad with
    create_graph=True gives f' as a graph, a second autograd.grad differentiates it."""
    x = minigrad.Tensor(float(x), requires_grad=True)
    y = f(x)
    (first,) = autograd.grad(y, x, create_graph=True)
    (second,) = autograd.grad(first, x)
    return y.item(), first.item(), second.item()


def iterate_1d(f, rule, eta, x0=10.0, steps=10):
    """The book's loop: ``x -= eta * step`` 10 times from 10, with step f' (gradient
    descent), f' / f'' (Newton) or f' / |f''| (Newton with the |f''| fix)."""
    x, path = x0, [x0]
    for _ in range(steps):
        _, first, second = derivatives(f, x)
        direction = {"gd": first, "newton": first / second, "newton |f''|": first / abs(second)}[rule]
        x = x - eta * direction
        path.append(x)
    return np.array(path)


def newton_1d(run):
    """Part 2, 1-D: the book's loops and printed iterates."""
    runs = [  # (function, rule, eta, the book's printed x after 10 steps or None)
        ("x^2", "gd", 0.2, 0.060466),
        ("x^2", "gd", 0.05, 3.486784),
        ("x^2", "gd", 1.1, 61.917364),
        ("cosh(c x)", "newton", 1.0, 0.0),
        ("x cos(c x)", "newton", 1.0, 26.834133),
        ("x cos(c x)", "newton", 0.5, 7.269860),
        ("x cos(c x)", "newton |f''|", 1.0, None),
    ]
    out, rows = {}, []
    for name, rule, eta, book in runs:
        f = FUNCTIONS_1D[name]
        path = iterate_1d(f, rule, eta)
        label = f"{rule} eta {eta:g} on {name}"
        print(f"{label}: epoch 10, x: {path[-1]:f}")
        value, first, second = derivatives(f, path[-1])
        out[label] = {"path": path, "f": value, "f'": first, "f''": second, "book": book}
        rows.append([label, path[-1], book, value, first, second])
        if book is not None:
            run.check(f"d2l: {label}, x after 10 steps", float(path[-1]), book,
                      f"{book:f} +- 5e-7", abs(path[-1] - book) <= 5e-7, unit="x",
                      why=BOOK_ROUNDING + "; we compute in float64, the book's torch in float32")
    uphill = out["newton eta 1 on x cos(c x)"]
    f = FUNCTIONS_1D["x cos(c x)"]
    values = np.array([derivatives(f, x)[0] for x in uphill["path"]])
    curvatures = np.array([derivatives(f, x)[2] for x in uphill["path"]])
    rises = int(np.sum(np.diff(values) > 0))
    run.check("x cos(c x), Newton eta 1: ends at a local maximum (f' = 0, f'' < 0)",
              uphill["f''"], None, "|f'| < 1e-9 and f'' < 0 at the end, f rose at >= 1 step",
              abs(uphill["f'"]) < 1e-9 and uphill["f''"] < 0 and rises >= 1,
              unit="f'' at the end",
              why="the Newton step -f'/f'' points uphill where f'' < 0: " + DETERMINISTIC)
    fixed = out["newton |f''| eta 1 on x cos(c x)"]
    slopes = np.array([derivatives(f, x)[1] for x in fixed["path"][:-1]])
    moves = np.diff(fixed["path"])
    downhill = (moves * slopes <= 0) | (np.abs(moves) < 1e-12)
    run.check("x cos(c x), Newton with |f''|: every step points downhill, ends at a local minimum",
              float(fixed["path"][-1]), None,
              "each step opposite to f'; |f'| < 1e-9 and f'' > 0 at the end",
              bool(np.all(downhill)) and abs(fixed["f'"]) < 1e-9 and fixed["f''"] > 0,
              unit="x after 10 steps",
              why="-f'/|f''| has the sign of -f' (the first step from x = 5 still overshoots: "
                  "f''(5) = 0.12 makes it 20 long): " + DETERMINISTIC)
    run.table("d2l ch. 11 Gradient Descent: the book's loops, 10 steps from x = 10 "
              "(derivatives by the engine)",
              ["run", "x after 10 steps", "book", "f(x)", "f'(x)", "f''(x)"], rows,
              note="Newton with eta 1 on x cos(c x) converges to a maximum (f'' < 0); |f''| fixes it")
    out["uphill"] = {"values": values, "f''": curvatures, "rises": rises}
    plot_newton_1d(run, out)
    return out


def plot_newton_1d(run, out):
    fig, axes = run.figure(1, 3, figsize=(17, 5))
    grid = np.linspace(-10.5, 10.5, 400)
    axes[0].plot(grid, grid**2, color="gray", label="f(x) = x^2")
    for eta in (0.2, 0.05, 1.1):
        path = out[f"gd eta {eta:g} on x^2"]["path"]
        note = f" (x = {path[-1]:.1f} after 10: off the plot)" if eta > 1 else ""
        axes[0].plot(path, path**2, "o-", ms=4, lw=0.8, label=f"GD, lr {eta:g}{note}")
    axes[0].set(title="gradient descent on x^2 from 10", xlabel="x", ylabel="f(x)",
                ylim=(-5, 140), xlim=(-10.5, 10.5))
    grid = np.linspace(-10.5, 10.5, 400)
    axes[1].plot(grid, np.cosh(C_COSH * grid), color="gray", label="f(x) = cosh(0.5 x)")
    path = out["newton eta 1 on cosh(c x)"]["path"]
    axes[1].plot(path, np.cosh(C_COSH * path), "o-", ms=5, lw=0.8, label="Newton, eta 1")
    axes[1].set(title="Newton on cosh(0.5 x): x = 1e-7 after 7 steps", xlabel="x", ylabel="f(x)")
    for ax in axes[:2]:
        plotting.legend_outside(ax, where="below", ncol=1)
    grid = np.linspace(-2, 30, 600)
    c = C_NONCONVEX
    values = grid * np.cos(c * grid)
    second = -2 * c * np.sin(c * grid) - grid * c**2 * np.cos(c * grid)
    ax = axes[2]
    ax.plot(grid, values, color="gray", label="f(x) = x cos(0.15 pi x)")
    ax.fill_between(grid, -32, 32, where=second < 0, color="crimson", alpha=0.08, lw=0,
                    label="f'' < 0: Newton steps go uphill")
    # Newton with eta 1 and with |f''| share their first two steps: the first is drawn wide
    # and pale beneath, so both stay visible.
    for label, name, style in (
            ("newton eta 1 on x cos(c x)", "Newton, eta 1 (to a maximum)", dict(ms=9, lw=4, alpha=0.45)),
            ("newton eta 0.5 on x cos(c x)", "Newton, eta 0.5", dict(ms=5, lw=0.8)),
            ("newton |f''| eta 1 on x cos(c x)", "Newton with |f''|, eta 1", dict(ms=5, lw=0.8))):
        path = out[label]["path"]
        ax.plot(path, path * np.cos(c * path), "o-", label=name, **style)
    top = out["newton eta 1 on x cos(c x)"]["path"][-1]
    ax.annotate("local maximum", xy=(top, top * np.cos(c * top)), xytext=(14, 26),
                arrowprops=dict(arrowstyle="->"))
    ax.set(title="Newton on the nonconvex x cos(0.15 pi x), from 10", xlabel="x",
           ylabel="f(x)", ylim=(-32, 32))
    plotting.legend_outside(ax, where="below", ncol=2)
    run.save(fig, "curvature_newton_1d.png")


ILL = np.diag([0.2, 4.0])  # 0.1 x1^2 + 2 x2^2 = x^T A x / 2
ROTATION = np.array([[1.0, -1.0], [1.0, 1.0]]) / np.sqrt(2)
QUADRATICS = {
    "x1^2 + 2 x2^2": np.diag([2.0, 4.0]),
    "0.1 x1^2 + 2 x2^2": ILL,
    "0.1 x1^2 + 2 x2^2 rotated 45 deg": ROTATION @ ILL @ ROTATION.T,
}


def quadratic(A):
    """x -> x^T A x / 2 as an engine function of a 2-element Tensor."""
    matrix = minigrad.Tensor(A)
    return lambda x: (x * (matrix @ x)).sum() / 2


def train_2d(f, rule, eta, steps=20, start=(-5.0, -2.0)):
    """d2l's train_2d: ``steps`` updates from (-5, -2). rule "gd": x -= eta grad f; "newton":
    x -= eta H^-1 grad f; "diagonal": x -= eta diag(H)^-1 grad f -- the gradient by
    autograd.grad, the Hessian by autograd.functional.hessian."""
    x = np.array(start, dtype=np.float64)
    path = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            point = minigrad.Tensor(x, requires_grad=True)
            (gradient,) = autograd.grad(f(point), point)
            g = gradient.data
            if rule == "gd":
                x = x - eta * g
            else:
                H = functional.hessian(f, minigrad.Tensor(x)).data
                if rule == "newton":
                    x = x - eta * np.linalg.solve(H, g)
                else:
                    x = x - eta * g / np.diag(H)
            path.append(x.copy())
    return np.array(path)


def newton_2d(run):
    """Part 2, 2-D: the book's train_2d runs; gradient descent vs Newton vs diag(H)^-1."""
    runs = [  # (quadratic, rule, eta, the book's printed point after 20 steps or None)
        ("x1^2 + 2 x2^2", "gd", 0.1, (-0.057646, -0.000073)),
        ("0.1 x1^2 + 2 x2^2", "gd", 0.4, (-0.943467, -0.000073)),
        ("0.1 x1^2 + 2 x2^2", "gd", 0.6, (-0.387814, -1673.365109)),
        ("0.1 x1^2 + 2 x2^2", "newton", 1.0, None),
        ("0.1 x1^2 + 2 x2^2", "diagonal", 1.0, None),
        ("0.1 x1^2 + 2 x2^2 rotated 45 deg", "gd", 0.4, None),
        ("0.1 x1^2 + 2 x2^2 rotated 45 deg", "newton", 1.0, None),
        ("0.1 x1^2 + 2 x2^2 rotated 45 deg", "diagonal", 1.0, None),
    ]
    out, rows = {}, []
    for name, rule, eta, book in runs:
        A = QUADRATICS[name]
        path = train_2d(quadratic(A), rule, eta)
        label = f"{rule} eta {eta:g} on {name}"
        x1, x2 = path[-1]
        print(f"{label}: epoch 20, x1: {x1:f}, x2: {x2:f}")
        value = float(path[-1] @ A @ path[-1] / 2)
        out[label] = {"path": path, "f": value, "book": book}
        rows.append([label, x1, x2, f"{book[0]:f}, {book[1]:f}" if book else None, value])
        if book is not None:
            error = float(np.max(np.abs(path[-1] - book)))
            run.check(f"d2l: {label}, (x1, x2) after 20 steps", [float(x1), float(x2)],
                      list(book), f"({book[0]:f}, {book[1]:f}) +- 5e-7", error <= 5e-7,
                      unit="point", why=BOOK_ROUNDING)
    newton = out["newton eta 1 on 0.1 x1^2 + 2 x2^2 rotated 45 deg"]["path"]
    run.check("Newton reaches the minimum of the rotated quadratic in one step",
              float(np.max(np.abs(newton[1]))), 0.0, "|x| <= 1e-12 after step 1",
              np.max(np.abs(newton[1])) <= 1e-12, unit="distance from the minimum",
              why="Newton is exact on a quadratic: rounding only")
    aligned = out["diagonal eta 1 on 0.1 x1^2 + 2 x2^2"]["path"]
    rotated = out["diagonal eta 1 on 0.1 x1^2 + 2 x2^2 rotated 45 deg"]["path"]
    # diag(H) = 2.1 I on the rotated quadratic: x_t = (I - H / 2.1)^t x_0, in closed form.
    H = QUADRATICS["0.1 x1^2 + 2 x2^2 rotated 45 deg"]
    closed = np.linalg.matrix_power(np.eye(2) - H / 2.1, 20) @ np.array([-5.0, -2.0])
    run.check("diag(H)^-1: exact on the axis-aligned quadratic, plain GD with lr 1 / 2.1 when rotated",
              float(np.linalg.norm(rotated[-1])), None,
              "axis-aligned |x_1| <= 1e-12; rotated x_20 = (I - H / 2.1)^20 x_0 to 1e-12",
              np.max(np.abs(aligned[1])) <= 1e-12 and np.allclose(rotated[-1], closed, atol=1e-12),
              unit="distance from the minimum after 20 steps (rotated)",
              why="diag(H) = H when H is diagonal; diag(H) = 2.1 I after the rotation: " + DETERMINISTIC)
    run.table("d2l ch. 11 train_2d: 20 steps from (-5, -2)", ["run", "x1", "x2", "book", "f"], rows,
              note="lr 0.6 * lambda_max 4 = 2.4 > 2: x2 diverges; Newton: one step")
    plot_newton_2d(run, out)
    return out


def plot_newton_2d(run, out):
    fig, axes = run.figure(1, 2, figsize=(14, 5.6))
    x1, x2 = np.meshgrid(np.linspace(-5.5, 1.5, 300), np.linspace(-3.0, 3.0, 300))
    points = np.stack([x1, x2], axis=-1)
    for ax, name in zip(axes, ("0.1 x1^2 + 2 x2^2", "0.1 x1^2 + 2 x2^2 rotated 45 deg")):
        A = QUADRATICS[name]
        z = np.einsum("...i,ij,...j->...", points, A, points) / 2
        ax.contour(x1, x2, z, levels=np.geomspace(0.01, 40, 18), colors="lightgray", linewidths=0.8)
        for label, style in (("gd eta 0.4", "o-"), ("gd eta 0.6", "o-"), ("newton eta 1", "s-"),
                             ("diagonal eta 1", "^--")):
            key = f"{label} on {name}"
            if key not in out:
                continue
            path = out[key]["path"]
            shown = path[np.all(np.abs(path) < 10, axis=1)]
            name_shown = {"gd eta 0.4": "GD, lr 0.4", "gd eta 0.6": "GD, lr 0.6 (x2 diverges)",
                          "newton eta 1": "Newton", "diagonal eta 1": "diag(H)^-1 preconditioned"}[label]
            ax.plot(shown[:, 0], shown[:, 1], style, ms=4, lw=1, label=name_shown)
        ax.plot([0], [0], "k*", ms=12)
        ax.set(title=f"f = {name}", xlabel="x1", ylabel="x2", xlim=(-5.5, 1.5), ylim=(-3, 3))
        ax.legend(loc="upper right")
    run.save(fig, "curvature_newton_2d.png")


# ================================================================== 3. edge of stability

EOS_LRS = (0.125, 0.16, 0.2)  # 2 / lr = 16, 12.5, 10
CONTROL_LR = 0.02
SHARPNESS_EVERY = 10
SEEDS_MEASURED = ("the edge-of-stability fact; seeds 0-19 (--quick): sharpness starts at <= 0.83 x "
                  "2 / lr, arrives at steps 40-320, medians afterwards 1.004-1.085 (1000 "
                  "steps: 1.003-1.043)")


def eos_data(seed):
    """64 points on [-2, 2]^2 (from ``seed``) with targets sin(2 x1) cos(1.5 x2)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(64, 2))
    return X, (np.sin(2 * X[:, 0]) * np.cos(1.5 * X[:, 1]))[:, None]


def train_sharpness(X, y, lr, steps, seed, every=SHARPNESS_EVERY):
    """Full-batch gradient descent on a 2-32-32-1 tanh MLP; the loss at every step and the
    top Hessian eigenvalue every ``every`` steps (curvature.sharpness: Lanczos until the top two
    Ritz pairs converge to tol 1e-4, 30 HVPs at most). Also returns the relative difference of
    the last estimate from a tight Lanczos run (150 HVPs, tol 1e-9)."""
    minigrad.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                          nn.Linear(32, 1))
    params = list(model.parameters())
    optimizer = optimizers.SGD(params, lr=lr)
    inputs, targets = minigrad.Tensor(X), minigrad.Tensor(y)

    def loss_fn():
        return F.mse_loss(model(inputs), targets)

    losses, sharpness_steps, sharpness = [], [], []
    for step in range(steps + 1):
        if step % every == 0:
            sharpness_steps.append(step)
            sharpness.append(curvature.sharpness(loss_fn, params, iters=30, tol=1e-4))
        optimizer.zero_grad()
        loss = loss_fn()
        losses.append(loss.item())
        if step < steps:
            loss.backward()
            optimizer.step()
    tight = curvature.sharpness(loss_fn, params, iters=150, tol=1e-9)
    last = curvature.sharpness(loss_fn, params, iters=30, tol=1e-4)
    return (np.array(losses), np.array(sharpness_steps), np.array(sharpness),
            abs(last - tight) / tight)


def edge_of_stability(run, args):
    """Part 3: sharpness rises to 2 / lr and hovers there while the loss keeps falling."""
    # --quick measures half as often; 800 steps leave >= 480 after the latest arrival (seeds 0-19).
    steps, every = (800, 2 * SHARPNESS_EVERY) if args.quick else (1000, SHARPNESS_EVERY)
    X, y = eos_data(args.seed)
    out, rows = {}, []
    estimates = []
    for lr in (CONTROL_LR,) + EOS_LRS:
        losses, at, sharp, estimate = train_sharpness(X, y, lr, steps, args.seed, every)
        estimates.append(estimate)
        limit = 2 / lr
        reached = np.flatnonzero(sharp >= 0.9 * limit)
        arrival = int(at[reached[0]]) if reached.size else None
        record = {"lr": lr, "limit": limit, "losses": losses, "sharpness_steps": at,
                  "sharpness": sharp, "arrival_step": arrival}
        if arrival is not None:
            after = sharp[at >= arrival] / limit
            record.update(median_ratio=float(np.median(after)), min_ratio=float(after.min()),
                          max_ratio=float(after.max()),
                          rises=int(np.sum(np.diff(losses[arrival:]) > 0)),
                          loss_at_arrival=float(losses[arrival]))
        out[f"lr {lr:g}"] = record
        rows.append([lr, limit, sharp[0], arrival if arrival is not None else "never",
                     record.get("median_ratio"), record.get("min_ratio"), record.get("max_ratio"),
                     record.get("loss_at_arrival", losses[0]), losses[-1],
                     record.get("rises", int(np.sum(np.diff(losses) > 0)))])
        print(f"lr {lr:g}: 2 / lr = {limit:.3g}, sharpness {sharp[0]:.3g} at step 0, "
              f"max {sharp.max():.3g}; first >= 0.9 * 2 / lr at step {arrival}; "
              f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    for lr in EOS_LRS:
        record = out[f"lr {lr:g}"]
        limit = record["limit"]
        ok = (record["arrival_step"] is not None and record["sharpness"][0] < 0.9 * limit
              and 0.9 <= record["median_ratio"] <= 1.15)
        run.check(f"lr {lr:g}: sharpness rises to 2 / lr = {limit:.3g} and hovers there",
                  record.get("median_ratio"), None,
                  "starts below 0.9 x 2 / lr, reaches it, then median in [0.9, 1.15] x 2 / lr",
                  ok, unit="median sharpness / (2 / lr) after the arrival",
                  why=SEEDS_MEASURED)
        ok = (record["arrival_step"] is not None and record["rises"] >= 1
              and record["losses"][-1] < record["loss_at_arrival"])
        run.check(f"lr {lr:g}: after the arrival the loss keeps falling, non-monotonically",
                  record.get("rises"), None,
                  "the loss rises at >= 1 step and ends below its value at the arrival",
                  ok, unit="steps at which the loss rose",
                  why="at the edge of stability gradient descent is not a descent method step by "
                      "step, yet it makes progress over many steps; seeds 0-19 (--quick): the "
                      "loss rose at 17-261 steps after the arrival and ended at <= 0.95 x its "
                      "value then")
    control = out[f"lr {CONTROL_LR:g}"]
    ok = control["sharpness"].max() < 0.5 * control["limit"] and np.all(np.diff(control["losses"]) < 0)
    run.check(f"lr {CONTROL_LR:g} (control): sharpness stays far below 2 / lr, loss falls every step",
              float(control["sharpness"].max()), None, f"max sharpness < 0.5 x 2 / lr = "
              f"{0.5 * control['limit']:g}, every loss difference < 0", ok,
              unit="max sharpness", why="the classical regime: lr * lambda_max < 2 throughout")
    worst = float(max(estimates))
    run.check("sharpness estimates (30 Lanczos steps, tol 1e-4) vs a tight Lanczos run",
              worst, None, "<= 1e-3 at the last step of every run", worst <= 1e-3,
              unit="largest relative difference",
              why="the tolerance 1e-4 on the Ritz residual; 1e-3 leaves room for close eigenvalues")
    run.table("edge of stability: full-batch GD on a 2-32-32-1 tanh MLP",
              ["lr", "2 / lr", "sharpness at step 0", "first step >= 0.9 x 2 / lr",
               "median / (2/lr) after", "min / (2/lr)", "max / (2/lr)", "loss then",
               "final loss", "steps the loss rose"], rows,
              note=f"sharpness every {every} steps; after the arrival it hovers around 2 / lr")
    plot_edge_of_stability(run, out)
    return out


def plot_edge_of_stability(run, out):
    fig, axes = run.figure(1, 2, figsize=(14, 5.2))
    for key, record in out.items():
        (line,) = axes[0].plot(record["sharpness_steps"], record["sharpness"], lw=1.5,
                               label=f"lr {record['lr']:g}")
        if record["lr"] != CONTROL_LR:
            axes[0].axhline(record["limit"], color=line.get_color(), ls="--", lw=1)
            # labelled in the right margin, where no curve runs
            axes[0].text(1.01, record["limit"], f"2 / {record['lr']:g}", va="center",
                         color=line.get_color(), fontsize=10,
                         transform=axes[0].get_yaxis_transform())
        axes[1].semilogy(np.arange(len(record["losses"])), record["losses"], lw=1,
                         color=line.get_color(), label=f"lr {record['lr']:g}")
    axes[0].set(title="sharpness (top Hessian eigenvalue); dashed: 2 / lr", xlabel="step",
                ylabel="lambda_max", ylim=(0, 30))
    axes[0].legend(loc="upper right")
    axes[1].set(title="training loss (full batch)", xlabel="step", ylabel="MSE (log)")
    axes[1].legend(loc="upper right")
    run.save(fig, "curvature_edge_of_stability.png")


def main():
    args = parse_args(__doc__)
    run = Run(args, "curvature")
    results = {"linear_regression": linear_regression(run, args)}
    results["newton_1d"] = newton_1d(run)
    results["newton_2d"] = newton_2d(run)
    results["edge_of_stability"] = edge_of_stability(run, args)
    run.finish(results)


if __name__ == "__main__":
    main()
