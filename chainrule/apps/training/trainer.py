"""The training loop behind `chainrule train`: epochs of minibatch descent, one line of
metrics per epoch, a checkpoint after every epoch (so Ctrl-C or a crash loses at most the
epoch in progress, and `--resume` continues exactly), and the records the report plots."""

from __future__ import annotations

import json
import math
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
from chainrule.serialization import checkpoint_path
from chainrule.utils.data import DataLoader, TensorDataset

from ..models.mlp import MLP
from .config import TrainConfig
from .data import Splits, load_splits
from .health import HealthProbe

__all__ = ["train", "TrainResult", "build_model", "evaluate_checkpoint", "CHECKPOINT_NAME",
           "load_model"]

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


class Interrupted(Exception):  # noqa: N818 - a stop, not an error
    """Training stopped by Ctrl-C (or a test's stand-in for it) after a checkpoint."""

    def __init__(self, epoch: int, out: Path) -> None:
        super().__init__(f"interrupted; the checkpoint after epoch {epoch} is in "
                         f"{out / CHECKPOINT_NAME}")
        self.epoch = epoch
        self.out = out


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


def _checkpoint(path: Path, model: nn.Module, optimizer: optim.Optimizer, scheduler: Any,
                config: TrainConfig, splits: Splits, epoch: int, history: list[dict[str, Any]],
                seconds: float) -> None:
    save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
          "scheduler": scheduler.state_dict() if scheduler is not None else None,
          "config": config.to_dict(), "epoch": epoch, "history": history,
          "seconds": seconds, "rng": get_rng_state(),
          "input_mean": from_numpy(np.asarray(splits.mean, np.float32)),
          "input_std": from_numpy(np.asarray(splits.std, np.float32)),
          "features": splits.features, "classes": splits.classes}, path)


def train(config: TrainConfig, resume: bool = False, interrupt_after: int | None = None,
          report: bool = True) -> TrainResult:
    """Trains (or resumes) a run and writes its folder: checkpoint, metrics.json, report.

    `interrupt_after` stops after that many epochs of this call as Ctrl-C would (tests use
    it to check that a resumed run ends exactly where an uninterrupted one does).
    """
    run_began = time.perf_counter()
    out = Path(config.out)
    checkpoint_path = out / CHECKPOINT_NAME
    state: dict[str, Any] | None = None
    if resume:
        if not checkpoint_path.is_file():
            raise FileNotFoundError(f"--resume: no checkpoint at {checkpoint_path} to resume "
                                    "from; train without --resume first")
        state = load(checkpoint_path)
        saved = TrainConfig.from_dict(state["config"])
        saved.progress, saved.out = config.progress, config.out
        config = saved
    config.validate()
    out.mkdir(parents=True, exist_ok=True)

    splits = load_splits(config)
    manual_seed(config.seed)
    model = build_model(config, splits.features, splits.classes)
    optimizer = build_optimizer(config, model)
    scheduler = (optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs)
                 if config.schedule == "cosine" else None)
    history: list[dict[str, Any]] = []
    start_epoch, elapsed = 1, 0.0
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state.get("scheduler"):
            scheduler.load_state_dict(state["scheduler"])
        set_rng_state(state["rng"])
        history = list(state["history"])
        start_epoch, elapsed = int(state["epoch"]) + 1, float(state["seconds"])
        print(f"resuming {out} after epoch {state['epoch']} of {config.epochs}")
    else:
        _checkpoint(checkpoint_path, model, optimizer, scheduler, config, splits, 0, history,
                    0.0)

    loader = DataLoader(TensorDataset(*splits.train), batch_size=config.batch_size,
                        shuffle=True)
    probe = HealthProbe(model, splits.val[0][:512])
    train_subset = (splits.train[0][:_TRAIN_METRIC_SAMPLES],
                    splits.train[1][:_TRAIN_METRIC_SAMPLES])
    saved_epoch = start_epoch - 1
    try:
        saved_epoch = _run_epochs(config, model, optimizer, scheduler, splits, loader, probe,
                                  train_subset, history, start_epoch, elapsed, out,
                                  checkpoint_path, interrupt_after)
    except KeyboardInterrupt:
        # Ctrl-C: the checkpoint of the last finished epoch is on disk (written atomically).
        raise Interrupted(_last_saved_epoch(checkpoint_path, saved_epoch), out) from None
    elapsed = float(history[-1].get("elapsed", elapsed)) if history else elapsed

    test_loss, test_accuracy = measure(model, config, splits.test, splits.classes)
    final_train = measure(model, config, splits.train, splits.classes)
    summary = {"config": config.to_dict(), "epochs": history,
               "final": {"train_loss": final_train[0], "train_accuracy": final_train[1],
                         "test_loss": test_loss, "test_accuracy": test_accuracy,
                         "test_error_percent": 100 * (1 - test_accuracy),
                         "wall_seconds": elapsed}}
    _write_json(out / "metrics.json", summary)
    files: list[Path] = []
    if report:
        from ..report import write_report

        files = write_report(out, history, model, splits, config)
    return TrainResult(config, history, test_loss, test_accuracy, elapsed, out, files,
                       time.perf_counter() - run_began)


