"""See the graph: the computation graph behind a Tensor, drawn with matplotlib or as DOT text.

Every op recorded by the engine leaves ``_op`` (its name) and ``_parents`` (its input
tensors) on its output tensor; following ``_parents`` from a result back to the leaves
gives the whole computation. Here it becomes a drawing with one node per tensor (a box:
its name if given, shape, a few values or the norm, and its gradient after ``backward``)
and one per op (an ellipse), inputs on the left, the result on the right::

    import minigrad
    from minigrad import viz

    a = minigrad.tensor(-4.0, requires_grad=True)
    b = minigrad.tensor(2.0, requires_grad=True)
    loss = (a * b + b ** 3).tanh()
    loss.backward()
    viz.draw_graph(loss, "graph.png", names={a: "a", b: "b"})   # or .svg
    print(viz.to_dot(loss, names={a: "a", b: "b"}))             # for Graphviz users

``build_graph`` returns the same structure as plain data (``Graph``: nodes and edges), so
node counts can be checked and other renderers written.

Big graphs, two rules applied in this order:

1. **Chains collapse.** A run of at least ``collapse_chains`` consecutive single-input ops
   (``exp``, ``tanh``, ``reshape``, ``x * 2``, ... where the other operands are unnamed
   constants used nowhere else) whose intermediate results feed nothing else becomes one
   node "N ops: tanh -> mul -> ...". Intermediate tensors that are named or hold a
   ``.grad`` (``retain_grad()``) stay visible and cut the chain.
2. **The far end is elided.** If more than ``max_nodes`` nodes remain, the ``max_nodes - 1``
   nodes nearest the result (breadth-first from it) are kept and one node "... N nodes
   elided" stands for the rest, with an edge to every kept node that lost an input.

Gradients are shown where ``.grad`` is set: on leaves after ``backward()``, and on
intermediate tensors only if ``retain_grad()`` was called before it (as in PyTorch, the
engine does not keep intermediate gradients otherwise). ``grads="all"`` shows every node's
gradient instead, computed by replaying the backward pass (``backprop_steps``, which also
steps through that pass as text, PNG frames and a GIF). A ``backward()`` without
``retain_graph`` frees the intermediate values: a tensor nothing else holds is then drawn
from its node (op, shape) as "data freed by backward". ``layers_per_row`` wraps a wide
graph into rows.

matplotlib is imported only inside ``draw_graph``, so ``import minigrad`` stays fast.
"""

from dataclasses import dataclass

import numpy as np

from .tensor import Tensor

DEFAULT_COLLAPSE_CHAINS = 5
DEFAULT_MAX_NODES = 300
_SHOWN_VALUES = 4  # tensors with more elements (or longer values) show their norm instead
_MAX_LABEL_CHARS = 34  # longer label lines are cut so boxes keep a readable width
_CHAIN_NAMES_SHOWN = 4  # op names listed in a collapsed chain's label before "..."

# Drawing geometry in inches: the height of one slot in a layer, the gap between layers,
# the margin around the drawing; text is monospace so a label's width follows from its length.
_INCH_PER_SLOT = 0.75
_GAP_INCH = 0.6
_MARGIN_INCH = 0.2
_FONT_SIZE = 7.0
_CHAR_INCH = 0.6 * _FONT_SIZE / 72
_LINE_INCH = 1.25 * _FONT_SIZE / 72
_LANE_INCH = 0.07  # spacing of the lanes edges take from one row of a wrapped graph to the next
_MAX_PIXELS = 12000  # savefig lowers the dpi of huge graphs to stay below this size
_COLORS = {
    "parameter": "#cfe2f3",  # leaf that requires grad
    "constant": "#eeeeee",  # leaf that does not
    "tensor": "#ffffff",  # computed
    "root": "#fce5cd",  # the tensor the graph was drawn for
    "op": "#fff2cc",
    "chain": "#fff2cc",
    "elided": "#f4f4f4",
}
_HIGHLIGHT = "#cc0000"  # the current step's node and edges in backprop frames


