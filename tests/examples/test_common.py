"""examples/common.py: a script run alone prints its checks and its verdict, and its exit
status says whether every check passed; --show without a display says so."""

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SCRIPT = '''
import sys
sys.path.insert(0, {examples!r})
from common import Run, parse_args
args = parse_args("A tiny experiment.", extra=lambda parser: parser.add_argument("value", type=float))
run = Run(args, "tiny")
fig, ax = run.figure()
ax.plot([1, 2, 3])
run.save(fig, "tiny.png")
value = args.value
run.check("value", ours=value, source=0.5, expected="< 1", ok=value < 1, unit="metres",
          why="the test decides")
run.table("a table", ["a", "b"], [[1, 2.0]], note="a note")
run.finish({{}})
'''


def run_tiny(tmp_path, *args, display=None):
    script = tmp_path / "tiny.py"
    script.write_text(SCRIPT.format(examples=str(EXAMPLES)))
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    return subprocess.run([sys.executable, str(script), "--out", str(tmp_path), *args],
                          env=env, capture_output=True, text=True, timeout=60)


def test_passing_checks_print_the_verdict_and_exit_0(tmp_path):
    completed = run_tiny(tmp_path, "--json", str(tmp_path / "tiny.json"), "0.25")
    assert completed.returncode == 0, completed.stderr
    assert "ok    value: 0.25 metres (accepted: < 1)" in completed.stdout
    assert completed.stdout.rstrip().endswith("1/1 checks passed")
    result = json.loads((tmp_path / "tiny.json").read_text())
    assert result["checks"][0]["unit"] == "metres" and result["checks"][0]["why"]
    assert result["tables"][0]["rows"] == [["1", "2"]]
    assert (tmp_path / "tiny.png").exists()


def test_a_failed_check_exits_1_after_writing_the_json(tmp_path):
    completed = run_tiny(tmp_path, "--json", str(tmp_path / "tiny.json"), "2.5")
    assert completed.returncode == 1
    assert "FAIL  value: 2.5 metres" in completed.stdout
    assert "0/1 checks passed; failed: value" in completed.stdout
    assert json.loads((tmp_path / "tiny.json").read_text())["checks"][0]["ok"] is False


def test_show_without_a_display_says_so_and_still_saves(tmp_path):
    completed = run_tiny(tmp_path, "--show", "0.25")
    if sys.platform.startswith(("darwin", "win")):
        return  # a display always exists there
    assert completed.returncode == 0, completed.stderr
    assert "--show: no display found" in completed.stdout
    assert (tmp_path / "tiny.png").exists()
