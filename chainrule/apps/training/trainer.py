"""`chainrule train`: an MLP classifier trained by the shared epoch loop (`loop.fit`), with
one line of metrics per epoch, a checkpoint after every epoch (so Ctrl-C or a crash loses at
most the epoch in progress, and `--resume` continues exactly), and the records the report
plots."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
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
from chainrule.serialization import remove_stale_temporaries
from chainrule.utils.data import DataLoader, TensorDataset

from ..checkpoints import open_checkpoint
from ..errors import UsageError
from ..models.lenet import LeNet5
from ..models.mlp import MLP
from ..parallel import Processes, RankBatches, data_parallel, join
from .config import TrainConfig, dataset_name, default_epochs
from .data import Splits, load_splits
from .health import HealthProbe
from .loop import EpochEnd, Interrupted, Redraw, fit

__all__ = ["train", "TrainResult", "Interrupted", "build_model", "evaluate_checkpoint",
           "Evaluation", "confusion_matrix", "per_class_accuracy",
           "CHECKPOINT_NAME", "load_model"]

CHECKPOINT_NAME = "checkpoint.safetensors"
_TRAIN_METRIC_SAMPLES = 10_000  # per-epoch training metrics on at most this many samples


@dataclass
class TrainResult:
    config: TrainConfig
    history: list[dict[str, Any]]
    test_loss: float
    test_accuracy: float
    seconds: float
    out: Path
    report_files: list[Path] = field(default_factory=list)
    wall_seconds: float = 0.0


def build_model(config: TrainConfig, features: int, classes: int) -> MLP | LeNet5:
    if config.model == "lenet":
        if features != LeNet5.side ** 2:
            raise UsageError(f"--model lenet takes 28×28 images (784 features), but the data "
                             f"set has {features} features")
        return LeNet5(classes, config.activation, config.init, config.dropout)
    return MLP(features, config.hidden, classes, config.activation, config.init,
               config.dropout, config.input_dropout)


def build_optimizer(config: TrainConfig, model: nn.Module) -> optim.Optimizer:
    rate, decay = config.learning_rate, config.weight_decay
    if config.optimizer == "sgd":
        return optim.SGD(model.parameters(), lr=rate, weight_decay=decay)
    if config.optimizer in ("momentum", "nesterov"):
        return optim.SGD(model.parameters(), lr=rate, momentum=0.9, weight_decay=decay,
                         nesterov=config.optimizer == "nesterov")
    if config.optimizer == "adagrad":
        return optim.Adagrad(model.parameters(), lr=rate, weight_decay=decay)
    return optim.Adam(model.parameters(), lr=rate, weight_decay=decay)


def run_settings(config: TrainConfig, splits: Splits) -> str:
    """The run's model and training settings in one line, for the log and the pictures."""
    layers = "-".join(str(size) for size in [splits.features, *config.hidden, splits.classes])
    extras = [f"dropout {config.dropout:g}" if config.dropout else "",
              f"input dropout {config.input_dropout:g}" if config.input_dropout else "",
              f"L2 {config.weight_decay:g}" if config.weight_decay else "",
              "cosine schedule" if config.schedule == "cosine" else "",
              f"label smoothing {config.label_smoothing:g}" if config.label_smoothing else ""]
    if config.model == "lenet":
        layers = f"{splits.features}-conv6-conv16-120-84-{splits.classes}"
    return ", ".join([f"{'LeNet-5' if config.model == 'lenet' else 'MLP'} {layers} "
                      f"{config.activation}", f"{config.loss}",
                      f"{config.optimizer} lr {config.learning_rate:g}",
                      f"batch {config.batch_size}", f"{config.epochs} epochs",
                      *filter(None, extras)])


def loss_value(config: TrainConfig, scores: Tensor, labels: Tensor, classes: int) -> Tensor:
    if config.loss == "hinge":
        return nn.functional.multi_margin_loss(scores, labels)
    if config.loss == "mse":
        targets = nn.functional.one_hot(labels, classes).float()
        return nn.functional.mse_loss(scores, targets)
    return nn.functional.cross_entropy(scores, labels, label_smoothing=config.label_smoothing)


