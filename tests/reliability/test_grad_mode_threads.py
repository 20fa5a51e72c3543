"""Grad mode is per thread, as torch's: a ``no_grad`` block in one thread never stops another
thread from recording; the switches work as context managers and as decorators (with and
without parentheses), restore the previous mode on errors, and wrap generators step by step."""

import threading

import numpy as np
import pytest

import minigrad
from minigrad import Tensor


def run_threads(*targets):
    """Start one thread per target, wait for all, re-raise the first error seen in one."""
    errors = []

    def guarded(target):
        try:
            target()
        except BaseException as error:  # reported in the main thread below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]


def test_two_threads_with_overlapping_no_grad_blocks_leave_recording_on_for_everyone():
    # Thread A enters no_grad, then B enters, then A leaves, then B leaves: with one global
    # switch A's exit would restore B's "off" (or the reverse) for the whole process.
    a_inside, b_inside, a_left = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def thread_a():
        with minigrad.no_grad():
            a_inside.set()
            assert b_inside.wait(10)
            seen["a_inside"] = minigrad.is_grad_enabled()
        seen["a_after"] = minigrad.is_grad_enabled()
        a_left.set()

    def thread_b():
        assert a_inside.wait(10)
        seen["b_before"] = minigrad.is_grad_enabled()  # A's block is not B's
        with minigrad.no_grad():
            b_inside.set()
            assert a_left.wait(10)
            seen["b_inside_after_a_left"] = minigrad.is_grad_enabled()
        seen["b_after"] = minigrad.is_grad_enabled()

    run_threads(thread_a, thread_b)
    assert seen == {
        "a_inside": False, "a_after": True, "b_before": True,
        "b_inside_after_a_left": False, "b_after": True,
    }
    assert minigrad.is_grad_enabled()


def test_a_thread_evaluating_under_no_grad_never_stops_a_training_thread_from_recording():
    steps = 400
    recorded = []
    done = threading.Event()
    w = Tensor(np.array([0.5, -0.25]), requires_grad=True)
    x = Tensor(np.array([[1.0, 2.0], [3.0, -1.0]]))

    def trainer():
        try:
            for _ in range(steps):
                loss = ((x @ w) ** 2).sum()
                recorded.append(loss.requires_grad and loss.grad_fn is not None)
                loss.backward()
                with minigrad.no_grad():
                    w.data -= 0.01 * w.grad
                w.grad = None
        finally:
            done.set()

    def evaluator():
        while not done.is_set():
            with minigrad.no_grad():
                out = (x @ w).sum()
                assert out.grad_fn is None and not out.requires_grad
                assert not minigrad.is_grad_enabled()

    run_threads(trainer, evaluator)
    assert len(recorded) == steps and all(recorded)


def test_a_new_thread_starts_with_grad_on_even_if_its_parent_is_in_no_grad():
    seen = []
    with minigrad.no_grad():
        run_threads(lambda: seen.append(minigrad.is_grad_enabled()))
        assert not minigrad.is_grad_enabled()
    assert seen == [True]


def test_set_grad_enabled_as_a_plain_call_changes_only_the_calling_thread():
    seen = []
    switched = threading.Event()
    checked = threading.Event()

    def switcher():
        minigrad.set_grad_enabled(False)
        seen.append(("switcher", minigrad.is_grad_enabled()))
        switched.set()
        assert checked.wait(10)

    def other():
        assert switched.wait(10)
        seen.append(("other", minigrad.is_grad_enabled()))
        checked.set()

    run_threads(switcher, other)
    assert sorted(seen) == [("other", True), ("switcher", False)]
    assert minigrad.is_grad_enabled()


# Each decorator is built inside the test: set_grad_enabled(mode) switches at once when called.
DECORATORS = {
    "no_grad()": (lambda: minigrad.no_grad(), False),
    "no_grad": (lambda: minigrad.no_grad, False),
    "enable_grad()": (lambda: minigrad.enable_grad(), True),
    "enable_grad": (lambda: minigrad.enable_grad, True),
    "inference_mode()": (lambda: minigrad.inference_mode(), False),
    "inference_mode": (lambda: minigrad.inference_mode, False),
    "inference_mode(False)": (lambda: minigrad.inference_mode(False), True),
    "set_grad_enabled(False)": (lambda: minigrad.set_grad_enabled(False), False),
    "set_grad_enabled(True)": (lambda: minigrad.set_grad_enabled(True), True),
}


@pytest.mark.parametrize("name", DECORATORS)
def test_decorators_with_and_without_parentheses_as_torch(name):
    build, expected = DECORATORS[name]
    decorated = build()(lambda: minigrad.is_grad_enabled())
    assert minigrad.is_grad_enabled()  # once applied, a decorator acts only during calls
    with minigrad.set_grad_enabled(not expected):
        assert decorated() is expected
        assert minigrad.is_grad_enabled() is (not expected)
    assert minigrad.is_grad_enabled()


def test_decorated_functions_keep_their_name_and_restore_the_mode_after_an_error():
    @minigrad.no_grad
    def failing():
        """Doc."""
        raise KeyError("inside")

    assert failing.__name__ == "failing" and failing.__doc__ == "Doc."
    with pytest.raises(KeyError):
        failing()
    assert minigrad.is_grad_enabled()
    with pytest.raises(ZeroDivisionError):
        with minigrad.no_grad():
            1 / 0
    assert minigrad.is_grad_enabled()


def test_a_decorated_generator_runs_each_step_in_the_mode_and_its_caller_in_its_own():
    @minigrad.no_grad()
    def steps():
        try:
            yield minigrad.is_grad_enabled()
        except KeyError:
            yield ("caught", minigrad.is_grad_enabled())
        received = yield minigrad.is_grad_enabled()
        return received

    generator = steps()
    assert next(generator) is False
    assert minigrad.is_grad_enabled()  # between steps the caller records
    assert generator.throw(KeyError()) == ("caught", False)
    assert next(generator) is False
    with pytest.raises(StopIteration) as stop:
        generator.send(7)
    assert stop.value.value == 7


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: minigrad.set_grad_enabled("False"), "set_grad_enabled: mode must be a bool, got str"),
        (lambda: minigrad.inference_mode(1), "inference_mode: mode must be a bool, got int"),
        (lambda: minigrad.no_grad(3), r"no_grad\(\) decorates a function, got int 3"),
        (lambda: minigrad.enable_grad()("f"), r"enable_grad\(\) decorates a function, got str"),
    ],
)
def test_bad_arguments_to_the_switches(call, message):
    with pytest.raises(TypeError, match=message):
        call()
    assert minigrad.is_grad_enabled()
