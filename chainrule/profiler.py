"""`chainrule.profiler`, as `torch.profiler`: `profile` with `activities`, `schedule` and
`on_trace_ready`, `ProfilerActivity`, `ProfilerAction`, `schedule`, `record_function` and
`tensorboard_trace_handler` (which writes Chrome trace JSON files). The recording itself is
`chainrule.autograd.profiler`'s: every op's forward, every backward node and every
`record_function` range, at no cost while no profile is active.

    >>> import chainrule as cr
    >>> from chainrule.profiler import profile, ProfilerActivity
    >>> with profile(activities=[ProfilerActivity.CPU]) as prof:
    ...     _ = cr.ones(3) * 2
    >>> [event.key for event in prof.key_averages()]
    ['aten::mul']
"""

from __future__ import annotations

import enum
import os
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from .autograd import profiler as _autograd_profiler
from .autograd.profiler import record_function
from .autograd.profiler_util import EventList, FunctionEvent

__all__ = ["profile", "schedule", "supported_activities", "tensorboard_trace_handler",
           "ProfilerAction", "ProfilerActivity", "kineto_available", "record_function"]


class ProfilerActivity(enum.Enum):
    """What to profile: chainrule records CPU activity only (the others are accepted)."""

    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What a `schedule` asks of a step."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities() -> set[ProfilerActivity]:
    return {ProfilerActivity.CPU}


def kineto_available() -> bool:
    return False


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """PyTorch's step schedule: skip `skip_first` steps, then cycles of `wait` idle,
    `warmup` and `active` recorded steps (the last one saves), `repeat` times (0: forever)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), "
            f"warmup={warmup} (need >= 0), active={active} (need > 0), repeat={repeat} "
            f"(need >= 0), skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        cycle = wait + warmup + active
        if repeat > 0 and step / cycle >= repeat:
            return ProfilerAction.NONE
        phase = step % cycle
        if phase < wait:
            return ProfilerAction.NONE
        if phase < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if phase < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return schedule_fn


def _always(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False) -> Callable[[profile], None]:
    """An `on_trace_ready` handler that writes each saved trace as Chrome trace JSON into
    `dir_name` (TensorBoard's profiler plugin reads that folder)."""
    def handler(prof: profile) -> None:
        import socket  # only here: most programs never write a trace

        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        prof.export_chrome_trace(os.path.join(
            dir_name, f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json"))

    return handler


class profile(_autograd_profiler.profile):  # noqa: N801 - PyTorch's name
    """`torch.profiler.profile`: records as `autograd.profiler.profile` does; with a
    `schedule`, only the steps it marks RECORD are kept (call `prof.step()` after each),
    and `on_trace_ready(prof)` runs at each RECORD_AND_SAVE step and on exit; the results
    are then those of the last saved cycle. Non-CPU activities are accepted and ignored."""

    def __init__(self, *, activities: Iterable[Any] | None = None,
                 schedule: Callable[[int], ProfilerAction] | None = None,
                 on_trace_ready: Callable[..., Any] | None = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_flops: bool = False, with_modules: bool = False,
                 experimental_config: Any = None, execution_trace_observer: Any = None,
                 acc_events: bool = False, use_cuda: bool | None = None,
                 custom_trace_id_callback: Any = None,
                 post_processing_timeout_s: float | None = None) -> None:
        super().__init__(record_shapes=record_shapes)
        self.activities = set(activities) if activities is not None else \
            supported_activities()
        self.schedule = schedule or _always
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self._action = self.schedule(0)

    def _recording(self) -> bool:
        return self._action in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)

    def open(self, name: str, args: tuple[Any, ...] | None) -> FunctionEvent:
        if self._recording():
            return super().open(name, args)
        return FunctionEvent(-1, name, 0, 0.0)  # not kept: this step is not recorded

    def close(self, event: FunctionEvent) -> None:
        if event.id >= 0:
            super().close(event)

    def start(self) -> None:
        self.__enter__()

    def stop(self) -> None:
        self.__exit__(None, None, None)

    def step(self) -> None:
        """Ends one step of the schedule."""
        if self._action is ProfilerAction.RECORD_AND_SAVE:
            self._save()
        self.step_num += 1
        self._action = self.schedule(self.step_num)

    def _save(self) -> None:
        self.function_events = EventList(self._events)
        self._events, self._open = [], []
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def __exit__(self, *exc_info: Any) -> None:
        saved = self.function_events
        super().__exit__(*exc_info)
        if self._events or saved is None:  # a cycle under way (or no schedule): save it
            self._save()
        else:
            self.function_events = saved
