"""minigrad.viz: graph structure (node and edge counts by hand), chain collapsing and
elision, the layered layout, PNG/SVG files, and DOT text checked by a small parser."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

import minigrad
from minigrad import Tensor, nn, viz


def micrograd_example():
    """The expression of micrograd's README, with its ``c += x`` written ``c = c + x``:
    micrograd's ``+=`` rebinds, minigrad's (as torch's) updates in place."""
    a = Tensor(-4.0, requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).relu())
    d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return a, b, g


# Counted by hand, statement by statement (ops; tensors incl. the constants Python numbers
# become; input edges = parents per op):
#   c = a + b                  1 op;  a, b, c                      3 tensors; 2 inputs
#   d = a*b + b**3             3 ops; ab, 3, b**3, d               4;         6
#   c += c + 1                 2 ops; 1, c+1, c                    3;         4
#   c += 1 + c + (-a)          4 ops; 1, 1+c, -a, sum, c           5;         7
#   d += d*2 + (b+a).relu()    5 ops; 2, d*2, b+a, relu, sum, d    6;         9
#   d += 3*d + (b-a).relu()    5 ops; same shape                   6;         9
#   e = c - d                  1 op;  e                            1;         2
#   f = e**2                   1 op;  2, f                         2;         2
#   g = f / 2.0                1 op;  2.0, g                       2;         2
#   g += 10.0 / f              2 ops; 10.0, 10/f, g                3;         4
# 25 ops + 35 tensors = 60 nodes; 47 input edges + 25 output edges = 72 edges.
MICROGRAD_NODES, MICROGRAD_EDGES, MICROGRAD_OPS = 60, 72, 25


def mlp_loss():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    x = Tensor(np.random.default_rng(0).normal(size=(4, 2)))
    y = Tensor(np.ones((4, 1)))
    loss = nn.MSELoss()(model(x), y)
    loss.backward()
    return model, x, y, loss


# Linear = one op, linear(x, W, b); tensors W, b, output.
# Two Linears + tanh + MSE (sub, pow 2, mean) = 6 ops; tensors: x, 3 per Linear, tanh output,
# y, difference, constant 2, square, loss = 13.
# Edges: inputs 3 per Linear (6), tanh 1, sub 2, pow 2, mean 1 = 12, plus 6 outputs.
MLP_NODES, MLP_EDGES = 19, 18


def dot_structure(text):
    """A minimal DOT reader for what ``to_dot`` writes: ``{node id: label}`` and edges.

    Fails the test on any line that is neither a node statement, an edge, nor the header
    and attribute lines, so malformed output cannot slip through.
    """
    lines = text.strip().split("\n")
    assert lines[0] == "digraph minigrad {" and lines[-1] == "}"
    nodes, edges = {}, []
    node_statement = re.compile(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)", shape=(box|ellipse), style="[a-z,]+", fillcolor="#[0-9a-f]{6}"\];$')
    edge_statement = re.compile(r"^  (n\d+) -> (n\d+);$")
    for line in lines[1:-1]:
        if match := node_statement.match(line):
            assert match[1] not in nodes, f"node {match[1]} declared twice"
            label = re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], match[2])
            nodes[match[1]] = label
        elif match := edge_statement.match(line):
            edges.append((match[1], match[2]))
        else:
            assert line in ("  rankdir=LR;", '  node [fontname="monospace", fontsize=10];'), line
    return nodes, edges


# ----------------------------------------------------------------------------- structure


def test_micrograd_example_values_gradients_and_graph_size():
    a, b, g = micrograd_example()
    g.backward()
    # micrograd's published numbers (README): 24.7041, 138.8338, 645.5773.
    assert round(g.item(), 4) == 24.7041
    assert round(a.grad.item(), 4) == 138.8338
    assert round(b.grad.item(), 4) == 645.5773
    graph = viz.build_graph(g, names={a: "a", b: "b"})
    assert len(graph.nodes) == MICROGRAD_NODES
    assert len(graph.edges) == MICROGRAD_EDGES
    assert sum(node.kind == "op" for node in graph.nodes) == MICROGRAD_OPS
    assert graph.collapsed_ops == 0 and graph.elided_nodes == 0
    assert graph.nodes[graph.root].tensor is g
    labels = {node.label for node in graph.nodes}
    assert "a\ndata -4\ngrad 138.8" in labels
    assert "b\ndata 2\ngrad 645.6" in labels
    assert graph.nodes[graph.root].label == "data 24.7"


