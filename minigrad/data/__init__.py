"""Datasets and minibatches, ``torch.utils.data``'s way: `Dataset`, `TensorDataset`, `Subset`,
`ConcatDataset`, `random_split`, `DataLoader` (with its samplers and `default_collate`), and the
course data sets (`synthetic_linear`, `load_airfoil`, `temperatures`, `make_moons`,
`make_spirals`, `load_digits`)."""

from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .datasets import load_airfoil, load_digits, make_moons, make_spirals, synthetic_linear, temperatures
from .loader import BatchSampler, DataLoader, RandomSampler, SequentialSampler, default_collate

__all__ = [
    "Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split",
    "DataLoader", "SequentialSampler", "RandomSampler", "BatchSampler", "default_collate",
    "load_airfoil", "synthetic_linear", "temperatures", "make_moons", "make_spirals", "load_digits",
]
