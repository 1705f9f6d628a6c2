"""How tensors print: PyTorch's layout, number formats and suffixes, on NumPy arrays.

`repr(t)` gives what `torch` prints for the same values (`tensor([1., 2.],
requires_grad=True)`, `tensor([2., 4.], grad_fn=<MulBackward0>)`), so that output can be
compared line by line with a PyTorch session. The one deliberate difference is the dtype
suffix, spelt with chainrule's dtype names (`dtype=chainrule.float64`), which is what
`repr(cr.float64)` gives and what a reader can paste back after `import chainrule`.

`set_printoptions` takes PyTorch's options (precision, threshold, edgeitems, linewidth,
profile, sci_mode). The formatter follows `torch/_tensor_str.py`: integral floats print as
`1.`, scientific notation is chosen when the magnitudes span more than 1000× or leave
[1e-4, 1e8], and tensors above `threshold` elements are summarised with `...`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _dtype

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


OPTIONS = _PrintOptions()
_INT64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)
_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, math.inf, 3, 80)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Sets how tensors print (PyTorch's options and profiles 'default', 'short', 'full').

    >>> import chainrule as cr
    >>> cr.set_printoptions(precision=2)
    >>> cr.tensor([1.12345])
    tensor([1.12])
    >>> cr.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; expected one of "
                             f"{sorted(_PROFILES)}")
        (OPTIONS.precision, OPTIONS.threshold, OPTIONS.edgeitems,
         OPTIONS.linewidth) = _PROFILES[profile]
    if precision is not None:
        OPTIONS.precision = precision
    if threshold is not None:
        OPTIONS.threshold = threshold
    if edgeitems is not None:
        OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        OPTIONS.linewidth = linewidth
    OPTIONS.sci_mode = sci_mode  # as in PyTorch: not passing it means "choose automatically"


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments for `set_printoptions`."""
    return dataclasses.asdict(OPTIONS)


@contextlib.contextmanager
def printoptions(**options: Any) -> Iterator[None]:
    """Changes the print options inside a `with` block only."""
    saved = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """One width and number format for every element shown, chosen from the values."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        precision = OPTIONS.precision
        if not self.floating:
            for value in values.tolist():
                self.max_width = max(self.max_width, len(_plain(value)))
            return
        wide = values.astype(np.float64)
        shown = wide[np.isfinite(wide) & (wide != 0)]
        if shown.size == 0:
            return
        magnitudes = np.abs(shown)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        self.sci_mode = (largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
                         if OPTIONS.sci_mode is None else OPTIONS.sci_mode)
        for value in shown.tolist():
            if self.sci_mode:
                text = f"{value:.{precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}."
            else:
                text = f"{value:.{precision}f}"
            self.max_width = max(self.max_width, len(text))

    def format(self, value: Any) -> str:
        precision = OPTIONS.precision
        if not self.floating:
            text = _plain(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{precision}f}"
        return (self.max_width - len(text)) * " " + text


def _plain(value: Any) -> str:
    return str(value) if not isinstance(value, bool) else ("True" if value else "False")


def _summarized(array: np.ndarray) -> np.ndarray:
    """Only the elements that will be shown (the edges of every dimension)."""
    edge = OPTIONS.edgeitems
    for axis in range(array.ndim):
        if array.shape[axis] > 2 * edge:
            kept = list(range(edge)) + list(range(array.shape[axis] - edge, array.shape[axis]))
            array = np.take(array, kept, axis=axis)
    return array


def _vector(row: np.ndarray, indent: int, elided: bool, formatter: _Formatter) -> str:
    per_line = max(1, (OPTIONS.linewidth - indent) // (formatter.max_width + 2))
    edge = OPTIONS.edgeitems
    items = [formatter.format(v) for v in row.tolist()]
    if elided:
        items = items[:edge] + [" ..."] + items[len(items) - edge:] if edge else ["..."]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(shown: np.ndarray, shape: tuple[int, ...], indent: int, summarize: bool,
            formatter: _Formatter) -> str:
    """The bracketed text of `shown` (the kept edges of an array of `shape`), built
    bottom-up without recursion: each pass closes one dimension, innermost first."""
    if shown.ndim == 0:
        return formatter.format(shown.item())
    edge = OPTIONS.edgeitems
    elided = [summarize and size > 2 * edge for size in shape]
    depth = shown.ndim - 1
    rows = shown.reshape(-1, shown.shape[-1])
    texts = [_vector(row, indent + depth, elided[-1], formatter) for row in rows]
    for level in range(depth - 1, -1, -1):
        size = shown.shape[level]
        gap = "," + "\n" * (depth - level) + " " * (indent + level + 1)
        grouped = []
        for start in range(0, len(texts), size):
            parts = texts[start:start + size]
            if elided[level]:
                parts = parts[:edge] + ["..."] + parts[len(parts) - edge:]
            grouped.append("[" + gap.join(parts) + "]")
        texts = grouped
    return texts[0]


def _body(array: np.ndarray, indent: int) -> str:
    summarize = array.size > OPTIONS.threshold
    if summarize and not OPTIONS.edgeitems:
        return "[...]"
    shown = _summarized(array) if summarize else array
    formatter = _Formatter(shown.reshape(-1))
    return _nested(shown, array.shape, indent, summarize, formatter)


def tensor_repr(array: np.ndarray, suffixes: list[str], device: str | None = None,
                prefix: str = "tensor(") -> str:
    """The whole `tensor(...)` text: the values, then `dtype=` unless the dtype goes without
    saying (the default float type, int64, bool), after the `device` when not the CPU; then
    the given `suffixes` (grad_fn or requires_grad), wrapped at the line width as PyTorch does."""
    indent = len(prefix)
    dtype = _dtype.from_numpy_dtype(array.dtype)
    default_float = _dtype.default_float.numpy
    head: list[str] = [] if device is None else [f"device='{device}'"]
    if array.size == 0:
        if array.ndim != 1:
            head.append(f"size={tuple(array.shape)}")
        if array.dtype != default_float:
            head.append(f"dtype={dtype!r}")
        return _with_suffixes(prefix + "[]", head + suffixes, indent)
    if array.dtype not in (default_float, _INT64, _BOOL):
        head.append(f"dtype={dtype!r}")
    return _with_suffixes(prefix + _body(array, indent), head + suffixes, indent)


def _with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)