def measure(model: nn.Module, config: TrainConfig, pair: tuple[Tensor, Tensor],
            classes: int, batch: int = 2048) -> tuple[float, float]:
    """(mean loss, accuracy) in eval mode, in batches (no graph is recorded)."""
    features, labels = pair
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    with no_grad():
        for start in range(0, features.shape[0], batch):
            x, y = features[start:start + batch], labels[start:start + batch]
            scores = model(x)
            total_loss += loss_value(config, scores, y, classes).item() * y.shape[0]
            correct += int((scores.argmax(1) == y).sum().item())
    model.train(was_training)
    count = max(int(features.shape[0]), 1)
    return total_loss / count, correct / count


def _write_json(path: Path, value: Any, indent: int | None = 2) -> None:
    """Writes JSON atomically; `indent=None` takes json's C encoder, several times faster
    (the rewrite after every epoch of a 400-epoch run would otherwise take seconds)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(value, indent=indent))
    os.replace(temporary, path)


@dataclass
class _RunFiles:
    """The run folder's files, rewritten after every epoch: the checkpoint (all that
    `--resume` needs), then metrics.json, so the metrics never list an epoch that the
    checkpoint lacks, then the report's pictures (`Redraw` decides how often: after every
    epoch that takes seconds)."""

    out: Path
    model: nn.Module
    optimizer: optim.Optimizer
    scheduler: Any
    config: TrainConfig
    splits: Splits
    written_epoch: int = 0  # the last checkpoint this run wrote (or resumed from)
    interrupt_after: int | None = None  # see `train`
    epochs_saved: int = 0
    redraw: Redraw | None = None  # the report, between epochs
    board: Any = None  # a chainrule.utils.tensorboard.SummaryWriter, with --tensorboard
    history: list[dict[str, Any]] = field(default_factory=list)
    writes: bool = True  # False in processes other than rank 0 of a parallel run

    @property
    def path(self) -> Path:
        return self.out / CHECKPOINT_NAME

    def write_checkpoint(self, epoch: int, history: list[dict[str, Any]]) -> None:
        self.written_epoch = epoch
        if not self.writes:
            return
        seconds = float(history[-1]["elapsed"]) if history else 0.0
        splits = self.splits
        save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
              "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
              "config": self.config.to_dict(), "epoch": epoch,
              "history": json.dumps(history),  # one string: fast to store each epoch
              "seconds": seconds, "rng": get_rng_state(),
              "input_mean": from_numpy(np.asarray(splits.mean, np.float32)),
              "input_std": from_numpy(np.asarray(splits.std, np.float32)),
              "features": splits.features, "classes": splits.classes}, self.path)

    def save(self, epoch: int, history: list[dict[str, Any]]) -> None:
        self.write_checkpoint(epoch, history)
        if self.writes:
            _write_json(self.out / "metrics.json", {"config": self.config.to_dict(),
                                                    "dataset_name": dataset_name(self.config),
                                                    "epochs": history}, indent=None)
        self.epochs_saved += 1
        if self.board is not None:
            _log_epoch(self.board, history[-1], self.model)
        if self.redraw is not None:
            self.history = history
            self.redraw(force=self.epochs_saved == 1)  # `train` draws the last one
        if self.interrupt_after is not None and self.epochs_saved >= self.interrupt_after \
                and epoch < (self.config.epochs or 0):
            raise KeyboardInterrupt  # what Ctrl-C would do at this point

    def saved_epoch(self) -> int:
        try:
            return int(load(self.path)["epoch"])
        except (OSError, ValueError, KeyError):
            return self.written_epoch


@dataclass
class _EpochMetrics:
    """After each epoch: the record `chainrule train` keeps, and its line of output."""

    model: nn.Module
    optimizer: optim.Optimizer
    config: TrainConfig
    splits: Splits
    probe: HealthProbe
    elapsed: float  # training seconds before this epoch, over all the run's calls

    def __post_init__(self) -> None:
        train = self.splits.train
        self.train_subset = (train[0][:_TRAIN_METRIC_SAMPLES], train[1][:_TRAIN_METRIC_SAMPLES])

    def __call__(self, end: EpochEnd) -> dict[str, Any]:
        config, classes = self.config, self.splits.classes
        train_loss, train_accuracy = measure(self.model, config, self.train_subset, classes)
        val_loss, val_accuracy = measure(self.model, config, self.splits.val, classes)
        seconds = end.seconds()
        self.elapsed += seconds
        print(f"epoch {end.epoch:3d}/{config.epochs}  train loss {train_loss:.4f} acc "
              f"{train_accuracy:.4f}  val loss {val_loss:.4f} acc {val_accuracy:.4f}  "
              f"({seconds:.2f}s)", flush=True)
        return {"epoch": end.epoch, "train_loss": train_loss, "train_accuracy": train_accuracy,
                "val_loss": val_loss, "val_accuracy": val_accuracy,
                "lr": self.optimizer.param_groups[0]["lr"], "seconds": seconds,
                "elapsed": self.elapsed, **self.probe.summarise()}


def train(config: TrainConfig, resume: bool = False, interrupt_after: int | None = None,
          report: bool = True) -> TrainResult:
    """Trains (or resumes) a run and writes its folder: checkpoint, metrics.json, report.

    `interrupt_after` stops after that many epochs of this call as Ctrl-C would (tests use
    it to check that a resumed run ends exactly where an uninterrupted one does).
    """
    run_began = time.perf_counter()
    processes = join()  # under mpiexec -n N: data-parallel, rank 0 writing
    out = Path(config.out)
    state = None
    if resume:
        state, config = _saved_run(out / CHECKPOINT_NAME, config)
    config.validate()
    if processes.writes:
        out.mkdir(parents=True, exist_ok=True)

    splits = load_splits(config)
    epochs = config.epochs or default_epochs(int(splits.train[1].shape[0]), config.batch_size)
    config.epochs = epochs  # saved with the run, so --resume ends where this run would
    manual_seed(config.seed)
    model = build_model(config, splits.features, splits.classes)
    optimizer = build_optimizer(config, model)
    title = f"{dataset_name(config)}: {run_settings(config, splits)}"
    if state is None:
        sizes = [int(pair[1].shape[0]) for pair in (splits.train, splits.val, splits.test)]
        print(f"{dataset_name(config)}: {sizes[0]:,} training, {sizes[1]:,} validation and "
              f"{sizes[2]:,} test samples, {splits.classes} classes; "
              f"{run_settings(config, splits)}", flush=True)
    scheduler = (optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
                 if config.schedule == "cosine" else None)
    files = _RunFiles(out, model, optimizer, scheduler, config, splits,
                      interrupt_after=interrupt_after, writes=processes.writes)
    history: list[dict[str, Any]] = []
    elapsed = 0.0
    if state is not None:
        history, elapsed = _restore(state, model, optimizer, scheduler)
        files.written_epoch = int(state["epoch"])
        print(f"resuming {out} after epoch {state['epoch']} of {config.epochs}")
    else:
        files.write_checkpoint(0, history)
    if report and processes.writes:
        from ..report import write_report

        files.redraw = Redraw(lambda: write_report(out, files.history, model, splits, config,
                                                   title=title))

    if config.tensorboard and processes.writes:
        from chainrule.utils.tensorboard import SummaryWriter

        files.board = SummaryWriter(config.tensorboard)
        files.board.add_text("run", f"{title}  \n{json.dumps(config.to_dict())}",
                             len(history))
    batches, loss_of = _batches_and_loss(model, config, splits, processes, len(history) + 1)
    probe = HealthProbe(model, splits.val[0][:512])
    try:
        history = fit(model, optimizer, batches, loss_of,
                      _EpochMetrics(model, optimizer, config, splits, probe, elapsed),
                      epochs=epochs, history=history, scheduler=scheduler,
                      after_backward=probe.record_gradients, checkpoints=files,
                      progress=config.progress, compile_step=config.compile).history
    finally:
        if files.board is not None:
            files.board.close()
    elapsed = float(history[-1].get("elapsed", elapsed)) if history else elapsed
    test_loss, test_accuracy, confusion = _write_final_metrics(out, model, config, splits,
                                                               history, elapsed,
                                                               processes.writes)
    report_files: list[Path] = []
    if report and processes.writes:
        from ..report import write_report

        report_files = write_report(out, history, model, splits, config, final=True,
                                    title=title, confusion=confusion)
    return TrainResult(config, history, test_loss, test_accuracy, elapsed, out, report_files,
                       time.perf_counter() - run_began)


def _log_epoch(board: Any, record: dict[str, Any], model: nn.Module) -> None:
    """One epoch for TensorBoard: losses and accuracies (training and validation on one
    chart each), the learning rate, gradient health, and each weight's histogram."""
    step = record["epoch"]
    board.add_scalars("loss", {"train": record["train_loss"], "val": record["val_loss"]}, step)
    board.add_scalars("accuracy", {"train": record["train_accuracy"],
                                   "val": record["val_accuracy"]}, step)
    board.add_scalar("lr", record["lr"], step)
    for key in ("grad_norm", "dead_fraction", "saturated_fraction"):
        for layer, value in enumerate(record.get(key) or [], start=1):
            board.add_scalar(f"{key}/layer_{layer}", value, step)
    for name, parameter in model.named_parameters():
        board.add_histogram(name, parameter, step)
    board.flush()


