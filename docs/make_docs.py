"""Build the generated parts of docs/ from the code, so the docs cannot drift from it.

    python docs/make_docs.py           # rewrite docs/optimizers.md and every PNG under docs/img/
    python docs/make_docs.py --check   # exit 1 if docs/optimizers.md or the tutorial's output is stale

What it makes:

- ``docs/optimizers.md``: one section per optimizer in ``optimizers.available()``. The
  constructor signature, the numpy reference ``update`` and the numba ``update_numba`` with
  its ``@kernel`` loop are quoted from the code with ``inspect.getsource``; the formula and the
  sources' variants are the class docstring (``inspect.getdoc``), the one place that prose
  lives; ``OPTIMIZER_NOTES`` below only names the section and its quadratic runs; the trace table on the ill-conditioned
  quadratic is computed (``minigrad.landscapes.trajectory``) when the page is generated.
- ``docs/img/quadratic_<name>.png``: those traces (``landscapes.plot_trajectories``).
- ``docs/img/tutorial/*.png``, ``*.gif``: the figures the tutorial's code blocks write to
  ``out/tutorial/`` when run in order in a scratch folder (``run_markdown``).

``tests/test_docs.py`` imports this file: it regenerates the Markdown in memory (not the
images) and compares it with the committed page, and runs the tutorial's and README's code.
"""

import argparse
import contextlib
import inspect
import io
import os
import re
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
IMG = DOCS / "img"
OPTIMIZERS_MD = DOCS / "optimizers.md"
TUTORIAL_MD = DOCS / "tutorial.md"
TUTORIAL_OUT = Path("out") / "tutorial"  # where the tutorial's blocks write, relative to their cwd

sys.path.insert(0, str(ROOT))  # run from anywhere: import the packages of this checkout

import minigrad  # noqa: E402
import optimizers  # noqa: E402
from minigrad import landscapes  # noqa: E402
from optimizers.kernels import Kernel  # noqa: E402
from optimizers.opening import prepare_gradient, prepare_gradient_at  # noqa: E402

REGENERATE = "python docs/make_docs.py"

# ----------------------------------------------------------------------------- running Markdown

_FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def markdown_blocks(text):
    """The fenced code blocks of ``text`` as dicts: language, code, line, expected output.

    A ```text block that follows a ```python block with nothing but blank lines between them
    is that block's expected standard output (``expected``); it is not a block of its own.
    """
    blocks = []
    previous_end = None
    for match in _FENCE.finditer(text):
        language, code = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        attached = (
            language == "text"
            and blocks
            and blocks[-1]["language"] == "python"
            and blocks[-1]["expected"] is None
            and text[previous_end:match.start()].strip() == ""
        )
        if attached:
            blocks[-1]["expected"] = code
        else:
            blocks.append({"language": language, "code": code, "line": line, "expected": None})
        previous_end = match.end()
    return blocks


def run_markdown(path, workdir):
    """Run the ```python blocks of the Markdown file ``path`` in order, in one namespace.

    The blocks run with ``workdir`` as the current directory and the Agg backend. Returns a
    list of ``(block, stdout)`` for the python blocks. An exception in a block is re-raised
    as RuntimeError naming the file and the block's line.
    """
    import matplotlib

    matplotlib.use("Agg")
    path = Path(path)
    namespace = {"__name__": "__main__"}
    results = []
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        for block in markdown_blocks(path.read_text(encoding="utf-8")):
            if block["language"] != "python":
                continue
            stdout = io.StringIO()
            try:
                with contextlib.redirect_stdout(stdout):
                    exec(compile(block["code"], f"{path.name}:{block['line']}", "exec"), namespace)
            except Exception as error:
                raise RuntimeError(
                    f"{path.name}: the python block at line {block['line']} raised "
                    f"{type(error).__name__}: {error}"
                ) from error
            results.append((block, stdout.getvalue()))
    finally:
        os.chdir(previous)
        import matplotlib.pyplot as plt

        plt.close("all")
    return results


def output_mismatches(results):
    """Messages for the blocks whose printed output differs from their ```text block."""
    messages = []
    for block, stdout in results:
        if block["expected"] is not None and stdout.rstrip() != block["expected"].rstrip():
            messages.append(
                f"block at line {block['line']} printed:\n{stdout.rstrip()}\n"
                f"but its text block says:\n{block['expected'].rstrip()}"
            )
    return messages


