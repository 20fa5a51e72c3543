"""torch Muon step time with Newton-Schulz in bfloat16 (torch's) and patched to float32."""
import time, statistics
import torch
import torch.optim._muon as M
torch.set_num_threads(2)
original = M._zeropower_via_newtonschulz
def float32_ns(grad, ns_coefficients, ns_steps, eps):
    a, b, c = ns_coefficients
    X = grad.float()
    if grad.size(0) > grad.size(1):
        X = X.T
    X = X / X.norm().clamp(min=eps)
    for _ in range(ns_steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if grad.size(0) > grad.size(1):
        X = X.T
    return X
def timed(shape, ns):
    M._zeropower_via_newtonschulz = ns
    p = torch.nn.Parameter(torch.randn(shape)); p.grad = torch.randn(shape)
    o = torch.optim.Muon([p], lr=1e-3)
    o.step()
    ts = []
    for _ in range(7):
        t = time.perf_counter(); o.step(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)
for shape in [(250, 400), (1000, 1000)]:
    print(shape, f"bf16 {timed(shape, original)*1e3:.1f} ms, float32 {timed(shape, float32_ns)*1e3:.1f} ms")
