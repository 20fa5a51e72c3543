"""The Optimizer base class: torch.optim.Optimizer's surface, semantics and errors."""

from types import SimpleNamespace

import numpy as np
import pytest

import optimizers
from optimizers import SGD, Optimizer
from optimizer_cases import Param


class UnhashableParam(Param):
    """Like a Tensor with element-wise ==: unhashable, yet a valid parameter."""

    def __eq__(self, other):
        return self.data == other.data

    __hash__ = None


class SignSGD(Optimizer):
    """The docstring's learner example: p <- p - lr * sign(g), numpy only, with a step count."""

    def __init__(self, params, lr=0.01, backend=None):
        super().__init__(params, {"lr": lr}, backend)

    def check_hyperparameters(self, group):
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")

    def init_state(self, param, group):
        return {"step": 0, "steps_seen": np.zeros_like(param)}

    def update(self, param, grad, state, group):
        state["steps_seen"][...] = state["step"]
        param -= group["lr"] * np.sign(grad)


def sgd(params=None, **hyperparameters):
    return SGD(params if params is not None else [Param(np.zeros(3))], **hyperparameters)


# --------------------------------------------------------------------- construction
def test_param_groups_and_defaults():
    a, b, c = Param(np.zeros(2)), Param(np.zeros(3)), Param(np.zeros(()))
    optimizer = SGD([{"params": [a, b], "lr": 1e-2}, {"params": c}], lr=1e-3, momentum=0.9)
    assert optimizer.defaults == dict(lr=1e-3, momentum=0.9, dampening=0, weight_decay=0,
                                      nesterov=False, maximize=False)
    assert [g["lr"] for g in optimizer.param_groups] == [1e-2, 1e-3]
    assert [g["momentum"] for g in optimizer.param_groups] == [0.9, 0.9]
    assert optimizer.param_groups[0]["params"] == [a, b]
    assert optimizer.param_groups[1]["params"] == [c]  # a single parameter is wrapped
    assert optimizer.backend == "numba"


def test_params_may_be_any_iterable():
    params = [Param(np.zeros(2)), Param(np.zeros(2))]
    optimizer = SGD(p for p in params)
    assert optimizer.param_groups[0]["params"] == params


def test_add_param_group_uses_defaults_and_does_not_modify_the_given_dict():
    optimizer = sgd(lr=0.1, momentum=0.5)
    extra = Param(np.zeros(2))
    given = {"params": [extra], "lr": 0.01}
    optimizer.add_param_group(given)
    assert given == {"params": [extra], "lr": 0.01}
    assert optimizer.param_groups[1]["lr"] == 0.01
    assert optimizer.param_groups[1]["momentum"] == 0.5


def test_repr_lists_each_groups_hyperparameters_like_torch():
    optimizer = SGD([{"params": [Param(np.zeros(1))]}, {"params": [Param(np.zeros(1))], "lr": 0.5}],
                    lr=0.1, momentum=0.9)
    assert repr(optimizer) == (
        "SGD (\n"
        "Parameter Group 0\n    dampening: 0\n    lr: 0.1\n    maximize: False\n"
        "    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n"
        "Parameter Group 1\n    dampening: 0\n    lr: 0.5\n    maximize: False\n"
        "    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n"
        ")"
    )


# --------------------------------------------------------------------- stepping
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_none_grad_is_skipped_entirely(backend):
    """No weight decay, no state, no step for a parameter without a gradient."""
    with_grad, without = Param(np.ones(2), np.ones(2)), Param(np.ones(2))
    optimizer = optimizers.Adagrad([with_grad, without], lr=0.1, weight_decay=0.5, backend=backend)
    optimizer.step()
    assert np.array_equal(without.data, np.ones(2))
    assert without not in optimizer.state
    assert optimizer.state[with_grad]["step"] == 1
    without.grad = np.ones(2)
    optimizer.step()
    assert optimizer.state[with_grad]["step"] == 2
    assert optimizer.state[without]["step"] == 1


