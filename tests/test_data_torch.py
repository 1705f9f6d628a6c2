"""chainrule.utils.data against torch.utils.data: the same program, run with each library,
gives the same batches (values, dtypes, shapes, container types), lengths and errors.
Random orders are not compared (the two libraries' random streams differ), only their
lengths and contents."""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

Point = collections.namedtuple("Point", "features label")


def plain(value: Any) -> Any:
    """A library-neutral description of a batch: containers by kind, tensors as
    (dtype name, shape, values)."""
    if isinstance(value, (cr.Tensor, torch.Tensor)):
        return ("tensor", str(value.dtype).rpartition(".")[2], tuple(value.shape),
                value.tolist())
    if isinstance(value, Point):
        return ("Point", [plain(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: plain(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(v) for v in value])
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.tolist())
    return (type(value).__name__, value)


def same(program: Callable[[Any], Any]) -> None:
    assert plain(program(cr)) == plain(program(torch))


def same_error(program: Callable[[Any], Any]) -> None:
    with pytest.raises(Exception) as ours:
        program(cr)
    with pytest.raises(Exception) as theirs:
        program(torch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)


def tensors(m: Any) -> Any:
    return m.utils.data.TensorDataset(m.arange(10).reshape(5, 2).float(), m.arange(5))


class Samples:
    """A map-style dataset returning every kind of sample `default_collate` knows."""

    def __init__(self, m: Any, kind: str) -> None:
        self.m, self.kind = m, kind

    def __len__(self) -> int:
        return 5

    def __getitem__(self, i: int) -> Any:
        m = self.m
        return {
            "tuple": (m.tensor([float(i), 2.0 * i]), i),
            "dict": {"x": np.full(2, i, np.float64), "y": i * 0.5, "name": f"s{i}",
                     "flag": i % 2 == 0},
            "namedtuple": Point(np.int32(i), [i, i + 1]),
            "nested": [{"a": (i, float(i))}, np.float32(i)],
        }[self.kind]


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5, 7])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_batches_and_len(batch_size: int, drop_last: bool) -> None:
    def program(m: Any) -> Any:
        loader = m.utils.data.DataLoader(tensors(m), batch_size=batch_size, drop_last=drop_last)
        return [len(loader), list(loader)]

    same(program)


@pytest.mark.parametrize("kind", ["tuple", "dict", "namedtuple", "nested"])
def test_collated_structures_and_dtypes(kind: str) -> None:
    same(lambda m: list(m.utils.data.DataLoader(Samples(m, kind), batch_size=2)))


@pytest.mark.parametrize("kind", ["tuple", "dict", "namedtuple", "nested"])
def test_unbatched_samples_are_converted(kind: str) -> None:
    same(lambda m: list(m.utils.data.DataLoader(Samples(m, kind), batch_size=None)))


@pytest.mark.parametrize("batch", [
    [1, 2, 3], [1.5, 2.0], [True, False], ["a", "b"], [np.float64(1.0), np.float64(2.0)],
    [np.int16(1), np.int16(2)], [np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)],
    [(1, "a"), (2, "b")], [[1, 2.5], [3, 4.0]],
])
def test_default_collate(batch: list[Any]) -> None:
    same(lambda m: m.utils.data.default_collate(batch))


def test_collate_of_tensors_keeps_their_dtype() -> None:
    same(lambda m: m.utils.data.default_collate([m.ones(2, dtype=m.float64),
                                                 m.zeros(2, dtype=m.float64)]))
    same(lambda m: m.utils.data.default_collate([m.tensor(1), m.tensor(2)]))


def test_samplers_lengths_and_orders() -> None:
    def program(m: Any) -> Any:
        d = m.utils.data
        seq = d.SequentialSampler(range(7))
        batches = d.BatchSampler(seq, 3, drop_last=False)
        dropped = d.BatchSampler(range(7), 3, drop_last=True)
        rand = d.RandomSampler(range(7))
        more = d.RandomSampler(range(7), replacement=True, num_samples=20)
        weighted = d.WeightedRandomSampler([1.0, 2.0, 3.0], 9)
        subset = d.SubsetRandomSampler([4, 2, 9])
        return [list(seq), list(batches), list(dropped), len(batches), len(dropped),
                len(rand), sorted(rand), len(more), len(list(more)), len(weighted),
                len(list(weighted)), len(subset), sorted(subset)]

    same(program)


def test_a_batch_sampler_drives_the_loader() -> None:
    def program(m: Any) -> Any:
        d = m.utils.data
        sampler = d.BatchSampler(d.SequentialSampler(range(5)), 2, drop_last=False)
        loader = d.DataLoader(tensors(m), batch_sampler=sampler)
        return [len(loader), loader.batch_size, loader.drop_last, list(loader)]

    same(program)


def test_shuffled_epochs_have_torch_lengths_and_cover_the_data() -> None:
    def program(m: Any) -> Any:
        loader = m.utils.data.DataLoader(tensors(m), batch_size=2, shuffle=True)
        epoch = list(loader)
        return [len(loader), [len(x) for x, _ in epoch],
                sorted(sum((y.tolist() for _, y in epoch), []))]

    same(program)


