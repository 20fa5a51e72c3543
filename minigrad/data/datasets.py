"""The data sets of the course experiments, as plain numpy arrays.

* `synthetic_linear` -- the linear-regression data of the d2l minibatch-SGD experiments,
  ``y = X w + b + noise`` with ``X`` standard normal.
* `load_airfoil` -- NASA's airfoil self-noise measurements, preprocessed exactly as d2l's
  ``get_data_ch7`` does (the file ships inside this package; see README.md beside it).
* `temperatures` -- the random "daily temperatures" of the exponentially-weighted-average demo.
* `make_moons` -- two interleaving half circles, scikit-learn's algorithm point for point.
* `make_spirals` -- interleaved spiral arms, the classic non-linear classification toy.
* `load_digits` -- the UCI optical handwritten digits (8x8 images, 1797 of them; the file ships
  inside this package, see README.md beside it), with a fixed train/test split.

Wrap the arrays in `minigrad.data.TensorDataset` to iterate over minibatches.
"""

import gzip
import hashlib
import io
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
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"seed must be a non-negative int or None, got {type(seed).__name__} {seed!r}")
    return np.random.default_rng(seed)


def _check_number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")


def _check_noise(noise):
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise TypeError(f"noise must be a number (a standard deviation), got {type(noise).__name__} {noise!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def synthetic_linear(true_w=(2.0, -3.4), true_b=4.2, num_examples=1000, noise=0.01, seed=None):
    """Draw the linear-regression data set of the sources (d2l and the gluon tutorial): ``y = X @ true_w + true_b + noise * eps``.

    ``X`` has shape ``(num_examples, len(true_w))`` with independent standard-normal entries and
    ``eps`` is standard normal, drawn after ``X`` from the same generator.  With ``seed=None`` the
    library-wide generator is used (seed it with `minigrad.manual_seed`); an integer seed gives the
    same arrays on every call.

    Returns ``(features, labels)``: float64 arrays of shape ``(num_examples, d)`` and
    ``(num_examples,)`` -- labels are 1-D as in the sources, so reshape them to ``(-1, 1)`` before
    comparing them with the output of ``Linear(d, 1)``.
    """
    weights = np.asarray(true_w)
    if weights.dtype.kind not in "iuf":
        raise TypeError(f"true_w must be a sequence of numbers, got {true_w!r}")
    true_w = weights.astype(np.float64)
    _check_number("true_b", true_b)
    if true_w.ndim != 1 or true_w.size == 0:
        raise ValueError(f"true_w must be a non-empty 1-D sequence of weights, got shape {true_w.shape}")
    _check_positive_int("num_examples", num_examples)
    _check_noise(noise)
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
    _check_bool("standardize", standardize)
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

    The course notes "momentum, AdaGrad, RMSProp, Adam" draw ``torch.randn(30) * 10`` after ``torch.manual_seed(0)``; this draws the
    same distribution from ``numpy.random.default_rng(seed)`` (torch's random stream is not
    reproduced, so the individual numbers differ).  ``seed=None`` uses the library-wide generator.
    Returns a float64 array of shape ``(days,)``; day ``i`` (1-based) is element ``i - 1``.
    """
    _check_positive_int("days", days)
    _check_number("scale", scale)
    return scale * _generator(seed).standard_normal(days)


def _random_state(random_state, name):
    """scikit-learn's ``check_random_state``: an int seeds a ``numpy.random.RandomState`` (the
    legacy generator sklearn draws from, needed for its exact points); None seeds one from the
    library-wide generator (`minigrad.manual_seed`)."""
    if random_state is None:
        return np.random.RandomState(int(default_generator().integers(2 ** 32)))
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer)) \
            or not 0 <= random_state < 2 ** 32:
        raise ValueError(f"{name}: random_state must be an int in [0, 2**32), a numpy RandomState or None, "
                         f"got {random_state!r}")
    return np.random.RandomState(int(random_state))


def make_moons(n_samples=100, shuffle=True, noise=None, random_state=None):
    """Two interleaving half circles (scikit-learn's ``make_moons``, same algorithm, same points).

    ``n // 2`` points on the upper half circle ``(cos t, sin t)`` (label 0) and the rest on the
    lower one ``(1 - cos t, 0.5 - sin t)`` (label 1), ``t`` evenly spaced in [0, pi]; then, with
    ``shuffle``, the rows are permuted, and with ``noise`` Gaussian noise of that standard
    deviation is added.  An integer ``random_state`` gives exactly scikit-learn's points for the
    same seed (both draw from ``numpy.random.RandomState(seed)``; e.g. micrograd's demo, which
    calls ``np.random.seed(1337)`` then ``make_moons(n_samples=100, noise=0.1)``, is
    ``random_state=1337``).  ``random_state=None`` follows `minigrad.manual_seed`.

    Returns ``(X, y)``: float64 ``(n_samples, 2)`` and int64 ``(n_samples,)``.
    """
    _check_positive_int("n_samples", n_samples)
    _check_bool("shuffle", shuffle)
    if noise is not None:
        _check_noise(noise)
    generator = _random_state(random_state, "make_moons")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    features = np.vstack([np.append(np.cos(outer), 1 - np.cos(inner)),
                          np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)]).T
    labels = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    if shuffle:
        order = np.arange(n_samples)
        generator.shuffle(order)  # sklearn.utils.shuffle's draw
        features, labels = features[order], labels[order]
    if noise is not None:
        features += generator.normal(scale=noise, size=features.shape)
    return features, labels


def make_spirals(n_samples=300, n_classes=3, noise=0.2, turns=None, random_state=None):
    """Interleaved spiral arms, one per class (the "spiral data" of CS231n's minimal neural
    network case study): class ``k``'s ``m`` points have radius ``r = linspace(0, 1, m)`` and
    angle ``theta = linspace(4k, 4(k + 1), m) + noise * N(0, 1)`` (radians), at
    ``(r sin theta, r cos theta)``.  `turns` (optional) replaces the angular span 4 of every arm.

    Classes get ``n_samples // n_classes`` points, the first ``n_samples % n_classes`` one more;
    the rows are ordered by class.  Not linearly separable: a linear classifier reaches about
    50 % on three arms, a small MLP nearly 100 %.  Returns float64 ``(n_samples, 2)`` and int64
    labels; the randomness follows `random_state` like `make_moons`.
    """
    _check_positive_int("n_samples", n_samples)
    _check_positive_int("n_classes", n_classes)
    _check_noise(noise)
    span = 4.0
    if turns is not None:
        if isinstance(turns, bool) or not isinstance(turns, (int, float)) or not turns > 0:
            raise ValueError(f"make_spirals: turns must be a number > 0, got {turns!r}")
        span = float(turns)
    generator = _random_state(random_state, "make_spirals")
    features, labels = [], []
    for k in range(n_classes):
        m = n_samples // n_classes + (1 if k < n_samples % n_classes else 0)
        radius = np.linspace(0.0, 1.0, m)
        angle = np.linspace(span * k, span * (k + 1), m) + noise * generator.standard_normal(m)
        features.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))
        labels.append(np.full(m, k, dtype=np.int64))
    return np.concatenate(features), np.concatenate(labels)


DIGITS_FILENAME = "digits.csv.gz"
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
DIGITS_ROWS = 1797
DIGITS_TEST_EVERY = 5


def digits_path():
    """A `Traversable` pointing at the packaged ``digits.csv.gz`` (1797 rows of 64 pixels + label)."""
    return resources.files(__package__).joinpath(DIGITS_FILENAME)


def load_digits(split="all", flatten=False):
    """The UCI optical recognition of handwritten digits: 1797 grey 8x8 images of 0-9 (the set
    scikit-learn ships as ``load_digits``).

    Pixels are the counts 0..16 of the original 32x32 bitmaps' 4x4 blocks, returned divided by
    16 (float64 in [0, 1]); labels are int64 in 0..9.  The fixed, stratified split: of each
    digit's images, in file order, every 5th (the 5th, 10th, ...) is ``split="test"`` (355
    images, 34-36 per digit), the other 1442 ``"train"``; ``"all"`` gives all 1797 in file order.  ``flatten=True`` returns images as 64-vectors (row by row).

    Returns ``(images, labels)`` of shapes ``(n, 8, 8)`` (or ``(n, 64)``) and ``(n,)``.  The file's
    sha256 is checked first.
    """
    if split not in ("all", "train", "test"):
        raise ValueError(f"load_digits: split must be 'all', 'train' or 'test', got {split!r}")
    _check_bool("flatten", flatten)
    raw = digits_path().read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != DIGITS_SHA256:
        raise RuntimeError(f"{DIGITS_FILENAME} is corrupted: sha256 {digest}, expected {DIGITS_SHA256}")
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)
    labels = table[:, 64]
    # Rank of each image among the images of its digit (0, 1, 2, ... in file order).
    rank = np.zeros(DIGITS_ROWS, dtype=np.int64)
    for digit in range(10):
        rank[labels == digit] = np.arange(np.count_nonzero(labels == digit))
    test = rank % DIGITS_TEST_EVERY == DIGITS_TEST_EVERY - 1
    keep = {"all": np.ones(DIGITS_ROWS, dtype=bool), "train": ~test, "test": test}[split]
    images = table[keep, :64] / 16.0
    labels = table[keep, 64]
    return (images if flatten else images.reshape(-1, 8, 8)), labels