def _last_saved_epoch(path: Path, fallback: int) -> int:
    try:
        return int(load(path)["epoch"])
    except (OSError, ValueError, KeyError):
        return fallback


def _run_epochs(config: TrainConfig, model: nn.Module, optimizer: optim.Optimizer,
                scheduler: Any, splits: Splits, loader: DataLoader, probe: HealthProbe,
                train_subset: tuple[Tensor, Tensor], history: list[dict[str, Any]],
                start_epoch: int, elapsed: float, out: Path, checkpoint_path: Path,
                interrupt_after: int | None) -> int:
    """The epochs of a run; returns the last epoch whose checkpoint was written."""
    from tqdm.auto import tqdm

    epochs_run = 0
    for epoch in range(start_epoch, config.epochs + 1):
        began = time.perf_counter()
        model.train()
        running, batches = 0.0, 0
        bar = tqdm(loader, desc=f"epoch {epoch}/{config.epochs}", leave=False,
                   disable=not config.progress, unit="batch")
        for features, labels in bar:
            optimizer.zero_grad()
            loss = loss_value(config, model(features), labels, splits.classes)
            loss.backward()
            probe.record_gradients()
            optimizer.step()
            running += loss.item()
            batches += 1
            if config.progress:  # shown at the bar's next redraw; forcing one is slow
                bar.set_postfix(loss=f"{running / batches:.4f}", refresh=False)
        bar.close()
        if not math.isfinite(running):
            raise RuntimeError(f"training diverged in epoch {epoch} (the loss is not finite); "
                               "try a smaller --lr")
        if scheduler is not None:
            scheduler.step()
        train_loss, train_accuracy = measure(model, config, train_subset, splits.classes)
        val_loss, val_accuracy = measure(model, config, splits.val, splits.classes)
        seconds = time.perf_counter() - began
        elapsed += seconds
        record = {"epoch": epoch, "train_loss": train_loss, "train_accuracy": train_accuracy,
                  "val_loss": val_loss, "val_accuracy": val_accuracy,
                  "lr": optimizer.param_groups[0]["lr"], "seconds": seconds,
                  "elapsed": elapsed, **probe.summarise()}
        history.append(record)
        print(f"epoch {epoch:3d}/{config.epochs}  train loss {train_loss:.4f} acc "
              f"{train_accuracy:.4f}  val loss {val_loss:.4f} acc {val_accuracy:.4f}  "
              f"({seconds:.2f}s)", flush=True)
        _checkpoint(checkpoint_path, model, optimizer, scheduler, config, splits, epoch,
                    history, elapsed)
        _write_json(out / "metrics.json", {"config": config.to_dict(), "epochs": history})
        epochs_run += 1
        if interrupt_after is not None and epochs_run >= interrupt_after and \
                epoch < config.epochs:
            raise KeyboardInterrupt
    return config.epochs


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
