"""The 2-D classification toys: CS231n's spiral and a four-quadrant problem."""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor

__all__ = ["spiral", "quadrants"]


def spiral(points_per_class: int = 100, classes: int = 3, noise: float = 0.2, seed: int = 0
           ) -> tuple[Tensor, Tensor]:
    """CS231n's spiral: class k's points lie on an arm from radius 0 to 1 while the angle
    turns from 4k to 4(k+1) radians, with Gaussian noise on the angle.

    Returns (features float32 of shape (N, 2), labels int64 of shape (N,)), N =
    points_per_class · classes; the same seed gives the same points.

    >>> x, y = spiral()
    >>> x.shape, y.shape, y.tolist()[::100]
    (chainrule.Size([300, 2]), chainrule.Size([300]), [0, 1, 2])
    """
    if points_per_class <= 0 or classes <= 0:
        raise ValueError(f"spiral: points_per_class and classes must be positive, got "
                         f"{points_per_class} and {classes}")
    rng = np.random.default_rng(seed)
    features = np.zeros((points_per_class * classes, 2), dtype=np.float32)
    labels = np.zeros(points_per_class * classes, dtype=np.int64)
    for k in range(classes):
        rows = slice(points_per_class * k, points_per_class * (k + 1))
        radius = np.linspace(0.0, 1.0, points_per_class)
        angle = np.linspace(4 * k, 4 * (k + 1), points_per_class) + \
            rng.standard_normal(points_per_class) * noise
        features[rows] = np.c_[radius * np.sin(angle), radius * np.cos(angle)]
        labels[rows] = k
    return Tensor._make(features, None), Tensor._make(labels, None)


def quadrants(points: int = 400, noise: float = 0.0, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Points uniform in [−1, 1]², labelled by quadrant: 0 (x>0, y>0), 1 (x<0, y>0),
    2 (x<0, y<0), 3 (x>0, y<0); `noise` jitters the points after labelling."""
    if points <= 0:
        raise ValueError(f"quadrants: points must be positive, got {points}")
    rng = np.random.default_rng(seed)
    features = rng.uniform(-1, 1, size=(points, 2))
    x, y = features[:, 0], features[:, 1]
    labels = np.where(y >= 0, np.where(x >= 0, 0, 1), np.where(x < 0, 2, 3)).astype(np.int64)
    features = features + rng.standard_normal(features.shape) * noise
    return Tensor._make(features.astype(np.float32), None), Tensor._make(labels, None)
