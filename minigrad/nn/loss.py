"""Loss modules: `MSELoss`, `L1Loss`, `HuberLoss`, `CrossEntropyLoss`, `NLLLoss`, `BCELoss`,
`BCEWithLogitsLoss` -- thin wrappers over `minigrad.nn.functional` holding the options, called as
``loss_fn(prediction, target)`` like their PyTorch namesakes.  Class weights are buffers (saved
by ``state_dict``), as in torch."""

import numpy as np

from ..tensor import Tensor
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        F._check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """``(input - target)**2`` reduced by ``reduction`` ("mean" | "sum" | "none"); see `functional.mse_loss`."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """``|input - target|`` reduced by ``reduction``; see `functional.l1_loss`."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, linear above, reduced by ``reduction``; see `functional.huber_loss`."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        F._check_delta(delta, "HuberLoss")
        self.delta = float(delta)

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self):
        options = [super().extra_repr(), f"delta={self.delta}"]
        return ", ".join(option for option in options if option)


def _weight_buffer(value, loss_name, what):
    if value is None:
        return None
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    if array.dtype.kind not in "iuf" or array.ndim == 0:
        raise TypeError(f"{loss_name}: {what} must be a 1-D numeric array or Tensor, got {array!r}")
    return Tensor(array.astype(np.float64) if array.dtype.kind != "f" else array)


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _weight_buffer(weight, type(self).__name__, "weight"))


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits against class indices or class probabilities, with
    ``weight``, ``ignore_index``, ``label_smoothing`` and ``reduction``; see
    `functional.cross_entropy`."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, reduction)
        F._check_ignore_index(ignore_index, "CrossEntropyLoss")
        F._check_number(label_smoothing, "CrossEntropyLoss", "label_smoothing", 0, 1)
        self.ignore_index = int(ignore_index)
        self.label_smoothing = float(label_smoothing)

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities; see `functional.nll_loss`."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        F._check_ignore_index(ignore_index, "NLLLoss")
        self.ignore_index = int(ignore_index)

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities in [0, 1]; see `functional.binary_cross_entropy`."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + binary cross-entropy on logits, stable, with ``pos_weight``; see
    `functional.binary_cross_entropy_with_logits`."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", _weight_buffer(pos_weight, "BCEWithLogitsLoss", "pos_weight"))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)
