"""Datasets and minibatches: `TensorDataset`, `DataLoader` and the course data sets."""

from .datasets import load_airfoil, synthetic_linear, temperatures
from .loader import DataLoader, TensorDataset

__all__ = ["DataLoader", "TensorDataset", "load_airfoil", "synthetic_linear", "temperatures"]