# ----------------------------------------------------------------------------- optimizers.md

SOURCES_TEXT = """\
The *sources* are the course texts minigrad reproduces (the README's Sources table):

| source | what it is | optimizers in it |
|------|------------|------------------|
| course notes: momentum, AdaGrad, RMSProp, Adam | PyTorch course notes: exponentially weighted averages, Momentum, AdaGrad, RMSProp, Adam | code for each |
| Dive into Deep Learning (PyTorch edition), ch. 7: Adam | *Dive into Deep Learning* (Chinese PyTorch edition), 7.8 Adam | Adam from scratch |
| course notes: learning-rate schedules | notes on the learning rate: adaptive methods, warm-up, decay | formulas |
| course notes: optimizer overview | lecture notes "optimizers for training" | momentum formula, the others as images |
| gluon optimization tutorial (GiantPandaCV, after d2l's MXNet course) | GiantPandaCV notes on Aston Zhang's Gluon lectures | formulas and MXNet code for each |

Two conventions recur where the sources differ from torch (and from this package):

- **eps inside the square root**: the learning-rate schedules notes and the gluon tutorial write
  `sqrt(s + eps)`, torch `sqrt(s) + eps`. They agree once `s >> eps`; with
  `eps_torch = sqrt(eps_source)` they also agree as `s -> 0` (both cap the step at
  `g / sqrt(eps_source)`) and differ by at most a factor `sqrt(2)` in between.
- **the gradient of a summed loss divided by `batch_size`**: the gluon tutorial's updates start
  with `g = param.grad / batch_size`. Use a mean loss (`nn.MSELoss()`, `.mean()`) instead: its
  gradient already is that average.
"""

