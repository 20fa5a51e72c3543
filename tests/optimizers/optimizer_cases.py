"""The tables the optimizer tests run over. Adding an optimizer = adding its rows here.

OPTIONS                 every option value to combine (full cross product) for the
                        numba-vs-numpy comparison, plus a filter for illegal combinations.
FULL_STATE              one configuration that creates every state entry (state_dict,
                        NUMBA_DISABLE_JIT and layout tests).
CONVERGENCE             the documented Rosenbrock setting and the loss it must reach.
INVALID_HYPERPARAMETERS bad constructor arguments and torch's error message for each.

Torch trajectories are not listed here: they are rows of CONFIGS in
tests/data/make_optimizer_refs.py, recorded into tests/data/optimizer_refs.npz.
"""

import itertools

import numpy as np


class Param:
    """The smallest parameter the optimizers accept: `.data` and `.grad` numpy arrays."""

    def __init__(self, data, grad=None):
        self.data = data
        self.grad = grad

    def __repr__(self):
        return f"Param(shape={self.data.shape}, dtype={self.data.dtype})"


def _always(hyperparameters):
    return True


def _legal_sgd(hp):
    return not hp["nesterov"] or (hp["momentum"] > 0 and hp["dampening"] == 0)


# name -> ({hyperparameter: [values to combine]}, legality filter)
OPTIONS = {
    "sgd": (
        {
            "lr": [0.05],
            "momentum": [0, 0.9],
            "dampening": [0, 0.5],
            "nesterov": [False, True],
            "weight_decay": [0, 0.1],
            "maximize": [False, True],
        },
        _legal_sgd,
    ),
    "adagrad": (
        {
            "lr": [0.1],
            "lr_decay": [0, 0.05],
            "weight_decay": [0, 0.1],
            "initial_accumulator_value": [0, 0.5],
            "eps": [1e-10, 1e-3],
            "maximize": [False, True],
        },
        _always,
    ),
    "rmsprop": (
        {
            "lr": [0.01],
            "alpha": [0.9],
            "eps": [1e-8, 1e-3],
            "weight_decay": [0, 0.1],
            "momentum": [0, 0.9],
            "centered": [False, True],
            "maximize": [False, True],
        },
        _always,
    ),
    "adadelta": (
        {
            "lr": [0.5],
            "rho": [0.9, 0.5],
            "eps": [1e-6, 1e-3],
            "weight_decay": [0, 0.1],
            "maximize": [False, True],
        },
        _always,
    ),
    "adam": (
        {
            "lr": [0.01],
            "betas": [(0.9, 0.99)],
            "weight_decay": [0, 0.1],
            "amsgrad": [False, True],
            "decoupled_weight_decay": [False, True],
            "maximize": [False, True],
        },
        _always,
    ),
    "adamw": (
        {
            "lr": [0.01],
            "weight_decay": [0, 0.1],
            "amsgrad": [False, True],
            "maximize": [False, True],
        },
        _always,
    ),
    "adamax": (
        {
            "lr": [0.05],
            "betas": [(0.9, 0.99)],
            "eps": [1e-8, 1e-2],
            "weight_decay": [0, 0.1],
            "maximize": [False, True],
        },
        _always,
    ),
    "nadam": (
        {
            "lr": [0.01],
            "betas": [(0.9, 0.99)],
            "weight_decay": [0, 0.1],
            "decoupled_weight_decay": [False, True],
            "maximize": [False, True],
        },
        _always,
    ),
    "radam": (
        {
            "lr": [0.01],
            "betas": [(0.9, 0.9)],  # rho_t > 5 from step 6: both phases within 25 steps
            "weight_decay": [0, 0.1],
            "decoupled_weight_decay": [False, True],
            "maximize": [False, True],
        },
        _always,
    ),
    "lion": (
        {
            "lr": [0.01],
            "betas": [(0.9, 0.99)],
            "weight_decay": [0, 0.5],
            "maximize": [False, True],
        },
        _always,
    ),
    "adabelief": (
        {
            "lr": [0.01],
            "betas": [(0.9, 0.9)],  # rectified from step 5: both phases within 25 steps
            "weight_decay": [0.1],
            "amsgrad": [False, True],
            "weight_decouple": [False, True],
            "fixed_decay": [False, True],
            "rectify": [False, True],
            "degenerated_to_sgd": [False, True],
            "maximize": [False, True],
        },
        lambda hp: (hp["weight_decouple"] or not hp["fixed_decay"])
        and (hp["rectify"] or hp["degenerated_to_sgd"]),
    ),
    "lamb": (
        {
            "lr": [0.01],
            "weight_decay": [0, 0.1],
            "adam": [False, True],
            "maximize": [False, True],
        },
        _always,
    ),
    "sgdschedulefree": (
        {
            "lr": [0.05],
            "weight_decay": [0, 0.1],
            "warmup_steps": [0, 5],
            "r": [0.0, 1.0],
        },
        _always,
    ),
    "adamwschedulefree": (
        {
            "lr": [0.01],
            "weight_decay": [0, 0.1],
            "warmup_steps": [0, 5],
            "r": [0.0, 1.0],
            "weight_lr_power": [2.0, 0.0],
        },
        _always,
    ),
}

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
}