def test_sgd_without_momentum_keeps_no_state_like_torch():
    p = Param(np.ones(2), np.ones(2))
    optimizer = sgd([p], lr=0.1)
    optimizer.step()
    assert optimizer.state_dict()["state"] == {}
    np.testing.assert_allclose(p.data, [0.9, 0.9])


def test_step_returns_the_closure_loss_and_calls_it_before_updating():
    p = Param(np.array([2.0]))
    optimizer = sgd([p], lr=0.25)
    calls = []

    def closure():
        calls.append(p.data.copy())
        p.grad = 2 * p.data  # d/dp of p^2
        return float(p.data[0] ** 2)

    assert optimizer.step(closure) == 4.0
    np.testing.assert_allclose(p.data, [1.0])  # 2 - 0.25 * 4: the closure's grad was used
    assert optimizer.step() is None  # the same grad again: 1 - 0.25 * 4
    np.testing.assert_allclose(calls, [[2.0]])
    np.testing.assert_allclose(p.data, [0.0])


def test_zero_grad_sets_none_or_zeros_in_place():
    a, b = Param(np.ones(2), np.ones(2)), Param(np.ones(2), None)
    optimizer = sgd([a, b])
    grad = a.grad
    optimizer.zero_grad(set_to_none=False)
    assert a.grad is grad and np.array_equal(grad, [0.0, 0.0]) and b.grad is None
    optimizer.zero_grad()
    assert a.grad is None and b.grad is None


def test_state_is_keyed_by_parameter_even_if_unhashable():
    p = UnhashableParam(np.ones(3), np.ones(3))
    q = UnhashableParam(np.ones(3), np.ones(3))
    optimizer = SGD([p, q], lr=0.1, momentum=0.9)
    optimizer.step()
    assert p in optimizer.state and len(optimizer.state) == 2
    assert list(optimizer.state) == [p, q]
    assert optimizer.state[p] is not optimizer.state[q]
    np.testing.assert_allclose(optimizer.state[p]["momentum_buffer"], np.ones(3))
    fresh = Param(np.ones(1))
    assert optimizer.state.get(fresh) is None and fresh not in optimizer.state
    assert optimizer.state[fresh] == {} and fresh in optimizer.state  # like defaultdict(dict)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_stays_float32_and_arrays_are_updated_in_place(backend, dtype):
    base = np.ones((4, 4), dtype=dtype)
    p = Param(base.T[::2], np.full((2, 4), 0.5, dtype=dtype))
    array = p.data
    optimizer = optimizers.RMSprop([p], lr=0.1, momentum=0.9, centered=True, backend=backend)
    optimizer.step()
    assert p.data is array and array.base is not None and p.data.dtype == dtype
    assert all(v.dtype == dtype for v in optimizer.state[p].values() if isinstance(v, np.ndarray))
    assert not np.array_equal(base[:, ::2], np.ones((4, 2)))  # written through the view


def test_numpy_scalar_grad_of_a_0d_parameter_is_accepted():
    p = Param(np.array(1.0), np.float64(1.0))
    sgd([p], lr=0.5).step()
    assert float(p.data) == 0.5


# --------------------------------------------------------------------- hooks
def test_step_hooks_receive_the_call_and_can_be_removed():
    p = Param(np.ones(1), np.ones(1))
    optimizer = sgd([p], lr=0.5)
    seen = []
    pre = optimizer.register_step_pre_hook(lambda opt, args, kwargs: seen.append(("pre", opt, args, p.data.copy())))
    post = optimizer.register_step_post_hook(lambda opt, args, kwargs: seen.append(("post", opt, args, p.data.copy())))
    optimizer.step()
    assert [(s[0], s[1], s[2]) for s in seen] == [("pre", optimizer, (optimizer,)), ("post", optimizer, (optimizer,))]
    assert seen[0][3][0] == 1.0 and seen[1][3][0] == 0.5
    pre.remove()
    post.remove()
    optimizer.step()
    assert len(seen) == 2
    with optimizer.register_step_post_hook(lambda *a: seen.append("ctx")):
        optimizer.step()
    optimizer.step()
    assert seen[2:] == ["ctx"]