# Per optimizer: its section title and the runs drawn on the quadratic (label,
# hyperparameters), with what the figure shows. Everything else in a section comes from the
# code: the formula and the relation to the seeds are the class docstring, quoted.
OPTIMIZER_NOTES = {
    "sgd": {
        "title": "SGD (with momentum and Nesterov momentum)",
        "runs": [("lr 0.4", {"lr": 0.4}), ("lr 0.4, momentum 0.5", {"lr": 0.4, "momentum": 0.5})],
        "trace": (
            'Plain GD zigzags across the steep x2 direction (x2 <- (1 - 0.4 * 4) x2 = -0.6 x2: it '
            'flips sign every step) and crawls along the flat x1 direction (x1 <- 0.92 x1). Momentum '
            '0.5 damps the zigzag and adds up the small x1 steps.'
        ),
    },
    "adagrad": {
        "title": "Adagrad",
        "runs": [("lr 0.4", {"lr": 0.4}), ("lr 2", {"lr": 2.0})],
        "trace": (
            'Each coordinate is divided by the root of its own sum of squared gradients, so the first '
            'step moves both coordinates by lr alike, whatever their curvature. The sums only grow, '
            'so the steps keep shrinking: with lr 0.4 it is still far from the minimum after 40 '
            'steps; lr 2 gets there.'
        ),
    },
    "rmsprop": {
        "title": "RMSprop",
        "runs": [("lr 0.4, alpha 0.9", {"lr": 0.4, "alpha": 0.9})],
        "trace": (
            "Like Adagrad's first step, but the average forgets (alpha 0.9), so the step size does "
            'not die out: it reaches x2 = 0 in a few steps and then walks along x1 at a steady pace '
            'to the minimum.'
        ),
    },
    "adadelta": {
        "title": "Adadelta",
        "runs": [("lr 1 (no lr)", {"lr": 1.0}), ("lr 10", {"lr": 10.0})],
        "trace": (
            'Its steps start at about sqrt(eps) * g / rms(g) and grow only as its average of past '
            'steps grows: it barely moves in 40 steps (lr 1, the rule without a learning rate). '
            'Multiplying by lr 10 only scales that slow start.'
        ),
    },
    "adam": {
        "title": "Adam",
        "runs": [("lr 0.4", {"lr": 0.4}), ("lr 0.1", {"lr": 0.1})],
        "trace": (
            'Steps of about lr per coordinate at first, whatever the gradient: the path heads '
            'diagonally, not down the gradient, then the momentum carries it past the minimum in x1 '
            'and it circles back.'
        ),
    },
    "adamw": {
        "title": "AdamW",
        "runs": [("lr 0.4, weight_decay 0.01", {"lr": 0.4}),
                 ("lr 0.4, weight_decay 1", {"lr": 0.4, "weight_decay": 1.0})],
        "trace": (
            "Adam's path plus a pull of every coordinate towards 0 by the factor 1 - lr * "
            'weight_decay per step; here 0 is also the minimum, so a strong decay (1.0) helps -- on a '
            'real model it biases the weights.'
        ),
    },
    "adamax": {
        "title": "Adamax",
        "runs": [("lr 0.4", {"lr": 0.4})],
        "trace": (
            'Like Adam, with the running maximum of |g| in place of the root mean square: u remembers '
            'the largest recent |g| (it decays by only b2 = 0.999 per step), so near the minimum the '
            'steps shrink with the gradient.'
        ),
    },
    "nadam": {
        "title": "NAdam",
        "runs": [("lr 0.4", {"lr": 0.4})],
        "trace": (
            'Adam with a look-ahead momentum: the same start, less overshoot in x1.'
        ),
    },
    "radam": {
        "title": "RAdam",
        "runs": [("lr 0.4", {"lr": 0.4})],
        "trace": (
            'The first five steps (rho_t <= 5) are momentum SGD with the raw gradient, lr * m_hat: '
            'the large x2 gradient throws it far up before the adaptive steps take over.'
        ),
    },
    "lion": {
        "title": "Lion",
        "runs": [("lr 0.1", {"lr": 0.1}), ("lr 0.3", {"lr": 0.3})],
        "trace": (
            'Every coordinate moves by exactly lr per step (the sign of a momentum), so the path runs '
            'on a grid of spacing lr, diagonally at first. With lr 0.3 it reaches the minimum and '
            'hops around it instead of settling; lr 0.1 is still on its way after 40 steps.'
        ),
    },
    "adabelief": {
        "title": "AdaBelief",
        "runs": [("lr 0.4 (rectified)", {"lr": 0.4}), ("lr 0.4, rectify=False", {"lr": 0.4, "rectify": False})],
        "trace": (
            'Rectified (the default): the first four steps are momentum SGD on the raw gradient, so '
            'x2 jumps across the valley like plain gradient descent before the belief-scaled steps '
            'take over. Without rectification the first step moves every coordinate by lr / b1 '
            '(s_1 = (1 - b2)(b1 g)^2), and the path runs diagonally, as Adam\'s does.'
        ),
    },
    "lamb": {
        "title": "LAMB",
        "runs": [("lr 0.1", {"lr": 0.1}), ("lr 0.3", {"lr": 0.3})],
        "trace": (
            'The whole 2-vector is one parameter, so every step has length lr * ||theta||: the path '
            'heads diagonally (Adam\'s direction) and slows down geometrically as it nears the '
            'minimum at the origin, where ||theta|| shrinks. lr 0.3 takes steps three times as '
            'long, overshoots the minimum and circles back to it.'
        ),
    },
    "sgdschedulefree": {
        "title": "Schedule-Free SGD",
        "runs": [("lr 0.4", {"lr": 0.4}), ("lr 0.2", {"lr": 0.2})],
        "trace": (
            'The drawn path is y, where the gradients are taken (train mode). Its first step is plain '
            'gradient descent (c_1 = 1: y = z); then y stays near the running average x of the '
            'SGD iterates z, which damps the zigzag across x2 without a decaying lr. lr 0.2 is '
            'slower along x1.'
        ),
    },
    "adamwschedulefree": {
        "title": "Schedule-Free AdamW",
        "runs": [("lr 0.4", {"lr": 0.4}), ("lr 1", {"lr": 1.0})],
        "trace": (
            'The first step moves every coordinate by lr (d_1 = sign(g)), like Adam\'s; after it the '
            'averaging keeps y close to the average x, so the path bends smoothly towards the '
            'minimum. lr 1 gets below f = 0.01 in 12 steps.'
        ),
    },
    "rprop": {
        "title": "Rprop",
        "runs": [("lr 0.1", {"lr": 0.1}), ("lr 0.4", {"lr": 0.4})],
        "trace": (
            'Only the signs of the gradient count: both coordinates start with the same step lr, '
            'so the path leaves diagonally whatever the curvature, and each step size grows by 1.2 '
            'while its coordinate\'s gradient keeps its sign. With lr 0.4, x2 overshoots 0 at step 4; '
            'the sign flip halves its step and skips it once, and it then settles while x1 keeps '
            'accelerating towards the minimum.'
        ),
    },
    "asgd": {
        "title": "ASGD (averaged SGD)",
        "runs": [("lr 0.4", {"lr": 0.4}), ("lr 0.4, lambd 0.5", {"lr": 0.4, "lambd": 0.5})],
        "trace": (
            'The drawn path is the parameters, not the average ax (which only starts at step t0 = '
            '1e6). With the default lambd 1e-4 it is plain gradient descent (the same zigzag in x2 '
            'as SGD at lr 0.4). lambd 0.5 adds the decay term p <- p (1 - lambd eta), a pull towards '
            'the origin that happens to be the minimum here, and shrinks eta as t grows.'
        ),
    },
    "adafactor": {
        "title": "Adafactor",
        "runs": [("lr 0.4", {"lr": 0.4}), ("lr 0.1", {"lr": 0.1})],
        "trace": (
            'The first step moves both coordinates by alpha = RMS(x) lr = 3.81 lr (the second moment '
            'is then g^2, so U = sign(g)): a step relative to the size of the parameter. After it '
            'V is an average of g^2 with a weight t^-0.8 on the newest, so the steps follow the '
            'gradient\'s direction scaled per coordinate, and alpha shrinks with RMS(x) as the '
            'point nears the origin.'
        ),
    },
    "muon": {
        "title": "Muon",
        "runs": [("lr 0.4, weight_decay 0", {"lr": 0.4, "weight_decay": 0.0}),
                 ("lr 0.4, weight_decay 0.1 (default)", {"lr": 0.4})],
        "trace": (
            'Run on the point as a 1 x 2 matrix (`landscapes.MatrixView`). Newton-Schulz of one '
            'row is the row normalised, to length ~0.70 (where its quintic leaves a lone singular '
            'value), so every step is 0.28 long, along the momentum, however small the gradient: '
            'without weight decay it curves through the minimum at about step 25 and runs on, '
            'ending at (2.75, -0.06). The default decay also shrinks the point by 1 - 0.4 * 0.1 '
            'per step towards the origin, here the minimum: after one overshoot to x1 = 2.4 it '
            'comes back and settles (f = 2.7e-6 at step 40).'
        ),
    },
    "lbfgs": {
        "title": "L-BFGS",
        "runs": [("max_iter 1 (one iteration per step)", {"max_iter": 1}),
                 ("max_iter 1, strong Wolfe (max_eval 25)",
                  {"max_iter": 1, "max_eval": 25, "line_search_fn": "strong_wolfe"}),
                 ("max_iter 1, history_size 1", {"max_iter": 1, "history_size": 1})],
        "trace": (
            'One step(closure) per point, each one iteration (max_iter 1). The first step is '
            'cautious, t = lr / sum|g| = 1/9 along -g; from the second on, the steps are '
            'quasi-Newton steps -H g with t = 1, H built from the stored (s, y) pairs: f < 1e-2 at '
            'step 5 and 3.8e-13 at step 8, where it stops (|t d| <= tolerance_change). The strong '
            'Wolfe line search stretches the third step and gets below 1e-10 at step 6; it needs '
            'max_eval, whose default max_iter * 5 // 4 = 1 would leave it no evaluation (it then '
            'takes t if f decreases, else stays). Keeping only the last pair (history_size 1) '
            'loses the curvature of the first direction: it overshoots to x1 = 1.8 at step 5 and '
            'needs 11 steps.'
        ),
    },
}

