"""Pictures that explain themselves (issue 16): titles naming the data and the settings,
labelled axes, class legends whose colours match the points and the regions, the per-class
view of a result with more than 2 classes, PNGs at least 1,000 pixels wide, and explain's
pictures under names that do not overwrite each other."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.apps import report
from chainrule.apps.training import TrainConfig, train

REPOSITORY = Path(cr.__file__).parent.parent


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd,
                          env={"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"})


def png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(data[16:20], "big")


def test_four_classes_give_a_per_class_view_and_wide_pictures(tmp_path: Path) -> None:
    done = command("train", "--dataset", "quadrants", "--epochs", "3", "--out", "run",
                   "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    run = tmp_path / "run"
    for name in ("curves.png", "gradient_health.png", "decision_regions.png", "classes.png"):
        assert png_width(run / name) >= 1000, name
    final = json.loads((run / "metrics.json").read_text())["final"]
    matrix = np.array(final["confusion_matrix"])
    assert matrix.shape == (4, 4) and matrix.sum() == 400
    assert final["per_class_accuracy"] == pytest.approx(list(np.diag(matrix) / matrix.sum(1)))
    evaluated = command("evaluate", "run", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "class  samples  accuracy" in evaluated.stdout
    assert "confusion matrix (rows: true class, columns: predicted class)" in evaluated.stdout


def capture_figures(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any, str]]:
    """Keeps each figure the report would save, with its file name and title."""
    kept: list[tuple[str, Any, str]] = []

    def keep(figure: Any, path: Path, title: str) -> Path:
        kept.append((path.name, figure, title))
        return path

    monkeypatch.setattr(report, "_save", keep)
    return kept


def test_two_class_pictures_are_titled_labelled_and_colour_matched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.random.default_rng(0).normal(size=(200, 2))
    table = np.c_[x, (x[:, 0] * x[:, 1] > 0).astype(int)]
    np.savetxt(tmp_path / "xor.csv", table, delimiter=",", header="a,b,label", comments="")
    kept = capture_figures(monkeypatch)
    train(TrainConfig(dataset=str(tmp_path / "xor.csv"), epochs=2, out=str(tmp_path / "r"),
                      progress=False))
    final = {name: (figure, title) for name, figure, title in kept}
    assert set(final) == {"curves.png", "gradient_health.png", "decision_regions.png"}
    for name, (figure, title) in final.items():  # no per-class picture for 2 classes
        assert title.startswith("xor.csv: MLP 2-256-2 relu") and "adam lr 0.001" in title
        for axes in figure.axes:
            if axes.get_label() != "<colorbar>":
                assert axes.get_xlabel() and axes.get_ylabel(), (name, axes.get_title())
    axes = final["decision_regions.png"][0].axes[0]
    legend = {text.get_text(): handle.get_facecolor() for text, handle in
              zip(axes.get_legend().get_texts(), axes.get_legend().legend_handles)}
    assert set(legend) == {"class 0", "class 1"}
    points, regions = axes.collections[-1], axes.collections[0]  # points over regions
    point_classes = np.asarray(points.get_array())
    assert set(point_classes.tolist()) == {0, 1}
    for k in (0, 1):  # class k: one colour in the legend, the shading and the points
        colour = np.array(legend[f"class {k}"])[:3]
        assert np.allclose(regions.cmap(regions.norm(k))[:3], colour)
        assert np.allclose(points.cmap(points.norm(k))[:3], colour)


def test_explain_pictures_have_their_own_names(tmp_path: Path) -> None:
    first = command("explain", "(x+y)*z", "x=-2", "y=5", "z=-4", cwd=tmp_path)
    second = command("explain", "x*y", "x=3", "y=4", cwd=tmp_path)
    example = command("explain", "--example", "car-price", cwd=tmp_path)
    assert first.returncode == second.returncode == example.returncode == 0
    names = sorted(path.name for path in tmp_path.iterdir())
    assert len(names) == 3 and "car-price.svg" in names
    assert all(f"wrote {name}" in first.stdout + second.stdout + example.stdout
               for name in names)
