"""Step through backprop: the backward pass replayed node by node, as text and as frames.

``viz.backprop_steps(loss)`` runs the engine's own backward pass over ``loss``'s graph with
an observer (``autograd._execute(..., observe=...)``), so the steps come in exactly the order
``loss.backward()`` runs them. At each step one op node receives d loss / d output (everything
that flows into it, summed -- the multivariate chain rule) and applies its vector-Jacobian rule:
it sends ``grad * (d output / d input)`` to each input, where it adds to that input's total::

    a = minigrad.tensor(-4.0, requires_grad=True)
    b = minigrad.tensor(2.0, requires_grad=True)
    g = (a * b + b ** 3).tanh()
    steps = viz.backprop_steps(g, names={a: "a", b: "b", g: "g"})
    print(steps)                          # one paragraph per step, with the numbers
    steps[0].flows[0].grad                # the records: BackpropStep, Flow
    steps.save_frames("frames/")          # one PNG per step, the current op highlighted
    steps.save_gif("backprop.gif")        # the same frames as an animated GIF

The replay writes no ``.grad`` and keeps the graph (``retain_graph=True``), so call it before
``loss.backward()``, or after ``loss.backward(retain_graph=True)``. Intermediate tensors
without a name are called ``t1, t2, ...`` in the order they were computed; unnamed leaves
``leaf1, ...``; one-element constants by their value.
"""

from dataclasses import dataclass

import numpy as np

from . import autograd, grad_mode
from .function import Context
from .tensor import Tensor, wrap

_TEXT_DIGITS = 6  # significant digits of numbers in the text form
_SHOWN_ELEMENTS = 4  # arrays with more elements are summarised by their norm
_RULE_CHARS = 100  # the op's rule (first paragraph of its docstring) is cut to this length


@dataclass(frozen=True)
class Flow:
    """What one step sends to one input of its op.

    - ``input``: the input's label (``"a"``, ``"t3"``); ``target`` the input's node (or the
      leaf tensor itself), as in ``node.next``.
    - ``local``: d output / d input, the local derivative the chain rule multiplies by: an
      array of the input's shape when the output has one element; the Jacobian, one row per
      output element (input flattened), when output and input have at most 4 elements; else
      None (then the step shows only the vector-Jacobian product ``grad``).
    - ``grad``: the gradient sent to the input at this step: ``grad_output * local`` for a
      one-element output, ``grad_output.ravel() @ local`` with a Jacobian, the
      vector-Jacobian product in general.
    - ``total``: the input's accumulated gradient after this step (d loss / d input once every
      op that reads the input has run).
    """

    input: str
    target: object
    local: object
    grad: np.ndarray
    total: np.ndarray


@dataclass(frozen=True)
class BackpropStep:
    """One step of the backward pass: one op node runs its backward.

    ``index`` counts from 1; ``op`` is the op's name and ``rule`` the first paragraph of its
    docstring (its derivative); ``output`` the label of the tensor it computed and ``value``
    that tensor's value; ``grad`` is d loss / d output, complete at this point; ``flows`` one
    ``Flow`` per input that receives a gradient; ``inputs`` the labels of all the op's
    operands (constants too); ``node`` the graph node (``tensor.grad_fn``).
    """

    index: int
    op: str
    output: str
    value: np.ndarray
    rule: str
    grad: np.ndarray
    inputs: tuple
    flows: tuple
    node: object


def _number(value):
    return f"{value + 0.0:.{_TEXT_DIGITS}g}"  # + 0.0: -0.0 prints as 0


def format_values(array):
    """An array as text: its values for up to 4 elements, else its shape and norm."""
    array = np.asarray(array)
    if array.size == 1:
        return _number(array.item())
    if array.size <= _SHOWN_ELEMENTS:
        return "[" + ", ".join(_number(v) for v in array.ravel()) + "]"
    return f"<shape {array.shape}, norm {_number(np.linalg.norm(array.astype(np.float64)))}>"


def _matrix(array):
    """A small 2-D array as nested lists of numbers."""
    return "[" + ", ".join("[" + ", ".join(_number(v) for v in row) + "]" for row in array) + "]"


def _rule(function):
    """The first paragraph of an op's docstring, on one line: its formula and derivative."""
    doc = (function.__doc__ or "").strip()
    if not doc:
        return f"{function.name}: (no docstring: the derivative is in its backward)"
    text = " ".join(doc.split("\n\n")[0].split())
    return text if len(text) <= _RULE_CHARS else text[: _RULE_CHARS - 3] + "..."


