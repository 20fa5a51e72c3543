"""Shared helpers: a stand-in optimizer and the torch reference table (tests/data)."""

import importlib.util
import pathlib

import numpy as np
import pytest

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


class StandInOptimizer:
    """The smallest thing a scheduler drives: param_groups plus a step() that counts calls.

    kind "sgd" gives every group a "momentum", "adam" a "betas" pair, "plain" only an "lr".
    """

    def __init__(self, lrs=(0.05, 0.5), kind="sgd"):
        extra = {"sgd": {"momentum": 0.9}, "adam": {"betas": (0.9, 0.999)}, "plain": {}}[kind]
        self.param_groups = [{"lr": lr, **extra} for lr in lrs]
        self.steps = 0

    def step(self):
        self.steps += 1

    def lrs(self):
        return [group["lr"] for group in self.param_groups]


@pytest.fixture
def make_optimizer():
    return StandInOptimizer


def _load_refs_module():
    spec = importlib.util.spec_from_file_location(
        "make_scheduler_refs", DATA / "make_scheduler_refs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFS_MODULE = _load_refs_module()


def pytest_generate_tests(metafunc):
    """A `case_name` argument runs the test once per torch reference case,
    `momentum_case_name` once per OneCycleLR / CyclicLR case (their momenta are recorded)."""
    if "case_name" in metafunc.fixturenames:
        metafunc.parametrize("case_name", list(REFS_MODULE.CASES))
    if "momentum_case_name" in metafunc.fixturenames:
        metafunc.parametrize("momentum_case_name", [
            name for name in REFS_MODULE.CASES if name.startswith(("OneCycleLR", "CyclicLR"))])


@pytest.fixture(scope="session")
def refs_module():
    """tests/data/make_scheduler_refs.py as a module: its CASES table and run_case."""
    return REFS_MODULE


@pytest.fixture(scope="session")
def refs():
    with np.load(DATA / "scheduler_refs.npz") as data:
        return {key: data[key] for key in data.files}
