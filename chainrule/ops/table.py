"""The op table: one row per operation, from which every Tensor method, operator (with its
reflected and in-place forms) and `cr.*` function is generated.

`python -m chainrule.ops.generate` writes `chainrule/_methods/` (the `TensorMethods` class
that `Tensor` inherits) and `chainrule/_namespace/` (the `cr.*` functions) from this table,
as explicit definitions: IDEs, debuggers and mypy see ordinary code, nothing is attached to
a class at run time (unlike early tinygrad's `setattr`), and `tests/test_op_table.py` fails
when the generated files and this table disagree. The gradient tests read their list of
gates from here too.

Kinds of row:
- `UNARY`: a gate on one tensor (`x.exp()`, `cr.exp(x)`, `x.exp_()`); `floating` promotes
  integer tensors to float32 first, as PyTorch does for exp, log, ….
- `BINARY`: a gate on two operands with PyTorch's type promotion; `operator` adds the Python
  operator and its reflected form, `ufunc` the in-place forms.
- `COMPARE`: a NumPy comparison as an operator and a method (no gradient).
- `FRONT`: a hand-written front function, `front(input, ...)`, whose signature the
  generated method and function copy.

Adding an elementwise operation is its gate class and one `UNARY` or `BINARY` row here. Rows
are grouped in one tuple per family (`CORE_ROWS`, `REDUCTION_ROWS`, ...), which `OPS` joins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import (
    activation,
    batched,
    bitwise,
    counting,
    cumulative,
    dispatch,
    elementwise,
    extremes,
    indexing,
    inplace,
    inverse,
    linalg,
    masked,
    nan_reduce,
    norms,
    pointwise,
    pointwise2,
    products,
    quantile,
    reduce,
    repeat,
    sampling,
    scatter_reduce,
    search,
    select,
    shape,
    sorting,
    split,
    tensor_new,
    triangle,
)

__all__ = ["Op", "OPS", "CORE_ROWS", "REDUCTION_ROWS", "INDEXING_ROWS", "RANDOM_ROWS", "UNARY",
           "BINARY", "COMPARE", "FRONT"]

UNARY, BINARY, COMPARE, FRONT = "unary", "binary", "compare", "front"


@dataclass(frozen=True)
class Op:
    """One row of the table (see the module docstring for the kinds)."""

    name: str
    kind: str
    target: Any                       # a Gate class, a NumPy function or a front function
    method: bool = True               # Tensor.name
    function: bool = True             # cr.name
    inplace: bool = False             # Tensor.name_ (UNARY: the result written back)
    floating: bool = False            # UNARY: integer tensors become float32 first
    operator: str | None = None       # "add": __add__ and __radd__ (BINARY), __eq__ (COMPARE)
    ufunc: str | None = None          # BINARY: the NumPy ufunc of name_ and __iadd__
    true_division: bool = False       # BINARY: integers divide to float32
    aliases: tuple[str, ...] = ()     # other names for the same method and function
    gradcheck: dict[str, Any] = field(default_factory=dict)  # input range for the tests


def _front(front: Callable[..., Any], **options: Any) -> Op:
    return Op(front.__name__, FRONT, front, **options)


CORE_ROWS: tuple[Op, ...] = (
    # ------------------------------------------------------------ elementwise, one input
    Op("neg", UNARY, elementwise.Neg, operator="neg", aliases=("negative",)),
    Op("exp", UNARY, elementwise.Exp, floating=True, inplace=True),
    Op("log", UNARY, elementwise.Log, floating=True, inplace=True,
       gradcheck={"low": 0.2, "high": 3.0}),
    Op("sqrt", UNARY, elementwise.Sqrt, floating=True, inplace=True,
       gradcheck={"low": 0.2, "high": 3.0}),
    Op("abs", UNARY, elementwise.Abs, operator="abs", inplace=True, aliases=("absolute",),
       gradcheck={"away_from_zero": 0.1}),
    Op("relu", UNARY, elementwise.Relu, inplace=True, gradcheck={"away_from_zero": 0.1}),
    Op("sigmoid", UNARY, elementwise.Sigmoid, floating=True, inplace=True),
    Op("tanh", UNARY, elementwise.Tanh, floating=True, inplace=True),
    Op("clone", UNARY, elementwise.Clone),
    Op("sin", UNARY, pointwise.Sin, floating=True, inplace=True),
    Op("cos", UNARY, pointwise.Cos, floating=True, inplace=True),
    Op("tan", UNARY, pointwise.Tan, floating=True, inplace=True,
       gradcheck={"low": -1.2, "high": 1.2}),
    Op("asin", UNARY, pointwise.Asin, floating=True, inplace=True, aliases=("arcsin",),
       gradcheck={"low": -0.9, "high": 0.9}),
    Op("acos", UNARY, pointwise.Acos, floating=True, inplace=True, aliases=("arccos",),
       gradcheck={"low": -0.9, "high": 0.9}),
    Op("atan", UNARY, pointwise.Atan, floating=True, inplace=True, aliases=("arctan",)),
    Op("sinh", UNARY, pointwise.Sinh, floating=True, inplace=True),
    Op("cosh", UNARY, pointwise.Cosh, floating=True, inplace=True),
    Op("asinh", UNARY, pointwise.Asinh, floating=True, inplace=True, aliases=("arcsinh",)),
    Op("acosh", UNARY, pointwise.Acosh, floating=True, inplace=True, aliases=("arccosh",),
       gradcheck={"low": 1.2, "high": 3.0}),
    Op("atanh", UNARY, pointwise.Atanh, floating=True, inplace=True, aliases=("arctanh",),
       gradcheck={"low": -0.9, "high": 0.9}),
    Op("exp2", UNARY, pointwise.Exp2, floating=True, inplace=True),
    Op("expm1", UNARY, pointwise.Expm1, floating=True, inplace=True),
    Op("log2", UNARY, pointwise.Log2, floating=True, inplace=True,
       gradcheck={"low": 0.2, "high": 3.0}),
    Op("log10", UNARY, pointwise.Log10, floating=True, inplace=True,
       gradcheck={"low": 0.2, "high": 3.0}),
    Op("log1p", UNARY, pointwise.Log1p, floating=True, inplace=True,
       gradcheck={"low": -0.8, "high": 3.0}),
    Op("rsqrt", UNARY, pointwise.Rsqrt, floating=True, inplace=True,
       gradcheck={"low": 0.2, "high": 3.0}),
    Op("reciprocal", UNARY, pointwise.Reciprocal, floating=True, inplace=True,
       gradcheck={"away_from_zero": 0.3}),
    Op("erf", UNARY, activation.Erf, floating=True, inplace=True),
    Op("erfc", UNARY, pointwise2.Erfc, floating=True, inplace=True),
    Op("erfinv", UNARY, pointwise2.Erfinv, floating=True, inplace=True,
       gradcheck={"low": -0.9, "high": 0.9}),
    Op("floor", UNARY, pointwise2.Floor, inplace=True),
    Op("ceil", UNARY, pointwise2.Ceil, inplace=True),
    Op("trunc", UNARY, pointwise2.Trunc, inplace=True, aliases=("fix",)),
    Op("frac", UNARY, pointwise2.Frac, inplace=True),
    # ------------------------------------------------------------ elementwise, two inputs
    Op("mul", BINARY, elementwise.Mul, operator="mul", ufunc="multiply",
       aliases=("multiply",)),
    Op("div", BINARY, elementwise.Div, operator="truediv", ufunc="true_divide",
       true_division=True, aliases=("divide", "true_divide"),
       gradcheck={"away_from_zero": 0.3}),
    Op("pow", BINARY, elementwise.Pow, operator="pow", gradcheck={"low": 0.3, "high": 2.0}),
    Op("maximum", BINARY, elementwise.Maximum),
    Op("atan2", BINARY, pointwise2.Atan2, aliases=("arctan2",), true_division=True,
       gradcheck={"away_from_zero": 0.3}),
    Op("hypot", BINARY, pointwise2.Hypot, gradcheck={"away_from_zero": 0.3}),
    Op("fmod", BINARY, pointwise2.Fmod, ufunc="fmod", gradcheck={"away_from_zero": 0.3}),
    Op("remainder", BINARY, pointwise2.Remainder, operator="mod", ufunc="remainder",
       gradcheck={"away_from_zero": 0.3}),
    Op("xlogy", BINARY, pointwise2.Xlogy, true_division=True,
       gradcheck={"low": 0.2, "high": 3.0}),
    Op("minimum", BINARY, elementwise.Minimum),
    Op("__add__", BINARY, elementwise.Add, method=False, function=False, operator="add",
       ufunc="add"),
    Op("__sub__", BINARY, elementwise.Sub, method=False, function=False, operator="sub",
       ufunc="subtract"),
    _front(dispatch.add),
    _front(dispatch.sub, aliases=("subtract",)),
    _front(dispatch.clamp, aliases=("clip",)),
    _front(dispatch.square),
    _front(dispatch.sign, aliases=("sgn",)),
    _front(pointwise2.clamp_min),
    _front(pointwise2.clamp_max),
    _front(pointwise2.lerp),
    _front(pointwise2.addcmul),
    _front(pointwise2.addcdiv),
    _front(pointwise2.logit),
    _front(pointwise2.nan_to_num),
    _front(pointwise2.round),
    _front(pointwise2.isinf),
    _front(dispatch.where, method=False),
    Op("where", FRONT, dispatch.where_method, function=False),
    _front(inplace.add_, function=False),
    _front(inplace.sub_, function=False),
    # ------------------------------------------------------------ comparisons and logic
    Op("eq", COMPARE, "equal", operator="eq"),
    Op("ne", COMPARE, "not_equal", operator="ne"),
    Op("lt", COMPARE, "less", operator="lt"),
    Op("le", COMPARE, "less_equal", operator="le"),
    Op("gt", COMPARE, "greater", operator="gt"),
    Op("ge", COMPARE, "greater_equal", operator="ge"),
    _front(bitwise.logical_not),
    _front(bitwise.logical_and),
    _front(bitwise.logical_or),
    _front(bitwise.logical_xor),
    _front(bitwise.bitwise_and),
    _front(bitwise.bitwise_or),
    _front(bitwise.bitwise_xor),
    _front(bitwise.bitwise_not),
    _front(bitwise.bitwise_left_shift),
    _front(bitwise.bitwise_right_shift),
    _front(bitwise.bitwise_and_, function=False),
    _front(bitwise.bitwise_or_, function=False),
    _front(bitwise.bitwise_xor_, function=False),
    _front(bitwise.bitwise_not_, function=False),
    _front(bitwise.bitwise_left_shift_, function=False),
    _front(bitwise.bitwise_right_shift_, function=False),
    _front(bitwise.rlshift, method=False, function=False),
    _front(bitwise.rrshift, method=False, function=False),
    _front(bitwise.nonzero),
    _front(bitwise.argwhere),
    _front(dispatch.any),
    _front(dispatch.all),
    _front(dispatch.isnan),
    _front(dispatch.isfinite),
    _front(dispatch.isclose),
    _front(dispatch.allclose),
    _front(dispatch.equal),
    _front(dispatch.is_tensor, method=False),
    _front(dispatch.numel, method=False),
    # ------------------------------------------------------------ reductions
    _front(reduce.sum),
    _front(reduce.mean),
    _front(reduce.prod),
    _front(reduce.max),
    _front(reduce.min),
    _front(reduce.argmax),
    _front(reduce.argmin),
    _front(reduce.var),
    _front(reduce.std),
    _front(reduce.logsumexp),
    _front(reduce.softmax),
    _front(reduce.log_softmax),
    # ------------------------------------------------------------ shapes and indexing
    _front(shape.reshape),
    _front(shape.view, function=False),
    _front(shape.view_as, function=False),
    _front(shape.reshape_as, function=False),
    _front(shape.flatten),
    _front(shape.squeeze),
    _front(shape.unsqueeze),
    _front(shape.permute),
    _front(shape.transpose, aliases=("swapaxes",)),
    _front(shape.t),
    _front(shape.expand, function=False),
    _front(shape.expand_as, function=False),
    _front(shape.sum_to_size, function=False),
    _front(indexing.getitem, method=False, function=False),
    # ------------------------------------------------------------ products
    _front(linalg.matmul),
    _front(linalg.rmatmul, method=False, function=False),
    _front(linalg.dot),
    _front(linalg.outer),
    _front(linalg.einsum, method=False),
)

#: Cumulative sums, sorting, selection, norms and counting.
REDUCTION_ROWS: tuple[Op, ...] = (
    _front(cumulative.cumsum),
    _front(cumulative.cumprod),
    _front(cumulative.cumsum_, function=False),
    _front(cumulative.cumprod_, function=False),
    _front(cumulative.cummax),
    _front(cumulative.cummin),
    _front(cumulative.logcumsumexp),
    _front(extremes.amax),
    _front(extremes.amin),
    _front(extremes.aminmax),
    _front(sorting.sort),
    _front(sorting.argsort),
    _front(sorting.msort),
    _front(sorting.topk),
    _front(sorting.kthvalue),
    _front(sorting.median),
    _front(sorting.mode),
    _front(nan_reduce.nansum),
    _front(nan_reduce.nanmean),
    _front(nan_reduce.nanmedian),
    _front(quantile.quantile),
    _front(quantile.nanquantile),
    _front(norms.norm),
    _front(norms.dist),
    _front(norms.cdist, method=False),
    _front(inverse.det),
    _front(inverse.inverse),
    _front(inverse.slogdet),
    _front(inverse.logdet),
    _front(search.searchsorted, method=False),
    _front(search.bucketize, method=False),
    _front(counting.count_nonzero),
    _front(counting.unique),
    _front(counting.bincount),
    _front(counting.histc),
    _front(counting.histogram),
    _front(counting.var_mean),
    _front(counting.std_mean),
)


#: Splitting, gathering and scattering, repeating, triangles and diagonals, batched products.
INDEXING_ROWS: tuple[Op, ...] = (
    # ------------------------------------------------------------ views: pieces and moves
    _front(split.split),
    _front(split.chunk),
    _front(split.tensor_split),
    _front(split.hsplit),
    _front(split.vsplit),
    _front(split.dsplit),
    _front(split.unbind),
    _front(split.narrow),
    _front(split.select),
    _front(split.movedim, aliases=("moveaxis",)),
    _front(split.meshgrid, method=False),
    # ------------------------------------------------------------ gather and scatter
    _front(select.gather),
    _front(select.scatter),
    _front(select.scatter_, function=False),
    _front(select.scatter_add),
    _front(select.scatter_add_, function=False),
    _front(scatter_reduce.scatter_reduce),
    _front(scatter_reduce.scatter_reduce_, function=False),
    _front(select.take_along_dim),
    _front(select.index_select),
    _front(select.index_add),
    _front(select.index_add_, function=False),
    _front(select.index_copy),
    _front(select.index_copy_, function=False),
    _front(select.index_fill),
    _front(select.index_fill_, function=False),
    _front(masked.masked_fill),
    _front(masked.masked_fill_, function=False),
    _front(masked.masked_select),
    _front(masked.masked_scatter),
    _front(masked.masked_scatter_, function=False),
    _front(masked.take),
    _front(masked.put),
    _front(masked.put_, function=False),
    _front(masked.index_put),
    _front(masked.index_put_, function=False),
    # ------------------------------------------------------------ repeating and reordering
    _front(repeat.repeat, function=False),
    _front(repeat.tile),
    _front(repeat.repeat_interleave),
    _front(repeat.flip),
    _front(repeat.fliplr),
    _front(repeat.flipud),
    _front(repeat.roll),
    _front(repeat.rot90),
    # ------------------------------------------------------------ triangles and diagonals
    _front(triangle.tril),
    _front(triangle.triu),
    _front(triangle.tril_, function=False),
    _front(triangle.triu_, function=False),
    _front(triangle.diagonal),
    _front(triangle.diag),
    _front(triangle.diag_embed),
    _front(triangle.trace),
    # ------------------------------------------------------------ strict and fused products
    _front(batched.mm),
    _front(batched.mv),
    _front(batched.bmm),
    _front(batched.addmm),
    _front(batched.addmv),
    _front(batched.baddbmm),
    _front(batched.addbmm),
    _front(products.tensordot, method=False),
    _front(products.inner),
    _front(products.kron),
    _front(batched.addmm_, function=False),
    _front(batched.addmv_, function=False),
    _front(batched.baddbmm_, function=False),
    _front(batched.addbmm_, function=False),
    # ------------------------------------------------------------ new tensors like this one
    _front(tensor_new.new_zeros, function=False),
    _front(tensor_new.new_ones, function=False),
    _front(tensor_new.new_full, function=False),
    _front(tensor_new.new_empty, function=False),
    _front(tensor_new.new_tensor, function=False),
    _front(tensor_new.ndimension, function=False),
)


#: Random sampling, in-place samplers and creation from an existing tensor.
RANDOM_ROWS: tuple[Op, ...] = (
    _front(sampling.bernoulli),
    _front(sampling.multinomial),
    _front(sampling.poisson, method=False),
    _front(sampling.uniform_, function=False),
    _front(sampling.normal_, function=False),
    _front(sampling.bernoulli_, function=False),
    _front(sampling.exponential_, function=False),
    _front(sampling.random_, function=False),
    _front(sampling.geometric_, function=False),
    _front(sampling.log_normal_, function=False),
    _front(sampling.cauchy_, function=False),
)


OPS: tuple[Op, ...] = CORE_ROWS + REDUCTION_ROWS + INDEXING_ROWS + RANDOM_ROWS


#: The magic methods that are fronts: (Python's name, the row's name).
FRONT_OPERATORS = (("__matmul__", "matmul"), ("__rmatmul__", "rmatmul"),
                   ("__getitem__", "getitem"), ("__invert__", "bitwise_not"),
                   ("__and__", "bitwise_and"), ("__rand__", "bitwise_and"),
                   ("__iand__", "bitwise_and_"), ("__or__", "bitwise_or"),
                   ("__ror__", "bitwise_or"), ("__ior__", "bitwise_or_"),
                   ("__xor__", "bitwise_xor"), ("__rxor__", "bitwise_xor"),
                   ("__ixor__", "bitwise_xor_"), ("__lshift__", "bitwise_left_shift"),
                   ("__rlshift__", "rlshift"), ("__ilshift__", "bitwise_left_shift_"),
                   ("__rshift__", "bitwise_right_shift"), ("__rrshift__", "rrshift"),
                   ("__irshift__", "bitwise_right_shift_"))
