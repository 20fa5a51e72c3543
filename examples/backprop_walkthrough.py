"""Backprop step by step on micrograd's README expression: every node, every number.

Source: micrograd's README (A. Karpathy), whose example builds, from a = -4 and b = 2,

    c = a + b;  d = a * b + b**3;  c += c + 1;  c += 1 + c + (-a)
    d += d * 2 + (b + a).relu();  d += 3 * d + (b - a).relu()
    e = c - d;  f = e**2;  g = f / 2.0;  g += 10.0 / f

and prints g = 24.7041, dg/da = 138.8338 and dg/db = 645.5773 (4 decimals). Here the same
lines run on minigrad Tensors and ``viz.backprop_steps(g)`` replays ``g.backward()`` node by
node, in the engine's own order: at each of the 25 steps, the op, its rule (the derivative in
its docstring), d g / d output (everything that flowed in, summed), the local derivative d
output / d input, the gradient ``upstream * local`` sent to each input, and that input's total
so far. The text goes to ``backprop_walkthrough.txt``, one PNG frame per step (the current op in
red, the gradients it sends flowing back along red arrows, every gradient so far in the boxes)
to ``backprop_walkthrough_frames/``, the same frames as ``backprop_walkthrough.gif``, and the
graph with every node's gradient (``draw_graph(..., grads="all")``, as micrograd draws it) to
``backprop_walkthrough.png``.

Checks: g, dg/da and dg/db against micrograd's printed numbers (to its 4 decimals); against
central finite differences; each step's d g / d output equal, bit for bit, to what
``retain_grad()`` on every intermediate tensor gives after ``g.backward()``; the replay's totals
equal to the leaves' ``.grad``; each flow equal to upstream gradient x local derivative; one
frame per step plus the start. Drawing the 26 frames is most of the script's ~10 s;
``--quick`` draws them at 50 dpi instead of 100, for the tests.
"""

import sys

import numpy as np
from PIL import Image

from common import Run, parse_args

from minigrad import Tensor, viz

# micrograd's README prints these with 4 decimals.
MICROGRAD_G, MICROGRAD_DG_DA, MICROGRAD_DG_DB = 24.7041, 138.8338, 645.5773
ROUNDING = 5e-5  # half a unit of the 4th decimal
LAYERS_PER_ROW = 8  # the graph is 21 columns wide: three rows of 8 fit a page


def micrograd_expression(a_value=-4.0, b_value=2.0):
    """micrograd's README expression, line for line; returns (a, b, names, g)."""
    a = Tensor(a_value, requires_grad=True)
    b = Tensor(b_value, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, {a: "a", b: "b", c: "c", d: "d", e: "e", f: "f", g: "g"}, g


def finite_differences(h=1e-6):
    """dg/da and dg/db by central differences (g(x + h) - g(x - h)) / 2h."""
    def g_at(a, b):
        return micrograd_expression(a, b)[3].item()

    return ((g_at(-4.0 + h, 2.0) - g_at(-4.0 - h, 2.0)) / (2 * h),
            (g_at(-4.0, 2.0 + h) - g_at(-4.0, 2.0 - h)) / (2 * h))


def retained_gradients(g):
    """retain_grad() on every intermediate tensor of g's graph, then g.backward(): {node: grad}."""
    intermediates = [t for t in viz._tensors_in_order(g) if not t.is_leaf and t.requires_grad]
    for tensor in intermediates:
        tensor.retain_grad()
    g.backward()
    return {tensor.grad_fn: tensor.grad for tensor in intermediates}


def main():
    args = parse_args(__doc__)
    run = Run(args, "backprop_walkthrough")
    a, b, names, g = micrograd_expression()
    steps = viz.backprop_steps(g, names=names)
    text = str(steps)
    print(text)
    (run.out / "backprop_walkthrough.txt").write_text(text + "\n")
    frames_dir = run.out / "backprop_walkthrough_frames"
    gif = run.add_figure(steps.save_gif(run.out / "backprop_walkthrough.gif", frames_dir=frames_dir,
                                        dpi=50 if args.quick else 100, layers_per_row=LAYERS_PER_ROW))
    run.save(viz.draw_graph(g, names=names, grads="all", layers_per_row=LAYERS_PER_ROW,
                            title="micrograd's expression: every node's gradient dg/d(node)"),
             "backprop_walkthrough.png")

    totals = {label: total.item() for label, total in steps.totals.items()}
    run.check("g", g.item(), MICROGRAD_G, f"within {ROUNDING:g} of micrograd's 24.7041",
              abs(g.item() - MICROGRAD_G) <= ROUNDING, unit="value of g",
              why="micrograd's README prints 4 decimals")
    for label, printed in (("a", MICROGRAD_DG_DA), ("b", MICROGRAD_DG_DB)):
        run.check(f"dg/d{label}, last step's total", totals[label], printed,
                  f"within {ROUNDING:g} of micrograd's {printed}", abs(totals[label] - printed) <= ROUNDING,
                  unit="gradient", why="micrograd's README prints 4 decimals")
    numeric = finite_differences()
    deviation = max(abs(totals[label] - value) / abs(value) for label, value in zip("ab", numeric))
    run.check("dg/da, dg/db vs central finite differences (h = 1e-6)", deviation, None, "<= 1e-6",
              deviation <= 1e-6, unit="relative deviation, the larger of the two",
              why="central differences err by O(h^2) truncation plus ~1e-16 * |g| / h rounding: ~1e-8 here")
    chain_rule = max(abs(flow.grad.item() - step.grad.item() * flow.local.item())
                     / max(abs(flow.grad.item()), 1e-300) for step in steps for flow in step.flows)
    run.check("every flow = upstream gradient x local derivative", chain_rule, None, "<= 1e-15",
              chain_rule <= 1e-15, unit="largest relative difference over all flows",
              why="the same product, the op's backward multiplying in its own order: rounding only")

    retained = retained_gradients(g)  # runs g.backward(): the leaves' .grad are set from here on
    mismatched = sum(not np.array_equal(step.grad, retained[step.node]) for step in steps)
    run.check("steps whose dg/d(output) differs from retain_grad's", mismatched, None, "0 of 25",
              mismatched == 0 and len(steps) == len(retained) == 25, unit="steps",
              why="the replay is the engine's own backward pass, observed: bit for bit")
    replay_vs_grad = max(abs(totals["a"] - a.grad.item()), abs(totals["b"] - b.grad.item()))
    run.check("replayed totals vs .grad after g.backward()", replay_vs_grad, None, "== 0 (bit for bit)",
              replay_vs_grad == 0.0, unit="largest absolute difference",
              why="the same sums in the same order")
    pngs = sorted(frames_dir.glob("step_*.png"))
    with Image.open(gif) as animation:
        gif_frames, size = animation.n_frames, animation.size
    run.check("frames written (PNG, and distinct GIF frames)", [len(pngs), gif_frames], None,
              f"{len(steps) + 1} each", len(pngs) == gif_frames == len(steps) + 1, unit="frames",
              why="the start, then one per step")
    print(f"\nframes: {frames_dir}/step_00.png ... step_{len(steps):02d}.png, {size[0]}x{size[1]} px; "
          f"animation: {gif}")
    run.finish({
        "g": g.item(), "totals": totals, "finite_differences": list(numeric), "steps": len(steps),
        "order": [step.output for step in steps], "step_gradients": [step.grad.item() for step in steps],
        "frames": [str(path) for path in pngs], "animation": str(gif), "frame_size": list(size),
        "text": str(run.out / "backprop_walkthrough.txt"),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