def test_pre_hook_may_replace_the_arguments():
    p = Param(np.ones(1))
    optimizer = sgd([p], lr=0.5)

    def closure():
        p.grad = np.ones(1)
        return 7.0

    optimizer.register_step_pre_hook(lambda opt, args, kwargs: ((opt, closure), {}))
    assert optimizer.step() == 7.0
    assert p.data[0] == 0.5


def test_pre_hook_with_a_bad_return_value():
    optimizer = sgd()
    optimizer.register_step_pre_hook(lambda *a: "nope")
    with pytest.raises(RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\), but got 'nope'"):
        optimizer.step()


# --------------------------------------------------------------------- subclassing
@pytest.mark.parametrize("backend", [None, "numpy"])
def test_a_learners_numpy_only_optimizer(backend):
    p = Param(np.array([1.0, -1.0, 0.0]))
    optimizer = SignSGD([p], lr=0.25, backend=backend)
    assert optimizer.backend == "numpy"
    for step in (1, 2):
        p.grad = np.array([3.0, -0.5, 0.0])
        optimizer.step()
        assert optimizer.state[p]["step"] == step
        assert np.array_equal(optimizer.state[p]["steps_seen"], [step] * 3)
    np.testing.assert_allclose(p.data, [0.5, -0.5, 0.0])


def test_a_learners_optimizer_without_kernel_rejects_the_numba_backend():
    with pytest.raises(ValueError, match=r"SignSGD has no numba kernel \(no update_numba method\); use backend='numpy'"):
        SignSGD([Param(np.zeros(1))], backend="numba")


def test_an_optimizer_without_update_says_what_is_missing():
    class Incomplete(Optimizer):
        def __init__(self, params):
            super().__init__(params, {})

    with pytest.raises(NotImplementedError, match=r"Incomplete must define update\(param, grad, state, group\)"):
        Incomplete([Param(np.zeros(1), np.zeros(1))]).step()


# --------------------------------------------------------------------- registry
def test_registry_creates_by_case_insensitive_name():
    assert optimizers.available() == sorted(optimizers.available())
    assert {"sgd", "adagrad", "rmsprop", "adadelta"} <= set(optimizers.available())
    p = Param(np.zeros(2))
    optimizer = optimizers.create("RMSprop", [p], lr=0.5, centered=True, backend="numpy")
    assert type(optimizer) is optimizers.RMSprop
    assert optimizer.defaults["lr"] == 0.5 and optimizer.defaults["centered"] is True
    assert optimizer.backend == "numpy"


def test_registry_errors():
    available = ", ".join(sorted(optimizers.available()))
    assert available.startswith("adabelief, adadelta, adafactor, adagrad, adam, ")
    with pytest.raises(ValueError, match=f"^unknown optimizer 'adm'; available: {available}$"):
        optimizers.create("adm", [Param(np.zeros(1))])
    with pytest.raises(TypeError, match="optimizer name must be a string, but got type"):
        optimizers.create(SGD, [Param(np.zeros(1))])
    with pytest.raises(ValueError, match=r"an optimizer named 'sgd' is already registered \(SGD\)"):
        optimizers.register("SGD", SignSGD)
    with pytest.raises(TypeError, match="can only register Optimizer subclasses"):
        optimizers.register("numpy_sign", np.sign)
    with pytest.raises(TypeError, match="unexpected keyword argument 'betas'"):
        optimizers.create("sgd", [Param(np.zeros(1))], betas=(0.9, 0.99))


