"""The one figure style of the project: the examples, the docs' figures and the gallery use it.

Figures are read at the README's width (about 450 px per gallery image) and on the report
page, so fonts are large for their figure size, legends sit outside the data (or where they
hide nothing) and an axis whose values span more than two decades is logarithmic::

    from minigrad import plotting
    plotting.use_style()                      # once, before making figures
    fig, ax = plt.subplots()
    ax.plot(steps, losses, label="SGD")
    plotting.log_scale_if_spanning_decades(ax, losses)
    plotting.legend_outside(ax)
    plotting.save(fig, "out/loss.png")

matplotlib is imported only inside these functions, so ``import minigrad`` stays fast.
"""

import numpy as np

# Sizes in points for figures about 6-13 inches wide shown at 450-900 px.
STYLE = {
    "font.size": 12,
    "axes.titlesize": 12.5,
    "axes.labelsize": 12,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10,
    "legend.framealpha": 0.85,
    "figure.titlesize": 13.5,
    "lines.linewidth": 1.8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "savefig.dpi": 110,
}

DECADES_FOR_LOG = 2.0


def use_style():
    """Apply ``STYLE`` to matplotlib's rcParams (every figure made afterwards uses it)."""
    import matplotlib

    matplotlib.rcParams.update(STYLE)


def spans_decades(values, decades=DECADES_FOR_LOG):
    """Whether the positive finite ``values`` span more than ``decades`` powers of ten
    (max / min > 10**decades): such values need a log axis to be read."""
    values = np.asarray(values, dtype=float).ravel()
    positive = values[np.isfinite(values) & (values > 0)]
    return positive.size > 1 and positive.max() / positive.min() > 10.0 ** decades


def log_scale_if_spanning_decades(ax, values, axis="y", decades=DECADES_FOR_LOG):
    """Set ``ax``'s ``axis`` ("x" or "y") to a log scale when ``values`` span more than
    ``decades`` decades and are all >= 0 (zeros are left out of a log axis); returns whether
    it did."""
    values = np.asarray(values, dtype=float).ravel()
    finite = values[np.isfinite(values)]
    if finite.size and finite.min() >= 0 and spans_decades(finite, decades):
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
        return True
    return False


def legend_outside(ax, where="right", **kwargs):
    """Put ``ax``'s legend outside its data: to the right of the axes (``where="right"``)
    or below them (``where="below"``, in columns); returns the legend."""
    if where == "right":
        return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                         **kwargs)
    if where == "below":
        kwargs.setdefault("ncol", 3)
        return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), borderaxespad=0.0,
                         **kwargs)
    raise ValueError(f"legend_outside: where must be 'right' or 'below', got {where!r}")


def save(fig, path, close=True):
    """Lay out ``fig`` (legends outside included), write it to ``path`` and close it unless
    ``close=False``; returns ``path``."""
    import warnings

    import matplotlib.pyplot as plt

    if not fig.get_constrained_layout():
        with warnings.catch_warnings():  # "not compatible with tight_layout" for odd axes
            warnings.simplefilter("ignore")
            fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")
    if close:
        plt.close(fig)
    return path
