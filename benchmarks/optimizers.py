"""Optimizer speed: one step of Adam, SGD (momentum 0.9), Adagrad, Rprop, ASGD, Adafactor and
Muon on a float32 parameter.

For every optimizer and size (1e3 ... 1e7 elements) this measures, in the same run:

- numba: minigrad's default backend (`backend="numba"`), compile excluded (warm-up);
- numpy: the plain-numpy reference update (`backend="numpy"`);
- torch: `torch.optim` with foreach=False ("for-loop"), foreach=True and fused=True
  (where torch supports it on CPU), when torch is importable; torch uses as many threads
  as the machine has cores (torch.set_num_threads), and "torch best" is the fastest;
- floor: the bytes a step must move over the machine's copy bandwidth.

Bytes per element and step, float32 (4 bytes): every array the update reads is read once
and every array it writes is written once, nothing else:
    Adam:         read p, g, m, v;  write p, m, v   -> 7 * 4 = 28
    SGD momentum: read p, g, b;     write p, b      -> 5 * 4 = 20
    Adagrad:      read p, g, s;     write p, s      -> 5 * 4 = 20
    Rprop:        read p, g, prev, s; write p, prev, s -> 7 * 4 = 28
    ASGD:         read p, g;        write p, ax     -> 4 * 4 = 16 (ax copies p until t0)
    Adafactor:    read p, g;        write p         -> 3 * 4 = 12 (a matrix: its row and
                  column factors are m + n numbers; the passes for RMS(p) and RMS(U) and
                  the scratch U are extra traffic the floor leaves out)
    Muon:         read p, g, M;     write p, M      -> 5 * 4 = 20, but Newton-Schulz's
                  matrix products make it compute-bound: its floor means little
Adafactor and Muon step a matrix of n elements (`SHAPES`: 25 x 40 ... 2500 x 4000), the
others a vector. Muon stops at 1e6 (`MAX_ELEMENTS`): at 1e7 one step is seconds of matrix
products. torch's Muon has no foreach or fused variant (its one implementation is the
"for-loop" column) and runs Newton-Schulz in bfloat16, minigrad's in float32.Bandwidth is (read + write bytes) / time over two arrays together as large as the
step's arrays (Adam: 4 arrays of n, so two of 2n elements), so the data sits in the same
level of the memory hierarchy (L2, L3 or DRAM) as the step's. It is the best of five
probes timed in the same round-robin as the optimizer steps: `np.copyto`, a numba copy
loop and a numba `dst += src` loop (the optimizers' read-then-write pattern), the two
loops serial and with `prange`. The floor is the step's bytes / that bandwidth.

Times are medians over samples; each sample times enough consecutive steps to last
about a millisecond (many steps at small sizes, one at large ones). The variants of one
row are sampled in rounds (every variant once per round, in a shuffled order), so a busy
neighbour process slows them alike, and the speed ratios (numba/torch, numpy/numba) are
medians of the ratios within a round.
Prints a table and writes it as JSON (default out/bench_optimizers.json). Asserts
nothing: the targets are listed in benchmarks/README.md.

Usage (the numba/numpy columns need minigrad's packages on the path; the torch columns a
python with torch):
    PYTHONPATH=. python3 benchmarks/optimizers.py [--sizes 1e3,1e5] [--repeat 21] [--quick]
    .venv/bin/python benchmarks/optimizers.py          # without torch: no torch columns
"""

import argparse
import inspect
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit, prange

# This file is itself named optimizers.py: drop its own directory from the import path
# so that `import optimizers` finds minigrad's package, not this script.
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _HERE]

import optimizers  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

DTYPE = np.float32
ITEMSIZE = np.dtype(DTYPE).itemsize
DEFAULT_SIZES = (10**3, 10**4, 10**5, 10**6, 10**7)
SAMPLE_SECONDS = 1e-3


class Param:
    """The smallest thing an optimizer updates: `.data` and `.grad` numpy arrays."""

    def __init__(self, data, grad):
        self.data = data
        self.grad = grad


# name -> (optimizer name in `optimizers`, its keyword arguments (also torch's),
#          arrays read, arrays written)
CASES = {
    "Adam": ("Adam", {"lr": 1e-3}, ("p", "g", "m", "v"), ("p", "m", "v")),
    "SGD momentum": ("SGD", {"lr": 1e-3, "momentum": 0.9}, ("p", "g", "b"), ("p", "b")),
    "Adagrad": ("Adagrad", {"lr": 1e-2}, ("p", "g", "s"), ("p", "s")),
    "Rprop": ("Rprop", {"lr": 1e-2}, ("p", "g", "prev", "s"), ("p", "prev", "s")),
    "ASGD": ("ASGD", {"lr": 1e-2}, ("p", "g"), ("p", "ax")),
    "Adafactor": ("Adafactor", {"lr": 1e-2}, ("p", "g"), ("p",)),
    "Muon": ("Muon", {"lr": 1e-3}, ("p", "g", "M"), ("p", "M")),
}

