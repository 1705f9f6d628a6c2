"""`chainrule.linalg`, as `torch.linalg`: norms of vectors and matrices, singular values,
inverses, determinants and linear solves.

    >>> import chainrule as cr
    >>> float(cr.linalg.vector_norm(cr.tensor([3.0, 4.0])))
    5.0
"""

from __future__ import annotations

from .ops.inverse import inv, solve
from .ops.inverse import linalg_det as det
from .ops.inverse import linalg_slogdet as slogdet
from .ops.norms import linalg_norm as norm
from .ops.norms import matrix_norm, svdvals, vector_norm

__all__ = ["norm", "vector_norm", "matrix_norm", "svdvals", "inv", "det", "slogdet", "solve"]
