r"""Watch an optimizer: per-step, per-group numbers recorded through the step hooks.

    recorder = telemetry.Recorder(optimizer)     # attaches two step hooks
    for batch in loader:
        ...; loss.backward(); optimizer.step()   # every step is recorded
    recorder.remove()                            # detached: step() runs no recorder code
    recorder.plot("telemetry.png")
    json.dump(recorder.as_dict(), file)

Per step and per param group, over the group's parameters that had a gradient at that
step (parameters with grad None are skipped, as the optimizer skips them):

    lr                 group["lr"] after the step (what the step used)
    grad_norm          ||g||_2 over all coordinates of those parameters' .grad (the raw
                       gradient, before the optimizer adds weight decay or negates it)
    update_norm        ||p_after - p_before||_2 over the same coordinates
    update_to_weight   update_norm / ||p_before||_2; None when ||p_before|| = 0 (from
                       the origin every step is infinitely large relative to the weights)
    step_size_min / _median / _max
                       the distribution over the coordinates of the per-coordinate
                       effective step size (below); None for optimizers without one

When no parameter of a group had a gradient, grad_norm and update_norm are 0.0 (norms
of nothing) and update_to_weight and the step sizes are None.

Effective step size
===================
What an adaptive method multiplies its search direction with, coordinate by
coordinate, read from the optimizer's state after the step with exactly the scalars the
step used (same t, same bias corrections). `EFFECTIVE_STEP_SIZE` maps each class to its
formula; the lookup is by exact class, so a subclass (a learner's variant) gets None
until it is added to the table.

    Adam, AdamW   lr / (sqrt(v) / sqrt(1 - b2^t) + eps) = lr / (sqrt(v_hat) + eps): the
                  factor applied to m_hat (v is "max_exp_avg_sq" with amsgrad). The
                  step is this times m_hat.
    NAdam         lr / (sqrt(v / (1 - b2^t)) + eps): the same quantity, in NAdam's own
                  rounding; the step is this times the Nesterov combination
                  (1 - mu_t) / (1 - P) g + mu_{t+1} / (1 - P mu_{t+1}) m.
    RAdam         the factor applied to m_hat: lr * r * sqrt(1 - b2^t) / (sqrt(v) + eps)
                  once rectified (rho_t > 5); lr in every coordinate before that (the
                  un-adapted phase, where the step is lr * m_hat).
    Adamax        lr / u, u = max(b2 u, |g| + eps) ("exp_inf"): the factor applied to
                  m_hat (the step is lr / (1 - b1^t) * m / u).
    Adagrad       clr / (sqrt(s) + eps), clr = lr / (1 + (t - 1) lr_decay): the factor
                  applied to the gradient; it only shrinks as s accumulates.
    RMSprop       lr / (sqrt(v) + eps), or lr / (sqrt(v - m^2) + eps) when centered:
                  the factor applied to the gradient (with momentum, to the gradient
                  entering the momentum buffer).
    Adadelta      lr * sqrt(u_{t-1} + eps) / sqrt(s_t + eps): the factor applied to the
                  gradient, with u ("acc_delta") as it was *before* the step (the step
                  uses the old u and then updates it; the pre-step hook copies it).
    Rprop         s ("step_size"): the step of each coordinate, applied to sign(g) (a
                  coordinate whose gradient just flipped sign sits this step out).
    ASGD          eta, the same in every coordinate: the factor applied to the gradient,
                  as it was before the step (the step then computes the next eta).
    SGD, Lion     None: SGD's factor is lr in every coordinate, and Lion's step is
                  lr * sign(c) -- every coordinate moves by lr (or 0), nothing adapts.
    Adafactor,    None: not a per-coordinate factor of one vector the learner sees --
    Muon, LBFGS   Adafactor's also depends on the parameter's RMS before the step, Muon
                  and LBFGS multiply by a matrix (Newton-Schulz, the inverse Hessian
                  estimate).

Cost: while attached, each step copies the parameters once (pre-step hook) and computes
the norms and step sizes (post-step hook); the copy is dropped after the step. Detached
(`remove()`), the optimizer has no hooks left and `step()` runs none of this code.
matplotlib is imported only by `plot`.
"""

