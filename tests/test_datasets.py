"""The toy generators and the MNIST and CoNLL readers (on the shared data where present)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.datasets import iob1_to_iob2, load_mnist, quadrants, read_conll, read_idx, spiral

SHARED = Path(os.environ.get("CHAINRULE_DATA", Path(__file__).resolve().parents[2] / "shared"
                             / "data"))
MNIST_DIR = SHARED / "mnist"
CONLL_DIR = SHARED / "conll2003"


def test_spiral_is_seeded_and_balanced() -> None:
    x, y = spiral(50, 3, seed=1)
    again, _ = spiral(50, 3, seed=1)
    other, _ = spiral(50, 3, seed=2)
    assert x.shape == (150, 2) and x.dtype == cr.float32 and y.dtype == cr.int64
    assert cr.equal(x, again) and not cr.equal(x, other)
    assert np.bincount(y.numpy()).tolist() == [50, 50, 50]
    assert np.abs(x.numpy()).max() <= 1.0 + 1e-6


def test_quadrants_labels_by_sign() -> None:
    x, y = quadrants(200, seed=0)
    a, b = x.numpy()[:, 0], x.numpy()[:, 1]
    expected = np.where(b >= 0, np.where(a >= 0, 0, 1), np.where(a < 0, 2, 3))
    assert y.tolist() == expected.tolist()


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(payload) if compress else payload)


def test_idx_reader_round_trip_and_validation(tmp_path: Path) -> None:
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "raw-idx3-ubyte", images)
    write_idx(tmp_path / "zipped-idx3-ubyte.gz", images, compress=True)
    assert np.array_equal(read_idx(tmp_path / "raw-idx3-ubyte"), images)
    assert np.array_equal(read_idx(tmp_path / "zipped-idx3-ubyte.gz"), images)
    (tmp_path / "bad").write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes((tmp_path / "raw-idx3-ubyte").read_bytes()[:-3])
    with pytest.raises(ValueError, match="header .* says"):
        read_idx(tmp_path / "short")
    with pytest.raises(FileNotFoundError, match="no file at"):
        read_idx(tmp_path / "absent")


def test_load_mnist_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz"):
        load_mnist(tmp_path, "train")
    with pytest.raises(ValueError, match="split must be"):
        load_mnist(tmp_path, "validation")


@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"MNIST not found at {MNIST_DIR} (set "
                    "CHAINRULE_DATA to the folder holding mnist/)")
def test_real_mnist_files() -> None:
    images, labels = load_mnist(MNIST_DIR, "test")
    assert images.shape == (10000, 28, 28) and images.dtype == cr.uint8
    assert np.bincount(labels.numpy()).tolist() == [980, 1135, 1032, 1010, 982, 892, 958,
                                                    1028, 974, 1009]
    assert abs(float(images.numpy().mean()) - 33.791) < 1e-3


def test_iob1_to_iob2() -> None:
    assert iob1_to_iob2(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"]) == [
        "B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-ORG"]


def test_conll_reader_on_a_hand_made_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text("-DOCSTART- -X- O O\n\nMuseums NNS I-NP O\nin IN I-PP O\n"
                    "Paris NNP I-NP I-LOC\nare VBP I-VP O\namazing JJ I-ADJP O\n\n"
                    "EU NNP I-NP I-ORG\n\n")
    assert read_conll(path) == [[("Museums", "O"), ("in", "O"), ("Paris", "I-LOC"),
                                 ("are", "O"), ("amazing", "O")], [("EU", "I-ORG")]]
    assert read_conll(path, scheme="iob2")[0][2] == ("Paris", "B-LOC")
    with pytest.raises(FileNotFoundError, match="no file at"):
        read_conll(tmp_path / "nope.txt")


@pytest.mark.skipif(not CONLL_DIR.is_dir(), reason=f"CoNLL-2003 not found at {CONLL_DIR} (set "
                    "CHAINRULE_DATA to the folder holding conll2003/)")
def test_real_conll_counts() -> None:
    counts = {name: read_conll(CONLL_DIR / name) for name in ("train.txt", "valid.txt",
                                                              "test.txt")}
    assert [len(s) for s in counts.values()] == [14041, 3250, 3453]
    assert [sum(map(len, s)) for s in counts.values()] == [203621, 51362, 46435]
