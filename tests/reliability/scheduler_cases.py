"""Shared by the scheduler reliability tests: every scheduler class, built on any optimizer, and
a bit-exact fingerprint of optimizer + scheduler state.

Everything here is module level (the lambdas are named functions, the callables are classes),
so schedulers built from it can be pickled.
"""

import math
import types

import numpy as np

import optimizers
import schedulers
from support import Param




class StandIn:
    """The smallest thing a scheduler drives: param groups with a momentum, and a step()."""

    def __init__(self, lrs=(0.05, 0.5), kind="sgd"):
        extra = {"sgd": {"momentum": 0.9}, "adam": {"betas": (0.9, 0.999)}}[kind]
        self.param_groups = [{"lr": lr, **extra} for lr in lrs]

    def step(self):
        pass


def inverse_time(epoch):
    return 1.0 / (1.0 + 0.1 * epoch)


class Decay:
    """A callable object lr_lambda (its attributes are saved in the state dict)."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate if epoch % 3 else 0.95


class Shrink:
    """A callable object CyclicLR scale_fn."""

    def __init__(self, speed):
        self.speed = speed

    def __call__(self, x):
        return 1.0 / (1.0 + self.speed * x)


# name -> factory(optimizer); every scheduler class, momentum-cycling ones in both spellings.
SCHEDULERS = {
    "LambdaLR": lambda opt: schedulers.LambdaLR(opt, [inverse_time, Decay(0.9)]),
    "MultiplicativeLR": lambda opt: schedulers.MultiplicativeLR(opt, Decay(0.97)),
    "StepLR": lambda opt: schedulers.StepLR(opt, step_size=3, gamma=0.5),
    "MultiStepLR": lambda opt: schedulers.MultiStepLR(opt, [2, 5, 5, 9], gamma=0.4),
    "ConstantLR": lambda opt: schedulers.ConstantLR(opt, factor=0.25, total_iters=8),
    "LinearLR": lambda opt: schedulers.LinearLR(opt, 0.2, 0.9, total_iters=8),
    "ExponentialLR": lambda opt: schedulers.ExponentialLR(opt, gamma=0.85),
    "PolynomialLR": lambda opt: schedulers.PolynomialLR(opt, total_iters=14, power=1.5),
    "CosineAnnealingLR": lambda opt: schedulers.CosineAnnealingLR(opt, T_max=6, eta_min=1e-3),
    "CosineAnnealingWarmRestarts": lambda opt: schedulers.CosineAnnealingWarmRestarts(
        opt, T_0=3, T_mult=2, eta_min=1e-3),
    "OneCycleLR": lambda opt: schedulers.OneCycleLR(opt, max_lr=[0.1, 1.0], total_steps=20,
                                                    three_phase=True),
    "OneCycleLR_no_momentum": lambda opt: schedulers.OneCycleLR(
        opt, max_lr=0.3, total_steps=20, anneal_strategy="linear", cycle_momentum=False),
    "CyclicLR": lambda opt: schedulers.CyclicLR(opt, [0.01, 0.1], [0.05, 0.6], step_size_up=3,
                                                step_size_down=4, mode="triangular2"),
    "CyclicLR_custom_no_momentum": lambda opt: schedulers.CyclicLR(
        opt, 0.01, 0.2, step_size_up=2, scale_fn=Shrink(0.1), scale_mode="iterations",
        cycle_momentum=False),
    "ReduceLROnPlateau": lambda opt: schedulers.ReduceLROnPlateau(
        opt, factor=0.5, patience=1, threshold=1.0, threshold_mode="abs", min_lr=[1e-3, 1e-2]),
    "SequentialLR": lambda opt: schedulers.SequentialLR(
        opt, [schedulers.LinearLR(opt, 0.1, total_iters=4),
              schedulers.CosineAnnealingLR(opt, T_max=8)], milestones=[4]),
    "ChainedScheduler": lambda opt: schedulers.ChainedScheduler(
        [schedulers.ConstantLR(opt, factor=0.5, total_iters=3),
         schedulers.ExponentialLR(opt, gamma=0.9)]),
    "GradualWarmupScheduler": lambda opt: schedulers.GradualWarmupScheduler(opt, 20, 8),
    "WarmupPolyDecay": lambda opt: schedulers.WarmupPolyDecay(opt, 20, 4, power=2.0),
    "WarmupCosineDecay": lambda opt: schedulers.WarmupCosineDecay(opt, 20, 4, min_lr=1e-3),
    "WarmupStableDecay": lambda opt: schedulers.WarmupStableDecay(opt, 20, 3, 5, decay="1-sqrt",
                                                                  min_lr_ratio=0.1),
}
CYCLING = {"OneCycleLR", "CyclicLR"}


def make_params():
    return [Param([1.0, -2.0]), Param([0.5])]


def make_optimizer(params, kind):
    """Two param groups (lrs 0.05 and 0.5) over `params`; kind "sgd" (no momentum: no state),
    "sgd_momentum" or "adam" (both keep per-parameter state)."""
    groups = [{"params": [params[0]], "lr": 0.05}, {"params": [params[1]], "lr": 0.5}]
    if kind == "sgd":
        return optimizers.SGD(groups, lr=0.1)
    if kind == "sgd_momentum":
        return optimizers.SGD(groups, lr=0.1, momentum=0.9, nesterov=True)
    return optimizers.Adam(groups, lr=0.1, betas=(0.9, 0.99), weight_decay=0.01)


def loss(params):
    """0.5 * sum_i c_i |p_i|^2 + sum sin(p): a smooth loss with a non-trivial gradient."""
    return sum(0.5 * c * float(np.sum(p.data ** 2)) + float(np.sum(np.sin(p.data)))
               for c, p in zip((2.0, 1.0), params))


def train(params, optimizer, scheduler, steps):
    """`steps` rounds of: gradients, optimizer.step(), scheduler.step() (with the loss for
    ReduceLROnPlateau)."""
    for _ in range(steps):
        for c, p in zip((2.0, 1.0), params):
            p.grad = c * p.data + np.cos(p.data)
        optimizer.step()
        if isinstance(scheduler, schedulers.ReduceLROnPlateau):
            scheduler.step(round(loss(params), 1))  # rounded: plateaus happen
        else:
            scheduler.step()


def fingerprint(value, seen=None):
    """A hashable, bit-exact description of `value`: floats by their hex form, arrays by their
    bytes, schedulers by their attributes (their optimizer by its param groups)."""
    seen = set() if seen is None else seen
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return (type(value).__name__, value)
    if isinstance(value, float):
        return ("float", value.hex() if not math.isnan(value) else "nan")
    if isinstance(value, np.ndarray):
        return ("array", str(value.dtype), value.shape, value.tobytes())
    if isinstance(value, np.generic):
        return fingerprint(value.item(), seen)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), fingerprint(v, seen)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(v, seen) for v in value))
    if isinstance(value, Param):
        return ("param", fingerprint(value.data, seen), fingerprint(value.grad, seen))
    if isinstance(value, (schedulers.LRScheduler, optimizers.Optimizer, StandIn)):
        if id(value) in seen:
            return ("seen", type(value).__name__)
        seen.add(id(value))
        attributes = {key: item for key, item in vars(value).items()
                      if key not in ("optimizer", "step")}
        return (type(value).__name__, fingerprint(attributes, seen))
    if isinstance(value, types.FunctionType):
        return ("function", value.__module__, value.__qualname__)
    if hasattr(value, "__dict__"):  # a callable object such as Decay
        return (type(value).__name__, fingerprint(vars(value), seen))
    return (type(value).__name__, repr(value))


def state_fingerprint(optimizer, scheduler, params=()):
    """Everything an error must leave unchanged: parameters, optimizer groups and state,
    the scheduler's attributes (children included)."""
    groups = [{key: value for key, value in group.items() if key != "params"}
              for group in optimizer.param_groups]
    optimizer_state = None
    if isinstance(optimizer, optimizers.Optimizer):
        optimizer_state = optimizer.state_dict()["state"]
    return (fingerprint(groups), fingerprint(optimizer_state), fingerprint(scheduler),
            fingerprint(list(params)))
