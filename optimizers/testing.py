r"""`optcheck`: check an optimizer you wrote, as `minigrad.gradcheck` checks a backward.

    def sign_sgd_reference(p, g, state, hp):       # one coordinate, plain Python floats
        return p - hp["lr"] * (g > 0) + hp["lr"] * (g < 0)

    optcheck(SignSGD, sign_sgd_reference, lr=0.1)  # raises OptcheckError saying what is wrong
    optcheck(MyAdam, "adam", lr=0.01)              # claims to equal a registered optimizer

`optcheck(optimizer_class, reference, **hyperparameters)` builds `optimizer_class(params,
**hyperparameters)` on small random problems (three parameters: a vector, a transposed
2 x 3 matrix, a 0-d scalar -- 1 x 4, 2 x 3 and 1 x 1 matrices for a class whose
`param_ndim` is 2; in two param groups, the second with half the lr when there is one), float32 and float64, each backend the class has ("numpy", and "numba" if it defines
`update_numba`), and checks:

1. steps:      `steps` steps with random gradients (one parameter has no gradient at one
               step: it must not move) agree with the reference at every coordinate,
               within rtol/atol (float64: 1e-9 / 1e-12; float32 against a float64 Python
               reference: 1e-4 / 1e-6). The first difference is reported with its step,
               parameter, coordinate and both values.
2. in place:   every parameter keeps its array object and the array's values change (a
               parameter the reference moves but the optimizer does not is the `param =
               param - ...` bug: rebinding the local name instead of writing `param -= ...`);
               the gradient arrays are never modified.
3. backends:   the numba kernel gives the numpy update's numbers bit for bit.
4. state_dict: a fresh optimizer loaded with `state_dict()` mid-run continues bit for bit
               like the original.
5. zero_grad:  `zero_grad()` sets every grad to None, `zero_grad(set_to_none=False)` fills
               them with zeros in place, and a step without gradients changes nothing.

`reference` is either a function `reference(p, g, state, hp) -> new p` for ONE coordinate:
p and g are Python floats, `state` a dict the function keeps for that coordinate (empty at
first; store whatever you need, e.g. state["m"]), hp the coordinate's param group
(hyperparameters by name; the function may read but not change it); or a registered
optimizer (its name, or an `Optimizer` subclass) that must give the same numbers with the
same hyperparameters. The reference is only called for coordinates whose parameter has a
gradient at that step, exactly as `step()` skips parameters whose grad is None.

An optimizer that needs a closure (`needs_closure`, LBFGS) is refused with TypeError: it
has no per-parameter update to compare.

Returns an `OptcheckResult` (true when every check passed; `str()` lists the checks);
with `raise_exception=True` (the default) a failure raises `OptcheckError` instead.
"""

import inspect

import numpy as np

from .base import Optimizer
from .registry import create

TOLERANCES = {np.dtype(np.float64): (1e-9, 1e-12), np.dtype(np.float32): (1e-4, 1e-6)}
"""(rtol, atol) per parameter dtype for comparing with the reference."""


class OptcheckError(AssertionError):
    """Raised by `optcheck` when an optimizer fails a check; the message lists every check."""


class OptcheckResult:
    """The checks `optcheck` ran: `checks` is a list of (name, passed, detail)."""

    def __init__(self, name):
        self.name = name
        self.checks = []

    def add(self, name, passed, detail=""):
        self.checks.append((name, bool(passed), detail))

    @property
    def passed(self):
        return all(passed for _, passed, _ in self.checks)

    def __bool__(self):
        return self.passed

    def __str__(self):
        lines = [f"optcheck({self.name}): {sum(p for _, p, _ in self.checks)}/{len(self.checks)} checks passed"]
        for name, passed, detail in self.checks:
            lines.append(f"  [{'ok' if passed else 'FAILED'}] {name}" + (f": {detail}" if detail else ""))
        return "\n".join(lines)


class _Param:
    def __init__(self, data):
        self.data = data
        self.grad = None


