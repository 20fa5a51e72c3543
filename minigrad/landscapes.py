"""Explore landscapes: classic 2-D objectives, optimizer paths on them, and contour plots.

Each objective is a ``Landscape``: call it on a 2-element Tensor to get a scalar Tensor
(so ``backward()`` gives its gradient), or call ``.numpy(X, Y)`` on meshgrids for contours.
It also records its known minima and saddle points and a plotting window::

    import minigrad
    import optimizers
    from minigrad import landscapes

    f = landscapes.rosenbrock
    x = minigrad.tensor(f.start, requires_grad=True)
    path = landscapes.trajectory(optimizers.SGD([x], lr=1e-3, momentum=0.9), f, x, steps=500)
    landscapes.plot_trajectories(f, {"SGD, momentum 0.9": path}, path="rosenbrock.png")

``animate(f, paths, "race.gif")`` makes a GIF of the paths moving together.
``trajectory`` accepts any optimizer with ``zero_grad()`` and ``step()`` that updates the
tensor it is given (minigrad itself never imports ``optimizers``). All landscapes are in
``LANDSCAPES`` by name. matplotlib is imported only inside ``plot_trajectories``.
"""

import math
import os
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .tensor import Tensor




@dataclass(frozen=True)
class Landscape:
    """A 2-D objective with what is known about it.

    - ``name``, ``formula`` (plain text, also at the top of ``function``'s docstring).
    - ``function``: Tensor of shape (2,) -> scalar Tensor, built from minigrad ops so
      ``backward()`` differentiates it. Calling the landscape calls it (after checking the
      input).
    - ``numpy_function``: the same formula on numpy arrays ``(x, y)`` of any equal shape,
      for contour plots; ``.numpy(x, y)`` calls it.
    - ``window``: ``((x_min, x_max), (y_min, y_max))``, where its features are visible.
    - ``minima``, ``saddles``, ``maxima``: known stationary points as ``(x, y)`` tuples
      (to float64 precision where not exact: their gradient is below 1e-8).
    - ``start``: a conventional starting point for optimizer comparisons.
    """

    name: str
    formula: str
    function: Callable
    numpy_function: Callable
    window: tuple
    minima: tuple = ()
    saddles: tuple = ()
    maxima: tuple = ()
    start: tuple = (0.0, 0.0)

    def __call__(self, x):
        if not isinstance(x, Tensor):
            raise TypeError(f"{self.name}: expected a minigrad Tensor of shape (2,), got {type(x).__name__}")
        if x.shape != (2,):
            raise ValueError(f"{self.name}: expected a Tensor of shape (2,) (the point (x, y)), got shape {x.shape}")
        return self.function(x)

    def numpy(self, x, y):
        """The objective on numpy arrays (meshgrids for contours): ``numpy_function(x, y)``."""
        return self.numpy_function(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


# Each formula is written once, on x and y: both scalar Tensors (p[0], p[1] -- backward()
# differentiates it) or both numpy arrays (meshgrids for contours). Only the ops both have
# are used (+ - * **, and `_cos` below).


def _cos(v):
    """cos of a Tensor (an engine op) or of a numpy array."""
    return v.cos() if isinstance(v, Tensor) else np.cos(v)


def _quadratic(x, y):
    """f(x, y) = 0.1 x^2 + 2 y^2: curvatures 0.2 and 4 (condition number 20), so plain
    gradient descent zig-zags along y long before it gets anywhere along x."""
    return 0.1 * x**2 + 2 * y**2


def _saddle(x, y):
    """f(x, y) = x^2 - y^2: a minimum along x, a maximum along y, a saddle at the origin."""
    return x**2 - y**2


def _monkey_saddle(x, y):
    """f(x, y) = x^3 - 3 x y^2: three valleys meet at the origin, where the gradient and
    the Hessian are both zero (a degenerate saddle that second-order tests cannot classify)."""
    return x**3 - 3 * x * y**2


def _rosenbrock(x, y):
    """f(x, y) = (a - x)^2 + b (y - x^2)^2 with a = 1, b = 100: a curved, flat-bottomed
    valley along y = x^2 leading to the minimum f(1, 1) = 0."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _beale(x, y):
    """f(x, y) = (1.5 - x + x y)^2 + (2.25 - x + x y^2)^2 + (2.625 - x + x y^3)^2:
    minimum f(3, 0.5) = 0, saddles at (0, 1) and near (0.1005, -2.6445), steep walls."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _himmelblau(x, y):
    """f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima of value 0, four saddles
    between them and a local maximum near (-0.2708, -0.9230); which minimum an optimizer
    finds depends on where it starts."""
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _rastrigin(x, y):
    """f(x, y) = 2 A + (x^2 - A cos(2 pi x)) + (y^2 - A cos(2 pi y)) with A = 10: a bowl
    covered in ripples, a local minimum near every integer point, the global one f(0, 0) = 0."""
    return 20 + (x**2 - 10 * _cos(2 * math.pi * x)) + (y**2 - 10 * _cos(2 * math.pi * y))


def landscape(name, formula, **known):
    """A ``Landscape`` from one ``formula(x, y)`` written with ops that scalar Tensors and
    numpy arrays share (``+ - * **``; ``cos`` via ``v.cos()`` / ``np.cos``): the Tensor
    function calls it on ``p[0], p[1]``, contours on meshgrids. Its docstring starts
    ``"f(x, y) = <formula>: ..."``; the text up to the colon becomes ``formula``.
    ``known``: ``window``, ``minima``, ``saddles``, ``maxima``, ``start``."""
    text = " ".join(formula.__doc__.split(":")[0].removeprefix("f(x, y) = ").split())

    def function(p):
        return formula(p[0], p[1])

    function.__name__, function.__doc__ = formula.__name__, formula.__doc__
    built = Landscape(name, text, function, formula, **known)
    # The instance's own docstring is its formula's, so help() and __doc__ show the formula.
    object.__setattr__(built, "__doc__", formula.__doc__)
    return built


quadratic = landscape(
    "quadratic", _quadratic,
    # The window and start of the book's show_trace_2d / train_2d (Dive into Deep Learning, ch. 7).
    window=((-5.5, 1.0), (-3.0, 1.0)), minima=((0.0, 0.0),), start=(-5.0, -2.0),
)
saddle = landscape(
    "saddle", _saddle,
    window=((-2.0, 2.0), (-2.0, 2.0)), saddles=((0.0, 0.0),), start=(1.5, 0.01),
)
monkey_saddle = landscape(
    "monkey_saddle", _monkey_saddle,
    window=((-1.5, 1.5), (-1.5, 1.5)), saddles=((0.0, 0.0),), start=(1.0, 0.01),
)
rosenbrock = landscape(
    "rosenbrock", _rosenbrock,
    window=((-2.0, 2.0), (-1.0, 3.0)), minima=((1.0, 1.0),), start=(-1.5, 2.0),
)
beale = landscape(
    "beale", _beale,
    window=((-4.5, 4.5), (-4.5, 4.5)), minima=((3.0, 0.5),),
    # Both found by Newton's method from a grid of starts (the only stationary points in the window).
    saddles=((0.0, 1.0), (0.10053793732415839, -2.644513585023125)), start=(1.0, 1.5),
)
himmelblau = landscape(
    "himmelblau", _himmelblau,
    window=((-5.0, 5.0), (-5.0, 5.0)),
    # Newton's method refined from the published 6-digit values.
    minima=(
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.2831859912861696),
        (3.5844283403304917, -1.8481265269644034),
    ),
    saddles=(
        (0.08667750455539634, 2.884254701174776),
        (-3.0730257507643897, -0.08135304428796751),
        (3.385154183607021, 0.07385187983774928),
        (-0.12796134673068005, -1.9537149802445766),
    ),
    maxima=((-0.2708445906673476, -0.9230385564799815),),
    start=(0.0, 0.0),
)
rastrigin = landscape(
    "rastrigin", _rastrigin,
    # Only the global minimum is listed: there is a local minimum near every integer point.
    window=((-5.12, 5.12), (-5.12, 5.12)), minima=((0.0, 0.0),), start=(2.5, 2.5),
)

