"""`Optimizer`: the surface of `torch.optim.Optimizer`, over plain numpy arrays.

A *parameter* is any object with a `.data` attribute (a float32 or float64 numpy array,
updated IN PLACE: the same array object before and after every step, so views and
references held elsewhere stay valid) and a `.grad` attribute (a numpy array of the same
shape and dtype, or None). minigrad's `Tensor` is one; so is any two-attribute class.

What the base class does (exactly as torch does it): param groups with their own
hyperparameters, `defaults`, `state` keyed by parameter, `zero_grad`, `step(closure)`,
`add_param_group`, `state_dict` / `load_state_dict` in torch's layout, step pre/post hooks,
`__repr__`, and torch's error messages. Parameters whose grad is None are skipped
entirely: no weight decay, no state, no step count.

How to add an optimizer
=======================
A subclass supplies the formula; the base class supplies everything else.

    class SignSGD(Optimizer):
        '''p <- p - lr * sign(g)'''

        def __init__(self, params, lr=0.01, backend=None):
            super().__init__(params, {"lr": lr}, backend)

        def check_hyperparameters(self, group):
            if not 0.0 <= group["lr"]:
                raise ValueError(f"Invalid learning rate: {group['lr']}")

        def init_state(self, param, group):
            return {}                        # e.g. {"step": 0, "m": np.zeros_like(param)}

        def update(self, param, grad, state, group):
            param -= group["lr"] * np.sign(grad)     # in place: `param = ...` would not be

The hooks, called by `step()` for every parameter that has a gradient:

- `init_state(param, group) -> dict`: the per-parameter state, created on the parameter's
  first step. Arrays must have the parameter's shape (the base class stores them
  C-contiguous). If the dict has a "step" entry (an int, 0 initially), the base class
  increments it just before each `update`, so `update` sees t = 1, 2, ... like torch.
- `update(param, grad, state, group)`: the plain-numpy reference update. `param` is the
  parameter's array (any shape, possibly non-contiguous or 0-d): modify it and the state
  arrays in place (`-=`, `*=`, `[...] =`); never modify `grad` (it belongs to the caller).
- `update_numba(param, grad, state, group)` (optional): the fast path. It computes the
  scalar coefficients in Python (lr, 1 - beta, bias corrections: exactly the Python
  floats the numpy update uses) and calls
  `kernels.run_kernel(my_kernel, param, grad, (state arrays...), (coefficients...),
  (bool options...))`, where `my_kernel(param, grad, *states, coefficients, *options)`
  is a `@kernel` that unpacks `lr, beta, ... = coefficients` (an array of the
  parameter's dtype) and loops `for i in prange(param.size):` over flat arrays doing the
  same arithmetic in the same order as `update` (then float32 and float64 results are
  bit for bit the numpy ones).
  Options are bool arguments of the one kernel, not separate kernels: each kernel then
  compiles just twice (float32, float64), which keeps the test suite's cold start fast.
  Defining `update_numba` makes `backend="numba"` available and the default.
- `check_hyperparameters(group)` (optional): raise ValueError with torch's wording
  ("Invalid learning rate: -1"); called for the defaults, every added param group and
  every loaded state dict, before anything is changed. Types are checked before it, from
  the constructor's keyword defaults: a hyperparameter whose default is a bool must be a
  bool, a number a real number, a tuple a tuple of reals.

For an optimizer of the package itself, one module `optimizers/<name>.py` holds the class,
its docstring (update formula and how it maps to the course seeds' form), the numpy
`update` and the `@kernel` loop side by side (see `sgd.py`). Then:

1. register it in `optimizers/__init__.py`: import it, add it to `__all__`, and add a
   `register("<name>", Class)` line;
2. add its option grid to `OPTIONS` in `tests/optimizers/optimizer_cases.py` (every option
   value to combine, plus a validity filter if some combinations are illegal), its
   Rosenbrock row to `CONVERGENCE`, its first-error rows to `INVALID_HYPERPARAMETERS`,
   and its all-state configuration to `FULL_STATE`;
3. add its rows to `CONFIGS` in `tests/data/make_optimizer_refs.py` and re-run
   `python3 tests/data/make_optimizer_refs.py` (system python with torch); the tests pick
   the new trajectories up from the `.npz` and fail for any registered optimizer without
   one.
"""

import copy
import inspect
import itertools
import numbers
from collections.abc import MutableMapping

import numpy as np

BACKENDS = ("numba", "numpy")

_handle_ids = itertools.count()


class RemovableHandle:
    """Returned by `register_step_pre_hook` / `register_step_post_hook`; `.remove()` unhooks.

    Also a context manager: the hook is removed when the `with` block ends.
    """

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = next(_handle_ids)

    def remove(self):
        """Unregister the hook (removing twice is harmless)."""
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()


