"""`chainrule charlm train` and `chainrule charlm sample`: a character-level LSTM language
model trained on a text with truncated BPTT, gradient clipping and Adam, then sampled.

The run folder holds, after every epoch: charlm.safetensors (the model, its alphabet and
settings: what `sample` reads), charlm-resume.safetensors (also the optimiser, the random
state and the history: what `--resume` reads), metrics.json, curves.png and samples.txt
(a sample after each epoch). Every file is replaced atomically.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chainrule import (
    Tensor,
    from_numpy,
    get_rng_state,
    load,
    manual_seed,
    nn,
    no_grad,
    optim,
    save,
    set_rng_state,
)

from ..errors import UsageError
from ..training.loop import EpochEnd, fit
from .model import CharLM, State, detached, sample
from .text import Alphabet, StreamBatches, default_corpus, read_corpus

__all__ = ["CharLMConfig", "train_charlm", "load_charlm", "sample_text", "MODEL_NAME",
           "RESUME_NAME"]

MODEL_NAME = "charlm.safetensors"
RESUME_NAME = "charlm-resume.safetensors"
_KIND = "charlm"  # written into each checkpoint, so other commands' files are recognised


@dataclass
class CharLMConfig:
    """One training run; the defaults train in a few minutes on two cores."""

    corpus: str | None = None          # None: CoNLL-2003's train.txt, as words
    out: str = "runs/charlm"
    max_chars: int | None = None        # the first N characters of the corpus (None: all)
    val_fraction: float = 0.05          # the end of the text, held out
    embed: int = 32
    hidden: int = 256
    layers: int = 1
    dropout: float = 0.0
    seq_len: int = 64                   # steps of truncated BPTT
    batch_size: int = 32                # parallel streams
    lr: float = 5e-3
    clip: float = 1.0                   # gradient norm limit (0: none)
    epochs: int = 4
    seed: int = 0
    sample_length: int = 200            # of the sample written after each epoch
    progress: bool = True

    def validate(self) -> None:
        if self.epochs <= 0 or self.batch_size <= 0 or self.seq_len <= 0 or self.hidden <= 0 \
                or self.embed <= 0 or self.layers <= 0:
            raise UsageError("epochs, batch size, sequence length and the layer sizes must be "
                             "positive")
        if self.lr <= 0:
            raise UsageError(f"the learning rate must be positive, got {self.lr}")
        if not 0 < self.val_fraction < 1:
            raise UsageError(f"--val-fraction must be between 0 and 1, got {self.val_fraction}")
        if not 0 <= self.dropout < 1:
            raise UsageError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.clip < 0:
            raise UsageError(f"--clip must be 0 (none) or positive, got {self.clip}")
        if self.max_chars is not None and self.max_chars < 100:
            raise UsageError(f"--max-chars must be at least 100, got {self.max_chars}")


def _model(config: CharLMConfig, vocabulary: int) -> CharLM:
    return CharLM(vocabulary, config.embed, config.hidden, config.layers, config.dropout)


def _mean_loss(model: CharLM, ids: np.ndarray, streams: int = 32, length: int = 256) -> float:
    """Cross-entropy per character (nats) over `ids`, read as the model is trained."""
    model.eval()
    total, count, state = 0.0, 0, None
    with no_grad():
        for inputs, targets in StreamBatches(ids, min(streams, max(1, (len(ids) - 1) // 2)),
                                             length):
            scores, state = model(from_numpy(inputs), state)
            loss = nn.functional.cross_entropy(scores.reshape(-1, scores.shape[-1]),
                                               from_numpy(targets.reshape(-1)),
                                               reduction="sum")
            total += loss.item()
            count += targets.size
    return total / count


def _split(text: str, config: CharLMConfig) -> tuple[np.ndarray, np.ndarray, Alphabet]:
    alphabet = Alphabet(text)
    ids = alphabet.encode(text)
    held_out = max(2, int(len(ids) * config.val_fraction))
    return ids[:-held_out], ids[-held_out:], alphabet


def train_charlm(config: CharLMConfig, log: Any = print, resume: bool = False,
                 interrupt_after: int | None = None) -> dict[str, Any]:
    """Trains, writing the run folder after every epoch (Ctrl-C loses at most the epoch in
    progress; `resume=True` continues from the last finished one). `interrupt_after` stops
    after that many epochs of this call as Ctrl-C would (for tests). Returns the summary
    that metrics.json also holds."""
    out = Path(config.out)
    state = _resume_state(out, config) if resume else None
    if state is not None:
        config = state["config"]
    config.validate()
    began = time.perf_counter()
    corpus = Path(config.corpus) if config.corpus else default_corpus()
    text = read_corpus(corpus, config.max_chars)
    train_ids, valid_ids, alphabet = _split(text, config)
    log(f"read {corpus}: {len(text):,} characters ({len(train_ids):,} to train on, "
        f"{len(valid_ids):,} held out), {len(alphabet)} distinct")
    manual_seed(config.seed)
    model = _model(config, len(alphabet))
    optimiser = optim.Adam(model.parameters(), lr=config.lr)
    history: list[dict[str, Any]] = []
    if state is not None:
        if state["alphabet"] != alphabet.characters:
            raise ValueError(f"--resume: the corpus {corpus} is not the one the run in {out} "
                             "was trained on (its characters differ)")
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimizer"])
        set_rng_state(state["rng"])
        history = list(json.loads(state["history"]))
        log(f"resuming {out} after epoch {len(history)} of {config.epochs}")
    out.mkdir(parents=True, exist_ok=True)
    files = _RunFiles(out, model, optimiser, config, alphabet, interrupt_after,
                      written_epoch=len(history))
    outcome = _fit(model, optimiser, train_ids, valid_ids, alphabet, config, files, history,
                   log)
    seconds = time.perf_counter() - began + (float(state["seconds"]) if state else 0.0)
    return {"config": asdict(config), "history": outcome, "seconds": seconds,
            "valid_loss": outcome[-1]["valid_loss"] if outcome else math.nan,
            "sample": outcome[-1]["sample"] if outcome else ""}


def _fit(model: CharLM, optimiser: optim.Optimizer, train_ids: np.ndarray,
         valid_ids: np.ndarray, alphabet: Alphabet, config: CharLMConfig, files: _RunFiles,
         history: list[dict[str, Any]], log: Any) -> list[dict[str, Any]]:
    """The shared epoch loop, with the LSTM state carried from batch to batch (detached) and
    reset at the start of each epoch; gradients clipped before each step."""
    batches = _CarriedState(StreamBatches(train_ids, config.batch_size, config.seq_len))
    parameters = list(model.parameters())

    def loss_of(batch: tuple[np.ndarray, np.ndarray]) -> Tensor:
        inputs, targets = batch
        scores, state = model(from_numpy(inputs), batches.state)
        batches.state = detached(state)
        return nn.functional.cross_entropy(scores.reshape(-1, len(alphabet)),
                                           from_numpy(targets.reshape(-1)))

    def evaluate(end: EpochEnd) -> dict[str, Any]:
        valid_loss = _mean_loss(model, valid_ids)
        rng = np.random.default_rng(config.seed + end.epoch)
        text = alphabet.decode(sample(model, alphabet.encode("\n" if "\n" in alphabet.ids
                                                             else alphabet.characters[0]),
                                      config.sample_length, 0.8, rng))
        log(f"epoch {end.epoch}/{config.epochs}  training loss {end.mean_loss:.4f}  "
            f"validation loss {valid_loss:.4f} nats/char ({valid_loss / math.log(2):.3f} "
            f"bits/char)  ({end.seconds():.1f}s)\n  sample: {text[:120]!r}")
        return {"epoch": end.epoch, "loss": end.mean_loss, "valid_loss": valid_loss,
                "seconds": end.seconds(), "sample": text}

    def clip() -> None:
        if config.clip > 0:
            nn.utils.clip_grad_norm_(parameters, config.clip)

    return fit(model, optimiser, batches, loss_of, evaluate, epochs=config.epochs,
               history=history, after_backward=clip, checkpoints=files,
               progress=config.progress, log=log).history


class _CarriedState:
    """The batches of an epoch and the LSTM state carried between them, reset when an epoch
    begins (it reads the streams from their start again)."""

    def __init__(self, batches: StreamBatches) -> None:
        self.batches = batches
        self.state: State | None = None

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        self.state = None
        yield from self.batches


@dataclass
class _RunFiles:
    """The run folder, written after every epoch (see the module's docstring)."""

    out: Path
    model: CharLM
    optimizer: optim.Optimizer
    config: CharLMConfig
    alphabet: Alphabet
    interrupt_after: int | None = None
    written_epoch: int = 0
    epochs_saved: int = 0

    @property
    def path(self) -> Path:
        return self.out / RESUME_NAME

    def save(self, epoch: int, history: list[dict[str, Any]]) -> None:
        settings = {"kind": _KIND, "alphabet": self.alphabet.characters,
                    "config": asdict(self.config)}
        save({"model": self.model.state_dict(), **settings}, self.out / MODEL_NAME)
        save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
              "rng": get_rng_state(), "history": json.dumps(history),
              "seconds": sum(record["seconds"] for record in history), **settings}, self.path)
        self.written_epoch = epoch
        self._write_metrics(history)
        self.epochs_saved += 1
        if self.interrupt_after is not None and self.epochs_saved >= self.interrupt_after:
            raise KeyboardInterrupt  # what Ctrl-C would do at this point

    def _write_metrics(self, history: list[dict[str, Any]]) -> None:
        summary = {"config": asdict(self.config), "history": history,
                   "valid_loss_nats_per_char": history[-1]["valid_loss"]}
        _replace_text(self.out / "metrics.json", json.dumps(summary, indent=2))
        _replace_text(self.out / "samples.txt", "".join(
            f"--- after epoch {record['epoch']} (validation loss {record['valid_loss']:.4f} "
            f"nats/char)\n{record['sample']}\n" for record in history))
        _plot(history, self.out / "curves.png", self.config)

    def saved_epoch(self) -> int:
        return self.written_epoch


