"""The training report: PNG plots of a run, written next to its checkpoint.

- `curves.png`: training and validation loss and accuracy per epoch;
- `decision_regions.png` (2-D data only): the class the model predicts at every point of the
  plane, with the training points on top;
- `gradient_health.png`: gradient norm per layer, dead ReLUs and saturated units per layer,
  through training.

Everything is drawn with matplotlib's file backend: no screen is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["write_report", "plot_curves", "plot_decision_regions", "plot_gradient_health",
           "plot_ner_curves"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def plot_curves(history: list[dict[str, Any]], path: Path) -> Path:
    plt = _pyplot()
    epochs = [record["epoch"] for record in history]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (("train_loss", "training"), ("val_loss", "validation")):
        left.plot(epochs, [record[key] for record in history], label=label)
    left.set(xlabel="epoch", ylabel="loss", title="Loss")
    left.set_yscale("log")
    for key, label in (("train_accuracy", "training"), ("val_accuracy", "validation")):
        right.plot(epochs, [record[key] for record in history], label=label)
    right.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_decision_regions(model: Any, features: np.ndarray, labels: np.ndarray, path: Path,
                          mean: np.ndarray, std: np.ndarray, title: str = "") -> Path:
    """The plane coloured by predicted class; `features` are standardised inputs."""
    from chainrule import from_numpy, no_grad

    plt = _pyplot()
    raw = features * std + mean
    low, high = raw.min(axis=0) - 0.1, raw.max(axis=0) + 0.1
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = (np.c_[xs.ravel(), ys.ravel()] - mean) / std
    was_training = model.training
    model.eval()
    with no_grad():
        predicted = model(from_numpy(grid.astype(np.float32))).argmax(1).numpy()
    model.train(was_training)
    figure, axes = plt.subplots(figsize=(5.5, 5))
    classes = int(max(labels.max(), predicted.max())) + 1
    axes.contourf(xs, ys, predicted.reshape(xs.shape), levels=np.arange(classes + 1) - 0.5,
                  cmap="Spectral", alpha=0.35)
    axes.scatter(raw[:, 0], raw[:, 1], c=labels, cmap="Spectral", s=14, edgecolors="k",
                 linewidths=0.3, vmin=0, vmax=classes - 1)
    axes.set(title=title or "Decision regions", xlabel="x₁", ylabel="x₂")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_gradient_health(history: list[dict[str, Any]], activation: str, path: Path) -> Path:
    plt = _pyplot()
    epochs = [record["epoch"] for record in history]
    panels = [("grad_norm", "‖∂L/∂W‖ per layer (mean over batches)", "layer", True)]
    if history and history[0].get("dead_fraction") is not None:
        panels.append(("dead_fraction", "dead ReLUs (0 for every probe input)", "hidden", False))
    if history and history[0].get("saturated_fraction") is not None:
        panels.append(("saturated_fraction", f"saturated {activation} outputs", "hidden", False))
    figure, axes_list = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4))
    axes_list = np.atleast_1d(axes_list)
    for axes, (key, title, prefix, log) in zip(axes_list, panels):
        series = np.array([record[key] for record in history], dtype=float)
        for layer in range(series.shape[1]):
            axes.plot(epochs, series[:, layer], label=f"{prefix} {layer + 1}")
        axes.set(xlabel="epoch", title=title)
        if log:
            axes.set_yscale("log")
        else:
            axes.set_ylim(-0.02, 1.02)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    figure.suptitle(f"Gradient health ({activation})")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_ner_curves(history: list[dict[str, Any]], path: Path, title: str) -> Path:
    """The tagger's training loss and validation F1 per epoch."""
    plt = _pyplot()
    epochs = [record["epoch"] for record in history]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, [record["loss"] for record in history], marker="o")
    left.set(xlabel="epoch", ylabel="training loss (cross-entropy)", title="Loss")
    right.plot(epochs, [100 * record["valid_f1"] for record in history], marker="o")
    right.set(xlabel="epoch", ylabel="entity F1 (%)", title="Validation F1")
    for axes in (left, right):
        axes.grid(alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def write_report(out: Path, history: list[dict[str, Any]], model: Any, splits: Any,
                 config: Any, final: bool = False) -> list[Path]:
    """The run's pictures: after each epoch while it trains, and once more at the end
    (`final`)."""
    files = [plot_curves(history, out / "curves.png"),
             plot_gradient_health(history, config.activation, out / "gradient_health.png")]
    if splits.features == 2:
        features, labels = splits.train
        files.append(plot_decision_regions(model, features.numpy(), labels.numpy(),
                                           out / "decision_regions.png", splits.mean,
                                           splits.std, f"{config.dataset}: decision regions"))
    return files
