"""The course notes' PyTorch code runs on minigrad after the changes of docs/from_pytorch.md.

Each source below is the PyTorch code as printed in "course notes: momentum, AdaGrad,
RMSProp, Adam" (the momentum snippet, the AdaGrad class, the Adam snippet) and in "Dive into
Deep Learning (PyTorch edition), ch. 7: Adam" (``adam`` from scratch with ``train_ch7``),
verbatim but for the line breaks and indentation the notes' text lost. ``translate`` applies
the table of one-line changes in docs/from_pytorch.md, and nothing else, before running it.
The checks are the numbers examples/torch_style.py and examples/airfoil_d2l.py check: the
momentum run equals a plain-numpy heavy ball, Adam's first step is lr * g / (|g| + eps),
AdaGrad equals the package's Adagrad, and d2l's Adam ends within [least-squares floor, 0.256]
after recording 31 losses.
"""

import re

import matplotlib
import numpy as np

import minigrad
import optimizers
from minigrad import nn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from test_from_pytorch_doc import PAGE, changes  # noqa: E402

NOTEBOOK_LINES = ['%matplotlib inline', 'sys.path.append("..")', "import d2lzh_pytorch as d2l"]


def translate(source):
    """The torch source with docs/from_pytorch.md's changes applied (longest first, whole
    names only) and the notebook-only lines removed."""
    lines = [line for line in source.splitlines() if line.strip() not in NOTEBOOK_LINES]
    text = "\n".join(lines) + "\n"
    for old, new in sorted(changes(), key=lambda pair: -len(pair[0])):
        start = r"\b" if old[0].isalnum() else ""
        end = r"\b" if old[-1].isalnum() else ""
        text = re.sub(start + re.escape(old) + end, lambda _: new, text)
    return text


def run(source, capsys):
    code = translate(source)
    assert not re.search(r"\btorch\b", code), code
    namespace = {"__name__": "seed_code"}
    exec(compile(code, "seed_code", "exec"), namespace)
    return namespace, capsys.readouterr().out


def test_notebook_lines_are_listed_on_the_page():
    text = PAGE.read_text(encoding="utf-8")
    for line in NOTEBOOK_LINES:
        assert f"`{line}`" in text


# ----------------------------------------------------- course notes: momentum, AdaGrad, RMSProp, Adam

MOMENTUM = """\
import torch
import torch.nn as nn
import torch.optim as optim

model = nn.Linear(10, 1)
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

inputs = torch.randn(100, 10)
targets = torch.randn(100, 1)

for epoch in range(10):
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('Epoch [{}/{}], Loss: {:.4f}'.format(epoch+1, 10, loss.item()))
"""


def numpy_heavy_ball(inputs, targets, weight, bias, lr, momentum, epochs):
    """The momentum run in plain numpy: MSE gradient written out, torch's heavy-ball update
    (b <- g on the first step, then b <- momentum b + g; p <- p - lr b). Returns the loss of
    each epoch (before its step) and the final parameters."""
    buffers = None
    losses = []
    for _ in range(epochs):
        residual = inputs @ weight.T + bias - targets
        losses.append(float(np.mean(residual ** 2)))
        grads = (2 / residual.size * residual.T @ inputs, 2 / residual.size * residual.sum(0))
        buffers = [g.copy() for g in grads] if buffers is None else [momentum * b + g for b, g in zip(buffers, grads)]
        weight, bias = weight - lr * buffers[0], bias - lr * buffers[1]
    return losses, weight, bias


def test_momentum_snippet_equals_the_numpy_heavy_ball(capsys):
    minigrad.manual_seed(3)
    namespace, printed = run(MOMENTUM, capsys)
    minigrad.manual_seed(3)
    start = nn.Linear(10, 1)  # the snippet's first draw: its model's initial weights
    losses, weight, bias = numpy_heavy_ball(
        namespace["inputs"].data, namespace["targets"].data, start.weight.data, start.bias.data, 0.01, 0.9, 10)
    model = namespace["model"]
    assert np.max(np.abs(model.weight.data - weight)) < 1e-12
    assert np.max(np.abs(model.bias.data - bias)) < 1e-12
    assert abs(namespace["loss"].item() - losses[-1]) < 1e-12
    expected = "".join(f"Epoch [{i + 1}/10], Loss: {loss:.4f}\n" for i, loss in enumerate(losses))
    assert printed == expected
    assert losses[-1] < losses[0]


ADAGRAD = """\
import torch

class AdaGrad:
    def __init__(self, params, lr=0.01, epsilon=1e-8):
        self.params = list(params)
        self.lr = lr
        self.epsilon = epsilon
        self.cache = [torch.zeros_like(param) for param in self.params]

    def step(self):
        for i, param in enumerate(self.params):
            self.cache[i] += param.grad.data ** 2
            param.data -= self.lr * param.grad.data / (torch.sqrt(self.cache[i]) + self.epsilon)
"""


