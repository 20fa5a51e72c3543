"""torch.optim API parity of the base class, each point checked against torch 2.13's behaviour:
named parameters, torch's error and warning texts, state-dict and global step hooks, options
switched on after the first step, and hyperparameter kinds with optional entries.
"""

import numpy as np
import pytest

import optimizers
from minigrad import Tensor, nn
from optimizer_reliability_cases import BACKENDS, Param, gradients, trained
from optimizers import SGD, Adam, Optimizer
from optimizers.base import optional


# --------------------------------------------------------------------- named parameters
def test_named_parameters_keep_their_names_in_the_groups_and_the_state_dict():
    model = nn.Linear(2, 1)
    optimizer = Adam(model.named_parameters(), lr=0.1)
    assert optimizer.param_groups[0]["param_names"] == ["weight", "bias"]
    assert optimizer.param_groups[0]["params"] == list(model.parameters())
    model(Tensor(np.ones((3, 2)))).sum().backward()
    optimizer.step()
    saved = optimizer.state_dict()
    assert saved["param_groups"][0]["param_names"] == ["weight", "bias"]
    assert saved["param_groups"][0]["params"] == [0, 1] and sorted(saved["state"]) == [0, 1]


def test_named_parameter_groups_and_loading_names():
    a, b, c = (Param(np.zeros(2)) for _ in range(3))
    optimizer = SGD([{"params": [("a", a), ("b", b)]}, {"params": [("c", c)], "lr": 0.5}], lr=0.1)
    assert [g["param_names"] for g in optimizer.param_groups] == [["a", "b"], ["c"]]
    saved = optimizer.state_dict()
    saved["param_groups"][1]["param_names"] = ["renamed"]
    del saved["param_groups"][0]["param_names"]
    optimizer.load_state_dict(saved)  # torch: loaded names override, absent ones are kept
    assert [g["param_names"] for g in optimizer.param_groups] == [["a", "b"], ["renamed"]]


def test_names_for_all_parameters_or_none_like_torch():
    a, b = Param(np.zeros(2)), Param(np.zeros(2))
    with pytest.raises(ValueError, match="^all optimizer params should be with/without names. "
                                         "Some param names are missing$"):
        SGD([("a", a), b])
    optimizer = SGD([("a", a)])
    with pytest.raises(ValueError, match="^all optimizer param groups should be with/without names. "
                                         "cannot add param group without names to the optimizer$"):
        optimizer.add_param_group({"params": [b]})
    optimizer = SGD([a])
    with pytest.raises(ValueError, match="cannot add param group with names to the optimizer$"):
        optimizer.add_param_group({"params": [("b", b)]})
    assert len(optimizer.param_groups) == 1


