"""The `cr.*` function forms of tensor operations (`cr.exp(x)` is `x.exp()`), as in PyTorch."""

from __future__ import annotations

from typing import Any

from .tensor import Tensor, _binary, _raw, to_array

__all__ = ["where", "maximum", "minimum", "matmul", "exp", "log", "sqrt", "abs", "tanh",
           "sigmoid", "relu", "sum", "mean", "prod", "max", "min", "argmax", "argmin",
           "logsumexp", "softmax", "log_softmax", "clamp", "clip", "pow", "reshape", "flatten",
           "transpose", "permute", "squeeze", "unsqueeze", "allclose", "isclose", "equal",
           "numel", "is_tensor", "var", "std", "mm", "dot", "outer", "neg", "add", "sub", "mul",
           "div", "square", "t", "einsum"]


def _tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor._make(to_array(value), None)


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002 - PyTorch's name
    """`input` where `condition` is true, else `other`; the gradient is routed the same way."""
    from .ops.elementwise import Where

    condition = _tensor(condition)
    if condition._array.dtype.kind != "b":
        raise TypeError(f"where: condition must be a bool tensor, got {condition.dtype}")
    # Promote the two branches as an arithmetic operation would, then choose between them.
    probe = _binary_probe(input, other)
    a = input._cast(probe) if isinstance(input, Tensor) else input
    b = other._cast(probe) if isinstance(other, Tensor) else other
    try:
        return Where.apply(condition, a, b)
    except ValueError:
        shapes = [tuple(getattr(_raw(v), "shape", ())) for v in (condition, a, b)]
        raise ValueError(f"where: shapes {shapes[0]}, {shapes[1]} and {shapes[2]} cannot be "
                         "broadcast together") from None


def _binary_probe(a: Any, b: Any) -> Any:
    import numpy as np

    arrays = [_raw(v) for v in (a, b) if isinstance(v, Tensor)]
    if not arrays:
        return np.dtype(np.float32)
    kinds = {x.dtype.kind for x in arrays}
    python_float = any(isinstance(v, float) for v in (a, b))
    if "f" not in kinds and python_float:
        return np.dtype(np.float32)
    if "f" in kinds:
        return np.result_type(*[x.dtype for x in arrays if x.dtype.kind == "f"])
    return np.result_type(*[x.dtype for x in arrays])


def maximum(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    from .ops.elementwise import Maximum

    return _binary(Maximum, input, other)


def minimum(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    from .ops.elementwise import Minimum

    return _binary(Minimum, input, other)


def matmul(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    return _tensor(input) @ other


mm = matmul


def dot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    if input.ndim != 1 or other.ndim != 1:
        raise ValueError(f"dot: expects two 1-D tensors, got shapes {input.shape} and "
                         f"{other.shape}")
    return input @ other


def outer(input: Tensor, vec2: Tensor) -> Tensor:  # noqa: A002
    return input.unsqueeze(1) * vec2.unsqueeze(0)


def t(input: Tensor) -> Tensor:  # noqa: A002
    return input.t()


def exp(input: Tensor) -> Tensor:  # noqa: A002
    return _tensor(input).exp()


def log(input: Tensor) -> Tensor:  # noqa: A002
    return _tensor(input).log()


def sqrt(input: Tensor) -> Tensor:  # noqa: A002
    return _tensor(input).sqrt()


def abs(input: Tensor) -> Tensor:  # noqa: A002
    return _tensor(input).abs()


def neg(input: Tensor) -> Tensor:  # noqa: A002
    return -_tensor(input)


def square(input: Tensor) -> Tensor:  # noqa: A002
    value = _tensor(input)
    return value * value


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return _tensor(input).tanh()


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return _tensor(input).sigmoid()


def relu(input: Tensor) -> Tensor:  # noqa: A002
    return _tensor(input).relu()


def add(input: Any, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002
    return _tensor(input).add(other, alpha=alpha)


def sub(input: Any, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002
    return _tensor(input).sub(other, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _tensor(input) * other


def div(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _tensor(input) / other


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A002
    return input ** exponent if isinstance(input, Tensor) else exponent.__rpow__(input)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:  # noqa: A002
    return _tensor(input).sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:  # noqa: A002
    return _tensor(input).mean(dim, keepdim, dtype=dtype)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _tensor(input).prod(dim, keepdim)


def var(input: Tensor, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:  # noqa: A002
    return _tensor(input).var(dim, keepdim, **kwargs)


def std(input: Tensor, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:  # noqa: A002
    return _tensor(input).std(dim, keepdim, **kwargs)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return _tensor(input).max(dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return _tensor(input).min(dim, keepdim)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _tensor(input).argmax(dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _tensor(input).argmin(dim, keepdim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    return _tensor(input).logsumexp(dim, keepdim)


def softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return _tensor(input).softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return _tensor(input).log_softmax(dim)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return _tensor(input).clamp(min, max)


clip = clamp


def reshape(input: Tensor, shape: Any) -> Tensor:  # noqa: A002
    return _tensor(input).reshape(shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    return _tensor(input).flatten(start_dim, end_dim)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    return _tensor(input).transpose(dim0, dim1)


def permute(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    return _tensor(input).permute(*dims)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    return _tensor(input).squeeze(dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return _tensor(input).unsqueeze(dim)


def numel(input: Tensor) -> int:  # noqa: A002
    return input.numel()


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    import numpy as np

    return Tensor._make(np.isclose(_raw(input), _raw(other), rtol=rtol, atol=atol,
                                   equal_nan=equal_nan), None)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """|input − other| ≤ atol + rtol·|other| everywhere (PyTorch's definition)."""
    import numpy as np

    return bool(np.allclose(_raw(input), _raw(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    import numpy as np

    return bool(input.shape == other.shape and np.array_equal(_raw(input), _raw(other)))


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, built from the recorded gates (permute, broadcasting multiply,
    sum), so its gradient needs no rule of its own. Supports explicit or implicit output,
    without ellipsis."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    spec = equation.replace(" ", "")
    if "..." in spec:
        raise NotImplementedError("einsum: '...' (ellipsis) is not supported yet")
    inputs_spec, _, output_spec = spec.partition("->")
    terms = inputs_spec.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum: the equation names {len(terms)} operands but "
                         f"{len(operands)} were given")
    if "->" not in spec:
        letters = "".join(terms)
        output_spec = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    everything = sorted(set("".join(terms)) | set(output_spec))
    order = [c for c in output_spec] + [c for c in everything if c not in output_spec]
    sizes: dict[str, int] = {}
    product = None
    for term, operand in zip(terms, operands):
        operand = _tensor(operand)
        if len(term) != operand.ndim:
            raise ValueError(f"einsum: term '{term}' has {len(term)} letters but its operand "
                             f"has {operand.ndim} dimensions")
        for letter, size in zip(term, operand.shape):
            if sizes.setdefault(letter, size) != size and size != 1:
                raise ValueError(f"einsum: letter '{letter}' has sizes {sizes[letter]} and "
                                 f"{size}")
        # Repeated letters in one term (a diagonal) are not supported by this construction.
        if len(set(term)) != len(term):
            raise NotImplementedError("einsum: a letter repeated within one operand "
                                      "(a diagonal) is not supported yet")
        present = [c for c in order if c in term]
        aligned = operand.permute(*[term.index(c) for c in present])
        shape = tuple(sizes[c] if c in term else 1 for c in order)
        aligned = aligned.reshape(shape)
        product = aligned if product is None else product * aligned
    assert product is not None
    summed = tuple(range(len(output_spec), len(order)))
    result = product.sum(dim=summed) if summed else product
    return result
