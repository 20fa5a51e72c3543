"""Both backends reproduce torch.optim's float64 trajectories (tests/data/*optimizer_refs.npz).

optimizer_refs.npz is written by tests/data/make_optimizer_refs.py and new_optimizer_refs.npz
(Rprop, ASGD, Adafactor, Muon, LBFGS) by tests/data/make_new_optimizer_refs.py (torch 2.13);
each row stores its own configuration, so new rows there become new tests here without any
change. Rows of the second file name their problem (its arrays are prefixed "<problem>__")
and may drive the optimizer through `step(closure)` with a single param group.
"""

import json
import os

import numpy as np
import pytest

import optimizers
from optimizer_cases import Param

DATA = os.path.join(os.path.dirname(__file__), "..", "data")
REF_FILES = ("optimizer_refs.npz", "new_optimizer_refs.npz")
EXTRA_REFS_PATH = os.path.join(DATA, "extra_optimizer_refs.npz")


def _load(file_name):
    with np.load(os.path.join(DATA, file_name)) as refs:
        return {key: refs[key] for key in refs.files}


REFS = {file_name: _load(file_name) for file_name in REF_FILES}
ROWS = [
    (file_name, key.split("__", 1)[1])
    for file_name, refs in REFS.items()
    for key in sorted(refs)
    if key.startswith("config__")
]


def problem_of(refs, config):
    """(prefix of the problem's arrays, number of parameters) of a row."""
    prefix = f"{config['problem']}__" if "problem" in config else ""
    n_params = sum(key.startswith(prefix + "init_") for key in refs)
    return prefix, n_params


def replay(file_name, row, backend):
    refs = REFS[file_name]
    config = json.loads(str(refs[f"config__{row}"]))
    prefix, n_params = problem_of(refs, config)
    optimizer_class = getattr(optimizers, config["optimizer"])
    params = [Param(refs[f"{prefix}init_{k}"].copy()) for k in range(n_params)]
    scales = [refs[f"{prefix}scale_{k}"] for k in range(n_params)]
    noises = [refs[f"{prefix}noise_{k}"] for k in range(n_params)]
    none_grads = {tuple(pair) for pair in refs[f"{prefix}none_grads"].tolist()}
    defaults = {key: tuple(value) if isinstance(value, list) else value
                for key, value in config["defaults"].items()}
    if config.get("closure"):
        optimizer = optimizer_class(params, backend=backend, **defaults)
    else:
        optimizer = optimizer_class(
            [{"params": params[:2]}, {"params": params[2:], **config["group1"]}],
            backend=backend,
            **defaults,
        )
    steps = noises[0].shape[0]
    history = [np.empty((steps,) + p.data.shape) for p in params]
    for t in range(steps):
        if config.get("closure"):
            def closure():
                loss = 0.0
                for p, scale, noise in zip(params, scales, noises):
                    p.grad = scale * (p.data - 1) + noise[t]
                    loss += float(np.sum(0.5 * scale * (p.data - 1) ** 2 + noise[t] * p.data))
                return loss

            optimizer.step(closure)
        else:
            for k, p in enumerate(params):
                if (t, k) in none_grads:
                    p.grad = None
                else:
                    p.grad = scales[k] * (p.data - 1) + noises[k][t]
            optimizer.step()
        for k, p in enumerate(params):
            history[k][t] = p.data
    return history


def _backends(file_name, row):
    config = json.loads(str(REFS[file_name][f"config__{row}"]))
    optimizer_class = getattr(optimizers, config["optimizer"])
    return ["numba", "numpy"] if callable(getattr(optimizer_class, "update_numba", None)) else ["numpy"]


CASES = [(file_name, row, backend) for file_name, row in ROWS for backend in _backends(file_name, row)]


@pytest.mark.parametrize("file_name, row, backend", CASES,
                         ids=[f"{row}-{backend}" for _, row, backend in CASES])
def test_trajectory_matches_torch(file_name, row, backend):
    for k, history in enumerate(replay(file_name, row, backend)):
        expected = REFS[file_name][f"trajectory__{row}__{k}"]
        np.testing.assert_allclose(history, expected, rtol=1e-10, atol=1e-12, err_msg=f"param {k}")


def test_every_registered_optimizer_has_torch_trajectories():
    """torch.optim's in REF_FILES; those torch lacks in extra_optimizer_refs.npz (their
    authors' code)."""
    recorded = {
        json.loads(str(REFS[file_name][f"config__{row}"]))["optimizer"].lower()
        for file_name, row in ROWS
    }
    with np.load(EXTRA_REFS_PATH) as extra:
        recorded |= {json.loads(str(extra[key]))["optimizer"].lower()
                     for key in extra.files if key.startswith("config__")}
    assert set(optimizers.available()) <= recorded


def test_trajectories_move():
    """Guards the comparison itself: every recorded trajectory actually changes the params."""
    for file_name, row in ROWS:
        refs = REFS[file_name]
        prefix, n_params = problem_of(refs, json.loads(str(refs[f"config__{row}"])))
        for k in range(n_params):
            trajectory = refs[f"trajectory__{row}__{k}"]
            assert np.abs(trajectory[-1] - refs[f"{prefix}init_{k}"]).max() > 1e-3, (row, k)
