"""Grad mode: whether ops record the graph that ``backward`` needs, kept per thread.

The switch lives in a ``contextvars.ContextVar``, so each thread (and each asyncio task) has
its own: a thread evaluating under ``no_grad()`` never stops another thread from recording,
as in torch. Every context manager below restores the previous mode on exit, even when an
exception escapes, so they nest; each also works as a decorator, as torch's: ``@no_grad()``
or ``@no_grad`` (likewise ``enable_grad`` and ``inference_mode``; ``set_grad_enabled`` needs
its mode), and a decorated generator runs each of its steps in the mode.
"""

import contextvars
import functools
import inspect

_grad_enabled = contextvars.ContextVar("minigrad_grad_enabled", default=True)


def is_grad_enabled():
    """True when ops record the graph needed by ``backward`` (the default, in every thread)."""
    return _grad_enabled.get()


class _GradModeContext:
    """Base of the grad-mode switches: set a mode on enter, restore the previous on exit."""

    _enabled = True

    def __enter__(self):
        self._token = _grad_enabled.set(self._enabled)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        _grad_enabled.reset(self._token)
        return False

    def __call__(self, function):
        if not callable(function):
            raise TypeError(
                f"{type(self).__name__}() decorates a function, got {type(function).__name__} "
                f"{function!r}"
            )
        mode = self._enabled
        if inspect.isgeneratorfunction(function):
            return _generator_with_mode(function, mode)

        @functools.wraps(function)
        def with_mode(*args, **kwargs):
            token = _grad_enabled.set(mode)
            try:
                return function(*args, **kwargs)
            finally:
                _grad_enabled.reset(token)

        return with_mode


class _NoArgumentDecorator(_GradModeContext):
    """A switch without arguments, so ``@no_grad`` (no parentheses) decorates too."""

    def __new__(cls, function=None):
        if function is None:
            return super().__new__(cls)
        return cls()(function)


def _generator_with_mode(function, mode):
    """Wrap a generator function so the mode holds while it runs, not while its caller does
    between two ``next`` calls (as torch's decorators do)."""

    @functools.wraps(function)
    def generator_with_mode(*args, **kwargs):
        token = _grad_enabled.set(mode)
        try:
            generator = function(*args, **kwargs)
        finally:
            _grad_enabled.reset(token)
        send, value = generator.send, None
        while True:
            token = _grad_enabled.set(mode)
            try:
                result = send(value)
            except StopIteration as stop:
                return stop.value
            finally:
                _grad_enabled.reset(token)
            try:
                send, value = generator.send, (yield result)
            except GeneratorExit:
                generator.close()
                raise
            except BaseException as error:  # thrown in by the caller: pass it on in the mode
                send, value = generator.throw, error

    return generator_with_mode


class no_grad(_NoArgumentDecorator):
    """Disable graph recording, as ``torch.no_grad``: a context manager or a decorator.

    Inside ``with minigrad.no_grad():`` every op returns a tensor with
    ``requires_grad=False`` and saves nothing for backward: what parameter updates and
    evaluation loops want. In-place updates of leaves that require grad are allowed here.
    """

    _enabled = False


class enable_grad(_NoArgumentDecorator):
    """Enable graph recording inside a ``no_grad`` block, as ``torch.enable_grad``."""

    _enabled = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(mode)``: record the graph iff ``mode`` (a bool), as torch's.

    Usable as a context manager or a decorator. Calling it as a plain function, as torch
    allows, changes the mode of the current thread at once (and a ``with`` on it restores it).
    """

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self._enabled = mode
        self._token = _grad_enabled.set(mode)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        _grad_enabled.reset(self._token)
        return False

    def __call__(self, function):
        _grad_enabled.reset(self._token)  # as a decorator it acts only during calls
        return super().__call__(function)


class inference_mode(_GradModeContext):
    """``inference_mode(mode=True)``: as ``no_grad`` when ``mode`` is true (torch's
    inference tensors, which minigrad does not have, would only make it faster). ``@inference_mode``
    without parentheses decorates too."""

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        if not isinstance(mode, bool):
            raise TypeError(f"inference_mode: mode must be a bool, got {type(mode).__name__}")
        self._enabled = not mode