def _problem(rng, dtype, param_ndim=None):
    """Three parameters (vector, transposed matrix, 0-d) and their initial values; for an
    optimizer of matrices only (`param_ndim` 2), a 1 x 4 row, the transposed matrix and a
    1 x 1 matrix in their place."""
    matrix = rng.normal(size=(3, 2)).astype(dtype)
    arrays = [
        rng.normal(size=4).astype(dtype),
        matrix.T,  # a non-contiguous view: the update must work in place on it too
        np.array(rng.normal(), dtype=dtype),
    ]
    if param_ndim == 2:
        arrays = [arrays[0].reshape(1, 4), arrays[1], arrays[2].reshape(1, 1)]
    return arrays


def _gradients(rng, arrays, steps):
    """Per step, a gradient per parameter; parameter 0 has none at step 2."""
    schedule = []
    for step in range(steps):
        schedule.append([
            None if (step == 1 and index == 0) else rng.normal(size=array.shape).astype(array.dtype)
            for index, array in enumerate(arrays)
        ])
    return schedule


def _make(optimizer_class, groups, backend, hyperparameters):
    """`optimizer_class(groups, **hyperparameters)` running on `backend`, whether or not its
    constructor takes a backend argument (a learner's class often does not)."""
    if "backend" in inspect.signature(optimizer_class.__init__).parameters:
        return optimizer_class(groups, backend=backend, **hyperparameters)
    optimizer = optimizer_class(groups, **hyperparameters)
    optimizer.backend = backend
    return optimizer


def _groups(params, hyperparameters):
    second = {"params": params[2:]}
    if isinstance(hyperparameters.get("lr"), (int, float)) and hyperparameters["lr"] > 0:
        second["lr"] = hyperparameters["lr"] / 2
    return [{"params": params[:2]}, second]


class _FunctionReference:
    """A per-coordinate Python reference, run on float64 copies of the parameters."""

    def __init__(self, function, arrays, optimizer):
        self.function = function
        self.values = [np.array(array, dtype=np.float64, order="C") for array in arrays]
        self.states = [[{} for _ in range(array.size)] for array in arrays]
        self.group_of = []
        for group in optimizer.param_groups:
            hp = {key: value for key, value in group.items() if key != "params"}
            self.group_of += [hp] * len(group["params"])

    def step(self, grads):
        for index, grad in enumerate(grads):
            if grad is None:
                continue
            flat = self.values[index].reshape(-1)
            hp = dict(self.group_of[index])
            for i, (p, g) in enumerate(zip(flat.tolist(), np.ravel(grad).tolist())):
                flat[i] = float(self.function(p, g, self.states[index][i], hp))

    def current(self):
        return self.values


class _OptimizerReference:
    """A registered optimizer (numpy backend) on copies of the parameters."""

    def __init__(self, reference, arrays, hyperparameters):
        self.params = [_Param(np.array(array, copy=True)) for array in arrays]
        groups = _groups(self.params, hyperparameters)
        if isinstance(reference, str):
            self.optimizer = create(reference, groups, backend="numpy", **hyperparameters)
        else:
            self.optimizer = _make(reference, groups, "numpy", hyperparameters)

    def step(self, grads):
        for param, grad in zip(self.params, grads):
            param.grad = grad
        self.optimizer.step()

    def current(self):
        return [param.data for param in self.params]


def _first_difference(ours, reference, dtype):
    """(parameter, coordinate, ours, reference) of the first coordinate out of tolerance."""
    rtol, atol = TOLERANCES[dtype]
    for index, (mine, theirs) in enumerate(zip(ours, reference)):
        mine64 = np.asarray(mine, dtype=np.float64)
        theirs64 = np.asarray(theirs, dtype=np.float64)
        bad = ~np.isclose(mine64, theirs64, rtol=rtol, atol=atol, equal_nan=True)
        if bad.any():
            coordinate = tuple(int(i) for i in np.argwhere(bad)[0])
            return index, coordinate, float(mine64[coordinate]), float(theirs64[coordinate])
    return None


