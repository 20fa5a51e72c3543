"""The learning-rate functions of "course notes: learning-rate schedules", as plain functions.

Each returns the lr of batch `batch_i` of epoch `epoch_i`; the notes call them once per batch:

    for epoch in range(total_epochs):
        for batch_i, batch in enumerate(loader):
            lr = decay_lr_poly(base_lr, epoch, batch_i, total_epochs, len(loader), warm_up)
            for group in optimizer.param_groups:
                group["lr"] = lr
            ...

With s = epoch_i * total_batches + batch_i the global batch index, W = warm_up * total_batches
the warm-up length and D the decay length (both in batches), every function starts with the
linear warm-up lr = base_lr * s / W (for warm_up > 0 and epoch_i < warm_up) and then decays with
progress p = (s - decay start) / D from base_lr to its end value. Inside the schedule the results
are the notes' numbers exactly (same operations, same numpy calls). Where the notes divide by
zero or leave the schedule, these functions return the limit instead, and say so:

* a decay phase of zero length (total_epochs == warm_up [+ stable_epochs]) is already over:
  it gives its end value (0, or the min_lr floor), the limit of p -> 1;
* past the end (s > total_epochs * total_batches) the lr stays at that end value, where the
  notes' polynomial would turn negative (or NaN for a fractional power).

Bad arguments (negative counts, warm_up > total_epochs, batch_i >= total_batches) raise
ValueError / TypeError naming them.
"""

import operator

import numpy as np

DECAY_SHAPES = ("cosine", "linear", "1-sqrt", "exp")


def _check_schedule(epoch_i, batch_i, total_epochs, total_batches, warm_up, stable_epochs=0):
    for name, value in (("epoch_i", epoch_i), ("batch_i", batch_i),
                        ("total_epochs", total_epochs), ("total_batches", total_batches),
                        ("warm_up", warm_up), ("stable_epochs", stable_epochs)):
        try:
            operator.index(value)
        except TypeError:
            raise TypeError(f"{name} must be an int, got {value!r}") from None
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if total_batches < 1:
        raise ValueError(f"total_batches must be >= 1, got {total_batches}")
    if batch_i >= total_batches:
        raise ValueError(f"batch_i must be < total_batches ({total_batches}), got {batch_i}")
    if warm_up + stable_epochs > total_epochs:
        raise ValueError(f"warm_up ({warm_up}) + stable_epochs ({stable_epochs}) must not exceed "
                         f"total_epochs ({total_epochs})")


def _decay_position(epoch_i, batch_i, total_epochs, total_batches, decay_start):
    """(batches into the decay phase, clamped to its length; decay length in batches)."""
    length = (total_epochs - decay_start) * total_batches
    progress = (epoch_i - decay_start) * total_batches + batch_i
    return min(progress, length), length


def _warming_up(epoch_i, warm_up):
    return warm_up > 0 and epoch_i < warm_up


def _warmup_rate(epoch_i, batch_i, total_batches, warm_up):
    return (epoch_i * total_batches + batch_i) / (warm_up * total_batches)


def _cosine_decay(progress, length):
    """0.5 * (1 + cos(pi * progress / length)), the notes' cosine; 0 for an empty decay."""
    if length == 0:
        return 0.0
    return 0.5 * (1.0 + np.cos(np.pi * progress / length))


def _decay_shape(decay, progress, length):
    """The "cosine", "linear" or "1-sqrt" decay from 1 to 0 at progress / length."""
    if decay == "cosine":
        return _cosine_decay(progress, length)
    fraction = progress / length if length else 1.0
    if decay == "linear":
        return 1.0 - fraction
    return 1.0 - np.sqrt(fraction)


def gradual_warmup_lr(base_lr, epoch, warmup_epochs):
    """Method two of the notes (`GradualWarmupScheduler.get_lr`):

        lr = base_lr * epoch / warmup_epochs   for epoch < warmup_epochs,   base_lr afterwards.

    The warm-up starts at lr = 0 (epoch 0). warmup_epochs = 0 means no warm-up.
    """
    if epoch < warmup_epochs:
        return base_lr * epoch / warmup_epochs
    return base_lr


