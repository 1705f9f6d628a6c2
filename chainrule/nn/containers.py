"""Containers: `Sequential` runs modules in order; `ModuleList` and `ModuleDict` hold them for
your forward, registered so their parameters are found (a plain list's or dict's would not
be). `ParameterList` and `ParameterDict` are in `parameter_containers`."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

from .module import Module

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


class _IndexedModules(Module):
    """What Sequential and ModuleList share: children named "0", "1", … kept in order."""

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())  # type: ignore[arg-type]

    def _absolute(self, index: int) -> int:
        index = _int_index(index)
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} is out of range")
        return index % len(self) if len(self) else index

    def _renumber(self, modules: Iterable[Module]) -> None:
        """Children become `modules`, named "0", "1", … again (after a delete or insert)."""
        modules = list(modules)
        for name in self._modules:
            self.__dict__.pop(name, None)
        self._modules.clear()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[self._absolute(index)]
        self.add_module(name, _checked(module, name, type(self).__name__))

    def __delitem__(self, index: int | slice) -> None:
        items = list(self._modules.items())
        if isinstance(index, slice):
            del items[index]
        else:
            del items[self._absolute(index)]
        # As torch, the rest are renamed "0", "1", … (a Sequential's OrderedDict names too).
        self._renumber(module for _, module in items)  # type: ignore[misc]

    def pop(self, index: int | slice) -> Any:
        value = self[index]  # type: ignore[index]
        del self[index]
        return value

    def append(self, module: Module) -> Any:
        self.add_module(str(len(self)), _checked(module, str(len(self)), type(self).__name__))
        return self

    def extend(self, modules: Iterable[Module]) -> Any:
        if not isinstance(modules, Iterable) or isinstance(modules, Module) and \
                not isinstance(modules, _IndexedModules):
            raise TypeError(f"{type(self).__name__}.extend should be called with an iterable, "
                            f"but got {type(modules).__name__}")
        for module in list(modules):
            self.append(module)
        return self

    def __dir__(self) -> list[str]:
        return [key for key in super().__dir__() if not key.isdigit()]


class Sequential(_IndexedModules):
    """Modules applied one after another; children are named "0", "1", … (or by an
    OrderedDict's keys).

    >>> import chainrule as cr
    >>> net = cr.nn.Sequential(cr.nn.Linear(2, 100), cr.nn.ReLU(), cr.nn.Linear(100, 3))
    >>> net(cr.zeros(5, 2)).shape
    chainrule.Size([5, 3])
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, _checked(module, name, "Sequential"))
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), _checked(module, str(index), "Sequential"))

    def forward(self, input: Any) -> Any:  # noqa: A002
        value = input
        for module in self._modules.values():
            value = module(value)  # type: ignore[misc]
        return value

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[self._absolute(index)][1]

    def insert(self, index: int, module: Module) -> Sequential:
        _checked(module, str(index), "Sequential")
        size = len(self)
        if not -size <= _int_index(index) <= size:
            raise IndexError(f"Index out of range: {index}")
        modules = list(self)
        modules.insert(index, module)
        self._renumber(modules)
        return self

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError("add operator supports only objects of Sequential class, but "
                             f"{type(other)} is given.")
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError("add operator supports only objects of Sequential class, but "
                             f"{type(other)} is given.")
        return self.extend(list(other))  # type: ignore[no-any-return]

    def __mul__(self, other: int) -> Sequential:
        if not isinstance(other, int) or isinstance(other, bool):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and "
                            f"{type(other)}")
        if other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")
        return Sequential(*(list(self) * other))

    __rmul__ = __mul__


class ModuleList(_IndexedModules):
    """A list of modules whose parameters are registered (a plain list's would not be)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])  # type: ignore[arg-type]
        return modules[self._absolute(index)]

    def insert(self, index: int, module: Module) -> None:
        _checked(module, str(index), "ModuleList")
        modules = list(self)
        modules.insert(index, module)
        self._renumber(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList(chain(self, other))

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        """torch's: runs of equal children collapse to `(0-2): 3 x Linear(...)`."""
        if not self._modules:
            return "ModuleList()"
        lines = []
        shown = [repr(module) for module in self]
        start = 0
        while start < len(shown):
            end = start
            while end + 1 < len(shown) and shown[end + 1] == shown[start]:
                end += 1
            body = shown[start].replace("\n", "\n  ")
            lines.append(f"({start}): {body}" if end == start
                         else f"({start}-{end}): {end - start + 1} x {body}")
            start = end + 1
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules, registered under their keys (so a parameter's name is
    `key.weight`), kept in insertion order; as `nn.ModuleDict`."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
                 ) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]  # type: ignore[return-value]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str):
            raise TypeError(f"module name should be a string. Got {type(key).__name__}")
        if not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if "." in key or key == "":
            raise KeyError(f"module name can't contain \".\", got: {key}" if key
                           else "module name can't be empty string \"\"")
        if key not in self._modules and hasattr(self, key):
            raise KeyError(f"attribute '{key}' already exists")
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]
        self.__dict__.pop(key, None)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        for key in list(self._modules):
            del self[key]

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def keys(self) -> Any:
        return self._modules.keys()

    def items(self) -> Any:
        return self._modules.items()

    def values(self) -> Any:
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Adds (or replaces) entries from a mapping or from (key, module) pairs."""
        if isinstance(modules, (Mapping, ModuleDict)):
            for key, module in modules.items():
                self[key] = module
            return
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleDict.update should be called with an iterable of key/value "
                            f"pairs, but got {type(modules).__name__}")
        for number, element in enumerate(modules):
            if not isinstance(element, Iterable):
                raise TypeError(f"ModuleDict update sequence element #{number} should be "
                                f"Iterable; is {type(element).__name__}")
            pair: tuple[Any, ...] = tuple(element)
            if len(pair) != 2:
                raise ValueError(f"ModuleDict update sequence element #{number} has length "
                                 f"{len(pair)}; 2 is required")
            self[pair[0]] = pair[1]


def _int_index(index: Any) -> int:
    if hasattr(index, "__index__") and not isinstance(index, bool):
        return int(index.__index__())
    raise TypeError(f"indices must be integers or slices, not {type(index).__name__}")


def _checked(module: Any, name: str, container: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{container}: entry {name} is a {type(module).__name__}, not an "
                        "nn.Module")
    return module
