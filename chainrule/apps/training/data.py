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


def read_csv(path: Path) -> tuple[np.ndarray, list[int]]:
    """A CSV file of numbers as a float64 table (an optional header line of names first),
    with the file's row number of each table row. Every mistake names the file, the row and
    the column, and what was expected there."""
    import csv

    rows: list[list[float]] = []
    numbers: list[int] = []
    width = 0
    with path.open(newline="", encoding="utf-8", errors="replace") as stream:
        for number, cells in enumerate(csv.reader(stream), start=1):
            if not cells or all(not cell.strip() for cell in cells):
                continue  # blank lines are allowed anywhere
            try:
                values = [float(cell) for cell in cells]
            except ValueError:
                if not rows and number == 1:
                    continue  # a header line of column names
                column = next(i for i, cell in enumerate(cells, start=1)
                              if not _is_number(cell))
                raise ValueError(f"{path}, row {number}, column {column}: expected a number, "
                                 f"got {cells[column - 1].strip()!r}") from None
            if width and len(values) != width:
                raise ValueError(f"{path}, row {number}: {len(values)} columns, but the rows "
                                 f"before it have {width}")
            width = width or len(values)
            rows.append(values)
            numbers.append(number)
    if not rows:
        raise ValueError(f"{path} has no rows of numbers")
    return np.array(rows, dtype=np.float64), numbers


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_table(path: Path, labelled: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Features and (if present) integer labels from a .csv (label in the last column unless
    `labelled` is False, an optional header line) or an .npz (arrays x/features and
    y/labels)."""
    if not path.is_file():
        raise FileNotFoundError(f"no data file at {path}")
    labels: np.ndarray | None
    rows: list[int] | None = None  # the CSV's row number of each sample
    if path.suffix == ".npz":
        try:
            archive = np.load(path)
        except (OSError, ValueError) as error:
            raise ValueError(f"{path} is not a readable .npz archive ({error})") from None
        with archive:
            names = set(archive.files)
            x_name = next((n for n in ("x", "features", "X") if n in names), None)
            y_name = next((n for n in ("y", "labels", "Y") if n in names), None)
            if x_name is None:
                raise ValueError(f"{path} has arrays {sorted(names)}; expected 'x' (or "
                                 "'features') and 'y' (or 'labels')")
            features = np.asarray(archive[x_name], dtype=np.float64)
            labels = None if y_name is None or not labelled else np.asarray(archive[y_name])
    elif path.suffix == ".csv":
        table, rows = read_csv(path)
        if labelled and table.shape[1] < 2:
            raise ValueError(f"{path} has 1 column; expected features, then the label in the "
                             "last column")
        features, labels = (table[:, :-1], table[:, -1]) if labelled else (table, None)
    else:
        raise ValueError(f"{path} is neither a .csv nor an .npz file")
    if features.ndim != 2:
        features = features.reshape(features.shape[0], -1)
    if labels is not None:
        if labels.shape[0] != features.shape[0]:
            raise ValueError(f"{path}: {features.shape[0]} feature rows but {labels.shape[0]} "
                             "labels")
        bad = np.flatnonzero((labels != np.round(labels)) | (labels < 0))
        if bad.size:
            where = f"row {rows[bad[0]]}, column {table.shape[1]}" if rows is not None \
                else f"label {bad[0]}"
            raise ValueError(f"{path}, {where}: expected a class number (0, 1, 2, ...), got "
                             f"{labels[bad[0]]:g}")
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
