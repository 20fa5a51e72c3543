"""Step hooks fire in torch's order and their handles remove them.

torch.optim.Optimizer.step (torch/optim/optimizer.py, `profile_hook_step`) does, per call:
every pre-hook in registration order, each as hook(optimizer, args, kwargs), a non-None
result replacing (args, kwargs); then the update with those args; then every post-hook
in registration order with the same (possibly replaced) args. Global hooks are not part
of this package.
"""

import numpy as np
import pytest

import optimizers
from optimizers import SGD
from optimizer_cases import Param, shape_for


def event_log(optimizer, param, pre_names=("pre1", "pre2"), post_names=("post1", "post2")):
    """Register logging hooks; each logs (name, the parameter's first value, args, kwargs)."""
    log = []

    def logger(name):
        def hook(opt, args, kwargs):
            assert opt is optimizer
            log.append((name, float(param.data.flat[0]), args, dict(kwargs)))
        return hook

    handles = {}
    for name in pre_names:
        handles[name] = optimizer.register_step_pre_hook(logger(name))
    for name in post_names:
        handles[name] = optimizer.register_step_post_hook(logger(name))
    return log, handles


def test_pre_hooks_in_registration_order_before_the_update_post_hooks_after():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.25)
    # Registered interleaved: the order is per kind, by registration.
    log = []
    optimizer.register_step_post_hook(lambda o, a, k: log.append(("postA", float(p.data[0]))))
    optimizer.register_step_pre_hook(lambda o, a, k: log.append(("preA", float(p.data[0]))))
    optimizer.register_step_post_hook(lambda o, a, k: log.append(("postB", float(p.data[0]))))
    optimizer.register_step_pre_hook(lambda o, a, k: log.append(("preB", float(p.data[0]))))
    optimizer.step()
    assert log == [("preA", 1.0), ("preB", 1.0), ("postA", 0.75), ("postB", 0.75)]


def test_hooks_receive_the_optimizer_and_the_call_arguments():
    p = Param(np.array([2.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.5)
    log, _ = event_log(optimizer, p)

    def closure():
        return 3.0

    assert optimizer.step(closure) == 3.0
    assert [entry[0] for entry in log] == ["pre1", "pre2", "post1", "post2"]
    assert all(entry[2] == (optimizer, closure) and entry[3] == {} for entry in log)
    assert [entry[1] for entry in log] == [2.0, 2.0, 1.5, 1.5]


def test_handle_remove_removes_only_its_hook_and_twice_is_harmless():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.25)
    log, handles = event_log(optimizer, p)
    handles["pre1"].remove()
    handles["post2"].remove()
    handles["post2"].remove()
    optimizer.step()
    assert [entry[0] for entry in log] == ["pre2", "post1"]
    handles["pre2"].remove()
    handles["post1"].remove()
    assert not optimizer._step_pre_hooks and not optimizer._step_post_hooks
    optimizer.step()
    assert len(log) == 2
    assert p.data[0] == 0.5  # both steps happened


def test_a_handle_is_a_context_manager():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.25)
    log = []
    with optimizer.register_step_pre_hook(lambda o, a, k: log.append("pre")):
        optimizer.step()
    optimizer.step()
    assert log == ["pre"]


def test_a_hook_may_remove_itself_while_hooks_run():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.25)
    log = []
    handle = None

    def once(o, a, k):
        log.append("once")
        handle.remove()

    handle = optimizer.register_step_pre_hook(once)
    optimizer.register_step_pre_hook(lambda o, a, k: log.append("always"))
    optimizer.step()
    optimizer.step()
    assert log == ["once", "always", "always"]


def test_pre_hook_new_args_are_used_by_the_step_and_seen_by_later_hooks():
    p = Param(np.array([1.0]))
    optimizer = SGD([p], lr=0.5)

    def closure():
        p.grad = np.array([2.0])
        return 9.0

    seen = []
    optimizer.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre1", args, kwargs)))
    optimizer.register_step_pre_hook(lambda o, args, kwargs: ((o,), {"closure": closure}))
    optimizer.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre3", args, kwargs)))
    optimizer.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", args, kwargs)))
    assert optimizer.step() == 9.0  # the closure supplied by the hook ran
    assert p.data[0] == 0.0  # 1 - 0.5 * 2
    assert seen == [
        ("pre1", (optimizer,), {}),
        ("pre3", (optimizer,), {"closure": closure}),
        ("post", (optimizer,), {"closure": closure}),
    ]


def test_a_failing_pre_hook_stops_the_step_before_the_update():
    p = Param(np.array([1.0]), np.array([1.0]))
    optimizer = SGD([p], lr=0.25)
    log = []

    def fail(o, a, k):
        raise KeyError("stop")

    optimizer.register_step_pre_hook(fail)
    optimizer.register_step_post_hook(lambda o, a, k: log.append("post"))
    with pytest.raises(KeyError, match="stop"):
        optimizer.step()
    assert p.data[0] == 1.0 and log == []


@pytest.mark.parametrize("name", optimizers.available())
def test_every_registered_optimizer_runs_its_hooks_around_its_update(name):
    p = Param(np.array([1.0, -2.0]).reshape(shape_for(name, (2,))))

    target, curvature = np.array([0.5, -1.0]), np.array([1.0, 0.25])

    def closure():
        """f = sum(curvature / 2 (x - target)^2); its gradient at the start is (0.5, -0.25).

        A closure, since LBFGS steps only with one (the others call it once, then update).
        """
        x = p.data.reshape(-1)
        p.grad = (curvature * (x - target)).reshape(p.data.shape)
        return float(np.sum(curvature / 2 * (x - target) ** 2))

    optimizer = optimizers.create(name, [p], lr=0.1, backend="numpy")
    log, handles = event_log(optimizer, p)
    optimizer.step(closure)
    names = [entry[0] for entry in log]
    values = [entry[1] for entry in log]
    assert names == ["pre1", "pre2", "post1", "post2"]
    assert values[0] == values[1] == 1.0
    assert values[2] == values[3] == float(p.data.flat[0]) != 1.0
    for handle in handles.values():
        handle.remove()
    optimizer.step(closure)
    assert len(log) == 4
