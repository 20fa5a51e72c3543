r"""Explain one optimizer step, for one coordinate, with the numbers.

    loss.backward()
    print(optimizers.explain(optimizer, model.weight, index=(0, 2)))
    optimizer.step()

After `backward()` and before `step()`, `explain` shows what the next step will do to the
chosen coordinate(s) of one parameter: the update formula as the optimizer's docstring
writes it, then the same formula line by line with this step's numbers substituted (the
gradient, each state value before and after, bias corrections, the effective step size)
and the resulting change of the weight. Nothing is modified: the step is rehearsed on
copies, with the numpy reference update and, if the optimizer has one, the numba kernel.
The explanation checks itself, to the last bit:

- the formula's numbers equal what the numpy `update` computes (every state entry the
  formula names, and the weight);
- the numba kernel's result equals the numpy one (whole parameter and state);
- `explanation.check_step()`, called after the real `optimizer.step()`, confirms that the
  parameter and its state now hold exactly the predicted values.

`str(explanation)` is the text for a terminal; `explanation.as_dict()` the same as plain
JSON values.

Declaring the formula of your own optimizer
===========================================
`explain` works for any `Optimizer`. Without a declared formula it still shows the
gradient, the state before and after and the change of the weight (from the rehearsed
update). To get the formula with numbers, give the class two attributes:

    class SignMomentum(Optimizer):
        '''b <- beta * b + (1 - beta) * g;  p <- p - lr * sign(b)'''
        symbols = {"momentum_buffer": "b"}           # state key -> name in the formula

        def formula(self, state, group):
            return [("b", "b * beta + (1 - beta) * g"),
                    ("p", "p - lr * sign(b)")]

        def update(self, param, grad, state, group):
            buf = state["momentum_buffer"]
            buf *= group["beta"]
            buf += (1 - group["beta"]) * grad
            param -= group["lr"] * np.sign(buf)

`formula(state, group)` returns (name, expression) lines for one coordinate, in the order
`update` computes them, only the lines this group's options run (`state` is what
`update` receives: "step" already counted, arrays as before the update). Expressions are
Python, evaluated in order on numpy scalars of the parameter's dtype; they may use

    p, g                 the coordinate's weight and gradient (g as backward left it)
    state entries        by their `symbols` name, or by their key ("step" -> t if mapped)
    hyperparameters      every group entry by its key (lr, momentum, eps, ...); a tuple
                         "betas" gives beta1, beta2 (the key without its "s", numbered)
    names assigned by earlier lines, and sqrt, abs, sign, maximum, minimum, exp, log

A line assigning "p" or a state entry's name gives that value's new value.

Updates that are not element by element (LAMB's trust ratio, Adafactor's row and column
means, Muon's Newton-Schulz) still have a formula per coordinate once the quantities of
the whole parameter are known: define `formula_values(param, grad, state, group)`
returning {name: (value, meaning)} -- scalars, or arrays broadcastable to the parameter's
shape -- and the lines may use those names too. `explain` computes them on copies, shows
each (at the coordinate) with its meaning under "from the whole parameter", and checks
the lines as always. The same method supplies scalars the update computes in Python
(a bias correction with `math.sqrt`, a schedule's lr) where writing them as an expression
would round differently. State entries of another shape than the parameter's (Adafactor's
row and column factors) are shown at the coordinate's row or column.

An optimizer that updates all parameters together in `step(closure)` (`needs_closure`,
LBFGS) has no step of one parameter to rehearse: `explain` raises TypeError for it.

To match the update bit for bit, write each expression in the update's order of
operations: numpy rounds `v * beta2 + (1 - beta2) * (g * g)` differently from
`beta2 * v + (1 - beta2) * g**2` only in the last bit, and that is what the check compares. The class docstring's formula
block (from the line containing "Per element" to the first blank line after the formula)
is shown above the numbers; define `effective_step_size(state, group, before)` as
well to have the effective step size shown (see `Optimizer.effective_step_size`).
"""

import copy
import inspect
import re

import numpy as np

FUNCTIONS = {
    "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign, "maximum": np.maximum,
    "minimum": np.minimum, "exp": np.exp, "log": np.log,
}

