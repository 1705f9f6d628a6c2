"""More losses of `nn.functional`, composed from recorded tensor ops (so their gradients,
first and second, are the chain rule over checked gates)."""

from __future__ import annotations

from ..tensor import Tensor

__all__ = ["l1_loss", "smooth_l1_loss", "huber_loss"]


def _reduce(values: Tensor, reduction: str, op: str | None = None) -> Tensor:
    """A loss's per-element values reduced as `reduction` says (PyTorch's message when it
    is none of the three, naming `op` when given)."""
    if reduction == "none":
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean":
        return values.mean()
    where = f" ({op}: expected 'mean', 'sum' or 'none')" if op else ""
    raise ValueError(f"{reduction} is not a valid value for reduction{where}")


def _pair(op: str, input: Tensor, target: Tensor) -> None:  # noqa: A002
    for name, value in (("input", input), ("target", target)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not "
                            f"{type(value).__name__}")


def l1_loss(input: Tensor, target: Tensor, size_average: None = None,  # noqa: A002
            reduce: None = None, reduction: str = "mean", weight: None = None) -> Tensor:
    """|x − y|, averaged or summed."""
    _pair("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: None = None,  # noqa: A002
                   reduce: None = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5·d²/β where |d| < β, else |d| − 0.5·β (d = x − y; plain L1 for β = 0)."""
    _pair("smooth_l1_loss", input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    size = (input - target).abs()
    if beta == 0:
        return _reduce(size, reduction, "smooth_l1_loss")
    inner = size.clamp(max=beta)  # the quadratic part, then the linear rest beyond β
    return _reduce(0.5 * inner * inner / beta + (size - beta).clamp(min=0), reduction,
                   "smooth_l1_loss")


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0, weight: None = None) -> Tensor:
    """0.5·d² where |d| < δ, else δ(|d| − 0.5·δ): β·smooth_l1 with β = δ."""
    _pair("huber_loss", input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    size = (input - target).abs()
    inner = size.clamp(max=delta)
    return _reduce(0.5 * inner * inner + delta * (size - delta).clamp(min=0), reduction,
                   "huber_loss")
