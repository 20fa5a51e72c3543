"""The data sets of the course experiments, as plain numpy arrays.

* `synthetic_linear` -- the linear-regression data of the d2l minibatch-SGD experiments,
  ``y = X w + b + noise`` with ``X`` standard normal.
* `load_airfoil` -- NASA's airfoil self-noise measurements, preprocessed exactly as d2l's
  ``get_data_ch7`` does (the file ships inside this package; see README.md beside it).
* `temperatures` -- the random "daily temperatures" of the exponentially-weighted-average demo.

Wrap the arrays in `minigrad.data.TensorDataset` to iterate over minibatches.
"""

import hashlib
from importlib import resources

import numpy as np

from ..random import default_generator

AIRFOIL_FILENAME = "airfoil_self_noise.dat"
AIRFOIL_SHA256 = "74c75fd71783f1e6b71f8a622b993dc592897a97cd689c5090a07147a1b097b3"
AIRFOIL_ROWS = 1503


def _generator(seed):
    """A fresh generator for an explicit `seed`, else the library-wide one (`minigrad.manual_seed`)."""
    if seed is None:
        return default_generator()
    return np.random.default_rng(seed)


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def synthetic_linear(true_w=(2.0, -3.4), true_b=4.2, num_examples=1000, noise=0.01, seed=None):
    """Draw the linear-regression data set of the seeds: ``y = X @ true_w + true_b + noise * eps``.

    ``X`` has shape ``(num_examples, len(true_w))`` with independent standard-normal entries and
    ``eps`` is standard normal, drawn after ``X`` from the same generator.  With ``seed=None`` the
    library-wide generator is used (seed it with `minigrad.manual_seed`); an integer seed gives the
    same arrays on every call.

    Returns ``(features, labels)``: float64 arrays of shape ``(num_examples, d)`` and
    ``(num_examples,)`` -- labels are 1-D as in the seeds, so reshape them to ``(-1, 1)`` before
    comparing them with the output of ``Linear(d, 1)``.
    """
    true_w = np.asarray(true_w, dtype=np.float64)
    if true_w.ndim != 1 or true_w.size == 0:
        raise ValueError(f"true_w must be a non-empty 1-D sequence of weights, got shape {true_w.shape}")
    _check_positive_int("num_examples", num_examples)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = _generator(seed)
    features = rng.standard_normal((num_examples, true_w.size))
    labels = features @ true_w + float(true_b)
    labels += noise * rng.standard_normal(num_examples)
    return features, labels


def airfoil_path():
    """A `Traversable` pointing at the packaged ``airfoil_self_noise.dat`` (1503 rows x 6 columns)."""
    return resources.files(__package__).joinpath(AIRFOIL_FILENAME)


def load_airfoil(num_examples=1500, standardize=True):
    """Load NASA's airfoil self-noise data exactly as d2l's ``get_data_ch7`` does.

    The file holds 1503 rows of 6 tab-separated columns (5 features, then the sound pressure level
    as label).  With ``standardize=True`` every column is z-scored with the mean and the
    *population* standard deviation (``ddof=0``) over *all 1503 rows*; only then are the first
    ``num_examples`` rows kept, so the kept rows are close to, not exactly, mean 0 and std 1.

    Returns ``(features, labels)`` as float32 arrays of shape ``(num_examples, 5)`` and
    ``(num_examples,)``.  The file's sha256 is verified first, so a corrupted copy raises instead
    of training on wrong numbers.
    """
    _check_positive_int("num_examples", num_examples)
    if num_examples > AIRFOIL_ROWS:
        raise ValueError(f"num_examples must be at most {AIRFOIL_ROWS} (rows in the file), got {num_examples}")
    raw = airfoil_path().read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != AIRFOIL_SHA256:
        raise RuntimeError(
            f"{AIRFOIL_FILENAME} is corrupted: sha256 {digest}, expected {AIRFOIL_SHA256}"
        )
    data = np.genfromtxt(raw.splitlines(), delimiter="\t")
    if standardize:
        data = (data - data.mean(axis=0)) / data.std(axis=0)
    features = data[:num_examples, :-1].astype(np.float32)
    labels = data[:num_examples, -1].astype(np.float32)
    return features, labels


def temperatures(days=30, seed=0, scale=10.0):
    """Random daily temperatures for the exponentially-weighted-average demo: ``scale * N(0, 1)``.

    The seed text draws ``torch.randn(30) * 10`` after ``torch.manual_seed(0)``; this draws the
    same distribution from ``numpy.random.default_rng(seed)`` (torch's random stream is not
    reproduced, so the individual numbers differ).  ``seed=None`` uses the library-wide generator.
    Returns a float64 array of shape ``(days,)``; day ``i`` (1-based) is element ``i - 1``.
    """
    _check_positive_int("days", days)
    return scale * _generator(seed).standard_normal(days)
