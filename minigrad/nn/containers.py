"""`ModuleList` and `ModuleDict`: a list or dict of modules that the parent registers.

A plain Python list of layers assigned to a Module is invisible to ``parameters()``,
``state_dict()`` and ``train()``; these containers register every element (under the names
``"0"``, ``"1"``, ... or under their keys), exactly as ``torch.nn.ModuleList`` / ``ModuleDict``.
Neither defines ``forward``: the parent decides how to call the elements.
"""

from collections import OrderedDict

import numpy as np

from .module import Module


def _check_module(value, where):
    if not isinstance(value, Module):
        raise TypeError(f"{where}: expected a Module, got {type(value).__name__}")
    return value


class ModuleList(Module):
    """A list of registered modules: indexing (int or slice), ``len``, iteration, ``append``,
    ``extend``, ``insert``, ``del`` and ``+=`` behave like a Python list's."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _rebuild(self, modules):
        self._modules.clear()
        for index, module in enumerate(modules):
            self._modules[str(index)] = module

    def _index(self, index):
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"ModuleList indices must be integers or slices, got {type(index).__name__}")
        if not -len(self) <= index < len(self):
            raise IndexError(f"ModuleList: index {index} is out of range (it has {len(self)} modules)")
        return int(index) % len(self)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return self._modules[str(self._index(index))]

    def __setitem__(self, index, module):
        self._modules[str(self._index(index))] = _check_module(module, "ModuleList")

    def __delitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._index(index)]
        self._rebuild(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def append(self, module):
        """Add `module` at the end; returns self."""
        self._modules[str(len(self))] = _check_module(module, "ModuleList.append")
        return self

    def extend(self, modules):
        """Append every module of the iterable `modules` (all checked first); returns self."""
        if isinstance(modules, Module) and not isinstance(modules, ModuleList):
            raise TypeError("ModuleList.extend expects an iterable of Modules, got a single Module; use append")
        modules = list(modules)
        for position, module in enumerate(modules):
            _check_module(module, f"ModuleList element {position}")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        """Insert `module` before position `index`."""
        modules = list(self._modules.values())
        modules.insert(index, _check_module(module, "ModuleList.insert"))
        self._rebuild(modules)


class ModuleDict(Module):
    """An ordered dict of registered modules (string keys without dots): ``d[key]``,
    ``d[key] = module``, ``del``, ``in``, ``len``, iteration over keys, ``keys/values/items``,
    ``update``, ``pop`` and ``clear``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    @staticmethod
    def _check_key(key):
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict keys must be non-empty strings without '.', got {key!r}")
        return key

    def __getitem__(self, key):
        try:
            return self._modules[key]
        except KeyError:
            raise KeyError(f"ModuleDict has no module {key!r}; keys: {list(self._modules)}") from None

    def __setitem__(self, key, module):
        self._modules[self._check_key(key)] = _check_module(module, f"ModuleDict[{key!r}]")

    def __delitem__(self, key):
        self[key]  # a clear KeyError for a missing key
        del self._modules[key]

    def __contains__(self, key):
        return key in self._modules

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def update(self, modules):
        """Add the modules of a mapping or of an iterable of ``(key, module)`` pairs (all
        checked before any is added)."""
        pairs = list(modules.items()) if hasattr(modules, "items") else list(modules)
        checked = OrderedDict()
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"ModuleDict.update expects a mapping or (key, module) pairs, got {pair!r}")
            key, module = pair
            checked[self._check_key(key)] = _check_module(module, f"ModuleDict[{key!r}]")
        self._modules.update(checked)

    def pop(self, key):
        """Remove the module under `key` and return it."""
        module = self[key]
        del self._modules[key]
        return module

    def clear(self):
        """Remove every module."""
        self._modules.clear()