def _run(optimizer_class, reference, hyperparameters, backend, dtype, steps, seed, result):
    """Steps, in-place and gradient checks for one backend and dtype; returns the arrays."""
    rng = np.random.default_rng(seed)
    arrays = _problem(rng, dtype, optimizer_class.param_ndim)
    starts = [np.array(array, copy=True) for array in arrays]
    params = [_Param(array) for array in arrays]
    optimizer = _make(optimizer_class, _groups(params, hyperparameters), backend, hyperparameters)
    if isinstance(reference, (str, type)):
        ref = _OptimizerReference(reference, starts, hyperparameters)
    else:
        ref = _FunctionReference(reference, starts, optimizer)
    where = f"{np.dtype(dtype).name}, {backend} backend"
    schedule = _gradients(rng, arrays, steps)
    history = []
    for step, grads in enumerate(schedule, start=1):
        grad_copies = [None if g is None else g.copy() for g in grads]
        before = [np.array(p.data, copy=True) for p in params]
        for param, grad in zip(params, grads):
            param.grad = grad
        optimizer.step()
        ref.step(grad_copies)
        history.append([np.array(p.data, copy=True) for p in params])
        rebound = [i for i, (p, array) in enumerate(zip(params, arrays)) if p.data is not array]
        if rebound:
            result.add(f"parameters updated in place ({where})", False,
                       f"step {step}: parameter {rebound[0]}'s .data is a new array object; "
                       "update the array in place (param -= ...), never assign .data")
            return None
        touched = [i for i, (g, copy) in enumerate(zip(grads, grad_copies))
                   if g is not None and not np.array_equal(g, copy, equal_nan=True)]
        if touched:
            result.add(f"gradients left unchanged ({where})", False,
                       f"step {step}: the step modified parameter {touched[0]}'s .grad; "
                       "grad belongs to the caller: use grad = grad + ... instead of grad += ...")
            return None
        difference = _first_difference([p.data for p in params], ref.current(), np.dtype(dtype))
        if difference is not None:
            index, coordinate, mine, theirs = difference
            frozen = np.array_equal(before[index], params[index].data)
            moved = not np.isclose(np.asarray(ref.current()[index], np.float64)[coordinate],
                                   np.asarray(before[index], np.float64)[coordinate])
            hint = ""
            if frozen and moved and grads[index] is not None:
                hint = ("; the parameter did not change at all: does update() rebind its "
                        "argument (param = param - ...) instead of changing it in place "
                        "(param -= ..., param[...] = ...)?")
            elif grads[index] is None:
                hint = "; this parameter had no gradient at this step, so it must not move"
            result.add(f"steps agree with the reference ({where})", False,
                       f"first difference at step {step}, parameter {index}, coordinate "
                       f"{list(coordinate)}: optimizer {mine!r}, reference {theirs!r}{hint}")
            return None
    result.add(f"steps agree with the reference ({where})", True,
               f"{steps} steps, 3 parameters in 2 groups, max |difference| "
               f"{_max_difference([p.data for p in params], ref.current()):.1e}")
    return history


def _max_difference(ours, reference):
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)), initial=0.0))
               for a, b in zip(ours, reference))


def _check_state_dict(optimizer_class, hyperparameters, steps, seed, result):
    """Load state_dict() into a fresh optimizer mid-run: both must continue bit for bit."""
    rng = np.random.default_rng(seed + 1)
    arrays = _problem(rng, np.float64, optimizer_class.param_ndim)
    params = [_Param(array) for array in arrays]
    optimizer = _make(optimizer_class, _groups(params, hyperparameters), "numpy", hyperparameters)
    schedule = _gradients(rng, arrays, 2 * steps)
    for grads in schedule[:steps]:
        for param, grad in zip(params, grads):
            param.grad = grad
        optimizer.step()
    clones = [_Param(np.array(p.data, copy=True)) for p in params]
    restored = _make(optimizer_class, _groups(clones, hyperparameters), "numpy", hyperparameters)
    restored.load_state_dict(optimizer.state_dict())
    for step, grads in enumerate(schedule[steps:], start=steps + 1):
        for param, clone, grad in zip(params, clones, grads):
            param.grad, clone.grad = grad, None if grad is None else grad.copy()
        optimizer.step()
        restored.step()
        for index, (param, clone) in enumerate(zip(params, clones)):
            if not np.array_equal(param.data, clone.data, equal_nan=True):
                result.add("state_dict round trip", False,
                           f"after loading the state at step {steps}, parameter {index} differs "
                           f"at step {step}: does init_state/update keep state outside "
                           "the state dict (e.g. on self)?")
                return
    result.add("state_dict round trip", True, f"loaded after {steps} steps, {steps} more steps equal")


