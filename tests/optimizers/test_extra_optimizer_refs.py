"""The optimizers beyond torch.optim follow their authors' code, and optimizers.swa_utils
follows torch.optim.swa_utils (tests/data/extra_optimizer_refs.npz, written by
tests/data/make_extra_optimizer_refs.py, which transcribes the authors' updates)."""

import json
import os

import numpy as np
import pytest

import minigrad
import optimizers
from minigrad import nn
from optimizers import swa_utils
from optimizer_cases import Param

REFS_PATH = os.path.join(os.path.dirname(__file__), "..", "data", "extra_optimizer_refs.npz")
with np.load(REFS_PATH) as _refs:
    REFS = {key: _refs[key] for key in _refs.files}
ROWS = sorted(key.split("__", 1)[1] for key in REFS if key.startswith("config__"))
N_PARAMS = sum(key.startswith("init_") for key in REFS)


def config_of(row):
    return json.loads(str(REFS[f"config__{row}"]))


def make_optimizer(config, params, backend):
    groups = [{"params": params[:2]}, {"params": params[2:], **config["group1"]}]
    if config["optimizer"] == "Lookahead":
        inner = getattr(optimizers, config["inner"])(groups, backend=backend, **config["defaults"])
        return optimizers.Lookahead(inner, k=config["k"], alpha=config["alpha"])
    return getattr(optimizers, config["optimizer"])(groups, backend=backend, **config["defaults"])


def replay(row, backend):
    params = [Param(REFS[f"init_{k}"].copy()) for k in range(N_PARAMS)]
    optimizer = make_optimizer(config_of(row), params, backend)
    none_grads = {tuple(pair) for pair in REFS["none_grads"].tolist()}
    steps = REFS["noise_0"].shape[0]
    history = [np.empty((steps,) + p.data.shape) for p in params]
    for t in range(steps):
        for k, p in enumerate(params):
            if (t, k) in none_grads:
                p.grad = None
            else:
                p.grad = REFS[f"scale_{k}"] * (p.data - 1) + REFS[f"noise_{k}"][t]
        optimizer.step()
        for k, p in enumerate(params):
            history[k][t] = p.data
    return params, optimizer, history


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("row", ROWS)
def test_trajectory_matches_the_authors_code(row, backend):
    params, optimizer, history = replay(row, backend)
    for k, trajectory in enumerate(history):
        expected = REFS[f"trajectory__{row}__{k}"]
        np.testing.assert_allclose(trajectory, expected, rtol=1e-10, atol=1e-12, err_msg=f"param {k}")
    if f"eval__{row}__0" in REFS:  # schedule-free: x after eval(), y again after train()
        optimizer.eval()
        for k, p in enumerate(params):
            np.testing.assert_allclose(p.data, REFS[f"eval__{row}__{k}"], rtol=1e-10, atol=1e-12)
        optimizer.train()
        for k, p in enumerate(params):
            np.testing.assert_allclose(p.data, REFS[f"train_again__{row}__{k}"], rtol=1e-10, atol=1e-12)


def test_every_optimizer_beyond_torch_has_reference_rows():
    recorded = {config_of(row)["optimizer"] for row in ROWS}
    assert {"AdaBelief", "LAMB", "SGDScheduleFree", "AdamWScheduleFree", "Lookahead"} <= recorded
    for row in ROWS:  # the comparison compares something: every trajectory moves
        for k in range(N_PARAMS):
            moved = np.abs(REFS[f"trajectory__{row}__{k}"][-1] - REFS[f"init_{k}"]).max()
            assert moved > 1e-3, (row, k)


def test_schedule_free_eval_point_differs_from_the_training_point():
    """Guards the eval()/train() comparison: x and y are different points."""
    for row in ROWS:
        if f"eval__{row}__0" in REFS:
            gap = max(np.abs(REFS[f"eval__{row}__{k}"] - REFS[f"trajectory__{row}__{k}"][-1]).max()
                      for k in range(N_PARAMS))
            assert gap > 1e-3, row


# ------------------------------------------------------------------ AveragedModel vs torch
NAMES = [str(name) for name in REFS["avg_names"]]
SNAPSHOTS = sorted({int(key.split("__")[1]) for key in REFS if key.startswith("avg_snapshot__")})
AVERAGING = {
    "swa": {},
    "swa_multi": {"multi_avg_fn": swa_utils.get_swa_multi_avg_fn()},
    "ema_multi": {"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(0.9)},
    "ema_avg": {"avg_fn": swa_utils.get_ema_avg_fn(0.8)},
    "custom_avg": {"avg_fn": lambda averaged, current, n: averaged + (current - averaged) * 2 / (n + 2)},
}


def mlp():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


@pytest.mark.parametrize("variant", sorted(AVERAGING))
def test_averaged_model_matches_torch(variant):
    model = mlp()
    averaged = swa_utils.AveragedModel(model, **AVERAGING[variant])
    for t in SNAPSHOTS:
        model.load_state_dict({name: REFS[f"avg_snapshot__{t}__{name}"] for name in NAMES})
        averaged.update_parameters(model)
        assert averaged.n_averaged == t + 1
        for name, p in averaged.module.named_parameters():
            np.testing.assert_allclose(p.data, REFS[f"avg__{variant}__{t}__{name}"], rtol=1e-13,
                                       atol=1e-15, err_msg=f"{name} after update {t}")
    output = averaged(minigrad.tensor(REFS["avg_input"]))
    np.testing.assert_allclose(output.data, REFS[f"avg_output__{variant}"], rtol=1e-12)
    # the averaged copy is its own: the model still holds the last snapshot
    np.testing.assert_array_equal(model[0].weight.data, REFS[f"avg_snapshot__{SNAPSHOTS[-1]}__0.weight"])


def test_averages_differ_between_variants_and_from_the_last_snapshot():
    """Guards the comparison: SWA, EMA and the last snapshot are different numbers."""
    last = SNAPSHOTS[-1]
    finals = {v: REFS[f"avg__{v}__{last}__0.weight"] for v in AVERAGING}
    assert np.abs(finals["swa"] - finals["ema_multi"]).max() > 1e-2
    assert np.abs(finals["swa"] - REFS[f"avg_snapshot__{last}__0.weight"]).max() > 1e-2
    # SWA is the plain mean of the snapshots
    mean = np.mean([REFS[f"avg_snapshot__{t}__0.weight"] for t in SNAPSHOTS], axis=0)
    np.testing.assert_allclose(finals["swa"], mean, rtol=1e-13)
