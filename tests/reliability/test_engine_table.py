"""Bad and edge inputs to Tensor construction, ops, reductions, shape ops, indexing, in-place
ops, backward and autograd.grad, each with torch 2.13's outcome: minigrad returns the same
value, or raises the same kind of exception with a message naming the problem (torch's words
where the case says so). The cases are in tests/data/engine_edge_cases.py."""

import pytest

from edge_table import check, cases


@pytest.mark.parametrize("case", cases("engine"), ids=lambda case: case.name)
def test_engine_edge_case(case):
    check(case)