QUADRATIC_STEPS = 40
# Wider than the quadratic's own (d2l's) window, which cuts off the overshoots of Adam, RAdam
# and Lion (to x1 = 2.5, x2 = 1.7).
QUADRATIC_WINDOW = ((-5.5, 2.8), (-2.5, 2.0))
QUADRATIC_TOLERANCE = 1e-2


def _dedented_source(function):
    return textwrap.dedent(inspect.getsource(function)).rstrip() + "\n"


def _defining_class(cls, name):
    return next(klass for klass in cls.__mro__ if name in vars(klass))


def _helpers(cls, source):
    """The methods of ``cls`` that ``source`` calls as ``self._name(...)``, in order of use."""
    names = dict.fromkeys(re.findall(r"self\.(_\w+)\(", source))
    return [getattr(cls, name) for name in names if inspect.isfunction(getattr(cls, name, None))]


def _kernels_of(update_numba):
    """The ``@kernel`` functions that ``update_numba`` runs (global names it references), in
    order of first use (Adafactor runs two: the second moments, then the step)."""
    module = sys.modules[update_numba.__module__]
    found = [
        getattr(module, name) for name in dict.fromkeys(update_numba.__code__.co_names)
        if isinstance(getattr(module, name, None), Kernel)
    ]
    if not found:
        raise RuntimeError(f"{update_numba.__qualname__} runs no @kernel")
    return found