class BackpropSteps:
    """The replayed backward pass of one graph: a sequence of ``BackpropStep``.

    ``str()`` is the text walk-through; ``len``, indexing and iteration give the steps;
    ``totals`` maps each leaf's label to its total gradient (what ``backward`` accumulates
    into ``.grad``); ``gradients`` maps every tensor of the graph (by its node, or the leaf
    itself) to d loss / d tensor; ``save_frames`` and ``save_gif`` draw the steps.
    """

    def __init__(self, root, steps, labels, gradients):
        self.root = root
        self.steps = list(steps)
        self.labels = labels
        self.gradients = gradients

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, index):
        return self.steps[index]

    def __iter__(self):
        return iter(self.steps)

    @property
    def totals(self):
        """``{leaf label: total gradient}`` for the leaves that require grad."""
        return {
            self.labels[key]: grad for key, grad in self.gradients.items() if type(key) is not Context
        }

    def text(self, only=None):
        """The walk-through, one paragraph per step, then the leaves' totals; ``only``: the
        step numbers (from 1) to include, each run of the others one line "(steps i-j left
        out...)"."""
        if only is not None:
            only = set(only)
            count = len(self.steps)
            unknown = sorted(n for n in only if not isinstance(n, (int, np.integer)) or not 1 <= n <= count)
            if unknown:
                raise ValueError(f"only: step numbers run from 1 to {len(self.steps)}, got {unknown}")
        root = self.labels[_key(self.root)]
        lines = [
            f"Backward pass of {root} = {format_values(self.root.data)}: {len(self.steps)} steps, "
            "in the engine's order.",
            f"Start: d{root}/d{root} = 1.",
        ]
        skipped = []
        for step in self.steps:
            if only is not None and step.index not in only:
                skipped.append(step)
                if step.index < len(self.steps):
                    continue
            if skipped:
                lines += ["", _skipped(skipped)]
                skipped = []
            if only is not None and step.index not in only:
                continue
            lines.append("")
            lines.append(
                f"step {step.index}/{len(self.steps)}: {step.output} = {step.op}({', '.join(step.inputs)})"
                f" = {format_values(step.value)}"
            )
            lines.append(f"  rule: {step.rule}")
            lines.append(f"  d{root}/d{step.output} = {format_values(step.grad)} (all that flowed in, summed)")
            for flow in step.flows:
                if flow.local is not None and step.grad.size > 1:
                    sent = (
                        f"Jacobian d{step.output}/d{flow.input} = {_matrix(flow.local)} (a row per element "
                        f"of {step.output}); sends {format_values(step.grad)} . J = {format_values(flow.grad)}"
                    )
                elif flow.local is not None:
                    sent = (
                        f"local d{step.output}/d{flow.input} = {format_values(flow.local)}; "
                        f"sends {format_values(step.grad)} * {format_values(flow.local)} = {format_values(flow.grad)}"
                    )
                else:
                    sent = f"sends (vector-Jacobian product) {format_values(flow.grad)}"
                total = f"total d{root}/d{flow.input} so far {format_values(flow.total)}"
                lines.append(f"  -> {flow.input}: {sent}; {total}")
        lines.append("")
        lines.append(
            "Totals (= .grad after backward): "
            + ", ".join(f"d{root}/d{label} = {format_values(g)}" for label, g in self.totals.items())
        )
        return "\n".join(lines)

    def __str__(self):
        return self.text()

    def __repr__(self):
        return f"<BackpropSteps of {self.labels[_key(self.root)]}: {len(self.steps)} steps>"

    def save_frames(self, directory, prefix="step", dpi=100, layers_per_row=None):
        """Write one PNG per frame (``{prefix}_00.png`` = before the first step, then one per
        step) into ``directory`` (created if missing); return their paths. ``layers_per_row``
        wraps a wide graph into rows (see ``viz.render_graph``)."""
        return self._write(directory=directory, prefix=prefix, dpi=dpi, layers_per_row=layers_per_row)

    def save_gif(self, path, seconds_per_frame=1.5, dpi=100, frames_dir=None, prefix="step", layers_per_row=None):
        """Write the frames as an animated GIF; return ``path``.

        The last frame (every total) is held three times as long; the GIF loops. With
        ``frames_dir`` each frame is also saved there as a PNG, as ``save_frames`` does: every
        frame is drawn once for both (drawing the text is what takes the time).
        ``layers_per_row`` wraps a wide graph into rows (see ``viz.render_graph``).
        """
        self._write(directory=frames_dir, prefix=prefix, dpi=dpi, gif=path, seconds=seconds_per_frame,
                    layers_per_row=layers_per_row)
        return path

    def _write(self, directory=None, prefix="step", dpi=100, gif=None, seconds=1.5, layers_per_row=None):
        """Draw every frame once with matplotlib's Agg canvas and write it with Pillow (which
        matplotlib requires): as PNG files into ``directory`` and/or as the frames of ``gif``."""
        import os

        import matplotlib.pyplot as plt
        from PIL import Image

        from .viz import render_graph

        frames = _Frames(self)
        if directory is not None:
            os.makedirs(directory, exist_ok=True)
        paths, images, fig = [], [], None
        try:
            for number in range(len(frames)):
                fig = render_graph(**frames.frame(number), fig=fig, layers_per_row=layers_per_row)
                fig.set_dpi(dpi)
                fig.canvas.draw()
                image = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB")
                if directory is not None:
                    paths.append(os.path.join(directory, f"{prefix}_{number:02d}.png"))
                    image.save(paths[-1])
                if gif is not None:  # one palette per frame: a few colours, so no dithering
                    images.append(image.quantize(colors=64, method=Image.Quantize.FASTOCTREE,
                                                 dither=Image.Dither.NONE))
        finally:
            if fig is not None:
                plt.close(fig)
        if gif is not None:
            milliseconds = round(1000 * seconds)
            images[0].save(gif, save_all=True, append_images=images[1:], loop=0,
                           duration=[milliseconds] * (len(images) - 1) + [3 * milliseconds])
        return paths


