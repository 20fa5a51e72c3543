"""examples/run_all.py (`make demo`): discovery, the report, the summary and the exit status.

Running every script (even with --quick) takes ~20 s, too long for the suite; each script has
its own test, so here run_all runs a subset through --only, and its report and exit status are
tested in-process on records with failures.
"""

import base64
import importlib.util
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

sys.path.insert(0, str(EXAMPLES))  # run_all imports its sibling modules common and report
spec = importlib.util.spec_from_file_location("run_all", EXAMPLES / "run_all.py")
run_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_all)


def run_script(script, args):
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_list_names_every_example_script_in_the_documented_order():
    completed = run_script("run_all.py", ["--list"])
    assert completed.returncode == 0, completed.stderr
    listed = completed.stdout.split()
    on_disk = sorted(p.stem for p in EXAMPLES.glob("*.py") if p.name not in run_all.HELPERS)
    assert sorted(listed) == on_disk
    known = [name for name in listed if name in run_all.EXPERIMENTS]
    assert listed[:len(known)] == sorted(known, key=run_all.EXPERIMENTS.index)
    assert listed[0] == "ewa_temperature"


@pytest.fixture(scope="module")
def quick_subset(tmp_path_factory):
    """One `run_all.py --quick --only ewa_temperature,torch_style` run shared by the tests below
    (a run takes ~5 s); returns (completed process, output folder)."""
    out = tmp_path_factory.mktemp("run_all")
    completed = run_script("run_all.py", ["--quick", "--out", str(out),
                                          "--only", "torch_style,ewa_temperature"])
    return completed, out


def test_quick_subset_writes_report_summary_figures_and_logs(quick_subset):
    completed, tmp_path = quick_subset
    assert completed.returncode == 0, completed.stdout + completed.stderr
    progress = completed.stdout.splitlines()
    assert progress[0].startswith("[1/2] ewa_temperature") and " ok " in progress[0]
    assert progress[1].startswith("[2/2] torch_style") and " ok " in progress[1]
    # aligned: the time, the verdict and the count start in the same column on every line
    assert len({line.index(" s  ok") for line in progress[:2]}) == 1

    report = (tmp_path / "REPORT.md").read_text()
    assert "## ewa_temperature" in report and "## torch_style" in report
    assert "**All experiments ran and every check passed.**" in report
    assert ("| quantity | source's number | ours | accepted range | why this range | within |"
            in report)
    assert "![torch_style](torch_style.png)" in report
    assert (tmp_path / "torch_style.png").exists() and (tmp_path / "ewa_temperature.png").exists()
    assert (tmp_path / "logs" / "torch_style.txt").read_text().startswith("Epoch [1/10], Loss: ")

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["ok"] is True and summary["quick"] is True
    assert [e["name"] for e in summary["experiments"]] == ["ewa_temperature", "torch_style"]
    assert all(e["failed"] == 0 and e["passed"] > 0 for e in summary["experiments"])


def test_index_html_embeds_every_figure_and_table_of_the_report(quick_subset):
    completed, tmp_path = quick_subset
    assert completed.returncode == 0, completed.stdout + completed.stderr
    page = ReportPage()
    page.feed((tmp_path / "index.html").read_text())
    expected_figures, expected_tables = set(), 1  # the overview table
    for name in ("ewa_temperature", "torch_style"):
        result = json.loads((tmp_path / "json" / f"{name}.json").read_text())
        expected_figures |= {Path(figure).name for figure in result["figures"]}
        expected_tables += bool(result["checks"]) + len(result["tables"])
        assert name in page.sections
    assert expected_figures and page.figures == expected_figures
    for name, png in page.images.items():
        assert png.startswith(b"\x89PNG"), name  # a real PNG, embedded
    assert page.tables == expected_tables
    assert "why this range" in page.headers and "accepted range" in page.headers


