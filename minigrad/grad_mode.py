"""Grad mode: whether ops record the graph that ``backward`` needs, kept per thread.

The switch lives in a ``contextvars.ContextVar``, so each thread (and each asyncio task) has
its own: a thread evaluating under ``no_grad()`` never stops another thread from recording,
as in torch. Every context manager below restores the previous mode on exit, even when an
exception escapes, so they nest; each also works as a decorator.
"""

import contextvars
import functools

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
        mode = self._enabled

        @functools.wraps(function)
        def with_mode(*args, **kwargs):
            token = _grad_enabled.set(mode)
            try:
                return function(*args, **kwargs)
            finally:
                _grad_enabled.reset(token)

        return with_mode


class no_grad(_GradModeContext):
    """Disable graph recording, as ``torch.no_grad``: a context manager or a decorator.

    Inside ``with minigrad.no_grad():`` every op returns a tensor with
    ``requires_grad=False`` and saves nothing for backward: what parameter updates and
    evaluation loops want. In-place updates of leaves that require grad are allowed here.
    """

    _enabled = False


class enable_grad(_GradModeContext):
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
    inference tensors, which minigrad does not have, would only make it faster)."""

    def __init__(self, mode=True):
        if not isinstance(mode, bool):
            raise TypeError(f"inference_mode: mode must be a bool, got {type(mode).__name__}")
        self._enabled = not mode
