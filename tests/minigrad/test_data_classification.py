"""minigrad.data: Dataset, Subset, ConcatDataset, random_split, every DataLoader option,
default_collate, make_moons (against scikit-learn's points), make_spirals, load_digits."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

import minigrad.data as data
from minigrad import Tensor, manual_seed

REFS = np.load(Path(__file__).resolve().parents[1] / "data" / "dataset_refs.npz")


class Squares(data.Dataset):
    """Sample i is (features [i, i**2], label i): a batch tells which samples it holds."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return np.array([i, i * i], dtype=np.float32), i


def labels_of(loader):
    return [batch[1].data.tolist() for batch in loader]


# ---- Dataset, Subset, ConcatDataset, random_split ------------------------------------------------


def test_base_dataset_names_what_a_subclass_must_define():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        data.Dataset()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(data.Dataset())


def test_subset_and_concat_index_through():
    squares = Squares(5)
    subset = data.Subset(squares, [4, 0, 2])
    assert len(subset) == 3 and subset[0][1] == 4 and subset[-1][1] == 2
    both = squares + subset
    assert isinstance(both, data.ConcatDataset) and len(both) == 8
    assert [both[i][1] for i in range(8)] == [0, 1, 2, 3, 4, 4, 0, 2]
    with pytest.raises(IndexError, match="out of range for 8 samples"):
        both[8]
    with pytest.raises(IndexError, match="indices out of range"):
        data.Subset(squares, [5])


