"""Gate cases for the cross product (ops/cross.py) and the SVD factors
(ops/decompositions.py). The SVD cases use well-conditioned matrices with well-separated
singular values; U and Vh are taken with a fixed sign per singular pair (the largest entry
of each column of U positive), so the central differences see a smooth function."""

from __future__ import annotations

import numpy as np

from chainrule.ops.cross import Cross
from chainrule.ops.decompositions import SVDFactor, svd_factors
from tests.case_kit import case, values


def _signed_factors(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    u, s, vh = svd_factors(a)
    k = s.shape[-1]
    column = np.take_along_axis(u, np.abs(u).argmax(-2)[..., None, :], -2)[..., 0, :]
    signs = np.sign(column)
    full_u, full_vh = svd_factors(a, full_matrices=True)[0::2]
    full_u[..., :, :k] = u * signs[..., None, :]
    full_vh[..., :k, :] = vh * signs[..., :, None]
    return full_u[..., :, :k], s, full_vh[..., :k, :]


def _factor(part: str):  # noqa: ANN202 - a case's call
    return lambda a: SVDFactor.apply(a, _signed_factors(a._array), part)


def _separated(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """A matrix with singular values 3, 2, 1.2, 0.7 (as many as fit) and random vectors."""
    rng = np.random.default_rng(seed)
    m, n = shape[-2:]
    k = min(m, n)
    left = np.linalg.qr(rng.normal(size=shape[:-2] + (m, m)))[0][..., :, :k]
    right = np.linalg.qr(rng.normal(size=shape[:-2] + (n, n)))[0][..., :k, :]
    return (left * np.array([3.0, 2.0, 1.2, 0.7])[:k]) @ right


case(Cross, "last-dim", lambda a, b: Cross.apply(a, b, 1), values((4, 3), 1201),
     values((4, 3), 1202))
case(Cross, "broadcast-dim0", lambda a, b: Cross.apply(a, b, 0), values((3, 1, 2), 1203),
     values((3, 4, 1), 1204))
for shape in ((4, 3), (3, 4), (3, 3), (2, 4, 3)):
    label = "x".join(map(str, shape))
    for part in ("U", "S", "Vh"):
        case(SVDFactor, f"{part}-{label}", _factor(part), _separated(shape, 1210 + len(label)),
             rtol=1e-5, atol=1e-7, second=False)
