"""The tables the optimizer tests run over. Adding an optimizer = adding its rows here.

OPTIONS                 every option value to combine (full cross product) for the
                        numba-vs-numpy comparison, plus a filter for illegal combinations.
FULL_STATE              one configuration that creates every state entry (state_dict,
                        NUMBA_DISABLE_JIT and layout tests).
CONVERGENCE             the documented Rosenbrock setting and the loss it must reach.
INVALID_HYPERPARAMETERS bad constructor arguments and torch's error message for each.
MATRIX_ONLY             optimizers that take only 2-D parameters (Muon): the generic tests
                        give them `matrix_shape(shape)` instead of each 0-d or 1-D shape.
CLOSURE_DRIVEN          optimizers whose `step(closure)` updates all parameters together
                        (LBFGS): no per-parameter update and no numba kernel, so they have
                        no OPTIONS or FULL_STATE rows; tests/optimizers/test_lbfgs.py covers
                        what those rows cover for the others (state_dict round trip, budgets).

Torch trajectories are not listed here: they are rows of CONFIGS in
tests/data/make_optimizer_refs.py, recorded into tests/data/optimizer_refs.npz.
"""

import itertools

import numpy as np
from support import Param  # noqa: F401  (the optimizer tests import it from here)


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
    "rprop": (
        {
            "lr": [0.01],
            "etas": [(0.5, 1.2), (0.3, 1.5)],
            "step_sizes": [(1e-6, 50), (1e-3, 0.05)],
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
    "asgd": (
        {
            "lr": [0.05],
            "lambd": [1e-4, 0.05],
            "t0": [1e6, 5],  # 5: the average starts within the 25 steps
            "weight_decay": [0, 0.1],
            "maximize": [False, True],
        },
        _always,
    ),
    "adafactor": (
        {
            "lr": [0.05],
            "beta2_decay": [-0.8, -0.5],
            "eps": [(None, 1e-3), (1e-6, 0.05)],
            "d": [1.0, 1.5],
            "weight_decay": [0, 0.1],
            "maximize": [False, True],
        },
        _always,
    ),
    "muon": (
        {
            "lr": [0.05],
            "momentum": [0.95, 0.3],  # torch's lerp rounds weights above and below 0.5 apart
            "nesterov": [True, False],
            "weight_decay": [0, 0.1],
            "adjust_lr_fn": [None, "match_rms_adamw"],
        },
        _always,
    ),
}

MATRIX_ONLY = {"muon"}
CLOSURE_DRIVEN = {"lbfgs"}


def matrix_shape(shape):
    """A 2-D stand-in for `shape` with as many elements ((5,) -> (1, 5), () -> (1, 1))."""
    shape = tuple(shape)
    if len(shape) == 2:
        return shape
    return (1, int(np.prod(shape, dtype=int)))


def shape_for(name, shape):
    """`shape`, or its 2-D stand-in for an optimizer that only takes matrices."""
    return matrix_shape(shape) if name in MATRIX_ONLY else tuple(shape)

from support import FULL_STATE  # noqa: E402,F401  (one home: the reliability tests use it too)

# name -> (hyperparameters, the Rosenbrock value the optimizer must reach within 2,000
# steps from (-1.5, 2), where the value is 12.5). Documented in each class docstring.
# The steps are `step(closure)` calls (LBFGS runs up to max_iter iterations in each).
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
    "rprop": (dict(lr=1e-3), 1e-3),
    "asgd": (dict(lr=1e-3), 0.5),
    "adafactor": (dict(lr=0.05), 0.1),
    "muon": (dict(lr=3e-3, weight_decay=0.0), 2e-3),  # on the 1 x 2 matrix (x, y)
    "lbfgs": (dict(line_search_fn="strong_wolfe", tolerance_change=1e-12), 1e-12),
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
    ("rprop", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("rprop", dict(etas=(1.5, 1.2)), ValueError, "Invalid eta values: 1.5, 1.2"),
    ("rprop", dict(etas=(0.5, 1.0)), ValueError, "Invalid eta values: 0.5, 1.0"),
    ("rprop", dict(step_sizes=(1e-6,)), TypeError,
     "step_sizes must be a tuple of 2 real numbers, but got (1e-06,)"),
    ("asgd", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("asgd", dict(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    ("asgd", dict(t0="soon"), TypeError, "t0 must be a real number, but got 'soon'"),
    ("adafactor", dict(lr=-1), ValueError, "Learning rate should be >= 0 but is: -1"),
    ("adafactor", dict(beta2_decay=0.5), ValueError, "beta2_decay should be <= 0 but is: 0.5"),
    ("adafactor", dict(eps=(-1.0, 1e-3)), ValueError, "epsilon1 should be >= 0 but is: -1.0"),
    ("adafactor", dict(eps=(None, -1.0)), ValueError, "epsilon2 should be >= 0 but is: -1.0"),
    ("adafactor", dict(eps=(1e-30, None)), TypeError,
     "eps must be a tuple of (None or a real number, a real number), but got (1e-30, None)"),
    ("adafactor", dict(d=0.5), ValueError, "Clipping threshold d should be >= 1 but is: 0.5"),
    ("adafactor", dict(weight_decay=-1), ValueError, "weight_decay should be >= 0 but is: -1"),
    ("muon", dict(lr=-1), ValueError, "Learning rate should be >= 0 but is: -1"),
    ("muon", dict(momentum=-1), ValueError, "momentum should be >= 0 but is: -1"),
    ("muon", dict(weight_decay=-1), ValueError, "weight decay should be >= 0 but is: -1"),
    ("muon", dict(adjust_lr_fn="rms"), ValueError, "Adjust learning rate function rms is not supported"),
    ("muon", dict(ns_steps=100), ValueError,
     "Number of steps must be less than 100 for computational efficiency"),
    ("muon", dict(ns_coefficients=(3.4, -4.8)), TypeError,
     "ns_coefficients must be a tuple of 3 real numbers, but got (3.4, -4.8)"),
    ("lbfgs", dict(lr=-1), ValueError, "Invalid learning rate: -1"),
    ("lbfgs", dict(history_size=0), ValueError, "history_size must be a positive int, but got 0"),
    ("lbfgs", dict(max_iter=2.5), ValueError, "max_iter must be a positive int, but got 2.5"),
    ("lbfgs", dict(line_search_fn="armijo"), ValueError,
     "line_search_fn must be None or 'strong_wolfe', but got 'armijo'"),
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
