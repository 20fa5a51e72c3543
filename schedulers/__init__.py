"""Learning-rate schedulers that drive `optimizer.param_groups[i]["lr"]`.

A scheduler reads and writes only the param groups' "lr" (and "initial_lr"; OneCycleLR and
CyclicLR also cycle "momentum" / beta1 of "betas" and record their bounds, "max_lr", "min_lr",
"max_momentum", "base_momentum", in the groups as torch does), so it works with every optimizer of
the `optimizers` package, or any object with a `param_groups` list of dicts holding an "lr".
Semantics and numbers follow `torch.optim.lr_scheduler` (torch 2.13): constructing a scheduler
writes step 0's lr; each `scheduler.step()` advances one step (`step(epoch)`, deprecated in
torch, works with torch's warning); `get_last_lr()`, `last_epoch`, `state_dict()` /
`load_state_dict()` work as in torch. Each param group is scheduled from its own base lr, and a
learning rate never goes negative.

Reliability: a `step()` or `load_state_dict()` that raises changes nothing (the whole state
dict is checked before anything is assigned; a ChainedScheduler whose later child fails puts
the earlier ones back), and every scheduler survives `copy.deepcopy` and `pickle` together with
its optimizer, the copy driving the copied optimizer.

A scheduler only counts `step()` calls, so you decide what a step is.

Per epoch (the step is an epoch; e.g. StepLR, MultiStepLR, CosineAnnealingLR over epochs):

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(epochs):
        for x, y in loader:
            ...                   # forward, backward
            optimizer.step()
        scheduler.step()          # after the epoch's optimizer steps

Per batch (the step is a batch; OneCycleLR, CyclicLR and the warm-up family are meant so):

    scheduler = WarmupCosineDecay(optimizer, total_steps=epochs * len(loader), warmup_steps=500)
    for epoch in range(epochs):
        for x, y in loader:
            ...
            optimizer.step()
            scheduler.step()      # after every optimizer step

ReduceLROnPlateau is stepped with the monitored metric: `scheduler.step(val_loss)`.

Contents:
  base:        LRScheduler (the base class)
  torch's:     LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR,
               ExponentialLR, PolynomialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts,
               OneCycleLR, CyclicLR, ReduceLROnPlateau, SequentialLR, ChainedScheduler,
               SWALR (torch.optim.swa_utils.SWALR; module schedulers.swa)
  the notes':  GradualWarmupScheduler, WarmupPolyDecay, WarmupCosineDecay, WarmupStableDecay,
               and `schedulers.functional` (decay_lr_poly, decay_lr_cosine, decay_lr_stable,
               gradual_warmup_lr)
  lr_curve:    the lr sequence of a scheduler without training, for plots and tests
"""

from . import functional
from .base import LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .curve import lr_curve
from .cyclic import CyclicLR, OneCycleLR
from .decay import ConstantLR, ExponentialLR, LinearLR, MultiStepLR, PolynomialLR, StepLR
from .lambda_lr import LambdaLR, MultiplicativeLR
from .plateau import ReduceLROnPlateau
from .swa import SWALR
from .warmup import GradualWarmupScheduler, WarmupCosineDecay, WarmupPolyDecay, WarmupStableDecay

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "CyclicLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "ChainedScheduler",
    "SWALR",
    "GradualWarmupScheduler",
    "WarmupPolyDecay",
    "WarmupCosineDecay",
    "WarmupStableDecay",
    "functional",
    "lr_curve",
]