# --------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "params, error, message",
    [
        ([], ValueError, "optimizer got an empty parameter list"),
        (Param(np.zeros(1)), TypeError,
         "params argument given to the optimizer should be an iterable of Tensors or dicts, but got Param"),
        (np.zeros(3), TypeError,
         "params argument given to the optimizer should be an iterable of Tensors or dicts, but got ndarray"),
        (3.0, TypeError,
         "params argument given to the optimizer should be an iterable of Tensors or dicts, but got float"),
        ([np.zeros(3)], TypeError,
         "optimizer can only optimize parameters with .data and .grad, but one of the params is ndarray"),
        ([SimpleNamespace(data=[1.0, 2.0], grad=None)], TypeError,
         "a parameter's .data must be a numpy array, but got list"),
        ([Param(np.arange(3))], TypeError,
         "optimizer can only optimize float32 or float64 parameters, but one of the params has dtype int64"),
        ([Param(np.zeros(2, np.float16))], TypeError,
         "optimizer can only optimize float32 or float64 parameters, but one of the params has dtype float16"),
        ([Param(np.broadcast_to(np.zeros(1), (3,)))], ValueError,
         "a parameter's .data is read-only, but optimizers update it in place"),
        ([{"params": [Param(np.zeros(1))]}, [Param(np.zeros(1))]], TypeError,
         "param_group must be a dict, but got list"),
        ([{"lr": 0.1}], ValueError, "param_group must have a 'params' entry"),
        ([{"params": {Param(np.zeros(1))}}], TypeError,
         "optimizer parameters need to be organized in ordered collections"),
        ([{"params": 5}], TypeError,
         "param_group['params'] must be a parameter or an iterable of parameters, but got int"),
    ],
)
def test_invalid_params(params, error, message):
    with pytest.raises(error) as info:
        SGD(params, lr=0.1)
    assert str(info.value).startswith(message)


def test_duplicate_parameters():
    """In one group: torch's UserWarning (the parameter is kept twice); across groups: an error."""
    p, q = Param(np.zeros(1)), Param(np.zeros(1))
    with pytest.warns(UserWarning, match="^optimizer contains a parameter group with duplicate parameters; "
                      "in future, this will cause an error; "):
        assert SGD([p, q, p]).param_groups[0]["params"] == [p, q, p]
    with pytest.raises(ValueError, match="^some parameters appear in more than one parameter group$"):
        SGD([{"params": [p]}, {"params": [q, p]}])
    optimizer = SGD([p])
    with pytest.raises(ValueError, match="^some parameters appear in more than one parameter group$"):
        optimizer.add_param_group({"params": [p]})
    assert len(optimizer.param_groups) == 1


def test_invalid_backend():
    with pytest.raises(ValueError, match=r"^Invalid backend: 'torch' \(expected 'numba' or 'numpy'\)$"):
        sgd(backend="torch")


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize(
    "grad, error, message",
    [
        (np.ones(2), ValueError,
         r"gradient shape \(2,\) does not match parameter shape \(3,\) \(parameter 1 of group 0\)"),
        (np.ones(3, np.float32), TypeError,
         r"gradient dtype float32 does not match parameter dtype float64 \(parameter 1 of group 0\)"),
        ([1.0, 1.0, 1.0], TypeError,
         r"a gradient must be a numpy array or None, but got list \(parameter 1 of group 0\)"),
    ],
)
def test_invalid_gradients_leave_the_parameter_untouched(grad, error, message, backend):
    ok, bad = Param(np.ones(2), np.ones(2)), Param(np.ones(3), grad)
    optimizer = SGD([ok, bad], lr=0.1, momentum=0.9, backend=backend)
    with pytest.raises(error, match=message):
        optimizer.step()
    assert np.array_equal(bad.data, np.ones(3)) and bad not in optimizer.state


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_a_parameter_replaced_by_another_shape_is_caught(backend):
    """The kernel would read past the end of the state arrays; run_kernel refuses."""
    p = Param(np.ones(3), np.ones(3))
    optimizer = SGD([p], lr=0.1, momentum=0.9, backend=backend)
    optimizer.step()
    p.data, p.grad = np.ones(4), np.ones(4)
    with pytest.raises(ValueError, match=r"(shape|broadcast)"):
        optimizer.step()


# --------------------------------------------------------------------- load_state_dict
def trained(hp=None, groups=2):
    params = [Param(np.ones(3)), Param(np.ones(2)), Param(np.ones(1))]
    layout = [{"params": params[:2]}, {"params": params[2:], "lr": 0.5}] if groups == 2 else params
    optimizer = optimizers.RMSprop(layout, **(hp or dict(lr=0.1, momentum=0.9, centered=True)))
    for p in params:
        p.grad = np.full(p.data.shape, 0.3)
    optimizer.step()
    return optimizer


