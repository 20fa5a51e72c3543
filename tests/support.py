"""What tests in several folders share (tests/conftest.py puts this folder on sys.path)."""


import numpy as np


class Param:
    """The smallest parameter the optimizers accept: `.data` and `.grad` numpy arrays.

    An ndarray is kept as it is (same object, same dtype: tests check in-place updates);
    a list of numbers becomes a float64 array."""

    def __init__(self, data, grad=None):
        self.data = data if isinstance(data, np.ndarray) else np.array(data, dtype=np.float64)
        self.grad = grad

    def __repr__(self):
        return f"Param(shape={self.data.shape}, dtype={self.data.dtype})"