class _Frames:
    """The drawings of a ``BackpropSteps``: frame 0 is the forward graph with d root / d root
    = 1; frame k shows every gradient as it stands after step k (totals so far), the step's op
    and output in red and the edges its gradients flow back along. Every frame has the same
    layout and box sizes, so only the numbers and the red change."""

    def __init__(self, steps):
        from .viz import _tensors_in_order, build_graph, label_sizes, layered_layout

        self.steps = steps
        tensor_names = {}
        for tensor in _tensors_in_order(steps.root):
            if isinstance(tensor, Tensor) and tensor.requires_grad:
                tensor_names[tensor] = steps.labels[_key(tensor)]
        self.graph = build_graph(steps.root, tensor_names, show_grad=False, collapse_chains=None, max_nodes=None)
        self.layout = layered_layout(self.graph)
        self.names = tensor_names
        self.labels = [self._labels(number) for number in range(len(steps.steps) + 1)]
        self.sizes = np.max([label_sizes(self.graph, labels) for labels in self.labels], axis=0)

    def _gradients(self, number):
        """``{key: gradient}`` as it stands after step ``number`` (0: before the first)."""
        root = _key(self.steps.root)
        grads = {root: np.ones_like(self.steps.root.data)}
        for step in self.steps.steps[:number]:
            for flow in step.flows:
                grads[flow.target] = flow.total
        return grads

    def _labels(self, number):
        from .viz import _tensor_label

        grads = self._gradients(number)
        return [
            _tensor_label(node.tensor, self.names.get(node.tensor), True, grads)
            if node.kind == "tensor" else node.label
            for node in self.graph.nodes
        ]

    def _title(self, number):
        steps, root = self.steps.steps, self.steps.labels[_key(self.steps.root)]
        if number == 0:
            return (
                f"forward pass done: {root} = {format_values(self.steps.root.data)}\n"
                f"backward starts with d{root}/d{root} = 1\n "
            )
        step = steps[number - 1]
        sent = ", ".join(f"{flow.input}: {format_values(flow.grad)}" for flow in step.flows)
        return (
            f"step {number}/{len(steps)}: {step.output} = {step.op}({', '.join(step.inputs)})\n"
            f"d{root}/d{step.output} = {format_values(step.grad)} (complete)\n"
            f"sends {sent}"
        )

    def __len__(self):
        return len(self.steps.steps) + 1

    def frame(self, number):
        """Keyword arguments of ``viz.render_graph`` for frame ``number``."""
        highlight, edges = set(), set()
        if number > 0:
            node = self.steps.steps[number - 1].node
            for graph_node in self.graph.nodes:
                if graph_node.tensor is not None and graph_node.tensor.grad_fn is node:
                    highlight.add(graph_node.index)  # the op and the tensor it computed
            nodes = self.graph.nodes  # the edges a gradient flows back along: not from constants
            edges = {i for i, (source, target) in enumerate(self.graph.edges)
                     if target in highlight and nodes[source].tensor.requires_grad}
        return dict(graph=self.graph, layout=self.layout, labels=self.labels[number], sizes=self.sizes,
                    title=self._title(number), highlight=highlight, highlight_edges=edges)


def _skipped(steps):
    """One line standing for steps left out of ``text(only=...)``."""
    first, last = steps[0].index, steps[-1].index
    span = f"step {first}" if first == last else f"steps {first}-{last}"
    if len(steps) > 4:
        return f"({span} left out)"
    return f"({span} left out: {', '.join(f'{step.output} = {step.op}' for step in steps)})"


