"""Memory after backward: a finished graph keeps no activations alive (torch's rule: saved
buffers are freed), yet its structure survives for drawing; retain_graph and create_graph
keep working.
"""

import gc
import tracemalloc

import numpy as np
import pytest

import minigrad
import optimizers
from minigrad import Tensor, nn, viz
from minigrad.function import FreedTensor
from optimizer_reliability_cases import BACKENDS

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
HIDDEN = BATCH = 128
STEPS = 300


def train(keep_tensor, backend, steps=STEPS):
    """Train an 8 -> 128 -> 1 tanh MLP on one batch of 128 for ``steps`` SGD steps, appending
    ``loss`` (the Tensor) or ``loss.item()`` to a history list; return the history."""
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, 1))
    optimizer = optimizers.SGD(model.parameters(), lr=0.01, backend=backend)
    rng = np.random.default_rng(0)
    x, y = Tensor(rng.normal(size=(BATCH, 8))), Tensor(rng.normal(size=(BATCH, 1)))
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        history.append(loss if keep_tensor else loss.item())
    return history


def traced(keep_tensor, backend):
    """(bytes still held with the history alive, peak bytes) of one ``train`` run."""
    gc.collect()
    tracemalloc.start()
    try:
        history = train(keep_tensor, backend)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(history) == STEPS
    return current, peak


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_history_of_loss_tensors_costs_a_small_multiple_of_a_history_of_floats(backend):
    train(False, backend, steps=1)  # compile/caches outside the traced runs
    floats_now, floats_peak = traced(False, backend)
    tensors_now, tensors_peak = traced(True, backend)
    activation = BATCH * HIDDEN * 8  # bytes of one (128, 128) float64 hidden activation
    # Each kept loss holds its graph's skeleton (op nodes: names, shapes, edges), a few KB,
    # and no activation: keeping all of them would add >= 300 * 128 KiB = 37.5 MiB.
    per_step = (tensors_now - floats_now) / STEPS
    assert per_step < activation / 8, f"{per_step:.0f} bytes kept per step"
    assert tensors_peak < 3 * floats_peak, (tensors_peak, floats_peak)


def test_backward_frees_saved_buffers_and_inputs_nobody_else_holds():
    x = Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    hidden = (x * 2.0).relu()
    loss = hidden.sum()
    relu_node = hidden.grad_fn
    assert any(isinstance(v, np.ndarray) for v in vars(relu_node).values())  # the relu mask
    del hidden
    loss.backward()
    assert not any(isinstance(v, np.ndarray) for v in vars(relu_node).values())
    (freed,) = loss._parents  # the relu output: nobody holds it any more
    assert isinstance(freed, FreedTensor) and freed.data is None and freed.grad is None
    assert (freed._op, freed.shape, freed.dtype) == ("relu", (2, 3), np.float64)
    assert [p._op for p in freed._parents] == ["mul"]
    assert loss._parents[0] is freed  # the same stand-in on every call
    np.testing.assert_array_equal(x.grad, [[0, 0, 0], [2, 2, 2]])


def test_second_backward_through_a_released_graph_raises_torchs_message():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError) as error:
        loss.backward()
    assert str(error.value) == SECOND_BACKWARD
    with pytest.raises(RuntimeError) as error:
        minigrad.autograd.grad(loss, x)
    assert str(error.value) == SECOND_BACKWARD


def test_retain_graph_keeps_the_graph_for_a_second_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x.exp()
    loss = (hidden * x).sum()
    del hidden
    loss.backward(retain_graph=True)
    first = x.grad.copy()
    np.testing.assert_allclose(first, np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])))
    (product,) = loss._parents
    assert product._parents[0]._op == "exp" and product._parents[0].data is not None  # kept
    loss.backward()  # the second one releases
    np.testing.assert_allclose(x.grad, 2 * first)
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_create_graph_double_backward_still_works_and_then_releases():
    x = Tensor([0.5, -1.5], requires_grad=True)
    y = (x ** 3).sum()
    (dy_dx,) = minigrad.autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(dy_dx.data, 3 * x.data ** 2)
    total = dy_dx.sum()
    total.backward()  # d/dx sum(3 x^2) = 6 x; releases the gradient's graph
    np.testing.assert_allclose(x.grad, 6 * x.data)
    with pytest.raises(RuntimeError, match="second time"):
        total.backward()


def test_drawing_a_released_graph_keeps_its_structure_and_says_what_was_freed():
    a = Tensor(-4.0, requires_grad=True)
    b = Tensor(2.0, requires_grad=True)
    g = (a * b + b ** 3).tanh()
    before = viz.build_graph(g, names={a: "a", b: "b"}, collapse_chains=None)
    structure = [(n.kind, n.ops) for n in before.nodes], before.edges
    del before  # its nodes hold the tensors
    g.backward()
    after = viz.build_graph(g, names={a: "a", b: "b"}, collapse_chains=None)
    assert ([(n.kind, n.ops) for n in after.nodes], after.edges) == structure
    freed = [n.label for n in after.nodes if n.kind == "tensor" and "freed" in n.label]
    assert len(freed) == 3  # a*b, b**3 and their sum: unnamed, held by nobody
    assert all("data freed by backward" in label for label in freed)
    assert after.nodes[after.root].label == "data 0"  # g itself is still held: tanh(-8 + 8)
    assert "a\ndata -4\ngrad 2" in [n.label for n in after.nodes]


def test_in_place_ops_draw_the_recorded_value_before_and_after_release():
    a = Tensor(-4.0, requires_grad=True)
    c = a * 1.0
    c += c + 1  # c + 1 read the old c (-4); the new c is -4 + -3 = -7
    assert c.item() == -7.0
    g = c * 2.0
    labels = sorted(n.label for n in viz.build_graph(g, collapse_chains=None).nodes if n.kind == "tensor")
    # a, the old c (a copy kept by the in-place op), c + 1, the new c, g and the constants
    assert labels == ["data -14", "data -3", "data -4", "data -4", "data -7", "data 1", "data 1", "data 2"]
    ops = [n.ops for n in viz.build_graph(g, collapse_chains=None).nodes if n.kind == "op"]
    assert sorted(ops) == [("add",), ("add",), ("mul",), ("mul",)]  # no cycle through c
    g.backward()
    assert a.grad == 4.0  # d(2 * (2 * a + 1)) / da
    after = viz.build_graph(g, collapse_chains=None)
    assert sorted(n.ops for n in after.nodes if n.kind == "op") == sorted(ops)
    assert "data -7" in [n.label for n in after.nodes]  # c is still held
    assert repr(g.grad_fn) == "<mul node: inputs (add, constant 2.0), released>"


def test_index_arrays_and_masks_given_to_ops_are_dropped_with_the_graph():
    x = Tensor(np.arange(6.0), requires_grad=True)
    mask = np.array([True, False, True, True, False, True])
    picked = x[mask] * 2.0
    loss = picked.sum()
    node = picked.grad_fn.next[0]  # the getitem node
    assert any(value is mask for value in node.inputs)
    loss.backward()
    assert not any(isinstance(value, np.ndarray) for value in node.inputs)
    np.testing.assert_array_equal(x.grad, 2.0 * mask)
    assert [p._op for p in loss._parents[0]._parents] == ["getitem", None]  # drawn as before
