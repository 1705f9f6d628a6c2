"""`viz.draw`: the graph behind a tensor as a circuit diagram, laid out by Graphviz.

One box per gate, labelled with its operation; one edge per input, with the forward value
above and (after a backward pass) the gradient below in red, as in the lecture notes'
circuit figures. The DOT text is written by chainrule; Graphviz (the `graphviz-pure`
command that pip installs with chainrule, or a system `dot`) turns it into SVG or PNG.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from ..tensor import Tensor
from .trace import Trace, _number, trace_backward

__all__ = ["draw", "Drawing", "graphviz_command"]

_GRADIENT_COLOUR = "#c0392b"
_MIN_PNG_WIDTH = 1000  # pixels


def graphviz_command() -> str:
    """The Graphviz executable: graphviz-pure (installed with chainrule) or a system dot."""
    candidates = [shutil.which("graphviz-pure"),
                  os.path.join(sysconfig.get_path("scripts"), "graphviz-pure"),
                  os.path.join(os.path.dirname(sys.executable), "graphviz-pure"),
                  shutil.which("dot")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("Graphviz was not found: chainrule installs the 'graphviz-pure' "
                       "package for it (pip install graphviz-pure), or install a system "
                       "Graphviz 'dot'")


class Drawing:
    """A drawn graph: `.source` is its DOT text; `.save(path)` writes .svg, .png or .dot."""

    def __init__(self, source: str) -> None:
        self.source = source

    def render(self, format: str) -> bytes:  # noqa: A002 - Graphviz's word
        if format == "dot":
            return self.source.encode()
        if format not in ("svg", "png", "pdf"):
            raise ValueError(f"draw: unknown format {format!r}; expected svg, png, pdf or dot")
        done = subprocess.run([graphviz_command(), f"-T{format}"], input=self.source.encode(),
                              capture_output=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"Graphviz failed ({done.returncode}): "
                               f"{done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def svg(self) -> str:
        return self.render("svg").decode()

    def save(self, path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        suffix = target.suffix.lstrip(".").lower() or "svg"
        target.write_bytes(self.png() if suffix == "png" else self.render(suffix))
        return target

    def png(self, min_width: int = _MIN_PNG_WIDTH) -> bytes:
        """The picture as PNG, at a resolution that makes it at least `min_width` pixels
        wide (Graphviz's 96 dpi draws a small circuit a few hundred pixels wide)."""
        image = self.render("png")
        width = int.from_bytes(image[16:20], "big")  # the IHDR chunk's width
        if 0 < width < min_width:
            dpi = min(96 * min_width / width + 1, 1200)
            scaled = Drawing(self.source.replace("digraph chainrule {",
                                                 f"digraph chainrule {{\n  dpi={dpi:.0f};", 1))
            image = scaled.render("png")
        return image

    def _repr_svg_(self) -> str:  # shown inline by Jupyter
        return self.svg()


_NON_FINITE_COLOUR = "#d35400"


def _edge_label(name: str, value: str | None, gradient: str | None, output_name: str) -> str:
    """`q = 3` in black over `∂f/∂q = -4` in red: the value and the gradient of the named
    quantity that travels along the edge."""
    rows = []
    if value is not None:
        rows.append(f'<font color="black">{html.escape(f"{name} = {value}")}</font>')
    if gradient is not None:
        rows.append(f'<font color="{_GRADIENT_COLOUR}">'
                    f'{html.escape(f"∂{output_name}/∂{name} = {gradient}")}</font>')
    return "<" + "<br/>".join(rows) + ">" if rows else '""'


def _edge_style(*shown: str | None) -> str:
    """Edges carrying inf or NaN are drawn thick and orange."""
    if any(text is not None and ("inf" in text or "nan" in text) for text in shown):
        return f', color="{_NON_FINITE_COLOUR}", penwidth=2.5'
    return ""


def _key(show_values: bool, has_grads: bool, output_name: str, non_finite: bool,
         constants: bool) -> str:
    """The picture's legend, as the graph's label under it."""
    parts = []
    if show_values:
        parts.append('<font color="black">black: forward value</font>')
    if has_grads:
        parts.append(f'<font color="{_GRADIENT_COLOUR}">red: gradient ∂{html.escape(output_name)}'
                     '/∂· from the backward pass</font>')
    if non_finite:
        parts.append(f'<font color="{_NON_FINITE_COLOUR}">orange edge: inf or NaN</font>')
    if constants:
        parts.append('<font color="#555555">dashed: a constant</font>')
    return "<" + "   ·   ".join(parts) + ">"


def _dot(trace: Trace, show_values: bool, show_grads: bool) -> str:
    output_name = trace.name_of(trace.output)
    lines = ["digraph chainrule {", "  rankdir=LR;",
             '  node [fontname="Helvetica"]; edge [fontname="Helvetica", fontsize=11];']
    has_grads = show_grads and bool(trace.totals)
    non_finite = False

    def grad_text(key: int) -> str | None:
        if not has_grads or key not in trace.totals:
            return None
        return _number(trace.totals[key])

    for leaf in trace.leaves:
        name = trace.names[id(leaf)]
        lines.append(f'  "{id(leaf)}" [shape=plaintext, label="{html.escape(name)}"];')
    constants = 0
    for gate in trace.gates:
        name = html.escape(trace.names[id(gate)])
        lines.append(f'  "{id(gate)}" [shape=box, style="rounded,filled", fillcolor="#eef3fb", '
                     f'label=<{html.escape(gate.label)}<br/><font point-size="10" '
                     f'color="#555555">→ {name}</font>>];')
        for value in gate.inputs:
            if isinstance(value, Tensor):
                source = id(value.grad_fn) if value.grad_fn is not None else id(value)
                shown = _number(value) if show_values else None
                gradient = grad_text(source) if value.requires_grad else None
                style = _edge_style(shown, gradient)
                non_finite = non_finite or bool(style)
                label = _edge_label(trace.name_of(value), shown, gradient, output_name)
                lines.append(f'  "{source}" -> "{id(gate)}" [label={label}{style}];')
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                constants += 1
                lines.append(f'  "c{constants}" [shape=plaintext, fontcolor="#555555", '
                             f'label="{html.escape(_number(value))}"];')
                lines.append(f'  "c{constants}" -> "{id(gate)}" [style=dashed];')
    output = trace.output
    out_key = id(output.grad_fn) if output.grad_fn is not None else id(output)
    lines.append(f'  "out" [shape=plaintext, label="{html.escape(output_name)}"];')
    shown = _number(output) if show_values else None
    style = _edge_style(shown)
    non_finite = non_finite or bool(style)
    label = _edge_label(output_name, shown, "1" if has_grads else None, output_name)
    lines.append(f'  "{out_key}" -> "out" [label={label}{style}];')
    lines.append(f'  labelloc=b; fontname="Helvetica"; fontsize=11; '
                 f'label={_key(show_values, has_grads, output_name, non_finite, constants > 0)};')
    lines.append("}")
    return "\n".join(lines)


def draw(tensor: Tensor, show_values: bool = True, show_grads: bool = True,
         path: str | os.PathLike[str] | None = None, names: dict[str, Tensor] | None = None
         ) -> Drawing:
    """Draws the graph that produced `tensor`; with `path`, also writes it (.svg/.png/.dot).

    Gradients are those of a backward pass from `tensor` (computed here, without touching
    any `.grad`), so the picture shows them whether or not backward has run, provided the
    graph still holds its saved values.
    """
    trace = trace_backward(tensor, names) if show_grads else \
        Trace(tensor, *_graph(tensor), names={})
    if not show_grads:
        from .trace import _default_names

        trace.names = _default_names(tensor, trace.gates, trace.leaves, names)
    drawing = Drawing(_dot(trace, show_values, show_grads))
    if path is not None:
        drawing.save(path)
    return drawing


def _graph(tensor: Tensor) -> tuple[Any, Any]:
    from .trace import graph_of

    return graph_of(tensor)
