"""Gate cases for the cross product (ops/cross.py), the SVD factors (ops/decompositions.py)
and Cholesky, QR and eigh (ops/factorizations.py). The SVD and eigh cases use matrices with
well-separated singular values (eigenvalues), and their vectors are taken with a fixed sign
(the largest entry of each column positive), so the central differences see a smooth
function."""

from __future__ import annotations

import numpy as np

import chainrule as cr
from chainrule.ops.cross import Cross
from chainrule.ops.decompositions import SVDFactor, svd_factors
from chainrule.ops.factorizations import Cholesky, EighFactor, QRFactor
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


# ---------------------------------------------------------------------- Cholesky, QR, eigh
def _positive_definite(x):  # noqa: ANN001, ANN202 - a tensor in, a tensor out
    """x xᵀ + 2I: symmetric positive-definite, and a function of every entry of x."""
    return x @ x.transpose(-1, -2) + cr.tensor(2.0 * np.eye(x.shape[-1]), dtype=x.dtype)


def _symmetric(x):  # noqa: ANN001, ANN202
    return (x + x.transpose(-1, -2)) * 0.5


def _signed_eigh(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, vectors = np.linalg.eigh(a)
    column = np.take_along_axis(vectors, np.abs(vectors).argmax(-2)[..., None, :], -2)
    return values, vectors * np.sign(column)


def _spread_symmetric(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """A symmetric matrix with eigenvalues −2, −0.5, 1, 2.5 (as many as fit), plus a
    non-symmetric part that the symmetrising in the case removes."""
    rng = np.random.default_rng(seed)
    n = shape[-1]
    basis = np.linalg.qr(rng.normal(size=shape))[0]
    symmetric = (basis * np.array([-2.0, -0.5, 1.0, 2.5])[:n]) @ np.swapaxes(basis, -1, -2)
    skew = rng.normal(size=shape)
    return symmetric + 0.3 * (skew - np.swapaxes(skew, -1, -2))


for upper in (False, True):
    case(Cholesky, f"upper={upper}", lambda x, u=upper: Cholesky.apply(_positive_definite(x), u),
         values((3, 3), 1230 + upper), rtol=1e-5, second=False)
case(Cholesky, "batch", lambda x: Cholesky.apply(_positive_definite(x), False),
     values((2, 3, 3), 1232), rtol=1e-5, second=False)
for shape in ((5, 3), (3, 3), (3, 5), (2, 4, 3)):
    label = "x".join(map(str, shape))
    for part in ("Q", "R"):
        case(QRFactor, f"{part}-{label}",
             lambda a, p=part: QRFactor.apply(a, np.linalg.qr(a._array), p),
             values(shape, 1240 + len(label)) + 2.0 * np.eye(*shape[-2:]), rtol=1e-5,
             second=False)
for shape in ((3, 3), (2, 4, 4)):
    for part in ("values", "vectors"):
        case(EighFactor, f"{part}-{'x'.join(map(str, shape))}",
             lambda x, p=part: EighFactor.apply(_symmetric(x), _signed_eigh(_symmetric(
                 x)._array), p), _spread_symmetric(shape, 1250 + len(shape)), rtol=1e-5,
             second=False)