def _batches_and_loss(model: nn.Module, config: TrainConfig, splits: Splits,
                      processes: Processes, first_epoch: int) -> tuple[Any, Any]:
    """The epoch's batches and the loss of one: shuffled minibatches of the training split,
    or, in a data-parallel run, this process's weighted share of each (`RankBatches`)."""
    train_set = TensorDataset(*splits.train)
    if not processes.parallel:
        loader = DataLoader(train_set, batch_size=config.batch_size, shuffle=True)
        return loader, lambda batch: loss_value(config, model(batch[0]), batch[1],
                                                splits.classes)
    print(processes.describe(config.batch_size))
    replicated = data_parallel(model, processes)

    def share_loss(share: tuple[np.ndarray, float]) -> Tensor:
        features, labels = train_set[share[0]]  # type: ignore[index]
        return loss_value(config, replicated(features), labels, splits.classes) * share[1]

    batches = RankBatches(len(train_set), config.batch_size, processes, config.seed,
                          first_epoch)
    return batches, share_loss


def _saved_run(path: Path, config: TrainConfig) -> tuple[dict[str, Any], TrainConfig]:
    """The checkpoint to resume from, and its run's settings: the saved ones, except where
    the output goes, whether progress bars show and where TensorBoard logs go, which are
    this call's."""
    remove_stale_temporaries(path)  # what a save killed mid-write left behind
    if not path.is_file():
        raise FileNotFoundError(f"--resume: no checkpoint at {path} to resume from; train "
                                "without --resume first")
    state = load(path)
    saved = TrainConfig.from_dict(state["config"])
    saved.progress, saved.out = config.progress, config.out
    saved.tensorboard = config.tensorboard
    return state, saved


