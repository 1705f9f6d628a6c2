"""Makes `chainrule/_methods/__init__.py` and `chainrule/_namespace/__init__.py` importable
again when they disagree with the family modules beside them (after a merge of two branches
that each added a family), without importing chainrule.

`python -m chainrule.ops.generate` must import chainrule, whose `__init__` imports the
generated packages, so broken generated files would stop the generator that rewrites them.
This writes permissive versions that gather whatever family modules exist; then run
`python -m tools.bootstrap_generated && python -m chainrule.ops.generate`.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "chainrule"
HEADER = '"""Bootstrap (tools/bootstrap_generated.py): now run python -m chainrule.ops.generate."""'


def _families(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")


def _public_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]


def _mixins(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [node.name for node in tree.body if isinstance(node, ast.ClassDef)]


def main() -> None:
    namespace = PACKAGE / "_namespace"
    families = _families(namespace)
    names = [name for family in families for name in _public_functions(namespace / f"{family}.py")]
    lines = [HEADER, "", *[f"from .{family} import *  # noqa: F403" for family in families], "",
             f"__all__ = {names!r}", ""]
    (namespace / "__init__.py").write_text("\n".join(lines))
    methods = PACKAGE / "_methods"
    pairs = [(family, mixin) for family in _families(methods)
             for mixin in _mixins(methods / f"{family}.py")]
    lines = [HEADER, "", *[f"from .{family} import {mixin}" for family, mixin in pairs], "", "",
             f"class TensorMethods({', '.join(mixin for _, mixin in pairs)}):",
             "    __slots__ = ()", ""]
    (methods / "__init__.py").write_text("\n".join(lines))
    print(f"wrote bootstrap __init__ files over {len(families)} namespace families and "
          f"{len(pairs)} method mixins")


if __name__ == "__main__":
    main()
