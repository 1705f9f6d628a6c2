"""Training, evaluating and running the window NER tagger on CoNLL column files.

Tags are learnt in IOB2 (every entity starts with B-), converted from the files' IOB1; the
scores count entities, so either scheme gives the same figures.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from chainrule import (
    Tensor,
    default_generator,
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
from chainrule.datasets import iob1_to_iob2, read_conll

from ..checkpoints import open_checkpoint
from ..errors import UsageError
from ..models.window import WindowClassifier
from ..parallel import Processes, RankBatches, data_parallel, join, with_global_mean_loss
from ..training.loop import EarlyStopping, EpochEnd, Outcome, fit
from .features import CAPS_CLASSES, Vocabulary, caps_class, normalise, suffix, windows
from .scoring import EntityScores, score_entities
from .tokens import tokenize

__all__ = ["NerConfig", "Encoded", "NerTagger", "train_ner", "load_tagger", "read_vectors",
           "tokenize"]

CHECKPOINT_NAME = "ner.safetensors"   # the tagger (of the best epoch so far)
RESUME_NAME = "ner-resume.safetensors"  # the last finished epoch, for --resume


@dataclass
class NerConfig:
    """One NER training run (the defaults are the recipe reported in the README)."""

    data_dir: str = "."
    out: str = "runs/ner"
    width: int = 5
    word_dim: int = 50
    caps_dim: int = 5
    suffix_dim: int = 10
    hidden: int = 300
    activation: str = "hardtanh"
    optimizer: str = "adagrad"
    lr: float = 0.05
    weight_decay: float = 0.0
    batch_size: int = 32
    epochs: int = 20
    patience: int = 4
    dropout: float = 0.0
    word_dropout: float = 0.5
    pretrain_epochs: int = 0
    pretrain_lr: float = 0.05
    vectors: str | None = None
    seed: int = 0
    progress: bool = True
    compile: bool = False  # the gradient step under cr.compile
    decode: str = "viterbi"                # or "argmax": each word's most probable tag
    max_sentences: int | None = None       # use only the first N training sentences
    max_eval_sentences: int | None = None  # and the first N validation/test sentences

    def validate(self) -> None:
        folder = Path(self.data_dir)
        if not folder.is_dir():
            raise FileNotFoundError(f"the data folder {folder} does not exist")
        for name in ("train.txt", "valid.txt", "test.txt"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder / name} is missing: the folder must hold "
                                        "CoNLL column files train.txt, valid.txt, test.txt")
        if self.decode not in ("viterbi", "argmax"):
            raise UsageError(f"decode must be viterbi or argmax, got '{self.decode}'")
        if self.optimizer not in ("adagrad", "sgd"):
            raise UsageError(f"optimizer must be adagrad or sgd, got '{self.optimizer}'")
        if self.activation not in ("tanh", "hardtanh"):
            raise UsageError(f"activation must be tanh or hardtanh, got '{self.activation}'")
        if self.width < 1 or self.width % 2 == 0:
            raise UsageError(f"the window width must be an odd positive number, got "
                             f"{self.width}")
        if self.lr <= 0 or self.epochs <= 0 or self.batch_size <= 0:
            raise UsageError("lr, epochs and batch size must be positive")


@dataclass
class Encoded:
    """A split as windows: one row per token."""

    words: np.ndarray
    caps: np.ndarray
    suffixes: np.ndarray
    tags: np.ndarray
    lengths: list[int]
    tokens: list[list[str]] = field(default_factory=list)


def read_vectors(path: str | os.PathLike[str], vocabulary: Vocabulary, dim: int
                 ) -> dict[int, list[float]]:
    """Rows for vocabulary words from a GloVe-format text file ("word v1 v2 …")."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no word-vector file at {file}")
    found: dict[int, list[float]] = {}
    with file.open(encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, start=1):
            parts = line.rstrip().split(" ")
            if len(parts) < 2:
                continue
            word = normalise(parts[0])
            if len(parts) - 1 != dim:
                raise ValueError(f"{file}, line {number}: a vector of {len(parts) - 1} numbers, "
                                 f"but the word vectors have {dim} (set --word-dim)")
            row = vocabulary.index.get(word)
            if row is not None and row not in found:
                found[row] = [float(v) for v in parts[1:]]
    return found


