"""Channel dropout (`F.dropout1d/2d/3d`, `nn.Dropout2d/3d`) on every input rank, against
PyTorch 2.13: the same warnings word for word, the same errors, and the same shape of mask
(which entries share one draw)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as crF

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")
torch_functional = torch.nn.functional


def _run(library, fn_name, shape, p=0.5, **kw):
    """The output and the warning messages of `fn_name` on ones of `shape`."""
    fn = getattr(torch_functional if library is torch else crF, fn_name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(library.ones(*shape), p, **kw)
    return np.asarray(out.detach().numpy() if library is torch else out.numpy()), \
        [str(w.message) for w in caught]


def _draw_groups(out: np.ndarray, lead: int) -> bool:
    """True when every slice over the first `lead` dims is constant (one draw each)."""
    flat = out.reshape(out.shape[:lead] + (-1,))
    return bool(np.all(flat == flat[..., :1]))


@pytest.mark.parametrize("fn_name, shape, lead", [
    ("dropout2d", (6, 7), 2), ("dropout2d", (4, 5, 6), 2), ("dropout2d", (2, 3, 4, 5), 2),
    ("dropout2d", (2, 3, 2, 2, 2), 2), ("dropout1d", (5, 6), 1), ("dropout1d", (3, 4, 5), 2),
    ("dropout3d", (2, 3, 2, 2, 2), 2), ("dropout3d", (3, 2, 2, 2), 1),
    ("dropout3d", (4, 5, 6), 1), ("dropout3d", (4, 5), 1)])
def test_warnings_and_mask_shape_match_torch(fn_name, shape, lead):
    cr.manual_seed(0)
    ours, our_warnings = _run(cr, fn_name, shape)
    theirs, their_warnings = _run(torch, fn_name, shape)
    assert our_warnings == their_warnings
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert set(np.unique(ours)) <= {0.0, 2.0}
    assert _draw_groups(ours, lead) and _draw_groups(theirs, lead)


def test_two_d_input_to_dropout2d_is_elementwise_with_the_warning():
    cr.manual_seed(1)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        out = crF.dropout2d(cr.ones(40, 50), 0.5).numpy()
    assert 0.3 < (out == 0).mean() < 0.7
    assert len(np.unique(out[0])) == 2  # entries of one row are drawn independently


@pytest.mark.parametrize("fn_name, shape", [("dropout1d", (5,)), ("dropout1d", (2, 3, 4, 5)),
                                            ("dropout2d", (5,))])
def test_errors_match_torch(fn_name, shape):
    with pytest.raises(RuntimeError) as theirs, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(torch_functional, fn_name)(torch.ones(*shape), 0.5)
    with pytest.raises(RuntimeError) as ours, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(crF, fn_name)(cr.ones(*shape), 0.5)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("fn_name", ["dropout1d", "dropout2d", "dropout3d"])
def test_bad_probability_and_eval_mode(fn_name):
    with pytest.raises(ValueError, match="between 0 and 1"):
        getattr(crF, fn_name)(cr.ones(2, 3, 4, 5), 1.5)
    x = cr.ones(2, 3, 4, 5)
    assert getattr(crF, fn_name if fn_name != "dropout1d" else "dropout2d")(
        x, 0.5, training=False) is x
    assert np.all(crF.dropout3d(cr.ones(2, 3, 2, 2, 2), 1.0).numpy() == 0)


def test_modules_and_gradient():
    layer = cr.nn.Dropout3d(0.5)
    assert repr(layer) == repr(torch.nn.Dropout3d(0.5))
    cr.manual_seed(2)
    x = cr.ones(2, 3, 4, requires_grad=True)
    with pytest.warns(UserWarning):
        out = cr.nn.Dropout2d(0.5)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.detach().numpy())
    layer.eval()
    y = cr.ones(2, 3, 2, 2, 2)
    assert layer(y) is y