LANDSCAPES = {
    landscape.name: landscape
    for landscape in (quadratic, saddle, monkey_saddle, rosenbrock, beale, himmelblau, rastrigin)
}


def get(name):
    """The landscape called ``name`` (a key of ``LANDSCAPES``)."""
    try:
        return LANDSCAPES[name]
    except (KeyError, TypeError):
        raise KeyError(f"no landscape named {name!r}; available: {', '.join(LANDSCAPES)}") from None


def trajectory(optimizer, f, x, steps):
    """Run ``steps`` optimizer steps on ``f(x)`` and return the points visited.

    Each step: ``optimizer.zero_grad()``, ``f(x).backward()``, ``optimizer.step()``. The
    optimizer must update ``x`` (a Tensor of shape (2,) that requires grad) in place or
    by reassigning ``x.data`` -- any object with ``zero_grad()`` and ``step()`` works.
    Returns a ``(steps + 1, 2)`` array, the start first, in ``x``'s dtype.

    If the point becomes non-finite (the optimizer diverged), the run stops there: the
    array ends with that first non-finite point (so it has fewer than ``steps + 1`` rows)
    and a RuntimeWarning says at which step.
    """
    if not isinstance(x, Tensor) or x.shape != (2,):
        got = f"shape {x.shape}" if isinstance(x, Tensor) else type(x).__name__
        raise TypeError(f"trajectory: x must be a minigrad Tensor of shape (2,), got {got}")
    if not x.requires_grad:
        raise ValueError("trajectory: x must have requires_grad=True (the optimizer updates it from x.grad)")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"trajectory: steps must be a non-negative integer, got {steps!r}")
    for method in ("zero_grad", "step"):
        if not callable(getattr(optimizer, method, None)):
            raise TypeError(f"trajectory: the optimizer needs a {method}() method; got {type(optimizer).__name__}")
    if not np.all(np.isfinite(x.data)):
        raise ValueError(f"trajectory: the start point {x.data} is not finite")

    points = [x.data.copy()]
    for step in range(1, int(steps) + 1):
        optimizer.zero_grad()
        if x.grad is not None and np.any(x.grad != 0):
            raise RuntimeError(
                "trajectory: optimizer.zero_grad() did not clear x.grad; is x among the "
                "optimizer's parameters?"
            )
        value = f(x)
        if not isinstance(value, Tensor) or value.numel() != 1:
            got = f"a Tensor of shape {value.shape}" if isinstance(value, Tensor) else type(value).__name__
            raise TypeError(f"trajectory: f(x) must return a one-element Tensor, got {got}")
        value.backward()
        if x.grad is None:
            raise RuntimeError("trajectory: f(x) does not depend on x (x.grad stayed None after backward)")
        optimizer.step()
        points.append(x.data.copy())
        if not np.all(np.isfinite(points[-1])):
            warnings.warn(
                f"trajectory: the point became non-finite ({points[-1]}) at step {step} of {steps}; "
                f"stopped there, returning {len(points)} points",
                RuntimeWarning,
                stacklevel=2,
            )
            break
    return np.array(points)


