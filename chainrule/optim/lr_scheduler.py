"""Learning-rate schedules (PyTorch's `optim.lr_scheduler`): call `scheduler.step()` once per
epoch (or batch), after `optimizer.step()`; `ReduceLROnPlateau.step(metric)` takes the metric.

Each is PyTorch's, step for step; they live in `lr_base` (the base class), `lr_decay`
(formulas in the step count), `lr_cyclic`, `lr_plateau` and `lr_combine`.
"""

from __future__ import annotations

from .lr_base import LRScheduler
from .lr_combine import ChainedScheduler, SequentialLR
from .lr_cyclic import CyclicLR, OneCycleLR
from .lr_decay import (
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .lr_plateau import ReduceLROnPlateau

#: The base's old name, which older code still subclasses.
_LRScheduler = LRScheduler

__all__ = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "SequentialLR", "CosineAnnealingLR", "ChainedScheduler",
           "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
           "PolynomialLR", "LRScheduler"]
