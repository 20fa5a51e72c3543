"""Datasets: anything with ``len(dataset)`` and ``dataset[i]`` (one sample), as ``torch.utils.data``.

* `Dataset` -- the base class: subclass it and define ``__len__`` and ``__getitem__(i)``.
* `TensorDataset` -- aligned arrays indexed together along their first axis.
* `Subset` -- a view of some indices of a dataset; `random_split` cuts a dataset into such views.
* `ConcatDataset` -- datasets one after another (also ``dataset_a + dataset_b``).
"""

import bisect
import math

import numpy as np

from ..random import default_generator
from ..tensor import Tensor


class Dataset:
    """Base class of a map-style dataset: ``dataset[i]`` returns sample ``i`` (for example a
    ``(features, label)`` tuple), ``len(dataset)`` the number of samples.  Subclasses define both;
    ``a + b`` concatenates."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")

    def __add__(self, other):
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Aligned arrays indexed together along their first axis, like ``torch.utils.data.TensorDataset``.

    ``TensorDataset(features, labels)[i]`` is ``(features[i], labels[i])``; ``i`` may also be an
    integer array, which is how `DataLoader` fetches a whole batch in one step.  Accepts numpy
    arrays, minigrad Tensors (their ``.data`` is used) or anything ``numpy.asarray`` takes; arrays
    are stored without copying and keep their dtype.
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        converted = []
        for position, array in enumerate(arrays):
            array = np.asarray(array.data if isinstance(array, Tensor) else array)
            if array.ndim == 0:
                raise ValueError(f"TensorDataset array {position} is a scalar; every array needs a first (sample) axis")
            converted.append(array)
        lengths = [len(array) for array in converted]
        if len(set(lengths)) != 1:
            raise ValueError(f"TensorDataset arrays must have the same length (first dimension), got lengths {lengths}")
        self.arrays = tuple(converted)

    def __len__(self):
        return len(self.arrays[0])

    def __getitem__(self, index):
        try:
            return tuple(array[index] for array in self.arrays)
        except IndexError as error:  # numpy says "axis"; torch users read "dimension"
            raise IndexError(f"TensorDataset: {str(error).replace('for axis', 'for dimension')}") from None

    def __repr__(self):
        shapes = ", ".join(str(array.shape) for array in self.arrays)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"


def _check_index(index, length, name):
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"{name} indices must be integers, got {type(index).__name__}")
    if not -length <= index < length:
        raise IndexError(f"{name} index {index} out of range for {length} samples")
    return int(index) % length


class Subset(Dataset):
    """The samples ``indices`` of `dataset`, in that order: ``Subset(d, idx)[i] == d[idx[i]]``."""

    def __init__(self, dataset, indices):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"Subset: dataset must support len() and indexing, got {type(dataset).__name__}")
        indices = np.asarray(indices)
        if indices.ndim != 1 or (indices.size and indices.dtype.kind not in "iu"):
            raise TypeError(f"Subset: indices must be a 1-D sequence of integers, got {indices!r}")
        if indices.size and (indices.min() < -len(dataset) or indices.max() >= len(dataset)):
            raise IndexError(f"Subset: indices out of range for a dataset of {len(dataset)} samples")
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, index):
        return self.dataset[self.indices[_check_index(index, len(self), "Subset")]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several datasets one after another: sample ``i`` comes from the dataset it falls in."""

    def __init__(self, datasets):
        datasets = list(datasets)
        if not datasets:
            raise ValueError("ConcatDataset: needs at least one dataset")
        for position, dataset in enumerate(datasets):
            if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
                raise TypeError(f"ConcatDataset: element {position} ({type(dataset).__name__}) is not a dataset")
        self.datasets = datasets
        self.cumulative_sizes = list(np.cumsum([len(dataset) for dataset in datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index):
        index = _check_index(index, len(self), "ConcatDataset")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = 0 if which == 0 else int(self.cumulative_sizes[which - 1])
        return self.datasets[which][index - start]


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random `Subset`s of the given lengths.

    `lengths` are sample counts summing to ``len(dataset)``, or fractions summing to 1: each
    fraction gets ``floor(fraction * n)`` samples and the remaining ones are handed out one by
    one, round robin, from the first subset on (torch's rule).  The permutation comes from
    `generator` (a ``numpy.random.Generator``) or the library-wide one (`minigrad.manual_seed`).
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty")
    for value in lengths:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or value < 0:
            raise ValueError(f"random_split: lengths must be non-negative numbers, got {lengths!r}")
    if all(isinstance(value, (int, np.integer)) for value in lengths) and sum(lengths) != 1:
        counts = [int(value) for value in lengths]
    elif math.isclose(sum(lengths), 1.0) and all(value <= 1 for value in lengths):
        counts = [int(math.floor(n * fraction)) for fraction in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    else:
        raise ValueError(f"random_split: lengths {lengths!r} must be counts summing to {n} or fractions summing to 1")
    if sum(counts) != n:
        raise ValueError(f"random_split: Sum of input lengths does not equal the length of the input dataset! "
                         f"(the lengths add up to {sum(counts)}, the dataset has {n} samples)")
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"random_split: generator must be a numpy.random.Generator, got {type(generator).__name__}")
    order = (generator or default_generator()).permutation(n)
    boundaries = np.cumsum(counts)
    return [Subset(dataset, order[end - count:end]) for count, end in zip(counts, boundaries)]