# Matrix shapes of n elements for the optimizers that factor or orthogonalise a matrix.
SHAPES = {10**3: (25, 40), 10**4: (100, 100), 10**5: (250, 400), 10**6: (1000, 1000),
          10**7: (2500, 4000)}
MATRIX_CASES = ("Adafactor", "Muon")
MAX_ELEMENTS = {"Muon": 10**6}

# The numpy/numba >= 5 target at 1e5 was set for these three (see benchmarks/README.md).
FIVEFOLD_CASES = ("Adam", "SGD momentum", "Adagrad")


def shape_of(case, n):
    """The parameter's shape: (n,), or a matrix of n elements for MATRIX_CASES."""
    if case not in MATRIX_CASES:
        return (n,)
    if n not in SHAPES:
        raise SystemExit(f"{case} steps a matrix: use sizes among {sorted(SHAPES)}")
    return SHAPES[n]

TORCH_VARIANTS = {
    "for-loop": {"foreach": False},
    "foreach": {"foreach": True},
    "fused": {"fused": True},
}


def bytes_per_element(case):
    _, _, reads, writes = CASES[case]
    return (len(reads) + len(writes)) * ITEMSIZE


def working_set_arrays(case):
    _, _, reads, writes = CASES[case]
    return len(set(reads) | set(writes))


def sample_seconds(functions, repeat, seed=0):
    """Seconds per call of each function, `repeat` samples each, taken in rounds.

    Each function is warmed up (numba compiles, caches fill), then timed in `repeat`
    rounds; in a round every function gives one sample of `number` consecutive calls,
    `number` chosen so a sample lasts about SAMPLE_SECONDS. The order within a round is
    shuffled (seeded), so no variant always runs right after the same neighbour (which
    decides what is left in the caches). Returns {name: [seconds per call, by round]}.
    """
    numbers = {}
    for name, function in functions.items():
        for _ in range(3):
            function()
        start = time.perf_counter()
        function()
        once = time.perf_counter() - start
        numbers[name] = max(1, int(SAMPLE_SECONDS / max(once, 1e-9)))
    samples = {name: [] for name in functions}
    order = list(functions)
    shuffle = random.Random(seed).shuffle
    for _ in range(repeat):
        shuffle(order)
        for name in order:
            function, number = functions[name], numbers[name]
            start = time.perf_counter()
            for _ in range(number):
                function()
            samples[name].append((time.perf_counter() - start) / number)
    return samples


def paired_ratio(numerators, denominators):
    """Median over rounds of numerator / denominator, both sampled in the same round.

    Pairing cancels what a round shares (another process busy, the clock speed), which
    the ratio of two medians would not.
    """
    return statistics.median(a / b for a, b in zip(numerators, denominators))


# ------------------------------------------------------------------ bandwidth
@njit(cache=True, nogil=True)
def _copy_serial(dst, src):
    for i in range(src.size):
        dst[i] = src[i]


@njit(cache=True, nogil=True, parallel=True)
def _copy_parallel(dst, src):
    for i in prange(src.size):
        dst[i] = src[i]


@njit(cache=True, nogil=True)
def _add_serial(dst, src):
    for i in range(src.size):
        dst[i] += src[i]


@njit(cache=True, nogil=True, parallel=True)
def _add_parallel(dst, src):
    for i in prange(src.size):
        dst[i] += src[i]


def bandwidth_functions(n):
    """{name: (function, bytes it moves)} for memory traffic over two arrays of n float32.

    A copy reads one array and writes the other (2 accesses per element; its stores may
    also cost a hidden read of the destination). `dst += src` reads both and writes one
    (3 accesses), writing only what it has read -- the optimizers' access pattern.
    """
    src = np.random.default_rng(1).standard_normal(n).astype(DTYPE)
    dst = np.zeros_like(src)
    copy_bytes, add_bytes = 2 * n * ITEMSIZE, 3 * n * ITEMSIZE
    return {
        "np.copyto": (lambda: np.copyto(dst, src), copy_bytes),
        "numba copy serial": (lambda: _copy_serial(dst, src), copy_bytes),
        "numba copy parallel": (lambda: _copy_parallel(dst, src), copy_bytes),
        "numba += serial": (lambda: _add_serial(dst, src), add_bytes),
        "numba += parallel": (lambda: _add_parallel(dst, src), add_bytes),
    }


# ------------------------------------------------------------------ optimizers
def minigrad_step(case, backend, data, grad):
    class_name, kwargs, _, _ = CASES[case]
    param = Param(data.copy(), grad)
    optimizer = getattr(optimizers, class_name)([param], backend=backend, **kwargs)
    return optimizer.step


