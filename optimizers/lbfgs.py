"""L-BFGS: quasi-Newton steps from the last few gradient differences, with a line search."""

import numpy as np

from .base import Optimizer
from .registry import register

LINE_SEARCH_FNS = (None, "strong_wolfe")


def _loss_value(loss):
    """The closure's loss as a Python float (a Tensor, a numpy scalar or a number)."""
    return float(loss.item()) if hasattr(loss, "item") else float(loss)


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, slope g1) and (x2, f2, slope g2),
    clamped to `bounds` (default: between x1 and x2); the bounds' midpoint if the
    cubic has no minimum. torch's `_cubic_interpolate` (after minFunc's `polyinterp`)."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                 max_ls=25):
    """A step t along d satisfying the strong Wolfe conditions, torch's `_strong_wolfe`.

    Sufficient decrease f(x + t d) <= f + c1 t g.d and curvature |g(x + t d).d| <= c2 |g.d|.
    Phase 1 grows t (cubic extrapolation, at most 10x) until a bracket [lo, hi] holds such
    a point; phase 2 shrinks the bracket by cubic interpolation (zoom), never closer than
    10% of its width to an end. Returns (f_new, g_new, t, function evaluations).
    """
    d_norm = np.max(np.abs(d))
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate: between 1.01 t and 10 t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    if ls_iter == max_ls:  # out of evaluations: bracket the start and the last point
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until a point satisfies both conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # keep 10% of the bracket's width away from its ends, unless progress was made
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


@register("lbfgs")
class LBFGS(Optimizer):
    r"""Limited-memory BFGS (Liu & Nocedal 1989, "On the limited memory BFGS method for
    large scale optimization"; Nocedal & Wright, "Numerical Optimization", Algorithms
    7.4 and 3.5-3.6 for the line search), exactly `torch.optim.LBFGS`.

    LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
          tolerance_change=1e-9, history_size=100, line_search_fn=None, backend=None)

    `step(closure)` needs a closure that recomputes the loss and the gradients and returns
    the loss; one step runs up to max_iter iterations (max_eval closure calls, default
    max_iter * 5 // 4). Not per element: per iteration, with g the flattened gradient of
    all parameters (one vector):

        s = t d, y = g - g_prev                   (the last step and gradient change)
        keep (s, y, rho = 1 / y.s) if y.s > 1e-10 (the last history_size pairs)
        d = -H g                                  (two-loop recursion, H_0 = (y.s / y.y) I)
        t = min(1, 1 / sum|g|) * lr  on the very first iteration, else lr
        t = strong Wolfe line search along d      if line_search_fn == "strong_wolfe"
        x <- x + t d

    and it stops when max|g| <= tolerance_grad, the directional derivative g.d >
    -tolerance_change, max|t d| <= tolerance_change, |f - f_prev| < tolerance_change,
    or the iteration or evaluation budget is spent. H approximates the inverse Hessian
    from the stored pairs, so the steps are Newton-like: on smooth, full-batch problems
    L-BFGS converges in far fewer steps than first-order methods.

    Like torch: one parameter group only; all state is kept on the first parameter:
    "func_evals" and "n_iter" (counters), "d" and "t" (the last direction and step length),
    "old_dirs", "old_stps", "ro" (the y, s and 1 / y.s of the history), "H_diag",
    "prev_flat_grad", "prev_loss" and "al" (the two-loop's scratch). Parameters whose grad
    is None count as zero gradients. As the update is not one per parameter
    (`needs_closure`), `optimizers.explain` and `optimizers.testing.optcheck` refuse it.

    No numba kernel: per iteration the work is a few dot products and axpys over one flat
    vector (2 history_size + a few), which numpy already runs at memory speed; the Python
    control flow (line search, history) is the cost, and a kernel cannot remove it.

    Relation to the sources. Beyond them (they stop at first-order methods); the
    "optimizer overview" notes' Newton step x - H^-1 g is what H approximates.

    Rosenbrock from (-1.5, 2) with line_search_fn="strong_wolfe", max_iter=100,
    tolerance_change=1e-12: one `step(closure)` takes f from 12.5 to ~1e-14 in 42
    iterations (52 evaluations), where Adam needs thousands of steps. With the default
    tolerance_change=1e-9 it stops at ~2e-10, where successive losses differ by less.
    """

    needs_closure = True

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None, backend=None):
        if max_eval is None and isinstance(max_iter, int) and not isinstance(max_iter, bool):
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults, backend)
        self._params = self.param_groups[0]["params"]

    def check_hyperparameters(self, group):
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        for name in ("max_iter", "max_eval", "history_size"):
            value = group[name]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, but got {value!r}")
        if group["line_search_fn"] not in LINE_SEARCH_FNS:
            raise ValueError(
                f"line_search_fn must be None or 'strong_wolfe', but got {group['line_search_fn']!r}"
            )

    def add_param_group(self, param_group):
        """torch's rule: a second group is an error (LBFGS has one set of options)."""
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def update(self, param, grad, state, group):
        """Never called: L-BFGS updates all parameters together in `step(closure)`."""
        raise TypeError("LBFGS updates all parameters together: call step(closure)")

    # ----------------------------------------------------------------- flat views
    def _gather_flat_grad(self):
        views = []
        for index, p in enumerate(self._params):
            if p.grad is None:
                views.append(np.zeros(p.data.size, dtype=p.data.dtype))
            else:
                grad = p.grad
                if not (type(grad) is np.ndarray and grad.shape == p.data.shape
                        and grad.dtype == p.data.dtype):
                    grad = self._checked_grad(p.data, grad, 0, index)
                views.append(grad.reshape(-1))
        return np.concatenate(views)

    def _add_grad(self, step_size, update):
        """x <- x + step_size * update, update being flat over all parameters."""
        offset = 0
        for p in self._params:
            size = p.data.size
            p.data += step_size * update[offset:offset + size].reshape(p.data.shape)
            offset += size

    def _directional_evaluate(self, closure, x, t, d):
        """(f, g) at x + t d; the parameters are put back to x afterwards."""
        self._add_grad(t, d)
        loss = _loss_value(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p.data[...] = saved
        return loss, flat_grad

    # ----------------------------------------------------------------- the step
    def _step(self, closure=None):
        if closure is None:
            raise TypeError(
                "LBFGS.step() needs a closure that recomputes the loss and the gradients "
                "and returns the loss"
            )
        group = self.param_groups[0]
        lr = group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = _loss_value(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.max(np.abs(flat_grad)) <= tolerance_grad:  # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        opt_cond = False
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            # the direction d = -H g
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only if the curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                # two-loop recursion
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q += -al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # the step length
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.sum(np.abs(flat_grad))) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            ls_func_evals = 0
            if line_search_fn == "strong_wolfe":
                x_init = [p.data.copy() for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    loss = _loss_value(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # the stopping rules
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.max(np.abs(d * t)) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"], state["t"] = d, t
        state["old_dirs"], state["old_stps"], state["ro"] = old_dirs, old_stps, ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"], state["prev_loss"] = prev_flat_grad, prev_loss
        return orig_loss

    def _loaded_value(self, value, param, saved_index, key):
        """L-BFGS's arrays are flat over all parameters: copied, not checked against a shape."""
        if isinstance(value, np.ndarray):
            return value.copy()
        return super()._loaded_value(value, param, saved_index, key)
