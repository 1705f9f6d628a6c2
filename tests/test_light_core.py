"""`import chainrule` loads the library only: no application (chainrule.apps) and none of the
packages the applications need, so a program that only differentiates pays for neither."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import chainrule

APPLICATION_DEPENDENCIES = ["matplotlib", "tqdm", "seqeval", "graphviz", "pandas",
                            "tensorboardX", "google"]
PACKAGE = Path(chainrule.__file__).parent


@pytest.fixture(scope="module")
def modules_after_import() -> set[str]:
    """The modules a fresh interpreter holds after `import chainrule` (a subprocess: this
    one has imported the applications for other tests)."""
    script = "import json, sys, chainrule; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=PACKAGE.parent)
    return set(json.loads(result.stdout))


def _top_level(modules: set[str], names: list[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & set(names))


def test_import_chainrule_loads_no_application(modules_after_import: set[str]) -> None:
    assert "chainrule.nn" in modules_after_import  # the check sees chainrule's own modules
    assert sorted(m for m in modules_after_import if m.startswith("chainrule.apps")) == []
    assert _top_level(modules_after_import, APPLICATION_DEPENDENCIES) == []


def test_import_chainrule_loads_no_scipy(modules_after_import: set[str]) -> None:
    assert _top_level(modules_after_import, ["scipy"]) == []


def _imported_names(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a chainrule source file, relative
    imports resolved (`from ..x import y` gives chainrule.x and chainrule.x.y)."""
    package = ["chainrule", *path.relative_to(PACKAGE).parts[:-1]]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[:len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found += [(node.lineno, base)]
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def test_no_library_module_imports_the_applications() -> None:
    """Not even inside a function: the library must work without chainrule.apps."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "apps" or relative.name == "__main__.py":
            continue  # the applications themselves, and `python -m chainrule`
        offenders += [f"{relative}:{line} imports {name}" for line, name in _imported_names(path)
                      if name == "chainrule.apps" or name.startswith("chainrule.apps.")]
    assert offenders == []


def test_import_chainrule_loads_no_mpi(modules_after_import: set[str]) -> None:
    """chainrule.distributed imports mpi4py (and so starts MPI) in init_process_group only."""
    assert "chainrule.distributed" in modules_after_import
    assert _top_level(modules_after_import, ["mpi4py"]) == []
