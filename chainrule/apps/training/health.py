"""Gradient health: the vanishing gradients, dying ReLUs and saturated units the notes warn
about, measured during training.

- gradient norm per layer: ‖∂L/∂W‖ for each affine layer, averaged over an epoch's batches;
  a norm falling by orders of magnitude towards the input is a vanishing gradient;
- dead ReLUs: the fraction of a layer's units that output 0 for every probe sample (their
  gradient is 0, so they never recover);
- saturated units: the fraction of sigmoid/tanh outputs within 0.02 of their bounds, where
  the local gradient σ(1−σ) or 1−tanh² is nearly 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import Tensor, no_grad

__all__ = ["HealthProbe"]

_BOUNDS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "hardtanh": (-1.0, 1.0)}
_DYING = ("relu",)


class HealthProbe:
    def __init__(self, model: Any, probe_inputs: Tensor) -> None:
        self.model = model
        self.inputs = probe_inputs
        self.activation = model.activation_name
        self._sums = np.zeros(len(model.layers))
        self._batches = 0

    def record_gradients(self) -> None:
        """Adds each layer's current weight-gradient norm (call after backward)."""
        for position, layer in enumerate(self.model.layers):
            grad = layer.weight.grad
            if grad is not None:
                values = grad.numpy()
                self._sums[position] += float(np.sqrt((values * values).sum()))
        self._batches += 1

    def summarise(self) -> dict[str, Any]:
        """This epoch's figures (and a reset for the next epoch)."""
        norms = (self._sums / max(self._batches, 1)).tolist()
        self._sums[:] = 0
        self._batches = 0
        was_training = self.model.training
        self.model.eval()
        with no_grad():
            hidden = [h.numpy() for h in self.model.hidden_layers(self.inputs)]
        self.model.train(was_training)
        dead = saturated = None
        if self.activation in _DYING:
            dead = [float((h <= 0).all(axis=0).mean()) for h in hidden]
        if self.activation in _BOUNDS:
            low, high = _BOUNDS[self.activation]
            margin = 0.02 * (high - low)
            saturated = [float(((h <= low + margin) | (h >= high - margin)).mean())
                         for h in hidden]
        return {"grad_norm": norms, "dead_fraction": dead, "saturated_fraction": saturated}
