"""Both backends reproduce torch.optim's float64 trajectories (tests/data/optimizer_refs.npz).

The .npz is written by tests/data/make_optimizer_refs.py (torch 2.13); each row stores its
own configuration, so new rows there become new tests here without any change.
"""

import json
import os

import numpy as np
import pytest

import optimizers
from optimizer_cases import Param

REFS_PATH = os.path.join(os.path.dirname(__file__), "..", "data", "optimizer_refs.npz")
EXTRA_REFS_PATH = os.path.join(os.path.dirname(__file__), "..", "data", "extra_optimizer_refs.npz")
with np.load(REFS_PATH) as _refs:
    REFS = {key: _refs[key] for key in _refs.files}
ROWS = sorted(key.split("__", 1)[1] for key in REFS if key.startswith("config__"))
N_PARAMS = sum(key.startswith("init_") for key in REFS)


def replay(row, backend):
    config = json.loads(str(REFS[f"config__{row}"]))
    optimizer_class = getattr(optimizers, config["optimizer"])
    params = [Param(REFS[f"init_{k}"].copy()) for k in range(N_PARAMS)]
    none_grads = {tuple(pair) for pair in REFS["none_grads"].tolist()}
    optimizer = optimizer_class(
        [{"params": params[:2]}, {"params": params[2:], **config["group1"]}],
        backend=backend,
        **config["defaults"],
    )
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
    return history


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("row", ROWS)
def test_trajectory_matches_torch(row, backend):
    for k, history in enumerate(replay(row, backend)):
        expected = REFS[f"trajectory__{row}__{k}"]
        np.testing.assert_allclose(history, expected, rtol=1e-10, atol=1e-12, err_msg=f"param {k}")


def test_every_registered_optimizer_has_torch_trajectories():
    """torch.optim's here; those torch lacks in extra_optimizer_refs.npz (their authors' code)."""
    recorded = {json.loads(str(REFS[f"config__{row}"]))["optimizer"].lower() for row in ROWS}
    with np.load(EXTRA_REFS_PATH) as extra:
        recorded |= {json.loads(str(extra[key]))["optimizer"].lower()
                     for key in extra.files if key.startswith("config__")}
    assert set(optimizers.available()) <= recorded


def test_trajectories_move():
    """Guards the comparison itself: every recorded trajectory actually changes the params."""
    for row in ROWS:
        for k in range(N_PARAMS):
            trajectory = REFS[f"trajectory__{row}__{k}"]
            assert np.abs(trajectory[-1] - REFS[f"init_{k}"]).max() > 1e-3, (row, k)
