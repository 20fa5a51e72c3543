"""Bad and edge inputs to `Optimizer.step()`: each raises its own clear error, and a step
that raises leaves every parameter, state entry and step counter bit for bit as it was,
on both backends.

Every case corrupts one thing of an optimizer that has already taken a step (so its state
exists) -- parameter 1 of group 0 or its state, or a hyperparameter of a group -- and
steps again. Parameter 0 comes first and would be updated first by an optimizer that
checked as it went.
"""

import numpy as np
import pytest

import optimizers
from optimizer_reliability_cases import BACKENDS, NAMES, Param, lr_negative_message, snapshot, trained
from optimizers.base import ARRAY

WHERE = "(parameter 1 of group 0)"
STATE = "state '{entry}' of parameter 1 of group 0"

CASES = []  # (id, optimizer name, corrupt(optimizer, params), exception type, message)


def case(case_id, name, corrupt, error, message):
    CASES.append(pytest.param(name, corrupt, error, message, id=f"{name}-{case_id}"))


def set_group(index, key, value):
    def corrupt(optimizer, params):
        optimizer.param_groups[index][key] = value
    return corrupt


def set_state(entry, make):
    def corrupt(optimizer, params):
        optimizer.state[params[1]][entry] = make(optimizer.state[params[1]], params[1])
    return corrupt


def set_param(make_data, make_grad=None):
    def corrupt(optimizer, params):
        params[1].data = make_data(params[1].data)
        if make_grad is not None:
            params[1].grad = make_grad(params[1].grad)
    return corrupt


def read_only(array):
    array = array.copy()
    array.flags.writeable = False
    return array


