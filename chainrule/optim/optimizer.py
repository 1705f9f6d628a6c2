"""`optim.Optimizer`: parameter groups, per-parameter state, and their checkpointing.

Updates are written on the parameters' arrays in place (`out=`), under no recording: an
optimiser step allocates only what its rule needs, and a parameter keeps its identity.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from ..engine import version
from ..engine.sparse import SparseRows, clear_grad
from ..tensor import Tensor

__all__ = ["Optimizer", "require", "require_numbers", "implementation_flags", "finite_number"]

_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def require_numbers(**hyperparameters: Any) -> None:
    """Each hyperparameter must be a real number (`betas` a pair of them): a clear TypeError,
    in PyTorch's 'Invalid …' form, where a comparison would fail with Python's own."""
    for name, value in hyperparameters.items():
        label = _LABELS.get(name, f"{name} value")
        items = value if name == "betas" else (value,)
        if name == "betas" and not (isinstance(value, (tuple, list)) and len(value) == 2):
            raise TypeError(f"Invalid betas: {value!r}; expected a pair of numbers")
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (int, float, Tensor)):
                raise TypeError(f"Invalid {label}: {value!r} (expected a number, got "
                                f"{type(item).__name__})")


def finite_number(value: Any) -> bool:
    """Whether a hyperparameter is a plain finite real number (not a tensor, not ±∞ or NaN):
    what an update of the touched rows only needs to be exactly the dense update."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def implementation_flags(differentiable: bool = False, **flags: Any) -> dict[str, Any]:
    """PyTorch's switches for how an update is computed (`foreach`, `fused`, `capturable`):
    they do not change the result, so they are accepted and kept in the parameter groups as
    PyTorch keeps them. `differentiable=True` (a step recorded for autograd) is refused:
    updates here are made in place, outside the graph."""
    if differentiable:
        raise NotImplementedError("differentiable=True is not supported: chainrule's "
                                  "optimisers update parameters in place, outside the graph")
    return {**flags, "differentiable": differentiable}


def require(condition: bool, message: str) -> None:
    """Validates a hyperparameter the way PyTorch does: ValueError('Invalid …: value')."""
    if not condition:
        raise ValueError(message)


class Optimizer:
    """Base class: holds `param_groups` (each a dict of params and hyperparameters) and
    `state` (per parameter: step counts, running averages)."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: dict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of Tensors or of dicts, got a Tensor; "
                            "pass model.parameters() or [tensor]")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(f"a param group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        # model.named_parameters(): PyTorch keeps the names beside the tensors.
        names = [param[0] for param in params if isinstance(param, tuple)]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            params = [param[1] for param in params]
        for position, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but parameter {position} "
                                f"is a {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError(f"parameter {position} is not a leaf tensor (it was made by "
                                 f"'{param.grad_fn.label}'); optimise the leaves instead")
        existing = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in existing for p in params) or len({id(p) for p in params}) != len(params):
            raise ValueError("some parameters appear in more than one parameter group (or "
                             "twice in one)")
        group = dict(param_group, params=params)
        if names:
            group["param_names"] = names
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears every parameter's gradient (to None, or to zeros in place)."""
        for group in self.param_groups:
            for param in group["params"]:
                clear_grad(param, set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns closure() if given."""
        loss = None
        self._opt_called = True  # lets a scheduler warn when it steps before the optimiser
        if closure is not None:
            from ..engine.grad_mode import enable_grad

            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                gradient = param._grad  # not `.grad`: that would make a dense one dense
                if gradient is None:
                    continue
                if gradient.__class__ is SparseRows:
                    # Optimisers that can update only the touched rows say so; the others
                    # see the dense gradient, exactly as if the lookup had been dense (and
                    # a dense gradient held as rows stays dense on the parameter, as .grad).
                    if self._applies_sparse(group) and (not gradient.reads_dense or
                                                        self._rows_equal_dense(group)):
                        self._update_rows(param, gradient.coalesce(), group, self.state[param])
                        version.bump(param)
                        continue
                    gradient = gradient.read_by(param) if gradient.reads_dense else \
                        param._make(gradient.to_dense(), None)
                self._update(param, gradient._array, group, self.state[param])
                version.bump(param)
        return loss

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        raise NotImplementedError

    # The one path for row gradients (`SparseRows`, from an embedding): an optimiser whose
    # update leaves rows with a zero gradient unchanged (no decay, no momentum) may apply only
    # the touched rows; `_applies_sparse` says when, `_update_rows` does it. For a dense
    # gradient held as rows, `_rows_equal_dense` must also hold: the dense update would leave
    # those rows unchanged bit for bit (no NaN from 0·∞ or 0/0 there).
    def _applies_sparse(self, group: dict[str, Any]) -> bool:
        return False

    def _rows_equal_dense(self, group: dict[str, Any]) -> bool:
        return False

    def _update_rows(self, param: Tensor, grad: SparseRows, group: dict[str, Any],
                     state: dict[str, Any]) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}, with
        parameters numbered in order across the groups, as PyTorch does."""
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            numbers = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                numbers.append(index_of[id(param)])
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": numbers})
        state = {index_of[id(param)]: {key: (value.detach().clone() if isinstance(value, Tensor)
                                             else copy.deepcopy(value))
                                       for key, value in values.items()}
                 for param, values in self.state.items() if values and id(param) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict: expected a dict (as written by "
                            f"Optimizer.state_dict()), got {type(state_dict).__name__}")
        groups = state_dict.get("param_groups")
        if not isinstance(groups, list) or "state" not in state_dict:
            raise ValueError("load_state_dict: expected a dict with 'state' and 'param_groups' "
                             "(as written by Optimizer.state_dict())")
        if len(groups) != len(self.param_groups):
            raise ValueError(f"load_state_dict: the checkpoint has {len(groups)} parameter "
                             f"groups, this optimizer has {len(self.param_groups)}")
        by_index: dict[int, Tensor] = {}
        for position, (saved, own) in enumerate(zip(groups, self.param_groups)):
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(f"load_state_dict: parameter group {position} has "
                                 f"{len(saved['params'])} parameters in the checkpoint but "
                                 f"{len(own['params'])} here")
            for number, param in zip(saved["params"], own["params"]):
                by_index[int(number)] = param
        self.state = defaultdict(dict)
        for number, values in state_dict["state"].items():
            param = by_index.get(int(number))
            if param is None:
                raise ValueError(f"load_state_dict: state for parameter {number}, which no "
                                 "group holds")
            restored = {}
            for key, value in values.items():
                if isinstance(value, Tensor) and key != "step":
                    if value.shape != param.shape:
                        raise ValueError(f"load_state_dict: state '{key}' of parameter "
                                         f"{number} has shape {value.shape}, the parameter has "
                                         f"shape {param.shape}")
                    value = Tensor._make(value._array.astype(param._array.dtype, copy=True),
                                         None)
                restored[key] = value
            self.state[param] = restored
        for saved, own in zip(groups, self.param_groups):
            for key, value in saved.items():
                if key != "params":
                    own[key] = value

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for position, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {position}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"


def state_array(state: dict[str, Any], key: str, like: Any, fill: float = 0.0) -> Any:
    """The state entry `key` as an array (created filled with `fill` on first use)."""
    from ..backends import array_module

    entry = state.get(key)
    if entry is None:
        array = array_module(like).full(like.shape, fill, dtype=like.dtype)
        state[key] = Tensor._make(array, None)
        return array
    return entry._array
