"""Weight averaging, as `torch.optim.swa_utils`: `AveragedModel`, its averaging functions, `update_bn`.

    swa_model = AveragedModel(model)                       # SWA: the equal-weight average
    ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))   # EMA
    for epoch in range(epochs):
        ...                                                # train `model` as usual
        swa_model.update_parameters(model)                 # fold its weights into the average
    update_bn(loader, swa_model)                           # BatchNorm statistics of the average
    swa_model(x)                                           # predict with the averaged weights

Stochastic Weight Averaging (Izmailov et al. 2018, "Averaging Weights Leads to Wider Optima
and Better Generalization") averages the weights the optimizer visits late in training,
usually with a constant or cyclic lr; the average lies nearer the centre of a wide minimum
than any single iterate. torch's `SWALR`, the scheduler that anneals the lr to that constant,
is `schedulers.SWALR` (module `schedulers/swa.py`): `optimizers` never imports `schedulers`.

The averaging functions take and update numpy arrays (a parameter's `.data`), as
everything in `optimizers` does: an `avg_fn(averaged, current, num_averaged)` returns the
new average of one array; a `multi_avg_fn(averaged_list, current_list, num_averaged)`
updates a list of arrays in place. Numbers are torch's (tests compare with torch 2.13).
"""

import copy
import numbers

import numpy as np

from minigrad.nn import Module

__all__ = [
    "AveragedModel",
    "update_bn",
    "get_ema_multi_avg_fn",
    "get_swa_multi_avg_fn",
    "get_ema_avg_fn",
    "get_swa_avg_fn",
]


def _lerp_(start, end, weight):
    """start <- start + weight * (end - start) in place, in torch's two-sided form.

    torch's lerp uses end - (end - start) * (1 - weight) for |weight| >= 0.5, which is
    exact at weight = 1; the same rounding here keeps the averages torch's.
    """
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


def _check_decay(decay):
    if isinstance(decay, bool) or not isinstance(decay, numbers.Real) or not 0.0 <= decay <= 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )


def get_ema_multi_avg_fn(decay=0.999):
    """EMA over lists of arrays, in place: W_ema <- decay * W_ema + (1 - decay) * W_model.

    The first `update_parameters` copies the model (W_ema_0 = W_model_0). decay in [0, 1].
    """
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _num_averaged):
        for ema, current in zip(ema_param_list, current_param_list):
            _lerp_(ema, current, 1 - decay)

    return ema_update


