"""The backward pass: order, fan-in, accumulation, freeing, deep graphs, grad mode."""

from __future__ import annotations

import threading
import tracemalloc

import numpy as np
import pytest

import chainrule as cr
from chainrule.engine.backward import run_backward


def test_gradients_accumulate_across_backward_calls() -> None:
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 4).sum().backward()
    assert x.grad.tolist() == [7, 7]


def test_leaf_grads_do_not_alias_each_other_or_the_seed() -> None:
    # Add passes its upstream gradient through to both inputs unchanged; each leaf must get
    # its own buffer, or accumulating into one would change the other.
    a = cr.tensor([1.0, 1.0], requires_grad=True)
    b = cr.tensor([1.0, 1.0], requires_grad=True)
    seed = cr.tensor([1.0, 2.0])
    (a + b).backward(seed)
    assert a.grad._array is not b.grad._array
    assert a.grad._array is not seed._array
    (a * 2).sum().backward()
    assert a.grad.tolist() == [3, 4] and b.grad.tolist() == [1, 2] and seed.tolist() == [1, 2]


def test_fan_in_sum_does_not_corrupt_a_shared_upstream() -> None:
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x + x          # both edges carry the same upstream array
    z = y + x          # x is reached three times
    z.sum().backward()
    assert x.grad.tolist() == [3, 3]


def test_topological_order_runs_each_gate_after_all_its_consumers() -> None:
    x = cr.tensor(2.0, requires_grad=True)
    a = x * 3
    b = a + 1
    c = a * b     # a fans out to b and c
    d = c + a
    order = []
    run_backward([d], [np.float32(1)], retain_graph=True, create_graph=False,
                 tracer=lambda node, up, down: order.append(node))
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for value, needed in zip(node.inputs, node.needs_input_grad):
            if needed and value.grad_fn is not None:
                assert position[value.grad_fn] > position[node]
    assert len(order) == 4


