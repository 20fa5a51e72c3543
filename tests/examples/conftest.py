"""Shared helper for the example tests: run a script of examples/ and read back its JSON.

    def test_something(run_example):
        result = run_example("airfoil_d2l", "--only", "adam")   # --quick is always passed
        assert ...result["checks"]...

The script runs as users run it -- ``python examples/<name>.py --quick --out TMP --json
TMP/<name>.json`` in a subprocess, from the repository root, with the Agg backend -- so the
test exercises the command line, the printing and the figure saving, not just functions.
A script that exits non-zero fails the test with its stdout and stderr in the message.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def run_script(script, args, timeout=120):
    """Run ``examples/<script>`` with ``args`` from the repo root; return the CompletedProcess."""
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )


def run_example_in(out, name, *args):
    """Run ``examples/<name>.py --quick *args`` writing under ``out``; return its parsed JSON.

    Added keys: ``result["_checks"]`` maps each check's name to its entry of
    ``result["checks"]``; ``result["_out"]`` is ``out`` (a Path); the script's stdout and
    stderr are ``result["_stdout"]`` and ``result["_stderr"]``.
    """
    json_path = out / f"{name}.json"
    completed = run_script(
        f"{name}.py", ["--quick", "--out", str(out), "--json", str(json_path), *args]
    )
    if completed.returncode != 0:
        pytest.fail(
            f"examples/{name}.py exited with {completed.returncode}\n"
            f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
        )
    result = json.loads(json_path.read_text())
    names = [entry["name"] for entry in result.get("checks", [])]
    if len(set(names)) != len(names):
        pytest.fail(f"examples/{name}.py has duplicate check names: {names}")
    result["_checks"] = {entry["name"]: entry for entry in result.get("checks", [])}
    result["_out"] = out
    result["_stdout"] = completed.stdout
    result["_stderr"] = completed.stderr
    return result


@pytest.fixture
def run_example(tmp_path):
    """``run_example(name, *args)`` -> ``run_example_in`` with a fresh folder per test."""
    return lambda name, *args: run_example_in(tmp_path / name, name, *args)


@pytest.fixture(scope="module")
def run_example_once(tmp_path_factory):
    """The same for module-scoped fixtures: one run of a script shared by a whole test module."""
    return lambda name, *args: run_example_in(tmp_path_factory.mktemp(name), name, *args)