_NAME = re.compile(r"\b[A-Za-z_]\w*\b")


def docstring_formula(optimizer_class):
    """The formula block of the class docstring: from "Per element" (any case) to the first
    blank line after the formula lines below it; "" when the docstring has none."""
    lines = (inspect.getdoc(optimizer_class) or "").splitlines()
    start = next((i for i, line in enumerate(lines) if "per element" in line.lower()), None)
    if start is None:
        return ""
    first = lines[start]
    block = [first[first.lower().index("per element"):]]
    seen_formula = False
    for line in lines[start + 1:]:
        if not line.strip():
            if seen_formula:
                break
            block.append("")
            continue
        seen_formula = True
        block.append(line)
    return "\n".join(block).rstrip()


def _locate(optimizer, param):
    for group_index, group in enumerate(optimizer.param_groups):
        for param_index, p in enumerate(group["params"]):
            if p is param:
                return group_index, param_index, group
    raise ValueError(
        "explain: this parameter is not in the optimizer's param groups; pass the object "
        "that was given to the optimizer (e.g. model.weight), not a copy or its .data"
    )


def _indices(index, shape):
    """`index` (a flat int, a tuple, or a list of those) as a list of tuples into `shape`."""
    many = isinstance(index, list)
    items = index if many else [index]
    if not items:
        raise ValueError("explain: index is an empty list; give at least one coordinate")
    size = int(np.prod(shape))
    result = []
    for item in items:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not -size <= item < size:
                raise IndexError(
                    f"explain: index {item} is out of range for a parameter of {size} elements"
                )
            result.append(tuple(int(i) for i in np.unravel_index(item % size, shape)))
        elif isinstance(item, tuple) and all(isinstance(i, (int, np.integer)) for i in item):
            if len(item) != len(shape) or any(not -n <= i < n for i, n in zip(item, shape)):
                raise IndexError(f"explain: index {item} does not address a coordinate of shape {shape}")
            result.append(tuple(int(i) % n for i, n in zip(item, shape)))
        else:
            raise TypeError(
                "explain: index must be an int (flat index), a tuple of ints, or a list of "
                f"those, but got {item!r}"
            )
    return result


def _at(value, index, shape):
    """A state or formula value at the coordinate `index` of a parameter of `shape`: arrays
    of the parameter's shape are indexed, other arrays broadcast (a row factor (m, 1) gives
    its row's entry), scalars are returned as they are."""
    if not isinstance(value, np.ndarray):
        return value
    if value.shape != tuple(shape):
        value = np.broadcast_to(value, shape)
    return value[index]


def _copy_state(state):
    return {key: (np.array(value, copy=True) if isinstance(value, np.ndarray) else copy.deepcopy(value))
            for key, value in state.items()}


def _rehearse(optimizer, backend, data, grad, state, group):
    """Run one update of `backend` on copies; return (param after, state after)."""
    param = np.array(data, copy=True)
    state = _copy_state(state)
    if backend == "numba":
        optimizer.update_numba(param, grad, state, group)
    else:
        optimizer.update(param, grad, state, group)
    return param, state


def _hyperparameters(group):
    names = {}
    for key, value in group.items():
        if key == "params":
            continue
        if isinstance(value, (tuple, list)):
            stem = key[:-1] if key.endswith("s") else key
            for position, item in enumerate(value, start=1):
                names[f"{stem}{position}"] = item
        else:
            names[key] = value
    return names


def _short(value):
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = f"{float(value):.6g}"
    return f"({text})" if text.startswith("-") else text


def _exact(value):
    """The shortest text that reads back as exactly this value (in its own dtype)."""
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return str(value)
    if isinstance(value, np.generic):
        return str(value)
    return repr(float(value))


def _same(a, b):
    """Bit-for-bit equal numbers (NaN equals NaN), and of the same floating dtype if arrays'."""
    a_array, b_array = np.asarray(a), np.asarray(b)
    if a_array.dtype.kind == "f" and b_array.dtype.kind == "f" and a_array.dtype != b_array.dtype:
        return False
    if a_array.dtype.kind == "f" or b_array.dtype.kind == "f":
        a_array, b_array = a_array.astype(np.float64), b_array.astype(np.float64)
        return bool(np.array_equal(a_array, b_array, equal_nan=True))
    return bool(np.array_equal(a_array, b_array))


