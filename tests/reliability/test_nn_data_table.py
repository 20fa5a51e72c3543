"""Bad and edge inputs to nn layers, losses, Module (load_state_dict included), optimizer
state loading, DataLoader, samplers, collation, datasets and the course data sets, each with
torch 2.13's outcome (or, for the course data sets, the stated error): minigrad returns the
same value, or raises the same kind of exception with a message naming the problem. The cases
are in tests/data/engine_edge_cases.py."""

import pytest

from edge_table import check, cases


@pytest.mark.parametrize("case", cases("nn_data"), ids=lambda case: case.name)
def test_nn_data_edge_case(case):
    check(case)