def decay_lr_poly(base_lr, epoch_i, batch_i, total_epochs, total_batches, warm_up, power=1.0):
    """Method one of the notes: linear warm-up, then polynomial decay to 0.

        warm-up (warm_up > 0, epoch_i < warm_up):
            lr = base_lr * (epoch_i * total_batches + batch_i) / (warm_up * total_batches)
        decay:
            lr = base_lr * (1 - ((epoch_i - warm_up) * total_batches + batch_i)
                                / ((total_epochs - warm_up) * total_batches)) ** power

    Limits: an empty decay phase gives 0 (1 for power = 0); past the end the lr stays there.
    """
    _check_schedule(epoch_i, batch_i, total_epochs, total_batches, warm_up)
    if power < 0:
        raise ValueError(f"power must be >= 0, got {power}")
    if _warming_up(epoch_i, warm_up):
        rate = _warmup_rate(epoch_i, batch_i, total_batches, warm_up)
    else:
        progress, length = _decay_position(epoch_i, batch_i, total_epochs, total_batches, warm_up)
        fraction = progress / length if length else 1.0
        rate = np.power(1.0 - fraction, power)
    return float(rate * base_lr)


def decay_lr_cosine(base_lr, epoch_i, batch_i, total_epochs, total_batches, warm_up, min_lr=0.0):
    """Method one with the notes' cosine decay ("cosine decay schedule"):

        warm-up as in `decay_lr_poly`, then with progress = (epoch_i - warm_up) * total_batches
        + batch_i and D = (total_epochs - warm_up) * total_batches:
            lr = min_lr + (base_lr - min_lr) * 0.5 * (1 + cos(pi * progress / D))

    min_lr = 0 (the notes) gives base_lr * 0.5 * (1 + cos(...)) exactly; the warm-up still starts
    at 0. Limits: an empty decay phase gives min_lr; past the end the lr stays at min_lr.
    """
    _check_schedule(epoch_i, batch_i, total_epochs, total_batches, warm_up)
    if not min_lr >= 0:
        raise ValueError(f"min_lr must be >= 0, got {min_lr}")
    if _warming_up(epoch_i, warm_up):
        return float(_warmup_rate(epoch_i, batch_i, total_batches, warm_up) * base_lr)
    progress, length = _decay_position(epoch_i, batch_i, total_epochs, total_batches, warm_up)
    return float(min_lr + (base_lr - min_lr) * _cosine_decay(progress, length))


def decay_lr_stable(base_lr, epoch_i, batch_i, total_epochs, total_batches, warm_up,
                    stable_epochs=0, *, decay="cosine", min_lr_ratio=0.0):
    """Warmup-Stable-Decay (the notes' `decay_lr_stable`; MiniCPM, arXiv 2404.06395):

        warm-up as in `decay_lr_poly`;
        stable (epoch_i < warm_up + stable_epochs):  lr = base_lr;
        decay, with progress p = ((epoch_i - warm_up - stable_epochs) * total_batches + batch_i)
               / ((total_epochs - warm_up - stable_epochs) * total_batches) and r = min_lr_ratio:
            "cosine" (the notes):  lr = base_lr * (r + (1 - r) * 0.5 * (1 + cos(pi * p)))
            "linear":              lr = base_lr * (r + (1 - r) * (1 - p))
            "1-sqrt":              lr = base_lr * (r + (1 - r) * (1 - sqrt(p)))
            "exp" (MiniCPM):       lr = base_lr * r ** p

    "exp" is MiniCPM's exponential decay f = 0.5 ** (steps / half_life) with the half-life
    D * ln 2 / ln(1 / r) that makes the decay end at r * base_lr; it needs 0 < r (an exponential
    never reaches 0). decay="cosine", min_lr_ratio=0 is the notes' function exactly.
    Limits: an empty decay phase gives r * base_lr; past the end the lr stays there.
    """
    _check_schedule(epoch_i, batch_i, total_epochs, total_batches, warm_up, stable_epochs)
    if decay not in DECAY_SHAPES:
        raise ValueError(f"decay must be one of {DECAY_SHAPES}, got {decay!r}")
    if not 0 <= min_lr_ratio <= 1:
        raise ValueError(f"min_lr_ratio must be in [0, 1], got {min_lr_ratio}")
    if decay == "exp" and min_lr_ratio == 0:
        raise ValueError("decay='exp' needs min_lr_ratio > 0: an exponential decay never reaches 0")
    if _warming_up(epoch_i, warm_up):
        rate = _warmup_rate(epoch_i, batch_i, total_batches, warm_up)
    elif epoch_i < warm_up + stable_epochs:
        rate = 1.0
    else:
        progress, length = _decay_position(epoch_i, batch_i, total_epochs, total_batches,
                                           warm_up + stable_epochs)
        if decay == "exp":
            fraction = progress / length if length else 1.0
            rate = np.power(min_lr_ratio, fraction)
        else:
            rate = min_lr_ratio + (1.0 - min_lr_ratio) * _decay_shape(decay, progress, length)
    return float(rate * base_lr)