class NerTagger:
    """A trained window tagger with its vocabularies: tag sentences, score splits."""

    def __init__(self, model: WindowClassifier, words: Vocabulary, suffixes: Vocabulary,
                 tags: list[str], decode: str = "viterbi") -> None:
        self.model = model
        self.decode = decode
        self.words = words
        self.suffixes = suffixes
        self.tags = tags
        self.tag_index = {tag: i for i, tag in enumerate(tags)}

    def encode(self, sentences: list[list[tuple[str, str]]] | list[list[str]]) -> Encoded:
        tokens = [[t if isinstance(t, str) else t[0] for t in s] for s in sentences]
        tags = [[t[1] for t in s] if s and not isinstance(s[0], str) else [] for s in
                sentences]
        width = self.model.width
        word_ids = [self.words.ids(normalise(t) for t in s) for s in tokens]
        caps_ids = [[caps_class(t) for t in s] for s in tokens]
        suffix_ids = [self.suffixes.ids(suffix(t) for t in s) for s in tokens]
        flat_tags = [self.tag_index.get(t, self.tag_index["O"]) for s in tags for t in s]
        return Encoded(windows(word_ids, width, 0, 1), windows(caps_ids, width, 0, 0),
                       windows(suffix_ids, width, 0, 1), np.asarray(flat_tags, np.int64),
                       [len(s) for s in tokens], tokens)

    def model_inputs(self, data: Encoded, rows: Any, word_ids: np.ndarray | None = None
                     ) -> tuple[Tensor, Tensor, Tensor]:
        """The model's inputs (word, capitalisation and suffix windows) for some rows of a
        split; `word_ids` stands in for the split's words (word dropout, corrupted windows)."""
        words = data.words[rows] if word_ids is None else word_ids
        return from_numpy(words), from_numpy(data.caps[rows]), from_numpy(data.suffixes[rows])

    def predict(self, data: Encoded, batch: int = 4096) -> list[list[str]]:
        """Each sentence's most probable tag sequence among those that spell entities
        (IOB2: an I-X only after B-X or I-X), found by Viterbi over the word-level
        log-probabilities; a per-word argmax could open an entity with I-X."""
        was_training = self.model.training
        self.model.eval()
        chunks = []
        with no_grad():
            for start in range(0, data.words.shape[0], batch):
                rows = slice(start, start + batch)
                chunks.append(self.model(*self.model_inputs(data, rows)).log_softmax(1).numpy())
        self.model.train(was_training)
        log_probabilities = np.concatenate(chunks) if chunks else np.zeros((0, len(self.tags)))
        allowed_start, allowed = self._transitions()
        if self.decode == "argmax":  # no constraints: every transition is allowed
            allowed_start, allowed = np.ones_like(allowed_start), np.ones_like(allowed)
        sentences, position = [], 0
        for length in data.lengths:
            best = _viterbi(log_probabilities[position:position + length], allowed_start,
                            allowed)
            sentences.append([self.tags[i] for i in best])
            position += length
        return sentences

    def _transitions(self) -> tuple[np.ndarray, np.ndarray]:
        """Which tags may start a sentence, and which may follow which (IOB2)."""
        count = len(self.tags)
        start = np.array([not t.startswith("I-") for t in self.tags])
        follow = np.ones((count, count), dtype=bool)
        for j, tag in enumerate(self.tags):
            if tag.startswith("I-"):
                for i, previous in enumerate(self.tags):
                    follow[i, j] = previous[2:] == tag[2:] and previous[:2] in ("B-", "I-")
        return start, follow

    def score(self, data: Encoded) -> EntityScores:
        gold, position = [], 0
        for length in data.lengths:
            gold.append([self.tags[i] for i in data.tags[position:position + length]])
            position += length
        return score_entities(gold, self.predict(data))

    def tag_text(self, line: str) -> list[tuple[str, str]]:
        """A line of raw text, cut into tokens as CoNLL-2003 does, with each token's tag."""
        return self.tag_tokens(tokenize(line))

    def tag_tokens(self, tokens: list[str]) -> list[tuple[str, str]]:
        """Tokens (one sentence) with each one's tag."""
        if not tokens:
            return []
        return list(zip(tokens, self.predict(self.encode([tokens]))[0]))