# name -> (hyperparameters, the Rosenbrock value the optimizer must reach within 2,000
# steps from (-1.5, 2), where the value is 12.5). Documented in each class docstring.
CONVERGENCE = {
    "sgd": (dict(lr=1e-3, momentum=0.9), 1e-6),
    "adagrad": (dict(lr=1.5), 0.02),
    "rmsprop": (dict(lr=5e-3), 0.02),
    "adadelta": (dict(lr=1.0), 0.5),
    "adam": (dict(lr=0.05), 1e-8),
    "adamw": (dict(lr=0.05), 2e-3),
    "adamax": (dict(lr=0.1), 2e-3),
    "nadam": (dict(lr=0.02), 2e-3),
    "radam": (dict(lr=5e-3, betas=(0.9, 0.99)), 1e-5),
    "lion": (dict(lr=2e-3), 1e-2),
    "adabelief": (dict(lr=0.05, rectify=False), 1e-10),
    "lamb": (dict(lr=0.02), 0.05),
    "sgdschedulefree": (dict(lr=3e-3), 1e-2),  # at y, the training point (x: ~2e-3)
    "adamwschedulefree": (dict(lr=0.05), 2e-3),
}

# (name, constructor hyperparameters, exception type, exact message)
INVALID_HYPERPARAMETERS = [
    ("sgd", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("sgd", dict(momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    ("sgd", dict(weight_decay=-1e-4), ValueError, "Invalid weight_decay value: -0.0001"),
    ("sgd", dict(nesterov=True), ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    ("sgd", dict(nesterov=True, momentum=0.9, dampening=0.1), ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    ("sgd", dict(lr="0.1"), TypeError, "lr must be a real number, but got '0.1'"),
    ("sgd", dict(nesterov=1), TypeError, "nesterov must be True or False, but got 1"),
    ("adagrad", dict(lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    ("adagrad", dict(lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
    ("adagrad", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("adagrad", dict(initial_accumulator_value=-1), ValueError,
     "Invalid initial_accumulator_value value: -1"),
    ("adagrad", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("rmsprop", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("rmsprop", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("rmsprop", dict(momentum=-1), ValueError, "Invalid momentum value: -1"),
    ("rmsprop", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("rmsprop", dict(alpha=-1), ValueError, "Invalid alpha value: -1"),
    ("adadelta", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("adadelta", dict(rho=1.5), ValueError, "Invalid rho value: 1.5"),
    ("adadelta", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("adadelta", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("adam", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("adam", dict(eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    ("adam", dict(betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    ("adam", dict(betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
    ("adam", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("adam", dict(betas=(0.9,)), TypeError,
     "betas must be a tuple of 2 real numbers, but got (0.9,)"),
    ("adam", dict(amsgrad=1), TypeError, "amsgrad must be True or False, but got 1"),
    ("adam", dict(decoupled_weight_decay="yes"), TypeError,
     "decoupled_weight_decay must be True or False, but got 'yes'"),
    ("adamw", dict(lr=-0.5), ValueError, "Invalid learning rate: -0.5"),
    ("adamw", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("adamw", dict(betas=(-0.1, 0.999)), ValueError, "Invalid beta parameter at index 0: -0.1"),
    ("adamw", dict(betas=(0.9, 1.0)), ValueError, "Invalid beta parameter at index 1: 1.0"),
    ("adamw", dict(weight_decay=-0.01), ValueError, "Invalid weight_decay value: -0.01"),
    ("adamax", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("adamax", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("adamax", dict(betas=(1.5, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.5"),
    ("adamax", dict(betas=(0.9, 1)), ValueError, "Invalid beta parameter at index 1: 1"),
    ("adamax", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("nadam", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("nadam", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("nadam", dict(betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    ("nadam", dict(betas=(0.9, 1.0)), ValueError, "Invalid beta parameter at index 1: 1.0"),
    ("nadam", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("nadam", dict(momentum_decay=-0.004), ValueError, "Invalid momentum_decay value: -0.004"),
    ("radam", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("radam", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("radam", dict(betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    ("radam", dict(betas=(0.9, 1.0)), ValueError, "Invalid beta parameter at index 1: 1.0"),
    ("radam", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("radam", dict(decoupled_weight_decay=0), TypeError,
     "decoupled_weight_decay must be True or False, but got 0"),
    ("lion", dict(lr=-1e-4), ValueError, "Invalid learning rate: -0.0001"),
    ("lion", dict(betas=(1.0, 0.99)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    ("lion", dict(betas=(0.9, -0.99)), ValueError, "Invalid beta parameter at index 1: -0.99"),
    ("lion", dict(weight_decay=-1.0), ValueError, "Invalid weight_decay value: -1.0"),
    ("adabelief", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("adabelief", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("adabelief", dict(betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    ("adabelief", dict(betas=(0.9, 1.0)), ValueError, "Invalid beta parameter at index 1: 1.0"),
    ("adabelief", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("adabelief", dict(rectify=1), TypeError, "rectify must be True or False, but got 1"),
    ("lamb", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("lamb", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("lamb", dict(betas=(0.9, 1.5)), ValueError, "Invalid beta parameter at index 1: 1.5"),
    ("lamb", dict(weight_decay=-0.1), ValueError, "Invalid weight_decay value: -0.1"),
    ("lamb", dict(adam="no"), TypeError, "adam must be True or False, but got 'no'"),
    ("sgdschedulefree", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("sgdschedulefree", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("sgdschedulefree", dict(momentum=0), ValueError,
     "Momentum must be between 0 and 1 exclusive: 0"),
    ("sgdschedulefree", dict(momentum=1.0), ValueError,
     "Momentum must be between 0 and 1 exclusive: 1.0"),
    ("sgdschedulefree", dict(warmup_steps=-1), ValueError, "Invalid warmup_steps value: -1"),
    ("sgdschedulefree", dict(r=-0.5), ValueError, "Invalid r value: -0.5"),
    ("sgdschedulefree", dict(weight_lr_power=-2), ValueError, "Invalid weight_lr_power value: -2"),
    ("adamwschedulefree", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("adamwschedulefree", dict(betas=(0.0, 0.999)), ValueError,
     "Invalid beta parameter at index 0: 0.0 (eval() divides by beta1)"),
    ("adamwschedulefree", dict(betas=(0.9, 1.0)), ValueError, "Invalid beta parameter at index 1: 1.0"),
    ("adamwschedulefree", dict(eps=-1), ValueError, "Invalid epsilon value: -1"),
    ("adamwschedulefree", dict(warmup_steps=-3), ValueError, "Invalid warmup_steps value: -3"),
]


def option_combinations():
    """Every legal (name, hyperparameters) combination of OPTIONS, in a stable order."""
    for name, (grid, legal) in OPTIONS.items():
        keys = list(grid)
        for values in itertools.product(*(grid[key] for key in keys)):
            hyperparameters = dict(zip(keys, values))
            if legal(hyperparameters):
                yield name, hyperparameters


def case_id(name, hyperparameters):
    """A readable pytest id: only the hyperparameters that differ from 0 / False."""
    shown = [f"{k}={v}" for k, v in hyperparameters.items() if v not in (0, False) and k != "lr"]
    return name + ("[" + ",".join(shown) + "]" if shown else "")
