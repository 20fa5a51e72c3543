"""torch 2.13's lr (and momentum) sequences, recorded by tests/data/make_scheduler_refs.py."""

import warnings

import numpy as np
import pytest

import schedulers

TOLERANCE = 1e-12


def run_ours(refs_module, refs, case_name, make_optimizer):
    kind, stepping, factory = refs_module.CASES[case_name]
    optimizer = make_optimizer(refs_module.BASE_LRS, kind)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # correct order: optimizer.step() then scheduler.step()
        return refs_module.run_case(schedulers, optimizer, stepping, factory, refs["metrics"],
                                    before_step=lambda: optimizer.step())


def test_reference_data_comes_from_torch_2_13(refs, refs_module):
    assert str(refs["torch_version"]).startswith("2.13")
    assert refs["metrics"].shape == (refs_module.STEPS,)
    assert set(refs_module.CASES) == {key.split("/")[0] for key in refs if "/" in key}


def test_lrs_match_torch(refs_module, refs, case_name, make_optimizer):
    lrs, _ = run_ours(refs_module, refs, case_name, make_optimizer)
    expected = refs[f"{case_name}/lr"]
    assert lrs.shape == expected.shape == (refs_module.STEPS + 1, 2)
    if case_name == "OneCycleLR_linear":
        # One step past the last batch, torch's linear anneal overshoots below zero; our guard
        # floors the lr at 0. Every other value is torch's.
        assert (expected[-1] < 0).all() and (lrs[-1] == 0.0).all()
        lrs, expected = lrs[:-1], expected[:-1]
    assert (expected >= 0).all()
    np.testing.assert_allclose(lrs, expected, rtol=0, atol=TOLERANCE)


def test_lr_sequences_are_not_trivial(refs, case_name):
    # Every case must actually move the lr, or comparing it would prove little.
    expected = refs[f"{case_name}/lr"]
    assert len(np.unique(expected[:, 1])) >= 2


def test_momentum_matches_torch(refs_module, refs, momentum_case_name, make_optimizer):
    _, momenta = run_ours(refs_module, refs, momentum_case_name, make_optimizer)
    np.testing.assert_allclose(momenta, refs[f"{momentum_case_name}/momentum"],
                               rtol=0, atol=TOLERANCE)


def test_momentum_untouched_when_not_cycled(refs_module, refs, make_optimizer):
    for case_name in ("OneCycleLR_no_momentum", "CyclicLR_custom_scale", "StepLR"):
        _, momenta = run_ours(refs_module, refs, case_name, make_optimizer)
        assert (momenta == 0.9).all()


def test_adam_like_optimizers_cycle_beta1_and_keep_beta2(make_optimizer):
    optimizer = make_optimizer(kind="adam")
    scheduler = schedulers.OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
    for _ in range(4):
        optimizer.step()
        scheduler.step()
    assert all(group["betas"][1] == 0.999 for group in optimizer.param_groups)
    assert all(0.85 < group["betas"][0] < 0.95 for group in optimizer.param_groups)
    assert "momentum" not in optimizer.param_groups[0]


def test_get_last_lr_is_what_the_groups_hold(refs_module, case_name, make_optimizer, refs):
    kind, stepping, factory = refs_module.CASES[case_name]
    optimizer = make_optimizer(refs_module.BASE_LRS, kind)
    scheduler = factory(schedulers, optimizer)
    for t in range(25):
        assert scheduler.get_last_lr() == optimizer.lrs()
        optimizer.step()
        refs_module.step_scheduler(scheduler, stepping, t + 1, refs["metrics"])


CHAINABLE_WITH_CLOSED_FORM = {
    "StepLR": lambda opt: schedulers.StepLR(opt, step_size=7, gamma=0.5),
    "MultiStepLR": lambda opt: schedulers.MultiStepLR(opt, [5, 12, 12, 30], gamma=0.3),
    "ConstantLR": lambda opt: schedulers.ConstantLR(opt, factor=0.25, total_iters=8),
    "LinearLR": lambda opt: schedulers.LinearLR(opt, 0.2, 0.9, total_iters=17),
    "ExponentialLR": lambda opt: schedulers.ExponentialLR(opt, gamma=0.93),
    "PolynomialLR": lambda opt: schedulers.PolynomialLR(opt, total_iters=40, power=2.5),
    "CosineAnnealingLR": lambda opt: schedulers.CosineAnnealingLR(opt, T_max=13, eta_min=1e-3),
}


@pytest.mark.parametrize("name", sorted(CHAINABLE_WITH_CLOSED_FORM))
def test_chainable_form_follows_the_documented_closed_form(name, make_optimizer):
    optimizer = make_optimizer()
    scheduler = CHAINABLE_WITH_CLOSED_FORM[name](optimizer)
    for _ in range(60):
        optimizer.step()
        scheduler.step()
        closed = scheduler._get_closed_form_lr()
        np.testing.assert_allclose(optimizer.lrs(), closed, rtol=1e-12, atol=1e-15)


def test_closed_forms_by_hand(make_optimizer):
    # CosineAnnealingLR at T_max / 2: eta_min + (base - eta_min) / 2.
    optimizer = make_optimizer(lrs=(0.1,))
    scheduler = schedulers.CosineAnnealingLR(optimizer, T_max=10, eta_min=0.02)
    for _ in range(5):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr()[0] == pytest.approx(0.06, abs=1e-15)
    # PolynomialLR reaches 0 at total_iters and stays there.
    optimizer = make_optimizer(lrs=(0.1,))
    scheduler = schedulers.PolynomialLR(optimizer, total_iters=4, power=2.0)
    lrs = []
    for _ in range(6):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(lrs, [0.1, 0.05625, 0.025, 0.00625, 0.0, 0.0], atol=1e-15)
