"""The character-level language model: characters → embedding → LSTM → scores of the next
character. It predicts p(c_(t+1) | c_1 … c_t), trained by cross-entropy (nats per character)."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import Tensor, from_numpy, nn, no_grad

__all__ = ["CharLM", "sample"]

State = tuple[Tensor, Tensor]


class CharLM(nn.Module):
    """Embedding(vocabulary, embed) → LSTM(embed, hidden, layers) → Linear(hidden, vocabulary)."""

    def __init__(self, vocabulary: int, embed: int, hidden: int, layers: int,
                 dropout: float) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=layers,
                            dropout=dropout if layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocabulary)

    def forward(self, ids: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """Scores (time, batch, vocabulary) for ids (time, batch), and the LSTM's state."""
        output, state = self.lstm(self.embedding(ids), state)
        return self.head(self.dropout(output)), state


def detached(state: State | None) -> State | None:
    """The state without its history: truncated BPTT backpropagates within a batch only."""
    return None if state is None else (state[0].detach(), state[1].detach())


def sample(model: CharLM, prime: np.ndarray, length: int, temperature: float,
           rng: np.random.Generator) -> list[int]:
    """`length` character ids drawn one at a time from softmax(scores / temperature), after
    reading the `prime` ids (at least one)."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    model.eval()
    drawn: list[int] = []
    state: Any = None
    with no_grad():
        scores, state = model(from_numpy(prime.reshape(-1, 1)), state)
        for _ in range(length):
            last = scores[-1, 0].numpy().astype(np.float64) / temperature
            probabilities = np.exp(last - last.max())
            probabilities /= probabilities.sum()
            drawn.append(int(rng.choice(len(probabilities), p=probabilities)))
            scores, state = model(from_numpy(np.array([[drawn[-1]]], dtype=np.int64)), state)
    return drawn