@dataclass(frozen=True)
class GraphNode:
    """One node of a drawn graph.

    - ``index``: position in ``Graph.nodes`` (edges refer to it).
    - ``kind``: ``"tensor"`` (a value), ``"op"`` (one op), ``"chain"`` (several collapsed
      single-input ops) or ``"elided"`` (stands for the nodes cut by ``max_nodes``).
    - ``label``: the text shown, lines separated by ``"\\n"``.
    - ``tensor``: for "tensor" nodes the Tensor itself; for "op" and "chain" nodes the
      Tensor they produce; None for "elided".
    - ``ops``: the op names ("op": one; "chain": all of them, first applied first).
    - ``count``: for "elided", how many nodes it stands for; else 0.
    """

    index: int
    kind: str
    label: str
    tensor: object = None
    ops: tuple = ()
    count: int = 0


@dataclass(frozen=True)
class Graph:
    """The computation graph behind ``root`` as plain data (see ``build_graph``).

    ``nodes`` is a list of ``GraphNode`` in topological order (inputs before the nodes that
    use them); ``edges`` a list of distinct ``(source_index, target_index)`` pairs, from
    input tensor to op and from op to its output (``a * a`` has one edge from ``a`` to the
    ``mul``). ``root`` is the index of the output tensor's node; ``collapsed_ops`` counts the
    ops folded into "chain" nodes and ``elided_nodes`` the nodes cut by ``max_nodes``.
    """

    nodes: list
    edges: list
    root: int
    collapsed_ops: int = 0
    elided_nodes: int = 0


def parameter_names(module, prefix=""):
    """``{parameter: dotted name}`` from ``module.named_parameters()``, for ``names=``.

    Parameters are leaves whose Python variable names the graph cannot see; with this
    mapping a Linear layer's weight shows as "0.weight" instead of an anonymous box.
    """
    if not hasattr(module, "named_parameters"):
        raise TypeError(
            f"parameter_names: expected a Module (anything with named_parameters()), got {type(module).__name__}"
        )
    return {parameter: name for name, parameter in module.named_parameters(prefix=prefix)}


def _check_names(names):
    if names is None:
        return {}
    if not hasattr(names, "items"):
        raise TypeError(f"names must be a mapping {{tensor: 'name'}}, got {type(names).__name__}")
    for key, value in names.items():
        if not isinstance(key, Tensor):
            raise TypeError(f"names: keys must be Tensors, got {type(key).__name__} ({key!r})")
        if not isinstance(value, str):
            raise TypeError(f"names: the name of a tensor must be a str, got {type(value).__name__} ({value!r})")
    return names


def _check_count(value, what, minimum):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum} (or None to disable), got {value!r}")
    return int(value)


def _format_array(array):
    """A few values, or the norm when they would not fit one short line."""
    array = np.asarray(array)
    if array.size == 1:
        return f"{array.item():.4g}"
    if array.size <= _SHOWN_VALUES:
        values = "[" + ", ".join(f"{value:.4g}" for value in array.ravel()) + "]"
        if len(values) <= _MAX_LABEL_CHARS - 5:  # room for the "data " / "grad " prefix
            return values
    return f"norm {np.linalg.norm(array.astype(np.float64, copy=False)):.4g}"


def _cut(line):
    return line if len(line) <= _MAX_LABEL_CHARS else line[: _MAX_LABEL_CHARS - 3] + "..."


def _tensor_label(tensor, name, show_grad, grads=None):
    """A tensor box's text; ``grads``: None to show ``.grad`` where set, else a mapping from
    a tensor's node (or the leaf itself) to the gradient to show."""
    lines = [name] if name else []
    if tensor.ndim:
        lines.append(f"shape {tensor.shape}")
    if tensor.dtype != np.float64:
        lines.append(str(tensor.dtype))
    if tensor.data is None:  # a FreedTensor: backward released the graph and nothing held it
        lines.append("data freed by backward")
    else:
        lines.append("data " + _format_array(tensor.data))
    grad = tensor.grad if grads is None else grads.get(tensor.grad_fn or tensor)
    if show_grad and grad is not None:
        lines.append("grad " + _format_array(grad))
    return "\n".join(_cut(line) for line in lines)


