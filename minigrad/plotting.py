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

import os

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


def save(fig, path, close=True, dpi=None):
    """Lay out ``fig`` (legends outside included), write it to ``path`` and close it unless
    ``close=False``; returns ``path``. ``dpi``: the style's ``savefig.dpi`` (110) unless given
    (a large grid of small panels reads as well at 80 and writes twice as fast)."""
    import warnings

    import matplotlib.pyplot as plt

    if not fig.get_constrained_layout():
        with warnings.catch_warnings():  # "not compatible with tight_layout" for odd axes
            warnings.simplefilter("ignore")
            fig.tight_layout()
    fig.savefig(path, bbox_inches="tight", dpi=dpi)  # None: the style's savefig.dpi
    if close:
        plt.close(fig)
    return path


GIF_COLORS = 127
"""Palette entries of a GIF written by ``save_gif``; index 127 is its transparent colour."""


def save_gif(images, path, fps, exact_colors=(), max_bytes=2_000_000, palette_from=None,
             owner="save_gif"):
    """Write RGB PIL ``images`` as an animated GIF at ``fps`` frames per second, looping.

    Small files for animations over a fixed background: all frames share one palette (the
    colours of ``palette_from``, default the last image, plus ``exact_colors`` -- the
    animated lines' own colours, rare pixels that an adaptive palette would merge into a
    similar background colour), and each frame after the first keeps only the pixels that
    changed; the rest is the transparent index, shown through from the frame before
    (disposal 1). Raises RuntimeError, naming ``owner``, if the file is larger than
    ``max_bytes``. Returns ``path``.
    """
    from matplotlib.colors import to_rgb
    from PIL import Image

    if not images:
        raise ValueError(f"{owner}: no frames to write")
    reserved = len(exact_colors)
    source = images[-1] if palette_from is None else palette_from
    background = source.quantize(colors=GIF_COLORS - reserved, dither=Image.Dither.NONE)
    entries = background.getpalette()[:3 * (GIF_COLORS - reserved)]
    entries += [channel for color in exact_colors
                for channel in (int(round(255 * value)) for value in to_rgb(color))]
    entries += [0, 0, 0] * (GIF_COLORS - len(entries) // 3)  # a short palette is padded
    palette = Image.new("P", (1, 1))
    palette.putpalette(entries)
    indexed = [np.asarray(image.quantize(palette=palette, dither=Image.Dither.NONE))
               for image in images]
    frames = []
    for number, pixels in enumerate(indexed):
        if number:
            pixels = np.where(pixels == indexed[number - 1], GIF_COLORS, pixels).astype(np.uint8)
        frame = Image.fromarray(pixels, "P")
        frame.putpalette(entries + [255, 255, 255])
        frames.append(frame)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=int(round(1000 / fps)),
                   loop=0, disposal=1, transparency=GIF_COLORS, optimize=False)
    size = os.path.getsize(path)
    if size > max_bytes:
        raise RuntimeError(
            f"{owner}: {path} is {size / 1e6:.1f} MB, more than {max_bytes / 1e6:.1f} MB; "
            "use fewer frames or a lower dpi"
        )
    return path
