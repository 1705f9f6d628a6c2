"""Every gate's first-order rule, called directly, against float64 central differences.

For each case of `tests/gate_cases.py` the vector-Jacobian product vᵀJ that backward gives
for a random upstream v (random signs and sizes, never all ones) is compared, element by element,
with the central difference of Σ v·f(x) in every input. A rule that is wrong by a factor
(×3), by a sign, or that passes its upstream through unchanged cannot pass: the inputs keep
clear of kinks and ties, and every checked gradient is asserted to be far from zero, so no
check compares 0 with 0. Each rule is checked twice: on arrays (a plain backward) and on
tensors (the recorded rule that `create_graph=True` runs), and with each differentiable
input alone as well as all together, so the `needs_input_grad` branches are covered.

The last tests break rules on purpose (monkeypatched) and assert that the check fails.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.engine.gate import Gate
from chainrule.engine.sparse import SparseRows
from chainrule.ops import indexing

from .case_kit import Case
from .gate_cases import CASES, CASES_BY_NAME, gate_classes

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def _as_array(gradient: Any) -> np.ndarray:
    if isinstance(gradient, SparseRows):
        return gradient.to_dense()
    return gradient.detach().numpy() if isinstance(gradient, cr.Tensor) else np.asarray(gradient)


def _objective(case: Case, tensors: tuple[cr.Tensor, ...], upstream: np.ndarray) -> float:
    with cr.no_grad():
        out = case.call(*tensors)
    return float((out.numpy().astype(np.float64) * upstream).sum())


def numerical_vjp(case: Case, tensors: tuple[cr.Tensor, ...], upstream: np.ndarray,
                  wanted: list[int]) -> list[np.ndarray]:
    """∂(Σ v·f)/∂x for each wanted input, by central differences."""
    result = []
    for position in wanted:
        flat = tensors[position]._array.reshape(-1)
        column = np.zeros(flat.size)
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + case.eps
            plus = _objective(case, tensors, upstream)
            flat[j] = original - case.eps
            minus = _objective(case, tensors, upstream)
            flat[j] = original
            column[j] = (plus - minus) / (2 * case.eps)
        column = column.reshape(tensors[position].shape)
        if position == 0 and case.zero_rows:
            column[list(case.zero_rows)] = 0  # padding_idx: no gradient, by convention
        result.append(column)
    return result


def analytical_vjp(case: Case, tensors: tuple[cr.Tensor, ...], upstream: np.ndarray,
                   wanted: list[int], create_graph: bool) -> list[np.ndarray]:
    """vᵀJ from the gate's own rule, through the engine."""
    out = case.call(*tensors)
    gate = out.grad_fn
    assert type(gate) is case.gate, f"{case.name} does not end in {case.gate.__name__}"
    if not create_graph:  # the rule computes only what needs_input_grad asks for (tinygrad)
        result = gate.backward(gate, upstream.astype(out._array.dtype))
        result = result if isinstance(result, tuple) else (result,)
        for position, (needed, gradient) in enumerate(zip(gate.needs_input_grad, result)):
            assert needed or gradient is None, \
                f"{case.name}: a gradient for input {position}, which needs none"
    # Under create_graph the upstream requires grad, as in gradgradcheck: every gradient then
    # depends on it, so each must come back recorded.
    seed = cr.tensor(upstream.astype(out._array.dtype), requires_grad=create_graph)
    targets = [tensors[i] for i in wanted]
    if not create_graph:  # through .grad, which also takes row-sparse gradients
        for t in targets:
            t.grad = None
        out.backward(seed)
        return [_as_array(t.grad) for t in targets]
    grads = cr.autograd.grad(out, targets, grad_outputs=seed, create_graph=True)
    for g in grads:
        assert g.requires_grad, "a recorded rule returned a gradient that is not recorded"
    return [_as_array(g) for g in grads]


def input_subsets(count: int) -> list[list[int]]:
    """All inputs together, then each alone."""
    return [list(range(count))] + ([[i] for i in range(count)] if count > 1 else [])


def check_vjp(case: Case) -> None:
    """Raises AssertionError (naming the case, input and element) on any mismatch."""
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    modes = (False, True) if case.second else (False,)
    for create_graph in modes:
        for wanted in input_subsets(len(case.make())):
            tensors = case.make()
            for i, t in enumerate(tensors):
                t.requires_grad_(i in wanted)
            with cr.no_grad():
                shape = case.call(*tensors).shape
            for _ in range(1 if case.flat else 5):  # redrawn where vᵀJ cancels to ~0
                # random signs and sizes, none near 0 (a 1-element upstream stays meaningful)
                upstream = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, shape)
                numerical = numerical_vjp(case, tensors, upstream, wanted)
                if min(np.abs(num).max() for num in numerical) > 1e-3:
                    break
            analytical = analytical_vjp(case, tensors, upstream, wanted, create_graph)
            if case.flat:  # rounding: exactly 0, where the central difference is 0 too
                for num, ana in zip(numerical, analytical):
                    assert not np.abs(num).any() and not np.abs(ana).any(), case.name
                continue
            for position, num, ana in zip(wanted, numerical, analytical):
                where = (f"{case.name}: input {position} (of {wanted}), "
                         f"{'recorded rule' if create_graph else 'array rule'}")
                assert np.abs(num).max() > 1e-3, f"{where}: degenerate case, the VJP is ~0"
                assert ana.shape == num.shape, f"{where}: shape {ana.shape} != {num.shape}"
                assert ana.dtype == np.float64, f"{where}: gradient is {ana.dtype}, not float64"
                error = np.abs(ana - num) - (case.atol + case.rtol * np.abs(num))
                worst = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim \
                    else ()
                assert error.max() <= 0, (f"{where}: element {worst}: analytical "
                                          f"{ana[worst]:.10g}, numerical {num[worst]:.10g}")


