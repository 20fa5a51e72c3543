"""Engine speed: time per training step, minigrad vs torch (1 thread) vs micrograd, same run.

Rows (float64 unless said otherwise; every step clears the gradients first):

- expr: micrograd's README expression (a = -4, b = 2, ..., g.backward()), on 0-d tensors,
  leaves created inside the step as micrograd's README does;
- linreg: one minibatch of linear regression, batch 10, 2 features, squared loss / 2;
- mlp-small: batch 64, 10 -> 32 (ReLU) -> 1, mean squared error;
- moons: micrograd's two-moons demo step: MLP 2-16-16-1 (ReLU), full batch of 100, SVM
  "max-margin" loss + 1e-4 * sum of squared parameters, then p.data -= 0.05 * p.grad;
- mlp-784: 784-256-256-10 MLP, float32, batch 128, cross-entropy, Adam (minigrad's numba
  kernels vs torch's fused Adam);
- deep: a 10,000-op chain (y = y * 0.9999 and y = y + 0.001 alternately, y of 16
  elements), then y.sum().backward(), garbage collector on;
- wide: 1,000 branches (x * c_i).tanh() of one 16-element leaf x, stacked and summed
  (2,002 nodes, 1,000 gradients accumulated into x), garbage collector on.

How it measures: each engine runs in its own worker process (so two minigrad checkouts can
be compared, and torch's threads cannot disturb the others) with 1 BLAS/OpenMP/numba thread.
Every sample times enough consecutive steps to last ~20 ms (5 ms with ``--quick``), with the
garbage collector on, as in training, by the worker's CPU time (``--clock cpu``, the default:
on a shared machine the time spent waiting for a core is not the engine's) or wall time. Samples are taken in rounds (each engine once per
round, in a shuffled order), so whatever disturbs a round hits all engines; a reported time
is the median sample, and a ratio is the *paired* median: the median over rounds of the
ratio of the two samples of that round. Before timing, one step of every engine is run from
the same initial values and its loss compared, so the rows compare the same computation.

Peers are never dependencies: torch is imported from ``--peer-path`` (a site-packages
directory holding it) or from the running python; micrograd from ``out/bench-peers``,
which ``--setup-peers`` fills with ``pip install --target``. A peer that cannot be
imported leaves its column empty.

Usage (from the repository root)::

    .venv/bin/python benchmarks/engine.py [--quick] [--rounds 15]
        [--peer-path /path/to/site-packages-with-torch] [--setup-peers]
        [--baseline /path/to/other/checkout] [--out out/bench_engine.json]

``--baseline DIR`` adds a column for the minigrad in another checkout (``git worktree add
/tmp/base main``) and the paired speedup baseline time / this checkout's time.
Prints a table; asserts nothing.
"""

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "out", "bench-peers")
ROWS = ("expr", "linreg", "mlp-small", "moons", "mlp-784", "deep", "wide")
ONE_THREAD = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}


# ----------------------------------------------------------------------------- problems
# Built with numpy from fixed seeds, identically in every worker.


def moons_data(n=100, noise=0.1, seed=1):
    """sklearn's make_moons(n, noise) recipe (two interleaved half circles), labels -1/+1."""
    import numpy as np

    rng = np.random.default_rng(seed)
    half = n // 2
    outer = np.linspace(0, np.pi, n - half)
    inner = np.linspace(0, np.pi, half)
    x = np.concatenate([
        np.stack([np.cos(outer), np.sin(outer)], 1),
        np.stack([1 - np.cos(inner), 1 - np.sin(inner) - 0.5], 1),
    ]) + rng.normal(scale=noise, size=(n, 2))
    y = np.concatenate([-np.ones(n - half), np.ones(half)])
    return x, y


def layer_values(sizes, seed, dtype="float64"):
    """(weight (out, in), bias (out,)) per layer, uniform(-1/sqrt(in), 1/sqrt(in))."""
    import numpy as np

    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        layers.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype),
                       rng.uniform(-bound, bound, fan_out).astype(dtype)))
    return layers