class Stream:
    """An iterable-style dataset of 0..n-1 (built on each library's IterableDataset)."""

    @staticmethod
    def of(m: Any, n: int) -> Any:
        class Counting(m.utils.data.IterableDataset):
            def __iter__(self):  # type: ignore[no-untyped-def]
                return iter(range(n))

            def __len__(self) -> int:
                return n

        return Counting()


@pytest.mark.parametrize("batch_size", [None, 1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_datasets(batch_size: int | None, drop_last: bool) -> None:
    if batch_size is None and drop_last:
        same_error(lambda m: m.utils.data.DataLoader(Stream.of(m, 7), batch_size=None,
                                                     drop_last=True))
        return

    def program(m: Any) -> Any:
        loader = m.utils.data.DataLoader(Stream.of(m, 7), batch_size=batch_size,
                                         drop_last=drop_last)
        return [len(loader), list(loader)]

    same(program)


def test_concat_subset_and_split_lengths() -> None:
    def program(m: Any) -> Any:
        d = m.utils.data
        joined = d.ConcatDataset([tensors(m), tensors(m)])
        parts = d.random_split(range(10), [0.34, 0.33, 0.33])
        whole = d.random_split(range(10), [3, 7])
        return [len(joined), joined.cumulative_sizes, joined[6], [len(p) for p in parts],
                [len(p) for p in whole], d.Subset(tensors(m), [4, 0])[0]]

    same(program)


def test_generic_subclasses_and_stack_datasets() -> None:
    def program(m: Any) -> Any:
        d = m.utils.data

        class Evens(d.Sampler[int]):
            def __iter__(self):  # type: ignore[no-untyped-def]
                return iter([0, 2, 4])

            def __len__(self) -> int:
                return 3

        class Squares(d.Dataset[int]):
            def __getitem__(self, i: int) -> int:
                return i * i

            def __len__(self) -> int:
                return 5

        stacked = d.StackDataset(Squares(), tensors(m))
        named = d.StackDataset(square=Squares(), label=list("abcde"))
        loader = d.DataLoader(stacked, batch_size=2, sampler=Evens())
        return [len(stacked), stacked[1], named[4], len(loader), list(loader),
                list(d.DataLoader(named, batch_size=3))]

    same(program)


@pytest.mark.parametrize("program", [
    lambda m: m.utils.data.StackDataset(m.ones(2), m.ones(3)),
    lambda m: m.utils.data.StackDataset(m.ones(2), b=m.ones(2)),
    lambda m: m.utils.data.DataLoader(tensors(m), sampler=range(5), shuffle=True),
    lambda m: m.utils.data.DataLoader(tensors(m), batch_sampler=[[0]], batch_size=2),
    lambda m: m.utils.data.DataLoader(tensors(m), batch_sampler=[[0]], shuffle=True),
    lambda m: m.utils.data.DataLoader(tensors(m), batch_sampler=[[0]], sampler=range(5)),
    lambda m: m.utils.data.DataLoader(tensors(m), batch_sampler=[[0]], drop_last=True),
    lambda m: m.utils.data.DataLoader(tensors(m), batch_size=None, drop_last=True),
    lambda m: m.utils.data.DataLoader(tensors(m), batch_size=0),
    lambda m: m.utils.data.DataLoader(tensors(m), batch_size=2.5),
    lambda m: m.utils.data.DataLoader(tensors(m), num_workers=-1),
    lambda m: m.utils.data.DataLoader(tensors(m), prefetch_factor=2),
    lambda m: m.utils.data.DataLoader(tensors(m), persistent_workers=True),
    lambda m: m.utils.data.DataLoader(tensors(m), timeout=-1),
    lambda m: m.utils.data.DataLoader(Stream.of(m, 3), shuffle=True),
    lambda m: m.utils.data.DataLoader(Stream.of(m, 3), sampler=range(3)),
    lambda m: m.utils.data.DataLoader(Stream.of(m, 3), batch_sampler=[[0]]),
    lambda m: m.utils.data.DataLoader(m.utils.data.TensorDataset(m.ones(0)), shuffle=True),
    lambda m: m.utils.data.BatchSampler(range(3), 2, drop_last=1),
    lambda m: m.utils.data.RandomSampler(range(3), replacement=1),
    lambda m: m.utils.data.RandomSampler(range(3), num_samples=0),
    lambda m: m.utils.data.WeightedRandomSampler([1.0, 2.0], 0),
    lambda m: m.utils.data.WeightedRandomSampler([[1.0, 2.0]], 2),
    lambda m: m.utils.data.ConcatDataset([]),
    lambda m: m.utils.data.random_split(range(4), [2, 3]),
    lambda m: m.utils.data.default_collate([object()]),
    lambda m: m.utils.data.default_collate([[1, 2], [3]]),
    lambda m: m.utils.data.default_collate([m.ones(2), m.ones(3)]),
    lambda m: m.utils.data.default_collate([m.ones(2), "a"]),
    lambda m: m.utils.data.default_collate([np.array(["a"]), np.array(["b"])]),
])
def test_errors_have_torch_types(program: Callable[[Any], Any]) -> None:
    same_error(program)
