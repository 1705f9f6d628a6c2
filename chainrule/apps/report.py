"""The training report: PNG plots of a run, written next to its checkpoint.

- `curves.png`: training and validation loss and accuracy per epoch;
- `decision_regions.png` (2-D data only): the class the model predicts at every point of the
  plane, with the training points on top, in the same colour per class, and a legend;
- `gradient_health.png`: gradient norm per layer, dead ReLUs and saturated units per layer,
  through training;
- `classes.png` (more than 2 classes, at the end): the test confusion matrix and each
  class's accuracy.

Every picture is titled with the data set and the run's settings, and is at least 1,000
pixels wide. Everything is drawn with matplotlib's file backend: no screen is needed.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["write_report", "plot_curves", "plot_decision_regions", "plot_gradient_health",
           "plot_classes", "plot_ner_curves", "DPI"]

DPI = 150  # with figures 7 inches wide or more: at least 1,050 pixels


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(figure: Any, path: Path, title: str) -> Path:
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    for axes in figure.axes:  # epochs are whole numbers: no tick at epoch 1.25
        if axes.get_xlabel() == "epoch":
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:  # wrapped to the figure's width (about 13 characters an inch at this size)
        width = int(figure.get_figwidth() * 13)
        figure.suptitle(textwrap.fill(title, width), fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def _class_colours(classes: int) -> list[Any]:
    """One colour per class, the same in the regions, the points and the legend."""
    plt = _pyplot()
    palette = plt.get_cmap("tab10" if classes <= 10 else "tab20")
    return [palette(index % palette.N) for index in range(classes)]


def plot_curves(history: list[dict[str, Any]], path: Path, title: str = "") -> Path:
    plt = _pyplot()
    epochs = [record["epoch"] for record in history]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for key, label in (("train_loss", "training"), ("val_loss", "validation")):
        left.plot(epochs, [record[key] for record in history], label=label)
    left.set(xlabel="epoch", ylabel="loss (log scale)", title="Loss")
    left.set_yscale("log")
    for key, label in (("train_accuracy", "training"), ("val_accuracy", "validation")):
        right.plot(epochs, [record[key] for record in history], label=label)
    right.set(xlabel="epoch", ylabel="accuracy (fraction correct)", title="Accuracy")
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend()
    return _save(figure, path, title)


def plot_decision_regions(model: Any, features: np.ndarray, labels: np.ndarray, path: Path,
                          mean: np.ndarray, std: np.ndarray, title: str = "",
                          classes: int | None = None) -> Path:
    """The plane coloured by predicted class; `features` are standardised inputs."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

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
    count = classes or int(max(labels.max(), predicted.max())) + 1
    colours = _class_colours(count)
    colour_map = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(count + 1) - 0.5, count)  # class k is colour k, always
    figure, axes = plt.subplots(figsize=(8, 7))
    axes.contourf(xs, ys, predicted.reshape(xs.shape), levels=np.arange(count + 1) - 0.5,
                  cmap=colour_map, norm=norm, alpha=0.3)
    axes.scatter(raw[:, 0], raw[:, 1], c=labels, cmap=colour_map, norm=norm, s=16,
                 edgecolors="k", linewidths=0.3)
    handles = [Patch(facecolor=colour, edgecolor="k", label=f"class {index}")
               for index, colour in enumerate(colours)]
    axes.legend(handles=handles, title="points: true class\nshading: predicted", fontsize=8,
                title_fontsize=8, loc="best", framealpha=0.85)
    axes.set(title="Decision regions (training points)", xlabel="x₁ (first feature)",
             ylabel="x₂ (second feature)")
    return _save(figure, path, title)