def _chain_label(ops):
    shown = list(ops)
    if len(shown) > _CHAIN_NAMES_SHOWN:
        shown = shown[: _CHAIN_NAMES_SHOWN - 1] + ["...", shown[-1]]
    return f"{len(ops)} ops:\n" + "\n".join(
        _cut(" -> ".join(shown[i : i + 2])) for i in range(0, len(shown), 2)
    )


def _tensors_in_order(root):
    """Every tensor reachable through ``_parents``, inputs first (iterative DFS)."""
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        tensor, inputs_done = stack.pop()
        if inputs_done:
            order.append(tensor)
            continue
        if tensor in visited:
            continue
        visited.add(tensor)
        stack.append((tensor, True))
        stack.extend((parent, False) for parent in reversed(tensor._parents) if parent not in visited)
    return order


def _distinct(tensors):
    return list(dict.fromkeys(tensors))


def _collapsible_chains(order, consumers, names, min_length):
    """Chains of single-input ops to collapse: lists ``[t1, ..., tk]`` of their outputs.

    An op is single-input when, apart from unnamed constant leaves used by nothing else
    (the ``2`` of ``x * 2``), it reads one tensor. Its input continues a chain when that
    input is itself the output of a single-input op, feeds nothing else, and has no name or
    ``.grad`` to show.
    """

    def is_absorbable_constant(tensor):
        return (
            tensor._op is None
            and not tensor.requires_grad
            and consumers.get(tensor, 0) == 1
            and tensor not in names
        )

    main_input = {}
    for tensor in order:
        if tensor._op is None:
            continue
        inputs = [p for p in _distinct(tensor._parents) if not is_absorbable_constant(p)]
        if len(inputs) == 1:
            main_input[tensor] = inputs[0]

    chain_of = {}
    for tensor in order:
        if tensor not in main_input:
            continue
        previous = main_input[tensor]
        hideable = (
            previous in main_input
            and consumers.get(previous, 0) == 1
            and previous not in names
            and previous.grad is None
        )
        if hideable:
            chain = chain_of[previous]
            chain.append(tensor)
        else:
            chain = [tensor]
        chain_of[tensor] = chain
    chains = {id(chain): chain for chain in chain_of.values()}.values()
    return [chain for chain in chains if len(chain) >= min_length], main_input, is_absorbable_constant


