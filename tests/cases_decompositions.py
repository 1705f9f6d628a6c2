"""Gate cases for the singular value decomposition (ops/decompositions.py): the packed
[U | S | V] output of tall, wide, square and batched inputs with distinct singular values."""

from __future__ import annotations

from chainrule.ops.decompositions import Svd
from tests.case_kit import case, values

for label, shape, seed in (("tall", (4, 3), 401), ("wide", (2, 4), 402),
                           ("square", (3, 3), 403), ("batched", (2, 3, 2), 404)):
    case(Svd, label, Svd.apply, values(shape, seed), second=False)
