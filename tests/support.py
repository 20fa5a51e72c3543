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


# One configuration per optimizer that creates every state entry it can hold (state_dict,
# layout and reliability tests). LBFGS is stepped by a closure and has its own tests.
FULL_STATE = {
    "sgd": dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.1),
    "adagrad": dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1),
    "rmsprop": dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1),
    "adadelta": dict(lr=0.5, weight_decay=0.1),
    "adam": dict(lr=0.01, amsgrad=True, weight_decay=0.1),
    "adamw": dict(lr=0.01, amsgrad=True),
    "adamax": dict(lr=0.05, weight_decay=0.1),
    "nadam": dict(lr=0.01, weight_decay=0.1),
    "radam": dict(lr=0.01, weight_decay=0.1),
    "lion": dict(lr=0.01, weight_decay=0.5),
    "adabelief": dict(lr=0.01, amsgrad=True, weight_decay=0.1),
    "lamb": dict(lr=0.01, weight_decay=0.1),
    "sgdschedulefree": dict(lr=0.05, weight_decay=0.1, warmup_steps=3),
    "adamwschedulefree": dict(lr=0.01, weight_decay=0.1, warmup_steps=3),
    "rprop": dict(lr=0.01),
    "asgd": dict(lr=0.05, t0=3, weight_decay=0.1),
    "adafactor": dict(lr=0.05, weight_decay=0.1),
    "muon": dict(lr=0.02),
}
