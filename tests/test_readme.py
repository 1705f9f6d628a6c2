"""The README's Python blocks run as written (issue 16: the tour, copied literally, raised),
each in a fresh interpreter in an empty folder; the tour prints the trace the README shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import chainrule as cr

REPOSITORY = Path(cr.__file__).parent.parent
README = (REPOSITORY / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_the_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("number", range(len(BLOCKS)))
def test_readme_python_block_runs(number: int, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", BLOCKS[number]], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(REPOSITORY),
                               "OMPI_MCA_mpi_yield_when_idle": "1"})
    assert done.returncode == 0, f"README block {number + 1} failed:\n{done.stderr}"
    if number == 0:  # the tour: the trace shown under it, then the gradients
        shown = re.search(r"```python\n.*?```\n\n```text\n(.*?)```", README, re.S)
        assert shown is not None
        assert done.stdout.startswith(shown.group(1))
        assert done.stdout.rstrip().endswith("tensor(-4.) tensor(-4.) tensor(3.)")
        assert (tmp_path / "graph.svg").is_file()
