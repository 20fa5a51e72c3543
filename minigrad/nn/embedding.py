"""`Embedding`: a lookup table of learnable vectors, one row per token id (``torch.nn.Embedding``)."""

import numpy as np

from ..ops.functional import where
from ..random import default_generator
from ..tensor import Tensor
from .module import Module, Parameter


class Embedding(Module):
    """``Embedding(num_embeddings, embedding_dim)(ids) == weight[ids]``: integer ids of any shape
    give vectors of shape ``ids.shape + (embedding_dim,)``.

    ``weight`` starts as standard normal draws (torch's default) from `generator` or the
    library-wide generator.  With ``padding_idx`` that row starts at zeros and receives no
    gradient (its output is treated as a constant).  The backward pass adds up the gradients of
    repeated ids.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, dtype=np.float64, generator=None):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        if padding_idx is not None:
            if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)) \
                    or not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be an int in [-{num_embeddings}, {num_embeddings}), "
                                 f"got {padding_idx!r}")
            padding_idx = int(padding_idx) % num_embeddings
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"Embedding: dtype must be float32 or float64, got {dtype}")
        generator = default_generator() if generator is None else generator
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = padding_idx
        weight = generator.standard_normal((self.num_embeddings, self.embedding_dim))
        if padding_idx is not None:
            weight[padding_idx] = 0
        self.weight = Parameter(weight, dtype=dtype)

    def forward(self, ids):
        values = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
        if values.dtype.kind not in "iu":
            raise TypeError(f"Embedding expects integer ids, got dtype {values.dtype}")
        if values.size and (values.min() < 0 or values.max() >= self.num_embeddings):
            bad = values[(values < 0) | (values >= self.num_embeddings)].flat[0]
            raise IndexError(f"Embedding: id {bad} is out of range for num_embeddings={self.num_embeddings}")
        out = self.weight[values]
        if self.padding_idx is not None:
            out = where((values == self.padding_idx)[..., None], out.detach(), out)
        return out

    def extra_repr(self):
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