def small_problems(seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return {
        "mlp": {"x": rng.normal(size=(64, 10)), "y": rng.normal(size=(64, 1)),
                "w1": rng.normal(size=(10, 32)) * 0.3, "b1": np.zeros(32),
                "w2": rng.normal(size=(32, 1)) * 0.3, "b2": np.zeros(1)},
        "linreg": {"x": rng.normal(size=(10, 2)), "y": rng.normal(size=(10, 1)),
                   "w": rng.normal(size=(2, 1)) * 0.01, "b": np.zeros(1)},
        "mnist": {"x": rng.normal(size=(128, 784)).astype(np.float32),
                  "y": rng.integers(0, 10, 128)},
        "wide": np.linspace(0.5, 1.5, 1000),
        "leaf": np.linspace(-0.7, 1.3, 16),
    }


# ----------------------------------------------------------------------------- minigrad


def minigrad_rows():
    """Each row: a function building (step, check) from fresh values; ``step()`` returns the loss."""
    import numpy as np

    import minigrad
    import optimizers
    from minigrad import Tensor, nn

    problem = small_problems()

    def expr():
        def step():
            a = Tensor(-4.0, requires_grad=True)
            b = Tensor(2.0, requires_grad=True)
            c = a + b
            d = a * b + b ** 3
            c = c + c + 1
            c = c + 1 + c + (-a)
            d = d + d * 2 + (b + a).relu()
            d = d + 3 * d + (b - a).relu()
            e = c - d
            f = e ** 2
            g = f / 2.0
            g = g + 10.0 / f
            g.backward()
            return g
        return step

    def linreg():
        p = problem["linreg"]
        x, y = Tensor(p["x"]), Tensor(p["y"])
        w, b = Tensor(p["w"], requires_grad=True), Tensor(p["b"], requires_grad=True)

        def step():
            w.grad = b.grad = None
            loss = ((x @ w + b - y) ** 2 / 2).mean()
            loss.backward()
            return loss
        return step

    def mlp_small():
        p = problem["mlp"]
        x, y = Tensor(p["x"]), Tensor(p["y"])
        w1, b1, w2, b2 = (Tensor(p[k], requires_grad=True) for k in ("w1", "b1", "w2", "b2"))

        def step():
            for q in (w1, b1, w2, b2):
                q.grad = None
            prediction = (x @ w1 + b1).relu() @ w2 + b2
            loss = ((prediction - y) ** 2).mean()
            loss.backward()
            return loss
        return step

    def sequential(sizes, seed, dtype):
        layers = []
        for weight, bias in layer_values(sizes, seed, dtype):
            linear = nn.Linear(weight.shape[1], weight.shape[0], dtype=dtype)
            linear.weight.data[...] = weight
            linear.bias.data[...] = bias
            layers += [linear, nn.ReLU()]
        return nn.Sequential(*layers[:-1])

    def moons():
        x_values, y_values = moons_data()
        x, y = Tensor(x_values), Tensor(y_values)
        model = sequential((2, 16, 16, 1), 2, "float64")
        parameters = list(model.parameters())

        def step():
            model.zero_grad()
            scores = model(x).reshape(-1)
            data_loss = (1 - y * scores).relu().mean()
            reg_loss = 1e-4 * sum((q * q).sum() for q in parameters)
            loss = data_loss + reg_loss
            loss.backward()
            with minigrad.no_grad():
                for q in parameters:
                    q.data -= 0.05 * q.grad
            return loss
        return step

    def mlp_784():
        p = problem["mnist"]
        x, y = Tensor(p["x"]), minigrad.tensor(p["y"])
        model = sequential((784, 256, 256, 10), 3, "float32")
        optimizer = optimizers.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss
        return step

    def deep():
        x = Tensor(problem["leaf"], requires_grad=True)

        def step():
            x.grad = None
            y = x
            for _ in range(5000):
                y = y * 0.9999
                y = y + 0.001
            loss = y.sum()
            loss.backward()
            return loss
        return step

    def wide():
        x = Tensor(problem["leaf"], requires_grad=True)
        coefficients = [float(c) for c in problem["wide"]]

        def step():
            x.grad = None
            loss = minigrad.stack([(x * c).tanh() for c in coefficients]).sum()
            loss.backward()
            return loss
        return step

    return {"expr": expr, "linreg": linreg, "mlp-small": mlp_small, "moons": moons,
            "mlp-784": mlp_784, "deep": deep, "wide": wide}


# ----------------------------------------------------------------------------- torch


def torch_rows():
    import torch

    torch.set_num_threads(1)
    problem = small_problems()
    as_tensor = torch.from_numpy

    def expr():
        def step():
            a = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
            b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
            c = a + b
            d = a * b + b ** 3
            c = c + c + 1
            c = c + 1 + c + (-a)
            d = d + d * 2 + (b + a).relu()
            d = d + 3 * d + (b - a).relu()
            e = c - d
            f = e ** 2
            g = f / 2.0
            g = g + 10.0 / f
            g.backward()
            return g
        return step

    def linreg():
        p = problem["linreg"]
        x, y = as_tensor(p["x"]), as_tensor(p["y"])
        w = as_tensor(p["w"].copy()).requires_grad_()
        b = as_tensor(p["b"].copy()).requires_grad_()

        def step():
            w.grad = b.grad = None
            loss = ((x @ w + b - y) ** 2 / 2).mean()
            loss.backward()
            return loss
        return step

    def mlp_small():
        p = problem["mlp"]
        x, y = as_tensor(p["x"]), as_tensor(p["y"])
        w1, b1, w2, b2 = (as_tensor(p[k].copy()).requires_grad_() for k in ("w1", "b1", "w2", "b2"))

        def step():
            for q in (w1, b1, w2, b2):
                q.grad = None
            prediction = torch.relu(x @ w1 + b1) @ w2 + b2
            loss = ((prediction - y) ** 2).mean()
            loss.backward()
            return loss
        return step

    def sequential(sizes, seed, dtype):
        layers = []
        for weight, bias in layer_values(sizes, seed, dtype):
            linear = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=getattr(torch, dtype))
            with torch.no_grad():
                linear.weight.copy_(as_tensor(weight))
                linear.bias.copy_(as_tensor(bias))
            layers += [linear, torch.nn.ReLU()]
        return torch.nn.Sequential(*layers[:-1])

    def moons():
        x_values, y_values = moons_data()
        x, y = as_tensor(x_values), as_tensor(y_values)
        model = sequential((2, 16, 16, 1), 2, "float64")
        parameters = list(model.parameters())

        def step():
            model.zero_grad()
            scores = model(x).reshape(-1)
            data_loss = (1 - y * scores).relu().mean()
            reg_loss = 1e-4 * sum((q * q).sum() for q in parameters)
            loss = data_loss + reg_loss
            loss.backward()
            with torch.no_grad():
                for q in parameters:
                    q -= 0.05 * q.grad
            return loss
        return step

    def mlp_784():
        p = problem["mnist"]
        x, y = as_tensor(p["x"]), as_tensor(p["y"])
        model = sequential((784, 256, 256, 10), 3, "float32")
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss
        return step

    def deep():
        x = as_tensor(problem["leaf"].copy()).requires_grad_()

        def step():
            x.grad = None
            y = x
            for _ in range(5000):
                y = y * 0.9999
                y = y + 0.001
            loss = y.sum()
            loss.backward()
            return loss
        return step

    def wide():
        x = as_tensor(problem["leaf"].copy()).requires_grad_()
        coefficients = [float(c) for c in problem["wide"]]

        def step():
            x.grad = None
            loss = torch.stack([(x * c).tanh() for c in coefficients]).sum()
            loss.backward()
            return loss
        return step

    return {"expr": expr, "linreg": linreg, "mlp-small": mlp_small, "moons": moons,
            "mlp-784": mlp_784, "deep": deep, "wide": wide}


