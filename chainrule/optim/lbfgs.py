"""L-BFGS: a quasi-Newton method keeping the last few curvature pairs, for full-batch
problems; `step(closure)` runs up to `max_iter` iterations, re-evaluating the loss itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..backends import array_module
from ..engine import version
from ..engine.grad_mode import enable_grad
from ..engine.sparse import SparseRows
from ..tensor import Tensor
from ._line_search import strong_wolfe
from .optimizer import Optimizer, require, require_numbers

__all__ = ["LBFGS"]

_STATE_KEYS = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
               "prev_loss")


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal, 1980; after minFunc), step for step PyTorch's. Each iteration:

        first:  d ← −g,  t ← min(1, 1/‖g‖₁)·γ
        later:  y ← g − g_prev,  s ← t·d;  if yᵀs > 1e-10 keep (y, s, ρ = 1/yᵀs), H ← yᵀs/yᵀy
                d ← −H̃g by the two-loop recursion over the kept pairs,  t ← γ
        θ ← θ + t·d    (or t from a strong-Wolfe line search)
    It stops at max_iter iterations, max_eval evaluations, ‖g‖∞ ≤ tolerance_grad, or a
    change in θ or the loss below tolerance_change. One parameter group only.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        require_numbers(lr=lr, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change)
        require(lr >= 0.0, f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                                  "tolerance_grad": tolerance_grad,
                                  "tolerance_change": tolerance_change,
                                  "history_size": history_size,
                                  "line_search_fn": line_search_fn})
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    # ------------------------------------------------------------------ flat views
    def _gather_flat_grad(self) -> Any:
        xp = array_module(self._params[0]._array)
        views = []
        for param in self._params:
            grad = param.grad
            if grad is None:  # a parameter the loss does not reach has a zero gradient
                views.append(xp.zeros(param._array.size, dtype=param._array.dtype))
            elif isinstance(grad, SparseRows):
                views.append(grad.to_dense().reshape(-1))
            else:
                views.append(grad._array.reshape(-1))
        return xp.concatenate(views)

    def _add_grad(self, step_size: float, update: Any) -> None:
        offset = 0
        for param in self._params:
            count = param._array.size
            param._array += step_size * update[offset:offset + count].reshape(param.shape)
            version.bump(param)
            offset += count

    def _set_params(self, saved: list[Any]) -> None:
        for param, values in zip(self._params, saved):
            param._array[...] = values
            version.bump(param)

    def _evaluate_along(self, closure: Callable[[], Any], start: list[Any],
                        d: Any) -> Callable[[float], tuple[float, Any]]:
        def evaluate(t: float) -> tuple[float, Any]:
            self._add_grad(t, d)
            with enable_grad():
                loss = float(closure())
            flat_grad = self._gather_flat_grad()
            self._set_params(start)
            return loss, flat_grad
        return evaluate

    # ------------------------------------------------------------------ the step
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Up to max_iter L-BFGS iterations; `closure` (required, as in PyTorch) clears the
        gradients, computes the loss, calls backward and returns the loss. Returns the
        first loss."""
        self._opt_called = True
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            original_loss = closure()
        loss = float(original_loss)
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if _max_abs(flat_grad) <= group["tolerance_grad"]:
            return original_loss
        memory = {key: state.get(key) for key in _STATE_KEYS}
        self._iterate(closure, group, state, memory, loss, flat_grad)
        state.update(memory)
        return original_loss

    def _iterate(self, closure: Callable[[], Any], group: dict[str, Any],
                 state: dict[str, Any], memory: dict[str, Any], loss: float,
                 flat_grad: Any) -> None:
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_change = group["tolerance_change"]
        current_evals, n_iter = 1, 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                memory.update(d=-flat_grad, old_dirs=[], old_stps=[], ro=[], H_diag=1)
            else:
                self._new_direction(memory, flat_grad, group["history_size"], state)
            memory["prev_flat_grad"] = flat_grad.copy()
            memory["prev_loss"] = loss
            d = memory["d"]
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(abs(flat_grad).sum())) * lr
            else:
                t = lr
            gtd = float(flat_grad.dot(d))
            if gtd > -tolerance_change:
                memory["t"] = t
                break
            evaluations = 0
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = [param._array.copy() for param in self._params]
                loss, flat_grad, t, evaluations = strong_wolfe(
                    self._evaluate_along(closure, start, d), t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                optimal = _max_abs(flat_grad) <= group["tolerance_grad"]
            else:
                self._add_grad(t, d)
                optimal = False
                if n_iter != max_iter:
                    with enable_grad():
                        loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    optimal = _max_abs(flat_grad) <= group["tolerance_grad"]
                    evaluations = 1
            memory["t"] = t
            current_evals += evaluations
            state["func_evals"] += evaluations
            if (n_iter == max_iter or current_evals >= max_eval or optimal
                    or _max_abs(d * t) <= tolerance_change
                    or abs(loss - memory["prev_loss"]) < tolerance_change):
                break

    @staticmethod
    def _new_direction(memory: dict[str, Any], flat_grad: Any, history_size: int,
                       state: dict[str, Any]) -> None:
        """Updates the curvature history with (y, s) and sets d ← −H̃g by the two-loop
        recursion."""
        old_dirs, old_stps, ro = memory["old_dirs"], memory["old_stps"], memory["ro"]
        y = flat_grad - memory["prev_flat_grad"]
        s = memory["d"] * memory["t"]
        ys = float(y.dot(s))
        if ys > 1e-10:
            if len(old_dirs) == history_size:  # forget the oldest pair
                old_dirs.pop(0)
                old_stps.pop(0)
                ro.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            memory["H_diag"] = ys / float(y.dot(y))
        alphas = state.setdefault("al", [None] * history_size)
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            alphas[i] = float(old_stps[i].dot(q)) * ro[i]
            q -= alphas[i] * old_dirs[i]
        r = q * memory["H_diag"]
        for i in range(len(old_dirs)):
            beta = float(old_dirs[i].dot(r)) * ro[i]
            r += (alphas[i] - beta) * old_stps[i]
        memory["d"] = r


def _max_abs(vector: Any) -> float:
    return float(abs(vector).max())