import numpy as np

from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .lion import Lion
from .muon import Muon
from .nadam import NAdam
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

QUANTITIES = ("lr", "grad_norm", "update_norm", "update_to_weight",
              "step_size_min", "step_size_median", "step_size_max")


# ---------------------------------------------------------------- effective step sizes
# Each rule: (state after the step, group, state entries copied before the step) -> array.
def _adam_step_size(state, group, before):
    """lr / (sqrt(v) / sqrt(1 - b2^t) + eps), with Adam's own bias-correction scalar."""
    _, bias_correction2_sqrt = Adam._scalars(state, group)
    v = state["max_exp_avg_sq"] if group["amsgrad"] else state["exp_avg_sq"]
    return group["lr"] / (np.sqrt(v) / bias_correction2_sqrt + group["eps"])


def _nadam_step_size(state, group, before):
    """lr / (sqrt(v / (1 - b2^t)) + eps), NAdam's denominator."""
    bias_correction2 = 1 - group["betas"][1] ** state["step"]
    return group["lr"] / (np.sqrt(state["exp_avg_sq"] / bias_correction2) + group["eps"])


def _radam_step_size(state, group, before):
    """lr * r * sqrt(1 - b2^t) / (sqrt(v) + eps) when rectified, else lr everywhere."""
    _, bias_correction2_sqrt, rect = RAdam._scalars(state, group)
    v = state["exp_avg_sq"]
    if rect is None:
        return np.full(v.shape, group["lr"], dtype=v.dtype)
    return group["lr"] * (bias_correction2_sqrt / (np.sqrt(v) + group["eps"])) * rect


def _adamax_step_size(state, group, before):
    """lr / u, u = "exp_inf" (eps is already inside u's max)."""
    return group["lr"] / state["exp_inf"]


def _adagrad_step_size(state, group, before):
    """clr / (sqrt(s) + eps), clr = lr / (1 + (t - 1) lr_decay) as Adagrad computes it."""
    return Adagrad._clr(state, group) / (np.sqrt(state["sum"]) + group["eps"])


def _rmsprop_step_size(state, group, before):
    """lr / (sqrt(v) + eps), or lr / (sqrt(v - m^2) + eps) when centered."""
    square_avg = state["square_avg"]
    if group["centered"]:
        grad_avg = state["grad_avg"]
        square_avg = square_avg - grad_avg * grad_avg
    return group["lr"] / (np.sqrt(square_avg) + group["eps"])


def _adadelta_step_size(state, group, before):
    """lr * sqrt(u_{t-1} + eps) / sqrt(s_t + eps); u_{t-1} = 0 on a parameter's first step."""
    previous = before.get("acc_delta")
    if previous is None:
        previous = np.zeros_like(state["acc_delta"])
    eps = group["eps"]
    return np.sqrt(previous + eps) / np.sqrt(state["square_avg"] + eps) * group["lr"]


def _rprop_step_size(state, group, before):
    """s, the per-coordinate step ("step_size") just used."""
    return state["step_size"]


def _asgd_step_size(state, group, before):
    """eta before the step (lr on a parameter's first step), in every coordinate."""
    eta = before.get("eta", group["lr"])
    return np.full(state["ax"].shape, eta, dtype=state["ax"].dtype)


EFFECTIVE_STEP_SIZE = {
    Adam: _adam_step_size,
    AdamW: _adam_step_size,
    NAdam: _nadam_step_size,
    RAdam: _radam_step_size,
    Adamax: _adamax_step_size,
    Adagrad: _adagrad_step_size,
    RMSprop: _rmsprop_step_size,
    Adadelta: _adadelta_step_size,
    Rprop: _rprop_step_size,
    ASGD: _asgd_step_size,
    SGD: None,
    Lion: None,
    Adafactor: None,
    Muon: None,
    LBFGS: None,
}
"""Optimizer class -> rule(state, group, before) giving the per-coordinate effective step
size as an array of the parameter's shape, or None (see the module docstring)."""