def build_graph(tensor, names=None, show_grad=True, collapse_chains=DEFAULT_COLLAPSE_CHAINS,
                max_nodes=DEFAULT_MAX_NODES, grads="set"):
    """The graph behind ``tensor`` as a ``Graph`` of nodes and edges (what gets drawn).

    One "tensor" node per tensor reachable through ``_parents`` (leaves included, also the
    constants Python numbers became) and one "op" node per recorded op, with edges input ->
    op -> output. ``names`` maps tensors to labels (``{w: "w"}``; see ``parameter_names``);
    ``show_grad`` adds each tensor's ``.grad`` where set. ``collapse_chains`` (an int >= 2,
    or None to keep every op) and ``max_nodes`` (an int >= 2, or None for no limit) tame big
    graphs as the module docstring describes. ``grads="set"`` shows ``.grad`` where backward
    set it (leaves, ``retain_grad()`` tensors); ``grads="all"`` shows d tensor / d node for every
    node, computed by replaying the backward pass (``backprop_steps``) without writing any
    ``.grad``: a one-element ``tensor`` whose graph no backward has released yet.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"build_graph: expected a minigrad Tensor, got {type(tensor).__name__}")
    names = _check_names(names)
    if grads not in ("set", "all"):
        raise ValueError(f"grads must be 'set' (show .grad where set) or 'all' (every node), got {grads!r}")
    values = backprop_steps(tensor).gradients if grads == "all" and show_grad else None
    collapse_chains = _check_count(collapse_chains, "collapse_chains", 2)
    max_nodes = _check_count(max_nodes, "max_nodes", 2)

    order = _tensors_in_order(tensor)
    consumers = {}
    for t in order:
        for parent in _distinct(t._parents):
            consumers[parent] = consumers.get(parent, 0) + 1

    hidden, chain_ending_at = set(), {}
    collapsed_ops = 0
    if collapse_chains is not None:
        chains, main_input, is_absorbable = _collapsible_chains(order, consumers, names, collapse_chains)
        for chain in chains:
            chain_ending_at[chain[-1]] = (main_input[chain[0]], chain)
            hidden.update(chain[:-1])
            for member in chain:
                hidden.update(p for p in member._parents if p is not main_input[member] and is_absorbable(p))
            collapsed_ops += len(chain)

    nodes, edges, node_of = [], [], {}

    def add_node(kind, label, owner, ops=(), count=0):
        nodes.append(GraphNode(len(nodes), kind, label, owner, tuple(ops), count))
        return len(nodes) - 1

    for t in order:
        if t in hidden:
            continue
        if t in chain_ending_at:
            source, chain = chain_ending_at[t]
            ops = [member._op for member in chain]
            op_index = add_node("chain", _chain_label(ops), t, ops)
            inputs = [source]
        elif t._op is not None:
            op_index = add_node("op", t._op, t, (t._op,))
            inputs = _distinct(t._parents)
        else:
            op_index = None
        if op_index is not None:
            edges.extend((node_of[parent], op_index) for parent in inputs)
        node_of[t] = add_node("tensor", _tensor_label(t, names.get(t), show_grad, values), t)
        if op_index is not None:
            edges.append((op_index, node_of[t]))

    graph = Graph(nodes, edges, node_of[tensor], collapsed_ops, 0)
    if max_nodes is not None and len(nodes) > max_nodes:
        graph = _elide(graph, max_nodes)
    return graph


def _elide(graph, max_nodes):
    """Keep the ``max_nodes - 1`` nodes nearest the root; one "elided" node replaces the rest."""
    inputs_of = [[] for _ in graph.nodes]
    for source, target in graph.edges:
        inputs_of[target].append(source)
    kept, frontier = {graph.root}, [graph.root]
    while frontier and len(kept) < max_nodes - 1:
        next_frontier = []
        for index in frontier:
            for source in inputs_of[index]:
                if source not in kept and len(kept) < max_nodes - 1:
                    kept.add(source)
                    next_frontier.append(source)
        frontier = next_frontier
    elided = len(graph.nodes) - len(kept)
    elided_node = GraphNode(0, "elided", f"... {elided} nodes\nelided", None, (), elided)
    # The elided node comes first: everything it stands for lies on the input side.
    new_index = {old: new for new, old in enumerate(sorted(kept), start=1)}
    nodes = [elided_node] + [
        GraphNode(new_index[old], node.kind, node.label, node.tensor, node.ops, node.count)
        for old, node in enumerate(graph.nodes)
        if old in kept
    ]
    edges = []
    for source, target in graph.edges:
        if target not in kept:
            continue
        edge = (new_index[source] if source in kept else 0, new_index[target])
        if edge not in edges:
            edges.append(edge)
    return Graph(nodes, edges, new_index[graph.root], graph.collapsed_ops, elided)


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    """Where ``layered_layout`` puts things.

    - ``layer``: int array, the layer (column, left to right) of every node.
    - ``y``: float array, every node's vertical position (slots, centred on 0, top first).
    - ``routes``: one list per edge of ``graph.edges`` of ``(layer, y)`` points that the edge
      passes through between its ends: one per layer it skips, so long edges run through
      free slots instead of across boxes.
    - ``crossings``: pairs of crossing edge segments in this layout.
    """

    layer: np.ndarray
    y: np.ndarray
    routes: list
    crossings: int


def _layers(graph):
    """The layer (column) of every node: longest path from the leaves, then slack removed.

    First each node goes one layer right of its furthest input (longest-path layering), so
    the output sits at the depth of the graph. Then, from the output back, every node with
    slack moves right to just before its first consumer: side inputs -- a constant, a
    weight and its transpose -- sit next to the op that uses them instead of in the first
    columns with edges stretched across the whole drawing.
    """
    count = len(graph.nodes)
    inputs_of = [[] for _ in range(count)]
    outputs_of = [[] for _ in range(count)]
    for source, target in graph.edges:
        inputs_of[target].append(source)
        outputs_of[source].append(target)
    # Kahn's algorithm: a node is placed once all its inputs are.
    waiting = [len(inputs) for inputs in inputs_of]
    ready = [index for index in range(count) if waiting[index] == 0]
    layer, placed = [0] * count, []
    while ready:
        index = ready.pop()
        placed.append(index)
        for target in outputs_of[index]:
            layer[target] = max(layer[target], layer[index] + 1)
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    for index in reversed(placed):
        if outputs_of[index]:
            layer[index] = min(layer[target] for target in outputs_of[index]) - 1
    return layer


def _slot_positions(ordering):
    """y of each (real or dummy) node: its rank in its layer, layers centred on y = 0."""
    y = {}
    for members in ordering:
        middle = (len(members) - 1) / 2
        for rank, index in enumerate(members):
            y[index] = middle - rank  # the first member is drawn on top
    return y


def count_crossings(segments):
    """How many pairs of straight segments cross (segments sharing an end never count).

    ``segments`` is a sequence of ``((x0, y0), (x1, y1))``. Two segments cross when each
    one's ends lie strictly on both sides of the other's line (orientation test).
    """
    segments = np.asarray(segments, dtype=float).reshape(-1, 2, 2)
    if len(segments) < 2:
        return 0
    start, end = segments[:, 0], segments[:, 1]

    def orientation(points):
        # Sign of the turn start_i -> end_i -> points_j for every pair (i, j).
        return np.sign(
            (end[:, None, 0] - start[:, None, 0]) * (points[None, :, 1] - start[:, None, 1])
            - (end[:, None, 1] - start[:, None, 1]) * (points[None, :, 0] - start[:, None, 0])
        )

    # separates[i, j]: segment j's ends lie strictly on both sides of segment i's line.
    separates = orientation(start) * orientation(end) < 0
    same = lambda a, b: np.all(a[:, None, :] == b[None, :, :], axis=2)  # noqa: E731
    shares_end = same(start, start) | same(start, end) | same(end, start) | same(end, end)
    return int(np.triu(separates & separates.T & ~shares_end, 1).sum())


def layered_layout(graph, sweeps=4):
    """Place ``graph``'s nodes in layers left to right; return a ``Layout``.

    A simple Sugiyama-style layout:

    1. layers by longest path from the leaves, slack removed (``_layers``);
    2. an edge spanning k > 1 layers gets k - 1 invisible waypoints, one per skipped layer,
       so every segment joins neighbouring layers;
    3. within each layer, nodes and waypoints are ordered by the barycentre heuristic --
       sorted by the mean position of their neighbours in the previous layer (sweeping left
       to right), then in the next layer (right to left), ``sweeps`` times -- keeping the
       ordering with the fewest crossings (the starting, topological one included).
    """
    layer = _layers(graph)
    count = len(graph.nodes)
    inputs_of, outputs_of = {i: [] for i in range(count)}, {i: [] for i in range(count)}
    chains = []  # per edge: the (real or waypoint) node ids it passes through
    node_layer = dict(enumerate(layer))
    for source, target in graph.edges:
        chain = [source]
        for skipped in range(layer[source] + 1, layer[target]):
            waypoint = len(node_layer)
            node_layer[waypoint] = skipped
            inputs_of[waypoint], outputs_of[waypoint] = [], []
            chain.append(waypoint)
        chain.append(target)
        for a, b in zip(chain, chain[1:]):
            outputs_of[a].append(b)
            inputs_of[b].append(a)
        chains.append(chain)
    ordering = [[] for _ in range(max(layer) + 1)]
    for node, depth in node_layer.items():
        ordering[depth].append(node)

    def crossings_of(order):
        y = _slot_positions(order)
        segments = [((node_layer[a], y[a]), (node_layer[b], y[b])) for chain in chains for a, b in zip(chain, chain[1:])]
        return count_crossings(segments)

    def reorder(members, neighbours_of, y):
        def barycentre(node):
            neighbours = neighbours_of[node]
            return sum(y[n] for n in neighbours) / len(neighbours) if neighbours else y[node]

        # Descending: the first member is drawn on top. Python's sort is stable, so ties
        # keep their current order and a sweep never shuffles needlessly.
        return sorted(members, key=barycentre, reverse=True)

    best = [list(members) for members in ordering]
    best_crossings = crossings_of(best)
    for _ in range(sweeps):
        if best_crossings == 0:
            break
        for depth in range(1, len(ordering)):
            ordering[depth] = reorder(ordering[depth], inputs_of, _slot_positions(ordering))
        for depth in range(len(ordering) - 2, -1, -1):
            ordering[depth] = reorder(ordering[depth], outputs_of, _slot_positions(ordering))
        crossings = crossings_of(ordering)
        if crossings < best_crossings:
            best, best_crossings = [list(members) for members in ordering], crossings
    y = _slot_positions(best)
    routes = [[(node_layer[w], y[w]) for w in chain[1:-1]] for chain in chains]
    return Layout(
        np.array(layer, dtype=int),
        np.array([y[i] for i in range(count)], dtype=float),
        routes,
        best_crossings,
    )


# --------------------------------------------------------------------------- output


def _style(graph, node):
    if node.kind != "tensor":
        return node.kind
    if node.index == graph.root:
        return "root"
    if node.tensor._op is not None:
        return "tensor"
    return "parameter" if node.tensor.requires_grad else "constant"


def draw_graph(tensor, path=None, show_grad=True, names=None, collapse_chains=DEFAULT_COLLAPSE_CHAINS,
               max_nodes=DEFAULT_MAX_NODES, title=None, grads="set", layers_per_row=None):
    """Draw the computation graph behind ``tensor`` left to right; return the Figure.

    Tensors are boxes (blue: leaves that require grad, grey: constants, orange: ``tensor``
    itself), ops are ellipses; see ``build_graph`` for ``names``, ``show_grad``,
    ``collapse_chains``, ``max_nodes`` and ``grads`` (``"all"``: every node's gradient, as
    micrograd draws them). After a ``backward()`` without ``retain_graph`` the intermediate
    values are freed: boxes of tensors nothing else holds say "data freed by backward". With
    ``path`` the figure is saved (PNG, SVG, PDF: by the extension) and closed, so drawing in a
    loop leaks nothing; without it the open figure is returned for ``plt.show()`` or a notebook
    (close it when done). ``layers_per_row`` wraps a long, thin graph (a chain of ops) into
    rows of that many columns, so it stays readable at page width.
    """
    graph = build_graph(tensor, names, show_grad, collapse_chains, max_nodes, grads)
    fig = render_graph(graph, title=title, layers_per_row=layers_per_row)
    if path is not None:
        save_figure(fig, path)
    return fig


def save_figure(fig, path, dpi=100):
    """Save a graph figure at ``dpi`` (lower for huge graphs, below ``_MAX_PIXELS`` a side)
    and close it."""
    import matplotlib.pyplot as plt

    width, height = fig.get_size_inches()
    fig.savefig(path, dpi=min(float(dpi), _MAX_PIXELS / max(width, height)))
    plt.close(fig)


def label_sizes(graph, labels=None):
    """(width, height) in inches of every node's box for ``labels`` (default: the graph's):
    monospace text, so the size follows from the longest line and the number of lines."""
    labels = [node.label for node in graph.nodes] if labels is None else labels
    size = np.empty((len(graph.nodes), 2))
    for node, label in zip(graph.nodes, labels):
        lines = label.split("\n")
        size[node.index] = (max(len(line) for line in lines) * _CHAR_INCH + 0.12, len(lines) * _LINE_INCH + 0.08)
        if node.kind == "op":
            size[node.index] *= (1.35, 1.4)  # an ellipse needs room around its text
    return size


def render_graph(graph, layout=None, labels=None, sizes=None, title=None, highlight=(), highlight_edges=(),
                 fig=None, layers_per_row=None):
    """Draw a ``Graph`` (from ``build_graph``) and return the Figure.

    ``layout`` (default ``layered_layout(graph)``), ``labels`` (one string per node, default
    the graph's) and ``sizes`` (default ``label_sizes``) may be given so that a sequence of
    frames keeps every box in place while the labels change; ``highlight`` is a set of node
    indices drawn in red, ``highlight_edges`` a set of edge indices drawn in red with the
    arrowhead reversed (a gradient flowing back along them). ``fig``: an existing
    figure to clear and draw into (an animation's frames), else a new one. ``layers_per_row``
    (default: all) wraps a long graph into rows of that many columns, read left to right and
    then top to bottom like text.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path

    layout = layered_layout(graph) if layout is None else layout
    labels = [node.label for node in graph.nodes] if labels is None else labels
    size = label_sizes(graph, labels) if sizes is None else sizes
    layer = layout.layer
    # Everything below is in inches (one data unit = one inch on both axes). Layers are
    # columns, ``layers_per_row`` to a row, rows stacked top to bottom; each column is as wide
    # as its widest box, so the drawing is no wider than it needs to be.
    count = layer.max() + 1
    per_row = count if layers_per_row is None else min(count, _check_count(layers_per_row, "layers_per_row", 1))
    row, column = np.arange(count) // per_row, np.arange(count) % per_row
    rows = row[-1] + 1
    # Edges from the last column of a row to the first of the next (one segment per row
    # boundary an edge crosses) run right, down a corridor below the row, left past the first
    # column and down into the next row, each in its own lane: the one leaving highest takes
    # the outermost lane on the right, the lowest in the corridor, the innermost on the left,
    # so lanes of one corridor do not cross each other.
    lanes = {}  # (edge number, segment) -> (lane, lanes in that corridor)
    crossing = [[] for _ in range(rows)]
    for number, ((source, target), route) in enumerate(zip(graph.edges, layout.routes)):
        stations = [(layer[source], layout.y[source])] + list(route) + [(layer[target], layout.y[target])]
        for segment, ((p, y), (q, _)) in enumerate(zip(stations, stations[1:])):
            if row[p] != row[q]:
                crossing[row[p]].append((-y, number, segment))
    for members in crossing:
        for lane, (_, number, segment) in enumerate(sorted(members)):
            lanes[number, segment] = (lane, len(members))
    side = _LANE_INCH * max((len(members) for members in crossing), default=0)
    column_width = np.zeros(per_row)
    np.maximum.at(column_width, column[layer], size[:, 0])
    column_left = _MARGIN_INCH + side + np.concatenate(([0.0], np.cumsum(column_width[:-1] + _GAP_INCH)))
    layer_left, layer_right = column_left[column], column_left[column] + column_width[column]
    content_left, content_right = column_left[0], column_left[-1] + column_width[-1]
    width = content_right + side + _MARGIN_INCH
    # Row r's slot s sits at base[r] + s * _INCH_PER_SLOT; below row r lies its corridor, whose
    # lane k (of n) runs at corridor[r] - (n - k) * _LANE_INCH.
    slot_layers = np.concatenate([layer] + [[d for d, _ in route] for route in layout.routes]).astype(int)
    slots = np.concatenate([layout.y] + [[y for _, y in route] for route in layout.routes])
    high = np.array([slots[row[slot_layers] == r].max() for r in range(rows)])
    low = np.array([slots[row[slot_layers] == r].min() for r in range(rows)])
    base, corridor = np.zeros(rows), np.zeros(rows)
    for r in range(1, rows):
        corridor[r - 1] = base[r - 1] + (low[r - 1] - 0.6) * _INCH_PER_SLOT
        bottom = corridor[r - 1] - (len(crossing[r - 1]) + 1) * _LANE_INCH
        base[r] = bottom - (high[r] + 0.6) * _INCH_PER_SLOT
    centre = np.column_stack((layer_left[layer] + column_width[column[layer]] / 2,
                              base[row[layer]] + layout.y * _INCH_PER_SLOT))
    title_lines = title.count("\n") + 1 if title else 0
    top = (high[0] + 0.6) * _INCH_PER_SLOT + title_lines * 0.2 + (0.15 if title else 0.0)
    height = top - (base[-1] + (low[-1] - 0.6) * _INCH_PER_SLOT)
    if fig is None:
        fig = plt.figure(figsize=(width, height))
    else:
        fig.clear()
        fig.set_size_inches(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(top - height, top)
    ax.axis("off")
    if title:
        ax.text(_MARGIN_INCH, top - 0.1, title, ha="left", va="top", fontsize=9, family="monospace")

    for node, label in zip(graph.nodes, labels):
        (x, y), (box_w, box_h) = centre[node.index], size[node.index]
        style = _style(graph, node)
        lit = node.index in highlight
        edge = dict(edgecolor=_HIGHLIGHT if lit else "0.3", lw=2.4 if lit else (1.6 if style == "root" else 0.8))
        if node.kind == "op":
            patch = Ellipse((x, y), box_w, box_h, facecolor=_COLORS[style], **edge)
        else:
            patch = FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2), box_w, box_h,
                boxstyle="round,pad=0,rounding_size=0.05", facecolor=_COLORS[style],
                linestyle="--" if node.kind in ("chain", "elided") else "-", **edge,
            )
        ax.add_patch(patch)
        ax.text(x, y, label, ha="center", va="center", fontsize=_FONT_SIZE, family="monospace", zorder=3)

    for number, ((source, target), route) in enumerate(zip(graph.edges, layout.routes)):
        # Horizontal inside layers, slanted only in the gaps between them: no edge crosses a box.
        # An edge leaving the last column of a row runs right, down the corridor below the
        # row, back left past the first column, and down into the next row.
        (x0, y0), (x1, y1) = centre[source], centre[target]
        points = [(x0 + size[source, 0] / 2, y0), (layer_right[layer[source]], y0)]
        previous = layer[source]
        for segment, (depth, y) in enumerate(list(route) + [(layer[target], None)]):
            y = y1 if y is None else base[row[depth]] + y * _INCH_PER_SLOT
            if (number, segment) in lanes:  # down to the next row (see ``lanes`` above)
                lane, total = lanes[number, segment]
                right, left = content_right + (total - lane) * _LANE_INCH, content_left - (lane + 1) * _LANE_INCH
                below = corridor[row[previous]] - (total - lane) * _LANE_INCH
                points += [(right, points[-1][1]), (right, below), (left, below), (left, y)]
            points += [(layer_left[depth], y), (layer_right[depth], y)]
            previous = depth
        points[-1] = (x1 - size[target, 0] / 2, y1)
        vertices = [point for i, point in enumerate(points) if i == 0 or point != points[i - 1]]
        lit = number in highlight_edges
        ax.add_patch(FancyArrowPatch(
            path=Path(vertices), arrowstyle="<|-" if lit else "-|>", mutation_scale=9 if lit else 7,
            lw=1.8 if lit else 0.7, color=_HIGHLIGHT if lit else "0.35", zorder=2 if lit else 1,
        ))
    return fig


def _dot_quote(text):
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as \\n."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(tensor, show_grad=True, names=None, collapse_chains=DEFAULT_COLLAPSE_CHAINS,
           max_nodes=DEFAULT_MAX_NODES, grads="set"):
    """The graph ``draw_graph`` draws, as Graphviz DOT text (``dot -Tsvg graph.dot``).

    A ``digraph`` laid out left to right: nodes ``n0, n1, ...`` with quoted labels (boxes
    for tensors, ellipses for ops), then one ``nA -> nB;`` line per edge of ``build_graph``.
    """
    graph = build_graph(tensor, names, show_grad, collapse_chains, max_nodes, grads)
    lines = [
        "digraph minigrad {",
        "  rankdir=LR;",
        '  node [fontname="monospace", fontsize=10];',
    ]
    for node in graph.nodes:
        style = _style(graph, node)
        shape = "ellipse" if node.kind == "op" else "box"
        dashed = ",dashed" if node.kind in ("chain", "elided") else ""
        lines.append(
            f"  n{node.index} [label={_dot_quote(node.label)}, shape={shape}, "
            f'style="rounded,filled{dashed}", fillcolor="{_COLORS[style]}"];'
        )
    lines.extend(f"  n{source} -> n{target};" for source, target in graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


from .backprop_steps import BackpropStep, BackpropSteps, Flow, backprop_steps  # noqa: E402
