"""What tests in several folders share (tests/conftest.py puts this folder on sys.path)."""


class Param:
    """The smallest parameter the optimizers accept: `.data` and `.grad` numpy arrays."""

    def __init__(self, data, grad=None):
        self.data = data
        self.grad = grad

    def __repr__(self):
        return f"Param(shape={self.data.shape}, dtype={self.data.dtype})"