def _restore(state: dict[str, Any], model: nn.Module, optimizer: optim.Optimizer,
             scheduler: Any) -> tuple[list[dict[str, Any]], float]:
    """Puts a checkpoint's state back; returns the history and training seconds so far."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state.get("scheduler"):
        scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"])
    return saved_history(state), float(state["seconds"])


def saved_history(state: dict[str, Any]) -> list[dict[str, Any]]:
    """A checkpoint's per-epoch records (a JSON string; a list in older checkpoints)."""
    history = state["history"]
    return list(json.loads(history) if isinstance(history, str) else history)


def confusion_matrix(model: nn.Module, pair: tuple[Tensor, Tensor], classes: int,
                     batch: int = 2048) -> np.ndarray:
    """Counts of (true class, predicted class) over a split, in eval mode: rows are the true
    classes, columns the predicted ones."""
    features, labels = pair
    was_training = model.training
    model.eval()
    counts = np.zeros((classes, classes), dtype=np.int64)
    with no_grad():
        for start in range(0, features.shape[0], batch):
            predicted = model(features[start:start + batch]).argmax(1).numpy()
            truth = labels[start:start + batch].numpy()
            np.add.at(counts, (truth, predicted), 1)
    model.train(was_training)
    return counts


def per_class_accuracy(confusion: np.ndarray) -> list[float]:
    """Each class's accuracy: its correct predictions over its samples (0 for none)."""
    totals = confusion.sum(axis=1)
    return [float(confusion[k, k] / totals[k]) if totals[k] else 0.0
            for k in range(confusion.shape[0])]


