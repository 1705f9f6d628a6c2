"""Containers: `Sequential` runs modules in order; `ModuleList` holds them for your forward."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from .module import Module

__all__ = ["Sequential", "ModuleList"]


class Sequential(Module):
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

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())  # type: ignore[arg-type]

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[index][1]

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), _checked(module, str(len(self)), "Sequential"))
        return self


class ModuleList(Module):
    """A list of modules whose parameters are registered (a plain list's would not be)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for module in modules or ():
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), _checked(module, str(len(self)), "ModuleList"))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]  # type: ignore[return-value]

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[index]
        self.add_module(name, _checked(module, name, "ModuleList"))


def _checked(module: Any, name: str, container: str) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{container}: entry {name} is a {type(module).__name__}, not an "
                        "nn.Module")
    return module
