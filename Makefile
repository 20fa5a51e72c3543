# The two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install bench docs docs-check gallery clean

$(VPY):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --upgrade pip

# Re-install whenever the package metadata changes.
$(STAMP): $(VPY) setup.cfg pyproject.toml
	$(VPY) -m pip install -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(VPY) -m pytest

demo: $(STAMP)
	MPLBACKEND=Agg $(VPY) examples/run_all.py --out out

bench: $(STAMP)
	$(VPY) benchmarks/engine.py
	$(VPY) benchmarks/optimizers.py
	$(VPY) benchmarks/step_overhead.py

# The README's gallery: key figures of a demo run, committed under docs/gallery/.
GALLERY := trace_2d airfoil_d2l saddle_2d lr_schedules optimizer_race linear_regression_learning_rate
gallery: demo
	mkdir -p docs/gallery
	for name in $(GALLERY); do cp out/$$name.png docs/gallery/; done

# Regenerate docs/optimizers.md (quoted from the code) and the docs' figures; --check only compares.
docs: $(STAMP)
	MPLBACKEND=Agg $(VPY) docs/make_docs.py

docs-check: $(STAMP)
	MPLBACKEND=Agg $(VPY) docs/make_docs.py --check

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache
