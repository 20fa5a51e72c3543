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
step used (same t, same bias corrections). Each optimizer computes it in its
`effective_step_size(state, group, before)` method (None from the base class), so a
learner's subclass inherits its parent's; the entries it names in `state_before_step` are
copied before each step and passed as `before`. The package's optimizers:

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
    AdaBelief     the factor applied to m: lr / (1 - b1^t) / (sqrt(s) / sqrt(1 - b2^t) + eps)
                  unrectified, lr R_t / (sqrt(s) + eps) once rectified, lr / (1 - b1^t)
                  in every coordinate in the momentum-SGD phase before that.
    LAMB          lr * trust / (sqrt(v) + eps): the factor applied to m, with the step's
                  trust ratio min(||p||, 10) / ||r|| (one per parameter).
    AdamWScheduleFree
                  lr_k / (sqrt(v / (1 - b2^(k+1))) + eps): the factor applied to the
                  gradient in z's step (lr_k: the warm-up lr).
    Adafactor     min(lr, 1/sqrt(t)) / sqrt(max(V, eps1^2)): the step relative to the
                  parameter's size; the step is this times max(eps2, RMS(P)) / max(1,
                  RMS(U) / d) times the gradient, two numbers of the whole parameter.
    SGD, Lion,    None: SGD's factor is lr in every coordinate, and Lion's step is
    SGDSchedule-  lr * sign(c) -- every coordinate moves by lr (or 0), nothing adapts;
    Free, Muon,   Schedule-Free SGD's is its warm-up lr everywhere; Muon and LBFGS
    LBFGS         multiply by a matrix (Newton-Schulz, the inverse Hessian estimate).

Sharpness (optional)
====================
`Recorder(optimizer, sharpness_every=N, loss_fn=closure)` also measures, every N-th step,
the sharpness lambda_max -- the largest eigenvalue of the Hessian of `loss_fn()` with
respect to all the optimizer's parameters that require grad -- at the parameters the step
starts from (in the pre-step hook), by `minigrad.curvature.sharpness` (Lanczos on
Hessian-vector products, `sharpness_iters` of them at most; the Hessian is never formed).
Recorded:

    sharpness            recorder.sharpness, one value per step (None between measurements)
    lr_times_sharpness   per group: group["lr"] * lambda_max. Gradient descent on the local
                         quadratic model is stable while this is below 2; at the "edge of
                         stability" (Cohen et al. 2021) it hovers around 2.

`loss_fn` is the closure an optimizer's `step(closure)` takes, but it must not call
`backward()` or touch `.grad`: it only computes the loss (the Hessian-vector products
differentiate it themselves, without touching any `.grad` or parameter). This option needs
minigrad Tensors as parameters (the engine differentiates twice); the rest of the Recorder
works with any objects with `.data` and `.grad`.