def test_every_gate_has_a_case() -> None:
    covered = {case.gate for case in CASES}
    missing = [gate.__qualname__ for gate in gate_classes() if gate not in covered]
    assert not missing, f"gates without a case in tests/gate_cases.py: {missing}"
    assert len(gate_classes()) >= 50  # the walk found the gates at all


@pytest.mark.parametrize("name", sorted(CASES_BY_NAME))
def test_rule_matches_central_differences(name: str) -> None:
    check_vjp(CASES_BY_NAME[name])


@pytest.mark.parametrize("name", sorted(CASES_BY_NAME))
def test_rule_keeps_float32(name: str) -> None:
    """Gradients come back in the input's dtype: float32 in, float32 out."""
    case = CASES_BY_NAME[name]
    if case.gate.__name__ == "Cast":
        pytest.skip("a cast changes the dtype on purpose")
    if "weight" in case.label:
        # The case's class weights are float64 constants; with them a float32 input gets a
        # float64 gradient (PyTorch refuses the mix): a question for the loss fronts.
        pytest.skip("float64 weights with float32 inputs")
    tensors = tuple(cr.tensor(t.detach().numpy().astype(np.float32), requires_grad=True)
                    for t in case.make())
    out = case.call(*tensors)
    upstream = np.random.default_rng(0).uniform(0.5, 1.5, out.shape).astype(np.float32)
    out.backward(cr.tensor(upstream))
    for position, t in enumerate(tensors):
        assert t.grad is not None, f"{name}: input {position} got no gradient"
        dtype = _as_array(t.grad).dtype
        assert dtype == np.float32, f"{name}: input {position} got a {dtype} gradient"


# ---------------------------------------------------------------- the check can fail
def _scaled(gradient: Any, factor: float) -> Any:
    if gradient is None:
        return None
    if isinstance(gradient, SparseRows):
        return SparseRows(gradient.rows, gradient.values * factor, gradient.shape)
    return gradient * factor


def _broken(rule: Callable[..., Any], how: str) -> Callable[..., Any]:
    """`rule` made wrong: its gradients tripled or negated, or the upstream passed through."""
    def wrong(ctx: Gate, *upstream: Any) -> Any:
        result = rule(ctx, *upstream)
        many = isinstance(result, tuple)
        grads = result if many else (result,)
        if how == "upstream":
            grads = tuple(None if g is None else upstream[0] for g in grads)
        else:
            grads = tuple(_scaled(g, 3.0 if how == "triple" else -1.0) for g in grads)
        return grads if many else grads[0]
    return wrong


# Rules whose correct answer is the upstream itself: passing it through is right. (Cast's
# values are the upstream's; its dtype, the rule's other job, the engine also gives every
# leaf's gradient, as PyTorch does, so a pass-through is only visible in the dtype of the
# gradients in between; tests/test_promoted_gradients_torch.py checks the leaves'.)
IDENTITY_RULES = {"Clone", "ToDevice", "Frac", "Cast"}
# Flat rules (rounding): their right answer is 0, which tripling or negating leaves right.
FLAT_RULES = {"Floor", "Ceil", "Trunc", "Round", "FloorDivide", "TruncDivide"}


@pytest.mark.parametrize("how", ["triple", "negate", "upstream"])
@pytest.mark.parametrize("gate", gate_classes(), ids=lambda g: g.__name__)
def test_a_broken_rule_fails_the_check(monkeypatch: pytest.MonkeyPatch, gate: type[Gate],
                                       how: str) -> None:
    if how == "upstream" and gate.__name__ in IDENTITY_RULES:
        pytest.skip("the upstream unchanged is this rule's right answer")
    if how != "upstream" and gate.__name__ in FLAT_RULES:
        pytest.skip("0 times 3, or negated, is still this flat rule's right answer")
    monkeypatch.setattr(gate, "backward", staticmethod(_broken(gate.backward, how)))
    # A wrong scale or sign must show as a mismatch; an upstream of the wrong shape may also
    # be refused by the engine.
    caught = (AssertionError,) if how != "upstream" else (AssertionError, RuntimeError,
                                                           ValueError)
    for case in (c for c in CASES if c.gate is gate):
        try:
            check_vjp(case)
        except caught:
            return
    pytest.fail(f"a {how} {gate.__name__}.backward passed every case")


def test_tripled_index_add_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit's example: tripling IndexAdd.backward left the whole suite green."""
    case = CASES_BY_NAME["IndexAdd-repeats"]
    check_vjp(case)
    original = indexing.IndexAdd.backward
    monkeypatch.setattr(indexing.IndexAdd, "backward", staticmethod(
        lambda ctx, grad: tuple(None if g is None else 3 * g for g in original(ctx, grad))))
    with pytest.raises(AssertionError, match="IndexAdd-repeats: input 0"):
        check_vjp(case)
