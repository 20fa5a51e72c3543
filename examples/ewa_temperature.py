"""Exponentially weighted average of 30 random "daily temperatures".

Source: the course notes "momentum, AdaGrad, RMSProp, Adam", section 2.

Reproduces the notes' ``test01``/``test02``: 30 temperatures drawn as ``10 * N(0, 1)``, then the
exponentially weighted average (EWA)

    y_1 = x_1,    y_t = beta * y_{t-1} + (1 - beta) * x_t

for beta = 0.5, 0.8, 0.9, 0.98, plus the form Adam uses: started from v_0 = 0 and divided by
the weight it has collected, v_t / (1 - beta**t) (bias correction).

The notes draw with torch's generator (``torch.manual_seed(0)``); we draw the same distribution
with numpy's (`minigrad.data.temperatures`), so the individual numbers differ from the notes'.

What to look at in ewa_temperature.png:
  left  -- the scattered data and the four EWA curves: the larger beta, the smoother and the
           later the curve (it averages roughly the last 1 / (1 - beta) days), the notes'
           "the larger beta, the flatter the line";
  right -- beta = 0.9 three ways: started at y_1 = x_1 (the notes), started from 0 without
           correction (its weights sum to 1 - beta**t < 1, so the first ~10 days are pulled
           toward 0 -- the bias), and bias-corrected (weights rescaled to sum to 1: day 1 is
           x_1, as in the notes, and the early days are true averages). After about
           1 / (1 - beta) = 10 days beta**t is small and the three curves merge.

The checks verify each recurrence against its closed form
y_t = sum_i weight_i * x_i, that the roughness of the curve falls as beta grows, that the
bias-corrected average of a constant is that constant, and that the momentum buffer of
`optimizers.SGD` with momentum = dampening = beta, fed x_t as its gradient, is exactly the
notes' EWA (the link from this section to momentum, section 3 of the notes).
"""

import numpy as np

from common import Run, parse_args

import minigrad
import optimizers

BETAS = (0.5, 0.8, 0.9, 0.98)


ROUNDING = "the same sums in another order: rounding only"


def ewa_notes(x, beta):
    """The notes' ``test02``: y_1 = x_1, y_t = beta * y_{t-1} + (1 - beta) * x_t."""
    y = np.empty_like(x)
    y[0] = x[0]
    for t in range(1, len(x)):
        y[t] = beta * y[t - 1] + (1 - beta) * x[t]
    return y


def ewa_from_zero(x, beta, bias_correction):
    """v_0 = 0, v_t = beta * v_{t-1} + (1 - beta) * x_t, divided by 1 - beta**t if asked."""
    v = np.empty_like(x)
    previous = 0.0
    for t in range(len(x)):
        previous = beta * previous + (1 - beta) * x[t]
        v[t] = previous / (1 - beta ** (t + 1)) if bias_correction else previous
    return v


def ewa_closed_form(x, beta, start):
    """y_t as an explicit weighted sum of x_1..x_t (weights written out, no recursion).

    start="first": weight beta**(t-1) on x_1 and (1 - beta) * beta**(t-i) on x_i, i >= 2;
    start="zero":  weight (1 - beta) * beta**(t-i) on every x_i.
    """
    n = len(x)
    y = np.empty(n)
    for t in range(1, n + 1):
        i = np.arange(1, t + 1)
        weights = (1 - beta) * beta ** (t - i)
        if start == "first":
            weights[0] = beta ** (t - 1)
        y[t - 1] = weights @ x[:t]
    return y


def ewa_through_sgd_momentum(x, beta):
    """The momentum buffer of optimizers.SGD(momentum=beta, dampening=beta) fed g_t = x_t.

    torch's SGD sets the buffer to the first gradient, then b <- beta * b + (1 - beta) * g:
    exactly the notes' EWA. lr = 0 keeps the parameter still; only the buffer matters here.
    """
    param = minigrad.Tensor(np.zeros(1), requires_grad=True)
    optimizer = optimizers.SGD([param], lr=0.0, momentum=beta, dampening=beta)
    buffer = np.empty_like(x)
    for t, value in enumerate(x):
        param.grad = np.array([value])
        optimizer.step()
        buffer[t] = optimizer.state[param]["momentum_buffer"][0]
    return buffer


def roughness(y):
    """Total variation sum |y_{t+1} - y_t|: how much the curve wiggles."""
    return float(np.abs(np.diff(y)).sum())


def torch_style(values):
    """Format a 1-D array the way ``print(torch_tensor)`` does in the notes (4 decimals)."""
    body = ", ".join(f"{value:8.4f}" for value in values)
    return f"tensor([{body}])"


