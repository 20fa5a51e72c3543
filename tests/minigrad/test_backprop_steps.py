"""viz.backprop_steps (the backward pass replayed step by step, as records, text and frames)
and draw_graph(grads="all"), checked with numbers on micrograd's README expression."""

import numpy as np
import pytest
from PIL import Image

import minigrad
from minigrad import Tensor, viz
from minigrad.function import Context

# micrograd's README: g and its gradients as micrograd (and PyTorch) print them.
G, DG_DA, DG_DB = 24.7041, 138.8338, 645.5773


def micrograd_expression():
    """micrograd's README expression, line for line; returns (names, g)."""
    a = Tensor(-4.0, requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
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
    return {a: "a", b: "b", c: "c", d: "d", e: "e", f: "f", g: "g"}, g


def leaves(names):
    return [t for t in names if t.is_leaf]


def test_micrograd_expression_values_and_totals_match_micrograd():
    names, g = micrograd_expression()
    steps = viz.backprop_steps(g, names=names)
    a, b = leaves(names)
    assert g.item() == pytest.approx(G, abs=5e-5)
    assert steps.totals["a"].item() == pytest.approx(DG_DA, abs=5e-5)
    assert steps.totals["b"].item() == pytest.approx(DG_DB, abs=5e-5)
    assert a.grad is None and b.grad is None  # the replay writes no .grad
    g.backward()
    assert (steps.totals["a"], steps.totals["b"]) == (a.grad, b.grad)  # bit for bit
    assert len(steps) == 25  # one step per recorded op


def test_every_step_gradient_equals_retain_grad_and_flows_obey_the_chain_rule():
    names, g = micrograd_expression()
    steps = viz.backprop_steps(g, names=names)
    computed = [t for t in viz._tensors_in_order(g) if not t.is_leaf and t.requires_grad]
    for tensor in computed:
        tensor.retain_grad()
    g.backward()
    by_node = {t.grad_fn: t for t in computed}
    assert set(by_node) == {step.node for step in steps}
    for step in steps:
        assert np.array_equal(step.grad, by_node[step.node].grad), step.output
        for flow in step.flows:  # one-element values: what flows = upstream * local
            assert flow.grad == step.grad * flow.local, (step.output, flow.input)
    # Each node runs once everything flowing into it has arrived: after all its consumers.
    position = {step.node: step.index for step in steps}
    for step in steps:
        for target in step.node.next:
            if type(target) is Context:
                assert position[target] > step.index
    # A flow's running total, at the input's own step, is the gradient the input then uses.
    last_total = {}
    for step in steps:
        if step.node in last_total:
            assert np.array_equal(last_total[step.node], step.grad)
        for flow in step.flows:
            last_total[flow.target] = flow.total


def test_the_text_walks_through_each_step_with_its_numbers():
    names, g = micrograd_expression()
    text = str(viz.backprop_steps(g, names=names))
    assert text.startswith("Backward pass of g = 24.7041: 25 steps, in the engine's order.\nStart: dg/dg = 1.")
    assert "step 5/25: e = sub(c, d) = -7\n  rule: a - b; d/da = 1, d/db = -1.\n" in text
    assert "  -> d: local de/dd = -1; sends -6.94169 * -1 = 6.94169; total dg/dd so far 6.94169" in text
    assert "  -> f: local dt20/df = -0.00416493; sends 1 * -0.00416493 = -0.00416493" in text  # 10/f
    assert text.endswith("Totals (= .grad after backward): dg/da = 138.834, dg/db = 645.577")
    steps = viz.backprop_steps(g, names=names)
    short = steps.text(only=[1, 5])
    assert "\n(steps 2-4 left out: t20 = div, t19 = div, f = pow)\n" in short
    assert "\n(steps 6-25 left out)\n" in short and "step 6/25" not in short
    assert short.count("\nstep ") == 2
    with pytest.raises(ValueError, match=r"only: step numbers run from 1 to 25, got \[0, 26\]"):
        steps.text(only=[0, 3, 26])


def test_tensor_steps_show_the_vector_jacobian_product_and_match_autograd_grad():
    x = Tensor([[1.0, -2.0]], requires_grad=True)
    w = Tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)
    loss = ((x @ w).tanh() ** 2).sum()
    steps = viz.backprop_steps(loss, names={x: "x", w: "w", loss: "loss"})
    assert [step.op for step in steps] == ["sum", "pow", "tanh", "matmul"]
    matmul = steps[3]
    dx, dw = minigrad.autograd.grad(loss, [x, w], retain_graph=True)
    np.testing.assert_array_equal(matmul.flows[0].grad, dx.data)
    np.testing.assert_array_equal(matmul.flows[1].grad, dw.data)
    np.testing.assert_array_equal(steps[0].flows[0].local, np.ones((1, 2)))  # d sum / d input
    # Small tensors: the Jacobian, a row per output element; d(x @ w)/dx = w^T, and
    # d(x @ w)_j / dw_kl = x_k [j == l].
    np.testing.assert_array_equal(matmul.flows[0].local, w.data.T)
    np.testing.assert_array_equal(matmul.flows[1].local, [[1, 0, -2, 0], [0, 1, 0, -2]])
    for step in steps[1:]:
        for flow in step.flows:
            np.testing.assert_allclose(flow.grad.ravel(), step.grad.ravel() @ flow.local, rtol=1e-15)
    tanh = steps[2]
    np.testing.assert_allclose(tanh.flows[0].local, np.diag(1 - tanh.value.ravel() ** 2), rtol=1e-15)
    assert "  -> x: Jacobian dt1/dx = [[0.5, 2], [1, -1]] (a row per element of t1); sends" in str(steps)
    big = Tensor(np.linspace(-1, 1, 6), requires_grad=True)
    big_steps = viz.backprop_steps((big.exp() * 2.0).sum())
    assert big_steps[1].flows[0].local is None  # 6 elements: only the product is shown
    assert "sends (vector-Jacobian product) <shape (6,), norm" in str(big_steps)


