"""Minibatches: `DataLoader` draws indices (a sampler), groups them into batches (a batch
sampler), fetches the samples and joins them into batch Tensors (`default_collate`).

This is the d2l ``data_iter`` of the sources (shuffle the indices, walk through them in steps of
``batch_size``) with PyTorch's names and habits.
"""

import math
from collections.abc import Mapping

import numpy as np

from ..checks import ShapeError
from ..random import default_generator
from ..tensor import Tensor
from .dataset import TensorDataset


def _check_generator(generator, name):
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"{name}: generator must be a numpy.random.Generator, got {type(generator).__name__}")


class SequentialSampler:
    """Indices 0, 1, ..., n - 1 in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler:
    """A fresh random permutation of 0..n-1 at every ``iter()``, drawn from `generator` (a
    ``numpy.random.Generator``) or the library-wide one (`minigrad.manual_seed`)."""

    def __init__(self, data_source, generator=None):
        _check_generator(generator, "RandomSampler")
        self.data_source = data_source
        self.generator = generator

    def __iter__(self):
        rng = self.generator if self.generator is not None else default_generator()
        return iter(rng.permutation(len(self.data_source)).tolist())

    def __len__(self):
        return len(self.data_source)


class BatchSampler:
    """Group the indices of `sampler` into lists of `batch_size` (the last one shorter, or
    dropped with ``drop_last=True``)."""

    def __init__(self, sampler, batch_size, drop_last=False):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return math.ceil(len(self.sampler) / self.batch_size)


def default_collate(batch):
    """Join a list of samples into one batch, recursively (torch's ``default_collate``):

    * Tensors and numpy arrays of one shape -> a Tensor stacked along a new first axis
      (dtype kept; boolean data becomes int64);
    * Python or numpy floats -> a float64 Tensor; ints -> an int64 Tensor; bools -> int64;
    * tuples/lists -> a tuple of the collated fields; dicts -> a dict per key;
    * strings -> the list of strings.

    Samples whose fields differ in shape or structure raise a ValueError/TypeError naming the
    field and the shapes.
    """
    return _collate(list(batch), "sample")


def _collate(batch, where):
    if not batch:
        raise ValueError("default_collate: empty batch")
    first = batch[0]
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, Mapping):
        keys = list(first.keys())
        for sample in batch:
            if not isinstance(sample, Mapping) or list(sample.keys()) != keys:
                raise TypeError(f"default_collate: {where} is a dict in one sample but not the same dict "
                                f"(keys {keys}) in another")
        return {key: _collate([sample[key] for sample in batch], f"{where}[{key!r}]") for key in keys}
    if isinstance(first, (tuple, list)):
        for sample in batch:
            if not isinstance(sample, (tuple, list)) or len(sample) != len(first):
                raise ShapeError(f"default_collate: each element in list of batch should be of equal size: every {where} must have {len(first)} fields, got "
                                 f"{len(sample) if isinstance(sample, (tuple, list)) else type(sample).__name__}")
        return tuple(_collate([sample[i] for sample in batch], f"{where}[{i}]") for i in range(len(first)))
    arrays = []
    for sample in batch:
        if isinstance(sample, Tensor):
            arrays.append(sample.data)
        elif isinstance(sample, (np.ndarray, np.generic, bool, int, float)):
            arrays.append(np.asarray(sample))
        else:
            raise TypeError(f"default_collate: {where} is a {type(sample).__name__}; expected Tensors, numpy "
                            f"arrays, numbers, or tuples/lists/dicts of them (pass collate_fn for other types)")
    shapes = {array.shape for array in arrays}
    if len(shapes) > 1:
        raise ShapeError(f"default_collate: {where} has different shapes across the batch {sorted(shapes)}; "
                         f"stacking needs equal shapes (pad them, or pass a collate_fn)")
    stacked = np.stack(arrays)
    if stacked.dtype.kind == "b":
        stacked = stacked.astype(np.int64)
    elif stacked.dtype.kind in "iu" and isinstance(first, int):
        stacked = stacked.astype(np.int64)
    elif stacked.dtype.kind not in "fiu":
        raise TypeError(f"default_collate: {where} holds {stacked.dtype} data, not numbers")
    return Tensor(stacked, dtype=stacked.dtype)


class DataLoader:
    """Iterate over a dataset in minibatches (``torch.utils.data.DataLoader``'s options).

    * ``dataset``: anything with ``len()`` and ``dataset[i]`` (a `Dataset`, a list of samples...).
    * ``batch_size`` (default 1), ``drop_last``: batches of that size, the short last one kept or
      skipped; ``len(loader)`` is ``ceil(n / batch_size)`` or ``floor(n / batch_size)``.
    * ``shuffle=True``: a fresh permutation every epoch, from ``generator`` (a
      ``numpy.random.Generator``), or a generator made from ``seed`` (an int or a sequence of ints,
      anything ``numpy.random.default_rng`` takes; two loaders with
      the same seed give the same epochs), else the library-wide generator (`minigrad.manual_seed`).
    * ``sampler``: an iterable of indices instead of shuffle; ``batch_sampler``: an iterable of
      lists of indices instead of batch_size/shuffle/sampler/drop_last.
    * ``collate_fn``: joins the list of samples of a batch; default `default_collate` (a batch of
      ``(features, label)`` samples becomes a tuple of two Tensors, dtypes kept).

    Batches are Tensors with ``requires_grad=False``.  A `TensorDataset` with the default collation
    is fetched a whole batch at a time (one fancy index per array), with the same result.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, collate_fn=None,
                 drop_last=False, generator=None, seed=None):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"dataset must support len() and indexing, got {type(dataset).__name__}")
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                       or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        if not isinstance(shuffle, bool):
            raise TypeError(f"DataLoader: shuffle must be a bool, got {shuffle!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"DataLoader: drop_last should be a boolean value, but got drop_last={drop_last}")
        _check_generator(generator, "DataLoader")
        if isinstance(seed, bool):
            raise ValueError(f"DataLoader: seed must be a non-negative int (or a sequence of them) or None, got {seed!r}")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: pass either generator or seed, not both")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
        elif sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is None and batch_size is None:
            raise ValueError("DataLoader: batch_size=None (no batching) is not supported; use batch_size=1")
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        try:
            self.generator = np.random.default_rng(seed) if seed is not None else generator
        except (TypeError, ValueError):
            raise ValueError(f"DataLoader: seed must be a non-negative int (or a sequence of them) or None, "
                             f"got {seed!r}") from None
        self.collate_fn = collate_fn
        if batch_sampler is None:
            if sampler is None:
                sampler = RandomSampler(dataset, self.generator) if shuffle else SequentialSampler(dataset)
            batch_sampler = BatchSampler(sampler, self.batch_size, drop_last)
        self.sampler = sampler
        self.batch_sampler = batch_sampler

    def __len__(self):
        return len(self.batch_sampler)

    def __iter__(self):
        whole_batches = self.collate_fn is None and isinstance(self.dataset, TensorDataset)
        for indices in self.batch_sampler:
            if whole_batches:
                arrays = self.dataset[np.asarray(indices, dtype=np.int64)]
                yield tuple(Tensor(array, dtype=array.dtype) for array in arrays)
                continue
            samples = [self.dataset[index] for index in indices]
            yield (self.collate_fn or default_collate)(samples)

    def __repr__(self):
        return (f"DataLoader(batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, batches={len(self)})")
