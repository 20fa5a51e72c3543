"""minigrad.nn's learner toolbox: Module additions (buffers, hooks, apply, requires_grad_,
zero_grad, the list-of-modules warning), containers, dropout, init statistics, nn.utils,
Linear's dtype rule, and the error messages of the classification losses and layers."""

import math
import warnings

import numpy as np
import pytest

from minigrad import Tensor, gradcheck, manual_seed, nn
from minigrad.nn import functional as F


@pytest.fixture(autouse=True)
def seeded():
    manual_seed(0)


# ---- Module ---------------------------------------------------------------------------------------


def test_assigning_a_list_of_modules_warns_and_names_module_list():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2), nn.ReLU()]

    with pytest.warns(UserWarning, match=r"Net.layers is a plain list of Modules: they are NOT registered.*nn.ModuleList"):
        net = Net()
    assert list(net.parameters()) == []  # which is exactly what the warning is about


def test_assigning_a_dict_of_modules_warns_and_names_module_dict():
    net = nn.Module()
    with pytest.warns(UserWarning, match=r"nn.ModuleDict"):
        net.heads = {"a": nn.Linear(2, 1)}


def test_lists_without_modules_do_not_warn():
    net = nn.Module()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.sizes = [1, 2, 3]
        net.options = {"a": 1}


def test_module_list_registers_and_behaves_like_a_list():
    layers = nn.ModuleList([nn.Linear(2, 3), nn.ReLU()])
    layers.append(nn.Linear(3, 1))
    layers += [nn.Tanh()]
    assert len(layers) == 4 and isinstance(layers[-2], nn.Linear)
    assert [name for name, _ in layers.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    layers.insert(0, nn.Identity())
    assert isinstance(layers[0], nn.Identity) and [n for n, _ in layers.named_children()][-1] == "4"
    del layers[0]
    assert isinstance(layers[0], nn.Linear) and isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    with pytest.raises(TypeError, match="ModuleList element 1: expected a Module, got int"):
        layers.extend([nn.ReLU(), 3])
    assert len(layers) == 4  # nothing appended
    with pytest.raises(IndexError, match="ModuleList: index 7 is out of range"):
        layers[7]


def test_module_dict_registers_by_key():
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})
    assert list(heads) == ["cls", "reg"] and "cls" in heads and len(heads) == 2
    assert [name for name, _ in heads.named_parameters()][:2] == ["cls.weight", "cls.bias"]
    heads["extra"] = nn.ReLU()
    assert heads.pop("extra").__class__ is nn.ReLU
    with pytest.raises(KeyError, match="keys must be non-empty strings without '.'"):
        heads["a.b"] = nn.ReLU()
    with pytest.raises(KeyError, match=r"ModuleDict has no module 'x'; keys: \['cls', 'reg'\]"):
        heads["x"]


def test_named_modules_modules_children_and_apply_order():
    net = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert [name for name, _ in net.named_modules()] == ["", "0", "1", "1.0", "1.1"]
    assert len(list(net.modules())) == 5 and len(list(net.children())) == 2
    visited = []
    assert net.apply(lambda m: visited.append(type(m).__name__)) is net
    assert visited == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]  # children first


def test_apply_with_init_sets_every_linear():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))

    def init(module):
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.bias)
            nn.init.ones_(module.weight)

    net.apply(init)
    assert all(np.all(p.data == (1.0 if p.ndim == 2 else 0.0)) for p in net.parameters())


def test_requires_grad_freezes_and_unfreezes():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    net[0].requires_grad_(False)
    net(Tensor(np.ones((2, 2)))).sum().backward()
    assert net[0].weight.grad is None and net[1].weight.grad is not None
    assert net.requires_grad_() is net and all(p.requires_grad for p in net.parameters())
    with pytest.raises(TypeError, match="requires_grad_ expects a bool"):
        net.requires_grad_("no")


def test_frozen_parameter_is_listed_and_saved():
    p = nn.Parameter(np.ones(2), requires_grad=False)
    assert not p.requires_grad and isinstance(p, Tensor)
    module = nn.Module()
    module.frozen = p
    assert list(module.parameters()) == [p] and "frozen" in module.state_dict()
    with pytest.raises(TypeError, match="requires_grad must be a bool"):
        nn.Parameter(np.ones(2), requires_grad="yes")


