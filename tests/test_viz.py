"""viz.explain and viz.draw on the notes' examples: the trace's lines and the picture's
labels against the true values and gradients."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.apps.expression import EXAMPLES, evaluate_expression


def example(name: str) -> tuple[cr.Tensor, dict[str, cr.Tensor]]:
    text, values, _ = EXAMPLES[name]
    return evaluate_expression(text, values)


def test_explain_add_multiply_matches_the_notes() -> None:
    output, names = example("add-multiply")
    lines = cr.viz.explain(output, names=names).splitlines()
    assert lines[0] == "forward: f = -12"
    assert "  mul  ∂f/∂q = z = -4  × upstream 1 = -4  → q" in lines
    assert "  mul  ∂f/∂z = q = 3  × upstream 1 = 3  → z" in lines
    assert "  add  ∂q/∂x = 1  × upstream -4 = -4  → x" in lines
    assert "  add  ∂q/∂y = 1  × upstream -4 = -4  → y" in lines
    assert lines[-1].endswith("∂f/∂x = -4, ∂f/∂y = -4, ∂f/∂z = 3")


def test_explain_sigmoid_circuit_lists_every_product_in_topological_order() -> None:
    output, names = example("sigmoid-circuit")
    text = cr.viz.explain(output, names=names)
    assert "forward: f = 0.7311" in text
    assert "exp  ∂v/∂u = exp(u) = 0.3679  × upstream -0.5344 = -0.1966  → u" in text
    assert text.splitlines()[-1].endswith(
        "∂f/∂w0 = -0.1966, ∂f/∂x0 = 0.3932, ∂f/∂w1 = -0.3932, ∂f/∂x1 = -0.5898, "
        "∂f/∂w2 = 0.1966")
    edges = [line for line in text.splitlines() if "→" in line]
    assert edges[0].startswith("  div") and len(edges) == 12


def test_explain_car_price_and_max_gate() -> None:
    output, names = example("car-price")
    assert "∂f/∂price = 2.2" in cr.viz.explain(output, names=names)
    output, names = example("max-gate")
    text = cr.viz.explain(output, names=names)
    assert "max  ∂q/∂z = [z > w] = 1  × upstream 2 = 2  → z" in text
    assert "max  ∂q/∂w = [w > z] = 0  × upstream 2 = 0  → w" in text
    assert text.splitlines()[-1].endswith("∂f/∂x = -8, ∂f/∂y = 6, ∂f/∂z = 2, ∂f/∂w = 0")


def test_explain_fan_out_sums_and_does_not_touch_grad() -> None:
    x = cr.tensor(3.0, requires_grad=True)
    f = x * x + x
    text = cr.viz.explain(f, names={"x": x})
    assert text.splitlines()[-1].endswith("∂f/∂x = 7")
    assert x.grad is None
    f.backward()  # the graph is still whole after explain
    assert x.grad.item() == 7


def test_explain_on_tensors_gives_shapes_and_norms() -> None:
    w = cr.ones(3, 2, requires_grad=True)
    x = cr.ones(2)
    text = cr.viz.explain((w @ x).tanh().sum(), names={"w": w})
    assert re.search(r"matmul  ∂\w/∂w: upstream \(3,\) ‖·‖=[\d.]+  → gradient \(3, 2\) "
                     r"‖·‖=[\d.]+  → w", text)


def test_explain_after_a_freeing_backward_says_what_to_do() -> None:
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        cr.viz.explain(y)


def test_explain_a_deep_chain() -> None:
    x = cr.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    assert len(cr.viz.explain(y).splitlines()) == 3000 + 4


def svg_texts(svg: str) -> list[str]:
    import html

    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_draw_labels_every_edge_with_value_and_gradient(tmp_path: Path) -> None:
    output, names = example("sigmoid-circuit")
    drawing = cr.viz.draw(output, names=names, path=tmp_path / "circuit.svg")
    texts = svg_texts((tmp_path / "circuit.svg").read_text())
    for label in ("w0", "x0", "w1", "x1", "w2", "f", "mul", "add", "neg", "exp", "div"):
        assert label in texts
    # forward values and gradients of the notes' figure, each with the name it belongs to
    for value in ("w0 = 2", "x0 = -1", "w1 = -3", "x1 = -2", "q = 6", "s = 4", "v = 0.3679",
                  "w = 1.368", "f = 0.7311"):
        assert value in texts, value
    for gradient in ("∂f/∂w0 = -0.1966", "∂f/∂x0 = 0.3932", "∂f/∂w1 = -0.3932",
                     "∂f/∂x1 = -0.5898", "∂f/∂w2 = 0.1966", "∂f/∂w = -0.5344"):
        assert gradient in texts, gradient
    # the key says what the colours mean; every intermediate is named in its gate
    assert "black: forward value" in texts
    assert "red: gradient ∂f/∂· from the backward pass" in texts
    for name in ("q", "r", "s", "t", "u", "v", "w"):
        assert f"→ {name}" in texts, name
    assert drawing.source.startswith("digraph")
    assert 'fill="#c0392b"' in drawing.svg()  # gradients are drawn in red


def test_draw_without_gradients_and_as_png_and_dot(tmp_path: Path) -> None:
    output, names = example("add-multiply")
    cr.viz.draw(output, show_grads=False, names=names, path=tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    cr.viz.draw(output, names=names, path=tmp_path / "g.dot")
    assert "digraph" in (tmp_path / "g.dot").read_text()
    values_only = cr.viz.draw(output, show_grads=False, names=names).svg()
    assert "f = -12" in svg_texts(values_only) and 'fill="#c0392b"' not in values_only
    assert int.from_bytes((tmp_path / "g.png").read_bytes()[16:20], "big") >= 1000
    with pytest.raises(ValueError, match="unknown format"):
        cr.viz.draw(output).save(tmp_path / "g.gif")


def test_max_gate_picture_shows_the_routed_gradient() -> None:
    output, names = example("max-gate")
    texts = svg_texts(cr.viz.draw(output, names=names).svg())
    assert "∂f/∂w = 0" in texts and "∂f/∂z = 2" in texts and "∂f/∂x = -8" in texts
    assert "∂f/∂y = 6" in texts


def test_expressions_are_parsed_safely() -> None:
    with pytest.raises(ValueError, match="is not allowed"):
        evaluate_expression("__import__('os').system('echo hi')", {})
    with pytest.raises(ValueError, match="is not allowed"):
        evaluate_expression("x.real", {"x": 1.0})
    with pytest.raises(ValueError, match="has no value"):
        evaluate_expression("x + y", {"x": 1.0})
    with pytest.raises(ValueError, match="cannot parse"):
        evaluate_expression("(x +", {"x": 1.0})
    output, names = evaluate_expression("sigmoid(x) * tanh(y) + relu(x) ** 2", {"x": 0.5,
                                                                                 "y": -1.0})
    output.backward()
    assert np.isfinite(names["x"].grad.item())


def test_a_module_names_its_parameters_in_the_trace() -> None:
    net = cr.nn.Sequential(cr.nn.Linear(2, 3), cr.nn.Tanh(), cr.nn.Linear(3, 2))
    loss = cr.nn.functional.cross_entropy(net(cr.ones(4, 2)), cr.tensor([0, 1, 1, 0]))
    text = cr.viz.explain(loss, names=net)
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert f"→ {name}" in text
    assert "cross_entropy  ∂f/∂" in text
