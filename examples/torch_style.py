"""The course notes' two PyTorch snippets, line for line with minigrad.

Source: the course notes "momentum, AdaGrad, RMSProp, Adam", sections 3 and 6.

Momentum (section 3): ``nn.Linear(10, 1)``, ``nn.MSELoss()``, ``SGD(lr=0.01, momentum=0.9)``
on 100 random inputs and targets, 10 full-batch epochs, printing
``Epoch [{}/{}], Loss: {:.4f}``. Adam (section 6): a ``SimpleModel`` wrapping
``nn.Linear(10, 1)``, ``Adam(lr=0.001)`` on a batch of 32, one step, printing ``Loss: `` and the
loss. Only the imports change: ``minigrad.nn`` for ``torch.nn``, ``optimizers`` for
``torch.optim``, numpy's generator for ``torch.randn`` (so the numbers differ from a torch run;
the notes print none to compare with).

The checks recompute the momentum run with plain numpy -- the MSE gradient written out and
torch's heavy-ball update (b <- g on the first step, then b <- 0.9 b + g; p <- p - lr b) -- and
compare all 10 losses; and verify Adam's first step: with bias correction m_hat = g and
v_hat = g * g, so every parameter moves by lr * g / (|g| + eps), i.e. by lr = 0.001 whatever
the size of its gradient.

What to look at in torch_style.png: left, the 10 momentum epochs against plain SGD (same start,
momentum 0): momentum's steps grow as the velocity builds up, so its loss falls faster; right,
Adam's first step per parameter, all 0.001 (the dashed lr), next to the gradients, which span
more than a decade.
"""

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
from minigrad import nn


class SimpleModel(nn.Module):
    """The notes' Adam snippet model: one ``Linear(10, 1)`` (input 10, output 1)."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(10, 1)

    def forward(self, x):
        return self.linear(x)


def momentum_snippet(inputs, targets, momentum, verbose):
    """The notes' momentum loop; returns the loss of each epoch (before that epoch's step)."""
    model = nn.Linear(10, 1)
    criterion = nn.MSELoss()
    optimizer = optimizers.SGD(model.parameters(), lr=0.01, momentum=momentum)
    start = (model.weight.data.copy(), model.bias.data.copy())
    losses = []
    for epoch in range(10):
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if verbose:
            print('Epoch [{}/{}], Loss: {:.4f}'.format(epoch + 1, 10, loss.item()))
    return losses, start


def numpy_heavy_ball(inputs, targets, weight, bias, lr, momentum, epochs):
    """The same run in plain numpy: MSE gradient written out, torch's momentum update."""
    weight, bias = weight.copy(), bias.copy()
    buffers = None
    losses = []
    for _ in range(epochs):
        residual = inputs @ weight.T + bias - targets          # (n, 1)
        losses.append(float(np.mean(residual ** 2)))
        grads = (2 / residual.size * residual.T @ inputs, 2 / residual.size * residual.sum(0))
        if buffers is None:
            buffers = [g.copy() for g in grads]
        else:
            buffers = [momentum * b + g for b, g in zip(buffers, grads)]
        weight, bias = weight - lr * buffers[0], bias - lr * buffers[1]
    return losses


def momentum_section(run):
    """Section 3 of the notes: the momentum snippet, against plain SGD and a numpy heavy ball."""
    inputs = minigrad.Tensor(run.rng.standard_normal((100, 10)))
    targets = minigrad.Tensor(run.rng.standard_normal((100, 1)))
    state = minigrad.random.default_generator().bit_generator.state
    momentum_losses, (weight0, bias0) = momentum_snippet(inputs, targets, 0.9, verbose=True)
    minigrad.random.default_generator().bit_generator.state = state  # same start, no momentum
    plain_losses, _ = momentum_snippet(inputs, targets, 0.0, verbose=False)

    reference = numpy_heavy_ball(inputs.data, targets.data, weight0, bias0, 0.01, 0.9, 10)
    error = float(np.max(np.abs(np.array(momentum_losses) - reference)))
    run.check("momentum run: 10 losses vs plain-numpy heavy ball (max abs diff)", ours=error,
              source=None, expected="< 1e-12", unit="absolute difference in loss",
              why="the same heavy-ball arithmetic: rounding only", ok=error < 1e-12)
    run.check("momentum run: loss epoch 10 < epoch 1 and < plain SGD's epoch 10",
              ours=f"{momentum_losses[0]:.4f} -> {momentum_losses[-1]:.4f} "
                   f"(plain SGD {plain_losses[-1]:.4f})",
              source=None, expected="decreasing, ahead of plain SGD", unit="MSE loss",
              why="holds for every seed 0-19 (epoch 10: momentum 0.72-1.15, plain SGD 0.92-1.54)",
              ok=momentum_losses[-1] < momentum_losses[0]
              and momentum_losses[-1] < plain_losses[-1])
    return momentum_losses, plain_losses