# ----------------------------------------------------------------------------- micrograd


def micrograd_rows():
    """micrograd works on Python scalars: only its own two examples are rows here."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    def expr():
        def step():
            a = Value(-4.0)
            b = Value(2.0)
            c = a + b
            d = a * b + b ** 3
            c = c + c + 1
            c = c + 1 + c + (-a)
            d = d + d * 2 + (b + a).relu()
            d = d + 3 * d + (b - a).relu()
            e = c - d
            f = e ** 2
            g = f / 2.0
            g = g + 10.0 / f
            g.backward()
            return g
        return step

    def moons():
        x_values, y_values = moons_data()
        model = MLP(2, [16, 16, 1])
        for layer, (weight, bias) in zip(model.layers, layer_values((2, 16, 16, 1), 2)):
            for neuron, row, value in zip(layer.neurons, weight, bias):
                for w, v in zip(neuron.w, row):
                    w.data = float(v)
                neuron.b.data = float(value)
        parameters = model.parameters()
        rows = [list(map(float, row)) for row in x_values]
        labels = [float(v) for v in y_values]

        def step():
            model.zero_grad()
            scores = [model(list(map(Value, row))) for row in rows]
            losses = [(1 + -label * score).relu() for label, score in zip(labels, scores)]
            data_loss = sum(losses) * (1.0 / len(losses))
            reg_loss = 1e-4 * sum(q * q for q in parameters)
            loss = data_loss + reg_loss
            loss.backward()
            for q in parameters:
                q.data -= 0.05 * q.grad
            return loss
        return step

    return {"expr": expr, "moons": moons}


# ----------------------------------------------------------------------------- worker


def loss_value(loss):
    """The loss as a float, whatever the engine (Tensor, torch tensor, micrograd Value)."""
    value = getattr(loss, "data", loss)
    return float(value.item() if hasattr(value, "item") else value)


def worker(engine, clock):
    """Answer the parent's requests on stdin, one JSON line each, on stdout."""
    builders = {"minigrad": minigrad_rows, "torch": torch_rows, "micrograd": micrograd_rows}[engine]()
    steps = {}
    reply = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        row = request["row"]
        if request["what"] == "check":  # a fresh build: the loss of its first step
            answer = loss_value(builders[row]()()) if row in builders else None
            if row in builders:
                steps[row] = builders[row]()
                steps[row]()  # warm up (numba loads its kernels, torch allocates its state)
        else:
            step, number = steps[row], request["number"]
            gc.collect()
            start = clock()
            for _ in range(number):
                step()
            answer = (clock() - start) / number
        reply.write(json.dumps(answer) + "\n")
        reply.flush()


