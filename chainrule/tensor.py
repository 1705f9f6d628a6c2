"""The Tensor: an n-dimensional array that records the gates applied to it.

A tensor holds a NumPy (or CuPy) array, whether it requires a gradient, the gate that made
it (`grad_fn`, None for leaves) and, after backward, its gradient. Its operators and methods
only pick the gate and call `Gate.apply`; all arithmetic lives in `chainrule.ops`.
"""

from __future__ import annotations

import builtins
import weakref
from collections import namedtuple
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import _dtype
from ._dtype import DType
from .backends import Device, array_module, device_of
from .engine.variable import Variable

__all__ = ["Tensor", "to_array"]

#: What `max(dim)` / `min(dim)` return, as in PyTorch: a pair you can unpack or name.
MaxResult = namedtuple("MaxResult", ["values", "indices"])

_ndarray = np.ndarray
_generic = np.generic
_FLOAT_DEFAULT = _dtype.default_float.numpy
_INT64 = np.dtype(np.int64)


def _python_data_dtype(array: np.ndarray) -> np.dtype:
    """PyTorch's dtype for data given as Python numbers: float32, int64 or bool."""
    kind = array.dtype.kind
    if kind == "f":
        return _FLOAT_DEFAULT
    if kind in "iu":
        return _INT64
    if kind == "b":
        return array.dtype
    raise TypeError(f"cannot make a tensor from data of dtype {array.dtype}; expected numbers "
                    "(bool, int, float), nested lists of them, or an array")


def to_array(data: Any, dtype: Any = None, copy: bool = True) -> np.ndarray:
    """Data (a tensor, an array, a number or nested lists) as an array, PyTorch's way:
    Python floats become float32 and ints int64, while arrays keep their dtype."""
    target = None if dtype is None else _dtype.to_numpy_dtype(dtype)
    if isinstance(data, Tensor):
        array = data._array
    elif isinstance(data, (_ndarray, _generic)) or hasattr(data, "__cuda_array_interface__"):
        array = data
        _dtype.from_numpy_dtype(array.dtype)  # a clear error for unsupported kinds
    else:
        try:
            array = np.asarray(data)
        except ValueError as error:
            raise ValueError(f"cannot make a tensor from {type(data).__name__}: the nested "
                             f"lists must be rectangular ({error})") from None
        if array.dtype == object:
            raise TypeError(f"cannot make a tensor from {type(data).__name__} holding "
                            f"{type(data[0]).__name__ if len(data) else 'nothing'}; expected "
                            "numbers or nested lists of numbers")
        if target is None:
            target = _python_data_dtype(array)
        copy = False  # np.asarray made a new array already
    if target is not None and array.dtype != target:
        return array.astype(target)
    if isinstance(array, _generic):
        return np.asarray(array)
    return array.copy() if copy else array


