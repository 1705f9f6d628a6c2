"""Training end to end: the notes' spiral network, and a PyTorch script with only its import
changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import chainrule as cr


def pytorch_style_training(torch, folder: Path) -> float:  # noqa: ANN001
    """A plain PyTorch training loop: it runs unchanged with `import chainrule as torch`."""
    torch.manual_seed(0)
    nn = torch.nn
    points = np.load(folder / "spiral.npz")
    features = torch.tensor(points["x"])
    labels = torch.tensor(points["y"])
    model = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 3))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9, weight_decay=1e-4)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(features, labels),
                                         batch_size=32, shuffle=True)
    for _ in range(150):
        model.train()
        for batch, target in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(batch), target)
            loss.backward()
            optimizer.step()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
               folder / "checkpoint")
    restored = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 3))
    restored.load_state_dict(torch.load(folder / "checkpoint")["model"])
    restored.eval()
    with torch.no_grad():
        predictions = restored(features).argmax(dim=1)
    return float((predictions == labels).float().mean().item())


def test_pytorch_script_runs_with_only_the_import_changed(tmp_path: Path) -> None:
    x, y = cr.datasets.spiral()
    np.savez(tmp_path / "spiral.npz", x=x.numpy(), y=y.numpy())
    accuracy = pytorch_style_training(cr, tmp_path)
    assert accuracy >= 0.95


def test_the_same_script_under_pytorch_for_comparison(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    x, y = cr.datasets.spiral()
    np.savez(tmp_path / "spiral.npz", x=x.numpy(), y=y.numpy())
    assert pytorch_style_training(torch, tmp_path) >= 0.95


def test_two_layer_net_on_the_spiral_reaches_98_percent() -> None:
    # CS231n's network: 2-100-3 ReLU, softmax cross-entropy + L2, full-batch gradient descent.
    cr.manual_seed(0)
    x, y = cr.datasets.spiral()
    model = cr.nn.Sequential(cr.nn.Linear(2, 100), cr.nn.ReLU(), cr.nn.Linear(100, 3))
    optimiser = cr.optim.SGD(model.parameters(), lr=1.0, weight_decay=1e-3)
    loss_fn = cr.nn.CrossEntropyLoss()
    for _ in range(2000):
        optimiser.zero_grad()
        loss_fn(model(x), y).backward()
        optimiser.step()
    with cr.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    assert accuracy >= 0.98
