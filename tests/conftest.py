"""Shared test configuration: a fast, deterministic hypothesis profile for the whole suite,
and tests/support.py on the import path.

Property tests run few examples with no per-example deadline (first numba compiles and a
shared 2-core machine make timings noisy); ``derandomize`` makes every run draw the same
examples, so the suite passes or fails reproducibly. Override with
``--hypothesis-profile=thorough`` to search harder.
"""

import sys
from pathlib import Path

from hypothesis import settings

# tests/support.py (shared test helpers) is importable from every test folder.
sys.path.insert(0, str(Path(__file__).resolve().parent))

settings.register_profile("minigrad", max_examples=20, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile("minigrad")