for name in NAMES:
    defaults = optimizers.create(name, [Param(np.zeros(1))]).defaults
    cls = type(optimizers.create(name, [Param(np.zeros(1))]))
    arrays = [entry for entry, kind in cls.state_spec.items() if kind is ARRAY]
    first_array = arrays[0] if arrays else None  # Adafactor's factored state has no plain array

    # ----------------------------------------------------------------- hyperparameters
    case("lr-None", name, set_group(0, "lr", None), TypeError, "lr must be a real number, but got None")
    case("lr-str", name, set_group(0, "lr", "0.1"), TypeError, "lr must be a real number, but got '0.1'")
    case("lr-bool", name, set_group(0, "lr", True), TypeError, "lr must be a real number, but got True")
    case("lr-array", name, set_group(0, "lr", np.array([0.1])), TypeError,
         "lr must be a real number, but got array([0.1])")
    case("lr-negative", name, set_group(0, "lr", -1.0), ValueError, lr_negative_message(name, -1.0))
    case("lr-nan", name, set_group(0, "lr", float("nan")), ValueError, "lr must not be NaN, but got nan")
    case("lr-huge-int", name, set_group(0, "lr", 10**400), ValueError,
         f"lr is too large for a float: {10**400!r}")
    case("group1-lr-negative", name, set_group(1, "lr", -0.5), ValueError, lr_negative_message(name, -0.5))
    case("group1-lr-None", name, set_group(1, "lr", None), TypeError, "lr must be a real number, but got None")
    if "weight_decay" in defaults:  # Rprop has none
        case("weight-decay-negative", name, set_group(0, "weight_decay", -1), ValueError,
             "weight_decay should be >= 0 but is: -1" if name == "adafactor"
             else "Invalid weight_decay value: -1")
    if "maximize" in defaults:  # Schedule-Free has none
        case("maximize-int", name, set_group(0, "maximize", 1), TypeError,
             "maximize must be True or False, but got 1")
        case("maximize-str", name, set_group(0, "maximize", "False"), TypeError,
             "maximize must be True or False, but got 'False'")
    case("lr-deleted", name, lambda o, p: o.param_groups[0].pop("lr"), ValueError,
         f"parameter group 0 lacks the hyperparameters ['lr'] of {cls.__name__}")
    case("params-not-a-list", name, set_group(0, "params", 5), TypeError,
         "param_groups[0]['params'] must be a list of parameters, but got int")
    if "betas" in defaults:
        case("beta1-one", name, set_group(0, "betas", (1.0, 0.999)), ValueError,
             "Invalid beta parameter at index 0: 1.0")
        case("beta2-negative", name, set_group(0, "betas", (0.9, -0.5)), ValueError,
             "Invalid beta parameter at index 1: -0.5")
        case("betas-short", name, set_group(0, "betas", (0.9,)), TypeError,
             "betas must be a tuple of 2 real numbers, but got (0.9,)")
        case("betas-None", name, set_group(0, "betas", None), TypeError,
             "betas must be a tuple of 2 real numbers, but got None")
        case("beta-None", name, set_group(0, "betas", (0.9, None)), TypeError,
             "betas must be a tuple of 2 real numbers, but got (0.9, None)")
    if "eps" in defaults and not isinstance(defaults["eps"], tuple):  # Adafactor's is a pair
        case("eps-negative", name, set_group(0, "eps", -1e-8), ValueError, "Invalid epsilon value: -1e-08")

    # ----------------------------------------------------------------- parameter 1 and its grad
    case("grad-shape", name, set_param(lambda d: d, lambda g: np.ones(4)), ValueError,
         f"gradient shape (4,) does not match parameter shape (3,) {WHERE}")
    case("grad-float32", name, set_param(lambda d: d, lambda g: g.astype(np.float32)), TypeError,
         f"gradient dtype float32 does not match parameter dtype float64 {WHERE}")
    case("grad-list", name, set_param(lambda d: d, lambda g: list(g)), TypeError,
         f"a gradient must be a numpy array or None, but got list {WHERE}")
    case("data-float16", name, set_param(lambda d: d.astype(np.float16), lambda g: g.astype(np.float16)),
         TypeError, "optimizer can only optimize float32 or float64 parameters, but one of the "
         f"params has dtype float16 {WHERE}")
    case("data-int64", name, set_param(lambda d: np.arange(3), lambda g: np.arange(3)), TypeError,
         "optimizer can only optimize float32 or float64 parameters, but one of the "
         f"params has dtype int64 {WHERE}")
    case("data-big-endian", name, set_param(lambda d: d.astype(">f8"), lambda g: g.astype(">f8")),
         TypeError, "optimizer can only optimize arrays in native byte order, but one of the params "
         "has dtype '>f8'; convert it with data.astype(data.dtype.newbyteorder('=')) " + WHERE)
    case("data-read-only", name, set_param(read_only), ValueError,
         f"a parameter's .data is read-only, but optimizers update it in place {WHERE}")
    case("data-list", name, set_param(list, lambda g: g), TypeError,
         f"a parameter's .data must be a numpy array, but got list {WHERE}")
    if first_array is not None:
        case("data-other-shape", name, set_param(lambda d: np.ones(4), lambda g: np.ones(4)), ValueError,
             f"{STATE.format(entry=first_array)} has shape (3,), but the parameter has shape (4,)")
        case("data-float32", name,
             set_param(lambda d: d.astype(np.float32), lambda g: g.astype(np.float32)), TypeError,
             f"{STATE.format(entry=first_array)} has dtype float64, but the parameter has dtype float32")
    case("not-a-parameter", name, lambda o, p: o.param_groups[0]["params"].__setitem__(1, np.ones(3)),
         TypeError, "optimizer can only optimize parameters with .data and .grad, but parameter 1 "
         "of group 0 is ndarray")

    # ----------------------------------------------------------------- state entries
    for entry in arrays:
        where = STATE.format(entry=entry)
        case(f"{entry}-int64", name, set_state(entry, lambda s, p, e=entry: s[e].astype(np.int64)),
             TypeError, f"{where} has dtype int64, but the parameter has dtype float64")
        case(f"{entry}-float32", name, set_state(entry, lambda s, p, e=entry: s[e].astype(np.float32)),
             TypeError, f"{where} has dtype float32, but the parameter has dtype float64")
        case(f"{entry}-shape", name, set_state(entry, lambda s, p: np.zeros(4)), ValueError,
             f"{where} has shape (4,), but the parameter has shape (3,)")
        case(f"{entry}-is-the-parameter", name, set_state(entry, lambda s, p: p.data), ValueError,
             f"{where} is the parameter's own array")
        case(f"{entry}-read-only", name, set_state(entry, lambda s, p, e=entry: read_only(s[e])),
             ValueError, f"{where} is read-only, but optimizers update it in place")
        case(f"{entry}-list", name, set_state(entry, lambda s, p, e=entry: list(s[e])), TypeError,
             f"{where} must be a numpy array, but got list")
        # (An emptied state is a fresh one, as in torch: Lion's only entry is not "missing".)
        if entry not in cls.option_state and len(cls.state_spec) > 1:
            case(f"{entry}-missing", name,
                 lambda o, p, e=entry: o.state[p[1]].pop(e), ValueError,
                 f"the state of parameter 1 of group 0 lacks '{entry}', which {cls.__name__} keeps")
    where = STATE.format(entry="step")
    has_step = "step" in cls.state_spec
    case("step-negative", name, set_state("step", lambda s, p: -1), ValueError,
         f"{where} must be a step count in [0, 2**63), but got -1")
    case("step-str", name, set_state("step", lambda s, p: "abc"), TypeError,
         f"{where} must be an int step count, but got 'abc'")
    case("step-float", name, set_state("step", lambda s, p: 1.5), TypeError,
         f"{where} must be an int step count, but got 1.5")
    case("step-bool", name, set_state("step", lambda s, p: True), TypeError,
         f"{where} must be an int step count, but got True")
    case("step-huge", name, set_state("step", lambda s, p: 2**63), ValueError,
         f"{where} must be a step count in [0, 2**63), but got {2**63}")
    if has_step:
        case("step-missing", name, lambda o, p: o.state[p[1]].pop("step"), ValueError,
             f"the state of parameter 1 of group 0 lacks 'step', which {cls.__name__} keeps")

