"""minigrad.nn.Module and Parameter: registration, traversal, zero_grad, train/eval, state_dict, repr."""

import numpy as np
import pytest

import minigrad.nn as nn
from minigrad import Tensor, manual_seed


class Block(nn.Module):
    """A custom module with a parameter of its own, a sub-module and a plain attribute."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.array([2.0]))
        self.inner = nn.Linear(2, 3)
        self.note = "not registered"

    def forward(self, x):
        return self.inner(x) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.Tanh(), nn.Linear(3, 1))

    def forward(self, x):
        return self.head(self.block(x))


@pytest.fixture(autouse=True)
def seeded():
    manual_seed(0)


def test_parameter_always_requires_grad():
    assert nn.Parameter(np.zeros(3)).requires_grad
    assert nn.Parameter(Tensor([1.0, 2.0], requires_grad=False)).requires_grad
    assert nn.Parameter(np.zeros(2, dtype=np.float32)).dtype == np.float32
    assert nn.Parameter([1, 2]).dtype == np.float64
    assert isinstance(nn.Parameter([1.0]), Tensor)


def test_ops_on_parameters_return_plain_tensors():
    p = nn.Parameter([1.0, 2.0])
    assert type(p * 2) is Tensor


def test_named_parameters_are_dotted_and_in_registration_order():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["block.scale", "block.inner.weight", "block.inner.bias", "head.1.weight", "head.1.bias"]
    assert list(net.parameters()) == [p for _, p in net.named_parameters()]
    assert net.block.inner.weight is dict(net.named_parameters())["block.inner.weight"]
    assert [name for name, _ in net.named_parameters(recurse=False)] == []
    assert [name for name, _ in net.block.named_parameters(recurse=False)] == ["scale"]


def test_plain_attributes_are_not_registered():
    block = Block()
    assert block.note == "not registered"
    assert "note" not in dict(block.named_parameters()) and "note" not in dict(block.named_children())


def test_children_and_modules():
    net = Net()
    assert list(net.children()) == [net.block, net.head]
    assert [name for name, _ in net.named_children()] == ["block", "head"]
    assert [name for name, _ in net.named_modules()] == ["", "block", "block.inner", "head", "head.0", "head.1"]
    assert list(net.modules())[0] is net and len(list(net.modules())) == 6


def test_shared_parameters_and_modules_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.modules())) == 3  # the Sequential, the Linear, the ReLU


def test_reassigning_replaces_the_registration():
    block = Block()
    block.inner = nn.Identity()
    assert [name for name, _ in block.named_parameters()] == ["scale"]
    block.scale = nn.Parameter([3.0])
    assert block.scale.data[0] == 3.0
    block.scale = None
    assert block.scale is None and list(block.parameters()) == []
    del block.inner
    assert list(block.children()) == []
    with pytest.raises(AttributeError, match="has no attribute 'inner'"):
        block.inner


def test_assigning_a_plain_tensor_to_a_parameter_name_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'weight'"):
        layer.weight = Tensor(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="Parameter or None expected"):
        layer.register_parameter("extra", Tensor([1.0]))


def test_assignment_before_super_init_explains_itself():
    class Forgetful(nn.Module):
        def __init__(self):
            self.weight = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgetful()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="does not define forward"):
        nn.Module()(Tensor([1.0]))


def test_call_runs_forward():
    block = Block()
    x = Tensor(np.ones((4, 2)))
    expected = (x.data @ block.inner.weight.data.T + block.inner.bias.data) * 2.0
    np.testing.assert_allclose(block(x).data, expected, rtol=1e-14)


def test_zero_grad_sets_every_grad_to_none():
    net = Net()
    net(Tensor(np.ones((3, 2)))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_and_eval_reach_every_module():
    net = Net()
    assert all(module.training for module in net.modules())
    assert net.eval() is net
    assert not any(module.training for module in net.modules())
    assert net.train() is net
    assert all(module.training for module in net.modules())
    with pytest.raises(TypeError, match="bool"):
        net.train("no")


# ---- state_dict ---------------------------------------------------------------------------------


def test_state_dict_holds_numpy_copies_in_order():
    net = Net()
    state = net.state_dict()
    assert list(state) == [name for name, _ in net.named_parameters()]
    assert all(isinstance(value, np.ndarray) for value in state.values())
    np.testing.assert_array_equal(state["block.inner.weight"], net.block.inner.weight.data)
    net.block.inner.weight.data += 1.0
    assert not np.array_equal(state["block.inner.weight"], net.block.inner.weight.data)


def test_state_dict_round_trip_reproduces_the_model():
    source, target = Net(), Net()  # different initial draws from the library generator
    x = Tensor(np.random.default_rng(0).standard_normal((5, 2)))
    assert not np.allclose(source(x).data, target(x).data)
    arrays_before = [p.data for p in target.parameters()]
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(source(x).data, target(x).data)
    # Loaded in place: the arrays an optimizer may hold are still the parameters' arrays.
    assert all(before is p.data for before, p in zip(arrays_before, target.parameters()))


def test_load_state_dict_keeps_each_parameters_dtype():
    layer = nn.Linear(2, 2, dtype=np.float32)
    layer.load_state_dict({"weight": np.ones((2, 2)), "bias": Tensor([0.5, 0.25])})
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    np.testing.assert_array_equal(layer.bias.data, [0.5, 0.25])


def assert_load_fails_and_changes_nothing(model, state, *fragments):
    before = {name: value.copy() for name, value in model.state_dict().items()}
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    for fragment in fragments:
        assert fragment in str(info.value)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_missing_key_is_named_and_nothing_is_loaded():
    net = Net()
    state = {name: value + 1 for name, value in Net().state_dict().items()}
    del state["head.1.bias"]
    assert_load_fails_and_changes_nothing(net, state, "missing key(s): 'head.1.bias'")


def test_unexpected_key_is_named_and_nothing_is_loaded():
    net = Net()
    state = {name: value + 1 for name, value in net.state_dict().items()}
    state["head.2.weight"] = np.zeros(3)
    assert_load_fails_and_changes_nothing(net, state, "unexpected key(s): 'head.2.weight'")


def test_misshaped_value_is_named_and_nothing_is_loaded():
    net = Net()
    state = {name: value + 1 for name, value in net.state_dict().items()}
    state["block.inner.weight"] = np.zeros((2, 3))
    assert_load_fails_and_changes_nothing(
        net, state, "size mismatch for block.inner.weight: copying a param with shape (2, 3) from checkpoint, the shape in current model is (3, 2)"
    )


def test_all_problems_are_reported_together():
    net = Net()
    state = net.state_dict()
    del state["block.scale"]
    state["block.inner.bias"] = np.zeros(4)
    state["typo"] = np.zeros(1)
    state["head.1.bias"] = np.array(["a"])
    assert_load_fails_and_changes_nothing(
        net, state, "'block.scale'", "'typo'", "size mismatch for block.inner.bias: copying a param with shape (4,)", "'head.1.bias' holds non-numeric"
    )


def test_non_strict_load_reports_missing_and_unexpected_keys():
    layer = nn.Linear(2, 1)
    result = layer.load_state_dict({"weight": np.full((1, 2), 7.0), "extra": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(layer.weight.data, [[7.0, 7.0]])
    with pytest.raises(RuntimeError, match="size mismatch for weight: copying a param with shape"):
        layer.load_state_dict({"weight": np.zeros(2)}, strict=False)  # shapes are checked anyway


def test_load_state_dict_refuses_a_non_mapping():
    with pytest.raises(TypeError, match="mapping"):
        nn.Linear(1, 1).load_state_dict([np.zeros((1, 1))])


# ---- repr ---------------------------------------------------------------------------------------


def test_repr_looks_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 1, bias=False), nn.Sigmoid()))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=4, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=1, bias=False)\n"
        "    (1): Sigmoid()\n"
        "  )\n"
        ")"
    )
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.HuberLoss(reduction="sum", delta=2)) == "HuberLoss(reduction='sum', delta=2.0)"