class ParamState(MutableMapping):
    """`optimizer.state`: a mapping from parameter to its state dict, keyed by identity.

    Keying by `id()` (while holding a reference to the parameter) means parameters need
    not be hashable (a Tensor class with an element-wise `__eq__` usually is not). Like
    torch's `defaultdict(dict)`, `state[p]` for a parameter without state inserts and
    returns an empty dict; `get` and `in` do not insert.
    """

    def __init__(self):
        self._params = {}
        self._states = {}

    def __getitem__(self, param):
        if id(param) not in self._states:
            self[param] = {}
        return self._states[id(param)]

    def get(self, param, default=None):
        return self._states.get(id(param), default)

    def __contains__(self, param):
        return id(param) in self._states

    def __setitem__(self, param, value):
        self._params[id(param)] = param
        self._states[id(param)] = value

    def __delitem__(self, param):
        del self._states[id(param)]
        del self._params[id(param)]

    def __iter__(self):
        return iter(list(self._params.values()))

    def __len__(self):
        return len(self._states)

    def __repr__(self):
        return f"ParamState({len(self)} parameters with state)"


def _type_name(value):
    return type(value).__name__


def _is_param(value):
    return hasattr(value, "data") and hasattr(value, "grad") and not isinstance(value, dict)


def _check_param(param):
    """Reject anything the update loop cannot update in place, with the reason."""
    if not _is_param(param):
        raise TypeError(
            "optimizer can only optimize parameters with .data and .grad, "
            f"but one of the params is {_type_name(param)}"
        )
    data = param.data
    if not isinstance(data, np.ndarray):
        raise TypeError(
            f"a parameter's .data must be a numpy array, but got {_type_name(data)}"
        )
    if data.dtype not in (np.float32, np.float64):
        raise TypeError(
            "optimizer can only optimize float32 or float64 parameters, "
            f"but one of the params has dtype {data.dtype}"
        )
    if not data.flags.writeable:
        raise ValueError("a parameter's .data is read-only, but optimizers update it in place")


