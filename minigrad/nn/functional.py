"""``torch.nn.functional`` for minigrad: activations, softmax, dropout, ``linear``, ``one_hot``
and the losses, with torch's names, signatures, defaults and numbers; plus d2l's `squared_loss`.

Everything is composed from the Tensor's own ops (so gradients come from the engine, and
stay differentiable as the engine is); softmax and the cross-entropies subtract the row maximum
first (the log-sum-exp shift), so large logits never overflow.

Regression losses, with ``d = input - target`` element-wise:

* ``mse_loss``:   ``d**2``
* ``l1_loss``:    ``|d|``
* ``huber_loss``: ``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``

then reduced by ``reduction``: ``"mean"`` (default), ``"sum"`` or ``"none"`` (the element-wise
losses, shape of the input).  Prediction and target must have the same shape: broadcasting an
``(n, 1)`` prediction against an ``(n,)`` target would silently give an ``(n, n)`` loss, so it
raises a ValueError instead.  A target that is not a Tensor (e.g. a numpy array) is converted to
the input's dtype, so float32 training stays float32.
"""

import math

import numpy as np

from ..checks import ShapeError
from .. import debugging
from ..ops.functional import erf, where
from ..ops.functional import linear as _linear_op
from ..random import default_generator
from ..tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction, loss_name):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{loss_name}: {reduction} is not a valid value for reduction (one of {REDUCTIONS})")


def _check_delta(delta, loss_name):
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.integer, np.floating)) \
            or not np.isfinite(delta) or delta <= 0:
        raise ValueError(f"{loss_name}: delta must be a finite number > 0, got {delta!r}")


