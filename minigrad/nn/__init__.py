"""Neural-network building blocks with PyTorch's names: modules, containers, layers, losses.

``minigrad.nn.functional`` holds the functional forms (activations, softmax, dropout, losses),
``minigrad.nn.init`` the weight initialisations and ``minigrad.nn.utils`` gradient clipping and
flat parameter vectors.
"""

from . import functional, init, utils
from .containers import ModuleDict, ModuleList
from .embedding import Embedding
from .layers import (ELU, GELU, Dropout, Flatten, Identity, LeakyReLU, Linear, LogSoftmax, ReLU, Sequential,
                     Sigmoid, SiLU, Softmax, Tanh)
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss
from .module import IncompatibleKeys, Module, Parameter, RemovableHandle
from .normalization import BatchNorm1d, LayerNorm

__all__ = [
    "functional", "init", "utils", "Module", "Parameter", "IncompatibleKeys", "RemovableHandle",
    "Sequential", "ModuleList", "ModuleDict",
    "Linear", "Embedding", "Flatten", "Dropout", "LayerNorm", "BatchNorm1d",
    "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "Identity",
    "MSELoss", "L1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
]