def contour_levels(z, count=30):
    """Contour levels for the values ``z``: log-spaced where they span decades, else even.

    If ``z`` is non-negative and its maximum is at least 100 times its 1st percentile of
    positive values, the levels are ``count`` geometric steps between those two (narrow
    valleys such as Rosenbrock's then get contours); otherwise ``count`` evenly spaced
    levels strictly inside (min, max). Returns ``(levels, is_log)``.
    """
    finite = np.asarray(z, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise ValueError("contour_levels: no finite values")
    low, high = finite.min(), finite.max()
    if low >= 0 and high > 0:
        floor = max(np.percentile(finite[finite > 0], 1), high * 1e-12)
        if high / floor >= 100:
            return np.geomspace(floor, high, count), True
    if high == low:
        return np.array([low]), False
    return np.linspace(low, high, count + 2)[1:-1], False


def plot_trajectories(f, paths, path=None, ax=None, window=None, levels=30, title=None, resolution=300):
    """Contours of the landscape ``f`` with optimizer paths on top; return the Figure.

    ``f`` is a ``Landscape`` (or its name); ``paths`` maps a legend label to an (n, 2)
    array such as ``trajectory`` returns (non-finite rows are left out). Contours use
    ``contour_levels`` over ``window`` (default ``f.window``; paths leaving it are clipped);
    known minima are marked with stars, saddles with crosses, maxima with triangles. Each
    path is drawn with a marker per step, its start circled.

    Without ``ax`` a new figure is made; with ``path`` it is saved (format from the
    extension) and closed. With ``ax`` the drawing goes there and the caller owns the
    figure: ``path`` then saves the whole figure without closing it.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    if isinstance(f, str):
        f = get(f)
    if not isinstance(f, Landscape):
        raise TypeError(f"plot_trajectories: f must be a Landscape or its name, got {type(f).__name__}")
    if not hasattr(paths, "items"):
        raise TypeError(f"plot_trajectories: paths must be a mapping {{label: (n, 2) array}}, got {type(paths).__name__}")
    checked = {}
    for label, points in paths.items():
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
            raise ValueError(f"plot_trajectories: path {label!r} must be an (n, 2) array with n >= 1, got shape {points.shape}")
        checked[label] = points[np.all(np.isfinite(points), axis=1)]
    (x_min, x_max), (y_min, y_max) = window if window is not None else f.window

    owns_figure = ax is None
    if owns_figure:
        fig, ax = plt.subplots(figsize=(6.4, 5.2))
    else:
        fig = ax.figure
    grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))
    grid_z = f.numpy(grid_x, grid_y)
    contour_at, is_log = contour_levels(grid_z, levels)
    norm = LogNorm(contour_at[0], contour_at[-1]) if is_log else None
    ax.contour(grid_x, grid_y, grid_z, levels=contour_at, cmap="viridis", norm=norm, linewidths=0.6)

    for points, marker, label in ((f.minima, "*", "minimum"), (f.saddles, "X", "saddle point"),
                                  (f.maxima, "^", "maximum")):
        if points:
            xs, ys = zip(*points)
            ax.scatter(xs, ys, marker=marker, s=110, c="gold", edgecolors="black", linewidths=0.7,
                       zorder=4, label=label)
    for label, points in checked.items():
        (line,) = ax.plot(points[:, 0], points[:, 1], "-o", ms=2.5, lw=1.1, label=label, zorder=3)
        if len(points):
            ax.plot(points[0, 0], points[0, 1], "o", ms=8, mfc="none", mec=line.get_color(),
                    color=line.get_color(), zorder=3)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title if title is not None else f"{f.name}: {f.formula}")
    ax.legend(loc="best")
    if path is not None:
        fig.savefig(path, dpi=120, bbox_inches="tight")
        if owns_figure:
            plt.close(fig)
    return fig


_PATH_COLORS = ("#e41a1c", "#000000", "#ff7f00", "#984ea3", "#377eb8", "#a65628", "#f781bf",
                "#4daf4a", "#999999", "#17becf")  # distinct from the viridis contours


def animate(f, paths, path, frames=60, fps=15, window=None, title=None, dpi=80, max_bytes=2_000_000):
    """Animate optimizers moving together on the landscape ``f``; write a GIF to ``path``.

    ``paths`` maps a label to an (n, 2) array (``trajectory``'s output; paths may differ in
    length, a shorter one -- a diverged or finished run -- stays at its last finite point).
    The contours and known stationary points are drawn once, as in ``plot_trajectories``;
    each frame then shows every path up to the current step with a dot at its head, the
    step counter, and each optimizer's current loss f(x, y) in the legend. ``frames``
    frames are taken at evenly spaced steps from 0 to the longest path's last step (every
    step when there are fewer), shown at ``fps`` frames per second: the default 60 frames
    at 15 fps last 4 s. Returns ``path``.

    How it stays small and fast: the contours are rendered once and every frame only
    redraws the paths over that background (blitting), and the frames are written by
    ``plotting.save_gif`` (one shared palette, only the changed pixels per frame).
    (matplotlib's own ``PillowWriter`` re-renders the contours for every frame and gives
    each frame its own palette: ~3x slower and ~20x larger here.) Raises RuntimeError if the
    file is larger than ``max_bytes`` (default 2 MB): lower ``frames`` or ``dpi``.
    """
    import matplotlib.pyplot as plt

    from . import plotting

    if isinstance(f, str):
        f = get(f)
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ValueError(f"animate: frames must be a positive integer, got {frames!r}")
    if not fps > 0:
        raise ValueError(f"animate: fps must be positive, got {fps!r}")
    finite = _finite_paths(paths)
    render, fig = _blitted_renderer(f, finite, window, title, dpi)
    last = max(len(points) for points in finite.values()) - 1
    steps = np.unique(np.round(np.linspace(0, last, min(frames, last + 1))).astype(int))
    # The palette comes from the fullest frame: every path drawn to its end.
    fullest = render(last, last)
    images = [render(step, last) for step in steps]
    plt.close(fig)
    plotting.save_gif(images, path, fps=fps, exact_colors=_PATH_COLORS, max_bytes=max_bytes,
                      palette_from=fullest, owner="animate")
    return path


def _finite_paths(paths):
    """{label: (n, 2) float array} cut at each path's first non-finite point; raises on bad input."""
    if not hasattr(paths, "items") or not paths:
        raise ValueError("animate: paths must be a non-empty mapping {label: (n, 2) array}")
    finite = {}
    for label, points in paths.items():
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
            raise ValueError(f"animate: path {label!r} must be an (n, 2) array with n >= 1, got shape {points.shape}")
        keep = np.all(np.isfinite(points), axis=1)
        finite[label] = points if keep.all() else points[:np.argmin(keep)]
        if len(finite[label]) == 0:
            raise ValueError(f"animate: path {label!r} has no finite point")
    return finite


