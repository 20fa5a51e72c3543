"""docs/: the tutorial's and README's code blocks run and print what the text shows;
docs/optimizers.md is what docs/make_docs.py generates from the code now; every registered
optimizer has its section."""

import importlib.util
import inspect
import re
from pathlib import Path

import pytest

import optimizers

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "run `python docs/make_docs.py` and commit docs/"


def _load_make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "docs" / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_docs = _load_make_docs()


@pytest.fixture(scope="module")
def optimizers_markdown():
    return make_docs.optimizers_markdown()


def test_block_extraction_attaches_text_blocks_to_the_python_block_before_them():
    text = (
        "intro\n```python\nprint(1)\n```\n\n```text\n1\n```\nprose\n"
        "```python\nx = 2\n```\nprose between\n```text\nnot an output\n```\n"
    )
    blocks = make_docs.markdown_blocks(text)
    assert [(b["language"], b["line"]) for b in blocks] == [("python", 2), ("python", 10), ("text", 14)]
    assert blocks[0]["expected"] == "1\n"
    assert blocks[1]["expected"] is None


def test_a_wrong_output_block_is_reported(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nprint(6 * 7)\n```\n\n```text\n41\n```\n")
    messages = make_docs.output_mismatches(make_docs.run_markdown(page, tmp_path))
    assert len(messages) == 1 and "42" in messages[0] and "41" in messages[0]


def test_a_failing_block_names_its_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nx = 1\n```\n\n```python\nraise ValueError('boom')\n```\n")
    with pytest.raises(RuntimeError, match=r"page.md: the python block at line 7 raised ValueError: boom"):
        make_docs.run_markdown(page, tmp_path)


def test_tutorial_blocks_run_in_order_and_print_what_the_text_shows(tmp_path):
    results = make_docs.run_markdown(ROOT / "docs" / "tutorial.md", tmp_path)
    assert len(results) >= 10
    mismatches = make_docs.output_mismatches(results)
    assert not mismatches, (
        "the tutorial's printed output differs from its ```text blocks; update them:\n\n"
        + "\n\n".join(mismatches)
    )
    written = sorted(path.name for path in (tmp_path / "out" / "tutorial").glob("*.png"))
    assert written == ["graph.png", "linear_graph.png", "newton.png", "optimizers.png", "telemetry.png"]
    assert all((tmp_path / "out" / "tutorial" / name).stat().st_size > 5000 for name in written)
    assert (tmp_path / "out" / "tutorial" / "backprop.gif").stat().st_size > 50_000  # the walk-through


def test_every_figure_the_tutorial_shows_is_committed_and_produced_by_its_code():
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\(img/tutorial/([^)]+)\)", text)
    written = re.findall(r'"out/tutorial/([^"]+)"', text)
    assert shown and set(shown) == set(written)
    for name in shown:
        assert (ROOT / "docs" / "img" / "tutorial" / name).is_file(), f"docs/img/tutorial/{name}: {REGENERATE}"


def test_readme_blocks_run_in_order(tmp_path):
    results = make_docs.run_markdown(ROOT / "README.md", tmp_path)
    assert len(results) >= 3
    assert not make_docs.output_mismatches(results)


def test_optimizers_md_is_what_make_docs_generates(optimizers_markdown):
    committed = (ROOT / "docs" / "optimizers.md").read_text(encoding="utf-8")
    assert committed == optimizers_markdown, (
        f"docs/optimizers.md is out of date with the code (or with docs/make_docs.py): {REGENERATE}"
    )


def test_every_registered_optimizer_has_a_section_with_its_code_and_trace(optimizers_markdown):
    sections = re.split(r"^## ", optimizers_markdown, flags=re.MULTILINE)[1:]
    wrappers = [section for section in sections if section.startswith(make_docs.WRAPPERS_TITLE)]
    assert len(wrappers) == 1
    for quoted in ("def _pull_back(self, param, slow):", "AveragedModel(model, avg_fn=None",
                   "SWALR(optimizer, swa_lr"):
        assert quoted in wrappers[0], quoted
    by_name = {}
    for section in sections:
        if section in wrappers:
            continue
        created = re.search(r'`optimizers\.create\("(\w+)", \.\.\.\)`', section)
        assert created, f"section {section.splitlines()[0]!r} does not say which optimizer it is"
        by_name[created.group(1)] = section
    assert sorted(by_name) == optimizers.available()
    for name, section in by_name.items():
        cls = type(optimizers.create(name, [make_docs._stand_in()]))
        if cls.needs_closure:  # LBFGS: its step(closure), no per-parameter update, no kernel
            assert "def _step(self, closure=None):" in section and "no numba kernel" in section, name
        else:
            assert "def update(self, param, grad, state, group):" in section, name
            assert "def update_numba(self, param, grad, state, group):" in section, name
            kernels = make_docs._kernels_of(cls.update_numba)
            assert all(f"def {k.py_func.__name__}(" in section for k in kernels), name
            assert "@kernel" in section, name
        # The formula and the sources' forms are the docstring, quoted whole (one source of prose).
        assert inspect.getdoc(cls) in section, f"{name}: docstring not quoted"
        rule = "per iteration" if cls.needs_closure else "Per element"  # LBFGS: not per element
        assert rule in inspect.getdoc(cls) and "Relation to the sources" in inspect.getdoc(cls), name
        assert f"(img/quadratic_{name}.png)" in section, name
        assert (ROOT / "docs" / "img" / f"quadratic_{name}.png").is_file(), f"quadratic_{name}.png: {REGENERATE}"
        assert cls.__name__ in section


def test_quoted_code_is_the_source_the_optimizer_runs(optimizers_markdown):
    # A quoted line that does not exist in the module would mean the quoting is broken.
    for name in optimizers.available():
        cls = type(optimizers.create(name, [make_docs._stand_in()]))
        numpy_code, numba_code = make_docs.quoted_code(cls)
        numba_code = numba_code or ""  # LBFGS has no kernel
        module_source = "\n".join(
            Path(make_docs.inspect.getsourcefile(klass)).read_text(encoding="utf-8")
            for klass in cls.__mro__ if klass.__module__.startswith("optimizers.")
        )
        stripped = {line.strip() for line in module_source.splitlines()}
        for line in (numpy_code + numba_code).splitlines():
            assert line.strip() in stripped, f"{name}: {line!r} is not in its source"
        assert numpy_code in optimizers_markdown and numba_code in optimizers_markdown


def test_sources_eps_inside_the_root_and_lr_inside_the_velocity_are_documented(optimizers_markdown):
    text = " ".join(optimizers_markdown.split())  # the docstrings wrap lines anywhere
    assert "**eps inside the square root**" in text
    assert text.count("*inside* the root") == 2 and "(eps inside the root)" in text  # Adagrad, Adam; RMSprop
    assert "learning rate inside the velocity" in text  # SGD
    assert "*summed* loss by batch_size" in text  # Adam
    assert "exponentially weighted average v <- beta * v + (1 - beta) * g" in text  # SGD


def test_sparse_adam_is_said_to_be_out_of_scope(optimizers_markdown):
    text = " ".join(optimizers_markdown.split())
    assert "`SparseAdam`" in text and "out of scope" in text
