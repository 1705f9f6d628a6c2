"""The import graph of a package, and the cycles in it, read from source with `ast`.

Every import counts, at module level or inside a function, except those under
``if TYPE_CHECKING:``, which never run. Nothing here recurses over the graph.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path

# `if TYPE_CHECKING:` and `if typing.TYPE_CHECKING:`, compared as source text.
TYPE_CHECKING_TESTS = {"TYPE_CHECKING", "typing.TYPE_CHECKING"}

Location = tuple[Path, int]
Graph = dict[str, dict[str, Location]]  # importer -> imported -> where it is first imported


def find_modules(root: Path, package: str) -> dict[str, Path]:
    """Map each module's dotted name to its file; a package is named by its ``__init__.py``."""
    modules = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import anywhere in the tree (functions included), except under TYPE_CHECKING."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and ast.unparse(node.test) in TYPE_CHECKING_TESTS:
            stack.extend(node.orelse)  # only the else branch ever runs
        else:
            stack.extend(ast.iter_child_nodes(node))


def _from_base(node: ast.ImportFrom, importer: str, is_package: bool) -> str | None:
    if node.level == 0:
        return node.module
    package = importer if is_package else importer.rpartition(".")[0]
    parts = package.split(".")
    if node.level - 1 >= len(parts):
        return None  # climbs above the top-level package
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def import_targets(
    node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, modules: Mapping[str, Path]
) -> set[str]:
    """The package modules an import statement runs, the parent packages' ``__init__`` included.

    An importer's own ancestor packages are skipped when merely passed through: Python has
    begun running them before the importer, so it finds them in ``sys.modules``. They still
    count when read from (``from chainrule import Tensor``), which can fail half-initialised.
    """
    if isinstance(node, ast.Import):
        named = {alias.name for alias in node.names}
    else:
        base = _from_base(node, importer, is_package)
        if base is None:
            return set()
        named = {f"{base}.{alias.name}" for alias in node.names}
        if not named <= set(modules):  # some name is an attribute of base, not a submodule
            named = {name for name in named if name in modules} | {base}
    targets = set()
    for name in named:
        parts = name.split(".")
        parents = {".".join(parts[:end]) for end in range(1, len(parts))}
        targets |= {parent for parent in parents if not importer.startswith(parent + ".")}
        targets.add(name)
    return {target for target in targets if target in modules and target != importer}


def build_import_graph(modules: Mapping[str, Path]) -> Graph:
    graph: Graph = {name: {} for name in modules}
    for importer, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), str(path))
        for node in sorted(runtime_imports(tree), key=lambda node: node.lineno):
            for target in import_targets(node, importer, is_package, modules):
                graph[importer].setdefault(target, (path, node.lineno))
    return graph


def strongly_connected(graph: Mapping[str, Mapping[str, object]]) -> list[list[str]]:
    """Tarjan's algorithm with an explicit stack, so deep graphs cannot overflow recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    work: list[tuple[str, Iterator[str]]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        work.append((node, iter(sorted(graph[node]))))

    for root in graph:
        if root not in index:
            visit(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    visit(child)
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while not component or component[-1] != node:
                    component.append(stack.pop())
                    on_stack.discard(component[-1])
                components.append(sorted(component))
    return components


def shortest_cycle(graph: Graph, start: str, members: set[str]) -> list[str]:
    """The shortest chain ``start -> ... -> start`` inside one component, found breadth-first."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node]):
            if child == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(previous[chain[-1]])
                return chain[::-1] + [start]
            if child in members and child not in previous:
                previous[child] = node
                queue.append(child)
    return [start]
