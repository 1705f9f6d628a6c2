"""The convolutional family against PyTorch: the same code runs with `torch` and with
`chainrule` (float64), and values, gradients, dtypes, shapes, running statistics, state
dicts and error types must agree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

LIBRARIES = {"torch": torch, "chainrule": cr}


def _run(fn: Callable[..., Any], arrays: list[np.ndarray], seed: int = 0
         ) -> dict[str, tuple[list[np.ndarray], list[np.ndarray]]]:
    """fn(lib, *tensors) in both libraries: the outputs and the inputs' gradients for one
    random upstream per output."""
    results = {}
    for name, lib in LIBRARIES.items():
        tensors = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        out = fn(lib, *tensors)
        outs = list(out) if isinstance(out, tuple) else [out]
        rng = np.random.default_rng(seed)
        total = 0
        for value in outs:
            if value.dtype.is_floating_point if name == "torch" else \
                    value.dtype in (cr.float32, cr.float64):
                total = total + (value * lib.tensor(rng.standard_normal(tuple(value.shape)))).sum()
        grads = []
        if hasattr(total, "backward"):
            total.backward()
            grads = [t.grad.numpy() if t.grad is not None else None for t in tensors
                     if t.requires_grad]
        results[name] = ([o.detach().numpy() for o in outs], grads)
    return results


def _agree(fn: Callable[..., Any], *shapes_or_arrays: Any, atol: float = 1e-10) -> None:
    rng = np.random.default_rng(len(shapes_or_arrays))
    arrays = [a if isinstance(a, np.ndarray) else rng.standard_normal(a)
              for a in shapes_or_arrays]
    results = _run(fn, arrays)
    (theirs, their_grads), (ours, our_grads) = results["torch"], results["chainrule"]
    assert len(theirs) == len(ours)
    for reference, mine in zip(theirs, ours):
        assert mine.shape == reference.shape and mine.dtype == reference.dtype
        np.testing.assert_allclose(mine, reference, atol=atol, rtol=1e-9)
    assert len(our_grads) == len(their_grads)
    for reference, mine in zip(their_grads, our_grads):
        assert (mine is None) == (reference is None)
        if reference is not None:
            np.testing.assert_allclose(mine, reference, atol=atol, rtol=1e-9)


CONV2D = [
    ((2, 3, 7, 6), (4, 3, 3, 2), {}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"stride": 2, "padding": 1}),
    ((1, 4, 9, 8), (6, 2, 3, 2), {"groups": 2, "stride": (2, 1), "padding": (1, 2),
                                  "dilation": (2, 1)}),
    ((2, 3, 7, 6), (4, 3, 4, 2), {"padding": "same", "dilation": 2}),
    ((2, 3, 5, 5), (5, 3, 2, 2), {"padding": "same"}),
    ((2, 3, 5, 6), (2, 3, 3, 3), {"padding": "valid", "bias": False}),
    ((3, 9, 8), (4, 3, 3, 3), {"stride": 3}),                       # unbatched
    ((2, 4, 6, 6), (4, 1, 3, 3), {"groups": 4, "padding": 1}),      # depthwise
    ((1, 1, 28, 28), (6, 1, 5, 5), {"padding": 2}),                 # LeNet's first layer
    # one channel takes its own im2col path (offsets outermost): strides, dilation, padding
    ((3, 1, 9, 8), (4, 1, 3, 2), {"stride": (2, 1), "dilation": (1, 2), "padding": (1, 0)}),
    ((1, 7, 6), (2, 1, 2, 3), {"stride": 2, "padding": "valid"}),   # unbatched
]


@pytest.mark.parametrize("x_shape, w_shape, options", CONV2D)
def test_conv2d_values_and_gradients(x_shape: tuple[int, ...], w_shape: tuple[int, ...],
                                     options: dict[str, Any]) -> None:
    options = dict(options)
    with_bias = options.pop("bias", True)

    def conv(lib: Any, x: Any, w: Any, b: Any) -> Any:
        return lib.nn.functional.conv2d(x, w, b if with_bias else None, **options)

    _agree(conv, x_shape, w_shape, (w_shape[0],))


CONV1D = [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 3, 9), (4, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 4, 10), (6, 2, 2), {"groups": 2, "dilation": 3, "padding": "same"}),
    ((3, 11), (2, 3, 4), {"stride": 2}),
    ((2, 1, 12), (3, 1, 4), {"stride": 3, "dilation": 2, "padding": 2}),   # one channel
]


@pytest.mark.parametrize("x_shape, w_shape, options", CONV1D)
def test_conv1d_values_and_gradients(x_shape: tuple[int, ...], w_shape: tuple[int, ...],
                                     options: dict[str, Any]) -> None:
    def conv(lib: Any, x: Any, w: Any, b: Any) -> Any:
        return lib.nn.functional.conv1d(x, w, b, **options)

    _agree(conv, x_shape, w_shape, (w_shape[0],))


def test_conv_keeps_float32() -> None:
    x = cr.randn(2, 3, 6, 6, requires_grad=True)
    layer = cr.nn.Conv2d(3, 4, 3)
    out = layer(x)
    out.sum().backward()
    assert out.dtype == cr.float32 and x.grad.dtype == cr.float32
    assert layer.weight.grad.dtype == cr.float32 and layer.bias.grad.dtype == cr.float32


POOLS = [
    ("max_pool2d", (2, 3, 6, 7), (2,), {}),
    ("max_pool2d", (2, 3, 7, 7), (3, 2, 1), {"ceil_mode": True, "return_indices": True}),
    ("max_pool2d", (2, 3, 9, 8), ((3, 2), (1, 2), (1, 1)), {"dilation": (2, 1)}),
    ("max_pool2d", (3, 5, 5), (2,), {"ceil_mode": True}),
    ("max_pool1d", (2, 3, 9), (3, 2, 1), {"return_indices": True}),
    ("max_pool1d", (2, 3, 10), (4,), {"ceil_mode": True}),
    ("avg_pool2d", (2, 3, 6, 6), (2,), {}),
    ("avg_pool2d", (2, 3, 7, 7), (3, 2, 1), {"ceil_mode": True}),
    ("avg_pool2d", (2, 3, 7, 7), (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}),
    ("avg_pool2d", (2, 3, 6, 5), ((2, 3),), {"divisor_override": 4}),
    ("avg_pool1d", (2, 3, 10), (4, 3, 2), {"ceil_mode": True, "count_include_pad": False}),
    ("avg_pool1d", (3, 10), (3,), {}),
    ("adaptive_avg_pool2d", (2, 3, 7, 9), ((3, 4),), {}),
    ("adaptive_avg_pool2d", (2, 3, 8, 8), (1,), {}),
    ("adaptive_avg_pool2d", (3, 7, 9), ((None, 2),), {}),
    ("adaptive_avg_pool1d", (2, 3, 10), (3,), {}),
    ("adaptive_max_pool2d", (2, 3, 7, 9), ((3, 4),), {"return_indices": True}),
    ("adaptive_max_pool2d", (3, 5, 5), (2,), {}),
    ("adaptive_max_pool2d", (2, 3, 8, 6), ((None, 4),), {"return_indices": True}),
    ("adaptive_max_pool1d", (2, 3, 10), (4,), {"return_indices": True}),
]


@pytest.mark.parametrize("name, shape, args, options", POOLS)
def test_pools_values_gradients_and_indices(name: str, shape: tuple[int, ...],
                                            args: tuple[Any, ...],
                                            options: dict[str, Any]) -> None:
    # A permutation: no ties, so both libraries pick the same maximum.
    values = np.random.default_rng(3).permutation(int(np.prod(shape))).reshape(shape) * 0.1

    def pool(lib: Any, x: Any) -> Any:
        return getattr(lib.nn.functional, name)(x, *args, **options)

    _agree(pool, values)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6), (3, 2, 4, 5)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_and_eval_with_running_stats(shape: tuple[int, ...],
                                                         affine: bool) -> None:
    layer_name = "BatchNorm2d" if len(shape) == 4 else "BatchNorm1d"
    rng = np.random.default_rng(7)
    batches = [rng.standard_normal(shape) * 2 + 1 for _ in range(3)]
    states = {}
    for name, lib in LIBRARIES.items():
        layer = getattr(lib.nn, layer_name)(shape[1], momentum=0.2, affine=affine).double()
        outputs = []
        for batch in batches[:2]:
            x = lib.tensor(batch, requires_grad=True)
            out = layer(x)
            (out * lib.tensor(batch)).sum().backward()
            outputs += [out.detach().numpy(), x.grad.numpy()]
        layer.eval()
        outputs.append(layer(lib.tensor(batches[2])).detach().numpy())
        if affine:
            outputs += [layer.weight.grad.numpy(), layer.bias.grad.numpy()]
        state = {key: value.numpy() for key, value in layer.state_dict().items()}
        states[name] = (outputs, state)
    (theirs, their_state), (ours, our_state) = states["torch"], states["chainrule"]
    for reference, mine in zip(theirs, ours):
        np.testing.assert_allclose(mine, reference, atol=1e-10)
    assert list(our_state) == list(their_state)
    for key in their_state:
        np.testing.assert_allclose(our_state[key], their_state[key], atol=1e-12)
        assert our_state[key].dtype == their_state[key].dtype


def test_batch_norm_momentum_none_is_a_cumulative_average() -> None:
    rng = np.random.default_rng(8)
    batches = [rng.standard_normal((6, 2)) for _ in range(3)]
    results = {}
    for name, lib in LIBRARIES.items():
        layer = lib.nn.BatchNorm1d(2, momentum=None).double()
        for batch in batches:
            layer(lib.tensor(batch))
        results[name] = (layer.running_mean.numpy(), layer.running_var.numpy())
    np.testing.assert_allclose(results["chainrule"][0], results["torch"][0], atol=1e-12)
    np.testing.assert_allclose(results["chainrule"][1], results["torch"][1], atol=1e-12)


def test_batch_norm_without_running_stats_uses_the_batch_in_eval() -> None:
    x = np.random.default_rng(9).standard_normal((4, 3, 2, 2))
    outs = {}
    for name, lib in LIBRARIES.items():
        layer = lib.nn.BatchNorm2d(3, track_running_stats=False).double().eval()
        outs[name] = layer(lib.tensor(x)).detach().numpy()
        assert sorted(layer.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(outs["chainrule"], outs["torch"], atol=1e-12)


@pytest.mark.parametrize("layer_name, args, options", [
    ("Conv2d", (3, 6, 5), {"padding": 2}),
    ("Conv2d", (4, 6, (3, 2)), {"groups": 2, "bias": False, "stride": 2}),
    ("Conv1d", (3, 5, 3), {"dilation": 2}),
])
def test_conv_layers_share_pytorchs_layout_init_and_state_dict(
        layer_name: str, args: tuple[Any, ...], options: dict[str, Any]) -> None:
    theirs = getattr(torch.nn, layer_name)(*args, **options)
    ours = getattr(cr.nn, layer_name)(*args, **options)
    their_state = theirs.state_dict()
    assert list(ours.state_dict()) == list(their_state)
    for key, value in ours.state_dict().items():
        assert tuple(value.shape) == tuple(their_state[key].shape)
        # PyTorch's init: uniform in ±1/√fan_in for the weight and the bias alike
        fan_in = (args[0] // options.get("groups", 1)) * int(np.prod(value.shape[2:]
                                                                     if key == "weight"
                                                                     else ours.weight.shape[2:]))
        assert np.abs(value.numpy()).max() <= 1 / np.sqrt(fan_in) + 1e-7
    ours.load_state_dict({key: cr.tensor(value.numpy()) for key, value in their_state.items()})
    shape = (2, args[0]) + ((9, 8) if layer_name == "Conv2d" else (9,))
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(cr.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("layer_name, args", [
    ("MaxPool2d", (2,)), ("MaxPool2d", (3, 2, 1)), ("AvgPool2d", (2,)), ("MaxPool1d", (2,)),
    ("AvgPool1d", (3, 1)), ("AdaptiveAvgPool2d", ((2, 3),)), ("AdaptiveMaxPool2d", (2,)),
    ("AdaptiveMaxPool1d", (3,)), ("BatchNorm2d", (3,)),
    ("BatchNorm1d", (4,)), ("Dropout2d", ()), ("Dropout1d", (0.25,)),
])
def test_pool_and_norm_layers_print_as_pytorchs(layer_name: str, args: tuple[Any, ...]) -> None:
    assert repr(getattr(cr.nn, layer_name)(*args)) == repr(getattr(torch.nn, layer_name)(*args))


BAD_CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("conv2d 2-D input", lambda lib: lib.nn.functional.conv2d(lib.ones(3, 5),
                                                              lib.ones(4, 3, 3, 3))),
    ("conv2d channels", lambda lib: lib.nn.functional.conv2d(lib.ones(2, 2, 5, 5),
                                                             lib.ones(4, 3, 3, 3))),
    ("conv2d kernel too big", lambda lib: lib.nn.functional.conv2d(lib.ones(2, 3, 2, 2),
                                                                   lib.ones(4, 3, 3, 3))),
    ("conv2d same strided", lambda lib: lib.nn.functional.conv2d(
        lib.ones(1, 3, 5, 5), lib.ones(4, 3, 3, 3), stride=2, padding="same")),
    ("conv2d bad padding", lambda lib: lib.nn.functional.conv2d(
        lib.ones(1, 3, 5, 5), lib.ones(4, 3, 3, 3), padding="full")),
    ("conv2d dtypes", lambda lib: lib.nn.functional.conv2d(
        lib.ones(1, 3, 5, 5, dtype=lib.float64), lib.ones(4, 3, 3, 3))),
    ("conv2d groups", lambda lib: lib.nn.functional.conv2d(lib.ones(1, 3, 5, 5),
                                                           lib.ones(4, 3, 3, 3), groups=2)),
    ("conv2d negative padding", lambda lib: lib.nn.functional.conv2d(
        lib.ones(1, 3, 5, 5), lib.ones(4, 3, 3, 3), padding=-1)),
    ("conv2d zero stride", lambda lib: lib.nn.functional.conv2d(
        lib.ones(1, 3, 5, 5), lib.ones(4, 3, 3, 3), stride=0)),
    ("max_pool2d big padding", lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 6, 6),
                                                                        2, padding=2)),
    ("max_pool2d too small", lambda lib: lib.nn.functional.max_pool2d(lib.ones(1, 1, 2, 2), 3)),
    ("max_pool2d 1-D input", lambda lib: lib.nn.functional.max_pool2d(lib.ones(9), 2)),
    ("batch_norm one value", lambda lib: lib.nn.functional.batch_norm(
        lib.ones(1, 3), None, None, training=True)),
    ("batch_norm stats size", lambda lib: lib.nn.functional.batch_norm(
        lib.ones(4, 3), lib.zeros(2), lib.ones(2))),
    ("BatchNorm2d on 2-D", lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(4, 3))),
    ("Conv2d groups", lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2)),
    ("Conv2d same strided", lambda lib: lib.nn.Conv2d(3, 4, 3, stride=2, padding="same")),
    ("Conv2d bad padding", lambda lib: lib.nn.Conv2d(3, 4, 3, padding="full")),
    ("conv_transpose2d output padding", lambda lib: lib.nn.functional.conv_transpose2d(
        lib.ones(1, 4, 5, 5), lib.ones(4, 3, 3, 3), stride=2, output_padding=2)),
    ("conv_transpose2d channels", lambda lib: lib.nn.functional.conv_transpose2d(
        lib.ones(1, 3, 5, 5), lib.ones(4, 3, 3, 3))),
    ("conv_transpose2d groups", lambda lib: lib.nn.functional.conv_transpose2d(
        lib.ones(1, 4, 5, 5), lib.ones(4, 3, 3, 3), groups=3)),
    ("ConvTranspose2d reflect", lambda lib: lib.nn.ConvTranspose2d(3, 4, 3,
                                                                   padding_mode="reflect")),
    ("dropout2d p", lambda lib: lib.nn.functional.dropout2d(lib.ones(2, 3, 4, 4), p=1.5)),
]


@pytest.mark.parametrize("label, call", BAD_CALLS, ids=[label for label, _ in BAD_CALLS])
def test_bad_input_raises_pytorchs_error_type(label: str, call: Callable[[Any], Any]) -> None:
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(cr)
    assert len(str(ours.value)) > 20  # says what was wrong


def test_channel_dropout_zeroes_whole_channels_in_both() -> None:
    for lib in LIBRARIES.values():
        lib.manual_seed(0)
        x = lib.ones(8, 16, 3, 3, requires_grad=True)
        out = lib.nn.functional.dropout2d(x, p=0.5)
        per_channel = out.detach().numpy().reshape(8, 16, 9)
        assert ((per_channel == 0) | (per_channel == 2)).all()
        assert (per_channel.min(-1) == per_channel.max(-1)).all()  # a channel is all or none
        out.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), out.detach().numpy())
        assert lib.nn.Dropout1d(0.5).eval()(lib.ones(2, 3, 4)).detach().numpy().min() == 1


def test_max_pool_ties_and_nans_as_pytorch() -> None:
    """Ties (a ReLU's zeros): the first maximum takes the gradient; a NaN wins its window."""
    x = np.zeros((1, 2, 4, 6))
    x[0, 0, 1, 1] = np.nan
    x[0, 1, :2, :2] = 3.0
    results = {}
    for name, lib in LIBRARIES.items():
        tensor = lib.tensor(x, requires_grad=True)
        values, indices = lib.nn.functional.max_pool2d(tensor, 2, return_indices=True)
        values.sum().backward()
        results[name] = (values.detach().numpy(), indices.numpy(), tensor.grad.numpy())
    for reference, mine in zip(results["torch"], results["chainrule"]):
        np.testing.assert_array_equal(mine, reference)


@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 2, 1), (2, 1, 0),
                                                     (3, 3, 0)])