def test_adagrad_class_equals_the_packages_adagrad(capsys):
    namespace, _ = run(ADAGRAD, capsys)
    rng = np.random.default_rng(4)
    inputs, targets = minigrad.tensor(rng.standard_normal((50, 10))), minigrad.tensor(rng.standard_normal((50, 1)))
    ours, package = nn.Linear(10, 1), nn.Linear(10, 1)
    package.load_state_dict(ours.state_dict())
    arrays = [p.data for p in ours.parameters()]
    seed_optimizer = namespace["AdaGrad"](ours.parameters(), lr=0.1)
    package_optimizer = optimizers.Adagrad(package.parameters(), lr=0.1, eps=1e-8)
    squares = [np.zeros_like(a) for a in arrays]
    for _ in range(20):
        for model, optimizer in ((ours, seed_optimizer), (package, package_optimizer)):
            for p in model.parameters():
                p.grad = None
            nn.MSELoss()(model(inputs), targets).backward()
            optimizer.step()
        squares = [s + p.grad ** 2 for s, p in zip(squares, ours.parameters())]
    for mine, theirs in zip(ours.parameters(), package.parameters()):
        np.testing.assert_allclose(mine.data, theirs.data, rtol=1e-12, atol=1e-15)
    assert all(p.data is a for p, a in zip(ours.parameters(), arrays))  # updated in place
    for cache, expected in zip(seed_optimizer.cache, squares):
        np.testing.assert_allclose(cache.data, expected, rtol=1e-12)
    assert not np.allclose(arrays[0], nn.Linear(10, 1).weight.data)


ADAM_SNIPPET = """\
import torch
import torch.nn as nn
import torch.optim as optim

class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.linear = nn.Linear(10, 1)  # 假设输入维度是10,输出维度是1

    def forward(self, x):
        return self.linear(x)

model = SimpleModel()
criterion = nn.MSELoss()  # 均方误差损失函数
optimizer = optim.Adam(model.parameters(), lr=0.001)

x = torch.randn(32, 10)  # 批量大小为32,每个样本的输入维度是10
y = torch.randn(32, 1)  # 批量大小为32,每个样本的输出维度是1

outputs = model(x)
loss = criterion(outputs, y)
optimizer.zero_grad()
loss.backward()
optimizer.step()
print("Loss: ", loss.item())
"""


def test_adam_snippet_first_step_is_lr_times_the_gradients_sign(capsys):
    minigrad.manual_seed(5)
    namespace, printed = run(ADAM_SNIPPET, capsys)
    minigrad.manual_seed(5)
    before = [p.data.copy() for p in namespace["SimpleModel"]().parameters()]
    params = list(namespace["model"].parameters())
    steps = np.concatenate([(p.data - b).ravel() for p, b in zip(params, before)])
    grads = np.concatenate([p.grad.ravel() for p in params])
    assert np.max(np.abs(steps - (-0.001 * grads / (np.abs(grads) + 1e-8)))) < 1e-15
    assert np.max(np.abs(np.abs(steps) - 0.001)) < 1e-9
    loss = namespace["loss"].item()
    assert printed == f"Loss:  {loss}\n"
    with minigrad.no_grad():
        assert namespace["criterion"](namespace["model"](namespace["x"]), namespace["y"]).item() < loss


# ----------------------------------------------------- Dive into Deep Learning (PyTorch edition), ch. 7: Adam