def torch_step(case, variant, data, grad):
    """A torch optimizer's step, or None when torch does not support the variant here.

    An optimizer without the foreach option (Muon) has one implementation, a loop over
    the parameters: it is the "for-loop" variant."""
    class_name, kwargs, _, _ = CASES[case]
    param = torch.nn.Parameter(torch.from_numpy(data.copy()))
    param.grad = torch.from_numpy(grad.copy())
    torch_class = getattr(torch.optim, class_name)
    options = TORCH_VARIANTS[variant]
    if "foreach" not in inspect.signature(torch_class.__init__).parameters:
        if variant != "for-loop":
            return None
        options = {}
    try:
        optimizer = torch_class([param], **kwargs, **options)
        optimizer.step()
    except (RuntimeError, ValueError, TypeError):
        return None
    return optimizer.step


def measure_row(case, n, repeat):
    """Time every variant of one optimizer and size, and the copy giving its floor."""
    rng = np.random.default_rng(0)
    data = rng.standard_normal(shape_of(case, n)).astype(DTYPE)
    grad = rng.standard_normal(shape_of(case, n)).astype(DTYPE)
    # The bandwidth probes span as much memory as the step's arrays.
    probes = bandwidth_functions(working_set_arrays(case) * n // 2)
    functions = {"memory " + name: function for name, (function, _) in probes.items()}
    if hasattr(optimizers, CASES[case][0]):
        functions["numba"] = minigrad_step(case, "numba", data, grad)
        functions["numpy"] = minigrad_step(case, "numpy", data, grad)
    if torch is not None:
        for variant in TORCH_VARIANTS:
            step = torch_step(case, variant, data, grad)
            if step is not None:
                functions["torch " + variant] = step
    samples = sample_seconds(functions, repeat)
    times = {name: statistics.median(seconds) for name, seconds in samples.items()}
    row = {"optimizer": case, "n": n, "bytes": bytes_per_element(case) * n, "samples": repeat}
    row.update({name: times.get(name) for name in ("numba", "numpy")})
    row["torch"] = {v: times.get("torch " + v) for v in TORCH_VARIANTS}
    torch_times = {v: t for v, t in row["torch"].items() if t is not None}
    row["torch_best_variant"] = min(torch_times, key=torch_times.get) if torch_times else None
    row["torch_best"] = torch_times[row["torch_best_variant"]] if torch_times else None
    bandwidth = {name: moved / times["memory " + name] for name, (_, moved) in probes.items()}
    row["bandwidth"] = bandwidth
    row["bandwidth_best"] = max(bandwidth, key=bandwidth.get)
    row["floor"] = row["bytes"] / bandwidth[row["bandwidth_best"]]
    if row["numba"] is not None and row["torch_best"] is not None:
        best = samples["torch " + row["torch_best_variant"]]
        row["numba/torch_best"] = paired_ratio(samples["numba"], best)
    else:
        row["numba/torch_best"] = None
    row["numpy/numba"] = (paired_ratio(samples["numpy"], samples["numba"])
                          if row["numba"] is not None else None)
    row["numba/floor"] = row["numba"] / row["floor"] if row["numba"] is not None else None
    # The fastest sample of every variant, for readers who want the least-disturbed figure.
    row["fastest_sample"] = {name: min(seconds) for name, seconds in samples.items()
                             if not name.startswith("memory ")}
    return row


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:  # not Linux: fall back to what the platform module knows
        return platform.processor() or "unknown"
    return platform.processor() or "unknown"


def fmt_time(seconds):
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f}us"
    return f"{seconds * 1e3:.2f}ms"


def fmt_ratio(value):
    return "-" if value is None else f"{value:.2f}"


