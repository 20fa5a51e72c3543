"""`Optimizer.load_state_dict`: the whole dict is checked before anything is assigned.

The table corrupts one thing of a valid state dict; loading it must raise its own error and
leave the optimizer (parameters, state, step counters, groups) bit for bit as it was. The
tests after it pin the loads that must succeed as torch's do: state cast to the parameter's
dtype, flags newer than the dict filled from the defaults, torch's float step counts.
"""

import copy

import numpy as np
import pytest

import optimizers
from optimizer_reliability_cases import BACKENDS, NAMES, Param, lr_negative_message, snapshot, trained
from optimizers.base import ARRAY, STEP

CASES = []  # (id, target optimizer name, source dict maker, exception type, message)


def case(case_id, name, corrupt, error, message, source=None):
    CASES.append(pytest.param(name, source or name, corrupt, error, message, id=f"{name}-{case_id}"))


def in_state(entry, value):
    def corrupt(saved):
        saved["state"][1][entry] = value(saved["state"][1][entry]) if callable(value) else value
    return corrupt


def in_group(index, key, value):
    def corrupt(saved):
        saved["param_groups"][index][key] = value
    return corrupt


for name in NAMES:
    probe = optimizers.create(name, [Param(np.zeros(1))])
    cls, defaults = type(probe), probe.defaults
    for entry, kind in cls.state_spec.items():
        where = f"loaded state '{entry}' of parameter 1"
        if kind is ARRAY:
            case(f"{entry}-shape", name, in_state(entry, np.zeros(4)), ValueError,
                 f"{where} has shape (4,), but the parameter has shape (3,)")
            case(f"{entry}-complex", name, in_state(entry, lambda a: a.astype(complex)), TypeError,
                 f"{where} has non-numeric dtype complex128")
            case(f"{entry}-list", name, in_state(entry, lambda a: list(a)), TypeError,
                 f"{where} must be a numpy array, but got list")
        if entry not in cls.option_state and len(cls.state_spec) > 1:  # an empty state is a fresh one
            case(f"{entry}-missing", name, lambda saved, e=entry: saved["state"][1].pop(e), ValueError,
                 f"loaded state of parameter 1 lacks '{entry}', which {cls.__name__} keeps")
    if "step" in cls.state_spec:
        where = "loaded state 'step' of parameter 1"
        case("step-negative", name, in_state("step", -1), ValueError,
             f"{where} must be a step count in [0, 2**63), but got -1")
        case("step-str", name, in_state("step", "abc"), TypeError,
             f"{where} must be an int step count, but got 'abc'")
        case("step-fraction", name, in_state("step", 2.5), TypeError,
             f"{where} must be an int step count, but got 2.5")
    case("lr-None", name, in_group(0, "lr", None), TypeError, "lr must be a real number, but got None")
    case("lr-negative", name, in_group(1, "lr", -1.0), ValueError, lr_negative_message(name, -1.0))
    if "maximize" in defaults:  # Schedule-Free has no maximize option
        case("maximize-str", name, in_group(0, "maximize", "no"), TypeError,
             "maximize must be True or False, but got 'no'")
    case("lr-missing", name, lambda saved: saved["param_groups"][1].pop("lr"), ValueError,
         f"loaded parameter group 1 lacks the hyperparameters ['lr'] of {cls.__name__}")
    case("group-count", name, lambda saved: saved["param_groups"].pop(), ValueError,
         "loaded state dict has a different number of parameter groups")
    case("group-size", name, lambda saved: saved["param_groups"][0]["params"].pop(), ValueError,
         "loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
    case("unknown-index", name, lambda saved: saved["state"].update({9: {}}), ValueError,
         "loaded state dict has state for parameter index 9, which is in none of its parameter groups")
    case("state-not-a-dict", name, lambda saved: saved["state"].update({1: [1, 2]}), ValueError,
         "loaded state of parameter 1 must be a dict")
    case("not-a-state-dict", name, lambda saved: saved.pop("state"), ValueError,
         "state_dict must be a dict with 'state' and 'param_groups' entries")

# Another optimizer's state dict whose state does not fit.
for target, source, missing in [("adamax", "adam", "exp_inf"), ("adagrad", "rmsprop", "sum"),
                                ("adadelta", "rmsprop", "acc_delta"), ("nadam", "adam", "mu_product")]:
    cls = type(optimizers.create(target, [Param(np.zeros(1))]))
    probe_defaults = optimizers.create(target, [Param(np.zeros(1))]).defaults
    source_defaults = optimizers.create(source, [Param(np.zeros(1))]).defaults
    lacking = [key for key in probe_defaults if key not in source_defaults
               and not isinstance(probe_defaults[key], bool)]
    message = (f"loaded parameter group 0 lacks the hyperparameters {lacking} of {cls.__name__}"
               if lacking else f"loaded state of parameter 0 lacks '{missing}', which {cls.__name__} keeps")
    case(f"state-of-{source}", target, lambda saved: None, ValueError, message, source=source)


def test_the_table_is_large_enough():
    assert len(CASES) >= 100


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, source, corrupt, error, message", CASES)
def test_a_failed_load_changes_nothing(name, source, corrupt, error, message, backend):
    saved = trained(source, backend)[0].state_dict()
    corrupt(saved)
    optimizer, params = trained(name, backend, lr=0.003)
    before = snapshot(optimizer, params)
    with pytest.raises(error) as info:
        optimizer.load_state_dict(saved)
    assert str(info.value).startswith(message), str(info.value)
    assert snapshot(optimizer, params) == before
    # ... and the optimizer still steps as one that never saw the dict.
    reference, reference_params = trained(name, backend, lr=0.003)
    optimizer.step()
    reference.step()
    for p, q in zip(params, reference_params):
        assert p.data.tobytes() == q.data.tobytes()


# --------------------------------------------------------------------- loads that succeed
@pytest.mark.parametrize("backend", BACKENDS)
def test_state_is_cast_to_the_parameter_dtype_like_torch(backend):
    """torch casts every saved state tensor to a floating parameter's dtype, ints included."""
    saved = trained("adam", backend)[0].state_dict()
    saved["state"][1]["exp_avg"] = np.array([1, -2, 3], dtype=np.int64)
    saved["state"][0]["exp_avg_sq"] = saved["state"][0]["exp_avg_sq"].astype(np.float32)
    optimizer, params = trained("adam", backend)
    optimizer.load_state_dict(saved)
    state = optimizer.state[params[1]]
    assert state["exp_avg"].dtype == np.float64 and state["exp_avg"].tolist() == [1.0, -2.0, 3.0]
    assert optimizer.state[params[0]]["exp_avg_sq"].dtype == np.float64
    optimizer.step()
    assert state["step"] == 2


@pytest.mark.parametrize("step", [3.0, np.float32(3.0), np.array(3.0), np.int64(3)])
def test_torch_style_step_counts_load_as_ints(step):
    saved = trained("adam", "numpy")[0].state_dict()
    saved["state"][1]["step"] = step
    optimizer, params = trained("adam", "numpy")
    optimizer.load_state_dict(saved)
    assert type(optimizer.state[params[1]]["step"]) is int and optimizer.state[params[1]]["step"] == 3


@pytest.mark.parametrize("name", NAMES)
def test_flags_missing_from_an_older_dict_are_filled_from_the_defaults(name):
    """torch fills maximize, foreach, differentiable, ... that a dict saved before they existed lacks."""
    source, _ = trained(name, "numpy")
    saved = source.state_dict()
    flags = [key for key, value in source.defaults.items() if isinstance(value, bool)]
    assert flags, name
    for group in saved["param_groups"]:
        for flag in flags:
            del group[flag]
    # maximize=True: the filled value is this optimizer's default, not torch's False.
    # (Schedule-Free's only flag, train_mode, is its state, not a constructor option.)
    flipped = {"maximize": True} if "maximize" in flags else {}
    optimizer, params = trained(name, "numpy", **flipped)
    optimizer.load_state_dict(saved)
    for group in optimizer.param_groups:
        for flag in flags:
            assert group[flag] is optimizer.defaults[flag]
    if flipped:
        assert optimizer.param_groups[0]["maximize"] is True


def test_torch_only_keys_of_a_torch_dict_are_kept():
    saved = trained("adam", "numpy")[0].state_dict()
    for group in saved["param_groups"]:
        group.update(foreach=None, capturable=False, differentiable=False, fused=None)
    optimizer, params = trained("adam", "numpy")
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["foreach"] is None
    optimizer.step()
    assert optimizer.state[params[0]]["step"] == 2


def test_a_dict_saved_with_amsgrad_off_steps_on_with_amsgrad_switched_on():
    saved = trained("adam", "numpy", amsgrad=False)[0].state_dict()
    optimizer, params = trained("adam", "numpy", amsgrad=False)
    optimizer.load_state_dict(saved)
    optimizer.param_groups[0]["amsgrad"] = True
    optimizer.step()
    assert "max_exp_avg_sq" in optimizer.state[params[0]]
    assert "max_exp_avg_sq" not in optimizer.state[params[2]]  # group 1 kept amsgrad off


def test_the_loaded_arrays_are_copies():
    source, _ = trained("rmsprop", "numpy")
    saved = source.state_dict()
    optimizer, params = trained("rmsprop", "numpy")
    optimizer.load_state_dict(saved)
    kept = copy.deepcopy(saved)
    optimizer.step()
    assert saved["state"][0]["square_avg"].tobytes() == kept["state"][0]["square_avg"].tobytes()
    assert kept["state"][0]["step"] == saved["state"][0]["step"] == 1


def test_the_step_kind_is_declared_for_every_optimizer_with_a_step():
    for name in NAMES:
        optimizer, params = trained(name, "numpy")
        state = optimizer.state[params[0]]
        # Adafactor's factored moments have shapes of their own, checked by its own step()
        # (tests/optimizers/test_extra_optimizers.py); every other entry is declared.
        factored = {"row_var", "col_var", "variance"} if name == "adafactor" else set()
        assert set(state) - factored <= set(type(optimizer).state_spec), name
        assert ("step" in state) == (type(optimizer).state_spec.get("step") is STEP), name
