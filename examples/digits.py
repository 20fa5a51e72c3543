"""Handwritten digits: every optimizer of the package trains the same small MLP.

Data: the UCI optical handwritten digits shipped with minigrad (``minigrad.data.load_digits``:
1797 grey 8x8 images, pixels scaled to [0, 1]; fixed stratified split, 1442 train / 355 test).
Model: ``Linear(64, 64) -> ReLU -> Linear(64, 10)`` (torch's default init, seeded), softmax
cross-entropy (``nn.CrossEntropyLoss``), minibatches of 32 reshuffled every epoch
(``DataLoader(shuffle=True)``), 10 epochs. Every optimizer -- SGD, SGD with momentum 0.9,
Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, NAdam, RAdam, Lion -- runs at its own tuned
learning rate with the same schedule: one epoch of linear warm-up, then cosine decay to 0
(``schedulers.WarmupCosineDecay``, stepped every batch; the warm-up and cosine formulas of the
"course notes: learning-rate schedules").

The learning rates were tuned with ``--tune``: for each optimizer a grid of rates a factor ~3
apart, trained on 1154 training images and scored on the other 288 (validation; the test images
are never used for tuning), mean over 2 seeds; the best rate is kept in LEARNING_RATES. Then Adam
and SGD with momentum are retrained with 5 seeds (initialisation and batch order) to show the
seed-to-seed spread. Printed: per optimizer its learning rate, final training loss and test
accuracy; per seed the test accuracies of Adam and SGD momentum, with mean, standard deviation and
range. Checks: test accuracy >= 97% for Adam and for SGD with momentum (the run at --seed, and the
mean over the 5 seeds). Figures: ``digits_accuracy.png`` (test accuracy and training loss per
epoch, every optimizer), ``digits_confusion.png`` (Adam's confusion matrix on the test set) and
``digits_misclassified.png`` (the test digits Adam gets wrong, with true and predicted labels).
``--quick`` trains only SGD, SGD momentum and Adam, with 3 seeds (about 3 s instead of about 10 s).
"""

import sys
import time

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
import schedulers
from minigrad import nn
from minigrad.data import DataLoader, TensorDataset, load_digits

HIDDEN = 64
EPOCHS = 10
BATCH_SIZE = 32
TARGET_ACCURACY = 0.97  # Adam and SGD with momentum, mean over seeds
SINGLE_RUN_FLOOR = 0.965  # one run: the lowest of seeds 0-19 was 96.62% (SGD momentum, seed 1)
# label: (registered optimizer name, tuned learning rate, extra arguments)
LEARNING_RATES = {
    "SGD": ("sgd", 1.0, {}),
    "SGD momentum 0.9": ("sgd", 0.1, {"momentum": 0.9}),
    "Adagrad": ("adagrad", 0.3, {}),
    "RMSprop": ("rmsprop", 0.03, {}),
    "Adadelta": ("adadelta", 3.0, {}),
    "Adam": ("adam", 0.03, {}),
    "AdamW": ("adamw", 0.03, {}),
    "Adamax": ("adamax", 0.1, {}),
    "NAdam": ("nadam", 0.03, {}),
    "RAdam": ("radam", 0.1, {}),
    "Lion": ("lion", 0.003, {}),
}
QUICK_LABELS = ["SGD", "SGD momentum 0.9", "Adam"]
SPREAD_LABELS = ["Adam", "SGD momentum 0.9"]
TUNING_GRID = {
    "SGD": [0.1, 0.3, 1.0, 3.0], "SGD momentum 0.9": [0.03, 0.1, 0.3, 1.0],
    "Adagrad": [0.03, 0.1, 0.3, 1.0], "RMSprop": [3e-3, 0.01, 0.03, 0.1], "Adadelta": [1.0, 3.0, 10.0, 30.0],
    "Adam": [3e-3, 0.01, 0.03, 0.1], "AdamW": [3e-3, 0.01, 0.03, 0.1], "Adamax": [0.01, 0.03, 0.1, 0.3],
    "NAdam": [3e-3, 0.01, 0.03, 0.1], "RAdam": [0.01, 0.03, 0.1, 0.3], "Lion": [1e-3, 3e-3, 0.01, 0.03],
}
VALIDATION_SIZE = 288


def make_model(seed):
    minigrad.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10))