def test_nodes_are_topologically_ordered_and_edges_join_tensor_op_tensor():
    _, _, g = micrograd_example()
    graph = viz.build_graph(g)
    kinds = [node.kind for node in graph.nodes]
    for source, target in graph.edges:
        assert source < target
        assert {kinds[source], kinds[target]} == {"tensor", "op"}
    for node in graph.nodes:
        assert node.index == graph.nodes.index(node)
        if node.kind == "op":
            # An op node is followed by the tensor it produces, and the edge joins them.
            assert graph.nodes[node.index + 1].tensor is node.tensor
            assert (node.index, node.index + 1) in graph.edges
            assert node.ops == (node.tensor._op,)


def test_mlp_loss_graph_counts_and_parameter_names():
    model, x, y, loss = mlp_loss()
    names = viz.parameter_names(model)
    assert sorted(names.values()) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    graph = viz.build_graph(loss, names={**names, x: "x", y: "y", loss: "loss"})
    assert len(graph.nodes) == MLP_NODES
    assert len(graph.edges) == MLP_EDGES
    ops = [node.label for node in graph.nodes if node.kind == "op"]
    assert sorted(ops) == sorted(["linear"] * 2 + ["tanh", "sub", "pow", "mean"])
    by_name = {node.label.split("\n")[0]: node for node in graph.nodes if node.kind == "tensor"}
    weight = model[0].weight
    assert by_name["0.weight"].tensor is weight
    # A (3, 2) weight shows its shape and norm, and after backward its gradient's norm.
    assert by_name["0.weight"].label == (
        f"0.weight\nshape (3, 2)\ndata norm {np.linalg.norm(weight.data):.4g}\n"
        f"grad norm {np.linalg.norm(weight.grad):.4g}"
    )
    assert by_name["loss"].label == f"loss\ndata {loss.item():.4g}"


def test_repeated_input_gives_one_edge_and_a_leaf_alone_is_one_node():
    a = Tensor([1.0, 2.0], requires_grad=True)
    graph = viz.build_graph(a * a)
    assert [node.kind for node in graph.nodes] == ["tensor", "op", "tensor"]
    assert graph.edges == [(0, 1), (1, 2)]
    alone = viz.build_graph(Tensor(3.0))
    assert len(alone.nodes) == 1 and alone.edges == [] and alone.nodes[0].label == "data 3"


def test_show_grad_false_and_retained_intermediate_gradients():
    a = Tensor(2.0, requires_grad=True)
    hidden = a * 3
    hidden.retain_grad()
    out = hidden.tanh()
    out.backward()
    labels = [node.label for node in viz.build_graph(out).nodes]
    # d tanh(h)/dh = 1 - tanh(6)**2; d out/da = 3 times that.
    assert f"data 6\ngrad {1 - np.tanh(6.0) ** 2:.4g}" in labels
    assert f"data 2\ngrad {3 * (1 - np.tanh(6.0) ** 2):.4g}" in labels
    assert not any("grad" in label for label in [node.label for node in viz.build_graph(out, show_grad=False).nodes])


def test_float32_and_big_tensors_are_labelled_with_dtype_and_norm():
    big = Tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4), requires_grad=True)
    graph = viz.build_graph(big.sum())
    assert graph.nodes[0].label == f"shape (3, 4)\nfloat32\ndata norm {np.linalg.norm(np.arange(12.0)):.4g}"


# ----------------------------------------------------------------------------- big graphs


def tanh_chain(length):
    x = Tensor(0.3, requires_grad=True)
    outputs = [x]
    for _ in range(length):
        outputs.append(outputs[-1].tanh())
    return x, outputs


def test_thousand_op_chain_collapses_into_one_node():
    x, outputs = tanh_chain(1000)
    graph = viz.build_graph(outputs[-1])
    assert [node.kind for node in graph.nodes] == ["tensor", "chain", "tensor"]
    assert graph.edges == [(0, 1), (1, 2)]
    assert graph.collapsed_ops == 1000
    chain = graph.nodes[1]
    assert chain.ops == ("tanh",) * 1000
    assert chain.label.startswith("1000 ops:\ntanh -> tanh")
    assert graph.nodes[0].tensor is x and graph.nodes[2].tensor is outputs[-1]


def test_chains_absorb_unnamed_constants_and_stop_at_named_tensors():
    x = Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(300):
        y = (y * 0.5 + 1.0).tanh()  # 900 ops whose only other inputs are fresh constants
    graph = viz.build_graph(y)
    assert [node.kind for node in graph.nodes] == ["tensor", "chain", "tensor"]
    assert graph.nodes[1].ops == ("mul", "add", "tanh") * 300

    x, outputs = tanh_chain(1000)
    graph = viz.build_graph(outputs[-1], names={outputs[500]: "middle"})
    assert [node.kind for node in graph.nodes] == ["tensor", "chain", "tensor", "chain", "tensor"]
    assert [len(node.ops) for node in graph.nodes if node.kind == "chain"] == [500, 500]
    assert graph.nodes[2].label.startswith("middle\n")


