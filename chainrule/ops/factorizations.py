"""Cholesky, QR and symmetric eigen-decompositions, as `torch.linalg.cholesky`,
`linalg.qr`, `linalg.eigh`, `linalg.eigvalsh` and the older `torch.cholesky` and
`torch.qr` (with PyTorch's deprecation warnings, once per process), over the last two dims
(leading dims are a batch), with PyTorch's gradients (first order; a second derivative
raises). Like PyTorch (and LAPACK), cholesky and eigh read only the lower triangle (eigh:
the one `UPLO` names); their gradients are PyTorch's symmetric ones.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .. import return_types
from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.variable import Variable
from . import _dual

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Cholesky", "QRFactor", "EighFactor", "LinAlgError", "linalg_cholesky", "cholesky",
           "linalg_qr", "qr", "linalg_eigh", "linalg_eigvalsh", "scalar_type_name"]

_WARNED: set[str] = set()


class LinAlgError(RuntimeError):
    """A linear-algebra routine could not finish (as `torch.linalg.LinAlgError`)."""


def _first_order_only(op: str, grad: Array) -> None:
    if _dual.is_tensor(grad):
        raise NotImplementedError(f"{op}: the second derivative (create_graph=True) is not "
                                  "implemented; the first derivative is")


def _t(x: Array) -> Array:
    return x.swapaxes(-1, -2)


def _solve_lower_right(b: Array, lower: Array) -> Array:
    """X with X L = B, for a batch of invertible lower-triangular L."""
    return _t(array_module(lower).linalg.solve(_t(lower), _t(b)))


def _not_positive_definite(a: Array) -> LinAlgError:
    """PyTorch's error, naming the first matrix of the batch and its leading minor that is
    not positive-definite."""
    xp = array_module(a)
    batch = a.reshape((-1,) + a.shape[-2:])
    for number, matrix in enumerate(batch):
        for order in range(1, matrix.shape[-1] + 1):
            try:
                xp.linalg.cholesky(matrix[:order, :order])
            except xp.linalg.LinAlgError:
                where = f"(Batch element {number}): " if a.ndim > 2 else ""
                return LinAlgError(
                    f"linalg.cholesky: {where}The factorization could not be completed "
                    f"because the input is not positive-definite (the leading minor of "
                    f"order {order} is not positive-definite).")
    return LinAlgError("linalg.cholesky: The factorization could not be completed because "
                       "the input is not positive-definite.")


class Cholesky(Gate):
    """L = cholesky(A) (A = L Lᵀ, L lower), or U = Lᵀ when `upper`; with X = tril(Lᵀ ḡL)
    and P = ½(X + tril(X, −1)ᵀ):  ∂L/∂A = L⁻ᵀ P L⁻¹ (symmetric; Murray 2016, PyTorch's
    `cholesky_backward`)."""

    __slots__ = ()
    saves_output = True
    label = "linalg_cholesky"

    @staticmethod
    def forward(ctx: Gate, a: Array, upper: bool) -> Array:
        xp = array_module(a)
        try:
            lower = xp.linalg.cholesky(a)
        except xp.linalg.LinAlgError:
            raise _not_positive_definite(a) from None
        ctx.save_for_backward(lower)
        return _t(lower).copy() if upper else lower

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        _first_order_only("linalg.cholesky", grad)
        (lower,) = ctx.saved_tensors
        xp = array_module(lower)
        grad_lower = _t(grad) if ctx.inputs[1] else grad
        x = xp.tril(_t(lower) @ grad_lower)
        p = 0.5 * (x + _t(xp.tril(x, -1)))
        inner = xp.linalg.solve(_t(lower), p)  # L⁻ᵀ P
        return _solve_lower_right(inner, lower), None


def _copy_lower_to_upper(m: Array) -> Array:
    xp = array_module(m)
    return xp.tril(m) + _t(xp.tril(m, -1))  # type: ignore[no-any-return]


def _qr_square_backward(q: Array, r: Array, grad_q: Array, grad_r: Array) -> Array:
    """m ≥ n, reduced: M = R ḡRᵀ − ḡQᵀ Q;  ∂L/∂A = (ḡQ + Q copyltu(M)) R⁻ᵀ."""
    m = r @ _t(grad_r) - _t(grad_q) @ q
    b = grad_q + q @ _copy_lower_to_upper(m)
    return _t(array_module(r).linalg.solve(r, _t(b)))  # B R⁻ᵀ


class QRFactor(Gate):
    """One factor of A = Q R (`part` "Q" or "R"), from factors the front computed. For
    m ≥ n (reduced): ∂L/∂A = (ḡQ + Q copyltu(M)) R⁻ᵀ with M = R ḡRᵀ − ḡQᵀ Q and ḡR taken
    upper triangular. For m < n, A = [X | Y], R = [U | V]: ∂L/∂Y = Q ḡV and ∂L/∂X is the
    square rule with ḡQ + Y ḡVᵀ and ḡU (PyTorch's `linalg_qr_backward`)."""

    __slots__ = ("factors",)
    factors: tuple[Array, Array]
    label = "linalg_qr"

    @staticmethod
    def forward(ctx: QRFactor, a: Array, factors: tuple[Array, Array], part: str) -> Array:
        ctx.factors = factors
        return (factors[0] if part == "Q" else factors[1]).copy()  # "R", or "r": mode='r'

    @staticmethod
    def backward(ctx: QRFactor, grad: Array) -> tuple[Grad, None, None]:
        _first_order_only("linalg.qr", grad)
        if ctx.inputs[2] == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not "
                               "computed when mode='r'. Please use linalg.qr(A, "
                               "mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        q, r = ctx.factors
        xp = array_module(q)
        a = ctx.inputs[0]._array
        m, n = a.shape[-2:]
        k = min(m, n)
        if q.shape[-1] != k:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        grad_q = grad if ctx.inputs[2] == "Q" else xp.zeros_like(q)
        grad_r = xp.triu(grad) if ctx.inputs[2] == "R" else xp.zeros_like(r)
        if m >= n:
            return _qr_square_backward(q, r, grad_q, grad_r), None, None
        rest, grad_v = a[..., :, m:], grad_r[..., :, m:]
        grad_x = _qr_square_backward(q, r[..., :, :m], grad_q + rest @ _t(grad_v),
                                     grad_r[..., :, :m])
        return xp.concatenate([grad_x, q @ grad_v], axis=-1), None, None


class EighFactor(Gate):
    """One factor of A = V diag(w) Vᵀ (A symmetric; `part` "values" or "vectors"); with
    E_ij = w_j − w_i:  ∂L/∂A = V (diag(ḡw) + ½(VᵀḡV − ḡVᵀV) / E) Vᵀ (off the diagonal;
    PyTorch's `linalg_eig_backward` for Hermitian input)."""

    __slots__ = ("factors",)
    factors: tuple[Array, Array]
    label = "linalg_eigh"

    @staticmethod
    def forward(ctx: EighFactor, a: Array, factors: tuple[Array, Array], part: str) -> Array:
        ctx.factors = factors
        return (factors[0] if part == "values" else factors[1]).copy()

    @staticmethod
    def backward(ctx: EighFactor, grad: Array) -> tuple[Grad, None, None]:
        _first_order_only("linalg.eigh", grad)
        values, vectors = ctx.factors
        xp = array_module(values)
        size = values.shape[-1]
        if ctx.inputs[2] == "values":
            return (vectors * grad[..., None, :]) @ _t(vectors), None, None
        product = _t(vectors) @ grad
        gaps = values[..., None, :] - values[..., :, None] + xp.eye(size, dtype=values.dtype)
        inner = 0.5 * (product - _t(product)) / gaps
        return vectors @ inner @ _t(vectors), None, None


# ---------------------------------------------------------------------- fronts
def _square_floating(op: str, A: Tensor, square: bool = True) -> None:  # noqa: N803
    if not isinstance(A, Variable):
        raise TypeError(f"{op}(): argument 'A' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if A._array.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                           f"Got {scalar_type_name(A._array.dtype)}")


_SCALAR_TYPES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                 "uint8": "Byte", "bool": "Bool"}


def scalar_type_name(numpy_dtype: Any) -> str:
    """PyTorch's C++ name of a non-float dtype, as its error messages print it (Long, …)."""
    return _SCALAR_TYPES.get(str(numpy_dtype), str(numpy_dtype))


def _warn_once(key: str, message: str) -> None:
    if key not in _WARNED:  # PyTorch's TORCH_WARN_ONCE
        _WARNED.add(key)
        warnings.warn(message, UserWarning, stacklevel=4)


def linalg_cholesky(A: Tensor, *, upper: bool = False) -> Tensor:  # noqa: N803
    """`torch.linalg.cholesky`: L lower triangular with A = L Lᵀ (Lᵀ when upper=True), for
    symmetric positive-definite A (its lower triangle is read); LinAlgError otherwise."""
    _square_floating("linalg.cholesky", A)
    return Cholesky.apply(A, bool(upper))  # type: ignore[no-any-return]


def cholesky(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """`torch.cholesky` (deprecated in PyTorch, with its warning): `linalg.cholesky`."""
    _warn_once("cholesky", "torch.cholesky is deprecated in favor of torch.linalg.cholesky "
               "and will be removed in a future PyTorch release.\nL = torch.cholesky(A)\n"
               "should be replaced with\nL = torch.linalg.cholesky(A)\nand\n"
               "U = torch.cholesky(A, upper=True)\nshould be replaced with\n"
               "U = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent "
               "results for all valid (symmetric positive definite) inputs.")
    _square_floating("linalg.cholesky", input)
    return Cholesky.apply(input, bool(upper))  # type: ignore[no-any-return]


def linalg_qr(A: Tensor, mode: str = "reduced") -> Any:  # noqa: N803
    """`torch.linalg.qr`: (Q, R) with A = Q R, Q's columns orthonormal, R upper triangular;
    mode "reduced" (k = min(m, n) columns), "complete" (Q is m×m) or "r" (R only; Q is an
    empty tensor)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _square_floating("linalg.qr", A, square=False)
    xp = array_module(A._array)
    q, r = xp.linalg.qr(A._array, mode="complete" if mode == "complete" else "reduced")
    factors = (q, r)
    if mode == "r":  # R alone has no gradient rule (PyTorch's: it needs Q)
        return return_types.linalg_qr(A._make(xp.zeros(0, A._array.dtype), None),
                                      QRFactor.apply(A, factors, "r"))
    return return_types.linalg_qr(QRFactor.apply(A, factors, "Q"),
                                  QRFactor.apply(A, factors, "R"))


def qr(input: Tensor, some: bool = True) -> Any:  # noqa: A002
    """`torch.qr` (deprecated in PyTorch, with its warning): `linalg.qr` with
    mode "reduced" if some else "complete"."""
    _warn_once("qr", "torch.qr is deprecated in favor of torch.linalg.qr and will be removed "
               "in a future PyTorch release.\nThe boolean parameter 'some' has been replaced "
               "with a string parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced "
               "with\nQ, R = torch.linalg.qr(A, 'reduced' if some else 'complete')")
    return return_types.qr(*linalg_qr(input, "reduced" if some else "complete"))


def _eigh_factors(op: str, A: Tensor, UPLO: str) -> tuple[Array, Array]:  # noqa: N803
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _square_floating(op, A)
    xp = array_module(A._array)
    try:
        return xp.linalg.eigh(A._array, UPLO=UPLO)  # type: ignore[no-any-return]
    except xp.linalg.LinAlgError:
        raise LinAlgError(f"{op}: The algorithm failed to converge because the input matrix "
                          "is ill-conditioned or has too many repeated eigenvalues") from None


def linalg_eigh(A: Tensor, UPLO: str = "L") -> Any:  # noqa: N803
    """`torch.linalg.eigh`: (eigenvalues ascending, eigenvectors as columns) of symmetric A,
    read from the triangle `UPLO` names."""
    factors = _eigh_factors("linalg.eigh", A, UPLO)
    return return_types.linalg_eigh(EighFactor.apply(A, factors, "values"),
                                    EighFactor.apply(A, factors, "vectors"))


def linalg_eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:  # noqa: N803
    """`torch.linalg.eigvalsh`: the eigenvalues of symmetric A, ascending."""
    factors = _eigh_factors("linalg.eigvalsh", A, UPLO)
    return EighFactor.apply(A, factors, "values")  # type: ignore[no-any-return]
