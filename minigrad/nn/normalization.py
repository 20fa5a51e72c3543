"""Normalisation layers: `LayerNorm` (per sample) and `BatchNorm1d` (per feature, over the batch,
with running statistics for evaluation), both as in torch.

Both compute ``(x - mean) / sqrt(var + eps) * weight + bias`` with the biased variance; they
differ in which axes the statistics are taken over.  Both compute in their ``dtype`` (float64 by
default): input of another float dtype is refused, as `Linear` refuses it.
"""

import numpy as np

from ..checks import ShapeError
from ..tensor import Tensor
from .layers import _as_tensor, _check_same_dtype
from .module import Module, Parameter


def _check_positive_number(value, layer, what):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{layer}: {what} must be a finite number > 0, got {value!r}")


def _check_float_dtype(dtype, layer):
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"{layer}: dtype must be float32 or float64, got {dtype}")
    return dtype


def _check_flag(value, layer, what):
    if not isinstance(value, bool):
        raise TypeError(f"{layer}: {what} must be a bool, got {value!r}")


class LayerNorm(Module):
    """Normalise each sample over its last ``len(normalized_shape)`` dimensions:
    ``(x - mean) / sqrt(var + eps) * weight + bias`` (biased variance), ``weight`` starting at
    ones and ``bias`` at zeros, both of shape `normalized_shape` (absent with
    ``elementwise_affine=False``; ``bias=False`` drops only the bias).  Same in train and eval.
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=np.float64):
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)) and not isinstance(normalized_shape, bool):
            normalized_shape = (normalized_shape,)
        try:
            shape = tuple(int(size) for size in normalized_shape)
        except TypeError:
            raise TypeError(f"LayerNorm: normalized_shape must be an int or a tuple of ints, got {normalized_shape!r}") from None
        if not shape or any(size < 1 for size in shape):
            raise ValueError(f"LayerNorm: normalized_shape must be positive sizes, got {normalized_shape!r}")
        _check_positive_number(eps, "LayerNorm", "eps")
        _check_flag(elementwise_affine, "LayerNorm", "elementwise_affine")
        _check_flag(bias, "LayerNorm", "bias")
        dtype = _check_float_dtype(dtype, "LayerNorm")
        self.normalized_shape = shape
        self.dtype = dtype
        self.eps = float(eps)
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(shape), dtype=dtype)
            if bias:
                self.bias = Parameter(np.zeros(shape), dtype=dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x):
        x = _as_tensor(x, "LayerNorm", self.dtype)
        _check_same_dtype(x, self.dtype, "LayerNorm")
        count = len(self.normalized_shape)
        if tuple(x.shape[x.ndim - count:]) != self.normalized_shape or x.ndim < count:
            raise ShapeError(f"LayerNorm: Given normalized_shape={list(self.normalized_shape)}, expected input "
                             f"with shape [*, {', '.join(map(str, self.normalized_shape))}], but got input of "
                             f"size {list(x.shape)}")
        axes = tuple(range(x.ndim - count, x.ndim))
        centered = x - x.mean(axis=axes, keepdims=True)
        variance = (centered * centered).mean(axis=axes, keepdims=True)
        out = centered / (variance + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class BatchNorm1d(Module):
    """Normalise each feature (channel) over the batch, for input ``(N, C)`` or ``(N, C, L)``.

    Training (``model.train()``): the batch's mean and biased variance per feature are used,
    and the running statistics are updated in place (buffers, saved by ``state_dict``)::

        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var  = (1 - momentum) * running_var  + momentum * var * n / (n - 1)   # unbiased

    with ``n`` the values per feature; ``momentum=None`` uses the cumulative average
    (``momentum = 1 / num_batches_tracked``).  Evaluation (``model.eval()``): the running
    statistics are used instead.  ``track_running_stats=False`` keeps no statistics and always
    uses the batch's.  ``affine`` adds ``weight`` (ones) and ``bias`` (zeros) per feature.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=np.float64):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be a positive integer, got {num_features!r}")
        _check_positive_number(eps, "BatchNorm1d", "eps")
        if momentum is not None:
            if isinstance(momentum, bool) or not isinstance(momentum, (int, float, np.integer, np.floating)) \
                    or not 0 <= momentum <= 1:
                raise ValueError(f"BatchNorm1d: momentum must be a number in [0, 1] or None, got {momentum!r}")
            momentum = float(momentum)
        _check_flag(affine, "BatchNorm1d", "affine")
        _check_flag(track_running_stats, "BatchNorm1d", "track_running_stats")
        dtype = _check_float_dtype(dtype, "BatchNorm1d")
        self.num_features = int(num_features)
        self.dtype = dtype
        self.eps = float(eps)
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(np.ones(self.num_features), dtype=dtype)
            self.bias = Parameter(np.zeros(self.num_features), dtype=dtype)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features), dtype=dtype))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features), dtype=dtype))
            self.register_buffer("num_batches_tracked", Tensor(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches tracked."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def forward(self, x):
        x = _as_tensor(x, "BatchNorm1d", self.dtype)
        _check_same_dtype(x, self.dtype, "BatchNorm1d")
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ShapeError(f"BatchNorm1d({self.num_features}) expects input of shape (N, {self.num_features}) "
                             f"or (N, {self.num_features}, L), got {tuple(x.shape)}")
        axes = (0,) if x.ndim == 2 else (0, 2)
        shape = (1, self.num_features) if x.ndim == 2 else (1, self.num_features, 1)
        use_batch_statistics = self.training or not self.track_running_stats
        if use_batch_statistics:
            count = x.numel() // self.num_features
            if self.training and count < 2:
                raise ValueError(f"BatchNorm1d: Expected more than 1 value per channel when training, "
                                 f"got input size {list(x.shape)}")
            mean = x.mean(axis=axes, keepdims=True)
            centered = x - mean
            variance = (centered * centered).mean(axis=axes, keepdims=True)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean.data.reshape(-1), variance.data.reshape(-1), count)
        else:
            centered = x - self.running_mean.data.reshape(shape)
            variance = Tensor(self.running_var.data.reshape(shape))
        out = centered / (variance + self.eps).sqrt()
        if self.affine:
            out = out * self.weight.reshape(shape) + self.bias.reshape(shape)
        return out

    def _update_running_stats(self, mean, variance, count):
        self.num_batches_tracked.data[...] += 1
        factor = 1.0 / float(self.num_batches_tracked.data) if self.momentum is None else self.momentum
        unbiased = variance * (count / (count - 1))
        self.running_mean.data[...] = (1 - factor) * self.running_mean.data + factor * mean
        self.running_var.data[...] = (1 - factor) * self.running_var.data + factor * unbiased

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")