def _repo_path(obj):
    return Path(inspect.getsourcefile(obj)).resolve().relative_to(ROOT).as_posix()


def quoted_code(cls):
    """(numpy column, numba column) of ``cls``: ``update`` + its helpers; ``update_numba`` + its
    kernels (None without one). An optimizer that needs a closure (LBFGS) has no per-parameter
    ``update``: its ``_step`` and the helpers that calls are quoted instead."""
    main = cls._step if cls.needs_closure else cls.update
    update_source = _dedented_source(main)
    numpy_parts = [update_source] + [_dedented_source(h) for h in _helpers(cls, update_source)]
    numba_column = None
    if callable(getattr(cls, "update_numba", None)):
        update_numba = cls.update_numba
        numba_column = "\n".join([_dedented_source(update_numba)]
                                 + [_dedented_source(k.py_func) for k in _kernels_of(update_numba)])
    return "\n".join(numpy_parts), numba_column


def _stand_in():
    """A parameter any registered optimizer accepts (Muon only takes matrices): a 1 x 1 matrix."""
    return minigrad.tensor([[0.0]], requires_grad=True)


def quadratic_runs(name):
    """Each documented run of optimizer ``name`` on the quadratic: (label, kwargs, path)."""
    f = landscapes.quadratic
    runs = []
    for label, kwargs in OPTIMIZER_NOTES[name]["runs"]:
        x = minigrad.tensor(f.start, requires_grad=True)
        cls = type(optimizers.create(name, [_stand_in()]))
        params = [landscapes.MatrixView(x)] if cls.param_ndim == 2 else [x]
        # The numpy reference: bit for bit the kernel's numbers (tests/optimizers), no compile.
        optimizer = optimizers.create(name, params, backend="numpy", **kwargs)
        runs.append((label, kwargs, landscapes.trajectory(optimizer, f, x, QUADRATIC_STEPS)))
    return runs


def _trace_table(runs):
    f = landscapes.quadratic
    lines = [
        f"| run | after {QUADRATIC_STEPS} steps | f there | first step with f < {QUADRATIC_TOLERANCE:g} |",
        "|-----|------|---------|------|",
    ]
    for label, kwargs, path in runs:
        values = f.numpy(path[:, 0], path[:, 1])
        below = np.flatnonzero(values < QUADRATIC_TOLERANCE)
        arguments = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
        lines.append(
            f"| `{arguments}` | ({path[-1, 0]:.3g}, {path[-1, 1]:.3g}) | {values[-1]:.2e} "
            f"| {below[0] if below.size else 'not reached'} |"
        )
    return "\n".join(lines)


def _side_by_side(numpy_code, numba_code, cls):
    numpy_file = _repo_path(_defining_class(cls, "update").update)
    if cls.needs_closure:
        return (f"`step(closure)` (`{numpy_file}`; no per-parameter update and no numba kernel, "
                "see the docstring):\n\n```python\n" + numpy_code + "```\n")
    if numba_code is None:
        return f"numpy reference (`{numpy_file}`; no numba kernel):\n\n```python\n{numpy_code}```\n"
    numba_file = _repo_path(_defining_class(cls, "update_numba").update_numba)
    return (
        "<table><tr>\n"
        f"<th>numpy reference (<code>{numpy_file}</code>)</th>\n"
        f"<th>numba kernel (<code>{numba_file}</code>)</th>\n"
        "</tr><tr><td valign=\"top\">\n\n"
        f"```python\n{numpy_code}```\n\n"
        "</td><td valign=\"top\">\n\n"
        f"```python\n{numba_code}```\n\n"
        "</td></tr></table>\n"
    )


def _signature(cls):
    signature = str(inspect.signature(cls.__init__)).replace("(self, ", "(", 1)
    return f"{cls.__name__}{signature}"


