"""minigrad.debug(): the flag, and minigrad's own checks (broadcast subtraction, non-finite loss)."""

import warnings

import numpy as np
import pytest

import minigrad
from minigrad import MistakeWarning, nn
from minigrad.nn import functional as F


@pytest.fixture(autouse=True)
def debug_off_afterwards():
    yield
    minigrad.debug(False)


def test_off_by_default_on_as_a_flag_and_scoped_as_a_context():
    assert not minigrad.is_debug_enabled()
    with minigrad.debug():
        assert minigrad.is_debug_enabled()
        with minigrad.debug(False):
            assert not minigrad.is_debug_enabled()
        assert minigrad.is_debug_enabled()
    assert not minigrad.is_debug_enabled()
    minigrad.debug()
    assert minigrad.is_debug_enabled()
    minigrad.debug(False)
    assert not minigrad.is_debug_enabled()
    with pytest.raises(TypeError, match="True or False"):
        minigrad.debug("yes")


def test_the_context_restores_the_setting_when_the_block_raises():
    with pytest.raises(ZeroDivisionError):
        with minigrad.debug():
            1 / 0
    assert not minigrad.is_debug_enabled()


def hand_written_mse(prediction, target):
    return ((prediction - target) ** 2).mean()


def test_n1_minus_n_broadcast_warns_in_both_orders_and_names_the_fix():
    prediction = minigrad.tensor(np.arange(4.0).reshape(4, 1), requires_grad=True)
    target = minigrad.tensor(np.arange(4.0))
    with minigrad.debug():
        with pytest.warns(MistakeWarning, match=r"\(4, 1\) and \(4,\) broadcasts to a \(4, 4\) matrix") as record:
            loss = hand_written_mse(prediction, target)
        assert "target.reshape(-1, 1)" in str(record[0].message)
        with pytest.warns(MistakeWarning, match=r"\(4, 4\)"):
            target - prediction
        with pytest.warns(MistakeWarning, match=r"\(4, 4\)"):
            np.arange(4.0) - prediction  # numpy array on the left: Tensor.__rsub__
    # the wrong loss: every prediction against every target (the right one is 0 here)
    assert loss.data == pytest.approx(np.mean((np.arange(4.0)[:, None] - np.arange(4.0)) ** 2))


def test_same_shapes_and_other_broadcasts_are_silent():
    prediction = minigrad.tensor(np.arange(4.0).reshape(4, 1), requires_grad=True)
    target = minigrad.tensor(np.arange(4.0))
    with minigrad.debug(), warnings.catch_warnings():
        warnings.simplefilter("error", MistakeWarning)
        assert hand_written_mse(prediction, target.reshape(4, 1)).data == 0.0
        prediction - 1.0  # scalar broadcast
        minigrad.tensor(np.ones((3, 4))) - minigrad.tensor(np.ones(4))  # row broadcast
        minigrad.tensor(np.ones((1, 1))) - minigrad.tensor(np.ones(1))
    # off: the mistake passes silently (the reason for the flag)
    with warnings.catch_warnings():
        warnings.simplefilter("error", MistakeWarning)
        assert hand_written_mse(prediction, target).data > 0


def test_a_non_finite_loss_names_the_last_optimizer_step_and_lr():
    from minigrad import debugging

    x = minigrad.tensor([np.inf, 1.0], requires_grad=True)
    with minigrad.debug():
        with pytest.warns(MistakeWarning, match="before the first optimizer step"):
            F.mse_loss(x, minigrad.tensor([0.0, 0.0]))
        debugging.note_optimizer_step(57, [0.5])
        with pytest.warns(MistakeWarning, match=r"loss is infinite after optimizer step 57 \(lr 0.5\)"):
            nn.MSELoss()(x, minigrad.tensor([0.0, 0.0]))
        with pytest.warns(MistakeWarning, match="is nan"):
            F.l1_loss(minigrad.tensor([np.nan]), minigrad.tensor([0.0]))
        with warnings.catch_warnings():
            warnings.simplefilter("error", MistakeWarning)
            F.mse_loss(minigrad.tensor([3.0]), minigrad.tensor([1.0]))  # finite: silent


def test_broadcast_warning_points_at_the_users_line():
    prediction = minigrad.tensor(np.arange(3.0).reshape(3, 1), requires_grad=True)
    with minigrad.debug(), pytest.warns(MistakeWarning) as record:
        minigrad.sub(prediction, np.arange(3.0))
    assert record[0].filename == __file__
