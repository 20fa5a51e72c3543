"""`Parameter` and `Module`: the bookkeeping behind every layer, with PyTorch's habits.

A `Module` notices what you assign to it: ``self.weight = Parameter(...)`` registers a parameter,
``self.layer = Linear(...)`` registers a sub-module.  Everything else (``parameters()``,
``state_dict()``, ``zero_grad()``, ``train()``) walks those registrations in the order they were
made, so names like ``"0.weight"`` are the same as PyTorch would print.
"""

from collections import OrderedDict, namedtuple

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a model's learnable state: it always has ``requires_grad=True``.

    ``Parameter(data, dtype=None)`` takes anything `Tensor` takes (a Tensor's values are used).
    Assigning one to a `Module` attribute registers it.  Ops on Parameters return plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data, requires_grad=True, dtype=dtype)


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__doc__ = "What `Module.load_state_dict(strict=False)` did not match, as lists of names."


def _indent(text, spaces):
    """Indent every line of `text` but the first (how nested reprs line up in PyTorch)."""
    lines = text.split("\n")
    return "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


class Module:
    """Base class of layers and models: subclass it, assign parameters/sub-modules in
    ``__init__`` (after ``super().__init__()``), and define ``forward``.  ``module(x)`` calls
    ``forward(x)``.

    ``training`` is True after construction; ``eval()`` / ``train()`` set it on the whole tree
    (the layers here behave the same in both modes; the flag is for your own modules).
    """

    def __init__(self):
        # Plain object.__setattr__: our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ---- registration -------------------------------------------------------------------------

    def _registries(self, name, value):
        registries = self.__dict__.get("_parameters"), self.__dict__.get("_modules")
        if registries[0] is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} to '{name}' before Module.__init__() was called "
                f"(call super().__init__() first in {type(self).__name__}.__init__)"
            )
        return registries

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            parameters, modules = self._registries(name, value)
            modules.pop(name, None)
            self.__dict__.pop(name, None)
            parameters[name] = value
        elif isinstance(value, Module):
            parameters, modules = self._registries(name, value)
            parameters.pop(name, None)
            self.__dict__.pop(name, None)
            modules[name] = value
        elif name in self.__dict__.get("_parameters", {}):
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter '{name}' (Parameter or None expected)"
                )
            self._parameters[name] = None
        elif name in self.__dict__.get("_modules", {}):
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module '{name}' (Module or None expected)")
            self._modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Only called when normal lookup fails, i.e. for registered parameters and sub-modules.
        for registry in ("_parameters", "_modules"):
            entries = self.__dict__.get(registry, {})
            if name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._modules):
            if name in registry:
                del registry[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, parameter):
        """Register `parameter` (a `Parameter`, or None for an absent one such as ``bias=False``)."""
        if parameter is not None and not isinstance(parameter, Parameter):
            raise TypeError(f"cannot register {type(parameter).__name__} as parameter '{name}' (Parameter or None expected)")
        self._registries(name, parameter)[0][name] = parameter

    # ---- forward ------------------------------------------------------------------------------

    def forward(self, *inputs):
        """Compute the module's output; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    # ---- walking the tree ---------------------------------------------------------------------

    def named_children(self):
        """Yield ``(name, module)`` for the direct sub-modules, in registration order."""
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self):
        """Yield the direct sub-modules, in registration order."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix=""):
        """Yield ``(dotted_name, module)`` for this module (name ``prefix``) and all below it, depth first.

        A module reachable twice is yielded once, as PyTorch does.
        """
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child)
                        for child_name, child in module.named_children()]
            stack.extend(reversed(children))

    def modules(self):
        """Yield this module and every module below it, depth first."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix="", recurse=True):
        """Yield ``(dotted_name, parameter)`` in registration order, e.g. ``("0.weight", W)``.

        A parameter shared by two modules is yielded once (so optimizers update it once).
        """
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, parameter in module._parameters.items():
                if parameter is None or id(parameter) in seen:
                    continue
                seen.add(id(parameter))
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self, recurse=True):
        """Yield the parameters in registration order (what you hand to an optimizer)."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def zero_grad(self):
        """Forget every parameter's gradient: ``.grad = None`` (PyTorch's default, ``set_to_none=True``)."""
        for parameter in self.parameters():
            parameter.grad = None

    def train(self, mode=True):
        """Set ``training = mode`` on this module and all below it; returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) expects a bool, got {type(mode).__name__}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Same as ``train(False)``; returns self."""
        return self.train(False)

    # ---- saving and loading -------------------------------------------------------------------

    def state_dict(self):
        """An ordered ``{dotted_name: numpy copy of the parameter's values}``.

        Copies, so later training does not change a saved state.
        """
        return OrderedDict((name, parameter.data.copy()) for name, parameter in self.named_parameters())

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from `state_dict` into the parameters (in place, keeping each dtype).

        Keys missing from `state_dict`, keys it has that the module does not (only with
        ``strict=True``), values whose shape differs from the parameter's, non-numeric values and
        read-only parameters all raise one `RuntimeError` naming every offending key.  Nothing is changed unless every
        check passes.  Returns ``IncompatibleKeys(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"state_dict must be a mapping of names to arrays, got {type(state_dict).__name__}")
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be True or False, got {strict!r}")
        parameters = dict(self.named_parameters())
        missing = [name for name in parameters if name not in state_dict]
        unexpected = [name for name in state_dict.keys() if name not in parameters]
        problems = []
        if strict and missing:
            problems.append(f"missing key(s): {', '.join(map(repr, missing))}")
        if strict and unexpected:
            problems.append(f"unexpected key(s): {', '.join(map(repr, unexpected))}")
        new_values = {}
        for name, parameter in parameters.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            try:
                value = np.asarray(value.data if isinstance(value, Tensor) else value)
            except (TypeError, ValueError) as error:  # e.g. a ragged nested list
                problems.append(f"{name!r} is not an array ({error})")
                continue
            if value.dtype.kind not in "biuf":
                problems.append(f"{name!r} holds non-numeric data of dtype {value.dtype}")
            elif value.shape != parameter.shape:
                problems.append(f"{name!r} has shape {value.shape}, the parameter has shape {parameter.shape}")
            elif not parameter.data.flags.writeable:
                problems.append(f"{name!r}: the parameter's data is read-only")
            else:
                new_values[name] = value
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}: " + "; ".join(problems)
            )
        for name, value in new_values.items():
            np.copyto(parameters[name].data, value, casting="unsafe")
        return IncompatibleKeys(missing, unexpected)

    # ---- printing -----------------------------------------------------------------------------

    def extra_repr(self):
        """The text inside the parentheses of ``repr(module)``; layers override it."""
        return ""

    def __repr__(self):
        children = [f"({name}): {_indent(repr(module), 2)}" for name, module in self.named_children()]
        extra = self.extra_repr()
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = ([extra] if extra else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