def test_short_chains_and_shared_intermediates_stay_expanded():
    _, outputs = tanh_chain(4)  # below the default threshold of 5
    assert len(viz.build_graph(outputs[-1]).nodes) == 9
    assert len(viz.build_graph(outputs[-1], collapse_chains=2).nodes) == 3
    x, outputs = tanh_chain(10)
    branched = outputs[-1] + outputs[5]  # outputs[5] feeds two ops, so it must stay visible
    graph = viz.build_graph(branched)
    assert [len(node.ops) for node in graph.nodes if node.kind == "chain"] == [5, 5]
    assert any(node.tensor is outputs[5] and node.kind == "tensor" for node in graph.nodes)
    assert len(viz.build_graph(branched, collapse_chains=None).nodes) == 1 + 2 * 10 + 2


def test_max_nodes_keeps_the_nodes_nearest_the_output_and_counts_the_rest():
    _, outputs = tanh_chain(1000)  # 1001 tensors + 1000 ops
    graph = viz.build_graph(outputs[-1], collapse_chains=None, max_nodes=50)
    assert len(graph.nodes) == 50
    assert graph.elided_nodes == 2001 - 49
    assert graph.nodes[0].kind == "elided" and graph.nodes[0].count == 1952
    assert "1952 nodes" in graph.nodes[0].label
    assert graph.nodes[graph.root].tensor is outputs[-1]
    kept = [node.tensor for node in graph.nodes if node.kind == "tensor"]
    assert kept == outputs[-len(kept):]
    assert len(graph.edges) == 49 and graph.edges[0] == (0, 1)
    assert len(viz.build_graph(outputs[-1], collapse_chains=None, max_nodes=None).nodes) == 2001


# ----------------------------------------------------------------------------- layout


def test_count_crossings_on_hand_made_segments():
    assert viz.count_crossings([((0, 0), (1, 1)), ((0, 1), (1, 0))]) == 1
    assert viz.count_crossings([((0, 0), (1, 0)), ((0, 1), (1, 1))]) == 0
    assert viz.count_crossings([((0, 0), (1, 1)), ((0, 0), (1, -1))]) == 0  # shared end
    assert viz.count_crossings([((0, 0), (1, 1)), ((0, 1), (1, 0)), ((0, 0.5), (1, 0.5))]) == 3


def test_layout_goes_left_to_right_and_barycentres_reduce_crossings():
    _, _, g = micrograd_example()
    graph = viz.build_graph(g)
    layout = viz.layered_layout(graph)
    for (source, target), route in zip(graph.edges, layout.routes):
        assert layout.layer[target] > layout.layer[source]
        # One waypoint per skipped layer, in order.
        assert [depth for depth, _ in route] == list(range(layout.layer[source] + 1, layout.layer[target]))
    # Two nodes never share a slot.
    slots = list(zip(layout.layer, layout.y)) + [point for route in layout.routes for point in route]
    assert len(set(slots)) == len(slots)
    # g is alone in the last layer.
    assert layout.layer[graph.root] == layout.layer.max() and list(layout.layer).count(layout.layer.max()) == 1
    unordered = viz.layered_layout(graph, sweeps=0).crossings
    assert layout.crossings < unordered


def test_every_node_sits_just_before_its_first_consumer():
    for graph in (viz.build_graph(micrograd_example()[2]), viz.build_graph(mlp_loss()[3])):
        layout = viz.layered_layout(graph)
        for node in graph.nodes:
            consumers = [target for source, target in graph.edges if source == node.index]
            if node.index != graph.root:
                assert layout.layer[node.index] == min(layout.layer[c] for c in consumers) - 1
        # The longest path from a leaf to the output fixes the number of layers.
        depth = [0] * len(graph.nodes)
        for source, target in sorted(graph.edges, key=lambda edge: edge[1]):
            depth[target] = max(depth[target], depth[source] + 1)
        assert layout.layer.max() == max(depth) and layout.layer.min() == 0


# ----------------------------------------------------------------------------- files and DOT


