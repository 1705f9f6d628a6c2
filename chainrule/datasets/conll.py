"""CoNLL column files (one token per line, the tag in the last column, a blank line between
sentences, `-DOCSTART-` lines between documents), as in the CoNLL-2003 NER data."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["read_conll", "iob1_to_iob2"]


def iob1_to_iob2(tags: list[str]) -> list[str]:
    """IOB1 (B- only between two adjacent entities of one type) to IOB2 (every entity starts
    with B-): an I-X becomes B-X when the tag before it is O or of another type."""
    converted = []
    previous = "O"
    for tag in tags:
        if tag.startswith("I-") and (previous == "O" or previous[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        converted.append(tag)
        previous = tag
    return converted


def read_conll(path: str | os.PathLike[str], scheme: str = "iob1", tag_column: int = -1
               ) -> list[list[tuple[str, str]]]:
    """Sentences as lists of (token, tag); `scheme='iob2'` converts IOB1 tags to IOB2.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.txt")
    >>> _ = open(path, "w").write("-DOCSTART- -X- O O\\n\\nParis NNP I-NP I-LOC\\nis VBZ I-VP O\\n")
    >>> read_conll(path, scheme="iob2")
    [[('Paris', 'B-LOC'), ('is', 'O')]]
    """
    if scheme not in ("iob1", "iob2"):
        raise ValueError(f"read_conll: scheme must be 'iob1' or 'iob2', got {scheme!r}")
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"read_conll: no file at {file}")
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    with file.open(encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, start=1):
            columns = line.split()
            if not columns or columns[0] == "-DOCSTART-":
                if current:
                    sentences.append(current)
                    current = []
                continue
            if len(columns) < 2:
                raise ValueError(f"read_conll: {file}, line {number}: expected a token and a "
                                 f"tag, got {line.strip()!r}")
            current.append((columns[0], columns[tag_column]))
    if current:
        sentences.append(current)
    if scheme == "iob2":
        sentences = [list(zip([t for t, _ in s], iob1_to_iob2([g for _, g in s])))
                     for s in sentences]
    return sentences