def test_random_split_counts_and_fractions_cover_everything_once():
    squares = Squares(10)
    parts = data.random_split(squares, [3, 7], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    np.testing.assert_array_equal(parts[0].indices + parts[1].indices, np.random.default_rng(0).permutation(10))
    # fractions: floor(10 * 0.33) = 3 each, then the leftover 1 goes to the first part (torch's rule)
    thirds = data.random_split(squares, [0.33, 0.33, 0.34], generator=np.random.default_rng(1))
    assert [len(p) for p in thirds] == [4, 3, 3]
    manual_seed(3)
    first = data.random_split(squares, [0.5, 0.5])
    manual_seed(3)
    assert data.random_split(squares, [0.5, 0.5])[0].indices == first[0].indices


@pytest.mark.parametrize("lengths, message", [([3, 3], "Sum of input lengths does not equal the length of the input dataset! \\(the lengths add up to 6, the dataset has 10 samples\\)"),
                                              ([0.5, 0.6], "fractions summing to 1"),
                                              ([-1, 11], "non-negative")])
def test_random_split_refuses_bad_lengths(lengths, message):
    with pytest.raises(ValueError, match=message):
        data.random_split(Squares(10), lengths)


# ---- DataLoader over per-item datasets ------------------------------------------------------------


def test_default_collation_of_tuples_keeps_dtypes():
    features, labels = next(iter(data.DataLoader(Squares(5), batch_size=3)))
    assert features.dtype == np.float32 and features.shape == (3, 2)
    assert labels.dtype == np.int64 and labels.data.tolist() == [0, 1, 2]
    assert not features.requires_grad


def test_list_of_array_number_pairs_is_collated():
    batches = list(data.DataLoader([(np.ones(2), 1.0)] * 4, batch_size=2))
    assert len(batches) == 2
    features, labels = batches[0]
    assert features.shape == (2, 2) and features.dtype == np.float64
    assert labels.data.tolist() == [1.0, 1.0] and labels.dtype == np.float64


def test_dicts_tensors_and_strings_are_collated():
    samples = [{"x": Tensor([float(i), 0.0]), "name": f"s{i}", "flag": i % 2 == 0} for i in range(3)]
    batch = next(iter(data.DataLoader(samples, batch_size=3)))
    assert batch["x"].shape == (3, 2) and batch["name"] == ["s0", "s1", "s2"]
    assert batch["flag"].data.tolist() == [1, 0, 1] and batch["flag"].dtype == np.int64


@pytest.mark.parametrize("samples, error, message", [
    ([np.ones(2), np.ones(3)], ValueError, r"sample has different shapes across the batch \[\(2,\), \(3,\)\]"),
    ([(np.ones(2), 1), (np.ones(2),)], ValueError, "must have 2 fields"),
    ([object(), object()], TypeError, "pass collate_fn"),
    ([{"a": 1}, {"b": 1}], TypeError, "same dict"),
])
def test_collation_errors_name_the_problem(samples, error, message):
    with pytest.raises(error, match=message):
        data.default_collate(samples)


def test_collate_fn_receives_the_list_of_samples():
    seen = []
    loader = data.DataLoader(Squares(5), batch_size=2, collate_fn=lambda batch: seen.append(batch) or len(batch))
    assert list(loader) == [2, 2, 1]
    assert [label for _, label in seen[0]] == [0, 1]


def test_drop_last_and_len():
    loader = data.DataLoader(Squares(7), batch_size=3, drop_last=True)
    assert len(loader) == 2 and labels_of(loader) == [[0, 1, 2], [3, 4, 5]]
    assert len(data.DataLoader(Squares(7), batch_size=3)) == 3


def test_shuffle_with_a_generator_is_reproducible_and_reshuffles():
    first = data.DataLoader(Squares(10), batch_size=4, shuffle=True, generator=np.random.default_rng(7))
    second = data.DataLoader(Squares(10), batch_size=4, shuffle=True, generator=np.random.default_rng(7))
    epoch_a, epoch_b = labels_of(first), labels_of(first)
    assert epoch_a == labels_of(second) and epoch_a != epoch_b
    flat = sum(epoch_a, [])
    assert sorted(flat) == list(range(10))
    assert flat == np.random.default_rng(7).permutation(10).tolist()


def test_shuffle_with_a_seed_matches_the_tensor_dataset_path():
    arrays = data.TensorDataset(np.arange(10.0)[:, None], np.arange(10))
    assert labels_of(data.DataLoader(arrays, 3, shuffle=True, seed=4)) == \
        labels_of(data.DataLoader(Squares(10), 3, shuffle=True, seed=4))


def test_sampler_and_batch_sampler():
    loader = data.DataLoader(Squares(6), batch_size=2, sampler=[5, 3, 1])
    assert labels_of(loader) == [[5, 3], [1]] and len(loader) == 2
    loader = data.DataLoader(Squares(6), batch_sampler=[[0, 5], [2], [1, 1, 4]])
    assert labels_of(loader) == [[0, 5], [2], [1, 1, 4]] and len(loader) == 3
    sampler = data.BatchSampler(data.RandomSampler(range(5), np.random.default_rng(0)), 2, drop_last=True)
    assert [len(b) for b in sampler] == [2, 2] and len(sampler) == 2


@pytest.mark.parametrize("kwargs, message", [
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
    (dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(generator=np.random.default_rng(0), seed=1), "either generator or seed"),
])
def test_contradictory_options_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.DataLoader(Squares(3), **kwargs)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(shuffle="yes"), TypeError, "shuffle must be a bool"),
    (dict(drop_last=1), ValueError, "drop_last should be a boolean value, but got drop_last=1"),
    (dict(generator=0), TypeError, "numpy.random.Generator"),
    (dict(collate_fn=3), TypeError, "collate_fn must be callable"),
])
def test_bad_option_types_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.DataLoader(Squares(3), **kwargs)


# ---- make_moons, make_spirals ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["micrograd", "odd_no_shuffle", "noisy", "shuffle_only"])
def test_make_moons_gives_scikit_learns_points(name):
    kwargs = json.loads(str(REFS[f"moons/{name}/kwargs"]))
    X, y = data.make_moons(**kwargs)
    np.testing.assert_array_equal(X, REFS[f"moons/{name}/X"])
    np.testing.assert_array_equal(y, REFS[f"moons/{name}/y"])
    assert X.dtype == np.float64 and y.dtype == np.int64


def test_micrograd_demo_points_are_random_state_1337():
    X, _ = data.make_moons(n_samples=100, noise=0.1, random_state=1337)
    np.testing.assert_array_equal(X, REFS["moons/micrograd_global_seed/X"])


