"""Different learning rates for different parts of a model: param groups.

Source: the course notes "learning-rate schedules" (its section on param groups).

Reproduces the notes' "实践操作" (in practice) snippet, where a multimodal model trains its
vision and text parts at different learning rates:

    optim.SGD([{'params': model.VisionModel.parameters(), 'lr': 1e-2},
               {'params': model.TextModel.parameters(), 'lr': 1e-3}], lr=1e-3, momentum=0.9)

with `optimizers.SGD` and the same arguments. The model: ``VisionModel = Linear(8, 1)`` on
"image" features and ``TextModel = Linear(6, 1)`` on "text" features, their outputs added; the
data: 200 samples of ``y = x_img @ w_img + x_txt @ w_txt + 0.1 noise``, batch 20, 20 epochs,
MSELoss. A scheduler drives both groups: `schedulers.WarmupCosineDecay` (the notes' cosine
decay with warm-up, 20 warm-up batches of 200), stepped per batch. Each group is scheduled from
its own base lr, so the ratio 10 between them holds at every step; momentum 0.9 comes from the
constructor's defaults into both groups. (The notes print nothing for this snippet; we print
``Epoch %d, lr VisionModel: %f, lr TextModel: %f, Loss: %.4f``.)

What to look at in param_groups.png: left, the two groups' learning rates on a log scale --
the same warm-up-cosine shape, a constant factor 10 apart; right, the training loss and each
sub-model's distance to its true weights: the vision part (lr 1e-2) halves its distance within
the warm-up, then settles where the best fit puts it given the text part's remaining error (on
200 samples the two feature sets are only nearly uncorrelated, so it absorbs a little of it);
the text part (lr 1e-3) takes several times longer and is still off when the lr has decayed,
so the loss plateaus at what the text part lacks.
"""

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
import schedulers
from minigrad import nn, plotting


class MultiModalModel(nn.Module):
    """Two sub-models whose outputs are added: ``VisionModel(x_img) + TextModel(x_txt)``."""

    def __init__(self, image_features, text_features):
        super().__init__()
        self.VisionModel = nn.Linear(image_features, 1)
        self.TextModel = nn.Linear(text_features, 1)

    def forward(self, x_img, x_txt):
        return self.VisionModel(x_img) + self.TextModel(x_txt)


def distance(layer, true_w, true_b):
    """Euclidean distance of a Linear(d, 1) layer's (weight, bias) from the true ones."""
    return float(np.sqrt(np.sum((layer.weight.data.ravel() - true_w) ** 2)
                         + (layer.bias.data[0] - true_b) ** 2))


WARMUP_BATCHES = 20