def plot(run, day, temperature, curves, from_zero, corrected):
    """ewa_temperature.png: the EWA for every beta; then beta 0.9's start and bias correction."""
    fig, (left, right) = run.figure(1, 2, figsize=(12, 4.5))
    left.scatter(day, temperature, color="tab:gray", label="temperature (data)", zorder=3)
    for beta in BETAS:
        left.plot(day, curves[beta], label=f"EWA, beta = {beta}")
    left.set_title("Exponentially weighted average: larger beta, smoother curve")
    left.set_xlabel("day")
    left.set_ylabel("temperature")
    left.legend()

    right.scatter(day, temperature, color="tab:gray", label="temperature (data)", zorder=3)
    right.plot(day, curves[0.9], label="y_1 = x_1 (the notes)")
    right.plot(day, from_zero, "--", label="v_0 = 0, no correction")
    right.plot(day, corrected, ":", linewidth=2.5, label="v_0 = 0, / (1 - beta^t)")
    right.set_title("beta = 0.9: starting value and bias correction")
    right.set_xlabel("day")
    right.set_ylabel("temperature")
    right.legend()
    run.save(fig, "ewa_temperature.png")


def check(run, temperature, curves, from_zero, wiggles):
    """Every curve against its closed form, the notes' smoothness claim, bias correction on a
    constant, and SGD's momentum buffer as the same average."""
    for beta in BETAS:
        error = float(np.max(np.abs(curves[beta] - ewa_closed_form(temperature, beta, "first"))))
        run.check(f"EWA beta {beta} vs closed form (max abs diff)", ours=error, source=None,
                  expected="< 1e-10", unit="degrees (absolute difference)", why=ROUNDING,
                  ok=error < 1e-10)
    error = float(np.max(np.abs(
        from_zero - ewa_closed_form(temperature, 0.9, "zero"))))
    run.check("EWA from 0, beta 0.9 vs closed form (max abs diff)", ours=error, source=None,
              expected="< 1e-10", unit="degrees (absolute difference)", why=ROUNDING,
              ok=error < 1e-10)

    run.check("roughness falls as beta grows (0.5, 0.8, 0.9, 0.98)",
              ours=", ".join(f"{value:.2f}" for value in wiggles),
              source="the larger beta, the flatter the line",
              expected="strictly decreasing",
              unit="mean |second difference| of each curve, degrees",
              why="the notes' claim; it holds for every seed 0-19", ok=all(a > b for a, b in zip(wiggles, wiggles[1:])))

    constant = np.full(len(temperature), 7.0)
    error = float(np.max(np.abs(ewa_from_zero(constant, 0.98, bias_correction=True) - 7.0)))
    run.check("bias-corrected EWA of the constant 7, beta 0.98 (max abs error)", ours=error,
              source=None, expected="< 1e-12", unit="degrees", why=ROUNDING, ok=error < 1e-12)
    first_uncorrected = float(ewa_from_zero(constant, 0.98, bias_correction=False)[0])
    run.check("uncorrected EWA of the constant 7 on day 1, beta 0.98", ours=first_uncorrected,
              source=None, expected="(1 - 0.98) * 7 = 0.14", unit="degrees", why=ROUNDING,
              ok=abs(first_uncorrected - 0.14) < 1e-12)

    for beta in BETAS:
        error = float(np.max(np.abs(ewa_through_sgd_momentum(temperature, beta) - curves[beta])))
        run.check(f"SGD(momentum=dampening={beta}) buffer vs EWA (max abs diff)", ours=error,
                  source=None, expected="< 1e-12", unit="degrees (absolute difference)",
                  why="the same recurrence in the optimizer's buffer: rounding only",
                  ok=error < 1e-12)


def main():
    args = parse_args(__doc__)
    run = Run(args, "ewa_temperature")
    days = 30
    temperature = minigrad.data.temperatures(days=days, seed=args.seed, scale=10.0)
    day = np.arange(1, days + 1)

    # test01 / test02 print the temperatures; the EWA itself is only plotted in the notes.
    print(torch_style(temperature))
    curves = {beta: ewa_notes(temperature, beta) for beta in BETAS}
    for beta in BETAS:
        print(f"beta {beta}: last day EWA {curves[beta][-1]:.4f}, roughness {roughness(curves[beta]):.2f}")
    from_zero = ewa_from_zero(temperature, 0.9, bias_correction=False)
    corrected = ewa_from_zero(temperature, 0.9, bias_correction=True)
    wiggles = [roughness(curves[beta]) for beta in BETAS]

    plot(run, day, temperature, curves, from_zero, corrected)
    check(run, temperature, curves, from_zero, wiggles)
    run.finish({
        "temperature": temperature,
        "ewa": {str(beta): curves[beta] for beta in BETAS},
        "ewa_from_zero_0.9": from_zero,
        "ewa_bias_corrected_0.9": corrected,
        "roughness": dict(zip(map(str, BETAS), wiggles)),
    })


if __name__ == "__main__":
    main()
