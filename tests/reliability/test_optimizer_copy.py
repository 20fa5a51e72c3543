"""`copy.deepcopy` and `pickle` of a model together with its optimizer, for every registered
optimizer on both backends: the copies stay linked to each other (not to the originals), and
training the copy on is bit for bit training the original on.
"""

import copy
import pickle

import numpy as np
import pytest

import optimizers
import schedulers
from minigrad import Tensor, nn
from optimizer_reliability_cases import BACKENDS, FULL_STATE

# Every registered optimizer on each backend it has; one not in FULL_STATE is built with its
# defaults.
CLASSES = {name: type(optimizers.create(name, [Tensor(np.zeros((1, 1)), requires_grad=True)]))
           for name in optimizers.available()}
CASES = [(name, backend) for name, cls in CLASSES.items() for backend in BACKENDS
         if backend == "numpy" or callable(getattr(cls, "update_numba", None))]
COPIERS = {
    "deepcopy": copy.deepcopy,
    "pickle": lambda obj: pickle.loads(pickle.dumps(obj)),
}

rng = np.random.default_rng(0)
X = Tensor(rng.normal(size=(6, 3)))
Y = Tensor(rng.normal(size=(6, 1)))


def closure_for(model, optimizer):
    def closure():
        optimizer.zero_grad()
        error = model(X) - Y
        loss = (error * error).mean()
        loss.backward()
        return loss.item()
    return closure


def train(model, optimizer, steps):
    closure = closure_for(model, optimizer)
    return [optimizer.step(closure) for _ in range(steps)]


def model_and_optimizer(name, backend):
    """Two layers in two param groups; without biases for an optimizer of matrices only
    (Muon), in one group for one that allows no second (LBFGS, which needs a closure)."""
    cls = CLASSES[name]
    bias = cls.param_ndim is None
    model = nn.Sequential(nn.Linear(3, 4, bias=bias), nn.Linear(4, 1, bias=bias))
    if cls.needs_closure:
        groups = [{"params": list(model.parameters())}]
    else:
        groups = [{"params": list(model[0].parameters())},
                  {"params": list(model[1].parameters()), "lr": 0.02}]
    optimizer = optimizers.create(name, groups, backend=backend, **FULL_STATE.get(name, {}))
    return model, optimizer


def _bytes(value):
    """Arrays as bytes, also inside lists (LBFGS's history), for == comparisons."""
    if isinstance(value, np.ndarray):
        return value.tobytes()
    if isinstance(value, list):
        return [_bytes(item) for item in value]
    return value


def frozen(model, optimizer):
    params = [p.data.tobytes() for p in model.parameters()]
    state = [{k: _bytes(v) for k, v in optimizer.state[p].items()}
             for p in model.parameters() if p in optimizer.state]
    return params, state


@pytest.mark.parametrize("how", COPIERS)
@pytest.mark.parametrize("name, backend", CASES)
def test_copied_model_and_optimizer_train_on_exactly_like_the_originals(name, backend, how):
    model, optimizer = model_and_optimizer(name, backend)
    train(model, optimizer, 3)
    # LBFGS keeps all its state on the first parameter, as torch does
    assert len(optimizer.state) == (1 if optimizer.needs_closure else len(list(model.parameters())))
    original_before = frozen(model, optimizer)

    model_copy, optimizer_copy = COPIERS[how]((model, optimizer))
    copied_params = list(model_copy.parameters())
    assert all(p is q for p, q in zip(copied_params, [p for g in optimizer_copy.param_groups for p in g["params"]]))
    assert all(p in optimizer_copy.state for p in copied_params[:len(optimizer.state)])
    assert not any(p in optimizer_copy.state for p in model.parameters())
    assert frozen(model_copy, optimizer_copy) == original_before
    assert optimizer_copy.backend == backend

    losses_copy = train(model_copy, optimizer_copy, 4)
    assert frozen(model, optimizer) == original_before  # the copy moved only itself
    losses = train(model, optimizer, 4)
    assert losses_copy == losses
    assert frozen(model_copy, optimizer_copy) == frozen(model, optimizer)


def test_hooks_are_not_copied_like_torch():
    model, optimizer = model_and_optimizer("sgd", "numpy")
    log = []
    optimizer.register_step_pre_hook(lambda *args: log.append("pre"))
    optimizer.register_state_dict_pre_hook(lambda *args: log.append("state_dict"))
    model_copy, optimizer_copy = copy.deepcopy((model, optimizer))
    train(model_copy, optimizer_copy, 1)
    optimizer_copy.state_dict()
    assert log == []
    train(model, optimizer, 1)
    assert log == ["pre"]


@pytest.mark.parametrize("how", COPIERS)
def test_a_schedulers_step_wrapper_is_not_copied_onto_the_copy(how):
    """A scheduler wraps `optimizer.step` around the original optimizer; the copy gets its own
    step, so stepping the copy can never move the original model."""
    model, optimizer = model_and_optimizer("adam", "numba")
    schedulers.StepLR(optimizer, step_size=2)
    assert "step" in vars(optimizer)
    train(model, optimizer, 2)
    before = frozen(model, optimizer)
    model_copy, optimizer_copy = COPIERS[how]((model, optimizer))
    assert "step" not in vars(optimizer_copy)
    train(model_copy, optimizer_copy, 2)
    assert frozen(model, optimizer) == before
    assert optimizer_copy.state[next(model_copy.parameters())]["step"] == 4


def test_a_copied_optimizer_checks_its_groups_again():
    model, optimizer = model_and_optimizer("adam", "numpy")
    train(model, optimizer, 1)
    optimizer_copy = copy.deepcopy(optimizer)
    optimizer_copy.param_groups[0]["lr"] = None
    with pytest.raises(TypeError, match="^lr must be a real number, but got None$"):
        optimizer_copy.step()
