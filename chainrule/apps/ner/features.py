"""Words to numbers: the vocabulary, the capitalisation feature, suffixes, and windows.

A word is looked up lower-cased with its digits replaced by 0 ("Paris" and "PARIS" share a
vector, "1996" and "2001" too); what lower-casing throws away comes back as the
capitalisation class, a small learned embedding (Collobert et al. 2011).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["PAD_START", "PAD_END", "UNKNOWN", "Vocabulary", "normalise", "caps_class",
           "CAPS_CLASSES", "suffix", "windows"]

PAD_START, PAD_END, UNKNOWN = "<s>", "</s>", "<unk>"
_DIGITS = re.compile(r"\d")

#: Capitalisation classes: 0 padding, then all lower, first upper, all upper, has upper
#: elsewhere, and no letters at all.
CAPS_CLASSES = ("<pad>", "lower", "first_upper", "all_upper", "has_upper", "no_letters")


def normalise(word: str) -> str:
    return _DIGITS.sub("0", word.lower())


def caps_class(word: str) -> int:
    """The capitalisation class of a word (an index into CAPS_CLASSES)."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return 5
    if all(c.islower() for c in letters):
        return 1
    if all(c.isupper() for c in letters):
        return 3
    if word[0].isupper() and all(c.islower() for c in letters[1:]):
        return 2
    return 4


def suffix(word: str, length: int = 3) -> str:
    return normalise(word)[-length:]


class Vocabulary:
    """Strings to ids: id 0 is the start pad, 1 the end pad, 2 unknown."""

    def __init__(self, items: Sequence[str], counts: dict[str, int] | None = None) -> None:
        self.items = [PAD_START, PAD_END, UNKNOWN] + [i for i in items if i not in
                                                      (PAD_START, PAD_END, UNKNOWN)]
        self.index = {item: position for position, item in enumerate(self.items)}
        self.counts = counts or {}

    @classmethod
    def build(cls, tokens: Iterable[str], min_count: int = 1) -> Vocabulary:
        counts = Counter(tokens)
        kept = sorted((t for t, c in counts.items() if c >= min_count),
                      key=lambda t: (-counts[t], t))
        return cls(kept, dict(counts))

    def __len__(self) -> int:
        return len(self.items)

    def ids(self, tokens: Iterable[str]) -> list[int]:
        return [self.index.get(token, 2) for token in tokens]

    def singletons(self) -> np.ndarray:
        """A mask over ids: True for words seen once in training (word dropout targets)."""
        mask = np.zeros(len(self.items), dtype=bool)
        for item, position in self.index.items():
            if self.counts.get(item, 0) == 1:
                mask[position] = True
        return mask


def windows(sentences: Sequence[Sequence[int]], width: int, start: int, end: int
            ) -> np.ndarray:
    """Every token's window of ids (width odd): `width // 2` neighbours on each side, padded
    with `start`/`end` at sentence edges. Shape (tokens, width), built without a per-token
    Python loop over the window."""
    if width % 2 != 1:
        raise ValueError(f"the window width must be odd, got {width}")
    half = width // 2
    rows = []
    for sentence in sentences:
        padded = np.concatenate([np.full(half, start), np.asarray(sentence, dtype=np.int64),
                                 np.full(half, end)]).astype(np.int64)
        if len(sentence):
            rows.append(np.lib.stride_tricks.sliding_window_view(padded, width))
    if not rows:
        return np.zeros((0, width), dtype=np.int64)
    return np.concatenate(rows).astype(np.int64)
