"""The package's structure: no import cycles, small modules and functions, a light import.

The synthetic packages below prove each check can fail; the last test runs every check on
this repository and lists each violation when it does.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from tools.import_graph import build_import_graph, import_targets, strongly_connected
from tools.structure import (
    check_confusable_names,
    check_cycles,
    check_function_lengths,
    check_loaded_modules,
    check_module_sizes,
    find_modules,
    run_checks,
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def write_package(root: Path, files: dict[str, str]) -> Path:
    """Write a synthetic `chainrule` package under root; every folder gets an `__init__.py`."""
    for relative, source in files.items():
        path = root / "chainrule" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    for folder in [root / "chainrule", *(root / "chainrule").rglob("*")]:
        if folder.is_dir() and not (folder / "__init__.py").exists():
            (folder / "__init__.py").write_text("")
    return root


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    write_package(tmp_path, {
        "a.py": """\
            def late():
                from chainrule import b
                return b
        """,
        "b.py": "from . import a\n",
    })
    result = check_cycles(tmp_path)
    assert len(result.violations) == 1
    chain, *steps = result.violations[0].splitlines()
    assert chain in ("chainrule.a -> chainrule.b -> chainrule.a",
                     "chainrule.b -> chainrule.a -> chainrule.b")
    assert {step.strip() for step in steps} == {"chainrule/a.py:2 imports chainrule.b",
                                               "chainrule/b.py:1 imports chainrule.a"}


def test_type_checking_imports_are_not_edges(tmp_path: Path) -> None:
    write_package(tmp_path, {
        "a.py": """\
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from chainrule.b import B
        """,
        "c.py": """\
            import typing
            if typing.TYPE_CHECKING:
                from . import b
            else:
                from . import d
        """,
        "b.py": "from chainrule import a, c\n",
        "d.py": "",
    })
    graph = build_import_graph(find_modules(tmp_path, "chainrule"))
    assert set(graph["chainrule.a"]) == set()
    assert set(graph["chainrule.c"]) == {"chainrule.d"}  # the else branch runs
    assert check_cycles(tmp_path).violations == []


MODULES = dict.fromkeys(["chainrule", "chainrule.pkg", "chainrule.pkg.sub", "chainrule.pkg.mod",
                         "chainrule.other"], Path("unused.py"))


@pytest.mark.parametrize(("importer", "is_package", "statement", "expected"), [
    ("chainrule.pkg.mod", False, "from . import sub", {"chainrule.pkg.sub"}),
    ("chainrule.pkg.mod", False, "from .sub import thing", {"chainrule.pkg.sub"}),
    ("chainrule.pkg.mod", False, "from .. import other", {"chainrule.other"}),
    ("chainrule.pkg.mod", False, "from . import thing", {"chainrule.pkg"}),
    ("chainrule.pkg.mod", False, "import numpy", set()),
    ("chainrule.pkg", True, "from . import sub", {"chainrule.pkg.sub"}),
    ("chainrule.pkg", True, "from .sub import thing", {"chainrule.pkg.sub"}),
    # Importing a submodule runs its parent packages' __init__ first.
    ("chainrule.other", False, "import chainrule.pkg.sub", {"chainrule.pkg", "chainrule.pkg.sub"}),
    ("chainrule.other", False, "from chainrule.pkg import sub",
     {"chainrule.pkg", "chainrule.pkg.sub"}),
    ("chainrule.other", False, "from .pkg.sub import thing",
     {"chainrule.pkg", "chainrule.pkg.sub"}),
    # Reading a name from one's own half-initialised package is an edge; passing through isn't.
    ("chainrule.other", False, "from chainrule import Tensor", {"chainrule"}),
])
def test_imports_resolve_as_python_runs_them(
    importer: str, is_package: bool, statement: str, expected: set[str]
) -> None:
    node = ast.parse(statement).body[0]
    assert isinstance(node, (ast.Import, ast.ImportFrom))
    assert import_targets(node, importer, is_package, MODULES) == expected


def test_strongly_connected_survives_a_deep_cycle() -> None:
    size = 100_000
    graph = {f"m{i}": {f"m{(i + 1) % size}": None} for i in range(size)}
    graph["alone"] = {}
    components = sorted(strongly_connected(graph), key=len)
    assert [len(component) for component in components] == [1, size]


def test_long_functions_are_reported_nested_ones_too(tmp_path: Path) -> None:
    body = "    x = 1\n" * 79  # with its def line, 80 lines: at the limit
    inner_body = "            x = 1\n" * 79
    write_package(tmp_path, {
        "long.py": f"def fits():\n{body}\n\n@staticmethod\n@staticmethod\ndef decorated():\n{body}",
        "nested.py": f"class Box:\n    def outer(self):\n        def inner():\n{inner_body}"
                     f"            return x\n        return inner\n",
    })
    violations = check_function_lengths(tmp_path).violations
    assert violations == ["chainrule/nested.py:2 Box.outer (83 lines)",
                          "chainrule/nested.py:3 Box.outer.inner (81 lines)"]


def test_oversized_modules_are_reported(tmp_path: Path) -> None:
    write_package(tmp_path, {"tensor.py": "x = 1\n" * 501, "big.py": "x = 1\n" * 600})
    assert check_module_sizes(tmp_path).violations == ["chainrule/tensor.py: 501 lines > 500"]


def test_function_functions_functional_may_not_coexist(tmp_path: Path) -> None:
    write_package(tmp_path, {"func.py": "", "nn/functional.py": ""})
    assert check_confusable_names(tmp_path).violations == []
    write_package(tmp_path, {"functions.py": ""})
    assert check_confusable_names(tmp_path).violations == [
        "functional: chainrule/nn/functional.py", "functions: chainrule/functions.py"]


def test_heavy_packages_and_apps_loaded_by_import_are_reported(tmp_path: Path) -> None:
    (tmp_path / "tqdm.py").write_text("")  # stands in for the real one, first on the path
    write_package(tmp_path, {"__init__.py": "import tqdm\nfrom .apps import ner\n",
                             "apps/ner.py": ""})
    result = check_loaded_modules(tmp_path)
    assert result.violations == ["loads tqdm", "loads chainrule.apps", "loads chainrule.apps.ner"]


def test_the_package_meets_its_structure_limits() -> None:
    failed = [result for result in run_checks(REPO_ROOT) if result.violations]
    if failed:
        reports = "\n\n".join(result.report(with_notes=False) for result in failed)
        pytest.fail(f"{len(failed)} structure check(s) failed "
                    f"(python -m tools.structure prints all):\n\n{reports}", pytrace=False)
