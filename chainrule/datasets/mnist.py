"""MNIST from its original IDX files (gzip-compressed or raw); nothing is downloaded.

IDX: two zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, each
dimension as a big-endian uint32, then the data, row-major.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["read_idx", "load_mnist", "MNIST_FILES"]

MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """An IDX file (or its .gz) as an array, checking the magic number and the sizes."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"read_idx: no file at {file}")
    raw = file.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"read_idx: {file} is a damaged gzip file: {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"read_idx: {file} is not an IDX file (its first bytes are "
                         f"{raw[:4].hex()}, expected 0000 then a type and a rank)")
    kinds: dict[int, Any] = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4",
                             0x0D: ">f4", 0x0E: ">f8"}
    if raw[2] not in kinds:
        raise ValueError(f"read_idx: {file} has unknown element type 0x{raw[2]:02x}")
    rank = raw[3]
    header = 4 + 4 * rank
    if len(raw) < header:
        raise ValueError(f"read_idx: {file} is truncated inside its header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    dtype = np.dtype(kinds[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"read_idx: {file} holds {len(raw)} bytes, but its header "
                         f"(shape {shape}) says {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(
        dtype.newbyteorder("="), copy=False)


def _find(folder: Path, stem: str) -> Path:
    candidates = [folder / (stem + ".gz"), folder / stem,
                  folder / (stem.replace("-idx", ".idx") + ".gz"),
                  folder / stem.replace("-idx", ".idx")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates[:2])
    raise FileNotFoundError(f"MNIST file {stem} not found: looked for {looked}. Point "
                            "--data-dir at the folder holding the four IDX files")


def load_mnist(data_dir: str | os.PathLike[str], split: str = "train"
               ) -> tuple[Tensor, Tensor]:
    """(images uint8 of shape (N, 28, 28), labels int64 of shape (N,)) for 'train' or 'test'."""
    if split not in MNIST_FILES:
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got {split!r}")
    folder = Path(data_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"load_mnist: the folder {folder} does not exist")
    image_stem, label_stem = MNIST_FILES[split]
    images = read_idx(_find(folder, image_stem))
    labels = read_idx(_find(folder, label_stem))
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ValueError(f"load_mnist: images of shape {images.shape} and labels of shape "
                         f"{labels.shape} do not belong together")
    return Tensor._make(images, None), Tensor._make(labels.astype(np.int64), None)