# Options that only some optimizers have.
case("nesterov-with-dampening", "sgd",
     lambda o, p: o.param_groups[0].update(nesterov=True, dampening=0.5), ValueError,
     "Nesterov momentum requires a momentum and zero dampening")
case("nesterov-int", "sgd", set_group(0, "nesterov", 1), TypeError, "nesterov must be True or False, but got 1")
case("momentum-negative", "sgd", set_group(0, "momentum", -0.9), ValueError, "Invalid momentum value: -0.9")
case("momentum-negative", "rmsprop", set_group(0, "momentum", -0.9), ValueError, "Invalid momentum value: -0.9")
case("centered-None", "rmsprop", set_group(0, "centered", None), TypeError,
     "centered must be True or False, but got None")
case("alpha-negative", "rmsprop", set_group(0, "alpha", -0.1), ValueError, "Invalid alpha value: -0.1")
case("rho-above-one", "adadelta", set_group(0, "rho", 1.5), ValueError, "Invalid rho value: 1.5")
case("lr-decay-negative", "adagrad", set_group(0, "lr_decay", -1), ValueError, "Invalid lr_decay value: -1")
case("amsgrad-int", "adam", set_group(0, "amsgrad", 1), TypeError, "amsgrad must be True or False, but got 1")
case("amsgrad-int", "adamw", set_group(0, "amsgrad", 1), TypeError, "amsgrad must be True or False, but got 1")
case("decoupled-str", "adamw", set_group(0, "decoupled_weight_decay", "yes"), TypeError,
     "decoupled_weight_decay must be True or False, but got 'yes'")
case("momentum-decay-negative", "nadam", set_group(0, "momentum_decay", -0.004), ValueError,
     "Invalid momentum_decay value: -0.004")
case("mu-product-str", "nadam", set_state("mu_product", lambda s, p: "x"), TypeError,
     "state 'mu_product' of parameter 1 of group 0 must be a real number, but got 'x'")
case("mu-product-missing", "nadam", lambda o, p: o.state[p[1]].pop("mu_product"), ValueError,
     "the state of parameter 1 of group 0 lacks 'mu_product', which NAdam keeps")
case("adam-state-in-adamax", "adamax",
     lambda o, p: o.state.__setitem__(p[1], {"step": 1, "exp_avg": np.zeros(3), "exp_avg_sq": np.zeros(3)}),
     ValueError, "the state of parameter 1 of group 0 lacks 'exp_inf', which Adamax keeps "
     "(its state: step, exp_avg, exp_inf; found: step, exp_avg, exp_avg_sq); "
     "was it the state of another optimizer?")


def test_the_table_is_large_enough():
    assert len(CASES) >= 150


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, corrupt, error, message", CASES)
def test_a_failed_step_changes_nothing(name, corrupt, error, message, backend):
    optimizer, params = trained(name, backend)
    corrupt(optimizer, params)
    before = snapshot(optimizer, params)
    with pytest.raises(error) as info:
        optimizer.step()
    assert str(info.value).startswith(message), str(info.value)
    assert snapshot(optimizer, params) == before
