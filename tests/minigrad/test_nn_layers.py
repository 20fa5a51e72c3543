"""minigrad.nn layers: Linear (formula, initialisation, dtype, errors), Sequential, activations,
gradient checks of every layer, and torch's numbers from tests/data/nn_refs.npz."""

from pathlib import Path

import numpy as np
import pytest

import minigrad.nn as nn
from minigrad import Tensor, gradcheck
from minigrad.random import default_generator, manual_seed

REFS = np.load(Path(__file__).parents[1] / "data" / "nn_refs.npz")


def gradcheck_module(module, *inputs):
    """gradcheck `module`'s output with respect to its inputs AND every parameter.

    gradcheck differentiates with respect to the tensors it is handed (float64 copies), so for
    the duration of each call the module's parameters are swapped for gradcheck's copies.
    """
    owners = [(owner, local) for _, owner in module.named_modules()
              for local, parameter in owner._parameters.items() if parameter is not None]
    originals = [owner._parameters[local] for owner, local in owners]

    def fn(*tensors):
        for (owner, local), value in zip(owners, tensors[len(inputs):]):
            owner._parameters[local] = value
        try:
            return module(*tensors[:len(inputs)])
        finally:
            for (owner, local), original in zip(owners, originals):
                owner._parameters[local] = original

    return gradcheck(fn, list(inputs) + originals)


def random_input(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


# ---- Linear -------------------------------------------------------------------------------------


def test_linear_holds_torch_shaped_parameters():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert layer.weight.dtype == layer.bias.dtype == np.float64
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_linear_forward_is_x_times_weight_transposed_plus_bias():
    layer = nn.Linear(4, 3)
    x = np.random.default_rng(1).standard_normal((5, 4))
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-14, atol=1e-15)  # numpy input is wrapped


def test_linear_accepts_any_leading_dimensions():
    layer = nn.Linear(2, 3)
    x = np.random.default_rng(2).standard_normal((4, 5, 2))
    out = layer(Tensor(x))
    assert out.shape == (4, 5, 3)
    np.testing.assert_allclose(out.data, x @ layer.weight.data.T + layer.bias.data, rtol=1e-14)
    assert layer(Tensor(np.ones(2))).shape == (3,)


def test_linear_without_bias():
    layer = nn.Linear(2, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = np.ones((1, 2))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T, rtol=1e-15)


def test_linear_initialisation_is_torchs_uniform_from_the_generator():
    layer = nn.Linear(4, 3, generator=np.random.default_rng(42))
    rng = np.random.default_rng(42)
    np.testing.assert_array_equal(layer.weight.data, rng.uniform(-0.5, 0.5, (3, 4)))
    np.testing.assert_array_equal(layer.bias.data, rng.uniform(-0.5, 0.5, 3))


def test_linear_initialisation_bounds_and_spread():
    layer = nn.Linear(100, 400, generator=np.random.default_rng(0))
    bound = 1 / np.sqrt(100)
    values = layer.weight.data
    assert np.all(np.abs(values) <= bound) and np.all(np.abs(layer.bias.data) <= bound)
    assert values.min() < -0.99 * bound and values.max() > 0.99 * bound
    np.testing.assert_allclose(values.std(), bound / np.sqrt(3), rtol=0.02)  # std of uniform(-a, a)


def test_linear_without_generator_uses_manual_seed():
    manual_seed(3)
    first = nn.Linear(3, 3)
    manual_seed(3)
    second = nn.Linear(3, 3)
    third = nn.Linear(3, 3)
    np.testing.assert_array_equal(first.weight.data, second.weight.data)
    np.testing.assert_array_equal(first.bias.data, second.bias.data)
    assert not np.array_equal(first.weight.data, third.weight.data)
    manual_seed(3)
    np.testing.assert_array_equal(default_generator().uniform(-1 / np.sqrt(3), 1 / np.sqrt(3), (3, 3)),
                                  first.weight.data)


def test_linear_float32_stays_float32():
    layer = nn.Linear(2, 2, dtype=np.float32)
    assert layer.weight.dtype == layer.bias.dtype == np.float32
    out = layer(Tensor(np.ones((3, 2), dtype=np.float32)))
    assert out.dtype == np.float32
    out.sum().backward()
    assert layer.weight.grad.dtype == np.float32


def test_linear_wrong_input_width_names_both_sizes():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"expects input of shape \(\.\.\., 3\), got shape \(5, 4\)"):
        layer(Tensor(np.zeros((5, 4))))
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        layer(Tensor(1.0))