STATE_BEFORE_STEP = {Adadelta: ("acc_delta",), ASGD: ("eta",)}
"""Optimizer class -> the state entries a rule needs as they were before the step."""


def _norm(arrays):
    """The L2 norm of all coordinates of `arrays` together, in float64."""
    total = 0.0
    for array in arrays:
        flat = np.asarray(array, dtype=np.float64).ravel()
        total += float(np.dot(flat, flat))
    return float(np.sqrt(total))


class Recorder:
    """Record lr, gradient norm, update norm, update-to-weight ratio and the effective
    step size distribution of every param group at every step (see the module docstring
    for the formulas).

    Recorder(optimizer) attaches at once through `register_step_pre_hook` and
    `register_step_post_hook`; `remove()` (or leaving a `with Recorder(opt):` block)
    detaches. `steps` numbers the recorded steps 1, 2, ...; `groups[i][quantity]` is the
    list of values of param group i, one per recorded step (None where undefined; a group
    added to the optimizer later has None for the steps before it existed).
    """

    def __init__(self, optimizer):
        for method in ("register_step_pre_hook", "register_step_post_hook"):
            if not callable(getattr(optimizer, method, None)):
                raise TypeError(
                    f"Recorder needs an optimizer with step hooks ({method}); "
                    f"got {type(optimizer).__name__}"
                )
        if not isinstance(getattr(optimizer, "param_groups", None), list):
            raise TypeError(
                f"Recorder needs an optimizer with a param_groups list; got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.optimizer_name = type(optimizer).__name__
        self.step_size_rule = EFFECTIVE_STEP_SIZE.get(type(optimizer))
        self._state_keys_before = STATE_BEFORE_STEP.get(type(optimizer), ())
        self.steps = []
        self.groups = []
        self._before = None
        self._handles = (
            optimizer.register_step_pre_hook(self._remember_parameters),
            optimizer.register_step_post_hook(self._record),
        )

    @property
    def attached(self):
        """Whether the hooks are still registered."""
        return self._handles is not None

    def remove(self):
        """Detach from the optimizer (its step() then runs no recorder code); idempotent."""
        if self._handles is not None:
            for handle in self._handles:
                handle.remove()
            self._handles = None
        self._before = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.remove()

    # ------------------------------------------------------------------ the hooks
    def _remember_parameters(self, optimizer, args, kwargs):
        """Pre-step hook: copy every parameter (and the state entries a rule needs)."""
        before = []
        for group in optimizer.param_groups:
            copies = []
            for p in group["params"]:
                state = optimizer.state.get(p) or {}
                copies.append((
                    np.array(p.data, copy=True),
                    {key: np.array(state[key], copy=True)
                     for key in self._state_keys_before if key in state},
                ))
            before.append(copies)
        self._before = before

    def _record(self, optimizer, args, kwargs):
        """Post-step hook: compute this step's numbers from the copies and the new state."""
        before, self._before = self._before, None
        if before is None:  # attached by a hook during this very step: nothing to compare
            return
        while len(self.groups) < len(optimizer.param_groups):
            self.groups.append({quantity: [None] * len(self.steps) for quantity in QUANTITIES})
        self.steps.append(len(self.steps) + 1)
        for group, copies, record in zip(optimizer.param_groups, before, self.groups):
            values = self._group_values(optimizer, group, copies)
            for quantity in QUANTITIES:
                record[quantity].append(values[quantity])
        for record in self.groups[len(before):]:  # groups added by the step itself
            for quantity in QUANTITIES:
                record[quantity].append(None)

    def _group_values(self, optimizer, group, copies):
        grads, weights, updates, step_sizes = [], [], [], []
        for p, (data_before, state_before) in zip(group["params"], copies):
            if p.grad is None:
                continue
            grads.append(p.grad)
            weights.append(data_before)
            updates.append(np.asarray(p.data, dtype=np.float64) - data_before)
            if self.step_size_rule is not None:
                state = optimizer.state.get(p)
                if state:
                    step_sizes.append(np.ravel(self.step_size_rule(state, group, state_before)))
        update_norm = _norm(updates)
        weight_norm = _norm(weights)
        values = {
            "lr": float(group["lr"]),
            "grad_norm": _norm(grads),
            "update_norm": update_norm,
            "update_to_weight": update_norm / weight_norm if weight_norm > 0 else None,
            "step_size_min": None,
            "step_size_median": None,
            "step_size_max": None,
        }
        if step_sizes:
            coordinates = np.concatenate(step_sizes)
            values["step_size_min"] = float(np.min(coordinates))
            values["step_size_median"] = float(np.median(coordinates))
            values["step_size_max"] = float(np.max(coordinates))
        return values

    # ------------------------------------------------------------------ output
    def as_dict(self):
        """The record as plain JSON values:

        {"optimizer": class name, "steps": [1, 2, ...],
         "groups": [{"lr": [...], "grad_norm": [...], ..., "step_size_max": [...]}, ...]}

        Values are Python floats, or None where undefined (JSON null).
        """
        return {
            "optimizer": self.optimizer_name,
            "steps": list(self.steps),
            "groups": [{quantity: list(values) for quantity, values in record.items()}
                       for record in self.groups],
        }

    def plot(self, path=None, axes=None, label=None):
        """Draw the record: one column per quantity, one line per param group; return the Figure.

        Columns: lr, gradient norm, update norm, update / weight, effective step size
        (median as a line, min..max as a band). Norms, ratios and step sizes use a log
        y axis; lr too when the lrs on the axes span more than a factor 10. Undefined values
        are gaps.

        axes: five matplotlib Axes to draw into (e.g. a row shared with another
        recorder, to compare optimizers); otherwise a new 1 x 5 figure is made.
        label: legend prefix (default: the optimizer's class name).
        path: save the figure there (format from the extension); a figure made here is
        then closed.
        """
        import matplotlib.pyplot as plt

        owns_figure = axes is None
        if owns_figure:
            fig, axes = plt.subplots(1, 5, figsize=(17, 3.4))
        else:
            axes = list(axes)
            if len(axes) != 5:
                raise ValueError(f"Recorder.plot: axes must be 5 Axes (one per column), got {len(axes)}")
            fig = axes[0].figure
        label = self.optimizer_name if label is None else label
        steps = np.array(self.steps)
        titles = ("lr", "gradient norm ||g||", "update norm ||dp||",
                  "update / weight ||dp|| / ||p||", "effective step size (min, median, max)")
        for column, (ax, title) in enumerate(zip(axes, titles)):
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("step")
            for index, record in enumerate(self.groups):
                name = label if len(self.groups) == 1 else f"{label}, group {index}"
                if column < 4:
                    quantity = ("lr", "grad_norm", "update_norm", "update_to_weight")[column]
                    ax.plot(steps, _as_floats(record[quantity]), lw=1.2, label=name)
                    continue
                median = _as_floats(record["step_size_median"])
                if np.all(np.isnan(median)):
                    continue
                low, high = _as_floats(record["step_size_min"]), _as_floats(record["step_size_max"])
                (line,) = ax.plot(steps, median, lw=1.2, label=name)
                ax.fill_between(steps, low, high, color=line.get_color(), alpha=0.2, lw=0)
            if column == 4 and self.step_size_rule is None:
                ax.text(0.5, 0.06 + 0.08 * len(ax.texts), f"{label}: no per-coordinate step size",
                        transform=ax.transAxes, ha="center", va="bottom", fontsize=8,
                        color="gray")
            if not ax.lines:
                continue
            # Decided on every line of the axes, other recorders' included.
            drawn = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in ax.lines])
            drawn = drawn[drawn > 0]
            if drawn.size and (column > 0 or drawn.max() > 10 * drawn.min()):
                ax.set_yscale("log")
            ax.legend(fontsize=7)
        if path is not None:
            fig.tight_layout()
            fig.savefig(path, dpi=110)
            if owns_figure:
                plt.close(fig)
        return fig


def _as_floats(values):
    """A list of floats / None as a float array with NaN for None (drawn as gaps)."""
    return np.array([np.nan if value is None else value for value in values], dtype=np.float64)