def plot_gradient_health(history: list[dict[str, Any]], activation: str, path: Path,
                         title: str = "") -> Path:
    plt = _pyplot()
    epochs = [record["epoch"] for record in history]
    panels = [("grad_norm", "Gradient norm per layer", "‖∂L/∂W‖, mean over an epoch's batches "
               "(log scale)", "layer", True)]
    if history and history[0].get("dead_fraction") is not None:
        panels.append(("dead_fraction", "Dead ReLUs (0 for every probe input)",
                       "fraction of the layer's units", "hidden", False))
    if history and history[0].get("saturated_fraction") is not None:
        panels.append(("saturated_fraction", f"Saturated {activation} outputs",
                       "fraction of outputs near a bound", "hidden", False))
    width = max(6.0 * len(panels), 8.0)
    figure, axes_list = plt.subplots(1, len(panels), figsize=(width, 4.5))
    axes_list = np.atleast_1d(axes_list)
    for axes, (key, name, ylabel, prefix, log) in zip(axes_list, panels):
        series = np.array([record[key] for record in history], dtype=float)
        for layer in range(series.shape[1]):
            axes.plot(epochs, series[:, layer], label=f"{prefix} {layer + 1}")
        axes.set(xlabel="epoch", ylabel=ylabel, title=name)
        if log:
            axes.set_yscale("log")
        else:
            axes.set_ylim(-0.02, 1.02)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    return _save(figure, path, title or f"Gradient health ({activation})")


def plot_classes(confusion: np.ndarray, path: Path, title: str = "",
                 split: str = "test") -> Path:
    """The confusion matrix (rows: true class, columns: predicted) and each class's
    accuracy (the diagonal over the row's total)."""
    plt = _pyplot()
    classes = confusion.shape[0]
    totals = confusion.sum(axis=1)
    accuracy = np.divide(np.diag(confusion), totals, out=np.zeros(classes),
                         where=totals > 0)
    figure, (left, right) = plt.subplots(1, 2, figsize=(14, 6.5),
                                         gridspec_kw={"width_ratios": [1.2, 1]})
    shown = left.imshow(confusion, cmap="Blues")
    figure.colorbar(shown, ax=left, label="samples")
    if classes <= 20:
        threshold = confusion.max() / 2
        for row in range(classes):
            for column in range(classes):
                value = int(confusion[row, column])
                left.text(column, row, str(value), ha="center", va="center", fontsize=7,
                          color="white" if value > threshold else "black")
    ticks = np.arange(classes)
    left.set(xticks=ticks, yticks=ticks, xlabel="predicted class", ylabel="true class",
             title=f"Confusion matrix ({split} split)")
    bars = right.barh(ticks, 100 * accuracy, color=_class_colours(classes))
    right.bar_label(bars, labels=[f"{100 * a:.1f}%" for a in accuracy], fontsize=8,
                    padding=2)
    right.set(yticks=ticks, ylabel="class", xlabel="accuracy (%)", xlim=(0, 110),
              title=f"Per-class accuracy ({split} split)")
    right.invert_yaxis()
    right.grid(alpha=0.3, axis="x")
    return _save(figure, path, title)


def plot_ner_curves(history: list[dict[str, Any]], path: Path, title: str) -> Path:
    """The tagger's training loss and validation F1 per epoch."""
    plt = _pyplot()
    epochs = [record["epoch"] for record in history]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    left.plot(epochs, [record["loss"] for record in history], marker="o")
    left.set(xlabel="epoch", ylabel="training loss (cross-entropy)", title="Loss")
    right.plot(epochs, [100 * record["valid_f1"] for record in history], marker="o")
    right.set(xlabel="epoch", ylabel="entity F1 (%)", title="Validation F1")
    for axes in (left, right):
        axes.grid(alpha=0.3)
    return _save(figure, path, title)


def write_report(out: Path, history: list[dict[str, Any]], model: Any, splits: Any,
                 config: Any, final: bool = False, title: str = "",
                 confusion: np.ndarray | None = None) -> list[Path]:
    """The run's pictures: after each epoch while it trains, and once more at the end
    (`final`, with the test `confusion` matrix for more than 2 classes)."""
    files = [plot_curves(history, out / "curves.png", title),
             plot_gradient_health(history, config.activation, out / "gradient_health.png",
                                  title)]
    if splits.features == 2:
        features, labels = splits.train
        files.append(plot_decision_regions(model, features.numpy(), labels.numpy(),
                                           out / "decision_regions.png", splits.mean,
                                           splits.std, title, splits.classes))
    if final and confusion is not None and splits.classes > 2:
        files.append(plot_classes(confusion, out / "classes.png", title))
    return files