def _key(tensor):
    """How the engine names a tensor: its node if computed, else the tensor itself."""
    return tensor._ctx if tensor._ctx is not None else tensor


def _labels(root, names):
    """A label for every tensor reachable from ``root`` that requires grad, and the tensor
    itself, both keyed by ``_key``."""
    from .viz import _tensors_in_order

    labels, tensors, computed, leaves = {}, {}, 0, 0
    for tensor in _tensors_in_order(root):
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            continue  # constants are labelled per use, by their value
        key = _key(tensor)
        tensors[key] = tensor
        if tensor in names:
            labels[key] = names[tensor]
        elif key not in labels:
            if tensor._ctx is not None:
                computed += 1
                labels[key] = f"t{computed}"
            else:
                leaves += 1
                labels[key] = f"leaf{leaves}"
    return labels, tensors


def _local_derivatives(node, grad):
    """d output / d input for each input of ``node`` (None where there is none to show).

    One vector-Jacobian product per output element: row i is the product with the i-th unit
    vector. For a one-element output that is one product, an array of the input's shape; for
    an output and an input of at most 4 elements the Jacobian as a (output size, input size)
    matrix; larger ones are not computed (None): the step shows the product ``grad`` only.
    """
    size = grad.size
    if size > _SHOWN_ELEMENTS:
        return [None] * len(node.next)
    rows = []
    with grad_mode.no_grad():
        for element in range(size):
            unit = np.zeros(size, dtype=grad.dtype)
            unit[element] = 1
            products = node.function.run_backward(node, wrap(unit.reshape(grad.shape)))
            rows.append([None if g is None or t is None else autograd._fit(g, t).data
                         for t, g in zip(node.next, products)])
    local = []
    for position in range(len(node.next)):
        column = [row[position] for row in rows]
        if column[0] is None or (size > 1 and column[0].size > _SHOWN_ELEMENTS):
            local.append(None)
        elif size == 1:
            local.append(column[0])
        else:
            local.append(np.stack([c.ravel() for c in column]))
    return local


def _operand_label(value):
    if isinstance(value, Tensor):
        value = value.data
    array = np.asarray(value)
    return _number(array.item()) if array.size == 1 else f"const{array.shape}"


def backprop_steps(loss, names=None):
    """Replay the backward pass of ``loss`` step by step; return a ``BackpropSteps``.

    ``loss`` must have one element and a graph (not yet released by a ``backward``);
    ``names`` maps tensors to labels (``{a: "a"}``). Nothing is written into any ``.grad``.
    """
    from .viz import _check_names

    if not isinstance(loss, Tensor):
        raise TypeError(f"backprop_steps: expected a minigrad Tensor, got {type(loss).__name__}")
    names = _check_names(names)
    if loss.grad_fn is None:
        raise ValueError(
            "backprop_steps: this tensor was not computed by recorded ops (a leaf, or computed "
            "under no_grad()), so there is no backward pass to replay"
        )
    labels, tensor_of = _labels(loss, names)
    totals, steps = {}, []

    def observe(node, grad, flows):
        local = _local_derivatives(node, grad.data)
        inputs, records = [], []
        for position, (target, value) in enumerate(zip(node.next, node.inputs)):
            if target is not None:
                inputs.append(labels[target])
            elif isinstance(value, Tensor) or node.function.numeric_operands:
                inputs.append(_operand_label(value))
            flow = flows[position]
            if flow is None:
                continue
            totals[target] = totals[target] + flow.data if target in totals else flow.data.copy()
            records.append(Flow(labels[target], target, local[position], flow.data.copy(),
                                totals[target].copy()))
        gradients[node] = grad.data.copy()
        steps.append(BackpropStep(len(steps) + 1, node.name, labels[node], tensor_of[node].data.copy(),
                                  _rule(node.function), grad.data.copy(), tuple(inputs), tuple(records), node))

    gradients = {}
    roots = autograd._root_gradients([loss], None, False)
    try:
        autograd._execute([loss], roots, None, True, False, observe=observe)
    except RuntimeError as error:
        if "second time" not in str(error):
            raise
        raise RuntimeError(
            "backprop_steps replays the backward pass, but backward() already freed this "
            "graph's saved values; replay before calling backward(), or call "
            "backward(retain_graph=True)"
        ) from error
    for key in labels:  # the leaves in the order they are named, whatever the engine's order
        if key in totals and type(key) is not Context:
            gradients[key] = totals[key]
    return BackpropSteps(loss, steps, labels, gradients)
