"""The strong-Wolfe line search behind `LBFGS(line_search_fn='strong_wolfe')`, PyTorch's
(after minFunc) step for step, on flat NumPy vectors."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

__all__ = ["strong_wolfe", "cubic_interpolate"]

#: evaluate(t) -> (loss, flat gradient) at x + t·d, leaving the parameters at x.
Evaluate = Callable[[float], tuple[float, Any]]


def cubic_interpolate(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                      bounds: tuple[float, float] | None = None) -> float:
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to
    `bounds` (default: between x1 and x2); the bounds' midpoint when the cubic has none."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        position = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        position = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(position, low), high)


class _Bracket:
    """Two trial steps (or one, when the first phase already satisfied the conditions)
    with their losses, gradients and directional derivatives."""

    def __init__(self, steps: list[float], losses: list[float], grads: list[Any],
                 slopes: list[float]) -> None:
        self.steps, self.losses, self.grads, self.slopes = steps, losses, grads, slopes

    def set(self, position: int, step: float, loss: float, grad: Any, slope: float) -> None:
        self.steps[position], self.losses[position] = step, loss
        self.grads[position], self.slopes[position] = grad, slope


def strong_wolfe(evaluate: Evaluate, t: float, d: Any, f: float, g: Any, gtd: float,
                 c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
                 max_ls: int = 25) -> tuple[float, Any, float, int]:
    """Finds a step t along d meeting the strong Wolfe conditions
    f(x + td) ≤ f + c₁t·gᵀd and |∇f(x + td)ᵀd| ≤ −c₂·gᵀd.
    Returns (loss, flat gradient, t, function evaluations)."""
    d_norm = float(abs(d).max())
    f_new, g_new = evaluate(t)
    evaluations, gtd_new = 1, float(g_new.dot(d))
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g.copy(), gtd
    done, ls_iter = False, 0
    bracket: _Bracket | None = None
    while ls_iter < max_ls:  # phase 1: step out until a bracket holds a good point
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()],
                               [gtd_prev, gtd_new])
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, done = _Bracket([t], [f_new], [g_new], [gtd_new]), True
            break
        if gtd_new >= 0:
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()],
                               [gtd_prev, gtd_new])
            break
        previous = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = float(g_new.dot(d))
        ls_iter += 1
    if bracket is None:  # the step budget ran out while still stepping out
        bracket = _Bracket([0.0, t], [f, f_new], [g, g_new], [gtd, gtd_new])
    position, more = _zoom(evaluate, bracket, d, d_norm, f, gtd, c1, c2, tolerance_change,
                           max_ls, ls_iter, done)
    evaluations += more
    return (bracket.losses[position], bracket.grads[position], bracket.steps[position],
            evaluations)


def _zoom(evaluate: Evaluate, bracket: _Bracket, d: Any, d_norm: float, f: float,
          gtd: float, c1: float, c2: float, tolerance_change: float, max_ls: int,
          ls_iter: int, done: bool) -> tuple[int, int]:
    """Phase 2: shrinks the bracket by cubic interpolation until a point meets the
    conditions. Returns (the bracket position of the best point, evaluations made)."""
    evaluations, insufficient_progress = 0, False
    steps, losses, slopes = bracket.steps, bracket.losses, bracket.slopes
    low, high = (0, 1) if losses[0] <= losses[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(steps[1] - steps[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(steps[0], losses[0], slopes[0], steps[1], losses[1], slopes[1])
        # Keep t away from the bracket's ends, where interpolation makes little progress.
        eps = 0.1 * (max(steps) - min(steps))
        if min(max(steps) - t, t - min(steps)) < eps:
            if insufficient_progress or t >= max(steps) or t <= min(steps):
                if abs(t - max(steps)) < abs(t - min(steps)):
                    t = max(steps) - eps
                else:
                    t = min(steps) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = float(g_new.dot(d))
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= losses[low]:
            bracket.set(high, t, f_new, g_new.copy(), gtd_new)
            low, high = (0, 1) if losses[0] <= losses[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (steps[high] - steps[low]) >= 0:
                bracket.set(high, steps[low], losses[low], bracket.grads[low], slopes[low])
            bracket.set(low, t, f_new, g_new.copy(), gtd_new)
    return low, evaluations