def adam_section(run):
    """Section 6 of the notes: one Adam step of the snippet's model, against its closed form
    (the first step is -lr * g / (|g| + eps)); returns the loss, the loss after the step, the
    steps and the gradients."""
    model = SimpleModel()
    criterion = nn.MSELoss()
    optimizer = optimizers.Adam(model.parameters(), lr=0.001)
    x = minigrad.Tensor(run.rng.standard_normal((32, 10)))  # batch 32, 10 inputs per sample
    y = minigrad.Tensor(run.rng.standard_normal((32, 1)))   # batch 32, 1 output per sample
    before = [p.data.copy() for p in model.parameters()]
    outputs = model(x)
    loss = criterion(outputs, y)
    optimizer.zero_grad()
    loss.backward()
    gradients = np.concatenate([p.grad.ravel() for p in model.parameters()])
    optimizer.step()
    print("Loss: ", loss.item())

    steps = np.concatenate([(p.data - b).ravel() for p, b in zip(model.parameters(), before)])
    expected_steps = -0.001 * gradients / (np.abs(gradients) + 1e-8)
    step_error = float(np.max(np.abs(steps - expected_steps)))
    run.check("Adam first step vs -lr * g / (|g| + eps) (max abs diff)", ours=step_error,
              source=None, expected="< 1e-15", unit="absolute difference",
              why="the same formula; float64 rounding of a step of size 1e-3 is ~1e-19",
              ok=step_error < 1e-15)
    size_spread = float(np.max(np.abs(np.abs(steps) - 0.001)))
    # |step| = lr |g| / (|g| + eps) = lr (1 - eps / (|g| + eps)): short of lr by at most
    # lr * eps / min|g|, which depends on the draw (the smallest gradient entry).
    bound = 0.001 * 1e-8 / float(np.min(np.abs(gradients))) * (1 + 1e-6)
    run.check("Adam first step: every |step| equals lr = 0.001 (max deviation)", ours=size_spread,
              source=None, unit="absolute deviation from lr",
              expected=f"<= lr * eps / min|g| = {bound:.3g} (sign descent: size independent of |g|)",
              why="eps = 1e-8 makes each step lr |g| / (|g| + eps); the bound follows from the "
                  "smallest gradient entry (seeds 0-19: deviations 4.7e-11..4.5e-9)",
              ok=size_spread <= bound)
    with minigrad.no_grad():
        after = criterion(model(x), y).item()
    run.check("Adam: loss after the step < the printed loss", ours=f"{loss.item():.6f} -> {after:.6f}",
              source=None, expected="smaller", unit="MSE loss",
              why="one small step against the gradient; holds for every seed 0-19", ok=after < loss.item())
    return loss.item(), after, steps, gradients


def plot(run, momentum_losses, plain_losses, steps, gradients):
    """torch_style.png: the momentum run's losses; the first Adam step against the gradient."""
    fig, (left, right) = run.figure(1, 2, figsize=(12, 4.5))
    epochs = np.arange(1, 11)
    left.plot(epochs, momentum_losses, "o-", label="SGD lr 0.01, momentum 0.9 (the notes)")
    left.plot(epochs, plain_losses, "s--", label="SGD lr 0.01, no momentum (same start)")
    left.set_title("The notes' momentum snippet: Linear(10, 1), MSE")
    left.set_xlabel("epoch (one full-batch step each)")
    left.set_ylabel("MSE before the epoch's step")
    left.legend()
    index = np.arange(len(steps))
    right.bar(index - 0.2, np.abs(steps), width=0.4, label="|first Adam step|")
    right.bar(index + 0.2, np.abs(gradients), width=0.4, label="|gradient|")
    right.axhline(0.001, color="black", linestyle="--", linewidth=0.8, label="lr = 0.001")
    right.set_yscale("log")
    right.set_ylim(1e-4, 10 * max(np.abs(gradients).max(), 0.001))
    right.set_xticks(index, [f"w{i}" for i in range(10)] + ["b"])
    right.set_title("The notes' Adam snippet: first step = lr everywhere")
    right.set_xlabel("parameter")
    right.set_ylabel("magnitude (log scale)")
    right.legend()
    run.save(fig, "torch_style.png")


def main():
    args = parse_args(__doc__)
    run = Run(args, "torch_style")
    momentum_losses, plain_losses = momentum_section(run)
    adam_loss, after, steps, gradients = adam_section(run)
    plot(run, momentum_losses, plain_losses, steps, gradients)
    run.finish({
        "momentum_losses": momentum_losses,
        "plain_sgd_losses": plain_losses,
        "adam_loss": adam_loss,
        "adam_loss_after_step": after,
        "adam_first_step": steps,
        "adam_gradients": gradients,
    })


if __name__ == "__main__":
    main()
