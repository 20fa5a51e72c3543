"""minigrad.debug() in the optimizers: accumulated, missing and non-finite gradients."""

import warnings

import numpy as np
import pytest

import minigrad
from minigrad import MistakeWarning, nn
from optimizers import SGD, Adam


@pytest.fixture(autouse=True)
def debug_on():
    with minigrad.debug():
        yield


def model_and_data(seed=0):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(3, 1, generator=rng))
    x = minigrad.tensor(rng.normal(size=(8, 3)))
    y = minigrad.tensor(rng.normal(size=(8, 1)))
    return model, x, y


def loss_of(model, x, y):
    return nn.MSELoss()(model(x), y)


@pytest.fixture
def silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error", MistakeWarning)
        yield


def test_forgetting_zero_grad_warns_at_the_second_step():
    model, x, y = model_and_data()
    optimizer = SGD(model.parameters(), lr=0.1)
    loss_of(model, x, y).backward()
    optimizer.step()
    loss_of(model, x, y).backward()  # adds into the old .grad
    with pytest.warns(MistakeWarning, match=r"\.grad at step 2 is the gradient of step 1 plus a new one") as record:
        optimizer.step()
    messages = [str(w.message) for w in record]
    assert len(messages) == 2  # weight and bias
    assert messages[0].startswith("parameter 0 of param group 0") and "optimizer.zero_grad()" in messages[0]


def test_a_correct_loop_is_silent_with_either_zero_grad(silent):
    model, x, y = model_and_data()
    optimizer = Adam(model.parameters(), lr=0.01)
    for step in range(4):
        if step % 2:
            optimizer.zero_grad(set_to_none=False)  # in place: the same arrays, recognised
        else:
            model.zero_grad()  # set to None
        loss = loss_of(model, x, y)
        loss.backward()
        optimizer.step()
    # gradient accumulation over two backward()s within one step is legitimate
    optimizer.zero_grad()
    loss_of(model, x, y).backward()
    loss_of(model, x, y).backward()
    optimizer.step()
    # a closure that zeroes and recomputes
    def closure():
        optimizer.zero_grad()
        loss = loss_of(model, x, y)
        loss.backward()
        return loss
    optimizer.step(closure)
    optimizer.step(closure)


def test_a_parameter_without_gradient_at_the_first_step_is_named():
    model, x, y = model_and_data()
    stray = nn.Parameter(np.zeros(2))  # given to the optimizer, never used in the loss
    optimizer = SGD([*model.parameters(), stray], lr=0.1)
    loss_of(model, x, y).backward()
    with pytest.warns(MistakeWarning, match=r"parameter 2 of param group 0 received no gradient"):
        optimizer.step()
    optimizer.zero_grad()
    loss_of(model, x, y).backward()
    with warnings.catch_warnings():  # said once, at the first step only
        warnings.simplefilter("error", MistakeWarning)
        optimizer.step()


def test_all_parameters_used_is_silent(silent):
    model, x, y = model_and_data()
    optimizer = SGD(model.parameters(), lr=0.1)
    loss_of(model, x, y).backward()
    optimizer.step()


def test_a_diverging_run_reports_the_step_and_lr_once():
    # f(w) = 50 w^2 has curvature 100: lr 0.1 gives w <- (1 - 10) w, |w| grows 9x a step
    w = minigrad.tensor([1.0], requires_grad=True)
    optimizer = SGD([w], lr=0.1)
    caught = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(400):
            optimizer.zero_grad()
            loss = (w * w * 50.0).sum()
            loss.backward()
            optimizer.step()
    messages = [str(w.message) for w in caught if issubclass(w.category, MistakeWarning)]
    gradient = [m for m in messages if "non-finite gradient" in m]
    assert len(gradient) == 1 and "(lr 0.1)" in gradient[0]
    # |w_t| = 9^t: the gradient 100 w overflows float64 (1.8e308) at 9^t > 1.8e306, t = 322
    step = int(gradient[0].split("at step ")[1].split(" ")[0])
    assert step == 322


def test_a_closure_returning_a_non_finite_loss_warns():
    w = minigrad.tensor([1.0], requires_grad=True)
    optimizer = SGD([w], lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = (w * np.inf).sum()
        loss.backward()
        return loss
    with pytest.warns(MistakeWarning) as record:
        optimizer.step(closure)
    messages = sorted(str(w.message) for w in record)
    assert len(messages) == 2
    assert "non-finite gradient at step 1 (lr 0.1)" in messages[0]
    assert messages[1].startswith("the closure's loss is infinite before the first optimizer step")


def test_off_by_default_nothing_is_checked():
    with minigrad.debug(False), warnings.catch_warnings():
        warnings.simplefilter("error", MistakeWarning)
        model, x, y = model_and_data()
        optimizer = SGD([*model.parameters(), nn.Parameter(np.zeros(1))], lr=0.1)
        for _ in range(2):
            loss_of(model, x, y).backward()
            optimizer.step()  # accumulating and a missing gradient: no warning when off
