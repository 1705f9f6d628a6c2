"""`ParameterList` and `ParameterDict`: parameters held in a list or a dict, registered on the
module (state_dict keys `0`, `1`, … or the dict's keys), as PyTorch's. A plain tensor put in
one is wrapped as a Parameter; other objects are kept as plain attributes, as torch does."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..tensor import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["ParameterList", "ParameterDict"]


def _as_parameter(value: Any) -> Any:
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _describe(value: Any, dtype_name: str) -> str:
    """torch's one-line description of an entry, e.g.
    `Parameter containing: [torch.float32 of size 3x2]`."""
    if not isinstance(value, Tensor):
        return f"Object of type: {type(value).__name__}"
    size = "x".join(str(n) for n in value.shape)
    device = f" ({value.device})" if value.device.type != "cpu" else ""
    kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
    return f"{kind} containing: [{dtype_name} of size {size}{device}]"


class ParameterList(Module):
    """A list of parameters, registered as `0`, `1`, …

    >>> import chainrule as cr
    >>> params = cr.nn.ParameterList([cr.zeros(2), cr.ones(3)])
    >>> [name for name, _ in params.named_parameters()]
    ['0', '1']
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        object.__setattr__(self, "_size", 0)
        if values is not None:
            self.extend(values)

    def _absolute(self, index: Any) -> int:
        index = int(index.__index__()) if hasattr(index, "__index__") else index
        if not isinstance(index, int):
            raise TypeError(f"indices must be integers or slices, not {type(index).__name__}")
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} is out of range")
        return index % len(self)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ParameterList([self[i] for i in range(len(self))[index]])
        return getattr(self, str(self._absolute(index)))

    def __setitem__(self, index: int, value: Any) -> None:
        setattr(self, str(self._absolute(index)), _as_parameter(value))

    def __len__(self) -> int:
        return self._size  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        index = len(self)
        object.__setattr__(self, "_size", index + 1)
        setattr(self, str(index), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            + type(values).__name__)
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({index}): {_describe(value, str(getattr(value, 'dtype', '')))}"
                         for index, value in enumerate(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]


class ParameterDict(Module):
    """A dict of parameters, registered under their keys, in insertion order (a plain dict
    given to the constructor or `update` is taken in sorted key order, as torch does).

    >>> import chainrule as cr
    >>> params = cr.nn.ParameterDict({"scale": cr.ones(2)})
    >>> list(params.state_dict())
    ['scale']
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        object.__setattr__(self, "_keys", {})
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys:  # AttributeError, as torch's (it reads an attribute)
            raise AttributeError(f"ParameterDict has no key {key!r}; its keys are "
                                 f"{list(self._keys)}")
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"attribute name must be string, not '{type(key).__name__}'")
        if key not in self._keys and key in dir(type(self)):
            raise KeyError(f"attribute '{key}' already exists")
        self._keys[key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Any:
        return self._keys.keys()

    def items(self) -> list[tuple[str, Any]]:
        return [(key, self[key]) for key in self._keys]

    def values(self) -> list[Any]:
        return [self[key] for key in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._keys else default

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        if not self._keys:
            raise KeyError("popitem(): dictionary is empty")
        key = list(self._keys)[-1]
        return key, self.pop(key)

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def copy(self) -> ParameterDict:
        return ParameterDict({key: self[key] for key in self._keys}.items())

    def update(self, parameters: Any) -> None:
        """Entries from a ParameterDict or OrderedDict in order, a plain mapping in sorted key
        order, or (key, value) pairs."""
        if not isinstance(parameters, Iterable):
            raise TypeError("ParametersDict.update should be called with an iterable of "
                            f"key/value pairs, but got {type(parameters).__name__}")
        if isinstance(parameters, ParameterDict) or type(parameters).__name__ == "OrderedDict":
            pairs: Iterable[Any] = parameters.items()  # type: ignore[attr-defined]
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = parameters
        for number, pair in enumerate(pairs):
            if not isinstance(pair, Iterable):
                raise TypeError(f"ParameterDict update sequence element #{number} should be "
                                f"Iterable; is {type(pair).__name__}")
            pair = tuple(pair)
            if len(pair) != 2:
                raise ValueError(f"ParameterDict update sequence element #{number} has length "
                                 f"{len(pair)}; 2 is required")
            self[pair[0]] = pair[1]

    def __or__(self, other: ParameterDict) -> ParameterDict:
        merged = self.copy()
        merged.update(other)
        return merged

    def __ior__(self, other: ParameterDict) -> ParameterDict:
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({key}): {_describe(value, _legacy_type(value))}"
                         for key, value in self.items())

    def __call__(self, input: Any) -> Any:  # noqa: A002 - torch's signature
        raise RuntimeError("ParameterDict should not be called.")


def _legacy_type(value: Any) -> str:
    """torch.typename of a tensor, e.g. `torch.FloatTensor` (here `chainrule.FloatTensor`)."""
    return value.type() if isinstance(value, Tensor) else type(value).__name__
