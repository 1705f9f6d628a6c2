"""One or more cases for every gate class in `chainrule.ops`, each calling the gate directly
(`Gate.apply`), on float64 inputs kept away from kinks and ties.

`tests/test_rules_first_order.py` checks each case's vector-Jacobian product with a random
upstream against central differences; `tests/test_second_order.py` runs `gradgradcheck` on
them. `gate_classes()` lists the gates found by walking the package, so a new gate without a
case here (or in a `tests/cases_<family>.py`) fails `test_every_gate_has_a_case`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

import numpy as np

import chainrule as cr
import chainrule.ops
from chainrule.backends import Device
from chainrule.engine.gate import Function, Gate
from chainrule.ops import (
    activation,
    division,
    elementwise,
    indexing,
    layer,
    linalg,
    loss,
    pointwise,
    pointwise2,
    reduce,
    shape,
)
from chainrule.ops._broadcast import BroadcastTo, SumTo
from chainrule.ops.args import normalize_index

from .case_kit import CASES, case, constant, distinct, values


def gate_classes() -> list[type[Gate]]:
    """Every Gate subclass defined in a module of chainrule.ops."""
    found: dict[str, type[Gate]] = {}
    for info in pkgutil.iter_modules(chainrule.ops.__path__):
        module = importlib.import_module(f"chainrule.ops.{info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Gate) and value not in (Gate, Function) and \
                    value.__module__ == module.__name__ and not value.__name__.startswith("_"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


# ---------------------------------------------------------------- elementwise, two inputs
PAIRS = {"same": ((3, 4), (3, 4)), "row": ((3, 4), (4,)), "column": ((2, 1, 3), (4, 1)),
         "scalar": ((), (2, 3))}
for layout, (shape_a, shape_b) in PAIRS.items():
    a, b = values(shape_a, 1), values(shape_b, 2)
    case(elementwise.Add, layout, elementwise.Add.apply, a, b)
    case(elementwise.Sub, layout, elementwise.Sub.apply, a, b)
    case(elementwise.Mul, layout, elementwise.Mul.apply, a, b)
    case(elementwise.Div, layout, elementwise.Div.apply, a, values(shape_b, 2, avoid=(0,),
                                                                    gap=0.3))
    case(elementwise.Pow, layout, elementwise.Pow.apply, values(shape_a, 1, 0.3, 2.0),
         values(shape_b, 2, -1.5, 2.0))
    # b is a + a shifted copy: never within 0.05 of a, so no ties and no kink crossed
    shifted = np.random.default_rng(3).choice([-1.0, 1.0], size=np.broadcast_shapes(
        shape_a, shape_b)) * np.random.default_rng(4).uniform(0.2, 1.0, size=np.broadcast_shapes(
            shape_a, shape_b))
    case(elementwise.Maximum, layout, elementwise.Maximum.apply, a, a + shifted)
    case(elementwise.Minimum, layout, elementwise.Minimum.apply, a, a + shifted)
case(elementwise.Pow, "number-base", lambda x: elementwise.Pow.apply(2.5, x), values((5,), 3))
case(elementwise.Pow, "number-exponent", lambda x: elementwise.Pow.apply(x, 3),
     values((5,), 4, avoid=(0,)))
condition = values((3, 4), 5) > 0
case(elementwise.Where, "mask", lambda a, b: elementwise.Where.apply(constant(condition), a, b),
     values((3, 4), 6), values((4,), 7))

# ---------------------------------------------------------------- elementwise, one input
X = values((3, 4), 10)
for gate in (elementwise.Neg, elementwise.Exp, elementwise.Sigmoid, elementwise.Tanh,
             elementwise.Clone, activation.Erf):
    case(gate, "3x4", gate.apply, X)
case(elementwise.Log, "positive", elementwise.Log.apply, values((3, 4), 11, 0.2, 3.0))
case(elementwise.Sqrt, "positive", elementwise.Sqrt.apply, values((3, 4), 12, 0.2, 3.0))
case(elementwise.Abs, "both-signs", elementwise.Abs.apply, values((3, 4), 13, avoid=(0,)))
case(elementwise.Relu, "both-signs", elementwise.Relu.apply, values((3, 4), 14, avoid=(0,)))
case(elementwise.Relu, "vector", elementwise.Relu.apply, values((7,), 15, avoid=(0,)))
case(elementwise.Clamp, "both", lambda x: elementwise.Clamp.apply(x, -0.5, 0.7),
     values((3, 4), 16, avoid=(-0.5, 0.7)))
case(elementwise.Clamp, "min", lambda x: elementwise.Clamp.apply(x, 0.3, None),
     values((3, 4), 17, avoid=(0.3,)))
case(elementwise.Clamp, "max", lambda x: elementwise.Clamp.apply(x, None, -0.2),
     values((3, 4), 18, avoid=(-0.2,)))
# float32 holds ~7 digits: a coarse step and a loose tolerance, still far below a 3x error
case(elementwise.Cast, "float32", lambda x: elementwise.Cast.apply(x, np.dtype(np.float32)),
     X, eps=1e-2, rtol=1e-4, atol=1e-4, second=False)
case(elementwise.Cast, "float64", lambda x: elementwise.Cast.apply(x, np.dtype(np.float64)), X)
case(activation.LeakyRelu, "0.1", lambda x: activation.LeakyRelu.apply(x, 0.1),
     values((3, 4), 19, avoid=(0,)))
case(activation.Softplus, "default", lambda x: activation.Softplus.apply(x, 1.0, 20.0), X)
case(activation.Softplus, "beta-threshold", lambda x: activation.Softplus.apply(x, 2.0, 1.5),
     values((3, 4), 20, avoid=(0.75,)))
case(activation.Hardtanh, "-0.5..0.8", lambda x: activation.Hardtanh.apply(x, -0.5, 0.8),
     values((3, 4), 21, avoid=(-0.5, 0.8)))
case(activation.Gelu, "erf", lambda x: activation.Gelu.apply(x, "none"), X)
case(activation.Gelu, "tanh", lambda x: activation.Gelu.apply(x, "tanh"), X)

# ---------------------------------------------------------------- broadcasting
case(SumTo, "to-3x1", lambda x: SumTo.apply(x, (3, 1)), values((2, 3, 4), 22))
case(BroadcastTo, "from-3x1", lambda x: BroadcastTo.apply(x, (2, 3, 4)), values((3, 1), 23))

# ---------------------------------------------------------------- reductions
X3 = values((2, 3, 4), 24)
for axes, keep in ((None, False), ((1,), False), ((0, 2), True), ((2,), True)):
    label = f"{axes}-{'keep' if keep else 'drop'}"
    for gate in (reduce.Sum, reduce.Mean, reduce.LogSumExp):
        case(gate, label, lambda x, g=gate, a=axes, k=keep: g.apply(x, a, k), X3)
    case(reduce.Prod, label, lambda x, a=axes, k=keep: reduce.Prod.apply(x, a, k),
         values((2, 3, 4), 25, 0.5, 1.5))
for largest in (True, False):
    kind = "max" if largest else "min"
    case(reduce.MaxAll, kind, lambda x, big=largest: reduce.MaxAll.apply(x, big),
         distinct((3, 4), 26))
    for axis, keep in ((0, False), (1, True)):
        case(reduce.MaxDim, f"{kind}-{axis}-{keep}",
             lambda x, a=axis, k=keep, big=largest: reduce.MaxDim.apply(x, a, k, big),
             distinct((3, 4), 27))
for axis in (0, 1):
    case(reduce.Softmax, f"dim{axis}", lambda x, a=axis: reduce.Softmax.apply(x, a), X)
    case(reduce.LogSoftmax, f"dim{axis}", lambda x, a=axis: reduce.LogSoftmax.apply(x, a), X)

# ---------------------------------------------------------------- shapes
for gate, new_shape in ((shape.Reshape, (4, 6)), (shape.View, (24,)), (shape.Flatten, (6, 4)),
                        (shape.Squeeze, (2, 3, 4)), (shape.Unsqueeze, (2, 1, 3, 4))):
    source = X3 if gate is not shape.Squeeze else values((2, 1, 3, 4), 28)
    case(gate, str(new_shape), lambda x, g=gate, s=new_shape: g.apply(x, s), source)
case(shape.Permute, "(2,0,1)", lambda x: shape.Permute.apply(x, (2, 0, 1)), X3)
case(shape.Transpose, "(0,2,1)", lambda x: shape.Transpose.apply(x, (0, 2, 1)), X3)
case(shape.Concatenate, "dim1", lambda a, b, c: shape.Concatenate.apply(1, a, b, c),
     values((2, 3), 29), values((2, 1), 30), values((2, 2), 31))
case(shape.Stack, "dim1", lambda a, b, c: shape.Stack.apply(1, a, b, c),
     values((2, 3), 32), values((2, 3), 33), values((2, 3), 34))
case(shape.ToDevice, "cpu", lambda x: shape.ToDevice.apply(x, Device("cpu")), X)

# ---------------------------------------------------------------- indexing
for label, index in (("int", (1,)), ("slices", (slice(None), slice(1, None, 2))),
                     ("repeats", (np.array([0, 2, 0, 0]),)),
                     ("mask", (values((3, 4), 35) > 0,)),
                     ("mixed", (np.array([2, 2]), slice(None, 3)))):
    case(indexing.GetItem, label, lambda x, i=index: indexing.GetItem.apply(
        x, normalize_index(i)), X)
    picked = np.zeros((3, 4))[index]
    case(indexing.IndexAdd, label, lambda g, i=index: indexing.IndexAdd.apply(
        g, (3, 4), normalize_index(i)), values(picked.shape, 36))

# ---------------------------------------------------------------- products and layers
MATMUL_SHAPES = [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)),
                 ((2, 3, 4), (4, 5)), ((4,), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2))]
for shape_a, shape_b in MATMUL_SHAPES:
    case(linalg.MatMul, f"{shape_a}@{shape_b}", linalg.MatMul.apply, values(shape_a, 37),
         values(shape_b, 38))
for shape_x in ((4,), (5, 4), (2, 5, 4)):
    case(layer.Linear, f"{shape_x}-bias", layer.Linear.apply, values(shape_x, 39),
         values((3, 4), 40), values((3,), 41))
case(layer.Linear, "no-bias", lambda x, w: layer.Linear.apply(x, w, None), values((5, 4), 42),
     values((3, 4), 43))
IDS = np.array([[1, 2, 1], [5, 1, 0]])


def _lookup(padding_idx: int | None, sparse: bool, scale_grad_by_freq: bool = False) -> Any:
    return lambda w: layer.Embedding.apply(constant(IDS), w, padding_idx, sparse,
                                           scale_grad_by_freq)


case(layer.Embedding, "dense", _lookup(None, False), values((6, 3), 44))
case(layer.Embedding, "padding", _lookup(1, False), values((6, 3), 45), zero_rows=(1,))
case(layer.Embedding, "sparse", _lookup(None, True), values((6, 3), 46), second=False)
case(layer.Embedding, "sparse-padding", _lookup(5, True), values((6, 3), 47), second=False,
     zero_rows=(5,))
# scale_grad_by_freq is not a derivative (PyTorch's heuristic): checked against PyTorch in
# tests/test_dense_embedding.py, not against central differences.

case(layer.Dropout, "0.4", lambda x: layer.Dropout.apply(x, 0.4, cr.Generator(3)), X)

# ---------------------------------------------------------------- losses
REDUCTIONS = ("mean", "sum", "none")
CLASS_IDS = np.array([0, 2, 3, 1, 2, 0])
CLASS_WEIGHT = np.array([1.0, 2.0, 0.5, 1.5])
PROBABILITIES = np.random.default_rng(48).dirichlet(np.ones(4), 6)
SCORES = values((6, 4), 49)
for reduction in REDUCTIONS:
    for label, target, weight, ignore, smoothing in (
            ("ids", CLASS_IDS, None, -100, 0.0),
            ("weight-ignore-smooth", CLASS_IDS, CLASS_WEIGHT, 0, 0.1),
            ("smooth", CLASS_IDS, None, -100, 0.2),
            ("probabilities", PROBABILITIES, None, -100, 0.0),
            ("probabilities-weight-smooth", PROBABILITIES, CLASS_WEIGHT, -100, 0.1)):
        case(loss.CrossEntropy, f"{label}-{reduction}",
             lambda s, t=target, w=weight, i=ignore, e=smoothing, r=reduction:
             loss.CrossEntropy.apply(s, constant(t), None if w is None else constant(w), i, e,
                                     r), SCORES)
    case(loss.WeightedLogLikelihood, f"plain-{reduction}",
         lambda s, r=reduction: loss.WeightedLogLikelihood.apply(s, constant(CLASS_IDS), None,
                                                                 -100, r), SCORES)
    case(loss.WeightedLogLikelihood, f"weight-ignore-{reduction}",
         lambda s, r=reduction: loss.WeightedLogLikelihood.apply(
             s, constant(CLASS_IDS), constant(CLASS_WEIGHT), 2, r), SCORES)
    case(loss.MeanSquaredError, reduction,
         lambda p, t, r=reduction: loss.MeanSquaredError.apply(p, t, r),
         values((4, 3), 50), values((4, 3), 51))
    case(loss.BinaryCrossEntropy, reduction,
         lambda p, t, r=reduction: loss.BinaryCrossEntropy.apply(p, t, None, r),
         values((4, 3), 52, 0.05, 0.95), values((4, 3), 53, 0.0, 1.0))
    case(loss.BinaryCrossEntropy, f"weight-{reduction}",
         lambda p, t, r=reduction: loss.BinaryCrossEntropy.apply(
             p, t, constant([1.0, 2.0, 0.5]), r),
         values((4, 3), 54, 0.05, 0.95), values((4, 3), 55, 0.0, 1.0))
    case(loss.BinaryCrossEntropyWithLogits, reduction,
         lambda x, t, r=reduction: loss.BinaryCrossEntropyWithLogits.apply(x, t, None, None, r),
         values((4, 3), 56, -4, 4), values((4, 3), 57, 0.0, 1.0))
    case(loss.BinaryCrossEntropyWithLogits, f"weights-{reduction}",
         lambda x, t, r=reduction: loss.BinaryCrossEntropyWithLogits.apply(
             x, t, constant([1.0, 2.0, 0.5]), constant([1.0, 3.0, 0.5]), r),
         values((4, 3), 58, -4, 4), values((4, 3), 59, 0.0, 1.0))


def margin_scores(seed: int, target: np.ndarray, margin: float) -> np.ndarray:
    """Scores whose every hinge term margin − x_y + x_i is at least 0.1 from its kink at 0."""
    scores = values((len(target), 4), seed)
    for row, label in enumerate(target):
        for column in range(4):
            z = margin - scores[row, label] + scores[row, column]
            if column != label and abs(z) < 0.1:
                scores[row, column] += 0.2 * (1 if z >= 0 else -1)
    return scores


MARGIN_TARGET = np.array([0, 3, 1, 1, 2])
for reduction in REDUCTIONS:
    for power in (1, 2):
        case(loss.MultiMargin, f"p{power}-{reduction}",
             lambda s, p=power, r=reduction: loss.MultiMargin.apply(
                 s, constant(MARGIN_TARGET), p, 1.0, None, r), margin_scores(60, MARGIN_TARGET,
                                                                              1.0))
        case(loss.MultiMargin, f"p{power}-weight-{reduction}",
             lambda s, p=power, r=reduction: loss.MultiMargin.apply(
                 s, constant(MARGIN_TARGET), p, 0.5, constant(CLASS_WEIGHT), r),
             margin_scores(61, MARGIN_TARGET, 0.5))



# ---------------------------------------------------------------- pointwise (ops/pointwise*.py)
for gate, low, high in ((pointwise.Sin, -2, 2), (pointwise.Cos, -2, 2), (pointwise.Tan, -1.2, 1.2),
                        (pointwise.Asin, -0.9, 0.9), (pointwise.Acos, -0.9, 0.9),
                        (pointwise.Atan, -2, 2), (pointwise.Sinh, -2, 2), (pointwise.Cosh, -2, 2),
                        (pointwise.Asinh, -2, 2), (pointwise.Acosh, 1.2, 3),
                        (pointwise.Atanh, -0.9, 0.9), (pointwise.Exp2, -2, 2),
                        (pointwise.Expm1, -2, 2), (pointwise.Log2, 0.2, 3),
                        (pointwise.Log10, 0.2, 3), (pointwise.Log1p, -0.8, 3),
                        (pointwise.Rsqrt, 0.2, 3), (pointwise2.Erfc, -2, 2),
                        (pointwise2.Frac, 0.1, 0.9), (pointwise2.Erfinv, -0.9, 0.9)):
    case(gate, f"{low}..{high}", gate.apply, values((3, 4), 60, low, high))
case(pointwise.Reciprocal, "both-signs", pointwise.Reciprocal.apply,
     values((3, 4), 61, avoid=(0,), gap=0.3))
for gate in (pointwise2.Atan2, pointwise2.Hypot, pointwise2.Fmod, pointwise2.Remainder):
    case(gate, "row", gate.apply, values((3, 4), 62), values((4,), 63, avoid=(0,), gap=0.3))
case(pointwise2.Xlogy, "row", pointwise2.Xlogy.apply, values((3, 4), 64, avoid=(0,)),
     values((4,), 65, 0.2, 3.0))
for gate in (pointwise2.Floor, pointwise2.Ceil, pointwise2.Trunc):
    case(gate, "between-steps", gate.apply, values((3, 4), 66, avoid=(-2, -1, 0, 1, 2)),
         flat=True, second=False)
case(division.FloorDivide, "row", division.FloorDivide.apply,
     values((3, 4), 69, avoid=(-2, -1, 0, 1, 2)), values((4,), 70, 0.5, 0.9), flat=True,
     second=False)
case(division.TruncDivide, "row", division.TruncDivide.apply,
     values((3, 4), 71, avoid=(-2, -1, 0, 1, 2)), values((4,), 72, -0.9, -0.5), flat=True,
     second=False)
case(pointwise2.Round, "2-decimals", lambda x: pointwise2.Round.apply(x, 2),
     values((3, 4), 67), flat=True, second=False)
case(pointwise2.Logit, "no-eps", lambda x: pointwise2.Logit.apply(x, None),
     values((3, 4), 68, 0.1, 0.9))
case(pointwise2.Logit, "eps", lambda x: pointwise2.Logit.apply(x, 0.05),
     values((3, 4), 69, 0.1, 0.9))
NON_FINITE = X.copy()
NON_FINITE[0, 0], NON_FINITE[1, 1], NON_FINITE[2, 2] = np.inf, np.nan, -np.inf
case(pointwise2.NanToNum, "some-not-finite",
     lambda x: pointwise2.NanToNum.apply(x, 0.0, 10.0, -10.0), NON_FINITE)


# ---------------------------------------------------------------- later families
# Each `tests/cases_<family>.py` adds its cases to CASES when imported.
for _info in pkgutil.iter_modules([str(Path(__file__).parent)], prefix="tests."):
    if _info.name.startswith("tests.cases_"):
        importlib.import_module(_info.name)

CASES_BY_NAME = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "two cases share a name"
