"""The Tensor: an n-dimensional array that records the gates applied to it.

A tensor holds a NumPy (or CuPy) array, whether it requires a gradient, the gate that made
it (`grad_fn`, None for leaves) and, after backward, its gradient: the engine's `Variable`.
This file holds what every tensor is (attributes, conversions, dtype and device moves,
backward, in-place assignment, printing). Its operations (`x.exp()`, `x + y`, `x.sum(1)`,
…) come from the op table (`ops/table.py`), generated into `_methods.TensorMethods`, which
`Tensor` inherits; all arithmetic lives in `chainrule.ops`.
"""

from __future__ import annotations

import builtins
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _dtype
from ._dtype import DType
from ._methods import TensorMethods
from ._printing import tensor_repr
from ._size import Size, legacy_sizes
from .backends import Device, array_module, device_of
from .engine import version
from .engine.backward import run_backward
from .engine.variable import Variable
from .ops import inplace
from .ops.args import normalize_dim, normalize_index
from .ops.elementwise import Cast
from .ops.shape import ToDevice

__all__ = ["Tensor", "to_array", "as_tensor_argument", "seed_gradient", "parse_to_arguments"]

_ndarray = np.ndarray
_generic = np.generic


def to_array(data: Any, dtype: Any = None, copy: bool = True, op: str = "tensor"
             ) -> np.ndarray:
    """Data (a tensor, an array, a number or nested lists) as an array, PyTorch's way:
    Python floats become float32 and ints int64, while arrays keep their dtype. Errors name
    `op`, the function that was given the data."""
    target = None if dtype is None else _dtype.to_numpy_dtype(dtype)
    if isinstance(data, Tensor):
        array = data._array
    elif isinstance(data, (_ndarray, _generic)) or hasattr(data, "__cuda_array_interface__"):
        array = data
        _dtype.from_numpy_dtype(array.dtype, op)  # a clear error for unsupported kinds
    else:
        try:
            array = np.asarray(data)
        except ValueError as error:
            if _dtype.first_non_number(data) is not None:  # [[1, 2], [None]]: the None
                raise _dtype.unsupported_data(op, data) from None
            raise ValueError(f"{op}: cannot make a tensor from {type(data).__name__}: the "
                             f"nested lists must be rectangular ({error})") from None
        if array.dtype.kind in "OUS" or target is None:
            target = _dtype.python_data_dtype(array, data, op)
        copy = False  # np.asarray made a new array already
    if target is not None and array.dtype != target:
        return array.astype(target)
    if isinstance(array, _generic):
        return np.asarray(array)
    return array.copy() if copy else array


def as_tensor_argument(value: Any) -> Tensor:
    """A `cr.*` function's tensor argument: a tensor as it is, array-like data as a tensor."""
    return value if isinstance(value, Tensor) else Tensor._make(to_array(value), None)