D2L_ADAM = """\
%matplotlib inline
import math
import torch
from torch import nn
import time
import sys
import numpy as np
import matplotlib.pyplot as plt
sys.path.append("..")
import d2lzh_pytorch as d2l

features, labels = d2l.get_data_ch7()

def init_adam_states():
    v_w, v_b = torch.zeros((features.shape[1], 1), dtype=torch.float32), torch.zeros(1, dtype=torch.float32)
    s_w, s_b = torch.zeros((features.shape[1], 1), dtype=torch.float32), torch.zeros(1, dtype=torch.float32)
    return ((v_w, s_w), (v_b, s_b))

def adam(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        v[:] = beta1 * v + (1 - beta1) * p.grad.data
        s[:] = beta2 * s + (1 - beta2) * p.grad.data**2
        v_bias_corr = v / (1 - beta1 ** hyperparams['t'])
        s_bias_corr = s / (1 - beta2 ** hyperparams['t'])
        p.data -= hyperparams['lr'] * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)
    hyperparams['t'] += 1

def linreg(X, w, b):
    return torch.mm(X, w) + b

def squared_loss(y_hat, y):
    # 注意这里返回的是向量, 另外, pytorch里的MSELoss并没有除以 2
    return ((y_hat - y.view(y_hat.size())) ** 2) / 2

def train_ch7(optimizer_fn, states, hyperparams, features, labels,
              batch_size=10, num_epochs=2):
    # 初始化模型
    net, loss = linreg, squared_loss

    w = torch.nn.Parameter(torch.tensor(np.random.normal(0, 0.01, size=(features.shape[1], 1)), dtype=torch.float32),
                           requires_grad=True)
    b = torch.nn.Parameter(torch.zeros(1, dtype=torch.float32), requires_grad=True)

    def eval_loss():
        return loss(net(features, w, b), labels).mean().item()

    ls = [eval_loss()]
    data_iter = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(features, labels), batch_size, shuffle=True)

    for _ in range(num_epochs):
        start = time.time()
        for batch_i, (X, y) in enumerate(data_iter):
            l = loss(net(X, w, b), y).mean()  # 使用平均损失

            # 梯度清零
            if w.grad is not None:
                w.grad.data.zero_()
                b.grad.data.zero_()

            l.backward()
            optimizer_fn([w, b], states, hyperparams)  # 迭代模型参数
            if (batch_i + 1) * batch_size % 100 == 0:
                ls.append(eval_loss())  # 每100个样本记录下当前训练误差
    # 打印结果和作图
    print('loss: %f, %f sec per epoch' % (ls[-1], time.time() - start))
    plt.plot(np.linspace(0, num_epochs, len(ls)), ls)
    plt.xlabel('epoch')
    plt.ylabel('loss')

train_ch7(adam, init_adam_states(), {'lr': 0.01, 't': 1}, features, labels)
"""


def least_squares_floor(features, labels):
    """min over (w, b) of mean((X w + b - y)**2) / 2, solved exactly in float64."""
    design = np.hstack([features.astype(np.float64), np.ones((len(features), 1))])
    solution, *_ = np.linalg.lstsq(design, labels.astype(np.float64), rcond=None)
    return float(np.mean((design @ solution - labels) ** 2) / 2)


def test_d2l_adam_from_scratch_trains_the_airfoil_model_to_the_books_loss(capsys):
    np.random.seed(0)
    minigrad.manual_seed(0)
    plt.figure()
    try:
        namespace, printed = run(D2L_ADAM, capsys)
        recorded = plt.gca().lines[-1].get_ydata()  # the ls that train_ch7 plots
    finally:
        plt.close("all")
    features, labels = minigrad.data.load_airfoil()
    floor = least_squares_floor(features, labels)
    assert len(recorded) == 31
    assert floor <= recorded[-1] <= 0.256, (floor, recorded[-1])
    # from weights ~ N(0, 0.01): loss ~ mean(y**2) / 2, about 0.5 for standardized labels
    assert 0.45 < recorded[0] < 0.55 and recorded[-1] < recorded[0] - 0.2
    assert re.fullmatch(r"loss: (\d\.\d{6}), \d+\.\d{6} sec per epoch\n", printed)
    assert printed.startswith(f"loss: {recorded[-1]:f},")
    assert namespace["features"].dtype == np.float32


def test_d2l_adam_update_is_the_books_formula(capsys):
    namespace, _ = run(D2L_ADAM.split("def linreg")[0].replace("features, labels = d2l.get_data_ch7()\n", ""), capsys)
    rng = np.random.default_rng(6)
    p = minigrad.nn.Parameter(rng.standard_normal(3).astype(np.float32))
    array = p.data
    v, s = minigrad.zeros(3, dtype=minigrad.float32), minigrad.zeros(3, dtype=minigrad.float32)
    hyperparams = {"lr": 0.01, "t": 1}
    expected = p.data.astype(np.float64)
    m_ref, s_ref = np.zeros(3), np.zeros(3)
    for t in range(1, 4):
        p.grad = rng.standard_normal(3).astype(np.float32)
        g = p.grad.astype(np.float64)
        m_ref, s_ref = 0.9 * m_ref + 0.1 * g, 0.999 * s_ref + 0.001 * g * g
        expected = expected - 0.01 * (m_ref / (1 - 0.9 ** t)) / (np.sqrt(s_ref / (1 - 0.999 ** t)) + 1e-6)
        namespace["adam"]([p], [(v, s)], hyperparams)
    assert hyperparams["t"] == 4 and p.data is array and p.dtype == np.float32
    np.testing.assert_allclose(p.data, expected, rtol=1e-6)
    np.testing.assert_allclose(v.data, m_ref, rtol=1e-5)