def _substitute(expression, env):
    def replace(match):
        name = match.group(0)
        if name in env and name not in FUNCTIONS:
            return _short(env[name])
        return name
    return _NAME.sub(replace, expression)


class Explanation:
    """What one step does to chosen coordinates of one parameter (made by `explain`).

    Attributes: optimizer (class name), backend, group_index, param_index, shape, dtype,
    step (the t this step will have, or None for optimizers without a step count),
    formula_text (the docstring's formula block), has_formula, coordinates (one dict per
    coordinate, see `as_dict`), checks (list of (description, passed)), and `passed`.
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    @property
    def passed(self):
        """Whether every check so far passed."""
        return all(ok for _, ok in self.checks)

    def check_step(self):
        """After the real `optimizer.step()`: do the parameter and its state now hold exactly
        the predicted values? Appends the result to `checks` and returns it."""
        state = self._optimizer.state.get(self._param) or {}
        data = self._param.data
        ok = True
        for coordinate in self.coordinates:
            index = coordinate["index"]
            ok &= _same(data[index], self._predicted_param[index])
            for key, value in self._predicted_state.items():
                actual = state.get(key)
                if isinstance(value, np.ndarray):
                    ok &= actual is not None and _same(_at(actual, index, data.shape),
                                                       _at(value, index, data.shape))
                else:
                    ok &= _same(actual, value)
        self.checks.append((f"step() ({self.backend}) did exactly what was explained", bool(ok)))
        return bool(ok)

    def as_dict(self):
        """The explanation as plain JSON values (floats, ints, strings, lists, dicts).

        {"optimizer", "backend", "group", "param", "shape", "dtype", "step", "formula",
         "coordinates": [{"index", "grad", "param_before", "param_after", "change",
                          "state_before": {key: value}, "state_after": {key: value},
                          "lines": [{"name", "expression", "numbers", "value"}],
                          "formula_values": {name: value at the coordinate},
                          "effective_step_size"}],
         "checks": [{"check", "passed"}], "passed"}
        """
        def plain(value):
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            if isinstance(value, (int, np.integer)):
                return int(value)
            if isinstance(value, (float, np.floating)):
                return float(value)
            if isinstance(value, dict):
                return {key: plain(item) for key, item in value.items()}
            if isinstance(value, (list, tuple)):
                return [plain(item) for item in value]
            return value

        return {
            "optimizer": self.optimizer,
            "backend": self.backend,
            "group": self.group_index,
            "param": self.param_index,
            "shape": list(self.shape),
            "dtype": self.dtype,
            "step": self.step,
            "formula": self.formula_text,
            "coordinates": plain(self.coordinates),
            "checks": [{"check": text, "passed": bool(ok)} for text, ok in self.checks],
            "passed": self.passed,
        }

    def __str__(self):
        return self.text()

    def text(self, formula=True):
        """The explanation for a terminal; `formula=False` leaves out the docstring's formula."""
        lines = [
            f"{self.optimizer} (backend {self.backend}): the next step of parameter "
            f"{self.param_index} in group {self.group_index} (shape {self.shape}, {self.dtype})"
            + (f", step t = {self.step}" if self.step is not None else "")
        ]
        if formula and self.formula_text:
            lines += [f"The update, as {self.optimizer}'s docstring writes it:", ""]
            lines += ["    " + line if line else "" for line in self.formula_text.splitlines()]
            lines.append("")
        for coordinate in self.coordinates:
            lines.append(f"Coordinate {list(coordinate['index'])}:")
            lines.append(f"  gradient from backward   g = {_exact(coordinate['grad'])}")
            if coordinate["hyperparameters"]:
                lines.append("  hyperparameters          " + ", ".join(
                    f"{name} = {_exact(value)}" for name, value in coordinate["hyperparameters"].items()))
            if coordinate["state_before"]:
                lines.append("  state before             " + ", ".join(
                    f"{self._label(key)} = {_exact(value)}" for key, value in coordinate["state_before"].items()))
            if coordinate["formula_values"]:
                lines.append("  from the whole parameter (or computed once for it):")
                for name, value in coordinate["formula_values"].items():
                    lines.append(f"    {name} = {_exact(value)}  ({self.formula_meanings[name]})")
            if self.has_formula:
                lines.append("  the formula with this step's numbers:")
                for line in coordinate["lines"]:
                    lines.append(f"    {line['name']} = {line['expression']}")
                    if line["numbers"] != line["expression"] and not _NAME.fullmatch(line["expression"]):
                        lines.append(f"    {' ' * len(line['name'])} = {line['numbers']}")
                    lines.append(f"    {' ' * len(line['name'])} = {_exact(line['value'])}")
            else:
                lines.append(f"  ({self.optimizer} declares no formula: see optimizers.explain's "
                             "docstring for how; the numbers below come from its update)")
            if coordinate["state_after"]:
                lines.append("  state after              " + ", ".join(
                    f"{self._label(key)} = {_exact(value)}" for key, value in coordinate["state_after"].items()))
            if coordinate["effective_step_size"] is not None:
                lines.append(f"  effective step size      {_exact(coordinate['effective_step_size'])}"
                             f"  ({self.step_size_meaning})")
            lines.append(f"  weight                   p = {_exact(coordinate['param_before'])} -> "
                         f"{_exact(coordinate['param_after'])}")
            lines.append(f"  change of the weight     {_exact(coordinate['change'])}")
            lines.append("")
        lines.append("Checks:")
        lines += [f"  [{'ok' if ok else 'FAILED'}] {text}" for text, ok in self.checks]
        return "\n".join(lines)

    def _label(self, key):
        symbol = self.symbols.get(key)
        return f"{symbol} ({key})" if symbol and symbol != key else key