# --------------------------------------------------------------------- torch's texts
@pytest.mark.parametrize("params, got", [
    (Param(np.zeros(1)), "Param"),
    (np.zeros(3), "ndarray"),
    (3.0, "float"),
    ("weights", "str"),
    (None, "NoneType"),
])
def test_params_argument_error_is_torchs(params, got):
    with pytest.raises(TypeError) as info:
        SGD(params, lr=0.1)
    assert str(info.value) == (
        "params argument given to the optimizer should be an iterable of Tensors or dicts, "
        f"but got {got}"
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_duplicate_parameter_warns_and_is_updated_twice_like_torch(backend):
    """torch 2.13: UserWarning; SGD(lr=0.1) and Adam(lr=0.1) move p = 1 with grad 1 to 0.8 (Adam within 1e-7, with step count 2)."""
    p = Param(np.ones(1), np.ones(1))
    with pytest.warns(UserWarning, match=r"^optimizer contains a parameter group with duplicate "
                      r"parameters; in future, this will cause an error; see "
                      r"github.com/pytorch/pytorch/issues/40967 for more information$"):
        optimizer = Adam([p, p], lr=0.1, backend=backend)
    optimizer.step()
    assert p.data[0] == pytest.approx(0.8, abs=1e-7) and optimizer.state[p]["step"] == 2
    q = Param(np.ones(1), np.ones(1))
    with pytest.warns(UserWarning):
        SGD([q, q], lr=0.1, momentum=0.9, backend=backend).step()
    assert q.data[0] == 0.8


# --------------------------------------------------------------------- options switched on later
@pytest.mark.parametrize("name, option, value, created", [
    ("adam", "amsgrad", True, "max_exp_avg_sq"),
    ("adamw", "amsgrad", True, "max_exp_avg_sq"),
    ("rmsprop", "momentum", 0.9, "momentum_buffer"),
    ("rmsprop", "centered", True, "grad_avg"),
    ("sgd", "momentum", 0.9, "momentum_buffer"),
])
def test_an_option_switched_on_after_a_step_gets_its_state(name, option, value, created):
    """The entry is created as on a first step (zeros; SGD's buffer from the gradient) and
    both backends then agree bit for bit. (torch 2.13 raises KeyError for the first three.)"""
    off = {"amsgrad": False, "momentum": 0, "centered": False}[option]
    results = {}
    for backend in BACKENDS:
        optimizer, params = trained(name, backend, **{option: off})
        assert created not in optimizer.state.get(params[0], {})
        optimizer.param_groups[0][option] = value
        before = params[0].data.copy()
        optimizer.step()
        state = optimizer.state[params[0]]
        assert created in state and created not in optimizer.state.get(params[2], {})
        assert state[created].dtype == params[0].data.dtype and state[created].flags.c_contiguous
        assert not np.array_equal(before, params[0].data)
        gradients(params)
        optimizer.step()
        results[backend] = [p.data.tobytes() for p in params] + [state[created].tobytes()]
    assert results["numba"] == results["numpy"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_amsgrad_switched_on_later_starts_from_zeros(backend):
    """max(0, v) = v: the first amsgrad step is the plain Adam step."""
    plain, plain_params = trained("adam", backend, amsgrad=False)
    switched, switched_params = trained("adam", backend, amsgrad=False)
    switched.param_groups[0]["amsgrad"] = True
    plain.step()
    switched.step()
    for p, q in zip(plain_params, switched_params):
        assert p.data.tobytes() == q.data.tobytes()
    assert np.array_equal(switched.state[switched_params[0]]["max_exp_avg_sq"],
                          switched.state[switched_params[0]]["exp_avg_sq"])


# --------------------------------------------------------------------- hooks
def test_state_dict_hooks_run_in_torchs_order_and_may_replace_the_dict():
    optimizer, params = trained("sgd", "numpy")
    log = []
    optimizer.register_state_dict_pre_hook(lambda opt: log.append("pre"))
    optimizer.register_state_dict_pre_hook(lambda opt: log.append("pre-first"), prepend=True)
    optimizer.register_state_dict_post_hook(lambda opt, sd: log.append(("post", sorted(sd))))
    handle = optimizer.register_state_dict_post_hook(lambda opt, sd: {**sd, "extra": 1})
    saved = optimizer.state_dict()
    assert log == ["pre-first", "pre", ("post", ["param_groups", "state"])]
    assert saved["extra"] == 1
    handle.remove()
    assert "extra" not in optimizer.state_dict()


def test_load_state_dict_hooks_see_a_shallow_copy_and_may_replace_it():
    optimizer, params = trained("adam", "numpy")
    saved = optimizer.state_dict()
    log = []

    def pre(opt, state_dict):
        log.append("pre")
        assert state_dict is not saved and state_dict["state"] is saved["state"]
        state_dict["param_groups"] = [dict(g, lr=0.25) for g in state_dict["param_groups"]]

    optimizer.register_load_state_dict_pre_hook(pre)
    optimizer.register_load_state_dict_post_hook(lambda opt: log.append(("post", opt.param_groups[0]["lr"])))
    optimizer.register_load_state_dict_post_hook(lambda opt: log.append("post-first"), prepend=True)
    optimizer.load_state_dict(saved)
    assert log == ["pre", "post-first", ("post", 0.25)]
    assert saved["param_groups"][0]["lr"] == 0.01  # the caller's dict is not modified

    log.clear()
    optimizer.register_load_state_dict_pre_hook(lambda opt, sd: {"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optimizer.load_state_dict(saved)
    assert log == ["pre"]  # no post-hook after a failed load


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_step_hooks_wrap_every_optimizers_own_hooks(backend):
    sgd_params, adam_params = [Param(np.ones(2), np.ones(2))], [Param(np.ones(2), np.ones(2))]
    sgd, adam = SGD(sgd_params, lr=0.5, backend=backend), Adam(adam_params, backend=backend)
    log = []
    handles = [
        optimizers.register_optimizer_step_pre_hook(lambda o, a, k: log.append(("global-pre", type(o).__name__))),
        optimizers.register_optimizer_step_post_hook(lambda o, a, k: log.append(("global-post", type(o).__name__))),
    ]
    try:
        sgd.register_step_pre_hook(lambda o, a, k: log.append(("pre", "SGD")))
        sgd.register_step_post_hook(lambda o, a, k: log.append(("post", "SGD")))
        sgd.step()
        adam.step()
        assert log == [("global-pre", "SGD"), ("pre", "SGD"), ("post", "SGD"), ("global-post", "SGD"),
                       ("global-pre", "Adam"), ("global-post", "Adam")]
        assert sgd_params[0].data.tolist() == [0.5, 0.5]
    finally:
        for handle in handles:
            handle.remove()
    sgd.step()
    assert ("global-pre", "SGD") not in log[6:]


def test_a_global_pre_hook_may_replace_the_arguments():
    p = Param(np.ones(1))

    def closure():
        p.grad = np.ones(1)
        return 5.0

    with optimizers.register_optimizer_step_pre_hook(lambda o, a, k: ((o, closure), {})):
        assert SGD([p], lr=0.5).step() == 5.0
    assert p.data[0] == 0.5


# --------------------------------------------------------------------- hyperparameter kinds
class FactoredLike(Optimizer):
    """An optimizer with Adafactor's eps=(None, 1e-3) and LBFGS-like declared kinds."""

    hyperparameter_kinds = {"max_eval": optional(int), "history_size": int}

    def __init__(self, params, lr=1e-2, eps=(None, 1e-3), max_eval=None, history_size=10,
                 line_search_fn=None, foreach=None):
        super().__init__(params, dict(lr=lr, eps=eps, max_eval=max_eval, history_size=history_size,
                                      line_search_fn=line_search_fn, foreach=foreach), "numpy")

    def update(self, param, grad, state, group):
        param -= group["lr"] * grad


@pytest.mark.parametrize("hyperparameters", [
    {}, dict(eps=(1e-30, 1e-3)), dict(eps=[None, 0.01]), dict(max_eval=25),
    dict(line_search_fn="strong_wolfe"), dict(foreach=True),
])
def test_declared_optional_values_are_accepted(hyperparameters):
    p = Param(np.ones(2), np.ones(2))
    FactoredLike([p], **hyperparameters).step()
    assert p.data.tolist() == [0.99, 0.99]


@pytest.mark.parametrize("hyperparameters, error, message", [
    (dict(eps=(1e-30, None)), TypeError,
     "eps must be a tuple of (None or a real number, a real number), but got (1e-30, None)"),
    (dict(eps=("a", 1e-3)), TypeError,
     "eps must be a tuple of (None or a real number, a real number), but got ('a', 0.001)"),
    (dict(eps=None), TypeError,
     "eps must be a tuple of (None or a real number, a real number), but got None"),
    (dict(eps=(None, float("nan"))), ValueError, "eps must not be NaN, but got (None, nan)"),
    (dict(max_eval=2.5), TypeError, "max_eval must be None or an integer, but got 2.5"),
    (dict(history_size=None), TypeError, "history_size must be an integer, but got None"),
    (dict(history_size=True), TypeError, "history_size must be an integer, but got True"),
])
def test_declared_kinds_are_enforced(hyperparameters, error, message):
    with pytest.raises(error) as info:
        FactoredLike([Param(np.ones(2))], **hyperparameters)
    assert str(info.value) == message
    optimizer = FactoredLike([Param(np.ones(2), np.ones(2))])
    optimizer.param_groups[0].update(hyperparameters)
    with pytest.raises(error) as info:
        optimizer.step()
    assert str(info.value) == message


def test_a_list_valued_hyperparameter_changed_in_place_is_checked_again():
    p = Param(np.ones(2), np.ones(2))
    optimizer = Adam([p], betas=[0.9, 0.999])
    optimizer.step()
    optimizer.param_groups[0]["betas"][0] = 1.0
    before = p.data.copy()
    with pytest.raises(ValueError, match=r"^Invalid beta parameter at index 0: 1.0$"):
        optimizer.step()
    assert p.data.tobytes() == before.tobytes() and optimizer.state[p]["step"] == 1
