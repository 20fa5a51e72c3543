"""Integration: schedulers driving the package's own `optimizers.SGD`."""

import copy
import warnings

import numpy as np
from support import Param

import optimizers
import schedulers

STEPS = 12


def param(values):
    return Param(np.array(values, dtype=np.float64))


def quadratic_grads(params):
    """Gradient of sum_i 0.5 * c_i * |p_i|^2 with c = (2, 1)."""
    for c, param in zip((2.0, 1.0), params):
        param.grad = c * param.data


def make_one_cycle(optimizer):
    return schedulers.OneCycleLR(optimizer, max_lr=[0.1, 1.0], total_steps=STEPS,
                                 base_momentum=0.8, max_momentum=0.95)


def build():
    params = [param([1.0, -2.0]), param([0.5])]
    optimizer = optimizers.SGD([{"params": [params[0]], "lr": 0.05},
                                {"params": [params[1]], "lr": 0.5}], lr=0.1, momentum=0.9)
    return params, optimizer, make_one_cycle(optimizer)


def test_one_cycle_drives_sgd_lr_and_momentum_every_step(make_optimizer):
    # The schedule itself (checked against torch elsewhere), recorded on a stand-in optimizer.
    stand_in = make_optimizer()
    scheduler = make_one_cycle(stand_in)
    schedule = []
    for _ in range(STEPS):
        schedule.append([(g["lr"], g["momentum"]) for g in stand_in.param_groups])
        stand_in.step()
        scheduler.step()

    params, optimizer, scheduler = build()
    expected = [p.data.copy() for p in params]
    buffers = [None, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for t in range(STEPS):
            quadratic_grads(params)
            for i, (lr, momentum) in enumerate(schedule[t]):
                grad = (2.0, 1.0)[i] * expected[i]
                buffers[i] = grad if buffers[i] is None else momentum * buffers[i] + grad
                expected[i] = expected[i] - lr * buffers[i]
            optimizer.step()
            scheduler.step()
            for param, value in zip(params, expected):
                np.testing.assert_allclose(param.data, value, rtol=1e-13, atol=1e-15)
    assert optimizer.param_groups[0]["momentum"] != 0.9  # the scheduler did move it


def test_resume_with_optimizer_and_scheduler_state_dicts():
    params, optimizer, scheduler = build()
    for _ in range(5):
        quadratic_grads(params)
        optimizer.step()
        scheduler.step()
    saved_params = copy.deepcopy([p.data for p in params])
    saved_optimizer, saved_scheduler = optimizer.state_dict(), scheduler.state_dict()
    for _ in range(5, STEPS):
        quadratic_grads(params)
        optimizer.step()
        scheduler.step()

    resumed_params, resumed_optimizer, resumed_scheduler = build()
    for param, data in zip(resumed_params, saved_params):
        param.data[...] = data
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed_scheduler.load_state_dict(saved_scheduler)
    for _ in range(5, STEPS):
        quadratic_grads(resumed_params)
        resumed_optimizer.step()
        resumed_scheduler.step()
    for param, resumed in zip(params, resumed_params):
        np.testing.assert_array_equal(param.data, resumed.data)
    assert resumed_scheduler.get_last_lr() == scheduler.get_last_lr()