def test_zero_grad_set_to_none_false_zeroes_in_place():
    layer = nn.Linear(2, 1)
    layer(Tensor(np.ones((1, 2)))).sum().backward()
    grad = layer.weight.grad
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad is grad and not grad.any()
    layer.zero_grad()
    assert layer.weight.grad is None


def test_forward_hooks_see_and_replace_inputs_and_outputs():
    layer = nn.Linear(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2.0,))
    post = layer.register_forward_hook(lambda m, args, out: calls.append((args[0].data.copy(), out.shape)))
    x = Tensor(np.ones((1, 2)))
    out = layer(x)
    np.testing.assert_allclose(out.data[0], 2.0 * layer.weight.data.sum(axis=1) + layer.bias.data)
    assert calls[0][0].tolist() == [[2.0, 2.0]] and calls[0][1] == (1, 2)
    replace = layer.register_forward_hook(lambda m, args, out: out * 0.0)
    assert not layer(x).data.any()
    for handle in (pre, post, replace):
        handle.remove()
    np.testing.assert_allclose(layer(x).data[0], layer.weight.data.sum(axis=1) + layer.bias.data)
    assert len(calls) == 2
    with pytest.raises(TypeError, match="hook must be callable"):
        layer.register_forward_hook(3)


def test_buffers_are_saved_loaded_and_not_parameters():
    bn = nn.BatchNorm1d(3)
    assert [name for name, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    net = nn.Sequential(nn.Linear(3, 3), bn)
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                      "1.running_var", "1.num_batches_tracked"]
    net(Tensor(np.random.default_rng(0).standard_normal((5, 3))))
    state = net.state_dict()
    assert state["1.num_batches_tracked"] == 1 and state["1.num_batches_tracked"].dtype == np.int64
    fresh = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
    fresh.load_state_dict(state)
    for name, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, state[name])
        assert value.dtype == state[name].dtype
    fresh.eval()
    net.eval()
    x = Tensor(np.ones((2, 3)))
    np.testing.assert_array_equal(fresh(x).data, net(x).data)


def test_buffer_errors_and_non_persistent_buffers():
    module = nn.Module()
    module.register_buffer("steps", Tensor(0.0), persistent=False)
    assert "steps" not in module.state_dict() and len(list(module.buffers())) == 1
    with pytest.raises(TypeError, match="cannot register ndarray as buffer 'b'"):
        module.register_buffer("b", np.zeros(2))
    with pytest.raises(TypeError, match="cannot assign int as buffer 'steps'"):
        module.steps = 3


def test_misshaped_buffer_is_refused_and_nothing_is_loaded():
    bn = nn.BatchNorm1d(2)
    state = bn.state_dict()
    state["running_mean"] = np.ones(3)
    state["weight"] = np.full(2, 5.0)
    with pytest.raises(RuntimeError, match=r"size mismatch for running_mean: copying a param with shape \(3,\) from checkpoint, the shape in current model is \(2,\)"):
        bn.load_state_dict(state)
    assert np.all(bn.weight.data == 1.0)


# ---- layers -----------------------------------------------------------------------------------------


def test_dropout_keeps_the_expectation_and_is_the_identity_in_eval():
    layer = nn.Dropout(0.3)
    x = Tensor(np.ones(200_000))
    out = layer(x).data
    zeros = np.mean(out == 0)
    assert abs(zeros - 0.3) < 4 * math.sqrt(0.3 * 0.7 / out.size)
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.7])
    assert abs(out.mean() - 1.0) < 0.01
    layer.eval()
    assert layer(x) is x
    assert F.dropout(x, 0.3, training=False) is x


def test_dropout_gradient_is_the_mask():
    x = Tensor(np.ones(1000), requires_grad=True)
    out = F.dropout(x, 0.5)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)
    assert not F.dropout(x, 1.0).data.any()
    with pytest.raises(ValueError, match=r"dropout: dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)


def test_batch_norm_eval_uses_running_statistics():
    bn = nn.BatchNorm1d(2, affine=False)
    bn.running_mean.data[...] = [1.0, -1.0]
    bn.running_var.data[...] = [4.0, 0.25]
    bn.eval()
    out = bn(Tensor(np.array([[3.0, 0.0]])))
    np.testing.assert_allclose(out.data, [[2.0 / math.sqrt(4 + 1e-5), 1.0 / math.sqrt(0.25 + 1e-5)]])


def test_batch_norm_errors():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(2)(Tensor(np.ones((1, 2))))
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\) expects input of shape \(N, 3\) or \(N, 3, L\), got \(4, 2\)"):
        bn(Tensor(np.ones((4, 2))))
    assert bn.num_batches_tracked.data == 0