class Tensor(TensorMethods, Variable):
    """An n-dimensional array with reverse-mode automatic differentiation.

    >>> import chainrule as cr
    >>> x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ()

    # NumPy must hand `ndarray (op) Tensor` to the Tensor's reflected operator.
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(self, *data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        # PyTorch's `torch.Tensor(data)` makes the default float type whatever the data
        # (a tensor given alone is aliased), and `torch.Tensor(2, 3)` a 2×3 tensor.
        target = _dtype.to_numpy_dtype(_dtype.default_float if dtype is None else dtype)
        array = legacy_sizes("Tensor", data, target)
        if array is None:
            alias = isinstance(data[0], Tensor) and dtype is None
            array = data[0]._array if alias else to_array(data[0], target, op="Tensor")
        self._array = array
        self.grad_fn: Any = None
        self._grad: Any = None
        self._output_nr = 0
        self._post_accumulate_hooks = None
        self._version = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, array: Any, grad_fn: Any) -> Tensor:
        """The fast constructor the gates use: no conversion, no checks. Always a plain
        Tensor, also when called on a subclass (a Parameter times 2 is no Parameter)."""
        tensor = object.__new__(Tensor)
        if array.__class__ is not _ndarray and isinstance(array, _generic):
            array = np.asarray(array)  # NumPy returns scalars from 0-d operations
        tensor._array = array
        tensor.grad_fn = grad_fn
        tensor._requires_grad = grad_fn is not None
        tensor._grad = None
        tensor._output_nr = 0
        tensor._post_accumulate_hooks = None
        tensor._version = None
        return tensor

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        return Size.of(self._array.shape)

    @property
    def ndim(self) -> int:
        return self._array.ndim  # type: ignore[no-any-return]

    @property
    def dtype(self) -> DType:
        return _dtype.from_numpy_dtype(self._array.dtype)

    @property
    def device(self) -> Device:
        return device_of(self._array)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Sets whether this leaf records operations for differentiation; returns self."""
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False): this tensor was made by a gate "
                               f"('{self.grad_fn.label}'), so it is not a leaf; use .detach() "
                               "to get a tensor that does not require grad")
        if requires_grad and self._array.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require gradients, got "
                            f"{self.dtype}; convert first, e.g. x.float()")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self) -> Tensor | None:
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad must be a Tensor or None, got {type(value).__name__}")
            if value.shape != self.shape:
                raise ValueError(f"assigned grad has shape {value.shape}, but the tensor has "
                                 f"shape {self.shape}")
            if value._array.dtype != self._array.dtype:
                raise TypeError(f"assigned grad has dtype {value.dtype}, but the tensor has "
                                f"dtype {self.dtype}")
        self._grad = value

    @property
    def data(self) -> Tensor:
        """The same array as a tensor outside the graph (changes to it are not recorded,
        but they count in the version that backward checks)."""
        alias = Tensor._make(self._array, None)
        version.share(self, alias)
        return alias

    @data.setter
    def data(self, value: Tensor) -> None:
        self._array = value._array if isinstance(value, Tensor) else to_array(value)

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size.of(self._array.shape)
        return self.shape[normalize_dim("size", dim, self.ndim)]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self._array.size)

    def nelement(self) -> int:
        return int(self._array.size)

    def element_size(self) -> int:
        return int(self._array.itemsize)

    def is_floating_point(self) -> bool:
        return self._array.dtype.kind == "f"

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self.shape[0]):
            yield self[i]

    def __pos__(self) -> Tensor:
        return self

    __hash__ = object.__hash__

    # ------------------------------------------------------------------ conversion
    def item(self) -> Any:
        if self._array.size != 1:
            raise ValueError(f"item(): a tensor with {self._array.size} elements cannot be "
                             "converted to a Python number; expected exactly one element")
        return self._array.reshape(()).item()

    def tolist(self) -> Any:
        return _host(self._array).tolist()

    def numpy(self) -> np.ndarray:
        """The array itself (shared, not copied). Not allowed while the tensor requires grad."""
        if self._requires_grad:
            raise RuntimeError("numpy(): this tensor requires grad, so its array may be needed "
                               "by backward; use tensor.detach().numpy() instead")
        return _host(self._array)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = _host(self._array)
        return array if dtype is None else array.astype(dtype)

    def __bool__(self) -> bool:
        if self._array.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self._array.size} elements "
                               "is ambiguous; use .any() or .all()")
        return bool(self._array.reshape(()))

    def __float__(self) -> float:
        return builtins.float(self.item())

    def __int__(self) -> int:
        return builtins.int(self.item())

    def __index__(self) -> int:
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return builtins.int(self.item())

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:
            return format(self.item(), spec)
        return format(str(self), spec)

    def detach(self) -> Tensor:
        """The same array as a new leaf that does not require grad (sharing the version
        counter: an in-place change through it is seen by backward)."""
        alias = Tensor._make(self._array, None)
        version.share(self, alias)
        return alias

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def contiguous(self) -> Tensor:
        return self

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """`to(dtype)`, `to(device)`, `to(device, dtype)` or `to(other_tensor)`."""
        dtype, device = parse_to_arguments(args, kwargs)
        result = self
        if device is not None and Device(device) != self.device:
                        result = ToDevice.apply(result, Device(device))
        if dtype is not None:
            result = result._cast(_dtype.to_numpy_dtype(dtype))
        return result

    def _cast(self, target: np.dtype) -> Tensor:
        if self._array.dtype == target:
            return self
        if target.kind == "f" and self._array.dtype.kind == "f":
            return Cast.apply(self, target)
        return Tensor._make(self._array.astype(target), None)

    def float(self) -> Tensor:
        return self._cast(_dtype.float32.numpy)

    def double(self) -> Tensor:
        return self._cast(_dtype.float64.numpy)

    def half(self) -> Tensor:
        return self._cast(_dtype.float16.numpy)

    def long(self) -> Tensor:
        return self._cast(_dtype.int64.numpy)

    def int(self) -> Tensor:
        return self._cast(_dtype.int32.numpy)

    def bool(self) -> Tensor:
        return self._cast(np.dtype(np.bool_))

    def type(self, dtype: Any = None) -> Any:
        return _dtype.legacy_type_name(self.dtype) if dtype is None else self.to(dtype=dtype)

    def type_as(self, other: Tensor) -> Tensor:
        return self._cast(other._array.dtype)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: builtins.int | None = None) -> Tensor:
        return self.to("cuda" if device is None else f"cuda:{device}")

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient: Any = None, retain_graph: builtins.bool | None = None,
                 create_graph: builtins.bool = False) -> None:
        """Back-propagates from this tensor, accumulating gradients into the leaves' `.grad`.

        A tensor of one element gets the gradient 1; any other needs `gradient`, of its
        shape and dtype. The graph's saved values are freed afterwards unless `retain_graph`;
        with `create_graph` the backward pass is itself recorded (for second derivatives).
        """
        if not self._requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no "
                               "grad_fn: no input of the computation had requires_grad=True")
        seed = seed_gradient("backward", self, gradient, create_graph)
        run_backward([self], [seed], retain_graph=create_graph if retain_graph is None else
                     retain_graph, create_graph=create_graph)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in `.grad` after backward."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad(): this tensor does not require grad")
        node = self.grad_fn
        if node is None:
            return  # leaves keep their gradient anyway
        if node.retained is None:
            node.retained = {}
        node.retained[self._output_nr] = weakref.ref(self)

    def register_post_accumulate_grad_hook(self, hook: Any) -> RemovableHandle:
        """Calls `hook(self)` after each backward pass has accumulated all of this leaf's
        gradients into `.grad` (PyTorch's hook of the same name). Returns a handle whose
        `remove()` unregisters it."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               f"tensors (this one was made by '{self.grad_fn.label}')")
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = {}
        return RemovableHandle(self._post_accumulate_hooks, hook)

    @property
    def retains_grad(self) -> builtins.bool:
        node = self.grad_fn
        return bool(node is not None and node.retained and self._output_nr in node.retained)

    # ------------------------------------------------------------------ in place
    def __setitem__(self, index: Any, value: Any) -> None:
        inplace.check(self, "setitem", value)
        try:
            self._array[normalize_index(index)] = _raw(value)
        except (IndexError, ValueError) as error:
            raise type(error)(f"setitem on a tensor of shape {self.shape}: {error}") from None
        version.bump(self)

    def zero_(self) -> Tensor:
        inplace.check(self, "zero_")
        self._array[...] = 0
        version.bump(self)
        return self

    def fill_(self, value: Any) -> Tensor:
        inplace.check(self, "fill_")
        self._array[...] = _raw(value)
        version.bump(self)
        return self

    def copy_(self, source: Any) -> Tensor:
        inplace.check(self, "copy_", source)
        self._array[...] = _raw(source)
        version.bump(self)
        return self

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        suffixes = []
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        device = None if self.device.type == "cpu" else str(self.device)
        return tensor_repr(_host(self._array), suffixes, device)

    __str__ = __repr__


# ---------------------------------------------------------------------- helpers
class RemovableHandle:
    """What registering a hook returns: `remove()` takes the hook away again. The handle
    itself is the hook's key, so no counter is needed."""

    def __init__(self, hooks: dict[Any, Any], hook: Any) -> None:
        self._hooks = hooks
        hooks[self] = hook

    def remove(self) -> None:
        self._hooks.pop(self, None)


