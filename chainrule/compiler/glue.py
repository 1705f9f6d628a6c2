"""What surrounds a replay program, generated as straight-line Python too: read each source
array from its tensor, run the program, put each changed array or gradient back on its
tensor, count the in-place changes eager would have counted, and make the results.

    T0._array = ...           # a state tensor (a parameter, a momentum buffer)
    A[1]                      # the second tensor among the call's arguments

`source` is readable (`print(compiled.glue_source)`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine import version
from ..engine.sparse import SparseRows
from ..engine.variable import Variable
from .program import Program
from .tracer import CheckFailedError

__all__ = ["RESULT", "build_call"]

#: Marks where a returned tensor goes in the result's structure.
RESULT = object()


def build_call(program: Program, source_of: dict[int, Any],
               bindings: list[tuple[Any, str, int | None, Any]],
               bumps: list[tuple[Any, int]], result_shape: Any,
               make: Callable[[Any, Any], Variable], backed_up: tuple[int, ...] = ()
               ) -> tuple[str, Callable[..., Any]]:
    """`call(A, bump)`: one replay for the argument tensors `A` (bump=False: no version
    counting, for the check against eager). Tensors are given as positions among the
    arguments (int) or as the state tensors themselves. `backed_up`: the source slots a
    program with late checks writes into, copied first and put back (with the random
    generator's state) when a check fails, so that the eager run starts where eager would."""
    names: dict[str, Any] = {"_run": program.run, "_make": make, "_bump": version.bump,
                             "_SparseRows": SparseRows}
    known: dict[int, str] = {}

    def tensor(where: Any) -> str:
        if isinstance(where, int):
            return f"A[{where}]"
        if id(where) not in known:
            known[id(where)] = f"T{len(known)}"
            names[known[id(where)]] = where
        return known[id(where)]

    reads = "".join(f"{tensor(source_of[slot])}._array, " for slot in program.source_slots)
    lines = [f"    values = _run(({reads}))"]
    if backed_up:
        from ..random import default_generator

        names.update(_Failed=CheckFailedError, _generator=default_generator)
        owners = [tensor(source_of[slot]) for slot in backed_up]
        lines = ["    state = _generator.get_state()",
                 f"    backup = [{', '.join(f'{o}._array.copy()' for o in owners)}]",
                 "    try:", "    " + lines[0], "    except _Failed:"]
        lines += [f"        {o}._array[...] = backup[{i}]" for i, o in enumerate(owners)]
        lines += ["        _generator.set_state(state)", "        raise"]
    written = 0
    for where, attribute, slot, sparse in bindings:
        if slot is None:
            lines.append(f"    {tensor(where)}._grad = None")
            continue
        value = f"values[{written}]"
        written += 1
        if sparse is not None:  # rows, values, shape, coalesced
            _, shape, coalesced = sparse
            lines.append(f"    {tensor(where)}._grad = _SparseRows({value}, "
                         f"values[{written}], {tuple(shape)!r}, {bool(coalesced)})")
            written += 1
            continue
        lines.append(f"    {tensor(where)}._array = {value}" if attribute == "_array" else
                     f"    {tensor(where)}._grad = _make({value}, None)")
    if bumps:
        lines.append("    if bump:")
        lines += [f"        _bump({tensor(where)})" for where, times in bumps
                  for _ in range(times)]
    counter = [written]
    lines.append(f"    return {_result(result_shape, counter, names)}")
    source = "def call(A, bump=True):\n" + "\n".join(lines) + "\n"
    namespace = dict(names)
    exec(compile(source, "<chainrule.compile glue>", "exec"), namespace)  # noqa: S102
    return source, namespace["call"]


def _result(shape: Any, counter: list[int], names: dict[str, Any]) -> str:
    """The expression that rebuilds the result with fresh tensors over the replay's
    values (tuples, lists and dicts kept, other values as the trace returned them)."""
    if shape is RESULT:
        counter[0] += 1
        return f"_make(values[{counter[0] - 1}], None)"
    if isinstance(shape, tuple) and type(shape) is tuple:
        inner = ", ".join(_result(s, counter, names) for s in shape)
        return f"({inner}{',' if len(shape) == 1 else ''})"
    if isinstance(shape, list):
        return "[" + ", ".join(_result(s, counter, names) for s in shape) + "]"
    if isinstance(shape, dict) and type(shape) is dict:
        return "{" + ", ".join(f"{_constant(k, names)}: {_result(v, counter, names)}"
                               for k, v in shape.items()) + "}"
    return _constant(shape, names)


def _constant(value: Any, names: dict[str, Any]) -> str:
    key = f"k{len(names)}"
    names[key] = value
    return key
