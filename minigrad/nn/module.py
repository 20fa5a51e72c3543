"""`Parameter` and `Module`: the bookkeeping behind every layer, with PyTorch's habits.

A `Module` notices what you assign to it: ``self.weight = Parameter(...)`` registers a parameter,
``self.layer = Linear(...)`` registers a sub-module, ``self.register_buffer("running_mean", t)``
registers state that is saved but not trained.  Everything else (``parameters()``,
``state_dict()``, ``zero_grad()``, ``train()``) walks those registrations in the order they were
made, so names like ``"0.weight"`` are the same as PyTorch would print.

A plain Python list or dict of modules is *not* registered (its parameters would be silently
missing from ``parameters()``, the classic learner bug), so assigning one warns and names
`ModuleList` / `ModuleDict`.
"""

import warnings
from collections import OrderedDict, namedtuple

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a model's learnable state, ``requires_grad=True`` unless told otherwise.

    ``Parameter(data, requires_grad=True, dtype=None)`` takes anything `Tensor` takes (a
    Tensor's values are used).  ``requires_grad=False`` makes a frozen parameter (still listed
    by ``parameters()`` and saved by ``state_dict()``, as in torch).  Assigning one to a
    `Module` attribute registers it.  Ops on Parameters return plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data, requires_grad=True, dtype=None):
        if not isinstance(requires_grad, bool):
            raise TypeError(f"Parameter: requires_grad must be a bool, got {type(requires_grad).__name__}")
        if isinstance(data, Tensor):
            data = data.data
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)


class RemovableHandle:
    """Returned by `Module.register_forward_hook` / `register_forward_pre_hook`; ``.remove()``
    unhooks (removing twice is harmless).  Also a context manager that removes on exit."""

    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        """Unregister the hook."""
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()
        return False


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__doc__ = "What `Module.load_state_dict(strict=False)` did not match, as lists of names."


def _warn_if_unregistered_modules(module, name, value):
    """Warn when a list/tuple/dict holding Modules is assigned: it would not be registered."""
    if isinstance(value, (list, tuple)) and any(isinstance(item, Module) for item in value):
        container = "ModuleList"
    elif isinstance(value, dict) and any(isinstance(item, Module) for item in value.values()):
        container = "ModuleDict"
    else:
        return
    warnings.warn(
        f"{type(module).__name__}.{name} is a plain {type(value).__name__} of Modules: they are NOT "
        f"registered, so their parameters are missing from parameters(), state_dict() and "
        f"train()/eval(); wrap it as nn.{container}(...) instead",
        UserWarning,
        stacklevel=3,
    )


