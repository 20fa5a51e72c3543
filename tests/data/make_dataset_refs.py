"""Generate tests/data/dataset_refs.npz: scikit-learn's points for minigrad.data's datasets.

Run once with a python that has scikit-learn (1.9): ``/work/torchenv/bin/python
tests/data/make_dataset_refs.py``.  Stores ``make_moons`` outputs for a few settings (the
``kwargs`` as JSON) and the sha256 of scikit-learn's ``load_digits`` pixels and labels (as int64
bytes), which minigrad's packaged copy must reproduce.
"""

import hashlib
import json
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, make_moons

refs = {}
settings = {
    "micrograd": dict(n_samples=100, noise=0.1, random_state=1337),
    "odd_no_shuffle": dict(n_samples=7, shuffle=False),
    "noisy": dict(n_samples=51, noise=0.3, random_state=0),
    "shuffle_only": dict(n_samples=10, random_state=5),
}
for name, kwargs in settings.items():
    X, y = make_moons(**kwargs)
    refs[f"moons/{name}/X"] = X
    refs[f"moons/{name}/y"] = y.astype(np.int64)
    refs[f"moons/{name}/kwargs"] = np.array(json.dumps(kwargs))

# micrograd's demo seeds numpy's global generator and passes no random_state.
np.random.seed(1337)
refs["moons/micrograd_global_seed/X"] = make_moons(n_samples=100, noise=0.1)[0]

digits = load_digits()
refs["digits/pixels_sha256"] = np.array(hashlib.sha256(digits.data.astype(np.int64).tobytes()).hexdigest())
refs["digits/labels_sha256"] = np.array(hashlib.sha256(digits.target.astype(np.int64).tobytes()).hexdigest())
refs["digits/shape"] = np.array(digits.images.shape)

path = Path(__file__).with_name("dataset_refs.npz")
np.savez_compressed(path, **refs)
print(f"wrote {len(refs)} arrays to {path}")
