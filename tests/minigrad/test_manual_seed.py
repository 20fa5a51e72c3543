"""The library-wide random generator is reproducible through manual_seed."""

import numpy as np
import pytest

import minigrad
from minigrad.random import default_generator


def test_manual_seed_reproduces_the_stream_of_default_rng():
    held = default_generator()
    returned = minigrad.manual_seed(42)
    first = held.normal(size=5)
    minigrad.manual_seed(42)
    np.testing.assert_array_equal(default_generator().normal(size=5), first)
    np.testing.assert_array_equal(first, np.random.default_rng(42).normal(size=5))
    assert returned is held is default_generator()
    minigrad.manual_seed(43)
    assert not np.array_equal(held.normal(size=5), first)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), ("7", TypeError)])
def test_bad_seeds(seed, error):
    with pytest.raises(error, match="manual_seed: seed must be"):
        minigrad.manual_seed(seed)