def _check_name(name, kind):
    """A child or parameter name as torch requires: a non-empty string without dots."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain "."')
    if not name:
        raise KeyError(f'{kind} name can\'t be empty string ""')


def _indent(text, spaces):
    """Indent every line of `text` but the first (how nested reprs line up in PyTorch)."""
    lines = text.split("\n")
    return "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


class Module:
    """Base class of layers and models: subclass it, assign parameters/sub-modules in
    ``__init__`` (after ``super().__init__()``), and define ``forward``.  ``module(x)`` calls
    ``forward(x)``.

    ``training`` is True after construction; ``eval()`` / ``train()`` set it on the whole tree
    (`Dropout` and `BatchNorm1d` behave differently in the two modes).
    """

    def __init__(self):
        # Plain object.__setattr__: our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
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
            self._buffers.pop(name, None)
            self.__dict__.pop(name, None)
            parameters[name] = value
        elif isinstance(value, Module):
            parameters, modules = self._registries(name, value)
            parameters.pop(name, None)
            self._buffers.pop(name, None)
            self.__dict__.pop(name, None)
            modules[name] = value
        elif name in self.__dict__.get("_buffers", {}):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer '{name}' (Tensor or None expected)")
            self._buffers[name] = value
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
            _warn_if_unregistered_modules(self, name, value)
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # Only called when normal lookup fails, i.e. for registered parameters, buffers and sub-modules.
        for registry in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(registry, {})
            if name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name, parameter):
        """Register `parameter` (a `Parameter`, or None for an absent one such as ``bias=False``)."""
        _check_name(name, "parameter")
        if parameter is not None and not isinstance(parameter, Parameter):
            raise TypeError(f"cannot register {type(parameter).__name__} as parameter '{name}' (Parameter or None expected)")
        self._registries(name, parameter)[0][name] = parameter

    def add_module(self, name, module):
        """Register `module` (a `Module`, or None) as the child ``self.<name>``, as torch's."""
        _check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        setattr(self, name, module)

    register_module = add_module

    def register_buffer(self, name, tensor, persistent=True):
        """Register `tensor` (a Tensor, or None) as state that is saved but not trained.

        A buffer (e.g. BatchNorm's ``running_mean``) is reached as ``self.<name>``, listed by
        ``buffers()`` and, when ``persistent``, saved by ``state_dict()``; optimizers never see
        it.  Assigning ``self.<name> = tensor`` later replaces it.
        """
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"buffer name must be a non-empty string without '.', got {name!r}")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot register {type(tensor).__name__} as buffer '{name}' (Tensor or None expected)")
        if isinstance(tensor, Parameter):
            raise TypeError(f"cannot register Parameter '{name}' as a buffer; use register_parameter")
        parameters, modules = self._registries(name, tensor)
        if name in parameters or name in modules:
            raise KeyError(f"attribute '{name}' already exists as a parameter or sub-module")
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    # ---- forward ------------------------------------------------------------------------------

    def forward(self, *inputs):
        """Compute the module's output; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *inputs, **kwargs):
        """Run the forward pre-hooks, ``forward``, then the forward hooks (as torch)."""
        for hook in list(self._forward_pre_hooks.values()):
            replaced = hook(self, inputs)
            if replaced is not None:
                inputs = replaced if isinstance(replaced, tuple) else (replaced,)
        output = self.forward(*inputs, **kwargs)
        for hook in list(self._forward_hooks.values()):
            replaced = hook(self, inputs, output)
            if replaced is not None:
                output = replaced
        return output

    def register_forward_pre_hook(self, hook):
        """Call ``hook(module, args)`` before every ``forward``; returns a `RemovableHandle`.

        ``args`` is the tuple of positional inputs; a hook returning something other than None
        replaces them (a non-tuple is wrapped in a 1-tuple).
        """
        if not callable(hook):
            raise TypeError(f"register_forward_pre_hook: hook must be callable, got {type(hook).__name__}")
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook):
        """Call ``hook(module, args, output)`` after every ``forward``; returns a `RemovableHandle`.

        A hook returning something other than None replaces the output.
        """
        if not callable(hook):
            raise TypeError(f"register_forward_hook: hook must be callable, got {type(hook).__name__}")
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

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

    def named_buffers(self, prefix="", recurse=True):
        """Yield ``(dotted_name, buffer)`` for every registered buffer that is not None."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, buffer in module._buffers.items():
                if buffer is None or id(buffer) in seen:
                    continue
                seen.add(id(buffer))
                yield (f"{module_name}.{name}" if module_name else name), buffer

    def buffers(self, recurse=True):
        """Yield the buffers (running statistics and the like) in registration order."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn):
        """Call ``fn(module)`` on every sub-module (children first, depth first), then on self;
        returns self.  The usual use: ``model.apply(init_weights)``."""
        if not callable(fn):
            raise TypeError(f"apply: fn must be callable, got {type(fn).__name__}")
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` of every parameter (False freezes the module); returns self."""
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_ expects a bool, got {type(requires_grad).__name__}")
        for parameter in self.parameters():
            parameter.requires_grad = requires_grad
        return self

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient: ``.grad = None`` (torch's default), or with
        ``set_to_none=False`` fill the existing gradient arrays with zeros in place."""
        if not isinstance(set_to_none, bool):
            raise TypeError(f"zero_grad: set_to_none must be a bool, got {type(set_to_none).__name__}")
        for parameter in self.parameters():
            parameter.zero_grad(set_to_none=set_to_none)

    def train(self, mode=True):
        """Set ``training = mode`` on this module and all below it; returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train: training mode is expected to be boolean, got {type(mode).__name__} {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Same as ``train(False)``; returns self."""
        return self.train(False)

    # ---- saving and loading -------------------------------------------------------------------

    def _named_state(self):
        """``(dotted_name, tensor)`` for every parameter and persistent buffer, module by
        module (its parameters, then its buffers, then its children), as torch orders them."""
        seen = set()
        for module_name, module in self.named_modules():
            persistent = [(name, buffer) for name, buffer in module._buffers.items()
                          if name not in module._non_persistent_buffers]
            for name, tensor in list(module._parameters.items()) + persistent:
                if tensor is None or id(tensor) in seen:
                    continue
                seen.add(id(tensor))
                yield (f"{module_name}.{name}" if module_name else name), tensor

    def state_dict(self):
        """An ordered ``{dotted_name: numpy copy of the values}`` of every parameter and
        persistent buffer (e.g. ``"1.running_mean"``, ``"1.num_batches_tracked"``).

        Copies, so later training does not change a saved state.
        """
        return OrderedDict((name, tensor.data.copy()) for name, tensor in self._named_state())

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from `state_dict` into the parameters and buffers (in place, keeping
        each dtype).

        Keys missing from `state_dict`, keys it has that the module does not (only with
        ``strict=True``), values whose shape differs from the parameter's, non-numeric values and
        read-only parameters all raise one `RuntimeError` naming every offending key.  Nothing is changed unless
        every check passes.  Returns ``IncompatibleKeys(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"state_dict must be a mapping of names to arrays, got {type(state_dict).__name__}")
        if not isinstance(strict, bool):
            raise TypeError(f"strict must be True or False, got {strict!r}")
        targets = dict(self._named_state())
        missing = [name for name in targets if name not in state_dict]
        unexpected = [name for name in state_dict.keys() if name not in targets]
        problems = []
        if strict and missing:
            problems.append(f"missing key(s): {', '.join(map(repr, missing))}")
        if strict and unexpected:
            problems.append(f"unexpected key(s): {', '.join(map(repr, unexpected))}")
        new_values = {}
        for name, target in targets.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            try:
                value = np.asarray(value.data if isinstance(value, Tensor) else value)
            except (TypeError, ValueError) as error:  # e.g. a ragged nested list
                problems.append(f"{name!r} is not an array ({error})")
                continue
            kind = "parameter" if isinstance(target, Parameter) else "buffer"
            if value.dtype.kind not in "biuf":
                problems.append(f"{name!r} holds non-numeric data of dtype {value.dtype}")
            elif value.shape != target.shape:
                problems.append(f"size mismatch for {name}: copying a param with shape {value.shape} from "
                                f"checkpoint, the shape in current model is {target.shape}")
            elif not target.data.flags.writeable:
                problems.append(f"{name!r}: the {kind}'s data is read-only")
            else:
                new_values[name] = value
        if problems:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}: " + "; ".join(problems)
            )
        for name, value in new_values.items():
            np.copyto(targets[name].data, value, casting="unsafe")
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
