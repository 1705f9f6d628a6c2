"""The data of a run: train, validation and test splits, standardised with training
statistics (kept in the checkpoint so that evaluate and predict see inputs the same way)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chainrule import Tensor, datasets, from_numpy

from .config import TrainConfig

__all__ = ["Splits", "load_splits", "read_table", "standardise"]


@dataclass
class Splits:
    train: tuple[Tensor, Tensor]
    val: tuple[Tensor, Tensor]
    test: tuple[Tensor, Tensor]
    mean: np.ndarray
    std: np.ndarray
    classes: int

    @property
    def features(self) -> int:
        return int(self.train[0].shape[1])


def standardise(features: np.ndarray, mean: np.ndarray, std: np.ndarray) -> Tensor:
    return from_numpy(((features - mean) / std).astype(np.float32))


def read_table(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Features and (if present) integer labels from a .csv (label in the last column, an
    optional header line) or an .npz (arrays x/features and y/labels)."""
    if not path.is_file():
        raise FileNotFoundError(f"no data file at {path}")
    if path.suffix == ".npz":
        with np.load(path) as archive:
            names = set(archive.files)
            x_name = next((n for n in ("x", "features", "X") if n in names), None)
            y_name = next((n for n in ("y", "labels", "Y") if n in names), None)
            if x_name is None:
                raise ValueError(f"{path} has arrays {sorted(names)}; expected 'x' (or "
                                 "'features') and 'y' (or 'labels')")
            features = np.asarray(archive[x_name], dtype=np.float64)
            labels = None if y_name is None else np.asarray(archive[y_name])
    elif path.suffix == ".csv":
        try:
            table = np.loadtxt(path, delimiter=",", ndmin=2)
        except ValueError:
            table = np.loadtxt(path, delimiter=",", ndmin=2, skiprows=1)
        features, labels = table[:, :-1], table[:, -1]
    else:
        raise ValueError(f"{path} is neither a .csv nor an .npz file")
    if features.ndim != 2:
        features = features.reshape(features.shape[0], -1)
    if labels is not None:
        if labels.shape[0] != features.shape[0]:
            raise ValueError(f"{path}: {features.shape[0]} feature rows but {labels.shape[0]} "
                             "labels")
        if not np.allclose(labels, np.round(labels)) or labels.min() < 0:
            raise ValueError(f"{path}: labels must be non-negative class numbers")
        labels = labels.astype(np.int64)
    return features, labels


def _as_pair(features: np.ndarray, labels: np.ndarray, mean: np.ndarray, std: np.ndarray
             ) -> tuple[Tensor, Tensor]:
    return standardise(features, mean, std), from_numpy(labels.astype(np.int64))


def _idx_splits(folder: Path) -> Splits:
    """MNIST-format IDX files: the last twelfth of the training images (MNIST's customary
    5,000 of 60,000) is the validation set; inputs are standardised by the training pixels'
    mean and standard deviation."""
    images, labels = datasets.load_mnist(folder, "train")
    test_images, test_labels = datasets.load_mnist(folder, "test")
    pixels = images.numpy().reshape(len(labels), -1).astype(np.float32)
    test_pixels = test_images.numpy().reshape(len(test_labels), -1).astype(np.float32)
    raw = labels.numpy()
    cut = len(raw) - len(raw) // 12
    mean = np.array(pixels[:cut].mean(), np.float32)
    std = np.array(pixels[:cut].std() or 1.0, np.float32)
    classes = int(max(raw.max(), test_labels.numpy().max())) + 1
    return Splits(_as_pair(pixels[:cut], raw[:cut], mean, std),
                  _as_pair(pixels[cut:], raw[cut:], mean, std),
                  _as_pair(test_pixels, test_labels.numpy(), mean, std), mean, std, classes)


def load_splits(config: TrainConfig) -> Splits:
    name = config.dataset
    if name in ("spiral", "quadrants"):
        make = datasets.spiral if name == "spiral" else datasets.quadrants
        parts = [make(seed=config.seed + offset) for offset in (0, 1000, 2000)]
        zero, one = np.zeros(2, np.float32), np.ones(2, np.float32)
        classes = int(parts[0][1].numpy().max()) + 1
        return Splits(parts[0], parts[1], parts[2], zero, one, classes)
    if name == "mnist" or Path(name).is_dir():
        return _idx_splits(Path(config.data_dir or "") if name == "mnist" else Path(name))
    table, classes_column = read_table(Path(name))
    if classes_column is None:
        raise ValueError(f"{name} has no labels; training needs them")
    if table.shape[0] < 10:
        raise ValueError(f"{name} has only {table.shape[0]} rows; at least 10 are needed "
                         "to make train, validation and test splits")
    order = np.random.default_rng(config.seed).permutation(table.shape[0])
    cut_val, cut_test = int(0.8 * len(order)), int(0.9 * len(order))
    index_sets = [order[:cut_val], order[cut_val:cut_test], order[cut_test:]]
    mean = table[index_sets[0]].mean(axis=0).astype(np.float32)
    std = table[index_sets[0]].std(axis=0).astype(np.float32)
    std[std == 0] = 1
    pairs = [_as_pair(table[p], classes_column[p], mean, std) for p in index_sets]
    return Splits(pairs[0], pairs[1], pairs[2], mean, std, int(classes_column.max()) + 1)
