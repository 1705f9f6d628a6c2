"""What Adam, AdamW, NAdam, RAdam and Adamax share: their checks, the start of a step
(maximize, the step count, weight decay) and Adam's two running moments."""

from __future__ import annotations

from typing import Any

from .optimizer import require, require_numbers, state_array

__all__ = ["require_adam_hyperparameters", "begin_step", "update_moments"]


def require_adam_hyperparameters(lr: float, betas: tuple[float, float], eps: float,
                                 weight_decay: float) -> None:
    """PyTorch's checks, with its 'Invalid …' messages (ValueError, or TypeError for a value
    that is not a number)."""
    require_numbers(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    require(lr >= 0.0, f"Invalid learning rate: {lr}")
    require(eps >= 0.0, f"Invalid epsilon value: {eps}")
    require(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    require(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    require(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")


def begin_step(weights: Any, grad: Any, group: dict[str, Any],
               state: dict[str, Any]) -> tuple[Any, int]:
    """The gradient this step uses and the step's number t (counted from 1).

    `maximize` flips the gradient; weight decay λ either adds λθ to it (L2) or, decoupled
    (AdamW), shrinks the weights θ ← θ(1 − γλ) in place first."""
    if group["maximize"]:
        grad = -grad
    state["step"] = state.get("step", 0) + 1
    decay = group["weight_decay"]
    if decay:
        if group.get("decoupled_weight_decay", False):
            weights *= 1 - group["lr"] * decay
        else:
            grad = grad + decay * weights
    return grad, state["step"]


def update_moments(state: dict[str, Any], weights: Any, grad: Any, beta1: float,
                   beta2: float) -> tuple[Any, Any]:
    """m ← β₁m + (1 − β₁)g and v ← β₂v + (1 − β₂)g², in place in the state; returns (m, v)."""
    mean = state_array(state, "exp_avg", weights)
    square = state_array(state, "exp_avg_sq", weights)
    mean += (grad - mean) * (1 - beta1)
    square *= beta2
    square += (1 - beta2) * grad * grad
    return mean, square