def print_table(rows):
    header = (
        f"{'optimizer':<13}{'n':>9}{'bytes':>8}{'floor':>10}{'numba':>10}{'numpy':>10}"
        f"{'t.loop':>10}{'t.forea':>10}{'t.fused':>10}  {'best':<8}"
        f"{'nb/torch':>9}{'np/nb':>7}{'nb/floor':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['optimizer']:<13}{row['n']:>9.0e}{row['bytes'] // row['n']:>6}/e"
            f"{fmt_time(row['floor']):>10}{fmt_time(row['numba']):>10}"
            f"{fmt_time(row['numpy']):>10}"
            + "".join(f"{fmt_time(row['torch'][v]):>10}" for v in TORCH_VARIANTS)
            + f"  {row['torch_best_variant'] or '-':<8}"
            f"{fmt_ratio(row['numba/torch_best']):>9}{fmt_ratio(row['numpy/numba']):>7}"
            f"{fmt_ratio(row['numba/floor']):>9}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None,
                        help="comma-separated element counts, e.g. 1e3,1e5 (default 1e3..1e7)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="samples (rounds) per measurement (default 21)")
    parser.add_argument("--quick", action="store_true",
                        help="sizes 1e3,1e5,1e6 and 5 samples: a smoke run")
    parser.add_argument("--out", default="out/bench_optimizers.json", help="JSON output path")
    parser.add_argument("--torch-path", default=None,
                        help="a site-packages directory holding torch, appended to sys.path "
                             "(when the python running this has numba but not torch)")
    parser.add_argument("--cases", default=None,
                        help=f"comma-separated optimizers, default all: {', '.join(CASES)}")
    args = parser.parse_args(argv)
    global torch
    if torch is None and args.torch_path:
        sys.path.append(args.torch_path)  # after this python's own packages: its numpy wins
        try:
            import torch as found
            torch = found
        except ImportError:
            print(f"--torch-path {args.torch_path}: torch not importable from there")
    cases = list(CASES) if not args.cases else [c.strip() for c in args.cases.split(",")]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        raise SystemExit(f"unknown --cases {unknown}; known: {', '.join(CASES)}")

    if args.sizes:
        sizes = [int(float(s)) for s in args.sizes.split(",")]
    else:
        sizes = [10**3, 10**5, 10**6] if args.quick else list(DEFAULT_SIZES)
    repeat = args.repeat or (5 if args.quick else 21)
    cores = os.cpu_count()
    if torch is not None:
        torch.set_num_threads(cores)

    facts = {
        "cpu": cpu_model(),
        "cores": cores,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "numba": __import__("numba").__version__,
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "dtype": np.dtype(DTYPE).name,
        "loadavg_before": os.getloadavg(),
    }
    print(f"CPU: {facts['cpu']}, {cores} cores; python {facts['python']}, numpy "
          f"{facts['numpy']}, numba {facts['numba']}, torch {facts['torch'] or 'absent'}"
          + (f" ({facts['torch_threads']} threads)" if torch is not None else ""))
    print(f"load average before: {facts['loadavg_before'][0]:.2f}")
    missing = [c for c in cases if not hasattr(optimizers, CASES[c][0])]
    if missing:
        print(f"not in this minigrad (numba/numpy columns empty): {', '.join(missing)}")
    if torch is None:
        print("torch not importable: no torch columns")
    for case in cases:
        _, _, reads, writes = CASES[case]
        print(f"{case}: reads {','.join(reads)} + writes {','.join(writes)} = "
              f"{len(reads) + len(writes)} x {ITEMSIZE} = {bytes_per_element(case)} bytes/element")

    rows = []
    for case in cases:
        for n in sizes:
            if n <= MAX_ELEMENTS.get(case, n):
                rows.append(measure_row(case, n, repeat))
    facts["loadavg_after"] = os.getloadavg()
    print_table(rows)
    print(f"load average after: {facts['loadavg_after'][0]:.2f}. Times are medians per step; "
          "t.* = torch for-loop / foreach / fused; best = fastest torch variant;\n"
          "nb/torch and np/nb are medians of the ratios within each round (paired), "
          "nb/floor the ratio of the median to the floor.")
    print("bandwidth behind each floor, GB/s (reads + writes): " + " / ".join(
        rows[0]["bandwidth"]) if rows else "")
    for row in rows:
        print(f"  {row['optimizer']:<13}{row['n']:>9.0e}  " + " / ".join(
            f"{bw / 1e9:.0f}" for bw in row["bandwidth"].values()))

    targets = []
    for row in rows:
        if row["numba/torch_best"] is not None:
            targets.append({"target": f"{row['optimizer']} {row['n']:.0e}: numba/torch_best <= 1.0",
                            "value": row["numba/torch_best"],
                            "met": row["numba/torch_best"] <= 1.0})
        if row["n"] == 10**5 and row["numpy/numba"] is not None and row["optimizer"] in FIVEFOLD_CASES:
            targets.append({"target": f"{row['optimizer']} 1e+05: numpy/numba >= 5",
                            "value": row["numpy/numba"], "met": row["numpy/numba"] >= 5})
        if row["optimizer"] == "Adam" and row["n"] == 10**7 and row["numba/floor"] is not None:
            targets.append({"target": "Adam 1e+07: numba/floor <= 1.3",
                            "value": row["numba/floor"], "met": row["numba/floor"] <= 1.3})
    missed = [t for t in targets if not t["met"]]
    print(f"targets: {len(targets) - len(missed)} of {len(targets)} met"
          + "".join(f"\n  missed: {t['target']} (measured {t['value']:.2f})" for t in missed))

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "machine": facts,
        "bytes_per_element": {c: bytes_per_element(c) for c in cases},
        "shapes": {c: {str(n): list(shape_of(c, n)) for n in sizes} for c in cases},
        "rows": rows,
        "targets": targets,
    }, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
