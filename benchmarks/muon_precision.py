"""torch's Muon step time with its Newton-Schulz in bfloat16 (torch's) and patched to float32.

minigrad's Muon runs Newton-Schulz in the parameter's dtype (float32 here); torch in
bfloat16. This separates the precision from the implementation: the same torch step, its
`_zeropower_via_newtonschulz` replaced by the same iteration in float32. Needs only torch:

    python3 benchmarks/muon_precision.py      # a python with torch (not .venv)

Prints the median of 7 steps per shape. Asserts nothing (see benchmarks/README.md).
"""

import statistics
import time

import torch
import torch.optim._muon as muon

SHAPES = [(250, 400), (1000, 1000)]
torch.set_num_threads(2)
BFLOAT16 = muon._zeropower_via_newtonschulz


def float32_newton_schulz(grad, ns_coefficients, ns_steps, eps):
    """torch's iteration (transpose a tall matrix, normalise, ns_steps quintic steps) in float32."""
    a, b, c = ns_coefficients
    x = grad.float()
    tall = grad.size(0) > grad.size(1)
    if tall:
        x = x.T
    x = x / x.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


def median_step_seconds(shape, newton_schulz):
    """Median time of 7 Muon steps on a float32 parameter of `shape` (after one warm-up)."""
    muon._zeropower_via_newtonschulz = newton_schulz
    param = torch.nn.Parameter(torch.randn(shape))
    param.grad = torch.randn(shape)
    optimizer = torch.optim.Muon([param], lr=1e-3)
    optimizer.step()
    times = []
    for _ in range(7):
        start = time.perf_counter()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    for shape in SHAPES:
        bf16 = median_step_seconds(shape, BFLOAT16)
        f32 = median_step_seconds(shape, float32_newton_schulz)
        print(f"{shape}: bfloat16 {bf16 * 1e3:.1f} ms, float32 {f32 * 1e3:.1f} ms")