def test_batch_norm_without_running_stats_always_uses_the_batch():
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    out = bn(Tensor(np.array([[0.0, 1.0], [2.0, 3.0]])))
    np.testing.assert_allclose(out.data, [[-1, -1], [1, 1]], atol=1e-4)
    assert bn.running_mean is None and "running_mean" not in bn.state_dict()


def test_layers_pass_gradcheck():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    for layer in (nn.LayerNorm(3), nn.BatchNorm1d(3), nn.GELU(), nn.ELU(0.7), nn.SiLU(), nn.LeakyReLU(0.1),
                  nn.Softmax(dim=1), nn.LogSoftmax(dim=0)):
        assert gradcheck(layer, [x]), type(layer).__name__


def test_losses_pass_gradcheck():
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal((5, 4)), requires_grad=True)
    labels = np.array([0, 3, 1, 1, 2])
    assert gradcheck(lambda t: F.cross_entropy(t, labels, label_smoothing=0.1, weight=[1.0, 2.0, 0.5, 1.0]), [x])
    binary = (rng.random((5, 4)) > 0.5) * 1.0
    assert gradcheck(lambda t: F.binary_cross_entropy_with_logits(t, binary, pos_weight=[1.0, 2.0, 3.0, 0.5]), [x])
    p = Tensor(rng.uniform(0.1, 0.9, (5, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.binary_cross_entropy(t, np.full((5, 4), 0.3)), [p])


def test_flatten_embedding_and_softmax_shapes():
    assert nn.Flatten()(Tensor(np.ones((2, 3, 4)))).shape == (2, 12)
    assert nn.Flatten(0, 1)(Tensor(np.ones((2, 3, 4)))).shape == (6, 4)
    embedding = nn.Embedding(10, 4)
    assert embedding(np.array([[1, 2], [3, 3]])).shape == (2, 2, 4)
    with pytest.raises(IndexError, match="id 10 is out of range for num_embeddings=10"):
        embedding(np.array([10]))
    with pytest.raises(TypeError, match="integer ids"):
        embedding(np.array([1.0]))
    with pytest.raises(TypeError, match=r"pass the dimension to normalise over, e.g. Softmax\(dim=1\)"):
        nn.Softmax()
    rows = F.softmax(Tensor(np.array([[1000.0, 0.0], [1.0, 1.0]])), dim=1)
    np.testing.assert_allclose(rows.data, [[1.0, 0.0], [0.5, 0.5]])


def test_one_hot():
    out = F.one_hot(np.array([2, 0]), num_classes=4)
    assert out.dtype == np.int64 and out.data.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0]]
    assert F.one_hot(Tensor(np.array([[1], [3]]), dtype=np.int64)).shape == (2, 1, 4)
    with pytest.raises(ValueError, match="smaller than num_classes=2"):
        F.one_hot(np.array([2]), 2)
    with pytest.raises(TypeError, match="integer class indices"):
        F.one_hot(np.array([1.0]))


# ---- dtype rule --------------------------------------------------------------------------------------


def test_linear_keeps_float32_and_refuses_a_dtype_mismatch():
    layer32 = nn.Linear(3, 2, dtype=np.float32)
    x32 = np.ones((4, 3), dtype=np.float32)
    assert layer32(x32).dtype == np.float32 and layer32(Tensor(x32)).dtype == np.float32
    assert layer32(np.ones((4, 3), dtype=np.int64)).dtype == np.float32  # integer data takes the layer's dtype
    with pytest.raises(TypeError, match="Linear: input dtype float32 differs from the layer's dtype float64"):
        nn.Linear(3, 2)(Tensor(x32))
    with pytest.raises(TypeError, match="input dtype float64 differs from the layer's dtype float32"):
        layer32(np.ones((4, 3)))


