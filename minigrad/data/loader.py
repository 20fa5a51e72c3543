"""Minibatches: `TensorDataset` holds aligned arrays, `DataLoader` cuts them into batches.

This is the d2l ``data_iter`` of the seeds (shuffle the indices, walk through them in steps of
``batch_size``) with PyTorch's names and habits.
"""

import math

import numpy as np

from ..random import default_generator
from ..tensor import Tensor


class TensorDataset:
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
        return tuple(array[index] for array in self.arrays)

    def __repr__(self):
        shapes = ", ".join(str(array.shape) for array in self.arrays)
        return f"TensorDataset({len(self)} samples; shapes {shapes})"


class DataLoader:
    """Iterate over a dataset in minibatches, yielding tuples of Tensors (``requires_grad=False``).

    * ``len(loader)`` is the number of batches per epoch: ``ceil(n / batch_size)``, or
      ``floor(n / batch_size)`` with ``drop_last=True`` (the short last batch is then skipped).
    * Every epoch (every ``iter(loader)``) visits each sample exactly once; with ``shuffle=True``
      it draws a fresh permutation each epoch.  An integer ``seed`` gives the loader its own
      generator, so two loaders with the same seed produce the same sequence of epochs;
      ``seed=None`` draws from the library-wide generator (`minigrad.manual_seed`).  Without
      shuffling the order is always 0, 1, ..., n - 1 and ``seed`` is unused.
    * Batch arrays keep the dataset's dtype (float32 stays float32).

    ``dataset`` needs ``__len__`` and a ``__getitem__`` that accepts an integer index array and
    returns a tuple of arrays (`TensorDataset` does).
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"dataset must support len() and indexing, got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def __len__(self):
        if self.drop_last:
            return len(self.dataset) // self.batch_size
        return math.ceil(len(self.dataset) / self.batch_size)

    def _epoch_order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = self._rng if self._rng is not None else default_generator()
        return rng.permutation(n)

    def __iter__(self):
        order = self._epoch_order()
        for batch in range(len(self)):
            indices = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            arrays = self.dataset[indices]
            if not isinstance(arrays, tuple):
                raise TypeError(f"dataset[indices] must return a tuple of arrays, got {type(arrays).__name__}")
            yield tuple(Tensor(array, dtype=array.dtype) for array in arrays)

    def __repr__(self):
        return (f"DataLoader(batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, batches={len(self)})")