def _constructor_defaults(optimizer_class):
    """The keyword defaults of the class's __init__: they say what kind each value is."""
    signature = inspect.signature(optimizer_class.__init__)
    return {
        name: parameter.default
        for name, parameter in signature.parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def _check_hyperparameter_types(group, kinds):
    """A hyperparameter must be the kind of value its constructor default is.

    Booleans must be bools, numbers real numbers (not bools), tuples tuples of reals;
    without this, lr="0.1" would fail deep inside numpy and nesterov=1 would pass.
    """
    for name, default in kinds.items():
        if name not in group:
            continue
        value = group[name]
        if isinstance(default, bool):
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, but got {value!r}")
        elif isinstance(default, numbers.Real):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a real number, but got {value!r}")
        elif isinstance(default, tuple):
            # An entry whose default is None (Adafactor's eps=(None, 1e-3)) may stay None.
            if not (
                isinstance(value, (tuple, list))
                and len(value) == len(default)
                and all((isinstance(v, numbers.Real) and not isinstance(v, bool))
                        or (v is None and d is None) for v, d in zip(value, default))
            ):
                raise TypeError(
                    f"{name} must be a tuple of {len(default)} real numbers, but got {value!r}"
                )


def _copy_value(value):
    return value.copy() if isinstance(value, np.ndarray) else copy.deepcopy(value)


class Optimizer:
    """Base class of all optimizers (see the module docstring for how to write one).

    Optimizer(params, defaults, backend=None)

    params:   an iterable of parameters, or of dicts ("param groups") each with a
              "params" entry and any hyperparameters overriding `defaults`.
    defaults: the hyperparameters of every group that does not override them.
    backend:  "numba" (the subclass's `update_numba` kernel) or "numpy" (its reference
              `update`); None picks "numba" when the subclass has a kernel.
    """

    def __init__(self, params, defaults, backend=None):
        has_kernel = callable(getattr(type(self), "update_numba", None))
        if backend is None:
            backend = "numba" if has_kernel else "numpy"
        if backend not in BACKENDS:
            raise ValueError(f"Invalid backend: {backend!r} (expected 'numba' or 'numpy')")
        if backend == "numba" and not has_kernel:
            raise ValueError(
                f"{type(self).__name__} has no numba kernel (no update_numba method); "
                "use backend='numpy'"
            )
        self.backend = backend
        self.defaults = dict(defaults)
        self._hyperparameter_kinds = _constructor_defaults(type(self))
        _check_hyperparameter_types(self.defaults, self._hyperparameter_kinds)
        self.check_hyperparameters(self.defaults)
        self._step_pre_hooks = {}
        self._step_post_hooks = {}
        self.state = ParamState()
        self.param_groups = []

        if _is_param(params) or isinstance(params, np.ndarray):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of "
                f"parameters or dicts, but got {_type_name(params)}"
            )
        try:
            param_groups = list(params)
        except TypeError:
            raise TypeError(
                "params argument given to the optimizer should be an iterable of "
                f"parameters or dicts, but got {_type_name(params)}"
            ) from None
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ----------------------------------------------------------------- subclass hooks
    def check_hyperparameters(self, group):
        """Raise ValueError for an invalid hyperparameter value (default: accept all)."""

    def init_state(self, param, group):
        """Return the new state dict of `param` (default: stateless)."""
        return {}

    def update(self, param, grad, state, group):
        """Apply one update in place with numpy; every optimizer must define it."""
        raise NotImplementedError(
            f"{type(self).__name__} must define update(param, grad, state, group)"
        )

    # ----------------------------------------------------------------- param groups
    def add_param_group(self, param_group):
        """Add a dict {"params": [...], hyperparameter: value, ...}; missing ones use defaults.

        Checks everything before changing the optimizer: the dict itself, every parameter
        (see the module docstring), duplicates, and the hyperparameters.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_type_name(param_group)}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        params = param_group["params"]
        if _is_param(params):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. "
                "Please use a list instead."
            )
        else:
            try:
                params = list(params)
            except TypeError:
                raise TypeError(
                    "param_group['params'] must be a parameter or an iterable of "
                    f"parameters, but got {_type_name(params)}"
                ) from None
        for param in params:
            _check_param(param)
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")

        group = dict(self.defaults)
        group.update((key, value) for key, value in param_group.items() if key != "params")
        _check_hyperparameter_types(group, self._hyperparameter_kinds)
        self.check_hyperparameters(group)

        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        group["params"] = params
        self.param_groups.append(group)

    # ----------------------------------------------------------------- stepping
    def zero_grad(self, set_to_none=True):
        """Set every parameter's grad to None (default) or fill it with zeros in place."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    if set_to_none:
                        param.grad = None
                    elif isinstance(param.grad, np.ndarray):
                        param.grad[...] = 0
                    else:  # a numpy scalar (0-d parameter) cannot be zeroed in place
                        param.grad = np.zeros_like(param.data)

    def step(self, closure=None):
        """Update every parameter that has a gradient; return `closure()`'s loss (or None).

        closure: optional callable that re-evaluates the model (computing fresh grads)
        and returns the loss; it is called once, before the update.
        Step pre-hooks run first and may replace the arguments; post-hooks run last.
        """
        if not (self._step_pre_hooks or self._step_post_hooks):
            return self._step(closure)
        args = (self,) if closure is None else (self, closure)
        kwargs = {}
        for hook in list(self._step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        "a step pre-hook must return None or a tuple of "
                        f"(new_args, new_kwargs), but got {result!r}"
                    )
                args, kwargs = result
        loss = self._step(*args[1:], **kwargs)
        for hook in list(self._step_post_hooks.values()):
            hook(self, args, kwargs)
        return loss

    def _step(self, closure=None):
        loss = closure() if closure is not None else None
        update = self.update_numba if self.backend == "numba" else self.update
        for group_index, group in enumerate(self.param_groups):
            for param_index, p in enumerate(group["params"]):
                grad = p.grad
                if grad is None:
                    continue
                param = p.data
                if not (type(grad) is np.ndarray and grad.shape == param.shape
                        and grad.dtype == param.dtype):
                    grad = self._checked_grad(param, grad, group_index, param_index)
                state = self.state.get(p)
                fresh = not state
                if fresh:
                    state = self._new_state(param, group)
                if "step" in state:
                    state["step"] += 1
                update(param, grad, state, group)
                if fresh and state:  # stateless updates (SGD without momentum) store nothing
                    self.state[p] = state
        return loss

    @staticmethod
    def _checked_grad(param, grad, group_index, param_index):
        """`grad` as an array of the parameter's shape and dtype, or the error saying why not.

        Only called for a grad that is not already such an array (a 0-d parameter's grad
        may be a numpy scalar), so building the error text costs nothing on the fast path.
        """
        where = f"(parameter {param_index} of group {group_index})"
        if isinstance(grad, np.generic):
            grad = np.asarray(grad)
        if not isinstance(grad, np.ndarray):
            raise TypeError(f"a gradient must be a numpy array or None, but got {_type_name(grad)} {where}")
        if grad.shape != param.shape:
            raise ValueError(
                f"gradient shape {grad.shape} does not match parameter shape {param.shape} {where}"
            )
        if grad.dtype != param.dtype:
            raise TypeError(
                f"gradient dtype {grad.dtype} does not match parameter dtype {param.dtype} {where}"
            )
        return grad

    def _new_state(self, param, group):
        state = self.init_state(param, group)
        for key, value in state.items():
            if isinstance(value, np.ndarray) and not value.flags.c_contiguous:
                state[key] = np.ascontiguousarray(value)
        return state

    # ----------------------------------------------------------------- hooks
    def register_step_pre_hook(self, hook):
        """Call `hook(optimizer, args, kwargs)` before every step; returns a RemovableHandle.

        As in torch, `args` starts with the optimizer itself (then the closure, if one was
        passed). The hook may return a new `(args, kwargs)` pair for the step to use.
        """
        handle = RemovableHandle(self._step_pre_hooks)
        self._step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """Call `hook(optimizer, args, kwargs)` after every step; returns a RemovableHandle."""
        handle = RemovableHandle(self._step_post_hooks)
        self._step_post_hooks[handle.id] = hook
        return handle

    # ----------------------------------------------------------------- saving
    def state_dict(self):
        """The optimizer's state in torch's layout, with every array copied.

        {"state": {index: {name: value, ...}},
         "param_groups": [{hyperparameter: value, ..., "params": [index, ...]}, ...]}
        Parameters are numbered in group order; only parameters with state appear.
        """
        index_of = {}
        param_groups = []
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            packed["params"] = [index_of.setdefault(id(p), len(index_of)) for p in group["params"]]
            param_groups.append(packed)
        state = {}
        for p, param_state in self.state.items():
            if param_state:
                state[index_of[id(p)]] = {
                    key: _copy_value(value) for key, value in param_state.items()
                }
        return {"state": dict(sorted(state.items())), "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Restore a `state_dict()`: group hyperparameters and per-parameter state (copied).

        The groups must match this optimizer's in number and size (parameters are matched
        by position). Float state arrays are cast to their parameter's dtype. Everything is
        validated before anything changes: a failed load leaves the optimizer as it was.
        """
        if not (isinstance(state_dict, dict) and {"state", "param_groups"} <= state_dict.keys()):
            raise ValueError("state_dict must be a dict with 'state' and 'param_groups' entries")
        saved_groups = state_dict["param_groups"]
        saved_state = state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or not isinstance(saved_state, dict):
            raise ValueError(
                "state_dict['param_groups'] must be a list and state_dict['state'] a dict"
            )
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")

        new_groups = []
        param_of = {}
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
                raise ValueError(f"loaded parameter group {index} must be a dict with a 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group "
                    "that doesn't match the size of optimizer's group"
                )
            missing = [key for key in self.defaults if key not in saved]
            if missing:
                raise ValueError(
                    f"loaded parameter group {index} lacks the hyperparameters {missing} "
                    f"of {type(self).__name__}"
                )
            new_group = {key: copy.deepcopy(value) for key, value in saved.items() if key != "params"}
            _check_hyperparameter_types(new_group, self._hyperparameter_kinds)
            self.check_hyperparameters(new_group)
            new_group["params"] = group["params"]
            new_groups.append(new_group)
            for saved_index, p in zip(saved["params"], group["params"]):
                if saved_index in param_of:
                    raise ValueError(f"loaded state dict lists parameter index {saved_index} twice")
                param_of[saved_index] = p

        new_state = []
        for saved_index, saved_param_state in saved_state.items():
            if saved_index not in param_of:
                raise ValueError(
                    f"loaded state dict has state for parameter index {saved_index}, "
                    "which is in none of its parameter groups"
                )
            if not isinstance(saved_param_state, dict):
                raise ValueError(f"loaded state of parameter {saved_index} must be a dict")
            p = param_of[saved_index]
            new_state.append((p, {
                key: self._loaded_value(value, p.data, saved_index, key)
                for key, value in saved_param_state.items()
            }))

        for group, new_group in zip(self.param_groups, new_groups):
            group.clear()
            group.update(new_group)
        self.state.clear()
        for p, param_state in new_state:
            self.state[p] = param_state

    @staticmethod
    def _loaded_value(value, param, saved_index, key):
        if not isinstance(value, np.ndarray):
            return copy.deepcopy(value)
        if value.shape != param.shape:
            raise ValueError(
                f"loaded state '{key}' of parameter {saved_index} has shape {value.shape}, "
                f"but the parameter has shape {param.shape}"
            )
        if np.issubdtype(value.dtype, np.floating):
            return np.array(value, dtype=param.dtype, order="C", copy=True)
        return np.array(value, order="C", copy=True)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(
                f"    {key}: {group[key]}" for key in sorted(group) if key != "params"
            )
        return "\n".join(lines) + "\n)"
