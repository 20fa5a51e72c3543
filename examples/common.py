"""What every example script shares: its command line, its figures, its checks and its verdict.

Every script accepts the same options:

    --out DIR     where figures (PNG) go; default ``out/``
    --seed N      seed of every random draw (minigrad.manual_seed and numpy generators);
                  every check holds for any seed 0-19 (its accepted range says how it was measured)
    --quick       a smaller run, used by the test suite
    --show        open the figures in windows at the end (otherwise files only, Agg backend)
    --json PATH   write the script's key results, machine-readable

A script does::

    from common import parse_args, Run
    args = parse_args(__doc__)
    run = Run(args, "ewa_temperature")
    fig, ax = run.figure()
    ...
    run.save(fig, "ewa_temperature.png")
    run.check("last value, beta 0.9", ours=last, source=None, expected="finite",
              ok=np.isfinite(last), unit="degrees", why="a sum of finite numbers")
    run.table("steps to tolerance", ["optimizer", "steps"], rows, note="...")
    run.finish({"beta_0.9_last": last})

``Run.finish`` prints every check and "N/M checks passed", writes the JSON (if asked), shows
the windows when ``--show`` was given, and exits with status 1 when a check failed -- so a
script run alone gives its verdict, and examples/run_all.py puts the same checks and tables in
out/REPORT.md and out/index.html.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np


def _display_available():
    """Whether figure windows can open: a display on Linux/BSD; macOS and Windows always have one."""
    if sys.platform.startswith(("darwin", "win")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# Figures go to files unless --show asks for windows (and a display exists to show them);
# choose the backend before pyplot loads.
WINDOWS = "--show" in sys.argv and _display_available()
if not WINDOWS:
    import matplotlib

    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import minigrad  # noqa: E402
from minigrad import plotting  # noqa: E402

plotting.use_style()


def parse_args(description, argv=None, extra=None):
    """Parse the shared options (and ``extra(parser)``'s own) from ``argv`` or sys.argv.

    ``--show`` without a display prints that the figures go to files only, instead of
    silently showing nothing.
    """
    parser = argparse.ArgumentParser(
        description=(description or "").strip().splitlines()[0] if description else None
    )
    parser.add_argument("--out", default="out", help="folder for figures (default: out/)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--quick", action="store_true", help="a smaller run, for the tests")
    parser.add_argument("--show", action="store_true", help="open figure windows at the end")
    parser.add_argument("--json", default=None, help="write the key results to this JSON file")
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    if args.show and not _display_available():
        print("--show: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so no windows "
              f"open; the figures are saved under {args.out}/ as usual.")
        args.show = False
    return args


def to_jsonable(value):
    """Convert numpy scalars/arrays (possibly nested in dicts/lists) to plain JSON values."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)  # JSON has no NaN/inf; keep them readable
    return value


def format_value(value):
    """A check's value as one line of text: floats to 6 significant digits, lists joined."""
    if value is None:
        return "--"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(format_value(item) for item in value)
    return str(value)


class Run:
    """One execution of an example: seeds the generators, makes and saves figures, collects
    checks and tables, and gives the verdict."""

    def __init__(self, args, name):
        self.args = args
        self.name = name
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.figures = []
        self.checks = []
        self.tables = []
        self._unsaved = []
        minigrad.manual_seed(args.seed)
        self.rng = np.random.default_rng(args.seed)

    def figure(self, *args, **kwargs):
        """``plt.subplots`` with the given layout, in the shared style; the figure is tracked
        until ``save`` writes it, and ``finish`` refuses to end with a figure never saved."""
        fig, axes = plt.subplots(*args, **kwargs)
        self._unsaved.append(fig)
        return fig, axes

    def save(self, fig, filename, dpi=None):
        """Write ``fig`` under --out as ``filename`` and return the path (closed unless --show);
        ``dpi`` as in ``plotting.save``."""
        path = plotting.save(fig, self.out / filename, close=not self.args.show, dpi=dpi)
        self.figures.append(str(path))
        if fig in self._unsaved:
            self._unsaved.remove(fig)
        return path

    def add_figure(self, path):
        """Record a file the script wrote itself (an animated GIF from ``landscapes.animate``)
        so that the report shows it with the saved figures; returns ``path``."""
        self.figures.append(str(path))
        return path

    def check(self, name, ours, source, expected, ok, *, unit, why):
        """Record one comparison and return ``ok``.

        name: the quantity compared; ours: our number (or label); source: the source's
        printed number, or None where it printed none; expected: the accepted range in words
        ("in [0.2417, 0.256]"); ok: whether ``ours`` is in it -- computed by the caller, never
        a literal; unit: what ``ours`` is measured in ("steps", "relative deviation", "mean
        squared loss / 2"); why: why the range is what it is (rounding only, the spread
        measured over seeds 0-19, where and why we differ from the source). unit and why are
        required: a report row without them leaves the reader guessing.
        """
        ok = bool(ok)
        self.checks.append({"name": name, "ours": ours, "source": source, "expected": expected,
                            "ok": ok, "unit": unit, "why": why})
        return ok

    def table(self, title, columns, rows, note=None):
        """Record a table of results (printed, and rendered in the report): ``columns`` are
        the headers, ``rows`` lists of cells; ``note`` explains what the numbers show."""
        rows = [[format_value(cell) for cell in row] for row in rows]
        self.tables.append({"title": title, "columns": list(columns), "rows": rows, "note": note})
        widths = [max(len(str(c)), *(len(row[i]) for row in rows)) if rows else len(str(c))
                  for i, c in enumerate(columns)]
        print(f"\n{title}")
        for row in [list(columns)] + rows:
            print("  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
        if note:
            print(f"  ({note})")

    def print_checks(self):
        """Print every check, one line each, then "N/M checks passed"; return the failed ones."""
        print("\nchecks:")
        for check in self.checks:
            unit = f" {check['unit']}" if check.get("unit") else ""
            print(f"  {'ok  ' if check['ok'] else 'FAIL'}  {check['name']}: "
                  f"{format_value(check['ours'])}{unit} (accepted: {check['expected']})")
        failed = [check["name"] for check in self.checks if not check["ok"]]
        print(f"{len(self.checks) - len(failed)}/{len(self.checks)} checks passed"
              + (f"; failed: {'; '.join(failed)}" if failed else ""))
        return failed

    def finish(self, results):
        """Print the checks and the verdict, write ``results`` (plus figure paths, checks and
        tables) to --json if given, show windows if --show; exit with status 1 if a check
        failed (after writing the JSON, so the report can show which)."""
        if self._unsaved:
            raise RuntimeError(f"{self.name}: {len(self._unsaved)} figure(s) made by "
                               "Run.figure were never saved with Run.save")
        failed = self.print_checks()
        results = dict(results)
        results.setdefault("figures", self.figures)
        results.setdefault("checks", self.checks)
        results.setdefault("tables", self.tables)
        results.setdefault("seed", self.args.seed)
        if self.args.json:
            json_path = Path(self.args.json)
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(to_jsonable(results), indent=2) + "\n")
        if self.args.show:
            plt.show()
        if failed:
            sys.exit(1)
        return results
