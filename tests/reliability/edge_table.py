"""Run the cases of tests/data/engine_edge_cases.py on minigrad and compare each outcome with
torch 2.13's in tests/data/engine_edge_refs.json (made by tests/data/make_engine_edge_refs.py).
Shared by test_engine_table.py and test_nn_data_table.py."""

import builtins
import json
import math
import re
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np

import minigrad
import optimizers

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
from engine_edge_cases import CASES, outcome_of  # noqa: E402

REFS = json.loads((DATA / "engine_edge_refs.json").read_text())["cases"]
MINIGRAD = SimpleNamespace(lib=minigrad, nn=minigrad.nn, F=minigrad.nn.functional, data=minigrad.data,
                           autograd=minigrad.autograd, optim=optimizers)


def cases(group):
    return [case for case in CASES if case.group == group]


def same_value(got, expected, where="value"):
    """Assert two recorded outcomes agree: arrays in dtype, shape and numbers (NaN = NaN)."""
    if isinstance(expected, dict) and "dtype" in expected:
        assert isinstance(got, dict) and "dtype" in got, f"{where}: expected an array, got {got!r}"
        assert got["dtype"] == expected["dtype"], f"{where}: dtype {got['dtype']}, torch {expected['dtype']}"
        assert got["shape"] == expected["shape"], f"{where}: shape {got['shape']}, torch {expected['shape']}"
        np.testing.assert_allclose(np.array(got["values"], dtype=float), np.array(expected["values"], dtype=float),
                                   rtol=1e-7, atol=1e-12, equal_nan=True, err_msg=where)
    elif isinstance(expected, dict):
        assert isinstance(got, dict) and got.keys() == expected.keys(), f"{where}: {got!r} vs torch {expected!r}"
        for key in expected:
            same_value(got[key], expected[key], f"{where}[{key}]")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), f"{where}: {got!r} vs torch {expected!r}"
        for i, (g, e) in enumerate(zip(got, expected)):
            same_value(g, e, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(got, bool):
        assert isinstance(got, (int, float)) and (math.isclose(got, expected, rel_tol=1e-7)
                                                  or (math.isnan(got) and math.isnan(expected))), \
            f"{where}: {got!r}, torch {expected!r}"
    else:
        assert type(got) is type(expected) and got == expected, f"{where}: {got!r}, torch {expected!r}"


def run(case):
    """``("value", outcome)`` or ``("error", exception)`` of the case on minigrad."""
    minigrad.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "value", outcome_of(case.fn(MINIGRAD))
        except Exception as error:  # every outcome is compared, errors included
            return "error", error


def expected_error(case):
    """(exception class, regex) minigrad must raise, or None when it must return torch's value."""
    if case.minigrad_only or case.differs:
        return case.error, case.match
    ref = REFS[case.name]
    if "error" not in ref:
        return None
    return case.kind or getattr(builtins, ref["error"]["builtin"]), case.match


def check(case):
    kind, got = run(case)
    expected = expected_error(case)
    if expected is None:
        if kind == "error":
            raise AssertionError(f"torch returns a value; minigrad raised {type(got).__name__}: {got}") from got
        same_value(got, REFS[case.name]["value"])
        return
    error_type, pattern = expected
    assert kind == "error", f"expected {error_type.__name__} matching {pattern!r}; minigrad returned {got!r}"[:600]
    assert isinstance(got, error_type), (
        f"expected {error_type.__name__} matching {pattern!r}; minigrad raised {type(got).__name__}: {got}")
    assert re.search(pattern, str(got)), f"{type(got).__name__} message {str(got)!r} does not match {pattern!r}"
