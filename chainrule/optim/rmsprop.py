"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backends import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, implementation_flags, require, require_numbers, state_array

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012), step for step PyTorch's:

        g ← ∇θ + λθ
        s ← αs + (1 − α)g²
        centered:  ḡ ← αḡ + (1 − α)g,  d ← √(s − ḡ²) + ε;   else  d ← √s + ε
        momentum μ > 0:  b ← μb + g/d,  θ ← θ − γb;          else  θ ← θ − γg/d
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        require_numbers(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum)
        require(lr >= 0.0, f"Invalid learning rate: {lr}")
        require(eps >= 0.0, f"Invalid epsilon value: {eps}")
        require(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        require(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        require(alpha >= 0.0, f"Invalid alpha value: {alpha}")
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps,
                                  "weight_decay": weight_decay, "momentum": momentum,
                                  "centered": centered, "maximize": maximize,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         capturable=capturable)})

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        xp = array_module(weights)
        if group["maximize"]:
            grad = -grad
        state["step"] = state.get("step", 0) + 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * weights
        alpha = group["alpha"]
        square = state_array(state, "square_avg", weights)
        square *= alpha
        square += (1 - alpha) * grad * grad
        if group["centered"]:
            average = state_array(state, "grad_avg", weights)
            average *= alpha
            average += (1 - alpha) * grad
            denominator = xp.sqrt(square - average * average)
        else:
            denominator = xp.sqrt(square)
        denominator += group["eps"]
        if group["momentum"] > 0:
            buffer = state_array(state, "momentum_buffer", weights)
            buffer *= group["momentum"]
            buffer += grad / denominator
            weights -= group["lr"] * buffer
        else:
            weights -= group["lr"] * grad / denominator
