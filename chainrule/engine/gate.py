"""Gates: the built-in `Gate` and the user-facing `Function` (see the package docstring).

Both are the seeds' gate API (CS231n's `forward`/`backward` pair, PyTorch's
`torch.autograd.Function`): a static `forward(ctx, *args)` that computes the output and saves
what the local rule needs, and a static `backward(ctx, *grad_outputs)` that returns one
gradient per forward argument, None where none is needed. `ctx` is the gate itself, the node
the graph records.

- `Gate` is for chainrule's own operations. Its forward and backward work on raw arrays
  (the hot path allocates no tensors). Its backward rule is written with operators and the
  helpers of `chainrule.ops._dual`, which work on arrays and tensors alike, so that under
  `create_graph=True` the same rule runs on tensors and is recorded: second derivatives come
  for free, without a second rule.
- `Function` is PyTorch's: forward and backward take and return tensors.
"""

from __future__ import annotations

from typing import Any

from . import node_names, version
from .anomaly import check_forward
from .grad_mode import no_grad, state
from .variable import Variable
from .version import CHANGES

__all__ = ["Gate", "ViewGate", "Function", "FREED"]


class _Freed:
    """Marks a gate whose saved values were released by a backward pass."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<freed>"


FREED: Any = _Freed()
_new = object.__new__
_NO_GRAD = [(False,) * count for count in range(16)]


class Gate:
    """A recorded operation: forward on arrays, and a local backward rule.

    Attributes:
        inputs: the forward arguments (tensors and constants), kept so that backward knows
            where each gradient goes, so a second-order backward can rebuild saved values as
            tensors, and so `viz` can show every value.
        needs_input_grad: one bool per forward argument: does a gradient have to flow there?
        saved_tensors: what the forward pass saved for the local rule (arrays for built-in
            gates, tensors for user `Function`s); `FREED` after a backward without
            `retain_graph`.
        output_meta: None for a gate with one output; otherwise one (shape, dtype, device)
            per output, so that the engine can fill missing output gradients with zeros.
        retained: output index -> weak references of tensors that called `retain_grad()`.
        changes_at, output_version: set when the forward saved anything: the process's
            clock of in-place changes then (`engine.version.CHANGES`), and the output's
            counter (only for `saves_output` gates). Backward checks what the gate saved
            when the clock has moved since `changes_at`.

    A rule may return its upstream gradient unchanged (or a view of it) or a fresh array;
    it must never return the same fresh array for two inputs, nor an array it keeps. That
    lets the engine sum gradients in place without copying.
    """

    __slots__ = ("inputs", "needs_input_grad", "saved_tensors", "output_meta", "retained",
                 "output_version", "changes_at", "__weakref__")

    #: The operation's name, shown by `repr`, `viz.draw` and `viz.explain`.
    label = "gate"
    #: True when `backward` takes and returns tensors (user-defined `Function`s); False for
    #: built-in gates, whose rules work on arrays and also on tensors for create_graph.
    tensor_api = False
    #: True when the forward saves its own output for the rule (exp, sigmoid, relu, …): the
    #: output then gets a version counter that backward checks. A test checks every gate's
    #: flag against what it really saves.
    saves_output = False

    def __init__(self) -> None:
        self.inputs: tuple[Any, ...] = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.saved_tensors: Any = ()
        self.output_meta: tuple[Any, ...] | None = None
        self.retained: dict[int, Any] | None = None
        self.output_version: list[int] | None = None
        self.changes_at = 0

    def save_for_backward(self, *values: Any) -> None:
        """Keeps `values` for the backward rule (read back as `ctx.saved_tensors`), and the
        clock of in-place changes, against which backward checks them (`engine.version`)."""
        self.saved_tensors = values
        self.changes_at = CHANGES[0]

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """The local rule: upstream gradient(s) in, one gradient (or None) per input out."""
        raise NotImplementedError(f"gate {type(ctx).__name__} has no backward rule")

    def name(self) -> str:
        """PyTorch's name for this node, e.g. `MulBackward0` (`engine.node_names`)."""
        return node_names.node_name(self)

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """(node, output number) per tensor input, as PyTorch's `grad_fn.next_functions`."""
        return node_names.next_functions(self)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Runs the forward pass on the arguments' arrays and records the gate if needed.

        At least one argument must be a tensor; the result is made by its `_make`."""
        ctx = _new(cls)
        ctx.saved_tensors = ()
        ctx.output_meta = None
        ctx.retained = None
        arrays = []
        needs = []
        tensor = None
        for value in args:
            if isinstance(value, Variable):
                arrays.append(value._array)
                needs.append(value._requires_grad)
                tensor = value
            else:
                arrays.append(value)
                needs.append(False)
        if tensor is None:
            raise TypeError(f"{cls.label}: expected at least one tensor argument")
        recording = True in needs and state.grad_enabled
        ctx.needs_input_grad = tuple(needs) if recording or len(needs) >= 16 else \
            _NO_GRAD[len(needs)]
        output = cls.forward(ctx, *arrays)
        if state.anomaly_enabled:
            check_forward(cls.label, tuple(arrays), output)
        result = tensor._make(output, ctx if recording else None)
        if recording:
            ctx.inputs = args
            if cls.saves_output:  # its output gets a counter backward checks
                ctx.output_version = result._version = [0]
        return result


class ViewGate(Gate):
    """A gate whose output is a view of its first input (reshape, transpose, basic
    indexing, expand): the two share a version counter, so an in-place change through
    either is seen by backward."""

    __slots__ = ()

    @classmethod
    def apply(cls, *args: Any) -> Any:
        result = super().apply(*args)
        if result._array.base is not None:  # NumPy made a view, not a copy
            version.share(args[0], result)
        return result


class Function(Gate):
    """A user-defined gate with PyTorch's contract.

    Subclass it with static `forward(ctx, *args)` and `backward(ctx, *grad_outputs)`; call it
    as `MyGate.apply(*args)`. `forward` gets the tensors themselves (run with grad mode off)
    and returns a tensor or a tuple of tensors; `backward` gets one gradient tensor per output
    and returns one gradient per forward argument (None for non-tensors or where none is
    needed). Use `ctx.save_for_backward(*tensors)` / `ctx.saved_tensors` for tensors, plain
    attributes on `ctx` for anything else, and `ctx.needs_input_grad` to skip work.

    >>> import chainrule as cr
    >>> class Cube(cr.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return grad * 3 * x * x
    >>> x = cr.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad.item()
    12.0
    """

    tensor_api = True

    def __init__(self) -> None:
        super().__init__()
        self._non_differentiable: set[int] = set()

    @property
    def label(self) -> str:  # type: ignore[override]
        return type(self).__name__

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Declares outputs (e.g. indices) that never carry a gradient."""
        self._non_differentiable.update(id(output) for output in outputs)

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError(
            "subclasses of chainrule.autograd.Function must define a static forward(ctx, ...)")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Runs `forward` and, when any tensor argument requires grad, records the gate."""
        ctx = cls()
        recording = state.grad_enabled and any(
            isinstance(value, Variable) and value._requires_grad for value in args)
        ctx.needs_input_grad = tuple(
            isinstance(value, Variable) and value._requires_grad for value in args)
        with no_grad():
            result = cls.forward(ctx, *args)
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        for output in outputs:
            if not isinstance(output, Variable):
                raise TypeError(f"{cls.__name__}.forward must return a Tensor or a tuple of "
                                f"Tensors, got {type(output).__name__}")
        if not recording:
            return result
        ctx.inputs = args
        wrapped = []
        for nr, output in enumerate(outputs):
            differentiable = (id(output) not in ctx._non_differentiable
                              and output._array.dtype.kind == "f")
            made = output._make(output._array, ctx if differentiable else None)
            made._output_nr = nr
            wrapped.append(made)
        if not single:
            ctx.output_meta = tuple((o.shape, o._array.dtype, o.device) for o in outputs)
        if state.anomaly_enabled:
            for made in wrapped:
                check_forward(cls.__name__, args, made._array)
        return wrapped[0] if single else tuple(wrapped)
