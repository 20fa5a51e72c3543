"""examples/torch_style.py (the Momentum and Adam snippets of the course notes
"momentum, AdaGrad, RMSProp, Adam")."""

import re

import numpy as np


def test_momentum_epochs_and_adam_first_step(run_example):
    result = run_example("torch_style")
    printed = re.findall(r"^Epoch \[(\d+)/10\], Loss: (\d+\.\d{4})$", result["_stdout"],
                         flags=re.MULTILINE)
    assert [int(epoch) for epoch, _ in printed] == list(range(1, 11))
    losses = np.array(result["momentum_losses"])
    assert [float(loss) for _, loss in printed] == [round(loss, 4) for loss in losses]
    assert losses[-1] < losses[0] and losses[-1] < result["plain_sgd_losses"][-1]

    assert re.search(r"^Loss:  \d+\.\d+$", result["_stdout"], flags=re.MULTILINE)
    steps = np.array(result["adam_first_step"])
    gradients = np.array(result["adam_gradients"])
    assert steps.shape == gradients.shape == (11,)
    np.testing.assert_allclose(steps, -0.001 * np.sign(gradients), rtol=0, atol=1e-9)
    assert result["adam_loss_after_step"] < result["adam_loss"]
    assert all(entry["ok"] for entry in result["checks"]), result["checks"]