def train(args, run):
    """The notes' snippet on the two-part model; returns lrs (batches, 2), the batch losses
    and each part's distance to its true weights (before the first and after every batch)."""
    n, image_features, text_features = 200, 8, 6
    w_img, b_img = run.rng.normal(0, 1, image_features), 0.5
    w_txt, b_txt = run.rng.normal(0, 1, text_features), -0.5
    x_img = run.rng.standard_normal((n, image_features))
    x_txt = run.rng.standard_normal((n, text_features))
    y = (x_img @ w_img + b_img + x_txt @ w_txt + b_txt + 0.1 * run.rng.standard_normal(n))
    y = y.reshape(-1, 1)
    loader = minigrad.data.DataLoader(minigrad.data.TensorDataset(x_img, x_txt, y),
                                      batch_size=20, shuffle=True, seed=args.seed)

    model = MultiModalModel(image_features, text_features)
    optimizer = optimizers.SGD([{"params": model.VisionModel.parameters(), "lr": 1e-2},
                                {"params": model.TextModel.parameters(), "lr": 1e-3}],
                               lr=1e-3, momentum=0.9)
    epochs = 20
    total_steps = epochs * len(loader)
    scheduler = schedulers.WarmupCosineDecay(optimizer, total_steps=total_steps,
                                             warmup_steps=WARMUP_BATCHES)
    loss_fn = nn.MSELoss()

    lrs, losses = [], []
    distances = {"VisionModel": [distance(model.VisionModel, w_img, b_img)],
                 "TextModel": [distance(model.TextModel, w_txt, b_txt)]}
    for epoch in range(1, epochs + 1):
        for images, texts, target in loader:
            lrs.append([group["lr"] for group in optimizer.param_groups])
            loss = loss_fn(model(images, texts), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            distances["VisionModel"].append(distance(model.VisionModel, w_img, b_img))
            distances["TextModel"].append(distance(model.TextModel, w_txt, b_txt))
        epoch_lrs = lrs[-1]
        print("Epoch %d, lr VisionModel: %f, lr TextModel: %f, Loss: %.4f"
              % (epoch, epoch_lrs[0], epoch_lrs[1], np.mean(losses[-len(loader):])))
    momenta = [group["momentum"] for group in optimizer.param_groups]
    return np.array(lrs), losses, distances, momenta


def check(run, lrs, distances, momenta):
    after_warmup = lrs[1:]  # step 0 is lr 0 in both groups (the warm-up starts there)
    ratio = after_warmup[:, 0] / after_warmup[:, 1]
    worst = float(np.max(np.abs(ratio - 10)))
    run.check("lr VisionModel / lr TextModel at every step (max |ratio - 10|)", ours=worst,
              source=None, expected="< 1e-9", unit="absolute deviation from 10",
              why="each group is scheduled from its own base lr: equal up to rounding",
              ok=worst < 1e-9 and lrs[0, 0] == lrs[0, 1] == 0)
    peak = lrs.max(axis=0)
    run.check("peak lr per group", ours=", ".join(f"{value:g}" for value in peak),
              source="1e-2, 1e-3", expected="0.01, 0.001", unit="lr",
              why="the warm-up ends at each group's base lr exactly (relative 1e-12)",
              ok=np.allclose(peak, [1e-2, 1e-3], rtol=1e-12, atol=0))
    run.check("momentum of each group (from the constructor's defaults)",
              ours=", ".join(map(str, momenta)), source="momentum=0.9", expected="0.9, 0.9",
              unit="momentum per group", why="copied, not computed", ok=momenta == [0.9, 0.9])
    # A part that never halves its distance within the run counts as slower than any that does.
    halving = {name: next((k for k, value in enumerate(d) if value < d[0] / 2), None)
               for name, d in distances.items()}
    vision, text = halving["VisionModel"], halving["TextModel"]
    run.check("batches until the distance to the true weights halves: VisionModel, TextModel",
              ours=f"{vision}, {text if text is not None else 'not within the run'}",
              source=None, unit="batches",
              expected="TextModel (lr 1e-3) takes at least 2x as many as VisionModel (lr 1e-2), "
                       "or never halves",
              why="10x smaller lr; seeds 0-19: VisionModel 14-17, TextModel 41-76 or never",
              ok=vision is not None and vision > 0 and (text is None or 2 * vision <= text))
    after = {name: d[WARMUP_BATCHES] / d[0] for name, d in distances.items()}
    run.check(f"distance to the true weights after the {WARMUP_BATCHES} warm-up batches / at "
              "the start: VisionModel, TextModel",
              ours=f"{after['VisionModel']:.3f}, {after['TextModel']:.3f}", source=None,
              unit="fraction of the starting distance",
              expected="VisionModel's < 0.6, TextModel's > 0.75",
              why="seeds 0-19: VisionModel 0.21-0.48, TextModel 0.84-0.90. (At the end the "
                  "vision part absorbs some of the text part's error, so end-to-end ratios "
                  "cross over for some draws.)",
              ok=after["VisionModel"] < 0.6 and after["TextModel"] > 0.75)


def plot(run, lrs, losses, distances):
    fig, (left, right) = run.figure(1, 2, figsize=(13, 5))
    steps = np.arange(len(lrs))
    left.semilogy(steps[1:], lrs[1:, 0], label="VisionModel group (lr 1e-2)")
    left.semilogy(steps[1:], lrs[1:, 1], label="TextModel group (lr 1e-3)")
    left.set_title("WarmupCosineDecay on two param groups")
    left.set_xlabel("batch")
    left.set_ylabel("learning rate (log scale)")
    left.legend(loc="lower left")
    right.semilogy(steps + 1, losses, alpha=0.7, label="training loss (batch MSE)")
    right.semilogy(np.arange(len(steps) + 1), distances["VisionModel"],
                   label="|VisionModel - truth|")
    right.semilogy(np.arange(len(steps) + 1), distances["TextModel"], label="|TextModel - truth|")
    right.set_title("SGD momentum 0.9: the 10x larger lr converges sooner")
    right.set_xlabel("batch")
    right.set_ylabel("loss / distance (log scale)")
    plotting.legend_outside(right)
    run.save(fig, "param_groups.png")


def main():
    args = parse_args(__doc__)
    run = Run(args, "param_groups")
    lrs, losses, distances, momenta = train(args, run)
    check(run, lrs, distances, momenta)
    plot(run, lrs, losses, distances)
    run.finish({"lrs": lrs, "losses": losses, "distances": distances})


if __name__ == "__main__":
    main()
