"""Gate cases of the reductions family: running totals, tie-sharing selections, picks at
sorted indices, vector norms and singular values, on float64 inputs without ties."""

from __future__ import annotations

import math

import numpy as np

from chainrule.ops import cumulative, extremes, inverse, norms, sorting

from .case_kit import case, distinct, values

X = values((3, 4), 101)

# ---------------------------------------------------------------- cumsum, cumprod
for axis, reverse in ((0, False), (1, False), (1, True)):
    case(cumulative.CumSum, f"dim{axis}-{'reverse' if reverse else 'forward'}",
         lambda x, a=axis, r=reverse: cumulative.CumSum.apply(x, a, r), X)
for axis in (0, 1):
    case(cumulative.CumProd, f"dim{axis}", lambda x, a=axis: cumulative.CumProd.apply(x, a),
         values((3, 4), 102, 0.5, 1.5))
WITH_ZEROS = values((3, 5), 103, 0.5, 1.5)
WITH_ZEROS[0, 1] = 0.0               # one zero inside a slice
WITH_ZEROS[1, 0] = WITH_ZEROS[1, 3] = 0.0  # the first of two zeros has the only gradient
WITH_ZEROS[2, 4] = 0.0               # a zero at the end
case(cumulative.CumProd, "zeros", lambda x: cumulative.CumProd.apply(x, 1), WITH_ZEROS,
     second=False)

# ---------------------------------------------------------------- amax, amin, median
D = distinct((3, 4), 104)
for axes, keep, statistic in (((1,), False, "max"), ((0, 1), True, "min"), (None, False, "max"),
                              (None, False, "median"), (None, True, "median")):
    case(extremes.TiedSelect, f"{statistic}-{axes}-{keep}",
         lambda x, a=axes, k=keep, s=statistic: extremes.TiedSelect.apply(x, a, k, s), D)

# ---------------------------------------------------------------- picks (sort, topk, ...)
ORDER = np.argsort(distinct((3, 4), 105), axis=1)
case(sorting.Pick, "sorted-rows", lambda x: sorting.Pick.apply(x, ORDER, 1), X)
case(sorting.Pick, "top2-of-columns",
     lambda x: sorting.Pick.apply(x, np.argsort(distinct((3, 4), 106), axis=0)[:2], 0), X)
case(sorting.Place, "sorted-rows", lambda g: sorting.Place.apply(g, (3, 4), ORDER, 1), X)
case(sorting.Place, "into-a-longer-dim",
     lambda g: sorting.Place.apply(g, (3, 6), ORDER[:, :2] + 2, 1), values((3, 2), 107))

# ---------------------------------------------------------------- vector norms
for order in (2.0, 1.0, 3.0, 0.5, math.inf, -math.inf):
    for axes, keep in ((None, False), ((1,), True)):
        case(norms.VectorNorm, f"{order}-{axes}-{keep}",
             lambda x, p=order, a=axes, k=keep: norms.VectorNorm.apply(x, p, a, k),
             distinct((3, 4), 108) if math.isinf(order) else values((3, 4), 109, avoid=(0,)))
case(norms.VectorNorm, "0", lambda x: norms.VectorNorm.apply(x, 0.0, None, False), X,
     flat=True, second=False)

# ---------------------------------------------------------------- singular values
case(norms.SingularValues, "tall", norms.SingularValues.apply, values((4, 3), 110),
     second=False)
case(norms.SingularValues, "batch-wide", norms.SingularValues.apply, values((2, 2, 3), 111),
     second=False)
REPEATED = np.array([[0, 0, 2, 3], [1, 1, 1, 0], [3, 2, 3, 3]])  # cummax-style repeats
case(sorting.Pick, "repeated-indices", lambda x: sorting.Pick.apply(x, REPEATED, 1), X)
case(sorting.Place, "repeated-indices", lambda g: sorting.Place.apply(g, (3, 4), REPEATED, 1),
     X)

# ---------------------------------------------------------------- inverse, det, solve
WELL_POSED = values((3, 3), 112) + 3 * np.eye(3)          # far from singular
BATCH = values((2, 3, 3), 113) + 3 * np.eye(3)
case(inverse.Inverse, "3x3", inverse.Inverse.apply, WELL_POSED)
case(inverse.Inverse, "batch", inverse.Inverse.apply, BATCH)
case(inverse.Determinant, "3x3", inverse.Determinant.apply, WELL_POSED)
case(inverse.Determinant, "batch", inverse.Determinant.apply, BATCH)
case(inverse.Solve, "matrix", inverse.Solve.apply, WELL_POSED, values((3, 2), 114))
case(inverse.Solve, "broadcast-batch", inverse.Solve.apply, BATCH, values((3, 2), 115))
case(inverse.Solve, "batch-of-b", inverse.Solve.apply, WELL_POSED, values((2, 3, 1), 116))
WITH_NAN = distinct((3, 4), 117)
WITH_NAN[1, 2] = np.nan
case(extremes.TiedSelect, "nanmedian", lambda x: extremes.TiedSelect.apply(x, None, False,
                                                                           "nanmedian"),
     WITH_NAN)
case(inverse.LogAbsDet, "3x3", inverse.LogAbsDet.apply, WELL_POSED)
case(inverse.LogAbsDet, "batch-negative-det", inverse.LogAbsDet.apply,
     BATCH * np.array([1.0, -1.0, 1.0])[:, None])
for axis in (0, 1):
    case(cumulative.LogCumSumExp, f"dim{axis}",
         lambda x, a=axis: cumulative.LogCumSumExp.apply(x, a), values((3, 4), 118 + axis))