def _blitted_renderer(f, finite, window, title, dpi):
    """The contour figure drawn once, and render(step, last) -> RGB image of the paths up to
    ``step`` drawn over it (blitting: only the paths, heads, legend and counter are redrawn)."""
    from PIL import Image

    fig = plot_trajectories(f, {}, window=window, title=title)
    fig.set_dpi(dpi)
    ax = fig.axes[0]
    lines, heads = {}, {}
    for number, label in enumerate(finite):
        color = _PATH_COLORS[number % len(_PATH_COLORS)]
        (lines[label],) = ax.plot([], [], "-", lw=1.6, color=color, label=label, zorder=3,
                                  animated=True)
        (heads[label],) = ax.plot([], [], "o", ms=6, color=color, zorder=5, animated=True)
    legend = ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    legend.set_animated(True)
    texts = dict(zip(finite, legend.get_texts()[-len(finite):]))
    counter = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", fontsize=10, animated=True,
                      bbox=dict(boxstyle="round", fc="white", alpha=0.8))
    width, height = fig.get_size_inches()
    fig.set_size_inches(width + 2.8, height)
    fig.subplots_adjust(left=0.09, right=0.62, bottom=0.1, top=0.92)
    fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)

    def render(step, last):
        fig.canvas.restore_region(background)
        for label, points in finite.items():
            shown = points[:min(step, len(points) - 1) + 1]
            lines[label].set_data(shown[:, 0], shown[:, 1])
            heads[label].set_data(shown[-1:, 0], shown[-1:, 1])
            loss = float(f.numpy(shown[-1, 0], shown[-1, 1]))
            texts[label].set_text(f"{label}: f = {loss:.3g}")
            ax.draw_artist(lines[label])
            ax.draw_artist(heads[label])
        counter.set_text(f"step {step} / {last}")
        ax.draw_artist(counter)
        ax.draw_artist(legend)
        return Image.frombuffer("RGBA", fig.canvas.get_width_height(),
                                bytes(fig.canvas.buffer_rgba()), "raw", "RGBA", 0, 1).convert("RGB")

    return render, fig