@pytest.mark.parametrize("layer", [nn.LayerNorm(3), nn.BatchNorm1d(3)])
def test_normalisation_layers_refuse_a_dtype_mismatch(layer):
    with pytest.raises(TypeError, match=f"{type(layer).__name__}: input dtype float32 differs from the layer's dtype float64"):
        layer(Tensor(np.ones((4, 3), dtype=np.float32)))


def test_float32_classifier_stays_float32():
    net = nn.Sequential(nn.Linear(4, 8, dtype=np.float32), nn.GELU(), nn.LayerNorm(8, dtype=np.float32),
                        nn.BatchNorm1d(8, dtype=np.float32), nn.Dropout(0.1), nn.Linear(8, 3, dtype=np.float32))
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(net(np.ones((5, 4), dtype=np.float32)), np.array([0, 1, 2, 0, 1]))
    assert loss.dtype == np.float32
    loss.backward()
    assert all(p.grad.dtype == np.float32 for p in net.parameters())


# ---- loss errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, message", [
    (lambda x: F.cross_entropy(x, np.array([0, 5])), IndexError, "target 5 is out of bounds for 3 classes"),
    (lambda x: F.cross_entropy(x, np.array([0, 1, 2])), ValueError, r"target shape \(3,\) does not fit input shape \(2, 3\)"),
    (lambda x: F.cross_entropy(x, np.ones(2)), ValueError, "floating-point target means class probabilities"),
    (lambda x: F.cross_entropy(x, np.array([0, 1]), weight=[1.0, 2.0]), ValueError, "weight must be a 1-D array of 3"),
    (lambda x: F.cross_entropy(x, np.array([0, 1]), reduction="avg"), ValueError, "avg is not a valid value for reduction"),
    (lambda x: F.cross_entropy(x, np.array([0, 1]), label_smoothing=1.5), ValueError, "label_smoothing must be <= 1"),
    (lambda x: F.nll_loss(x, np.array([0.0, 1.0])), TypeError, "expected integer class indices"),
    (lambda x: F.binary_cross_entropy(x, np.ones((2, 3))), ValueError, "all elements of input should be between 0 and 1"),
    (lambda x: F.binary_cross_entropy_with_logits(x, np.ones((3, 2))), ValueError,
     r"target shape \(3, 2\) differs from input shape \(2, 3\)"),
    (lambda x: F.binary_cross_entropy_with_logits(x, np.ones((2, 3)), pos_weight=[1.0, 2.0]), ValueError,
     r"pos_weight of shape \(2,\) does not broadcast"),
])
def test_loss_errors_name_the_problem(call, error, message):
    x = Tensor(np.array([[0.5, -2.0, 1.0], [3.0, 0.1, -0.2]]), requires_grad=True)
    with pytest.raises(error, match=message):
        call(x)


def test_all_targets_ignored_gives_nan_like_torch():
    with np.errstate(invalid="ignore", divide="ignore"):
        loss = F.cross_entropy(Tensor(np.zeros((2, 3))), np.array([-100, -100]))
    assert math.isnan(loss.item())


def test_bce_clamps_its_logs_at_minus_100():
    loss = F.binary_cross_entropy(Tensor(np.array([0.0, 1.0])), np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0])


# ---- init ------------------------------------------------------------------------------------------------


def test_calculate_gain_table():
    assert nn.init.calculate_gain("linear") == nn.init.calculate_gain("sigmoid") == 1.0
    assert nn.init.calculate_gain("tanh") == 5.0 / 3
    assert nn.init.calculate_gain("relu") == math.sqrt(2.0)
    assert nn.init.calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01 ** 2))
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)
    assert nn.init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity swish"):
        nn.init.calculate_gain("swish")


def _moments_ok(values, mean, std):
    """Sample mean within 5 standard errors, sample std within 3 % (n = 200,000)."""
    n = values.size
    return abs(values.mean() - mean) < 5 * std / math.sqrt(n) and abs(values.std() / std - 1) < 0.03


