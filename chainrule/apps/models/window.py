"""The window classifier of the CS224n notes (Collobert et al. 2011's window network).

Each word is classified from the window of words around it: the window's word vectors (and
small capitalisation and suffix vectors) are concatenated into x, then h = f(Wx + b), and
the tag scores are Uh + c. Backpropagation reaches the word vectors themselves, so they are
trained with the tagger. A second head s = uᵀh scores how plausible a window is, for the
notes' max-margin objective J = max(0, 1 − s + s_c) against the same window with its centre
word replaced (pre-training the word vectors on text without labels).
"""

from __future__ import annotations

from chainrule import Tensor, cat, nn, no_grad, tensor

__all__ = ["WindowClassifier"]


class WindowClassifier(nn.Module):
    """Window of ids (batch, width) → tag scores (batch, tags)."""

    def __init__(self, vocabulary_size: int, tags: int, width: int = 5, word_dim: int = 50,
                 caps_classes: int = 6, caps_dim: int = 5, suffix_size: int = 0,
                 suffix_dim: int = 0, hidden: int = 300, activation: str = "hardtanh",
                 dropout: float = 0.0) -> None:
        super().__init__()
        if activation not in ("tanh", "hardtanh"):
            raise ValueError(f"activation must be tanh or hardtanh, got {activation!r}")
        if width % 2 != 1:
            raise ValueError(f"the window width must be odd, got {width}")
        self.width = width
        # sparse: an optimiser step touches only the rows of the words in the batch
        self.words = nn.Embedding(vocabulary_size, word_dim, sparse=True)
        nn.init.xavier_uniform_(self.words.weight)
        self.caps = nn.Embedding(caps_classes, caps_dim)
        self.suffixes = nn.Embedding(suffix_size, suffix_dim, sparse=True) if suffix_size \
            else None
        per_word = word_dim + caps_dim + (suffix_dim if suffix_size else 0)
        self.hidden = nn.Linear(width * per_word, hidden)
        self.activation = nn.Tanh() if activation == "tanh" else nn.Hardtanh()
        self.dropout = nn.Dropout(dropout) if dropout else None
        self.output = nn.Linear(hidden, tags)
        self.plausibility = nn.Linear(hidden, 1)

    def load_vectors(self, vectors: dict[int, list[float]]) -> int:
        """Copies pre-trained vectors into rows of the word table; returns how many."""
        table = self.words.weight
        with no_grad():  # an initial value, not a step to differentiate through
            for row, vector in vectors.items():
                if len(vector) != table.shape[1]:
                    raise ValueError(f"a word vector has {len(vector)} numbers, the table "
                                     f"{table.shape[1]}")
                table[row] = tensor(vector, dtype=table.dtype)
        return len(vectors)

    def features(self, words: Tensor, caps: Tensor, suffixes: Tensor | None = None
                 ) -> Tensor:
        """h = f(Wx + b) for the concatenated window x."""
        parts = [self.words(words), self.caps(caps)]
        if self.suffixes is not None and suffixes is not None:
            parts.append(self.suffixes(suffixes))
        x = cat(parts, dim=2).flatten(1)
        h = self.activation(self.hidden(x))
        return self.dropout(h) if self.dropout is not None else h

    def forward(self, words: Tensor, caps: Tensor, suffixes: Tensor | None = None) -> Tensor:
        return self.output(self.features(words, caps, suffixes))

    def window_score(self, words: Tensor, caps: Tensor, suffixes: Tensor | None = None
                     ) -> Tensor:
        """s = uᵀh: how plausible each window is (for max-margin pre-training)."""
        return self.plausibility(self.features(words, caps, suffixes)).reshape(-1)