def assert_same_state_dict(a, b):
    assert a["param_groups"] == b["param_groups"]
    assert a["state"].keys() == b["state"].keys()
    for index in a["state"]:
        for key, value in a["state"][index].items():
            assert np.array_equal(value, b["state"][index][key])


def corrupt(change):
    saved = trained().state_dict()
    change(saved)
    return saved


@pytest.mark.parametrize(
    "state_dict, message",
    [
        (corrupt(lambda s: s["param_groups"].pop()),
         "loaded state dict has a different number of parameter groups"),
        (corrupt(lambda s: s["param_groups"][0]["params"].pop()),
         "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"),
        (corrupt(lambda s: s["param_groups"][1].pop("alpha")),
         "loaded parameter group 1 lacks the hyperparameters ['alpha'] of RMSprop"),
        (corrupt(lambda s: s["param_groups"][1].update(lr=-1.0)), "Invalid learning rate: -1.0"),
        (corrupt(lambda s: s["state"][1].update(square_avg=np.ones(5))),
         "loaded state 'square_avg' of parameter 1 has shape (5,), but the parameter has shape (2,)"),
        (corrupt(lambda s: s["state"].update({7: {}})),
         "loaded state dict has state for parameter index 7, which is in none of its parameter groups"),
        (corrupt(lambda s: s["param_groups"][1].update(params=[0])),
         "loaded state dict lists parameter index 0 twice"),
        ({"state": {}}, "state_dict must be a dict with 'state' and 'param_groups' entries"),
    ],
    ids=["groups", "group size", "missing hyperparameter", "bad value", "state shape",
         "unknown index", "index twice", "not a state dict"],
)
def test_failed_load_leaves_the_optimizer_unchanged(state_dict, message):
    optimizer = trained()
    groups_before = [dict(g) for g in optimizer.param_groups]
    before = optimizer.state_dict()
    with pytest.raises((ValueError, TypeError)) as info:
        optimizer.load_state_dict(state_dict)
    assert str(info.value) == message
    assert_same_state_dict(before, optimizer.state_dict())
    assert [dict(g) for g in optimizer.param_groups] == groups_before


def test_load_state_dict_from_another_optimizer_type_is_rejected():
    adagrad = optimizers.Adagrad([Param(np.ones(3)), Param(np.ones(2)), Param(np.ones(1))])
    with pytest.raises(ValueError, match=r"lacks the hyperparameters \['lr_decay', 'initial_accumulator_value'\] of Adagrad"):
        adagrad.load_state_dict(trained(groups=1).state_dict())


def test_load_casts_state_to_the_parameter_dtype_and_keeps_group_objects():
    saved = trained().state_dict()  # float64 state
    params = [Param(np.ones(3, np.float32)), Param(np.ones(2, np.float32)), Param(np.ones(1, np.float32))]
    optimizer = optimizers.RMSprop([{"params": params[:2]}, {"params": params[2:]}], lr=0.3)
    group = optimizer.param_groups[1]
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[1] is group and group["lr"] == 0.5 and group["params"] == params[2:]
    assert optimizer.state[params[0]]["square_avg"].dtype == np.float32
    assert optimizer.state[params[0]]["step"] == 1
    for p in params:
        p.grad = np.ones(p.data.shape, np.float32)
    optimizer.step()
    assert optimizer.state[params[0]]["step"] == 2 and params[0].data.dtype == np.float32


def test_loaded_extra_group_keys_are_kept_like_torch():
    """Schedulers store "initial_lr" in the groups; a checkpoint carries it along."""
    source = trained()
    for group in source.param_groups:
        group["initial_lr"] = group["lr"]
    target = trained()
    target.load_state_dict(source.state_dict())
    assert [g["initial_lr"] for g in target.param_groups] == [0.1, 0.5]
