"""Neural-network building blocks with PyTorch's names: modules, layers, losses.

``minigrad.nn.functional`` holds the loss functions (and d2l's ``squared_loss``).
"""

from . import functional
from .layers import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh
from .loss import HuberLoss, L1Loss, MSELoss
from .module import IncompatibleKeys, Module, Parameter

__all__ = [
    "functional", "Module", "Parameter", "IncompatibleKeys",
    "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "Identity",
    "MSELoss", "L1Loss", "HuberLoss",
]
