"""Tensor creation, dtypes, attributes, values of operations, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr


def test_dtype_rules_follow_pytorch() -> None:
    assert cr.tensor(1.5).dtype == cr.float32
    assert cr.tensor([1, 2]).dtype == cr.int64
    assert cr.tensor([True, False]).dtype == cr.bool
    assert cr.tensor(np.zeros(2, np.float64)).dtype == cr.float64
    assert cr.as_tensor(np.zeros(2, np.int32)).dtype == cr.int32
    assert cr.from_numpy(np.zeros(2, np.float64)).dtype == cr.float64
    assert cr.tensor([1, 2], dtype=cr.float64).dtype == cr.float64
    assert cr.zeros(2, 3).dtype == cr.float32 and cr.zeros(2, 3).shape == (2, 3)
    assert cr.ones((2, 3)).shape == (2, 3)
    assert cr.full((2,), 7).dtype == cr.int64 and cr.full((2,), 7.0).dtype == cr.float32
    assert cr.arange(5).dtype == cr.int64 and cr.arange(0.0, 1.0, 0.25).tolist() == [
        0, 0.25, 0.5, 0.75]
    assert cr.linspace(0, 1, 5).tolist() == [0, 0.25, 0.5, 0.75, 1]
    assert cr.eye(2).tolist() == [[1, 0], [0, 1]]
    assert repr(cr.float32) == "chainrule.float32"


def test_promotion_in_arithmetic() -> None:
    f32 = cr.ones(2)
    f64 = cr.ones(2, dtype=cr.float64)
    i64 = cr.tensor([1, 2])
    assert (f32 * 2.5).dtype == cr.float32          # Python numbers are weak
    assert (f32 + f64).dtype == cr.float64          # no precision is lost
    assert (i64 + f32).dtype == cr.float32          # int meets float: the float type
    assert (i64 * 1.5).dtype == cr.float32          # an int tensor times a float
    assert (i64 / 2).dtype == cr.float32 and (i64 / 2).tolist() == [0.5, 1.0]
    assert (i64 + 1).dtype == cr.int64
    assert (np.float64(2.0) * f32).dtype == cr.float64  # a NumPy scalar is not weak


def test_from_numpy_shares_memory_and_tensor_copies() -> None:
    array = np.zeros(3, np.float32)
    shared, copied = cr.from_numpy(array), cr.tensor(array)
    array[0] = 5
    assert shared.tolist()[0] == 5 and copied.tolist()[0] == 0


def test_attributes() -> None:
    x = cr.randn(2, 3, requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size() == (2, 3) and x.size(1) == 3
    assert x.numel() == 6 and x.is_leaf and x.grad is None and x.grad_fn is None
    assert str(x.device) == "cpu" and x.T.shape == (3, 2)
    y = x * 2
    assert not y.is_leaf and y.grad_fn.label == "mul"
    assert "grad_fn=<MulBackward0>" in repr(y)  # PyTorch's node name; the label stays "mul"
    assert x.data.requires_grad is False and x.data._array is x._array


def test_values_match_numpy() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    t = cr.tensor(a)
    assert np.allclose(t.sum(1).numpy(), a.sum(1))
    assert np.allclose(t.mean(0, keepdim=True).numpy(), a.mean(0, keepdims=True))
    assert np.allclose(t.var().numpy(), a.var(ddof=1))
    assert np.allclose(t.std(1, correction=0).numpy(), a.std(1))
    assert np.allclose(t.softmax(1).numpy().sum(1), 1)
    assert np.allclose(t.logsumexp(1).numpy(), np.log(np.exp(a).sum(1)), atol=1e-6)
    values, indices = t.max(1)
    assert np.allclose(values.numpy(), a.max(1)) and indices.tolist() == a.argmax(1).tolist()
    assert t.argmax().item() == a.argmax() and t.argmin(0).tolist() == a.argmin(0).tolist()
    assert np.allclose(t.clamp(-0.5, 0.5).numpy(), np.clip(a, -0.5, 0.5))
    assert np.allclose(t[1:, ::2].numpy(), a[1:, ::2])
    assert np.allclose(t[[0, 2]].numpy(), a[[0, 2]])
    assert np.allclose(t[t > 0].numpy(), a[a > 0])
    assert np.allclose(t[None, ..., 1].numpy(), a[None, ..., 1])


def test_logsumexp_and_log_softmax_do_not_overflow() -> None:
    x = cr.tensor([[1000.0, 1000.0], [-1000.0, -1000.0]])
    assert np.allclose(x.logsumexp(1).numpy(), [1000 + np.log(2), -1000 + np.log(2)])
    assert np.allclose(x.log_softmax(1).numpy(), np.log(0.5))
    assert np.isfinite(x.softmax(1).numpy()).all()


def test_comparisons_make_bool_tensors_without_grad() -> None:
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = x > 1.5
    assert mask.dtype == cr.bool and not mask.requires_grad
    assert mask.tolist() == [False, True, True]
    assert (x == 2).tolist() == [False, True, False]


def test_item_tolist_numpy() -> None:
    assert cr.tensor([[3.5]]).item() == 3.5
    assert cr.tensor([[1, 2]]).tolist() == [[1, 2]]
    with pytest.raises(ValueError, match="2 elements cannot be converted"):
        cr.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        cr.ones(1, requires_grad=True).numpy()


def test_shape_methods() -> None:
    x = cr.arange(24).reshape(2, 3, 4)
    assert x.view(6, -1).shape == (6, 4)
    assert x.flatten(1).shape == (2, 12)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.unsqueeze(1).shape == (2, 1, 3, 4) and x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert cr.ones(1, 3, 1).squeeze().shape == (3,) and cr.ones(1, 3, 1).squeeze(0).shape == (3, 1)
    assert cr.ones(3, 1).expand(3, 4).shape == (3, 4)
    assert cr.ones(3, 1).expand(-1, 5).shape == (3, 5)
    assert cr.cat([cr.ones(2, 3), cr.zeros(1, 3)]).shape == (3, 3)
    assert cr.stack([cr.ones(2), cr.zeros(2)], dim=1).shape == (2, 2)


def test_in_place_updates_under_no_grad() -> None:
    w = cr.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    with cr.no_grad():
        w -= 0.5 * w.grad
    assert w.tolist() == [-0.5, -0.5] and w.requires_grad
    w.grad.zero_()
    assert w.grad.tolist() == [0, 0]
    w.data = cr.tensor([4.0, 5.0])
    assert w.tolist() == [4, 5]


def test_in_place_on_a_recorded_tensor_raises() -> None:
    w = cr.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w += 1
    with pytest.raises(RuntimeError, match="in-place"):
        w[0] = 3.0


def test_in_place_that_would_lose_precision_raises() -> None:
    x = cr.ones(2)
    with pytest.raises(TypeError, match="losing precision"):
        x += cr.ones(2, dtype=cr.float64)
    with pytest.raises(TypeError, match="float cannot be stored"):
        cr.tensor([1, 2]).add_(0.5)


def test_manual_seed_makes_draws_reproducible() -> None:
    cr.manual_seed(123)
    a = cr.randn(3).tolist(), cr.rand(2).tolist(), cr.randint(0, 10, (4,)).tolist()
    cr.manual_seed(123)
    b = cr.randn(3).tolist(), cr.rand(2).tolist(), cr.randint(0, 10, (4,)).tolist()
    assert a == b
    assert cr.randn(2, 3).dtype == cr.float32 and cr.randint(5, (2,)).dtype == cr.int64


def test_allclose_follows_pytorch() -> None:
    assert cr.allclose(cr.tensor([1.0, 2.0]), cr.tensor([1.0, 2.0 + 1e-6]))
    assert not cr.allclose(cr.tensor([1.0]), cr.tensor([1.1]))


# ---------------------------------------------------------------- errors name what was wrong
@pytest.mark.parametrize("make, exception, pattern", [
    (lambda: cr.ones(3, 4) @ cr.ones(5, 2), ValueError,
     r"matmul: shapes \(3, 4\) and \(5, 2\) do not align: 4 != 5"),
    (lambda: cr.ones(2, 3, 4) @ cr.ones(3, 4, 5), ValueError, r"batch dimensions"),
    (lambda: cr.ones(3) @ cr.ones(3, dtype=cr.float64), TypeError, r"float32 and float64"),
    (lambda: cr.ones(3) + cr.ones(4), ValueError,
     r"add: shapes \(3,\) and \(4,\) cannot be broadcast"),
    (lambda: cr.ones(2, 3) * cr.ones(3, 2), ValueError, r"mul: shapes \(2, 3\) and \(3, 2\)"),
    (lambda: cr.ones(2, 3).reshape(4, 2), ValueError,
     r"cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4, 2\)"),
    (lambda: cr.ones(2, 3).sum(dim=2), IndexError, r"dim 2 is out of range .* 2 dimensions"),
    (lambda: cr.ones(2, 3).softmax(dim=-3), IndexError, r"softmax: dim -3 is out of range"),
    (lambda: cr.ones(2, 3).permute(0, 0), ValueError, r"not a permutation"),
    (lambda: cr.ones(3).expand(2, 4), ValueError, r"expand: shape \(3,\) cannot be broadcast"),
    (lambda: cr.cat([cr.ones(2, 3), cr.ones(2, 4)]), ValueError, r"cat: tensor 1 has shape"),
    (lambda: cr.stack([cr.ones(2), cr.ones(3)]), ValueError, r"stack: tensor 1 has shape"),
    (lambda: cr.tensor([[1, 2], [3]]), ValueError, r"rectangular"),
    (lambda: cr.tensor(["a"]), TypeError, r"expected numbers"),
    (lambda: cr.tensor([1, 2]).mean(), TypeError, r"mean: expected a floating-point tensor"),
    (lambda: cr.zeros(2, dtype="complex"), TypeError, r"unknown dtype"),
    (lambda: cr.ones(2)[1.5], IndexError, r"not floats"),
    (lambda: cr.where(cr.ones(2), cr.ones(2), cr.zeros(2)), TypeError, r"bool tensor"),
    (lambda: cr.ones(2).clamp(), ValueError, r"at least one of min and max"),
    (lambda: cr.ones(2, 3).max(dim=5), IndexError, r"max: dim 5 is out of range"),
    (lambda: cr.randint(5, 2, (3,)), RuntimeError, r"expected low < high, but got low=5, high=2"),
    (lambda: cr.ones(2).to("tpu"), ValueError, r"unknown device 'tpu'"),
])
def test_errors_name_what_was_wrong(make, exception, pattern) -> None:  # noqa: ANN001
    with pytest.raises(exception, match=pattern):
        make()
