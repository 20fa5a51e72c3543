"""What every example script shares: its command line, where figures go, and its JSON summary.

Every script accepts the same options:

    --out DIR     where figures (PNG) go; default ``out/``
    --seed N      seed of every random draw (minigrad.manual_seed and numpy generators)
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
              ok=np.isfinite(last))
    run.finish({"beta_0.9_last": last})

``Run.finish`` writes the JSON (if asked), and shows the windows when ``--show`` was given.
``Run.check`` collects the JSON's ``"checks"`` list, which examples/run_all.py puts in REPORT.md.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

# Figures go to files unless --show asks for windows; choose the backend before pyplot loads.
if "--show" not in sys.argv:
    import matplotlib

    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import minigrad  # noqa: E402


def parse_args(description, argv=None, extra=None):
    """Parse the shared options (and ``extra(parser)``'s own) from ``argv`` or sys.argv."""
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
    return parser.parse_args(argv)


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


class Run:
    """One execution of an example: seeds the generators, saves figures, writes the JSON."""

    def __init__(self, args, name):
        self.args = args
        self.name = name
        self.out = Path(args.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.figures = []
        self.checks = []
        minigrad.manual_seed(args.seed)
        self.rng = np.random.default_rng(args.seed)

    def figure(self, *args, **kwargs):
        """``plt.subplots`` with the given layout; the figure is tracked for saving/showing."""
        return plt.subplots(*args, **kwargs)

    def save(self, fig, filename):
        """Write ``fig`` under --out as ``filename`` and return the path."""
        fig.tight_layout()
        path = self.out / filename
        fig.savefig(path, dpi=110)
        self.figures.append(str(path))
        if not self.args.show:
            plt.close(fig)
        return path

    def check(self, name, ours, source, expected, ok):
        """Record one comparison for the JSON's ``"checks"`` list and return ``ok``.

        name: what is compared; ours: our number (or label); source: the source's printed
        number, or None where it printed none; expected: the criterion in words ("in
        [0.2417, 0.256]"); ok: whether ``ours`` meets it -- computed by the caller, never a
        literal.
        """
        ok = bool(ok)
        self.checks.append(
            {"name": name, "ours": ours, "source": source, "expected": expected, "ok": ok}
        )
        return ok

    def finish(self, results):
        """Write ``results`` (plus the figure paths and the recorded checks) to --json if
        given; show windows if --show."""
        results = dict(results)
        results.setdefault("figures", self.figures)
        if self.checks:
            results.setdefault("checks", self.checks)
        if self.args.json:
            json_path = Path(self.args.json)
            if json_path.parent and not json_path.parent.exists():
                os.makedirs(json_path.parent, exist_ok=True)
            json_path.write_text(json.dumps(to_jsonable(results), indent=2) + "\n")
        if self.args.show:
            plt.show()
        return results
