"""minigrad.data: TensorDataset, DataLoader and the course data sets."""

import hashlib
from importlib import resources

import numpy as np
import pytest

import minigrad.data as data
from minigrad import Tensor, manual_seed

AIRFOIL_SHA256 = "74c75fd71783f1e6b71f8a622b993dc592897a97cd689c5090a07147a1b097b3"


def numbered_dataset(n, dtype=np.float64):
    """Sample i has features (i, -i) and label i, so a batch tells which samples it holds."""
    ids = np.arange(n)
    return data.TensorDataset(np.stack([ids, -ids], axis=1).astype(dtype), ids.astype(dtype))


def epoch_ids(loader):
    return [batch[1].data.astype(int).tolist() for batch in loader]


# ---- TensorDataset ------------------------------------------------------------------------------


def test_tensor_dataset_indexes_all_arrays_together():
    dataset = numbered_dataset(5)
    assert len(dataset) == 5
    features, label = dataset[3]
    np.testing.assert_array_equal(features, [3.0, -3.0])
    assert label == 3.0
    features, labels = dataset[np.array([4, 0])]
    np.testing.assert_array_equal(features, [[4.0, -4.0], [0.0, 0.0]])
    np.testing.assert_array_equal(labels, [4.0, 0.0])


def test_tensor_dataset_accepts_tensors_and_keeps_dtype():
    dataset = data.TensorDataset(Tensor(np.ones((3, 2), dtype=np.float32)), np.arange(3))
    assert dataset.arrays[0].dtype == np.float32
    assert dataset.arrays[1].dtype == np.arange(3).dtype


def test_tensor_dataset_refuses_different_lengths():
    with pytest.raises(ValueError, match=r"same length.*\[4, 3\]"):
        data.TensorDataset(np.zeros((4, 2)), np.zeros(3))


def test_tensor_dataset_refuses_no_arrays_and_scalars():
    with pytest.raises(ValueError, match="at least one array"):
        data.TensorDataset()
    with pytest.raises(ValueError, match="array 1 is a scalar"):
        data.TensorDataset(np.zeros(3), 5.0)


