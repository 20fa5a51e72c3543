"""Run every example script, then write the report: out/REPORT.md, out/index.html, out/summary.json.

Usage: ``python examples/run_all.py [--out DIR] [--seed N] [--jobs N] [--quick] [--only NAME[,NAME...]] [--list]``

Every experiment is a script ``examples/<name>.py`` that uses ``common.Run`` (its checks,
tables and figures travel to the report through its ``--json`` file). Each runs as its own
subprocess, exactly as a user would run it -- ``python examples/<name>.py --out DIR --seed N
--json DIR/json/<name>.json`` (plus ``--quick`` when given), ``--jobs`` of them at a time
(default: one per core); the report keeps the order of ``EXPERIMENTS`` below, which follows
the course: averages, then the classic experiments, then the schedules and the extensions.

Adding an experiment is one line: append its name to ``EXPERIMENTS``. (A script left out of
the list still runs, after the listed ones, alphabetically, so none is ever skipped.)
``--only`` runs a subset (same order); ``--list`` prints the order and exits.

While running it prints one aligned progress line per experiment with its time and its checks.
Each script's printed output goes to DIR/logs/<name>.txt and its figures to DIR. Then:

* DIR/REPORT.md: per experiment its setting (the script's docstring: what is run, with which
  data and hyperparameters, from which source), a table of its checks -- quantity, the
  source's number where it printed one, ours with its unit, the accepted range, why this range
  and whether we are within it -- its result tables and its figures;
* DIR/index.html: the same report as one self-contained page (figures embedded);
* DIR/summary.json: per experiment its exit code, time, check counts and JSON path, plus the
  totals.

Exit status: 0 only if every script exited 0 AND every check of every script passed. A script
that fails, writes no JSON, or has a failed check makes run_all exit 1 (the failure is listed
in the report and in the progress line), after all the other scripts have still run.
"""

import argparse
import ast
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import report

EXAMPLES = Path(__file__).resolve().parent
HELPERS = {"common.py", "run_all.py", "report.py"}

# The experiments, in the order of the report. One line per experiment.
EXPERIMENTS = [
    "ewa_temperature",
    "linear_regression",
    "airfoil_d2l",
    "trace_2d",
    "saddle_point",
    "curvature",
    "lr_schedules",
    "warmup_training",
    "param_groups",
    "torch_style",
    "custom_optimizer",
    "optimizer_race",
    "explain_step",
    "backprop_walkthrough",
    "micrograd_demo",
    "digits",
]


LONGEST_FIRST = ("optimizer_race", "backprop_walkthrough", "digits", "curvature")
"""The scripts that take longest (measured: 49, 11, 11 and 10 s of the ~120 s CPU time of a
full run), started before the rest."""


def start_order(names):
    """``names`` with the LONGEST_FIRST ones moved to the front (the report keeps ``names``'
    order)."""
    return [name for name in LONGEST_FIRST if name in names] + \
        [name for name in names if name not in LONGEST_FIRST]


def discover(folder=EXAMPLES):
    """The example names in `folder`, in run order: EXPERIMENTS first, then the rest
    alphabetically."""
    names = {path.stem for path in folder.glob("*.py") if path.name not in HELPERS}
    known = [name for name in EXPERIMENTS if name in names]
    return known + sorted(names - set(known))


def docstring(name):
    """The module docstring of examples/<name>.py, read without running the script."""
    return ast.get_docstring(ast.parse((EXAMPLES / f"{name}.py").read_text())) or ""


