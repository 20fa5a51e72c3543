"""Warm-up then polynomial decay, per batch, on a small linear model.

Source: the course notes "learning-rate schedules", its whole flow ("整个流程代码").

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
bottom, the loss on all 100 samples above the least-squares floor after every batch (log
axis), with warm-up and for the same training without it (the same linear decay from batch 0,
the same start and batches): without warm-up the first, large steps come at once; with it the
loss falls slowly while the lr is small and fastest around the peak. Warm-up guards against
harmful large early steps; this small convex problem has none to guard against, so here it
only delays the descent.
"""

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
import schedulers
from minigrad import nn, plotting
from schedulers import course_notes


class LinearModel(nn.Module):
    """The notes' model: one ``Linear(10, 1)``."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(10, 1)

    def forward(self, x):
        return self.linear(x)


TOTAL_EPOCHS, WARMUP_EPOCHS, LR = 10, 5, 0.01


def train(args, x, y, warmup_epochs):
    """The notes' flow with ``warmup_epochs`` of warm-up (0: the same decay without it), from
    the same start and batches; returns every batch's lr, the notes' lr for it, every batch's
    loss and the loss on all 100 samples after every batch (and before the first)."""
    minigrad.manual_seed(args.seed)  # the same Linear(10, 1) start for both runs
    dataloader = minigrad.data.DataLoader(minigrad.data.TensorDataset(x, y), batch_size=10,
                                          shuffle=True, seed=args.seed)
    model = LinearModel()
    loss_fn = nn.MSELoss()
    optimizer = optimizers.Adam(model.parameters(), lr=LR)
    batches = len(dataloader)
    scheduler = schedulers.WarmupPolyDecay(optimizer, total_steps=TOTAL_EPOCHS * batches,
                                           warmup_steps=warmup_epochs * batches, power=1.0)

    def full_loss():
        with minigrad.no_grad():
            return loss_fn(model(minigrad.Tensor(x)), y).item()

    batch_lrs, notes_lrs, batch_losses, full_losses = [], [], [], [full_loss()]
    for epoch in range(TOTAL_EPOCHS):
        model.train()
        for batch_idx, (inputs, target) in enumerate(dataloader):
            batch_lr = optimizer.param_groups[0]["lr"]  # what this batch's step will use
            batch_lrs.append(batch_lr)
            notes_lrs.append(course_notes.decay_lr_poly(LR, epoch, batch_idx, TOTAL_EPOCHS,
                                                        batches, warmup_epochs, 1))
            optimizer.zero_grad()
            output = model(inputs)
            loss = loss_fn(output, target)
            loss.backward()
            optimizer.step()
            scheduler.step()
            batch_losses.append(loss.item())
            full_losses.append(full_loss())
        if warmup_epochs:
            print(f"Epoch {epoch+1}, Learning Rate: {batch_lr:.6f}, Loss Value: {loss.item()}")
    return batch_lrs, notes_lrs, batch_losses, full_losses, batches


def check(run, batch_lrs, notes_lrs, method_two, full_losses, floor, batches):
    exact = "the same arithmetic as the notes' function: equal up to rounding"
    lr_error = float(np.max(np.abs(np.array(batch_lrs) - np.array(notes_lrs))))
    run.check("lr of every batch vs the notes' decay_lr_poly (max abs diff)", ours=lr_error,
              source=None, expected="< 1e-15", unit="absolute difference in lr", why=exact,
              ok=lr_error < 1e-15)
    run.check("lr of the first batch", ours=batch_lrs[0], source=None,
              expected="0 (the warm-up starts at 0)", unit="lr", why="exact",
              ok=batch_lrs[0] == 0.0)
    peak = int(np.argmax(batch_lrs))
    run.check("batch with the largest lr", ours=peak, source=None,
              expected=f"{WARMUP_EPOCHS * batches} (first batch after the warm-up), lr {LR}",
              unit="batch index (from 0)", why="exact",
              ok=peak == WARMUP_EPOCHS * batches and abs(batch_lrs[peak] - LR) < 1e-15)
    decay_batches = (TOTAL_EPOCHS - WARMUP_EPOCHS) * batches
    last = LR * (1 - (decay_batches - 1) / decay_batches)
    run.check("lr of the last batch", ours=batch_lrs[-1], source=None,
              expected=f"{last:g} = lr * (1 - 49/50)", unit="lr", why=exact,
              ok=abs(batch_lrs[-1] - last) < 1e-15)
    expected_staircase = [LR * min(epoch, WARMUP_EPOCHS) / WARMUP_EPOCHS
                          for epoch in range(TOTAL_EPOCHS)]
    run.check("GradualWarmupScheduler lr per epoch (method two)",
              ours=", ".join(f"{value:g}" for value in method_two), source=None,
              expected="lr * epoch / 5 for epoch < 5, then lr", unit="lr", why=exact,
              ok=np.allclose(method_two, expected_staircase, rtol=0, atol=1e-15))
    gap_before = full_losses[0] - floor
    gap_after = full_losses[-1] - floor
    run.check("loss on all data minus the least-squares floor, start -> end",
              ours=f"{gap_before:.4f} -> {gap_after:.4f}", source=None,
              unit="mean squared error above the floor",
              expected="the gap shrinks at least 3x (noise data: the floor, not 0, is the target)",
              why="seeds 0-19: from 0.28..0.39 down to 0.009..0.039 (at least 9x)",
              ok=gap_after >= -1e-12 and gap_after * 3 <= gap_before)


def plot(run, batch_lrs, method_two, runs, floor, batches):
    """warmup_training.png: top, the lrs; bottom, the loss on all 100 samples above the
    least-squares floor after every batch (log axis), with and without warm-up -- the batch
    losses' noise would hide the difference."""
    fig, (top, bottom) = run.figure(2, 1, figsize=(9, 8.5), sharex=True)
    steps = np.arange(len(batch_lrs))
    top.plot(steps, batch_lrs, label="WarmupPolyDecay, per batch (method one)")
    top.plot(steps, runs["without warm-up"][0], ":", label="the same decay without warm-up")
    top.step(np.arange(TOTAL_EPOCHS + 1) * batches, np.append(method_two, method_two[-1]),
             where="post", linestyle="--",
             label="GradualWarmupScheduler, per epoch (method two)")
    top.axvline(WARMUP_EPOCHS * batches, color="gray", linestyle=":", linewidth=0.8)
    top.set_title("Learning rate: 5 epochs of warm-up, then linear decay (Adam, base lr 0.01)")
    top.set_ylabel("learning rate")
    plotting.legend_outside(top, where="below", ncol=1)
    for label, (_, full_losses) in runs.items():
        bottom.semilogy(np.arange(len(full_losses)), np.array(full_losses) - floor, label=label)
    bottom.axvline(WARMUP_EPOCHS * batches, color="gray", linestyle=":", linewidth=0.8,
                   label="end of warm-up")
    bottom.set_title("Loss on all 100 samples above the least-squares floor "
                     f"({floor:.3f}), after every batch")
    bottom.set_xlabel("batch (10 per epoch)")
    bottom.set_ylabel("MSE - floor (log)")
    bottom.legend(loc="upper right")
    run.save(fig, "warmup_training.png")


