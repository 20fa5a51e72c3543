"""`Module.load_state_dict` checks the whole dict before it copies anything, and a Module
survives `copy.deepcopy` and `pickle` with its parameters, structure and mode."""

import copy
import pickle

import numpy as np
import pytest

from minigrad import Tensor, nn


def model():
    layers = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    for index, p in enumerate(layers.parameters()):
        p.data[...] = np.arange(p.data.size).reshape(p.data.shape) * 0.1 + index
    return layers


def good():
    return {name: np.full(p.data.shape, 7.0) for name, p in model().named_parameters()}


def changed(**entries):
    state = good()
    for name, value in entries.items():
        name = name.replace("__", ".")
        if value is None:
            del state[name]
        else:
            state[name] = value
    return state


PREFIX = "Error(s) in loading state_dict for Sequential: "
CASES = [
    ("missing", changed(**{"1__bias": None}), True, RuntimeError, PREFIX + "missing key(s): '1.bias'"),
    ("unexpected", dict(good(), extra=np.zeros(1)), True, RuntimeError,
     PREFIX + "unexpected key(s): 'extra'"),
    ("missing-and-unexpected", dict(changed(**{"0__weight": None}), other=np.zeros(1)), True,
     RuntimeError, PREFIX + "missing key(s): '0.weight'; unexpected key(s): 'other'"),
    ("shape", changed(**{"0__bias": np.zeros(4)}), True, RuntimeError,
     PREFIX + "size mismatch for 0.bias: copying a param with shape (4,) from checkpoint, the shape in current model is (3,)"),
    ("transposed", changed(**{"0__weight": np.zeros((2, 3))}), True, RuntimeError,
     PREFIX + "size mismatch for 0.weight: copying a param with shape (2, 3) from checkpoint, the shape in current model is (3, 2)"),
    ("strings", changed(**{"1__bias": np.array(["a"])}), True, RuntimeError,
     PREFIX + "'1.bias' holds non-numeric data of dtype <U1"),
    ("complex", changed(**{"1__bias": np.array([1j])}), True, RuntimeError,
     PREFIX + "'1.bias' holds non-numeric data of dtype complex128"),
    ("object", changed(**{"1__bias": np.array([None])}), True, RuntimeError,
     PREFIX + "'1.bias' holds non-numeric data of dtype object"),
    ("ragged", changed(**{"1__weight": [[1.0, 2.0], [3.0]]}), True, RuntimeError,
     PREFIX + "'1.weight' is not an array"),
    ("last-key-bad", changed(**{"1__bias": np.zeros(2)}), True, RuntimeError,
     PREFIX + "size mismatch for 1.bias: copying a param with shape (2,) from checkpoint, the shape in current model is (1,)"),
    ("non-strict-shape", changed(**{"0__bias": np.zeros(4)}), False, RuntimeError,
     PREFIX + "size mismatch for 0.bias: copying a param with shape (4,) from checkpoint, the shape in current model is (3,)"),
    ("not-a-mapping", [np.zeros(1)], True, TypeError,
     "state_dict must be a mapping of names to arrays, got list"),
    ("None", None, True, TypeError, "state_dict must be a mapping of names to arrays, got NoneType"),
    ("strict-str", good(), "yes", TypeError, "strict must be True or False, got 'yes'"),
    ("strict-int", good(), 1, TypeError, "strict must be True or False, got 1"),
]


@pytest.mark.parametrize("state_dict, strict, error, message",
                         [pytest.param(*row[1:], id=row[0]) for row in CASES])
def test_a_failed_load_changes_no_parameter(state_dict, strict, error, message):
    layers = model()
    arrays = [p.data for p in layers.parameters()]
    before = [a.tobytes() for a in arrays]
    with pytest.raises(error) as info:
        layers.load_state_dict(state_dict, strict=strict)
    assert str(info.value).startswith(message), str(info.value)
    assert all(p.data is a for p, a in zip(layers.parameters(), arrays))
    assert [p.data.tobytes() for p in layers.parameters()] == before


def test_a_read_only_parameter_is_reported_before_anything_is_copied():
    layers = model()
    layers[1].bias.data.flags.writeable = False
    before = [p.data.tobytes() for p in layers.parameters()]
    with pytest.raises(RuntimeError, match=r"'1.bias': the parameter's data is read-only$"):
        layers.load_state_dict(good())
    assert [p.data.tobytes() for p in layers.parameters()] == before


def test_edge_values_that_load():
    layers = model()
    state = good()
    state["0.weight"] = np.ones((3, 2), dtype=np.int64)       # cast, like torch's copy_
    state["0.bias"] = Tensor(np.full(3, 0.5))                  # a Tensor's values
    state["1.bias"] = np.array([np.nan])                       # NaN is a value, not an error
    result = layers.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert layers[0].weight.data.dtype == np.float64 and layers[0].weight.data.sum() == 6.0
    assert np.isnan(layers[1].bias.data[0])
    partial = layers.load_state_dict({"1.weight": np.zeros((1, 3)), "x": 1.0}, strict=False)
    assert partial.missing_keys == ["0.weight", "0.bias", "1.bias"] and partial.unexpected_keys == ["x"]


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_module_survives_copying(how):
    layers = model().eval()
    clone = copy.deepcopy(layers) if how == "deepcopy" else pickle.loads(pickle.dumps(layers))
    assert repr(clone) == repr(layers) and clone.training is False and clone[0].training is False
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in layers.named_parameters()]
    for p, q in zip(layers.parameters(), clone.parameters()):
        assert p is not q and p.data is not q.data and p.data.tobytes() == q.data.tobytes()
        assert type(q) is type(p) and q.requires_grad
    x = Tensor(np.ones((4, 2)))
    clone(x).sum().backward()
    assert all(p.grad is None for p in layers.parameters())
    assert all(q.grad is not None for q in clone.parameters())
    assert clone(x).data.tobytes() == layers(x).data.tobytes()


def test_a_shared_parameter_stays_shared_in_the_copy():
    layers = model()
    shared = nn.Sequential(layers[0], layers[0])
    clone = copy.deepcopy(shared)
    assert clone[0] is clone[1] and len(list(clone.parameters())) == 2