def test_replaying_a_released_graph_says_how_to_keep_it():
    names, g = micrograd_expression()
    g.backward(retain_graph=True)
    assert len(viz.backprop_steps(g, names=names)) == 25  # retained: replay works
    g.backward()
    with pytest.raises(RuntimeError, match=r"replay before calling backward\(\), or call backward\(retain_graph=True\)"):
        viz.backprop_steps(g)
    with pytest.raises(ValueError, match="no backward pass to replay"):
        viz.backprop_steps(Tensor(1.0, requires_grad=True))
    with pytest.raises(TypeError, match="expected a minigrad Tensor"):
        viz.backprop_steps(3.0)


def small_graph():
    a = Tensor(-4.0, requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    y = (a * b + b**3).tanh()
    return {a: "a", b: "b", y: "y"}, y


def test_frames_and_gif_have_one_frame_per_step_all_the_same_size(tmp_path):
    names, y = small_graph()
    steps = viz.backprop_steps(y, names=names)
    assert len(steps) == 4  # tanh, add, pow, mul
    gif = steps.save_gif(tmp_path / "walk.gif", seconds_per_frame=0.5, frames_dir=tmp_path / "frames")
    pngs = sorted((tmp_path / "frames").glob("step_*.png"))
    assert [p.name for p in pngs] == [f"step_{i:02d}.png" for i in range(5)]
    sizes = {Image.open(p).size for p in pngs}
    assert len(sizes) == 1
    width, height = sizes.pop()
    assert width > 600 and height > 200
    arrays = [np.asarray(Image.open(p).convert("L")) for p in pngs]
    assert all((first != second).any() for first, second in zip(arrays, arrays[1:]))  # each step changes
    with Image.open(gif) as animation:
        assert animation.n_frames == 5 and animation.size == (width, height)
        durations = []
        for index in range(animation.n_frames):
            animation.seek(index)
            durations.append(animation.info["duration"])
    assert durations == [500] * 4 + [1500]  # 0.5 s a frame; the totals held three times as long
    assert [p.name for p in map(type(tmp_path), steps.save_frames(tmp_path / "again"))] == [p.name for p in pngs]


def test_frame_labels_show_every_gradient_so_far_and_highlight_the_step():
    names, y = small_graph()
    steps = viz.backprop_steps(y, names=names)
    from minigrad.backprop_steps import _Frames

    frames = _Frames(steps)
    first, last = frames.frame(0), frames.frame(len(steps))
    assert not first["highlight"] and "backward starts with dy/dy = 1" in first["title"]
    assert "y\ndata 0\ngrad 1" in first["labels"]
    assert "a\ndata -4\ngrad 2" in last["labels"] and "b\ndata 2\ngrad 8" in last["labels"]
    ops = [frames.graph.nodes[i].ops for i in last["highlight"] if frames.graph.nodes[i].kind == "op"]
    # The last step is the oldest node, a * b: a -> mul, b -> mul and mul -> its output.
    assert [step.op for step in steps] == ["tanh", "add", "pow", "mul"]
    assert ops == [("mul",)] and len(last["highlight_edges"]) == 3


def test_draw_graph_grads_all_shows_every_nodes_gradient(tmp_path):
    names, g = micrograd_expression()
    graph = viz.build_graph(g, names=names, grads="all", collapse_chains=None)
    tensors = [node for node in graph.nodes if node.kind == "tensor"]
    with_grad = [node for node in tensors if "grad " in node.label]
    assert len(with_grad) == len([n for n in tensors if n.tensor.requires_grad]) == 27  # 25 ops + a, b
    assert "a\ndata -4\ngrad 138.8" in [n.label for n in tensors]
    assert "e\ndata -7\ngrad -6.942" in [n.label for n in tensors]
    assert all(t.grad is None for t in names)  # nothing written
    figure = viz.draw_graph(g, tmp_path / "all.png", names=names, grads="all")
    assert (tmp_path / "all.png").stat().st_size > 10_000 and figure is not None
    with pytest.raises(ValueError, match="grads must be 'set'"):
        viz.build_graph(g, grads="every")
    g.backward()
    with pytest.raises(RuntimeError, match="backward\\(retain_graph=True\\)"):
        viz.draw_graph(g, grads="all")