def run_one(name, out, quick, seed):
    """Run examples/<name>.py in a subprocess; return its record for the report and summary."""
    json_path = out / "json" / f"{name}.json"
    log_path = out / "logs" / f"{name}.txt"
    if json_path.exists():
        json_path.unlink()  # a stale JSON must never stand in for a failed run
    command = [sys.executable, str(EXAMPLES / f"{name}.py"), "--out", str(out),
               "--seed", str(seed), "--json", str(json_path)] + (["--quick"] if quick else [])
    env = dict(os.environ, MPLBACKEND="Agg")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=EXAMPLES.parent, env=env, capture_output=True,
                               text=True)
    seconds = time.perf_counter() - started
    log_path.write_text(completed.stdout + ("\n--- stderr ---\n" + completed.stderr
                                            if completed.stderr else ""))
    record = {"name": name, "returncode": completed.returncode, "seconds": seconds,
              "json": str(json_path), "log": str(log_path), "checks": [], "figures": [],
              "tables": [], "error": None}
    result = json.loads(json_path.read_text()) if json_path.exists() else None
    if result is not None:
        record["checks"] = result.get("checks", [])
        record["figures"] = result.get("figures", [])
        record["tables"] = result.get("tables", [])
    record["passed"] = sum(1 for check in record["checks"] if check["ok"] is True)
    record["failed"] = len(record["checks"]) - record["passed"]
    if result is None:
        record["error"] = (f"exited with status {completed.returncode}: " + (
            completed.stderr.strip().splitlines() or ["(no stderr)"])[-1]
            if completed.returncode != 0 else "wrote no JSON")
    elif completed.returncode != 0 and record["failed"] == 0:
        record["error"] = f"exited with status {completed.returncode} with every check passed"
    record["ok"] = record["error"] is None and record["failed"] == 0 and completed.returncode == 0
    return record


def shown(path):
    """``path`` relative to the working directory when it lies below it, else absolute."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def exit_status(records):
    """0 when every script ran cleanly and every check passed, else 1."""
    return 0 if records and all(record["ok"] for record in records) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default="out", help="folder for figures, logs and the report")
    parser.add_argument("--seed", type=int, default=0,
                        help="passed to every script (default: 0; every check holds for 0-19)")
    parser.add_argument("--quick", action="store_true", help="pass --quick to every script")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="scripts run at the same time (default: the number of cores)")
    parser.add_argument("--only", default=None,
                        help="comma-separated example names to run (default: all)")
    parser.add_argument("--list", action="store_true", help="print the run order and exit")
    args = parser.parse_args(argv)

    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"unknown example(s) {unknown}; available: {names}")
        names = [name for name in names if name in wanted]

    out = Path(args.out).resolve()  # the scripts run from the repository root
    for folder in (out, out / "json", out / "logs"):
        folder.mkdir(parents=True, exist_ok=True)
    records = []
    started = time.perf_counter()
    counter_width = len(f"[{len(names)}/{len(names)}]")
    name_width = max(len(name) for name in names) if names else 0
    # Each script is one single-threaded process: --jobs of them at a time use the cores, and
    # the progress lines still come in the report's order.
    # The longest scripts start first, so that no core idles at the end while one of them
    # still runs (at 2 cores this saves ~10 s of `make demo`).
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {name: pool.submit(run_one, name, out, args.quick, args.seed)
                   for name in start_order(names)}
        pending = [futures[name] for name in names]
        for index, (name, future) in enumerate(zip(names, pending), 1):
            record = future.result()
            records.append(record)
            verdict = "ok    " if record["ok"] else "FAILED"
            detail = f"{record['passed']:3d}/{len(record['checks']):<3d} checks passed"
            if record["error"]:
                detail += f"; {record['error']}"
            print(f"{f'[{index}/{len(names)}]':<{counter_width}} {name:<{name_width}} "
                  f"{record['seconds']:6.1f} s  {verdict} {detail}", flush=True)
    total = time.perf_counter() - started

    settings = {record["name"]: docstring(record["name"]) for record in records}
    context = {"quick": args.quick, "seed": args.seed, "total_seconds": total}
    report.write_markdown(records, settings, out, context)
    report.write_html(records, settings, out, context)
    summary = {
        "quick": args.quick,
        "seed": args.seed,
        "total_seconds": total,
        "ok": exit_status(records) == 0,
        "experiments": [{key: record[key] for key in
                         ("name", "ok", "returncode", "seconds", "passed", "failed", "error",
                          "json", "log")} for record in records],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    passed = sum(record["passed"] for record in records)
    checks = sum(len(record["checks"]) for record in records)
    print(f"{len(records)} experiments in {total:.1f} s, {passed}/{checks} checks passed; "
          f"report: {shown(out / 'REPORT.md')} and {shown(out / 'index.html')}")
    return exit_status(records)


if __name__ == "__main__":
    sys.exit(main())