def _write_final_metrics(out: Path, model: nn.Module, config: TrainConfig, splits: Splits,
                         history: list[dict[str, Any]], elapsed: float, writes: bool = True
                         ) -> tuple[float, float, np.ndarray]:
    """metrics.json with the final scores (and, for more than 2 classes, the test confusion
    matrix and per-class accuracy); returns the test loss, accuracy and confusion matrix."""
    test_loss, test_accuracy = measure(model, config, splits.test, splits.classes)
    final_train = measure(model, config, splits.train, splits.classes)
    confusion = confusion_matrix(model, splits.test, splits.classes)
    final: dict[str, Any] = {"train_loss": final_train[0], "train_accuracy": final_train[1],
                             "test_loss": test_loss, "test_accuracy": test_accuracy,
                             "test_error_percent": 100 * (1 - test_accuracy),
                             "wall_seconds": elapsed}
    if splits.classes > 2:
        final["per_class_accuracy"] = per_class_accuracy(confusion)
        final["confusion_matrix"] = confusion.tolist()  # rows: true class; columns: predicted
    if writes:
        _write_json(out / "metrics.json", {"config": config.to_dict(),
                                           "dataset_name": dataset_name(config),
                                           "epochs": history, "final": final})
    return test_loss, test_accuracy, confusion


def load_model(checkpoint: str | os.PathLike[str]
               ) -> tuple[MLP | LeNet5, TrainConfig, dict[str, Any]]:
    """The model saved in a checkpoint, in eval mode, with its config and the raw state."""
    _, state = open_checkpoint(checkpoint, "classifier")
    config = TrainConfig.from_dict(state["config"])
    model = build_model(config, int(state["features"]), int(state["classes"]))
    model.load_state_dict(state["model"])
    model.eval()
    return model, config, state


@dataclass
class Evaluation:
    """A saved model on a split: mean loss, accuracy, samples, and the confusion matrix
    (rows: true class; columns: predicted)."""

    loss: float
    accuracy: float
    count: int
    confusion: np.ndarray

    @property
    def per_class_accuracy(self) -> list[float]:
        return per_class_accuracy(self.confusion)


def evaluate_checkpoint(checkpoint: str | os.PathLike[str], dataset: str | None = None,
                        data_dir: str | None = None, split: str = "test") -> Evaluation:
    """A saved model on a split of its (or another) data set."""
    model, config, state = load_model(checkpoint)
    features, classes = int(state["features"]), int(state["classes"])  # any model's
    if dataset is not None:
        config.dataset = dataset
    if data_dir is not None:
        config.data_dir = data_dir
    config.validate()
    splits = load_splits(config)
    if splits.features != features:
        raise ValueError(f"the model takes {features} features, but the "
                         f"data set '{config.dataset}' has {splits.features}")
    if split not in ("train", "val", "test"):
        raise UsageError(f"split must be train, val or test, got '{split}'")
    pair = getattr(splits, split)
    loss, accuracy = measure(model, config, pair, classes)
    return Evaluation(loss, accuracy, int(pair[1].shape[0]),
                      confusion_matrix(model, pair, classes))
