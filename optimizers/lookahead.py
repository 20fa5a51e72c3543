"""Lookahead: any optimizer's fast weights, pulled back towards slow weights every k steps."""

import numbers

import numpy as np


class Lookahead:
    r"""Lookahead (Zhang, Lucas, Hinton & Ba 2019, "Lookahead Optimizer: k steps forward,
    1 step back", NeurIPS), wrapping any optimizer. torch has no Lookahead; this follows
    the authors' PyTorch code (michaelrzhang/lookahead, lookahead_pytorch.py), with its
    defaults k=5 ("la_steps") and alpha=0.8 ("la_alpha").

    Lookahead(optimizer, k=5, alpha=0.8)

    The wrapped ("inner") optimizer updates the parameters -- the fast weights -- as
    usual. Lookahead keeps a copy phi of them, the slow weights, taken at construction.
    After every k-th inner step, for every parameter of the inner optimizer's groups:

        phi <- phi + alpha * (theta - phi)      computed as theta * alpha + (1 - alpha) * phi
        theta <- phi                            (the fast weights restart from the slow ones)

    So the slow weights move a fraction alpha along the direction the fast weights
    explored in k steps: the inner optimizer's noisy zigzag is averaged out, and
    alpha = 1 is the inner optimizer alone. The inner optimizer's state (momentum, Adam's
    moments) is kept as it is, as the authors' default pullback_momentum="none" does (their
    "reset" and "pullback" options for SGD's momentum buffer are not provided).

    No numba kernel: the slow-weight update is two array operations once every k steps,
    not a per-step loop; the inner optimizer's step, where the time goes, uses its own
    kernel.

    Like a torch optimizer: `step(closure)`, `zero_grad`, `param_groups` (the inner
    optimizer's, so schedulers drive the inner lr), `state_dict` / `load_state_dict`
    (the inner optimizer's state dict, plus "lookahead": k, alpha, the step counter and
    the slow weights by parameter index) -- unlike the authors' code, which saves only the
    inner optimizer and so loses the slow weights on a resume.
    """

    def __init__(self, optimizer, k=5, alpha=0.8):
        if not isinstance(getattr(optimizer, "param_groups", None), list) or not callable(
            getattr(optimizer, "step", None)
        ):
            raise TypeError(
                "Lookahead wraps an optimizer (an object with param_groups and step()), "
                f"but got {type(optimizer).__name__}"
            )
        _check_k_alpha(k, alpha)
        self.optimizer = optimizer
        self.k = k
        self.alpha = alpha
        self.step_counter = 0
        self.slow_weights = {}
        for p in self._params():
            self.slow_weights[id(p)] = p.data.copy()

    def _params(self):
        return [p for group in self.optimizer.param_groups for p in group["params"]]

    @property
    def param_groups(self):
        """The inner optimizer's param groups (one list: changing an lr here changes it there)."""
        return self.optimizer.param_groups

    @property
    def defaults(self):
        """The inner optimizer's defaults."""
        return self.optimizer.defaults

    @property
    def state(self):
        """The inner optimizer's per-parameter state."""
        return self.optimizer.state

    def zero_grad(self, set_to_none=True):
        """The inner optimizer's zero_grad."""
        self.optimizer.zero_grad(set_to_none)

    def add_param_group(self, param_group):
        """Add a group to the inner optimizer; its slow weights start at its current values."""
        self.optimizer.add_param_group(param_group)
        for p in self.optimizer.param_groups[-1]["params"]:
            self.slow_weights[id(p)] = p.data.copy()

    def step(self, closure=None):
        """One inner step; after every k-th, the slow-weight update. Returns the closure's loss."""
        loss = self.optimizer.step(closure)
        self.step_counter += 1
        if self.step_counter >= self.k:
            self.step_counter = 0
            for p in self._params():
                self._pull_back(p.data, self.slow_weights[id(p)])
        return loss

    def _pull_back(self, param, slow):
        param *= self.alpha
        param += (1.0 - self.alpha) * slow
        slow[...] = param

    def state_dict(self):
        """The inner optimizer's state dict plus a "lookahead" entry (arrays copied)."""
        saved = self.optimizer.state_dict()
        saved["lookahead"] = {
            "k": self.k,
            "alpha": self.alpha,
            "step_counter": self.step_counter,
            "slow_weights": {
                index: self.slow_weights[id(p)].copy() for index, p in enumerate(self._params())
            },
        }
        return saved

    def load_state_dict(self, state_dict):
        """Restore a `state_dict()`; everything is checked before anything changes."""
        if not isinstance(state_dict, dict) or not isinstance(state_dict.get("lookahead"), dict):
            raise ValueError("a Lookahead state_dict must be a dict with a 'lookahead' entry")
        saved = state_dict["lookahead"]
        missing = {"k", "alpha", "step_counter", "slow_weights"} - saved.keys()
        if missing:
            raise ValueError(f"the state_dict's 'lookahead' entry lacks {sorted(missing)}")
        _check_k_alpha(saved["k"], saved["alpha"])
        counter = saved["step_counter"]
        if not isinstance(counter, numbers.Integral) or isinstance(counter, bool) or counter < 0:
            raise ValueError(f"step_counter must be an int >= 0, but got {counter!r}")
        params = self._params()
        slow = saved["slow_weights"]
        if not isinstance(slow, dict) or sorted(slow) != list(range(len(params))):
            raise ValueError(
                f"the state_dict's slow weights must be indexed 0..{len(params) - 1}, "
                "one per parameter of the optimizer"
            )
        for index, p in enumerate(params):
            value = np.asarray(slow[index])
            if value.shape != p.data.shape:
                raise ValueError(
                    f"slow weights of parameter {index} have shape {value.shape}, "
                    f"but the parameter has shape {p.data.shape}"
                )
        inner = {key: value for key, value in state_dict.items() if key != "lookahead"}
        self.optimizer.load_state_dict(inner)  # validates first: raises before changing
        self.k, self.alpha, self.step_counter = saved["k"], saved["alpha"], int(counter)
        self.slow_weights = {
            id(p): np.array(slow[index], dtype=p.data.dtype, copy=True)
            for index, p in enumerate(params)
        }

    def __repr__(self):
        inner = "\n".join("  " + line for line in repr(self.optimizer).splitlines())
        return f"Lookahead(k={self.k}, alpha={self.alpha},\n{inner}\n)"


def _check_k_alpha(k, alpha):
    if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(f"Invalid k (lookahead steps): {k!r}; it must be an int >= 1")
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0.0 <= alpha <= 1.0:
        raise ValueError(f"Invalid alpha (slow weights step size): {alpha!r}; it must be in [0, 1]")