class ReportPage(HTMLParser):
    """Collects out/index.html's sections, tables, headers and embedded images."""

    def __init__(self):
        super().__init__()
        self.sections, self.figures, self.images, self.headers = set(), set(), {}, []
        self.tables, self._in_caption, self._in_header, self._last_image = 0, False, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.add(attrs["id"])
        elif tag == "table":
            self.tables += 1
        elif tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,")
            self._last_image = base64.b64decode(attrs["src"].split(",", 1)[1])
        self._in_caption = tag == "figcaption"
        self._in_header = tag == "th"

    def handle_data(self, data):
        if self._in_caption:
            self.figures.add(data)
            self.images[data] = self._last_image
            self._in_caption = False
        elif self._in_header:
            self.headers.append(data)
            self._in_header = False


def test_unknown_name_is_refused():
    completed = run_script("run_all.py", ["--only", "no_such_example"])
    assert completed.returncode == 2
    assert "unknown example(s) ['no_such_example']" in completed.stderr


def record(name, checks, error=None):
    passed = sum(check["ok"] for check in checks)
    return {"name": name, "returncode": 0 if error is None else 1, "seconds": 1.0,
            "json": "", "log": f"logs/{name}.txt", "checks": checks, "figures": [], "tables": [],
            "error": error, "passed": passed, "failed": len(checks) - passed,
            "ok": error is None and passed == len(checks)}


def test_a_failed_check_or_a_failed_script_makes_the_exit_status_nonzero(tmp_path):
    good = {"name": "final loss", "ours": 0.243, "source": 0.2437, "expected": "in [a, b]", "ok": True}
    bad = dict(good, ours=0.9, ok=False)
    assert run_all.exit_status([record("torch_style", [good])]) == 0
    assert run_all.exit_status([record("torch_style", [good]), record("param_groups", [bad])]) == 1
    assert run_all.exit_status([record("torch_style", [], error="exited with status 1: boom")]) == 1
    assert run_all.exit_status([]) == 1

    records = [record("torch_style", [good, bad]),
               record("param_groups", [], error="exited with status 1: ValueError: boom")]
    settings = {"torch_style": "Title.\n\nThe setting.", "param_groups": "Other title."}
    context = {"quick": False, "seed": 3, "total_seconds": 2.0}
    run_all.report.write_markdown(records, settings, tmp_path, context)
    report = (tmp_path / "REPORT.md").read_text()
    assert "**Not OK: torch_style, param_groups.**" in report
    assert "| final loss | 0.2437 | 0.9 | in [a, b] | -- | NO |" in report
    assert "**FAILED: exited with status 1: ValueError: boom**" in report
    assert "1 of 2 checks within the accepted range" in report
    assert "--seed 3" in report and "The setting." in report


def test_animations_are_linked_from_the_report_and_embedded_as_gifs(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    fig, ax = plt.subplots()
    line, = ax.plot([], [])
    animation = FuncAnimation(fig, lambda k: line.set_data(range(k + 1), range(k + 1)), frames=3)
    gif = tmp_path / "race.gif"
    animation.save(gif, writer=PillowWriter(fps=2))
    plt.close(fig)
    png = tmp_path / "race.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")

    entry = dict(record("optimizer_race", []), figures=[str(png), str(gif)])
    settings = {"optimizer_race": "Title.\n\nThe setting."}
    context = {"quick": True, "seed": 0, "total_seconds": 1.0}
    run_all.report.write_markdown([entry], settings, tmp_path, context)
    assert "![race](race.gif)" in (tmp_path / "REPORT.md").read_text()
    run_all.report.write_html([entry], settings, tmp_path, context)
    page = (tmp_path / "index.html").read_text()
    embedded = page.split('src="data:image/gif;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(embedded) == gif.read_bytes()
    assert 'src="data:image/png;base64,' in page



def test_the_longest_scripts_start_first_and_none_is_lost():
    names = run_all.discover()
    order = run_all.start_order(names)
    assert sorted(order) == sorted(names)
    assert order[0] == "optimizer_race"
    assert order[len(run_all.LONGEST_FIRST):] == [n for n in names if n not in run_all.LONGEST_FIRST]