Cost: while attached, each step copies the parameters once (pre-step hook) and computes
the norms and step sizes (post-step hook); the copy is dropped after the step. Detached
(`remove()`), the optimizer has no hooks left and `step()` runs none of this code.
matplotlib is imported only by `plot`.
"""

import numpy as np

QUANTITIES = ("lr", "grad_norm", "update_norm", "update_to_weight",
              "step_size_min", "step_size_median", "step_size_max")


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

    def __init__(self, optimizer, sharpness_every=None, loss_fn=None, sharpness_iters=20):
        if sharpness_every is not None or loss_fn is not None:
            if (isinstance(sharpness_every, bool) or not isinstance(sharpness_every, (int, np.integer))
                    or sharpness_every < 1):
                raise ValueError(
                    "Recorder: sharpness_every must be a positive integer (measure the sharpness "
                    f"every that many steps) when loss_fn is given, got {sharpness_every!r}"
                )
            if not callable(loss_fn):
                raise TypeError(
                    "Recorder: sharpness_every needs loss_fn, a function of no arguments that "
                    f"returns the loss (got {type(loss_fn).__name__})"
                )
            if (isinstance(sharpness_iters, bool) or not isinstance(sharpness_iters, (int, np.integer))
                    or sharpness_iters < 1):
                raise ValueError(
                    f"Recorder: sharpness_iters must be a positive integer, got {sharpness_iters!r}"
                )
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
        self.sharpness_every = sharpness_every
        self.sharpness_iters = sharpness_iters
        self._loss_fn = loss_fn
        self.sharpness = []
        self._sharpness_now = None
        self._state_keys_before = tuple(getattr(optimizer, "state_before_step", ()))
        self.has_step_size = False  # set once the optimizer reports a step size
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
    def _measure_sharpness(self, optimizer):
        """lambda_max of loss_fn's Hessian with respect to every parameter, at their values now."""
        # Imported here, not at the top: the optimizers work on anything with .data and .grad
        # and never need the engine, except for this option, which differentiates twice.
        from minigrad import curvature

        # Frozen parameters (requires_grad=False) are constants of the loss, as for backward().
        params = [p for group in optimizer.param_groups for p in group["params"]
                  if getattr(p, "requires_grad", False)]
        return curvature.sharpness(self._loss_fn, params, iters=self.sharpness_iters, tol=1e-6)

    def _remember_parameters(self, optimizer, args, kwargs):
        """Pre-step hook: copy every parameter (and the state entries a rule needs); measure
        the sharpness when this step is one of every sharpness_every."""
        self._sharpness_now = None
        if self.sharpness_every is not None and (len(self.steps) + 1) % self.sharpness_every == 0:
            self._sharpness_now = self._measure_sharpness(optimizer)
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
        quantities = self._quantities()
        while len(self.groups) < len(optimizer.param_groups):
            self.groups.append({quantity: [None] * len(self.steps) for quantity in quantities})
        self.steps.append(len(self.steps) + 1)
        sharpness, self._sharpness_now = self._sharpness_now, None
        if self.sharpness_every is not None:
            self.sharpness.append(sharpness)
        for group, copies, record in zip(optimizer.param_groups, before, self.groups):
            values = self._group_values(optimizer, group, copies)
            if self.sharpness_every is not None:
                values["lr_times_sharpness"] = (None if sharpness is None
                                                else float(group["lr"]) * sharpness)
            for quantity in quantities:
                record[quantity].append(values[quantity])
        for record in self.groups[len(before):]:  # groups added by the step itself
            for quantity in quantities:
                record[quantity].append(None)

    def _quantities(self):
        return QUANTITIES + (("lr_times_sharpness",) if self.sharpness_every is not None else ())

    def _group_values(self, optimizer, group, copies):
        grads, weights, updates, step_sizes = [], [], [], []
        for p, (data_before, state_before) in zip(group["params"], copies):
            if p.grad is None:
                continue
            grads.append(p.grad)
            weights.append(data_before)
            updates.append(np.asarray(p.data, dtype=np.float64) - data_before)
            state = optimizer.state.get(p)
            rule = getattr(optimizer, "effective_step_size", None)
            if state and rule is not None:
                step_size = rule(state, group, state_before)
                if step_size is not None:
                    step_sizes.append(np.ravel(step_size))
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
            self.has_step_size = True
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

        Values are Python floats, or None where undefined (JSON null). With sharpness_every,
        also "sharpness": [...] (one per step) and each group's "lr_times_sharpness".
        """
        record = {
            "optimizer": self.optimizer_name,
            "steps": list(self.steps),
            "groups": [{quantity: list(values) for quantity, values in record.items()}
                       for record in self.groups],
        }
        if self.sharpness_every is not None:
            record["sharpness"] = list(self.sharpness)
        return record

    def plot(self, path=None, axes=None, label=None):
        """Draw the record: one column per quantity, one line per param group; return the Figure.

        Columns: lr, gradient norm, update norm, update / weight, effective step size
        (median as a line, min..max as a band), and with sharpness_every a sixth: lr *
        lambda_max at the measured steps, with the stability limit 2 dashed. Norms, ratios
        and step sizes use a log y axis; lr too when the lrs on the axes are all positive and
        span more than a factor 10 (a step decay over decades), but not when a schedule passes
        through 0 (a warm-up from 0 on a log axis looks like a jump). Undefined values are gaps.

        axes: five (six with sharpness_every) matplotlib Axes to draw into (e.g. a row
        shared with another recorder, to compare optimizers); otherwise a new 1 x 5 (1 x 6)
        figure is made.
        label: legend prefix (default: the optimizer's class name).
        path: save the figure there (format from the extension); a figure made here is
        then closed.
        """
        import matplotlib.pyplot as plt

        columns = 5 if self.sharpness_every is None else 6
        owns_figure = axes is None
        if owns_figure:
            fig, axes = plt.subplots(1, columns, figsize=(3.4 * columns, 3.4))
        else:
            axes = list(axes)
            if len(axes) != columns:
                raise ValueError(
                    f"Recorder.plot: axes must be {columns} Axes (one per column), got {len(axes)}"
                )
            fig = axes[0].figure
        if columns == 6:
            self._plot_sharpness(axes[5], label)
            axes = axes[:5]
        label = self.optimizer_name if label is None else label
        steps = np.array(self.steps)
        titles = ("lr", "gradient norm ||g||", "update norm ||dp||",
                  "update / weight ||dp|| / ||p||", "effective step size (min, median, max)")
        for column, (ax, title) in enumerate(zip(axes, titles)):
            ax.set_title(title, fontsize=11)
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
            if column == 4 and not self.has_step_size:
                ax.text(0.5, 0.06 + 0.08 * len(ax.texts), f"{label}: no per-coordinate step size",
                        transform=ax.transAxes, ha="center", va="bottom", fontsize=8,
                        color="gray")
            if not ax.lines:
                continue
            # Decided on every line of the axes, other recorders' included.
            drawn = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in ax.lines])
            drawn = drawn[np.isfinite(drawn)]
            positive = drawn[drawn > 0]
            if column == 0:
                use_log = positive.size == drawn.size > 0 and drawn.max() > 10 * drawn.min()
            else:
                use_log = positive.size > 0
            if use_log:
                ax.set_yscale("log")
            ax.legend(fontsize=9)
        if path is not None:
            fig.tight_layout()
            fig.savefig(path, dpi=110)
            if owns_figure:
                plt.close(fig)
        return fig


    def _plot_sharpness(self, ax, label):
        """lr * lambda_max of each group at the steps where the sharpness was measured."""
        label = self.optimizer_name if label is None else label
        steps = np.array(self.steps)
        ax.set_title("lr x lambda_max (stable below 2)", fontsize=9)
        ax.set_xlabel("step")
        for index, record in enumerate(self.groups):
            values = _as_floats(record["lr_times_sharpness"])
            measured = ~np.isnan(values)
            name = label if len(self.groups) == 1 else f"{label}, group {index}"
            ax.plot(steps[measured], values[measured], "o-", ms=3, lw=1.2, label=name)
        ax.axhline(2.0, color="crimson", ls="--", lw=1)
        if ax.lines[:-1]:
            ax.legend(fontsize=7)


def _as_floats(values):
    """A list of floats / None as a float array with NaN for None (drawn as gaps)."""
    return np.array([np.nan if value is None else value for value in values], dtype=np.float64)