def _viterbi(log_probabilities: np.ndarray, allowed_start: np.ndarray, allowed: np.ndarray
             ) -> list[int]:
    """The best path through per-token log-probabilities under hard transition rules."""
    if len(log_probabilities) == 0:
        return []
    penalty = np.where(allowed, 0.0, -np.inf)
    score = np.where(allowed_start, log_probabilities[0], -np.inf)
    back = np.zeros(log_probabilities.shape, dtype=np.int64)
    for t in range(1, len(log_probabilities)):
        candidates = score[:, None] + penalty
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_probabilities[t]
    path = [int(score.argmax())]
    for t in range(len(log_probabilities) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def _read_split(folder: Path, name: str, limit: int | None) -> list[list[tuple[str, str]]]:
    sentences = read_conll(folder / name)
    if limit is not None:
        sentences = sentences[:limit]
    return [list(zip([t for t, _ in s], iob1_to_iob2([g for _, g in s]))) for s in sentences]


def _new_tagger(config: NerConfig, train_sentences: list[list[tuple[str, str]]]) -> NerTagger:
    """The vocabularies and tags of the training sentences, with an untrained model."""
    words = Vocabulary.build(normalise(t) for s in train_sentences for t, _ in s)
    suffixes = Vocabulary.build((suffix(t) for s in train_sentences for t, _ in s),
                                min_count=2)
    tags = ["O"] + sorted({g for s in train_sentences for _, g in s} - {"O"})
    model = _window_model(config, words, suffixes, tags)
    return NerTagger(model, words, suffixes, tags, config.decode)


def _window_model(config: NerConfig, words: Vocabulary, suffixes: Vocabulary, tags: list[str]
                  ) -> WindowClassifier:
    """The window network `config` describes, sized for these vocabularies and tags."""
    return WindowClassifier(len(words), len(tags), config.width, config.word_dim,
                            len(CAPS_CLASSES), config.caps_dim,
                            len(suffixes) if config.suffix_dim else 0, config.suffix_dim,
                            config.hidden, config.activation, config.dropout)


def _optimizer(config: NerConfig, parameters: Any, rate: float) -> optim.Optimizer:
    if config.optimizer == "sgd":
        return optim.SGD(parameters, lr=rate, weight_decay=config.weight_decay)
    return optim.Adagrad(parameters, lr=rate, weight_decay=config.weight_decay)


def _word_dropout(word_ids: np.ndarray, singletons: np.ndarray, rate: float) -> np.ndarray:
    """Words seen once in training become <unk> with probability `rate`, so the unknown
    vector learns what a rare word looks like (test sets are full of them)."""
    if rate <= 0:
        return word_ids
    drop = singletons[word_ids] & (default_generator.numpy.random(word_ids.shape) < rate)
    return np.where(drop, 2, word_ids)


class _ShuffledRows:
    """A split's row numbers in a fresh random order each epoch, `size` at a time: what a
    shuffling DataLoader yields, kept in NumPy because the tagger's batches are many and
    small, and its inputs are built from the rows (word dropout, corrupted windows)."""

    def __init__(self, count: int, size: int) -> None:
        self.count = count
        self.size = size

    def __len__(self) -> int:
        return -(-self.count // self.size)

    def __iter__(self) -> Iterator[np.ndarray]:
        order = default_generator.numpy.permutation(self.count)
        for start in range(0, self.count, self.size):
            yield order[start:start + self.size]


def pretrain_max_margin(tagger: NerTagger, data: Encoded, config: NerConfig,
                        log: Any = print) -> list[float]:
    """The notes' unsupervised objective: J = max(0, 1 − s + s_c), s scoring a true window and
    s_c the window with its centre word replaced by a random one. Returns the mean J per
    epoch."""
    model = tagger.model
    optimiser = _optimizer(config, model.parameters(), config.pretrain_lr)
    rng = default_generator.numpy
    centre = config.width // 2
    history = []
    batches = _ShuffledRows(data.words.shape[0], config.batch_size)
    for epoch in range(1, config.pretrain_epochs + 1):
        total, count = 0.0, 0
        for rows in batches:
            words = data.words[rows]
            corrupt = words.copy()
            corrupt[:, centre] = rng.integers(3, len(tagger.words), size=len(rows))
            s = model.window_score(*tagger.model_inputs(data, rows, words))
            s_c = model.window_score(*tagger.model_inputs(data, rows, corrupt))
            loss = nn.functional.margin_ranking_loss(s, s_c, from_numpy(
                np.ones(len(rows), np.float32)), margin=1.0)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item()
            count += 1
        history.append(total / max(count, 1))
        log(f"pre-train epoch {epoch}/{config.pretrain_epochs}  max-margin J {history[-1]:.4f}")
    return history


def train_ner(config: NerConfig, log: Any = print, resume: bool = False,
              interrupt_after: int | None = None) -> dict[str, Any]:
    """Trains with early stopping on the validation F1, writing to `config.out` after every
    epoch (see `_RunFiles`), so Ctrl-C loses at most the epoch in progress and `resume=True`
    continues from the last finished one. `interrupt_after` stops after that many epochs of
    this call as Ctrl-C would (for tests). Returns the summary also in metrics.json."""
    out = Path(config.out)
    state = _resume_state(out, config) if resume else None
    if state is not None:
        config = state["config"]
    config.validate()
    began = time.perf_counter()
    processes = join()  # under mpiexec -n N: data-parallel, rank 0 writing
    folder = Path(config.data_dir)
    log(f"reading {folder / 'train.txt'}, valid.txt and test.txt")
    train_sentences = _read_split(folder, "train.txt", config.max_sentences)
    valid_sentences = _read_split(folder, "valid.txt", config.max_eval_sentences)
    test_sentences = _read_split(folder, "test.txt", config.max_eval_sentences)
    manual_seed(config.seed)
    tagger = load_tagger(out / CHECKPOINT_NAME) if state is not None else \
        _new_tagger(config, train_sentences)
    if config.vectors and state is None:
        loaded = tagger.model.load_vectors(read_vectors(config.vectors, tagger.words,
                                                        config.word_dim))
        log(f"loaded {loaded} word vectors from {config.vectors}")
    train_data = tagger.encode(train_sentences)
    valid_data = tagger.encode(valid_sentences)
    test_data = tagger.encode(test_sentences)
    log(f"{len(train_sentences)} training sentences, {train_data.words.shape[0]} tokens; "
        f"vocabulary {len(tagger.words)} words, {len(tagger.suffixes)} suffixes; tags "
        f"{' '.join(tagger.tags)}")

    pretrain_history: list[float] = []
    if state is not None:
        pretrain_history = list(state["pretrain_history"])
        log(f"resuming {out} after epoch {state['epoch']} of {config.epochs}")
    elif config.pretrain_epochs:
        pretrain_history = pretrain_max_margin(tagger, train_data, config, log)
    files = _RunFiles(out, tagger, config, pretrain_history, interrupt_after,
                      writes=processes.writes)
    if processes.writes:
        out.mkdir(parents=True, exist_ok=True)
    outcome = _fit_tagger(tagger, train_data, valid_data, config, log, files, state, processes)
    valid_scores, test_scores = tagger.score(valid_data), tagger.score(test_data)
    seconds = time.perf_counter() - began + (float(state["seconds"]) if state else 0.0)
    summary = {"config": asdict(config), "best_epoch": outcome.best_epoch,
               "history": outcome.history, "pretrain_history": pretrain_history,
               "seconds": seconds, "valid": _as_dict(valid_scores),
               "test": _as_dict(test_scores)}
    if processes.writes:
        save_tagger(tagger, out / CHECKPOINT_NAME, config, valid_scores.f1, test_scores.f1)
        files.write_metrics(summary)
    return summary


def _resume_state(out: Path, config: NerConfig) -> dict[str, Any]:
    """The saved run to resume, its config (with this call's output folder and progress
    setting) under "config"."""
    path = out / RESUME_NAME
    if not path.is_file() or not (out / CHECKPOINT_NAME).is_file():
        raise FileNotFoundError(f"--resume: no checkpoint at {path} to resume from; train "
                                "without --resume first")
    state = dict(load(path))
    saved = NerConfig(**{k: v for k, v in state["config"].items()
                         if k in NerConfig.__dataclass_fields__})
    saved.out, saved.progress = config.out, config.progress
    state["config"] = saved
    return state


@dataclass
class _RunFiles:
    """The NER run's folder, after every epoch: ner-resume.safetensors (that epoch's
    weights, optimiser, random state and history: all `--resume` needs), ner.safetensors
    whenever the epoch has the best validation F1 so far (so `ner tag` and `ner evaluate`
    work on the best tagger while training goes on), metrics.json and curves.png."""

    out: Path
    tagger: NerTagger
    config: NerConfig
    pretrain_history: list[float]
    interrupt_after: int | None = None
    writes: bool = True  # False on every process but rank 0 of a data-parallel run
    optimizer: Any = None
    epochs_saved: int = 0
    written_epoch: int = 0

    @property
    def path(self) -> Path:
        return self.out / RESUME_NAME

    def save(self, epoch: int, history: list[dict[str, Any]]) -> None:
        if not self.writes:
            self.written_epoch = epoch
            return
        f1 = history[-1]["valid_f1"]
        if all(f1 > record["valid_f1"] for record in history[:-1]):
            save_tagger(self.tagger, self.out / CHECKPOINT_NAME, self.config, f1, None)
        save({"model": self.tagger.model.state_dict(),
              "optimizer": self.optimizer.state_dict(), "rng": get_rng_state(),
              "epoch": epoch, "history": json.dumps(history), "config": asdict(self.config),
              "pretrain_history": self.pretrain_history,
              "seconds": sum(record.get("seconds", 0.0) for record in history)},
             self.path)
        self.written_epoch = epoch
        best = max(range(len(history)), key=lambda i: history[i]["valid_f1"])
        self.write_metrics({"config": asdict(self.config), "best_epoch": best + 1,
                            "history": history, "pretrain_history": self.pretrain_history})
        self.epochs_saved += 1
        if self.interrupt_after is not None and self.epochs_saved >= self.interrupt_after:
            raise KeyboardInterrupt  # what Ctrl-C would do at this point

    def write_metrics(self, summary: dict[str, Any]) -> None:
        from ..report import plot_ner_curves

        temporary = self.out / ".metrics.json.tmp"
        temporary.write_text(json.dumps(summary, indent=2))
        os.replace(temporary, self.out / "metrics.json")
        plot_ner_curves(summary["history"], self.out / "curves.png",
                        _ner_title(self.config, summary))

    def saved_epoch(self) -> int:
        return self.written_epoch


def _ner_title(config: NerConfig, summary: dict[str, Any]) -> str:
    data = Path(config.data_dir).resolve().name
    return (f"{data}: window tagger, {config.width} words × {config.word_dim}-d vectors, "
            f"{config.hidden} {config.activation} units, {config.optimizer} lr {config.lr:g}, "
            f"batch {config.batch_size}; best epoch {summary.get('best_epoch')}")


def _fit_tagger(tagger: NerTagger, train_data: Encoded, valid_data: Encoded,
                config: NerConfig, log: Any, files: _RunFiles,
                state: dict[str, Any] | None = None,
                processes: Processes | None = None) -> Outcome:
    """The tagging objective on the shared epoch loop: cross-entropy of each window's tag,
    with word dropout; early stopping on the validation F1, ending with the best weights.
    A resumed run (`state`) starts from the saved epoch's weights, optimiser and random
    state, and the best weights so far (those in `tagger`). Data-parallel, each process
    takes its weighted share of every batch (`RankBatches`)."""
    model = tagger.model
    optimiser = _optimizer(config, model.parameters(), config.lr)
    files.optimizer = optimiser
    singletons = tagger.words.singletons()
    rule = EarlyStopping("valid_f1", config.patience, "validation F1")
    history = _restore(model, optimiser, rule, files, state)
    processes = processes or Processes()
    if processes.parallel:  # the pre-training head gets no gradient from tagging, and
        model.plausibility.requires_grad_(False)  # DDP averages every parameter that wants one
    replicated = data_parallel(model, processes)
    count = train_data.words.shape[0]
    batches: Any = _ShuffledRows(count, config.batch_size)
    if processes.parallel:
        log(processes.describe(config.batch_size))
        batches = RankBatches(count, config.batch_size, processes, config.seed)

    def inputs_of(batch: Any) -> tuple[Any, ...]:
        """The batch as tensors (word dropout drawn here, outside any compiled step)."""
        rows, weight = batch if processes.parallel else (batch, 1.0)
        words = _word_dropout(train_data.words[rows], singletons, config.word_dropout)
        return (*tagger.model_inputs(train_data, rows, words),
                from_numpy(train_data.tags[rows]), weight)

    def loss_of(inputs: tuple[Any, ...]) -> Tensor:
        *features, tags, weight = inputs
        loss = nn.functional.cross_entropy(replicated(*features), tags)
        return loss * weight if processes.parallel else loss

    def evaluate(end: EpochEnd) -> dict[str, Any]:
        f1 = tagger.score(valid_data).f1
        log(f"epoch {end.epoch:2d}/{config.epochs}  loss {end.mean_loss:.4f}  validation F1 "
            f"{100 * f1:.2f}  ({end.seconds():.1f}s)")
        return {"epoch": end.epoch, "loss": end.mean_loss, "valid_f1": f1,
                "seconds": end.seconds()}

    return fit(model, optimiser, batches, loss_of, with_global_mean_loss(evaluate, processes),
               epochs=config.epochs, history=history, checkpoints=files, early_stopping=rule,
               progress=config.progress, log=log, compile_step=config.compile,
               prepare=inputs_of)


def _restore(model: Any, optimiser: Any, rule: EarlyStopping, files: _RunFiles,
             state: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A resumed run's weights, optimiser, random state and history; the best weights so
    far (those the tagger was loaded with) become early stopping's best."""
    if state is None:
        return []
    rule.best_state = {name: value.clone() for name, value in model.state_dict().items()}
    model.load_state_dict(state["model"])
    optimiser.load_state_dict(state["optimizer"])
    set_rng_state(state["rng"])
    files.written_epoch = int(state["epoch"])
    return list(json.loads(state["history"]))


def _as_dict(scores: EntityScores) -> dict[str, Any]:
    return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1,
            "per_type": scores.per_type}


def save_tagger(tagger: NerTagger, path: Path, config: NerConfig, valid_f1: float | None,
                test_f1: float | None) -> None:
    save({"model": tagger.model.state_dict(), "words": tagger.words.items,
          "word_counts": [tagger.words.counts.get(w, 0) for w in tagger.words.items],
          "suffixes": tagger.suffixes.items, "tags": tagger.tags, "config": asdict(config),
          "valid_f1": valid_f1, "test_f1": test_f1}, path)


def load_tagger(checkpoint: str | os.PathLike[str]) -> NerTagger:
    _, state = open_checkpoint(checkpoint, "tagger")
    config = NerConfig(**{k: v for k, v in state["config"].items()
                          if k in NerConfig.__dataclass_fields__})
    words = Vocabulary(state["words"][3:], dict(zip(state["words"], state["word_counts"])))
    suffixes = Vocabulary(state["suffixes"][3:])
    tags = list(state["tags"])
    model = _window_model(config, words, suffixes, tags)
    model.load_state_dict(state["model"])
    model.eval()
    return NerTagger(model, words, suffixes, tags, config.decode)


def evaluate_tagger(checkpoint: str | os.PathLike[str], data_dir: str, split: str = "test"
                    ) -> EntityScores:
    names = {"train": "train.txt", "val": "valid.txt", "test": "test.txt"}
    if split not in names:
        raise UsageError(f"split must be train, val or test, got '{split}'")
    tagger = load_tagger(checkpoint)
    path = Path(data_dir) / names[split]
    if not path.is_file():
        raise FileNotFoundError(f"no {names[split]} in {data_dir}")
    return tagger.score(tagger.encode(_read_split(Path(data_dir), names[split], None)))