def _replace_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _plot(history: list[dict[str, Any]], path: Path, config: CharLMConfig) -> None:
    from ..report import _pyplot, _save

    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.5))
    epochs = [record["epoch"] for record in history]
    axes.plot(epochs, [record["loss"] for record in history], marker="o", label="training")
    axes.plot(epochs, [record["valid_loss"] for record in history], marker="o",
              label="validation")
    axes.set(xlabel="epoch", ylabel="cross-entropy (nats per character)", title="Loss")
    axes.grid(alpha=0.3)
    axes.legend()
    temporary = path.with_name(f".{path.stem}.tmp{path.suffix}")
    _save(figure, temporary, f"character LSTM: {config.layers} × {config.hidden} units, "
          f"BPTT {config.seq_len}, batch {config.batch_size}, Adam lr {config.lr:g}")
    os.replace(temporary, path)


def _resume_state(out: Path, config: CharLMConfig) -> dict[str, Any]:
    path = out / RESUME_NAME
    if not path.is_file():
        raise FileNotFoundError(f"--resume: no checkpoint at {path} to resume from; train "
                                "without --resume first")
    state = dict(_open(path))
    saved = CharLMConfig(**{k: v for k, v in state["config"].items()
                            if k in CharLMConfig.__dataclass_fields__})
    saved.out, saved.progress = config.out, config.progress
    saved.epochs = max(config.epochs, saved.epochs)  # --epochs may extend the run
    state["config"] = saved
    return state


