"""Checks for the values of a scheduler's `state_dict`, used by `load_state_dict`.

A scheduler describes its state as {key: check}; each check is called as `check(value, where)`,
where `where` names the entry in messages (e.g. "StepLR state_dict['gamma']"). A check returns
the value to store (lists come back as new lists) or raises TypeError (wrong type) or ValueError
(a value out of range, a list of the wrong length) naming the entry, the expected kind and what
it got. Checks never modify what they are given, so `load_state_dict` can check a whole dict
before it assigns anything.
"""

import math
import numbers
from collections import Counter


def describe(value):
    """`value` for an error message: its repr and, unless obvious, its type."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _is_real(value):
    kind = type(value)
    if kind is float or kind is int:  # the common case, without the slower ABC check
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def real(minimum=None, maximum=None, above=None, allow_inf=False):
    """A real number (not a bool, not NaN; +-inf only if allow_inf) within the given bounds:
    `minimum <= value <= maximum`, `value > above`."""
    bounds = []
    if above is not None:
        bounds.append(f"> {above}")
    if minimum is not None:
        bounds.append(f">= {minimum}")
    if maximum is not None:
        bounds.append(f"<= {maximum}")
    kind = "a real number" + (" " + " and ".join(bounds) if bounds else "")

    def check(value, where):
        if not _is_real(value):
            raise TypeError(f"{where} must be {kind}, got {describe(value)}")
        if math.isnan(value) or (math.isinf(value) and not allow_inf):
            raise ValueError(f"{where} must be {kind}, got {value!r}")
        if ((minimum is not None and not value >= minimum)
                or (maximum is not None and not value <= maximum)
                or (above is not None and not value > above)):
            raise ValueError(f"{where} must be {kind}, got {value!r}")
        return value

    return check


def integer(minimum=None):
    """An int (not a bool) >= minimum."""
    kind = "an int" + (f" >= {minimum}" if minimum is not None else "")

    def check(value, where):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(f"{where} must be {kind}, got {describe(value)}")
        if minimum is not None and value < minimum:
            raise ValueError(f"{where} must be {kind}, got {value!r}")
        return value

    return check


def boolean(value, where):
    """True or False (no other truthy or falsy value)."""
    if not isinstance(value, bool):
        raise TypeError(f"{where} must be True or False, got {describe(value)}")
    return value


def choice(*options):
    """One of the given strings."""
    def check(value, where):
        if not isinstance(value, str):
            raise TypeError(f"{where} must be one of {list(options)}, got {describe(value)}")
        if value not in options:
            raise ValueError(f"{where} must be one of {list(options)}, got {value!r}")
        return value

    return check


def optional(inner):
    """None, or a value `inner` accepts."""
    def check(value, where):
        return None if value is None else inner(value, where)

    return check


def sequence(item, length=None, what="values"):
    """A list or tuple (returned as a new list) of `length` entries, each checked by `item`."""
    def check(value, where):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{where} must be a list of {what}, got {describe(value)}")
        if length is not None and len(value) != length:
            raise ValueError(f"{where} holds {len(value)} {what} but must hold {length}")
        return [item(entry, f"{where}[{i}]") for i, entry in enumerate(value)]

    return check


def per_group(item, group_count, what="values"):
    """A list with one entry per param group, each checked by `item`."""
    def check(value, where):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{where} must be a list of {what}, one per param group, got "
                            f"{describe(value)}")
        if len(value) != group_count:
            raise ValueError(f"{where} holds {len(value)} {what} but the optimizer has "
                             f"{group_count} param groups")
        return [item(entry, f"{where}[{i}]") for i, entry in enumerate(value)]

    return check


def callable_states(count):
    """What `callables_state` saves for `count` callables: None (a function) or a dict."""
    return sequence(optional(plain_dict), count, "saved callables (None or a dict each)")


def plain_dict(value, where):
    """A dict of a callable object's attributes (returned as a new dict)."""
    if not isinstance(value, dict):
        raise TypeError(f"{where} must be None or a dict (a callable object's attributes), "
                        f"got {describe(value)}")
    return dict(value)


def milestone_counts(value, where):
    """MultiStepLR's milestones: a Counter (or dict) of step (int >= 0) -> count (int >= 1)."""
    if not isinstance(value, dict):
        raise TypeError(f"{where} must be a Counter of milestone -> count, got {describe(value)}")
    checked = Counter()
    for milestone, count in value.items():
        integer(0)(milestone, f"{where} milestone {milestone!r}")
        checked[milestone] = integer(1)(count, f"{where}[{milestone!r}]")
    return checked


POSITIVE_INT = integer(1)
NON_NEGATIVE_INT = integer(0)
NON_NEGATIVE = real(minimum=0)