def main():
    args = parse_args(__doc__)
    run = Run(args, "warmup_training")
    x = run.rng.standard_normal((100, 10))
    y = run.rng.standard_normal((100, 1))
    design = np.hstack([x, np.ones((len(x), 1))])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    floor = float(np.mean((design @ solution - y) ** 2))
    print(f"least-squares floor (best linear fit) of the mean squared error: {floor:.6f}")

    batch_lrs, notes_lrs, batch_losses, full_losses, batches = train(args, x, y, WARMUP_EPOCHS)
    no_warmup_lrs, _, _, no_warmup_losses, _ = train(args, x, y, 0)
    print(f"without warm-up (the same decay from batch 0): loss on all data {no_warmup_losses[-1]:.6f}"
          f" after the last batch, with warm-up {full_losses[-1]:.6f}")
    method_two = schedulers.lr_curve(
        lambda opt: schedulers.GradualWarmupScheduler(opt, TOTAL_EPOCHS, WARMUP_EPOCHS),
        TOTAL_EPOCHS, base_lrs=(LR,))[:, 0]

    check(run, batch_lrs, notes_lrs, method_two, full_losses, floor, batches)
    runs = {"with warm-up (the notes)": (batch_lrs, full_losses),
            "without warm-up": (no_warmup_lrs, no_warmup_losses)}
    plot(run, batch_lrs, method_two, runs, floor, batches)
    run.finish({
        "batch_lrs": batch_lrs,
        "batch_losses": batch_losses,
        "epoch_losses": full_losses[::batches],
        "full_losses": full_losses,
        "no_warmup_full_losses": no_warmup_losses,
        "least_squares_floor": floor,
        "gradual_warmup_lrs": method_two,
    })

if __name__ == "__main__":
    main()
