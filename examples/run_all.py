"""Run every example script, then write out/REPORT.md and out/summary.json (``make demo``).

Usage: ``python examples/run_all.py [--out DIR] [--quick] [--only NAME[,NAME...]] [--list]``

Every ``examples/*.py`` except common.py and run_all.py is run as its own subprocess, exactly
as a user would run it -- ``python examples/<name>.py --out DIR --json DIR/json/<name>.json``
(plus ``--quick`` when given) -- in this fixed order: the issue's numbering, which follows the
course (averages, then the classic experiments, then the schedules and the extensions),

    ewa_temperature, linear_regression, airfoil_d2l, trace_2d, saddle_point, lr_schedules,
    warmup_training, param_groups, torch_style, custom_optimizer, optimizer_race

and after those, alphabetically, any script not in that list (so a new example is never
skipped). ``--only`` runs a subset (same order); ``--list`` prints the order and exits.

While running it prints one progress line per experiment with its time and its checks. Each
script's printed output goes to DIR/logs/<name>.txt and its figures to DIR. Then:

* DIR/REPORT.md: per experiment, the setting (the first two paragraphs of the script's
  docstring),
  a table of its checks -- our number, the source's number where it printed one, the expected
  range and whether we are within it -- and its figures;
* DIR/summary.json: per experiment its exit code, time, check counts and JSON path, plus the
  totals.

Exit status: 0 only if every script exited 0 AND every check of every script passed. A script
that fails, writes no JSON, or has a failed check makes run_all exit 1 (the failure is listed
in REPORT.md and in the progress line), after all the other scripts have still run.
"""

import argparse
import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
NOT_EXAMPLES = {"common.py", "run_all.py"}
ORDER = [
    "ewa_temperature", "linear_regression", "airfoil_d2l", "trace_2d", "saddle_point",
    "lr_schedules", "warmup_training", "param_groups", "torch_style", "custom_optimizer",
    "optimizer_race",
]


def discover(folder=EXAMPLES):
    """The example names in `folder`, in run order: ORDER first, then the rest alphabetically."""
    names = {path.stem for path in folder.glob("*.py") if path.name not in NOT_EXAMPLES}
    known = [name for name in ORDER if name in names]
    return known + sorted(names - set(known))


def setting(script):
    """The first two paragraphs of the script's module docstring -- its title and what it
    runs -- read without running the script."""
    docstring = ast.get_docstring(ast.parse(script.read_text())) or ""
    return "\n\n".join(docstring.split("\n\n")[:2]).strip()


def run_one(name, out, quick):
    """Run examples/<name>.py in a subprocess; return its record for the report and summary."""
    json_path = out / "json" / f"{name}.json"
    log_path = out / "logs" / f"{name}.txt"
    if json_path.exists():
        json_path.unlink()  # a stale JSON must never stand in for a failed run
    command = [sys.executable, str(EXAMPLES / f"{name}.py"), "--out", str(out),
               "--json", str(json_path)] + (["--quick"] if quick else [])
    env = dict(os.environ, MPLBACKEND="Agg")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=EXAMPLES.parent, env=env, capture_output=True,
                               text=True)
    seconds = time.perf_counter() - started
    log_path.write_text(completed.stdout + ("\n--- stderr ---\n" + completed.stderr
                                            if completed.stderr else ""))
    record = {"name": name, "returncode": completed.returncode, "seconds": seconds,
              "json": str(json_path), "log": str(log_path), "checks": [], "figures": [],
              "error": None}
    if completed.returncode != 0:
        record["error"] = f"exited with status {completed.returncode}: " + \
            (completed.stderr.strip().splitlines() or ["(no stderr)"])[-1]
    elif not json_path.exists():
        record["error"] = "wrote no JSON"
    else:
        result = json.loads(json_path.read_text())
        record["checks"] = result.get("checks", [])
        record["figures"] = result.get("figures", [])
    record["passed"] = sum(1 for check in record["checks"] if check["ok"] is True)
    record["failed"] = len(record["checks"]) - record["passed"]
    record["ok"] = record["error"] is None and record["failed"] == 0
    return record


def exit_status(records):
    """0 when every script ran cleanly and every check passed, else 1."""
    return 0 if records and all(record["ok"] for record in records) else 1


def cell(value):
    """A check value as Markdown table text (floats to 6 significant digits, pipes escaped)."""
    if value is None:
        return "--"
    if isinstance(value, bool):
        return "yes" if value else "**NO**"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def write_report(records, out, quick, total_seconds):
    """DIR/REPORT.md: one section per experiment with its setting, checks and figures."""
    passed = sum(record["passed"] for record in records)
    checks = sum(len(record["checks"]) for record in records)
    failing = [record["name"] for record in records if not record["ok"]]
    lines = [
        "# minigrad experiments: report",
        "",
        f"{len(records)} experiments{' (--quick)' if quick else ''}, {total_seconds:.1f} s in "
        f"total; {passed} of {checks} checks within the expected range.",
        "",
        "**All experiments ran and every check passed.**" if not failing else
        f"**Not OK: {', '.join(failing)}.**",
        "",
        "| experiment | time (s) | checks passed | status |",
        "|---|---|---|---|",
    ]
    for record in records:
        status = "ok" if record["ok"] else (record["error"] or "check failed")
        lines.append(f"| [{record['name']}](#{record['name']}) | {record['seconds']:.1f} | "
                     f"{record['passed']}/{len(record['checks'])} | {cell(status)} |")
    for record in records:
        lines += ["", f"## {record['name']}", "",
                  setting(EXAMPLES / f"{record['name']}.py"), "",
                  f"Run: `python examples/{record['name']}.py{' --quick' if quick else ''}` "
                  f"({record['seconds']:.1f} s; output in `{Path(record['log']).name}` under "
                  f"logs/)."]
        if record["error"]:
            lines += ["", f"**FAILED: {cell(record['error'])}**"]
        if record["checks"]:
            lines += ["", "| check | ours | source | expected | within |", "|---|---|---|---|---|"]
            for check in record["checks"]:
                lines.append("| " + " | ".join(cell(check.get(key)) for key in
                                               ("name", "ours", "source", "expected", "ok"))
                             + " |")
        for figure in record["figures"]:
            relative = os.path.relpath(figure, out)
            lines += ["", f"![{Path(figure).stem}]({relative})"]
    (out / "REPORT.md").write_text("\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default="out", help="folder for figures, logs, REPORT.md")
    parser.add_argument("--quick", action="store_true", help="pass --quick to every script")
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
    for index, name in enumerate(names, 1):
        record = run_one(name, out, args.quick)
        records.append(record)
        verdict = "ok" if record["ok"] else "FAILED"
        detail = record["error"] or f"{record['passed']}/{len(record['checks'])} checks"
        print(f"[{index}/{len(names)}] {name:<18} {record['seconds']:6.1f} s  {verdict}  ({detail})",
              flush=True)
    total = time.perf_counter() - started

    write_report(records, out, args.quick, total)
    summary = {
        "quick": args.quick,
        "total_seconds": total,
        "ok": exit_status(records) == 0,
        "experiments": [{key: record[key] for key in
                         ("name", "ok", "returncode", "seconds", "passed", "failed", "error",
                          "json", "log")} for record in records],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"{len(records)} experiments in {total:.1f} s; report: {out / 'REPORT.md'}")
    return exit_status(records)


if __name__ == "__main__":
    sys.exit(main())
