"""The benchmark workloads compute the same thing in every contender (no timing here): after
two steps from the same start, chainrule agrees with hand-written NumPy backprop."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.workloads import make


@pytest.mark.parametrize("workload", ["W1", "W2", "W3", "W4", "W5", "W6", "W7"])
def test_chainrule_agrees_with_hand_written_numpy(workload: str) -> None:
    results = {}
    for library in ("chainrule", "numpy"):
        step, parameters = make(workload, library)
        losses = [step(), step()]
        results[library] = (losses, parameters())
    (ours, our_params), (theirs, their_params) = results["chainrule"], results["numpy"]
    assert np.allclose(ours, theirs, rtol=2e-4)
    for mine, reference in zip(our_params, their_params):
        assert np.allclose(mine, reference, rtol=1e-3, atol=1e-5)


def test_lenet_workload_agrees_with_pytorch() -> None:
    """W7 runs the same text with torch: after two SGD steps the losses and all ten
    parameters agree with chainrule's."""
    pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need it "
                        "(pip install torch==2.13.0); chainrule does not depend on it")
    results = {}
    for library in ("chainrule", "torch"):
        step, parameters = make("W7", library)
        results[library] = ([step(), step()], parameters())
    (ours, our_params), (theirs, their_params) = results["chainrule"], results["torch"]
    assert np.allclose(ours, theirs, rtol=2e-5)
    assert len(our_params) == len(their_params) == 10
    for mine, reference in zip(our_params, their_params):
        assert mine.shape == reference.shape
        assert np.allclose(mine, reference, rtol=1e-4, atol=1e-6)
