"""`Optimizer`: the surface of `torch.optim.Optimizer`, over plain numpy arrays.

A *parameter* is any object with a `.data` attribute (a float32 or float64 numpy array in
native byte order, writable, updated IN PLACE: the same array object before and after
every step, so views and references held elsewhere stay valid) and a `.grad` attribute (a
numpy array of the same shape and dtype, or None). minigrad's `Tensor` is one; so is any
two-attribute class. Parameters may also be given as `(name, parameter)` pairs, e.g.
`model.named_parameters()`: the names are kept in `param_groups[i]["param_names"]`.

What the base class does (exactly as torch does it): param groups with their own
hyperparameters, `defaults`, `state` keyed by parameter, `zero_grad`, `step(closure)`,
`add_param_group`, `state_dict` / `load_state_dict` in torch's layout, step pre/post hooks
(per optimizer and global), state-dict and load-state-dict hooks, `__repr__`, `copy.deepcopy`
and `pickle`, and torch's error messages. Parameters whose grad is None are skipped
entirely: no weight decay, no state, no step count.

Validate first, then mutate. `step()` checks everything it is about to use -- every
group's hyperparameters (also values changed in `param_groups` after construction), every
parameter's data and grad, every state entry -- before it advances a step counter or
touches an array; `load_state_dict()` checks the whole dict before it assigns anything. A
call that raises leaves parameters, state and counters bit for bit as they were.

How to add an optimizer
=======================
A subclass supplies the formula and declares its state; the base class does the rest.

    class SignSGD(Optimizer):
        '''p <- p - lr * sign(g)'''

        state_spec = {"step": STEP}          # every state entry and its kind

        def __init__(self, params, lr=0.01, backend=None):
            super().__init__(params, {"lr": lr}, backend)

        def check_hyperparameters(self, group):
            if not 0.0 <= group["lr"]:
                raise ValueError(f"Invalid learning rate: {group['lr']}")

        def init_state(self, param, group):
            return {"step": 0}

        def update(self, param, grad, state, group):
            # In place: `param -= ...` changes the parameter's own array; `param = ...`
            # would only rebind the local name and leave the parameter unchanged.
            param -= group["lr"] * np.sign(grad)

The hooks, called by `step()` for every parameter that has a gradient:

- `init_state(param, group) -> dict`: the per-parameter state, created on the parameter's
  first step, for the group's options at that time. Arrays must have the parameter's
  shape (the base class stores them C-contiguous). If the dict has a "step" entry (an
  int, 0 initially), the base class increments it just before each `update`, so `update`
  sees t = 1, 2, ... like torch.
- `update(param, grad, state, group)`: the plain-numpy reference update. `param` is the
  parameter's array (any shape, possibly non-contiguous or 0-d): modify it and the state
  arrays in place (`-=`, `*=`, `[...] =`); never modify `grad` (it belongs to the caller).
  It must not raise for inputs that passed the checks: it runs after other parameters
  were already updated.
- `update_numba(param, grad, state, group)` (optional): the fast path. It computes the
  scalar coefficients in Python (lr, 1 - beta, bias corrections: exactly the Python
  floats the numpy update uses) and calls
  `kernels.run_kernel(my_kernel, param, grad, (state arrays...), (coefficients...),
  (bool options...))`, where `my_kernel(param, grad, *states, coefficients, *options)`
  is a `@kernel` that unpacks `lr, beta, ... = coefficients` (an array of the
  parameter's dtype) and loops `for i in prange(param.size):` over flat arrays doing the
  same arithmetic in the same order as `update` (then float32 and float64 results are
  bit for bit the numpy ones). A state entry the current options do not use is passed
  as None (`state.get("grad_avg")`); the kernel gets a scratch array in that slot.
  Options are bool arguments of the one kernel, not separate kernels: each kernel then
  compiles just twice (float32, float64), which keeps the test suite's cold start fast.
  Defining `update_numba` makes `backend="numba"` available and the default.
- `check_hyperparameters(group)` (optional): raise ValueError with torch's wording
  ("Invalid learning rate: -1"); called for the defaults, every added param group, every
  loaded state dict, and by `step()` for every group whose values changed since it was
  last checked -- always after the type checks below, so it may compare freely.

What a subclass declares so that the checks cover it:

- Hyperparameter types come from the constructor's keyword defaults (its own and its
  base classes'): a default that is a bool must stay a bool, a number a real number
  (not NaN, not a bool), a tuple a tuple (or list) of that length whose entries are real
  numbers -- or None where the default tuple has None (Adafactor's eps=(None, 1e-3)).
  A default of None leaves the value unchecked. `hyperparameter_kinds = {name: kind}`
  overrides the inferred kinds; a kind is `bool`, `float` (a real number), `int`, `str`,
  `optional(kind)` (kind or None), or a tuple of kinds. Missing bool flags of a loaded
  state dict (one saved before a flag existed) are filled from `defaults`, as torch
  does; any other missing hyperparameter is an error.
- `state_spec = {entry: kind}`: every entry the state may hold, with its kind: `ARRAY`
  (an array of the parameter's shape and dtype), `STEP` (an int >= 0) or `REAL` (a real
  number such as NAdam's mu_product). Every entry not in `option_state` must be present
  in a parameter's state once it has one (a state dict of another optimizer lacking one
  is refused at load time); entries not listed are not checked.
- `option_state = {entry: predicate(group)}`: entries needed only under some options
  (Adam's "max_exp_avg_sq" when amsgrad). When the predicate holds and the entry is
  missing (the option was switched on after the parameter's first step), `step()`
  creates it from `init_state(param, group)` -- or, if `init_state` does not make it,
  leaves it to `update` (SGD creates its momentum buffer from the first gradient).

For an optimizer of the package itself, one module `optimizers/<name>.py` holds the class,
its docstring (update formula and how it maps to the sources' form), the numpy
`update` and the `@kernel` loop side by side (see `sgd.py`). Then:

1. decorate the class with `@register("<name>")` (from `.registry`), give it `formula`,
   `symbols` (and `formula_values` for quantities of the whole parameter: norms, row
   means, a matrix function) and, if its step adapts per coordinate,
   `effective_step_size` (see `optimizers.explain`); declare `param_ndim` if it takes
   only parameters of one dimension count (Muon: 2) and `needs_closure` if it updates all
   parameters together in `step(closure)` (LBFGS); import it in `optimizers/__init__.py`
   and add it to `__all__`;
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
import math
import numbers
import warnings
from collections import OrderedDict
from collections.abc import MutableMapping
from operator import is_

import numpy as np

from . import debug_checks

BACKENDS = ("numba", "numpy")

# State entry kinds (see the module docstring).
ARRAY = "array"
STEP = "step"
REAL = "real"

# Python floats overflow in `beta ** step` for counts beyond ~1e308; no run gets near this.
_MAX_STEP = 2**63
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_MISSING = object()

_handle_ids = itertools.count()
_global_step_pre_hooks = OrderedDict()
_global_step_post_hooks = OrderedDict()


class RemovableHandle:
    """Returned by every `register_*_hook`; `.remove()` unhooks.

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