# ---- DataLoader ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n, batch_size, drop_last, expected", [
    (10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3), (9, 3, True, 3), (2, 5, False, 1), (2, 5, True, 0),
])
def test_len_is_number_of_batches(n, batch_size, drop_last, expected):
    loader = data.DataLoader(numbered_dataset(n), batch_size, drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


def test_without_shuffle_batches_follow_dataset_order():
    assert epoch_ids(data.DataLoader(numbered_dataset(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_shuffled_epoch_covers_every_sample_exactly_once():
    loader = data.DataLoader(numbered_dataset(23), batch_size=5, shuffle=True, seed=0)
    for _ in range(3):
        batches = epoch_ids(loader)
        assert [len(batch) for batch in batches] == [5, 5, 5, 5, 3]
        assert sorted(sum(batches, [])) == list(range(23))


def test_drop_last_skips_only_the_short_batch():
    loader = data.DataLoader(numbered_dataset(23), batch_size=5, shuffle=True, drop_last=True, seed=0)
    batches = epoch_ids(loader)
    assert [len(batch) for batch in batches] == [5, 5, 5, 5]
    seen = sum(batches, [])
    assert len(set(seen)) == 20  # 20 distinct samples, none twice


def test_features_and_labels_stay_aligned_in_shuffled_batches():
    for features, labels in data.DataLoader(numbered_dataset(11), 4, shuffle=True, seed=3):
        np.testing.assert_array_equal(features.data[:, 0], labels.data)
        np.testing.assert_array_equal(features.data[:, 1], -labels.data)


def test_reshuffles_every_epoch_and_is_deterministic_for_a_seed():
    first = data.DataLoader(numbered_dataset(50), 10, shuffle=True, seed=7)
    second = data.DataLoader(numbered_dataset(50), 10, shuffle=True, seed=7)
    epochs_first = [epoch_ids(first) for _ in range(3)]
    epochs_second = [epoch_ids(second) for _ in range(3)]
    assert epochs_first == epochs_second
    assert epochs_first[0] != epochs_first[1] != epochs_first[2]
    other_seed = data.DataLoader(numbered_dataset(50), 10, shuffle=True, seed=8)
    assert epoch_ids(other_seed) != epochs_first[0]


def test_without_seed_shuffling_follows_manual_seed():
    loader = data.DataLoader(numbered_dataset(30), 7, shuffle=True)
    manual_seed(123)
    run_one = [epoch_ids(loader), epoch_ids(loader)]
    manual_seed(123)
    run_two = [epoch_ids(loader), epoch_ids(loader)]
    assert run_one == run_two
    assert run_one[0] != run_one[1]


def test_yields_tuples_of_tensors_without_grad_keeping_dtype():
    dataset = data.TensorDataset(np.ones((6, 2), dtype=np.float32), np.arange(6, dtype=np.int64))
    batch = next(iter(data.DataLoader(dataset, 4)))
    assert isinstance(batch, tuple) and len(batch) == 2
    features, labels = batch
    assert isinstance(features, Tensor) and isinstance(labels, Tensor)
    assert not features.requires_grad and not labels.requires_grad
    assert features.dtype == np.float32 and features.shape == (4, 2)
    assert labels.dtype == np.int64
    float64_batch = next(iter(data.DataLoader(numbered_dataset(3), 2)))
    assert float64_batch[0].dtype == np.float64


@pytest.mark.parametrize("batch_size", [0, -2, 2.5, True, "4"])
def test_bad_batch_size_is_refused(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size="):
        data.DataLoader(numbered_dataset(4), batch_size)


def test_dataset_without_len_or_indexing_is_refused():
    with pytest.raises(TypeError, match="dataset must support len"):
        data.DataLoader(iter([1, 2, 3]), 2)


def test_dataset_of_single_numbers_is_collated_into_one_tensor():
    batches = list(data.DataLoader(np.arange(5.0), 2))
    assert [batch.data.tolist() for batch in batches] == [[0.0, 1.0], [2.0, 3.0], [4.0]]
    assert all(isinstance(batch, Tensor) and batch.dtype == np.float64 for batch in batches)


# ---- synthetic_linear ---------------------------------------------------------------------------


def test_synthetic_linear_follows_its_formula():
    features, labels = data.synthetic_linear(num_examples=2000, seed=0)
    assert features.shape == (2000, 2) and labels.shape == (2000,)
    assert features.dtype == labels.dtype == np.float64
    residual = labels - (features @ np.array([2.0, -3.4]) + 4.2)
    assert abs(residual.std() - 0.01) < 0.001  # the noise, sd 0.01
    assert abs(residual.mean()) < 0.001
    assert np.all(np.abs(features.mean(axis=0)) < 0.1)
    assert np.all(np.abs(features.std(axis=0) - 1) < 0.05)


def test_synthetic_linear_draws_features_then_noise_from_the_generator():
    features, labels = data.synthetic_linear([1.0, 2.0, 3.0], -1.0, 4, noise=0.5, seed=11)
    rng = np.random.default_rng(11)
    expected_features = rng.standard_normal((4, 3))
    expected_labels = expected_features @ np.array([1.0, 2.0, 3.0]) - 1.0 + 0.5 * rng.standard_normal(4)
    np.testing.assert_array_equal(features, expected_features)
    np.testing.assert_allclose(labels, expected_labels, rtol=0, atol=1e-14)


def test_synthetic_linear_without_noise_is_exact():
    features, labels = data.synthetic_linear(num_examples=5, noise=0.0, seed=1)
    np.testing.assert_allclose(labels, features @ np.array([2.0, -3.4]) + 4.2, rtol=0, atol=1e-14)


def test_synthetic_linear_seed_none_uses_manual_seed():
    manual_seed(5)
    first = data.synthetic_linear(num_examples=10)
    manual_seed(5)
    second = data.synthetic_linear(num_examples=10)
    third = data.synthetic_linear(num_examples=10)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], third[0])


def test_synthetic_linear_refuses_bad_arguments():
    with pytest.raises(ValueError, match="true_w"):
        data.synthetic_linear(true_w=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="num_examples"):
        data.synthetic_linear(num_examples=0)
    with pytest.raises(ValueError, match="noise"):
        data.synthetic_linear(noise=-0.1)


# ---- airfoil ------------------------------------------------------------------------------------


def airfoil_bytes():
    return resources.files("minigrad.data").joinpath("airfoil_self_noise.dat").read_bytes()


def test_packaged_airfoil_file_checksum():
    raw = airfoil_bytes()
    assert len(raw) == 59984
    assert hashlib.sha256(raw).hexdigest() == AIRFOIL_SHA256


def test_packaged_airfoil_readme_names_source_and_licence():
    readme = resources.files("minigrad.data").joinpath("README.md").read_text()
    assert "archive.ics.uci.edu/dataset/291" in readme
    assert "CC BY 4.0" in readme
    assert AIRFOIL_SHA256 in readme


def test_load_airfoil_shapes_dtypes_and_standardisation():
    features, labels = data.load_airfoil()
    assert features.shape == (1500, 5) and labels.shape == (1500,)
    assert features.dtype == labels.dtype == np.float32
    # Statistics were taken over all 1503 rows, so the first 1500 are only close to 0 and 1.
    np.testing.assert_allclose(features.mean(axis=0), 0, atol=0.01)
    np.testing.assert_allclose(features.std(axis=0), 1, atol=0.01)
    assert abs(labels.mean()) < 0.01 and abs(labels.std() - 1) < 0.01


def test_load_airfoil_raw_rows_match_the_file():
    features, labels = data.load_airfoil(num_examples=1503, standardize=False)
    np.testing.assert_allclose(features[0], [800, 0, 0.3048, 71.3, 0.00266337], rtol=1e-7)
    assert labels[0] == np.float32(126.201)
    np.testing.assert_allclose(features[-1], [6300, 15.6, 0.1016, 39.6, 0.0528487], rtol=1e-7)
    assert labels[-1] == np.float32(104.204)


def test_load_airfoil_standardises_over_all_rows_with_population_std():
    table = np.loadtxt(airfoil_bytes().decode().splitlines(), delimiter="\t")
    assert table.shape == (1503, 6)
    expected = (table - table.mean(axis=0)) / table.std(axis=0, ddof=0)
    features, labels = data.load_airfoil(num_examples=20)
    np.testing.assert_allclose(features, expected[:20, :5].astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(labels, expected[:20, 5].astype(np.float32), rtol=1e-6)
    # d2l's first example, to 4 decimals.
    np.testing.assert_allclose(features[0], [-0.6620, -1.1464, 1.7993, 1.3129, -0.6448], atol=1e-4)


@pytest.mark.parametrize("num_examples", [0, 1504, 2.0])
def test_load_airfoil_refuses_bad_num_examples(num_examples):
    with pytest.raises(ValueError, match="num_examples"):
        data.load_airfoil(num_examples=num_examples)


# ---- temperatures -------------------------------------------------------------------------------


def test_temperatures_are_scaled_standard_normals():
    temps = data.temperatures()
    assert temps.shape == (30,) and temps.dtype == np.float64
    np.testing.assert_array_equal(temps, 10 * np.random.default_rng(0).standard_normal(30))
    np.testing.assert_array_equal(data.temperatures(5, seed=2, scale=3),
                                  3 * np.random.default_rng(2).standard_normal(5))
    np.testing.assert_array_equal(data.temperatures(), temps)


def test_temperatures_refuse_bad_days():
    with pytest.raises(ValueError, match="days"):
        data.temperatures(days=0)