def test_draw_graph_writes_png_and_svg_and_closes_the_figure(tmp_path):
    a, b, g = micrograd_example()
    g.backward()
    open_before = plt.get_fignums()
    figure = viz.draw_graph(g, tmp_path / "micrograd.png", names={a: "a", b: "b"}, title="micrograd")
    assert plt.get_fignums() == open_before
    data = (tmp_path / "micrograd.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    # One box or ellipse per node, one arrow per edge.
    patches = figure.axes[0].patches
    assert len(patches) == MICROGRAD_NODES + MICROGRAD_EDGES
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert "a\ndata -4\ngrad 138.8" in texts and "micrograd" in texts

    model, x, y, loss = mlp_loss()
    viz.draw_graph(loss, tmp_path / "mlp.svg", names=viz.parameter_names(model))
    svg = (tmp_path / "mlp.svg").read_text()
    assert "<svg" in svg and svg.count("<g id=\"patch_") >= MLP_NODES + MLP_EDGES
    assert plt.get_fignums() == open_before


def test_draw_graph_without_path_returns_an_open_figure():
    _, outputs = tanh_chain(1000)
    figure = viz.draw_graph(outputs[-1])
    try:
        assert figure.number in plt.get_fignums()
        assert "1000 ops:\ntanh -> tanh\ntanh -> ...\ntanh" in [text.get_text() for text in figure.axes[0].texts]
    finally:
        plt.close(figure)


def test_dot_text_parses_with_the_graph_nodes_edges_and_labels():
    a, b, g = micrograd_example()
    g.backward()
    names = {a: 'a "the first" \\ input', b: "b"}
    graph = viz.build_graph(g, names=names)
    nodes, edges = dot_structure(viz.to_dot(g, names=names))
    assert len(nodes) == MICROGRAD_NODES and len(edges) == MICROGRAD_EDGES
    assert all(source in nodes and target in nodes for source, target in edges)
    assert [nodes[f"n{node.index}"] for node in graph.nodes] == [node.label for node in graph.nodes]
    assert sorted(edges) == sorted((f"n{s}", f"n{t}") for s, t in graph.edges)
    assert 'a "the first" \\ input\ndata -4\ngrad 138.8' in nodes.values()

    model, _, _, loss = mlp_loss()
    nodes, edges = dot_structure(viz.to_dot(loss, names=viz.parameter_names(model)))
    assert (len(nodes), len(edges)) == (MLP_NODES, MLP_EDGES)
    _, outputs = tanh_chain(1000)
    nodes, edges = dot_structure(viz.to_dot(outputs[-1]))
    assert (len(nodes), len(edges)) == (3, 2)


def test_bad_arguments_are_named():
    a = Tensor(1.0, requires_grad=True)
    with pytest.raises(TypeError, match="expected a minigrad Tensor"):
        viz.build_graph(np.ones(2))
    with pytest.raises(TypeError, match="keys must be Tensors"):
        viz.build_graph(a * 2, names={"a": "a"})
    with pytest.raises(TypeError, match="must be a str"):
        viz.to_dot(a * 2, names={a: 1})
    with pytest.raises(ValueError, match="collapse_chains must be an integer >= 2"):
        viz.build_graph(a * 2, collapse_chains=1)
    with pytest.raises(ValueError, match="max_nodes must be an integer >= 2"):
        viz.draw_graph(a * 2, max_nodes=0)
    with pytest.raises(TypeError, match="named_parameters"):
        viz.parameter_names(a)


def test_layers_per_row_wraps_a_long_chain_into_rows_that_fit_a_page(tmp_path):
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    loss = ((((x * 2.0).exp() - 1.0) ** 2).tanh().sum() / 3.0).log()  # 8 ops in a row: 17 layers
    wide = viz.draw_graph(loss, collapse_chains=None)
    wrapped = viz.draw_graph(loss, collapse_chains=None, layers_per_row=5)
    (wide_w, wide_h), (wrap_w, wrap_h) = wide.get_size_inches(), wrapped.get_size_inches()
    assert wrap_w < 0.45 * wide_w and wrap_h > 3.5 * wide_h  # rows of 5, 5, 5 and 2 columns
    assert len(wrapped.axes[0].patches) == len(wide.axes[0].patches)  # the same boxes and edges
    from matplotlib.patches import Ellipse, FancyBboxPatch

    def op_rows(fig):
        return {round(p.center[1], 3) for p in fig.axes[0].patches if isinstance(p, Ellipse)}

    assert len(op_rows(wide)) == 1 and len(op_rows(wrapped)) == 4
    (left, right), (bottom, top) = wrapped.axes[0].get_xlim(), wrapped.axes[0].get_ylim()
    for box in (p for p in wrapped.axes[0].patches if isinstance(p, FancyBboxPatch)):
        assert left < box.get_x() and box.get_x() + box.get_width() < right
        assert bottom < box.get_y() and box.get_y() + box.get_height() < top
    with pytest.raises(ValueError, match="layers_per_row must be an integer >= 1"):
        viz.draw_graph(loss, layers_per_row=0)
    plt.close("all")
