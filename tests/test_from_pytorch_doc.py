"""docs/from_pytorch.md: every code block runs, in order, and prints what its text block shows;
its table of one-line changes is well formed (tests/test_seed_code.py applies it)."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "from_pytorch.md"


def _make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "docs" / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def changes():
    """The page's table of changes as (torch code, minigrad code) pairs, in page order."""
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| [^|]+ \|$", PAGE.read_text(encoding="utf-8"), re.MULTILINE)
    return [(old, new) for old, new in rows]


def test_every_block_runs_and_prints_its_text_block(tmp_path):
    make_docs = _make_docs()
    results = make_docs.run_markdown(PAGE, tmp_path)
    assert len(results) >= 10
    checked = [block for block, _ in results if block["expected"] is not None]
    assert len(checked) == len(results), "every example shows its output"
    mismatches = make_docs.output_mismatches(results)
    assert not mismatches, "\n\n".join(mismatches)


def test_the_table_of_changes_lists_the_essential_renames():
    table = dict(changes())
    assert table["torch"] == "minigrad"
    assert table["torch.utils.data"] == "minigrad.data"
    assert table["torch.optim"] == "optimizers"
    assert table[".grad.data"] == ".grad"
    assert table[".grad.data.zero_()"] == ".grad[:] = 0"
