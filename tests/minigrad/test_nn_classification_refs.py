"""minigrad.nn's classification losses, activations, normalisation, Embedding and clipping against
torch 2.13's numbers (tests/data/classification_refs.npz, made by make_classification_refs.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from minigrad import Tensor, nn
from minigrad.nn import functional as F

REFS = np.load(Path(__file__).resolve().parents[1] / "data" / "classification_refs.npz")


def case_names(prefix):
    return sorted({key[len(prefix):].rsplit("/", 1)[0] for key in REFS.files
                   if key.startswith(prefix) and key.endswith("/out")})


def kwargs_of(name):
    return json.loads(str(REFS[f"{name}/kwargs"]))


def backward_with_upstream(out, name):
    (out * Tensor(REFS[f"{name}/upstream"].astype(out.dtype))).sum().backward()


def assert_close(ours, theirs, rtol=1e-12, atol=1e-13):
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", case_names("act/"))
def test_activations_match_torch(name):
    key = f"act/{name}"
    function = getattr(F, name.rsplit("_", 1)[0] if name[-1].isdigit() or name.endswith("tanh") else name)
    x = Tensor(REFS[f"{key}/input"], requires_grad=True)
    out = function(x, **kwargs_of(key))
    assert_close(out.data, REFS[f"{key}/out"])
    backward_with_upstream(out, key)
    assert_close(x.grad, REFS[f"{key}/grad_input"])


def test_float32_log_softmax_stays_float32_and_matches_torch():
    key = "act32/log_softmax_1"
    x = Tensor(REFS[f"{key}/input"], requires_grad=True)
    out = F.log_softmax(x, dim=1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, REFS[f"{key}/out"], rtol=1e-5, atol=1e-5)
    backward_with_upstream(out, key)
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, REFS[f"{key}/grad_input"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", case_names("ce/"))
def test_cross_entropy_matches_torch(name):
    key = f"ce/{name}"
    x = Tensor(REFS[f"{key}/input"], requires_grad=True)
    kwargs = kwargs_of(key)
    out = F.cross_entropy(x, REFS[f"{key}/target"], **kwargs)
    assert_close(out.data, REFS[f"{key}/out"])
    backward_with_upstream(out, key)
    assert_close(x.grad, REFS[f"{key}/grad_input"])
    # The module gives the same numbers.
    module_out = nn.CrossEntropyLoss(**kwargs)(Tensor(REFS[f"{key}/input"]), REFS[f"{key}/target"])
    assert_close(module_out.data, REFS[f"{key}/out"])


@pytest.mark.parametrize("name", case_names("nll/"))
def test_nll_loss_matches_torch(name):
    key = f"nll/{name}"
    x = Tensor(REFS[f"{key}/input"], requires_grad=True)
    out = F.nll_loss(x, REFS[f"{key}/target"], **kwargs_of(key))
    assert_close(out.data, REFS[f"{key}/out"])
    backward_with_upstream(out, key)
    assert_close(x.grad, REFS[f"{key}/grad_input"])
    assert_close(nn.NLLLoss(**kwargs_of(key))(Tensor(REFS[f"{key}/input"]), REFS[f"{key}/target"]).data,
                 REFS[f"{key}/out"])


@pytest.mark.parametrize("name", case_names("bce/") + case_names("bcel/"))
def test_binary_cross_entropies_match_torch(name):
    key = f"bce/{name}" if f"bce/{name}/out" in REFS.files else f"bcel/{name}"
    function = F.binary_cross_entropy if key.startswith("bce/") else F.binary_cross_entropy_with_logits
    module = nn.BCELoss if key.startswith("bce/") else nn.BCEWithLogitsLoss
    x = Tensor(REFS[f"{key}/input"], requires_grad=True)
    target = Tensor(REFS[f"{key}/target"], requires_grad=True)
    out = function(x, target, **kwargs_of(key))
    assert_close(out.data, REFS[f"{key}/out"])
    backward_with_upstream(out, key)
    assert_close(x.grad, REFS[f"{key}/grad_input"])
    assert_close(target.grad, REFS[f"{key}/grad_target"])
    assert_close(module(**kwargs_of(key))(Tensor(REFS[f"{key}/input"]), REFS[f"{key}/target"]).data,
                 REFS[f"{key}/out"])


def test_both_bce_parametrisations_ran():
    assert len(case_names("bce/")) == 6 and len(case_names("bcel/")) == 12


def test_huge_logits_stay_finite():
    loss = F.cross_entropy(Tensor(REFS["ce/huge_logits/input"]), REFS["ce/huge_logits/target"])
    assert np.isfinite(loss.item()) and loss.item() > 100


@pytest.mark.parametrize("name", ["last1", "last2"])
def test_layer_norm_matches_torch(name):
    key = f"layernorm/{name}"
    weight = REFS[f"{key}/weight"]
    layer = nn.LayerNorm(weight.shape)
    layer.weight.data[...] = weight
    layer.bias.data[...] = REFS[f"{key}/bias"]
    x = Tensor(REFS[f"{key}/input"], requires_grad=True)
    out = layer(x)
    assert_close(out.data, REFS[f"{key}/out"], rtol=1e-11)
    backward_with_upstream(out, key)
    assert_close(x.grad, REFS[f"{key}/grad_input"], rtol=1e-10, atol=1e-12)
    assert_close(layer.weight.grad, REFS[f"{key}/grad_weight"], rtol=1e-11)
    assert_close(layer.bias.grad, REFS[f"{key}/grad_bias"])


@pytest.mark.parametrize("name", ["2d", "3d", "cumulative"])
def test_batch_norm_matches_torch_over_four_training_steps_and_eval(name):
    key = f"batchnorm/{name}"
    momentum = float(REFS[f"{key}/momentum"])
    layer = nn.BatchNorm1d(3, momentum=None if np.isnan(momentum) else momentum)
    layer.weight.data[...] = REFS[f"{key}/weight"]
    layer.bias.data[...] = REFS[f"{key}/bias"]
    for step in range(4):
        step_key = f"{key}/train{step}"
        layer.zero_grad()
        x = Tensor(REFS[f"{step_key}/input"], requires_grad=True)
        out = layer(x)
        assert_close(out.data, REFS[f"{step_key}/out"], rtol=1e-11, atol=1e-12)
        backward_with_upstream(out, step_key)
        assert_close(x.grad, REFS[f"{step_key}/grad_input"], rtol=1e-10, atol=1e-12)
        assert_close(layer.weight.grad, REFS[f"{step_key}/grad_weight"], rtol=1e-11, atol=1e-12)
        assert_close(layer.bias.grad, REFS[f"{step_key}/grad_bias"], rtol=1e-11, atol=1e-12)
        assert_close(layer.running_mean.data, REFS[f"{step_key}/running_mean"])
        assert_close(layer.running_var.data, REFS[f"{step_key}/running_var"])
        assert layer.num_batches_tracked.data == step + 1
    layer.eval()
    x = Tensor(REFS[f"{key}/eval/input"], requires_grad=True)
    out = layer(x)
    assert_close(out.data, REFS[f"{key}/eval/out"], rtol=1e-11, atol=1e-12)
    backward_with_upstream(out, f"{key}/eval")
    assert_close(x.grad, REFS[f"{key}/eval/grad_input"], rtol=1e-11, atol=1e-12)
    assert layer.num_batches_tracked.data == 4  # eval does not count


def test_embedding_with_padding_matches_torch():
    layer = nn.Embedding(6, 3, padding_idx=2)
    layer.weight.data[...] = REFS["embedding/weight"]
    out = layer(REFS["embedding/ids"])
    assert_close(out.data, REFS["embedding/out"])
    backward_with_upstream(out, "embedding")
    assert_close(layer.weight.grad, REFS["embedding/grad_weight"])
    assert not layer.weight.grad[2].any()  # the padding row gets no gradient


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    params = []
    for index in range(2):
        grad = REFS[f"clip/grad{index}"]
        p = nn.Parameter(np.zeros(grad.shape))
        p.grad = grad.copy()
        params.append(p)
    key = f"clip/{norm_type}_{max_norm}"
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    assert_close(total.item(), REFS[f"{key}/total"])
    for index, p in enumerate(params):
        assert_close(p.grad, REFS[f"{key}/clipped{index}"])
