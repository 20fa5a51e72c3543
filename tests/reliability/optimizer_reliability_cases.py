"""Shared helpers of the optimizer reliability tests: a minimal parameter, a trained
optimizer whose state holds every entry, and bit-for-bit snapshots of parameters and state.

(A module of its own with a unique name: pytest puts this directory on sys.path, so the test
files here import it directly.)
"""

import copy
import math

import numpy as np

import optimizers
from support import Param

BACKENDS = ("numba", "numpy")

# Hyperparameters under which each optimizer's state holds every entry it can hold.
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
}
NAMES = tuple(FULL_STATE)




def gradients(params, scale=1.0):
    """Give every parameter a deterministic non-zero gradient of its own shape and dtype."""
    for index, p in enumerate(params):
        values = np.sin(np.arange(p.data.size) + 1.0 + index) * scale
        p.grad = values.reshape(p.data.shape).astype(p.data.dtype)


def trained(name, backend, **overrides):
    """(optimizer, params) after one step: group 0 holds params 0 and 1, group 1 param 2.

    Fresh gradients are set for the next step, so a step would change every parameter.
    """
    params = [
        Param(np.linspace(-1.0, 1.0, 6).reshape(2, 3)),
        Param(np.array([0.5, -0.25, 2.0])),
        Param(np.array(1.5)),
    ]
    hyperparameters = dict(FULL_STATE[name], **overrides)
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.02}]
    optimizer = optimizers.create(name, groups, backend=backend, **hyperparameters)
    gradients(params)
    optimizer.step()
    gradients(params, scale=0.5)
    return optimizer, params


def _frozen(value):
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes(), id(value))
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_frozen(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _frozen(v)) for k, v in value.items()))
    return (type(value).__name__, copy.deepcopy(value))


def snapshot(optimizer, params):
    """Everything a failed call must leave alone, frozen bit for bit (arrays by bytes and identity)."""
    return {
        "data": [(id(p.data), _frozen(p.data)) for p in params],
        "state": [
            (id(optimizer.state.get(p)), _frozen(optimizer.state.get(p))) for p in params
        ],
        "state_size": len(optimizer.state),
        "groups": [
            _frozen({k: v for k, v in group.items() if k != "params"})
            for group in optimizer.param_groups
        ],
        "group_params": [[id(p) for p in group["params"]] if isinstance(group["params"], list)
                         else group["params"] for group in optimizer.param_groups],
    }
