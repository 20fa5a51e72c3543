"""Every op of the engine: its forward (numpy) and its derivative (Tensor ops) side by side.

By family: ``elementwise`` (arithmetic and unary functions), ``reduce`` (sums, means,
extremes, softmax), ``shape`` (reshape, permute, expand, indexing, joining), ``linalg``
(matmul, linear) and ``compare`` (comparisons, no derivative). ``functional`` holds the
public functional forms (``minigrad.exp(x)``, ``minigrad.sum(x, dim=0)``) that check
arguments and apply the ops; the Tensor methods call them.
"""

from .elementwise import (  # noqa: F401
    Abs, Add, Ceil, Clamp, Clone, Cos, Div, Exp, Expm1, Floor, Log, Log1p, Maximum, Minimum,
    Mul, Neg, Pow, Relu, Round, Sigmoid, Sign, Sin, Sqrt, Square, Sub, Tanh, ToDtype, Trunc,
    Where,
)
from .functional import *  # noqa: F401,F403
from .functional import (  # noqa: F401
    abs, all, any, max, min, pow, round, sum, values_indices,
)
from .linalg import Linear, Matmul  # noqa: F401
from .reduce import (  # noqa: F401
    Amax, Amin, Cumsum, Logsumexp, LogSoftmax, Mean, Norm2, Prod, SelectAlongDim, Softmax, Sum,
)
from .shape import (  # noqa: F401
    Concatenate, Expand, Flip, Gather, GetItem, IndexAdd, Permute, Repeat, Reshape,
    ScatterAlongDim, SetItem, Stack, SumTo, View, ZeroAt,
)
