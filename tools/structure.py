"""Print and check the structure of the chainrule package: cycles, sizes, names, imports.

Run from the repository root: ``python -m tools.structure [--root PATH]``. Exits nonzero when
any check fails; ``tests/test_structure.py`` runs the same checks.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.import_graph import (
    Graph,
    build_import_graph,
    find_modules,
    shortest_cycle,
    strongly_connected,
)

PACKAGE = "chainrule"
TENSOR_MAX_LINES = 500
MODULE_MAX_LINES = 600
FUNCTION_MAX_LINES = 80
CONFUSABLE_NAMES = {"function", "functions", "functional"}
HEAVY_PACKAGES = {"matplotlib", "tqdm", "seqeval", "graphviz", "scipy", "pandas"}
FORBIDDEN_SUBPACKAGE = f"{PACKAGE}.apps"


@dataclass
class CheckResult:
    name: str
    violations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # printed, but not failures

    def report(self, with_notes: bool = True) -> str:
        lines = [f"[{'FAIL' if self.violations else 'PASS'}] {self.name}"]
        lines += [f"  {note}" for note in self.notes if with_notes]
        return "\n".join(lines + [f"  - {bad}" for bad in self.violations])


def _describe_cycle(graph: Graph, chain: list[str], root: Path) -> str:
    steps = [
        f"\n      {graph[a][b][0].relative_to(root)}:{graph[a][b][1]} imports {b}"
        for a, b in zip(chain, chain[1:])
    ]
    return " -> ".join(chain) + "".join(steps)


def check_cycles(root: Path) -> CheckResult:
    graph = build_import_graph(find_modules(root, PACKAGE))
    result = CheckResult("import cycles (0 allowed)")
    seen: set[frozenset[tuple[str, str]]] = set()
    cyclic = [component for component in strongly_connected(graph) if len(component) > 1]
    for component in cyclic:
        for member in component:  # one shortest cycle through each member, minus repeats
            chain = shortest_cycle(graph, member, set(component))
            edges = frozenset(zip(chain, chain[1:]))
            if edges not in seen:
                seen.add(edges)
                result.violations.append(_describe_cycle(graph, chain, root))
    sizes = [len(component) for component in cyclic]
    result.notes.append(f"{len(cyclic)} cyclic group(s) of modules, sizes {sizes}; "
                        f"{len(seen)} distinct shortest cycle(s)")
    return result


def check_module_sizes(root: Path) -> CheckResult:
    result = CheckResult(f"module sizes (tensor.py <= {TENSOR_MAX_LINES}, "
                         f"others <= {MODULE_MAX_LINES} lines)")
    for name, path in find_modules(root, PACKAGE).items():
        lines = len(path.read_text().splitlines())
        limit = TENSOR_MAX_LINES if name == f"{PACKAGE}.tensor" else MODULE_MAX_LINES
        if lines > limit:
            result.violations.append(f"{path.relative_to(root)}: {lines} lines > {limit}")
    return result


def long_functions(path: Path, limit: int = FUNCTION_MAX_LINES) -> Iterator[tuple[int, str, int]]:
    """(line, qualified name, length) of each function longer than limit, nested ones too."""
    stack: list[tuple[ast.AST, str]] = [(ast.parse(path.read_text(), str(path)), "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                if not isinstance(child, ast.ClassDef) and length > limit:
                    yield child.lineno, name, length
                stack.append((child, name + "."))
            else:
                stack.append((child, prefix))


def check_function_lengths(root: Path) -> CheckResult:
    result = CheckResult(f"function lengths (<= {FUNCTION_MAX_LINES} lines)")
    for path in find_modules(root, PACKAGE).values():
        for line, name, length in sorted(long_functions(path)):
            result.violations.append(f"{path.relative_to(root)}:{line} {name} ({length} lines)")
    return result


def check_confusable_names(root: Path) -> CheckResult:
    result = CheckResult(f"module names (at most one of {', '.join(sorted(CONFUSABLE_NAMES))})")
    found: dict[str, list[str]] = {}
    for name, path in find_modules(root, PACKAGE).items():
        found.setdefault(name.rpartition(".")[2], []).append(str(path.relative_to(root)))
    clashing = sorted(CONFUSABLE_NAMES & set(found))
    if len(clashing) > 1:
        result.violations += [f"{base}: {', '.join(found[base])}" for base in clashing]
    return result


# Snapshot sys.modules before the import, so what site.py loads at start-up is not blamed on us.
_PROBE = """
import json, sys
before = set(sys.modules)
import chainrule
from importlib.metadata import packages_distributions
print(json.dumps({"file": chainrule.__file__, "modules": sorted(sys.modules),
                  "new": sorted(set(sys.modules) - before),
                  "distributed": sorted(packages_distributions())}))
"""


def probe_import(root: Path) -> dict[str, Any]:
    """Import the package in a fresh interpreter, with root first on the path."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"`import {PACKAGE}` failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_loaded_modules(root: Path) -> CheckResult:
    result = CheckResult(f"what `import {PACKAGE}` loads")
    try:
        probe = probe_import(root)
    except RuntimeError as error:
        result.violations.append(str(error))
        return result
    if not Path(probe["file"]).resolve().is_relative_to(root.resolve()):
        result.violations.append(f"imported {probe['file']}, not the package under {root}")
    ours = [name for name in probe["modules"] if name.partition(".")[0] == PACKAGE]
    tops = {name.partition(".")[0] for name in probe["modules"]}
    # A name some installed distribution provides is a real package, not a Cython helper.
    new_tops = {name.partition(".")[0] for name in probe["new"]} - {PACKAGE}
    third_party = sorted(new_tops & set(probe["distributed"]))
    result.notes += [f"{len(ours)} {PACKAGE} modules:"] + [f"  {name}" for name in ours]
    result.notes.append(f"third-party top-level packages: {', '.join(third_party) or 'none'}")
    result.violations += [f"loads {name}" for name in sorted(HEAVY_PACKAGES & tops)]
    result.violations += [f"loads {name}" for name in ours
                          if (name + ".").startswith(FORBIDDEN_SUBPACKAGE + ".")]
    return result


def layout(root: Path) -> list[str]:
    """One line per module, indented as a tree, with its docstring's first line."""
    lines = []
    modules = find_modules(root, PACKAGE)
    for name, path in sorted(modules.items(), key=lambda item: item[0].split(".")):
        label = "  " * name.count(".") + name.rpartition(".")[2]
        label += "/" if path.name == "__init__.py" else ".py"
        docstring = ast.get_docstring(ast.parse(path.read_text(), str(path))) or ""
        summary = docstring.strip().partition("\n")[0] or "(no docstring)"
        lines.append(f"{label:<32} {summary}")
    return lines


def run_checks(root: Path) -> list[CheckResult]:
    return [check(root) for check in (check_cycles, check_module_sizes, check_function_lengths,
                                      check_confusable_names, check_loaded_modules)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="repository root")
    root = parser.parse_args(argv).root.resolve()
    print(f"Layout of {PACKAGE}:")
    print("\n".join(f"  {line}" for line in layout(root)))
    results = run_checks(root)
    for result in results:
        print()
        print(result.report())
    failed = [result.name for result in results if result.violations]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