def accuracy(model, images, labels):
    with minigrad.no_grad():
        return float(np.mean(model(images).data.argmax(axis=1) == labels))


def train(label, lr, train_set, eval_set, seed):
    """Train one model; returns (model, per-epoch test accuracy, per-epoch mean training loss)."""
    name, _, extra = LEARNING_RATES[label]
    model = make_model(seed)
    # ~5,000 parameters: the plain numpy update is as fast as a kernel and needs no compiling.
    optimizer = optimizers.create(name, model.parameters(), lr=lr, backend="numpy", **extra)
    loader = DataLoader(TensorDataset(*train_set), batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    scheduler = schedulers.WarmupCosineDecay(optimizer, total_steps=EPOCHS * len(loader),
                                             warmup_steps=len(loader))
    loss_fn = nn.CrossEntropyLoss()
    accuracies, losses = [], []
    for _ in range(EPOCHS):
        epoch_losses = []
        for images, labels in loader:
            loss = loss_fn(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            epoch_losses.append(loss.item())
        losses.append(float(np.mean(epoch_losses)))
        accuracies.append(accuracy(model, *eval_set))
    return model, accuracies, losses


def tune(train_images, train_labels):
    """The learning-rate search behind LEARNING_RATES, on a validation split of the training set."""
    order = np.random.default_rng(123).permutation(len(train_labels))
    validation, fit = order[:VALIDATION_SIZE], order[VALIDATION_SIZE:]
    print(f"tuning on {len(fit)} training / {len(validation)} validation images, mean of seeds 0 and 1")
    for label, grid in TUNING_GRID.items():
        scores = [np.mean([train(label, lr, (train_images[fit], train_labels[fit]),
                                 (train_images[validation], train_labels[validation]), seed)[1][-1]
                           for seed in (0, 1)]) for lr in grid]
        best = grid[int(np.argmax(scores))]
        table = ", ".join(f"{lr:g}: {100 * score:.2f}%" for lr, score in zip(grid, scores))
        print(f"{label:18s} best lr {best:<6g} ({table})", flush=True)


def confusion_matrix(predicted, labels):
    matrix = np.zeros((10, 10), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def plot_curves(run, curves):
    fig, (left, right) = run.figure(1, 2, figsize=(12, 4.8))
    epochs = np.arange(1, EPOCHS + 1)
    styles = ["-", "--", ":", "-."]
    for index, (label, (accuracies, losses)) in enumerate(curves.items()):
        style = dict(linestyle=styles[index % len(styles)], marker="o", markersize=3)
        left.plot(epochs, 100 * np.array(accuracies), label=label, **style)
        right.semilogy(epochs, losses, label=label, **style)
    left.axhline(100 * TARGET_ACCURACY, color="gray", linewidth=0.8)
    left.set_ylim(80, 100.5)  # epoch 1 (mid warm-up) sits lower for some optimizers
    left.set_xlabel("epoch")
    left.set_ylabel("test accuracy (%)")
    left.set_title("Test accuracy (gray: 97%)")
    right.set_xlabel("epoch")
    right.set_ylabel("mean training loss over the epoch (log scale)")
    right.set_title("Training loss: warm-up 1 epoch, then cosine decay")
    right.legend(fontsize=8, loc="upper right", ncol=2)
    run.save(fig, "digits_accuracy.png")


def plot_confusion(run, matrix, label):
    fig, ax = run.figure(figsize=(6, 5.2))
    image = ax.imshow(matrix, cmap="Blues")
    for true in range(10):
        for predicted in range(10):
            if matrix[true, predicted]:
                color = "white" if matrix[true, predicted] > matrix.max() / 2 else "black"
                ax.text(predicted, true, matrix[true, predicted], ha="center", va="center", color=color, fontsize=9)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(f"{label}: confusion matrix on the {matrix.sum()} test digits")
    fig.colorbar(image, ax=ax, fraction=0.046)
    run.save(fig, "digits_confusion.png")


def plot_misclassified(run, images, labels, predicted, label):
    wrong = np.flatnonzero(predicted != labels)
    columns = max(min(len(wrong), 8), 1)
    rows = max(int(np.ceil(len(wrong) / columns)), 1)
    fig, axes = run.figure(rows, columns, figsize=(1.5 * columns, 1.75 * rows + 0.5), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), wrong):
        ax.imshow(images[index].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"true {labels[index]}, said {predicted[index]}", fontsize=8)
    fig.suptitle(f"{label}: the {len(wrong)} misclassified test digits")
    run.save(fig, "digits_misclassified.png")


def main():
    args = parse_args(__doc__, extra=lambda parser: parser.add_argument(
        "--tune", action="store_true", help="run the learning-rate search on a validation split and exit"))
    run = Run(args, "digits")
    train_set = load_digits("train", flatten=True)
    test_set = load_digits("test", flatten=True)
    if args.tune:
        tune(*train_set)
        return 0
    started = time.perf_counter()
    labels = QUICK_LABELS if args.quick else list(LEARNING_RATES)
    seeds = [args.seed + offset for offset in range(3 if args.quick else 5)]

    print(f"{len(train_set[1])} training and {len(test_set[1])} test digits; MLP 64-{HIDDEN}-10, "
          f"{EPOCHS} epochs of batches of {BATCH_SIZE}, warm-up 1 epoch + cosine decay\n")
    print(f"{'optimizer':18s} {'lr':>7s} {'final train loss':>17s} {'test accuracy':>14s}")
    curves, final, models = {}, {}, {}
    for label in labels:
        lr = LEARNING_RATES[label][1]
        model, accuracies, losses = train(label, lr, train_set, test_set, args.seed)
        curves[label], final[label], models[label] = (accuracies, losses), accuracies[-1], model
        print(f"{label:18s} {lr:7g} {losses[-1]:17.4f} {100 * accuracies[-1]:13.2f}%")

    print(f"\nseed-to-seed spread over seeds {seeds} (initialisation and batch order):")
    spread = {}
    for label in SPREAD_LABELS:
        per_seed = [final[label] if seed == args.seed else
                    train(label, LEARNING_RATES[label][1], train_set, test_set, seed)[1][-1] for seed in seeds]
        spread[label] = per_seed
        values = 100 * np.array(per_seed)
        print(f"{label:18s} " + " ".join(f"{v:6.2f}%" for v in values) +
              f"   mean {values.mean():.2f}%, std {values.std(ddof=1):.2f}, range {values.min():.2f}-{values.max():.2f}%")

    for label in SPREAD_LABELS:
        run.check(f"{label}: test accuracy (seed {args.seed})", 100 * final[label], None,
                  f">= {100 * SINGLE_RUN_FLOOR:g}%", final[label] >= SINGLE_RUN_FLOOR,
                  unit=f"% of the {len(test_set[1])} test digits classified correctly",
                  why="one run depends on its initialisation and batch order: over seeds 0-19 "
                      "(full runs) Adam gave 97.18-98.59%, SGD momentum 96.62-98.31%; the 97% "
                      "target is checked on the mean over seeds, next")
        mean = float(np.mean(spread[label]))
        run.check(f"{label}: mean test accuracy over {len(seeds)} seeds", 100 * mean, None,
                  f">= {100 * TARGET_ACCURACY:g}%", mean >= TARGET_ACCURACY,
                  unit="% of the test digits, mean over seeds",
                  why="averages out one unlucky initialisation or data order: over seeds 0-19 "
                      "(full runs) the mean was 97.46-97.97% (Adam), 97.46-97.86% (SGD momentum)")

    best = "Adam"
    with minigrad.no_grad():
        predicted = models[best](test_set[0]).data.argmax(axis=1)
    matrix = confusion_matrix(predicted, test_set[1])
    plot_curves(run, curves)
    plot_confusion(run, matrix, best)
    plot_misclassified(run, test_set[0], test_set[1], predicted, best)
    print(f"\n{best}: {int((predicted != test_set[1]).sum())} of {len(predicted)} test digits misclassified; "
          f"{time.perf_counter() - started:.1f} s")

    failed = [c["name"] for c in run.checks if not c["ok"]]
    print(f"{len(run.checks) - len(failed)}/{len(run.checks)} checks passed" +
          (f"; failed: {failed}" if failed else ""))
    run.finish({"test_accuracy": final, "learning_rates": {label: LEARNING_RATES[label][1] for label in labels},
                "curves": {label: {"test_accuracy": c[0], "train_loss": c[1]} for label, c in curves.items()},
                "seeds": seeds, "seed_accuracies": spread, "confusion_matrix": matrix})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
