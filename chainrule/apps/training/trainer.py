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
from chainrule.serialization import checkpoint_path, remove_stale_temporaries
from chainrule.utils.data import DataLoader, TensorDataset

from ..models.mlp import MLP
from .config import TrainConfig
from .data import Splits, load_splits
from .health import HealthProbe
from .loop import EpochEnd, Interrupted, fit

__all__ = ["train", "TrainResult", "Interrupted", "build_model", "evaluate_checkpoint",
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


def build_model(config: TrainConfig, features: int, classes: int) -> MLP:
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


def _write_json(path: Path, value: Any) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(value, indent=2))
    os.replace(temporary, path)


@dataclass
class _RunFiles:
    """The run folder's files, rewritten after every epoch: the checkpoint (all that
    `--resume` needs), then metrics.json, so the metrics never list an epoch that the
    checkpoint lacks."""

    out: Path
    model: nn.Module
    optimizer: optim.Optimizer
    scheduler: Any
    config: TrainConfig
    splits: Splits
    written_epoch: int = 0  # the last checkpoint this run wrote (or resumed from)
    interrupt_after: int | None = None  # see `train`
    epochs_saved: int = 0

    @property
    def path(self) -> Path:
        return self.out / CHECKPOINT_NAME

    def write_checkpoint(self, epoch: int, history: list[dict[str, Any]]) -> None:
        seconds = float(history[-1]["elapsed"]) if history else 0.0
        splits = self.splits
        save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
              "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
              "config": self.config.to_dict(), "epoch": epoch, "history": history,
              "seconds": seconds, "rng": get_rng_state(),
              "input_mean": from_numpy(np.asarray(splits.mean, np.float32)),
              "input_std": from_numpy(np.asarray(splits.std, np.float32)),
              "features": splits.features, "classes": splits.classes}, self.path)
        self.written_epoch = epoch

    def save(self, epoch: int, history: list[dict[str, Any]]) -> None:
        self.write_checkpoint(epoch, history)
        _write_json(self.out / "metrics.json", {"config": self.config.to_dict(),
                                                "epochs": history})
        self.epochs_saved += 1
        if self.interrupt_after is not None and self.epochs_saved >= self.interrupt_after \
                and epoch < self.config.epochs:
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
    out = Path(config.out)
    state = None
    if resume:
        state, config = _saved_run(out / CHECKPOINT_NAME, config)
    config.validate()
    out.mkdir(parents=True, exist_ok=True)

    splits = load_splits(config)
    manual_seed(config.seed)
    model = build_model(config, splits.features, splits.classes)
    optimizer = build_optimizer(config, model)
    scheduler = (optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs)
                 if config.schedule == "cosine" else None)
    files = _RunFiles(out, model, optimizer, scheduler, config, splits,
                      interrupt_after=interrupt_after)
    history: list[dict[str, Any]] = []
    elapsed = 0.0
    if state is not None:
        history, elapsed = _restore(state, model, optimizer, scheduler)
        files.written_epoch = int(state["epoch"])
        print(f"resuming {out} after epoch {state['epoch']} of {config.epochs}")
    else:
        files.write_checkpoint(0, history)

    loader = DataLoader(TensorDataset(*splits.train), batch_size=config.batch_size,
                        shuffle=True)
    probe = HealthProbe(model, splits.val[0][:512])
    history = fit(model, optimizer, loader,
                  lambda batch: loss_value(config, model(batch[0]), batch[1], splits.classes),
                  _EpochMetrics(model, optimizer, config, splits, probe, elapsed),
                  epochs=config.epochs, history=history, scheduler=scheduler,
                  after_backward=probe.record_gradients, checkpoints=files,
                  progress=config.progress).history
    elapsed = float(history[-1].get("elapsed", elapsed)) if history else elapsed
    test_loss, test_accuracy = _write_final_metrics(out, model, config, splits, history,
                                                    elapsed)
    report_files: list[Path] = []
    if report:
        from ..report import write_report

        report_files = write_report(out, history, model, splits, config)
    return TrainResult(config, history, test_loss, test_accuracy, elapsed, out, report_files,
                       time.perf_counter() - run_began)


def _saved_run(path: Path, config: TrainConfig) -> tuple[dict[str, Any], TrainConfig]:
    """The checkpoint to resume from, and its run's settings: the saved ones, except where
    the output goes and whether progress bars show, which are this call's."""
    remove_stale_temporaries(path)  # what a save killed mid-write left behind
    if not path.is_file():
        raise FileNotFoundError(f"--resume: no checkpoint at {path} to resume from; train "
                                "without --resume first")
    state = load(path)
    saved = TrainConfig.from_dict(state["config"])
    saved.progress, saved.out = config.progress, config.out
    return state, saved


def _restore(state: dict[str, Any], model: nn.Module, optimizer: optim.Optimizer,
             scheduler: Any) -> tuple[list[dict[str, Any]], float]:
    """Puts a checkpoint's state back; returns the history and training seconds so far."""
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state.get("scheduler"):
        scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"])
    return list(state["history"]), float(state["seconds"])


def _write_final_metrics(out: Path, model: nn.Module, config: TrainConfig, splits: Splits,
                         history: list[dict[str, Any]], elapsed: float) -> tuple[float, float]:
    """metrics.json with the final scores; returns the test loss and accuracy."""
    test_loss, test_accuracy = measure(model, config, splits.test, splits.classes)
    final_train = measure(model, config, splits.train, splits.classes)
    summary = {"config": config.to_dict(), "epochs": history,
               "final": {"train_loss": final_train[0], "train_accuracy": final_train[1],
                         "test_loss": test_loss, "test_accuracy": test_accuracy,
                         "test_error_percent": 100 * (1 - test_accuracy),
                         "wall_seconds": elapsed}}
    _write_json(out / "metrics.json", summary)
    return test_loss, test_accuracy


def load_model(checkpoint: str | os.PathLike[str]) -> tuple[MLP, TrainConfig, dict[str, Any]]:
    """The model saved in a checkpoint, in eval mode, with its config and the raw state."""
    path = checkpoint_path(checkpoint, CHECKPOINT_NAME)
    state = load(path)
    if not isinstance(state, dict) or "config" not in state or "model" not in state:
        raise ValueError(f"{path} is a checkpoint, but not one written by chainrule train")
    config = TrainConfig.from_dict(state["config"])
    model = build_model(config, int(state["features"]), int(state["classes"]))
    model.load_state_dict(state["model"])
    model.eval()
    return model, config, state


def evaluate_checkpoint(checkpoint: str | os.PathLike[str], dataset: str | None = None,
                        data_dir: str | None = None, split: str = "test"
                        ) -> tuple[float, float, int]:
    """(loss, accuracy, samples) of a saved model on a split of its (or another) data set."""
    model, config, _ = load_model(checkpoint)
    if dataset is not None:
        config.dataset = dataset
    if data_dir is not None:
        config.data_dir = data_dir
    config.validate()
    splits = load_splits(config)
    if splits.features != model.layers[0].in_features:
        raise ValueError(f"the model takes {model.layers[0].in_features} features, but the "
                         f"data set '{config.dataset}' has {splits.features}")
    if split not in ("train", "val", "test"):
        raise ValueError(f"split must be train, val or test, got '{split}'")
    pair = getattr(splits, split)
    loss, accuracy = measure(model, config, pair, splits.classes)
    return loss, accuracy, int(pair[1].shape[0])