def test_make_moons_without_random_state_follows_manual_seed():
    manual_seed(2)
    first = data.make_moons(20, noise=0.1)[0]
    manual_seed(2)
    np.testing.assert_array_equal(data.make_moons(20, noise=0.1)[0], first)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(noise="a"), TypeError, "noise must be a number"),
    (dict(noise=-1.0), ValueError, "noise must be a finite number >= 0"),
    (dict(n_samples=0), ValueError, "n_samples must be a positive integer"),
    (dict(shuffle="False"), TypeError, "shuffle must be True or False"),
    (dict(random_state=-1), ValueError, "random_state"),
])
def test_make_moons_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.make_moons(**kwargs)


def test_make_spirals_follows_its_formula():
    X, y = data.make_spirals(n_samples=10, n_classes=3, noise=0.0, random_state=0)
    assert X.shape == (10, 2) and np.bincount(y).tolist() == [4, 3, 3]
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[:4], np.linspace(0, 1, 4), atol=1e-15)
    angle = np.linspace(4.0, 8.0, 3)[-1]  # last point of arm 1, at radius 1
    np.testing.assert_allclose(X[6], [np.sin(angle), np.cos(angle)], atol=1e-15)
    noisy, _ = data.make_spirals(n_samples=10, n_classes=3, noise=0.2, random_state=0)
    np.testing.assert_allclose(np.linalg.norm(noisy, axis=1), radius, atol=1e-15)  # noise moves the angle only
    assert not np.allclose(noisy, X)


# ---- load_digits -----------------------------------------------------------------------------------


def test_packaged_digits_checksum_and_readme():
    raw = data.datasets.digits_path().read_bytes()
    assert hashlib.sha256(raw).hexdigest() == "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
    readme = data.datasets.digits_path().parent.joinpath("README.md").read_text()
    assert "CC BY 4.0" in readme and "digits.csv.gz" in readme and data.datasets.DIGITS_SHA256 in readme


def test_load_digits_equals_scikit_learns_digits():
    images, labels = data.load_digits()
    assert images.shape == tuple(REFS["digits/shape"]) == (1797, 8, 8)
    assert images.dtype == np.float64 and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 1
    pixels = np.round(images.reshape(len(images), 64) * 16).astype(np.int64)
    assert hashlib.sha256(pixels.tobytes()).hexdigest() == str(REFS["digits/pixels_sha256"])
    assert hashlib.sha256(labels.tobytes()).hexdigest() == str(REFS["digits/labels_sha256"])


def test_digits_split_is_fixed_stratified_and_disjoint():
    all_images, all_labels = data.load_digits(flatten=True)
    train_images, train_labels = data.load_digits("train", flatten=True)
    test_images, test_labels = data.load_digits("test")
    assert len(train_labels) == 1442 and len(test_labels) == 355 and train_images.shape == (1442, 64)
    assert np.bincount(test_labels).min() >= 34 and np.bincount(test_labels).max() <= 36
    # Every 5th image of each digit, in file order, is a test image; the rest are train images.
    is_test = np.zeros(len(all_labels), dtype=bool)
    for digit in range(10):
        is_test[np.flatnonzero(all_labels == digit)[4::5]] = True
    np.testing.assert_array_equal(test_images.reshape(-1, 64), all_images[is_test])
    np.testing.assert_array_equal(test_labels, all_labels[is_test])
    np.testing.assert_array_equal(train_images, all_images[~is_test])
    np.testing.assert_array_equal(train_labels, all_labels[~is_test])


def test_load_digits_refuses_bad_arguments():
    with pytest.raises(ValueError, match="split must be"):
        data.load_digits("validation")
    with pytest.raises(TypeError, match="flatten must be True or False"):
        data.load_digits(flatten="yes")


# ---- bool and number options of the older loaders -------------------------------------------------


def test_load_airfoil_refuses_a_string_for_standardize():
    with pytest.raises(TypeError, match="standardize must be True or False, got str 'False'"):
        data.load_airfoil(standardize="False")


def test_synthetic_linear_refuses_a_string_noise():
    with pytest.raises(TypeError, match="noise must be a number"):
        data.synthetic_linear(noise="a")