def test_linear_refuses_bad_arguments():
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="in_features must be a positive integer"):
            nn.Linear(bad, 2)
    with pytest.raises(ValueError, match="out_features"):
        nn.Linear(2, 0)
    with pytest.raises(ValueError, match="float32 or float64"):
        nn.Linear(2, 2, dtype=np.int64)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        nn.Linear(2, 2, generator=42)
    with pytest.raises(TypeError, match="Linear expects a Tensor"):
        nn.Linear(2, 2)("ab")


# ---- Sequential and activations -----------------------------------------------------------------


def test_sequential_applies_modules_in_order():
    first, second = nn.Linear(2, 3), nn.Linear(3, 1)
    model = nn.Sequential(first, nn.ReLU(), second)
    x = np.random.default_rng(3).standard_normal((6, 2))
    hidden = np.maximum(x @ first.weight.data.T + first.bias.data, 0)
    np.testing.assert_allclose(model(x).data, hidden @ second.weight.data.T + second.bias.data, rtol=1e-14)
    assert len(model) == 3 and model[0] is first and model[-1] is second
    assert list(model) == [first, model[1], second]
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [model[1], second]
    with pytest.raises(IndexError, match=r"index 3 is out of range \(it has 3 modules\)"):
        model[3]
    with pytest.raises(TypeError, match="argument 1 is a ufunc, not a Module"):
        nn.Sequential(nn.ReLU(), np.tanh)


def test_activations_compute_their_formulas():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(nn.ReLU()(Tensor(x)).data, np.maximum(x, 0))
    np.testing.assert_allclose(nn.Tanh()(Tensor(x)).data, np.tanh(x), rtol=1e-15)
    np.testing.assert_allclose(nn.Sigmoid()(Tensor(x)).data, 1 / (1 + np.exp(-x)), rtol=1e-15)
    t = Tensor(x)
    assert nn.Identity()(t) is t


def test_activations_keep_float32():
    x = Tensor(np.linspace(-1, 1, 5, dtype=np.float32))
    for layer in (nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity()):
        assert layer(x).dtype == np.float32


# ---- gradient checks ----------------------------------------------------------------------------


def test_gradcheck_linear():
    assert gradcheck_module(nn.Linear(3, 2), random_input(4, 3))
    assert gradcheck_module(nn.Linear(3, 2, bias=False), random_input(2, 5, 3))


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity()], ids=repr)
def test_gradcheck_activations(layer):
    x = random_input(3, 4, seed=5)
    x.data[np.abs(x.data) < 1e-3] = 0.5  # keep finite differences off ReLU's kink
    assert gradcheck(layer, [x])


def test_gradcheck_mlp():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 2))
    assert gradcheck_module(model, random_input(5, 3))


def test_gradcheck_catches_a_wrong_layer_gradient():
    """The helper is not vacuous: a layer whose backward is wrong fails it."""

    class WrongSquare(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Parameter([1.5])

        def forward(self, x):
            return x * self.a.detach() * self.a  # detach drops one of the two terms of d(a^2)

    with pytest.raises(RuntimeError, match="gradcheck failed"):
        gradcheck_module(WrongSquare(), random_input(3))


# ---- against torch ------------------------------------------------------------------------------


def test_linear_matches_torch():
    layer = nn.Linear(4, 3)
    layer.load_state_dict({"weight": REFS["linear/weight"], "bias": REFS["linear/bias"]})
    x = Tensor(REFS["linear/x"], requires_grad=True)
    out = layer(x)
    np.testing.assert_allclose(out.data, REFS["linear/out"], rtol=1e-12)
    out.backward(REFS["linear/upstream"])
    np.testing.assert_allclose(x.grad, REFS["linear/grad_x"], rtol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, REFS["linear/grad_weight"], rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, REFS["linear/grad_bias"], rtol=1e-12)


@pytest.mark.parametrize("name, layer", [("relu", nn.ReLU()), ("tanh", nn.Tanh()), ("sigmoid", nn.Sigmoid())])
def test_activations_match_torch(name, layer):
    x = Tensor(REFS["act/x"], requires_grad=True)
    out = layer(x)
    np.testing.assert_allclose(out.data, REFS[f"{name}/out"], rtol=1e-12)
    out.backward(REFS[f"{name}/upstream"])
    np.testing.assert_allclose(x.grad, REFS[f"{name}/grad_x"], rtol=1e-12, atol=1e-15)
