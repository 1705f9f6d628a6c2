"""The convolutional family without PyTorch: central differences through the F forms and the
layers, second derivatives, in-place changes after saving, and worked examples."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.nn import functional as F


def _leaf(shape: tuple[int, ...], seed: int) -> cr.Tensor:
    return cr.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_conv2d_worked_example() -> None:
    """A 3×3 input of 1..9 and a 2×2 kernel of ones: each output sums one window."""
    x = cr.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    out = F.conv2d(x, cr.ones(1, 1, 2, 2), cr.tensor([0.5]))
    np.testing.assert_array_equal(out.numpy()[0, 0], [[12.5, 16.5], [24.5, 28.5]])


@pytest.mark.parametrize("options", [
    {}, {"stride": 2, "padding": 1}, {"dilation": 2, "padding": "same"},
    {"groups": 2, "padding": (0, 1)},
])
def test_conv2d_passes_gradcheck_and_gradgradcheck(options: dict[str, object]) -> None:
    x, w, b = _leaf((2, 4, 5, 5), 0), _leaf((4, 4 // options.get("groups", 1), 3, 2), 1), \
        _leaf((4,), 2)  # type: ignore[operator]

    def conv(x: cr.Tensor, w: cr.Tensor, b: cr.Tensor) -> cr.Tensor:
        return F.conv2d(x, w, b, **options)  # type: ignore[arg-type]

    assert gradcheck(conv, (x, w, b))
    assert gradgradcheck(conv, (x, w, b), atol=1e-5, rtol=1e-4)


def test_conv1d_and_pools_pass_gradcheck() -> None:
    x = _leaf((2, 3, 8), 3)
    assert gradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding=1), (x, _leaf((2, 3, 3), 4)))
    assert gradcheck(lambda x: F.avg_pool1d(x, 3, 2, 1, ceil_mode=True), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), (_leaf((2, 2, 5, 7), 5),))
    distinct = cr.tensor(np.random.default_rng(6).permutation(72).reshape(2, 4, 9) * 0.1,
                         requires_grad=True)
    assert gradcheck(lambda x: F.max_pool1d(x, 3, 2, 1), (distinct,))
    assert gradgradcheck(lambda x: F.max_pool1d(x, 3, 2, 1) ** 2, (distinct,))


def test_batch_norm_passes_gradcheck_and_gradgradcheck() -> None:
    x, w, b = _leaf((4, 3, 2, 2), 7), _leaf((3,), 8), _leaf((3,), 9)

    def norm(x: cr.Tensor, w: cr.Tensor, b: cr.Tensor) -> cr.Tensor:
        return F.batch_norm(x, None, None, w, b, training=True)

    assert gradcheck(norm, (x, w, b))
    assert gradgradcheck(norm, (x, w, b), atol=1e-5, rtol=1e-4)


def test_a_small_convnet_passes_gradcheck() -> None:
    cr.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.Tanh(),
                        nn.MaxPool2d(2), nn.Conv2d(3, 2, 2), nn.Flatten()).double()
    x = _leaf((3, 2, 6, 6), 10)
    assert gradcheck(lambda x: net(x), (x,))


@pytest.mark.parametrize("changed", [0, 1])
def test_changing_a_saved_input_after_a_conv_makes_backward_raise(changed: int) -> None:
    """As an optimiser step between forward and backward would: the conv saved x and w."""
    x, w = _leaf((1, 2, 4, 4), 11), _leaf((2, 2, 3, 3), 12)
    out = F.conv2d(x, w)
    with cr.no_grad():
        (x, w)[changed].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_max_pool_indices_are_int64_flat_positions() -> None:
    x = cr.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    values, indices = F.max_pool2d(x, 2, return_indices=True)
    assert indices.dtype == cr.int64
    np.testing.assert_array_equal(indices.numpy()[0, 0], [[5, 7], [13, 15]])
    pool = nn.MaxPool2d(2, return_indices=True)
    assert pool(x)[1].dtype == cr.int64


def test_batch_norm_updates_buffers_and_counts_batches() -> None:
    layer = nn.BatchNorm2d(2, momentum=0.5)
    x = cr.tensor(np.arange(16.0, dtype=np.float32).reshape(2, 2, 2, 2))
    layer(x)
    layer(x)
    assert layer.num_batches_tracked.item() == 2
    # channel means 5.5 and 9.5; twice r ← r/2 + mean/2 from 0
    assert layer.running_mean.numpy() == pytest.approx([4.125, 7.125])
    layer.eval()
    before = layer.running_mean.numpy().copy()
    layer(x)
    np.testing.assert_array_equal(layer.running_mean.numpy(), before)  # eval: no update
    state = layer.state_dict()
    assert list(state) == ["weight", "bias", "running_mean", "running_var",
                           "num_batches_tracked"]


def test_dropout2d_is_identity_in_eval_and_scales_in_training() -> None:
    layer = nn.Dropout2d(0.5)
    x = cr.ones(4, 8, 3, 3)
    assert layer.eval()(x) is x
    out = layer.train()(x).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0}


def test_errors_name_what_was_wrong() -> None:
    with pytest.raises(RuntimeError, match=r"to have 3 channels, but got 2"):
        F.conv2d(cr.ones(1, 2, 5, 5), cr.ones(4, 3, 3, 3))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.conv2d(cr.ones(1, 3, 5, 5, dtype=cr.float64), cr.ones(4, 3, 3, 3))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        F.conv2d(cr.ones(1, 3, 2, 2), cr.ones(4, 3, 3, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(cr.ones(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(RuntimeError, match="too large for padding_mode='reflect'"):
        nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect")(cr.ones(1, 1, 3, 3))


def test_adaptive_max_pool_passes_gradcheck_with_uneven_bins() -> None:
    distinct = cr.tensor(np.random.default_rng(13).permutation(2 * 2 * 7 * 5)
                         .reshape(2, 2, 7, 5) * 0.1, requires_grad=True)
    assert gradcheck(lambda x: F.adaptive_max_pool2d(x, (3, 2)), (distinct,))
    assert gradgradcheck(lambda x: F.adaptive_max_pool2d(x, (3, 2)) ** 2, (distinct,))


def test_conv_transpose_passes_gradcheck_and_gradgradcheck() -> None:
    x, w, b = _leaf((2, 4, 3, 4), 14), _leaf((4, 3, 2, 3), 15), _leaf((6,), 16)

    def deconv(x: cr.Tensor, w: cr.Tensor, b: cr.Tensor) -> cr.Tensor:
        return F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2)

    assert gradcheck(deconv, (x, w, b))
    assert gradgradcheck(deconv, (x, w, b), atol=1e-5, rtol=1e-4)
