"""The one epoch loop behind `chainrule train` and `chainrule ner train`.

Each epoch is minibatch descent over the caller's batches (zero the gradients, compute the
loss, backpropagate, step, with a progress bar), then the caller's evaluation, which makes
the epoch's record and prints its line. Two things are optional. Checkpoints: the run saves
itself after every epoch, so Ctrl-C loses at most the epoch in progress and ends in
`Interrupted`, and a run resumes by passing the history it saved. Early stopping: the run
ends after `patience` epochs without a better score, with the weights of the best epoch.

What is trained, on which batches, and how it is scored stay with the caller.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tqdm.auto import tqdm

from chainrule import Tensor, nn, optim
from chainrule.compiler import compile as compile_function

__all__ = ["fit", "Outcome", "EpochEnd", "EarlyStopping", "Checkpoints", "Interrupted",
           "Redraw"]

Batch = TypeVar("Batch")
Record = dict[str, Any]


@dataclass
class EpochEnd:
    """What the loop knows when an epoch's batches are done, for the caller's evaluation."""

    epoch: int
    mean_loss: float  # over the epoch's batches, in training mode
    started: float    # time.perf_counter() when the epoch began

    def seconds(self) -> float:
        """Seconds since the epoch began (so the evaluation can count itself in)."""
        return time.perf_counter() - self.started


@dataclass
class EarlyStopping:
    """Stop after `patience` epochs in which the record's `metric` did not rise above its
    best, and end with the weights of the best epoch (kept in memory; a resumed run passes
    them back as `best_state`, and its history says which epoch they are from)."""

    metric: str
    patience: int
    described_as: str  # for the log: "early stop: no better {described_as} for ..."
    best_state: dict[str, Any] | None = None


class Checkpoints(Protocol):
    """Where a run saves itself after every epoch."""

    @property
    def path(self) -> Path:
        """The checkpoint file."""

    def save(self, epoch: int, history: list[Record]) -> None:
        """Writes everything a resumed run needs after `epoch`, atomically."""

    def saved_epoch(self) -> int:
        """The epoch of the checkpoint now on disk."""


class Interrupted(Exception):  # noqa: N818 - a stop, not an error
    """Training stopped by Ctrl-C (or a test's stand-in for it) after a checkpoint."""

    def __init__(self, epoch: int, path: Path) -> None:
        super().__init__(f"interrupted; the checkpoint after epoch {epoch} is in {path}")
        self.epoch = epoch
        self.path = path
        self.out = path.parent


class Redraw:
    """Redraws pictures between epochs at most `share` of the time: always when forced (the
    first and last epoch), otherwise once the time since the last drawing is at least
    (1/share − 1) times what that drawing took. Epochs longer than that are redrawn after
    each one; a spiral's 400 epochs of a few milliseconds are not drawn 400 times."""

    def __init__(self, draw: Callable[[], Any], share: float = 0.1) -> None:
        self.draw = draw
        self.share = share
        self.cost = 0.0
        self.finished: float | None = None  # perf_counter() when the last drawing ended

    def __call__(self, force: bool = False) -> bool:
        """Draws if due (or forced); returns whether it drew."""
        now = time.perf_counter()
        waited = math.inf if self.finished is None else now - self.finished
        if not force and waited < self.cost * (1 / self.share - 1):
            return False
        self.draw()
        self.finished = time.perf_counter()
        self.cost = self.finished - now
        return True


@dataclass
class Outcome:
    history: list[Record]  # one record per epoch, from the first (resumed runs included)
    best_epoch: int | None = None  # with early stopping: the epoch whose weights were kept


def fit(model: nn.Module, optimizer: optim.Optimizer, batches: Iterable[Batch],
        loss_of: Callable[[Batch], Tensor], evaluate: Callable[[EpochEnd], Record], *,
        epochs: int, history: list[Record] | None = None, scheduler: Any = None,
        after_backward: Callable[[], None] | None = None,
        checkpoints: Checkpoints | None = None, early_stopping: EarlyStopping | None = None,
        progress: bool = True, log: Callable[[str], Any] = print, compile_step: bool = False,
        prepare: Callable[[Batch], Any] | None = None) -> Outcome:
    """Trains from the epoch after `history` (empty: from epoch 1) to `epochs`.

    `batches` is iterated once per epoch (a shuffling DataLoader reshuffles each time);
    `loss_of(batch)` is the batch's loss; `after_backward()` sees the gradients before the
    step; `scheduler.step()` runs after each epoch's batches, before `evaluate`.

    `compile_step` runs zero_grad, the loss and backward under `cr.compile` (traced once per
    batch shape, replayed after); `after_backward` and the optimiser's step stay eager, so
    a step count (Adam) or a probe's Python bookkeeping is never replayed stale. `prepare`
    turns a batch into what `loss_of` takes (tensors, so that replays read new batches).
    """
    loss_of = _gradient_step(optimizer, loss_of, compile_step, prepare)
    records = list(history or [])
    best = _BestWeights(model, early_stopping) if early_stopping is not None else None
    first = len(records) + 1
    if best is not None and best.catch_up(records):
        first = epochs + 1  # the saved run had already stopped early
    try:
        for epoch in range(first, epochs + 1):
            end = _descend(model, optimizer, batches, loss_of, after_backward, epoch, epochs,
                           progress)
            if scheduler is not None:
                scheduler.step()
            records.append(evaluate(end))
            if checkpoints is not None:
                checkpoints.save(epoch, records)
            if best is not None and best.patience_exhausted(epoch, records[-1]):
                log(f"early stop: no better {best.rule.described_as} for "
                    f"{best.rule.patience} epochs")
                break
    except KeyboardInterrupt:
        if checkpoints is None:
            raise
        # The checkpoint of the last finished epoch is on disk (each is written atomically).
        raise Interrupted(checkpoints.saved_epoch(), checkpoints.path) from None
    if best is None:
        return Outcome(records)
    best.restore()
    return Outcome(records, best.epoch)


def _descend(model: nn.Module, optimizer: optim.Optimizer, batches: Iterable[Batch],
             loss_of: Callable[[Batch], Tensor], after_backward: Callable[[], None] | None,
             epoch: int, epochs: int, progress: bool) -> EpochEnd:
    """One epoch of minibatch descent."""
    started = time.perf_counter()
    model.train()
    total, count = 0.0, 0
    terminal = sys.stderr.isatty()
    bar = tqdm(batches, desc=f"epoch {epoch}/{epochs}", leave=False,
               disable=not (progress and terminal), unit="batch")
    ticker = _Ticker(f"epoch {epoch}/{epochs}", batches) if progress and not terminal \
        else None
    for batch in bar:
        loss = loss_of(batch)  # with the gradients of the batch (`_gradient_step`)
        if after_backward is not None:
            after_backward()
        optimizer.step()
        total += loss.item()
        count += 1
        if progress:  # shown at the bar's next redraw; forcing one is slow
            bar.set_postfix(loss=f"{total / count:.4f}", refresh=False)
            if ticker is not None:
                ticker.tick(count, total)
    bar.close()
    if not math.isfinite(total):
        raise RuntimeError(f"training diverged in epoch {epoch} (the loss is not finite); "
                           "try a smaller --lr")
    return EpochEnd(epoch, total / max(count, 1), started)


def _gradient_step(optimizer: optim.Optimizer, loss_of: Callable[[Any], Tensor],
                   compiled: bool, prepare: Callable[[Any], Any] | None
                   ) -> Callable[[Any], Tensor]:
    """zero_grad, the batch's loss, backward: compiled with `cr.compile` when asked."""
    def step(batch: Any) -> Tensor:
        optimizer.zero_grad()
        loss = loss_of(batch)
        loss.backward()
        return loss

    run = compile_function(step) if compiled else step
    if prepare is None:
        return run
    return lambda batch: run(prepare(batch))


class _Ticker:
    """Progress where no bar can be drawn (output to a file or a pipe): a plain line on
    stderr every `every` seconds of an epoch, so a log shows a long epoch advancing."""

    def __init__(self, label: str, batches: Any, every: float = 30.0) -> None:
        self.label = label
        self.batches = len(batches) if hasattr(batches, "__len__") else None
        self.every = every
        self.began = self.last = time.perf_counter()

    def tick(self, count: int, total: float) -> None:
        now = time.perf_counter()
        if now - self.last < self.every:
            return
        self.last = now
        done = f"{count}/{self.batches} batches" if self.batches else f"{count} batches"
        print(f"{self.label}: {done}, loss {total / count:.4f}, {now - self.began:.0f}s",
              file=sys.stderr, flush=True)


class _BestWeights:
    """Early stopping's memory: the best score so far, its epoch and a copy of its weights."""

    def __init__(self, model: nn.Module, rule: EarlyStopping) -> None:
        self.model = model
        self.rule = rule
        self.score = -math.inf
        self.epoch: int | None = None
        self.state: dict[str, Any] | None = None
        self.waited = 0

    def patience_exhausted(self, epoch: int, record: Record) -> bool:
        score = record[self.rule.metric]
        if score > self.score:
            self.score, self.epoch, self.waited = score, epoch, 0
            self.state = {name: value.clone() for name, value in self.model.state_dict().items()}
            return False
        self.waited += 1
        return self.waited >= self.rule.patience

    def catch_up(self, records: list[Record]) -> bool:
        """Takes the best score, its epoch and the wait since from a resumed run's history,
        and its weights from the rule's `best_state`; returns whether patience ran out."""
        exhausted = False
        for position, record in enumerate(records, start=1):
            if record[self.rule.metric] > self.score:
                self.score, self.epoch, self.waited = record[self.rule.metric], position, 0
            else:
                self.waited += 1
                exhausted = exhausted or self.waited >= self.rule.patience
        if records:
            self.state = self.rule.best_state
        return exhausted

    def restore(self) -> None:
        if self.state is not None:
            self.model.load_state_dict(self.state)