@pytest.mark.parametrize("name, kwargs, kind, scale", [
    # scale: the bound of a uniform draw or the std of a normal one, for a (400, 500) weight
    ("xavier_uniform_", {}, "uniform", math.sqrt(6 / 900)),
    ("xavier_uniform_", {"gain": 2.0}, "uniform", 2 * math.sqrt(6 / 900)),
    ("xavier_normal_", {}, "normal", math.sqrt(2 / 900)),
    ("kaiming_uniform_", {"nonlinearity": "relu"}, "uniform", math.sqrt(2) * math.sqrt(3 / 500)),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, "uniform", math.sqrt(1 / 500)),  # torch's Linear default
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, "normal", math.sqrt(2 / 400)),
    ("kaiming_normal_", {}, "normal", math.sqrt(2 / 1.0001) / math.sqrt(500)),
    ("uniform_", {"a": -0.5, "b": 1.5}, "shifted", None),
    ("normal_", {"mean": 3.0, "std": 0.5}, "normal3", 0.5),
])
def test_init_distributions(name, kwargs, kind, scale):
    weight = nn.Parameter(np.zeros((400, 500)))
    assert getattr(nn.init, name)(weight, **kwargs) is weight
    values = weight.data
    if kind == "uniform":
        assert values.min() >= -scale and values.max() <= scale
        assert values.min() < -0.99 * scale and values.max() > 0.99 * scale
        assert _moments_ok(values, 0.0, scale / math.sqrt(3))
    elif kind == "normal":
        assert _moments_ok(values, 0.0, scale)
    elif kind == "normal3":
        assert _moments_ok(values, 3.0, scale)
    else:
        assert values.min() >= -0.5 and values.max() <= 1.5 and _moments_ok(values, 0.5, 2 / math.sqrt(12))


def test_init_is_seeded_and_in_place():
    weight = nn.Parameter(np.zeros((3, 4)))
    array = weight.data
    manual_seed(9)
    nn.init.xavier_uniform_(weight)
    first = weight.data.copy()
    manual_seed(9)
    nn.init.xavier_uniform_(weight)
    assert weight.data is array
    np.testing.assert_array_equal(weight.data, first)
    nn.init.xavier_uniform_(weight, generator=np.random.default_rng(9))
    assert np.abs(weight.data).max() <= math.sqrt(6 / 7)
    nn.init.constant_(weight, 0.25)
    assert np.all(weight.data == 0.25)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(nn.Parameter(np.zeros(3)))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        nn.init.kaiming_normal_(weight, mode="fan")


def test_linear_default_init_is_torchs_bound():
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.weight.data).max() > 0.99 * bound
    assert _moments_ok(layer.weight.data, 0.0, bound / math.sqrt(3))


# ---- nn.utils ----------------------------------------------------------------------------------------------


def test_clip_grad_value_and_norm_edge_cases():
    p = nn.Parameter(np.zeros(3))
    q = nn.Parameter(np.zeros(2))  # no gradient: skipped
    p.grad = np.array([-3.0, 0.5, 2.0])
    nn.utils.clip_grad_value_([p, q], 1.0)
    np.testing.assert_array_equal(p.grad, [-1.0, 0.5, 1.0])
    assert nn.utils.clip_grad_norm_([q], 1.0).item() == 0.0
    p.grad = np.array([np.inf, 0.0, 0.0])
    saved = p.grad.copy()
    with pytest.raises(RuntimeError, match="the total norm of order 2.0 of the gradients is non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(p.grad, saved)
    p.grad = np.array([np.nan, 1.0, 0.0])
    nn.utils.clip_grad_norm_(p, 1.0)
    assert np.isnan(p.grad).all()  # a NaN norm poisons every entry, as in torch


def test_parameters_to_vector_and_back():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vector = nn.utils.parameters_to_vector(net.parameters())
    assert vector.shape == (11,)
    np.testing.assert_array_equal(vector.data[:6], net[0].weight.data.reshape(-1))
    arrays = [p.data for p in net.parameters()]
    nn.utils.vector_to_parameters(np.arange(11.0), net.parameters())
    assert [p.data for p in net.parameters()] == arrays  # same arrays, new values
    np.testing.assert_array_equal(net[1].bias.data, [10.0])
    with pytest.raises(ValueError, match="vector has 5 elements, the parameters 11"):
        nn.utils.vector_to_parameters(np.zeros(5), net.parameters())
    np.testing.assert_array_equal(net[1].bias.data, [10.0])
