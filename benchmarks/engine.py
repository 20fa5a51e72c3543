"""Engine speed: microseconds per forward+backward step, minigrad vs torch in the same run.

Two steps, both float64 and both including clearing the gradients:

- mlp: batch 64, 10 -> 32 (ReLU) -> 1, mean squared error;
- linreg: one minibatch of linear regression, batch 10, 2 features, squared loss / 2.

torch's figure and the ratio minigrad/torch are printed only when torch is importable
(torch runs on one thread, which is fastest for steps this small). Prints a table; asserts
nothing. Usage: ``.venv/bin/python benchmarks/engine.py [--repeat 5]``, or with a python
that has torch but not minigrad installed: ``PYTHONPATH=. python3 benchmarks/engine.py``.
"""

import argparse
import timeit

import numpy as np

from minigrad import Tensor

try:
    import torch
except ImportError:
    torch = None


def make_problem(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "mlp": {
            "x": rng.normal(size=(64, 10)),
            "y": rng.normal(size=(64, 1)),
            "w1": rng.normal(size=(10, 32)) * 0.3,
            "b1": np.zeros(32),
            "w2": rng.normal(size=(32, 1)) * 0.3,
            "b2": np.zeros(1),
        },
        "linreg": {
            "x": rng.normal(size=(10, 2)),
            "y": rng.normal(size=(10, 1)),
            "w": rng.normal(size=(2, 1)) * 0.01,
            "b": np.zeros(1),
        },
    }


def minigrad_steps(problem):
    mlp, lin = problem["mlp"], problem["linreg"]
    x, y = Tensor(mlp["x"]), Tensor(mlp["y"])
    w1, b1, w2, b2 = (Tensor(mlp[k], requires_grad=True) for k in ("w1", "b1", "w2", "b2"))
    lx, ly = Tensor(lin["x"]), Tensor(lin["y"])
    w, b = Tensor(lin["w"], requires_grad=True), Tensor(lin["b"], requires_grad=True)

    def mlp_step():
        for p in (w1, b1, w2, b2):
            p.grad = None
        prediction = (x @ w1 + b1).relu() @ w2 + b2
        loss = ((prediction - y) ** 2).mean()
        loss.backward()

    def linreg_step():
        w.grad = b.grad = None
        loss = ((lx @ w + b - ly) ** 2 / 2).mean()
        loss.backward()

    return {"mlp": (mlp_step, [w1, b1, w2, b2]), "linreg": (linreg_step, [w, b])}


def torch_steps(problem):
    torch.set_num_threads(1)
    mlp, lin = problem["mlp"], problem["linreg"]
    x, y = torch.tensor(mlp["x"]), torch.tensor(mlp["y"])
    w1, b1, w2, b2 = (torch.tensor(mlp[k], requires_grad=True) for k in ("w1", "b1", "w2", "b2"))
    lx, ly = torch.tensor(lin["x"]), torch.tensor(lin["y"])
    w, b = torch.tensor(lin["w"], requires_grad=True), torch.tensor(lin["b"], requires_grad=True)

    def mlp_step():
        for p in (w1, b1, w2, b2):
            p.grad = None
        prediction = torch.relu(x @ w1 + b1) @ w2 + b2
        loss = ((prediction - y) ** 2).mean()
        loss.backward()

    def linreg_step():
        w.grad = b.grad = None
        loss = ((lx @ w + b - ly) ** 2 / 2).mean()
        loss.backward()

    return {"mlp": (mlp_step, [w1, b1, w2, b2]), "linreg": (linreg_step, [w, b])}


def microseconds_per_call(step, repeat):
    """Best of ``repeat`` timings (the least disturbed by other processes), in µs per call."""
    step()  # warm up
    number = max(1, int(0.2 / max(timeit.timeit(step, number=5) / 5, 1e-9)))
    return min(timeit.repeat(step, number=number, repeat=repeat)) / number * 1e6


def largest_gradient_difference(ours, theirs):
    """After one step of each, the largest |minigrad grad - torch grad| over all parameters,
    so the table compares steps that compute the same thing."""
    worst = 0.0
    for name in ours:
        (our_step, our_params), (their_step, their_params) = ours[name], theirs[name]
        our_step()
        their_step()
        for mine, reference in zip(our_params, their_params):
            worst = max(worst, float(np.max(np.abs(mine.grad - reference.grad.numpy()))))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timing repeats; the best is reported")
    args = parser.parse_args()

    problem = make_problem()
    ours = minigrad_steps(problem)
    theirs = torch_steps(problem) if torch is not None else None

    versions = f"numpy {np.__version__}, " + (
        f"torch {torch.__version__} on 1 thread" if theirs else "torch not installed"
    )
    print(f"minigrad engine: forward+backward per step, float64 ({versions})")
    if theirs:
        difference = largest_gradient_difference(ours, theirs)
        print(f"largest |gradient difference| vs torch after one step: {difference:.1e}")
    header = f"{'step':<8} {'minigrad µs':>12}"
    if theirs:
        header += f" {'torch µs':>10} {'ratio':>7}"
    print(header)
    for name, (step, _) in ours.items():
        mine = microseconds_per_call(step, args.repeat)
        row = f"{name:<8} {mine:>12.1f}"
        if theirs:
            reference = microseconds_per_call(theirs[name][0], args.repeat)
            row += f" {reference:>10.1f} {mine / reference:>7.2f}"
        print(row)
    if theirs:
        print("ratio = minigrad time / torch time")

if __name__ == "__main__":
    main()