def _shape_args(op: str, sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """Accepts f(2, 3), f((2, 3)) and f([2, 3]), as PyTorch does."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for size in sizes:
        if not isinstance(size, (int, np.integer)):
            raise TypeError(f"{op}: sizes must be ints, got {sizes!r}")
    return tuple(int(size) for size in sizes)


class Tensor(Variable):
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

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        # PyTorch's `torch.Tensor(data)` makes the default float type whatever the data;
        # `cr.tensor(data)` is the constructor that infers the dtype.
        self._array = to_array(data, _dtype.default_float if dtype is None else dtype)
        self.grad_fn: Any = None
        self._grad: Tensor | None = None
        self._output_nr = 0
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
        return tensor

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self._array.shape  # type: ignore[no-any-return]

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
        """The same array as a tensor outside the graph (changes to it are not recorded)."""
        return Tensor._make(self._array, None)

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
            return self.shape
        return self.shape[_normalize_dim("size", dim, self.ndim)]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
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
        """The same array as a new leaf that does not require grad."""
        return Tensor._make(self._array, None)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self) -> Tensor:
        from .ops.elementwise import Clone

        return Clone.apply(self)

    def contiguous(self) -> Tensor:
        return self

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """`to(dtype)`, `to(device)`, `to(device, dtype)` or `to(other_tensor)`."""
        dtype, device = parse_to_arguments(args, kwargs)
        result = self
        if device is not None and Device(device) != self.device:
            from .ops.shape import ToDevice

            result = ToDevice.apply(result, Device(device))
        if dtype is not None:
            result = result._cast(_dtype.to_numpy_dtype(dtype))
        return result

    def _cast(self, target: np.dtype) -> Tensor:
        if self._array.dtype == target:
            return self
        if target.kind == "f" and self._array.dtype.kind == "f":
            from .ops.elementwise import Cast

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
        return str(self.dtype) if dtype is None else self.to(dtype)

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
        seed = _seed_gradient("backward", self, gradient, create_graph)
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

    @property
    def retains_grad(self) -> builtins.bool:
        node = self.grad_fn
        return bool(node is not None and node.retained and self._output_nr in node.retained)

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        return _binary(_ew.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _binary(_ew.Add, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _binary(_ew.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(_ew.Sub, other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _binary(_ew.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(_ew.Mul, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(_ew.Div, self, other, true_division=True)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(_ew.Div, other, self, true_division=True)

    def __pow__(self, exponent: Any) -> Tensor:
        return _binary(_ew.Pow, self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _binary(_ew.Pow, base, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _linalg.MatMul.apply(self, _as_tensor_operand("matmul", other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _linalg.MatMul.apply(_as_tensor_operand("matmul", other), self)

    def __neg__(self) -> Tensor:
        return _ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def matmul(self, other: Any) -> Tensor:
        return self @ other

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def neg(self) -> Tensor:
        return -self

    def pow(self, exponent: Any) -> Tensor:
        return self ** exponent

    def exp(self) -> Tensor:
        return _ew.Exp.apply(self._floating("exp"))

    def log(self) -> Tensor:
        return _ew.Log.apply(self._floating("log"))

    def sqrt(self) -> Tensor:
        return _ew.Sqrt.apply(self._floating("sqrt"))

    def abs(self) -> Tensor:
        return _ew.Abs.apply(self)

    def sign(self) -> Tensor:
        return Tensor._make(array_module(self._array).sign(self._array), None)

    def relu(self) -> Tensor:
        return _ew.Relu.apply(self)

    def sigmoid(self) -> Tensor:
        return _ew.Sigmoid.apply(self._floating("sigmoid"))

    def tanh(self) -> Tensor:
        return _ew.Tanh.apply(self._floating("tanh"))

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 - PyTorch's names
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        return _ew.Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return _binary(_ew.Maximum, self, other)

    def minimum(self, other: Any) -> Tensor:
        return _binary(_ew.Minimum, self, other)

    def _floating(self, op: str) -> Tensor:
        """Integer tensors are promoted to float32 first, as PyTorch does for exp, log, …"""
        if self._array.dtype.kind in "fc":
            return self
        return Tensor._make(self._array.astype(_FLOAT_DEFAULT), None)

    # ------------------------------------------------------------------ comparisons
    def _compare(self, other: Any, compare: Any) -> Any:
        if isinstance(other, Tensor):
            other = other._array
        elif not isinstance(other, (builtins.int, builtins.float, builtins.bool, _ndarray,
                                    _generic)):
            return NotImplemented
        try:
            return Tensor._make(compare(self._array, other), None)
        except ValueError:
            raise ValueError(f"comparison: shapes {self.shape} and "
                             f"{tuple(np.shape(other))} cannot be broadcast together") from None

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, np.greater_equal)

    def eq(self, other: Any) -> Any:
        return self == other

    def ne(self, other: Any) -> Any:
        return self != other

    def lt(self, other: Any) -> Any:
        return self < other

    def le(self, other: Any) -> Any:
        return self <= other

    def gt(self, other: Any) -> Any:
        return self > other

    def ge(self, other: Any) -> Any:
        return self >= other

    def __invert__(self) -> Tensor:
        if self._array.dtype.kind == "f":
            raise TypeError("~ is only defined for bool and integer tensors")
        return Tensor._make(~self._array, None)

    def __and__(self, other: Any) -> Tensor:
        return Tensor._make(self._array & _raw(other), None)

    def __or__(self, other: Any) -> Tensor:
        return Tensor._make(self._array | _raw(other), None)

    def __xor__(self, other: Any) -> Tensor:
        return Tensor._make(self._array ^ _raw(other), None)

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        return Tensor._make(self._array.any(axis=dim, keepdims=keepdim), None)

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        return Tensor._make(self._array.all(axis=dim, keepdims=keepdim), None)

    def isnan(self) -> Tensor:
        return Tensor._make(self._array != self._array, None)

    def isfinite(self) -> Tensor:
        return Tensor._make(np.isfinite(self._array), None)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: builtins.bool = False, dtype: Any = None) -> Tensor:
        source = self if dtype is None else self.to(dtype)
        axes = _reduce.normalize_axes("sum", dim, self.ndim)
        if source._array.dtype.kind in "biu" and dtype is None:
            return Tensor._make(source._array.sum(axis=axes, keepdims=keepdim, dtype=np.int64),
                                None)
        return _reduce.Sum.apply(source, axes, keepdim)

    def mean(self, dim: Any = None, keepdim: builtins.bool = False, dtype: Any = None) -> Tensor:
        source = self if dtype is None else self.to(dtype)
        if source._array.dtype.kind != "f":
            raise TypeError(f"mean: expected a floating-point tensor, got {source.dtype}; "
                            "convert first (e.g. x.float()) or pass dtype=")
        return _reduce.Mean.apply(source, _reduce.normalize_axes("mean", dim, self.ndim), keepdim)

    def prod(self, dim: Any = None, keepdim: builtins.bool = False) -> Tensor:
        return _reduce.Prod.apply(self, _reduce.normalize_axes("prod", dim, self.ndim), keepdim)

    def max(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """The largest element; with `dim`, (values, indices) along it; with a tensor, the
        elementwise maximum."""
        return self._extreme("max", dim, keepdim, largest=True)

    def min(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        return self._extreme("min", dim, keepdim, largest=False)

    def _extreme(self, op: str, dim: Any, keepdim: builtins.bool, largest: builtins.bool) -> Any:
        if isinstance(dim, Tensor):
            return self.maximum(dim) if largest else self.minimum(dim)
        if dim is None:
            return _reduce.MaxAll.apply(self, largest)
        axis = _normalize_dim(op, dim, self.ndim)
        values = _reduce.MaxDim.apply(self, axis, keepdim, largest)
        chosen = values.grad_fn.indices if values.grad_fn is not None else None
        if chosen is None:
            xp_arg = np.argmax if largest else np.argmin
            chosen = xp_arg(self._array, axis=axis, keepdims=True)
        indices = chosen if keepdim else chosen.squeeze(axis)
        return MaxResult(values, Tensor._make(indices.astype(np.int64, copy=False), None))

    def argmax(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
        return self._arg_extreme(dim, keepdim, largest=True)

    def argmin(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
        return self._arg_extreme(dim, keepdim, largest=False)

    def _arg_extreme(self, dim: builtins.int | None, keepdim: builtins.bool,
                     largest: builtins.bool) -> Tensor:
        source = self._array
        find = source.argmax if largest else source.argmin
        if dim is None:
            index = find()
            found = np.asarray(index).reshape((1,) * self.ndim if keepdim else ())
        else:
            found = find(axis=_normalize_dim("argmax", dim, self.ndim), keepdims=keepdim)
        return Tensor._make(found.astype(np.int64, copy=False), None)

    def var(self, dim: Any = None, keepdim: builtins.bool = False, *, correction: Any = 1,
            unbiased: builtins.bool | None = None) -> Tensor:
        """Σ(x − mean)² / (N − correction); `unbiased=False` means correction 0."""
        if unbiased is not None:
            correction = 1 if unbiased else 0
        axes = _reduce.normalize_axes("var", dim, self.ndim)
        count = self.numel() if axes is None else int(np.prod([self.shape[a] for a in axes]))
        centred = self - self.mean(dim=axes, keepdim=True)
        return (centred * centred).sum(dim=axes, keepdim=keepdim) / builtins.max(
            count - correction, 0)

    def std(self, dim: Any = None, keepdim: builtins.bool = False, *, correction: Any = 1,
            unbiased: builtins.bool | None = None) -> Tensor:
        return self.var(dim, keepdim, correction=correction, unbiased=unbiased).sqrt()

    def logsumexp(self, dim: Any, keepdim: builtins.bool = False) -> Tensor:
        return _reduce.LogSumExp.apply(self._floating("logsumexp"),
                                       _reduce.normalize_axes("logsumexp", dim, self.ndim),
                                       keepdim)

    def softmax(self, dim: builtins.int) -> Tensor:
        return _reduce.Softmax.apply(self._floating("softmax"),
                                     _normalize_dim("softmax", dim, self.ndim))

    def log_softmax(self, dim: builtins.int) -> Tensor:
        return _reduce.LogSoftmax.apply(self._floating("log_softmax"),
                                        _normalize_dim("log_softmax", dim, self.ndim))

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        return _shape.Reshape.apply(self, _resolve_shape("reshape", self, _shape_args(
            "reshape", shape)))

    def view(self, *shape: Any) -> Tensor:
        return _shape.View.apply(self, _resolve_shape("view", self, _shape_args("view", shape)))

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        if self.ndim == 0:
            return _shape.Flatten.apply(self, (1,))
        start = _normalize_dim("flatten", start_dim, self.ndim)
        end = _normalize_dim("flatten", end_dim, self.ndim)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        middle = 1
        for size in shape[start:end + 1]:
            middle *= size
        return _shape.Flatten.apply(self, shape[:start] + (middle,) + shape[end + 1:])

    def squeeze(self, dim: Any = None) -> Tensor:
        if dim is None:
            new_shape = tuple(size for size in self.shape if size != 1)
        else:
            axes = _reduce.normalize_axes("squeeze", dim, self.ndim) or ()
            new_shape = tuple(size for i, size in enumerate(self.shape)
                              if not (i in axes and size == 1))
        return _shape.Squeeze.apply(self, new_shape)

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        axis = _normalize_dim("unsqueeze", dim, self.ndim + 1)
        return _shape.Unsqueeze.apply(self, self.shape[:axis] + (1,) + self.shape[axis:])

    def permute(self, *dims: Any) -> Tensor:
        order = _shape_args("permute", dims)
        if len(order) != self.ndim or sorted(_normalize_dim("permute", d, self.ndim)
                                             for d in order) != list(range(self.ndim)):
            raise ValueError(f"permute: dims {order} are not a permutation of the "
                             f"{self.ndim} dimensions of a tensor of shape {self.shape}")
        return _shape.Permute.apply(self, tuple(d % builtins.max(self.ndim, 1) for d in order))

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        order = list(range(self.ndim))
        a = _normalize_dim("transpose", dim0, self.ndim)
        b = _normalize_dim("transpose", dim1, self.ndim)
        order[a], order[b] = order[b], order[a]
        return _shape.Transpose.apply(self, tuple(order))

    swapaxes = transpose

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise ValueError(f"t(): expects a tensor of at most 2 dimensions, got {self.ndim}")
        return self.T

    def expand(self, *sizes: Any) -> Tensor:
        target = _shape_args("expand", sizes)
        if len(target) < self.ndim:
            raise ValueError(f"expand: the target {target} has fewer dimensions than the "
                             f"tensor's shape {self.shape}")
        lead = len(target) - self.ndim
        shape = tuple(self.shape[i - lead] if size == -1 and i >= lead else size
                      for i, size in enumerate(target))
        return _broadcast.BroadcastTo.apply(self, shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> Tensor:
        try:
            return _indexing.GetItem.apply(self, _normalize_index(index))
        except IndexError as error:
            raise IndexError(f"index {index!r} does not fit a tensor of shape {self.shape}: "
                             f"{error}") from None

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace("setitem", value)
        try:
            self._array[_normalize_index(index)] = _raw(value)
        except (IndexError, ValueError) as error:
            raise type(error)(f"setitem on a tensor of shape {self.shape}: {error}") from None

    # ------------------------------------------------------------------ in place
    def _check_inplace(self, op: str, other: Any = None) -> None:
        if state.grad_enabled and (self._requires_grad or (isinstance(other, Tensor)
                                                           and other._requires_grad)):
            raise RuntimeError(
                f"{op}: in-place change of a tensor that is part of a recorded graph; "
                "gradients through it would be wrong. Write it out of place (x = x + y) or "
                "do it inside `with cr.no_grad():` (as optimisers do)")

    def _inplace(self, op: str, ufunc: Any, other: Any) -> Tensor:
        self._check_inplace(op, other)
        value = _raw(other)
        result = np.result_type(self._array, value) if isinstance(value, (_ndarray, _generic)) \
            else self._array.dtype
        if result != self._array.dtype:
            raise TypeError(f"{op}: the result would be {result}, but this tensor is "
                            f"{self.dtype}; an in-place operation cannot hold it without "
                            "losing precision")
        if isinstance(value, builtins.float) and self._array.dtype.kind != "f":
            raise TypeError(f"{op}: a float cannot be stored in place in a {self.dtype} tensor")
        try:
            ufunc(self._array, value, out=self._array)
        except ValueError as error:
            raise ValueError(f"{op}: shape {tuple(np.shape(value))} cannot be broadcast to "
                             f"this tensor's shape {self.shape} ({error})") from None
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace("+=", np.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace("-=", np.subtract, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace("*=", np.multiply, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace("/=", np.true_divide, other)

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        return self._inplace("add_", np.add, other if alpha == 1 else _raw(other) * alpha)

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        return self._inplace("sub_", np.subtract, other if alpha == 1 else _raw(other) * alpha)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace("mul_", np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace("div_", np.true_divide, other)

    def zero_(self) -> Tensor:
        self._check_inplace("zero_")
        self._array[...] = 0
        return self

    def fill_(self, value: Any) -> Tensor:
        self._check_inplace("fill_")
        self._array[...] = _raw(value)
        return self

    def copy_(self, source: Any) -> Tensor:
        self._check_inplace("copy_", source)
        self._array[...] = _raw(source)
        return self

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        array = _host(self._array)
        body = np.array2string(array, separator=", ", precision=4, prefix="tensor(",
                               threshold=1000)
        extras = []
        if array.dtype not in (_FLOAT_DEFAULT, _INT64, np.dtype(np.bool_)):
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.label}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        return f"tensor({', '.join([body] + extras)})"

    __str__ = __repr__


# ---------------------------------------------------------------------- helpers
def _host(array: Any) -> np.ndarray:
    return array if isinstance(array, _ndarray) else array.get()


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


def _raw(value: Any) -> Any:
    return value._array if isinstance(value, Tensor) else value


def _normalize_dim(op: str, dim: Any, ndim: int) -> int:
    if not isinstance(dim, (builtins.int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    bound = builtins.max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of {ndim} "
                         f"dimension{'s' if ndim != 1 else ''} (expected {-bound}..{bound - 1})")
    return builtins.int(dim) % bound


def _resolve_shape(op: str, tensor: Tensor, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Fills a -1 in a target shape, with a clear error when the sizes cannot agree."""
    known = 1
    unknown = [i for i, size in enumerate(shape) if size == -1]
    for size in shape:
        if size != -1:
            known *= size
    total = tensor.numel()
    if len(unknown) > 1:
        raise ValueError(f"{op}: only one dimension can be -1, got {shape}")
    if unknown:
        if known == 0 or total % known:
            raise ValueError(f"{op}: cannot reshape a tensor of shape {tensor.shape} "
                             f"({total} elements) into {shape}")
        shape = shape[:unknown[0]] + (total // known,) + shape[unknown[0] + 1:]
    elif known != total:
        raise ValueError(f"{op}: cannot reshape a tensor of shape {tensor.shape} ({total} "
                         f"elements) into {shape} ({known} elements)")
    return shape


def _normalize_index(index: Any) -> tuple[Any, ...]:
    """Any index as a tuple of ints, slices, None, Ellipsis and arrays."""
    parts = index if isinstance(index, tuple) else (index,)
    normalized = []
    for part in parts:
        if isinstance(part, Tensor):
            if part._array.dtype.kind not in "biu":
                raise IndexError(f"tensors used as indices must be integer or bool, got "
                                 f"{part.dtype}")
            part = part._array
        elif isinstance(part, list):
            part = np.asarray(part)
            if part.dtype.kind not in "biu" and part.size:
                raise IndexError(f"lists used as indices must hold ints or bools, got "
                                 f"{part.dtype}")
            if not part.size:
                part = part.astype(np.int64)
        elif isinstance(part, np.integer):
            part = builtins.int(part)
        elif isinstance(part, builtins.float):
            raise IndexError("only integers, slices, None, Ellipsis and integer or bool "
                             "arrays are valid indices, not floats")
        normalized.append(part)
    return tuple(normalized)


def _as_tensor_operand(op: str, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (_ndarray, _generic, Sequence)):
        return Tensor._make(to_array(value, copy=False), None)
    raise TypeError(f"{op}: expected a Tensor, got {type(value).__name__}")


_NUMBER = (builtins.int, builtins.float, builtins.bool)


def _binary(gate: Any, a: Any, b: Any, true_division: bool = False) -> Tensor:
    """Applies a binary gate with PyTorch's type promotion.

    Python numbers stay Python numbers (weak: float32 * 2.5 stays float32); an integer or
    bool tensor meeting a float is promoted to that float type; integer division is true
    division in float32.
    """
    # Fast path: float tensors of one dtype, or a float tensor and a Python number.
    a_kind = a._array.dtype.kind if isinstance(a, Tensor) else None
    b_kind = b._array.dtype.kind if isinstance(b, Tensor) else None
    if (a_kind == "f" and (b_kind == "f" or b.__class__ in _NUMBER_TYPES)) or \
            (b_kind == "f" and a.__class__ in _NUMBER_TYPES):
        try:
            return gate.apply(a, b)  # type: ignore[no-any-return]
        except ValueError as error:
            raise _broadcast_error(gate, a, b, error) from None
    if a_kind is None:
        a = _operand(gate, a, b)
        a_kind = a._array.dtype.kind if isinstance(a, Tensor) else None
    if b_kind is None:
        b = _operand(gate, b, a)
        b_kind = b._array.dtype.kind if isinstance(b, Tensor) else None
    if (a_kind is not None and a_kind != "f") or (b_kind is not None and b_kind != "f"):
        a, b = _promote_to_float(a, b, true_division)
    try:
        return gate.apply(a, b)  # type: ignore[no-any-return]
    except ValueError as error:
        raise _broadcast_error(gate, a, b, error) from None


_NUMBER_TYPES = (builtins.float, builtins.int)


def _broadcast_error(gate: Any, a: Any, b: Any, error: ValueError) -> ValueError:
    """A clear error for operands that do not broadcast (other errors pass unchanged)."""
    if "broadcast" not in str(error):
        return error
    return ValueError(f"{gate.label}: shapes {tuple(np.shape(_raw(a)))} and "
                      f"{tuple(np.shape(_raw(b)))} cannot be broadcast together (sizes must "
                      "match or be 1, aligned from the right)")


def _operand(gate: Any, value: Any, partner: Any) -> Any:
    if isinstance(value, _NUMBER):
        return value
    if isinstance(value, (_ndarray, _generic, list, tuple)):
        return Tensor._make(to_array(value, copy=False), None)
    raise TypeError(f"{gate.label}: unsupported operand of type {type(value).__name__}; "
                    "expected a Tensor, an array or a number")


def _promote_to_float(a: Any, b: Any, true_division: bool) -> tuple[Any, Any]:
    """Casts integer/bool sides to the float type the operation needs."""
    kinds = [x._array.dtype.kind if isinstance(x, Tensor) else
             ("f" if isinstance(x, builtins.float) else "i") for x in (a, b)]
    if "f" in kinds:
        float_type = next((x._array.dtype for x in (a, b) if isinstance(x, Tensor)
                           and x._array.dtype.kind == "f"), _FLOAT_DEFAULT)
    elif true_division:
        float_type = _FLOAT_DEFAULT
    else:
        return a, b
    return tuple(Tensor._make(x._array.astype(float_type), None)
                 if isinstance(x, Tensor) and x._array.dtype.kind != "f" else x
                 for x in (a, b))  # type: ignore[return-value]


def _seed_gradient(op: str, output: Tensor, gradient: Any, create_graph: bool) -> Any:
    """The gradient backward starts from: 1 for one element, else the caller's, checked."""
    if gradient is None:
        if output._array.size != 1:
            raise RuntimeError(
                f"{op}: a gradient can be created implicitly only for an output of one "
                f"element, but this output has shape {output.shape}; pass gradient= (a "
                f"tensor of shape {output.shape})")
        seed = _ones_like(output._array)
    else:
        seed = _raw(gradient)
        if not hasattr(seed, "shape"):
            seed = np.asarray(seed, dtype=output._array.dtype)
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


# The gate modules (and through them the autograd package) import Tensor, so they are
# imported after it is defined.
from .engine.backward import run_backward  # noqa: E402
from .engine.grad_mode import state  # noqa: E402
from .ops import _broadcast  # noqa: E402
from .ops import elementwise as _ew  # noqa: E402
from .ops import indexing as _indexing  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import reduce as _reduce  # noqa: E402
from .ops import shape as _shape  # noqa: E402