def _check_zero_grad(optimizer_class, hyperparameters, result):
    params = [_Param(np.ones((1, 3) if optimizer_class.param_ndim == 2 else 3)),
              _Param(np.ones((2, 2)))]
    optimizer = _make(optimizer_class, _groups(params, hyperparameters), "numpy", hyperparameters)
    grads = [np.full(params[0].data.shape, 0.5), np.full((2, 2), -0.5)]
    for param, grad in zip(params, grads):
        param.grad = grad
    optimizer.zero_grad(set_to_none=False)
    in_place = all(p.grad is g and not p.grad.any() for p, g in zip(params, grads))
    optimizer.zero_grad()
    to_none = all(p.grad is None for p in params)
    optimizer.step()
    still = all(np.array_equal(p.data, np.ones_like(p.data)) for p in params)
    result.add("zero_grad", in_place and to_none and still,
               "" if in_place and to_none and still else
               f"zero_grad(set_to_none=False) zeroes in place: {in_place}; zero_grad() sets None: "
               f"{to_none}; a step without gradients leaves parameters unchanged: {still}")


def optcheck(optimizer_class, reference, *, steps=6, seed=0, raise_exception=True,
             **hyperparameters):
    """Check `optimizer_class` against `reference`; see the module docstring.

    steps: steps per problem; seed: the random problems' seed; hyperparameters: passed to
    both the class and a reference optimizer, and given to a reference function as hp.
    Returns the `OptcheckResult`; raises `OptcheckError` on a failure if raise_exception.
    """
    if not (isinstance(optimizer_class, type) and issubclass(optimizer_class, Optimizer)):
        raise TypeError(f"optcheck: optimizer_class must be an Optimizer subclass, got {optimizer_class!r}")
    if not (callable(reference) or isinstance(reference, str)):
        raise TypeError(
            "optcheck: reference must be a function reference(p, g, state, hp) -> new p, a "
            f"registered optimizer's name or an Optimizer subclass, got {reference!r}"
        )
    if isinstance(reference, type) and not issubclass(reference, Optimizer):
        raise TypeError(f"optcheck: a reference class must be an Optimizer subclass, got {reference!r}")
    if optimizer_class.needs_closure:
        raise TypeError(
            f"optcheck: {optimizer_class.__name__} updates all parameters together in "
            "step(closure), with several loss evaluations per step; optcheck compares "
            "per-parameter updates on random gradients, which such an optimizer has not"
        )
    result = OptcheckResult(optimizer_class.__name__)
    has_kernel = callable(getattr(optimizer_class, "update_numba", None))
    backends = ("numpy", "numba") if has_kernel else ("numpy",)
    for dtype in (np.float64, np.float32):
        histories = {backend: _run(optimizer_class, reference, hyperparameters, backend, dtype,
                                   steps, seed, result)
                     for backend in backends}
        if has_kernel and all(history is not None for history in histories.values()):
            same = all(np.array_equal(a, b, equal_nan=True)
                       for step_a, step_b in zip(histories["numpy"], histories["numba"])
                       for a, b in zip(step_a, step_b))
            result.add(f"numba kernel equals the numpy update bit for bit ({np.dtype(dtype).name})", same)
    _check_state_dict(optimizer_class, hyperparameters, steps, seed, result)
    _check_zero_grad(optimizer_class, hyperparameters, result)
    if raise_exception and not result.passed:
        raise OptcheckError(str(result))
    return result
