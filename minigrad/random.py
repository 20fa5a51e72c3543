"""The library-wide random number generator.

Everything in minigrad that draws random numbers (for example ``nn.Linear``'s weight
initialisation) draws from one ``numpy.random.Generator``, so a single call to
:func:`manual_seed` makes a whole program reproducible, as ``torch.manual_seed`` does.
"""

import numpy as np

# Unseeded at import (fresh OS entropy), like ``numpy.random.default_rng()``.
_generator = np.random.default_rng()


def manual_seed(seed):
    """Reseed the library-wide generator and return it.

    After ``manual_seed(n)`` the generator produces exactly the stream of
    ``numpy.random.default_rng(n)``. The generator object itself is reseeded in place, so
    references obtained earlier from :func:`default_generator` see the new stream too.
    ``seed`` must be a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be non-negative, got {seed}")
    _generator.bit_generator.state = np.random.PCG64(int(seed)).state
    return _generator


def default_generator():
    """Return the library-wide ``numpy.random.Generator`` (reseeded by :func:`manual_seed`)."""
    return _generator
