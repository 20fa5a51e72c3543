"""Warm-up then polynomial decay, per batch, on a small linear model (seed 002's whole flow).

Reproduces the notes' "整个流程代码" (the whole flow): ``Linear(10, 1)`` on 100 random samples
(x and y standard normal), batch 10 with shuffling, ``MSELoss``, Adam with lr 0.01, 10 epochs
of which 5 warm up. The notes set every batch's lr by hand with ``decay_lr_poly`` (method one:
linear warm-up from 0 to lr over 5 epochs, then a linear -- power 1 -- decay towards 0); here
`schedulers.WarmupPolyDecay` does it, stepped after every ``optimizer.step()``, with
``total_steps = 10 * len(loader)`` and ``warmup_steps = 5 * len(loader)``. The notes' function
is transcribed below and a check proves every batch got exactly its lr. The notes print, per
epoch, the last batch's lr and loss:
``Epoch {epoch+1}, Learning Rate: {batch_lr:.6f}, Loss Value: {loss.item()}`` (same here).

The notes also show method two, ``GradualWarmupScheduler`` stepped per epoch (warm up over 5
epochs, then constant); its lr curve is drawn for comparison (no training with it).

The data are pure noise (y does not depend on x), so the best any linear model can do is the
least-squares fit, whose mean squared error is printed: training should approach it, not 0.

What to look at in warmup_training.png: top, the lr of every batch (0 at the first batch,
0.01 at batch 50, back down to 0.0002 at the last) against method two's per-epoch staircase;
bottom, the loss of every batch and the loss on all 100 samples after each epoch, falling
towards the least-squares floor -- slowly while the lr is small, fastest around the peak.
"""

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
import schedulers
from minigrad import nn


def notes_decay_lr_poly(base_lr, epoch_i, batch_i, total_epochs, total_batches, warm_up, power=1.0):
    """The notes' ``decay_lr_poly``, verbatim: the reference the scheduler is checked against."""
    if warm_up > 0 and epoch_i < warm_up:
        rate = (epoch_i * total_batches + batch_i) / (warm_up * total_batches)
    else:
        rate = np.power(
            1.0 - ((epoch_i - warm_up) * total_batches + batch_i)
            / ((total_epochs - warm_up) * total_batches),
            power)
    return rate * base_lr


