"""Gate cases of the shapes-indexing-products family (issue #12): gather/scatter, the index_*
gates, the fills, repeat/flip/roll, triangles and diagonals.

Indices repeat where the gate accumulates (gather, index_select, index_add, scatter_add), so a
rule that overwrote instead of adding would fail; they are distinct where the gate overwrites
(scatter, index_copy), where a repeat has no single right gradient.
"""

from __future__ import annotations

import numpy as np

from chainrule.ops import repeat, scatter, triangle

from .case_kit import case, values

X = values((3, 4), 201)
# gather along dim 1 with repeats (row 0 picks column 2 twice); along dim 0, a smaller index
GATHER_1 = np.array([[2, 2, 0], [1, 3, 3], [0, 0, 0]])
GATHER_0 = np.array([[2, 0, 1], [2, 2, 0]])
case(scatter.Gather, "dim1-repeats", lambda x: scatter.Gather.apply(x, 1, GATHER_1), X)
case(scatter.Gather, "dim0-smaller", lambda x: scatter.Gather.apply(x, 0, GATHER_0), X)
case(scatter.ScatterAdd, "dim1-repeats",
     lambda x, s: scatter.ScatterAdd.apply(x, 1, GATHER_1, s), X, values((3, 3), 202))
case(scatter.ScatterAdd, "dim0",
     lambda x, s: scatter.ScatterAdd.apply(x, 0, GATHER_0, s), X, values((2, 3), 203))
# scatter overwrites: distinct positions in each row
SCATTER_1 = np.array([[3, 0], [1, 2], [0, 3]])
case(scatter.Scatter, "dim1", lambda x, s: scatter.Scatter.apply(x, 1, SCATTER_1, s), X,
     values((3, 2), 204))
case(scatter.Scatter, "dim0", lambda x, s: scatter.Scatter.apply(
    x, 0, np.array([[2, 0, 1, 0]]), s), X, values((1, 4), 205))
SELECT = np.array([2, 0, 2, 2])
case(scatter.IndexSelect, "dim0-repeats", lambda x: scatter.IndexSelect.apply(x, 0, SELECT), X)
case(scatter.IndexSelect, "dim1", lambda x: scatter.IndexSelect.apply(
    x, 1, np.array([3, 1])), X)
case(scatter.IndexAddDim, "dim0-repeats-alpha", lambda x, s: scatter.IndexAddDim.apply(
    x, 0, SELECT, s, 2.5), X, values((4, 4), 206))
case(scatter.IndexAddDim, "dim1", lambda x, s: scatter.IndexAddDim.apply(
    x, 1, np.array([3, 0, 3]), s, 1), X, values((3, 3), 207))
case(scatter.IndexCopy, "dim1", lambda x, s: scatter.IndexCopy.apply(
    x, 1, np.array([3, 0]), s), X, values((3, 2), 208))
MASK = values((3, 4), 209) > 0
COLUMNS = np.array([True, False, True, False])
case(scatter.FillWhere, "mask", lambda x: scatter.FillWhere.apply(x, MASK, -1.5), X)
case(scatter.FillWhere, "broadcast-mask", lambda x: scatter.FillWhere.apply(x, COLUMNS, 0.0), X)
case(scatter.FillWhere, "broadcast-input", lambda x: scatter.FillWhere.apply(
    x, MASK, 2.0), values((3, 1), 210))
case(scatter.FillWhere, "tensor-value", lambda x, v: scatter.FillWhere.apply(x, MASK, v), X,
     np.array(0.75))
ROWS = np.repeat(np.array([[True], [False], [True]]), 4, axis=1)  # index_fill(0, [0, 2], 3.0)
case(scatter.IndexFill, "rows", lambda x: scatter.IndexFill.apply(x, ROWS, 3.0), X)
case(scatter.ScatterFill, "value", lambda x, v: scatter.ScatterFill.apply(x, MASK, v), X,
     np.array(-0.5))

# ---------------------------------------------------------------- repeat, flip, roll
case(repeat.Repeat, "(2,1,3)", lambda x: repeat.Repeat.apply(x, (2, 1, 3)), values((2, 3), 211))
case(repeat.Repeat, "(3,2)", lambda x: repeat.Repeat.apply(x, (3, 2)), values((2, 3), 212))
case(repeat.Flip, "(0,2)", lambda x: repeat.Flip.apply(x, (0, 2)), values((2, 3, 4), 213))
case(repeat.Flip, "(1,)", lambda x: repeat.Flip.apply(x, (1,)), X)
case(repeat.Roll, "dims", lambda x: repeat.Roll.apply(x, (1, -2), (0, 1)), X)
case(repeat.Roll, "flat", lambda x: repeat.Roll.apply(x, 5, None), X)

# ---------------------------------------------------------------- triangles and diagonals
case(triangle.Tril, "k0", lambda x: triangle.Tril.apply(x, 0), X)
case(triangle.Tril, "batched-k-1", lambda x: triangle.Tril.apply(x, -1), values((2, 3, 3), 214))
case(triangle.Triu, "k1", lambda x: triangle.Triu.apply(x, 1), X)
case(triangle.Triu, "batched-k0", lambda x: triangle.Triu.apply(x, 0), values((2, 3, 3), 215))
case(triangle.Diagonal, "offset1", lambda x: triangle.Diagonal.apply(x, 1, 0, 1), X)
case(triangle.Diagonal, "3d-dims(2,0)", lambda x: triangle.Diagonal.apply(x, -1, 2, 0),
     values((3, 2, 4), 216))
case(triangle.DiagonalScatter, "matrix", lambda v: triangle.DiagonalScatter.apply(
    v, (4, 4), 1, 0, 1), values((3,), 217))
case(triangle.DiagonalScatter, "batched", lambda v: triangle.DiagonalScatter.apply(
    v, (2, 3, 3), 0, 1, 2), values((2, 3), 218))