def _host(array: Any) -> np.ndarray:
    return array if isinstance(array, _ndarray) else array.get()


def _raw(value: Any) -> Any:
    return value._array if isinstance(value, Tensor) else value


def parse_to_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    """(dtype, device) from `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(tensor)`."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    kwargs.pop("non_blocking", None)
    kwargs.pop("copy", None)
    if kwargs:
        raise TypeError(f"to(): unexpected arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype, device = arg.dtype, arg.device
        elif isinstance(arg, (str, Device)):
            device = arg
        else:
            dtype = arg
    return dtype, device


def seed_gradient(op: str, output: Tensor, gradient: Any, create_graph: bool) -> Any:
    """The gradient backward starts from: 1 for one element, else the caller's, checked."""
    if gradient is None:
        if output._array.size != 1:
            raise RuntimeError(
                f"{op}: a gradient can be created implicitly only for an output of one "
                f"element, but this output has shape {output.shape}; pass gradient= (a "
                f"tensor of shape {output.shape})")
        seed = _ones_like(output._array)
    else:
        if not isinstance(gradient, Tensor):
            raise TypeError(f"{op}: gradient must be a Tensor (or None), got "
                            f"{type(gradient).__name__}")
        seed = gradient._array
        if seed.shape != output.shape:
            raise RuntimeError(f"{op}: gradient has shape {tuple(seed.shape)}, but the output "
                               f"has shape {output.shape}; they must match")
        if seed.dtype != output._array.dtype:
            raise TypeError(f"{op}: gradient has dtype {seed.dtype}, but the output has dtype "
                            f"{output._array.dtype}; pass a gradient of the output's dtype")
    if create_graph:
        return gradient if isinstance(gradient, Tensor) else Tensor._make(seed, None)
    return seed


def _ones_like(array: Any) -> Any:
    return array_module(array).ones(array.shape, dtype=array.dtype)