def test_deep_chain_of_100000_gates_is_not_recursive() -> None:
    x = cr.tensor(1.0, dtype=cr.float64, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.00001 + 0.0
    y.backward()
    assert x.grad.item() == pytest.approx(1.00001 ** 50_000)
    del y  # freeing a 100,000-deep graph must not overflow the stack either


def test_second_backward_over_a_freed_graph_raises_clearly() -> None:
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 8


def test_gates_that_saved_nothing_can_backward_twice_like_pytorch() -> None:
    x = cr.tensor(2.0, requires_grad=True)
    y = x + 1
    y.backward()
    y.backward()
    assert x.grad.item() == 2


def test_non_scalar_backward_needs_a_gradient() -> None:
    x = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(3,\); pass gradient="):
        (x * 2).backward()
    (x * 2).backward(cr.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [2, 4, 6]


def test_backward_gradient_shape_and_dtype_are_checked() -> None:
    x = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient has shape \(2,\).*\(3,\)"):
        (x * 2).backward(cr.ones(2))
    with pytest.raises(TypeError, match="float64.*float32"):
        (x * 2).backward(cr.ones(3, dtype=cr.float64))


def test_backward_on_a_tensor_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.ones(2).sum().backward()


def test_no_grad_and_enable_grad() -> None:
    x = cr.ones(2, requires_grad=True)
    with cr.no_grad():
        y = x * 2
        assert not cr.is_grad_enabled()
        with cr.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    assert cr.is_grad_enabled()

    @cr.no_grad()
    def doubled(t: cr.Tensor) -> cr.Tensor:
        return t * 2

    assert not doubled(x).requires_grad


def test_grad_mode_is_thread_local() -> None:
    """Another thread records while this one is inside no_grad. Every wait must succeed:
    a wait that ran out would let the other thread run after no_grad ended, and pass."""
    seen: dict[str, bool] = {}
    started = threading.Event()
    release = threading.Event()

    def other_thread() -> None:
        x = cr.ones(1, requires_grad=True)
        started.set()
        seen["released"] = release.wait(5)
        seen["enabled"] = cr.is_grad_enabled()
        seen["requires_grad"] = (x * 2).requires_grad

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert started.wait(5), "the other thread did not start"
    with cr.no_grad():
        release.set()
        thread.join(5)
        assert not thread.is_alive(), "the other thread did not finish inside no_grad"
        assert not cr.is_grad_enabled()
    assert seen == {"released": True, "enabled": True, "requires_grad": True}


def test_detach_and_requires_grad_() -> None:
    x = cr.ones(2, requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.is_leaf
    z = cr.ones(2).requires_grad_()
    assert z.requires_grad
    with pytest.raises(TypeError, match="floating-point"):
        cr.tensor([1, 2]).requires_grad_()
    with pytest.raises(TypeError, match="floating-point"):
        cr.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="not a leaf"):
        (x * 2).requires_grad_(False)


def test_retain_grad_keeps_an_intermediate_gradient() -> None:
    x = cr.tensor(3.0, requires_grad=True)
    q = x * 2
    q.retain_grad()
    (q * q).backward()
    assert q.grad.item() == 12 and x.grad.item() == 24


def test_requires_grad_propagates_only_from_inputs_that_need_it() -> None:
    a = cr.ones(2, requires_grad=True)
    b = cr.ones(2)
    c = a * b
    assert c.requires_grad and c.grad_fn.needs_input_grad == (True, False)
    assert not (b * 2).requires_grad


def test_second_derivative_of_a_cube() -> None:
    x = cr.tensor([-1.0, 0.5, 2.0], dtype=cr.float64, requires_grad=True)
    y = (x ** 3).sum()
    (first,) = cr.autograd.grad(y, x, create_graph=True)
    (second,) = cr.autograd.grad(first.sum(), x)
    assert first.tolist() == pytest.approx([3.0, 0.75, 12.0])
    assert second.tolist() == pytest.approx([-6.0, 3.0, 12.0])  # d²/dx² x³ = 6x


def test_backward_with_create_graph_accumulates_a_differentiable_grad() -> None:
    x = cr.tensor(2.0, dtype=cr.float64, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(12.0)


def test_autograd_grad_does_not_touch_dot_grad_and_reports_unused() -> None:
    x = cr.tensor(1.0, requires_grad=True)
    unused = cr.tensor(1.0, requires_grad=True)
    y = x * 5
    (g,) = cr.autograd.grad(y, x, retain_graph=True)
    assert g.item() == 5 and x.grad is None
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        cr.autograd.grad(y, [x, unused], retain_graph=True)
    assert cr.autograd.grad(y, [x, unused], allow_unused=True)[1] is None


def test_autograd_grad_with_respect_to_an_intermediate() -> None:
    x = cr.tensor(2.0, requires_grad=True)
    q = x * 3
    y = q * q
    (dq,) = cr.autograd.grad(y, q)
    assert dq.item() == 12


def test_gradients_keep_float32() -> None:
    x = cr.randn(4, 3, requires_grad=True)
    w = cr.randn(3, 2, requires_grad=True)
    loss = ((x @ w).tanh() * 0.5 + 1.5).log_softmax(1).sum() / 3
    loss.backward()
    assert loss.dtype == cr.float32
    assert x.grad.dtype == cr.float32 and w.grad.dtype == cr.float32


def test_chain_memory_grows_linearly() -> None:
    def peak(length: int) -> int:
        tracemalloc.start()
        x = cr.tensor(1.0, requires_grad=True)
        y = x
        for _ in range(length):
            y = y * 1.0
        y.backward()
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    small, large = peak(2_000), peak(8_000)
    assert 2.0 < large / small < 6.0  # 4x the gates: about 4x the memory


def test_relu_backward_blocks_inf_and_nan_upstream_as_pytorch_does() -> None:
    """The fast product rule falls back to `where` when the upstream is not finite: blocked
    entries get 0 (PyTorch's threshold_backward), passed entries keep inf/NaN, no warning."""
    import warnings

    x = cr.tensor([[-1.0, 2.0, 0.0], [3.0, -4.0, 5.0]], requires_grad=True)
    upstream = cr.tensor([[np.nan, 1.0, np.inf], [np.inf, np.inf, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.relu().backward(upstream)
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [np.inf, 0.0, 3.0]]


def test_post_accumulate_grad_hook_sees_the_whole_gradient_once() -> None:
    """Called once per backward, after every path into the leaf has been summed into .grad
    (PyTorch's register_post_accumulate_grad_hook), and gone after remove()."""
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    ((w * 3).sum() + (w * w).sum()).backward()  # two paths into w: 3 + 2w
    assert seen == [[5.0, 7.0]]
    ((w * 3).sum() + (w * w).sum()).backward()  # accumulates: the hook sees the total
    assert seen == [[5.0, 7.0], [10.0, 14.0]]
    handle.remove()
    (w * 3).sum().backward()
    assert len(seen) == 2


def test_post_accumulate_grad_hook_runs_while_backward_goes_on() -> None:
    """A leaf near the output is done before the leaves deep in the graph are reached: its
    hook runs first (what lets data-parallel training overlap its all-reduce)."""
    deep = cr.tensor(2.0, requires_grad=True)
    near = cr.tensor(3.0, requires_grad=True)
    order = []
    deep.register_post_accumulate_grad_hook(lambda t: order.append("deep"))
    near.register_post_accumulate_grad_hook(lambda t: order.append("near"))
    h = deep
    for _ in range(5):
        h = (h * 1.5).tanh()
    (h * near).backward()
    assert order == ["near", "deep"]


def test_post_accumulate_grad_hook_only_on_leaves() -> None:
    x = cr.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_a_rule_sending_one_array_to_two_of_many_inputs_is_never_added_into() -> None:
    """For gates with many inputs the engine finds repeated arrays through a set of ids
    (linear time); the array sent twice must still not be summed into in place."""
    from chainrule.engine.gate import Gate

    class SumAll(Gate):
        label = "sum_all"

        @staticmethod
        def forward(ctx, *arrays):  # noqa: ANN001, ANN205
            return sum(arrays)

        @staticmethod
        def backward(ctx, grad):  # noqa: ANN001, ANN205
            shared = grad.copy()  # one fresh array, sent to inputs 3 and 12
            return tuple(shared if i in (3, 12) else grad.copy() for i in range(20))

    xs = [cr.tensor([1.0, 2.0], requires_grad=True) for _ in range(20)]
    y = SumAll.apply(*xs)
    z = xs[12] * 1 + y  # xs[12] gets a second gradient after the shared array (this order
    z.sum().backward()  # corrupts xs[3]'s gradient if the repeat goes unnoticed)
    assert xs[3].grad.tolist() == [1.0, 1.0]
    assert xs[12].grad.tolist() == [2.0, 2.0]


def test_stack_of_many_inputs_back_propagates() -> None:
    xs = [cr.tensor(float(i), requires_grad=True) for i in range(3000)]
    (cr.stack(xs) * 2).sum().backward()
    assert all(x.grad.item() == 2.0 for x in xs)
