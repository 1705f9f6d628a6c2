"""Parameters as one flat vector and back (PyTorch's `nn.utils.convert_parameters`)."""

from __future__ import annotations

from collections.abc import Iterable

from ...creation import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and joined into one vector, in order; differentiable, so
    a loss on the vector reaches each parameter.

    >>> import chainrule as cr
    >>> cr.nn.utils.parameters_to_vector([cr.ones(2, 2), cr.zeros(3)]).tolist()
    [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    """
    return cat([param.reshape(-1) for param in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Sets each parameter's data to its slice of `vec` (in order, by its number of
    elements); the parameters then share `vec`'s memory, as in PyTorch.

    >>> import chainrule as cr
    >>> a, b = cr.zeros(2), cr.zeros(1, 2)
    >>> cr.nn.utils.vector_to_parameters(cr.tensor([1.0, 2.0, 3.0, 4.0]), [a, b])
    >>> a.tolist(), b.tolist()
    ([1.0, 2.0], [[3.0, 4.0]])
    """
    if not isinstance(vec, Tensor):
        kind = type(vec)
        name = (kind.__qualname__ if kind.__module__ == "builtins"
                else f"{kind.__module__}.{kind.__qualname__}")
        raise TypeError(f"expected torch.Tensor, but got: {name}")
    pointer = 0
    flat = vec.detach()
    for param in parameters:
        count = param.numel()
        if pointer + count > flat.numel():
            raise RuntimeError(f"vector_to_parameters: the vector has {flat.numel()} "
                               f"elements, too few for the parameters (need at least "
                               f"{pointer + count})")
        param.data = flat[pointer:pointer + count].reshape(param.shape)
        pointer += count