def test_max_pool_with_several_nans_a_window_as_pytorch(kernel: int, stride: int,
                                                         padding: int) -> None:
    """Two NaNs in one window (PyTorch's kernel keeps the last: `val > max || isnan(val)`),
    ties at a ReLU's zeros, −inf, overlapping and padded windows: values, indices and
    gradients as PyTorch's."""
    rng = np.random.default_rng(1)
    x = np.maximum(rng.standard_normal((2, 3, 8, 8)), 0)
    x[0, 0, 0, 0] = x[0, 0, 1, 1] = x[1, 1, 2, 3] = np.nan
    x[1, 2, 5, 5] = -np.inf
    results = {}
    for name, lib in LIBRARIES.items():
        tensor = lib.tensor(x, requires_grad=True)
        values, indices = lib.nn.functional.max_pool2d(tensor, kernel, stride, padding,
                                                       return_indices=True)
        upstream = np.random.default_rng(2).standard_normal(tuple(values.shape))
        values.backward(lib.tensor(upstream))
        results[name] = (values.detach().numpy(), indices.numpy(), tensor.grad.numpy())
    (values, indices, grad), (their_values, their_indices, their_grad) = \
        results["chainrule"], results["torch"]
    np.testing.assert_array_equal(values, their_values)
    np.testing.assert_array_equal(indices, their_indices)
    # overlapping windows add in another order: equal up to rounding
    np.testing.assert_allclose(grad, their_grad, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("layer_name, shape, kernel, options", [
    ("Conv2d", (2, 3, 6, 7), 3, {"padding": (1, 2)}),
    ("Conv2d", (3, 6, 7), 3, {"padding": "same", "dilation": (1, 2)}),
    ("Conv2d", (2, 3, 6, 7), (2, 4), {"padding": "same"}),
    ("Conv1d", (2, 3, 7), 3, {"padding": 2, "stride": 2}),
])
def test_padding_modes_as_pytorch(mode: str, layer_name: str, shape: tuple[int, ...],
                                  kernel: Any, options: dict[str, Any]) -> None:
    theirs = getattr(torch.nn, layer_name)(3, 4, kernel, padding_mode=mode, **options).double()
    ours = getattr(cr.nn, layer_name)(3, 4, kernel, padding_mode=mode, **options).double()
    ours.load_state_dict({k: cr.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal(shape)
    results = []
    for lib, layer in ((torch, theirs), (cr, ours)):
        tensor = lib.tensor(x, requires_grad=True)
        out = layer(tensor)
        (out * lib.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))).sum() \
            .backward()
        results.append([out.detach().numpy(), tensor.grad.numpy(), layer.weight.grad.numpy()])
    for reference, mine in zip(*results):
        np.testing.assert_allclose(mine, reference, atol=1e-12)


def test_dropout2d_reads_a_3d_input_as_n_c_l_with_pytorchs_warning() -> None:
    for lib in LIBRARIES.values():
        lib.manual_seed(0)
        with pytest.warns(UserWarning, match="channel-wise 1D dropout"):
            out = lib.nn.functional.dropout2d(lib.ones(4, 8, 5), 0.5).numpy()
        assert (out == out[..., :1]).all()  # one draw per (n, c)
        assert 0 < (out[..., 0] == 0).sum() < 32


def test_batch_norm_state_dict_loads_from_pytorch() -> None:
    theirs = torch.nn.BatchNorm2d(3, momentum=0.3)
    x = np.random.default_rng(11).standard_normal((4, 3, 2, 2)).astype(np.float32)
    for _ in range(2):
        theirs(torch.tensor(x * 3 + 1))
    ours = cr.nn.BatchNorm2d(3)
    ours.load_state_dict({k: cr.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert ours.num_batches_tracked.item() == 2 and ours.num_batches_tracked.dtype == cr.int64
    np.testing.assert_allclose(ours.eval()(cr.tensor(x)).detach().numpy(),
                               theirs.eval()(torch.tensor(x)).detach().numpy(), atol=1e-6)


CONV_TRANSPOSE = [
    ("conv_transpose2d", (2, 4, 5, 5), (4, 3, 3, 3), {}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2), {"stride": 2, "padding": 1,
                                                      "output_padding": 1}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2), {"stride": (2, 3), "padding": (0, 1),
                                                      "output_padding": (1, 2), "groups": 2,
                                                      "dilation": (1, 2)}),
    ("conv_transpose2d", (4, 5, 6), (4, 3, 3, 3), {"dilation": 2}),
    ("conv_transpose1d", (2, 4, 7), (4, 3, 3), {"stride": 2, "output_padding": 1,
                                                "groups": 2}),
]


@pytest.mark.parametrize("name, x_shape, w_shape, options", CONV_TRANSPOSE)
def test_conv_transpose_values_and_gradients(name: str, x_shape: tuple[int, ...],
                                             w_shape: tuple[int, ...],
                                             options: dict[str, Any]) -> None:
    def conv(lib: Any, x: Any, w: Any, b: Any) -> Any:
        return getattr(lib.nn.functional, name)(x, w, b, **options)

    _agree(conv, x_shape, w_shape, (w_shape[1] * options.get("groups", 1),))


@pytest.mark.parametrize("layer_name, args, options, shape", [
    ("ConvTranspose2d", (4, 6, 3), {"stride": 2, "output_padding": 1, "groups": 2},
     (2, 4, 5, 5)),
    ("ConvTranspose2d", (3, 2, (2, 3)), {"bias": False, "dilation": 2}, (1, 3, 4, 4)),
    ("ConvTranspose1d", (3, 5, 4), {"stride": 3, "padding": 1}, (2, 3, 6)),
])
def test_conv_transpose_layers_as_pytorch(layer_name: str, args: tuple[Any, ...],
                                          options: dict[str, Any],
                                          shape: tuple[int, ...]) -> None:
    theirs = getattr(torch.nn, layer_name)(*args, **options)
    ours = getattr(cr.nn, layer_name)(*args, **options)
    assert repr(ours) == repr(theirs)
    their_state = theirs.state_dict()
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in their_state.items()]
    fan_in = ours.weight.shape[1] * int(np.prod(ours.weight.shape[2:]))
    assert np.abs(ours.weight.detach().numpy()).max() <= 1 / np.sqrt(fan_in) + 1e-7
    ours.load_state_dict({k: cr.tensor(v.numpy()) for k, v in their_state.items()})
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(ours(cr.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), atol=1e-5)
    # output_size picks the output padding, as in PyTorch (less than the stride)
    smallest = [size - extra for size, extra in zip(theirs(torch.tensor(x)).shape[2:],
                                                    theirs.output_padding)]
    size = [s + 1 for s in smallest]
    if all(stride > 1 for stride in theirs.stride):
        np.testing.assert_allclose(
            ours(cr.tensor(x), output_size=size).detach().numpy(),
            theirs(torch.tensor(x), output_size=size).detach().numpy(), atol=1e-5)
    with pytest.raises(ValueError):
        theirs(torch.tensor(x), output_size=[s + 5 for s in size])
    with pytest.raises(ValueError):
        ours(cr.tensor(x), output_size=[s + 5 for s in size])