class LinearModel(nn.Module):
    """The notes' model: one ``Linear(10, 1)``."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(10, 1)

    def forward(self, x):
        return self.linear(x)


def main():
    args = parse_args(__doc__)
    run = Run(args, "warmup_training")
    x = run.rng.standard_normal((100, 10))
    y = run.rng.standard_normal((100, 1))
    dataloader = minigrad.data.DataLoader(minigrad.data.TensorDataset(x, y), batch_size=10,
                                          shuffle=True, seed=args.seed)
    model = LinearModel()
    loss_fn = nn.MSELoss()
    total_epochs, warmup_epochs, lr = 10, 5, 0.01
    optimizer = optimizers.Adam(model.parameters(), lr=lr)
    batches = len(dataloader)
    scheduler = schedulers.WarmupPolyDecay(optimizer, total_steps=total_epochs * batches,
                                           warmup_steps=warmup_epochs * batches, power=1.0)

    def full_loss():
        with minigrad.no_grad():
            return loss_fn(model(minigrad.Tensor(x)), y).item()

    design = np.hstack([x, np.ones((len(x), 1))])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    floor = float(np.mean((design @ solution - y) ** 2))
    print(f"least-squares floor (best linear fit) of the mean squared error: {floor:.6f}")

    batch_lrs, notes_lrs, batch_losses, epoch_losses = [], [], [], [full_loss()]
    for epoch in range(total_epochs):
        model.train()
        for batch_idx, (inputs, target) in enumerate(dataloader):
            batch_lr = optimizer.param_groups[0]["lr"]  # what this batch's step will use
            batch_lrs.append(batch_lr)
            notes_lrs.append(notes_decay_lr_poly(lr, epoch, batch_idx, total_epochs, batches,
                                                 warmup_epochs, 1))
            optimizer.zero_grad()
            output = model(inputs)
            loss = loss_fn(output, target)
            loss.backward()
            optimizer.step()
            scheduler.step()
            batch_losses.append(loss.item())
        epoch_losses.append(full_loss())
        print(f"Epoch {epoch+1}, Learning Rate: {batch_lr:.6f}, Loss Value: {loss.item()}")

    method_two = schedulers.lr_curve(
        lambda opt: schedulers.GradualWarmupScheduler(opt, total_epochs, warmup_epochs),
        total_epochs, base_lrs=(lr,))[:, 0]

    lr_error = float(np.max(np.abs(np.array(batch_lrs) - np.array(notes_lrs))))
    run.check("lr of every batch vs the notes' decay_lr_poly (max abs diff)", ours=lr_error,
              source=None, expected="< 1e-15", ok=lr_error < 1e-15)
    run.check("lr of the first batch", ours=batch_lrs[0], source=None,
              expected="0 (the warm-up starts at 0)", ok=batch_lrs[0] == 0.0)
    peak = int(np.argmax(batch_lrs))
    run.check("batch with the largest lr", ours=peak, source=None,
              expected=f"{warmup_epochs * batches} (first batch after the warm-up), lr {lr}",
              ok=peak == warmup_epochs * batches and abs(batch_lrs[peak] - lr) < 1e-15)
    decay_batches = (total_epochs - warmup_epochs) * batches
    last = lr * (1 - (decay_batches - 1) / decay_batches)
    run.check("lr of the last batch", ours=batch_lrs[-1], source=None,
              expected=f"{last:g} = lr * (1 - 49/50)", ok=abs(batch_lrs[-1] - last) < 1e-15)
    expected_staircase = [lr * min(epoch, warmup_epochs) / warmup_epochs
                          for epoch in range(total_epochs)]
    run.check("GradualWarmupScheduler lr per epoch (method two)",
              ours=", ".join(f"{value:g}" for value in method_two), source=None,
              expected="lr * epoch / 5 for epoch < 5, then lr",
              ok=np.allclose(method_two, expected_staircase, rtol=0, atol=1e-15))
    gap_before = epoch_losses[0] - floor
    gap_after = epoch_losses[-1] - floor
    run.check("loss on all data minus the least-squares floor, start -> end",
              ours=f"{gap_before:.4f} -> {gap_after:.4f}", source=None,
              expected="the gap shrinks at least 3x (noise data: the floor, not 0, is the target)",
              ok=gap_after >= -1e-12 and gap_after * 3 <= gap_before)

    fig, (top, bottom) = run.figure(2, 1, figsize=(8, 7), sharex=True)
    steps = np.arange(len(batch_lrs))
    top.plot(steps, batch_lrs, label="WarmupPolyDecay, per batch (method one)")
    top.step(np.arange(total_epochs + 1) * batches, np.append(method_two, method_two[-1]),
             where="post", linestyle="--",
             label="GradualWarmupScheduler, per epoch (method two)")
    top.axvline(warmup_epochs * batches, color="gray", linestyle=":", linewidth=0.8,
                label="end of warm-up")
    top.set_title("Learning rate: 5 epochs of warm-up, then linear decay (Adam, base lr 0.01)")
    top.set_ylabel("learning rate")
    top.legend(fontsize="small")
    bottom.plot(steps, batch_losses, alpha=0.6, label="loss of each batch")
    bottom.plot(np.arange(total_epochs + 1) * batches, epoch_losses, "o-",
                label="loss on all 100 samples")
    bottom.axhline(floor, color="black", linestyle=":", linewidth=0.8,
                   label=f"least-squares floor {floor:.3f}")
    bottom.set_title("Loss (MSE) of Linear(10, 1) on random data")
    bottom.set_xlabel("batch (10 per epoch)")
    bottom.set_ylabel("mean squared error")
    bottom.legend(fontsize="small")
    run.save(fig, "warmup_training.png")

    run.finish({
        "batch_lrs": batch_lrs,
        "batch_losses": batch_losses,
        "epoch_losses": epoch_losses,
        "least_squares_floor": floor,
        "gradual_warmup_lrs": method_two,
    })


if __name__ == "__main__":
    main()
