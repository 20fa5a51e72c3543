"""One weight, three optimizers, the same gradients: what SGD, momentum and Adam do with them.

The model is d2l's linear model on the airfoil self-noise data (Dive into Deep Learning,
ch. 7: the airfoil experiments): ``nn.Linear(5, 1)`` in float32, half the squared error
averaged over a minibatch of 10. Three minibatch gradients are computed once, at the
model's start; then SGD (lr 0.05), SGD with momentum (lr 0.02, momentum 0.9, the book's
setting) and Adam (lr 0.01) each take three steps from the same start, fed exactly those
three gradients. So the only difference between their steps is the update rule, and
``optimizers.explain`` shows it, for the weight of the first feature (frequency):

* SGD moves the weight by -lr * g: proportional to the gradient.
* Momentum's buffer sums the gradients (b = g3 + 0.9 g2 + 0.81 g1): at step 3 it moves by
  -lr * b, which carries the earlier gradients along.
* Adam's first step moves the weight by lr against the gradient's sign, whatever its size
  (m_hat = g, sqrt(v_hat) = |g|); later steps divide the averaged gradient by its running
  root mean square (the effective step size lr / (sqrt(v_hat) + eps)).

Each explanation checks itself: the formula with the numbers gives bit for bit what the
optimizer's numpy update computes, the numba kernel agrees, and after ``step()`` the weight
and the state hold exactly the explained values. The script also checks the three changes
against the closed forms above, printing "N/M checks passed" (exit status 1 if one fails).
"""

import sys

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers
from minigrad import nn
from minigrad.nn.functional import squared_loss

BATCH = 10
SETTINGS = {
    "SGD, lr 0.05": lambda params: optimizers.SGD(params, lr=0.05),
    "momentum, lr 0.02, momentum 0.9": lambda params: optimizers.SGD(params, lr=0.02, momentum=0.9),
    "Adam, lr 0.01": lambda params: optimizers.Adam(params, lr=0.01),
}
COORDINATE = (0, 0)  # weight of the first feature


def minibatch_gradients(model, features, labels, rng, count=3):
    """The gradients of `count` random minibatches at the model's current weights."""
    gradients = []
    for _ in range(count):
        rows = rng.choice(len(labels), size=BATCH, replace=False)
        model.zero_grad()
        loss = squared_loss(model(minigrad.tensor(features[rows])), minigrad.tensor(labels[rows])).mean()
        loss.backward()
        gradients.append([p.grad.copy() for p in model.parameters()])
    return gradients


def replay(make_optimizer, start, gradients):
    """Three explained steps from `start` with the given gradients; returns the explanations."""
    params = [nn.Parameter(value, dtype=np.float32) for value in start]
    optimizer = make_optimizer(params)
    explanations = []
    for step, grads in enumerate(gradients, start=1):
        for param, grad in zip(params, grads):
            param.grad = grad.copy()
        explanation = optimizers.explain(optimizer, params[0], index=COORDINATE)
        if step in (1, len(gradients)):  # the formula once, then the numbers
            print(explanation.text(formula=step == 1))
            print()
        optimizer.step()
        explanation.check_step()
        explanations.append(explanation)
    return explanations


def check_closed_forms(run, explained, gradients):
    """The changes against the closed forms of the module docstring, in float32."""
    g = [np.float32(grads[0][COORDINATE]) for grads in gradients]
    sgd = explained["SGD, lr 0.05"]
    expected = -(np.float32(0.05) * g[0])
    ours = sgd[0].coordinates[0]["param_after"] - sgd[0].coordinates[0]["param_before"]
    run.check("SGD step 1 moves the weight by -lr * g", float(ours), None,
              f"{float(expected):.9g} (float32 rounding of the subtraction aside: within 1 ulp)",
              abs(ours - expected) <= np.spacing(np.abs(sgd[0].coordinates[0]["param_before"])),
              unit="change of the weight (float32)", why="closed form: one float32 rounding")

    momentum = explained["momentum, lr 0.02, momentum 0.9"]
    buffer = momentum[2].coordinates[0]["state_after"]["momentum_buffer"]
    by_hand = (g[0] * np.float32(0.9) + g[1]) * np.float32(0.9) + g[2]
    run.check("momentum step 3: buffer = (g1 * 0.9 + g2) * 0.9 + g3", float(buffer), float(by_hand),
              "equal bit for bit (float32)", buffer == by_hand, unit="momentum buffer (float32)",
              why="the same float32 operations in the same order")

    adam = explained["Adam, lr 0.01"]
    change = float(adam[0].coordinates[0]["change"])
    run.check("Adam step 1 moves the weight by lr against the gradient's sign", change,
              -0.01 * float(np.sign(g[0])), "within 1e-6 of -0.01 * sign(g1)",
              abs(change + 0.01 * np.sign(g[0])) <= 1e-6, unit="change of the weight",
              why="first step lr * g / (|g| + eps): short of lr by lr * eps / |g|, far below 1e-6")
    step_size = float(adam[2].coordinates[0]["effective_step_size"])
    run.check("Adam step 3: an effective step size is reported and positive", step_size, None,
              "> 0", step_size > 0, unit="lr / (sqrt(v_hat) + eps)",
              why="a ratio of positive numbers; its value is in the printed explanation")


def main():
    args = parse_args(__doc__)
    run = Run(args, "explain_step")
    features, labels = minigrad.data.load_airfoil()
    model = nn.Sequential(nn.Linear(5, 1, dtype=np.float32))
    start = [p.data.copy() for p in model.parameters()]
    gradients = minibatch_gradients(model, features, labels, run.rng)

    explained = {}
    for label, make_optimizer in SETTINGS.items():
        print(f"===== {label}: three steps with the same three gradients =====\n")
        explained[label] = replay(make_optimizer, start, gradients)
        for step, explanation in enumerate(explained[label], start=1):
            failed = [text for text, ok in explanation.checks if not ok]
            run.check(f"{label}, step {step}: explanation matches update and step()",
                      len(explanation.checks) - len(failed), len(explanation.checks),
                      "every check of the explanation passes", not failed,
                      unit="checks of the explanation passed",
                      why="the explanation is exact: formula, numpy update, kernel and step() agree bit for bit")
    check_closed_forms(run, explained, gradients)

    print("Change of the weight of feature 0 at each step:")
    for label, explanations in explained.items():
        changes = ", ".join(f"{float(e.coordinates[0]['change']):+.6f}" for e in explanations)
        print(f"  {label:34s} {changes}")
    failed = [c["name"] for c in run.checks if not c["ok"]]
    print(f"{len(run.checks) - len(failed)}/{len(run.checks)} checks passed" +
          (f"; failed: {failed}" if failed else ""))
    run.finish({
        "coordinate": list(COORDINATE),
        "explanations": {label: [e.as_dict() for e in explanations]
                         for label, explanations in explained.items()},
    })
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
