"""The character-level model's text: where the corpus is, how it is read, and how it is cut
into batches for truncated backpropagation through time.

The default corpus is the words of the CoNLL-2003 training file, one sentence per line (the
library never downloads; the file is looked for under `$CHAINRULE_DATA/conll2003/` and then
`../shared/data/conll2003/` beside the repository). Any other UTF-8 text file works too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from chainrule.datasets import read_conll

__all__ = ["default_corpus", "read_corpus", "Alphabet", "StreamBatches"]


def default_corpus() -> Path:
    """CoNLL-2003's train.txt: under $CHAINRULE_DATA/conll2003/, else under
    ../shared/data/conll2003/ beside the repository (a FileNotFoundError saying where it
    looked when it is in neither)."""
    places = []
    if os.environ.get("CHAINRULE_DATA"):
        places.append(Path(os.environ["CHAINRULE_DATA"]) / "conll2003" / "train.txt")
    repository = Path(__file__).resolve().parents[3]
    places.append(repository.parent / "shared" / "data" / "conll2003" / "train.txt")
    for place in places:
        if place.is_file():
            return place
    raise FileNotFoundError("no default corpus: looked for " + " and ".join(map(str, places))
                            + "; give a text file with --corpus FILE, or set CHAINRULE_DATA to "
                            "the folder holding conll2003/")


def _is_conll(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as stream:
        for line in stream:
            if line.strip():
                return line.startswith("-DOCSTART-")
    return False


def read_corpus(path: str | os.PathLike[str], max_chars: int | None = None) -> str:
    """The text of `path`: a CoNLL column file (it begins with -DOCSTART-) as its words, one
    sentence per line; any other file as it is. At most `max_chars` characters."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no corpus file at {file}")
    if _is_conll(file):
        text = "\n".join(" ".join(token for token, _ in sentence)
                         for sentence in read_conll(file)) + "\n"
    else:
        text = file.read_text(encoding="utf-8", errors="replace")
    text = text[:max_chars] if max_chars else text
    if len(text) < 2:
        raise ValueError(f"the corpus {file} has {len(text)} characters; a language model needs "
                         "text to learn from")
    return text


class Alphabet:
    """The characters a model knows, each with an id (in sorted order)."""

    def __init__(self, characters: str) -> None:
        self.characters = "".join(sorted(set(characters)))
        self.ids = {character: index for index, character in enumerate(self.characters)}

    def __len__(self) -> int:
        return len(self.characters)

    def encode(self, text: str) -> np.ndarray:
        unknown = sorted(set(text) - set(self.ids))
        if unknown:
            raise ValueError(f"characters the model never saw: {''.join(unknown)!r}; it knows "
                             f"{self.characters!r}")
        return np.fromiter((self.ids[character] for character in text), dtype=np.int64,
                           count=len(text))

    def decode(self, ids: np.ndarray | list[int]) -> str:
        return "".join(self.characters[int(index)] for index in ids)


class StreamBatches:
    """Truncated BPTT batches: the text cut into `batch` parallel streams (column k is the
    k-th stretch of the text), read `length` steps at a time. Batch i's inputs continue
    batch i−1's in every column, so the model carries its state from one to the next.
    Yields (inputs, targets), each (length, batch) int64, targets one character ahead."""

    def __init__(self, ids: np.ndarray, batch: int, length: int) -> None:
        steps = (len(ids) - 1) // batch
        if steps < 1:
            raise ValueError(f"{len(ids)} characters are too few for {batch} streams; use a "
                             "smaller --batch-size or a longer text")
        self.inputs = ids[:steps * batch].reshape(batch, steps).T
        self.targets = ids[1:steps * batch + 1].reshape(batch, steps).T
        self.length = length

    def __len__(self) -> int:
        return -(-self.inputs.shape[0] // self.length)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, self.inputs.shape[0], self.length):
            stop = start + self.length
            yield self.inputs[start:stop], self.targets[start:stop]
