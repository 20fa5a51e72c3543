# The two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install bench docs docs-check gallery clean

INSTALL_LOG := $(VENV)/install.log
# pip's output goes to the log; it is printed only when the install fails.
QUIET_PIP = $(VPY) -m pip install --disable-pip-version-check --no-input

$(VPY):
	@echo "creating $(VENV) (the first time only; pip's output: $(INSTALL_LOG))"
	@$(PYTHON) -m venv $(VENV)
	@$(QUIET_PIP) --upgrade pip > $(INSTALL_LOG) 2>&1 || { cat $(INSTALL_LOG); exit 1; }

# Re-install whenever the package metadata changes.
$(STAMP): $(VPY) setup.cfg pyproject.toml
	@echo "installing minigrad and its dependencies into $(VENV) (about a minute)"
	@$(QUIET_PIP) -e ".[test]" >> $(INSTALL_LOG) 2>&1 || { cat $(INSTALL_LOG); exit 1; }
	@touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	@$(VPY) -m pytest

demo: $(STAMP)
	@MPLBACKEND=Agg $(VPY) examples/run_all.py --out out

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