def get_swa_multi_avg_fn():
    """SWA over lists of arrays, in place: W_avg <- W_avg + (W_model - W_avg) / (n + 1).

    n = num_averaged, the number of models already in the average: every model visited
    gets the same weight 1 / (n + 1).
    """

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        for averaged, current in zip(averaged_param_list, current_param_list):
            _lerp_(averaged, current, 1 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """EMA of one array, returned: decay * W_ema + (1 - decay) * W_model. decay in [0, 1]."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """SWA of one array, returned: W_avg + (W_model - W_avg) / (n + 1)."""

    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _buffers(module):
    """The module's buffers as numpy arrays, if its Module class has buffers (else none)."""
    buffers = getattr(module, "buffers", None)
    if not callable(buffers):
        return []
    return [buffer if isinstance(buffer, np.ndarray) else buffer.data for buffer in buffers()]


class AveragedModel(Module):
    r"""A copy of a model whose weights are the running average of another model's, as
    `torch.optim.swa_utils.AveragedModel` (SWA by default, EMA with `get_ema_*`).

    AveragedModel(model, avg_fn=None, multi_avg_fn=None, use_buffers=False)

    The constructor deep-copies `model` into `self.module` (forward calls it); the
    copy's parameters are `self.parameters()`. `update_parameters(model)`:

        n = 0:   W_avg <- W_model                          (the first call copies)
        n >= 1:  W_avg <- multi_avg_fn / avg_fn (W_avg, W_model, n), or, with neither,
                 W_avg <- W_avg + (W_model - W_avg) / (n + 1)   (the equal-weight SWA)
        n <- n + 1

    n is `self.n_averaged`, the number of models averaged so far. With use_buffers=True
    the model's buffers (a BatchNorm's running statistics, where the model has them) are
    averaged like the parameters; otherwise they are copied from `model` at each call.
    (torch's `device` argument does not apply: everything is a numpy array.)

    `state_dict()` is the module's, with "module." before each name (as in torch), plus
    "n_averaged"; the averaging functions are not saved (as in torch).
    """

    def __init__(self, model, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("Only one of avg_fn and multi_avg_fn should be provided")
        for name, fn in (("avg_fn", avg_fn), ("multi_avg_fn", multi_avg_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} must be callable or None, but got {type(fn).__name__}")
        if not isinstance(use_buffers, bool):
            raise TypeError(f"use_buffers must be True or False, but got {use_buffers!r}")
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel averages a minigrad.nn.Module, but got {type(model).__name__}")
        self.module = copy.deepcopy(model)
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers
        self.n_averaged = 0

    def forward(self, *args, **kwargs):
        """The averaged copy's output: `self.module(*args, **kwargs)`."""
        return self.module(*args, **kwargs)

    def _arrays(self, model):
        params = [p.data for p in model.parameters()]
        return params + _buffers(model) if self.use_buffers else params

    def update_parameters(self, model):
        """Fold `model`'s current weights into the average (see the class docstring).

        `model` must have this model's architecture: the same number of parameters (and
        buffers), in order, with the same shapes; checked before anything changes.
        """
        averaged, current = self._arrays(self.module), self._arrays(model)
        if len(averaged) != len(current):
            raise ValueError(
                f"model has {len(current)} parameters{' and buffers' if self.use_buffers else ''}, "
                f"but the averaged model has {len(averaged)}"
            )
        for index, (a, c) in enumerate(zip(averaged, current)):
            if a.shape != c.shape:
                raise ValueError(
                    f"parameter {index} of model has shape {c.shape}, but the averaged "
                    f"model's has shape {a.shape}"
                )
        own_buffers, model_buffers = _buffers(self.module), _buffers(model)
        if not self.use_buffers and len(own_buffers) != len(model_buffers):
            raise ValueError(
                f"model has {len(model_buffers)} buffers, but the averaged model has {len(own_buffers)}"
            )
        current = [np.asarray(c, dtype=a.dtype) for a, c in zip(averaged, current)]
        if self.n_averaged == 0:
            for a, c in zip(averaged, current):
                a[...] = c
        elif self.multi_avg_fn is not None:
            self.multi_avg_fn(averaged, current, self.n_averaged)
        elif self.avg_fn is None:
            swa = get_swa_avg_fn()
            for a, c in zip(averaged, current):
                a[...] = swa(a, c, self.n_averaged)
        else:
            for a, c in zip(averaged, current):
                a[...] = self.avg_fn(a, c, self.n_averaged)
        if not self.use_buffers:
            for own, other in zip(own_buffers, model_buffers):
                own[...] = other
        self.n_averaged += 1

    def state_dict(self):
        """{"module.<name>": array copy, ..., "n_averaged": np.array(n)}."""
        saved = super().state_dict()
        saved["n_averaged"] = np.array(self.n_averaged, dtype=np.int64)
        return saved

    def load_state_dict(self, state_dict, strict=True):
        """Restore a `state_dict()`: the averaged weights and n_averaged."""
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"state_dict must be a mapping of names to arrays, got {type(state_dict).__name__}")
        n_averaged = state_dict.get("n_averaged")
        if n_averaged is None and strict:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}: missing key(s): 'n_averaged'"
            )
        if n_averaged is not None:
            n_averaged = np.asarray(n_averaged)
            if n_averaged.shape != () or n_averaged.dtype.kind not in "iu" or n_averaged < 0:
                raise ValueError(f"n_averaged must be an integer >= 0, but got {n_averaged!r}")
        weights = {key: value for key, value in state_dict.items() if key != "n_averaged"}
        result = super().load_state_dict(weights, strict)
        if n_averaged is not None:
            self.n_averaged = int(n_averaged)
        return result


def _is_batchnorm(module):
    """torch's contract of a BatchNorm layer: running statistics, a momentum, a reset."""
    return (
        hasattr(module, "running_mean")
        and hasattr(module, "running_var")
        and hasattr(module, "momentum")
        and callable(getattr(module, "reset_running_stats", None))
    )


def update_bn(loader, model):
    """Recompute the BatchNorm running statistics of `model` with one pass over `loader`.

    As `torch.optim.swa_utils.update_bn`: every BatchNorm layer of `model` (any module
    with `running_mean`, `running_var`, `momentum` and `reset_running_stats()`) is reset
    and its momentum set to None -- a BatchNorm then keeps the cumulative average over all
    batches seen -- and `model(batch)` runs in training mode on every batch of `loader`
    (the batch's first element if it is a list or tuple, such as (x, y)). Afterwards the
    momenta and the model's training mode are restored (also if the loader or the model
    raises). Averaged weights need this: the statistics recorded while training belong
    to the individual iterates, not to their average. A model without BatchNorm layers
    is left untouched.
    """
    layers = [module for module in model.modules() if _is_batchnorm(module)]
    if not layers:
        return
    momenta = [layer.momentum for layer in layers]
    was_training = model.training
    for layer in layers:
        layer.reset_running_stats()
    try:
        model.train()
        for layer in layers:
            layer.momentum = None
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            model(batch)
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
        model.train(was_training)