def optimizer_section(name):
    cls = type(optimizers.create(name, [_stand_in()]))
    notes = OPTIMIZER_NOTES[name]
    numpy_code, numba_code = quoted_code(cls)
    inherited = ""
    if _defining_class(cls, "update") is not cls:
        owner = _defining_class(cls, "update").__name__
        inherited = f"`{cls.__name__}` inherits `update` and `update_numba` from `{owner}`.\n\n"
    return "\n".join([
        f"## {notes['title']}",
        "",
        f"`optimizers.create(\"{name}\", ...)` is `optimizers.{cls.__name__}`:",
        "",
        f"```python\n{_signature(cls)}\n```",
        "",
        "Its docstring (`help(optimizers." + cls.__name__ + ")`): the formula, the state and how the "
        "sources write the same rule:",
        "",
        f"```text\n{inspect.getdoc(cls)}\n```",
        "",
        "### The code",
        "",
        inherited + _side_by_side(numpy_code, numba_code, cls),
        f"### On the quadratic 0.1 x1^2 + 2 x2^2 from (-5, -2), {QUADRATIC_STEPS} steps",
        "",
        f"![{cls.__name__} on the quadratic](img/quadratic_{name}.png)",
        "",
        notes["trace"],
        "",
        _trace_table(quadratic_runs(name)),
        "",
    ])


def documented_optimizers():
    """The registered optimizer names in OPTIMIZER_NOTES' order (SGD first, by family).

    Raises if a registered optimizer has no notes, or notes name no registered optimizer.
    """
    registered = optimizers.available()
    missing = [name for name in registered if name not in OPTIMIZER_NOTES]
    if missing:
        raise RuntimeError(
            f"docs/make_docs.py has no OPTIMIZER_NOTES entry for {missing}: add its title "
            "and its quadratic runs"
        )
    unknown = [name for name in OPTIMIZER_NOTES if name not in registered]
    if unknown:
        raise RuntimeError(f"OPTIMIZER_NOTES in docs/make_docs.py names unregistered optimizers {unknown}")
    return list(OPTIMIZER_NOTES)


def optimizers_markdown():
    """The whole of docs/optimizers.md, as the code and OPTIMIZER_NOTES say it now."""
    names = documented_optimizers()
    contents = "\n".join(f"- [{OPTIMIZER_NOTES[name]['title']}](#{_anchor(OPTIMIZER_NOTES[name]['title'])})"
                         for name in names)
    contents += f"\n- [{WRAPPERS_TITLE}](#{_anchor(WRAPPERS_TITLE)})"
    header = f"""\
<!-- Generated by docs/make_docs.py from the code; do not edit. Run `{REGENERATE}`. -->

# The optimizers, formula and code

Every optimizer of the `optimizers` package (`optimizers.available()`), in torch's form. For each:
the update rule, the plain-numpy reference `update` next to the numba fast path (`update_numba`
computes the scalar coefficients, the `@kernel` loop does the same arithmetic element by element;
`tests/optimizers` prove the two agree bit for bit and follow torch's trajectories), quoted from
the code by `docs/make_docs.py`; how the course sources write the same rule; and its path on the
ill-conditioned quadratic `0.1 x1^2 + 2 x2^2` from (-5, -2) (`minigrad.landscapes.quadratic`, the
start of d2l's `train_2d`), drawn by `landscapes.plot_trajectories`. The learning rates of the
traces are chosen to show each method's character (d2l's where it has one), not tuned to win;
the traces use the numpy backend; "first step with f < {QUADRATIC_TOLERANCE:g}" counts optimizer
steps.

{contents}

Not here: torch's `SparseAdam`, which exists for sparse gradients (embedding rows); minigrad's
gradients are dense numpy arrays, so it is out of scope -- `Adam` does its job on them.

{SOURCES_TEXT}
Every update opens the same way (maximize, then weight decay), written once in
`{_repo_path(prepare_gradient)}` for the numpy updates and once, inlined into each kernel's
loop, for the numba kernels:

<table><tr><th>numpy</th><th>numba</th></tr><tr><td valign="top">

```python
{_dedented_source(prepare_gradient)}```

</td><td valign="top">

```python
{_dedented_source(prepare_gradient_at.py_func)}```

</td></tr></table>
"""
    sections = [optimizer_section(name) for name in names] + [wrappers_section()]
    return header + "\n" + "\n".join(sections)


