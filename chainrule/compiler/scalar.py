"""A recording of 0-d float values (the notes' circuits) replayed on Python floats.

A NumPy ufunc on a 0-d array costs about half a microsecond; the same arithmetic on Python
floats costs a few tens of nanoseconds. When every value of a recording is a 0-d float
array and every step is elementwise arithmetic this module knows, the replay reads each
source once (`.item()`), runs the steps as Python expressions, writes the changed sources
back and makes the results' arrays at the end.

Python floats are IEEE doubles: a float64 graph gets the same sums and products as NumPy's.
A float32 value is rounded to float32 after each step (`struct`'s 'f' format, about 50 ns):
a double's sum, difference, product or quotient of two float32 values, rounded once, is
exactly NumPy's float32 result, so long chains (W6) do not drift from eager. `math.exp`
and the like may differ from NumPy's in the last bit, so the program is marked
approximate: the check against eager compares it to a few roundings. Where Python would
raise instead of giving inf or nan (division by zero, `math.exp` overflowing, `math.log` of
a negative, a float32 overflowing `struct`), the call reruns on
the NumPy program, whose writes go to the same arrays; nothing was written before.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import numpy as np

from .patches import _CREATORS
from .program import Program, written_constants
from .tracer import Recording, Slot

__all__ = ["build_scalar"]

#: ufunc -> a Python expression of its operands ({0}, {1}); `_` names are math functions
_EXPRESSIONS: dict[Any, str] = {
    np.add: "({0} + {1})",
    np.subtract: "({0} - {1})",
    np.multiply: "({0} * {1})",
    np.divide: "({0} / {1})",
    np.negative: "(-{0})",
    np.positive: "(+{0})",
    np.square: "({0} * {0})",
    np.reciprocal: "(1.0 / {0})",
    np.exp: "_exp({0})",
    np.log: "_log({0})",
    np.sqrt: "_sqrt({0})",
    np.tanh: "_tanh({0})",
    np.absolute: "_fabs({0})",
    np.power: "_pow({0}, {1})",
}
_SINGLE = struct.Struct("f")
_SINGLE_DTYPE = np.dtype(np.float32)
_DOUBLE = np.dtype(np.float64)
_FLOATS = (_SINGLE_DTYPE, _DOUBLE)
_MATH = {"_exp": math.exp, "_log": math.log, "_sqrt": math.sqrt, "_tanh": math.tanh,
         "_fabs": math.fabs, "_pow": math.pow}


def build_scalar(recording: Recording, returned: tuple[int, ...], fallback: Program
                 ) -> Program | None:
    """The Python-float replay of `recording`, or None where it does not apply."""
    if recording.hoisted or not all(shape == () and dtype in _FLOATS
                                    for shape, dtype in recording.meta.values()):
        return None
    names: dict[str, Any] = {"_numpy_replay": fallback.run, "_array": np.array, **_MATH,
                             "_pack": _SINGLE.pack, "_unpack": _SINGLE.unpack}
    lines = [f"    ({''.join(f's{s}, ' for s in fallback.source_slots)}) = sources"]
    lines += [f"    v{s} = s{s}.item()" for s in fallback.source_slots]
    written = set(written_constants(recording))
    for slot, array in sorted(recording.constants.items()):
        if slot in written:
            lines.append(f"    v{slot} = {float(array)!r}")
        else:  # an outside 0-d array is read as it is at each call
            names[f"c{slot}"] = recording.constant_objects.get(slot, array)
            lines.append(f"    v{slot} = c{slot}.item()")
    lines.append("    try:")
    assigned: list[int] = []
    for step in recording.steps:
        single = any(recording.meta.get(o, ((), _DOUBLE))[1] == _SINGLE_DTYPE
                     for o in step.outputs)
        line = _line(step, assigned, single)
        if line is None:
            return None
        target, expression = line.split(" = ", 1)
        if single:
            line = f"{target} = _unpack(_pack({expression}))[0]"  # rounded to float32
        lines.append("        " + line)
    lines.append("    except (ArithmeticError, ValueError):  # NumPy gives inf or nan here")
    lines.append("        return _numpy_replay(sources)")
    sources = set(recording.sources)
    for slot in dict.fromkeys(assigned):
        if slot in sources:
            lines.append(f"    s{slot}[()] = v{slot}")
    results = []
    for slot in returned:
        if slot in sources:
            results.append(f"s{slot}")
            continue
        dtype_name = f"d{slot}"
        names[dtype_name] = recording.meta[slot][1]
        results.append(f"_array(v{slot}, {dtype_name})")
    lines.append(f"    return ({', '.join(results)}{',' if results else ''})")
    source = "def replay(sources):\n" + "\n".join(lines) + "\n"
    namespace = dict(names)
    exec(compile(source, "<chainrule.compile scalar>", "exec"), namespace)  # noqa: S102
    return Program(source, namespace["replay"], fallback.source_slots, returned,
                   approximate=True)


def _created(step: Any) -> str | None:
    """A 0-d array made by np.zeros/ones/full (the seed 1 of a backward pass), as a
    literal, or None."""
    function, args = step.function, step.args
    if function is _CREATORS["full"] and len(args) >= 2 and args[0] == ():
        fill = _operand(args[1])
        return None if fill is None or isinstance(args[1], Slot) else fill
    if function in (_CREATORS["zeros"], _CREATORS["ones"], _CREATORS["empty"]) and \
            args[:1] == ((),):
        return "1.0" if function is _CREATORS["ones"] else "0.0"
    return None


def _line(step: Any, written: list[int], single: bool = False) -> str | None:
    """One step as `vN = expression`, or None where the step is not float arithmetic."""
    if step.function in _CREATORS.values() and len(step.outputs) == 1:
        literal = _created(step)
        return None if literal is None else f"v{step.outputs[0]} = {literal}"
    template = _EXPRESSIONS.get(step.function)
    if template is None:
        return None
    out = step.kwargs.get("out")
    if set(step.kwargs) - {"out"} or out is not None and not (
            isinstance(out, tuple) and len(out) == 1 and isinstance(out[0], Slot)):
        return None
    # NumPy casts a Python number to the array's float32 first (NEP 50): so do we
    operands = [_operand(a, single) for a in step.args]
    if any(o is None for o in operands):
        return None
    try:
        expression = template.format(*operands)
    except IndexError:  # fewer operands than the expression takes
        return None
    if out is not None:
        written.append(out[0].index)
        return f"v{out[0].index} = {expression}"
    if len(step.outputs) != 1:
        return None
    return f"v{step.outputs[0]} = {expression}"


def _operand(value: Any, single: bool = False) -> str | None:
    if isinstance(value, Slot):
        return f"v{value.index}"
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if single and math.isfinite(number) and abs(number) < 3e38:
            number = _SINGLE.unpack(_SINGLE.pack(number))[0]
        return repr(number)
    return None