def explain(optimizer, param, index=0):
    """Explain the step `optimizer.step()` is about to take, for `param` at `index`.

    optimizer: any `optimizers.Optimizer`; param: one of its parameters, after backward
    (its .grad set). index: a flat index (int), a coordinate tuple, or a list of those.
    Returns an `Explanation` (print it, or `.as_dict()`); nothing is modified. See the
    module docstring for what is shown and checked, and how to declare a formula.
    """
    if getattr(optimizer, "needs_closure", False):
        raise TypeError(
            f"explain: {type(optimizer).__name__} updates all parameters together in "
            "step(closure) (several evaluations of the loss per step), so there is no update "
            "of one parameter to rehearse; see its docstring for the iteration it runs"
        )
    group_index, param_index, group = _locate(optimizer, param)
    data, grad = param.data, param.grad
    if grad is None:
        raise ValueError(
            "explain: the parameter has no gradient (.grad is None): call loss.backward() "
            "first; explain shows the step the next optimizer.step() will take"
        )
    if not (isinstance(grad, np.ndarray) and grad.shape == data.shape and grad.dtype == data.dtype):
        grad = optimizer._checked_grad(data, grad, group_index, param_index)
    indices = _indices(index, data.shape)

    existing = optimizer.state.get(param)
    state = _copy_state(existing) if existing else optimizer._new_state(np.array(data, copy=True), group)
    if "step" in state:
        state["step"] += 1
    before_step = {key: existing[key] for key in optimizer.state_before_step
                   if existing and key in existing}

    backends = ["numpy"] + (["numba"] if callable(getattr(type(optimizer), "update_numba", None)) else [])
    results = {backend: _rehearse(optimizer, backend, data, grad, state, group) for backend in backends}
    param_after, state_after = results[optimizer.backend]
    numpy_param, numpy_state = results["numpy"]

    lines_spec = optimizer.formula(_copy_state(state), group)
    values = optimizer.formula_values(np.array(data, copy=True), grad, _copy_state(state), group)
    meanings = {name: meaning for name, (_, meaning) in values.items()}
    symbols = dict(getattr(optimizer, "symbols", {}))
    hyperparameters = _hyperparameters(group)
    step_size = optimizer.effective_step_size(_copy_state(numpy_state), group, before_step)
    meaning = ""
    if step_size is not None:
        doc = inspect.getdoc(optimizer.effective_step_size) or ""
        meaning = " ".join(doc.split("\n\n")[0].split())

    checks = []
    coordinates = []
    for idx in indices:
        coordinate, coordinate_checks = _explain_coordinate(
            optimizer, idx, data, grad, state, lines_spec, values, symbols, hyperparameters,
            (param_after, state_after), (numpy_param, numpy_state), step_size)
        coordinates.append(coordinate)
        checks += coordinate_checks
    if "numba" in results:
        numba_param, numba_state = results["numba"]
        same = _same(numba_param, numpy_param) and set(numba_state) == set(numpy_state) and all(
            _same(numba_state[key], numpy_state[key]) for key in numpy_state)
        checks.append(("the numba kernel gives the numpy update's parameter and state, bit for bit", same))

    explanation = Explanation(
        optimizer=type(optimizer).__name__,
        backend=optimizer.backend,
        group_index=group_index,
        param_index=param_index,
        shape=tuple(data.shape),
        dtype=str(data.dtype),
        step=state.get("step"),
        formula_text=docstring_formula(type(optimizer)),
        has_formula=lines_spec is not None,
        coordinates=coordinates,
        checks=checks,
        symbols=symbols,
        formula_meanings=meanings,
        step_size_meaning=meaning,
        _optimizer=optimizer,
        _param=param,
        _predicted_param=param_after,
        _predicted_state=state_after,
    )
    return explanation


