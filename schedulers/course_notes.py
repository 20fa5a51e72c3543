"""The learning-rate code of the course notes "learning-rate schedules", verbatim.

These are the notes' own functions, with their names, arguments and comments, kept in one
place as the reference that the package's warm-up family (`schedulers.WarmupPolyDecay`,
`WarmupCosineDecay`, `WarmupStableDecay`, `GradualWarmupScheduler`) and
`schedulers.functional` are checked against, in the tests and in examples/lr_schedules.py
and examples/warmup_training.py. Use `schedulers.functional` or the schedulers in your own
code: outside the schedule these divide by zero or turn negative, as the notes do.

Each returns the lr of batch ``batch_i`` of epoch ``epoch_i`` (``gradual_warmup_get_lr``: of
epoch ``last_epoch``, for one param group).
"""

import numpy as np


def decay_lr_poly(base_lr, epoch_i, batch_i, total_epochs, total_batches, warm_up, power=1.0):
    '''
    base_lr: 初始化学习率
    epoch_i, batch_i, total_epochs, total_batches: 第i次epoch/batch;总共的epoch/batch
    warm_up: 训练到多少轮次,才变成开始设定学习率
    '''
    if warm_up > 0 and epoch_i < warm_up:
        rate = (epoch_i * total_batches + batch_i) / (warm_up * total_batches)
    else:
        # 学习率衰减
        rate = np.power(
            1.0 - ((epoch_i - warm_up) * total_batches + batch_i) / ((total_epochs - warm_up) * total_batches),
            power)
    return rate * base_lr


def decay_lr_cosine(base_lr, epoch_i, batch_i, total_epochs, total_batches, warm_up):
    # decay_lr_poly with the notes' "cosine decay schedule" lines as its decay branch
    if warm_up > 0 and epoch_i < warm_up:
        rate = (epoch_i * total_batches + batch_i) / (warm_up * total_batches)
    else:
        progress = (epoch_i - warm_up) * total_batches + batch_i
        cosine_decay = 0.5 * (1.0 + np.cos(np.pi * progress / ((total_epochs - warm_up) * total_batches)))
        rate = cosine_decay
    return rate * base_lr


def decay_lr_stable(base_lr, epoch_i, batch_i, total_epochs, total_batches, warm_up, stable_epochs=0):
    if warm_up > 0 and epoch_i < warm_up:
        # Warmup阶段
        rate = (epoch_i * total_batches + batch_i) / (warm_up * total_batches)
    elif epoch_i < warm_up + stable_epochs:
        # Stable阶段
        rate = 1.0 # 学习率保持为base_lr
    else:
        # Decay阶段
        progress = (epoch_i - warm_up - stable_epochs) * total_batches + batch_i
        cosine_decay = 0.5 * (1.0 + np.cos(np.pi * progress / ((total_epochs - warm_up - stable_epochs) * total_batches)))
        rate = cosine_decay
    return rate * base_lr


def gradual_warmup_get_lr(base_lr, last_epoch, warmup_epochs):
    # GradualWarmupScheduler.get_lr of the notes, for one param group
    if last_epoch < warmup_epochs:
        return base_lr * last_epoch / warmup_epochs
    return base_lr
