"""Module features against PyTorch: buffers, traversal, hooks (forward, pre, full backward),
`repr`, `load_state_dict`'s result and errors, `get_submodule`/`get_parameter`/`get_buffer`.

Each test runs the same code with `torch` and with `chainrule` (`lib`) and compares."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

LIBS = [torch, cr]


def _numpy(value: Any) -> Any:
    return None if value is None else np.asarray(value.detach().numpy())


class _WithBuffers:
    """Builds the same small model in either library."""

    @staticmethod
    def build(lib: Any) -> Any:
        class Net(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.fc = lib.nn.Linear(2, 3)
                self.register_buffer("running", lib.ones(3))
                self.register_buffer("scratch", lib.zeros(2), persistent=False)
                self.inner = lib.nn.Sequential(lib.nn.Linear(3, 1), lib.nn.Tanh())

            def forward(self, x: Any) -> Any:
                return self.inner(self.fc(x) + self.running)

        return Net()


def test_buffers_state_dict_and_to_match_torch() -> None:
    nets = [_WithBuffers.build(lib) for lib in LIBS]
    keys = [list(net.state_dict()) for net in nets]
    assert keys[0] == keys[1] == ["running", "fc.weight", "fc.bias", "inner.0.weight",
                                  "inner.0.bias"]
    names = [[name for name, _ in net.named_buffers()] for net in nets]
    assert names[0] == names[1] == ["running", "scratch"]
    for net in nets:
        net.double()
    assert nets[1].running.dtype == cr.float64 and nets[1].scratch.dtype == cr.float64
    assert [n for n, _ in nets[0].named_modules(prefix="m")] == \
        [n for n, _ in nets[1].named_modules(prefix="m")]
    assert [n for n, _ in nets[0].named_children()] == [n for n, _ in nets[1].named_children()]
    assert nets[1].get_buffer("running") is nets[1].running
    assert nets[1].get_parameter("inner.0.bias") is nets[1].inner[0].bias
    assert nets[1].get_submodule("inner.1").__class__.__name__ == "Tanh"


def test_state_dict_interchanges_with_torch() -> None:
    source, target = _WithBuffers.build(torch), _WithBuffers.build(cr)
    state = {key: cr.tensor(value.numpy()) for key, value in source.state_dict().items()}
    assert repr(target.load_state_dict(state)) == "<All keys matched successfully>"
    x = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_allclose(target(cr.tensor(x)).detach().numpy(),
                               source(torch.tensor(x)).detach().numpy(), rtol=1e-5)


def test_register_buffer_errors_and_persistence() -> None:
    for lib in LIBS:
        module = lib.nn.Module()
        with pytest.raises(KeyError):
            module.register_buffer("a.b", lib.zeros(1))
        with pytest.raises(TypeError):
            module.register_buffer("a", [1.0])
        module.register_buffer("a", lib.zeros(1), persistent=False)
        module.register_buffer("a", lib.zeros(1))  # re-registered persistent
        assert list(module.state_dict()) == ["a"]


@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors_match_torch(strict: bool) -> None:
    outcomes = []
    for lib in LIBS:
        layer = lib.nn.Linear(3, 2)
        try:
            result = layer.load_state_dict({"weight": lib.zeros(2, 3), "extra": lib.ones(1)},
                                           strict=strict)
            outcomes.append((tuple(result), repr(result)))
        except RuntimeError as error:
            outcomes.append(str(error).replace("torch.Size([2, 3])", "(2, 3)"))
    assert outcomes[0] == outcomes[1]
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="size mismatch for weight"):
            lib.nn.Linear(3, 2).load_state_dict({"weight": lib.zeros(3, 3),
                                                 "bias": lib.zeros(2)})


def test_repr_matches_torch() -> None:
    texts = []
    for lib in LIBS:
        nn = lib.nn
        net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2, bias=False)),
                            nn.Dropout(0.25), nn.Embedding(5, 2, padding_idx=0))
        texts.append(repr(net))
    assert texts[0] == texts[1]


def test_forward_hooks_and_pre_hooks_match_torch() -> None:
    traces: list[list[Any]] = []
    for lib in LIBS:
        trace: list[Any] = []
        layer = lib.nn.Linear(2, 2).double()

        def pre(module: Any, args: Any, trace: list[Any] = trace) -> Any:
            trace.append(("pre", len(args)))
            return (args[0] * 2,)

        def post(module: Any, args: Any, output: Any, trace: list[Any] = trace) -> Any:
            trace.append(("post", tuple(output.shape)))
            return output + 1

        def kw_pre(module: Any, args: Any, kwargs: Any, trace: list[Any] = trace) -> Any:
            trace.append(("kw", sorted(kwargs)))

        handles = [layer.register_forward_pre_hook(pre), layer.register_forward_hook(post),
                   layer.register_forward_pre_hook(kw_pre, with_kwargs=True, prepend=True)]
        with lib.no_grad():
            layer.weight.copy_(lib.eye(2, dtype=lib.float64))
            layer.bias.zero_()
        out = layer(lib.ones(1, 2, dtype=lib.float64))
        trace.append(out.detach().numpy().tolist())
        for handle in handles:
            handle.remove()
        trace.append(layer(lib.ones(1, 2, dtype=lib.float64)).detach().numpy().tolist())
        traces.append(trace)
    assert traces[0] == traces[1]
    assert traces[1][-2] == [[3.0, 3.0]] and traces[1][-1] == [[1.0, 1.0]]


class _TwoInputs:
    @staticmethod
    def build(lib: Any) -> Any:
        class Mix(lib.nn.Module):
            def forward(self, a: Any, b: Any, scale: float) -> Any:
                return a * b * scale, a + b

        return Mix()


@pytest.mark.parametrize("b_requires_grad", [True, False])
def test_full_backward_hook_matches_torch(b_requires_grad: bool) -> None:
    rng = np.random.default_rng(1)
    a_values, b_values = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    seen, grads = [], []
    for lib in LIBS:
        calls: list[Any] = []
        module = _TwoInputs.build(lib)

        def hook(module: Any, grad_input: Any, grad_output: Any, calls: list[Any] = calls
                 ) -> Any:
            calls.append(([_numpy(g) for g in grad_input], [_numpy(g) for g in grad_output]))
            return tuple(None if g is None else g * 10 for g in grad_input)

        handle = module.register_full_backward_hook(hook)
        a = lib.tensor(a_values, requires_grad=True)
        b = lib.tensor(b_values, requires_grad=b_requires_grad)
        product, total = module(a, b, 2.0)
        (product.sum() + (total * total).sum()).backward()
        seen.append(calls)
        grads.append([_numpy(a.grad), _numpy(b.grad)])
        handle.remove()
        a.grad = None
        product, total = module(a, b, 2.0)
        product.sum().backward()
        grads[-1].append(_numpy(a.grad))
    assert len(seen[0]) == len(seen[1]) == 1
    for ours, theirs in zip(seen[1][0], seen[0][0]):
        assert len(ours) == len(theirs)
        for mine, reference in zip(ours, theirs):
            assert (mine is None) == (reference is None)
            if reference is not None:
                np.testing.assert_allclose(mine, reference, rtol=1e-12)
    for mine, reference in zip(grads[1], grads[0]):
        assert (mine is None) == (reference is None)
        if reference is not None:
            np.testing.assert_allclose(mine, reference, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_full_backward_hook_without_input_grads_sees_nones() -> None:
    for lib in LIBS:
        calls: list[Any] = []
        layer = lib.nn.Linear(2, 1)
        layer.register_full_backward_hook(lambda m, gi, go, calls=calls: calls.append(gi))
        layer(lib.ones(1, 2)).sum().backward()
        assert calls == [(None,)]


def test_apply_requires_grad_zero_grad_train_eval() -> None:
    for lib in LIBS:
        net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Dropout())
        visited: list[str] = []
        net.apply(lambda m, visited=visited: visited.append(type(m).__name__))
        assert visited == ["Linear", "Dropout", "Sequential"]
        net.requires_grad_(False)
        assert not any(p.requires_grad for p in net.parameters())
        net.requires_grad_()
        net(lib.ones(1, 2)).sum().backward()
        net.zero_grad(set_to_none=False)
        assert all(float(p.grad.abs().sum()) == 0 for p in net.parameters())
        net.zero_grad()
        assert all(p.grad is None for p in net.parameters())
        assert not any(m.training for m in net.eval().modules())
        assert all(m.training for m in net.train().modules())
        assert len(list(net.modules())) == 3 and len(list(net.children())) == 2


def test_state_dict_prefix_and_keep_vars() -> None:
    for lib in LIBS:
        layer = lib.nn.Linear(2, 1)
        assert list(layer.state_dict(prefix="enc.")) == ["enc.weight", "enc.bias"]
        assert layer.state_dict(keep_vars=True)["weight"] is layer.weight
        assert not layer.state_dict()["weight"].requires_grad