def _explain_coordinate(optimizer, idx, data, grad, state, lines_spec, values, symbols,
                        hyperparameters, predicted, numpy_result, step_size):
    """One coordinate's record (its numbers before and after, the formula lines with this
    step's numbers) and its checks: each formula value against the numpy update's."""
    param_after, state_after = predicted
    numpy_param, numpy_state = numpy_result
    env = dict(hyperparameters)
    env.update(p=data[idx], g=grad[idx])
    state_before = {}
    for key, value in state.items():
        state_before[key] = _at(value, idx, data.shape)
        env[symbols.get(key, key)] = state_before[key]
    at_coordinate = {name: _at(value, idx, data.shape) for name, (value, _) in values.items()}
    env.update(at_coordinate)
    lines, shown, checks = [], {}, []
    if lines_spec is not None:
        lines = _evaluate_formula(optimizer, lines_spec, env)
        used = {word for line in lines_spec for word in _NAME.findall(line[1])}
        shown = {name: value for name, value in hyperparameters.items()
                 if name in used and name not in values}
        where = f"coordinate {list(idx)}"
        checks.append((f"{where}: the formula gives the weight update() computes",
                       _same(env["p"], numpy_param[idx])))
        assigned = {name for name, _ in lines_spec}
        for key, value in numpy_state.items():
            symbol = symbols.get(key, key)
            if symbol in assigned:
                checks.append((f"{where}: the formula gives the {key} update() computes",
                               _same(env[symbol], _at(value, idx, data.shape))))
    coordinate = {
        "index": idx,
        "grad": grad[idx],
        "param_before": data[idx],
        "param_after": param_after[idx],
        "change": param_after[idx] - data[idx],
        "hyperparameters": shown,
        "state_before": state_before,
        "state_after": {key: _at(value, idx, data.shape) for key, value in state_after.items()},
        "lines": lines,
        "formula_values": at_coordinate,
        "effective_step_size": None if step_size is None else np.asarray(step_size)[idx],
    }
    return coordinate, checks


def _evaluate_formula(optimizer, lines_spec, env):
    """Evaluate the formula's lines in order in ``env`` (updated with each assigned name);
    return each line with its expression, the expression with numbers, and its value."""
    lines = []
    for name, expression in lines_spec:
        try:
            value = eval(expression, {"__builtins__": {}}, {**env, **FUNCTIONS})  # noqa: S307
        except Exception as error:
            raise ValueError(
                f"explain: {type(optimizer).__name__}.formula line {name} = {expression} "
                f"failed: {type(error).__name__}: {error}"
            ) from None
        lines.append({"name": name, "expression": expression,
                      "numbers": _substitute(expression, env), "value": value})
        env[name] = value
    return lines
