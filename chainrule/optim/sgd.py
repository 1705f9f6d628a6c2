"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..engine.sparse import SparseRows
from ..tensor import Tensor
from .optimizer import Optimizer, finite_number, implementation_flags, require, require_numbers

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Gradient descent, step for step PyTorch's:

        g ← ∇θ + λθ                        (weight decay: the notes' L2 term, dW += reg·W;
                                            maximize: −∇θ + λθ)
        if μ ≠ 0:  b ← g on the first step, else b ← μb + (1 − τ)g
                   g ← g + μb (Nesterov)   or   g ← b
        θ ← θ − γg

    >>> import chainrule as cr
    >>> w = cr.tensor([1.0], requires_grad=True)
    >>> opt = cr.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> round(w.item(), 6)
    0.8
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        require_numbers(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay)
        require(lr >= 0.0, f"Invalid learning rate: {lr}")
        require(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        require(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        require(not nesterov or (momentum > 0 and dampening == 0),
                "Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                                  "maximize": maximize,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         fused=fused)})

    def _applies_sparse(self, group: dict[str, Any]) -> bool:
        # Without momentum or weight decay a zero gradient moves nothing.
        return not group["weight_decay"] and not group["momentum"]

    def _rows_equal_dense(self, group: dict[str, Any]) -> bool:
        # θ − γ·0 = θ bit for bit, as long as γ is a finite number (0·∞ = NaN).
        return finite_number(group["lr"])

    def _update_rows(self, param: Tensor, grad: SparseRows, group: dict[str, Any],
                     state: dict[str, Any]) -> None:
        # θ + (−γ)·g is bit for bit the dense θ − γ·g; the rows are distinct (coalesced).
        rate = group["lr"] if group["maximize"] else -group["lr"]
        param._array[grad.rows] += grad.values * rate

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        if group["maximize"]:  # PyTorch negates first, so weight decay still shrinks θ
            grad = -grad
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * weights
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                state["momentum_buffer"] = Tensor._make(grad.copy(), None)
                velocity = state["momentum_buffer"]._array
            else:
                velocity = buffer._array
                velocity *= momentum
                if group["dampening"]:
                    velocity += (1 - group["dampening"]) * grad
                else:
                    velocity += grad  # no temporary array
            grad = grad + momentum * velocity if group["nesterov"] else velocity
        rate = group["lr"]  # a tensor learning rate (PyTorch allows one) as its number
        weights -= (rate.item() if isinstance(rate, Tensor) else rate) * grad