def _as_target(target, input, loss_name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{loss_name}: input must be a Tensor (the model's prediction), got {type(input).__name__}")
    if isinstance(target, Tensor):
        return target
    try:
        return Tensor(np.asarray(target, dtype=input.dtype))
    except (TypeError, ValueError) as error:
        raise TypeError(f"{loss_name}: target must be a Tensor or numeric array, got {type(target).__name__}: {error}") from None


def _difference(input, target, loss_name):
    """``input - target`` after checking that the shapes agree exactly."""
    target = _as_target(target, input, loss_name)
    if tuple(input.shape) != tuple(target.shape):
        raise ShapeError(
            f"{loss_name}: input shape {tuple(input.shape)} and target shape {tuple(target.shape)} differ; "
            f"reshape one of them (e.g. target.reshape(input.shape)) instead of relying on broadcasting"
        )
    return input - target


def _reduce(losses, reduction):
    if reduction == "mean":
        result = losses.mean()
    elif reduction == "sum":
        result = losses.sum()
    else:
        result = losses
    debugging.check_loss(result.data)  # warns only under minigrad.debug()
    return result


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: ``(input - target)**2`` reduced by `reduction` (``torch.nn.functional.mse_loss``)."""
    _check_reduction(reduction, "mse_loss")
    difference = _difference(input, target, "mse_loss")
    return _reduce(difference ** 2, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error: ``|input - target|`` reduced by `reduction` (``torch.nn.functional.l1_loss``).

    The gradient at ``input == target`` is 0, as in PyTorch.
    """
    _check_reduction(reduction, "l1_loss")
    return _reduce(_difference(input, target, "l1_loss").abs(), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss (``torch.nn.functional.huber_loss``): quadratic for small errors, linear for large.

    ``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, with
    ``d = input - target``; `delta` > 0.  Both pieces meet with equal value and slope at
    ``|d| = delta``, so a few outliers pull on the fit with force at most `delta`.
    """
    _check_reduction(reduction, "huber_loss")
    _check_delta(delta, "huber_loss")
    difference = _difference(input, target, "huber_loss")
    absolute = difference.abs()
    quadratic = 0.5 * difference ** 2
    linear = delta * (absolute - 0.5 * delta)
    return _reduce(where(absolute.data < delta, quadratic, linear), reduction)


def squared_loss(y_hat, y):
    """d2l's squared loss: ``(y_hat - y.reshape(y_hat.shape))**2 / 2``, element-wise, NOT reduced.

    This is the loss the sources' experiments use and report: half the squared error per example,
    with no mean taken (so it is half of ``mse_loss(..., reduction="none")``).  Take ``.mean()``
    (or ``.sum()``) yourself before ``backward()``.  By design `y` is reshaped to `y_hat`'s shape,
    so an ``(n,)`` label vector works against an ``(n, 1)`` prediction; a `y` with a different
    number of elements raises ValueError.
    """
    y = _as_target(y, y_hat, "squared_loss")
    if y.numel() != y_hat.numel():
        raise ValueError(
            f"squared_loss: y_hat shape {tuple(y_hat.shape)} and y shape {tuple(y.shape)} "
            f"hold different numbers of elements ({y_hat.numel()} vs {y.numel()})"
        )
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


# ---------------------------------------------------------------------------- activations


def _tensor(x, name):
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name}: input must be a Tensor or numeric array, got {type(x).__name__}: {error}") from None


def check_dropout_probability(p, name):
    """A number in [0, 1], in torch's words otherwise."""
    _check_number(p, name, "probability p")
    if not 0 <= p <= 1:
        raise ValueError(f"{name}: dropout probability has to be between 0 and 1, but got {p}")


def _check_number(value, name, what, low=None, high=None, low_open=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise TypeError(f"{name}: {what} must be a finite number, got {value!r}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name}: {what} must be {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name}: {what} must be <= {high}, got {value!r}")


def relu(input):
    """``max(x, 0)`` element-wise; gradient 0 at x = 0 (as torch)."""
    return _tensor(input, "relu").relu()


def sigmoid(input):
    """``1 / (1 + exp(-x))`` element-wise."""
    return _tensor(input, "sigmoid").sigmoid()


def tanh(input):
    """``tanh(x)`` element-wise."""
    return _tensor(input, "tanh").tanh()


def leaky_relu(input, negative_slope=0.01):
    """``x`` where ``x > 0``, else ``negative_slope * x`` (gradient ``negative_slope`` at 0, as torch)."""
    x = _tensor(input, "leaky_relu")
    _check_number(negative_slope, "leaky_relu", "negative_slope")
    return where(x.data > 0, x, x * negative_slope)


def elu(input, alpha=1.0):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Written as ``relu(x) + alpha * (exp(x - relu(x)) - 1)``: ``x - relu(x) = min(x, 0)``, so the
    exponential never sees a large positive x (no overflow in the branch that is not taken).
    """
    x = _tensor(input, "elu")
    _check_number(alpha, "elu", "alpha")
    positive = x.relu()
    return positive + alpha * ((x - positive).exp() - 1.0)


def silu(input):
    """SiLU / swish: ``x * sigmoid(x)``."""
    x = _tensor(input, "silu")
    return x * x.sigmoid()


def gelu(input, approximate="none"):
    """Gaussian error linear unit, torch's ``gelu``.

    ``approximate="none"``: ``x * Phi(x)`` with Phi the standard normal cdf (exact, via erf);
    ``approximate="tanh"``: ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))``.
    """
    x = _tensor(input, "gelu")
    if approximate == "none":
        if x.dtype.kind != "f":
            raise TypeError(f"gelu: input must be floating point, got {x.dtype}")
        return x * (0.5 * (1.0 + erf(x * (1.0 / math.sqrt(2.0)))))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)
        return 0.5 * x * (1.0 + inner.tanh())
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def _check_dim(dim, ndim, name):
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}: dim must be an int, got {dim!r}")
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        bound = max(ndim, 1)
        raise IndexError(f"{name}: Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], "
                         f"but got {dim})")
    return int(dim) % max(ndim, 1)


def log_softmax(input, dim):
    """``x - log(sum(exp(x), dim))``, computed with the maximum along ``dim`` subtracted first
    (the shift cancels, and exp never overflows): the engine's ``log_softmax`` op."""
    x = _tensor(input, "log_softmax")
    if x.ndim == 0:
        raise ValueError("log_softmax: input must have at least one dimension")
    return x.log_softmax(_check_dim(dim, x.ndim, "log_softmax"))


def softmax(input, dim):
    """``exp(x) / sum(exp(x), dim)``, with the maximum along `dim` subtracted first: the
    engine's ``softmax`` op."""
    x = _tensor(input, "softmax")
    if x.ndim == 0:
        raise ValueError("softmax: input must have at least one dimension")
    return x.softmax(_check_dim(dim, x.ndim, "softmax"))


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (torch's ``F.linear``); `weight` is ``(out, in)``.

    The input's and weight's dtypes must match (as in torch): a float32 model stays float32,
    and a float32 batch fed to a float64 model is an error, not a silent upcast.
    """
    x = _tensor(input, "linear")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise TypeError("linear: weight must be a 2-D Tensor of shape (out_features, in_features)")
    if x.dtype != weight.dtype and x.dtype.kind == "f":
        raise TypeError(
            f"linear: input dtype {x.dtype} and weight dtype {weight.dtype} differ; convert the "
            f"input (e.g. Tensor(x, dtype=np.{weight.dtype})) or the model, minigrad does not upcast silently"
        )
    if x.dtype != weight.dtype:
        x = Tensor(x.data, dtype=weight.dtype)
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {tuple(x.shape)} does not end in in_features={weight.shape[1]} "
            f"(weight shape {tuple(weight.shape)})"
        )
    return _linear_op(x, weight, bias)


def dropout(input, p=0.5, training=True, generator=None):
    """Inverted dropout: in training, zero each element with probability `p` and scale the rest
    by ``1 / (1 - p)`` (so the expectation is unchanged); identity when ``training=False``.

    The mask is drawn from `generator` (a numpy Generator) or the library-wide one
    (`minigrad.manual_seed`).  ``p = 1`` gives zeros.
    """
    x = _tensor(input, "dropout")
    check_dropout_probability(p, "dropout")
    if not isinstance(training, bool):
        raise TypeError(f"dropout: training must be a bool, got {type(training).__name__}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * np.zeros(x.shape, dtype=x.dtype)
    rng = default_generator() if generator is None else generator
    keep = rng.random(x.shape) >= p
    return x * (keep / (1.0 - p)).astype(x.dtype)


def one_hot(tensor, num_classes=-1):
    """Class indices of any shape to one-hot rows: an int64 Tensor of shape
    ``tensor.shape + (num_classes,)``; ``num_classes=-1`` means ``max(tensor) + 1``."""
    labels = _class_indices(tensor, "one_hot")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot: num_classes must be an int, got {num_classes!r}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {labels.min()}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass num_classes")
        num_classes = int(labels.max()) + 1
    elif num_classes < 1 or (labels.size and labels.max() >= num_classes):
        raise ValueError(f"one_hot: class values must be smaller than num_classes={num_classes}, "
                         f"got maximum {labels.max() if labels.size else None}")
    return Tensor((labels[..., None] == np.arange(num_classes)).astype(np.int64), dtype=np.int64)


# ---------------------------------------------------------------------------- classification losses


def _class_indices(target, name):
    """Integer class labels as an int64 numpy array (from a Tensor, array or list of ints)."""
    values = target.data if isinstance(target, Tensor) else np.asarray(target)
    if values.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: expected integer class indices (an int64 array or Tensor(..., dtype=np.int64)), "
            f"got dtype {values.dtype}"
        )
    return values.astype(np.int64, copy=False)


def _class_weight(weight, classes, dtype, name):
    if weight is None:
        return None
    values = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if values.shape != (classes,) or values.dtype.kind not in "iuf":
        raise ValueError(f"{name}: weight must be a 1-D array of {classes} numbers (one per class), "
                         f"got shape {values.shape} and dtype {values.dtype}")
    return values.astype(dtype)


def _check_ignore_index(ignore_index, name):
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{name}: ignore_index must be an int, got {ignore_index!r}")


def _class_axis(input, name):
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    return 0 if input.ndim == 1 else 1


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of class indices (torch's ``nll_loss``), `input` holding
    log-probabilities of shape ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``:

    ``loss_i = -weight[t_i] * input[i, t_i]`` (0 where ``t_i == ignore_index``); ``"mean"`` divides
    the sum by ``sum_i weight[t_i]`` over the non-ignored targets (the weighted mean), ``"sum"``
    sums, ``"none"`` returns the per-sample losses (target's shape).
    """
    _check_reduction(reduction, "nll_loss")
    _check_ignore_index(ignore_index, "nll_loss")
    x = _tensor(input, "nll_loss")
    if x.dtype.kind != "f":
        raise TypeError(f"nll_loss: input must be floating point (log-probabilities), got {x.dtype}")
    axis = _class_axis(x, "nll_loss")
    classes = x.shape[axis]
    labels = _class_indices(target, "nll_loss")
    expected_shape = x.shape[:axis] + x.shape[axis + 1:]
    if labels.shape != expected_shape:
        raise ShapeError(f"nll_loss: target shape {labels.shape} does not fit input shape {tuple(x.shape)}: "
                         f"expected {expected_shape} (the input without its class dimension {axis})")
    class_weight = _class_weight(weight, classes, x.dtype, "nll_loss")
    kept = labels != ignore_index
    out_of_range = kept & ((labels < 0) | (labels >= classes))
    if out_of_range.any():
        raise IndexError(f"nll_loss: target {labels[out_of_range].flat[0]} is out of bounds for {classes} classes")
    safe = np.where(kept, labels, 0)
    index = list(np.indices(safe.shape)) if safe.ndim else []
    index.insert(axis, safe)
    picked = x[tuple(index)]
    sample_weight = kept.astype(x.dtype) if class_weight is None else class_weight[safe] * kept
    losses = -picked * sample_weight.astype(x.dtype)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / float(sample_weight.sum())


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy of logits (torch's ``cross_entropy``).

    `input`: logits of shape ``(C,)``, ``(N, C)`` or ``(N, C, d1, ...)``.  `target` either

    * class indices (integers, the input's shape without C): ``nll_loss(log_softmax(input, 1))``,
      with `weight`, `ignore_index` and the weighted mean as in `nll_loss`; with
      ``label_smoothing = e`` the loss is ``(1 - e) * nll + e / C * smooth``, where
      ``smooth_i = -sum_c weight[c] * log_softmax(input)_ic`` (0 for ignored targets), reduced
      like the nll part; or
    * class probabilities (floats, the input's shape): ``-sum_c weight[c] * p_ic *
      log_softmax(input)_ic`` per sample, with ``p`` smoothed to ``(1 - e) p + e / C``; ``"mean"``
      divides by the number of samples (``ignore_index`` does not apply).
    """
    _check_reduction(reduction, "cross_entropy")
    _check_ignore_index(ignore_index, "cross_entropy")
    _check_number(label_smoothing, "cross_entropy", "label_smoothing", 0, 1)
    x = _tensor(input, "cross_entropy")
    if x.dtype.kind != "f":
        raise TypeError(f"cross_entropy: input must be floating point (logits), got {x.dtype}")
    axis = _class_axis(x, "cross_entropy")
    classes = x.shape[axis]
    log_probabilities = log_softmax(x, axis)
    target_values = target.data if isinstance(target, Tensor) else np.asarray(target)
    if target_values.dtype.kind == "f":
        if target_values.shape != tuple(x.shape):
            raise ValueError(
                f"cross_entropy: floating-point target means class probabilities and needs the input's shape "
                f"{tuple(x.shape)}, got {target_values.shape}; class indices must be integers "
                f"(Tensor(labels) makes float64 -- pass the int array, or Tensor(labels, dtype=np.int64))"
            )
        return _cross_entropy_probabilities(log_probabilities, target, weight, reduction, label_smoothing, axis)
    nll = nll_loss(log_probabilities, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    class_weight = _class_weight(weight, classes, x.dtype, "cross_entropy")
    shape = [1] * x.ndim
    shape[axis] = classes
    weighted = log_probabilities if class_weight is None else log_probabilities * class_weight.reshape(shape)
    labels = _class_indices(target, "cross_entropy")
    kept = labels != ignore_index
    smooth = -weighted.sum(axis=axis) * kept.astype(x.dtype)
    if reduction == "none":
        smooth_reduced = smooth
    elif reduction == "sum":
        smooth_reduced = smooth.sum()
    elif class_weight is None:
        smooth_reduced = smooth.sum() / float(kept.sum())
    else:
        smooth_reduced = smooth.sum() / float(class_weight[labels[kept]].sum())
    return (1.0 - label_smoothing) * nll + smooth_reduced * (label_smoothing / classes)


def _cross_entropy_probabilities(log_probabilities, target, weight, reduction, label_smoothing, axis):
    classes = log_probabilities.shape[axis]
    dtype = log_probabilities.dtype
    probabilities = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=dtype))
    if label_smoothing > 0:
        probabilities = probabilities * (1.0 - label_smoothing) + label_smoothing / classes
    products = log_probabilities * probabilities
    class_weight = _class_weight(weight, classes, dtype, "cross_entropy")
    if class_weight is not None:
        shape = [1] * log_probabilities.ndim
        shape[axis] = classes
        products = products * class_weight.reshape(shape)
    if reduction == "none":
        return -products.sum(axis=axis)
    if reduction == "sum":
        return -products.sum()
    return -products.sum() / (log_probabilities.numel() / classes)


def _same_shape_target(input, target, name):
    x = _tensor(input, name)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be floating point, got {x.dtype}")
    target = _as_target(target, x, name)
    if tuple(target.shape) != tuple(x.shape):
        raise ValueError(f"{name}: target shape {tuple(target.shape)} differs from input shape {tuple(x.shape)}; "
                         f"they must be the same (e.g. reshape the target to {tuple(x.shape)})")
    return x, target


def _broadcast_weight(weight, shape, dtype, name, what="weight"):
    if weight is None:
        return None
    values = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
    if values.dtype.kind not in "iuf":
        raise TypeError(f"{name}: {what} must be numeric, got dtype {values.dtype}")
    try:
        np.broadcast_shapes(values.shape, shape)
    except ValueError:
        raise ValueError(f"{name}: {what} of shape {values.shape} does not broadcast to the input shape {shape}") from None
    return values.astype(dtype)


def _clamped_log(x):
    """``max(log(x), -100)`` as torch's BCE does (so ``x = 0`` gives a finite loss); the gradient
    is 0 where the clamp is active."""
    positive = x.data > 0
    safe = where(positive, x, 1.0)
    log = safe.log()
    return where(positive & (log.data > -100), log, -100.0)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """``-weight * (t log x + (1 - t) log(1 - x))`` for probabilities ``x`` in [0, 1] (torch's
    ``binary_cross_entropy``; each log is clamped at -100, as torch does).  Prefer
    `binary_cross_entropy_with_logits` on logits: it is stable where this saturates."""
    _check_reduction(reduction, "binary_cross_entropy")
    x, target = _same_shape_target(input, target, "binary_cross_entropy")
    if np.any((x.data < 0) | (x.data > 1)) or np.any(np.isnan(x.data)):
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                         "(probabilities; for logits use binary_cross_entropy_with_logits)")
    losses = -(target * _clamped_log(x) + (1.0 - target) * _clamped_log(1.0 - x))
    class_weight = _broadcast_weight(weight, x.shape, x.dtype, "binary_cross_entropy")
    if class_weight is not None:
        losses = losses * class_weight
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable formula (torch's
    ``binary_cross_entropy_with_logits``), for logits ``x`` and targets ``t``:

    ``(1 - t) x + (1 + (pos_weight - 1) t) (log(1 + exp(-|x|)) + max(-x, 0))``, times `weight`.

    This equals ``-(pos_weight t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))`` but never
    exponentiates a positive number.  `pos_weight` (broadcast along the last dimension, one per
    class) weighs the positive examples.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    x, target = _same_shape_target(input, target, "binary_cross_entropy_with_logits")
    softplus_of_minus_x = (1.0 + (-x.abs()).exp()).log() + (-x).relu()
    positive_weight = _broadcast_weight(pos_weight, x.shape, x.dtype, "binary_cross_entropy_with_logits", "pos_weight")
    if positive_weight is None:
        losses = (1.0 - target) * x + softplus_of_minus_x
    else:
        losses = (1.0 - target) * x + ((positive_weight - 1.0) * target + 1.0) * softplus_of_minus_x
    class_weight = _broadcast_weight(weight, x.shape, x.dtype, "binary_cross_entropy_with_logits")
    if class_weight is not None:
        losses = losses * class_weight
    return _reduce(losses, reduction)
