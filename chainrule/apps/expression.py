"""Expressions typed on the command line, evaluated as a graph of gates: parsed with `ast`
and walked over a whitelist of operators and functions (never `eval`), so
`chainrule explain "(x+y)*z" x=-2 y=5 z=-4` can only ever build a computation."""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Callable
from typing import Any

import numpy as np

import chainrule as cr
from chainrule import Tensor

from .errors import UsageError

__all__ = ["evaluate_expression", "EXAMPLES", "parse_assignments", "picture_name"]

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": cr.exp, "log": cr.log, "sqrt": cr.sqrt, "abs": cr.abs,
    "tanh": cr.tanh, "sigmoid": cr.sigmoid, "relu": cr.relu,
    "max": cr.maximum, "min": cr.minimum,
}
_MAX_LENGTH = 500

#: The lecture notes' worked examples: (expression, values, what they show).
EXAMPLES: dict[str, tuple[str, dict[str, float], str]] = {
    "add-multiply": ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0},
                     "CS231n: f = (x + y)z; df/dx = df/dy = z = -4, df/dz = x + y = 3"),
    "sigmoid-circuit": ("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))",
                        {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0},
                        "CS231n / Goodfellow: the 2-D neuron; f = 0.73, df/dw0 = -0.20"),
    "car-price": ("price * count * tax", {"price": 200.0, "count": 2.0, "tax": 1.1},
                  "two cars at 200 with 10% tax: d total / d price = 2 × 1.1 = 2.2"),
    "max-gate": ("2 * (x * y + max(z, w))", {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0},
                 "CS231n: the max gate routes the whole gradient to z (the larger) and 0 to w"),
}


def picture_name(text: str, values: dict[str, float], example: str | None = None) -> str:
    """A picture's default file name: the example's, or the expression's characters that
    are safe in a file name and a short digest of the expression and its values, so that
    explaining another expression (or other values) writes another file.

    >>> picture_name("(x+y)*z", {"x": -2, "y": 5, "z": -4})
    'graph-x+y-z-5e27a0.svg'
    >>> picture_name("", {}, "car-price")
    'car-price.svg'
    """
    if example:
        return f"{example}.svg"
    words = re.sub(r"[^A-Za-z0-9+.]+", "-", text).strip("-")[:40] or "expression"
    key = text + " " + " ".join(f"{name}={float(values[name])!r}" for name in sorted(values))
    return f"graph-{words}-{hashlib.sha1(key.encode()).hexdigest()[:6]}.svg"


def parse_assignments(words: list[str]) -> dict[str, float]:
    """["x=-2", "y=5"] -> {"x": -2.0, "y": 5.0}; anything else is a UsageError."""
    values: dict[str, float] = {}
    for word in words:
        name, sign, number = word.partition("=")
        if not sign or not name.isidentifier():
            raise UsageError(f"expected NAME=VALUE (like x=-2), got '{word}'")
        try:
            values[name] = float(number)
        except ValueError:
            raise UsageError(f"the value of {name} must be a number, got '{number}'") from None
    return values


def evaluate_expression(text: str, values: dict[str, float]) -> tuple[Tensor, dict[str, Tensor]]:
    """The expression's output tensor and its named leaves (float64, requiring grad)."""
    if len(text) > _MAX_LENGTH:
        raise UsageError(f"the expression is longer than {_MAX_LENGTH} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise UsageError(f"cannot parse the expression '{text}': {error.msg}") from None
    leaves = {name: Tensor(value, requires_grad=True, dtype="float64")
              for name, value in values.items()}
    used: set[str] = set()

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and \
                not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in leaves:
                raise UsageError(f"the expression uses '{node.id}', which has no value; give "
                                 f"it one as {node.id}=NUMBER")
            used.add(node.id)
            return leaves[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in _FUNCTIONS and not node.keywords:
            arguments = [walk(argument) for argument in node.args]
            if node.func.id in ("max", "min"):
                arguments = [a if isinstance(a, Tensor) else Tensor(a, dtype="float64")
                             for a in arguments]
            elif arguments and not isinstance(arguments[0], Tensor):
                arguments[0] = Tensor(arguments[0], dtype="float64")
            return _FUNCTIONS[node.func.id](*arguments)
        allowed = ", ".join(sorted(_FUNCTIONS))
        raise UsageError(f"'{ast.unparse(node)}' is not allowed: use numbers, variables, "
                         f"+ - * / ** and the functions {allowed}")

    with np.errstate(all="ignore"):  # inf and NaN are values to explain, not warnings
        output = walk(tree)
    unused = sorted(set(leaves) - used)
    if unused:
        raise UsageError(f"{', '.join(unused)} given but not used in the expression")
    if not isinstance(output, Tensor):
        raise UsageError("the expression has no variables, so there is nothing to "
                         "differentiate")
    return output, {name: leaves[name] for name in values}