class Worker:
    """A worker process for one engine, started with its own sys.path."""

    def __init__(self, name, engine, paths, clock):
        environment = dict(os.environ, **ONE_THREAD)
        environment["BENCH_ENGINE_PATHS"] = os.pathsep.join(paths)
        environment.pop("PYTHONPATH", None)
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", engine, "--clock", clock],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environment,
        )

    def ask(self, **request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker stopped (see its error above)")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def importable(module, paths):
    """Whether ``module`` imports in a python with ``paths`` in front of sys.path."""
    code = f"import sys; sys.path[:0] = {list(paths)!r}; import {module}"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def setup_peers():
    """Install micrograd into out/bench-peers (never into the environment)."""
    os.makedirs(PEERS, exist_ok=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--target", PEERS, "micrograd"]
    if subprocess.run(command).returncode != 0:
        print("could not install micrograd; its column stays empty")


# ----------------------------------------------------------------------------- parent


def machine_facts():
    import numpy as np

    model = "?"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": model, "cores": os.cpu_count(), "python": sys.version.split()[0],
            "numpy": np.__version__}


def measure(workers, rows, rounds, target, seed=0):
    """Per row: each worker's sample times (s per step) over the rounds."""
    shuffle = random.Random(seed)
    results = {}
    for row in rows:
        engines = [w for w in workers if w.name in row_support[row]]
        numbers = {}
        for w in engines:  # calibrate: steps per sample so a sample lasts ~target
            single = w.ask(what="time", row=row, number=1)
            numbers[w.name] = max(1, round(target / max(single, 1e-9)))
        samples = {w.name: [] for w in engines}
        for _ in range(rounds):
            order = list(engines)
            shuffle.shuffle(order)
            for w in order:
                samples[w.name].append(w.ask(what="time", row=row, number=numbers[w.name]))
        results[row] = samples
    return results


def paired(samples, mine, theirs):
    """Median over rounds of mine / theirs (None when either is missing)."""
    if mine not in samples or theirs not in samples:
        return None
    return statistics.median(a / b for a, b in zip(samples[mine], samples[theirs]))


def microseconds(seconds):
    if seconds is None:
        return ""
    value = seconds * 1e6
    return f"{value:,.0f}" if value >= 1000 else f"{value:.1f}"


def ratio(value):
    return "" if value is None else f"{value:.3g}"


row_support = {}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=15, help="paired rounds per row (default 15)")
    parser.add_argument("--quick", action="store_true", help="5 rounds of ~5 ms samples")
    parser.add_argument("--rows", default=",".join(ROWS), help=f"comma-separated subset of {', '.join(ROWS)}")
    parser.add_argument("--peer-path", action="append", default=[],
                        help="a site-packages directory to import torch from (repeatable)")
    parser.add_argument("--setup-peers", action="store_true",
                        help="pip install micrograd into out/bench-peers first")
    parser.add_argument("--baseline", help="another minigrad checkout to compare with")
    parser.add_argument("--out", help="write every sample and the table as JSON here")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="time samples by the worker's CPU time (default: robust on a shared "
                             "machine, where waiting for a core would count as wall time) or wall time")
    args = parser.parse_args()

    if args.worker:
        sys.path[:] = os.environ["BENCH_ENGINE_PATHS"].split(os.pathsep) + [
            p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))
        ]
        worker(args.worker, time.process_time if args.clock == "cpu" else time.perf_counter)
        return

    rows = [r for r in args.rows.split(",") if r]
    unknown = sorted(set(rows) - set(ROWS))
    if unknown:
        parser.error(f"unknown rows {unknown}; choose from {', '.join(ROWS)}")
    rounds, target = (5, 0.005) if args.quick else (args.rounds, 0.02)
    if args.setup_peers:
        setup_peers()

    workers = [Worker("minigrad", "minigrad", [ROOT], args.clock)]
    if args.baseline:
        workers.append(Worker("baseline", "minigrad", [os.path.abspath(args.baseline)], args.clock))
    if importable("torch", args.peer_path):
        workers.append(Worker("torch", "torch", [ROOT] + args.peer_path, args.clock))
    if importable("micrograd", [PEERS]):
        workers.append(Worker("micrograd", "micrograd", [ROOT, PEERS], args.clock))
    names = [w.name for w in workers]

    facts = machine_facts()
    load_before = os.getloadavg()
    print(f"minigrad engine speed, time per step ({facts['cpu']}, {facts['cores']} cores, "
          f"python {facts['python']}, numpy {facts['numpy']}; every engine on 1 thread)")
    print(f"engines: {', '.join(names)}; {rounds} paired rounds; {args.clock} time; load average "
          f"before {load_before[0]:.2f}")

    losses = {}
    for row in rows:
        losses[row] = {w.name: w.ask(what="check", row=row) for w in workers}
        row_support[row] = {name for name, value in losses[row].items() if value is not None}
        values = [v for v in losses[row].values() if v is not None]
        spread = (max(values) - min(values)) / max(abs(max(values)), 1e-30)
        tolerance = 1e-4 if row == "mlp-784" else 1e-9
        if spread > tolerance:
            print(f"WARNING: {row}: first-step losses differ between engines: {losses[row]}")
    results = measure(workers, rows, rounds, target)
    load_after = os.getloadavg()

    columns = [n for n in ("minigrad", "baseline", "torch", "micrograd") if n in names]
    header = f"{'row':<10}" + "".join(f"{name + ' µs':>14}" for name in columns)
    comparisons = [(n, f"minigrad/{n}") for n in ("torch", "micrograd") if n in names]
    if "baseline" in names:
        comparisons.append(("baseline", "speedup vs baseline"))
    header += "".join(f"{label:>21}" for _, label in comparisons)
    print(header)
    table = {}
    for row in rows:
        samples = results[row]
        medians = {n: statistics.median(samples[n]) if n in samples else None for n in columns}
        ratios = {}
        for name, label in comparisons:
            value = paired(samples, name, "minigrad") if name == "baseline" else paired(samples, "minigrad", name)
            ratios[label] = value
        table[row] = {"median_seconds": medians, "paired": ratios}
        print(f"{row:<10}" + "".join(f"{microseconds(medians[n]):>14}" for n in columns)
              + "".join(f"{ratio(ratios[label]):>21}" for _, label in comparisons))
    print("minigrad/X = minigrad time / X time, median over rounds (< 1: minigrad faster); "
          "speedup = baseline time / minigrad time")
    print(f"load average after {load_after[0]:.2f}")
    for w in workers:
        w.close()
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as handle:
            json.dump({"machine": facts, "load_before": load_before, "load_after": load_after,
                       "rounds": rounds, "clock": args.clock, "first_step_losses": losses, "samples": results,
                       "table": table}, handle, indent=1)


if __name__ == "__main__":
    main()