WRAPPERS_TITLE = "Beyond the registry: Lookahead and weight averaging"
"""The one section that is not an optimizer of the registry (tests/test_docs.py knows it)."""


def _docstring(obj):
    return inspect.cleandoc(obj.__doc__) + "\n"


def wrappers_section():
    """Lookahead (wraps an optimizer) and the SWA tools, quoted from their docstrings and code."""
    from optimizers import lookahead, swa_utils

    import schedulers

    return "\n".join([
        f"## {WRAPPERS_TITLE}",
        "",
        "Not optimizers of their own, so not in `optimizers.available()`: `optimizers.Lookahead` "
        "wraps any optimizer, `optimizers.swa_utils` averages a model's weights (torch's "
        "`torch.optim.swa_utils`), and `schedulers.SWALR` is the scheduler that goes with it.",
        "",
        "### `optimizers.Lookahead`",
        "",
        f"```text\n{_docstring(lookahead.Lookahead)}```",
        "",
        f"The slow-weight update (`{_repo_path(lookahead.Lookahead)}`):",
        "",
        f"```python\n{_dedented_source(lookahead.Lookahead._pull_back)}```",
        "",
        "### `optimizers.swa_utils`",
        "",
        f"```text\n{_docstring(swa_utils)}```",
        "",
        f"```text\n{_docstring(swa_utils.AveragedModel)}```",
        "",
        "### `schedulers.SWALR`",
        "",
        f"```text\n{_docstring(schedulers.SWALR)}```",
        "",
    ])


def _anchor(title):
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def draw_quadratic_traces(img_dir):
    """docs/img/quadratic_<name>.png for every optimizer: its documented runs on the quadratic."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from minigrad import plotting

    plotting.use_style()
    img_dir.mkdir(parents=True, exist_ok=True)
    for name in documented_optimizers():
        runs = quadratic_runs(name)
        fig, ax = plt.subplots(figsize=(6.4, 3.9))
        # Each label says where its path ends, so a path that barely leaves the start (AdaDelta
        # at lr 1 moves by ~sqrt(eps) per step) is still read off the figure.
        landscapes.plot_trajectories(
            landscapes.quadratic,
            {f"{label}: ends at ({path[-1][0]:.2f}, {path[-1][1]:.2f})": path
             for label, _, path in runs},
            ax=ax, levels=15, window=QUADRATIC_WINDOW,
            title=f"{OPTIMIZER_NOTES[name]['title'].split(' (')[0]}, {QUADRATIC_STEPS} steps",
            resolution=150,
        )
        plotting.legend_outside(ax, where="below", ncol=1)
        plotting.save(fig, img_dir / f"quadratic_{name}.png")


def tutorial_figures(img_dir):
    """Run the tutorial in a scratch folder; copy what it wrote to out/tutorial/ to img_dir."""
    with tempfile.TemporaryDirectory() as scratch:
        results = run_markdown(TUTORIAL_MD, scratch)
        written = Path(scratch) / TUTORIAL_OUT
        produced = sorted([*written.glob("*.png"), *written.glob("*.gif")])
        img_dir.mkdir(parents=True, exist_ok=True)
        for old in [*img_dir.glob("*.png"), *img_dir.glob("*.gif")]:
            old.unlink()
        for figure in produced:
            shutil.copyfile(figure, img_dir / figure.name)
    return results, [figure.name for figure in produced]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build docs/optimizers.md and the docs' figures.")
    parser.add_argument("--check", action="store_true",
                        help="only check that docs/optimizers.md and the tutorial's outputs are current")
    args = parser.parse_args(argv)
    markdown = optimizers_markdown()
    if args.check:
        problems = []
        if OPTIMIZERS_MD.read_text(encoding="utf-8") != markdown:
            problems.append(f"docs/optimizers.md is stale: run `{REGENERATE}`")
        with tempfile.TemporaryDirectory() as scratch:
            problems += output_mismatches(run_markdown(TUTORIAL_MD, scratch))
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    OPTIMIZERS_MD.write_text(markdown, encoding="utf-8")
    draw_quadratic_traces(IMG)
    results, figures = tutorial_figures(IMG / "tutorial")
    print(f"wrote {OPTIMIZERS_MD.relative_to(ROOT)}, {len(optimizers.available())} quadratic traces, "
          f"tutorial figures: {', '.join(figures)}")
    for problem in output_mismatches(results):
        print("tutorial output differs:", problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