def _open(path: Path) -> dict[str, Any]:
    state = load(path)
    if not isinstance(state, dict) or state.get("kind") != _KIND:
        raise ValueError(f"{path} is not a character-model checkpoint (written by chainrule "
                         "charlm train)")
    return state


def load_charlm(checkpoint: str | os.PathLike[str]) -> tuple[CharLM, Alphabet]:
    """The model of a checkpoint file or run folder, in eval mode, and its alphabet."""
    path = Path(checkpoint)
    if path.is_dir():
        path = path / MODEL_NAME
    if not path.is_file():
        raise FileNotFoundError(f"no character model at {path}; train one with chainrule "
                                "charlm train --out DIR")
    state = _open(path)
    config = CharLMConfig(**{k: v for k, v in state["config"].items()
                             if k in CharLMConfig.__dataclass_fields__})
    alphabet = Alphabet(state["alphabet"])
    model = _model(config, len(alphabet))
    model.load_state_dict(state["model"])
    model.eval()
    return model, alphabet


def sample_text(checkpoint: str | os.PathLike[str], length: int = 200,
                temperature: float = 0.8, prime: str = "", seed: int | None = None) -> str:
    """`length` characters sampled from a saved model, continuing `prime` (by default the
    start of a line)."""
    if length < 0:
        raise UsageError(f"--length must not be negative, got {length}")
    if temperature <= 0:
        raise UsageError(f"--temperature must be positive, got {temperature}")
    model, alphabet = load_charlm(checkpoint)
    start = prime or ("\n" if "\n" in alphabet.ids else alphabet.characters[0])
    drawn = sample(model, alphabet.encode(start), length, temperature,
                   np.random.default_rng(seed))
    return alphabet.decode(drawn)