def _register(hooks, hook, prepend=False):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """Call `hook(optimizer, args, kwargs)` before the step of EVERY optimizer (torch's global hook).

    Global pre-hooks run before the optimizer's own pre-hooks and may, like them, return a
    new `(args, kwargs)` pair. Returns a RemovableHandle.
    """
    return _register(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Call `hook(optimizer, args, kwargs)` after the step of EVERY optimizer (after its own
    post-hooks). Returns a RemovableHandle."""
    return _register(_global_step_post_hooks, hook)


class ParamState(MutableMapping):
    """`optimizer.state`: a mapping from parameter to its state dict, keyed by identity.

    Keying by `id()` (while holding a reference to the parameter) means parameters need
    not be hashable (a Tensor class with an element-wise `__eq__` usually is not). Like
    torch's `defaultdict(dict)`, `state[p]` for a parameter without state inserts and
    returns an empty dict; `get` and `in` do not insert. Copied and pickled as
    (parameter, state) pairs, so a copy is keyed by the copied parameters: copying a
    model and its optimizer together keeps them linked.
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

    def __getstate__(self):
        return [(param, self._states[key]) for key, param in self._params.items()]

    def __setstate__(self, pairs):
        self._params, self._states = {}, {}
        for param, state in pairs:
            self[param] = state

    def __repr__(self):
        return f"ParamState({len(self)} parameters with state)"


# ----------------------------------------------------------------- hyperparameter kinds
class optional:
    """Hyperparameter kind: a value of `kind`, or None (e.g. `optional(float)`)."""

    def __init__(self, kind):
        self.kind = kind

    def __eq__(self, other):
        return isinstance(other, optional) and other.kind == self.kind

    def __repr__(self):
        return f"optional({_describe(self.kind)})"


def _kind_of_default(default):
    """What kind of value a constructor default says a hyperparameter is (None: unchecked)."""
    if isinstance(default, bool):
        return bool
    if isinstance(default, numbers.Real):
        return float
    if isinstance(default, str):
        return str
    if isinstance(default, tuple):
        return tuple(optional(float) if v is None else _kind_of_default(v) for v in default)
    return None


def _describe(kind):
    if kind is bool:
        return "True or False"
    if kind is float:
        return "a real number"
    if kind is int:
        return "an integer"
    if kind is str:
        return "a string"
    if isinstance(kind, optional):
        return f"None or {_describe(kind.kind)}"
    if all(k is float for k in kind):
        return f"a tuple of {len(kind)} real numbers"
    return "a tuple of (" + ", ".join(_describe(k) for k in kind) + ")"


def _is_kind(value, kind):
    if kind is bool:
        return isinstance(value, (bool, np.bool_))
    if kind is float or kind is int:
        base = numbers.Real if kind is float else numbers.Integral
        return isinstance(value, base) and not isinstance(value, (bool, np.bool_))
    if kind is str:
        return isinstance(value, str)
    if isinstance(kind, optional):
        return value is None or _is_kind(value, kind.kind)
    return (isinstance(value, (tuple, list)) and len(value) == len(kind)
            and all(_is_kind(v, k) for v, k in zip(value, kind)))


def _reals(value, kind):
    """The real numbers inside `value` (a value of `kind`), for the NaN and size checks."""
    if kind is float or kind is int:
        return [value]
    if isinstance(kind, tuple):
        return [r for v, k in zip(value, kind) for r in _reals(v, k)]
    if isinstance(kind, optional) and value is not None:
        return _reals(value, kind.kind)
    return []


def _check_hyperparameter_types(group, kinds):
    """Each hyperparameter must be of its kind; real numbers must be finite-or-inf floats.

    Without this, lr="0.1" would fail deep inside numpy, lr=None would turn into NaN in a
    kernel's coefficient array, and nesterov=1 would pass.
    """
    for name, kind in kinds.items():
        value = group.get(name, _MISSING)
        if value is _MISSING or kind is None:
            continue
        if not _is_kind(value, kind):
            raise TypeError(f"{name} must be {_describe(kind)}, but got {value!r}")
        for number in _reals(value, kind):
            try:
                as_float = float(number)
            except OverflowError:
                raise ValueError(f"{name} is too large for a float: {value!r}") from None
            if math.isnan(as_float):
                raise ValueError(f"{name} must not be NaN, but got {value!r}")


def _hyperparameter_kinds(optimizer_class, names):
    """The kinds of `names`: declared in `hyperparameter_kinds`, else inferred from the
    keyword defaults of the constructors along the class's MRO (AdamW's constructor has no
    decoupled_weight_decay; Adam's has)."""
    kinds = {}
    for cls in optimizer_class.__mro__:
        init = cls.__dict__.get("__init__")
        if init is None or cls is Optimizer or cls is object:
            continue
        for name, parameter in inspect.signature(init).parameters.items():
            if name in names and name not in kinds and parameter.default is not inspect.Parameter.empty:
                kinds[name] = _kind_of_default(parameter.default)
    kinds.update((name, kind) for name, kind in optimizer_class.hyperparameter_kinds.items()
                 if name in names)
    return kinds


# ----------------------------------------------------------------- parameters
def _type_name(value):
    return type(value).__name__


def _is_param(value):
    return hasattr(value, "data") and hasattr(value, "grad") and not isinstance(value, dict)


def _data_problem(data):
    """Why `data` cannot be a parameter's array (None if it can)."""
    if not isinstance(data, np.ndarray):
        return TypeError(f"a parameter's .data must be a numpy array, but got {_type_name(data)}")
    if data.dtype not in _FLOAT_DTYPES:
        if data.dtype.kind == "f" and data.dtype.newbyteorder("=") in _FLOAT_DTYPES:
            return TypeError(
                f"optimizer can only optimize arrays in native byte order, but one of the "
                f"params has dtype {data.dtype.str!r}; convert it with "
                f"data.astype(data.dtype.newbyteorder('='))"
            )
        return TypeError(
            "optimizer can only optimize float32 or float64 parameters, "
            f"but one of the params has dtype {data.dtype}"
        )
    if not data.flags.writeable:
        return ValueError("a parameter's .data is read-only, but optimizers update it in place")
    return None


def _check_param(param):
    """Reject anything the update loop cannot update in place, with the reason."""
    if not _is_param(param):
        raise TypeError(
            "optimizer can only optimize parameters with .data and .grad, "
            f"but one of the params is {_type_name(param)}"
        )
    problem = _data_problem(param.data)
    if problem is not None:
        raise problem


def _copy_value(value):
    return value.copy() if isinstance(value, np.ndarray) else copy.deepcopy(value)


def _params_error(params):
    return TypeError(
        "params argument given to the optimizer should be an iterable of Tensors or dicts, "
        f"but got {_type_name(params)}"
    )


class Optimizer:
    """Base class of all optimizers (see the module docstring for how to write one).

    Optimizer(params, defaults, backend=None)

    params:   an iterable of parameters, of (name, parameter) pairs, or of dicts ("param
              groups") each with a "params" entry and any hyperparameters overriding
              `defaults`.
    defaults: the hyperparameters of every group that does not override them.
    backend:  "numba" (the subclass's `update_numba` kernel) or "numpy" (its reference
              `update`); None picks "numba" when the subclass has a kernel.
    """

    hyperparameter_kinds = {}
    state_spec = {}
    option_state = {}

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
        self._hyperparameter_kinds = _hyperparameter_kinds(type(self), self.defaults)
        _check_hyperparameter_types(self.defaults, self._hyperparameter_kinds)
        self.check_hyperparameters(self.defaults)
        self._init_hooks()
        self.state = ParamState()
        self.param_groups = []

        if _is_param(params) or isinstance(params, (np.ndarray, str)):
            raise _params_error(params)
        try:
            param_groups = list(params)
        except TypeError:
            raise _params_error(params) from None
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def _init_hooks(self):
        self._step_pre_hooks = OrderedDict()
        self._step_post_hooks = OrderedDict()
        self._state_dict_pre_hooks = OrderedDict()
        self._state_dict_post_hooks = OrderedDict()
        self._load_state_dict_pre_hooks = OrderedDict()
        self._load_state_dict_post_hooks = OrderedDict()
        # group index -> (group, keys, values, state checks) of the last successful check
        self._checked_groups = []

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

    # What `optimizers.explain` and `optimizers.telemetry` read (both optional).
    symbols = {}
    """State key -> the short name `formula` uses for it, e.g. {"exp_avg": "m"}."""

    state_before_step = ()
    """State keys `effective_step_size` needs as they were before the step."""

    def formula(self, state, group):
        """The update of one coordinate as (name, Python expression) lines, or None.

        The lines this group runs, in the order `update` computes them, with `state` as the
        update receives it (step already counted). `optimizers.explain` evaluates them on one
        coordinate and checks the result against `update` bit for bit (see its docstring).
        """
        return None

    def formula_values(self, param, grad, state, group):
        """Values the `formula` lines use that are not expressions of one coordinate, or {}.

        {name: (value, meaning)}: Python scalars the update computes once per parameter (a
        bias correction, a schedule's lr) and quantities of the whole parameter (a norm, a
        row mean, a matrix function), each a scalar or an array broadcastable to the
        parameter's shape, with a short text saying what it is. Computed from copies of
        `param` (before the step), `grad` and `state` as `update` receives them (step
        already counted); never modify them.
        """
        return {}

    needs_closure = False
    """True for an optimizer that updates all parameters together in `step(closure)` (LBFGS):
    it has no per-parameter `update`, so `optimizers.explain` and `optcheck` do not apply."""

    param_ndim = None
    """The number of dimensions every parameter must have (Muon: 2), or None for any."""

    def effective_step_size(self, state, group, before):
        """The per-coordinate factor the step applies, as an array, or None (default).

        `state` is the parameter's state after the step; `before` holds the entries named in
        `state_before_step` as they were before it (missing on a parameter's first step).
        None means no per-coordinate factor (SGD: lr everywhere; Lion: lr * sign).
        """
        return None

    # ----------------------------------------------------------------- copying
    def __getstate__(self):
        """What `copy.deepcopy` and `pickle` keep: everything but the hooks, as torch.

        An instance attribute `step` is a wrapper installed by a learning-rate scheduler
        around the original optimizer's method; it is dropped so that the copy's `step`
        is its own (the scheduler re-installs its wrapper when it is copied along).
        """
        state = dict(self.__dict__)
        for key in ("step", "_step_pre_hooks", "_step_post_hooks", "_state_dict_pre_hooks",
                    "_state_dict_post_hooks", "_load_state_dict_pre_hooks",
                    "_load_state_dict_post_hooks", "_checked_groups"):
            state.pop(key, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init_hooks()

    # ----------------------------------------------------------------- param groups
    def add_param_group(self, param_group):
        """Add a dict {"params": [...], hyperparameter: value, ...}; missing ones use defaults.

        "params" may hold parameters or (name, parameter) pairs (then the names go to the
        group's "param_names"). Checks everything before changing the optimizer: the dict
        itself, every parameter (see the module docstring), and the hyperparameters. A
        parameter listed twice in the group gets torch's UserWarning (and is updated twice,
        as torch does); one already in another group is an error.
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
        names = [entry[0] for entry in params if isinstance(entry, tuple)]
        params = [entry[1] if isinstance(entry, tuple) and len(entry) == 2 else entry
                  for entry in params]
        if names and len(names) != len(params):
            raise ValueError(
                "all optimizer params should be with/without names. Some param names are missing"
            )
        for param in params:
            _check_param(param)
        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; "
                "see github.com/pytorch/pytorch/issues/40967 for more information",
                UserWarning,
                stacklevel=3,
            )

        group = dict(self.defaults)
        group.update((key, value) for key, value in param_group.items() if key != "params")
        if names:
            group["param_names"] = names
        for other in self.param_groups:
            if ("param_names" in group) != ("param_names" in other):
                kind = "with names" if "param_names" in group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {kind} to the optimizer"
                )
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
        if debug_checks.enabled():
            debug_checks.note_zero_grad(self)
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
        Global step pre-hooks, then this optimizer's, run first and may replace the
        arguments; this optimizer's post-hooks, then the global ones, run last.
        Everything is checked before anything changes (see the module docstring).
        """
        checked = debug_checks.enabled()
        if checked:
            if closure is None:
                debug_checks.before_step(self)
            else:  # the closure computes the gradients: check them after it ran
                closure = debug_checks.checked_closure(self, closure)
        if not (self._step_pre_hooks or self._step_post_hooks
                or _global_step_pre_hooks or _global_step_post_hooks):
            loss = self._step(closure)
        else:
            loss = self._step_with_hooks(closure)
        if checked:
            debug_checks.after_step(self, loss)
        return loss

    def _step_with_hooks(self, closure):
        args = (self,) if closure is None else (self, closure)
        kwargs = {}
        for hook in [*_global_step_pre_hooks.values(), *self._step_pre_hooks.values()]:
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        "a step pre-hook must return None or a tuple of "
                        f"(new_args, new_kwargs), but got {result!r}"
                    )
                args, kwargs = result
        loss = self._step(*args[1:], **kwargs)
        for hook in [*self._step_post_hooks.values(), *_global_step_post_hooks.values()]:
            hook(self, args, kwargs)
        return loss

    def _step(self, closure=None):
        loss = closure() if closure is not None else None
        work = self._checked_work()
        update = self.update_numba if self.backend == "numba" else self.update
        for p, param, grad, state, group, fresh, additions in work:
            if additions:
                for key, value in additions:
                    state.setdefault(key, value)
            if "step" in state:
                state["step"] += 1
            update(param, grad, state, group)
            if fresh and state:  # stateless updates (SGD without momentum) store nothing
                self.state[p] = state
        return loss

    def _checked_work(self):
        """Check every group, parameter, gradient and state; return the updates to make.

        Nothing is changed here: new states (and entries an option switched on later
        needs) are created but only attached by `_step` once everything has passed.
        """
        work = []
        fresh_states = {}  # id(p) -> new state, for a parameter listed twice
        for group_index, group in enumerate(self.param_groups):
            checks = self._checked_group(group_index, group)
            for param_index, p in enumerate(group["params"]):
                try:
                    grad = p.grad
                    param = p.data
                except AttributeError:
                    raise TypeError(
                        "optimizer can only optimize parameters with .data and .grad, but "
                        f"parameter {param_index} of group {group_index} is {_type_name(p)}"
                    ) from None
                if grad is None:
                    continue
                if not (type(param) is np.ndarray
                        and (param.dtype is _FLOAT_DTYPES[1] or param.dtype is _FLOAT_DTYPES[0])
                        and param.flags.writeable):
                    self._check_data(param, group_index, param_index)
                if not (type(grad) is np.ndarray and grad.shape == param.shape
                        and grad.dtype is param.dtype):
                    grad = self._checked_grad(param, grad, group_index, param_index)
                state = self.state.get(p) or fresh_states.get(id(p))
                additions = None
                fresh = not state
                if fresh:
                    state = self._new_state(param, group)
                    fresh_states[id(p)] = state
                elif checks:
                    additions = self._check_state(param, state, group, checks,
                                                  group_index, param_index)
                work.append((p, param, grad, state, group, fresh, additions))
        return work

    def _checked_group(self, group_index, group):
        """Check a group's hyperparameters unless they are the very objects last checked.

        Returns the state checks for the group's options: (entry, kind, needed) triples.
        """
        checked = self._checked_groups
        keys, values = tuple(group), tuple(group.values())
        if group_index < len(checked):
            last = checked[group_index]
            if (last is not None and last[0] is group and last[1] == keys
                    and all(map(is_, last[2], values))):
                return last[3]
        else:
            checked.extend([None] * (group_index + 1 - len(checked)))
        missing = [key for key in self.defaults if key not in group]
        if missing:
            raise ValueError(
                f"parameter group {group_index} lacks the hyperparameters {missing} "
                f"of {type(self).__name__}"
            )
        if not isinstance(group.get("params"), (list, tuple)):
            raise TypeError(
                f"param_groups[{group_index}]['params'] must be a list of parameters, "
                f"but got {_type_name(group.get('params'))}"
            )
        _check_hyperparameter_types(group, self._hyperparameter_kinds)
        self.check_hyperparameters(group)
        checks = self._state_checks(group)
        # A list value (betas=[0.9, 0.99]) can change in place: such groups are re-checked.
        mutable = any(type(v) is list for k, v in group.items() if k != "params")
        checked[group_index] = None if mutable else (group, keys, values, checks)
        return checks

    def _state_checks(self, group):
        """(entry, kind, needed) for every declared state entry under the group's options."""
        checks = []
        for name, kind in self.state_spec.items():
            condition = self.option_state.get(name)
            checks.append((name, kind, condition is None or bool(condition(group))))
        if "step" not in self.state_spec:
            checks.append(("step", STEP, False))
        return tuple(checks)

    def _check_state(self, param, state, group, checks, group_index, param_index):
        """Check an existing state against the declared entries; return entries to add.

        An entry that an option switched on after the parameter's first step needs is
        created from `init_state` (returned, not attached); any other missing entry is an
        error, as is an entry of the wrong kind, shape or dtype.
        """
        additions = None
        for name, kind, needed in checks:
            value = state.get(name, _MISSING)
            if value is _MISSING:
                if not needed:
                    continue
                if name not in self.option_state:
                    raise ValueError(self._missing_state_message(name, state, group_index, param_index))
                created = self.init_state(param, group).get(name, _MISSING)
                if created is not _MISSING:
                    additions = (additions or []) + [(name, np.ascontiguousarray(created)
                                                      if isinstance(created, np.ndarray) else created)]
                continue
            if kind is ARRAY:
                if not (type(value) is np.ndarray and value.shape == param.shape
                        and value.dtype is param.dtype and value.flags.writeable
                        and value is not param):
                    self._reject_state_array(name, value, param, group_index, param_index)
            elif kind is STEP:
                if not (type(value) is int and 0 <= value < _MAX_STEP):
                    _check_step(value, f"state '{name}' of parameter {param_index} of group {group_index}")
            elif kind is REAL:
                if not (type(value) is float or _is_kind(value, float)):
                    raise TypeError(
                        f"state '{name}' of parameter {param_index} of group {group_index} "
                        f"must be a real number, but got {value!r}"
                    )
        return additions

    def _missing_state_message(self, name, state, group_index, param_index):
        expected = [n for n, _, needed in self._state_checks_for_message() if needed]
        return (
            f"the state of parameter {param_index} of group {group_index} lacks '{name}', "
            f"which {type(self).__name__} keeps (its state: {', '.join(expected)}; found: "
            f"{', '.join(map(str, state)) or 'nothing'}); was it the state of another optimizer?"
        )

    def _state_checks_for_message(self):
        return [(n, k, n not in self.option_state) for n, k in self.state_spec.items()]

    @staticmethod
    def _reject_state_array(name, value, param, group_index, param_index):
        where = f"state '{name}' of parameter {param_index} of group {group_index}"
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{where} must be a numpy array, but got {_type_name(value)}")
        if value is param:
            raise ValueError(f"{where} is the parameter's own array")
        if value.shape != param.shape:
            raise ValueError(f"{where} has shape {value.shape}, but the parameter has shape {param.shape}")
        if value.dtype != param.dtype:
            raise TypeError(f"{where} has dtype {value.dtype}, but the parameter has dtype {param.dtype}")
        if not value.flags.writeable:
            raise ValueError(f"{where} is read-only, but optimizers update it in place")
        raise TypeError(f"{where} must be a plain numpy array, but got {_type_name(value)}")

    @staticmethod
    def _check_data(param, group_index, param_index):
        problem = _data_problem(param)
        if problem is not None:
            raise type(problem)(f"{problem} (parameter {param_index} of group {group_index})")

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
        return _register(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Call `hook(optimizer, args, kwargs)` after every step; returns a RemovableHandle."""
        return _register(self._step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Call `hook(optimizer)` at the start of every `state_dict()`; returns a RemovableHandle.

        prepend=True runs it before the hooks already registered.
        """
        return _register(self._state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Call `hook(optimizer, state_dict)` at the end of `state_dict()`; a non-None result
        replaces the state dict returned. Returns a RemovableHandle."""
        return _register(self._state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Call `hook(optimizer, state_dict)` (a shallow copy of the dict given) at the start
        of `load_state_dict()`; a non-None result is loaded instead. Returns a RemovableHandle."""
        return _register(self._load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Call `hook(optimizer)` after a successful `load_state_dict()`; returns a RemovableHandle."""
        return _register(self._load_state_dict_post_hooks, hook, prepend)

    # ----------------------------------------------------------------- saving
    def state_dict(self):
        """The optimizer's state in torch's layout, with every array copied.

        {"state": {index: {name: value, ...}},
         "param_groups": [{hyperparameter: value, ..., "params": [index, ...]}, ...]}
        Parameters are numbered in group order; only parameters with state appear. Groups
        made from named parameters also hold their "param_names".
        """
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self)
        index_of = {}
        param_groups = []
        start = 0
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            for offset, p in enumerate(group["params"]):
                index_of.setdefault(id(p), start + offset)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(group["params"])
            param_groups.append(packed)
        state = {}
        for p, param_state in self.state.items():
            if param_state and id(p) in index_of:
                state[index_of[id(p)]] = {
                    key: _copy_value(value) for key, value in param_state.items()
                }
        state_dict = {"state": dict(sorted(state.items())), "param_groups": param_groups}
        for hook in list(self._state_dict_post_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict):
        """Restore a `state_dict()`: group hyperparameters and per-parameter state (copied).

        The groups must match this optimizer's in number and size (parameters are matched
        by position). State arrays are cast to their parameter's dtype (as torch does);
        bool flags missing from an older dict are filled from `defaults`; a state lacking
        an entry this optimizer keeps (the state of another optimizer) is refused.
        Everything is validated before anything changes: a failed load leaves the
        optimizer as it was.
        """
        if isinstance(state_dict, dict):
            state_dict = dict(state_dict)
        for hook in list(self._load_state_dict_pre_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
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
        param_of, group_of = {}, {}
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
                raise ValueError(f"loaded parameter group {index} must be a dict with a 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group "
                    "that doesn't match the size of optimizer's group"
                )
            new_group = {key: copy.deepcopy(value) for key, value in saved.items() if key != "params"}
            for key, default in self.defaults.items():
                if key not in new_group and isinstance(default, bool):
                    new_group[key] = default  # a flag newer than the saved dict
            missing = [key for key in self.defaults if key not in new_group]
            if missing:
                raise ValueError(
                    f"loaded parameter group {index} lacks the hyperparameters {missing} "
                    f"of {type(self).__name__}"
                )
            _check_hyperparameter_types(new_group, self._hyperparameter_kinds)
            self.check_hyperparameters(new_group)
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            new_group["params"] = group["params"]
            new_groups.append(new_group)
            for saved_index, p in zip(saved["params"], group["params"]):
                if param_of.get(saved_index, p) is not p:
                    raise ValueError(f"loaded state dict lists parameter index {saved_index} twice")
                param_of[saved_index] = p
                group_of[saved_index] = new_group

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
            loaded = {
                key: self._loaded_value(value, p.data, saved_index, key)
                for key, value in saved_param_state.items()
            }
            if loaded:
                self._check_loaded_state(loaded, group_of[saved_index], saved_index)
            new_state.append((p, loaded))

        for group, new_group in zip(self.param_groups, new_groups):
            group.clear()
            group.update(new_group)
        self.state.clear()
        for p, param_state in new_state:
            self.state[p] = param_state
        for hook in list(self._load_state_dict_post_hooks.values()):
            hook(self)

    def _check_loaded_state(self, loaded, group, saved_index):
        """The declared entries a loaded state must have under its group's options."""
        for name, kind, needed in self._state_checks(group):
            if name not in loaded:
                if needed and name not in self.option_state:
                    raise ValueError(
                        f"loaded state of parameter {saved_index} lacks '{name}', which "
                        f"{type(self).__name__} keeps (its state: "
                        f"{', '.join(n for n, _, required in self._state_checks_for_message() if required)}; "
                        f"found: {', '.join(map(str, loaded))}); is it the state of another optimizer?"
                    )
                continue
            value = loaded[name]
            where = f"loaded state '{name}' of parameter {saved_index}"
            if kind is ARRAY and not isinstance(value, np.ndarray):
                raise TypeError(f"{where} must be a numpy array, but got {_type_name(value)}")
            if kind is STEP:
                _check_step(value, where)
            if kind is REAL and not _is_kind(value, float):
                raise TypeError(f"{where} must be a real number, but got {value!r}")

    def _loaded_value(self, value, param, saved_index, key):
        where = f"loaded state '{key}' of parameter {saved_index}"
        if self.state_spec.get(key, STEP if key == "step" else None) is STEP:
            return _loaded_step(value, where)
        if not isinstance(value, np.ndarray):
            return copy.deepcopy(value)
        if self.state_spec.get(key) is ARRAY and value.shape != param.shape:
            raise ValueError(
                f"{where} has shape {value.shape}, but the parameter has shape {param.shape}"
            )
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{where} has non-numeric dtype {value.dtype}")
        return np.array(value, dtype=param.dtype, order="C", copy=True)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(
                f"    {key}: {group[key]}" for key in sorted(group) if key != "params"
            )
        return "\n".join(lines) + "\n)"


def _check_step(value, where):
    if (not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_))):
        raise TypeError(f"{where} must be an int step count, but got {value!r}")
    if not 0 <= value < _MAX_STEP:
        raise ValueError(f"{where} must be a step count in [0, 2**63), but got {value!r}")


def _loaded_step(value, where):
    """A saved step count as an int: torch saves it as a float tensor, e.g. tensor(3.)."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    _check_step(value, where)
    return int(value)
