"""Loss modules: `MSELoss`, `L1Loss`, `HuberLoss` -- thin wrappers over `minigrad.nn.functional`
holding the options, called as ``loss_fn(prediction, target)`` like their PyTorch namesakes."""

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
